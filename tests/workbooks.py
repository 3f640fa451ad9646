"""Building small real register workbooks in tests (openpyxl), valid by default.

    path = build_register(tmp_path / "r.xlsx")                       # a small valid register
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D2"): "31.2.2019"})
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from workbook_schema import SHEET_ORDER, SHEETS
from workbook_schema.settings import SETTINGS

AS_OF = date(2026, 6, 1)

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


def build_register(path: Path, edits: dict | None = None, rows: dict | None = None) -> Path:
    """Write a valid register to ``path``. ``rows`` replaces a sheet's data rows; ``edits`` sets single cells."""
    data = {"Oppilaat": STUDENTS, "Opinnot": STUDIES, "Opintokokonaisuudet": UNITS, "Opettajat": TEACHERS,
            "Todistukset": CERTIFICATES, "Valmistuneet": GRADUATES, "Yhteydenotot": CONTACTS,
            "Asetukset": [[s.key, s.default, s.fi] for s in SETTINGS], "Loki": []}
    data.update(rows or {})
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in SHEET_ORDER:
        sheet = workbook.create_sheet(name)
        if name == "Ohje":
            sheet["A1"] = "Ohje"
            continue
        sheet.append(list(SHEETS[name].headers))
        for row in data.get(name, []):
            sheet.append(list(row))
        for column in SHEETS[name].columns:
            if column.kind == "date":
                col = SHEETS[name].headers.index(column.header) + 1
                for r in range(2, sheet.max_row + 1):
                    sheet.cell(r, col).number_format = "d.m.yyyy"
    for (sheet, ref), value in (edits or {}).items():
        cell = workbook[sheet][ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("=") and not value.startswith("=="):
            continue  # a deliberate formula
        if isinstance(value, str):
            cell.data_type = "s"
    workbook.save(path)
    return path
