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

from toolkit.model.errors import FileProblem, Refused, os_reason
from toolkit.model.formatting import DATE_FORMAT
from toolkit.model.messages import say
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
    error: str                    # what Excel says of another value, in the register's language (Finnish)
    strict: bool                  # stop (True) or only warn (False) on other values


def dropdowns(lang: str = "fi") -> list[Dropdown]:
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
                                    say("dropdown-choose", lang, choices=", ".join(values)), sheet != forms_mapping.SHEET))
            elif col.header == "Opettaja":
                out.append(Dropdown(sheet, ref, TEACHER_LIST_NAME, say("dropdown-teacher", lang), False))
    for row, (key, _value, _explanation) in enumerate(settings_rows(), start=2):
        if SETTINGS_BY_KEY[key].kind == "yesno":
            out.append(Dropdown("Asetukset", f"B{row}", '"kyllä,ei"', say("dropdown-yes-no", lang), True))
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

# each sheet's line of the Ohje sheet: the catalogue's ohje-sheet-CODE
_SHEET_HELP = {"Oppilaat": "students", "Opinnot": "studies", "Opintokokonaisuudet": "units", "Opettajat": "teachers",
               "Todistukset": "certificates", "Valmistuneet": "graduates", "Yhteydenotot": "contacts",
               "Asetukset": "settings", forms_mapping.SHEET: "forms-mapping", "Loki": "log"}
_OHJE_WRITING = ("ohje-header-row", "ohje-dates", "ohje-semester", "ohje-ids-as-text", "ohje-choices",
                 "ohje-deletion-request", "ohje-no-merging")
_OHJE_NEVER = ("ohje-never-identity-code", "ohje-never-health", "ohje-never-others")


def ohje_lines(lang: str = "fi") -> list[tuple[str, str]]:
    """The Ohje sheet as (style, text) lines; style is "title", "heading" or "text". The register is Finnish
    (its sheets and headers are), so its Ohje is too unless asked otherwise."""
    from toolkit.model.commands import COMMANDS

    lines = [("title", say("ohje-title", lang)), ("text", say("ohje-intro", lang)),
             ("text", ""), ("heading", say("ohje-heading-sheets", lang))]
    lines += [("text", f"• {name}: {say(f'ohje-sheet-{_SHEET_HELP[name]}', lang)}")
              for name in SHEET_ORDER if name in _SHEET_HELP]
    lines += [("text", ""), ("heading", say("ohje-heading-writing", lang))]
    lines += [("text", "• " + say(code, lang)) for code in _OHJE_WRITING]
    lines += [("text", ""), ("heading", say("ohje-heading-never", lang))]
    lines += [("text", "• " + say(code, lang)) for code in _OHJE_NEVER]
    lines += [("text", ""), ("heading", say("ohje-heading-commands", lang)), ("text", say("ohje-commands", lang))]
    lines += [("text", f"• muskari {name}: {say(f'command-{name}', lang)}") for name in COMMANDS]
    lines += [("text", say("ohje-help", lang))]
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
                                    errorTitle=say("dropdown-title"), error=drop.error)
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
        raise Refused("new-register-suffix", name=path.name)
    refuse_existing(path)
    if not path.parent.is_dir():
        raise FileProblem("new-register-no-folder", folder=path.parent)
    return path


def make_folder(folder: Path) -> Path:
    """Create ``folder`` (and its parents) or refuse with exit 3 saying why."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem("folder-not-created", folder=folder, reason=os_reason(error)) from None
    return Path(folder)


def refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise RegisterExists("new-register-exists", path=path)


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
