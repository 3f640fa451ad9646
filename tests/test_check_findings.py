"""`muskari check`: an id Excel turned into a number, one cause said once (its consequences folded into it
and counted), choices compared after trimming, NFC and case folding, and the reminder to update Tila.

Each test is a valid register with one mutation and exactly the findings it should give, as a table of
(sheet, cell, code); a folded finding also lists the cells that follow from it.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date, timedelta

import openpyxl
import pytest
from registers import AS_OF, CERTIFICATES, STUDENTS, STUDIES, build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked


def checked(path, today=AS_OF):
    return load_checked(path, today)[1]


def table(result):
    return [(f.sheet, f.cell, f.code) for f in result.findings]


def related(finding):
    return [(f.sheet, f.cell, f.code) for f in finding.related]


def one(result):
    (finding,) = result.findings
    return finding


def many_studies(student_id="0002", count=27, first=date(2013, 1, 15)):
    """``count`` study rows of one student (Soitin 1, 5 h each, one a month)."""
    rows = []
    for i in range(count):
        day = first + timedelta(days=31 * i)
        rows.append([student_id, "Soitin 1", f"{'kevät' if day.month <= 7 else 'syksy'} {day.year}", 5, day, None])
    return rows


# --- 1. id-as-number ----------------------------------------------------------------------------

def test_student_id_turned_into_a_number_is_named_at_its_cell_with_the_likely_text(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A2"): 1}))
    finding = one(result)
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "A2", "id-as-number")
    assert related(finding) == [("Opinnot", "A2", "unknown-student")]      # said once, at the root
    assert "Tarkoititko 0001?" in finding.message("fi") and "Did you mean 0001?" in finding.message("en")
    assert "1 opintorivi viittaa tähän oppilasnumeroon" in finding.message("fi")
    assert "1 study row refers to this student id" in finding.message("en")
    assert not result.ok


def test_twenty_seven_study_rows_of_a_numbered_id_are_one_finding_with_a_count(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A3"): 2},
                          rows={"Opinnot": [*STUDIES, *many_studies("0002", 25)]})
    finding = one(checked(path))
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "A3", "id-as-number")
    assert len(finding.related) == 27 and {f.code for f in finding.related} == {"unknown-student"}
    text = finding.message("fi")
    assert "Tarkoititko 0002?" in text and "27 opintoriviä viittaa tähän oppilasnumeroon" in text
    assert "Opinnot: A3, A4, A6, A7, A8 ja 22 muuta" in text
    assert "27 study rows refer to this student id" in finding.message("en")


@pytest.mark.parametrize("sheet,cell,value,likely", [
    ("Opinnot", "A2", 1, "0001"),
    ("Opinnot", "A3", 2.0, "0002"),                    # a float from a sheet the owner pasted
    ("Opinnot", "A3", "2.0", "0002"),                  # the text pandas makes of 2.0 (a CSV round trip)
    ("Todistukset", "B2", 2, "0002"),
    ("Oppilaat", "A4", "3,0", "0003"),
], ids=["studies-int", "studies-float", "studies-text-2.0", "certificates", "students-text-3,0"])
def test_id_as_number_in_every_sheet_that_holds_student_ids(tmp_path, sheet, cell, value, likely):
    finding = one(checked(build_register(tmp_path / "r.xlsx", edits={(sheet, cell): value})))
    assert (finding.sheet, finding.cell, finding.code) == (sheet, cell, "id-as-number")
    assert f"Tarkoititko {likely}?" in finding.message("fi")


def test_a_new_id_typed_as_a_number_does_not_pass(tmp_path):
    new = [166, "Uusi", "Oppilas", date(2020, 1, 1), "Huoltaja", "uusi@example.fi", None, None, "aktiivinen",
           None, None, None, None]
    finding = one(checked(build_register(tmp_path / "r.xlsx", rows={"Oppilaat": [*STUDENTS, new]})))
    assert (finding.sheet, finding.cell, finding.code, finding.severity) == ("Oppilaat", "A5", "id-as-number", "error")
    assert "Tarkoititko 0166?" in finding.message("fi")
    assert finding.related == ()


def test_the_likely_text_is_the_digits_when_ids_are_not_zero_padded(tmp_path):
    students = [[str(int(r[0])), *r[1:]] for r in STUDENTS]
    studies = [[str(int(r[0])), *r[1:]] for r in STUDIES]
    certificates = [[c[0], str(int(c[1])), *c[2:]] for c in CERTIFICATES]
    path = build_register(tmp_path / "r.xlsx", rows={"Oppilaat": students, "Opinnot": studies,
                                                     "Todistukset": certificates}, edits={("Opinnot", "A2"): 1})
    finding = one(checked(path))
    assert (finding.cell, finding.code) == ("A2", "id-as-number")
    assert "Tarkoititko" not in finding.message("fi") and "'1" in finding.message("fi")


def test_a_number_whose_padded_text_is_taken_is_not_suggested_as_that_id(tmp_path):
    new = [1, "Uusi", "Oppilas", date(2020, 1, 1), "Huoltaja", "uusi@example.fi", None, None, "aktiivinen",
           None, None, None, None]
    finding = one(checked(build_register(tmp_path / "r.xlsx", rows={"Oppilaat": [*STUDENTS, new]})))
    assert (finding.cell, finding.code) == ("A5", "id-as-number")
    assert "Tarkoititko" not in finding.message("fi") and "0001 on jo toisen oppilaan numero" in finding.message("fi")


def test_a_decimal_id_is_an_id_as_number_without_a_guess(tmp_path):
    finding = one(checked(build_register(tmp_path / "r.xlsx", edits={("Opinnot", "A2"): 1.5})))
    assert (finding.cell, finding.code, finding.value) == ("A2", "id-as-number", "1,5")
    assert "Tarkoititko" not in finding.message("fi") and "Did you mean" not in finding.message("en")


def test_the_same_number_on_many_study_rows_is_said_once(tmp_path):
    edits = {("Opinnot", "A3"): 2, ("Opinnot", "A4"): 2}
    finding = one(checked(build_register(tmp_path / "r.xlsx", edits=edits)))
    assert (finding.cell, finding.code) == ("A3", "id-as-number") and related(finding) == [
        ("Opinnot", "A4", "id-as-number")]
    assert "Sama luku on myös 1 muulla rivillä: Opinnot: A4." in finding.message("fi")


def test_the_same_number_in_oppilaat_and_on_study_rows_is_one_finding_at_oppilaat(tmp_path):
    edits = {("Oppilaat", "A3"): 2, ("Opinnot", "A3"): 2, ("Todistukset", "B2"): 2}
    finding = one(checked(build_register(tmp_path / "r.xlsx", edits=edits)))
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "A3", "id-as-number")
    assert related(finding) == [("Opinnot", "A3", "id-as-number"), ("Opinnot", "A4", "unknown-student"),
                                ("Todistukset", "B2", "id-as-number")]
    text = finding.message("fi")
    assert "Sama luku on myös 2 muulla rivillä: Opinnot: A3; Todistukset: B2." in text
    assert "1 opintorivi viittaa tähän oppilasnumeroon: Opinnot: A4." in text


# --- 2. one cause, said once ----------------------------------------------------------------------

def test_a_future_birth_date_is_said_once_with_the_study_rows_it_puts_before_birth(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D3"): date(2027, 1, 1)},
                          rows={"Opinnot": [*STUDIES, *many_studies("0002", 25)]})
    finding = one(checked(path))
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "D3", "future-date")
    assert len(finding.related) == 27 and {f.code for f in finding.related} == {"date-before-birth"}
    assert "27 opintorivin suorituspäivä on ennen tätä syntymäaikaa" in finding.message("fi")
    assert "27 study rows have a completion date before this birth date" in finding.message("en")


def test_a_birth_date_later_than_several_study_rows_is_the_one_finding(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D3"): date(2025, 12, 1)})
    finding = one(checked(path))
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "D3", "birth-after-studies")
    assert related(finding) == [("Opinnot", "E3", "date-before-birth"), ("Opinnot", "E4", "date-before-birth")]
    assert "2 opintorivin suorituspäivä on ennen tätä syntymäaikaa: Opinnot: E3, E4." in finding.message("fi")


def test_one_study_row_before_birth_stays_at_the_study_row(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits={("Opinnot", "E3"): date(2011, 1, 1)}))
    assert table(result) == [("Opinnot", "E3", "date-before-birth")]


def test_an_unknown_unit_on_many_rows_is_said_once(tmp_path):
    path = build_register(tmp_path / "r.xlsx", rows={"Opinnot": [*STUDIES, *many_studies("0002", 3)]},
                          edits={("Opinnot", c): "Soitin 9" for c in ("B6", "B7", "B8")})
    finding = one(checked(path))
    assert (finding.cell, finding.code) == ("B6", "unknown-study-unit")
    assert related(finding) == [("Opinnot", "B7", "unknown-study-unit"), ("Opinnot", "B8", "unknown-study-unit")]
    assert "Sama nimi on myös 2 muulla rivillä: Opinnot: B7, B8." in finding.message("fi")
    assert "The same name is also on 2 other rows: Opinnot: B7, B8." in finding.message("en")


def test_an_unknown_teacher_on_both_sheets_is_said_once_in_any_spelling(tmp_path):
    edits = {("Oppilaat", "H3"): "Pekka Piano", ("Opinnot", "F3"): "pekka  PIANO", ("Opinnot", "F5"): "Pekka Piano"}
    finding = one(checked(build_register(tmp_path / "r.xlsx", edits=edits)))
    assert (finding.sheet, finding.cell, finding.code) == ("Oppilaat", "H3", "unknown-teacher")
    assert related(finding) == [("Opinnot", "F3", "unknown-teacher"), ("Opinnot", "F5", "unknown-teacher")]


def test_an_unknown_student_id_on_many_rows_is_said_once(tmp_path):
    edits = {("Opinnot", "A3"): "0099", ("Opinnot", "A4"): "0099", ("Opinnot", "A5"): "0098"}
    result = checked(build_register(tmp_path / "r.xlsx", edits=edits))
    assert table(result) == [("Opinnot", "A3", "unknown-student"), ("Opinnot", "A5", "unknown-student")]
    assert related(result.findings[0]) == [("Opinnot", "A4", "unknown-student")]
    assert related(result.findings[1]) == []


@pytest.mark.parametrize("sheet,code,cells", [
    ("Opintokokonaisuudet", "unknown-study-unit", ["B2", "B3", "B4", "B5"]),
    ("Opettajat", "unknown-teacher", ["H2", "H3", "H4", "F2", "F3", "F5"]),
], ids=["units", "teachers"])
def test_a_missing_reference_sheet_is_said_once_with_the_rows_it_leaves_unmatched(tmp_path, sheet, code, cells):
    path = build_register(tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(path)
    del workbook[sheet]
    workbook.save(path)
    finding = one(checked(path))
    assert (finding.sheet, finding.cell, finding.code) == (sheet, None, "missing-sheet")
    assert [f.cell for f in finding.related] == cells and {f.code for f in finding.related} == {code}


def test_a_renamed_key_column_is_said_once_with_the_rows_it_leaves_unmatched(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A1"): "Numero"}))
    assert table(result) == [("Oppilaat", None, "missing-column"), ("Oppilaat", "A1", "unknown-column")]
    assert [f.cell for f in result.findings[0].related] == ["A2", "A3", "A4", "A5"]
    assert "Siksi 4 opintoriviä ei löydä oppilastaan: Opinnot: A2, A3, A4, A5." in result.findings[0].message("fi")


def test_json_keeps_the_finding_shape_and_adds_the_count_and_related_cells(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D4"): date(2027, 1, 1)})
    assert main(["check", str(path), "--as-of", "2026-06-01", "--format", "json"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert {"code", "severity", "sheet", "cell", "row", "column", "value", "message"} <= set(finding)
    assert finding["count"] == 1
    assert finding["related_cells"] == [{"sheet": "Opinnot", "cell": "E5", "row": 5, "column": "Suoritettu",
                                         "code": "date-before-birth", "value": "29.5.2020"}]


def test_json_of_an_unfolded_finding_says_count_zero(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D2"): "31.2.2019"})
    main(["check", str(path), "--as-of", "2026-06-01", "--format", "json"])
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["count"] == 0 and finding["related_cells"] == []


def test_annotated_copy_marks_every_affected_cell_and_lists_the_cause_once(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A3"): 2})
    out = tmp_path / "merkitty.xlsx"
    assert main(["check", str(path), "--as-of", "2026-06-01", "--annotate", str(out)]) == 1
    workbook = openpyxl.load_workbook(out)
    summary = workbook["Tarkistus"]
    assert summary.max_row == 2 and summary["B2"].value == "A3" and "2 opintoriviä" in summary["E2"].value
    root = workbook["Oppilaat"]["A3"]
    assert root.fill.start_color.rgb.endswith("FFC7CE") and "Tarkoititko 0002?" in root.comment.text
    for ref in ("A3", "A4"):
        cell = workbook["Opinnot"][ref]
        assert cell.fill.start_color.rgb.endswith("FFC7CE")
        assert "Oppilaat!A3" in cell.comment.text                  # points at the likely cause


def test_annotated_copy_points_rows_left_unmatched_at_the_missing_sheet(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(path)
    del workbook["Opintokokonaisuudet"]
    workbook.save(path)
    out = tmp_path / "merkitty.xlsx"
    assert main(["check", str(path), "--as-of", "2026-06-01", "--annotate", str(out), "--lang", "en"]) == 1
    copy = openpyxl.load_workbook(out)
    assert copy["Findings"].max_row == 2                                       # one line: the missing sheet
    for ref in ("B2", "B3", "B4", "B5"):
        assert "Check sheet Opintokokonaisuudet first" in copy["Opinnot"][ref].comment.text


def test_table_output_says_the_cause_once(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A3"): 2},
                          rows={"Opinnot": [*STUDIES, *many_studies("0002", 25)]})
    assert main(["check", str(path), "--as-of", "2026-06-01"]) == 1
    out = capsys.readouterr().out
    assert out.count("id-as-number") == 1 and "unknown-student" not in out
    assert out.endswith("Rekisterissä on 1 virhe ja 0 varoitusta.\n")


# --- 3. choices, semesters and yes/no after trimming, NFC and case folding -----------------------------

@pytest.mark.parametrize("sheet,cell,typed,column,canonical", [
    ("Opinnot", "C2", "Kevät 2024", "semester", "kevät 2024"),
    ("Opinnot", "C2", "KEVÄT  2024 ", "semester", "kevät 2024"),
    ("Opinnot", "C2", unicodedata.normalize("NFD", "Kevät 2024"), "semester", "kevät 2024"),
    ("Opinnot", "C2", "kevät\u00a02024", "semester", "kevät 2024"),
    ("Oppilaat", "I2", "Aktiivinen", "status", "aktiivinen"),
    ("Oppilaat", "I4", unicodedata.normalize("NFD", "Päättynyt"), "status", "päättynyt"),
    ("Oppilaat", "J3", " KYLLÄ", "continues", "kyllä"),
    ("Opintokokonaisuudet", "B2", "Varhaisiän  Musiikkikasvatus", "part", "varhaisiän musiikkikasvatus"),
    ("Todistukset", "C2", "Muskaritodistus", "kind", "muskaritodistus"),
    ("Valmistuneet", "C2", "MUSKARITODISTUS", "kind", "muskaritodistus"),
], ids=["semester-capital", "semester-upper-spaces", "semester-nfd", "semester-nbsp", "status", "status-nfd",
        "yes", "part", "certificate-kind", "graduate-kind"])
def test_choices_are_compared_after_folding_and_kept_in_their_canonical_spelling(tmp_path, sheet, cell, typed,
                                                                                 column, canonical):
    result = checked(build_register(tmp_path / "r.xlsx", edits={(sheet, cell): typed}))
    assert table(result) == []
    frame = {"Opinnot": result.tables.studies, "Oppilaat": result.tables.students,
             "Opintokokonaisuudet": result.tables.units, "Todistukset": result.tables.certificates,
             "Valmistuneet": result.tables.graduates}[sheet]
    assert frame.loc[int(cell[1:]), column] == canonical


def test_a_yes_no_setting_in_capitals_is_read(tmp_path):
    from workbook_schema.settings import SETTINGS

    row = 2 + [s.key for s in SETTINGS].index("Muskaritunnit yleiseen oppimäärään")
    result = checked(build_register(tmp_path / "r.xlsx", edits={("Asetukset", f"B{row}"): " KYLLÄ "}))
    assert table(result) == [] and result.settings.muskari_counts_to_common is True


def test_unit_and_teacher_names_are_used_in_the_curriculum_s_spelling(tmp_path):
    edits = {("Opinnot", "B3"): "soitin  1", ("Opinnot", "F3"): "KALLE KANTELE", ("Oppilaat", "H3"): "kalle kantele"}
    result = checked(build_register(tmp_path / "r.xlsx", edits=edits))
    assert table(result) == []
    assert result.tables.studies.loc[3, "unit"] == "Soitin 1"
    assert result.tables.studies.loc[3, "teacher"] == "Kalle Kantele"
    assert result.tables.students.loc[3, "teacher"] == "Kalle Kantele"


def test_a_wrong_semester_is_still_refused(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits={("Opinnot", "C2"): "Talvi 2024"}))
    assert table(result) == [("Opinnot", "C2", "invalid-semester")]


# --- 4. an active child past the muskari age who will not continue ---------------------------------

# Aino (row 2, 0001): born 2020, aktiivinen, one muskari row 31.5.2024, registered 1.12.2025 (a registration
# is no study: the reminder is conditional, "if the child no longer studies").
PAST_THE_AGE = {("Oppilaat", "D2"): date(2018, 5, 1), ("Oppilaat", "J2"): "ei"}


def test_active_child_past_the_muskari_age_not_continuing_without_studies_for_a_year(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits=PAST_THE_AGE))
    finding = one(result)
    assert (finding.sheet, finding.cell, finding.code, finding.severity) == (
        "Oppilaat", "I2", "active-without-studies", "warning")
    assert finding.message("fi").startswith("Päivitä Tila päättyneeksi, jos")
    assert "7" in finding.message("fi") and finding.message("en").startswith("Update Tila to päättynyt if")
    assert result.ok


@pytest.mark.parametrize("change", [
    {("Oppilaat", "J2"): "kyllä"},                                   # continues to instrument studies
    {("Oppilaat", "J2"): None},                                      # not known
    {("Oppilaat", "I2"): "tauolla"},                                 # not active
    {("Oppilaat", "D2"): date(2019, 6, 2)},                          # turns 7 on 2.6.2026, the day after
    {("Opinnot", "E2"): date(2025, 6, 2)},                           # studied within the year
    {("Oppilaat", "K2"): date(2026, 5, 1)},                          # a deletion request: purge erases
    {("Oppilaat", "D2"): date(2027, 1, 1)},                          # the birth date is wrong: that is said
], ids=["continues", "not-known", "on-break", "under-the-age", "recent-study", "deletion-requested",
        "future-birth"])
def test_no_status_reminder(tmp_path, change):
    result = checked(build_register(tmp_path / "r.xlsx", edits={**PAST_THE_AGE, **change}))
    assert "active-without-studies" not in [f.code for f in result.findings]


def test_status_reminder_on_the_seventh_birthday_exactly(tmp_path):
    result = checked(build_register(tmp_path / "r.xlsx", edits={**PAST_THE_AGE, ("Oppilaat", "D2"): date(2019, 6, 1)}))
    assert table(result) == [("Oppilaat", "I2", "active-without-studies")]


def test_status_reminder_with_no_study_rows_at_all(tmp_path):
    studies = [r for r in STUDIES if r[0] != "0001"]
    result = checked(build_register(tmp_path / "r.xlsx", edits=PAST_THE_AGE, rows={"Opinnot": studies}))
    assert table(result) == [("Oppilaat", "I2", "active-without-studies")]


# --- 5. the catalogue: singular after 1 ----------------------------------------------------------------

def test_fold_sentences_are_singular_after_one_and_plural_after_more(tmp_path):
    from toolkit.model.findings import make

    def root_with(n, code="unknown-study-unit"):
        root = make(code, sheet="Opinnot", cell="B2", row=2, column="Opintokokonaisuus", value="X")
        rest = tuple(make(code, sheet="Opinnot", cell=f"B{3 + i}", row=3 + i, column="Opintokokonaisuus", value="X")
                     for i in range(n))
        from dataclasses import replace

        return replace(root, related=rest)

    assert "on 1 other row: Opinnot: B3." in root_with(1).message("en")
    assert "on 2 other rows: Opinnot: B3, B4." in root_with(2).message("en")
    assert "Opinnot: B3, B4, B5, B6, B7 and 1 more." in root_with(6).message("en")
    assert "Opinnot: B3, B4, B5, B6, B7 ja 1 muu." in root_with(6).message("fi")
    assert "Opinnot: B3, B4, B5, B6, B7 ja 2 muuta." in root_with(7).message("fi")
