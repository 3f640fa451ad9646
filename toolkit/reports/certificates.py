"""What `certificates` reports: each certificate issued or to be issued (number, student, file) and the refusals."""

from __future__ import annotations

from toolkit.model.formatting import kind_name
from toolkit.model.messages import say, say_count, say_each
from toolkit.reports.formats import format_csv, format_json, format_table

HEADINGS = ("heading-certificate-number", "heading-student-id", "heading-name", "heading-certificate", "heading-file")


def render_plan(plan, fmt: str, lang: str, *, applied: bool) -> str:
    """The issued (or, on a dry run, to be issued) certificates and the refused ones, in the chosen format."""
    rows = [(r.number, r.student_id, r.name, r.kind, str(plan.out_dir / r.file_name)) for r in plan.requests]
    shown = [(n, s, name, kind_name(k, lang), f) for n, s, name, k, f in rows]
    if fmt == "json":
        return format_json({"applied": applied, "certificates": [
            {"number": n, "student_id": s, "name": name, "certificate": k, "file": f} for n, s, name, k, f in rows],
            "refused": [{"student_id": x.student_id, "certificate": x.kind, "reason_code": x.reason,
                         "reason": x.message(lang)} for x in plan.refusals]})
    if fmt == "csv":
        return format_csv(rows, ("number", "student_id", "name", "certificate", "file"))
    if not rows:
        return say("certificates-none-due", lang) + "\n"
    code = "certificates-issued" if applied else "certificates-would-issue"
    return format_table(shown, say_each(HEADINGS, lang)) + say_count(code, lang, len(rows)) + "\n"
