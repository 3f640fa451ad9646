"""The safe write path: values, row deletion and appends, Loki, refusals, injected errors, backups."""

from __future__ import annotations

import errno
import os
import re
import stat
import time
from datetime import date, datetime

import openpyxl
import pytest
from factories import class_of
from files import leftovers, parts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from registers import build_register

from toolkit.model.errors import (
    ErasureIncomplete,
    FileProblem,
    MuskariError,
    RegisterChanged,
    RegisterLocked,
    VerificationFailed,
)
from toolkit.xlsx import safe_write as writing
from toolkit.xlsx.backup_copies import list_backup_copies, next_backup_path
from toolkit.xlsx.cell_values import UnwritableValue
from toolkit.xlsx.fingerprint import fingerprint
from toolkit.xlsx.safe_write import RegisterChange, write_changes
from toolkit.xlsx.verify import read_values

NOW = datetime(2026, 11, 25, 14, 30, 12)


@pytest.fixture
def register(tmp_path):
    return build_register(tmp_path / "rekisteri.xlsx", class_of())


def write(path, change, now=NOW):
    return write_changes(path, change, expected=fingerprint(path), now=now)


# --- values --------------------------------------------------------------------------------------

TEXTS = [
    ("formula", "=1+1"), ("plus", "+358 40 123 4567"), ("minus", "-5"), ("at", "@SUM(A1)"), ("tab", "\tx"),
    ("leading-zeros", "0012"), ("spaces", "  kaksi  välilyöntiä "), ("newline", "rivi 1\nrivi 2"),
    ("escape-look-alike", "_x0041_"), ("control", "a\x1fb"), ("nfd", "a\u0308iti"), ("emoji", "🎻 viulu"),
    ("xml", "<b>&amp;</b>"), ("empty-looking", " "), ("nul", "a\x00b"), ("vertical-tab", "\x0b"),
    ("escaped-underscore", "_x005F_"), ("upper-x", "_X0041_"), ("cr", "\rrivi"),
    ("lone-escape-end", "x_x00"), ("bidi", "\u202eabc"),
]


@pytest.mark.parametrize("text", [t for _, t in TEXTS], ids=[i for i, _ in TEXTS])
def test_text_stays_text_exactly(register, text):
    write(register, RegisterChange().update("Oppilaat", 2, "Lisätiedot", text))
    assert read_values(register)["Oppilaat"][2][12] == text
    cell = openpyxl.load_workbook(register)["Oppilaat"]["M2"]
    assert cell.data_type == "s"  # never a formula


@pytest.mark.slow       # 40 registers written and read back
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\ufffe\uffff"),
                   min_size=1, max_size=60))
def test_any_text_reads_back_identical(tmp_path_factory, text):
    path = build_register(tmp_path_factory.mktemp("h") / "r.xlsx", class_of(2))
    write(path, RegisterChange().update("Oppilaat", 3, "Lisätiedot", text)
          .append("Yhteydenotot", {"Nimi": text, "Kerätty": date(2026, 1, 2)}))
    values = read_values(path)
    assert values["Oppilaat"][3][12] == text
    assert values["Yhteydenotot"][2][0] == text


def test_lone_surrogate_is_refused_and_nothing_written(register):
    before = register.read_bytes()
    with pytest.raises(UnwritableValue) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Lisätiedot", "a\ud800b"))
    assert "merkki" in caught.value.message("fi")
    assert register.read_bytes() == before
    assert leftovers(register.parent) == []


def test_dates_are_real_dates_shown_d_m_yyyy(register):
    write(register, RegisterChange().update("Oppilaat", 2, "Poistopyyntö", date(2026, 3, 4))
          .update("Oppilaat", 2, "Syntymäaika", datetime(2018, 2, 1))
          .append("Todistukset", {"Todistusnumero": "2026-001", "Päivämäärä": date(2026, 6, 1)}))
    book = openpyxl.load_workbook(register)
    for cell in (book["Oppilaat"]["K2"], book["Oppilaat"]["D2"], book["Todistukset"]["D2"]):
        assert cell.is_date and cell.number_format == "d.m.yyyy"
    assert book["Oppilaat"]["K2"].value.date() == date(2026, 3, 4)
    assert read_values(register)["Oppilaat"][2][3] == date(2018, 2, 1)


def test_numbers_none_and_ids(register):
    import pandas as pd

    write(register, RegisterChange().update("Opinnot", 2, "Tunnit", 22.5).update("Oppilaat", 2, "Huoltaja", None)
          .update("Oppilaat", 3, "Huoltaja", float("nan")).update("Oppilaat", 4, "Syntymäaika", pd.NaT)
          .append("Oppilaat", {"Oppilasnumero": "0009", "Etunimi": "Uusi"}))
    values = read_values(register)
    assert values["Opinnot"][2][3] == 22.5
    assert values["Oppilaat"][2][4] is None and values["Oppilaat"][3][4] is None   # None and NaN clear
    assert values["Oppilaat"][4][3] is None                                            # and so does NaT
    assert values["Oppilaat"][10][:2] == ("0009", "Uusi")


@pytest.mark.parametrize("value", [date(1899, 12, 31), float("inf"), object(), "x" * 32768, "a\ufffeb"],
                         ids=["before-1900", "inf", "object", "too-long", "non-character"])
def test_values_a_cell_cannot_hold_are_refused(register, value):
    before = register.read_bytes()
    with pytest.raises(UnwritableValue):
        write(register, RegisterChange().update("Oppilaat", 2, "Lisätiedot", value))
    assert register.read_bytes() == before


# --- columns by header, the owner's own columns -------------------------------------------------

def test_reordered_columns_extra_column_and_title_row(tmp_path):
    path = tmp_path / "oma.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Oppilaat"
    sheet.append(["Annan Muskarin oppilaat"])          # a title row above the header
    sheet.append(["Oma sarake", "Sähköposti", "Etunimi", "Oppilasnumero", "Sukunimi"])
    sheet.append(["oma arvo", "a@example.fi", "Aino", "0001", "Virtanen"])
    book.save(path)
    write(path, RegisterChange().update("Oppilaat", 3, "sähköposti ", "b@example.fi")
          .append("Oppilaat", {"Oppilasnumero": "0002", "Etunimi": "Eino"}))
    values = read_values(path)["Oppilaat"]
    assert values[3] == ("oma arvo", "b@example.fi", "Aino", "0001", "Virtanen")
    assert values[4] == (None, None, "Eino", "0002")


def test_unknown_sheet_or_column_is_refused(register):
    before = register.read_bytes()
    with pytest.raises(MuskariError) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Kenkänumero", 42))
    assert "Kenkänumero" in caught.value.message("fi") and caught.value.exit_code == 3
    with pytest.raises(MuskariError):
        write(register, RegisterChange().append("Laskut", {"Summa": 1}))
    assert register.read_bytes() == before


# --- deleting rows -------------------------------------------------------------------------------

def _decorated(workbook):
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    sheet = workbook["Oppilaat"]
    sheet["B3"].comment = Comment("Eino: muistiinpano", "opettaja")
    sheet["B6"].comment = Comment("Venla: muistiinpano", "opettaja")
    sheet["F3"].hyperlink = "mailto:perhe2@example.fi"
    sheet["F7"].hyperlink = "mailto:perhe6@example.fi"
    sheet.merge_cells("N5:O6")
    sheet.merge_cells("N3:O3")
    sheet.conditional_formatting.add("A2:A9", CellIsRule(operator="equal", formula=['"0005"'],
                                                         fill=PatternFill("solid", fgColor="FF0000")))
    sheet.auto_filter.ref = "A1:M9"
    sheet.column_dimensions["C"].width = 33
    sheet.row_dimensions[8].height = 40


def test_delete_rows_moves_everything_that_points_at_rows(tmp_path):
    path = build_register(tmp_path / "r.xlsx", class_of(), customise=_decorated)
    write(path, RegisterChange().delete_rows("Oppilaat", [3, 4]))
    book = openpyxl.load_workbook(path)
    sheet = book["Oppilaat"]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == ["0001", "0004", "0005", "0006", "0007", "0008"]
    assert sheet.cell(8, 1).value is None
    comments = {c.coordinate: c.comment.text for row in sheet.iter_rows() for c in row if c.comment}
    assert comments == {"B4": "Venla: muistiinpano"}        # Eino's note went with his row
    links = {c.coordinate: c.hyperlink.target for row in sheet.iter_rows() for c in row if c.hyperlink}
    assert links == {"F5": "mailto:perhe6@example.fi"}
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == ["N3:O4"]
    assert str(sheet.conditional_formatting._cf_rules.keys().__iter__().__next__().sqref) == "A2:A7"
    assert sheet.auto_filter.ref == "A1:M7"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 33
    assert sheet.row_dimensions[6].height == 40
    validations = {str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert "I2:I1048574" in validations
    rels = parts(path)["xl/worksheets/_rels/sheet2.xml.rels"].decode()
    assert "perhe2@example.fi" not in rels and "perhe6@example.fi" in rels


def test_deleting_every_data_row_and_appending_again(register):
    write(register, RegisterChange().delete_rows("Opinnot", range(2, 10)))
    assert set(read_values(register)["Opinnot"]) == {1}
    write(register, RegisterChange().append("Opinnot", {"Oppilasnumero": "0001", "Tunnit": 10}))
    assert read_values(register)["Opinnot"][2][0] == "0001"


def test_deleting_the_header_or_a_missing_row_is_refused(register):
    before = register.read_bytes()
    for rows in ([1], [400]):
        with pytest.raises(MuskariError):
            write(register, RegisterChange().delete_rows("Oppilaat", rows))
    assert register.read_bytes() == before


def test_updates_use_rows_as_read_even_with_deletions(register):
    write(register, RegisterChange().delete_rows("Oppilaat", [2]).update("Oppilaat", 5, "Huoltaja", "Uusi"))
    values = read_values(register)["Oppilaat"]
    assert values[4][0] == "0004" and values[4][4] == "Uusi"   # row 5 as read holds 0004


# --- appends -------------------------------------------------------------------------------------

def test_append_goes_after_last_non_empty_row_and_copies_its_style(tmp_path):
    def styled(workbook):
        from openpyxl.styles import Font

        sheet = workbook["Opinnot"]
        for cell in sheet[9]:
            cell.font = Font(italic=True)
        sheet["D15"].number_format = "0.00"     # a formatted but empty cell further down

    path = build_register(tmp_path / "r.xlsx", class_of(), customise=styled)
    write(path, RegisterChange().append("Opinnot", {"Oppilasnumero": "0042", "Tunnit": 12.5,
                                                    "Suoritettu": date(2026, 5, 30)}))
    sheet = openpyxl.load_workbook(path)["Opinnot"]
    assert sheet["A10"].value == "0042" and sheet["A10"].font.italic and sheet["A10"].number_format == "@"
    assert sheet["E10"].is_date and sheet["E10"].number_format == "d.m.yyyy"


# --- Loki ----------------------------------------------------------------------------------------

def test_every_write_appends_loki_rows(register):
    write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X").log("import-forms", "päivitetty 1 oppilas"))
    write(register, RegisterChange().delete_rows("Opinnot", [2]), now=datetime(2026, 11, 26, 9, 0, 0))
    log = read_values(register)["Loki"]
    assert log[2] == ("2026-11-25 14:30:12", "import-forms", "päivitetty 1 oppilas")
    assert log[3] == ("2026-11-26 09:00:00", "muutos", "solut 0, poistetut rivit 1, lisätyt rivit 0")


def test_missing_loki_sheet_is_created(tmp_path):
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Oppilaat"
    book.active.append(["Oppilasnumero", "Etunimi"])
    book.save(path)
    write(path, RegisterChange().append("Oppilaat", {"Oppilasnumero": "0001"}).log("demo", "1 oppilas"))
    assert read_values(path)["Loki"] == {1: ("Aika", "Toiminto", "Tiedot"), 2: ("2026-11-25 14:30:12", "demo", "1 oppilas")}
    assert openpyxl.load_workbook(path).sheetnames == ["Oppilaat", "Loki"]


@pytest.mark.parametrize("details", ["lähetetty aino@example.fi", "hetu 131052-308T", "Aino Virtanen poistettu"])
def test_loki_refuses_personal_data(register, details):
    change = RegisterChange().scrub(["Aino Virtanen"])
    with pytest.raises(ValueError):
        change.log("purge", details)
        write(register, change)


# --- collisions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$rekisteri.xlsx", ".~lock.rekisteri.xlsx#"], ids=["excel", "libreoffice"])
def test_open_register_is_refused(register, lock):
    (register.parent / lock).write_text("lukko")
    before = register.read_bytes()
    with pytest.raises(RegisterLocked) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert caught.value.exit_code == 3
    assert "on auki" in caught.value.message("fi") and "Sulje" in caught.value.message("fi")
    assert "is open" in caught.value.message("en")
    assert register.read_bytes() == before and not (register.parent / "varmuuskopiot").exists()


@pytest.mark.parametrize("how", ["content", "same-size-and-time"])
def test_register_changed_since_read_is_refused(register, how):
    taken = fingerprint(register)
    data = bytearray(register.read_bytes())
    if how == "content":
        data += b"\0"
        register.write_bytes(bytes(data))
    else:
        data[-30] ^= 1   # same size, then the old modification time back
        register.write_bytes(bytes(data))
        os.utime(register, ns=(taken.mtime_ns, taken.mtime_ns))
    after = register.read_bytes()
    with pytest.raises(RegisterChanged) as caught:
        write_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"), expected=taken, now=NOW)
    assert "muuttunut" in caught.value.message("fi") and caught.value.exit_code == 3
    assert register.read_bytes() == after


def test_register_changed_during_the_write_is_refused(register, monkeypatch):
    from toolkit.xlsx import verify as verifying

    real = verifying.verify

    def verify_then_owner_saves(original, temp, applied):
        real(original, temp, applied)
        register.write_bytes(register.read_bytes() + b"\0")

    monkeypatch.setattr(verifying, "verify", verify_then_owner_saves)
    with pytest.raises(RegisterChanged):
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert leftovers(register.parent) == []


# --- injected errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("target, nth, error", [
    ("os.replace", 1, OSError(errno.EACCES, "Permission denied")),        # the register's replace
    ("os.replace", 1, OSError(errno.ENOSPC, "No space left on device")),
    ("os.link", 2, OSError(errno.ENOSPC, "No space left on device")),     # the backup taking its name (1st: lock)
    ("os.fsync", 1, OSError(errno.EIO, "Input/output error")),            # the new version's flush
    ("os.fsync", 2, OSError(errno.ENOSPC, "No space left on device")),    # the backup's flush
    ("os.fdopen", 1, OSError(errno.ENOSPC, "No space left on device")),
    ("os.fdopen", 2, OSError(errno.ENOSPC, "No space left on device")),   # opening the backup
    ("tempfile.mkstemp", 1, OSError(errno.EROFS, "Read-only file system")),
    ("tempfile.mkstemp", 2, OSError(errno.EACCES, "Permission denied")),  # in the backup folder
    ("os.chmod", 2, OSError(errno.EPERM, "Operation not permitted")),     # keeping the register's mode
], ids=["replace-permission", "replace-disk-full", "backup-replace", "fsync-io", "backup-fsync", "write-open",
        "backup-open", "temp-read-only", "backup-temp", "chmod"])
def test_injected_os_errors_leave_the_original_and_no_temp_files(register, monkeypatch, target, nth, error):
    before = register.read_bytes()
    module, name = target.split(".")
    real = getattr(__import__(module), name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == nth:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(f"{module}.{name}", failing)
    with pytest.raises(FileProblem) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    monkeypatch.undo()
    assert len(calls) >= nth
    assert "ennallaan" in caught.value.message("fi")
    assert register.read_bytes() == before
    assert leftovers(register.parent) == []
    backups = register.parent / "varmuuskopiot"
    assert not backups.exists() or leftovers(backups) == []


def test_a_write_that_runs_out_of_disk_midway_leaves_nothing(register, monkeypatch):
    real = os.fdopen

    class FillsUp:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])   # half of it lands, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: FillsUp(real(fd, mode, *a, **k)))
    before = register.read_bytes()
    with pytest.raises(FileProblem) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert "The disk is full" in caught.value.message("en") and "Levytila on lopussa" in caught.value.message("fi")
    assert register.read_bytes() == before and leftovers(register.parent) == []


def test_verification_failure_keeps_the_original(register, monkeypatch):
    from toolkit.xlsx.package import Package

    real = Package.to_bytes

    def drops_a_part(self):
        self.parts.pop("docProps/app.xml", None)
        return real(self)

    monkeypatch.setattr(Package, "to_bytes", drops_a_part)
    before = register.read_bytes()
    with pytest.raises(VerificationFailed) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert "docProps/app.xml" in caught.value.message("fi") and "ennallaan" in caught.value.message("fi")
    assert register.read_bytes() == before and leftovers(register.parent) == []


def test_verification_catches_a_wrong_cell(register, monkeypatch):
    from toolkit.xlsx.sheet_editor import SheetEditor

    real = SheetEditor.set_value

    def off_by_one(self, number, column, value, style=None):
        real(self, number, column + (1 if value == "X" else 0), value, style)

    monkeypatch.setattr(SheetEditor, "set_value", off_by_one)
    before = register.read_bytes()
    with pytest.raises(VerificationFailed) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert "Oppilaat" in caught.value.message("fi")
    assert register.read_bytes() == before


# --- atomic replace, backups --------------------------------------------------------------------

def test_backup_is_the_previous_version_mode_0600_named_by_time(register):
    os.chmod(register, 0o640)
    before = register.read_bytes()
    first = write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    second = write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "Y"))
    assert first.backup_path.name == "rekisteri-20261125-143012.xlsx"
    assert second.backup_path.name == "rekisteri-20261125-143012-2.xlsx"
    assert first.backup_path.read_bytes() == before
    assert stat.S_IMODE(first.backup_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(first.backup_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(register.stat().st_mode) == 0o640        # the register keeps its mode
    assert [(p.name, t) for p, t in list_backup_copies(register)] == [
        ("rekisteri-20261125-143012.xlsx", NOW), ("rekisteri-20261125-143012-2.xlsx", NOW)]


def test_list_backups_ignores_other_files(register):
    folder = register.parent / "varmuuskopiot"
    folder.mkdir()
    for name in ["rekisteri-20260101-120000.xlsx", "toinen-20260101-120000.xlsx", "rekisteri-2026.xlsx",
                 "rekisteri-20261399-120000.xlsx", "rekisteri-20250505-080910.xlsx", "notes.txt"]:
        (folder / name).write_text("x")
    assert [(p.name, t) for p, t in list_backup_copies(register)] == [
        ("rekisteri-20250505-080910.xlsx", datetime(2025, 5, 5, 8, 9, 10)),
        ("rekisteri-20260101-120000.xlsx", datetime(2026, 1, 1, 12, 0))]
    assert list_backup_copies(register.parent / "puuttuu.xlsx") == []


def test_backup_dir_can_be_given(register, tmp_path):
    result = write_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"),
                           expected=fingerprint(register), now=NOW, backup_dir=tmp_path / "muualla")
    assert result.backup_path.parent == tmp_path / "muualla"
    assert list_backup_copies(register, backup_dir=tmp_path / "muualla")[0][0] == result.backup_path


def test_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "rekisteri.xlsx"
    path.write_text("Oppilasnumero;Etunimi\n0001;Aino\n")
    with pytest.raises(FileProblem):
        write(path, RegisterChange().update("Oppilaat", 2, "Etunimi", "X"))
    with pytest.raises(FileProblem):
        write(tmp_path / "puuttuu.xlsx", RegisterChange())


# --- erasure scrub -------------------------------------------------------------------------------

def _leaky(workbook):
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook["Oppilaat"]
    sheet["M2"].comment = Comment("Soita Aino Virtaselle", "opettaja")
    sheet["M3"].comment = Comment("Eino tulee syksyllä", "opettaja")
    sheet["F4"].hyperlink = "mailto:perhe1@example.fi"
    prompt = DataValidation(type="list", formula1='"a,b"', prompt="Kysy perhe1@example.fi", promptTitle="Vihje")
    prompt.add("N2:N9")
    sheet.add_data_validation(prompt)
    sheet.auto_filter.ref = "A1:M9"
    sheet.auto_filter.add_filter_column(1, ["Aino", "Eino"])
    workbook.properties.creator = "Aino Virtanen"
    workbook.properties.title = "Rekisteri"


def test_scrub_removes_a_person_from_everything_but_other_rows(tmp_path):
    path = build_register(tmp_path / "r.xlsx", class_of(3), customise=_leaky)
    change = (RegisterChange().delete_rows("Oppilaat", [2]).delete_rows("Opinnot", [2])
              .scrub(["Aino", "Virtanen", "perhe1@example.fi", "040 123 0001"]).log("purge", "poistettu 1 oppilas"))
    write(path, change)
    everything = b"".join(parts(path).values()).decode("utf-8", "replace").casefold()
    for needle in ("aino", "virtanen", "perhe1@example.fi", "040 123 0001"):
        assert needle not in everything
    book = openpyxl.load_workbook(path)
    assert book["Oppilaat"]["M2"].comment.text == "Eino tulee syksyllä"
    assert book.properties.title == "Rekisteri"
    assert "Eino" in read_values(path)["Oppilaat"][2]


def test_scrub_refuses_when_the_person_remains_in_a_cell(tmp_path):
    path = build_register(tmp_path / "r.xlsx", class_of(3))
    before = path.read_bytes()
    with pytest.raises(ErasureIncomplete) as caught:
        write(path, RegisterChange().delete_rows("Oppilaat", [2]).scrub(["perhe1@example.fi", "Helmi"]))
    assert "Oppilaat" in caught.value.message("fi")
    assert path.read_bytes() == before


def test_deleted_rows_leave_no_shared_strings_behind(tmp_path):
    import xlsxwriter

    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(path)   # XlsxWriter (like Excel) keeps text in the shared-string table
    sheet = book.add_worksheet("Oppilaat")
    rows = [("Oppilasnumero", "Etunimi", "Sukunimi", "Sähköposti"), ("0001", "Aino", "Virtanen", "aino@example.fi"),
            ("0002", "Eino", "Virtanen", "eino@example.fi"), ("0003", "Aino", "Korhonen", "k@example.fi")]
    for r, values in enumerate(rows):
        sheet.write_row(r, 0, values)
    book.add_worksheet("Loki").write_row(0, 0, ("Aika", "Toiminto", "Tiedot"))
    book.close()
    write(path, RegisterChange().delete_rows("Oppilaat", [2]).update("Oppilaat", 4, "Sähköposti", "uusi@example.fi"))
    strings = parts(path)["xl/sharedStrings.xml"].decode()
    assert "aino@example.fi" not in strings and "k@example.fi" not in strings   # no cell uses them now
    assert "Aino" in strings and "Virtanen" in strings                          # other rows still do
    assert read_values(path)["Oppilaat"][3] == ("0003", "Aino", "Korhonen", "uusi@example.fi")


# register names that look like backup names: hyphens, digits, a stamp of their own
STEMS = st.text(st.sampled_from("rekistR-_ 0123456789."), min_size=1, max_size=30).filter(
    lambda s: s.strip(" .") == s and s not in (".", ".."))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stems=st.lists(STEMS, min_size=1, max_size=3, unique=True), suffix=st.sampled_from([".xlsx", ".xlsm"]),
       times=st.lists(st.sampled_from([datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 11, 25, 14, 30, 12),
                                       datetime(2025, 12, 31, 23, 59, 59)]), min_size=1, max_size=12))
@example(stems=["rekisteri", "rekisteri-20261125-143012"], suffix=".xlsx", times=[NOW] * 12)
def test_list_backup_copies_finds_exactly_the_backups_made_for_that_register(tmp_path_factory, stems, suffix, times):
    """Purge expires backup copies by what list_backup_copies finds: every backup the writer names for a register,
    oldest first (-2 ... -12 within one second in the order made), and never another register's."""
    folder = tmp_path_factory.mktemp("b")
    made = {stem: [] for stem in stems}
    for now in times:                   # each register gets a backup at each time, interleaved
        for stem in stems:
            path = next_backup_path(folder / f"{stem}{suffix}", now, folder / "varmuuskopiot")
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"x")
            made[stem].append((path, now))
    for stem in stems:
        expected = sorted(made[stem], key=lambda item: item[1])      # stable: same second in the order made
        assert list_backup_copies(folder / f"{stem}{suffix}") == expected


def test_backups_of_a_register_with_an_upper_case_suffix_are_listed(tmp_path):
    register = build_register(tmp_path / "Rekisteri.XLSX", class_of(2))
    result = write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert list_backup_copies(register) == [(result.backup_path, NOW)]


# --- preview and the last check before the replace ----------------------------------------------

def test_preview_is_exactly_what_is_written(register):
    change = RegisterChange().update("Oppilaat", 2, "Huoltaja", "X").delete_rows("Opinnot", [3]).delete_rows("Opinnot", [])
    before = register.read_bytes()
    preview = writing.preview_changes(register, change, NOW)
    assert register.read_bytes() == before and preview != before      # nothing written by the preview
    assert not (register.parent / "varmuuskopiot").exists() and leftovers(register.parent) == []
    write(register, change)
    assert register.read_bytes() == preview


def test_before_replace_sees_the_new_bytes_and_can_stop_the_write(register):
    seen = []
    write_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"), expected=fingerprint(register),
                  now=NOW, before_replace=seen.append)
    assert seen == [register.read_bytes()]

    class Stop(Exception):
        pass

    def refuse(data):
        raise Stop

    before = register.read_bytes()
    with pytest.raises(Stop):
        write_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "Y"),
                      expected=fingerprint(register), now=NOW, before_replace=refuse)
    assert register.read_bytes() == before and leftovers(register.parent) == []


def test_overwriting_a_formula_drops_the_stale_calculation_chain(tmp_path):
    from toolkit.xlsx.package import Package

    def formula(workbook):
        workbook["Oppilaat"]["N1"] = "Oma"
        workbook["Oppilaat"]["N2"] = "=LEN(B2)"

    path = build_register(tmp_path / "r.xlsx", class_of(), customise=formula)
    package = Package.read(path)
    package.parts["xl/calcChain.xml"] = (b'<?xml version="1.0"?><calcChain xmlns="http://schemas.openxmlformats.org/'
                                         b'spreadsheetml/2006/main"><c r="N2" i="2"/></calcChain>')
    rels = "xl/_rels/workbook.xml.rels"
    package.parts[rels] = package.parts[rels].replace(b"</Relationships>", (
        b'<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'calcChain" Target="calcChain.xml"/></Relationships>'))
    package.parts["[Content_Types].xml"] = package.parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.calcChain+xml"/></Types>'))
    path.write_bytes(package.to_bytes())

    write(path, RegisterChange().update("Oppilaat", 2, "Oma", 5))
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after[rels] and b"calcChain" not in after["[Content_Types].xml"]
    assert openpyxl.load_workbook(path)["Oppilaat"]["N2"].value == 5


def test_a_killed_writers_old_temp_file_is_removed_by_the_next_write(register):
    stale = register.parent / ".rekisteri.abc123.muskari-tmp"
    fresh = register.parent / ".rekisteri.def456.muskari-tmp"
    other = register.parent / ".toinen.abc123.muskari-tmp"
    for path in (stale, fresh, other):
        path.write_bytes(b"keskeytynyt")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert not stale.exists() and fresh.exists() and other.exists()


def test_any_command_removes_a_dead_writers_temp_files_whatever_their_age(register):
    folder = register.parent
    ours = [folder / ".rekisteri.xlsx.abc123.muskari-tmp", folder / "varmuuskopiot" / ".rekisteri.xlsx.x.muskari-tmp",
            folder / "varmuuskopiot" / ".rekisteri-20261125-143012.x.muskari-tmp"]     # an erasure's rewritten version
    staging = folder / ".rekisteri.xlsx.muskari-palautus-abc"
    other_old, other_fresh = folder / ".muskari-old1.tmp", folder / ".muskari-new1.tmp"
    ours[1].parent.mkdir()
    (staging / "todistukset").mkdir(parents=True)
    for path in (*ours, staging / "rekisteri.xlsx", other_old, other_fresh):
        path.write_bytes(b"keskeytynyt")
    os.utime(other_old, (time.time() - 3600, time.time() - 3600))
    import sys

    from children import run

    done = run([sys.executable, "-m", "toolkit", "check", str(register)], timeout=120)   # the next start
    assert done.returncode in (0, 1), done.stderr
    assert not any(p.exists() for p in (*ours, staging, other_old))
    assert other_fresh.exists()      # another writer's file, not under the register's lock, may still be in use


def test_this_processs_own_temp_files_are_never_taken_for_a_dead_writers(register):
    """An erasure prepares its rewritten earlier versions before the register's write takes the lock."""
    from toolkit.xlsx.lock import register_lock

    version = register.parent / "varmuuskopiot" / ".rekisteri-20261125-143012.abc.muskari-tmp"
    version.parent.mkdir()
    version.write_bytes(b"valmisteltu")
    with register_lock(register):
        pass
    assert version.exists()


def test_a_running_writers_temp_files_are_left_alone(register):
    import subprocess
    import sys

    temp = register.parent / ".rekisteri.xlsx.abc123.muskari-tmp"
    temp.write_bytes(b"kesken")
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom toolkit.xlsx.lock import register_lock\n"
                               "with register_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)",
                               str(register)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        temp.write_bytes(b"kesken")          # the holder's own start removed the first one; this one is "its" own
        from toolkit.xlsx.reading import read_register

        read_register(register)
        assert temp.exists()
    finally:
        holder.kill()
        holder.communicate(timeout=30)


def test_scrub_matches_whole_words_only(tmp_path):
    def notes(workbook):
        from openpyxl.comments import Comment

        workbook["Oppilaat"]["M3"].comment = Comment("Eino Virtanen soittaa viulua", "opettaja")
        workbook["Oppilaat"]["M4"].comment = Comment("Eino Virta muutti", "opettaja")

    path = build_register(tmp_path / "r.xlsx", class_of(4), customise=notes)
    write(path, RegisterChange().scrub(["Eino Virta"]))
    sheet = openpyxl.load_workbook(path)["Oppilaat"]
    assert sheet["M3"].comment.text == "Eino Virtanen soittaa viulua" and sheet["M4"].comment is None


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deleted=st.sets(st.integers(2, 13), max_size=11), appended=st.integers(0, 3))
def test_rows_after_deletions_and_appends_are_the_model(tmp_path_factory, deleted, appended):
    path = build_register(tmp_path_factory.mktemp("m") / "r.xlsx", class_of(12))
    old = read_values(path)["Opinnot"]
    change = RegisterChange().delete_rows("Opinnot", deleted)
    for i in range(appended):
        change.append("Opinnot", {"Oppilasnumero": f"9{i:03d}", "Tunnit": float(i + 1)})
    write(path, change)
    model = [old[1]] + [old[r] for r in sorted(old) if r > 1 and r not in deleted]
    model += [(f"9{i:03d}", None, None, float(i + 1)) for i in range(appended)]
    new = read_values(path)["Opinnot"]
    assert [new[r] for r in sorted(new)] == model and sorted(new) == list(range(1, len(model) + 1))


def test_a_number_written_into_a_date_formatted_cell_shows_as_a_number(register):
    write(register, RegisterChange().update("Oppilaat", 2, "Syntymäaika", 42))
    cell = openpyxl.load_workbook(register)["Oppilaat"]["D2"]
    assert cell.value == 42 and not cell.is_date
    assert read_values(register)["Oppilaat"][2][3] == 42.0


def test_read_only_register_is_refused(register):
    os.chmod(register, 0o444)
    before = register.read_bytes()
    with pytest.raises(FileProblem) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert "kirjoitussuojattu" in caught.value.message("fi")
    assert register.read_bytes() == before


def test_backup_that_cannot_be_made_stops_the_write(register):
    (register.parent / "varmuuskopiot").write_text("tiedosto kansion paikalla")
    before = register.read_bytes()
    with pytest.raises(FileProblem) as caught:
        write(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "X"))
    assert "varmuuskopio" in caught.value.message("fi") and "ennallaan" in caught.value.message("fi")
    assert register.read_bytes() == before and leftovers(register.parent) == []


def test_cells_and_rows_without_positions_are_handled(tmp_path):
    # some writers leave out r= on rows and cells; positions are then implicit
    from toolkit.xlsx.package import Package

    path = build_register(tmp_path / "r.xlsx", class_of(3))
    package = Package.read(path)
    part = package.sheets["Opinnot"]
    package.parts[part] = re.sub(rb'(<(?:row|c)\b[^>]*?) r="[A-Z]*\d+"', rb"\1", package.parts[part])
    path.write_bytes(package.to_bytes())
    before = read_values(path)["Opinnot"]
    write(path, RegisterChange().delete_rows("Opinnot", [2]).update("Opinnot", 3, "Tunnit", 5)
          .append("Opinnot", {"Oppilasnumero": "0042"}))
    after = read_values(path)["Opinnot"]
    assert after[2] == before[3][:3] + (5.0,) + before[3][4:]
    assert after[3] == before[4] and after[4] == ("0042",)


@pytest.mark.parametrize("content, words", [
    (b"PK\x03\x04 katkennut", "vioittunut"), (b"\xd0\xcf\x11\xe0salattu", "Excel-työkirja"), (b"", "Excel-työkirja"),
], ids=["truncated", "encrypted-or-xls", "empty"])
def test_broken_files_are_refused_with_a_reason(tmp_path, content, words):
    path = tmp_path / "rekisteri.xlsx"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as caught:
        write(path, RegisterChange().update("Oppilaat", 2, "Etunimi", "X"))
    assert words in caught.value.message("fi") and caught.value.exit_code == 3
    assert path.read_bytes() == content


# --- the used range (<dimension>) ----------------------------------------------------------------------------

def _extents(path) -> dict[str, tuple[str | None, str]]:
    """Worksheet part -> (its <dimension ref>, the range its cells really span)."""
    from lxml import etree

    from toolkit.model.refs import cell_name, split_cell

    found = {}
    for name, data in parts(path).items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        root = etree.fromstring(data)
        ns = {"m": root.nsmap[None]}
        dimension = root.find("m:dimension", ns)
        refs = [split_cell(c.get("r")) for c in root.iterfind(".//m:sheetData/m:row/m:c", ns)]
        rows, columns = [r for r, _ in refs], [c for _, c in refs]
        span = f"{cell_name(min(rows), min(columns))}:{cell_name(max(rows), max(columns))}" if refs else "A1"
        found[name] = (None if dimension is None else dimension.get("ref"), span)
    return found


def test_every_written_sheets_dimension_spans_its_cells_after_appends(register):
    change = RegisterChange().append("Todistukset", {"Todistusnumero": "2026-001", "Oppilasnumero": "0001"})
    change.append("Oppilaat", {"Oppilasnumero": "0009", "Etunimi": "Uusi"}).delete_rows("Opinnot", [2, 3])
    write(register, change.log("testi", "loki kasvaa"))
    write(register, RegisterChange().log("testi", "toinen rivi"), now=datetime(2026, 11, 26, 8, 0, 0))
    for part, (dimension, span) in _extents(register).items():
        assert dimension == span, part


def test_a_new_loki_sheet_gets_a_dimension_that_spans_its_rows(tmp_path):
    def without_loki(workbook):
        del workbook["Loki"]

    path = build_register(tmp_path / "r.xlsx", class_of(3), customise=without_loki)
    write(path, RegisterChange().log("testi", "uusi loki"))
    loki = [ext for part, ext in _extents(path).items() if ext[1].startswith("A1:C")]
    assert ("A1:C2", "A1:C2") in loki
