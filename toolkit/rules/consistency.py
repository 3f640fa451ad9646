"""Cross-sheet and date rules over the typed tables (pure, vectorised)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from toolkit.findings import Finding, cell_ref
from toolkit.messages import make
from toolkit.normalize import key
from toolkit.rules.cells import display
from toolkit.tables import Tables


def age_on(birth: date, day: date) -> int:
    """Completed years at ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """Rows where ``mask`` holds (an empty mask selects no rows, never columns)."""
    return frame.loc[pd.Series(mask, index=frame.index).fillna(False).astype(bool).to_numpy()]


def _keys(series: pd.Series) -> pd.Series:
    """Comparison keys, computed once per distinct value (a million rows hold few distinct units)."""
    distinct = {v: key(v) for v in set(series.dropna()) if isinstance(v, str)}
    return series.map(distinct)


def consistency_findings(tables: Tables, today: date, columns: dict[str, dict[str, int]]) -> list[Finding]:
    out: list[Finding] = []

    def emit(code, sheet, header, frame_rows, values, **params):
        col = columns.get(sheet, {}).get(header)
        if col is None:
            return
        for row, value in zip(frame_rows, values, strict=False):
            out.append(make(code, sheet=sheet, cell=cell_ref(col, int(row)), row=int(row), column=header,
                            value=display(value) if value is not None else None, params=params))

    students, studies = tables.students, tables.studies
    known_students = set(students["student_id"].dropna())
    known_units = {key(u) for u in tables.units["name"].dropna()}
    known_teachers = {key(t) for t in tables.teachers["name"].dropna()}

    bad = _where(studies, studies["student_id"].notna() & ~studies["student_id"].isin(known_students))
    emit("unknown-student", "Opinnot", "Oppilasnumero", bad["row"], bad["student_id"])
    unit_keys = _keys(studies["unit"])
    bad = _where(studies, studies["unit"].notna() & ~unit_keys.isin(known_units))
    emit("unknown-study-unit", "Opinnot", "Opintokokonaisuus", bad["row"], bad["unit"])
    for sheet, frame in (("Oppilaat", students), ("Opinnot", studies)):
        teacher_keys = _keys(frame["teacher"])
        bad = _where(frame, frame["teacher"].notna() & ~teacher_keys.isin(known_teachers))
        emit("unknown-teacher", sheet, "Opettaja", bad["row"], bad["teacher"])

    births = students["birth_date"]
    has_birth = births.notna()
    future = _where(students, has_birth & (births.map(lambda d: d > today if d else False)))
    emit("future-date", "Oppilaat", "Syntymäaika", future["row"], future["birth_date"])
    ages = births.map(lambda d: age_on(d, today) if d else None)
    old = _where(students, ages.map(lambda a: a is not None and a >= 100))
    emit("implausible-age", "Oppilaat", "Syntymäaika", old["row"], old["birth_date"])
    minors = _where(students, ages.map(lambda a: a is not None and 0 <= a < 18) & students["guardian"].isna())
    emit("missing-guardian", "Oppilaat", "Huoltaja", minors["row"], minors["guardian"])
    active = _where(students, (students["status"] == "aktiivinen") & students["email"].isna())
    emit("missing-email", "Oppilaat", "Sähköposti", active["row"], active["email"])

    done = studies["completed"]
    future = _where(studies, done.map(lambda d: d is not None and d > today))
    emit("future-date", "Opinnot", "Suoritettu", future["row"], future["completed"])
    birth_by_id = dict(zip(students["student_id"], births, strict=False))
    student_birth = studies["student_id"].map(birth_by_id)
    before = _where(studies, [isinstance(d, date) and isinstance(b, date) and d < b
                              for d, b in zip(done, student_birth, strict=False)])
    emit("date-before-birth", "Opinnot", "Suoritettu", before["row"], before["completed"])
    return out
