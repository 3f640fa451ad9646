"""Cross-sheet and date rules over the typed tables (pure, vectorised).

Each finding comes with the causes it may follow from (toolkit.rules.collector): a reference sheet that is
missing, the id Excel turned into a number, the first row naming the same unknown unit or teacher, a
birth date later than the study rows. The collector folds it into the first cause that was found, so one
cause is said once with its consequences counted.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from toolkit.model.dates import add_months, age_on, birthday
from toolkit.model.findings import Finding, cell_ref, make
from toolkit.model.tables import Tables
from toolkit.model.text import key
from toolkit.rules.cells import display
from toolkit.rules.collector import Cause, cause_of
from toolkit.rules.student_ids import number_key

Found = list[tuple[Finding, tuple[Cause, ...]]]


def _where(frame: pd.DataFrame, mask) -> pd.DataFrame:
    """Rows where ``mask`` holds (an empty mask selects no rows, never columns)."""
    return frame.loc[pd.Series(mask, index=frame.index).fillna(False).astype(bool).to_numpy()]


def _unknown(series: pd.Series, known: set, distinct: set | None = None) -> np.ndarray:
    """True where a value is present and its comparison key is not in ``known``. Keys are computed once
    per distinct value (a million rows hold few distinct units or teachers); ``distinct`` when known."""
    distinct = set(series.tolist()) if distinct is None else distinct
    bad = {v for v in distinct if not pd.isna(v) and not (isinstance(v, str) and key(v) in known)}
    if not bad:
        return np.zeros(len(series), dtype=bool)
    return np.array([v in bad for v in series.tolist()], dtype=bool)


def _sheet_causes(sheet: str, header: str) -> tuple[Cause, ...]:
    """The findings that leave every reference to ``sheet`` unmatched: the sheet, its header row or its column."""
    return ((sheet, None, "missing-sheet"), (sheet, None, "missing-header"), (sheet, header, "missing-column"))


Distinct = dict[tuple[str, str], set]   # (table, field) -> its distinct values


def canonical_names(tables: Tables) -> Distinct:
    """Write unit and teacher names into the tables as Opintokokonaisuudet and Opettajat spell them ("soitin  1"
    is "Soitin 1"), so every rule and document groups them as one; unknown names stay as typed (the check reports
    them). Returns the distinct values of those columns, for the reference checks."""
    distinct: Distinct = {}
    for attr, field, names in (("studies", "unit", "units"), ("students", "teacher", "teachers"),
                               ("studies", "teacher", "teachers")):
        frame = getattr(tables, attr)
        spelling: dict[str, str] = {}
        for name in getattr(tables, names)["name"].dropna():
            spelling.setdefault(key(name), name)
        values = frame[field].tolist()
        seen = set(values)
        changed = {v: spelling[k] for v in seen if isinstance(v, str) and (k := key(v)) in spelling and spelling[k] != v}
        if changed:
            frame[field] = [changed.get(v, v) if isinstance(v, str) else v for v in values]
            seen = {changed.get(v, v) if isinstance(v, str) else v for v in seen}
        distinct[(attr, field)] = seen
    return distinct


def consistency_findings(tables: Tables, today: date, columns: dict[str, dict[str, int]],
                         number_ids: dict[str, Cause] | None = None, distinct: Distinct | None = None) -> Found:
    """[(finding, the causes it may follow from)] in the order the collector should see them (causes first).
    ``number_ids``: toolkit.rules.student_ids.advise_ids; ``distinct``: canonical_names."""
    out: Found = []

    def emit(code, sheet, header, frame_rows, values, causes=lambda row, value: (), **params):
        col = columns.get(sheet, {}).get(header)
        if col is None:
            return
        for row, value in zip(frame_rows, values, strict=False):
            finding = make(code, sheet=sheet, cell=cell_ref(col, int(row)), row=int(row), column=header,
                           value=display(value) if value is not None else None, params=params)
            out.append((finding, causes(int(row), value)))

    students, studies = tables.students, tables.studies
    _references(tables, columns, number_ids or {}, distinct or {}, emit)

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
    stale = _active_without_studies(tables, today)
    emit("active-without-studies", "Oppilaat", "Tila", stale["row"], stale["status"],
         age=int(tables.settings.muskari_age_limit))

    done = studies["completed"].tolist()
    future = studies.loc[np.array([d is not None and d > today for d in done], dtype=bool)]
    emit("future-date", "Opinnot", "Suoritettu", future["row"], future["completed"])
    _before_birth(tables, today, columns, emit, out)
    return out


def _references(tables: Tables, columns, number_ids: dict[str, Cause], distinct: Distinct, emit) -> None:
    """Opinnot's students, units and teachers, and Oppilaat's teachers, that the other sheets do not hold.
    The same unknown name on many rows is said once, at its first row."""
    students, studies = tables.students, tables.studies
    first: dict[tuple, Cause] = {}

    def same_value(code, sheet, header, of_key=key, before=()):
        """Causes of one row: the reference sheet, an id stored as a number, the first row with the same value."""
        col = columns.get(sheet, {}).get(header)

        def causes(row, value):
            here = (sheet, cell_ref(col, row), code)
            first_row = first.setdefault((code, of_key(value)), here)
            number = number_ids.get(number_key(value)) if isinstance(value, str) and value.isdigit() else None
            return (*before, *((number,) if number else ()), *((first_row,) if first_row != here else ()))
        return causes

    known_students = set(students["student_id"].dropna())
    bad = _where(studies, studies["student_id"].notna() & ~studies["student_id"].isin(known_students))
    emit("unknown-student", "Opinnot", "Oppilasnumero", bad["row"], bad["student_id"],
         causes=same_value("unknown-student", "Opinnot", "Oppilasnumero", of_key=lambda v: v,
                           before=_sheet_causes("Oppilaat", "Oppilasnumero")))
    known_units = {key(u) for u in tables.units["name"].dropna()}
    bad = studies.loc[_unknown(studies["unit"], known_units, distinct.get(("studies", "unit")))]
    emit("unknown-study-unit", "Opinnot", "Opintokokonaisuus", bad["row"], bad["unit"],
         causes=same_value("unknown-study-unit", "Opinnot", "Opintokokonaisuus",
                           before=_sheet_causes("Opintokokonaisuudet", "Nimi")))
    known_teachers = {key(t) for t in tables.teachers["name"].dropna()}
    for sheet, attr in (("Oppilaat", "students"), ("Opinnot", "studies")):
        frame = getattr(tables, attr)
        bad = frame.loc[_unknown(frame["teacher"], known_teachers, distinct.get((attr, "teacher")))]
        emit("unknown-teacher", sheet, "Opettaja", bad["row"], bad["teacher"],
             causes=same_value("unknown-teacher", sheet, "Opettaja", before=_sheet_causes("Opettajat", "Nimi")))


def _before_birth(tables: Tables, today: date, columns, emit, out: Found) -> None:
    """Study rows completed before the student's birth. A future birth date is their cause; a birth date later
    than two or more of a student's rows is said once at the birth date; a single row stays at its own cell."""
    students, studies = tables.students, tables.studies
    births = students["birth_date"].tolist()
    birth_of = dict(zip(students["student_id"].tolist(), births, strict=False)).get
    before = studies.loc[_completed_before(studies["student_id"], studies["completed"], birth_of)]
    if not len(before):
        return
    birth_col = columns.get("Oppilaat", {}).get("Syntymäaika")
    row_of = dict(zip(students["student_id"].tolist(), students["row"].tolist(), strict=False))
    counts = before["student_id"].value_counts()
    roots: dict[str, Cause] = {}
    for student_id, count in counts.items():
        birth, row = birth_of(student_id), row_of.get(student_id)
        if birth_col is None or row is None:
            continue
        ref = cell_ref(birth_col, int(row))
        if birth > today:
            roots[student_id] = ("Oppilaat", ref, "future-date")
        elif count >= 2:
            root = make("birth-after-studies", sheet="Oppilaat", cell=ref, row=int(row), column="Syntymäaika",
                        value=display(birth))
            out.append((root, ()))
            roots[student_id] = cause_of(root)
    owner = dict(zip(before["row"].tolist(), before["student_id"].tolist(), strict=True))
    emit("date-before-birth", "Opinnot", "Suoritettu", before["row"], before["completed"],
         causes=lambda row, value: (roots[owner[row]],) if owner[row] in roots else ())


def _completed_before(ids: pd.Series, done: pd.Series, birth_of) -> np.ndarray:
    """Per study row: completed on a date before its student's birth date (both dates). Decided once per distinct
    student id and distinct date (a million study rows hold far fewer), each row then takes its pair's answer:
    the same as ``isinstance(d, date) and isinstance(b := birth_of(s), date) and d < b`` row by row."""
    id_codes, id_values = _distinct(ids)
    day_codes, day_values = _distinct(done)
    birth_days = np.array([b.toordinal() if isinstance(b := birth_of(s), date) else np.nan for s in id_values])
    done_days = np.array([d.toordinal() if isinstance(d, date) else np.nan for d in day_values])
    return done_days[day_codes] < birth_days[id_codes]            # NaN (not a date) compares False


def _distinct(series: pd.Series) -> tuple[np.ndarray, list]:
    """(per row, the position of its value among the distinct values; the distinct values, exactly as held)."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    values = list(uniques)
    if (codes < 0).any():                        # a blank (None) is a value of its own here
        codes = np.where(codes < 0, len(values), codes)
        values.append(None)
    return codes, values


def _active_without_studies(tables: Tables, today: date) -> pd.DataFrame:
    """Aktiivinen students past the muskari age limit who will not continue (Jatkaa soitinopintoihin `ei`),
    with no deletion request and no study row completed in the past year. Rightly never a purge candidate
    (an active customer), so only the owner can end them: she is reminded to update Tila."""
    students, studies = tables.students, tables.studies
    candidates = _where(students, (students["status"] == "aktiivinen") & (students["continues"] == "ei")
                        & students["deletion_requested"].isna() & students["student_id"].notna())
    if not len(candidates):
        return candidates
    limit = int(tables.settings.muskari_age_limit)
    year_ago = add_months(today, -12)
    past = [isinstance(b, date) and b <= today and birthday(b, limit) <= today for b in candidates["birth_date"].tolist()]
    candidates = candidates.loc[np.array(past, dtype=bool)]
    if not len(candidates):
        return candidates
    theirs = studies.loc[studies["student_id"].isin(set(candidates["student_id"])).to_numpy()]
    recent = {s for s, d in zip(theirs["student_id"].tolist(), theirs["completed"].tolist(), strict=True)
              if isinstance(d, date) and d > year_ago}
    return candidates.loc[~candidates["student_id"].isin(recent).to_numpy()]
