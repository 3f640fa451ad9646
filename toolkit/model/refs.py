"""Cell references in A1 notation (pure): the one place that parses and names cells.

    split_cell("B7")      -> (7, 2)
    cell_name(7, 2)       -> "B7"
    column_letters(27)    -> "AA"
"""

from __future__ import annotations

import re

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


def parse_end(text: str) -> tuple[str, str, str, int | None]:
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


def format_end(col_dollar: str, letters: str, row_dollar: str, row: int | None) -> str:
    return f"{col_dollar}{letters}" + ("" if row is None else f"{row_dollar}{row}")


def ref_rows(ref: str) -> tuple[int | None, int | None]:
    """First and last row of a cell or range (None for whole columns)."""
    first_text, _, last_text = ref.partition(":")
    first = parse_end(first_text)[3]
    last = parse_end(last_text)[3] if last_text else first
    return first, last
