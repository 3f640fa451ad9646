"""The change report of a registration-forms import: checkable by a person in a minute.

New students, contact changes old → new, status changes, and every refused response with its row
and why; then a reminder that the forms file holds personal data and should be deleted.
"""

from __future__ import annotations

from datetime import date

from toolkit.model.formatting import format_date
from toolkit.rules.forms import FormsPlan

_WORDS = {
    "fi": {
        "title": "Ilmoittautumislomakkeet: {file}, {n} vastausta",
        "new": "Uudet oppilaat ({n}):",
        "new_line": "  rivi {row}: {id} {name}, s. {birth}, {status}{contact}",
        "contacts": "Yhteystietojen muutokset ({n}):",
        "status": "Tilan muutokset ({n}):",
        "change_line": "  {id} {name} (rivi {row}): {column} {old} → {new}",
        "registered": "Ilmoittautuneita yhteensä {n}; jokaisen \"Viimeisin ilmoittautuminen\" päivitetään.",
        "problems": "Hylätyt vastaukset ({n}): nämä eivät muuta rekisteriä.",
        "problem_line": "  rivi {row}{cell}: {message}",
        "superseded": "Korvatut vastaukset ({n}): sama oppilas vastasi myöhemmin, myöhempi vastaus otetaan.",
        "superseded_line": "  rivi {row} → rivi {by}",
        "none": "  (ei yhtään)",
        "blank": "(tyhjä)",
        "dry": "Tämä oli esikatselu: rekisteriä ei muutettu. Tallenna muutokset lisäämällä --apply.",
        "applied": "Muutokset tallennettiin rekisteriin ({n} oppilasta päivitetty, {m} uutta).",
        "reminder": "Muista: {file} sisältää perheiden henkilötietoja. Poista tiedosto (ja lomakepalvelun "
                    "vastaukset), kun tiedot on tuotu rekisteriin.",
    },
    "en": {
        "title": "Registration forms: {file}, {n} responses",
        "new": "New students ({n}):",
        "new_line": "  row {row}: {id} {name}, born {birth}, {status}{contact}",
        "contacts": "Contact changes ({n}):",
        "status": "Status changes ({n}):",
        "change_line": "  {id} {name} (row {row}): {column} {old} → {new}",
        "registered": "{n} registered in all; each one's \"Viimeisin ilmoittautuminen\" is updated.",
        "problems": "Refused responses ({n}): these change nothing.",
        "problem_line": "  row {row}{cell}: {message}",
        "superseded": "Superseded responses ({n}): the same student answered later; the later answer is used.",
        "superseded_line": "  row {row} → row {by}",
        "none": "  (none)",
        "blank": "(blank)",
        "dry": "This was a preview: the register was not changed. Add --apply to save the changes.",
        "applied": "The changes were saved in the register ({n} students updated, {m} new).",
        "reminder": "Remember: {file} holds the families' personal data. Delete it (and the responses in the "
                    "forms service) once imported.",
    },
}


def _show(value, lang: str, blank: str) -> str:
    if value is None or value == "":
        return blank
    if isinstance(value, date):
        return format_date(value, lang)
    return str(value)


def render_plan(plan: FormsPlan, file_name: str, lang: str = "fi", applied: bool = False) -> str:
    w = _WORDS["en" if lang == "en" else "fi"]
    out = [w["title"].format(file=file_name, n=plan.responses), ""]
    out.append(w["new"].format(n=len(plan.new_students)))
    for new in plan.new_students:
        v = new.values
        contact = "".join(f", {v[h]}" for h in ("Huoltaja", "Sähköposti", "Puhelin") if v.get(h))
        out.append(w["new_line"].format(row=new.form_row, id=new.student_id, name=new.name,
                                        birth=format_date(v["Syntymäaika"], lang), status=v["Tila"], contact=contact))
    out += [w["none"]] if not plan.new_students else []
    for key, pairs in (("contacts", plan.contact_changes()), ("status", plan.status_changes())):
        out += ["", w[key].format(n=len(pairs))]
        out += [w["change_line"].format(id=u.student_id, name=u.name, row=u.form_row, column=c.header,
                                        old=_show(c.old, lang, w["blank"]), new=_show(c.new, lang, w["blank"]))
                for u, c in pairs] or [w["none"]]
    out += ["", w["registered"].format(n=len(plan.updates) + len(plan.new_students))]
    out += ["", w["problems"].format(n=len(plan.problems))]
    out += [w["problem_line"].format(row=f.row, cell=f" ({f.cell} {f.column})" if f.cell else "",
                                     message=f.message(lang)) for f in plan.problems] or [w["none"]]
    if plan.superseded:
        out += ["", w["superseded"].format(n=len(plan.superseded))]
        out += [w["superseded_line"].format(row=s.form_row, by=s.by_row) for s in plan.superseded]
    out.append("")
    out.append(w["applied"].format(n=len(plan.changed), m=len(plan.new_students)) if applied else w["dry"])
    out.append(w["reminder"].format(file=file_name))
    return "\n".join(out) + "\n"


def plan_to_dict(plan: FormsPlan, lang: str = "fi", applied: bool = False) -> dict:
    return {
        "applied": applied,
        "responses": plan.responses,
        "new_students": [{"row": n.form_row, "student_id": n.student_id, "name": n.name,
                          "values": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in n.values.items()}}
                         for n in plan.new_students],
        "updates": [{"row": u.form_row, "student_id": u.student_id, "register_row": u.register_row,
                     "changes": [{"column": c.header, "old": _iso(c.old), "new": _iso(c.new)} for c in u.changes]}
                    for u in plan.updates],
        "problems": [f.to_dict(lang) for f in plan.problems],
        "superseded": [{"row": s.form_row, "by_row": s.by_row, "student_id": s.student_id} for s in plan.superseded],
    }


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


CSV_HEADERS = ("row", "student_id", "kind", "column", "old", "new")


def plan_rows(plan: FormsPlan, lang: str = "fi") -> list[tuple]:
    """One row per change, new student or refusal (for --format csv)."""
    rows: list[tuple] = [(n.form_row, n.student_id, "new-student", "", "", n.name) for n in plan.new_students]
    rows += [(u.form_row, u.student_id, "change", c.header, _iso(c.old), _iso(c.new))
             for u in plan.updates for c in u.changes]
    rows += [(f.row, "", f.code, f.column, f.value, f.message(lang)) for f in plan.problems]
    return sorted(rows, key=lambda r: r[0])
