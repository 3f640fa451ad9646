"""Cell references in A1 notation and how they move when rows are deleted or appended.

Pure string arithmetic (no I/O), used by the writer to keep data validations, conditional formats,
merged ranges, hyperlinks, comments, tables, the autofilter and defined names pointing at the right
rows after ``toolkit.writing`` deletes rows (openpyxl's ``delete_rows`` moves none of them).

    shift_ref("A2:C10", deleted=[4, 5])  -> "A2:C8"
    shift_ref("B4", deleted=[4])         -> None (the cell went with its row)
    shift_sqref("A2:A9 C4", [4])         -> "A2:A8"
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)(\d+)$")


def column_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def split_cell(ref: str) -> tuple[int, int]:
    """"B7" -> (7, 2): row and 1-based column."""
    match = _CELL.match(ref)
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(4)), column_index(match.group(2))


def cell_name(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


class RowMap:
    """Old row number -> new row number after deleting ``deleted`` rows (None for a deleted row)."""

    def __init__(self, deleted: Sequence[int]):
        self.deleted = sorted(set(deleted))
        self._set = set(self.deleted)

    def __call__(self, row: int) -> int | None:
        if row in self._set:
            return None
        return row - bisect_left(self.deleted, row)

    def span(self, first: int, last: int) -> tuple[int, int] | None:
        """The new first and last row of the rows first..last that survive, or None if none do."""
        gone = bisect_right(self.deleted, last) - bisect_left(self.deleted, first)
        if gone >= last - first + 1:
            return None
        while first in self._set:
            first += 1
        new_first = first - bisect_left(self.deleted, first)
        return new_first, new_first + (last - first) - (bisect_right(self.deleted, last) - bisect_left(self.deleted, first))


def _parse_end(text: str) -> tuple[str, str, str, int | None]:
    """One end of a range: (col_dollar, col_letters, row_dollar, row) with row None for "A"."""
    match = _CELL.match(text)
    if match:
        return match.group(1), match.group(2), match.group(3), int(match.group(4))
    match = _COL.match(text)
    if match:
        return match.group(1), match.group(2), "", None
    match = _ROW.match(text)
    if match:
        return "", "", match.group(1), int(match.group(2))
    raise ValueError(f"not a reference: {text!r}")


def _format_end(col_dollar: str, letters: str, row_dollar: str, row: int | None) -> str:
    return f"{col_dollar}{letters}" + ("" if row is None else f"{row_dollar}{row}")


def shift_ref(ref: str, deleted: Sequence[int] | RowMap) -> str | None:
    """A cell or range after deleting rows; None when every row it covered was deleted."""
    rows = deleted if isinstance(deleted, RowMap) else RowMap(deleted)
    first_text, _, last_text = ref.partition(":")
    first = _parse_end(first_text)
    last = _parse_end(last_text) if last_text else first
    if first[3] is None or last[3] is None:  # whole columns: unaffected
        return ref
    span = rows.span(min(first[3], last[3]), max(first[3], last[3]))
    if span is None:
        return None
    new_first = _format_end(first[0], first[1], first[2], span[0])
    if not last_text:
        return new_first
    return f"{new_first}:{_format_end(last[0], last[1], last[2], span[1])}"


def shift_sqref(sqref: str, deleted: Sequence[int] | RowMap) -> str | None:
    """A space-separated list of ranges after deleting rows; None when nothing is left."""
    rows = deleted if isinstance(deleted, RowMap) else RowMap(deleted)
    kept = [new for part in sqref.split() if (new := shift_ref(part, rows)) is not None]
    return " ".join(kept) if kept else None


def ref_rows(ref: str) -> tuple[int | None, int | None]:
    """First and last row of a cell or range (None for whole columns)."""
    first_text, _, last_text = ref.partition(":")
    first = _parse_end(first_text)[3]
    last = _parse_end(last_text)[3] if last_text else first
    return first, last


def extend_ref(ref: str, last_row: int, new_last_row: int) -> str:
    """A range that ends on ``last_row`` grows to ``new_last_row`` (rows appended right below it)."""
    first_text, _, last_text = ref.partition(":")
    if not last_text:
        return ref
    col_dollar, letters, row_dollar, row = _parse_end(last_text)
    first_row = _parse_end(first_text)[3]
    if row != last_row or first_row is None or first_row > last_row:
        return ref
    return f"{first_text}:{_format_end(col_dollar, letters, row_dollar, new_last_row)}"


def extend_sqref(sqref: str, last_row: int, new_last_row: int) -> str:
    return " ".join(extend_ref(part, last_row, new_last_row) for part in sqref.split())
