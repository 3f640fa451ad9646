"""`muskari demo`: a synthetic demo register and a semester forms export in one folder.

The data is relative to the as-of day: the same day always gives the same files, and any day gives the
same populations (``toolkit.demo.data``). Both files or neither: nothing is overwritten.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from toolkit.demo.data import FORMS_HEADERS, build_demo
from toolkit.office.new_workbook import (
    check_target,
    make_folder,
    refuse_existing,
    row_counts,
    save_new,
    workbook_from_records,
    write_new_file,
)

REGISTER_NAME = "rekisteri.xlsx"
FORMS_NAME = "ilmoittautumiset.csv"


def write_demo(folder: Path, as_of: date) -> tuple[dict[str, Path], dict[str, int]]:
    """The files written (``register``, ``forms``) and the rows of each sheet."""
    register, forms = folder / REGISTER_NAME, folder / FORMS_NAME
    refuse_existing(register)
    refuse_existing(forms)
    make_folder(folder)
    check_target(register)
    demo = build_demo(as_of)
    workbook = workbook_from_records(demo.records, demo.settings)
    save_new(workbook, register)
    try:
        write_new_file(forms, lambda handle: handle.write(forms_csv(demo).encode("utf-8")))
    except Exception:
        register.unlink()          # we made it a moment ago: leave both files or neither
        raise
    return {"register": register, "forms": forms}, row_counts(workbook)


def forms_csv(demo) -> str:
    """The forms as Google Forms exports them: UTF-8, every field quoted, comma-separated, the questions as
    the form asks them in the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(FORMS_HEADERS)
    writer.writerows(demo.forms_rows)
    return buffer.getvalue()
