"""Formatting results for stdout: plain fixed-width tables, JSON and CSV that no spreadsheet turns into a formula."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# a spreadsheet may split a field at any of these (it guesses the separator, and a parser that loses track of
# the quotes splits inside them), so what follows one must not start a formula either
_SEPARATORS = ";,\t\r\n|"
_FORMULA_AFTER = re.compile(r"([;,\t\r\n|])(?=[\s\"']*[=+\-@])")
_FORMULA_AT_START = re.compile(r"[\s\"']*[=+\-@]|[\t\r]")


def neutralise(value: object) -> object:
    """Text no spreadsheet can run as a formula, whichever separator it picks: an apostrophe before a value that
    starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR, also after spaces or quotes) and after every ``;``,
    ``,``, tab, line break or ``|`` that a formula would follow (``Ville;=1+1`` -> ``Ville;'=1+1``). Numbers stay."""
    if not isinstance(value, str):
        return value
    value = _FORMULA_AFTER.sub(r"\1'", value)
    return "'" + value if _FORMULA_AT_START.match(value) else value


@lru_cache(maxsize=65536)   # a big table repeats its words (statuses, reasons) thousands of times
def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def format_table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """A fixed-width, colourless table (stable for golden files)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], _width(v))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (widths[i] - _width(v)) for i, v in enumerate(values)).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out) + "\n"


def format_csv(rows: Iterable[Sequence[object]], headers: Sequence[str]) -> str:
    """The one CSV formatter of every command: every field quoted, every text neutralised (``neutralise``)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise("" if v is None else v) for v in row])
    return buf.getvalue()


def format_json(obj: object) -> str:
    """Readable and fast: a top-level object with one key a line and one list item a line, each item
    encoded by the json module's C encoder (an indented dump runs in pure Python: 2 s at 100k students)."""
    if not isinstance(obj, dict):
        return _compact(obj) + "\n"
    lines = []
    for key, value in obj.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(_compact(item) for item in value)
            lines.append(f"  {_compact(key)}: [\n    {items}\n  ]")
        else:
            lines.append(f"  {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)   # one encoder: dumps() builds one per call


def _compact(obj: object) -> str:
    return _ENCODER.encode(obj)


def emit(text: str) -> None:
    sys.stdout.write(text)
