"""Reading a registration-forms export (.xlsx or .csv) as the forms service wrote it.

The file is what a forms service exports: one response per row, an optional ``Aikaleima`` first,
the questions as headers (matched ignoring case, spaces and a trailing ``*`` or ``?``). CSV is
UTF-8 with or without a BOM, ``,`` or ``;`` separated (sniffed from the header line).
Row numbers are those a spreadsheet shows when the file is opened (header = row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model.errors import FileProblem
from toolkit.rules.forms import QUESTION_KEYS, QUESTIONS, header_key

MAX_BYTES = 50 * 1024 * 1024


@dataclass
class FormsFile:
    path: Path
    rows: list[tuple[int, dict]] = field(default_factory=list)    # (row number, {field: value})
    columns: dict[str, int] = field(default_factory=dict)         # field -> 1-based column
    ignored: list[str] = field(default_factory=list)              # the form's other questions


def _problem(path: Path, fi: str, en: str) -> FileProblem:
    return FileProblem(f"{path.name}: {fi}", f"{path.name}: {en}")


def read_forms(path: str | Path) -> FormsFile:
    """The responses of a forms export; raises FileProblem when it cannot be read or lacks a question."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise FileProblem(f"Lomaketiedostoa {path} ei löydy. Tarkista polku.",
                          f"Forms file {path} does not exist. Check the path.") from None
    except OSError as error:
        raise FileProblem(f"Lomaketiedostoa {path} ei voi lukea ({error.strerror}).",
                          f"Cannot read forms file {path} ({error.strerror}).") from None
    if size > MAX_BYTES:
        raise _problem(path, "tiedosto on liian suuri lomakevastauksiksi (yli 50 Mt).",
                       "the file is too large for form responses (over 50 MB).")
    if head.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(path)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _problem(path, "tiedosto on vanhaa .xls-muotoa. Tallenna se muodossa .xlsx tai CSV UTF-8.",
                       "this is an old .xls file. Save it as .xlsx or CSV UTF-8.")
    else:
        table = _csv_rows(path)
    return _map_columns(path, table)


def _xlsx_rows(path: Path) -> list[tuple[int, list]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own errors for broken or encrypted packages
        raise _problem(path, f"Excel-tiedostoa ei voi lukea ({error}). Vie vastaukset uudelleen lomakepalvelusta.",
                       f"cannot read the Excel file ({error}). Export the responses again.") from None
    return [(i, [None if v == "" else v for v in row]) for i, row in enumerate(data, start=1)]


def _csv_rows(path: Path) -> list[tuple[int, list]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _problem(path, "CSV-tiedosto ei ole UTF-8-muodossa. Tallenna se muodossa \"CSV UTF-8\" tai vie "
                             "vastaukset uudelleen lomakepalvelusta.",
                       "the CSV file is not UTF-8. Save it as \"CSV UTF-8\" or export the responses again.") from None
    if "\x00" in text:
        raise _problem(path, "tiedosto ei ole CSV- eikä Excel-tiedosto.", "the file is neither CSV nor Excel.")
    first_line = text.splitlines()[0] if text else ""
    delimiter = max((";", ",", "\t"), key=lambda d: _known_headers(next(csv.reader([first_line], delimiter=d), [])))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(i, [v if v.strip() else None for v in row]) for i, row in enumerate(reader, start=1)]


def _known_headers(cells: list) -> int:
    return sum(header_key(c) in QUESTION_KEYS for c in cells)


def _map_columns(path: Path, table: list[tuple[int, list]]) -> FormsFile:
    table = [(n, row) for n, row in table if any(v is not None for v in row)]
    if not table:
        raise _problem(path, "tiedostossa ei ole vastauksia.", "the file holds no responses.")
    header_row, headers = table[0]
    forms = FormsFile(path=path)
    for col, text in enumerate(headers, start=1):
        name = QUESTION_KEYS.get(header_key(text))
        if name and name not in forms.columns:
            forms.columns[name] = col
        elif text is not None:
            forms.ignored.append(str(text))
    missing = [QUESTIONS[n][0] for n, (_q, required) in QUESTIONS.items() if required and n not in forms.columns]
    if missing:
        raise _problem(path, f"rivillä {header_row} ei ole kysymyksiä: {', '.join(missing)}. Otsikkorivin pitää "
                             f"olla ensimmäinen rivi ja kysymysten nimet kuten sopimuksessa.",
                       f"row {header_row} lacks the questions: {', '.join(missing)}. The header must be the first "
                       f"row, with the questions named as agreed.")
    for number, row in table[1:]:
        values = {name: (row[col - 1] if col - 1 < len(row) else None) for name, col in forms.columns.items()}
        forms.rows.append((number, values))
    return forms
