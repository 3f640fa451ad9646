"""Real register workbooks for end-to-end tests, built in tmp_path from factory records.

    path = write_register(tmp_path / "rekisteri.xlsx", make_tables(students=[student()]))
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from toolkit.model.tables import TABLE_SHEETS, Tables
from workbook_schema import SHEET_ORDER, SHEETS
from workbook_schema.settings import SETTINGS


def write_register(path: Path, tables: Tables, settings: dict[str, object] | None = None) -> Path:
    """Every contract sheet with its header; ``settings`` maps an Asetus to its Arvo (others blank = default)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    frames = {sheet: getattr(tables, attr) for attr, sheet in TABLE_SHEETS.items()}
    for name in SHEET_ORDER:
        ws = wb.create_sheet(name)
        if name == "Ohje":
            ws["A1"] = "Synteettinen testirekisteri."
            continue
        spec = SHEETS[name]
        ws.append(list(spec.headers))
        if name == "Asetukset":
            for s in SETTINGS:
                ws.append([s.key, (settings or {}).get(s.key), s.fi])
            continue
        frame = frames.get(name)
        if frame is None:
            continue
        for _, rec in frame.iterrows():
            values = []
            for col in spec.columns:
                v = rec[col.field]
                if v is None or (isinstance(v, float) and v != v):
                    v = None
                elif col.kind == "integer":
                    v = int(v)
                values.append(v)
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, date):
                    cell.number_format = "d.m.yyyy"
                elif isinstance(cell.value, str):
                    cell.data_type = "s"
    wb.save(path)
    return path
