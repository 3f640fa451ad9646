"""Who is on each teacher's list (domain P12): only that teacher's own aktiivinen and tauolla students, and
only what a teacher needs (name, guardian, e-mail, phone, birth year). Pure pandas."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.model import text as normalize

LIST_STATUSES = ("aktiivinen", "tauolla")


@dataclass
class TeacherList:
    teacher: str
    file: Path
    student_ids: list[str]


@dataclass
class TeacherListsResult:
    folder: Path
    lists: list[TeacherList] = field(default_factory=list)
    teachers_without_students: list[str] = field(default_factory=list)
    students_without_teacher: list[str] = field(default_factory=list)   # listed students, but in no file


def students_by_teacher(tables) -> dict[str, pd.DataFrame]:
    """Each teacher of Opettajat -> their own aktiivinen and tauolla students (matched on the normalised name)."""
    students = tables.students[tables.students["status"].isin(LIST_STATUSES)]
    keys = students["teacher"].map(lambda t: normalize.key(t) if isinstance(t, str) else None)
    return {name: students[keys == normalize.key(name)] for name in tables.teachers["name"].dropna()}


def list_rows(students: pd.DataFrame) -> list[tuple[str, ...]]:
    rows = []
    for _, s in students.sort_values(["last_name", "first_name"], key=lambda c: c.map(normalize.key)).iterrows():
        birth = s["birth_date"]
        rows.append((f"{s['first_name']} {s['last_name']}", s["guardian"] or "", s["email"] or "", s["phone"] or "",
                     str(birth.year) if birth else ""))
    return rows
