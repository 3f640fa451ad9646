"""LibreOffice as the toolkit's real client in tests: convert files headless and read what it made.

    sheets = to_csv_sheets([a_xlsx, b_xlsx], tmp_path / "csv")     # {a_xlsx: {"Oppilaat": [[...], ...]}, ...}
    saved = to_xlsx([register], tmp_path / "lo")                   # {register: LibreOffice's own save}
    pdfs = to_pdf([cert1_docx, cert2_docx], tmp_path / "pdf")      # many files, one soffice call
    text, pages = pdf_text(pdfs[cert1_docx]), pdf_pages(pdfs[cert1_docx])

Every call runs soffice with a private, throw-away profile (`-env:UserInstallation`), so an open
LibreOffice window or another engineer's run never swallows the job, under a timeout that kills the
whole process group (soffice is a shell script that starts soffice.bin). LibreOffice exits 0 even when
it could not load a file, so each expected output file is checked and its absence is a test failure
naming LibreOffice's own output. Convert many files per call: starting LibreOffice costs seconds.
"""

from __future__ import annotations

import csv
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from children import run


def installed_soffice() -> str | None:
    """LibreOffice where the toolkit itself would find it (PATH, MUSKARI_SOFFICE, Program Files, /Applications)."""
    from toolkit.model.errors import MuskariError
    from toolkit.system.programs import find_soffice

    try:
        return str(find_soffice())
    except MuskariError:
        return None


SOFFICE = installed_soffice()

# LibreOffice's CSV filter options, by position: field separator 44 (,), text delimiter 34 ("),
# character set 76 (UTF-8), start row 1, column formats (none), language 0 (default), quoted fields
# as text false, detect special numbers true, save cell contents AS SHOWN true (so a date reads
# d.m.yyyy, as the owner sees it), export formulas false, remove spaces false, sheet -1 = every sheet,
# each to its own file `<stem>-<sheet>.csv`.
CSV_PER_SHEET = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
XLSX = "xlsx:Calc MS Excel 2007 XML"
PDF = "pdf"


def soffice_timeout(count: int) -> int:
    return 90 + 15 * count


def run_soffice(args: list[str], *, timeout: float) -> subprocess.CompletedProcess:
    """soffice --headless with a private profile; the whole process group is killed on timeout."""
    if not SOFFICE:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="muskari-lo-profile-") as profile:
        return run([SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                    "--nologo", "--nolockcheck", *args], timeout=timeout)


def _prepare(files: Iterable[Path], out_dir: Path) -> tuple[list[Path], Path]:
    files = [Path(f) for f in files]
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two inputs would write the same output name: {sorted(stems)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(f.resolve().parent == out_dir.resolve() for f in files):
        raise ValueError("convert into another folder than the inputs' (LibreOffice would overwrite them)")
    return files, out_dir


def convert(files: Iterable[Path], target: str, out_dir: Path, *, suffix: str,
            infilter: str | None = None) -> dict[Path, Path]:
    """Convert ``files`` with one soffice call; returns input -> output (``<stem><suffix>`` in out_dir).
    ``infilter`` opens them with that import filter, e.g. ``CSV:59,34,76,1`` (``;``-separated UTF-8 CSV)."""
    files, out_dir = _prepare(files, out_dir)
    done = run_soffice([*([f"--infilter={infilter}"] if infilter else []), "--convert-to", target,
                        "--outdir", str(out_dir), *map(str, files)], timeout=soffice_timeout(len(files)))
    outputs = {f: out_dir / (f.stem + suffix) for f in files}
    missing = [f.name for f, out in outputs.items() if not out.exists()]
    if missing:
        raise AssertionError(f"LibreOffice did not convert {missing} to {target} (exit {done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}")
    return outputs


def to_pdf(files: Iterable[Path], out_dir: Path) -> dict[Path, Path]:
    return convert(files, PDF, out_dir, suffix=".pdf")


def to_xlsx(files: Iterable[Path], out_dir: Path) -> dict[Path, Path]:
    """LibreOffice opens each workbook and saves it as .xlsx again (what an owner with LibreOffice does)."""
    return convert(files, XLSX, out_dir, suffix=".xlsx")


def to_csv_sheets(files: Iterable[Path], out_dir: Path) -> dict[Path, dict[str, list[list[str]]]]:
    """Each workbook's every sheet as LibreOffice shows it (cell text as displayed), sheet name -> rows.
    The sheet names are taken from the workbook itself, so a sheet LibreOffice failed to write fails."""
    import openpyxl

    files, out_dir = _prepare(files, out_dir)
    done = run_soffice(["--convert-to", CSV_PER_SHEET, "--outdir", str(out_dir), *map(str, files)],
                       timeout=soffice_timeout(len(files)))
    result: dict[Path, dict[str, list[list[str]]]] = {}
    for f in files:
        names = openpyxl.load_workbook(f, read_only=True).sheetnames
        sheets = {}
        for name in names:
            path = out_dir / f"{f.stem}-{name}.csv"
            if not path.exists():
                raise AssertionError(f"LibreOffice wrote no CSV for sheet {name!r} of {f.name}:\n"
                                     f"{done.stdout}\n{done.stderr}")
            with path.open(encoding="utf-8", newline="") as handle:
                sheets[name] = [row for row in csv.reader(handle)]
        result[f] = sheets
    return result


def pdf_text(pdf: Path, *, layout: bool = False, page: int | None = None) -> str:
    """The PDF's text (or one page's) as pdftotext (poppler) extracts it."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), *pages, str(pdf), "-"]
    return run(args, timeout=60, check=True).stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    """pdfinfo's (poppler) fields: "Pages", "Page size", ..."""
    info = run(["pdfinfo", str(pdf)], timeout=60, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines()) if v}


def pdf_pages(pdf: Path) -> int:
    """The page count pdfinfo reports."""
    return int(pdf_info(pdf)["Pages"])


def pdf_a4(pdf: Path) -> bool:
    return pdf_info(pdf)["Page size"].endswith("(A4)")


def pdf_landscape(pdf: Path) -> bool:
    """Whether the (first) page is wider than high, from pdfinfo's "Page size: W x H pts"."""
    width, _, height = pdf_info(pdf)["Page size"].split()[:3]
    return float(width) > float(height)


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font in the PDF, as pdffonts (poppler) lists them."""
    listing = run(["pdffonts", str(pdf)], timeout=60, check=True).stdout
    fonts = []
    for line in listing.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            fonts.append((parts[0].split("+", 1)[-1], parts[-5] == "yes"))
    return fonts


# --- what a cell should show ------------------------------------------------------------------------

DATE_FORMATS = {"d.m.yyyy": "{d.day}.{d.month}.{d.year}",
                "d.m.yyyy h:mm": "{d.day}.{d.month}.{d.year} {d.hour}:{d.minute:02d}",
                "yyyy-mm-dd": "{d.year:04d}-{d.month:02d}-{d.day:02d}"}


def cell_text(cell) -> str:
    """The text the cell's value and number format call for (the Finnish-style formats the toolkit writes)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        fmt = DATE_FORMATS.get(cell.number_format.replace("\\", "").lower())   # LibreOffice saves d\.m\.yyyy
        assert fmt, f"{cell.parent.title}!{cell.coordinate}: unexpected date format {cell.number_format!r}"
        return fmt.format(d=value)
    return number_text(value) if isinstance(value, int | float) else str(value)


def number_text(value) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def record_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}"
    return number_text(value) if isinstance(value, int | float) else str(value)


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Trailing blank cells and rows dropped (LibreOffice pads rows to the used range)."""
    rows = [list(r) for r in rows]
    for r in rows:
        while r and r[-1] == "":
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def shown_as_written(xlsx: Path, sheets: dict[str, list[list[str]]]) -> None:
    """Assert LibreOffice's CSV of every sheet equals the text the workbook's values and formats call for."""
    import openpyxl

    book = openpyxl.load_workbook(xlsx)
    assert list(sheets) == book.sheetnames, xlsx.name
    for sheet in book:
        expected = trimmed([[cell_text(c) for c in row] for row in sheet.iter_rows()])
        assert trimmed(sheets[sheet.title]) == expected, (xlsx.name, sheet.title)


def words(text: str) -> str:
    """Whitespace collapsed to single spaces: a table cell's text may wrap onto two lines in the PDF."""
    return " ".join(text.split())


# --- a register whose certificates carry the most a page must hold ------------------------------------

CROWDED_AS_OF = "2026-06-01"
CROWDED_NAME = ("Aleksandra-Josefiina", "Wähä-Heikkilä-Lindqvist")
CROWDED_MUSKARI = (("Vauvamuskari", 33.0), ("Taaperomuskari", 33.0), ("Muskari 3–4-vuotiaille", 66.0),
                   ("Muskari 5–6-vuotiaille", 66.0))
CROWDED_SETTINGS = {
    "Paikkakunta": "Kuusijärvi", "Allekirjoittaja": "Anna Esimerkki",
    "Järjestämisperuste": "Opetus annetaan Kuusijärven kaupungin kanssa 12.6.2018 tehdyn sopimuksen perusteella "
                          "(laki taiteen perusopetuksesta 633/1998).",
    "Opetussuunnitelma": "Annan Muskarin taiteen perusopetuksen musiikin yleisen oppimäärän opetussuunnitelma, "
                         "hyväksytty 14.5.2018.",
    "Muskaritunnit yleiseen oppimäärään": "kyllä",
}
CROWDED_COMMON = (("Soitto- tai laulutaito 1: perustaidot ja ohjelmisto", 50.0),
                  ("Soitto- tai laulutaito 2: ohjelmisto ja esiintyminen", 50.0),
                  ("Soitto- tai laulutaito 3: itsenäinen harjoittelu", 50.0),
                  ("Musiikin perusteet 1: rytmi, melodia ja harmonia", 50.0),
                  ("Musiikin perusteet 2: kuunteleminen ja musiikin historia", 50.0),
                  ("Yhteismusisointi: orkesteri, kuoro ja kamarimusiikki", 50.0))
CROWDED_THEMATIC = (("Bändisoitto ja bändin ohjelmiston sovittaminen", 40.0),
                    ("Sävellys, improvisointi ja omat kappaleet", 40.0),
                    ("Musiikkiteknologia ja äänitysstudion perusteet", 30.0),
                    ("Kuoro ja lauluyhtye: äänenkäyttö ja esiintyminen", 30.0),
                    ("Kansanmusiikki ja pelimannisoitto", 30.0),
                    ("Musiikkiteatteri ja esitysprojekti", 30.0))


def crowded_register(path: Path) -> tuple[Path, dict[str, str]]:
    """A register (as of CROWDED_AS_OF) whose certificates are as full as a school's can be: a long
    double-barrelled name, every muskari unit, six common and six thematic units with long names,
    muskari hours counted toward the common studies, the demo's long settings texts.
    Returns the path and {certificate kind: student id} (osallistumistodistus must be asked with --type)."""
    from datetime import date

    from factories import make_tables, student, study
    from registers import build_register

    from workbook_schema.settings import Settings

    muskari = [{"name": n, "part": "varhaisiän musiikkikasvatus", "extent": h} for n, h in CROWDED_MUSKARI]
    common = [{"name": n, "part": "yhteiset opinnot", "extent": h} for n, h in CROWDED_COMMON]
    thematic = [{"name": n, "part": "teemaopinnot", "extent": h} for n, h in CROWDED_THEMATIC]
    students, studies = [], []
    for sid, birth, first, last in [("0001", date(2007, 2, 28), *CROWDED_NAME),
                                    ("0002", date(2019, 3, 1), "Väinö-Öövi", "Åkerblom-Äijälä"),
                                    ("0003", date(2009, 9, 9), "Iida-Sofia", "Östman-Pääkkönen")]:
        students.append(student(sid, first, last, birth, teacher=None))
        for i, unit in enumerate(muskari):
            studies.append(study(sid, unit["name"], unit["extent"], date(birth.year + 1 + i, 5, 20)))
        if sid == "0002":
            continue
        for i, unit in enumerate(common + thematic):
            finished = date(2018 + i // 2, 12 if i % 2 else 5, 15)
            if sid == "0003" and i == len(common) + len(thematic) - 1:
                break                                        # one unit short of the final certificate
            studies.append(study(sid, unit["name"], unit["extent"], finished))
    tables = make_tables(students=students, studies=studies, units=muskari + common + thematic,
                         settings=Settings())
    return build_register(Path(path), tables, settings=CROWDED_SETTINGS), {"päättötodistus": "0001", "muskaritodistus": "0002",
                                                          "osallistumistodistus": "0003"}
