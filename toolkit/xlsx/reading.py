"""Reading the register: the one module that opens the workbook for reading.

Values come through python-calamine (fast, keeps text as text so leading zeros survive); the
cell properties that values do not show (formulas, hidden rows), the used range and stray cells are found
by scanning the sheet XML first (``toolkit.xlsx.sheet_scan``), and merged ranges come from calamine. Sheets are selected by name; the
header row is located by its names (a title row above it or reordered columns do not break it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from toolkit.model.errors import FileProblem, MuskariError
from toolkit.model.refs import cell_name
from toolkit.model.text import key
from toolkit.xlsx.fingerprint import Fingerprint, fingerprint
from toolkit.xlsx.lock import tidy_leftovers
from toolkit.xlsx.sheet_scan import PackageScanner, SheetScan
from toolkit.xlsx.sniff import sniff_xlsx
from workbook_schema import SHEETS

HEADER_SEARCH_ROWS = 10


@dataclass
class SheetData:
    name: str
    rows: list[list]                      # raw values, rows[0] is Excel row 1, rows[i][0] is column A
    header_row: int | None = None         # Excel row of the header, None when not found
    columns: dict[str, int] = field(default_factory=dict)        # header -> 1-based column (first occurrence)
    duplicate_columns: list[tuple[str, int]] = field(default_factory=list)
    extra_columns: dict[str, int] = field(default_factory=dict)  # the owner's own headers
    formulas: dict[str, str] = field(default_factory=dict)       # "D4" -> "=SUM(...)"
    merged: list[str] = field(default_factory=list)              # "A2:B3"
    hidden_rows: set[int] = field(default_factory=set)
    stray: tuple[str, int, str] | None = None   # (first stray cell, how many, where the data ends): not read
    _columns_cache: dict = field(default_factory=dict, repr=False)
    _rectangular: int | None = field(default=None, repr=False)

    def column_values(self, column: int) -> list:
        """Every value of a 1-based column, top to bottom ("" past a short row); cached per column."""
        cached = self._columns_cache.get(column)
        if cached is None:
            i = column - 1
            if self._rectangular is None:
                widths = set(map(len, self.rows))
                self._rectangular = widths.pop() if len(widths) == 1 else (0 if not widths else -1)
            if 0 <= i < self._rectangular:
                cached = list(map(itemgetter(i), self.rows))
            else:
                cached = [r[i] if len(r) > i else "" for r in self.rows]
            self._columns_cache[column] = cached
        return cached

    def value(self, row: int, column: int):
        if row - 1 < len(self.rows):
            r = self.rows[row - 1]
            if column - 1 < len(r):
                return r[column - 1]
        return None

    def data_rows(self) -> range:
        start = (self.header_row or 0) + 1
        return range(start, len(self.rows) + 1)


@dataclass
class Register:
    path: Path
    fingerprint: Fingerprint
    sheet_names: list[str]
    sheets: dict[str, SheetData]          # every sheet of the workbook, by its name


READ_UNITS = 55   # of the 100 units of the reading-and-checking bar (toolkit.system.progress.register_task)


def read_register(path: str | Path, progress: Callable[[float], None] | None = None, *,
                  data: bytes | None = None) -> Register:
    """Values through calamine, each sheet first scanned in its XML (``toolkit.xlsx.sheet_scan``: the used
    range, stray cells far from the data, formulas, hidden rows; a part padded or larger than any register's is
    refused). Calamine parses a sheet with the GIL released, so the biggest sheet is parsed while the others
    are scanned.

    ``data``: the workbook's bytes in memory (a dry run's preview, ``toolkit.xlsx.safe_write.preview_changes``),
    read exactly as the same bytes at ``path`` would be; no file is opened. Their fingerprint matches no file
    (``preview_fingerprint``), so a register read from bytes can never be written back."""
    if data is None:
        path = sniff_xlsx(path)
        tidy_leftovers(path)        # a killed writer's temporary copies of the register go at the next start
        taken = fingerprint(path)
    else:
        path, taken = Path(path), preview_fingerprint(data)
    names, sheets = _read_values(path, progress or (lambda n: None), _source(path, data))
    for sheet in sheets.values():
        _locate_header(sheet)
    return Register(path=path, fingerprint=taken, sheet_names=names, sheets=sheets)


def preview_fingerprint(data: bytes) -> Fingerprint:
    """The fingerprint of bytes in memory: their size and hash, and an mtime no file has (-1), so that
    ``toolkit.xlsx.fingerprint.check_unchanged`` refuses any write that expects it."""
    import hashlib

    return Fingerprint(size=len(data), mtime_ns=-1, sha256=hashlib.sha256(data).hexdigest())


def _source(path: Path, data: bytes | None) -> Callable[[], object]:
    """What the readers open: the file's path, or a fresh stream over the bytes for each reader."""
    if data is None:
        return lambda: str(path)
    import io

    return lambda: io.BytesIO(data)


def _read_values(path: Path, advance: Callable[[float], None],
                 source: Callable[[], object]) -> tuple[list[str], dict[str, SheetData]]:
    """Every sheet's values. Two threads parse with calamine (the biggest sheet first) while this thread scans
    the sheets' XML and then turns parsed sheets into Python rows in workbook order. A sheet with stray cells
    is read only within its data (openpyxl, bounded): calamine would allocate the whole used range."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from python_calamine import CalamineWorkbook

    local = threading.local()

    def parse(name: str):
        if not hasattr(local, "workbook"):       # one workbook per thread: calamine objects are not shared
            local.workbook = CalamineWorkbook.from_object(source())
        return local.workbook.get_sheet_by_name(name)

    try:
        with PackageScanner(path, source) as scanner, ThreadPoolExecutor(max_workers=2) as pool:
            names = list(CalamineWorkbook.from_object(source()).sheet_names)
            sizes = {n: scanner.size(n) or 1 for n in names}
            total = sum(sizes.values()) or 1
            scans, parsed = {}, {}
            for name in sorted(names, key=lambda n: -sizes[n]):
                scans[name] = scanner.scan(name)
                if scans[name] is None or scans[name].region is None:
                    parsed[name] = pool.submit(parse, name)
            sheets = {}
            for name in names:
                sheets[name] = _sheet(source, name, scans[name], parsed.pop(name, None))
                advance(READ_UNITS * sizes[name] / total)
    except MuskariError:
        raise
    except Exception as error:  # calamine raises its own types for damaged packages
        raise FileProblem("workbook-damaged", name=path.name, detail=str(error)) from None
    return names, sheets


def _sheet(source: Callable[[], object], name: str, scan: SheetScan | None, parsed) -> SheetData:
    if parsed is None:                       # stray cells: only the data block is read
        data = SheetData(name=name, rows=_rows_by_openpyxl(source(), name, *scan.region), merged=list(scan.merged))
        data.stray = (*scan.stray, cell_name(*scan.region))
    else:
        sheet = parsed.result()
        data = SheetData(name=name, rows=_python_rows(source, name, sheet))
        data.merged = [_range_ref(r) for r in (sheet.merged_cell_ranges or [])]
        del sheet                    # calamine's copy of a big sheet goes as soon as it is converted
    if scan is not None:
        data.formulas.update(scan.formulas)
        data.hidden_rows.update(scan.hidden_rows)
    return data


def _python_rows(source: Callable[[], object], name: str, sheet) -> list[list]:
    try:
        return sheet.to_python(skip_empty_area=False)
    except BaseException as error:
        # calamine panics (a BaseException) on a date cell whose number is no day at all (Excel shows #####)
        if type(error).__name__ != "PanicException":
            raise
        return _rows_by_openpyxl(source(), name)


def _rows_by_openpyxl(path, name: str, max_row: int | None = None, max_column: int | None = None) -> list[list]:
    """The slow reader for the rare sheet calamine cannot convert: openpyxl turns an impossible date into
    "#VALUE!", which the check then reports as an invalid date of that cell. Same shape as calamine's rows.
    ``max_row``/``max_column`` bound it (a sheet with stray cells: it stops at the end of the data)."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [["" if v is None else v for v in row]
                    for row in workbook[name].iter_rows(max_row=max_row, max_col=max_column, values_only=True)]
        finally:
            workbook.close()
    width = max(map(len, rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _range_ref(r) -> str:
    (r1, c1), (r2, c2) = r
    from toolkit.model.findings import cell_ref

    return f"{cell_ref(c1 + 1, r1 + 1)}:{cell_ref(c2 + 1, r2 + 1)}"


def _locate_header(data: SheetData) -> None:
    spec = SHEETS.get(data.name)
    if spec is None:
        return
    wanted = {key(h): h for h in spec.headers}
    best, best_hits = None, 0
    for index, row in enumerate(data.rows[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if isinstance(v, str) and key(v) in wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        return
    data.header_row = best + 1
    for col, value in enumerate(data.rows[best], start=1):
        if not isinstance(value, str) or not value.strip():
            continue
        header = wanted.get(key(value))
        if header is None:
            data.extra_columns.setdefault(value.strip(), col)
        elif header in data.columns:
            data.duplicate_columns.append((header, col))
        else:
            data.columns[header] = col
