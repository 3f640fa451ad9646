"""Find out what a file really is before parsing it, and refuse clearly when it is not an .xlsx.

openpyxl says "not a zip file" for .xls, .ods, CSV, encrypted workbooks, truncated files and Excel
lock files alike; the owner deserves to hear which one it is.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from toolkit.model.errors import FileProblem, NotAWorkbook
from toolkit.system.input_files import open_regular

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A national-size register (1 000 000 study rows) unpacks to a few hundred MB; far beyond that is a zip bomb.
MAX_UNCOMPRESSED = 3 * 1024**3
MAX_RATIO = 1000


def _refuse(path: Path, fi: str, en: str) -> NotAWorkbook:
    return NotAWorkbook(f"{path.name}: {fi}", f"{path.name}: {en}")


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
        raise FileProblem(f"Tiedostoa {path} ei voi lukea ({error.strerror}).",
                          f"Cannot read {path} ({error.strerror}).") from None
    if size == 0:
        raise _refuse(path, "tiedosto on tyhjä (0 tavua). Palauta rekisteri varmuuskopiosta.",
                      "the file is empty (0 bytes). Restore the register from a backup.")
    if head.startswith(OLE_MAGIC):
        with path.open("rb") as fh:
            body = fh.read(min(size, 4 * 1024 * 1024))
        if "EncryptedPackage".encode("utf-16-le") in body:
            raise _refuse(path, "työkirja on salasanalla suojattu. Poista salaus Excelissä (Tiedosto > Tiedot > Suojaa työkirja) ja yritä uudelleen.",
                          "the workbook is password-encrypted. Remove the encryption in Excel and try again.")
        raise _refuse(path, "tiedosto on vanhaa .xls-muotoa. Avaa se Excelissä ja tallenna muodossa Excel-työkirja (.xlsx).",
                      "this is an old .xls file. Open it in Excel and save it as an Excel workbook (.xlsx).")
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
        return _refuse(path, "tämä on Excelin lukitustiedosto (~$), ei rekisteri. Avaa varsinainen tiedosto.",
                       "this is an Excel lock file (~$), not the register. Open the real file.")
    text = head.lstrip(b"\xef\xbb\xbf").lower()
    if text.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        return _refuse(path, "tiedosto on HTML- tai XML-tekstiä, vaikka nimi viittaa Exceliin. Tallenna se Excelissä .xlsx-muotoon.",
                       "the file is HTML or XML text. Save it as .xlsx in Excel.")
    try:
        decoded = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and (("," in decoded or ";" in decoded or "\t" in decoded) and "\n" in decoded or decoded.isprintable()):
        return _refuse(path, "tiedosto on CSV- tai tekstitiedosto, ei Excel-työkirja. Avaa se Excelissä ja tallenna .xlsx-muodossa.",
                       "the file is CSV or plain text, not an Excel workbook. Open it in Excel and save as .xlsx.")
    return _refuse(path, "tiedosto ei ole Excel-työkirja (.xlsx) eikä mikään tunnettu taulukkomuoto.",
                   "the file is not an Excel workbook (.xlsx) nor any known spreadsheet format.")


def _check_package(path: Path) -> Path:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names:
                kind = zf.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in kind:
                    raise _refuse(path, "tiedosto on LibreOfficen .ods-muotoa. Tallenna se muodossa Excel 2007–365 (.xlsx).",
                                  "this is a LibreOffice .ods file. Save it as Excel 2007-365 (.xlsx).")
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                what = "Word-asiakirja" if "word/document.xml" in names else "zip-paketti"
                what_en = "a Word document" if "word/document.xml" in names else "a zip archive"
                raise _refuse(path, f"tiedosto on {what}, ei Excel-työkirja.", f"the file is {what_en}, not an Excel workbook.")
            if "xl/workbook.bin" in names:
                raise _refuse(path, "tiedosto on binäärimuotoinen .xlsb. Tallenna se Excelissä .xlsx-muodossa.",
                              "this is a binary .xlsb workbook. Save it as .xlsx in Excel.")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED or (total > 100 * 1024**2 and total / packed > MAX_RATIO):
                raise _refuse(path, f"tiedosto purkautuisi {total // 1024**2} megatavuksi, mikä ei voi olla rekisteri. Sitä ei avata.",
                              f"the file would unpack to {total // 1024**2} MB, which cannot be a register. It is not opened.")
    except zipfile.BadZipFile:
        raise _refuse(path, "tiedosto on katkennut tai vioittunut (zip-paketti on vajaa). Palauta rekisteri varmuuskopiosta.",
                      "the file is truncated or damaged (the zip package is incomplete). Restore it from a backup.") from None
    return path
