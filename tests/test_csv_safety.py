"""CSV outputs that no spreadsheet can turn into a formula, whichever separator it picks.

A parent types ``Ville;=1+1`` in a form; Finnish Excel opens a CSV with ``;`` as the separator, and a parser that
loses track of the quotes splits inside them. Every command's CSV (import-forms, teacher-lists, check,
eligibility, purge, emails) goes through one formatter (``toolkit.reports.formats.format_csv``): every field
quoted, and an apostrophe before anything that would start a formula, at the start of a value and after every
``;``, ``,``, tab, line break and ``|`` inside it. LibreOffice opens the real outputs with each separator.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from factories import contact, make_tables, student, study
from hypothesis import given
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.reports.formats import format_csv, neutralise

FORMULA_START = re.compile(r"[\s\"]*[=+\-@]")
SEPARATORS = {";": 59, ",": 44, "\t": 9}


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+358 40 123", "'+358 40 123"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), (" =1+1", "' =1+1"),
    ("Ville;=1+1", "Ville;'=1+1"), ("Ville,=1+1", "Ville,'=1+1"), ("Ville; =1+1", "Ville;' =1+1"),
    ("a\n=1", "a\n'=1"), ("a\t@x", "a\t'@x"), ("a|-1", "a|'-1"), ("x;\t=1", "x;'\t'=1"),
    ('"=1', '\'"=1'), ('a;"=1', 'a;\'"=1'), ("Aino Virtanen", "Aino Virtanen"), ("1.3.2019", "1.3.2019"), ("2026-001", "2026-001"),
    ("Aino-Maija", "Aino-Maija"), ("a; b", "a; b"),
], ids=repr)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_numbers_stay_numbers_and_every_field_is_quoted():
    assert neutralise(-2.5) == -2.5 and neutralise(3) == 3 and neutralise(None) is None
    assert format_csv([["Ville;=1+1", 3, None, -1.5]], ["nimi", "n", "tyhjä", "luku"]) == \
        '"nimi","n","tyhjä","luku"\n"Ville;\'=1+1","3","","-1.5"\n'


def _naive_fields(text: str) -> list[str]:
    """The worst parser: quotes ignored, split at every separator and line break."""
    return [f.strip('"') for f in re.split(r"[;,\t\r\n|]", text)]


@given(st.lists(st.text(alphabet=st.sampled_from(list("=+-@;,|\t\r\n \"'aÄ1")), max_size=12), min_size=1,
                max_size=4))
def test_no_parser_finds_a_formula_in_any_text(values):
    text = format_csv([values], [f"c{i}" for i in range(len(values))])
    fields = [*_naive_fields(text)]
    for delimiter in SEPARATORS:
        fields += [f for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for f in row]
    for field in fields:
        assert not FORMULA_START.match(field), (values, field)
    assert [row for row in csv.reader(io.StringIO(text, newline=""))][1] == [neutralise(v) for v in values]


# --- every command's CSV, opened by LibreOffice --------------------------------------------------------------

TEACHER = "Liisa;=9+9"
FORMS = ("Aikaleima;Oppilasnumero;Etunimi *;Sukunimi *;Syntymäaika *;Huoltaja;Sähköposti *;Puhelin;"
         "Jatkaa ensi lukukaudella? *\n"
         "21.11.2026 9.00.00;;\"Ville,=1+1\";\"Uusi;=2+2\";5.6.2021;\"=3+3;-4\";pekka@example.fi;+358 50 111 2222;"
         "kyllä\n")


def _csv_outputs(folder: Path) -> dict[str, Path]:
    """Each command's --format csv output for registers full of text that looks like formulas."""
    clean = make_tables(
        students=[student("0001", first="Ville;=1+1", last="-Virtanen,@A1", guardian="=2+3;+4", teacher=TEACHER,
                          email="=1+1@example.fi"),
                  student("0002", first="Eino", status="päättynyt", teacher=TEACHER, birth=date(2017, 4, 2))],
        studies=[study("0001", "Muskari 1", 30), study("0001", "Muskari 2", 30)],
        teachers=[{"name": TEACHER, "email": "liisa@example.fi"}],
        contacts=[contact(name="Ville;=7+7", collected=date(2020, 1, 1))])
    register = build_register(folder / "rekisteri.xlsx", clean)
    broken = build_register(folder / "virheellinen.xlsx", make_tables(students=[
        student("0001", first="=1+1", email="Ville;=1+1", guardian="a,@SUM(1)"),
        student("0001", first="+Eino,-1")]))
    forms = folder / "lomakkeet.csv"
    forms.write_text(FORMS, encoding="utf-8")
    runs = {"check": ["check", str(broken)], "eligibility": ["eligibility", str(register)],
            "purge": ["purge", str(register)], "teacher-lists": ["teacher-lists", str(register), "--out",
                                                               str(folder / "opettajat")],
            "emails": ["emails", str(register), "--purpose", "all"],
            "import-forms": ["import-forms", str(register), str(forms)]}
    outputs = {}
    for name, argv in runs.items():
        buffer = io.StringIO()
        import contextlib

        with contextlib.redirect_stdout(buffer):
            code = main([*argv, "--format", "csv", "--as-of", "2026-11-25"])
        assert code in (0, 1), name
        outputs[name] = folder / "csv" / f"{name}.csv"
        outputs[name].parent.mkdir(exist_ok=True)
        outputs[name].write_text(buffer.getvalue(), encoding="utf-8")
    return outputs


def _formulas(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as package:
        return [m for name in package.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(r"<f[ >][^<]*", package.read(name).decode("utf-8"))]


def test_the_commands_csv_outputs_hold_the_hostile_text_neutralised(tmp_path):
    outputs = _csv_outputs(tmp_path)
    texts = {name: path.read_text(encoding="utf-8") for name, path in outputs.items()}
    assert "Liisa;'=9+9" in texts["teacher-lists"] and "'=1+1@example.fi" in texts["emails"]
    assert "Ville,'=1+1" in texts["import-forms"] and "Ville;'=1+1" in texts["check"]
    for name, text in texts.items():
        for field in _naive_fields(text):
            assert not FORMULA_START.match(field), (name, field)


@pytest.mark.libreoffice
def test_libreoffice_finds_no_formula_in_any_csv_with_any_separator(tmp_path):
    from office import XLSX, convert

    outputs = _csv_outputs(tmp_path)
    control = tmp_path / "csv" / "vertailu.csv"           # what an unprotected CSV does: proves the check can fail
    control.write_text('"nimi","arvo"\nx,Ville;=1+1\n', encoding="utf-8")
    for separator, code in SEPARATORS.items():
        converted = convert([*outputs.values(), control], XLSX, tmp_path / f"lo{code}", suffix=".xlsx",
                            infilter=f"CSV:{code},34,76,1")
        if separator == ";":
            assert _formulas(converted[control]), "LibreOffice did not run the control's formula"
        for name, path in outputs.items():
            assert _formulas(converted[path]) == [], (name, repr(separator))
