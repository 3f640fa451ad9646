"""Reading the register: the one module that opens the workbook for reading.

Each sheet's XML is scanned first (``toolkit.xlsx.sheet_scan``: the used range, stray cells far from the data,
formulas, hidden rows, merged ranges; a part padded or larger than any register's is refused). Values then come
as Arrow columns through fastexcel (``toolkit.xlsx.arrow_cells``: calamine in Rust, the fast way, taken only where
it gives exactly the plain read's values), else through python-calamine as Python rows (text kept as text, so
leading zeros survive), else, for the rare sheet calamine cannot convert, through openpyxl. Sheets are selected by
name; the header row is located by its names (a title row above it or reordered columns do not break it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from toolkit.model.errors import FileProblem, MuskariError
from toolkit.model.refs import cell_name
from toolkit.model.text import key
from toolkit.xlsx.fingerprint import Fingerprint, fingerprint
from toolkit.xlsx.lock import tidy_leftovers
from toolkit.xlsx.sheet_data import Register, SheetData
from toolkit.xlsx.sheet_scan import PackageScanner, SheetScan
from toolkit.xlsx.sniff import sniff_xlsx

__all__ = ["Register", "SheetData", "read_register", "preview_fingerprint"]

HEADER_SEARCH_ROWS = 10
READ_UNITS = 55   # of the 100 units of the reading-and-checking bar (toolkit.system.progress.register_task)


def read_register(path: str | Path, progress: Callable[[float], None] | None = None, *,
                  data: bytes | None = None, columns: bool = True) -> Register:
    """Every sheet's values, each sheet first scanned in its XML (see the module docstring). fastexcel parses
    with the GIL released, so the biggest sheet is parsed while the others are scanned.

    ``data``: the workbook's bytes in memory (a dry run's preview, ``toolkit.xlsx.safe_write.preview_changes``),
    read exactly as the same bytes at ``path`` would be; no file is opened. Their fingerprint matches no file
    (``preview_fingerprint``), so a register read from bytes can never be written back.

    ``columns=False``: every sheet the plain way, as Python rows (tests/test_fast_paths.py compares the two)."""
    if data is None:
        path = sniff_xlsx(path)
        tidy_leftovers(path)        # a killed writer's temporary copies of the register go at the next start
        taken = fingerprint(path)
    else:
        path, taken = Path(path), preview_fingerprint(data)
    names, sheets = _read_values(path, progress or (lambda n: None), _source(path, data), data, columns)
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


def _read_values(path: Path, advance: Callable[[float], None], source: Callable[[], object],
                 data: bytes | None, columns: bool) -> tuple[list[str], dict[str, SheetData]]:
    """Every sheet's values. One thread loads sheets with fastexcel (the biggest first, each as soon as its scan
    has passed) while this thread scans the others and then takes the loaded sheets in workbook order. A sheet
    with stray cells is read only within its data (openpyxl, bounded): calamine would allocate the whole used
    range."""
    from concurrent.futures import ThreadPoolExecutor

    from toolkit.xlsx.arrow_cells import load_cells, open_reader

    try:
        with PackageScanner(path, source) as scanner, ThreadPoolExecutor(max_workers=1) as pool:
            reader = open_reader(str(path) if data is None else data)
            names = list(reader.sheet_names)
            sizes = {n: scanner.size(n) or 1 for n in names}
            total = sum(sizes.values()) or 1
            scans, loaded = {}, {}
            for name in sorted(names, key=lambda n: -sizes[n]):
                scans[name] = scanner.scan(name)
                if columns and scans[name] is not None and scans[name].region is None:
                    loaded[name] = pool.submit(load_cells, reader, name)
            from workbook_schema import SHEETS  # noqa: F401  pandera and pandas load while fastexcel parses
            plain = _PlainReader(source)
            sheets = {}
            for name in names:
                sheets[name] = _sheet(source, name, scans[name], loaded.pop(name, None), plain)
                advance(READ_UNITS * sizes[name] / total)
    except MuskariError:
        raise
    except Exception as error:  # calamine raises its own types for damaged packages
        raise FileProblem("workbook-damaged", name=path.name, detail=str(error)) from None
    return names, sheets


class _PlainReader:
    """python-calamine, opened the first time a sheet needs the plain read."""

    def __init__(self, source: Callable[[], object]):
        self.source = source
        self.workbook = None

    def sheet(self, name: str):
        if self.workbook is None:
            from python_calamine import CalamineWorkbook

            self.workbook = CalamineWorkbook.from_object(self.source())
        return self.workbook.get_sheet_by_name(name)


def _sheet(source: Callable[[], object], name: str, scan: SheetScan | None, loaded, plain: _PlainReader) -> SheetData:
    cells = loaded.result() if loaded is not None else None
    if scan is not None and scan.region is not None:      # stray cells: only the data block is read
        data = SheetData(name, _rows_by_openpyxl(source(), name, *scan.region), merged=scan.merged)
        data.stray = (*scan.stray, cell_name(*scan.region))
    elif cells is not None:                  # Arrow columns: the scan's merged ranges are calamine's
        data = SheetData(name, cells=cells, merged=[_full_range(m) for m in scan.merged])
    else:
        sheet = plain.sheet(name)
        data = SheetData(name, _python_rows(source, name, sheet),
                         merged=[_range_ref(r) for r in (sheet.merged_cell_ranges or [])])
        del sheet                    # calamine's copy of a big sheet goes as soon as it is converted
    if scan is not None:
        data.formulas.update(scan.formulas)
        data.hidden_rows.update(scan.hidden_rows)
    return data


def _full_range(ref: str) -> str:
    """"A1" -> "A1:A1": a merged range always with both corners, as calamine gives it."""
    return ref if ":" in ref else f"{ref}:{ref}"


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
    from workbook_schema import SHEETS

    spec = SHEETS.get(data.name)
    if spec is None:
        return
    wanted = {key(h): h for h in spec.headers}
    top = data.top_rows(HEADER_SEARCH_ROWS)
    best, best_hits = None, 0
    for index, row in enumerate(top):
        hits = sum(1 for v in row if isinstance(v, str) and key(v) in wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        return
    data.header_row = best + 1
    for col, value in enumerate(top[best], start=1):
        if not isinstance(value, str) or not value.strip():
            continue
        header = wanted.get(key(value))
        if header is None:
            data.extra_columns.setdefault(value.strip(), col)
        elif header in data.columns:
            data.duplicate_columns.append((header, col))
        else:
            data.columns[header] = col
