"""A sheet read as Arrow columns by fastexcel (calamine in Rust, straight into Arrow), only where that gives
exactly the values of the plain read (python-calamine's ``to_python``) for every cell; otherwise ``load_cells``
says None and the sheet is read the plain way (toolkit.xlsx.reading).

    reader = open_reader(path_or_bytes)
    cells = load_cells(reader, "Opinnot")        # ArrowCells, or None
    cells.array(2)                                # column B below row 1: string, float64, date32, bool or null

Row 1 is read as fastexcel's column names, rows 2 onwards as typed columns. Taken only when
- every name in row 1 is a text exactly as written: not a number fastexcel wrote as text ("12"), not a cell it could
  not name (empty, a date, a boolean: ``__UNNAMED__``), not a repeated header it numbered ("Nimi_1");
- every column below row 1 holds one kind of value in every row (strict type inference over all rows) and no cell
  became null on the way (``to_arrow_with_errors``: an error cell such as #N/A, a text like "NA" in a number column);
- the kinds are text, number (no NaN), boolean, blank, or dates that are whole days from 1.3.1900 on (what a
  register's date cells hold; a time of day, a duration or Excel's days before March 1900 go the plain way).

One difference is allowed and harmless: a date cell whose number is within half a millisecond of midnight but not
whole (only a program writes such a number) reads as that date here and as a datetime at midnight in the plain
read; every reader of the values (``toolkit.rules.cells``) takes both the same.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

DAY_MS = 86_400_000
FIRST_DATE = date(1900, 3, 1)                 # before it, Excel's serials count a 29.2.1900 that never was
_FIRST_MS = (FIRST_DATE - date(1970, 1, 1)).days * DAY_MS
_NUMBER_NAME = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|inf)|NaN")    # how fastexcel names a header cell holding a number
_NUMBERED = re.compile(r"(.*)_[0-9]+", re.DOTALL)                 # "Nimi_1": fastexcel's name for a repeated header


def open_reader(source):
    """A fastexcel reader over a path (str) or the workbook's bytes; its log lines never reach stderr."""
    import fastexcel

    # "Could not determine dtype for column ..." (a column with no values) is fastexcel's warning to a programmer
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    return fastexcel.read_excel(source)


@dataclass
class ArrowCells:
    height: int                      # rows, as python-calamine counts them: row 1 to the last row with a value
    width: int                       # columns, from A to the last column with a value
    header: list                     # row 1: ``width`` values ("" for a blank cell)
    arrays: dict[int, object] = field(default_factory=dict)   # 0-based column -> pa.Array of rows 2..height

    def array(self, column: int):
        """Column ``column`` (1-based) below row 1; all null for a column without values."""
        import pyarrow as pa

        found = self.arrays.get(column - 1)
        return found if found is not None else pa.nulls(max(self.height - 1, 0))

    def column_values(self, column: int) -> list:
        if self.height == 0:
            return []
        i = column - 1
        top = self.header[i] if 0 <= i < self.width else ""
        found = self.arrays.get(i)
        return [top, *(python_values(found) if found is not None else [""] * (self.height - 1))]

    def value(self, row: int, column: int):
        if not (1 <= row <= self.height and 1 <= column <= self.width):
            return None
        if row == 1:
            return self.header[column - 1]
        found = self.arrays.get(column - 1)
        value = None if found is None else found[row - 2].as_py()
        return "" if value is None else value

    def top_rows(self, count: int) -> list[list]:
        if self.height == 0:
            return []
        below = min(count, self.height) - 1
        columns = [python_values(self.arrays[i].slice(0, below)) if i in self.arrays else [""] * below
                   for i in range(self.width)]
        return [list(self.header), *map(list, zip(*columns, strict=True))]

    def rows(self) -> list[list]:
        return self.top_rows(self.height)


def python_values(array) -> list:
    """The values as python-calamine gives them: str, float, bool, date; "" for a blank cell."""
    import numpy as np
    import pyarrow as pa

    kind = array.type
    if pa.types.is_null(kind):
        return [""] * len(array)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.fill_null("").to_pylist()
    if pa.types.is_date32(kind):           # few distinct days: each becomes a date object once
        encoded = array.dictionary_encode()
        days = np.array([*encoded.dictionary.to_pylist(), ""], dtype=object)
        return days[encoded.indices.fill_null(len(days) - 1).to_numpy(zero_copy_only=False)].tolist()
    values = array.to_pylist()
    return values if array.null_count == 0 else ["" if v is None else v for v in values]


def load_cells(reader, name: str) -> ArrowCells | None:
    """The sheet as Arrow columns, or None when they would not be exactly the plain read's values."""
    try:
        sheet = reader.load_sheet(name, header_row=0, skip_rows=0, schema_sample_rows=None, dtype_coercion="strict")
        batch, errors = sheet.to_arrow_with_errors()
        infos = sheet.selected_columns      # every column (available_columns would infer the types again)
    except Exception:         # fastexcel's own errors: two kinds of value in a column, an error cell, a damaged part
        return None
    except BaseException as error:      # a Rust panic (pyo3's PanicException derives from BaseException)
        if type(error).__name__ != "PanicException":
            raise
        return None
    if errors is not None:
        return None
    if not infos:
        return ArrowCells(height=0, width=0, header=[])
    header = _header(infos)
    if header is None:
        return None
    arrays = {}
    for position, info in enumerate(infos):
        array = _exact(batch.column(position))
        if array is None:
            return None
        arrays[info.absolute_index] = array
    return ArrowCells(height=sheet.total_height + 1, width=len(header), header=header, arrays=arrays)


def _header(infos) -> list | None:
    """Row 1 from the column names, when each is the cell's text exactly; None otherwise."""
    names = [info.name for info in infos]
    known = set(names)
    header = [""] * infos[0].absolute_index
    for info in infos:
        if info.column_name_from != "looked_up" or _NUMBER_NAME.fullmatch(info.name):
            return None
        if (numbered := _NUMBERED.fullmatch(info.name)) and numbered.group(1) in known:
            return None
        header.append(info.name)
    return header if len(header) == infos[-1].absolute_index + 1 else None


def _exact(array):
    """The column in one of the kinds the plain read gives exactly, or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_boolean(kind) \
            or pa.types.is_null(kind):
        return array
    if pa.types.is_float64(kind):
        return None if array.null_count < len(array) and pc.any(pc.is_nan(array)).as_py() else array
    if pa.types.is_timestamp(kind) and kind.unit == "ms" and kind.tz is None:
        ms = pc.drop_null(array).cast(pa.int64()).to_numpy()
        if len(ms) and (ms.min() < _FIRST_MS or (ms % DAY_MS).any()):
            return None
        return array.cast(pa.date32())
    return None
