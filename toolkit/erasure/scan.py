"""The proof scan of an erasure: is anything of an erased person left?

For every erased person, the values that identify them (name, guardian, e-mail, phone, birth date)
become *needles*; a needle whose value another person legitimately keeps (a sibling's shared e-mail,
a twin's birth date, a namesake on the graduates list) cannot prove anything and is left out, and the
scan says how many were. Every zip part of a workbook or document and every other file is read as
text and normalised before searching, so one needle finds every spelling of the value:

- NFC and NFD letters, upper and lower case (NFC + case folding), invisible characters removed;
- XML-escaped (``&amp;``, ``&#228;``) and URL-encoded text (``mailto:`` targets, hyperlinks), text split
  across XML runs (tags removed), UTF-16 strings in binary parts;
- a phone number with any spacing, dashes or parentheses, and in ``+358`` form;
- a birth date as ``d.m.yyyy``, ``dd.mm.yyyy``, ISO ``yyyy-mm-dd`` and as an Excel date serial
  (``<v>43525</v>``).

A hit names the place (file and zip part) and the kind of value, never the value itself.
"""

from __future__ import annotations

import html
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from toolkit.model.errors import ErasureIncomplete
from toolkit.model.text import key

MAX_PART = 256 * 1024 * 1024        # uncompressed bytes: larger is a zip bomb, not a document
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".odt", ".ods", ".zip"}
_TAG = re.compile(r"<[^>]{0,2000}>")
_SEP = r"[\s\-().]*"
KIND_WORDS = {  # kind -> (Finnish, English)
    "name": ("nimi", "name"), "guardian": ("huoltajan nimi", "guardian's name"), "email": ("sähköposti", "e-mail"),
    "phone": ("puhelinnumero", "phone number"), "birth-date": ("syntymäaika", "birth date"),
}
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
            return day in features.dates or serial in features.serials
        return all(word in features.words for word in self.clue)


_WORD = re.compile(r"\w+")
_DATE_LIKE = re.compile(r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})|(\d{4})-(\d{2})-(\d{2})|(\d{2})/(\d{2})/(\d{4})")
_PHONE_JOIN = re.compile(r"(?<=\d)[\s\-().]+(?=\d)")
_SERIAL = re.compile(r"<v>(\d{4,6})(?:\.0+)?</v>|(?<![\d.])(\d{4,6})(?:\.0+)?(?=</)")


class _Features:
    """What one part holds, as sets: its words, phone-like digit runs, dates and date serials. One pass
    over the text each, so a part is read in linear time whatever the number of needles."""

    def __init__(self, raws: list[str], tagged: list[str], joined: list[str]):
        self.words = {w for f in tagged + joined for w in _WORD.findall(f)}
        forms = tagged
        runs: set[str] = set()
        for f in forms:
            for run in re.findall(r"\d{7,}", _PHONE_JOIN.sub("", f)):
                runs.add(run)
                runs.update("0" + run[i + 3:] for i in range(len(run) - 3) if run.startswith("358", i))
        self.phones = "|".join(sorted(runs))   # a phone may touch other digits: searched as a substring
        self.dates: set[date] = set()
        for f in forms:
            for m in _DATE_LIKE.finditer(f):
                g = m.groups()
                d, mo, y = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3]) if g[3] else (g[6], g[7], g[8])
                try:
                    self.dates.add(date(int(y), int(mo), int(d)))
                except ValueError:
                    continue
        self.serials = {int(a or b) for raw in raws for a, b in _SERIAL.findall(raw)}


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


@dataclass(frozen=True)
class Hit:
    place: str       # "rekisteri.xlsx: xl/comments/comment1.xml"
    kind: str
    person: int

    def message(self, lang: str = "fi") -> str:
        fi, en = KIND_WORDS[self.kind]
        if lang == "en":
            return f"{self.place}: an erased person's {en} (person {self.person + 1})"
        return f"{self.place}: poistetun henkilön {fi} (henkilö {self.person + 1})"


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
        lines_fi = [h.message("fi") for h in self.hits[:20]] + [f"{p}: ei voitu tarkistaa" for p in self.unreadable]
        lines_en = [h.message("en") for h in self.hits[:20]] + [f"{p}: could not be searched" for p in self.unreadable]
        raise ErasureIncomplete(
            "Poiston tarkistus löysi jäljelle jäänyttä tietoa, joten rekisteriä ei korvattu: " + "; ".join(lines_fi)
            + ". Poista tieto näistä paikoista käsin ja aja komento uudelleen.",
            "The erasure scan found data that was left behind, so the register was not replaced: "
            + "; ".join(lines_en) + ". Remove it from these places by hand and run the command again.")


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
    # "ella@...") and must not read as a name, while a name split into runs keeps its space in a run
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


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


def needles_for(people: Iterable[Person], kept: Kept) -> tuple[list[Needle], int]:
    """The needles of ``people`` and how many values were left out because someone else keeps them."""
    needles: list[Needle] = []
    skipped = 0
    for index, p in enumerate(people):
        names = [p.name] if p.name else []
        if p.first_name and p.last_name:
            names += [f"{p.first_name} {p.last_name}", f"{p.last_name} {p.first_name}"]
        for kind, values in (("name", names), ("guardian", [p.guardian] if p.guardian else []),
                             ("email", [p.email] if p.email else [])):
            for value in values:
                if key(value) in kept.texts or len(key(value)) < 3:
                    skipped += 1
                    continue
                needles.append(Needle(kind, index, _text_pattern(kind, value), value=value,
                                      clue=tuple(_WORD.findall(key(value)))))
        if p.phone:
            digits = _phone_digits(p.phone)
            if digits in kept.phones or len(digits) < 7:
                skipped += 1
            else:
                needles.append(Needle("phone", index, _phone_pattern(digits), value=p.phone, clue=digits))
        if p.birth_date:
            if p.birth_date in kept.dates:
                skipped += 1
            else:
                text, serial = _date_patterns(p.birth_date)
                needles.append(Needle("birth-date", index, text, serial, value=p.birth_date.isoformat(),
                                      clue=(p.birth_date, (p.birth_date - EXCEL_EPOCH).days)))
    return needles, skipped


# --- searching --------------------------------------------------------------------------------------

def _decode(data: bytes) -> list[str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return [data.decode("utf-16", errors="replace")]
    texts = [data.decode("utf-8", errors="replace")]
    if b"\x00" in data[:4096]:   # binary part: strings may be UTF-16 (Office binaries, printer settings)
        texts.append(data.decode("utf-16-le", errors="replace"))
    return texts


def _forms(raw: str) -> tuple[list[str], list[str]]:
    """(tagged, joined): the normalised text with its XML tags kept (neighbouring values stay apart), and
    with the tags removed (a name split into formatting runs comes together)."""
    unescaped = html.unescape(raw)
    tagged = [key(unescaped)]                      # NFD text is made NFC by key()
    if "%" in unescaped:                           # URL-encoded hyperlink targets
        tagged.append(key(unquote(unescaped)))
    if not unicodedata.is_normalized("NFKC", tagged[0]):   # full-width letters, ligatures
        tagged.append(key(unicodedata.normalize("NFKC", tagged[0])))
    return tagged, [key(html.unescape(_TAG.sub("", raw)))]


def search_text(place: str, data: bytes, needles: list[Needle], report: ScanReport) -> None:
    """Search one blob (a zip part or a file); add a hit per needle found."""
    report.places += 1
    if not needles:
        return
    raws = _decode(data)
    tagged, joined = [], []
    for raw in raws:
        t, j = _forms(raw)
        tagged += t
        joined += j
    features = _Features(raws, tagged, joined)
    for needle in needles:
        if not needle.maybe_in(features):
            continue
        forms = tagged if needle.kind in ("phone", "birth-date") else tagged + joined
        found = any(needle.pattern.search(f) for f in forms)
        if not found and needle.raw_pattern is not None:
            found = any(needle.raw_pattern.search(raw) for raw in raws)
        if found:
            report.hits.append(Hit(place, needle.kind, needle.person))


def scan_zip(source: Path | bytes, needles: list[Needle], report: ScanReport, label: str | None = None) -> None:
    """Every part of a zip package (a workbook, a .docx), from a file or from bytes."""
    label = label or (source.name if isinstance(source, Path) else "package")
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if info.file_size > MAX_PART:
                    report.unreadable.append(f"{label}: {info.filename}")
                    continue
                search_text(f"{label}: {info.filename}", zf.read(info), needles, report)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
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
    label = label or str(path)
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        if zipfile.is_zipfile(path):
            scan_zip(path, needles, report, label)
            return
        report.unreadable.append(label)   # a damaged package: its compressed parts cannot be searched
    try:
        data = path.read_bytes()
    except OSError:
        report.unreadable.append(label)
        return
    search_text(label, data, needles, report)
    if suffix == ".pdf" or data[:5] == b"%PDF-":
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
