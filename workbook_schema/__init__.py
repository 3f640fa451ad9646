"""The register workbook, declared: one pandera DataFrameModel per sheet, settings and their defaults.

Imports pandas and pandera only (tests/test_architecture.py keeps it so).
"""

from workbook_schema.settings import SETTINGS, Setting
from workbook_schema.sheets import (
    CHOICES,
    DATA_SHEETS,
    SHEET_ORDER,
    SHEETS,
    Column,
    SheetSpec,
    sheet_spec,
)

__all__ = [
    "CHOICES",
    "DATA_SHEETS",
    "SHEET_ORDER",
    "SHEETS",
    "SETTINGS",
    "Column",
    "Setting",
    "SheetSpec",
    "sheet_spec",
]
