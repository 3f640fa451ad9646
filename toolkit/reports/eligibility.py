"""What `eligibility` prints. The table groups the results: earned and not yet issued first, then close to
earning (in progress with at most 20 % of the required hours missing, ``toolkit.rules.eligibility.CLOSE_SHARE``),
then in progress, issued and out of reach. JSON and CSV give every result in the contract's shape."""

from __future__ import annotations

from toolkit.model.formatting import format_hours, format_number
from toolkit.reports.formats import format_csv, format_json, format_table

GROUPS = (  # key, Finnish heading, English heading, Finnish and English word in the summary line
    ("eligible", "Ansaittu, ei vielä annettu", "Earned, not yet issued", "ansaittu", "earned"),
    ("close", "Lähellä (puuttuu enintään 20 %)", "Close (at most 20 % missing)", "lähellä", "close"),
    ("in-progress", "Kesken", "In progress", "kesken", "in progress"),
    ("issued", "Annettu", "Issued", "annettu", "issued"),
    ("out-of-reach", "Ei enää saavutettavissa", "Out of reach", "ei saavutettavissa", "out of reach"),
)
HEADERS = {"fi": ("Oppilasnumero", "Nimi", "Todistus", "Tunnit", "Vaaditaan", "Puuttuu", "Syy"),
           "en": ("Student", "Name", "Certificate", "Hours", "Required", "Missing", "Reason")}
CSV_HEADERS = ("student_id", "certificate", "status", "hours", "required", "missing", "common_hours",
               "thematic_hours", "reason_code", "reason")



def group_of(r) -> str:
    return "close" if r.is_close else r.status


def render(results, tables, as_of, fmt: str = "table", lang: str = "fi") -> str:
    if fmt == "json":
        return format_json({"as_of": as_of.isoformat(), "results": [r.to_dict(lang) for r in results]})
    if fmt == "csv":
        rows = [(r.student_id, r.certificate, r.status, r.hours, r.required, r.missing,
                 r.parts["yhteiset opinnot"]["hours"] if r.parts else "",
                 r.parts["teemaopinnot"]["hours"] if r.parts else "", r.reason, r.reason_text(lang)) for r in results]
        return format_csv(rows, CSV_HEADERS)
    students = tables.students
    names = {sid: f"{first} {last}" for sid, first, last in zip(students["student_id"], students["first_name"],
                                                                students["last_name"], strict=False)}
    out, counts = [], []
    for key, fi, en, fi_word, en_word in GROUPS:
        members = [r for r in results if group_of(r) == key]
        counts.append(f"{fi_word if lang == 'fi' else en_word} {len(members)}")
        if not members:
            continue
        if key in ("close", "in-progress"):
            members.sort(key=lambda r: r.missing)
        rows = [(r.student_id, names.get(r.student_id, ""), r.certificate, format_hours(r.hours, lang),
                 format_hours(r.required, lang), format_hours(r.missing, lang) if r.missing else "",
                 r.reason_text(lang)) for r in members]
        out.append(f"{fi if lang == 'fi' else en} ({format_number(len(members))})\n")
        out.append(format_table(rows, HEADERS[lang]) + "\n")
    heading = (f"Todistustilanne {as_of.day}.{as_of.month}.{as_of.year}: " if lang == "fi"
               else f"Certificate status on {as_of.isoformat()}: ")
    return "".join(out) + heading + ", ".join(counts) + ".\n"
