"""The register workbook, declared: one pandera DataFrameModel per sheet, settings and their defaults.

Imports pandas and pandera only (tests/test_architecture.py keeps it so). The names below load on first use,
so ``workbook_schema.choices`` (plain constants) costs nothing at start-up.
"""

from __future__ import annotations

import importlib

_WHERE = {"SETTINGS": "settings", "Setting": "settings", "CHOICES": "sheets", "DATA_SHEETS": "sheets",
          "SHEET_ORDER": "sheets", "SHEETS": "sheets", "Column": "sheets", "SheetSpec": "sheets",
          "sheet_spec": "sheets"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"workbook_schema.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbook_schema' has no attribute {name!r}")
