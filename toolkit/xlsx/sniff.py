"""Find out what a file really is before parsing it, and refuse clearly when it is not an .xlsx.

openpyxl says "not a zip file" for .xls, .ods, CSV, encrypted workbooks, truncated files and Excel
lock files alike; the owner deserves to hear which one it is.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from toolkit.model.errors import FileProblem, NotAWorkbook, os_reason
from toolkit.system.input_files import open_regular

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A national-size register (1 000 000 study rows) unpacks to a few hundred MB; far beyond that is a zip bomb.
MAX_UNCOMPRESSED = 3 * 1024**3
MAX_RATIO = 1000


def _refuse(path: Path, code: str, **words) -> NotAWorkbook:
    return NotAWorkbook(code, name=path.name, **words)


def sniff_xlsx(path: str | Path) -> Path:
    """Return the path when it is a readable .xlsx package; raise a FileProblem naming what it is otherwise.
    Only a regular file is opened (a FIFO or a device is refused at once, never read)."""
    path = Path(path)
    lock = _lock_file_of(path)
    if lock is not None:
        raise lock
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(4096)
    except OSError as error:
        raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    if size == 0:
        raise _refuse(path, "sniff-empty")
    if head.startswith(OLE_MAGIC):
        with path.open("rb") as fh:
            body = fh.read(min(size, 4 * 1024 * 1024))
        if "EncryptedPackage".encode("utf-16-le") in body:
            raise _refuse(path, "sniff-encrypted")
        raise _refuse(path, "sniff-xls")
    if not head.startswith(ZIP_MAGIC):
        raise _not_zip(path, head, size)
    return _check_package(path)


def _lock_file_of(path: Path) -> NotAWorkbook | None:
    """The refusal for an Excel (``~$name.xlsx``) or LibreOffice (``.~lock.name.xlsx#``) lock file, by its name,
    naming the register it stands for (the README promises it), whatever its content, even when empty."""
    name = path.name
    if name.startswith("~$") and len(name) > 2:
        return NotAWorkbook("lock-file-excel", lock=name, name=_register_of(path, name[2:]))
    if name.startswith(".~lock.") and name.endswith("#") and len(name) > 8:
        return NotAWorkbook("lock-file-libreoffice", lock=name, name=name[len(".~lock."):-1])
    return None


def _register_of(path: Path, rest: str) -> str:
    """Excel drops the first two letters of a long name (``~$kisteri.xlsx`` for ``rekisteri.xlsx``): the
    register beside it whose name ends so, when there is exactly one."""
    try:
        matches = [p.name for p in path.parent.iterdir() if p.name.endswith(rest) and p.name != path.name
                   and not p.name.startswith(("~$", ".~lock."))]
    except OSError:
        matches = []
    return matches[0] if len(matches) == 1 else rest


def _not_zip(path: Path, head: bytes, size: int) -> NotAWorkbook:
    if size < 1024 and b"\x00" in head[:200]:
        return _refuse(path, "sniff-lock-file")
    text = head.lstrip(b"\xef\xbb\xbf").lower()
    if text.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        return _refuse(path, "sniff-html")
    try:
        decoded = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and (("," in decoded or ";" in decoded or "\t" in decoded) and "\n" in decoded or decoded.isprintable()):
        return _refuse(path, "sniff-csv")
    return _refuse(path, "sniff-unknown")


def _check_package(path: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names:
                kind = zf.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in kind:
                    raise _refuse(path, "sniff-ods")
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                raise _refuse(path, "sniff-docx" if "word/document.xml" in names else "sniff-zip")
            if "xl/workbook.bin" in names:
                raise _refuse(path, "sniff-xlsb")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED or (total > 100 * 1024**2 and total / packed > MAX_RATIO):
                raise _refuse(path, "sniff-too-big", size=total // 1024**2)
    except zipfile.BadZipFile:
        raise _refuse(path, "sniff-truncated") from None
    return path
