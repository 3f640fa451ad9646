"""Certificates: planning and numbering (pure), golden text of each certificate, the command end to end."""

from __future__ import annotations

import json
import os
import shutil
import stat
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from factories import certificate, make_tables, student, study
from hypothesis import given
from hypothesis import strategies as st
from registers import build_register
from restyled import restyle

from toolkit.cli.main import main
from toolkit.model.tables import frame_from_records
from toolkit.office.docx_templates import document_text, load_template, render_docx
from toolkit.rules.certificate_context import (
    TEMPLATE_FILES,
    CertificateRequest,
    certificate_context,
    certificate_file_name,
    missing_final_items,
    missing_settings,
    next_numbers,
    plan_certificates,
)
from toolkit.rules.eligibility import assess_eligibility
from workbook_schema.settings import Settings

TODAY = date(2026, 6, 1)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SETTINGS = {"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Allekirjoittaja",
            "Järjestämisperuste": "Opetuksen järjestämislupa 12.3.2019",
            "Opetussuunnitelma": "Annan Muskarin opetussuunnitelma, hyväksytty 1.8.2019"}
S = Settings(place="Espoo", signer="Anna Allekirjoittaja", basis="Opetuksen järjestämislupa 12.3.2019",
             curriculum="Annan Muskarin opetussuunnitelma, hyväksytty 1.8.2019")


def school():
    """0001 muskari earned; 0002 final certificate earned; 0003 close; 0004 muskari already issued."""
    return make_tables(
        students=[student("0001", "Aino", "Virtanen", date(2019, 3, 1)),
                  student("0002", "Eero", "Mäkinen", date(2008, 5, 1)),
                  student("0003", "Olli", "Ojala", date(2010, 1, 1)),
                  student("0004", "Iida", "Koski", date(2019, 1, 1))],
        studies=[study("0001", "Muskari 1", 30, date(2024, 5, 31)), study("0001", "Muskari 2", 30, date(2025, 5, 31)),
                 study("0002", "Muskari 1", 30, date(2014, 5, 31)),
                 study("0002", "Soitin 1", 100, date(2019, 5, 31)), study("0002", "Soitin 2", 100, date(2021, 5, 31)),
                 study("0002", "Soitin 3", 60, date(2022, 5, 31)), study("0002", "Soitin 3", 40.5, date(2022, 12, 15)),
                 study("0002", "Bändi", 100, date(2024, 5, 31)), study("0002", "Sävellys", 100, date(2025, 12, 15)),
                 study("0003", "Soitin 1", 100, date(2024, 5, 31)), study("0003", "Soitin 2", 100, date(2024, 12, 15)),
                 study("0003", "Soitin 3", 100, date(2025, 5, 31)), study("0003", "Bändi", 150, date(2025, 5, 31)),
                 study("0004", "Muskari 1", 60, date(2025, 5, 31))],
        certificates=[certificate("2026-007", "0004", "muskaritodistus", date(2026, 1, 10)),
                      certificate("2025-031", None, "muskaritodistus", date(2025, 6, 1))],
        settings=S)


def plan(tables, **kw):
    return plan_certificates(tables, assess_eligibility(tables, TODAY), TODAY, **kw)


# --- pure planning ---------------------------------------------------------------------------------

def test_due_certificates_are_numbered_after_the_years_highest():
    requests, refusals = plan(school())
    assert [(r.number, r.student_id, r.kind, r.file_name) for r in requests] == [
        ("2026-008", "0001", "muskaritodistus", "2026-008_0001.docx"),
        ("2026-009", "0002", "päättötodistus", "2026-009_0002.docx")]
    assert refusals == []
    assert requests[1].name == "Eero Mäkinen"


@pytest.mark.parametrize("existing, year, expected", [
    ([], 2026, ["2026-001", "2026-002"]),
    (["2025-044"], 2026, ["2026-001", "2026-002"]),        # a new year starts at 001
    (["2026-009", "2026-010", "2025-044"], 2026, ["2026-011", "2026-012"]),
    (["2026-099"], 2026, ["2026-100", "2026-101"]),
], ids=["empty", "new-year", "continues", "three-digits"])
def test_next_numbers(existing, year, expected):
    frame = frame_from_records("Todistukset", [certificate(n) for n in existing])
    assert next_numbers(frame, year, 2) == expected


def test_requests_for_students_and_kinds():
    t = school()
    requests, refusals = plan(t, students=("0002", "0003", "0004", "9999"))
    assert [(r.student_id, r.kind) for r in requests] == [("0002", "päättötodistus")]
    assert [(x.student_id, x.kind, x.reason) for x in refusals] == [
        ("0003", "päättötodistus", "not-due"), ("0004", "muskaritodistus", "already-issued"),
        ("9999", "muskaritodistus", "unknown-student")]
    assert refusals[1].message() == ("Oppilaalle 0004 on jo annettu todistus (muskaritodistus); "
                                     "samaa todistusta ei anneta kahdesti.")
    assert refusals[1].message("en") == ("Student 0004 already has the certificate (muskari certificate); "
                                         "a certificate is never issued twice.")


def test_participation_certificate_only_on_request_and_only_once():
    t = school()
    t.certificates = frame_from_records("Todistukset", [certificate("2026-001", "0003", "osallistumistodistus")])
    requests, refusals = plan(t, kinds=("osallistumistodistus",), students=("0002", "0003", "0003", "9999"))
    assert [(r.number, r.student_id, r.kind) for r in requests] == [("2026-002", "0002", "osallistumistodistus")]
    assert [(x.student_id, x.reason) for x in refusals] == [("0003", "already-issued"), ("9999", "unknown-student")]
    assert plan(t, kinds=("osallistumistodistus",))[0] == []


def test_missing_settings_by_kind():
    assert missing_settings(Settings(), {"muskaritodistus"}) == ["Paikkakunta", "Allekirjoittaja"]
    assert missing_settings(Settings(place="Espoo", signer="A"), {"päättötodistus"}) == [
        "Järjestämisperuste", "Opetussuunnitelma"]
    assert missing_settings(S, {"päättötodistus", "muskaritodistus"}) == []


@given(number=st.text(max_size=30), student_id=st.text(max_size=300))
def test_property_file_names_stay_inside_the_folder(number, student_id):
    name = certificate_file_name(number, student_id)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert len(name.encode()) < 100
    folder = Path("/srv/todistukset")
    assert (folder / name).resolve().parent == folder


def test_context_groups_units_by_part_and_sums_semester_blocks():
    t = school()
    ctx = certificate_context(t, CertificateRequest("0002", "päättötodistus", "2026-009", TODAY, "Eero Mäkinen"))
    assert [(p["nimi"], p["yhteensa"], [(u["nimi"], u["laajuus"]) for u in p["opinnot"]]) for p in ctx["osat"]] == [
        ("Yhteiset opinnot", "300,5 h", [("Soitin 1", "100 h"), ("Soitin 2", "100 h"), ("Soitin 3", "100,5 h")]),
        ("Teemaopinnot", "200 h", [("Bändi", "100 h"), ("Sävellys", "100 h")])]
    assert (ctx["yhteensa"], ctx["opiskeluaika"], ctx["syntymaaika"]) == ("500,5 h", "2019–2025", "1.5.2008")


def test_context_prints_units_as_the_curriculum_spells_them_one_line_each():
    t = make_tables(students=[student("0003", "Olli", "Ojala", date(2010, 1, 1))],
                    studies=[study("0003", "soitin 1", 60, date(2024, 5, 31)),
                             study("0003", "Soitin 1 ", 40.5, date(2024, 12, 15)),
                             study("0003", "SOITIN  2", 100, date(2025, 5, 31)), study("0003", "bändi", 50, date(2025, 5, 31))])
    ctx = certificate_context(t, CertificateRequest("0003", "osallistumistodistus", "2026-001", TODAY, "Olli Ojala"))
    assert [(p["nimi"], p["yhteensa"], [(u["nimi"], u["laajuus"]) for u in p["opinnot"]]) for p in ctx["osat"]] == [
        ("Yhteiset opinnot", "200,5 h", [("Soitin 1", "100,5 h"), ("Soitin 2", "100 h")]),
        ("Teemaopinnot", "50 h", [("Bändi", "50 h")])]


def test_context_study_period_runs_by_lukukausi_and_falls_back_to_the_completion_year():
    t = make_tables(students=[student("0003", "Olli", "Ojala", date(2010, 1, 1))],
                    studies=[study("0003", "Soitin 1", 100, date(2020, 1, 20), semester="syksy 2019"),
                             study("0003", "Soitin 2", 100, date(2021, 5, 31), semester=" Kevät  2021 ")])
    request = CertificateRequest("0003", "osallistumistodistus", "2026-001", TODAY, "Olli Ojala")
    assert certificate_context(t, request)["opiskeluaika"] == "2019–2021"
    t.studies.loc[t.studies["unit"] == "Soitin 1", "semester"] = ""          # unreadable: Suoritettu's year
    assert certificate_context(t, request)["opiskeluaika"] == "2020–2021"


def test_context_a_muskari_childs_participation_certificate_is_early_childhood_music_education():
    t = school()
    muskari = certificate_context(t, CertificateRequest("0001", "osallistumistodistus", "2026-010", TODAY, ""))
    assert (muskari["opetus"], muskari["taiteenala"]) == ("Varhaisiän musiikkikasvatus", "")
    both = certificate_context(t, CertificateRequest("0002", "osallistumistodistus", "2026-011", TODAY, ""))
    assert (both["opetus"], both["taiteenala"]) == ("Taiteen perusopetus, musiikki", "musiikki")


def test_missing_final_items_names_what_a_restyled_template_lacks():
    everything = {"todistus", "jarjestaja", "koulu", "taiteenala", "nimi", "syntymaaika", "opiskeluaika", "osat",
                  "allekirjoittaja", "nimike", "jarjestamisperuste", "opetussuunnitelma", "perusteet", "paikkakunta",
                  "paivamaara"}
    fields = {"opinnot", "nimi", "laajuus"}
    assert missing_final_items(everything, fields, "") == []
    assert missing_final_items(everything - {"todistus", "taiteenala"}, fields, "PÄÄTTÖTODISTUS, musiikki") == []
    assert missing_final_items(everything - {"opiskeluaika", "perusteet"}, fields - {"laajuus"}, "") == [
        "item-study-period", "item-units", "item-core-curriculum"]
    assert missing_final_items(everything - {"nimi"} | {"etunimi", "sukunimi"}, fields, "") == []


def test_context_muskari_rows_after_the_age_limit_are_not_on_the_muskari_certificate():
    t = make_tables(students=[student(birth=date(2019, 3, 1))],
                    studies=[study(unit="Muskari 1", hours=60, completed=date(2026, 2, 28)),
                             study(unit="Muskari 2", hours=10, completed=date(2026, 3, 1))])
    ctx = certificate_context(t, CertificateRequest("0001", "muskaritodistus", "2026-001", TODAY, "Aino Virtanen"))
    assert [u["nimi"] for u in ctx["osat"][0]["opinnot"]] == ["Muskari 1"]
    assert ctx["yhteensa"] == "60 h"


def test_context_muskari_hours_under_common_studies_when_they_count():
    t = school()
    t.settings = Settings(muskari_counts_to_common=True)
    ctx = certificate_context(t, CertificateRequest("0002", "päättötodistus", "2026-009", TODAY, "Eero Mäkinen"))
    assert ctx["osat"][0]["opinnot"][0] == {"nimi": "Muskari 1", "laajuus": "30 h"}
    assert ctx["osat"][0]["yhteensa"] == "330,5 h"


# --- golden text -----------------------------------------------------------------------------------

GOLDEN_FINAL = """\
Annan Muskari
Todistus nro 2026-009
TAITEEN PERUSOPETUKSEN MUSIIKIN YLEISEN OPPIMÄÄRÄN
PÄÄTTÖTODISTUS
Koulutuksen järjestäjä: Annan Muskari
Oppilaitos: Annan Muskari
Taiteenala: musiikki
Oppilas: Eero Mäkinen
Syntymäaika: 1.5.2008
Opiskeluaika: 2019–2025
on suorittanut taiteen perusopetuksen musiikin yleisen oppimäärän seuraavasti:
Opintokokonaisuus | Laajuus
Yhteiset opinnot |
Soitin 1 | 100 h
Soitin 2 | 100 h
Soitin 3 | 100,5 h
Yhteiset opinnot yhteensä | 300,5 h
Teemaopinnot |
Bändi | 100 h
Sävellys | 100 h
Teemaopinnot yhteensä | 200 h
Kaikki yhteensä | 500,5 h

Yleisen oppimäärän laajuus: yhteiset opinnot 300 h ja teemaopinnot 200 h. Laajuudet ovat laskennallisia 45 minuutin tunteja.
Opetuksen järjestämisperuste: Opetuksen järjestämislupa 12.3.2019
Opetussuunnitelma: Annan Muskarin opetussuunnitelma, hyväksytty 1.8.2019
Opetus on annettu seuraavien Opetushallituksen vahvistamien valtakunnallisten perusteiden mukaisesti: \
Taiteen perusopetuksen yleisen oppimäärän opetussuunnitelman perusteet 2017.

Espoo 1.6.2026
_________________________________
Anna Allekirjoittaja
Rehtori
(koulun leima)
Annan Muskari · Y-tunnus 1852770-8 · todistus 2026-009
"""

GOLDEN_MUSKARI = """\
Annan Muskari
Todistus nro 2026-008
MUSKARITODISTUS
Varhaisiän musiikkikasvatus
Koulutuksen järjestäjä: Annan Muskari
Oppilaitos: Annan Muskari
Oppilas: Aino Virtanen
Syntymäaika: 1.3.2019
Opiskeluaika: 2024–2025
on osallistunut varhaisiän musiikkikasvatukseen ja suorittanut seuraavat opinnot:
Opintokokonaisuus | Laajuus
Varhaisiän musiikkikasvatus |
Muskari 1 | 30 h
Muskari 2 | 30 h
Varhaisiän musiikkikasvatus yhteensä | 60 h
Kaikki yhteensä | 60 h

Laajuudet ovat laskennallisia 45 minuutin tunteja.

Espoo 1.6.2026
_________________________________
Anna Allekirjoittaja
Rehtori
Annan Muskari · Y-tunnus 1852770-8 · todistus 2026-008
"""

GOLDEN_PARTICIPATION = """\
Annan Muskari
Todistus nro 2026-010
OSALLISTUMISTODISTUS
Taiteen perusopetus, musiikki
Koulutuksen järjestäjä: Annan Muskari
Oppilaitos: Annan Muskari
Taiteenala: musiikki
Oppilas: Olli Ojala
Syntymäaika: 1.1.2010
Opiskeluaika: 2024–2025
on osallistunut opetukseen ja suorittanut seuraavat opintokokonaisuudet:
Opintokokonaisuus | Laajuus
Yhteiset opinnot |
Soitin 1 | 100 h
Soitin 2 | 100 h
Soitin 3 | 100 h
Yhteiset opinnot yhteensä | 300 h
Teemaopinnot |
Bändi | 150 h
Teemaopinnot yhteensä | 150 h
Kaikki yhteensä | 450 h

Laajuudet ovat laskennallisia 45 minuutin tunteja.

Espoo 1.6.2026
_________________________________
Anna Allekirjoittaja
Rehtori
Annan Muskari · Y-tunnus 1852770-8 · todistus 2026-010
"""


GOLDEN_MUSKARI_PARTICIPATION = """\
Annan Muskari
Todistus nro 2026-011
OSALLISTUMISTODISTUS
Varhaisiän musiikkikasvatus
Koulutuksen järjestäjä: Annan Muskari
Oppilaitos: Annan Muskari
Oppilas: Aino Virtanen
Syntymäaika: 1.3.2019
Opiskeluaika: 2024–2025
on osallistunut opetukseen ja suorittanut seuraavat opintokokonaisuudet:
Opintokokonaisuus | Laajuus
Varhaisiän musiikkikasvatus |
Muskari 1 | 30 h
Muskari 2 | 30 h
Varhaisiän musiikkikasvatus yhteensä | 60 h
Kaikki yhteensä | 60 h

Laajuudet ovat laskennallisia 45 minuutin tunteja.

Espoo 1.6.2026
_________________________________
Anna Allekirjoittaja
Rehtori
Annan Muskari · Y-tunnus 1852770-8 · todistus 2026-011
"""


@pytest.mark.parametrize("request_, golden", [
    (CertificateRequest("0002", "päättötodistus", "2026-009", TODAY, ""), GOLDEN_FINAL),
    (CertificateRequest("0001", "osallistumistodistus", "2026-011", TODAY, ""), GOLDEN_MUSKARI_PARTICIPATION),
    (CertificateRequest("0001", "muskaritodistus", "2026-008", TODAY, ""), GOLDEN_MUSKARI),
    (CertificateRequest("0003", "osallistumistodistus", "2026-010", TODAY, ""), GOLDEN_PARTICIPATION),
], ids=["päättötodistus", "muskari-osallistumistodistus", "muskaritodistus", "osallistumistodistus"])
def test_golden_text(request_, golden):
    template = load_template(TEMPLATES / TEMPLATE_FILES[request_.kind])
    assert document_text(render_docx(template, certificate_context(school(), request_))) == golden


# --- the command end to end -------------------------------------------------------------------------

@pytest.fixture
def register(tmp_path):
    return build_register(tmp_path / "rekisteri.xlsx", school(), settings=SETTINGS)


def run(*argv, capsys):
    code = main([*map(str, argv), "--as-of", "2026-06-01"])
    out, err = capsys.readouterr()
    return code, out, err


def sheet_rows(path, sheet):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [[c.value for c in row] for row in wb[sheet].iter_rows(min_row=2)]


def test_dry_run_lists_and_changes_nothing(register, capsys):
    before = register.read_bytes()
    code, out, err = run("certificates", register, capsys=capsys)
    assert code == 0
    assert "2026-008        0001           Aino Virtanen  muskaritodistus" in out
    assert "Annettaisiin 2 todistusta" in out
    assert register.read_bytes() == before
    assert not (register.parent / "todistukset").exists()


def test_apply_issues_the_due_certificates_once(register, capsys):
    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert code == 0, err
    assert err == "" and out.endswith("\nAnnettu 2 todistusta.\n")       # the toolkit's own templates: no notices
    folder = register.parent / "todistukset"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["2026-008_0001.docx", "2026-009_0002.docx"]
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "Oppilas: Eero Mäkinen" in document_text(folder / "2026-009_0002.docx")
    certs = sheet_rows(register, "Todistukset")
    assert [(r[0], r[1], r[2], r[3].date(), r[4]) for r in certs[-2:]] == [
        ("2026-008", "0001", "muskaritodistus", TODAY, "todistukset/2026-008_0001.docx"),
        ("2026-009", "0002", "päättötodistus", TODAY, "todistukset/2026-009_0002.docx")]
    assert sheet_rows(register, "Valmistuneet") == [[2026, "Aino Virtanen", "muskaritodistus", "2026-008"],
                                                     [2026, "Eero Mäkinen", "päättötodistus", "2026-009"]]
    log = sheet_rows(register, "Loki")
    assert log[-1][1:] == ["certificates", "annettu 2 todistusta: muskaritodistus 1, päättötodistus 1"]

    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert (code, out) == (0, "Ei annettavia todistuksia.\n")
    assert len(sheet_rows(register, "Todistukset")) == 4
    code, out, _ = run("eligibility", register, "--format", "json", capsys=capsys)
    statuses = {(r["student_id"], r["certificate"]): r["status"] for r in json.loads(out)["results"]}
    assert statuses[("0001", "muskaritodistus")] == statuses[("0002", "päättötodistus")] == "issued"


def test_participation_certificate_on_request(register, capsys):
    code, out, err = run("certificates", register, "--type", "osallistumistodistus", capsys=capsys)
    assert code == 2 and "--student" in err
    code, out, err = run("certificates", register, "--type", "osallistumistodistus", "--student", "0003",
                         "--out", register.parent / "muualla", "--apply", "--format", "json", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["certificates"][0]["number"] == "2026-008"
    assert (register.parent / "muualla" / "2026-008_0003.docx").exists()
    assert sheet_rows(register, "Todistukset")[-1][:3] == ["2026-008", "0003", "osallistumistodistus"]
    assert sheet_rows(register, "Todistukset")[-1][4] == "muualla/2026-008_0003.docx"
    assert sheet_rows(register, "Valmistuneet") == []            # a participation certificate is no graduation
    assert "Varhaisiän" not in document_text(register.parent / "muualla" / "2026-008_0003.docx")
    code, out, err = run("certificates", register, "--type", "osallistumistodistus", "--student", "0003",
                         "--apply", capsys=capsys)
    assert code == 3 and "jo annettu todistus (osallistumistodistus)" in err


def test_one_student_only(register, capsys):
    code, out, err = run("certificates", register, "--student", "0002", capsys=capsys)
    assert code == 0 and out.endswith("\nAnnettaisiin 1 todistus. Anna se ajamalla komento uudelleen valitsimella --apply.\n"), out
    code, out, err = run("certificates", register, "--student", "0002", "--apply", "--lang", "en", capsys=capsys)
    assert code == 0, err
    assert out.endswith("\nIssued 1 certificate.\n")
    assert sheet_rows(register, "Loki")[-1][1:] == ["certificates", "annettu 1 todistus: päättötodistus 1"]
    assert sorted(p.name for p in (register.parent / "todistukset").iterdir()) == ["2026-008_0002.docx"]


def test_register_with_errors_exits_1(tmp_path, capsys):
    t = school()
    t.studies = frame_from_records("Opinnot", [study("0001", "Tuntematon kurssi", 60)])
    path = build_register(tmp_path / "r.xlsx", t, settings=SETTINGS)
    for command in ("certificates", "eligibility"):
        code, out, err = run(command, path, capsys=capsys)
        assert code == 1
        assert "unknown-study-unit" in out
    code, out, _ = run("eligibility", path, "--format", "json", capsys=capsys)
    assert code == 1 and json.loads(out)["ok"] is False


def test_blank_settings_refuse_apply(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", school(), settings={"Paikkakunta": "Espoo"})
    code, out, err = run("certificates", path, capsys=capsys)
    assert code == 0 and "Allekirjoittaja" in err
    code, out, err = run("certificates", path, "--apply", capsys=capsys)
    assert code == 3
    assert "Allekirjoittaja, Järjestämisperuste, Opetussuunnitelma" in err
    assert not any((tmp_path / "todistukset").glob("*.docx"))


def test_bad_owner_template_stops_the_run(register, capsys):
    import shutil

    own = register.parent / "todistuspohjat"
    own.mkdir()
    for name in TEMPLATE_FILES.values():
        shutil.copy(TEMPLATES / name, own / name)
    from docx import Document

    doc = Document(own / "päättötodistus.docx")
    doc.add_paragraph("{{ syntymäpäivä }}")
    doc.save(own / "päättötodistus.docx")
    before = register.read_bytes()
    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert code == 3
    assert err.strip() == ("muskari: Todistuspohja päättötodistus.docx: tuntematon muuttuja 'syntymäpäivä' tagissa "
                           "{{ syntymäpäivä }}. Korjaa kirjoitusasu; sallitut muuttujat: "
                           + err.split("sallitut muuttujat: ")[1].strip())
    assert register.read_bytes() == before


def test_pdf_without_libreoffice_says_how_to_install(register, capsys, monkeypatch, tmp_path):
    from toolkit.system import programs

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("MUSKARI_SOFFICE", raising=False)
    monkeypatch.setattr(programs, "LINUX_PLACES", [])           # nor where the installers put it
    monkeypatch.setattr(programs, "LINUX_OPT", tmp_path / "opt")
    code, out, err = run("certificates", register, "--pdf", "--apply", capsys=capsys)
    assert code == 3
    assert "apt-get install libreoffice-writer-nogui" in err
    assert not (register.parent / "todistukset").exists()


def test_register_changed_meanwhile_leaves_no_documents(register):
    from toolkit.jobs.certificates import issue_certificates, plan_run
    from toolkit.jobs.check import load_checked
    from toolkit.model.errors import RegisterChanged

    reg, result = load_checked(register, TODAY)
    p = plan_run(reg, result.tables, TODAY)
    os.utime(register, ns=(reg.fingerprint.mtime_ns + 10**9, reg.fingerprint.mtime_ns + 10**9))
    with pytest.raises(RegisterChanged):
        issue_certificates(reg, result.tables, p, now=datetime(2026, 6, 1, 12))
    assert list((register.parent / "todistukset").iterdir()) == []


def test_a_leftover_file_is_never_overwritten(register, capsys):
    folder = register.parent / "todistukset"
    folder.mkdir()
    (folder / "2026-009_0002.docx").write_bytes(b"vanha")
    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert code == 3 and "on jo olemassa" in err
    assert (folder / "2026-009_0002.docx").read_bytes() == b"vanha"
    assert len(sheet_rows(register, "Todistukset")) == 2


def test_a_muskari_childs_participation_certificate_and_only_graduations_on_valmistuneet(register, capsys):
    code, out, err = run("certificates", register, "--type", "osallistumistodistus", "--student", "0001",
                         "--student", "0003", "--apply", capsys=capsys)
    assert code == 0, err
    assert out.endswith("\nAnnettu 2 todistusta.\n")
    muskari = document_text(register.parent / "todistukset" / "2026-008_0001.docx")
    assert "OSALLISTUMISTODISTUS\nVarhaisiän musiikkikasvatus\n" in muskari
    assert "Taiteen perusopetus" not in muskari and "Taiteenala" not in muskari
    other = document_text(register.parent / "todistukset" / "2026-009_0003.docx")
    assert "OSALLISTUMISTODISTUS\nTaiteen perusopetus, musiikki\n" in other and "Taiteenala: musiikki" in other
    assert [r[2] for r in sheet_rows(register, "Todistukset")[-2:]] == ["osallistumistodistus"] * 2
    assert sheet_rows(register, "Valmistuneet") == []
    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert code == 0, err
    assert [r[2] for r in sheet_rows(register, "Valmistuneet")] == ["muskaritodistus", "päättötodistus"]


def test_units_typed_in_other_spellings_print_once_as_the_curriculum_spells_them(tmp_path, capsys):
    t = school()
    t.studies.loc[(t.studies["unit"] == "Soitin 3") & (t.studies["student_id"] == "0002"), "unit"] = [
        "soitin 3", "SOITIN 3 "]
    path = build_register(tmp_path / "rekisteri.xlsx", t, settings=SETTINGS)
    code, out, err = run("certificates", path, "--student", "0002", "--apply", capsys=capsys)
    assert code == 0, err
    text = document_text(tmp_path / "todistukset" / "2026-008_0002.docx")
    assert "\nSoitin 3 | 100,5 h\n" in text and text.casefold().count("soitin 3") == 1


def test_a_name_holding_docxtpls_own_escapes_prints_as_typed(tmp_path, capsys):
    t = school()
    t.students.loc[t.students["student_id"] == "0002", "first_name"] = "Eero {_{ 7*7 }_}"
    path = build_register(tmp_path / "rekisteri.xlsx", t, settings=SETTINGS)
    code, out, err = run("certificates", path, "--student", "0002", "--apply", capsys=capsys)
    assert code == 0, err
    assert "Oppilas: Eero {_{ 7*7 }_} Mäkinen\n" in document_text(tmp_path / "todistukset" / "2026-008_0002.docx")


def test_tiedosto_holds_an_absolute_path_when_out_is_outside_the_registers_folder(tmp_path, capsys):
    (tmp_path / "rekisteri").mkdir()
    path = build_register(tmp_path / "rekisteri" / "rekisteri.xlsx", school(), settings=SETTINGS)
    stick = tmp_path / "muistitikku"
    code, out, err = run("certificates", path, "--out", stick, "--apply", capsys=capsys)
    assert code == 0, err
    files = [r[4] for r in sheet_rows(path, "Todistukset")[-2:]]
    assert files == [(stick / "2026-008_0001.docx").resolve().as_posix(),
                     (stick / "2026-009_0002.docx").resolve().as_posix()]
    assert all(Path(f).is_file() and "\\" not in f for f in files)


def own_templates(register: Path) -> Path:
    folder = register.parent / "todistuspohjat"
    folder.mkdir(exist_ok=True)
    return folder


def test_a_template_restyled_on_a_mac_is_found_and_a_missing_kind_falls_back_saying_so(register, capsys):
    folder = own_templates(register)
    nfd = unicodedata.normalize("NFD", "päättötodistus.docx")
    restyle(TEMPLATES / "päättötodistus.docx", folder / nfd, body=["Omalla tyylillä"])
    assert [p.name for p in folder.iterdir()] == [nfd] and nfd != "päättötodistus.docx"
    code, out, err = run("certificates", register, "--apply", capsys=capsys)
    assert code == 0, err
    assert err == ("muskari: Kansiossa todistuspohjat ei ole pohjaa muskaritodistus.docx, joten käytetään työkalun "
                   "omaa pohjaa.\n")
    folder_out = register.parent / "todistukset"
    assert "Omalla tyylillä" in document_text(folder_out / "2026-009_0002.docx")
    assert "Omalla tyylillä" not in document_text(folder_out / "2026-008_0001.docx")
    assert "Oppilas: Aino Virtanen" in document_text(folder_out / "2026-008_0001.docx")


def test_two_files_that_read_as_the_same_template_name_are_refused(register, capsys):
    folder = own_templates(register)
    shutil.copy(TEMPLATES / "päättötodistus.docx", folder / "päättötodistus.docx")
    shutil.copy(TEMPLATES / "päättötodistus.docx", folder / unicodedata.normalize("NFD", "Päättötodistus.docx"))
    code, out, err = run("certificates", register, "--student", "0002", capsys=capsys)
    assert code == 3 and "useampi tiedosto nimellä päättötodistus.docx" in err


def test_a_restyled_final_template_lacking_a_mandatory_item_is_used_with_a_warning(register, capsys):
    from docx import Document

    folder = own_templates(register)
    doc = Document(TEMPLATES / "päättötodistus.docx")
    for p in doc.paragraphs:
        if "{{ opiskeluaika }}" in p.text or "{{ perusteet }}" in p.text:
            p._element.getparent().remove(p._element)
    doc.save(folder / "päättötodistus.docx")
    code, out, err = run("certificates", register, "--student", "0002", capsys=capsys)
    assert code == 0
    assert err == ("muskari: Varoitus: todistuspohjasta päättötodistus.docx puuttuu päättötodistuksen pakollinen tieto: "
                   "opiskeluaika vuosina ({{ opiskeluaika }}), maininta valtakunnallisista perusteista "
                   "({{ perusteet }}). Lisää tagit pohjaan (mallina työkalun oma pohja); todistukset tehdään silti.\n")
    code, out, err = run("certificates", register, "--student", "0002", "--apply", capsys=capsys)
    assert code == 0 and "Varoitus" in err
    assert "Opiskeluaika" not in document_text(register.parent / "todistukset" / "2026-008_0002.docx")


@pytest.mark.libreoffice
def test_every_certificate_converts_to_pdf_and_one_combined_pdf(register, capsys, soffice):
    from pypdf import PdfReader

    code, out, err = run("certificates", register, "--apply", "--pdf", capsys=capsys)
    assert code == 0, err
    code, out, err2 = run("certificates", register, "--apply", "--pdf", "--type", "osallistumistodistus",
                          "--student", "0003", capsys=capsys)
    assert code == 0, err2
    folder = register.parent / "todistukset"
    for stem, name in [("2026-008_0001", "Aino Virtanen"), ("2026-009_0002", "Eero Mäkinen"),
                       ("2026-010_0003", "Olli Ojala")]:
        pdf = folder / f"{stem}.pdf"
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert name in text
    combined = folder / "tulostettavat_2026-008_2026-009.pdf"
    assert "tulostettavat_2026-008_2026-009.pdf" in err
    assert len(PdfReader(combined).pages) == len(PdfReader(folder / "2026-008_0001.pdf").pages) + \
        len(PdfReader(folder / "2026-009_0002.pdf").pages)


def test_demo_register_gets_exactly_the_due_certificates_and_a_second_run_none(tmp_path, capsys):
    assert main(["demo", str(tmp_path / "demo"), "--as-of", "2026-06-01"]) == 0
    register = tmp_path / "demo" / "rekisteri.xlsx"
    capsys.readouterr()
    code, out, _ = run("eligibility", register, "--format", "json", capsys=capsys)
    due = sorted((r["student_id"], r["certificate"]) for r in json.loads(out)["results"] if r["status"] == "eligible")
    assert due, "the demo register has certificates due"
    code, out, err = run("certificates", register, "--apply", "--format", "json", capsys=capsys)
    assert code == 0, err
    issued = json.loads(out)["certificates"]
    assert sorted((c["student_id"], c["certificate"]) for c in issued) == due
    assert all(Path(c["file"]).is_file() for c in issued)
    code, out, _ = run("certificates", register, "--apply", "--format", "json", capsys=capsys)
    assert (code, json.loads(out)["certificates"]) == (0, [])
    code, out, _ = run("check", register, capsys=capsys)
    assert code == 0, out


def test_a_year_whose_numbers_are_used_up_refuses_the_rest_with_a_reason():
    """The contract's Todistusnumero is `YYYY-NNN`: the 1000th certificate of a year is not given a number the
    check would refuse; it waits for the new year, and the refusal says so."""
    from toolkit.rules.certificate_context import LAST_NUMBER, next_numbers, plan_certificates
    from toolkit.rules.eligibility import assess_eligibility

    taken = [certificate(number=f"2026-{n:03d}", student_id=None) for n in (1, 998)]
    assert next_numbers(make_tables(certificates=taken).certificates, 2026, 3) == ["2026-999"]
    students = [student(id=f"{i:04d}", birth=date(2019, 1, 1)) for i in range(1, 4)]
    studies = [study(student_id=f"{i:04d}", hours=60.0, completed=date(2025, 5, 30)) for i in range(1, 4)]
    tables = make_tables(students=students, studies=studies, certificates=taken)
    requests, refusals = plan_certificates(tables, assess_eligibility(tables, date(2026, 6, 1)), date(2026, 6, 1))
    assert [r.number for r in requests] == [f"2026-{LAST_NUMBER}"]
    assert [(x.student_id, x.reason) for x in refusals] == [("0002", "numbers-used-up"), ("0003", "numbers-used-up")]
    assert "loppuneet" in refusals[0].message("fi") and "used up" in refusals[0].message("en")
