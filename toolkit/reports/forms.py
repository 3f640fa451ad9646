"""The change report of a registration-forms import: checkable by a person in a minute.

It opens with how the form was read (each column: its question → the register field, or why it is not
imported), then new students, contact changes old → new, status changes, every refused response with
its row and why, warnings and superseded responses; then one sentence that is true of what happened
(saved, nothing to save, or a preview) and a reminder that the forms file holds personal data.
The answers of a column that is not imported are never shown (a health question's least of all).
"""

from __future__ import annotations

from datetime import date

from toolkit.model.findings import column_letter
from toolkit.model.formatting import format_date
from toolkit.model.messages import Phrase, Said, say, say_count
from toolkit.rules import forms_questions as q
from toolkit.rules.forms import FormsPlan
from workbook_schema import forms_mapping

_STATUS_CODES = {q.SERVICE: "forms-col-service", q.ACCOUNT_UNUSED: "forms-col-account-unused",
                 q.NOT_RECOGNISED: "forms-col-not-recognised", q.AMBIGUOUS: "forms-col-ambiguous",
                 q.MAPPED_OUT: "forms-col-mapped-out", q.NOT_FROM_FORMS: "forms-col-not-from-forms",
                 q.HEALTH: "forms-col-health", q.UNNAMED: "forms-col-unnamed", q.OVERRIDDEN: "forms-col-overridden",
                 q.ACCOUNT_EMAIL: "forms-col-account-email"}
_FIELD_CODES = {"timestamp": "forms-col-timestamp", "student_id": "forms-col-student-id", "full_name": "forms-col-full-name",
                "guardian_first": "forms-col-guardian-part", "guardian_last": "forms-col-guardian-part",
                "continues": "forms-col-continues"}


def column_reading(column: q.FormColumn, lang: str = "fi") -> str:
    """What became of one column, in words: "→ Sähköposti", "ei tuoda: lomakepalvelun oma sarake", ..."""
    if column.status == q.IMPORTED:
        if column.field in _FIELD_CODES:
            return say(_FIELD_CODES[column.field], lang)
        return say("forms-col-mapped" if column.mapped else "forms-col-field", lang,
                   field=q.FIELD_HEADERS[column.field])
    other = column_letter(column.other) if column.other else ""
    return say(_STATUS_CODES[column.status], lang, other=other)


def column_lines(plan_or_reading, lang: str = "fi") -> list[str]:
    reading = getattr(plan_or_reading, "reading", plan_or_reading)
    shown = [(column_letter(c.index), c.header or "—", column_reading(c, lang)) for c in reading.columns]
    width = min(max((len(h) for _, h, _ in shown), default=0), 44)
    return [f"  {letter:<3}{header:<{width}}  {what}" for letter, header, what in shown]


def _show(value, lang: str) -> str:
    if value is None or value == "":
        return say("forms-blank", lang)
    if isinstance(value, date):
        return format_date(value, lang)
    return str(value)


def _findings(findings, lang: str) -> list[str]:
    return [say("forms-finding-line", lang, row=f.row, cell=f" ({f.cell} {f.column})" if f.cell else "",
                message=f.message(lang)) for f in findings]


def closing_sentence(plan: FormsPlan, lang: str = "fi", apply: bool = False, written: bool = False) -> str:
    """One sentence true of what happened: saved, asked to save but nothing to save, or a preview."""
    if written:
        return say("forms-applied", lang, n=len(plan.changed), m=len(plan.new_students))
    if apply:
        return say("forms-applied-nothing", lang)
    return say("forms-dry" if plan.has_changes else "forms-dry-nothing", lang)


def render_plan(plan: FormsPlan, file_name: str, lang: str = "fi", apply: bool = False, written: bool = False) -> str:
    title = say_count("forms-title", lang, plan.responses, file=file_name)
    out = [title, "", say("forms-columns", lang), *column_lines(plan, lang), ""]
    out.append(say("forms-new", lang, n=len(plan.new_students)))
    for new in plan.new_students:
        v = new.values
        contact = "".join(f", {v[h]}" for h in ("Huoltaja", "Sähköposti", "Puhelin") if v.get(h))
        out.append(say("forms-new-line", lang, row=new.form_row, id=new.student_id, name=new.name,
                       birth=format_date(v["Syntymäaika"], lang), status=v["Tila"], contact=contact))
    out += [say("forms-none", lang)] if not plan.new_students else []
    for code, pairs in (("forms-contacts", plan.contact_changes()), ("forms-status", plan.status_changes())):
        out += ["", say(code, lang, n=len(pairs))]
        out += [say("forms-change-line", lang, id=u.student_id, name=u.name, row=u.form_row, column=c.header,
                    old=_show(c.old, lang), new=_show(c.new, lang)) for u, c in pairs] or [say("forms-none", lang)]
    out += ["", say("forms-registered", lang, n=len(plan.updates) + len(plan.new_students))]
    out += ["", say("forms-problems", lang, n=len(plan.problems))]
    out += _findings(plan.problems, lang) or [say("forms-none", lang)]
    if plan.warnings:
        out += ["", say("forms-warnings", lang, n=len(plan.warnings)), *_findings(plan.warnings, lang)]
    if plan.superseded:
        out += ["", say("forms-superseded", lang, n=len(plan.superseded))]
        out += [say("forms-superseded-line", lang, row=s.form_row, by=s.by_row) for s in plan.superseded]
    out += ["", closing_sentence(plan, lang, apply, written), say("forms-reminder", lang, file=file_name)]
    return "\n".join(out) + "\n"


def columns_to_dicts(plan: FormsPlan, lang: str = "fi") -> list[dict]:
    return [{"column": column_letter(c.index), "question": c.header, "status": c.status,
             "field": q.FIELD_HEADERS.get(c.field) if c.status in (q.IMPORTED, q.ACCOUNT_EMAIL) else None,
             "mapped": c.mapped, "reading": column_reading(c, lang)} for c in plan.reading.columns]


def plan_to_dict(plan: FormsPlan, lang: str = "fi", applied: bool = False, written: bool = False) -> dict:
    """The JSON of import-forms: ``applied`` (--apply given) and ``written`` (the register was written)."""
    return {
        "applied": applied,
        "written": written,
        "responses": plan.responses,
        "columns": columns_to_dicts(plan, lang),
        "new_students": [{"row": n.form_row, "student_id": n.student_id, "name": n.name,
                          "values": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in n.values.items()}}
                         for n in plan.new_students],
        "updates": [{"row": u.form_row, "student_id": u.student_id, "register_row": u.register_row,
                     "changes": [{"column": c.header, "old": _iso(c.old), "new": _iso(c.new)} for c in u.changes]}
                    for u in plan.updates],
        "problems": [f.to_dict(lang) for f in plan.problems],
        "warnings": [f.to_dict(lang) for f in plan.warnings],
        "superseded": [{"row": s.form_row, "by_row": s.by_row, "student_id": s.student_id} for s in plan.superseded],
        "message": closing_sentence(plan, lang, applied, written),
    }


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


CSV_HEADERS = ("row", "student_id", "kind", "column", "old", "new", "cell")


def plan_rows(plan: FormsPlan, lang: str = "fi", header_row: int = 1) -> list[tuple]:
    """One row per question of the form (kind ``question``: its question → how it was read), then per change,
    new student, refusal and warning (for --format csv)."""
    rows: list[tuple] = [(header_row, "", "question", c.header, "", column_reading(c, lang),
                          f"{column_letter(c.index)}{header_row}") for c in plan.reading.columns]
    body: list[tuple] = [(n.form_row, n.student_id, "new-student", "", "", n.name, "") for n in plan.new_students]
    body += [(u.form_row, u.student_id, "change", c.header, _iso(c.old), _iso(c.new), "")
             for u in plan.updates for c in u.changes]
    body += [(f.row, "", f.code, f.column, f.value, f.message(lang), f.cell or "") for f in plan.problems]
    body += [(f.row, "", f.code, f.column, f.value, f.message(lang), f.cell or "") for f in plan.warnings]
    return rows + sorted(body, key=lambda r: r[0])


# --- the refusal: a field claimed twice or a required one missing ---------------------------------

def refusal_words(reading: q.QuestionReading, file_name: str, has_mapping_sheet: bool) -> dict:
    """The words of a refused form's sentence (forms-refused): what is wrong, every column seen (and how it
    was read), and how to name the questions in Lomakekentät."""

    def why(lang: str) -> str:
        out = []
        if reading.missing:
            out.append(say("forms-missing-fields", lang,
                           fields=", ".join(say(f"forms-field-{n}", lang) for n in reading.missing)))
        for name, claimants in reading.conflicts.items():
            out.append(say("forms-conflict", lang, field=q.FIELD_HEADERS[name], other=column_letter(claimants[-1].index),
                           question=claimants[-1].header,
                           columns=", ".join(f"{column_letter(c.index)} \"{c.header}\"" for c in claimants)))
        return " ".join(out)

    def columns(lang: str) -> str:
        return "; ".join(f"{column_letter(c.index)} \"{c.header}\" {column_reading(c, lang)}" for c in reading.columns)

    how = Phrase("forms-how-mapping" if has_mapping_sheet else "forms-how-new-sheet",
                 choices=", ".join(forms_mapping.FORM_FIELDS[:-1]))
    return {"file": file_name, "why": Said(why), "columns": Said(columns), "how": how}
