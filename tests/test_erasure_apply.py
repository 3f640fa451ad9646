"""`purge --apply` on real workbooks: the person is gone from every residual place, the log holds no
personal data, a hit stops the run with the old register in place, a second run does nothing."""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from factories import certificate, contact, graduate, make_tables, student, study
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.purge import apply_purge, log_hash, plan_purge, replay_erasures
from toolkit.model.errors import ErasureIncomplete
from toolkit.system import secrets

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, 0, 0)
ELLA = dict(id="0031", first="Ella", last="Mäkelä", birth=date(2018, 4, 12), guardian="Minna Mäkelä",
            email="ella.perhe@example.fi", phone="040 765 1234", deletion_requested=date(2026, 5, 20),
            status="tauolla")
EERO = dict(id="0032", first="Eero", last="Koski", birth=date(2017, 9, 9), guardian="Kari Koski",
            email="koski@example.fi", phone="050 111 2222")
# every spelling of Ella's data that must not survive (normalised like the scan normalises)
TRACES = ("ella mäkelä", "mäkelä ella", "minna mäkelä", "ella.perhe@example.fi", "0407651234", "12.4.2018",
          "12.04.2018", "2018-04-12", "<v>43202</v>")


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def docx(path: Path, text: str) -> Path:
    from docx import Document

    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph(text)
    document.core_properties.title = text
    document.save(path)
    return path


def build(tmp_path: Path, residuals: bool = True, **extra) -> Path:
    tables = make_tables(
        students=[student(**ELLA), student(**EERO)],
        studies=[study("0031", "Muskari 1", 30, date(2023, 5, 31)), study("0031", "Muskari 2", 30, date(2024, 5, 31)),
                 study("0032", "Soitin 1", 100, date(2025, 5, 31))],
        certificates=[certificate("2025-001", "0031", file="todistukset/2025-001.docx"),
                      certificate("2025-002", "0032", file="todistukset/2025-002.docx")],
        graduates=[graduate(2025, "Ella Mäkelä", number="2025-001"), graduate(2025, "Eero Koski", number="2025-002")],
        contacts=[contact("Ville Vieras", "ville@example.fi", "044 999 8888", date(2025, 11, 1)),
                  contact("Uusi Kontakti", "uusi@example.fi", None, date(2026, 5, 1))],
        **extra)
    path = build_register(tmp_path / "rekisteri.xlsx", tables)
    if residuals:
        add_residuals(path)
    docx(tmp_path / "todistukset" / "2025-001.docx", "Muskaritodistus: Ella Mäkelä, syntynyt 12.4.2018")
    docx(tmp_path / "todistukset" / "2025-002.docx", "Muskaritodistus: Eero Koski, syntynyt 9.9.2017")
    backups = tmp_path / "varmuuskopiot"
    backups.mkdir()
    (backups / "rekisteri-20250101-120000.xlsx").write_bytes(path.read_bytes())   # older than 90 days
    (backups / "rekisteri-20260520-120000.xlsx").write_bytes(path.read_bytes())   # recent: kept
    return path


def add_residuals(path: Path) -> None:
    """Ella in every place reliability.md lists beyond cells: comments, hyperlinks, dropdown prompts,
    autofilter criteria and document properties (in NFD and upper case where it can be)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Oppilaat"]
    ws["B3"].comment = Comment(unicodedata.normalize("NFD", "Sisko: Ella Mäkelä, puh. 040 765 1234"), "Omistaja")
    ws["B2"].comment = Comment("Oma rivi: ELLA.PERHE@EXAMPLE.FI", "Omistaja")
    wb["Opinnot"]["B4"].comment = Comment("Aloitti 12.04.2018 syntyneiden ryhmässä", "Omistaja")
    dv = DataValidation(type="list", formula1='"aktiivinen,tauolla,päättynyt"', showInputMessage=True,
                        promptTitle="Tila", prompt="Esimerkiksi Ella Mäkelä: tauolla")
    dv.add("I2:I200")
    ws.add_data_validation(dv)
    ws.auto_filter.ref = "A1:M3"
    ws.auto_filter.add_filter_column(5, ["ella.perhe@example.fi"])
    wb["Ohje"]["A3"] = "yhteys"
    wb["Ohje"]["A3"].hyperlink = "mailto:ella.perhe@example.fi"
    wb.properties.title = "Ella Mäkelä"
    wb.properties.keywords = "Minna Mäkelä, 040 765 1234"
    wb.properties.description = "Ella Mäkelä 12.4.2018"
    wb.save(path)


def parts_text(path: Path) -> dict[str, str]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            raw = zf.read(name).decode("utf-8", "replace")
            text = unicodedata.normalize("NFC", html.unescape(raw)).casefold()
            out[name] = text + "\n" + re.sub(r"[\s\-()]", "", text) + "\n" + raw
    return out


def leftovers(path: Path) -> list[tuple[str, str]]:
    return [(name, t) for name, text in parts_text(path).items() for t in TRACES if t in text]


def test_the_fixture_really_holds_ella_everywhere(tmp_path):
    found = leftovers(build(tmp_path))
    places = {name for name, _ in found}
    for part in ("xl/comments/comment1.xml", "docProps/core.xml", "xl/worksheets/_rels/sheet1.xml.rels"):
        assert part in places
    assert any("sheet2.xml" in p for p in places)   # Oppilaat cells, DV prompt and autofilter
    assert any(t == "12.04.2018" and "comment" in name for name, t in found)   # the birth-date note on Opinnot


def test_apply_erases_ella_everywhere_and_only_what_the_dry_run_listed(tmp_path):
    path = build(tmp_path)
    plan = plan_purge(path, TODAY)
    listed = [(a.rule, a.action, a.sheet, a.row, a.student_id) for a in plan.actions]
    assert listed == [("deletion-requested", "erase", "Oppilaat", 2, "0031"),
                      ("marketing-expired", "delete-row", "Yhteydenotot", 2, None),
                      ("backup-expired", "delete-file", None, None, None)]
    done = apply_purge(plan, NOW)
    assert done.scan.clean and done.scan.places > 20 and done.files_deleted == 2

    assert leftovers(path) == []
    assert not (tmp_path / "todistukset" / "2025-001.docx").exists()
    assert (tmp_path / "todistukset" / "2025-002.docx").exists()
    assert sorted(p.name for p in (tmp_path / "varmuuskopiot").iterdir()) == [
        "rekisteri-20260520-120000.xlsx", "rekisteri-20260601-120000.xlsx"]    # expired one gone, new one made

    wb = openpyxl.load_workbook(path)
    rows = {name: [[c.value for c in r] for r in wb[name].iter_rows(min_row=2)] for name in wb.sheetnames}
    assert [r[0] for r in rows["Oppilaat"]] == ["0032"]
    assert [r[0] for r in rows["Opinnot"]] == ["0032"]
    assert [r[:2] for r in rows["Todistukset"]] == [["2025-001", None], ["2025-002", "0032"]]
    assert [r[4] for r in rows["Todistukset"]] == [None, "todistukset/2025-002.docx"]   # the erased id's file name goes
    assert rows["Valmistuneet"] == [[2025, "valmistunut oppilas", "muskaritodistus", None],
                                    [2025, "Eero Koski", "muskaritodistus", "2025-002"]]
    assert [r[0] for r in rows["Yhteydenotot"]] == ["Uusi Kontakti"]
    # the writer drops a note that named Ella (Eero's note moved up with the row deletion); nothing names her
    assert all("ella" not in unicodedata.normalize("NFC", c.comment.text).casefold()
               for row in wb["Oppilaat"].iter_rows() for c in row if c.comment)

    from toolkit.jobs.check import load_checked
    assert load_checked(path, TODAY)[1].ok


def test_the_log_holds_counts_and_keyed_hashes_never_personal_data(tmp_path):
    path = build(tmp_path)
    apply_purge(plan_purge(path, TODAY), NOW)
    log = [[c.value for c in r] for r in openpyxl.load_workbook(path)["Loki"].iter_rows(min_row=2)]
    assert len(log) == 1
    when, command, details = log[0]
    assert (when, command) == ("2026-06-01 12:00:00", "purge")
    assert "Poistopyyntö: 1 (Oppilaat 1, Opinnot 2, Todistukset 1, Valmistuneet 1, tiedostot 1)" in details
    assert "Markkinointitiedot vanhentuneet: 1 (Yhteydenotot 1)" in details
    assert "Aiempi versio vanhentunut: 1 (tiedostot 1)" in details
    assert "deletion-requested" not in details          # words for the owner, never the rule's code
    assert log_hash(secrets.hash_student_id("0031")) in details
    for personal in ("0031", "Ella", "Mäkelä", "ella.perhe", "765", "2018", "Ville", "2025-001.docx", "20250101"):
        assert personal not in details
    [record] = secrets.read_erasures()
    assert (record.hash, record.rule, record.scope) == (secrets.hash_student_id("0031"), "deletion-requested", "full")


def test_a_second_apply_does_nothing(tmp_path):
    path = build(tmp_path)
    apply_purge(plan_purge(path, TODAY), NOW)
    before = path.read_bytes()
    backups = sorted((tmp_path / "varmuuskopiot").iterdir())
    plan = plan_purge(path, TODAY)
    assert plan.actions == []
    done = apply_purge(plan, datetime(2026, 6, 1, 13))
    assert not done.changed
    assert path.read_bytes() == before and sorted((tmp_path / "varmuuskopiot").iterdir()) == backups
    assert len(secrets.read_erasures()) == 1


def test_a_hit_in_the_register_itself_stops_the_run_and_the_old_register_stays(tmp_path):
    path = build(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Muistiinpanot")["A1"] = "Soita ELLA MÄKELÄ:n äidille"
    wb.save(path)
    before = path.read_bytes()
    versions = {p.name: p.read_bytes() for p in (tmp_path / "varmuuskopiot").iterdir()}
    with pytest.raises(ErasureIncomplete):
        apply_purge(plan_purge(path, TODAY), NOW)
    assert path.read_bytes() == before
    assert (tmp_path / "todistukset" / "2025-001.docx").exists()
    assert {p.name: p.read_bytes() for p in (tmp_path / "varmuuskopiot").iterdir()} == versions
    assert secrets.read_erasures() == []


@pytest.mark.parametrize("where", ["todistukset/vanha-lista.csv", "lukukausi/opettajat/Oppilaslista Liisa Laulu.docx"])
def test_the_owners_files_that_still_hold_the_person_are_named_never_edited(tmp_path, where):
    path = build(tmp_path)
    owner = tmp_path / where
    if owner.suffix == ".csv":
        owner.write_text("nimi;syntynyt\nElla Mäkelä;12.4.2018\n")
    else:
        docx(owner, "Ella Mäkelä 040-7651234")
    before = owner.read_bytes()
    done = apply_purge(plan_purge(path, TODAY), NOW)
    assert done.remnants == [where] and not done.traceless
    assert owner.read_bytes() == before
    assert leftovers(path) == [] and not (tmp_path / "todistukset" / "2025-001.docx").exists()


def test_a_folder_given_with_scan_outside_the_register_folder_is_searched(tmp_path):
    school = tmp_path / "koulu"
    school.mkdir()
    path = build(school)
    lists = tmp_path / "listat"
    lists.mkdir()
    docx(lists / "opettaja.docx", "Oppilaat: Eero Koski, Ella Mäkelä")
    done = apply_purge(plan_purge(path, TODAY), NOW, extra_folders=[lists])
    assert done.remnants == [str(lists / "opettaja.docx")]
    assert (lists / "opettaja.docx").exists()


@pytest.mark.parametrize("tiedosto", ["../muualla/2025-001.docx", "/etc/passwd", "rekisteri.xlsx", "todistukset",
                                      "varmuuskopiot/rekisteri-20260520-120000.xlsx", "linkki/2025-001.docx",
                                      "lomakkeet.csv", "todistukset/../rekisteri.xlsx"])
def test_a_document_path_that_is_no_toolkit_document_is_reported_not_deleted(tmp_path, tiedosto):
    register_dir = tmp_path / "koulu"
    register_dir.mkdir()
    path = build(register_dir, residuals=False)
    (tmp_path / "muualla").mkdir()                       # beside the register's folder, not in it
    (tmp_path / "muualla" / "2025-001.docx").write_text("someone else's")
    (register_dir / "linkki").symlink_to(tmp_path / "muualla")
    (register_dir / "lomakkeet.csv").write_text("Aikaleima;Etunimi\n1.5.2026;Eero\n")
    wb = openpyxl.load_workbook(path)
    wb["Todistukset"]["E2"] = tiedosto
    wb.save(path)
    done = apply_purge(plan_purge(path, TODAY), NOW)
    assert done.documents_not_deleted == ([tiedosto] if tiedosto != "todistukset/../rekisteri.xlsx" else [tiedosto])
    assert done.documents_deleted == []
    assert (tmp_path / "muualla" / "2025-001.docx").exists() and (register_dir / "lomakkeet.csv").exists()
    assert Path("/etc/passwd").exists() and (register_dir / "todistukset" / "2025-001.docx").exists()
    assert openpyxl.load_workbook(path)["Todistukset"]["E2"].value is None     # the link to the erased id goes
    from toolkit.jobs.check import load_checked
    assert load_checked(path, TODAY)[1].ok


def test_an_inflected_name_in_a_note_and_a_rich_text_name_go_too(tmp_path):
    """"Ella Mäkelän äidille" in a note on another row, and Ella's name typed as rich text (one word bold) in a
    cell of the owner's own sheet that the erasure cannot edit: the note goes, the cell stops the run."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    path = build(tmp_path, residuals=False)
    wb = openpyxl.load_workbook(path)
    wb["Oppilaat"]["B3"].comment = Comment("Soita Ella Mäkelän äidille", "Omistaja")
    wb.save(path)
    apply_purge(plan_purge(path, TODAY), NOW)
    assert leftovers(path) == [] and "mäkelän" not in "".join(parts_text(path).values())

    (tmp_path / "toinen").mkdir()
    path = build(tmp_path / "toinen", residuals=False)
    wb = openpyxl.load_workbook(path, rich_text=True)
    wb.create_sheet("Muistio")["A1"] = CellRichText(["Soita ", TextBlock(InlineFont(b=True), "Ella"), " Mäkelälle"])
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(ErasureIncomplete) as error:
        apply_purge(plan_purge(path, TODAY), NOW)
    assert "poistetun henkilön nimi" in error.value.message("fi") and path.read_bytes() == before


def test_values_shared_with_a_sibling_stay_and_do_not_block(tmp_path):
    sibling = dict(EERO, email="ella.perhe@example.fi", guardian="Minna Mäkelä", last="Mäkelä")
    tables = make_tables(students=[student(**ELLA), student(**sibling)], studies=[study("0031"), study("0032")])
    path = build_register(tmp_path / "rekisteri.xlsx", tables)
    done = apply_purge(plan_purge(path, TODAY), NOW)
    assert done.scan.clean and done.scan.skipped_needles == 2
    [eero] = [[c.value for c in r] for r in openpyxl.load_workbook(path)["Oppilaat"].iter_rows(min_row=2)]
    assert eero[4:6] == ["Minna Mäkelä", "ella.perhe@example.fi"]


def test_a_closed_study_window_keeps_the_certificate_archive(tmp_path):
    old = dict(EERO, status="päättynyt", birth=date(2004, 1, 1))
    tables = make_tables(students=[student(**old)], studies=[study("0032", "Soitin 1", 100, date(2015, 5, 31))],
                         certificates=[certificate("2020-001", "0032", kind="päättötodistus", file="todistukset/x.docx")],
                         graduates=[graduate(2020, "Eero Koski", "päättötodistus", "2020-001")])
    path = build_register(tmp_path / "rekisteri.xlsx", tables)
    docx(tmp_path / "todistukset" / "x.docx", "Päättötodistus: Eero Koski, syntynyt 1.1.2004")
    done = apply_purge(plan_purge(path, TODAY), NOW)
    assert [a.rule for a in done.applied] == ["study-window-closed"]
    wb = openpyxl.load_workbook(path)
    assert wb["Oppilaat"].max_row == 1 and wb["Opinnot"].max_row == 1
    assert [c.value for c in wb["Todistukset"][2]][:2] == ["2020-001", "0032"]
    assert wb["Valmistuneet"]["B2"].value == "Eero Koski"
    assert (tmp_path / "todistukset" / "x.docx").exists()
    assert secrets.read_erasures()[0].scope == "study"


def test_replay_after_restoring_an_old_copy_erases_again(tmp_path):
    path = build(tmp_path)
    old_copy = path.read_bytes()
    apply_purge(plan_purge(path, TODAY), NOW)
    restored_dir = tmp_path / "palautus"
    (restored_dir / "todistukset").mkdir(parents=True)
    restored = restored_dir / "rekisteri.xlsx"
    restored.write_bytes(old_copy)
    docx(restored_dir / "todistukset" / "2025-001.docx", "Muskaritodistus: Ella Mäkelä")
    done = replay_erasures(restored, now=datetime(2026, 7, 1, 9))
    assert done.erased == 1 and done.scan.clean
    assert leftovers(restored) == []
    assert not (restored_dir / "todistukset" / "2025-001.docx").exists()
    log = [[c.value for c in r] for r in openpyxl.load_workbook(restored)["Loki"].iter_rows(min_row=2)]
    assert log[-1][2].startswith("toistettu palautuksen jälkeen; Poistopyyntö: 1")
    assert len(secrets.read_erasures()) == 1       # a replay records nothing new
    assert replay_erasures(restored, now=datetime(2026, 7, 1, 10)).erased == 0


# --- the command --------------------------------------------------------------------------------------

def test_cli_dry_run_lists_groups_counts_and_changes_nothing(tmp_path, capsys):
    path = build(tmp_path, residuals=False)
    before = path.read_bytes()
    assert main(["purge", str(path), "--as-of", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Poistopyyntö (1)" in out and "deletion-requested" not in out
    assert "Markkinointitiedot vanhentuneet (1)" in out and "delete-row" not in out
    assert "Ella Mäkelä" in out and "Mitään ei muutettu: rekisteriä ei kirjoitettu." in out
    assert path.read_bytes() == before


def test_cli_json_and_csv_follow_the_contract(tmp_path, capsys):
    path = build(tmp_path, residuals=False)
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-06-01"
    first = data["actions"][0]
    assert {k: first[k] for k in ("sheet", "row", "student_id", "rule", "action")} == {
        "sheet": "Oppilaat", "row": 2, "student_id": "0031", "rule": "deletion-requested", "action": "erase"}
    assert first["message"].startswith("Poistopyyntö saapui 20.5.2026")
    assert data["counts"] == {"deletion-requested": 1, "marketing-expired": 1, "backup-expired": 1}
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--format", "csv", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == '"rule","action","sheet","row","student_id","message"'      # every field quoted
    assert lines[1].startswith('"deletion-requested","erase","Oppilaat","2","0031","Deletion request received 2026-05-20')


def test_cli_apply_then_again(tmp_path, capsys):
    path = build(tmp_path)
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "Tehty: 3 toimenpidettä." in out and "Poistettiin 1 todistusasiakirja:" in out
    assert "Poistettiin 1 vanhentunut rekisterin aiempi versio:" in out
    assert "poistetuista henkilöistä ei jäänyt jälkeä" in out
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--apply"]) == 0
    assert capsys.readouterr().out == ("Ei toimenpiteitä: säilytysajat ja poistopyynnöt eivät vaadi nyt mitään.\n"
                                       "Ei muutoksia: rekisteriä ei kirjoitettu.\n")


def test_cli_ask_lists_the_bcc_addresses_and_apply_changes_nothing(tmp_path, capsys):
    kids = [student(id=f"00{i}", first=f"Lapsi{i}", birth=date(2018, 1, 1), status="päättynyt", continues="ei",
                    email=mail) for i, mail in ((41, "A@example.fi"), (42, "a@EXAMPLE.fi"), (43, "b@example.fi"))]
    tables = make_tables(students=kids, studies=[study(k["student_id"], hours=20, completed=date(2024, 5, 1)) for k in kids])
    path = build_register(tmp_path / "rekisteri.xlsx", tables)
    before = path.read_bytes()
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "Muskari päättyi (3)" in out
    assert "Piilokopio (Bcc): A@example.fi; b@example.fi" in out
    assert out.endswith("Ei muutoksia: rekisteriä ei kirjoitettu.\n") and "Tehty" not in out
    assert path.read_bytes() == before


def test_cli_register_with_errors_is_exit_1(tmp_path, capsys):
    path = build(tmp_path, residuals=False)
    wb = openpyxl.load_workbook(path)
    wb["Oppilaat"]["D2"] = "31.2.2019"
    wb.save(path)
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--apply"]) == 1
    assert (tmp_path / "todistukset" / "2025-001.docx").exists()


def test_scanning_the_register_folder_itself_skips_the_register_and_its_backups(tmp_path):
    path = build(tmp_path)
    done = apply_purge(plan_purge(path, TODAY), NOW, extra_folders=[tmp_path])
    assert done.scan.clean


def test_a_missing_scan_folder_is_refused_before_anything_changes(tmp_path, capsys):
    path = build(tmp_path)
    before = path.read_bytes()
    assert main(["purge", str(path), "--as-of", "2026-06-01", "--apply", "--scan", str(tmp_path / "ei-ole")]) == 3
    assert "ei löydy" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_pdf_copies_of_an_erased_certificate_go_with_it(tmp_path):
    from pypdf import PdfWriter

    path = build(tmp_path)
    folder = tmp_path / "todistukset"
    (folder / "2025-001.pdf").write_bytes(b"%PDF-1.4 Ella M\xc3\xa4kel\xc3\xa4")
    (folder / "tulostettavat_2025-001_2025-002.pdf").write_bytes(b"%PDF-1.4 Ella ja Eero")
    others = PdfWriter()
    others.add_blank_page(595, 842)
    with (folder / "tulostettavat_2025-002_2025-002.pdf").open("wb") as out:
        others.write(out)
    apply_purge(plan_purge(path, TODAY), NOW)
    assert sorted(p.name for p in folder.iterdir()) == ["2025-002.docx", "tulostettavat_2025-002_2025-002.pdf"]
