"""Teacher lists: only the teacher's own active and on-break students, text cells only, private files."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest
from factories import make_tables, student
from hypothesis import given, settings
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.teacher_lists import write_teacher_lists
from toolkit.model.text import safe_file_stem
from toolkit.office.teacher_workbook import HEADERS
from toolkit.rules.teacher_lists import students_by_teacher

TEACHERS = [{"name": "Liisa Laulu", "email": "liisa@example.fi"}, {"name": "Pekka Piano", "email": None},
            {"name": "Ulla Urut", "email": None}]


def tables(*students):
    return make_tables(students=list(students), teachers=TEACHERS)


def test_each_list_holds_only_that_teachers_active_and_on_break_students():
    t = tables(student("0001"), student("0002", first="B", teacher="Pekka Piano"),
               student("0003", first="C", status="tauolla"), student("0004", first="D", status="päättynyt"),
               student("0005", first="E", teacher=None))
    groups = {name: list(frame["student_id"]) for name, frame in students_by_teacher(t).items()}
    assert groups == {"Liisa Laulu": ["0001", "0003"], "Pekka Piano": ["0002"], "Ulla Urut": []}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Liisa Laulu", "pekka  PIANO", "Ulla Urut", None]),
                          st.sampled_from(["aktiivinen", "tauolla", "päättynyt"])), max_size=15))
def test_a_teacher_list_never_holds_another_teachers_student(rows):
    t = tables(*[student(f"{i:04d}", first=f"N{i}", teacher=teacher, status=status)
                 for i, (teacher, status) in enumerate(rows)])
    for name, frame in students_by_teacher(t).items():
        expected = [f"{i:04d}" for i, (teacher, status) in enumerate(rows)
                    if teacher and " ".join(teacher.split()).casefold() == name.casefold()
                    and status != "päättynyt"]
        assert list(frame["student_id"]) == expected


def read_list(path: Path):
    from openpyxl import load_workbook

    return load_workbook(path).active


NASTY = ["=1+1", "+358 40 123 4567", "@x", "-2+3", "=HYPERLINK(\"http://x\")"]


def test_no_exported_cell_is_a_formula_whatever_the_name(tmp_path):
    t = tables(student("0001", first=NASTY[0], last=NASTY[4], guardian=NASTY[2], email="a@example.fi",
                       phone=NASTY[1]),
               student("0002", first=NASTY[3], last="@SUM(A1)", guardian="=cmd|' /C calc'!A0"))
    result = write_teacher_lists(t, tmp_path / "listat")
    [path] = [x.file for x in result.lists]
    ws = read_list(path)
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == list(HEADERS)
    assert ["=1+1 =HYPERLINK(\"http://x\")", "@x", "a@example.fi", "+358 40 123 4567", "2019"] in values
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


@pytest.mark.libreoffice
def test_libreoffice_shows_the_names_as_text_not_results(tmp_path, soffice):
    from office import convert

    t = tables(student("0001", first="=1+1", last="+2", guardian="@x"))
    [entry] = write_teacher_lists(t, tmp_path / "listat").lists
    csv = convert([entry.file], "csv", tmp_path / "csv", suffix=".csv")[entry.file]
    text = csv.read_text(encoding="utf-8", errors="replace")
    assert "=1+1 +2" in text and "@x" in text


def test_lists_are_private_print_ready_and_named_after_the_teacher(tmp_path):
    result = write_teacher_lists(tables(student("0001")), tmp_path / "listat")
    [entry] = result.lists
    assert entry.file.name == "Oppilaslista Liisa Laulu.xlsx" and entry.student_ids == ["0001"]
    assert stat.S_IMODE(entry.file.stat().st_mode) == 0o600
    ws = read_list(entry.file)
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert result.teachers_without_students == ["Pekka Piano", "Ulla Urut"]


def test_a_student_without_a_teacher_is_on_no_list_and_reported(tmp_path):
    result = write_teacher_lists(tables(student("0001"), student("0002", first="E", teacher=None)), tmp_path)
    assert result.students_without_teacher == ["0002"]
    assert [x.student_ids for x in result.lists] == [["0001"]]


@pytest.mark.parametrize("name,stem", [
    ("Liisa Laulu", "Liisa Laulu"),
    ("../../etc/passwd", "_._etc_passwd"),
    ("a/b\\c", "a_b_c"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("Anna\u202eslx.exe", "Annaslx.exe"),
    ("Ville\u200b Va\u0308ä", "Ville Vää"),
    ("..", "opettaja"),
    ("\x00\x07", "opettaja"),
    ("ä" * 200, "ä" * 60),
], ids=["plain", "traversal", "separators", "reserved", "reserved-ext", "bidi", "zero-width-nfd", "dots",
        "control", "long"])
def test_safe_file_stems(name, stem):
    assert safe_file_stem(name) == stem


@given(st.text(max_size=300))
def test_a_file_name_from_any_teacher_name_stays_inside_the_folder(name):
    folder = Path("/tmp/listat").resolve()
    stem = safe_file_stem(name)
    path = (folder / f"{stem}.xlsx").resolve()
    assert path.parent == folder
    assert stem and len(stem.encode("utf-8")) <= 120 and ".." not in stem
    assert not any(ch in stem for ch in '/\\\x00:*?"<>|')
    assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_two_teachers_with_the_same_safe_name_get_two_files(tmp_path):
    t = make_tables(students=[student("0001", teacher="Anna/Aho"), student("0002", first="B", teacher="Anna:Aho")],
                    teachers=[{"name": "Anna/Aho"}, {"name": "Anna:Aho"}])
    names = sorted(x.file.name for x in write_teacher_lists(t, tmp_path).lists)
    assert names == ["Oppilaslista Anna_Aho (2).xlsx", "Oppilaslista Anna_Aho.xlsx"]


def test_the_command_summarises_who_received_which_students(tmp_path, capsys):
    register = build_register(tmp_path / "rekisteri.xlsx",
                              tables(student("0001"), student("0002", first="B", teacher="Pekka Piano")))
    code = main(["teacher-lists", str(register), "--out", str(tmp_path / "listat"), "--as-of", "2026-11-25",
                 "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(x["teacher"], x["student_ids"]) for x in data["lists"]] == [("Liisa Laulu", ["0001"]),
                                                                          ("Pekka Piano", ["0002"])]
    code = main(["teacher-lists", str(register), "--out", str(tmp_path / "listat"), "--as-of", "2026-11-25"])
    out = capsys.readouterr().out
    assert code == 0 and "Oppilaslista Pekka Piano.xlsx" in out and "Ulla Urut" in out


def test_control_characters_never_break_the_export(tmp_path):
    t = tables(student("0001", first="Ai\x01no", guardian="Maija\x1f V"))
    [entry] = write_teacher_lists(t, tmp_path).lists
    assert read_list(entry.file)["A2"].value == "Aino Virtanen"
