"""Building a new register workbook: the one layout that `init`, `demo` and the benchmark generator share.

    workbook = new_workbook()                                   # every sheet, header, format, dropdown
    add_records(workbook, "Oppilaat", [{"student_id": "0001", ...}])   # English field names
    save_new(workbook, Path("rekisteri.xlsx"))                  # atomic; refuses to overwrite

The layout is declared once, as plain data (:func:`sheet_layout`, :func:`dropdowns`,
:func:`settings_rows`, :data:`OHJE`), so an openpyxl workbook (here) and an XlsxWriter one
(``benchmarks/generate.py``) come out with the same sheets, headers, widths, formats and dropdowns.

- Headers in row 1 (bold, frozen), data from row 2. Date columns carry the ``d.m.yyyy`` format,
  id and phone columns the text format ``@`` so that a typed ``0012`` keeps its zero.
- Dropdowns are classic data validations (not the x14 extension that openpyxl drops): an inline list
  for each choice column, and for teacher columns the defined name ``Opettajalista`` that points at
  ``Opettajat!$A$2:$A$200``. Excel, LibreOffice and openpyxl all read and keep both on save.
- Every text value is written as a text cell: a name starting with ``=`` never becomes a formula.
- :func:`save_new` writes to a temporary file in the target folder, syncs it and links it into place
  (``os.replace`` after a second existence check where the file system has no hard links), so the
  target is either absent or complete, and an existing file is never overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from toolkit.model.errors import FileProblem, Refused
from toolkit.model.formatting import DATE_FORMAT
from toolkit.office.text_cells import set_text
from toolkit.system.private_files import write_private
from workbook_schema import CHOICES, SHEET_ORDER, SHEETS, forms_mapping
from workbook_schema.settings import SETTINGS, SETTINGS_BY_KEY

TEXT_FORMAT = "@"
TEACHER_LIST_NAME = "Opettajalista"
TEACHER_LIST_RANGE = "Opettajat!$A$2:$A$200"
LAST_ROW = 1_048_576
HEADER_FILL = "DDE4EE"
TEXT_COLUMNS = {"Puhelin"}          # text that looks like a number: keep it text


class RegisterExists(Refused):
    """init/demo would overwrite an existing file."""


@dataclass(frozen=True)
class ColumnLayout:
    header: str
    field: str
    kind: str                     # the schema's kind: id | text | date | number | integer | choice
    index: int                    # 1-based column
    width: float
    number_format: str | None     # DATE_FORMAT, TEXT_FORMAT or None (General)

    @property
    def letter(self) -> str:
        from toolkit.model.findings import column_letter

        return column_letter(self.index)


_WIDTHS = {"id": 14, "date": 13, "number": 10, "integer": 8, "choice": 16, "text": 20}
_WIDE = {"Sähköposti": 30, "Lisätiedot": 40, "Opintokokonaisuus": 30, "Nimi": 28, "Huoltaja": 24,
         "Tarkoitus": 30, "Tiedosto": 36, "Tiedot": 60, "Aika": 20, "Asetus": 36, "Arvo": 60, "Selite": 80,
         "Osa-alue": 28, "Jatkaa soitinopintoihin": 22, "Viimeisin ilmoittautuminen": 24,
         "Kysymys": 60, "Kenttä": 28}


def sheet_layout(sheet: str) -> list[ColumnLayout]:
    """The columns of a register sheet as `init` writes them."""
    out = []
    for index, column in enumerate(SHEETS[sheet].columns, start=1):
        width = max(_WIDE.get(column.header, _WIDTHS.get(column.kind, 20)), len(column.header) + 3)
        if column.kind == "date":
            fmt = DATE_FORMAT
        elif column.kind == "id" or column.header in TEXT_COLUMNS:
            fmt = TEXT_FORMAT
        else:
            fmt = None
        out.append(ColumnLayout(column.header, column.field, column.kind, index, float(width), fmt))
    return out


@dataclass(frozen=True)
class Dropdown:
    sheet: str
    ref: str                      # "I2:I1048576"
    source: str                   # formula1: '"a,b,c"' or the defined name
    error_fi: str
    strict: bool                  # stop (True) or only warn (False) on other values


def dropdowns() -> list[Dropdown]:
    """Every dropdown of a new register: each choice column, each teacher column, the yes/no setting."""
    out = []
    for sheet in SHEET_ORDER:
        if sheet not in SHEETS or sheet == "Asetukset":
            continue
        for col in sheet_layout(sheet):
            ref = f"{col.letter}2:{col.letter}{LAST_ROW}"
            if col.header in CHOICES and col.kind == "choice":
                values = CHOICES[col.header]
                # Kenttä also takes the Oppilaat headers Tila and Viimeisin ilmoittautuminen: warn, never stop
                out.append(Dropdown(sheet, ref, '"' + ",".join(values) + '"',
                                    f"Valitse luettelosta: {', '.join(values)}.", sheet != forms_mapping.SHEET))
            elif col.header == "Opettaja":
                out.append(Dropdown(sheet, ref, TEACHER_LIST_NAME,
                                    "Nimeä ei ole Opettajat-välilehdellä. Lisää opettaja sinne ensin.", False))
    for row, (key, _value, _explanation) in enumerate(settings_rows(), start=2):
        if SETTINGS_BY_KEY[key].kind == "yesno":
            out.append(Dropdown("Asetukset", f"B{row}", '"kyllä,ei"', "Valitse kyllä tai ei.", True))
    return out


def settings_rows(values: Mapping[str, object] | None = None) -> list[tuple[str, object, str]]:
    """(Asetus, Arvo, Selite) rows: the default of each setting unless ``values`` gives another."""
    values = dict(values or {})
    unknown = set(values) - set(SETTINGS_BY_KEY)
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    rows = []
    for setting in SETTINGS:
        value = values.get(setting.key, setting.default)
        rows.append((setting.key, None if value == "" else value, setting.fi))
    return rows


# --- the Ohje sheet ------------------------------------------------------------------------------

_SHEET_HELP = {
    "Oppilaat": "yksi rivi jokaista oppilasta kohden. Oppilasnumero on pysyvä tunnus: samaa numeroa ei "
                "käytetä koskaan uudelleen, ei edes poistetun oppilaan jälkeen.",
    "Opinnot": "yksi rivi jokaisesta suoritetusta opintokokonaisuudesta tai lukukauden jaksosta. Tunnit ovat "
               "laskennallisia 45 minuutin tunteja (yli 0 ja enintään 200 riviä kohden).",
    "Opintokokonaisuudet": "koulun opetussuunnitelman opintokokonaisuudet, niiden osa-alue ja laajuus tunteina. "
                           "Opinnot-välilehden nimet valitaan näistä.",
    "Opettajat": "opettajien nimet ja sähköpostit. Opettaja-sarakkeiden valikko näyttää tämän välilehden "
                 "nimet (rivit 2–200).",
    "Todistukset": "annetut todistukset. Työkalu lisää rivit, kun se kirjoittaa todistuksen: älä muuta niitä käsin.",
    "Valmistuneet": "todistuksen saaneiden lista. Työkalu lisää rivit; poistopyynnön jälkeen nimen tilalla lukee "
                    "\"valmistunut oppilas\".",
    "Yhteydenotot": "markkinointia ja tiedottamista varten kerätyt yhteystiedot. Ne poistetaan, kun säilytysaika "
                    "(Asetukset, oletus 6 kuukautta) on kulunut keräyspäivästä.",
    "Asetukset": "koulun tiedot ja säännöt. Tyhjä Arvo tarkoittaa oletusarvoa; Selite kertoo, mihin asetusta "
                 "käytetään.",
    forms_mapping.SHEET: forms_mapping.HELP_FI,
    "Loki": "työkalun merkinnät siitä, mitä se teki ja milloin. Lokiin ei kirjoiteta henkilötietoja.",
}

OHJE_TITLE = "Annan Muskarin oppilasrekisteri: ohje"


def ohje_lines() -> list[tuple[str, str]]:
    """The Ohje sheet as (style, text) lines; style is "title", "heading" or "text"."""
    from toolkit.model.commands import COMMANDS

    lines = [("title", OHJE_TITLE),
             ("text", "Tämä työkirja on koulun oppilasrekisteri. Muokkaa sitä Excelissä tai LibreOfficessa; "
                      "muskari-työkalu tarkistaa sen ja tekee sen avulla todistukset, listat ja poistot."),
             ("text", ""), ("heading", "Välilehdet")]
    lines += [("text", f"• {name}: {_SHEET_HELP[name]}") for name in SHEET_ORDER if name in _SHEET_HELP]
    lines += [("text", ""), ("heading", "Näin kirjoitat tiedot"),
              ("text", "• Rivi 1 on otsikkorivi: älä muuta otsikoita. Omia sarakkeita saa lisätä oikealle; "
                       "työkalu säilyttää ne."),
              ("text", "• Päivämäärät kirjoitetaan muodossa p.k.vvvv, esimerkiksi 1.2.2019."),
              ("text", "• Lukukausi kirjoitetaan \"syksy 2026\" tai \"kevät 2027\"."),
              ("text", "• Oppilasnumero ja puhelinnumero ovat tekstiä, jotta alun nolla säilyy "
                       "(esimerkiksi 0012 ja 040 123 4567)."),
              ("text", "• Tila, Jatkaa soitinopintoihin, Osa-alue ja Todistus valitaan solun valikosta; "
                       "opettajan nimi valitaan Opettajat-välilehden nimistä."),
              ("text", "• Poistopyyntö: kun perhe pyytää tietojensa poistamista, kirjoita pyynnön "
                       "saapumispäivä oppilaan Poistopyyntö-sarakkeeseen."),
              ("text", "• Älä yhdistä soluja, älä piilota rivejä äläkä jätä tyhjiä rivejä tietojen väliin. "
                       "Kirjoita arvot, ei kaavoja."),
              ("text", ""), ("heading", "Älä koskaan kirjoita rekisteriin"),
              ("text", "• Henkilötunnusta. Koulu ei kerää henkilötunnuksia: syntymäaika riittää."),
              ("text", "• Terveystietoja (sairaudet, lääkitys, allergiat ja muut terveyteen liittyvät asiat). "
                       "Niistä keskustellaan opettajan kanssa suoraan, eikä niitä kirjata mihinkään."),
              ("text", "• Muiden kuin oppilaiden, huoltajien ja opettajien tietoja tai mitään, mitä opetus "
                       "ei tarvitse."),
              ("text", ""), ("heading", "Komennot"),
              ("text", "Sulje rekisteri Excelistä ennen kuin ajat komennon, joka muuttaa sitä. Muuttava komento "
                       "näyttää ensin, mitä se tekisi; vasta --apply tekee muutokset ja ottaa varmuuskopion.")]
    lines += [("text", f"• muskari {name}: {fi}") for name, (fi, _en) in COMMANDS.items()]
    lines += [("text", "Jokainen komento kertoo ohjeensa valitsimella --help, esimerkiksi: muskari check --help.")]
    return lines


# --- building with openpyxl ----------------------------------------------------------------------

def new_workbook(settings: Mapping[str, object] | None = None):
    """An openpyxl Workbook holding an empty register: every sheet of SHEET_ORDER, laid out."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for name in SHEET_ORDER:
        sheet = workbook.create_sheet(name)
        if name == "Ohje":
            _write_ohje(sheet)
            continue
        for col in sheet_layout(name):
            cell = sheet.cell(row=1, column=col.index)
            set_value(cell, col.header, "text")
            cell.font, cell.fill = bold, fill
            dim = sheet.column_dimensions[col.letter]
            dim.width = col.width
            if col.number_format:
                dim.number_format = col.number_format
        sheet.freeze_panes = "A2"
    asetukset = workbook["Asetukset"]
    for row, values in enumerate(settings_rows(settings), start=2):
        for index, value in enumerate(values, start=1):
            set_value(asetukset.cell(row=row, column=index), value, "text")
            asetukset.cell(row=row, column=index).alignment = Alignment(vertical="top", wrap_text=index == 3)
    workbook.defined_names[TEACHER_LIST_NAME] = DefinedName(TEACHER_LIST_NAME, attr_text=TEACHER_LIST_RANGE)
    for drop in dropdowns():
        validation = DataValidation(type="list", formula1=drop.source, allow_blank=True, showErrorMessage=True,
                                    errorStyle="stop" if drop.strict else "warning",
                                    errorTitle="Tarkista arvo", error=drop.error_fi)
        validation.add(drop.ref)
        workbook[drop.sheet].add_data_validation(validation)
    workbook.active = workbook.sheetnames.index("Oppilaat")
    return workbook


def _write_ohje(sheet) -> None:
    from openpyxl.styles import Alignment, Font

    fonts = {"title": Font(bold=True, size=14), "heading": Font(bold=True, size=12), "text": Font()}
    sheet.column_dimensions["A"].width = 110
    for row, (style, text) in enumerate(ohje_lines(), start=1):
        cell = sheet.cell(row=row, column=1)
        if text:
            set_value(cell, text, "text")
        cell.font = fonts[style]
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def set_value(cell, value: object, kind: str) -> None:
    """Write ``value`` as its kind: dates as dates (d.m.yyyy), numbers as numbers, everything else as text."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, bool):
        set_text(cell, "kyllä" if value else "ei")
    elif isinstance(value, int | float) and kind != "id":     # hours, years, numeric settings (300, 7)
        cell.value = int(value) if float(value).is_integer() else float(value)
    else:
        set_text(cell, value)   # never a formula, whatever the text starts with
        if kind == "id":
            cell.number_format = TEXT_FORMAT


def add_records(workbook, sheet: str, records: Iterable[Mapping[str, object]]) -> int:
    """Append rows of English field names (``student_id``, ``birth_date``...) under the sheet's header."""
    layout = sheet_layout(sheet)
    fields = {c.field for c in layout}
    ws = workbook[sheet]
    row = ws.max_row + 1 if any(c.value is not None for c in ws[ws.max_row]) else ws.max_row
    count = 0
    for record in records:
        unknown = set(record) - fields - {"row"}
        if unknown:
            raise KeyError(f"{sheet}: unknown fields {sorted(unknown)}")
        for col in layout:
            value = record.get(col.field)
            cell = ws.cell(row=row, column=col.index)
            set_value(cell, value, col.kind)
            if col.number_format == TEXT_FORMAT and value is not None:
                cell.number_format = TEXT_FORMAT
        row += 1
        count += 1
    return count


# --- saving --------------------------------------------------------------------------------------

def check_target(path: Path) -> Path:
    """Refuse (exit 3) a target that exists, is not .xlsx, or whose folder is missing."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise Refused(f"Rekisterin tiedostonimen pitää päättyä .xlsx (annettu {path.name}).",
                      f"The register's file name must end in .xlsx (got {path.name}).")
    refuse_existing(path)
    if not path.parent.is_dir():
        raise FileProblem(f"Kansiota {path.parent} ei ole. Luo kansio tai valitse toinen paikka.",
                          f"Folder {path.parent} does not exist. Create it or choose another place.")
    return path


def make_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) or refuse with exit 3 saying why."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem(f"Kansiota {folder} ei voi luoda ({error.strerror}). Valitse toinen kansio.",
                          f"Cannot create folder {folder} ({error.strerror}). Choose another folder.") from None
    return Path(folder)


def refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise RegisterExists(f"Tiedosto {path} on jo olemassa, eikä sitä korvata. Valitse toinen nimi tai siirrä "
                             f"vanha tiedosto ensin pois.",
                             f"{path} already exists and is never overwritten. Choose another name or move the old "
                             f"file away first.")


def workbook_from_records(records: Mapping[str, Iterable[Mapping[str, object]]],
                          settings: Mapping[str, object] | None = None):
    """A new register (see :func:`new_workbook`) holding ``records``: sheet -> rows of English field names."""
    workbook = new_workbook(settings)
    for sheet, rows in records.items():
        add_records(workbook, sheet, rows)
    return workbook


def save_new(workbook, path: Path) -> Path:
    """Save ``workbook`` to a new file ``path`` atomically (mode 0600); never overwrite."""
    path = check_target(Path(path))
    return write_new_file(path, workbook.save)


def write_new_file(path: Path, write) -> Path:
    """Call ``write(fileobj)`` on a temp file beside ``path``, sync it, and link it into place (no overwrite)."""
    try:
        return write_private(path, write, overwrite=False)
    except Refused:
        refuse_existing(path)
        raise


# --- what was created ----------------------------------------------------------------------------

def row_counts(workbook) -> dict[str, int]:
    """Data rows under the header of each register sheet (Ohje excluded)."""
    counts = {}
    for name in SHEET_ORDER:
        if name in SHEETS:
            sheet = workbook[name]
            counts[name] = sum(1 for row in sheet.iter_rows(min_row=2, values_only=True)
                               if any(v is not None for v in row))
    return counts
