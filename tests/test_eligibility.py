"""Eligibility rules: each boundary of the contract's "Eligibility" section, as tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from factories import certificate, make_tables, student, study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.model.dates import age_on
from toolkit.model.formatting import format_date, format_hours, format_number, format_years
from toolkit.model.tables import Tables, frame_from_records
from toolkit.rules.eligibility import REASONS, assess_eligibility
from workbook_schema.choices import FINAL, MUSKARI
from workbook_schema.settings import Settings

TODAY = date(2026, 6, 1)


def results_of(tables, today=TODAY):
    return {(r.student_id, r.certificate): r for r in assess_eligibility(tables, today)}


def one(tables, kind, today=TODAY, sid="0001"):
    return results_of(tables, today)[(sid, kind)]


# --- formatting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, fi, en", [
    (22.5, "22,5 h", "22.5 h"), (60.0, "60 h", "60 h"), (0, "0 h", "0 h"), (12.25, "12,25 h", "12.25 h"),
    (0.1 + 0.2, "0,3 h", "0.3 h"), (1234.0, "1234 h", "1234 h"), (None, "", ""),
], ids=str)
def test_format_hours(value, fi, en):
    assert format_hours(value) == fi
    assert format_hours(value, "en") == en


def test_format_date_and_years():
    assert format_date(date(2026, 6, 1)) == "1.6.2026"
    assert format_date(date(2026, 12, 31)) == "31.12.2026"
    assert format_date(date(2026, 6, 1), "en") == "2026-06-01"
    assert format_date(None) == ""
    assert format_years(2018, 2026) == "2018–2026"
    assert format_years(2026, 2026) == "2026"
    assert format_number(-0.001) == "0"


# --- muskaritodistus ------------------------------------------------------------------------------

BORN = date(2019, 3, 1)          # 7th birthday 1.3.2026


@pytest.mark.parametrize("completed, counted", [
    (date(2026, 2, 28), True),    # the day before the birthday counts
    (date(2026, 3, 1), False),    # on the birthday itself: no longer muskari hours
    (date(2026, 3, 2), False),
], ids=["day-before", "birthday", "day-after"])
def test_muskari_hours_count_until_the_age_limit_birthday(completed, counted):
    t = make_tables(students=[student(birth=BORN)],
                    studies=[study(hours=40), study(unit="Muskari 2", hours=20, completed=completed)])
    r = one(t, MUSKARI)
    assert r.hours == (60.0 if counted else 40.0)
    assert r.status == ("eligible" if counted else "out-of-reach")


@pytest.mark.parametrize("today, status", [
    (date(2026, 2, 28), "in-progress"),
    (date(2026, 3, 1), "out-of-reach"),   # the as-of day on the birthday itself
], ids=["day-before-birthday", "on-birthday"])
def test_muskari_out_of_reach_from_the_birthday(today, status):
    t = make_tables(students=[student(birth=BORN)], studies=[study(hours=40)])
    r = one(t, MUSKARI, today)
    assert (r.status, r.missing) == (status, 20.0)


@pytest.mark.parametrize("today, status", [
    (date(2027, 2, 28), "in-progress"),   # 2027 has no 29.2.: the birthday is 1.3.
    (date(2027, 3, 1), "out-of-reach"),
], ids=["28.2.", "1.3."])
def test_leap_day_birthday_falls_on_first_of_march(today, status):
    t = make_tables(students=[student(birth=date(2020, 2, 29))], studies=[study(hours=40, completed=date(2025, 5, 1))])
    r = one(t, MUSKARI, today)
    assert r.status == status
    assert r.limit_date == date(2027, 3, 1)


def test_leap_day_birthday_in_a_leap_year_is_29_february():
    s = Settings(muskari_age_limit=8)       # 8th birthday in 2028, a leap year
    t = make_tables(students=[student(birth=date(2020, 2, 29))], studies=[study(completed=date(2028, 2, 28))],
                    settings=s)
    assert one(t, MUSKARI, date(2028, 2, 29)).limit_date == date(2028, 2, 29)
    assert one(t, MUSKARI, date(2028, 2, 29)).status == "out-of-reach"
    assert one(t, MUSKARI, date(2028, 2, 28)).hours == 30.0


@pytest.mark.parametrize("hours, threshold, status, missing", [
    (59.5, 60, "in-progress", 0.5),
    (60, 60, "eligible", 0.0),
    (66, 60, "eligible", 0.0),
    (40, 40, "eligible", 0.0),               # the setting moves the threshold
    (40, 45, "in-progress", 5.0),
], ids=["just-short", "exactly", "over", "setting-40", "setting-45"])
def test_muskari_hours_setting(hours, threshold, status, missing):
    t = make_tables(students=[student()], studies=[study(hours=hours)], settings=Settings(muskari_hours=threshold))
    r = one(t, MUSKARI, date(2025, 6, 1))
    assert (r.status, r.required, r.missing) == (status, float(threshold), missing)


def test_float_sums_do_not_miss_by_a_rounding_error():
    rows = [study(hours=0.1, completed=date(2024, 1, 1) + timedelta(days=i)) for i in range(600)]
    r = one(make_tables(students=[student()], studies=rows), MUSKARI)
    assert (r.status, r.hours, r.missing) == ("eligible", 60.0, 0.0)


def test_issued_wins_over_everything():
    t = make_tables(students=[student()], studies=[study(hours=10)],
                    certificates=[certificate("2025-004", "0001", MUSKARI, on=date(2025, 6, 2))])
    r = one(t, MUSKARI, date(2030, 1, 1))
    assert (r.status, r.reason, r.issued_number) == ("issued", "certificate-issued", "2025-004")
    assert r.reason_text() == "todistus 2025-004 annettu 2.6.2025"


def test_issued_for_another_student_or_kind_does_not_count():
    t = make_tables(students=[student(), student(id="0002")], studies=[study(hours=60)],
                    certificates=[certificate("2025-001", "0002", MUSKARI), certificate("2025-002", "0001", FINAL),
                                  certificate("2025-003", None, MUSKARI)])
    assert one(t, MUSKARI).status == "eligible"


# --- päättötodistus -------------------------------------------------------------------------------

def final_tables(common, thematic, settings=None, birth=date(2008, 5, 1), **kw):
    rows = []
    if common:
        rows.append(study(unit="Soitin 1", hours=common, completed=date(2025, 5, 1)))
    if thematic:
        rows.append(study(unit="Bändi", hours=thematic, completed=date(2025, 5, 1)))
    rows += kw.pop("extra", [])
    return make_tables(students=[student(birth=birth)], studies=rows, settings=settings, **kw)


@pytest.mark.parametrize("common, thematic, status, missing, reason", [
    (300, 200, "eligible", 0, "yhteiset opinnot ja teemaopinnot valmiit"),
    (288, 200, "in-progress", 12, "yhteisistä opinnoista puuttuu 12 h; teemaopinnot valmiit"),
    (450, 150, "in-progress", 50, "yhteiset opinnot valmiit; teemaopinnoista puuttuu 50 h"),   # surplus never covers
    (299.5, 199.5, "in-progress", 1, "yhteisistä opinnoista puuttuu 0,5 h; teemaopinnoista puuttuu 0,5 h"),
    (0, 200, "in-progress", 300, "yhteisistä opinnoista puuttuu 300 h; teemaopinnot valmiit"),  # only thematic rows
    (120, 0, "in-progress", 380, "yhteisistä opinnoista puuttuu 180 h; teemaopinnoista puuttuu 200 h"),
], ids=["complete", "common-short", "surplus-no-cover", "both-half", "only-thematic", "only-common"])
def test_final_certificate_per_part(common, thematic, status, missing, reason):
    r = one(final_tables(common, thematic), FINAL)
    assert (r.status, r.missing, r.hours, r.required) == (status, missing, common + thematic, 500.0)
    assert r.parts == {"yhteiset opinnot": {"hours": float(common), "required": 300.0},
                       "teemaopinnot": {"hours": float(thematic), "required": 200.0}}
    if status == "eligible":
        assert r.reason_text() == "yhteiset opinnot valmiit; teemaopinnot valmiit"
    else:
        assert r.reason_text() == reason


def test_reason_in_english():
    r = one(final_tables(288, 200), FINAL)
    assert r.reason_text("en") == "common studies: 12 h missing; thematic studies complete"


@pytest.mark.parametrize("setting, common_hours, status", [
    (False, 240.0, "in-progress"),
    (True, 300.0, "eligible"),
], ids=["muskari-not-counted", "muskari-counted"])
def test_muskari_hours_toward_common_studies(setting, common_hours, status):
    # 60 muskari hours, 20 of them after the age limit: "all muskari hours" count toward the common studies
    extra = [study(unit="Muskari 1", hours=40, completed=date(2015, 4, 30)),
             study(unit="Muskari 2", hours=20, completed=date(2016, 5, 1))]
    t = final_tables(240, 200, Settings(muskari_counts_to_common=setting), birth=date(2008, 5, 1), extra=extra)
    r = one(t, FINAL)
    assert (r.parts["yhteiset opinnot"]["hours"], r.status) == (common_hours, status)
    assert one(t, MUSKARI).hours == 40.0          # the muskari certificate still stops at the birthday


@pytest.mark.parametrize("today, status", [
    (date(2028, 4, 30), "in-progress"),
    (date(2028, 5, 1), "out-of-reach"),          # the 20th birthday
], ids=["age-19", "age-20"])
def test_study_window_closes_at_the_upper_age(today, status):
    r = one(final_tables(100, 100), FINAL, today)
    assert r.status == status
    if status == "out-of-reach":
        assert r.reason_text().startswith("20 vuoden yläikäraja täyttyi 1.5.2028; ")


def test_eligible_wins_over_the_age_limit():
    assert one(final_tables(300, 200), FINAL, date(2040, 1, 1)).status == "eligible"


def test_only_one_kind_of_record_gives_only_that_result():
    t = make_tables(students=[student("0001"), student("0002"), student("0003")],
                    studies=[study("0001", "Muskari 1"), study("0002", "Soitin 1", hours=50)])
    kinds = [(r.student_id, r.certificate) for r in assess_eligibility(t, TODAY)]
    assert kinds == [("0001", MUSKARI), ("0002", FINAL)]


def test_muskari_only_student_with_counting_setting_has_no_final_result():
    t = make_tables(students=[student()], studies=[study()], settings=Settings(muskari_counts_to_common=True))
    assert [r.certificate for r in assess_eligibility(t, TODAY)] == [MUSKARI]


def test_results_follow_student_order_and_unit_names_case_insensitively():
    t = make_tables(students=[student("0009"), student("0002")],
                    studies=[study("0002", "muskari 1"), study("0009", "SOITIN 1", hours=10), study("0009", "Muskari 2")])
    assert [(r.student_id, r.certificate) for r in assess_eligibility(t, TODAY)] == [
        ("0009", MUSKARI), ("0009", FINAL), ("0002", MUSKARI)]


def test_empty_register():
    assert assess_eligibility(Tables(), TODAY) == []


def test_is_close_and_json_shape():
    r = one(final_tables(300, 100), FINAL)          # 100 of 500 missing = 20 %
    assert r.is_close
    assert not one(final_tables(300, 99), FINAL).is_close
    d = r.to_dict()
    assert list(d)[:7] == ["student_id", "certificate", "status", "hours", "required", "missing", "reason"]
    assert d["parts"]["teemaopinnot"] == {"hours": 100.0, "required": 200.0}
    assert "parts" not in one(make_tables(students=[student()], studies=[study()]), MUSKARI).to_dict()


@pytest.mark.parametrize("birth, day, age", [
    (date(2019, 3, 1), date(2026, 2, 28), 6), (date(2019, 3, 1), date(2026, 3, 1), 7),
    (date(2020, 2, 29), date(2027, 2, 28), 6), (date(2020, 2, 29), date(2027, 3, 1), 7),
    (date(2020, 2, 29), date(2028, 2, 29), 8),
], ids=str)
def test_age_in_completed_years(birth, day, age):
    assert age_on(birth, day) == age


# --- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 6, 1))
units = st.sampled_from(["Muskari 1", "Muskari 2", "Soitin 1", "Soitin 2", "Bändi", "Sävellys"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(births=st.lists(dates, min_size=1, max_size=4),
       rows=st.lists(st.tuples(st.integers(0, 3), units, st.floats(0.25, 200), dates), max_size=12),
       counts=st.booleans(), today=dates)
def test_property_every_result_has_a_reason_and_consistent_numbers(births, rows, counts, today):
    students = [student(id=f"{i:04d}", birth=b) for i, b in enumerate(births)]
    studies = [study(f"{i % len(births):04d}", u, round(h, 2), d) for i, u, h, d in rows]
    t = make_tables(students=students, studies=studies, settings=Settings(muskari_counts_to_common=counts))
    for r in assess_eligibility(t, today):
        assert r.reason in REASONS and r.reason_text() and r.reason_text("en")
        assert r.missing >= 0
        assert (r.status == "eligible") == (r.missing == 0)
        if r.certificate == FINAL:
            assert r.missing >= max(0.0, r.required - r.hours) - 1e-9


def test_rows_with_errors_never_count():
    studies = frame_from_records("Opinnot", [study(hours=60), study(unit="Tuntematon", hours=60),
                                            study(student_id="9999", hours=60)])
    studies.loc[studies.index[0], "hours"] = np.nan
    t = replace(make_tables(students=[student()]), studies=studies)
    assert results_of(t) == {}


# --- scale ----------------------------------------------------------------------------------------

def _plain_hours(students, studies, units):
    """The contract's sums, one student at a time (the reference for the vectorised core)."""
    part = dict(zip(units["name"], units["part"], strict=True))
    limit = {}
    for sid, birth in zip(students["student_id"], students["birth_date"], strict=True):
        try:
            limit[sid] = birth.replace(year=birth.year + 7)
        except ValueError:                       # born 29.2.: the birthday is 1.3.
            limit[sid] = date(birth.year + 7, 3, 1)
    sums: dict[tuple[str, str], float] = {}
    for sid, unit, hours, done in zip(studies["student_id"], studies["unit"], studies["hours"], studies["completed"],
                                      strict=True):
        p = part[unit]
        if p == "varhaisiän musiikkikasvatus" and done >= limit[sid]:
            p = "late muskari"
        sums[sid, p] = sums.get((sid, p), 0.0) + hours
    return sums


def test_random_register_matches_plain_sums():
    """The vectorised core (100k students / 1M rows are timed in benchmarks/run.py) against a plain loop."""
    rng = np.random.default_rng(1)
    n, m = 3_000, 30_000
    ids = np.char.zfill(np.arange(n).astype(str), 6)
    births = pd.to_datetime("2000-01-01") + pd.to_timedelta(rng.integers(0, 8000, n), unit="D")
    students = pd.DataFrame({"row": np.arange(2, n + 2), "student_id": ids, "birth_date": births.date})
    unit_names = np.array(["Muskari 1", "Muskari 2", "Soitin 1", "Soitin 2", "Bändi", "Sävellys"])
    done = pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.integers(0, 5800, m), unit="D")
    studies = pd.DataFrame({"row": np.arange(2, m + 2), "student_id": ids[rng.integers(0, n, m)],
                            "unit": unit_names[rng.integers(0, 6, m)], "hours": rng.integers(1, 60, m) * 1.0,
                            "completed": done.date})
    t = replace(make_tables(), students=students, studies=studies)
    results = assess_eligibility(t, TODAY)
    sums = _plain_hours(students, studies, t.units)
    muskari = {r.student_id: r for r in results if r.certificate == MUSKARI}
    final = {r.student_id: r for r in results if r.certificate == FINAL}
    assert set(muskari) == {s for s, p in sums if p in ("varhaisiän musiikkikasvatus", "late muskari")}
    assert set(final) == {s for s, p in sums if p in ("yhteiset opinnot", "teemaopinnot")}
    assert len(results) == len(muskari) + len(final) > n
    for sid, r in muskari.items():
        assert r.hours == sums.get((sid, "varhaisiän musiikkikasvatus"), 0.0), sid
    for sid, r in final.items():
        common, thematic = sums.get((sid, "yhteiset opinnot"), 0.0), sums.get((sid, "teemaopinnot"), 0.0)
        assert (r.parts["yhteiset opinnot"]["hours"], r.parts["teemaopinnot"]["hours"]) == (common, thematic), sid
        assert r.hours == common + thematic
        assert r.missing == max(0.0, 300 - common) + max(0.0, 200 - thematic)
