"""Reading a registration-forms export as the forms service (or a spreadsheet) wrote it: the bytes to a table.

Accepted: .xlsx (the first sheet; date cells stay dates), .csv in UTF-8 with or without a BOM, in
UTF-16 with a BOM, or in Windows-1252 as Excel's "CSV (puolipiste)" saves it, separated by ``,``, ``;``
or tab (chosen by which one makes the most questions recognisable), and a .zip holding one such file
(Google Forms' "Download responses" gives a zip). The header row is the first row that names
questions (a title row above it is skipped). Row numbers are those a spreadsheet shows when the file
is opened (header = row 1 of the file), so the owner finds a refused response where the report says.

How the columns are read is ``toolkit.rules.forms_questions``'s job; this module only reads.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from toolkit.model.errors import FileProblem
from toolkit.rules.forms_questions import recognise

MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 10
_XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class FormsTable:
    path: Path
    header_row: int = 1
    headers: list = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)     # (row number, cells) of non-blank rows

    @property
    def answered(self) -> set[int]:
        """The 1-based columns holding an answer in some row."""
        return {i for _, cells in self.rows for i, v in enumerate(cells, start=1) if not _blank(v)}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_forms_table(path: str | Path, inspect: Callable[[Path, bytes], None] | None = None) -> FormsTable:
    """The header and the response rows of a forms export; FileProblem when it cannot be read.
    ``inspect(path, workbook_bytes)`` looks at an Excel export's package before the reader does (the job passes
    the sheet scan: a stray value in XFD1048576 would make calamine allocate the whole sheet) and raises
    FileProblem for one it must not read."""
    path = Path(path)
    raw = _read_bytes(path)
    name = path.name
    if raw.startswith(_XLSX_MAGIC):
        raw, name = _unzip(path, raw)
    if raw.startswith(_XLSX_MAGIC):
        if inspect is not None:
            inspect(path, raw)
        grid = _xlsx_rows(path, raw)
    elif raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("forms-file-xls", file=path.name)
    else:
        grid = _csv_rows(path, raw)
    return _table(path, grid)


def _read_bytes(path: Path) -> bytes:
    try:
        if not path.is_file():
            if not path.exists():
                raise FileProblem("forms-file-missing", path=path)
            raise FileProblem("forms-file-not-regular", path=path)
        if path.stat().st_size > MAX_BYTES:
            raise FileProblem("forms-file-too-large", file=path.name)
        return path.read_bytes()
    except OSError as error:
        raise FileProblem("forms-file-unreadable", path=path, reason=error.strerror or str(error)) from None


def _unzip(path: Path, raw: bytes) -> tuple[bytes, str]:
    """An .xlsx stays as it is; a plain zip gives its one CSV or workbook (Google Forms' download)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = archive.namelist()
    except zipfile.BadZipFile as error:
        raise FileProblem("forms-file-broken", file=path.name, reason=str(error)) from None
    if "[Content_Types].xml" in names:
        return raw, path.name
    inner = [i for i in archive.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")
             and "__MACOSX" not in i.filename and PurePosixPath(i.filename).suffix.lower() in (".csv", ".xlsx", ".txt")]
    if not inner:
        raise FileProblem("forms-zip-no-csv", file=path.name)
    if len(inner) > 1:
        raise FileProblem("forms-zip-many", file=path.name, names=", ".join(i.filename for i in inner))
    if inner[0].file_size > MAX_BYTES:
        raise FileProblem("forms-file-too-large", file=path.name)
    with archive.open(inner[0]) as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileProblem("forms-file-too-large", file=path.name)
    return data, inner[0].filename


def _xlsx_rows(path: Path, raw: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        data = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors for broken or encrypted packages
        raise FileProblem("forms-file-broken", file=path.name, reason=str(error)) from None
    return [[None if v == "" else v for v in row] for row in data]


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")       # Excel's "CSV (puolipiste)" / "CSV (erotin: pilkku)" on Windows
    except UnicodeDecodeError:
        raise FileProblem("forms-file-encoding", file=path.name) from None


def _csv_rows(path: Path, raw: bytes) -> list[list]:
    text = _decode(path, raw)
    if "\x00" in text:
        raise FileProblem("forms-file-binary", file=path.name)
    best: tuple[int, int, list] | None = None
    for delimiter in (",", ";", "\t"):
        head = list(_records(text, delimiter, limit=HEADER_SEARCH_ROWS))
        score = max((sum(bool(recognise(c)) for c in row) for row in head), default=0)
        width = max((len(row) for row in head), default=0)
        if best is None or (score, width) > best[:2]:
            best = (score, width, [delimiter])
    return [[v if v.strip() else None for v in row] for row in _records(text, best[2][0])]


def _records(text: str, delimiter: str, limit: int | None = None):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for i, row in enumerate(reader):
        if limit is not None and i >= limit:
            return
        yield row


def _table(path: Path, grid: list[list]) -> FormsTable:
    numbered = [(n, row) for n, row in enumerate(grid, start=1) if any(not _blank(v) for v in row)]
    if not numbered:
        raise FileProblem("forms-file-empty", file=path.name)
    head = numbered[:HEADER_SEARCH_ROWS]
    scores = [sum(bool(recognise(v)) for v in row if isinstance(v, str)) for _, row in head]
    at = max(range(len(head)), key=lambda i: (scores[i], -i)) if max(scores) else 0
    header_row, headers = numbered[at]
    width = max(len(row) for _, row in numbered)
    headers = list(headers) + [None] * (width - len(headers))
    rows = [(n, list(row) + [None] * (width - len(row))) for n, row in numbered[at + 1:]]
    return FormsTable(path=path, header_row=header_row, headers=headers, rows=rows)
