"""What `init` and `demo` report: the files created and the rows of each sheet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from toolkit.model.messages import say, say_each
from toolkit.reports.formats import format_csv, format_json, format_table


def render_created(files: Mapping[str, Path], counts: Mapping[str, int], fmt: str = "table", lang: str = "fi") -> str:
    """The files written and the rows of each sheet, as a table, JSON or CSV."""
    if fmt == "json":
        return format_json({**{k: str(v) for k, v in files.items()}, "sheets": dict(counts)})
    headers = say_each(("heading-sheet", "heading-rows"), lang)
    rows = list(counts.items())
    if fmt == "csv":
        return format_csv(rows, headers)
    lines = [say(f"created-{kind}", lang, path=path) for kind, path in files.items()]
    return "\n".join(lines) + "\n\n" + format_table(rows, headers)
