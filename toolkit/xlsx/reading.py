"""Reading the register: the one module that opens the workbook for reading.

Values come through python-calamine (fast, keeps text as text so leading zeros survive); the
cell properties that values do not show (formulas, hidden rows) are found by scanning the sheet
XML of the package, and merged ranges come from calamine. Sheets are selected by name; the
header row is located by its names (a title row above it or reordered columns do not break it).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from toolkit.model.errors import FileProblem
from toolkit.model.text import key
from toolkit.xlsx.fingerprint import Fingerprint, fingerprint
from toolkit.xlsx.lock import tidy_leftovers
from toolkit.xlsx.package import find_sheet_parts
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
    """Values through calamine; meanwhile a thread scans the package XML for formulas and hidden rows
    (calamine parses a sheet with the GIL released, so on two cores the scan costs no wall time).

    ``data``: the workbook's bytes in memory (a dry run's preview, ``toolkit.xlsx.safe_write.preview_changes``),
    read exactly as the same bytes at ``path`` would be; no file is opened. Their fingerprint matches no file
    (``preview_fingerprint``), so a register read from bytes can never be written back."""
    from concurrent.futures import ThreadPoolExecutor

    if data is None:
        path = sniff_xlsx(path)
        tidy_leftovers(path)        # a killed writer's temporary copies of the register go at the next start
        taken = fingerprint(path)
    else:
        path, taken = Path(path), preview_fingerprint(data)
    source = _source(path, data)
    advance = progress or (lambda n: None)
    with ThreadPoolExecutor(max_workers=1) as pool:
        properties = pool.submit(_package_properties, path, source)
        names, sheets = _read_values(path, advance, source)
        for name, (formulas, hidden) in properties.result().items():
            if name in sheets:
                sheets[name].formulas.update(formulas)
                sheets[name].hidden_rows.update(hidden)
    for data in sheets.values():
        _locate_header(data)
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
    """Every sheet's values. Calamine parses a sheet with the GIL released, so two threads parse (the biggest
    sheet first, beside the others) while this thread turns parsed sheets into Python rows in workbook order."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from python_calamine import CalamineWorkbook

    sizes = _part_sizes(source)
    local = threading.local()

    def parse(name: str):
        if not hasattr(local, "workbook"):       # one workbook per thread: calamine objects are not shared
            local.workbook = CalamineWorkbook.from_object(source())
        return local.workbook.get_sheet_by_name(name)

    try:
        names = list(CalamineWorkbook.from_object(source()).sheet_names)
        total = sum(sizes.get(n, 1) for n in names) or 1
        sheets = {}
        with ThreadPoolExecutor(max_workers=2) as pool:
            parsed = {n: pool.submit(parse, n) for n in sorted(names, key=lambda n: -sizes.get(n, 0))}
            for name in names:
                sheet = parsed.pop(name).result()
                data = SheetData(name=name, rows=_python_rows(source, name, sheet))
                data.merged = [_range_ref(r) for r in (sheet.merged_cell_ranges or [])]
                sheets[name] = data
                del sheet                    # calamine's copy of a big sheet goes as soon as it is converted
                advance(READ_UNITS * sizes.get(name, 1) / total)
    except Exception as error:  # calamine raises its own types for damaged packages
        raise FileProblem(f"{path.name}: työkirjaa ei voi lukea, se on vioittunut ({error}). Palauta rekisteri varmuuskopiosta.",
                          f"{path.name}: the workbook cannot be read, it is damaged ({error}). Restore it from a backup.") from None
    return names, sheets


def _python_rows(source: Callable[[], object], name: str, sheet) -> list[list]:
    try:
        return sheet.to_python(skip_empty_area=False)
    except BaseException as error:
        # calamine panics (a BaseException) on a date cell whose number is no day at all (Excel shows #####)
        if type(error).__name__ != "PanicException":
            raise
        return _rows_by_openpyxl(source(), name)


def _rows_by_openpyxl(path, name: str) -> list[list]:
    """The slow reader for the rare sheet calamine cannot convert: openpyxl turns an impossible date into
    "#VALUE!", which the check then reports as an invalid date of that cell. Same shape as calamine's rows."""
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = [["" if v is None else v for v in row] for row in workbook[name].iter_rows(values_only=True)]
        finally:
            workbook.close()
    width = max(map(len, rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _part_sizes(source: Callable[[], object]) -> dict[str, int]:
    """Unpacked size of each sheet's XML (weights of the progress bar); empty when it cannot be told."""
    try:
        with zipfile.ZipFile(source()) as zf:
            infos = {i.filename: i.file_size for i in zf.infolist()}
            return {name: infos.get(part, 1) for name, part in _sheet_parts(zf).items()}
    except Exception:  # only weights: a damaged package is reported by the readers below
        return {}


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


# --- cell properties from the package XML (formulas and hidden rows) -------------------------

_NS = rb"(?:[A-Za-z0-9_]+:)?"
_FORMULA_START = re.compile(rb"<" + _NS + rb"f[ >/]")
_FORMULA_TEXT = re.compile(rb"[^>]*?(?:/>|>([^<]*)</)")
_CELL_REF = re.compile(rb"<" + _NS + rb"c\b[^>]*?\br=\"([A-Z]+[0-9]+)\"")
_HIDDEN_ROW = re.compile(rb"<" + _NS + rb"row\b[^>]*?\br=\"([0-9]+)\"[^>]*?\bhidden=\"(?:1|true)\"")
_HIDDEN_ROW_REVERSED = re.compile(rb"<" + _NS + rb"row\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*?\br=\"([0-9]+)\"")


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name -> zip part path (``toolkit.xlsx.package.find_sheet_parts``: the writer's lookup too)."""
    names = set(zf.namelist())
    return find_sheet_parts(lambda part: zf.read(part) if part in names else None, present=names.__contains__)


def _may_hold_formula(xml: bytes, end: int, patience: int = 1000) -> bool:
    """False only when xml[:end] has no "f" between "<" or ":" and " ", ">" or "/", which every match of
    _FORMULA_START needs. The letter is rare in sheet XML (Finnish text has few), and finding one byte runs
    at memory speed, where the pattern tries every "<" of a big sheet. Text full of f's: let the pattern decide."""
    i = xml.find(b"f", 0, end)
    while i >= 0:
        if xml[i - 1:i] in (b"<", b":") and xml[i + 1:i + 2] in (b" ", b">", b"/"):
            return True
        patience -= 1
        if patience < 0:
            return True
        i = xml.find(b"f", i + 1, end)
    return False


def _formulas(xml: bytes, unescape) -> dict[str, str]:
    """Cell ref -> "=formula" for every <f> element inside sheetData (not dataValidation's <formula1>)."""
    found = {}
    end = xml.find(b"sheetData>", xml.find(b"sheetData") + 1)
    end = len(xml) if end < 0 else end
    if not _may_hold_formula(xml, end):
        return found
    for match in _FORMULA_START.finditer(xml, 0, end):
        cell_start = max(xml.rfind(b"<c ", 0, match.start()), xml.rfind(b":c ", 0, match.start()))
        ref = _CELL_REF.match(xml, xml.rfind(b"<", 0, cell_start + 1)) if cell_start >= 0 else None
        text = _FORMULA_TEXT.match(xml, match.end() - 1)
        if ref:
            found[ref.group(1).decode()] = "=" + unescape(((text and text.group(1)) or b"").decode("utf-8", "replace"))
    return found


def _package_properties(path: Path, source: Callable[[], object]) -> dict[str, tuple[dict[str, str], set[int]]]:
    """sheet name -> (formulas by cell, hidden rows), from each sheet's XML part."""
    from xml.sax.saxutils import unescape

    found = {}
    try:
        with zipfile.ZipFile(source()) as zf:
            present = set(zf.namelist())
            for name, part in _sheet_parts(zf).items():
                if not part or part not in present or not _may_hold_properties(zf, part):
                    continue
                xml = zf.read(part)
                hidden = set()
                if b"hidden=" in xml:
                    for regex in (_HIDDEN_ROW, _HIDDEN_ROW_REVERSED):
                        hidden.update(int(r) for r in regex.findall(xml))
                found[name] = (_formulas(xml, unescape), hidden)
                del xml
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        raise FileProblem(f"{path.name}: työkirjan rakenne on vioittunut ({error}). Palauta rekisteri varmuuskopiosta.",
                          f"{path.name}: the workbook's structure is damaged ({error}). Restore it from a backup.") from None
    return found


def _may_hold_properties(zf: zipfile.ZipFile, part: str, chunk: int = 1 << 24) -> bool:
    """Streams the part: False when no piece can hold a formula or a hidden row, so a big sheet
    without either (the usual case) is never held whole in memory."""
    with zf.open(part) as stream:
        tail = b""
        while piece := stream.read(chunk):
            window = tail + piece
            if b"hidden=" in window or _may_hold_formula(window, len(window)):
                return True
            tail = window[-16:]
    return False
