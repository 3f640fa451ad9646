"""Cross-sheet and date rules over the typed tables (pure, vectorised)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.model.dates import age_on
from toolkit.model.findings import Finding, cell_ref, make
from toolkit.model.tables import Tables
from toolkit.model.text import key
from toolkit.rules.cells import display


def _where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """Rows where ``mask`` holds (an empty mask selects no rows, never columns)."""
    return frame.loc[pd.Series(mask, index=frame.index).fillna(False).astype(bool).to_numpy()]


def _unknown(series: pd.Series, known: set) -> np.ndarray:
    """True where a value is present and its comparison key is not in ``known``. Keys are computed once
    per distinct value (a million rows hold few distinct units or teachers)."""
    values = series.tolist()
    bad = {v for v in set(values) if not pd.isna(v) and not (isinstance(v, str) and key(v) in known)}
    if not bad:
        return np.zeros(len(values), dtype=bool)
    return np.array([v in bad for v in values], dtype=bool)


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
    bad = studies.loc[_unknown(studies["unit"], known_units)]
    emit("unknown-study-unit", "Opinnot", "Opintokokonaisuus", bad["row"], bad["unit"])
    for sheet, frame in (("Oppilaat", students), ("Opinnot", studies)):
        bad = frame.loc[_unknown(frame["teacher"], known_teachers)]
        emit("unknown-teacher", sheet, "Opettaja", bad["row"], bad["teacher"])

    # date rules as comprehensions over the date objects (pandas' .map would call a lambda per row anyway)
    births = students["birth_date"].tolist()
    future = students.loc[np.array([d is not None and d > today for d in births], dtype=bool)]
    emit("future-date", "Oppilaat", "Syntymäaika", future["row"], future["birth_date"])
    ages = [age_on(d, today) if d else None for d in births]
    old = students.loc[np.array([a is not None and a >= 100 for a in ages], dtype=bool)]
    emit("implausible-age", "Oppilaat", "Syntymäaika", old["row"], old["birth_date"])
    minors = _where(students, np.array([a is not None and 0 <= a < 18 for a in ages], dtype=bool)
                    & students["guardian"].isna().to_numpy())
    emit("missing-guardian", "Oppilaat", "Huoltaja", minors["row"], minors["guardian"])
    active = _where(students, (students["status"] == "aktiivinen") & students["email"].isna())
    emit("missing-email", "Oppilaat", "Sähköposti", active["row"], active["email"])

    done = studies["completed"].tolist()
    future = studies.loc[np.array([d is not None and d > today for d in done], dtype=bool)]
    emit("future-date", "Opinnot", "Suoritettu", future["row"], future["completed"])
    birth_of = dict(zip(students["student_id"].tolist(), births, strict=False)).get
    before = studies.loc[np.array([isinstance(d, date) and isinstance(b := birth_of(s), date) and d < b
                                   for s, d in zip(studies["student_id"].tolist(), done, strict=True)], dtype=bool)]
    emit("date-before-birth", "Opinnot", "Suoritettu", before["row"], before["completed"])
    return out
