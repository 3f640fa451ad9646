"""`muskari check`: read the register and check it; every other job starts here."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def load_checked(path: str | Path, today: date, *, data: bytes | None = None):
    """Read and check: ``(register, CheckResult)``. Raises a MuskariError when the file cannot be read.
    A big register shows a progress bar on stderr (toolkit.system.progress) when a person is watching.
    ``data``: the register's bytes in memory instead of the file (a dry run's preview of a change)."""
    from toolkit.system.progress import register_task
    from toolkit.xlsx.reading import read_register

    with register_task(path) as bar:
        register = read_register(path, progress=bar.advance, data=data)   # loads pandas while fastexcel parses
        from toolkit.rules.validation import check_register

        return register, check_register(register, today, progress=bar.advance)
