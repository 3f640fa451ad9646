"""Real register workbooks for tests, built in tmp_path by the project's own writer (`init`'s layout).

    build_register(path)                                              # the small valid register below
    build_register(path, make_tables(students=[student()]))           # factory tables (tests/factories.py)
    build_register(path, edits={("Oppilaat", "D2"): "31.2.2019"})     # one broken cell; "=..." is a formula
    build_register(path, rows={"Opinnot": []})                        # a sheet's data rows, raw values in order
    build_register(path, tables, settings={"Paikkakunta": "Espoo"})   # Asetus -> Arvo (others: the default)
    build_register(path, tables, extra={"Oppilaat": ("Soitin", ["viulu", "piano"])})   # the owner's own column
    build_register(path, customise=lambda workbook: ...)              # add a feature before saving

The workbook is `toolkit.office.new_workbook`'s (every sheet, header, format, dropdown) and the tables'
rows are written by its `add_records`, so a test sees the register `init` and the commands make. Raw rows
and edits are written as the owner would have typed them (a number stays a number, even as an id; a
boolean a boolean; a text is a text cell unless it is a deliberate formula): they carry the owner's mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from toolkit.model.tables import TABLE_SHEETS, Tables
from toolkit.office.new_workbook import add_records, new_workbook, set_value
from toolkit.office.text_cells import set_text
from workbook_schema import SHEETS

AS_OF = date(2026, 6, 1)     # the day the default register is valid on

# --- the small default register: rows in column order ---------------------------------------------

STUDENTS = [
    # Oppilasnumero, Etunimi, Sukunimi, Syntymäaika, Huoltaja, Sähköposti, Puhelin, Opettaja, Tila,
    # Jatkaa soitinopintoihin, Poistopyyntö, Viimeisin ilmoittautuminen, Lisätiedot
    ["0001", "Aino", "Virtanen", date(2020, 3, 1), "Maija Virtanen", "virtanen@example.fi", "040 123 4567",
     "Liisa Laulu", "aktiivinen", None, None, date(2025, 12, 1), None],
    ["0002", "Eetu", "Mäkelä", date(2012, 5, 17), "Pekka Mäkelä", "makela@example.fi", "+358 40 765 4321",
     "Kalle Kantele", "aktiivinen", "kyllä", None, None, "Soittaa myös rumpuja"],
    ["0003", "Onni", "Laine", date(2004, 1, 9), None, "onni.laine@example.com", None, "Kalle Kantele",
     "päättynyt", "kyllä", None, None, None],
]
STUDIES = [
    ["0001", "Muskari 1", "kevät 2024", 22.5, date(2024, 5, 31), "Liisa Laulu"],
    ["0002", "Soitin 1", "syksy 2023", 100, date(2023, 12, 15), "Kalle Kantele"],
    ["0002", "Bändi", "kevät 2025", 50, date(2025, 5, 30), None],
    ["0003", "Soitin 1", "kevät 2020", 100, date(2020, 5, 29), "Kalle Kantele"],
]
UNITS = [
    ["Muskari 1", "varhaisiän musiikkikasvatus", 30],
    ["Soitin 1", "yhteiset opinnot", 100],
    ["Bändi", "teemaopinnot", 100],
]
TEACHERS = [["Liisa Laulu", "liisa@example.fi"], ["Kalle Kantele", "kalle@example.fi"]]
CERTIFICATES = [["2025-001", "0002", "muskaritodistus", date(2019, 6, 1), None]]
GRADUATES = [[2019, "Eetu Mäkelä", "muskaritodistus", "2025-001"]]
CONTACTS = [["Ville Vieras", "ville@example.fi", None, date(2026, 3, 1), "tiedote"]]

DEFAULT_ROWS = {"Oppilaat": STUDENTS, "Opinnot": STUDIES, "Opintokokonaisuudet": UNITS, "Opettajat": TEACHERS,
                "Todistukset": CERTIFICATES, "Valmistuneet": GRADUATES, "Yhteydenotot": CONTACTS}

Cell = tuple[str, str]                                   # (sheet, "D2")
Column = tuple[str, Sequence[object]]                    # (header, values by data row)


def build_register(path: Path, tables: Tables | None = None, *, rows: Mapping[str, Sequence[Sequence]] | None = None,
                   edits: Mapping[Cell, object] | None = None, settings: Mapping[str, object] | None = None,
                   extra: Mapping[str, Column] | None = None,
                   customise: Callable[[object], None] | None = None) -> Path:
    """Save a register to ``path`` and return it.

    ``tables`` (factories.make_tables) gives the data rows, else the small default register above (raw
    rows); ``rows`` replaces a sheet's data rows with raw values in column order; ``settings`` sets an
    Asetus's Arvo; ``extra`` adds the owner's own column right of a sheet's columns; ``edits`` then sets
    single cells raw; ``customise(workbook)`` adds anything else just before the save.
    """
    raw = {**(DEFAULT_ROWS if tables is None else {}), **(rows or {})}
    workbook = new_workbook(settings)
    for sheet, records in (_records_of(tables) if tables is not None else {}).items():
        if sheet not in raw:
            add_records(workbook, sheet, records)
    for sheet, values in raw.items():
        for row, cells in enumerate(values, start=2):
            for column, value in enumerate(cells, start=1):
                _edit(workbook[sheet].cell(row=row, column=column), value)
    for sheet, (header, values) in (extra or {}).items():
        _add_column(workbook[sheet], header, values)
    for (sheet, ref), value in (edits or {}).items():
        _edit(workbook[sheet][ref], value)
    if customise is not None:
        customise(workbook)
    workbook.save(path)
    return Path(path)


def _records_of(tables: Tables) -> dict[str, list[dict]]:
    out = {}
    for attr, sheet in TABLE_SHEETS.items():
        frame = getattr(tables, attr)
        fields = [c.field for c in SHEETS[sheet].columns]
        out[sheet] = [{f: _plain(rec[f]) for f in fields} for rec in frame.to_dict("records")]
    return out


def _plain(value):
    """A frame's missing value (None, NaN, NaT) is an empty cell."""
    return None if pd.isna(value) else value


def _add_column(ws, header: str, values: Sequence[object]) -> None:
    column = len(SHEETS[ws.title].columns) + 1
    set_text(ws.cell(row=1, column=column), header)
    for row, value in enumerate(values, start=2):
        set_value(ws.cell(row=row, column=column), value, "text")


def _edit(cell, value) -> None:
    if isinstance(value, str) and not (value.startswith("=") and not value.startswith("==")):
        set_text(cell, value)              # text stays text, even "==" or "+358..."
    elif isinstance(value, date) and not isinstance(value, datetime):
        set_value(cell, value, "date")     # a date shown d.m.yyyy, as Excel shows a typed date
    else:
        cell.value = value                 # numbers, booleans, times, None and deliberate formulas as they are
