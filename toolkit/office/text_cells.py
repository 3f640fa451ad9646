"""Writing text into an openpyxl cell so that it stays text: a leading = + - @ never makes a formula."""

from __future__ import annotations


def set_text(cell, value) -> None:
    """Write ``value`` as a text cell (``None`` as an empty string)."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
