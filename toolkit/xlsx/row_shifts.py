"""How references move when the writer deletes or appends rows (pure string arithmetic).

Used to keep data validations, conditional formats, merged ranges, hyperlinks, comments, tables, the
autofilter, defined names and drawing anchors pointing at the right rows after ``toolkit.xlsx.safe_write``
deletes rows (openpyxl's ``delete_rows`` moves none of them).

    shift_ref("A2:C10", deleted=[4, 5])  -> "A2:C8"
    shift_ref("B4", deleted=[4])         -> None (the cell went with its row)
    shift_sqref("A2:A9 C4", [4])         -> "A2:A8"
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from lxml import etree

from toolkit.model.refs import format_end, parse_end

_SIMPLE_REF = re.compile(r"^(?P<sheet>'(?:[^']|'')+'|[^'!:()\s,]+)!(?P<ref>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?"
                         r"|\$?[A-Z]{1,3}:\$?[A-Z]{1,3}|\$?\d+:\$?\d+)$")


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


def shift_ref(ref: str, deleted: Sequence[int] | RowMap) -> str | None:
    """A cell or range after deleting rows; None when every row it covered was deleted."""
    rows = deleted if isinstance(deleted, RowMap) else RowMap(deleted)
    first_text, _, last_text = ref.partition(":")
    first = parse_end(first_text)
    last = parse_end(last_text) if last_text else first
    if first[3] is None or last[3] is None:  # whole columns: unaffected
        return ref
    span = rows.span(min(first[3], last[3]), max(first[3], last[3]))
    if span is None:
        return None
    new_first = format_end(first[0], first[1], first[2], span[0])
    if not last_text:
        return new_first
    return f"{new_first}:{format_end(last[0], last[1], last[2], span[1])}"


def shift_sqref(sqref: str, deleted: Sequence[int] | RowMap) -> str | None:
    """A space-separated list of ranges after deleting rows; None when nothing is left."""
    rows = deleted if isinstance(deleted, RowMap) else RowMap(deleted)
    kept = [new for part in sqref.split() if (new := shift_ref(part, rows)) is not None]
    return " ".join(kept) if kept else None


def extend_ref(ref: str, last_row: int, new_last_row: int) -> str:
    """A range that ends on ``last_row`` grows to ``new_last_row`` (rows appended right below it)."""
    first_text, _, last_text = ref.partition(":")
    if not last_text:
        return ref
    col_dollar, letters, row_dollar, row = parse_end(last_text)
    first_row = parse_end(first_text)[3]
    if row != last_row or first_row is None or first_row > last_row:
        return ref
    return f"{first_text}:{format_end(col_dollar, letters, row_dollar, new_last_row)}"


def extend_sqref(sqref: str, last_row: int, new_last_row: int) -> str:
    return " ".join(extend_ref(part, last_row, new_last_row) for part in sqref.split())


def defined_name_refs(text: str) -> list[tuple[str, str]] | None:
    """A defined name's value as (sheet, ref) pairs, or None when it is not a plain list of references."""
    found = []
    for piece in text.split(","):
        match = _SIMPLE_REF.match(piece.strip())
        if not match:
            return None
        sheet = match["sheet"]
        if sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        found.append((sheet, match["ref"]))
    return found


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def anchor_rows(anchor) -> list:
    """The ``row`` elements (0-based rows) of a drawing anchor's from/to corners."""
    return [el for corner in anchor if _local(corner) in ("from", "to")
            for el in corner if _local(el) == "row" and el.text and el.text.strip().isdigit()]
