"""A sheet as read: its cells' values (python-calamine's conventions) and what the sheet XML said about them.

    sheet.value(14, 4)          # the raw value of D14: str, float, bool, date, datetime, time, timedelta; "" blank
    sheet.column_values(4)      # column D top to bottom, the same values
    sheet.rows                  # every row, rows[0] is Excel row 1 and rows[i][0] is column A
    sheet.arrow_column(4)       # column D below row 1 as one Arrow array, when the sheet was read as columns

A sheet is held either as Python rows (the plain read: python-calamine, or openpyxl for the rare sheet calamine
cannot convert) or as Arrow columns (``toolkit.xlsx.arrow_cells``: fastexcel, calamine in Rust, only for a sheet
whose every column holds one kind of value). Both give the same values cell for cell (tests/test_fast_paths.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from toolkit.xlsx.fingerprint import Fingerprint


class SheetData:
    def __init__(self, name: str, rows: list[list] | None = None, *, cells=None, merged: list[str] | None = None):
        self.name = name
        self._rows = rows
        self.cells = cells                    # toolkit.xlsx.arrow_cells.ArrowCells, or None for Python rows
        self.header_row: int | None = None    # Excel row of the header, None when not found
        self.columns: dict[str, int] = {}     # header -> 1-based column (first occurrence)
        self.duplicate_columns: list[tuple[str, int]] = []
        self.extra_columns: dict[str, int] = {}   # the owner's own headers
        self.formulas: dict[str, str] = {}        # "D4" -> "=SUM(...)"
        self.merged: list[str] = list(merged or [])   # "A2:B3"
        self.hidden_rows: set[int] = set()
        self.stray: tuple[str, int, str] | None = None   # (first stray cell, how many, where the data ends)
        self._columns_cache: dict[int, list] = {}
        self._rectangular: int | None = None   # the width every row has, -1 when they differ

    def __repr__(self) -> str:
        return f"SheetData({self.name!r}, {self.height} rows x {self.width} columns)"

    @property
    def rows(self) -> list[list]:
        """Every row as a list (a sheet read as columns is turned into rows the first time it is asked)."""
        if self._rows is None:
            self._rows = self.cells.rows()
        return self._rows

    @property
    def columnar(self) -> bool:
        """Held as Arrow columns (``arrow_column`` gives them)."""
        return self.cells is not None

    @property
    def height(self) -> int:
        return self.cells.height if self._rows is None else len(self._rows)

    @property
    def width(self) -> int:
        if self._rows is None:
            return self.cells.width
        return max(map(len, self._rows), default=0)

    def arrow_column(self, column: int):
        """The values of a 1-based column below row 1 as an Arrow array (null for a blank cell), or None when
        the sheet is held as rows. Types: string, float64, date32, bool or null (toolkit.xlsx.arrow_cells)."""
        return None if self.cells is None else self.cells.array(column)

    def column_values(self, column: int) -> list:
        """Every value of a 1-based column, top to bottom ("" past a short row); cached per column."""
        cached = self._columns_cache.get(column)
        if cached is None:
            if self._rows is None:
                cached = self.cells.column_values(column)
            else:
                i = column - 1
                if self._rectangular is None:
                    widths = set(map(len, self._rows))
                    self._rectangular = widths.pop() if len(widths) == 1 else (0 if not widths else -1)
                if 0 <= i < self._rectangular:
                    cached = list(map(itemgetter(i), self._rows))
                else:
                    cached = [r[i] if len(r) > i else "" for r in self._rows]
            self._columns_cache[column] = cached
        return cached

    def value(self, row: int, column: int):
        if self._rows is None:
            return self.cells.value(row, column)
        if row - 1 < len(self._rows):
            r = self._rows[row - 1]
            if column - 1 < len(r):
                return r[column - 1]
        return None

    def top_rows(self, count: int) -> list[list]:
        """The first ``count`` rows (where the header is looked for), without turning a big sheet into rows."""
        if self._rows is None:
            return self.cells.top_rows(count)
        return self._rows[:count]

    def data_rows(self) -> range:
        start = (self.header_row or 0) + 1
        return range(start, self.height + 1)


@dataclass
class Register:
    path: Path
    fingerprint: Fingerprint
    sheet_names: list[str]
    sheets: dict[str, SheetData] = field(default_factory=dict)   # every sheet of the workbook, by its name
