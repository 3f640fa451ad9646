"""The check report for people and scripts: table, JSON or CSV."""

from __future__ import annotations

import sys

from toolkit.model.messages import counted, say, say_each
from toolkit.reports.formats import emit, format_csv, format_json, format_table

HEADINGS = ("heading-sheet", "heading-cell", "heading-column", "heading-severity", "heading-code", "heading-problem")


def summary_line(findings, lang: str = "fi") -> str:
    """"Rekisteri on kunnossa." or "Rekisterissä on 1 virhe ja 2 varoitusta."."""
    if not findings:
        return say("check-valid", lang)
    errors = sum(1 for f in findings if f.is_error)
    return say("check-summary", lang, errors=counted("check-n-errors", errors),
               warnings=counted("check-n-warnings", len(findings) - errors))


def render_findings(findings, fmt: str = "table", lang: str = "fi") -> str:
    if fmt == "json":
        return format_json({"ok": not any(f.is_error for f in findings),
                            "findings": [f.to_dict(lang) for f in findings]})
    severity = {s: say(f"severity-{s}", lang) for s in ("error", "warning")}
    rows = [(f.sheet or "", f.cell or "", f.column or "", severity[f.severity], f.code, f.message(lang))
            for f in findings]
    headings = say_each(HEADINGS, lang)
    if fmt == "csv":
        return format_csv(rows, headings)
    text = format_table(rows, headings) if rows else ""
    return text + summary_line(findings, lang) + "\n"


def print_findings(findings, fmt: str = "table", lang: str = "fi", stream=None) -> None:
    """Print the report to stdout (or ``stream``, e.g. stderr when another command refuses)."""
    text = render_findings(findings, fmt, lang)
    if stream is None:
        emit(text)
    else:
        stream.write(text)
        stream.flush()


def refuse_with_findings(findings, lang: str = "fi", fmt: str = "table") -> int:
    """For commands that need a clean register: the report on stdout (in the command's format), a one-line
    reason on stderr, exit 1."""
    print_findings(findings, fmt, lang)
    print("muskari: " + say("register-has-errors", lang), file=sys.stderr)
    return 1
