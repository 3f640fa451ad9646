"""Helpers for the writer's tests: small real registers in tmp_path, zip-part comparison."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from toolkit.office.new_workbook import add_records, new_workbook

NAMES = [("Aino", "Virtanen"), ("Eino", "Korhonen"), ("Helmi", "Mäkinen"), ("Onni", "Nieminen"),
         ("Venla", "Järvinen"), ("Leo", "Heikkinen"), ("Iida", "Koskinen"), ("Väinö", "Lehtonen")]


def student_records(n: int = 8) -> list[dict]:
    out = []
    for i in range(1, n + 1):
        first, last = NAMES[(i - 1) % len(NAMES)]
        out.append({"student_id": f"{i:04d}", "first_name": first, "last_name": last,
                    "birth_date": date(2015 + i % 5, 1 + i % 12, 1 + i % 27), "guardian": f"Huoltaja {i}",
                    "email": f"perhe{i}@example.fi", "phone": f"040 123 {i:04d}", "teacher": "Liisa Laulu",
                    "status": "aktiivinen"})
    return out


def study_records(n: int = 8) -> list[dict]:
    return [{"student_id": f"{i:04d}", "unit": "Muskari 1", "semester": "kevät 2024", "hours": 30.0,
             "completed": date(2024, 5, 31)} for i in range(1, n + 1)]


def build_register(path: Path, students: int = 8, customise=None) -> Path:
    """A register like `init` + data would make; ``customise(workbook)`` adds a feature before saving."""
    workbook = new_workbook()
    add_records(workbook, "Opettajat", [{"name": "Liisa Laulu", "email": "liisa@example.fi"}])
    add_records(workbook, "Oppilaat", student_records(students))
    add_records(workbook, "Opinnot", study_records(students))
    if customise is not None:
        customise(workbook)
    workbook.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files the writer may have left in ``folder`` (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if "muskari-tmp" in p.name)
