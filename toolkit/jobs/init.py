"""`muskari init`: an empty register with every sheet, header, dropdown and default setting."""

from __future__ import annotations

from pathlib import Path

from toolkit.office.new_workbook import check_target, new_workbook, row_counts, save_new


def create_register(path: Path) -> dict[str, int]:
    """Write a new register at ``path`` (refused when anything is there); the rows of each sheet."""
    check_target(path)          # refuse before building anything
    workbook = new_workbook()
    save_new(workbook, path)
    return row_counts(workbook)
