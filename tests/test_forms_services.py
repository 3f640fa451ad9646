"""`muskari import-forms` on exports in the exact shapes Google Forms, Google Sheets, Microsoft Forms and Excel
write them (tests/forms_exports.py), with natural questions: nothing renamed, nothing a family wrote lost."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from factories import make_tables, student
from forms_exports import (
    AINO,
    EINO,
    ELLA,
    QUESTIONS_EN,
    QUESTIONS_FI,
    Response,
    answers,
    excel_semicolon_csv,
    google_forms_csv,
    google_forms_zip,
    google_sheets_csv_fi,
    microsoft_forms_xlsx,
    response,
)
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked

TODAY = date(2026, 11, 25)
MAY = datetime(2026, 5, 12, 9, 14, 3)


def make_register(tmp_path, mapping=None, without_sheet=False, students=None):
    """The factories' register (0001 Aino Virtanen); ``mapping`` rows go to Lomakekentät; ``without_sheet``
    makes a register from before the sheet existed."""
    import openpyxl

    path = build_register(tmp_path / "rekisteri.xlsx",
                          make_tables(students=students or [student(phone="040 123 4567")]))
    if mapping or without_sheet:
        workbook = openpyxl.load_workbook(path)
        if without_sheet:
            del workbook["Lomakekentät"]
        for question, field in (mapping or {}).items():
            workbook["Lomakekentät"].append([question, field])
        workbook.save(path)
    return path


def run(capsys, *argv):
    code = main([*argv, "--as-of", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def students_after(register):
    _, result = load_checked(register, TODAY)
    assert result.ok, [f.to_dict() for f in result.errors]
    return result.tables.students.set_index("student_id")


# --- Google Forms -------------------------------------------------------------------------------------

def test_a_google_forms_csv_with_natural_questions_and_the_account_column(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = google_forms_csv(tmp_path / "vastaukset.csv", QUESTIONS_FI, [
        response(AINO, datetime(2026, 11, 20, 14, 5), email="uusi@example.fi", phone="040 999 8888",
                 continues="Kyllä, jatkamme"),
        response(EINO, datetime(2026, 11, 21, 9, 0)),
    ], account_emails=["tili.aino@example.fi", "tili.eino@example.fi"])
    assert forms.read_text(encoding="utf-8").startswith('"Aikaleima","Sähköpostiosoite","Oppilaan etunimi"')
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    lines = out.splitlines()
    assert any(line.startswith("  B  Sähköpostiosoite") and "perheen oma vastaus sarakkeessa G" in line for line in lines)
    assert any(line.startswith("  A  Aikaleima") and "Viimeisin ilmoittautuminen" in line for line in lines)
    s = students_after(register)
    assert s.loc["0001", ["email", "phone", "last_registration"]].tolist() == [
        "uusi@example.fi", "040 999 8888", date(2026, 11, 20)]
    assert s.loc["0002", ["first_name", "last_name", "guardian", "email", "phone", "status"]].tolist() == [
        "Eino", "Uusi", "Pekka Uusi", "pekka@example.fi", "050 111 2222", "aktiivinen"]
    assert "tili." not in out


def test_the_account_address_is_used_only_when_the_form_asks_no_email(tmp_path, capsys):
    register = make_register(tmp_path)
    questions = [q for q in QUESTIONS_EN if q != "E-mail"]
    forms = google_forms_csv(tmp_path / "responses.csv", questions,
                             [response(EINO, MAY, QUESTIONS_EN, continues="Yes")], english=True,
                             account_emails=["pekka.uusi@example.fi"])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply", "--lang", "en")
    assert code == 0, out
    assert "Sähköposti from the respondent's account" in out
    assert students_after(register).loc["0002", "email"] == "pekka.uusi@example.fi"


def test_the_google_forms_download_is_a_zip_holding_the_csv(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = google_forms_zip(tmp_path / "Ilmoittautuminen.csv.zip", QUESTIONS_FI, [response(EINO, MAY)])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    assert students_after(register).loc["0002", "last_registration"] == date(2026, 5, 12)


def test_google_sheets_csv_in_the_finnish_locale(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = google_sheets_csv_fi(tmp_path / "taulukko.csv", QUESTIONS_FI,
                                 [response(AINO, datetime(2026, 8, 7, 10, 23, 45), continues="Ei")])
    assert "7.8.2026 10.23.45" in forms.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    s = students_after(register)
    assert s.loc["0001", ["last_registration", "status"]].tolist() == [date(2026, 8, 7), "päättynyt"]


# --- Microsoft Forms ----------------------------------------------------------------------------------

@pytest.mark.parametrize("finnish", [False, True], ids=["english", "finnish"])
def test_a_microsoft_forms_workbook_with_anonymous_accounts_and_date_cells(tmp_path, capsys, finnish):
    register = make_register(tmp_path)
    forms = microsoft_forms_xlsx(tmp_path / "Ilmoittautuminen.xlsx", QUESTIONS_FI, [
        response(AINO, datetime(2026, 11, 20, 14, 5)),
        response(ELLA, datetime(2026, 11, 22, 8, 30)),
    ], finnish=finnish)
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    s = students_after(register)
    assert s.loc["0001", "last_registration"] == date(2026, 11, 20)
    assert s.loc["0002", ["first_name", "last_name", "birth_date", "email"]].tolist() == [
        "Ella Sofia", "Mäkelä", date(2020, 10, 12), "sari.makela@example.fi"]
    assert "anonymous" not in json.dumps(s.astype(str).to_dict())
    for service in ("ID", "Start time", "Name", "Last modified time") if not finnish else ("Tunnus", "Aloitusaika"):
        assert any(service in line and "lomakepalvelun oma sarake" in line for line in out.splitlines()), service


def test_in_a_school_tenant_the_family_answer_wins_over_the_account_address(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = microsoft_forms_xlsx(tmp_path / "lomake.xlsx", QUESTIONS_FI, [response(AINO, MAY)],
                                 accounts=[("opettaja@koulu.example.fi", "Opettaja Olli")])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0
    assert students_after(register).loc["0001", "email"] == "perhe@example.fi"
    assert "opettaja@koulu" not in out and "Opettaja Olli" not in out


def test_an_account_column_alone_never_replaces_an_answer_with_anonymous(tmp_path, capsys):
    register = make_register(tmp_path)
    questions = [q for q in QUESTIONS_FI if "sähköposti" not in q]
    forms = microsoft_forms_xlsx(tmp_path / "lomake.xlsx", questions, [response(AINO, MAY)])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    assert students_after(register).loc["0001", "email"] == "perhe@example.fi"


# --- Excel's CSV (puolipiste) -------------------------------------------------------------------------

def test_excel_semicolon_csv_in_windows_1252(tmp_path, capsys):
    register = make_register(tmp_path)
    headers = ["Aikaleima", *QUESTIONS_FI]
    row = [datetime(2026, 11, 20, 14, 5), *answers(ELLA).values()]
    forms = excel_semicolon_csv(tmp_path / "lomake.csv", headers, [row])
    assert "Mäkelä".encode("cp1252") in forms.read_bytes()
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    assert students_after(register).loc["0002", ["last_name", "last_registration"]].tolist() == [
        "Mäkelä", date(2026, 11, 20)]


# --- questions the toolkit cannot decide alone ----------------------------------------------------------

TWO_EMAILS = ("Oppilaan nimi", "Syntymäaika", "Huoltajan sähköposti", "Toisen huoltajan sähköposti", "Jatkaako?")


def two_email_form(tmp_path):
    r = response(EINO, MAY)
    r.answers = {"Oppilaan nimi": EINO.child, "Syntymäaika": "5.6.2021", "Huoltajan sähköposti": "pekka@example.fi",
                 "Toisen huoltajan sähköposti": "toinen@example.fi", "Jatkaako?": "Joo"}
    return google_forms_csv(tmp_path / "kaksi.csv", TWO_EMAILS, [r])


def test_two_email_questions_are_refused_until_named_in_lomakekentat(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = two_email_form(tmp_path)
    before = register.read_bytes()
    code, out, err = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 3 and out == "" and register.read_bytes() == before
    for words in ('D "Huoltajan sähköposti", E "Toisen huoltajan sähköposti"', "Sähköposti", "Lomakekentät",
                  "Kysymys", "Kenttä", 'A "Aikaleima"', 'B "Oppilaan nimi"', "eikä rekisteriä muutettu"):
        assert words in err, words
    assert "sopimuksessa" not in err and "\n" not in err.strip()
    named = tmp_path / "named"
    named.mkdir()
    register = make_register(named, mapping={"Huoltajan sähköposti": "Sähköposti"})
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0, out
    assert any("Toisen huoltajan sähköposti" in line and "sarakkeelle D" in line for line in out.splitlines())
    assert any("Huoltajan sähköposti" in line and "(Lomakekentät)" in line for line in out.splitlines())
    assert students_after(register).loc["0002", ["first_name", "last_name", "email"]].tolist() == [
        "Eino", "Uusi", "pekka@example.fi"]


def test_a_register_from_before_lomakekentat_is_valid_and_told_how_to_add_it(tmp_path, capsys):
    register = make_register(tmp_path, without_sheet=True)
    assert run(capsys, "check", str(register))[0] == 0
    code, _, err = run(capsys, "import-forms", str(register), str(two_email_form(tmp_path)))
    assert code == 3 and "Lisää rekisteriin välilehti Lomakekentät" in err
    forms = google_forms_csv(tmp_path / "ok.csv", QUESTIONS_FI, [response(EINO, MAY)])
    assert run(capsys, "import-forms", str(register), str(forms), "--apply")[0] == 0


def test_a_missing_required_question_lists_the_columns_and_what_is_needed(tmp_path, capsys):
    register = make_register(tmp_path)
    r = response(EINO, MAY)
    r.answers = {"Lapsen nimi": EINO.child, "Milloin lapsi on syntynyt": "5.6.2021", "Jatkatteko?": "kyllä"}
    forms = google_forms_csv(tmp_path / "lomake.csv", ["Lapsen nimi", "Milloin lapsi on syntynyt", "Jatkatteko?"],
                             [r])
    code, out, err = run(capsys, "import-forms", str(register), str(forms))
    assert code == 0, err        # "syntynyt" is the birth date's own word
    r.answers = {"Lapsen nimi": EINO.child, "Milloin lapsi täyttää vuosia": "5.6.2021", "Jatkatteko?": "kyllä"}
    forms = google_forms_csv(tmp_path / "lomake2.csv", ["Lapsen nimi", "Milloin lapsi täyttää vuosia",
                                                        "Jatkatteko?"], [r])
    code, _, err = run(capsys, "import-forms", str(register), str(forms))
    assert code == 3 and "Lomakkeesta ei löytynyt kysymystä: syntymäaika." in err
    assert 'C "Milloin lapsi täyttää vuosia" ei tuoda' in err
    named = tmp_path / "named"
    named.mkdir()
    register = make_register(named, mapping={"Milloin lapsi täyttää vuosia?": "Syntymäaika"})
    assert run(capsys, "import-forms", str(register), str(forms), "--apply")[0] == 0


def test_a_whole_name_question_is_split_at_the_last_space(tmp_path, capsys):
    register = make_register(tmp_path)
    questions = ("Lapsen nimi", "Syntymäaika", "Jatkaako lapsi?")
    rows = [response(ELLA, MAY), response(EINO, MAY)]
    rows[0].answers = {"Lapsen nimi": "Ella Sofia Mäkelä", "Syntymäaika": "12.10.2020", "Jatkaako lapsi?": "Kyllä"}
    rows[1].answers = {"Lapsen nimi": "Eino", "Syntymäaika": "5.6.2021", "Jatkaako lapsi?": "Kyllä"}
    forms = google_forms_csv(tmp_path / "nimi.csv", questions, rows)
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0
    assert "rivi 3 (B3 Lapsen nimi)" in out and "etunimi ja sukunimi" in out
    s = students_after(register)
    assert s.loc["0002", ["first_name", "last_name"]].tolist() == ["Ella Sofia", "Mäkelä"]
    assert "0003" not in s.index


# --- health questions --------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["Onko lapsella allergioita tai lääkitystä?", "Sairaudet",
                                      "Lisätietoja (esim. allergiat, diagnoosit)", "Allergies or medication",
                                      "Medical conditions we should know about"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_health_question_is_named_with_a_warning_and_its_answers_never_imported_or_shown(
        tmp_path, capsys, question, fmt):
    register = make_register(tmp_path)
    r = response(AINO, MAY)
    r.answers[question] = "pähkinäallergia, astmalääke"
    forms = google_forms_csv(tmp_path / "lomake.csv", (*QUESTIONS_FI, question), [r])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--format", fmt, "--apply")
    assert code == 0, out
    assert question in out and ("terveystiedolta" in out or "health" in out)
    assert "pähkinä" not in out and "astmalääke" not in out
    s = students_after(register)
    assert "pähkinä" not in json.dumps(s.astype(str).to_dict(), ensure_ascii=False)


# --- every sentence true: apply twice -------------------------------------------------------------------

def test_a_second_apply_with_nothing_to_change_says_so_and_writes_nothing(tmp_path, capsys):
    register = make_register(tmp_path)
    forms = google_forms_csv(tmp_path / "lomake.csv", QUESTIONS_FI, [response(EINO, MAY)])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0 and "Muutokset tallennettiin rekisteriin: päivitettyjä oppilaita 0, uusia oppilaita 1." in out
    before = register.read_bytes()
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0 and register.read_bytes() == before
    assert "tallennettiin" not in out and "Ei muutoksia: rekisteriä ei kirjoitettu." in out
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply", "--format", "json")
    data = json.loads(out)
    assert data["applied"] is True and data["written"] is False and data["message"].startswith("Ei muutoksia")
    code, out, _ = run(capsys, "import-forms", str(register), str(forms))
    assert "Tämä oli esikatselu, eikä lomakkeesta tule rekisteriin muutoksia." in out
    assert "Tallenna muutokset" not in out


def test_json_and_csv_carry_the_question_table(tmp_path, capsys):
    register = make_register(tmp_path)
    r = response(AINO, MAY)
    r.answers["Terveisiä opettajalle"] = "Kiitos syksystä!"
    forms = google_forms_csv(tmp_path / "lomake.csv", (*QUESTIONS_FI, "Terveisiä opettajalle"), [r])
    data = json.loads(run(capsys, "import-forms", str(register), str(forms), "--format", "json")[1])
    by_question = {c["question"]: c for c in data["columns"]}
    assert by_question["Aikaleima"]["field"] == "Viimeisin ilmoittautuminen"
    assert by_question["Huoltajan sähköpostiosoite"]["field"] == "Sähköposti"
    assert by_question["Terveisiä opettajalle"] | {"reading": None} == {
        "column": "I", "question": "Terveisiä opettajalle", "status": "not-recognised", "field": None,
        "mapped": False, "reading": None}
    assert {"applied", "responses", "new_students", "updates", "problems", "superseded"} <= set(data)
    out = run(capsys, "import-forms", str(register), str(forms), "--format", "csv")[1]
    assert out.splitlines()[0] == '"row","student_id","kind","column","old","new","cell"'    # every field quoted
    assert any(line.startswith('"1","","question","Terveisiä opettajalle","","ei tuoda') for line in out.splitlines())
    assert "Kiitos syksystä" not in out


# --- the whole report of a realistic export, word for word ---------------------------------------------

@pytest.mark.parametrize("lang", ["fi", "en"])
def test_golden_report_of_a_google_forms_export(tmp_path, capsys, lang):
    import os
    from pathlib import Path

    register = make_register(tmp_path, mapping={"Toisen huoltajan sähköposti": "ei tuoda"})
    questions = ("Oppilasnumero (jos tiedossa)", "Lapsen nimi", "Syntymäaika (pp.kk.vvvv)", "Huoltajan nimi",
                 "Huoltajan sähköposti", "Toisen huoltajan sähköposti", "Huoltajan puhelinnumero",
                 "Jatkaako lapsi ensi lukukaudella?", "Onko lapsella allergioita?", "Terveisiä opettajalle")

    def row(stamp, student_id, name, birth, guardian, email, phone, continues, greeting=""):
        return Response(stamp, dict(zip(questions, (
            student_id, name, birth, guardian, email, "toinen@example.fi", phone, continues, "maapähkinä",
            greeting), strict=True)))

    rows = [row(datetime(2026, 11, 20, 9, 14, 3), "0001", "Aino Virtanen", "1.3.2019", "Maija Virtanen",
                "perhe@example.fi", "401234567", "Kyllä, jatkamme", "Kiitos syksystä!"),
            row(datetime(2026, 11, 18, 17, 2, 40), "", "Eino Uusi", "05.06.21", "Pekka Uusi", "pekka@example.fi",
                "050 111 2222", "Joo"),
            row(datetime(2026, 11, 19, 8, 0, 0), "0001", "Aino Virtanen", "1.3.2019", "Maija Virtanen",
                "vanha@example.fi", "040 123 4567", "Ei"),
            row(datetime(2026, 11, 21, 12, 30, 0), "", "Olli", "2.2.2020", "Outi Outo", "outi@example.fi", "", "En")]
    forms = google_forms_csv(tmp_path / "ilmoittautumiset.csv", questions, rows,
                             account_emails=["maija@example.fi", "pekka@example.fi", "maija@example.fi", "o@example.fi"])
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--lang", lang)
    golden = Path(__file__).parent / "golden" / f"import_forms_google_{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert code == 0 and out == golden.read_text(encoding="utf-8")
    assert "maapähkinä" not in out
