"""toolkit.jobs.import_forms.read_forms (toolkit.office.forms_export): exports in the shapes forms services produce,
and the files that cannot be read, each refused with a sentence saying what to do."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from factories import make_tables, student

from toolkit.jobs.import_forms import plan_import, read_forms
from toolkit.model.errors import FileProblem

GOOGLE_CSV = (
    '"Aikaleima","Oppilasnumero","Etunimi *","Sukunimi *","Syntymäaika *","Huoltaja","Sähköposti *",'
    '"Puhelin","Jatkaa ensi lukukaudella? *","Terveisiä opettajalle"\n'
    '"2026/11/20 2:05:00 PM EET","0001","Aino","Virtanen","1.3.2019","Maija Virtanen","uusi@example.fi",'
    '"040 123 4567","Kyllä","Kiitos, syksy oli kiva"\n'
    '"2026/11/21 9:00:00 AM EET","","Eino","Uusi","5.6.2021","Pekka Uusi","pekka@example.fi","050 111 2222","Kyllä",""\n'
)

EXCEL_CSV = (
    "\ufeffAikaleima;Oppilasnumero;Etunimi;Sukunimi;Syntymäaika;Huoltaja;Sähköposti;Puhelin;Jatkaa ensi lukukaudella\n"
    "20.11.2026 14.05.00;;aino;VIRTANEN;01.03.2019;Maija Virtanen;perhe@example.fi;040 123 4567;ei\n"
    ";;;;;;;;\n"
    '21.11.2026 9.00.00;;Eino;Uusi;5.6.2021;"Uusi; Pekka";pekka@example.fi;+358 50 111 2222;kyllä\n'
)


def write_text(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_a_google_forms_csv_with_starred_questions(tmp_path):
    forms = read_forms(write_text(tmp_path / "vastaukset.csv", GOOGLE_CSV))
    assert forms.reading.fields == {"timestamp": 1, "student_id": 2, "first_name": 3, "last_name": 4,
                                    "birth_date": 5, "guardian": 6, "email": 7, "phone": 8, "continues": 9}
    assert [(c.header, c.status) for c in forms.reading.columns if c.field is None] == [
        ("Terveisiä opettajalle", "not-recognised")]
    assert [(n, cells[2], cells[1]) for n, cells in forms.rows] == [(2, "Aino", "0001"), (3, "Eino", None)]


def test_an_excel_csv_with_bom_semicolons_and_a_blank_line(tmp_path):
    forms = read_forms(write_text(tmp_path / "lomake.csv", EXCEL_CSV))
    assert [n for n, _ in forms.rows] == [2, 4]
    assert forms.rows[1][1][5] == "Uusi; Pekka"
    assert forms.reading.fields["timestamp"] == 1


def test_an_xlsx_export_with_real_dates_and_extra_columns(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Aikaleima", "Sähköposti", "Etunimi", "Sukunimi", "Syntymäaika", "Huoltaja", "Puhelin",
               "JATKAA ENSI LUKUKAUDELLA ?"])
    ws.append([1, datetime(2026, 11, 20, 14, 5), "perhe@example.fi", "Aino", "Virtanen", datetime(2019, 3, 1),
               "Maija Virtanen", "040 123 4567", "kyllä"])
    ws.append([2, datetime(2026, 11, 22, 8, 0), "x@example.fi", "Eino", "Uusi", "5.6.2021", None, 401112222, "ei"])
    wb.save(tmp_path / "forms.xlsx")
    forms = read_forms(tmp_path / "forms.xlsx")
    assert [(c.header, c.status) for c in forms.reading.columns[:3]] == [
        ("ID", "service"), ("Aikaleima", "imported"), ("Sähköposti", "account-email")]
    first = forms.rows[0][1]
    assert first[1] == datetime(2026, 11, 20, 14, 5) and first[5] == date(2019, 3, 1)
    plan = plan_import(make_tables(students=[student(phone="040 123 4567")]), forms, date(2026, 11, 25))
    assert [(u.student_id, [c.header for c in u.changes]) for u in plan.updates] == [("0001", ["Viimeisin ilmoittautuminen"])]
    assert [(n.student_id, n.values["Puhelin"]) for n in plan.new_students] == [("0002", "0401112222")]
    assert [(f.cell, f.code) for f in plan.warnings] == [("H3", "form-phone-restored")]


def test_the_plan_from_a_csv_matches_across_case_and_reports_the_new_student(tmp_path):
    forms = read_forms(write_text(tmp_path / "lomake.csv", EXCEL_CSV))
    plan = plan_import(make_tables(students=[student(phone="040 123 4567")]), forms, date(2026, 11, 25))
    assert [(u.student_id, c.header, c.new) for u in plan.updates for c in u.changes] == [
        ("0001", "Viimeisin ilmoittautuminen", date(2026, 11, 20)), ("0001", "Tila", "päättynyt")]
    assert [(n.student_id, n.values["Puhelin"]) for n in plan.new_students] == [("0002", "+358 50 111 2222")]


@pytest.mark.parametrize("content,words", [
    (b"", "ei ole vastauksia"),
    (b"\n;;\n", "ei ole vastauksia"),
    (b"Etunimi;Sukunimi\nAino;Virtanen\n", "syntymäaika, jatkaako oppilas ensi lukukaudella"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04broken", "ei voi lukea"),
    (b"\x00\x01\x02binary", "ei ole CSV-"),
], ids=["empty", "blank-lines", "missing-questions", "xls", "broken-zip", "binary"])
def test_unreadable_forms_files_are_refused_clearly(tmp_path, content, words):
    path = tmp_path / "lomake.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem) as info:
        read_forms(path)
    assert words in info.value.message("fi")
    assert info.value.message("en") != info.value.message("fi")
    assert "sopimuksessa" not in info.value.message("fi")


def test_windows_1252_and_utf16_are_read(tmp_path):
    text = "Aikaleima;Etunimi;Sukunimi;Syntymäaika;Jatkaa ensi lukukaudella\n;Äijä;Öhman;1.1.2020;ei\n"
    for encoding in ("cp1252", "utf-16"):
        forms = read_forms(write_text(tmp_path / f"{encoding}.csv", text, encoding))
        assert forms.rows == [(2, [None, "Äijä", "Öhman", "1.1.2020", "ei"])]


def test_a_zip_with_one_csv_is_read_and_one_with_two_is_refused(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "yksi.zip", "w") as archive:
        archive.writestr("__MACOSX/._vastaukset.csv", b"junk")
        archive.writestr("Lomake/vastaukset.csv", GOOGLE_CSV.encode("utf-8"))
    assert len(read_forms(tmp_path / "yksi.zip").rows) == 2
    with zipfile.ZipFile(tmp_path / "kaksi.zip", "w") as archive:
        archive.writestr("a.csv", GOOGLE_CSV)
        archive.writestr("b.csv", GOOGLE_CSV)
    with pytest.raises(FileProblem, match="useita vastaustiedostoja"):
        read_forms(tmp_path / "kaksi.zip")
    with zipfile.ZipFile(tmp_path / "ei.zip", "w") as archive:
        archive.writestr("kuva.png", b"png")
    with pytest.raises(FileProblem, match="ei ole yhtään"):
        read_forms(tmp_path / "ei.zip")


def test_a_title_row_above_the_questions_is_skipped(tmp_path):
    text = "Ilmoittautuminen kevät 2027;;;;\n" + EXCEL_CSV.lstrip("\ufeff")
    forms = read_forms(write_text(tmp_path / "otsikko.csv", text))
    assert forms.table.header_row == 2 and [n for n, _ in forms.rows] == [3, 5]


def test_a_folder_is_not_read(tmp_path):
    with pytest.raises(FileProblem, match="ei ole tavallinen tiedosto"):
        read_forms(tmp_path)


def test_a_missing_forms_file_is_refused(tmp_path):
    with pytest.raises(FileProblem, match="ei löydy"):
        read_forms(tmp_path / "puuttuu.csv")


def test_a_new_student_never_gets_the_id_of_an_erased_one(tmp_path, monkeypatch):
    from toolkit.system.secrets import ErasureRecord, hash_student_id, record_erasures

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    record_erasures([ErasureRecord(hash_student_id("0002"), "deletion-requested", "full", datetime(2026, 6, 1))])
    forms = read_forms(write_text(tmp_path / "lomake.csv", EXCEL_CSV))
    plan = plan_import(make_tables(students=[student(phone="040 123 4567")]), forms, date(2026, 11, 25))
    assert [n.student_id for n in plan.new_students] == ["0003"]


def _forms_workbook(path, extra=None):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Aikaleima", "Etunimi", "Sukunimi", "Syntymäaika", "Huoltaja", "Sähköposti", "Puhelin",
               "Jatkaa ensi lukukaudella"])
    ws.append([datetime(2026, 11, 20, 14, 5), "Aino", "Virtanen", datetime(2019, 3, 1), "Maija Virtanen",
               "perhe@example.fi", "040 123 4567", "Kyllä"])
    if extra:
        ws[extra] = "x"
    wb.save(path)
    return path


@pytest.mark.parametrize("cell", ["XFD1048576", "A1048576"])
def test_a_forms_workbook_with_a_value_far_from_the_answers_is_refused_naming_the_cell(tmp_path, cell):
    """calamine would allocate the whole used range (XFD1048576: it aborts the process); the export is scanned
    first, as the register is, and the stray value is named with what to do. Nothing is imported."""
    path = _forms_workbook(tmp_path / "vastaukset.xlsx", extra=cell)
    with pytest.raises(FileProblem) as raised:
        read_forms(path)
    assert raised.value.code == "forms-file-stray-cells"
    fi, en = raised.value.message("fi"), raised.value.message("en")
    assert cell in fi and "H2" in fi and "Mitään ei tuotu" in fi and "Ctrl+End" in fi
    assert cell in en and "Nothing was imported" in en


def test_a_forms_workbook_inside_a_zip_is_scanned_too(tmp_path):
    import zipfile

    inner = _forms_workbook(tmp_path / "inner.xlsx", extra="XFD1048576")
    with zipfile.ZipFile(tmp_path / "lataus.zip", "w") as archive:
        archive.write(inner, "Vastaukset.xlsx")
    with pytest.raises(FileProblem) as raised:
        read_forms(tmp_path / "lataus.zip")
    assert raised.value.code == "forms-file-stray-cells"


def test_a_padded_forms_workbook_is_refused_as_a_forms_file_not_as_the_register(tmp_path, monkeypatch):
    import toolkit.xlsx.sheet_scan as sheet_scan

    monkeypatch.setattr(sheet_scan, "MAX_PART_BYTES", 200)        # any sheet is now "larger than a sheet can be"
    with pytest.raises(FileProblem) as raised:
        read_forms(_forms_workbook(tmp_path / "vastaukset.xlsx"))
    assert raised.value.code == "forms-file-unusual"
    fi = raised.value.message("fi")
    assert "rekisteri" not in fi.lower() and "Mitään ei tuotu" in fi and "lomakepalvelusta" in fi


def test_a_plain_forms_workbook_is_read_after_its_scan(tmp_path):
    forms = read_forms(_forms_workbook(tmp_path / "vastaukset.xlsx"))
    assert [row[1][1] for row in forms.rows] == ["Aino"]
