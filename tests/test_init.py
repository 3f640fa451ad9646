"""`muskari init`: every sheet, header, format and dropdown, read back with openpyxl; never overwrites."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli.main import main
from toolkit.model.commands import COMMANDS
from toolkit.model.errors import MuskariError
from toolkit.office.new_workbook import (
    DATE_FORMAT,
    TEACHER_LIST_NAME,
    TEACHER_LIST_RANGE,
    TEXT_FORMAT,
    add_records,
    new_workbook,
    save_new,
    sheet_layout,
    write_new_file,
)
from workbook_schema import CHOICES, SHEET_ORDER, SHEETS
from workbook_schema.settings import SETTINGS


@pytest.fixture
def register(tmp_path) -> Path:
    path = tmp_path / "rekisteri.xlsx"
    assert main(["init", str(path)]) == 0
    return path


def validations(sheet) -> dict[str, tuple[str, str]]:
    """sqref -> (type, formula1) of a sheet's classic data validations."""
    return {str(dv.sqref): (dv.type, dv.formula1) for dv in sheet.data_validations.dataValidation}


def test_every_sheet_in_order_with_its_headers_in_row_one(register):
    wb = openpyxl.load_workbook(register)
    assert wb.sheetnames == list(SHEET_ORDER)
    for name in SHEET_ORDER:
        if name == "Ohje":
            continue
        header = [c.value for c in wb[name][1]]
        assert header == list(SHEETS[name].headers), name
        assert wb[name].freeze_panes == "A2", name
        assert all(c.font.bold for c in wb[name][1]), name


def test_column_formats_and_widths(register):
    wb = openpyxl.load_workbook(register)
    dated = []
    for name in SHEET_ORDER:
        if name == "Ohje":
            continue
        for col in sheet_layout(name):
            dim = wb[name].column_dimensions[col.letter]
            assert dim.width >= len(col.header), (name, col.header)
            if col.kind == "date":
                dated.append((name, col.header))
                assert dim.number_format == DATE_FORMAT, (name, col.header)
            elif col.kind == "id" or col.header == "Puhelin":
                assert dim.number_format == TEXT_FORMAT, (name, col.header)
    assert dated == [("Oppilaat", "Syntymäaika"), ("Oppilaat", "Poistopyyntö"), ("Oppilaat", "Viimeisin ilmoittautuminen"),
                     ("Opinnot", "Suoritettu"), ("Todistukset", "Päivämäärä"), ("Yhteydenotot", "Kerätty")]


def test_a_dropdown_for_every_choice_column_and_every_teacher_column(register):
    wb = openpyxl.load_workbook(register)
    expected = 0
    for name in SHEET_ORDER:
        if name in ("Ohje", "Asetukset"):
            continue
        found = validations(wb[name])
        for col in sheet_layout(name):
            ref = f"{col.letter}2:{col.letter}1048576"
            if col.kind == "choice":
                assert found[ref] == ("list", '"' + ",".join(CHOICES[col.header]) + '"'), (name, col.header)
                expected += 1
            elif col.header == "Opettaja":
                assert found[ref] == ("list", TEACHER_LIST_NAME), (name, col.header)
                expected += 1
    assert expected == 8      # Tila, Jatkaa, Opettaja x2, Osa-alue, Todistus x2, Lomakekentät Kenttä
    assert wb.defined_names[TEACHER_LIST_NAME].attr_text == TEACHER_LIST_RANGE


def test_settings_with_defaults_and_finnish_explanations(register):
    rows = list(openpyxl.load_workbook(register)["Asetukset"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [s.key for s in SETTINGS]
    for (key, value, explanation), setting in zip(rows, SETTINGS, strict=True):
        assert value == (setting.default if setting.default != "" else None), key
        assert explanation == setting.fi
    yes_no = [i for i, s in enumerate(SETTINGS, start=2) if s.kind == "yesno"]
    found = validations(openpyxl.load_workbook(register)["Asetukset"])
    assert {f"B{i}" for i in yes_no} == set(found) and all(v == ("list", '"kyllä,ei"') for v in found.values())


def test_ohje_explains_sheets_dates_what_never_to_write_and_commands(register):
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(register)["Ohje"]["A"] if c.value)
    for name in SHEET_ORDER[1:]:
        assert f"• {name}:" in text, name
    for command in COMMANDS:
        assert f"muskari {command}:" in text, command
    for phrase in ("p.k.vvvv", "Henkilötunnusta", "Terveystietoja", "--apply", "Poistopyyntö"):
        assert phrase in text, phrase


def test_the_new_register_passes_check(register, capsys):
    capsys.readouterr()
    assert main(["check", str(register), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_refuses_to_overwrite_and_leaves_the_file_unchanged(tmp_path, capsys):
    path = tmp_path / "rekisteri.xlsx"
    path.write_bytes(b"the owner's precious register")
    assert main(["init", str(path)]) == 3
    assert path.read_bytes() == b"the owner's precious register"
    assert "on jo olemassa" in capsys.readouterr().err
    assert main(["init", str(path), "--lang", "en"]) == 3
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rekisteri.xlsx"]


@pytest.mark.parametrize("name, words", [
    ("rekisteri.csv", "päättyä .xlsx"),
    ("puuttuva/rekisteri.xlsx", "Kansiota"),
], ids=["not-xlsx", "missing-folder"])
def test_refuses_a_bad_target_with_exit_3(tmp_path, capsys, name, words):
    assert main(["init", str(tmp_path / name)]) == 3
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_dropdowns_and_names_survive_an_openpyxl_load_and_save(register, tmp_path):
    before = openpyxl.load_workbook(register)
    again = tmp_path / "again.xlsx"
    before.save(again)
    after = openpyxl.load_workbook(again)
    for name in SHEET_ORDER:
        assert validations(after[name]) == validations(before[name]), name
    assert after.defined_names[TEACHER_LIST_NAME].attr_text == TEACHER_LIST_RANGE


def test_dropdowns_are_classic_validations_not_the_extension_openpyxl_drops(register):
    import zipfile

    with zipfile.ZipFile(register) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<dataValidations" in xml and b"x14:dataValidation" not in xml


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_keeps_the_dropdowns(register, tmp_path, soffice):
    from office import to_xlsx

    converted = openpyxl.load_workbook(to_xlsx([register], tmp_path / "lo")[register])
    original = openpyxl.load_workbook(register)
    assert converted.sheetnames == list(SHEET_ORDER)
    for name in SHEET_ORDER:   # LibreOffice may merge or reorder ranges, but every list stays
        assert set(validations(converted[name]).values()) == set(validations(original[name]).values()), name
    assert "Opettajat" in converted.defined_names[TEACHER_LIST_NAME].attr_text


# --- text stays text, dates stay dates ----------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://x\")", "+358 40 123 4567", "-1", "@x", "0012",
                                  "\u00e4 NFC", "a\u0308 NFD"])
def test_a_text_value_is_written_as_text_never_a_formula(tmp_path, text):
    wb = new_workbook()
    add_records(wb, "Opettajat", [{"name": text, "email": None}])
    path = save_new(wb, tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(path)["Opettajat"]["A2"]
    assert (cell.value, cell.data_type) == (text, "s")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40))
def test_any_text_round_trips_as_text(tmp_path_factory, text):
    wb = new_workbook()
    add_records(wb, "Oppilaat", [{"student_id": "0001", "first_name": text, "last_name": "Testi",
                                  "birth_date": date(2019, 3, 1), "status": "aktiivinen"}])
    path = save_new(wb, tmp_path_factory.mktemp("t") / "r.xlsx")
    sheet = openpyxl.load_workbook(path)["Oppilaat"]
    assert sheet["B2"].value == text and sheet["B2"].data_type == "s"
    assert sheet["D2"].number_format == DATE_FORMAT and sheet["D2"].value.date() == date(2019, 3, 1)


# --- atomic, never overwriting -------------------------------------------------------------------

def test_a_failing_write_leaves_neither_the_target_nor_a_temp_file(tmp_path):
    def broken(handle):
        handle.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(MuskariError, match="levy on täynnä"):
        write_new_file(tmp_path / "r.xlsx", broken)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_save_through_the_cli_is_exit_3_with_nothing_left(tmp_path, monkeypatch, capsys):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    assert main(["init", str(tmp_path / "r.xlsx")]) == 3
    assert "levyllä on tilaa" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_appears_meanwhile_is_not_overwritten(tmp_path):
    target = tmp_path / "r.xlsx"

    def racing(handle):
        target.write_bytes(b"someone else's")
        handle.write(b"ours")

    with pytest.raises(MuskariError):
        write_new_file(target, racing)
    assert target.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_without_hard_links_it_falls_back_to_replace(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    write_new_file(tmp_path / "r.xlsx", lambda handle: handle.write(b"ok"))
    assert (tmp_path / "r.xlsx").read_bytes() == b"ok"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_the_register_is_private_to_its_owner(register):
    assert register.stat().st_mode & 0o077 == 0


def test_init_prints_what_it_created_as_json(tmp_path, capsys):
    path = tmp_path / "uusi.xlsx"
    assert main(["init", str(path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert "Ohje-välilehti" in captured.err          # the hint goes to stderr, the result to stdout
    assert out["register"] == str(path)
    assert out["sheets"]["Asetukset"] == len(SETTINGS) and out["sheets"]["Oppilaat"] == 0

