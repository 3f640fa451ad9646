"""The pure purge rules (contract.md "Purge"): boundary days, first match wins, who is never purged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from factories import certificate, contact, graduate, make_tables, student, study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.model.dates import age_on, completed_months
from toolkit.rules.purge import (
    RULES,
    BackupCopy,
    bcc_list,
    count_by_rule,
    find_purge_actions,
)
from workbook_schema.settings import Settings

TODAY = date(2026, 6, 1)


def table(actions):
    return [(a.rule, a.action, a.sheet, a.row, a.student_id) for a in actions]


# --- deletion-requested -----------------------------------------------------------------------------

@pytest.mark.parametrize("request_day, listed", [
    (TODAY - timedelta(days=400), True),
    (TODAY - timedelta(days=1), True),
    (TODAY, True),                        # dated today: due today
    (TODAY + timedelta(days=1), False),   # dated tomorrow: not yet
], ids=["long-ago", "yesterday", "today", "tomorrow"])
def test_deletion_request_is_due_on_its_day(request_day, listed):
    tables = make_tables(students=[student(deletion_requested=request_day)])
    expected = [("deletion-requested", "erase", "Oppilaat", 2, "0001")] if listed else []
    assert table(find_purge_actions(tables, TODAY)) == expected


def test_deletion_request_erases_every_trace_of_the_student_and_nothing_of_others():
    tables = make_tables(
        students=[student(id="0001", first="Aino", last="Virtanen", deletion_requested=TODAY),
                  student(id="0002", first="Eero", last="Koski")],
        studies=[study("0001"), study("0002"), study("0001", "Muskari 2")],
        certificates=[certificate("2025-001", "0001", file="todistukset/2025-001.docx"),
                      certificate("2025-002", "0002", file="todistukset/2025-002.docx")],
        graduates=[graduate(name="Aino Virtanen", number="2025-001"),
                   graduate(name="Eero Koski", number="2025-002"),
                   graduate(year=2024, name="virtanen  AINO", number=None),     # same person, typed by hand
                   graduate(year=2024, name="Aino Virtanen", number="2024-009")],  # another Aino: her own certificate
    )
    [action] = find_purge_actions(tables, TODAY)
    assert action.rows == {"Opinnot": (2, 4), "Todistukset": (2,), "Valmistuneet": (2, 4)}
    assert action.files == ("todistukset/2025-001.docx",)
    assert action.params["studies"] == 2 and action.params["files"] == 1
    assert action.message() == (
        "Poistopyyntö saapui 1.6.2026: oppilaan 0001 rivi ja 2 opintoriviä poistetaan, Todistukset-välilehden 1 riviltä "
        "poistetaan oppilasnumero ja tiedoston nimi, Valmistuneet-välilehden 2 rivin nimeksi tulee \"valmistunut "
        "oppilas\" ja 1 todistusasiakirja poistetaan.")
    assert "Deletion request received 2026-06-01" in action.message("en")


# --- study-window-closed ----------------------------------------------------------------------------

@pytest.mark.parametrize("birth, today, listed", [
    (date(2006, 6, 2), TODAY, False),                # 20th birthday tomorrow
    (date(2006, 6, 1), TODAY, True),                 # the birthday closes the window
    (date(2000, 2, 29), date(2020, 2, 28), False),   # leap-day child, leap year: birthday 29.2.
    (date(2000, 2, 29), date(2020, 2, 29), True),
    (date(2004, 2, 29), date(2024, 2, 28), False),
    (date(2003, 2, 28), date(2023, 2, 28), True),
], ids=["day-before", "birthday", "leap-28", "leap-29", "leap-born-2004-day-before", "plain-28.2"])
def test_study_window_closes_on_the_birthday(birth, today, listed):
    tables = make_tables(students=[student(birth=birth, status="päättynyt")], studies=[study(completed=date(2015, 5, 1))])
    got = table(find_purge_actions(tables, today))
    assert got == ([("study-window-closed", "erase", "Oppilaat", 2, "0001")] if listed else [])


@pytest.mark.parametrize("day, listed", [(date(2021, 2, 28), False), (date(2021, 3, 1), True)],
                         ids=["28.2.", "1.3."])
def test_leap_day_birthday_falls_on_first_of_march(day, listed):
    tables = make_tables(students=[student(birth=date(2000, 2, 29), status="päättynyt")],
                         settings=Settings(study_age_limit=21))
    assert bool(find_purge_actions(tables, day)) is listed


def test_issued_final_certificate_closes_the_window_and_keeps_the_archive():
    tables = make_tables(students=[student(birth=date(2010, 1, 1), status="päättynyt")],
                         studies=[study(unit="Soitin 1", hours=100)],
                         certificates=[certificate("2026-001", kind="päättötodistus", file="t/2026-001.docx")],
                         graduates=[graduate(year=2026, kind="päättötodistus", number="2026-001")])
    [action] = find_purge_actions(tables, TODAY)
    assert (action.rule, action.params["reason"]) == ("study-window-closed", "final-certificate")
    assert action.rows == {"Opinnot": (2,)}        # Todistukset and Valmistuneet stay
    assert action.files == ()
    assert "saanut päättötodistuksen" in action.message()


def test_an_earned_certificate_not_yet_issued_is_issued_first_and_nothing_is_erased():
    """An ended adult with 300 + 200 h whose final certificate was never issued (domain P7)."""
    tables = make_tables(students=[student(birth=date(2000, 1, 1), status="päättynyt")],
                         studies=[study(unit="Soitin 1", hours=100), study(unit="Soitin 2", hours=100),
                                  study(unit="Soitin 3", hours=100), study(unit="Bändi", hours=100),
                                  study(unit="Sävellys", hours=100)])
    [action] = find_purge_actions(tables, TODAY)
    assert (action.rule, action.action, action.student_id) == ("study-window-closed", "issue-first", "0001")
    assert action.rows == {} and action.files == () and not action.carried_out
    assert action.message() == (
        "Oppilas 0001 on päättänyt opintonsa ja täyttänyt 20 vuotta, mutta on ansainnut todistuksen, jota ei ole "
        "vielä annettu (päättötodistus). Anna todistus ensin (muskari certificates --student 0001 --apply); "
        "tietoja ei poisteta ennen sitä.")
    assert "final certificate" in action.message("en")


def test_an_earned_muskari_certificate_also_comes_first():
    tables = make_tables(students=[student(birth=date(2005, 1, 1), status="päättynyt")],
                         studies=[study(hours=30, completed=date(2010, 5, 1)), study(unit="Muskari 2", hours=30,
                                                                                     completed=date(2011, 5, 1))])
    [action] = find_purge_actions(tables, TODAY)
    assert action.action == "issue-first" and action.params["earned"] == ("muskaritodistus",)


def test_a_deletion_request_wins_over_an_earned_certificate():
    tables = make_tables(students=[student(birth=date(2000, 1, 1), status="päättynyt", deletion_requested=TODAY)],
                         studies=[study(hours=30, completed=date(2005, 5, 1)),
                                  study(unit="Muskari 2", hours=30, completed=date(2006, 5, 1))])
    assert [(a.rule, a.action) for a in find_purge_actions(tables, TODAY)] == [("deletion-requested", "erase")]


def test_only_graduates_become_valmistunut_oppilas_and_a_participation_row_goes():
    tables = make_tables(
        students=[student(id="0001", first="Aino", last="Virtanen", deletion_requested=TODAY)],
        studies=[study("0001", "Soitin 1", 20)],
        certificates=[certificate("2025-001", "0001", kind="osallistumistodistus", file="todistukset/2025-001_0001.docx")],
        graduates=[graduate(name="Aino Virtanen", kind="osallistumistodistus", number="2025-001")])
    [action] = find_purge_actions(tables, TODAY)
    assert action.rows == {"Opinnot": (2,), "Todistukset": (2,), "Valmistuneet": ()}
    assert action.dropped == {"Valmistuneet": (2,)}
    message = action.message()
    assert "valmistunut oppilas" not in message
    assert message == ("Poistopyyntö saapui 1.6.2026: oppilaan 0001 rivi ja 1 opintorivi poistetaan, Todistukset-"
                       "välilehden 1 riviltä poistetaan oppilasnumero ja tiedoston nimi, Valmistuneet-välilehdeltä "
                       "poistetaan 1 osallistumistodistuksen rivi (oppilas ei valmistunut) ja 1 todistusasiakirja "
                       "poistetaan.")
    assert action.to_dict()["deleted_rows"] == {"Valmistuneet": [2]}


def test_a_request_with_nothing_else_to_remove_says_only_that():
    [action] = find_purge_actions(make_tables(students=[student(deletion_requested=TODAY)]), TODAY)
    assert action.message() == "Poistopyyntö saapui 1.6.2026: oppilaan 0001 rivi poistetaan."
    assert action.message("en") == "Deletion request received 2026-06-01: student 0001's row is deleted."


@pytest.mark.parametrize("status", ["aktiivinen", "tauolla"])
def test_not_ended_students_keep_their_data_at_any_age(status):
    tables = make_tables(students=[student(birth=date(1990, 1, 1), status=status)],
                         certificates=[certificate(kind="päättötodistus")])
    assert find_purge_actions(tables, TODAY) == []


# --- muskari-ended ----------------------------------------------------------------------------------

def muskari_kid(**extra):
    defaults = dict(birth=date(2018, 3, 1), status="päättynyt", continues="ei", email="Perhe@Example.fi")
    defaults.update(extra)
    return student(**defaults)


@pytest.mark.parametrize("today, listed", [(date(2025, 2, 28), False), (date(2025, 3, 1), True)],
                         ids=["day-before-7th-birthday", "7th-birthday"])
def test_muskari_ended_from_the_age_limit_birthday(today, listed):
    tables = make_tables(students=[muskari_kid()], studies=[study(hours=30, completed=date(2024, 5, 1))])
    got = table(find_purge_actions(tables, today))
    assert got == ([("muskari-ended", "ask", "Oppilaat", 2, "0001")] if listed else [])


@pytest.mark.parametrize("change", [
    {"continues": "kyllä"}, {"continues": None}, {"status": "aktiivinen"}, {"deletion_requested": date(2027, 1, 1)},
], ids=["continues", "not-known", "active", "request-not-yet-due"])
def test_muskari_ended_needs_every_condition(change):
    tables = make_tables(students=[muskari_kid(**change)], studies=[study(hours=30, completed=date(2024, 5, 1))])
    assert find_purge_actions(tables, TODAY) == []


def test_muskari_ended_not_asked_when_instrument_studies_began():
    tables = make_tables(students=[muskari_kid()], studies=[study(hours=30, completed=date(2024, 5, 1)),
                                                            study(unit="Soitin 1", hours=20, completed=date(2025, 5, 1))])
    assert find_purge_actions(tables, TODAY) == []


def test_ask_actions_carry_a_deduplicated_bcc_list():
    tables = make_tables(students=[muskari_kid(id="0001"), muskari_kid(id="0002", email="perhe@example.FI"),
                                   muskari_kid(id="0003", email="toinen@example.fi"), muskari_kid(id="0004", email=None)],
                         studies=[study(s, hours=30, completed=date(2024, 5, 1)) for s in ("0001", "0002", "0003", "0004")])
    actions = find_purge_actions(tables, TODAY)
    assert [a.rule for a in actions] == ["muskari-ended"] * 4
    assert bcc_list(actions) == "Perhe@Example.fi; toinen@example.fi"
    assert "(30 / 60 h)" in actions[0].message()


# --- first match wins -------------------------------------------------------------------------------

def test_a_person_matched_by_several_rules_is_listed_under_the_first():
    old = dict(birth=date(2000, 1, 1), status="päättynyt", continues="ei")
    tables = make_tables(
        students=[student(id="0001", deletion_requested=TODAY, **old),   # rules 1 and 2 (and 3)
                  student(id="0002", **old)],                            # rules 2 and 3
        studies=[study("0001", hours=10, completed=date(2005, 5, 1)), study("0002", hours=10, completed=date(2005, 5, 1))])
    assert table(find_purge_actions(tables, TODAY)) == [
        ("deletion-requested", "erase", "Oppilaat", 2, "0001"),
        ("study-window-closed", "erase", "Oppilaat", 3, "0002")]


def test_an_active_student_matching_every_other_condition_is_never_purged():
    tables = make_tables(students=[student(birth=date(1990, 1, 1), status="aktiivinen", continues="ei")],
                         studies=[study(hours=10, completed=date(1995, 5, 1))],
                         certificates=[certificate(kind="päättötodistus")])
    assert find_purge_actions(tables, TODAY) == []


# --- marketing-expired ------------------------------------------------------------------------------

@pytest.mark.parametrize("collected, today, listed", [
    (date(2025, 12, 1), date(2026, 6, 1), True),     # exactly six calendar months
    (date(2025, 12, 2), date(2026, 6, 1), False),    # one day short
    (date(2025, 8, 31), date(2026, 2, 28), False),   # 31.8. + 6 months is not complete on 28.2.
    (date(2025, 8, 31), date(2026, 3, 1), True),
    (date(2025, 8, 28), date(2026, 2, 28), True),
    (date(2020, 1, 1), date(2026, 6, 1), True),
    (date(2026, 6, 1), date(2026, 6, 1), False),
], ids=["six-months", "day-short", "month-end-28.2", "month-end-1.3", "28th", "years", "today"])
def test_marketing_contacts_expire_after_six_calendar_months(collected, today, listed):
    tables = make_tables(contacts=[contact(collected=collected)])
    expected = [("marketing-expired", "delete-row", "Yhteydenotot", 2, None)] if listed else []
    assert table(find_purge_actions(tables, today)) == expected


def test_marketing_retention_is_a_setting():
    tables = make_tables(contacts=[contact(collected=date(2026, 3, 1))], settings=Settings(marketing_months=3))
    [action] = find_purge_actions(tables, TODAY)
    assert action.message() == "Yhteystieto kerättiin 1.3.2026, vähintään 3 kuukautta sitten: rivi poistetaan."
    one = make_tables(contacts=[contact(collected=date(2026, 4, 1))], settings=Settings(marketing_months=1))
    assert "vähintään 1 kuukausi sitten" in find_purge_actions(one, TODAY)[0].message()


# --- backup-expired ---------------------------------------------------------------------------------

@pytest.mark.parametrize("age_days, listed", [(89, False), (90, False), (91, True), (400, True)])
def test_backups_expire_after_the_retention_days(age_days, listed):
    made = datetime.combine(TODAY - timedelta(days=age_days), datetime.min.time()).replace(hour=23, minute=59)
    backups = [BackupCopy(path="varmuuskopiot/rekisteri-x.xlsx", made=made)]
    actions = find_purge_actions(make_tables(), TODAY, backups)
    expected = [("backup-expired", "delete-file", None, None, None)] if listed else []
    assert table(actions) == expected
    if listed:
        assert actions[0].files == ("varmuuskopiot/rekisteri-x.xlsx",)


def test_output_is_in_rule_order_and_counted():
    tables = make_tables(students=[student(id="0001", status="päättynyt", birth=date(1999, 1, 1)),
                                   student(id="0002", deletion_requested=TODAY)],
                         contacts=[contact(collected=date(2020, 1, 1))])
    actions = find_purge_actions(tables, TODAY, [BackupCopy("varmuuskopiot/a.xlsx", date(2020, 1, 1))])
    assert [a.rule for a in actions] == ["deletion-requested", "study-window-closed", "marketing-expired",
                                         "backup-expired"]
    assert count_by_rule(actions) == {"deletion-requested": 1, "study-window-closed": 1, "marketing-expired": 1,
                                      "backup-expired": 1}
    assert set(actions[0].to_dict()) >= {"sheet", "row", "student_id", "rule", "action", "message"}


# --- date helpers and properties --------------------------------------------------------------------

@pytest.mark.parametrize("birth, day, age", [
    (date(2019, 3, 1), date(2026, 2, 28), 6), (date(2019, 3, 1), date(2026, 3, 1), 7),
    (date(2016, 2, 29), date(2023, 2, 28), 6), (date(2016, 2, 29), date(2023, 3, 1), 7),
])
def test_age_on(birth, day, age):
    assert age_on(birth, day) == age


@given(start=st.dates(date(1990, 1, 1), date(2030, 12, 31)), extra=st.integers(0, 3000))
def test_completed_months_never_decreases_and_matches_whole_months(start, extra):
    day = start + timedelta(days=extra)
    months = completed_months(start, day)
    assert months >= 0
    assert completed_months(start, day + timedelta(days=1)) >= months
    assert months * 28 <= extra < (months + 1) * 31 + 1


ids = st.sampled_from(["0001", "0002", "0003"])
students_st = st.lists(st.builds(
    lambda sid, birth, status, cont, req: student(id=sid, birth=birth, status=status, continues=cont,
                                                  deletion_requested=req),
    ids, st.dates(date(1995, 1, 1), date(2024, 1, 1)), st.sampled_from(["aktiivinen", "tauolla", "päättynyt"]),
    st.sampled_from(["kyllä", "ei", None]), st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 1, 1)))),
    max_size=3, unique_by=lambda s: s["student_id"])
studies_st = st.lists(st.builds(lambda sid, unit, hours, done: study(sid, unit, hours, done), ids,
                                st.sampled_from(["Muskari 1", "Muskari 2", "Soitin 1", "Bändi"]),
                                st.floats(1, 200), st.dates(date(2000, 1, 1), date(2026, 1, 1))), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(students=students_st, studies=studies_st, today=st.dates(date(2024, 1, 1), date(2032, 1, 1)))
def test_rules_never_crash_list_each_person_once_and_spare_active_students(students, studies, today):
    known = {s["student_id"] for s in students}
    tables = make_tables(students=students, studies=[s for s in studies if s["student_id"] in known])
    actions = find_purge_actions(tables, today)
    ids_listed = [a.student_id for a in actions if a.student_id]
    assert len(ids_listed) == len(set(ids_listed))
    by_id = {s["student_id"]: s for s in students}
    for action in actions:
        assert action.rule in RULES and action.message() and action.message("en")
        s = by_id[action.student_id]
        if s["status"] == "aktiivinen":
            assert action.rule == "deletion-requested"
        if action.rule == "deletion-requested":
            assert s["deletion_requested"] <= today


def test_changing_settings_does_not_leak_between_tables():
    base = make_tables(students=[student(status="päättynyt", birth=date(2008, 1, 1))])
    younger_limit = replace(base, settings=Settings(study_age_limit=18))
    assert find_purge_actions(base, TODAY) == []
    assert [a.rule for a in find_purge_actions(younger_limit, TODAY)] == ["study-window-closed"]
