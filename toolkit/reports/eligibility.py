"""What `eligibility` prints. The table groups the results: earned and not yet issued first, then close to
earning (in progress with at most 20 % of the required hours missing, ``toolkit.rules.eligibility.CLOSE_SHARE``),
then in progress, issued and out of reach. JSON and CSV give every result in the contract's shape."""

from __future__ import annotations

from toolkit.model.formatting import format_date, format_hours, format_number, kind_name
from toolkit.model.messages import say, say_each
from toolkit.reports.formats import format_csv, format_json, format_table

# the groups in order: each has a heading (eligibility-group-KEY) and a word in the summary line (status-KEY)
GROUPS = ("eligible", "close", "in-progress", "issued", "out-of-reach")
HEADINGS = ("heading-student-id", "heading-name", "heading-certificate", "heading-hours", "heading-required",
            "heading-missing", "heading-reason")
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
    headings = say_each(HEADINGS, lang)
    for key in GROUPS:
        members = [r for r in results if group_of(r) == key]
        counts.append(f"{say(f'status-{key}', lang)} {len(members)}")
        if not members:
            continue
        if key in ("close", "in-progress"):
            members.sort(key=lambda r: r.missing)
        rows = [(r.student_id, names.get(r.student_id, ""), kind_name(r.certificate, lang),
                 format_hours(r.hours, lang),
                 format_hours(r.required, lang), format_hours(r.missing, lang) if r.missing else "",
                 r.reason_text(lang)) for r in members]
        out.append(f"{say(f'eligibility-group-{key}', lang)} ({format_number(len(members))})\n")
        out.append(format_table(rows, headings) + "\n")
    return "".join(out) + say("eligibility-summary", lang, day=format_date(as_of, lang), counts="; ".join(counts)) + "\n"
