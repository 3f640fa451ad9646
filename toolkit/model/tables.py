"""Typed register tables: what the rules see after reading and validation.

Each frame has the English field names of ``workbook_schema/models.py`` plus ``row`` (the Excel row
number, also the index). Dates are ``datetime.date`` or None, numbers float, text ``str`` or None,
choices lower case. Pure data: no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbook_schema import SHEETS
from workbook_schema.settings import Settings

# Tables attribute -> sheet name
TABLE_SHEETS = {
    "students": "Oppilaat",
    "studies": "Opinnot",
    "units": "Opintokokonaisuudet",
    "teachers": "Opettajat",
    "certificates": "Todistukset",
    "graduates": "Valmistuneet",
    "contacts": "Yhteydenotot",
}


def fields_of(sheet: str) -> list[str]:
    return [c.field for c in SHEETS[sheet].columns]


def empty_frame(sheet: str) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in ["row", *fields_of(sheet)]})
    frame.index.name = "excel_row"
    return frame


def frame_from_records(sheet: str, records: list[dict], first_row: int = 2) -> pd.DataFrame:
    """A typed frame from dicts of English field names; missing fields are None; rows numbered from 2."""
    names = fields_of(sheet)
    rows = []
    for i, rec in enumerate(records):
        unknown = set(rec) - set(names) - {"row"}
        if unknown:
            raise KeyError(f"{sheet}: unknown fields {sorted(unknown)}")
        row = {"row": rec.get("row", first_row + i)}
        row.update({n: rec.get(n) for n in names})
        rows.append(row)
    if not rows:
        return empty_frame(sheet)
    frame = pd.DataFrame(rows, columns=["row", *names], dtype=object)
    frame.index = pd.Index(frame["row"].astype(int), name="excel_row")
    for col in frame.columns:
        if SHEETS[sheet].columns and col != "row":
            kind = next(c.kind for c in SHEETS[sheet].columns if c.field == col)
            if kind in ("number", "integer"):
                frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


@dataclass
class Tables:
    students: pd.DataFrame = field(default_factory=lambda: empty_frame("Oppilaat"))
    studies: pd.DataFrame = field(default_factory=lambda: empty_frame("Opinnot"))
    units: pd.DataFrame = field(default_factory=lambda: empty_frame("Opintokokonaisuudet"))
    teachers: pd.DataFrame = field(default_factory=lambda: empty_frame("Opettajat"))
    certificates: pd.DataFrame = field(default_factory=lambda: empty_frame("Todistukset"))
    graduates: pd.DataFrame = field(default_factory=lambda: empty_frame("Valmistuneet"))
    contacts: pd.DataFrame = field(default_factory=lambda: empty_frame("Yhteydenotot"))
    settings: Settings = field(default_factory=Settings)
