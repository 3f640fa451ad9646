"""How a forms export's columns are read (toolkit.rules.forms_questions) and the Lomakekentät sheet that names
the questions the toolkit cannot read alone (toolkit.rules.forms_mapping, `init`, `check`)."""

from __future__ import annotations

import csv
import io
import string
from datetime import date

import openpyxl
import pytest
from factories import make_tables, student
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked
from toolkit.model.messages import say
from toolkit.office.forms_export import read_forms_table
from toolkit.reports.forms import column_lines, refusal_words
from toolkit.rules import forms_questions as q
from toolkit.rules.forms_questions import read_questions, recognise

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("question,field", [
    ("Aikaleima", "timestamp"), ("Timestamp", "timestamp"), ("Completion time", "timestamp"),
    ("Valmistumisaika", "timestamp"), ("Lähetetty", "timestamp"), ("Submitted", "timestamp"),
    ("Oppilasnumero (jos tiedossa)", "student_id"), ("Student ID", "student_id"), ("Student number", "student_id"),
    ("Oppilaan etunimi *", "first_name"), ("Lapsen etunimet", "first_name"), ("First name", "first_name"),
    ("Given name", "first_name"), ("Oppilaan sukunimi", "last_name"), ("Surname", "last_name"),
    ("Family name", "last_name"), ("Last name", "last_name"),
    ("Lapsen nimi", "full_name"), ("Oppilaan nimi (etu- ja sukunimi)", "full_name"), ("Etu- ja sukunimi", "full_name"),
    ("Student name", "full_name"), ("Child's name", "full_name"), ("First and last name", "full_name"),
    ("Syntymäaika (pp.kk.vvvv)", "birth_date"), ("Lapsen syntymäpäivä", "birth_date"), ("Syntynyt", "birth_date"),
    ("Milloin lapsi on syntynyt?", "birth_date"), ("Date of birth", "birth_date"), ("Birth date", "birth_date"),
    ("Huoltajan nimi", "guardian"), ("Huoltaja", "guardian"), ("Vanhemman nimi", "guardian"),
    ("Yhteyshenkilön nimi", "guardian"), ("Guardian's name", "guardian"), ("Parent name", "guardian"),
    ("Huoltajan etunimi", "guardian_first"), ("Huoltajan sukunimi", "guardian_last"),
    ("Sähköposti", "email"), ("Huoltajan sähköpostiosoite", "email"), ("E-mail", "email"), ("Email address", "email"),
    ("Puhelin", "phone"), ("Puh.", "phone"), ("Huoltajan matkapuhelin", "phone"), ("Phone number", "phone"),
    ("Mobile", "phone"), ("Jatkaako lapsi ensi lukukaudella?", "continues"), ("Jatkatteko kevätlukukaudella?",
                                                                               "continues"),
    ("Will your child continue next term?", "continues"), ("Continuing in spring?", "continues"),
])
def test_a_question_is_recognised_by_its_words(question, field):
    assert recognise(question) == {field}


@pytest.mark.parametrize("question", ["Nimi", "Terveisiä opettajalle", "Mistä kuulit meistä?",
                                      "Huoltajan syntymäaika", "Kotikunta"])
def test_a_question_with_no_field_is_not_recognised(question):
    assert recognise(question) & set(q.FIELD_HEADERS) == set()


def test_a_question_asking_two_things_is_not_guessed():
    reading = read_questions(["Lapsen nimi ja syntymäaika", "Syntymäaika", "Jatkaako?"])
    assert reading.columns[0].status == q.AMBIGUOUS


@pytest.mark.parametrize("question", ["Onko lapsella allergioita?", "Lääkitys", "Sairaudet tai diagnoosit",
                                      "Erityisruokavalio", "Lisätietoja (esim. allergiat)", "Allergies",
                                      "Medical conditions", "Medication", "Illnesses", "Health information"])
def test_a_health_looking_question_is_never_imported(question):
    reading = read_questions(["Etunimi", "Sukunimi", "Syntymäaika", "Jatkaako?", question])
    assert reading.columns[-1].status == q.HEALTH and reading.ok and 5 not in reading.fields.values()


def test_microsoft_forms_service_columns_are_ignored_and_completion_time_used():
    reading = read_questions(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                              "Lapsen nimi", "Syntymäaika", "Jatkaako?"])
    assert [c.status for c in reading.columns[:6]] == [q.SERVICE, q.SERVICE, q.IMPORTED, q.ACCOUNT_EMAIL,
                                                       q.SERVICE, q.SERVICE]
    assert reading.fields == {"timestamp": 3, "email": 4, "full_name": 7, "birth_date": 8, "continues": 9}


def test_microsofts_account_address_gives_way_to_the_familys_own_e_mail_question():
    """Contract: a question the family answered wins over the account column the service adds."""
    reading = read_questions(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                              "Lapsen nimi", "Syntymäaika", "Huoltajan sähköpostiosoite", "Jatkaako?"])
    assert (reading.columns[3].status, reading.columns[3].other, reading.fields["email"]) == (q.ACCOUNT_UNUSED, 9, 9)


def test_google_collects_the_respondents_address_only_when_asked_so_it_stands_for_the_answer():
    reading = read_questions(["Timestamp", "Email Address", "Child's name", "Date of birth", "Continuing?"])
    assert reading.columns[1].status == q.ACCOUNT_EMAIL and reading.fields["email"] == 2
    reading = read_questions(["Timestamp", "Email Address", "Child's name", "Date of birth", "Parent's e-mail",
                              "Continuing?"])
    assert (reading.columns[1].status, reading.columns[1].other, reading.fields["email"]) == (q.ACCOUNT_UNUSED, 5, 5)


def test_an_own_nimi_question_outside_the_service_columns_is_not_the_account_name():
    reading = read_questions(["Aikaleima", "Nimi", "Syntymäaika", "Jatkaako?"])
    assert reading.columns[1].status == q.NOT_RECOGNISED and reading.missing == ["name"]


def test_a_whole_name_and_a_first_name_claim_one_field():
    reading = read_questions(["Lapsen nimi", "Etunimi", "Sukunimi", "Syntymäaika", "Jatkaako?"])
    assert set(reading.conflicts) == {"full_name"} and not reading.ok


def test_lomakekentat_names_a_question_and_wins_over_recognition():
    headers = ["Aikaleima", "Lapsen nimi", "Syntymäaika", "Äidin sähköposti", "Isän sähköposti", "Jatkaako?"]
    assert set(read_questions(headers).conflicts) == {"email"}
    reading = read_questions(headers, {"ISÄN SÄHKÖPOSTI": "Sähköposti"})
    assert reading.ok and reading.fields["email"] == 5
    assert (reading.columns[3].status, reading.columns[3].other) == (q.OVERRIDDEN, 5)
    reading = read_questions(["Koko nimi", "Syntymäaika", "Jatkaako?"], {"koko nimi": "etunimi ja sukunimi"})
    assert reading.ok and reading.fields["full_name"] == 1
    reading = read_questions(headers, {"Äidin sähköposti?": "ei tuoda", "Syntymäaika": "Tila"})
    assert reading.columns[3].status == q.MAPPED_OUT and reading.fields["email"] == 5
    assert reading.missing == ["birth_date"] and (reading.columns[5].status, reading.fields["continues"]) == (q.OVERRIDDEN, 3)


# --- every column is accounted for, whatever the form -----------------------------------------------------

QUESTION_POOL = ["Aikaleima", "Timestamp", "Sähköpostiosoite", "Email Address", "ID", "Start time", "Completion time",
                 "Email", "Name", "Last modified time", "Oppilaan etunimi", "Oppilaan sukunimi", "Lapsen nimi",
                 "Syntymäaika", "Date of birth", "Huoltajan nimi", "Huoltajan sähköposti", "Puhelin",
                 "Jatkaako lapsi ensi lukukaudella?", "Oppilasnumero", "Onko lapsella allergioita?", "Lääkitys",
                 "Terveisiä opettajalle", "Nimi", "", "Toisen huoltajan sähköposti", "Lapsen nimi ja syntymäaika",
                 "Mistä kuulit meistä?"]
headers_strategy = st.lists(st.one_of(st.sampled_from(QUESTION_POOL),
                                      st.text(alphabet=string.ascii_letters + "äöÅ ?*()-", max_size=25)),
                            min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=headers_strategy, mapped=st.dictionaries(st.sampled_from(QUESTION_POOL),
                                                        st.sampled_from(["Sähköposti", "ei tuoda", "Syntymäaika",
                                                                         "Oppilaan nimi", "Opettaja"]), max_size=3))
def test_no_column_of_any_form_is_both_unreported_and_unused(tmp_path, headers, mapped):
    """Write the form as a CSV, read it as import-forms does: every column that holds a question or an answer
    is either imported or named in the report (the column table, or the refusal's list of columns)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(headers)
    writer.writerow([f"vastaus {i}" for i in range(len(headers))])
    path = tmp_path / "lomake.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read_forms_table(path)
    reading = read_questions(table.headers, mapped, answered=table.answered)
    shown = "\n".join(column_lines(reading)) if reading.ok else say("forms-refused", "fi", **refusal_words(reading, "lomake.csv", True))
    used = set(reading.fields.values())
    for index in range(1, len(table.headers) + 1):
        column = reading.column(index)
        assert column is not None, index
        letter = openpyxl.utils.get_column_letter(index)
        assert index in used or f"{letter}  " in shown or f"{letter} \"" in shown, (index, headers)
        if column.header:
            assert column.header in shown


# --- the Lomakekentät sheet: init, check ------------------------------------------------------------------

def test_init_creates_lomakekentat_empty_with_its_headers_and_a_dropdown(tmp_path, capsys):
    path = tmp_path / "uusi.xlsx"
    assert main(["init", str(path)]) == 0
    sheet = openpyxl.load_workbook(path)["Lomakekentät"]
    assert [c.value for c in sheet[1]] == ["Kysymys", "Kenttä"] and sheet.max_row == 1
    assert any(str(dv.sqref) == "B2:B1048576" and "Sähköposti" in dv.formula1 for dv in sheet.data_validations.dataValidation)
    ohje = " ".join(str(c.value) for c in openpyxl.load_workbook(path)["Ohje"]["A"] if c.value)
    assert "Lomakekentät" in ohje
    assert main(["check", str(path)]) == 0


def register_with(tmp_path, rows):
    path = build_register(tmp_path / "r.xlsx", make_tables(students=[student()]))
    workbook = openpyxl.load_workbook(path)
    for row in rows:
        workbook["Lomakekentät"].append(list(row))
    workbook.save(path)
    return path


def found(path):
    _, result = load_checked(path, TODAY)
    return [(f.sheet, f.cell, f.code, f.severity) for f in result.findings if f.sheet == "Lomakekentät"]


def test_check_validates_the_mapping_rows(tmp_path):
    path = register_with(tmp_path, [("Milloin lapsi syntyi?", "syntymäaika"), ("Äidin sähköposti", "Sähköposti"),
                                    ("Isän sähköposti", "ei tuoda"), ("Kotikunta", "Osoite"),
                                    ("Toivottu opettaja", "Opettaja"), (None, "Puhelin"),
                                    ("äidin sähköposti?", "Puhelin"), ("Allergiat", "Huoltaja"),
                                    ("Milloin lapsi syntyi", "Syntymäaika"), ("Tila kysymys", "Tila")])
    assert found(path) == [
        ("Lomakekentät", "B5", "invalid-choice", "error"),
        ("Lomakekentät", "B6", "form-field-not-from-forms", "warning"),
        ("Lomakekentät", "A7", "missing-value", "error"),
        ("Lomakekentät", "A8", "form-mapping-twice", "error"),
        ("Lomakekentät", "A9", "form-health-question", "warning"),
    ]


def test_a_register_without_lomakekentat_or_with_an_empty_one_is_valid(tmp_path):
    path = register_with(tmp_path, [])
    assert found(path) == []
    workbook = openpyxl.load_workbook(path)
    del workbook["Lomakekentät"]
    workbook.save(path)
    _, result = load_checked(path, TODAY)
    assert result.ok and not [f for f in result.findings if f.code == "missing-sheet"]
