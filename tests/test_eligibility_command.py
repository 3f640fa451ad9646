"""`muskari eligibility`: golden table output grouped by status, JSON and CSV per the contract."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from factories import certificate, make_tables, student, study
from registers import build_register

from toolkit.cli.main import main


@pytest.fixture
def register(tmp_path):
    tables = make_tables(
        students=[student("0001", "Aino", "Virtanen", date(2019, 3, 1)),
                  student("0002", "Eero", "Mäkinen", date(2008, 5, 1)),
                  student("0003", "Olli", "Ojala", date(2021, 1, 1)),
                  student("0004", "Iida", "Koski", date(2018, 1, 1)),
                  student("0005", "Noa", "Niemi", date(2019, 1, 1)),
                  student("0006", "Ülle", "Öhman", date(2005, 1, 1))],
        studies=[study("0001", "Muskari 1", 30, date(2024, 5, 31)), study("0001", "Muskari 2", 30, date(2025, 5, 31)),
                 study("0002", "Soitin 1", 100, date(2019, 5, 31)), study("0002", "Soitin 2", 100, date(2021, 5, 31)),
                 study("0002", "Soitin 3", 88, date(2022, 5, 31)), study("0002", "Bändi", 200, date(2024, 5, 31)),
                 study("0003", "Muskari 1", 20, date(2025, 5, 31)),
                 study("0004", "Muskari 1", 40, date(2024, 5, 31)),
                 study("0005", "Muskari 1", 60, date(2025, 5, 31)),
                 study("0006", "Soitin 1", 100, date(2020, 5, 31))],
        certificates=[certificate("2025-003", "0005", "muskaritodistus", date(2025, 6, 2))])
    return build_register(tmp_path / "rekisteri.xlsx", tables)


GOLDEN = """\
Ansaittu, antamatta (1)
Oppilasnumero  Nimi           Todistus         Tunnit  Vaaditaan  Puuttuu  Syy
-------------  -------------  ---------------  ------  ---------  -------  ----------------------------------------------------------
0001           Aino Virtanen  muskaritodistus  60 h    60 h                muskaritunteja 60 h, vaaditaan 60 h: todistuksen voi antaa

Lähellä (puuttuu enintään 20 %) (1)
Oppilasnumero  Nimi          Todistus        Tunnit  Vaaditaan  Puuttuu  Syy
-------------  ------------  --------------  ------  ---------  -------  --------------------------------------------------------
0002           Eero Mäkinen  päättötodistus  488 h   500 h      12 h     yhteisistä opinnoista puuttuu 12 h; teemaopinnot valmiit

Kesken (1)
Oppilasnumero  Nimi        Todistus         Tunnit  Vaaditaan  Puuttuu  Syy
-------------  ----------  ---------------  ------  ---------  -------  -------------------------------------------------------------
0003           Olli Ojala  muskaritodistus  20 h    60 h       40 h     muskaritunneista puuttuu 40 h; tunnit lasketaan 1.1.2028 asti

Annettu (1)
Oppilasnumero  Nimi       Todistus         Tunnit  Vaaditaan  Puuttuu  Syy
-------------  ---------  ---------------  ------  ---------  -------  ----------------------------------
0005           Noa Niemi  muskaritodistus  60 h    60 h                todistus 2025-003 annettu 2.6.2025

Ei saavutettavissa (2)
Oppilasnumero  Nimi        Todistus         Tunnit  Vaaditaan  Puuttuu  Syy
-------------  ----------  ---------------  ------  ---------  -------  ---------------------------------------------------------------------------------------------------------
0004           Iida Koski  muskaritodistus  40 h    60 h       20 h     7 vuoden ikäraja täyttyi 1.1.2025; muskaritunneista puuttui 20 h
0006           Ülle Öhman  päättötodistus   100 h   500 h      400 h    20 vuoden yläikäraja täyttyi 1.1.2025; yhteisistä opinnoista puuttuu 200 h; teemaopinnoista puuttuu 200 h

Todistustilanne 1.6.2026: ansaittu, antamatta 1; lähellä 1; kesken 1; annettu 1; ei saavutettavissa 2.
"""


def run(*argv, capsys):
    code = main(["eligibility", *map(str, argv), "--as-of", "2026-06-01"])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_grouped_by_status(register, capsys):
    code, out, err = run(register, capsys=capsys)
    assert (code, err) == (0, "")
    assert out == GOLDEN


def test_english_table(register, capsys):
    code, out, _ = run(register, "--lang", "en", capsys=capsys)
    assert out.startswith("Earned, not issued (1)\nStudent id  Name")
    assert "muskari certificate" in out and "muskaritodistus" not in out      # the kind in English too
    assert "common studies: 12 h missing; thematic studies complete" in out
    assert out.endswith("Certificate status on 2026-06-01: earned, not issued 1; close 1; in progress 1; issued 1; "
                        "out of reach 2.\n")


def test_json_per_contract(register, capsys):
    code, out, _ = run(register, "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert data["as_of"] == "2026-06-01"
    assert [(r["student_id"], r["certificate"], r["status"]) for r in data["results"]] == [
        ("0001", "muskaritodistus", "eligible"), ("0002", "päättötodistus", "in-progress"),
        ("0003", "muskaritodistus", "in-progress"), ("0004", "muskaritodistus", "out-of-reach"),
        ("0005", "muskaritodistus", "issued"), ("0006", "päättötodistus", "out-of-reach")]
    final = data["results"][1]
    assert final == {"student_id": "0002", "certificate": "päättötodistus", "status": "in-progress", "hours": 488.0,
                     "required": 500.0, "missing": 12.0,
                     "reason": "yhteisistä opinnoista puuttuu 12 h; teemaopinnot valmiit", "reason_code": "parts-missing",
                     "parts": {"yhteiset opinnot": {"hours": 288.0, "required": 300.0},
                               "teemaopinnot": {"hours": 200.0, "required": 200.0}}}
    assert "parts" not in data["results"][0]


def test_csv(register, capsys):
    code, out, _ = run(register, "--format", "csv", capsys=capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6
    assert rows[1]["common_hours"] == "288.0" and rows[0]["common_hours"] == ""
    assert rows[3]["reason_code"] == "age-limit-passed"
