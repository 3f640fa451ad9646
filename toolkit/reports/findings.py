"""The check report for people and scripts: table, JSON or CSV."""

from __future__ import annotations

import sys

from toolkit.reports.formats import emit, format_csv, format_json, format_table

_HEADERS = {
    "fi": ("Välilehti", "Solu", "Sarake", "Taso", "Koodi", "Ongelma ja korjaus"),
    "en": ("Sheet", "Cell", "Column", "Severity", "Code", "Problem and fix"),
}
_SEVERITY = {"fi": {"error": "virhe", "warning": "varoitus"}, "en": {"error": "error", "warning": "warning"}}


def summary_line(findings, lang: str = "fi") -> str:
    errors = sum(1 for f in findings if f.is_error)
    warnings = len(findings) - errors
    if lang == "en":
        if not findings:
            return "The register is valid."
        return f"{errors} {'error' if errors == 1 else 'errors'} and {warnings} {'warning' if warnings == 1 else 'warnings'}."
    if not findings:
        return "Rekisteri on kunnossa."
    error_word = "virhe" if errors == 1 else "virhettä"
    warning_word = "varoitus" if warnings == 1 else "varoitusta"
    return f"Rekisterissä on {errors} {error_word} ja {warnings} {warning_word}."


def render_findings(findings, fmt: str = "table", lang: str = "fi") -> str:
    if fmt == "json":
        return format_json({"ok": not any(f.is_error for f in findings),
                            "findings": [f.to_dict(lang) for f in findings]})
    rows = [(f.sheet or "", f.cell or "", f.column or "", _SEVERITY[lang][f.severity], f.code, f.message(lang))
            for f in findings]
    if fmt == "csv":
        return format_csv(rows, _HEADERS[lang])
    text = format_table(rows, _HEADERS[lang]) if rows else ""
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
    print("muskari: " + ("the register has errors; fix them first (muskari check)." if lang == "en"
                         else "rekisterissä on virheitä; korjaa ne ensin (muskari check)."), file=sys.stderr)
    return 1
