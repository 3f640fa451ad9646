"""toolkit.rules.forms: matching registration-form responses to students and deciding the changes."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from factories import make_tables, student
from hypothesis import given
from hypothesis import strategies as st

from toolkit.rules.forms import next_free_ids, plan_forms
from toolkit.rules.forms_answers import parse_day, parse_timestamp
from toolkit.rules.forms_questions import question_key, read_questions

TODAY = date(2026, 11, 25)
HEADERS = ["Aikaleima", "Oppilasnumero", "Etunimi", "Sukunimi", "Syntymäaika", "Huoltaja", "Sähköposti", "Puhelin",
           "Jatkaa ensi lukukaudella"]                         # A = Aikaleima, B = Oppilasnumero, ...
FIELDS = ["timestamp", "student_id", "first_name", "last_name", "birth_date", "guardian", "email", "phone",
          "continues"]
READING = read_questions(HEADERS)


def response(**overrides) -> dict:
    raw = {"timestamp": "20.11.2026 14.05.00", "student_id": None, "first_name": "Aino", "last_name": "Virtanen",
           "birth_date": "1.3.2019", "guardian": "Maija Virtanen", "email": "perhe@example.fi",
           "phone": "040 123 4567", "continues": "kyllä"}
    raw.update(overrides)
    return raw


def plan(responses, students=None, taken=lambda _id: False):
    tables = make_tables(students=list(students or [student(phone="040 123 4567")]))
    rows = [(i, [r[f] for f in FIELDS]) for i, r in enumerate(responses, start=2)]
    return plan_forms(READING, rows, tables.students, TODAY, taken)


def changes(p):
    return [(u.student_id, c.header, c.old, c.new) for u in p.updates for c in u.changes]


def test_a_matching_response_sets_registration_day_and_nothing_else_when_contacts_agree():
    p = plan([response()])
    assert changes(p) == [("0001", "Viimeisin ilmoittautuminen", None, date(2026, 11, 20))]
    assert p.new_students == [] and p.problems == []


def test_contact_changes_are_old_to_new_and_status_follows_the_last_question():
    p = plan([response(email="uusi@example.fi", guardian="Matti Virtanen", phone="050 765 4321", continues="ei")])
    assert changes(p) == [
        ("0001", "Huoltaja", "Maija Virtanen", "Matti Virtanen"),
        ("0001", "Sähköposti", "perhe@example.fi", "uusi@example.fi"),
        ("0001", "Puhelin", "040 123 4567", "050 765 4321"),
        ("0001", "Viimeisin ilmoittautuminen", None, date(2026, 11, 20)),
        ("0001", "Tila", "aktiivinen", "päättynyt"),
    ]


@pytest.mark.parametrize("first,last,birth", [
    ("Aino", "Virtanen", "1.3.2019"),
    ("  AINO ", "virtanen", "01.03.2019"),
    ("Aino", "Virta\u200bnen", "2019-03-01"),
    ("aino", "VIRTANEN\u00a0", "1.3.2019"),
], ids=["same", "case-and-spaces", "zero-width", "nbsp"])
def test_matching_ignores_case_spacing_and_invisible_characters(first, last, birth):
    p = plan([response(first_name=first, last_name=last, birth_date=birth)])
    assert [u.student_id for u in p.updates] == ["0001"] and p.new_students == []


def test_nfd_letters_from_a_mac_match_nfc_in_the_register():
    nfd = "A\u0308ija\u0308la\u0308"      # Äijälä with combining diaereses
    p = plan([response(first_name="Eetu", last_name=nfd)], students=[student(first="Eetu", last="Äijälä")])
    assert [u.student_id for u in p.updates] == ["0001"]


def test_blank_contact_answers_never_clear_the_register_and_reformatting_is_no_change():
    p = plan([response(guardian=None, email="PERHE@Example.fi", phone="0401234567")])
    assert [c[1] for c in changes(p)] == ["Viimeisin ilmoittautuminen"]


def test_the_latest_response_wins_by_timestamp_not_by_row():
    p = plan([response(timestamp="21.11.2026 10.00.00", email="myohempi@example.fi"),
              response(timestamp="19.11.2026 10.00.00", email="aiempi@example.fi")])
    assert [c[3] for c in changes(p) if c[1] == "Sähköposti"] == ["myohempi@example.fi"]
    assert [(s.form_row, s.by_row) for s in p.superseded] == [(3, 2)]


def test_an_older_yes_never_beats_a_newer_no_whatever_the_row_order():
    p = plan([response(timestamp="2026/11/22 9:14:03 AM GMT+2", continues="Ei"),
              response(timestamp="2026/11/20 4:00:00 PM GMT+2", continues="Kyllä")])
    assert [c[3] for c in changes(p) if c[1] == "Tila"] == ["päättynyt"]


def test_without_timestamps_the_later_row_wins_and_the_day_is_today():
    p = plan([response(timestamp=None, email="eka@example.fi"), response(timestamp=None, email="toka@example.fi")])
    assert changes(p)[0][3] == "toka@example.fi"
    assert ("0001", "Viimeisin ilmoittautuminen", None, TODAY) in changes(p)


def test_an_unmatched_response_becomes_a_new_student_with_the_next_id_in_the_same_width():
    p = plan([response(first_name="Eino", last_name="Uusi", birth_date="5.6.2021")],
             students=[student(id="0009"), student(id="0012", first="Olli")])
    [new] = p.new_students
    assert new.student_id == "0013" and new.form_row == 2
    assert new.values["Tila"] == "aktiivinen" and new.values["Syntymäaika"] == date(2021, 6, 5)
    assert new.values["Viimeisin ilmoittautuminen"] == date(2026, 11, 20)


def test_repeated_responses_of_one_new_child_make_one_student():
    new = dict(first_name="Eino", last_name="Uusi", birth_date="5.6.2021")
    p = plan([response(**new, email="a@example.fi", timestamp="20.11.2026 10.00"),
              response(**new, email="b@example.fi", timestamp="22.11.2026 10.00")])
    assert [(n.student_id, n.values["Sähköposti"]) for n in p.new_students] == [("0002", "b@example.fi")]


def test_the_oppilasnumero_matches_even_when_the_name_is_spelled_differently():
    p = plan([response(student_id="0001", first_name="Aini")])
    assert [u.student_id for u in p.updates] == ["0001"]


def test_a_number_cell_id_finds_the_zero_padded_student():
    p = plan([response(student_id=1.0)])
    assert [u.student_id for u in p.updates] == ["0001"]


def codes(p):
    return [(f.row, f.cell, f.code) for f in p.problems]


def test_an_id_of_someone_else_is_refused_and_changes_nothing():
    p = plan([response(student_id="0002", first_name="Eino", last_name="Uusi", birth_date="5.6.2021")],
             students=[student(), student(id="0002", first="Olli", last="Muu")])
    assert codes(p) == [(2, "B2", "form-id-mismatch")] and p.updates == [] and p.new_students == []


def test_an_unknown_id_falls_back_to_the_name_match_or_is_refused():
    assert [u.student_id for u in plan([response(student_id="0099")]).updates] == ["0001"]
    p = plan([response(student_id="0099", first_name="Eino")])
    assert codes(p) == [(2, "B2", "form-unknown-id")] and p.new_students == []


def test_a_response_matching_two_students_is_refused():
    p = plan([response()], students=[student(), student(id="0002")])
    assert codes(p) == [(2, "D2", "form-ambiguous")] and p.updates == [] and p.new_students == []


@pytest.mark.parametrize("overrides,expected", [
    ({"first_name": None}, [(2, "C2", "missing-value")]),
    ({"birth_date": "31.2.2019"}, [(2, "E2", "invalid-date")]),
    ({"birth_date": "3/13/2019"}, [(2, "E2", "invalid-date")]),
    ({"birth_date": "1.3.2027"}, [(2, "E2", "future-date")]),
    ({"email": "perhe(at)example.fi"}, [(2, "G2", "invalid-email")]),
    ({"phone": "soita illalla"}, [(2, "H2", "invalid-phone")]),
    ({"phone": "12"}, [(2, "H2", "invalid-phone")]),
    ({"continues": "ehkä"}, [(2, "I2", "invalid-choice")]),
    ({"continues": None}, [(2, "I2", "missing-value")]),
    ({"first_name": "A" * 101}, [(2, "C2", "form-too-long")]),
    ({"email": "x" * 250 + "@example.fi"}, [(2, "G2", "form-too-long")]),
    ({"guardian": "Maija 010594Y9032"}, [(2, "F2", "identity-code")]),
    ({"guardian": "Maija 131052\u2013308T"}, [(2, "F2", "identity-code")]),
], ids=["missing-name", "impossible-date", "us-date", "future-birth", "bad-email", "bad-phone", "short-phone",
        "bad-choice", "no-answer", "long-name", "long-email", "hetu", "hetu-en-dash"])
def test_an_invalid_response_changes_nothing_and_says_where(overrides, expected):
    p = plan([response(**overrides)])
    assert codes(p) == expected
    assert p.updates == [] and p.new_students == []


def test_an_identity_code_is_never_echoed_in_full():
    p = plan([response(guardian="010594Y9032")])
    assert "9032" not in (p.problems[0].value or "") and "9032" not in p.problems[0].message()


def test_an_invalid_later_response_does_not_hide_the_valid_earlier_one():
    p = plan([response(email="hyva@example.fi"), response(email="huono", timestamp="24.11.2026 8.00")])
    assert codes(p) == [(3, "G3", "invalid-email")]
    assert [c[3] for c in changes(p) if c[1] == "Sähköposti"] == ["hyva@example.fi"]


@pytest.mark.parametrize("header,key", [
    ("Etunimi *", "etunimi"), ("  SÄHKÖPOSTI?", "sähköposti"), ("Jatkaa ensi lukukaudella?", "jatkaa ensi lukukaudella"),
    ("Sa\u0308hko\u0308posti", "sähköposti"), ("Aikaleima", "aikaleima"), ("Syntymäaika (pp.kk.vvvv)", "syntymäaika"),
    ("E-mail:", "email"),
])
def test_questions_are_compared_after_nfc_case_folding_and_dropping_marks_and_hints(header, key):
    assert question_key(header) == key


@pytest.mark.parametrize("text,expected", [
    ("20.11.2026 14.05.00", datetime(2026, 11, 20, 14, 5)),
    ("15.8.2026 klo 10.23", datetime(2026, 8, 15, 10, 23)),
    ("15.8.2026 10:23:45", datetime(2026, 8, 15, 10, 23, 45)),
    ("2026/08/15 10:23:45 AM GMT+3", datetime(2026, 8, 15, 10, 23, 45)),
    ("2026/05/12 9:14:03 AM GMT+3", datetime(2026, 5, 12, 9, 14, 3)),
    ("2026/11/20 2:05:00 PM EET", datetime(2026, 11, 20, 14, 5)),
    ("2026/11/20 12:05:00 AM GMT+2", datetime(2026, 11, 20, 0, 5)),
    ("2026/11/20 2:05:00 ip. GMT+2", datetime(2026, 11, 20, 14, 5)),
    ("2026/11/20 13:05:00 PM", None),
    ("2026-11-20 14:05:33", datetime(2026, 11, 20, 14, 5, 33)),
    ("2026-11-20T14:05:33.123+02:00", datetime(2026, 11, 20, 14, 5, 33)),
    ("20.11.2026", datetime(2026, 11, 20)),
    ("32.11.2026", None),
    ("9.8.2026 klo 12.00.00", datetime(2026, 8, 9, 12, 0)),
    ("eilen", None),
])
def test_timestamps_in_the_shapes_forms_services_export(text, expected):
    stamp = parse_timestamp(text)
    assert (stamp.local if stamp else None) == expected


def test_slashed_timestamps_take_the_order_their_column_shows():
    assert parse_timestamp("11/20/2026 14:05", "md").local == datetime(2026, 11, 20, 14, 5)
    assert parse_timestamp("20/11/2026 14:05", "dm").local == datetime(2026, 11, 20, 14, 5)
    assert parse_timestamp("5/6/2026 14:05", None) is None


@pytest.mark.parametrize("text,expected", [
    ("1.3.2019", date(2019, 3, 1)), ("01.03.2019", date(2019, 3, 1)), ("2019-03-01", date(2019, 3, 1)),
    ("02.06.19", date(2019, 6, 2)), ("2.6.19", date(2019, 6, 2)), ("1.3.98", date(1998, 3, 1)),
    ("1.3.26", date(2026, 3, 1)), ("1.12.26", date(1926, 12, 1)), ("1/2/2019", date(2019, 2, 1)),
    ("31.2.2019", None), ("2019", None), (datetime(2019, 3, 1, 0, 0), date(2019, 3, 1)),
])
def test_birth_dates_as_people_write_them(text, expected):
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize("existing,count,expected", [
    ([], 2, ["0001", "0002"]),
    (["0001", "0007"], 1, ["0008"]),
    (["12", "9"], 1, ["13"]),
    (["00099"], 2, ["00100", "00101"]),
    (["0999"], 1, ["1000"]),
    (["A12", "0003"], 1, ["0004"]),
])
def test_next_free_ids_keep_the_padding_width(existing, count, expected):
    assert next_free_ids(existing, count) == expected


def test_next_free_ids_skip_ids_that_must_not_be_reused():
    assert next_free_ids(["0001"], 2, taken=lambda i: i == "0002") == ["0003", "0004"]


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@given(first=names, last=names, email=names, phone=names, when=names)
def test_any_response_is_planned_without_crashing_and_every_response_is_accounted_for(first, last, email, phone, when):
    rows = [response(first_name=first, last_name=last, email=email, phone=phone, timestamp=when), response()]
    p = plan(rows)
    accounted = ({u.form_row for u in p.updates} | {n.form_row for n in p.new_students}
                 | {f.row for f in p.problems} | {s.form_row for s in p.superseded})
    assert accounted == {2, 3}
    assert all(f.message() for f in p.problems)
    new_ids = [n.student_id for n in p.new_students]
    assert len(set(new_ids)) == len(new_ids) and "0001" not in new_ids


@pytest.mark.parametrize("answer,expected", [
    ("Kyllä", "kyllä"), ("Kyllä, jatkamme", "kyllä"), ("kyllä!", "kyllä"), ("Joo", "kyllä"), ("juu", "kyllä"),
    ("K", "kyllä"), ("Jatkaa", "kyllä"), ("Jatkamme syksyllä", "kyllä"), ("Yes", "kyllä"), ("Ja", "kyllä"),
    ("Ei", "ei"), ("En", "ei"), ("Emme jatka", "ei"), ("e", "ei"), ("No", "ei"), ("Lopettaa", "ei"), ("Nej", "ei"),
    ("Ei, valitettavasti", "ei"), (True, "kyllä"), (False, "ei"),
])
def test_yes_and_no_by_the_first_word(answer, expected):
    p = plan([response(continues=answer)])
    assert p.problems == [] and [u.student_id for u in p.updates] == ["0001"]
    assert ("0001", "Tila", "aktiivinen", "päättynyt") in changes(p) if expected == "ei" else \
        [c for c in changes(p) if c[1] == "Tila"] == []


@pytest.mark.parametrize("cell", [401234567, 401234567.0, "401234567"])
def test_a_phone_that_lost_its_leading_zero_is_restored_with_a_warning(cell):
    p = plan([response(phone=cell)], students=[student(phone="050 000 0000")])
    assert ("0001", "Puhelin", "050 000 0000", "0401234567") in changes(p)
    assert [(f.cell, f.code, f.severity) for f in p.warnings] == [("H2", "form-phone-restored", "warning")]
    assert "0401234567" in p.warnings[0].message()


def test_an_unreadable_response_time_is_a_warning_and_the_as_of_day_is_used():
    p = plan([response(timestamp="9.8.2026 kello kaksitoista")])
    assert p.problems == []
    assert ("0001", "Viimeisin ilmoittautuminen", None, TODAY) in changes(p)
    assert [(f.cell, f.code) for f in p.warnings] == [("A2", "form-unreadable-time")]
    assert "25.11.2026" in p.warnings[0].message()


def test_a_too_long_answer_refuses_that_response_only_naming_its_row():
    p = plan([response(guardian="Maija " * 60), response(first_name="Eino", last_name="Uusi", birth_date="5.6.2021")])
    assert codes(p) == [(2, "F2", "form-too-long")]
    assert "rivi" not in p.problems[0].value and len(p.problems[0].value) <= 40
    assert [n.form_row for n in p.new_students] == [3]
