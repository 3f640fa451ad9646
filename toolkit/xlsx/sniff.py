"""Find out what a file really is before parsing it, and refuse clearly when it is not an .xlsx.

openpyxl says "not a zip file" for .xls, .ods, CSV, encrypted workbooks, truncated files and Excel
lock files alike; the owner deserves to hear which one it is.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from toolkit.model.errors import FileProblem, NotAWorkbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A national-size register (1 000 000 study rows) unpacks to a few hundred MB; far beyond that is a zip bomb.
MAX_UNCOMPRESSED = 3 * 1024**3
MAX_RATIO = 1000


def _refuse(path: Path, fi: str, en: str) -> NotAWorkbook:
    return NotAWorkbook(f"{path.name}: {fi}", f"{path.name}: {en}")


def sniff_xlsx(path: str | Path) -> Path:
    """Return the path when it is a readable .xlsx package; raise a FileProblem naming what it is otherwise."""
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"Tiedostoa {path} ei löydy. Tarkista polku.", f"File {path} does not exist. Check the path.")
    if path.is_dir():
        raise FileProblem(f"{path} on kansio, ei Excel-tiedosto.", f"{path} is a folder, not an Excel file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
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


def _not_zip(path: Path, head: bytes, size: int) -> NotAWorkbook:
    if path.name.startswith("~$") or (size < 1024 and b"\x00" in head[:200]):
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
