"""What an erasure reaches (contract.md): a folder holding every kind of file the toolkit writes, made by running
the real commands, and the owner's own files. After `purge --apply` every toolkit file is gone or clean, every
owner file is untouched and the ones that mention the person are named in `remnants`; the earlier versions in
varmuuskopiot/ are erased and still valid registers; `restore` still replays the erasure."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from factories import make_tables, student, study
from registers import build_register

from toolkit.cli.main import main
from toolkit.erasure.scan import (
    Kept,
    Person,
    ScanReport,
    in_content,
    needles_for,
    scan_file,
    scan_zip,
    search_path,
)

AS_OF = ["--as-of", "2026-06-01"]
TODAY = date(2026, 6, 1)
ELLA = dict(id="0031", first="Ella", last="Mäkelä", birth=date(2018, 4, 12), guardian="Minna Mäkelä",
            email="ella.vanha@example.fi", phone="040 765 1234", status="aktiivinen", teacher="Liisa Laulu")
EERO = dict(id="0032", first="Eero", last="Koski", birth=date(2017, 9, 9), guardian="Kari Koski",
            email="koski@example.fi", phone="050 111 2222", status="aktiivinen", teacher="Kalle Kantele")
NEW_EMAIL = "ella.perhe@example.fi"
# Ella as she was in every version: the old and the new address
ELLA_VALUES = [Person(first_name="Ella", last_name="Mäkelä", guardian="Minna Mäkelä", email=address,
                      phone="040 765 1234", birth_date=date(2018, 4, 12), student_id="0031")
               for address in ("ella.vanha@example.fi", NEW_EMAIL)]
OWNER_FILES_WITH_ELLA = ["Ella Mäkelä kiitos.docx", "lomakkeet.csv", "muistiinpanot/soitettavat.txt"]
OWNER_FILES_WITHOUT = ["hinnasto.txt", "todistuspohjat/lue minut.txt"]


def ella_hits(path: Path) -> list[str]:
    """Every trace of Ella: her values, and her id wherever it stands (in a path or a file)."""
    needles, _ = needles_for(ELLA_VALUES, Kept(), numbers=[0, 0])
    needles = in_content(needles)
    report = ScanReport()
    if isinstance(path, bytes):
        scan_zip(path, needles, report)
    else:
        search_path(path.name, path.name, needles, report)
        scan_file(path, needles, report, path.name)
    return sorted({f"{h.place}: {h.kind}" for h in report.hits}) + [f"{u}: unreadable" for u in report.unreadable]


def cli(*args: str) -> int:
    return main([*args, *AS_OF])


def docx(path: Path, text: str) -> None:
    from docx import Document

    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(text)
    document.save(path)


# each test below makes this whole school by the real commands (seconds): the fast loop keeps the central one,
# the others are `slow`
def school(folder: Path, capsys, *, owner_files: bool = True, pdf: bool = False) -> Path:
    """The register's folder after a term of real use, then Ella's deletion request typed by the owner."""
    tables = make_tables(
        students=[student(**ELLA), student(**EERO)],
        studies=[study("0031", "Muskari 1", 30, date(2023, 5, 31)), study("0031", "Muskari 2", 30, date(2024, 5, 31)),
                 study("0032", "Soitin 1", 100, date(2025, 5, 31))],
        teachers=[{"name": "Liisa Laulu", "email": "liisa@example.fi"},
                  {"name": "Kalle Kantele", "email": "kalle@example.fi"}])
    register = build_register(folder / "rekisteri.xlsx", tables,
                              settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Muskari",
                                        "Koulun sähköposti": "koulu@example.fi"})
    assert cli("certificates", str(register), "--apply", *(["--pdf"] if pdf else [])) == 0   # an earlier version
    # the family's new address arrives; the owner types it (an edit in Excel: no version of the toolkit's)
    workbook = openpyxl.load_workbook(register)
    workbook["Oppilaat"]["F2"] = NEW_EMAIL
    workbook.save(register)
    assert cli("check", str(register), "--annotate", str(folder / "tarkistus.xlsx")) == 0
    assert cli("teacher-lists", str(register), "--out", str(folder / "listat")) == 0
    body = folder / "viesti.txt"
    body.write_text("Hei! Kevään konsertti on 1.6.\n", encoding="utf-8")
    assert cli("emails", str(register), "--eml", str(folder / "kutsu.eml"), "--subject", "Konsertti",
               "--body-file", str(body)) == 0
    assert cli("access-request", str(register), "--student", "0031", "--out", str(folder / "vastaus_0031.xlsx")) == 0
    assert cli("access-request", str(register), "--student", "0032", "--out", str(folder / "vastaus_0032.docx")) == 0
    assert cli("semester", str(register), "--out", str(folder / "lukukausi"), "--apply") == 0   # (a dry run writes none)
    if owner_files:
        docx(folder / "Ella Mäkelä kiitos.docx", "Kiitos kauniista laulusta!")           # named after her
        (folder / "lomakkeet.csv").write_bytes("Etunimi;Sukunimi;Sähköposti\nElla;Mäkelä;ella.vanha@example.fi\n"
                                               .encode("cp1252"))                      # Finnish Excel's CSV
        (folder / "muistiinpanot").mkdir()
        (folder / "muistiinpanot" / "soitettavat.txt").write_text("Minna Mäkelä, 040-765 1234\n", encoding="utf-8")
        (folder / "hinnasto.txt").write_text("Muskari 120 e / lukukausi\n", encoding="utf-8")
        (folder / "todistuspohjat").mkdir()
        (folder / "todistuspohjat" / "lue minut.txt").write_text("Omat pohjat tänne.\n", encoding="utf-8")
    workbook = openpyxl.load_workbook(register)
    workbook["Oppilaat"]["K2"] = date(2026, 5, 20)          # Poistopyyntö
    workbook["Oppilaat"]["K2"].number_format = "d.m.yyyy"
    workbook.save(register)
    capsys.readouterr()
    return register


def every_file(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_fixture_holds_ella_in_every_kind_of_file(tmp_path, capsys):
    register = school(tmp_path, capsys)
    files = every_file(tmp_path)
    holding = {name for name in files if ella_hits(tmp_path / name)}
    for expected in ("rekisteri.xlsx", "tarkistus.xlsx", "listat/Oppilaslista Liisa Laulu.xlsx", "kutsu.eml",
                     "vastaus_0031.xlsx", "vastaus_0031.docx", "lukukausi/yhteenveto.html",
                     "lukukausi/sahkopostit/ilmoittautuminen.txt", "todistukset/2026-001_0031.docx",
                     "lomakkeet.csv", "muistiinpanot/soitettavat.txt"):
        assert expected in holding, expected
    versions = sorted((tmp_path / "varmuuskopiot").iterdir())
    assert versions and all(ella_hits(v) for v in versions)
    assert "vastaus_0032.docx" not in holding and "listat/Oppilaslista Kalle Kantele.xlsx" not in holding
    assert register.exists()


def test_an_erasure_reaches_every_toolkit_file_and_names_the_owners(tmp_path, capsys):
    register = school(tmp_path, capsys)
    before = every_file(tmp_path)
    versions_before = sorted(p.name for p in (tmp_path / "varmuuskopiot").iterdir())

    assert cli("purge", str(register), "--apply", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    after = every_file(tmp_path)

    # the owner's files: never edited; those that hold Ella named, the others not
    assert data["remnants"] == OWNER_FILES_WITH_ELLA
    assert data["unchecked"] == [] and data["traceless"] is False
    for name in OWNER_FILES_WITH_ELLA + OWNER_FILES_WITHOUT + ["viesti.txt"]:
        assert after[name] == before[name], name
    # every other file is the toolkit's: gone, or holding nothing of Ella
    for name in after:
        if name not in OWNER_FILES_WITH_ELLA:
            assert ella_hits(tmp_path / name) == [], name
    gone = set(before) - set(after)
    assert {"tarkistus.xlsx", "listat/Oppilaslista Liisa Laulu.xlsx", "kutsu.eml", "vastaus_0031.xlsx",
            "vastaus_0031.docx", "todistukset/2026-001_0031.docx", "lukukausi/yhteenveto.html",
            "lukukausi/sahkopostit/ilmoittautuminen.txt"} <= gone
    assert {"listat/Oppilaslista Kalle Kantele.xlsx", "vastaus_0032.docx"} <= set(after)   # Eero's stay as they were
    assert after["vastaus_0032.docx"] == before["vastaus_0032.docx"]
    assert sorted(data["deleted"]["outputs"]) == sorted(gone - {"todistukset/2026-001_0031.docx"}
                                                         - set(versions_before))
    assert data["deleted"]["documents"] == ["todistukset/2026-001_0031.docx"]

    # the earlier versions: erased the same way, valid registers, everyone else still there
    from toolkit.jobs.check import load_checked

    versions = sorted((tmp_path / "varmuuskopiot").iterdir())
    assert sorted(data["versions_erased"]) == [f"varmuuskopiot/{n}" for n in versions_before]
    assert len(versions) == len(versions_before) + 1         # and the one this write keeps
    for version in versions:
        assert ella_hits(version) == [], version.name
        _reg, result = load_checked(version, TODAY)
        assert result.ok, [f.message("en") for f in result.errors]
        assert list(result.tables.students["student_id"]) == ["0032"]
        rows = [[c.value for c in r] for r in openpyxl.load_workbook(version)["Todistukset"].iter_rows(min_row=2)]
        assert all(r[1] is None and r[4] is None for r in rows)     # the id and the file name gone

    # the register
    workbook = openpyxl.load_workbook(register)
    assert [r[0].value for r in workbook["Oppilaat"].iter_rows(min_row=2)] == ["0032"]
    assert [c.value for c in workbook["Todistukset"][2]][:5] == ["2026-001", None, "muskaritodistus",
                                                                  workbook["Todistukset"]["D2"].value, None]
    assert [c.value for c in workbook["Valmistuneet"][2]][1:4] == ["valmistunut oppilas", "muskaritodistus", None]
    assert ella_hits(register) == []


@pytest.mark.slow
def test_without_owner_files_the_output_says_no_trace_remains(tmp_path, capsys):
    register = school(tmp_path, capsys, owner_files=False)
    assert cli("purge", str(register), "--apply") == 0
    out = capsys.readouterr().out
    assert "poistetuista henkilöistä ei jäänyt jälkeä rekisteriin, sen aiempiin versioihin eikä rekisterin " \
           "kansion tiedostoihin" in out
    assert "Poistettiin 1 todistusasiakirja:" in out and "työkalun kirjoittamaa tiedostoa" in out
    assert "aiemmasta versiosta poistettiin samat tiedot" in out
    assert all(ella_hits(tmp_path / name) == [] for name in every_file(tmp_path)), every_file(tmp_path).keys()


@pytest.mark.slow
def test_an_unreadable_owner_file_is_never_called_clean(tmp_path, capsys):
    register = school(tmp_path, capsys, owner_files=False)
    (tmp_path / "vanha.docx").write_bytes(b"PK\x03\x04 a truncated document")
    assert cli("purge", str(register), "--apply", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unchecked"] == ["vanha.docx"] and data["remnants"] == [] and data["traceless"] is False
    assert (tmp_path / "vanha.docx").read_bytes() == b"PK\x03\x04 a truncated document"


@pytest.mark.slow
def test_restore_still_replays_the_erasure(tmp_path, capsys, monkeypatch):
    (tmp_path / "koulu").mkdir()
    register = school(tmp_path / "koulu", capsys, owner_files=False)
    monkeypatch.setenv("MUSKARI_BACKUP_PASSWORD", "pitkä salasana 2026")
    stick = tmp_path / "tikku"
    assert cli("backup", str(register), "--to", str(stick)) == 0
    assert cli("purge", str(register), "--apply") == 0
    [encrypted] = list(stick.iterdir())
    capsys.readouterr()
    assert main(["restore", str(encrypted), "--to", str(tmp_path / "palautettu")]) == 0
    restored = tmp_path / "palautettu" / "rekisteri.xlsx"
    assert ella_hits(restored) == []
    assert [r[0].value for r in openpyxl.load_workbook(restored)["Oppilaat"].iter_rows(min_row=2)] == ["0032"]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_erased_versions_and_print_files_in_libreoffice(tmp_path, capsys, soffice):
    """With --pdf: the certificate's PDF and the combined print file go with the document; every earlier version
    opens in LibreOffice and converts with Eero and without Ella."""
    register = school(tmp_path, capsys, owner_files=False, pdf=True)
    pdfs = sorted(p.name for p in (tmp_path / "todistukset").glob("*.pdf"))
    assert pdfs == ["2026-001_0031.pdf", "tulostettavat_2026-001_2026-001.pdf"]
    assert cli("purge", str(register), "--apply") == 0
    assert sorted(p.name for p in (tmp_path / "todistukset").iterdir()) == []
    from office import convert

    versions = sorted((tmp_path / "varmuuskopiot").iterdir())
    for ods in convert(versions, "ods", tmp_path / "ods", suffix=".ods").values():
        assert ella_hits(ods) == []
        assert "Eero" in zipfile.ZipFile(ods).read("content.xml").decode()
    assert versions


def test_documents_in_a_folder_the_certificates_command_recorded_are_deleted(tmp_path, capsys):
    """`certificates --out` elsewhere: Tiedosto holds the absolute path, the folder is recorded as the toolkit's
    certificate folder, so the erasure deletes the document there; an owner's file beside it is not touched."""
    (tmp_path / "koulu").mkdir()
    tables = make_tables(students=[student(**ELLA), student(**EERO)],
                         studies=[study("0031", "Muskari 1", 30, date(2023, 5, 31)),
                                  study("0031", "Muskari 2", 30, date(2024, 5, 31))],
                         teachers=[{"name": "Liisa Laulu", "email": None}, {"name": "Kalle Kantele", "email": None}])
    register = build_register(tmp_path / "koulu" / "rekisteri.xlsx", tables,
                              settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Muskari"})
    archive = tmp_path / "arkisto"
    assert cli("certificates", str(register), "--out", str(archive), "--apply") == 0
    [document] = list(archive.glob("*.docx"))
    (archive / "oma.docx").write_bytes(document.read_bytes())          # the owner's copy: not the toolkit's
    workbook = openpyxl.load_workbook(register)
    assert workbook["Todistukset"]["E2"].value == document.as_posix()
    workbook["Oppilaat"]["K2"] = date(2026, 5, 20)
    workbook.save(register)
    capsys.readouterr()
    assert cli("purge", str(register), "--apply", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["deleted"]["documents"] == [document.as_posix()] and not document.exists()
    assert (archive / "oma.docx").exists() and data["documents_not_deleted"] == []
