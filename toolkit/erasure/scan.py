"""The proof scan of an erasure: is anything of an erased person left?

For every erased person, the values that identify them (name, guardian, e-mail, phone, birth date)
become *needles*; a needle whose value another person legitimately keeps (a sibling's shared e-mail,
a twin's birth date, a namesake on the graduates list) cannot prove anything and is left out, and the
scan says how many were. Every zip part of a workbook or document and every other file is read as
text and normalised before searching, so one needle finds every spelling of the value:

- NFC and NFD letters, upper and lower case (NFC + case folding), invisible characters removed;
- XML-escaped (``&amp;``, ``&#228;``) and URL-encoded text (``mailto:`` targets, hyperlinks), UTF-16 strings
  in binary parts, Windows-1252 text (a CSV that Finnish Excel saved);
- text as a reader sees it: the runs of rich text joined (a name with one word bold, in a cell's inline
  string, in sharedStrings, in a comment or a Word paragraph), each cell, string item, paragraph and
  comment apart from its neighbours, header and footer codes (``&L``, ``&"Arial,Bold"``, ``&12``) read
  as breaks, Excel's ``_x00HH_`` escapes decoded;
- packages inside packages (a workbook embedded in the register as ``xl/embeddings/*.xlsx``, a .docx in a
  .docx), opened and searched part by part, at most ``MAX_DEPTH`` deep and ``MAX_TOTAL`` bytes in all;
- a phone number with any spacing, dashes or parentheses, and in ``+358`` form;
- a birth date as ``d.m.yyyy``, ``dd.mm.yyyy``, ISO ``yyyy-mm-dd`` and as an Excel date serial
  (``<v>43525</v>``).

A hit names the place (file and zip part) and the kind of value, never the value itself. A part that cannot
be read (a damaged or encrypted package, an embedded OLE object, a part over the size limits, a PDF that
will not open) is reported as unreadable: it is never called clean. File names and paths are searched too
(``search_path``), for the names and for the student id (``2024-001_0113.docx``).
"""

from __future__ import annotations

import html
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from toolkit.model.errors import ErasureIncomplete
from toolkit.model.messages import Phrase, Said, say
from toolkit.model.text import CASE_ENDING, key

MAX_PART = 256 * 1024 * 1024        # uncompressed bytes: larger is a zip bomb, not a document
MAX_TOTAL = 1024 * 1024 * 1024      # uncompressed bytes read from one file, nested packages included
MAX_DEPTH = 3                       # packages inside packages inside packages
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods", ".zip"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TAG = re.compile(r"<[^>]{0,2000}>")
# what a reader sees: run properties hold no text; run and text tags join (rich text); HTML's inline tags too
_RUN_PROPS = re.compile(r"<((?:\w+:)?rPr)\b[^>]*?(?:/>|>.*?</\1>)", re.DOTALL)
_INLINE = re.compile(r"</?(?:\w+:)?(?:r|t|proofErr|bookmarkStart|bookmarkEnd|softHyphen|lastRenderedPageBreak|"
                     r"noBreakHyphen|smartTag|ins|fldSimple|customXml|b|i|u|em|strong|span|a|small|sub|sup|mark|"
                     r"font|abbr|code|s)\b[^>]*>")
_SPACE_TAGS = re.compile(r"<(?:\w+:)?(?:tab|br|cr)\b[^>]*>")
_HEADER = re.compile(r"(<(?:\w+:)?(?:odd|even|first)(?:Header|Footer)\b[^>]*>)(.*?)(</)", re.DOTALL)
_HEADER_CODE = re.compile(r'&amp;(?:&quot;[^&]*?&quot;|"[^"]*"|\d{1,3}|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|[A-Za-z])')
_EXCEL_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SHEET_DATA = re.compile(r"<sheetData\b.*?</sheetData>", re.DOTALL)
BLOCK = "|"                         # between cells, string items, paragraphs: never part of a value
_SEP = r"[\s\-().]*"
# a needle's kind (name, guardian, email, phone, birth-date, student-id) is said as scan-kind-KIND
PATH_ONLY = ("student-id",)         # searched in file names and paths, not in contents (unless ``in_content``)
IN_CONTENT = "in-content"
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Needle:
    kind: str
    person: int                  # index of the person in the scan (never their name or id)
    pattern: re.Pattern          # searched in normalised text
    raw_pattern: re.Pattern | None = None   # searched in the raw XML (Excel date serials)
    value: str = field(default="", repr=False)   # the value as the register held it (for scrubbing)
    clue: object = field(default=None, repr=False)  # what a part must contain before the pattern is tried

    def maybe_in(self, features: _Features) -> bool:
        """A cheap test: False means the needle cannot be in the part (set lookups, no regex)."""
        if self.kind == "phone":
            return self.clue in features.phones
        if self.kind == "birth-date":
            day, serial = self.clue
            return features.has_date(day, serial)
        if self.kind in PATH_ONLY:
            return self.clue == IN_CONTENT
        *first, last = self.clue or ("",)
        if not all(word in features.words for word in first):
            return False
        if last in features.words or self.kind == "email":
            return True
        return any(w.startswith(last) for w in features.words)      # an inflected last name ("Mäkelän")


_WORD = re.compile(r"\w+")
_DATE_LIKE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})|(\d{4})-(\d{2})-(\d{2})|(\d{2})/(\d{2})/(\d{4})")
_PHONE_JOIN = re.compile(r"(?<=\d)[\s\-().]+(?=\d)")
_SERIAL = re.compile(r"<v>(\d{4,6})(?:\.0+)?</v>|(?<![\d.])(\d{4,6})(?:\.0+)?(?=</)")


class _Features:
    """What one part holds, as sets: its words, phone-like digit runs, dates. Each is computed on first use, in
    one pass over the text, so a part is read in linear time whatever the number of needles, and a part is not
    searched for what no needle asks."""

    def __init__(self, raws: list[str], exact: list[str], joined: list[str]):
        self.raws, self.exact, self.joined = raws, exact, joined

    @cached_property
    def words(self) -> set[str]:
        return {w for f in self.exact + self.joined for w in _WORD.findall(f)}

    @cached_property
    def phones(self) -> str:
        runs: set[str] = set()
        for f in self.exact:
            for run in re.findall(r"\d{7,}", _PHONE_JOIN.sub("", f)):
                runs.add(run)
                runs.update("0" + run[i + 3:] for i in range(len(run) - 3) if run.startswith("358", i))
        return "|".join(sorted(runs))   # a phone may touch other digits: searched as a substring

    @cached_property
    def dates(self) -> set[date]:
        out: set[date] = set()
        for f in self.exact:
            for m in _DATE_LIKE.finditer(f):
                g = m.groups()
                d, mo, y = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3]) if g[3] else (g[6], g[7], g[8])
                try:
                    out.add(date(int(y), int(mo), int(d)))
                except ValueError:
                    continue
        return out

    def has_date(self, day: date, serial: int) -> bool:
        """The year is written in every form a date is searched in, and an Excel serial as its digits: a part
        holding neither cannot hold the day (no pass over the text needed)."""
        if any(str(serial) in raw for raw in self.raws) and any(
                re.search(rf"(?<![\d.]){serial}(?:\.0+)?(?=</)", raw) for raw in self.raws):
            return True
        return any(str(day.year) in f for f in self.exact) and day in self.dates


@dataclass
class Kept:
    """Values that stay in the register after the change (other people's), normalised."""

    texts: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)

    def add_text(self, value: object) -> None:
        if isinstance(value, str) and value.strip():
            self.texts.add(key(value))
            digits = _phone_digits(value)
            if len(digits) >= 7:
                self.phones.add(digits)
        elif isinstance(value, date):
            self.dates.add(value)


@dataclass(frozen=True)
class Person:
    """What identifies one erased person."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None          # a name in one cell (a marketing contact's Nimi)
    guardian: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    student_id: str | None = None    # searched in file names and paths only (``search_path``)


@dataclass(frozen=True)
class Hit:
    place: str       # "rekisteri.xlsx: xl/comments/comment1.xml"
    kind: str
    person: int

    def message(self, lang: str = "fi") -> str:
        return say("scan-hit", lang, place=self.place, kind=Phrase(f"scan-kind-{self.kind}"), person=self.person + 1)


@dataclass
class ScanReport:
    hits: list[Hit] = field(default_factory=list)
    places: int = 0                # files and zip parts searched
    skipped_needles: int = 0       # values another person keeps, so they prove nothing
    unreadable: list[str] = field(default_factory=list)   # files that could not be searched

    @property
    def clean(self) -> bool:
        return not self.hits and not self.unreadable

    def raise_if_dirty(self) -> None:
        if self.clean:
            return
        hits, unreadable = self.hits[:20], list(self.unreadable)

        def places(lang: str) -> str:
            return "; ".join([h.message(lang) for h in hits] + [say("scan-unreadable", lang, place=p) for p in unreadable])
        raise ErasureIncomplete("scan-found-remains", places=Said(places))


# --- needles ----------------------------------------------------------------------------------------

def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+358") or (text.strip().startswith("00358")):
        digits = "0" + digits[3:] if digits.startswith("358") else "0" + digits[5:]
    return digits


def _text_pattern(kind: str, value: str) -> re.Pattern:
    if kind == "email":
        return re.compile(r"(?<![\w.+-])" + re.escape(key(value)) + r"(?![\w-]|\.\w)")
    words = [re.escape(w) for w in key(value).split(" ")]
    # words need a space between them: with the XML tags removed, neighbouring cells touch ("Mäkelä" +
    # "ella@...") and must not read as a name, while a name split into runs keeps its space in a run.
    # Finnish text inflects the last word ("Ella Mäkelän äidille", "Ella Mäkelälle"): a case ending is allowed
    # after a letter (not "nen": "Eino Virta" is not "Eino Virtanen")
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + CASE_ENDING + r"(?!\w)")


def _phone_pattern(digits: str) -> re.Pattern:
    body = _SEP.join(re.escape(d) for d in digits[1:]) if digits.startswith("0") else None
    national = _SEP.join(re.escape(d) for d in digits)
    forms = [national] + ([r"\+?" + _SEP.join("358") + _SEP + body, "00" + _SEP + _SEP.join("358") + _SEP + body]
                          if body else [])
    return re.compile(r"(?<![\d+])(?:" + "|".join(forms) + r")(?!\d)")


def _date_patterns(day: date) -> tuple[re.Pattern, re.Pattern]:
    d, m, y = day.day, day.month, day.year
    forms = [rf"0?{d}\.\s*0?{m}\.\s*{y}", rf"{y}-{m:02d}-{d:02d}", rf"{d:02d}/{m:02d}/{y}"]
    serial = (day - EXCEL_EPOCH).days
    return (re.compile(r"(?<![\d.])(?:" + "|".join(forms) + r")(?!\d)"),
            re.compile(rf"<v>{serial}(?:\.0+)?</v>|\b{serial}(?:\.0+)?(?=</)"))


def needles_for(people: Iterable[Person], kept: Kept, numbers: Iterable[int] | None = None,
                ) -> tuple[list[Needle], int]:
    """The needles of ``people`` and how many values were left out because someone else keeps them.

    ``numbers`` gives each Person its person number (default: its position), so that the values one person had
    in several places (the register, an earlier version) count as one person; a value given twice gives one
    needle."""
    needles: dict[tuple[str, int, str], Needle] = {}
    skipped: set[tuple[str, int, str]] = set()
    people = list(people)
    for index, p in zip(numbers if numbers is not None else range(len(people)), people, strict=True):
        names = [p.name] if p.name else []
        if p.first_name and p.last_name:
            names += [f"{p.first_name} {p.last_name}", f"{p.last_name} {p.first_name}"]
        for kind, values in (("name", names), ("guardian", [p.guardian] if p.guardian else []),
                             ("email", [p.email] if p.email else [])):
            for value in values:
                ident = (kind, index, key(value))
                if key(value) in kept.texts or len(key(value)) < 3:
                    skipped.add(ident)
                    continue
                needles.setdefault(ident, Needle(kind, index, _text_pattern(kind, value), value=value,
                                                 clue=tuple(_WORD.findall(key(value)))))
        if p.phone:
            digits = _phone_digits(p.phone)
            ident = ("phone", index, digits)
            if digits in kept.phones or len(digits) < 7:
                skipped.add(ident)
            else:
                needles.setdefault(ident, Needle("phone", index, _phone_pattern(digits), value=p.phone, clue=digits))
        if p.birth_date:
            ident = ("birth-date", index, p.birth_date.isoformat())
            if p.birth_date in kept.dates:
                skipped.add(ident)
            else:
                text, serial = _date_patterns(p.birth_date)
                needles.setdefault(ident, Needle("birth-date", index, text, serial, value=p.birth_date.isoformat(),
                                                 clue=(p.birth_date, (p.birth_date - EXCEL_EPOCH).days)))
        sid = str(p.student_id).strip() if p.student_id else ""
        if len(sid) >= 3:                 # "12" would name half the files of a folder; ids here are "0113"
            needles.setdefault(("student-id", index, sid), Needle(
                "student-id", index, re.compile(r"(?<![\d])" + re.escape(key(sid)) + r"(?![\d])"), value=sid))
    return list(needles.values()), len(skipped)


# --- searching --------------------------------------------------------------------------------------

def _decode(data: bytes) -> list[str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return [data.decode("utf-16", errors="replace")]
    try:
        texts = [data.decode("utf-8")]
    except UnicodeDecodeError:     # Windows-1252 (Finnish Excel's CSV) or a binary part: read both ways
        texts = [data.decode("utf-8", errors="replace"), data.decode("cp1252", errors="replace")]
    if b"\x00" in data[:4096]:   # binary part: strings may be UTF-16 (Office binaries, printer settings)
        texts.append(data.decode("utf-16-le", errors="replace"))
    return texts


def reader_text(raw: str) -> str:
    """The text of an XML part as a reader sees it: runs of rich text joined, every cell, string item, paragraph
    and comment apart (``BLOCK`` between them), header and footer codes read as breaks, Excel's ``_x00HH_``
    escapes decoded, entities unescaped. Text that is not XML comes back as it is."""
    if "<" not in raw:
        return raw
    text = raw
    if "Header" in text or "Footer" in text:
        text = _HEADER.sub(lambda m: m[1] + _HEADER_CODE.sub(BLOCK, m[2]).replace("&amp;&amp;", "&amp;") + m[3], text)
    if "rPr" in text:
        text = _RUN_PROPS.sub("", text)
    text = _SPACE_TAGS.sub(" ", text)
    text = _INLINE.sub("", text)
    text = _TAG.sub(BLOCK, text)
    if "_x" in text:
        text = _EXCEL_CHAR.sub(lambda m: chr(int(m[1], 16)), text)
    return html.unescape(text) if "&" in text else text


def _forms(raw: str) -> tuple[list[str], list[str]]:
    """(exact, joined): the normalised text with its XML tags kept, and as a reader sees it (both keep
    neighbouring values apart); and with every tag removed, so a name split any way comes together (names and
    e-mail addresses only: digits of neighbouring cells would run together there)."""
    tagged = _SHEET_DATA.sub("<sheetData/>", raw) if "<sheetData" in raw else raw   # cells: in the reader's form
    unescaped = html.unescape(tagged)
    exact = [key(unescaped), key(reader_text(raw))]    # NFD text is made NFC by key()
    if "%" in unescaped:                                # URL-encoded hyperlink targets
        exact.append(key(unquote(unescaped)))
    if not unicodedata.is_normalized("NFKC", exact[0]):  # full-width letters, ligatures
        exact.append(key(unicodedata.normalize("NFKC", exact[0])))
    return exact, [key(html.unescape(_TAG.sub("", tagged)))]


def search_text(place: str, data: bytes, needles: list[Needle], report: ScanReport) -> None:
    """Search one blob (a zip part or a file); add a hit per needle found."""
    report.places += 1
    needles = [n for n in needles if n.kind not in PATH_ONLY or n.clue == IN_CONTENT]
    if not needles:
        return
    raws = _decode(data)
    exact, joined = [], []
    for raw in raws:
        t, j = _forms(raw)
        exact += t
        joined += j
    features = _Features(raws, exact, joined)
    for needle in needles:
        if not needle.maybe_in(features):
            continue
        forms = exact if needle.kind in ("phone", "birth-date", "student-id") else exact + joined
        found = any(needle.pattern.search(f) for f in forms)
        if not found and needle.raw_pattern is not None:
            found = any(needle.raw_pattern.search(raw) for raw in raws)
        if found:
            report.hits.append(Hit(place, needle.kind, needle.person))


def in_content(needles: list[Needle]) -> list[Needle]:
    """``needles`` with the student ids searched in contents too: for the toolkit's own files, which list students
    by id (a summary, a teacher list's file), where a false hit costs only a file the toolkit can make again."""
    return [replace(n, clue=IN_CONTENT) if n.kind in PATH_ONLY else n for n in needles]


def search_path(place: str, path: str, needles: list[Needle], report: ScanReport) -> None:
    """Search a file's path (relative to the folder searched) for the names and the student id: a file named
    ``Ella Mäkelä.docx`` or ``2024-001_0113.docx`` names its person whatever it holds."""
    text = key(re.sub(r"[_/\\]+", " ", path))
    for needle in needles:
        if needle.kind in ("name", "guardian", "student-id") and needle.pattern.search(text):
            report.hits.append(Hit(place, needle.kind, needle.person))


def scan_zip(source: Path | bytes, needles: list[Needle], report: ScanReport, label: str | None = None) -> None:
    """Every part of a zip package (a workbook, a .docx), from a file or from bytes; packages embedded in it
    are opened and searched too (``MAX_DEPTH``, ``MAX_TOTAL``)."""
    label = label or (source.name if isinstance(source, Path) else "package")
    _scan_package(source, needles, report, label, depth=0, budget=[MAX_TOTAL])


def _scan_package(source: Path | bytes, needles: list[Needle], report: ScanReport, label: str, depth: int,
                  budget: list[int]) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                place = f"{label}: {info.filename}"
                if info.file_size > MAX_PART or info.file_size > budget[0]:
                    report.unreadable.append(place)
                    continue
                budget[0] -= info.file_size
                data = zf.read(info)
                if data[:4] == _ZIP_MAGIC:            # a package inside the package: its parts are compressed
                    if depth + 1 > MAX_DEPTH:
                        report.unreadable.append(place)
                    else:
                        report.places += 1
                        _scan_package(data, needles, report, place, depth + 1, budget)
                    continue
                if data[:8] == _OLE_MAGIC and "embeddings/" in info.filename:
                    report.unreadable.append(place)   # an embedded OLE object (old .xls/.doc): its streams are not read
                search_text(place, data, needles, report)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        report.unreadable.append(label)


def _pdf_text(path: Path) -> bytes | None:
    """The text a PDF reader shows (every page, and the document's properties), or None when the PDF cannot
    be read (damaged, encrypted): then it is reported as unreadable, never called clean."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return None
        texts = [page.extract_text() or "" for page in reader.pages]
        texts += [str(value) for value in (reader.metadata or {}).values()]
    except Exception:      # pypdf raises many kinds of error on a damaged file: all mean "cannot read"
        return None
    return "\n".join(texts).encode("utf-8")


def scan_file(path: Path, needles: list[Needle], report: ScanReport, label: str | None = None) -> None:
    """One file: a package part by part (whatever its name says), a PDF's text as well as its bytes, an old Office
    binary (.doc, .xls) searched but reported unreadable (its text is not reliably in its bytes), any other file
    read as text. A file over ``MAX_PART`` bytes is unreadable."""
    label = label or str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        report.unreadable.append(label)
        return
    if size > MAX_PART:
        report.unreadable.append(label)
        return
    if head[:4] == _ZIP_MAGIC or path.suffix.lower() in ZIP_SUFFIXES:
        if zipfile.is_zipfile(path):
            scan_zip(path, needles, report, label)
            return
        report.unreadable.append(label)   # a damaged package: its compressed parts cannot be searched
    try:
        data = path.read_bytes()
    except OSError:
        report.unreadable.append(label)
        return
    if head == _OLE_MAGIC:
        report.unreadable.append(label)
    search_text(label, data, needles, report)
    if path.suffix.lower() == ".pdf" or data[:5] == b"%PDF-":
        text = _pdf_text(path)
        if text is None:
            report.unreadable.append(label + " (PDF)")
        else:
            search_text(label + " (teksti)", text, needles, report)


def scan_folder(folder: Path, needles: list[Needle], report: ScanReport, skip: Iterable[Path] = (),
                skip_dirs: Iterable[Path] = ()) -> None:
    """Every regular file under ``folder`` (symbolic links are not followed), except ``skip`` and the
    files under ``skip_dirs``."""
    skipped = {p.resolve() for p in skip}
    skipped_dirs = {p.resolve() for p in skip_dirs}
    if not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if (Path(root) / d).resolve() not in skipped_dirs)
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file() or path.resolve() in skipped:
                continue
            if name.startswith((".~lock.", "~$")):
                continue
            scan_file(path, needles, report, str(path))
