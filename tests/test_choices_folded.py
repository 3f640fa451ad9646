"""A choice is read the same wherever it is read: in any case, with spaces around or doubled, in either Unicode
form ("Syksy 2019", " KYLLÄ ", "Aktiivinen"). The register's sheets and its Asetukset are checked in
test_check_findings.py; here the Lomakekentät sheet, a form's answers and the command line."""

from __future__ import annotations

import unicodedata
from datetime import date

import openpyxl
import pytest
from factories import make_tables, student, study
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked
from toolkit.rules.certificate_context import _study_year
from toolkit.rules.forms_answers import yes_no
from toolkit.rules.forms_mapping import read_mapping

TODAY = date(2026, 11, 25)


def _mapping_register(tmp_path, field: str):
    path = build_register(tmp_path / "r.xlsx", make_tables(students=[student()]))
    workbook = openpyxl.load_workbook(path)
    workbook["Lomakekentät"].append(["Milloin lapsi syntyi?", field])
    workbook.save(path)
    return path


@pytest.mark.parametrize("typed", ["Syntymäaika", "SYNTYMÄAIKA", " syntymäaika ", unicodedata.normalize("NFD", "Syntymäaika")],
                         ids=["as-written", "capitals", "spaces", "nfd"])
def test_a_lomakekentat_field_is_read_in_any_case_and_form(tmp_path, typed):
    register, result = load_checked(_mapping_register(tmp_path, typed), TODAY)
    assert [f for f in result.findings if f.sheet == "Lomakekentät"] == []
    mapping, findings = read_mapping(register.sheets.get("Lomakekentät"))
    assert (mapping, findings) == ({"Milloin lapsi syntyi?": "Syntymäaika"}, [])


def test_a_lomakekentat_field_with_doubled_spaces_is_read(tmp_path):
    register, _ = load_checked(_mapping_register(tmp_path, "Jatkaa  ensi   LUKUKAUDELLA"), TODAY)
    assert read_mapping(register.sheets.get("Lomakekentät"))[0] == {"Milloin lapsi syntyi?": "Jatkaa ensi lukukaudella"}


@pytest.mark.parametrize("answer,expected", [(" KYLLÄ ", "kyllä"), ("Kyllä, jatkamme", "kyllä"), ("EI", "ei"),
                                             (unicodedata.normalize("NFD", "Kyllä"), "kyllä")])
def test_a_form_s_yes_or_no_is_read_in_any_case(answer, expected):
    assert yes_no(answer) == expected


@pytest.mark.parametrize("semester", ["Syksy 2019", " SYKSY  2019 ", unicodedata.normalize("NFD", "syksy 2019")])
def test_a_certificate_s_study_period_reads_the_semester_in_any_case(semester):
    assert _study_year(semester, date(2021, 5, 31)) == 2019


def test_a_semester_typed_in_capitals_passes_the_check_and_counts(tmp_path):
    tables = make_tables(students=[student("0001")], studies=[study("0001", "Muskari 1", 30, date(2020, 5, 31))])
    path = build_register(tmp_path / "r.xlsx", tables, edits={("Opinnot", "C2"): "Syksy 2019"})
    _, result = load_checked(path, TODAY)
    assert result.ok and result.tables.studies["semester"].tolist() == ["syksy 2019"]


@pytest.mark.parametrize("argv", [["--status", "Aktiivinen"], ["--status", " TAUOLLA "], ["--purpose", "Registration"]],
                         ids=["status-capital", "status-upper-spaces", "purpose"])
def test_the_command_line_takes_choices_in_any_case(tmp_path, capsys, argv):
    path = build_register(tmp_path / "r.xlsx")
    assert main(["emails", str(path), "--as-of", "2026-11-25", *argv]) == 0      # a usage error would exit 2
    assert "tuntematon vaihtoehto" not in capsys.readouterr().err


def test_certificates_take_the_kind_in_any_case(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx")
    code = main(["certificates", str(path), "--as-of", "2026-11-25", "--type", "Päättötodistus", "--lang", "EN"])
    out, err = capsys.readouterr()
    assert code == 0 and "invalid choice" not in err and "tuntematon vaihtoehto" not in err
    assert "certificate" in out.lower()           # said in English: --lang EN is English
