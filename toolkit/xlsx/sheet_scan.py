"""What a worksheet's XML says before any reader sees it: its used range, stray cells, formulas, hidden rows,
merged ranges, and whether it is a sheet at all or something padded to look like one.

    scans = scan_sheets(path)            # sheet name -> SheetScan, one streaming pass per sheet
    scans["Oppilaat"].region             # (last row, last column) to read, or None for all of it
    scans["Oppilaat"].stray              # ("XFD1048576", 1): values far outside the data, or None

Every part is streamed in chunks (memory stays small whatever its size, and no part is ever read whole) and
refused (``NotAWorkbook``) when it is larger than any register's sheet could be (``MAX_PART_BYTES``), holds a
stretch of text or markup longer than Excel ever writes (a cell holds at most 32 767 characters:
``MAX_RUN_BYTES``), or is padded: tens of megabytes with hardly a row to show for them (``MAX_BYTES_PER_ROW``).

A sheet whose cells reach much further than its rows (a value in ``A1048576`` under 150 rows of data, one in
``XFD1048576``) is looked at cell by cell: its data is the block from the top down to the first gap of
``STRAY_GAP_ROWS`` empty rows (and from column A to the first gap of ``STRAY_GAP_COLUMNS`` empty columns);
values beyond it are strays. Such a sheet is read only within its data (``region``) and the strays become one
finding (``stray-cells``), never a million blank rows, and never the reader's allocation of a 17-billion-cell
grid (calamine aborts the process on ``XFD1048576``).
"""

from __future__ import annotations

import functools
import re
import zipfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model.errors import FileProblem, NotAWorkbook
from toolkit.model.refs import cell_name, split_cell
from toolkit.xlsx.package import find_sheet_parts

MAX_PART_BYTES = 1024**3         # a national-size register's biggest sheet unpacks to a few hundred MB
MAX_RUN_BYTES = 256 * 1024       # 32 767 characters, each at most 6 bytes escaped (&quot;), and then some
PADDING_FROM_BYTES = 64 * 1024**2   # a sheet this big must have rows to show for it ...
MAX_BYTES_PER_ROW = 64 * 1024       # ... at most this many bytes a row on average (a register's row: under 1 kB)
STRAY_GAP_ROWS = 10_000
STRAY_GAP_COLUMNS = 100
CHUNK = 16 * 1024 * 1024
_WINDOW = MAX_RUN_BYTES // 2

_NS = rb"(?:[A-Za-z0-9_]+:)?"
_FORMULA_START = re.compile(rb"<" + _NS + rb"f[ >/]")
_FORMULA_TEXT = re.compile(rb"[^>]*?(?:/>|>([^<]*)</)")
_CELL_REF = re.compile(rb"<" + _NS + rb"c\b[^>]*?\br=\"([A-Z]+[0-9]+)\"")
_HIDDEN_ROW = re.compile(rb"<" + _NS + rb"row\b[^>]*?\br=\"([0-9]+)\"[^>]*?\bhidden=\"(?:1|true)\"")
_HIDDEN_ROW_REVERSED = re.compile(rb"<" + _NS + rb"row\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*?\br=\"([0-9]+)\"")
_ROW_NUMBER = re.compile(rb"<" + _NS + rb"row\b[^>]*?\br=\"([0-9]{1,9})\"")
_MERGED = re.compile(rb"<" + _NS + rb"mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\b[^>]*?\bref=\"([^\"]*)\"")
_DATA_END = re.compile(rb"</" + _NS + rb"sheetData>|<" + _NS + rb"sheetData\s*/>")
_R_ATTR = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
_CELL_CLOSE = re.compile(rb"\s*</" + _NS + rb"c>")


@dataclass
class SheetScan:
    name: str
    part: str
    size: int
    dimension: str | None = None
    rows: int = 0                   # <row> elements
    last_row: int = 0               # the highest row number any <row> names
    wide: bool = False              # a cell in column AAA or beyond
    formulas: dict[str, str] = field(default_factory=dict)     # "D4" -> "=SUM(...)"
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[str] = field(default_factory=list)
    region: tuple[int, int] | None = None     # (last row, last column) of the data when strays are cut off
    stray: tuple[str, int] | None = None      # (first stray cell, how many), when any

    @property
    def sparse(self) -> bool:
        """Cells reach much further than the rows there are: worth a look cell by cell."""
        return self.wide or self.last_row > 2 * self.rows + STRAY_GAP_ROWS


class PackageScanner:
    """The package's worksheets, scanned one by one (``scan(name)``), biggest first if the caller likes."""

    def __init__(self, path: Path, source=None):
        """``source()`` gives what to open (the path, or a stream over bytes in memory); by default ``path``."""
        self.path = path
        try:
            self._zf = zipfile.ZipFile(source() if source is not None else path)
            self._infos = {i.filename: i for i in self._zf.infolist()}
            self.parts = find_sheet_parts(self._read_small, present=self._infos.__contains__)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise _damaged(path, error) from None
        _refuse_oversized(path, self._infos, self.parts)
        for part in self._infos:              # what the readers parse besides the sheets: no padding there either
            if part.endswith(_ALSO_READ):
                scan = SheetScan(part.rsplit("/", 1)[-1], part, self._infos[part].file_size)
                since = 0
                for piece in _pieces(self._zf, part):
                    since = _check_runs(path, scan, piece, since)

    def _read_small(self, part: str) -> bytes | None:
        """The workbook and its relationships (what the sheet lookup reads; a sheet is only asked to exist):
        never a part larger than MAX_PART_BYTES, which is refused below anyway."""
        if part not in self._infos or self._infos[part].file_size > MAX_PART_BYTES:
            return None
        return self._zf.read(part)

    def size(self, name: str) -> int:
        info = self._infos.get(self.parts.get(name, ""))
        return info.file_size if info else 0

    def scan(self, name: str) -> SheetScan | None:
        part = self.parts.get(name)
        if part not in self._infos:
            return None
        from xml.sax.saxutils import unescape

        scan = SheetScan(name, part, self._infos[part].file_size)
        try:
            _scan_part(self.path, self._zf, scan, unescape)
            if scan.sparse:
                _find_strays(self._zf, scan)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError) as error:
            raise _damaged(self.path, error) from None
        return scan

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> PackageScanner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def scan_sheets(path: Path) -> dict[str, SheetScan]:
    """Scan every worksheet of the package at ``path`` (see the module docstring)."""
    with PackageScanner(path) as scanner:
        return {name: scan for name in scanner.parts if (scan := scanner.scan(name)) is not None}


def _damaged(path: Path, error: Exception) -> FileProblem:
    return FileProblem("workbook-structure-damaged", name=path.name, detail=str(error))


_ALSO_READ = ("sharedStrings.xml", "styles.xml", "workbook.xml", "workbook.xml.rels", "[Content_Types].xml")


def _refuse_oversized(path: Path, infos: dict, parts: dict[str, str]) -> None:
    """A worksheet (or a part the readers parse with it) larger than any register's could be: refused before it
    is unpacked."""
    named = {part: name for name, part in parts.items()}
    for part, info in infos.items():
        if info.file_size > MAX_PART_BYTES and (part in named or part.endswith(_ALSO_READ)):
            raise NotAWorkbook("sheet-too-large", name=path.name, sheet=named.get(part, part),
                               size=info.file_size // 1024**2)


def _scan_part(path: Path, zf: zipfile.ZipFile, scan: SheetScan, unescape) -> None:
    in_data, since_tag, patterns, seen = True, 0, None, 0
    for piece in _pieces(zf, scan.part, ahead=True):
        since_tag = _check_runs(path, scan, piece, since_tag)
        seen += len(piece)
        if seen > PADDING_FROM_BYTES and seen > MAX_BYTES_PER_ROW * max(scan.rows, 1):
            raise NotAWorkbook("sheet-padded", name=path.name, sheet=scan.name, size=seen // 1024**2, rows=scan.rows)
        if patterns is None:                  # the first piece: the namespace prefix and the <dimension>
            patterns = _patterns(_prefix(piece))
            if m := _DIMENSION.search(piece, 0, piece.find(b"sheetData") if b"sheetData" in piece else len(piece)):
                scan.dimension = m.group(1).decode("ascii", "replace")
        end = len(piece)
        if in_data and (stop := patterns.data_end(piece, scan.rows == 0)) >= 0:
            end, in_data = stop, False
        elif not in_data:
            end = 0
        if end:
            data = piece[:end] if end < len(piece) else piece
            _count_rows(scan, data, patterns)
            scan.wide = scan.wide or patterns.wide.search(data) is not None
            if b"hidden=" in data:
                for regex in (_HIDDEN_ROW, _HIDDEN_ROW_REVERSED):
                    scan.hidden_rows.update(int(r) for r in regex.findall(data))
            scan.formulas.update(_formulas(data, unescape, len(data)))
        if end < len(piece) and b"mergeCell" in piece:
            scan.merged += [m.decode("ascii") for m in _MERGED.findall(piece, end)]
    scan.last_row = max(scan.last_row, scan.rows)        # rows that leave their number implicit


@dataclass(frozen=True)
class _Patterns:
    """The hot patterns with the part's namespace prefix spelt out: a literal start runs many times faster."""
    row: re.Pattern                  # every <row> start tag, with its number when r is its first attribute
    row_tag: bytes
    wide: re.Pattern
    end: bytes
    empty: tuple[bytes, ...]

    def data_end(self, piece: bytes, no_rows_yet: bool) -> int:
        """Where sheetData ends in ``piece`` (its closing tag, or an empty element), else -1. An empty
        <sheetData/> comes before any row, so it is looked for only there."""
        found = piece.find(self.end)
        if no_rows_yet:
            first_row = piece.find(self.row_tag)
            found = min([i for i in (found, *(piece.find(e, 0, first_row if first_row >= 0 else len(piece))
                                              for e in self.empty)) if i >= 0], default=-1)
        return found


def _prefix(piece: bytes) -> bytes:
    m = re.search(rb"<([A-Za-z0-9_]+:)?worksheet\b", piece)
    return (m.group(1) or b"") if m else b""


@functools.cache
def _patterns(prefix: bytes) -> _Patterns:
    ns = re.escape(prefix)
    return _Patterns(row=re.compile(rb"<" + ns + rb"row(?: r=\"([0-9]{1,9})\"|(?=[\s>/]))"),
                     row_tag=b"<" + prefix + b"row",
                     wide=re.compile(rb" r=\"[A-Z]{3}"),
                     end=b"</" + prefix + b"sheetData>",
                     empty=(b"<" + prefix + b"sheetData/>", b"<" + prefix + b"sheetData />"))


def _count_rows(scan: SheetScan, data: bytes, patterns: _Patterns) -> None:
    """Every <row> tag (one pass: its number comes with it when r is its first attribute, the usual case)."""
    found = patterns.row.findall(data)
    numbers = [n for n in found if n] if b"" in found else found
    if len(numbers) < len(found):      # a writer that puts r elsewhere than first: the general pattern
        numbers = _ROW_NUMBER.findall(data)
    scan.rows += len(found)
    if numbers:
        scan.last_row = max(scan.last_row, max(map(int, numbers)))


def _pieces(zf: zipfile.ZipFile, part: str, ahead: bool = False):
    """The part in pieces of about CHUNK bytes, each ending after a whole row (or at least a whole cell), so that
    no cell is cut in two. A stretch with neither is carried on up to 2 x CHUNK, then cut after a tag (padding
    between cells, or over-long text, which the run check refuses). ``ahead``: the next chunk is unpacked in a
    thread while this one is looked at (zlib runs with the GIL released)."""
    with zf.open(part) as stream:
        chunks = _read_ahead(stream) if ahead else iter(lambda: stream.read(CHUNK), b"")
        try:
            carry = b""
            for chunk in chunks:
                buffer = carry + chunk if carry else chunk
                cut = _cut(buffer)
                if cut:
                    yield buffer[:cut]
                carry = buffer[cut:]
            if carry:
                yield carry
        finally:
            if ahead:
                chunks.close()         # its thread has stopped reading before the stream closes


def _read_ahead(stream):
    """The stream's chunks, each read (and unpacked) by a thread one chunk ahead of the reader."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(stream.read, CHUNK)
        while chunk := pending.result():
            pending = pool.submit(stream.read, CHUNK)
            yield chunk


def _cut(buffer: bytes) -> int:
    for closing in (b"</row>", b":row>", b"</c>", b":c>"):
        end = buffer.rfind(closing)
        if end >= 0:
            return end + len(closing)
    if len(buffer) > 2 * CHUNK:              # no cell in two chunks: no cell to cut, any tag end will do
        return buffer.rfind(b">") + 1 or len(buffer)
    return 0


def _check_runs(path: Path, scan: SheetScan, piece: bytes, since_tag: int) -> int:
    """Refuse a stretch of more than MAX_RUN_BYTES without a "<" (text no cell can hold, or padding); returns the
    bytes since the last "<" at the piece's end. Looks at windows of half the limit, so it costs a few finds."""
    first = piece.find(b"<")
    if first < 0:
        run = since_tag + len(piece)
        if run > MAX_RUN_BYTES:
            raise _too_long(path, scan, run)
        return run
    if since_tag + first > MAX_RUN_BYTES:
        raise _too_long(path, scan, since_tag + first)
    for start in range(first, len(piece) - _WINDOW, _WINDOW):
        if piece.find(b"<", start, start + _WINDOW) < 0:
            before = piece.rfind(b"<", 0, start)
            after = piece.find(b"<", start + _WINDOW)
            run = (after if after >= 0 else len(piece)) - before - 1
            if run > MAX_RUN_BYTES:
                raise _too_long(path, scan, run)
    return len(piece) - piece.rfind(b"<") - 1


def _too_long(path: Path, scan: SheetScan, run: int) -> NotAWorkbook:
    return NotAWorkbook("sheet-text-too-long", name=path.name, sheet=scan.name, size=max(run // 1024, 1))


# --- cell by cell: where the data ends and what lies beyond ----------------------------------------

def _find_strays(zf: zipfile.ZipFile, scan: SheetScan) -> None:
    """Every cell that holds a value, by row and column; the data block and the strays outside it."""
    rows, columns = array("I"), array("H")
    row = column = 0
    for piece in _pieces(zf, scan.part):
        end = _DATA_END.search(piece)
        data = piece[:end.start()] if end else piece
        for match in _ROW_OR_CELL.finditer(data):
            attributes = match.group(2)
            if match.group(1) == b"row":
                given = _R_NUMBER.search(attributes)
                row, column = (int(given.group(1)) if given else row + 1), 0
                continue
            ref = _R_ATTR.search(attributes)
            column, cell_row = (_column_number(ref.group(1)), int(ref.group(2))) if ref else (column + 1, row)
            if match.group(3) == b"/" or _CELL_CLOSE.match(data, match.end()):
                continue                       # an empty (perhaps styled) cell: no value
            rows.append(cell_row)
            columns.append(min(column, 16384))
        if end:
            break
    if not rows:
        return
    last_row = _block_end(sorted(set(rows)), STRAY_GAP_ROWS)
    last_column = _block_end(sorted(set(columns)), STRAY_GAP_COLUMNS)
    outside = [(r, c) for r, c in zip(rows, columns, strict=True) if r > last_row or c > last_column]
    if outside:
        first_row, first_column = min(outside)
        scan.region = (last_row, last_column)
        scan.stray = (cell_name(first_row, first_column), len(outside))
        scan.formulas = {ref: f for ref, f in scan.formulas.items() if _inside(ref, scan.region)}
        scan.hidden_rows = {r for r in scan.hidden_rows if r <= last_row}
        scan.merged = [m for m in scan.merged if all(_inside(ref, scan.region) for ref in m.split(":"))]


_R_NUMBER = re.compile(rb"\br=\"([0-9]{1,9})\"")
_ROW_OR_CELL = re.compile(rb"<" + _NS + rb"(row|c)\b([^>]*?)(/?)>")


def _block_end(values: list[int], gap: int) -> int:
    """The last value of the block that starts at the first value and has no gap wider than ``gap``."""
    last = values[0]
    for value in values[1:]:
        if value - last > gap:
            break
        last = value
    return last


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _inside(ref: str, region: tuple[int, int]) -> bool:
    row, column = split_cell(ref)
    return row <= region[0] and column <= region[1]


# --- formulas (a fast path: most sheets have none) ------------------------------------------------

def _may_hold_formula(xml: bytes, end: int, patience: int = 1000) -> bool:
    """False only when xml[:end] has no "f" between "<" or ":" and " ", ">" or "/", which every match of
    _FORMULA_START needs. The letter is rare in sheet XML (Finnish text has few), and finding one byte runs
    at memory speed, where the pattern tries every "<" of a big sheet. Text full of f's (every "example.fi"):
    two searches that start with a literal ("<f", ":f") decide, each far faster than the pattern."""
    i = xml.find(b"f", 0, end)
    while i >= 0:
        if xml[i - 1:i] in (b"<", b":") and xml[i + 1:i + 2] in (b" ", b">", b"/"):
            return True
        patience -= 1
        if patience < 0:
            return _LT_F.search(xml, 0, end) is not None or _COLON_F.search(xml, 0, end) is not None
        i = xml.find(b"f", i + 1, end)
    return False


_LT_F = re.compile(rb"<f[ >/]")
_COLON_F = re.compile(rb":f[ >/]")


def _formulas(xml: bytes, unescape, end: int | None = None) -> dict[str, str]:
    """Cell ref -> "=formula" for every <f> element inside sheetData (not dataValidation's <formula1>).
    ``end``: where sheetData ends, when the caller knows."""
    found = {}
    if end is None:
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
