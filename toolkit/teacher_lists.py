"""One .xlsx per teacher with only that teacher's own aktiivinen and tauolla students (domain P12).

Only what a teacher needs: name, guardian, e-mail, phone and birth year. Every value is written as a
text cell (a name like ``=1+1``, ``+358…`` or ``@x`` never becomes a formula). The sheet is made for
reading and printing: frozen and repeated header, landscape, fitted to the page width. Files are
created with mode 0600 and named safely from the teacher's name, always inside the output folder.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit import normalize
from toolkit.textcells import set_text

LIST_STATUSES = ("aktiivinen", "tauolla")
HEADERS = ("Nimi", "Huoltaja", "Sähköposti", "Puhelin", "Syntymävuosi")
WIDTHS = (28, 28, 34, 18, 13)
MAX_NAME_BYTES = 120
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_UNSAFE = re.compile(r'[/\\:*?"<>|]')


def safe_file_stem(name: str) -> str:
    """A file name stem from a person's name: no path separators, ``..``, control, format (bidi, zero-width)
    or Windows-reserved characters or names, at most MAX_NAME_BYTES of UTF-8; never empty."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(" " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")   # Cc, Cf (bidi), Cs, Co, Cn
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\.{2,}", ".", " ".join(text.split())).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")[:MAX_NAME_BYTES]
    text = encoded.decode("utf-8", errors="ignore").strip(" .")
    return text or "opettaja"


@dataclass
class TeacherList:
    teacher: str
    file: Path
    student_ids: list[str]


@dataclass
class TeacherListsResult:
    folder: Path
    lists: list[TeacherList] = field(default_factory=list)
    teachers_without_students: list[str] = field(default_factory=list)
    students_without_teacher: list[str] = field(default_factory=list)   # listed students, but in no file


def students_by_teacher(tables) -> dict[str, pd.DataFrame]:
    """Each teacher of Opettajat -> their own aktiivinen and tauolla students (matched on the normalised name)."""
    students = tables.students[tables.students["status"].isin(LIST_STATUSES)]
    keys = students["teacher"].map(lambda t: normalize.key(t) if isinstance(t, str) else None)
    return {name: students[keys == normalize.key(name)] for name in tables.teachers["name"].dropna()}


def list_rows(students: pd.DataFrame) -> list[tuple[str, ...]]:
    rows = []
    for _, s in students.sort_values(["last_name", "first_name"], key=lambda c: c.map(normalize.key)).iterrows():
        birth = s["birth_date"]
        rows.append((f"{s['first_name']} {s['last_name']}", s["guardian"] or "", s["email"] or "", s["phone"] or "",
                     str(birth.year) if birth else ""))
    return rows


def render_workbook(teacher: str, rows: list[tuple[str, ...]], school: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "Oppilaat"
    for col, header in enumerate(HEADERS, start=1):
        _text_cell(ws, 1, col, header).font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            if value:
                _text_cell(ws, r, col, value).alignment = Alignment(vertical="top", wrap_text=True)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = _header_text(f"{school}: {teacher}")
    ws.oddFooter.right.text = "&P / &N"
    wb.properties.creator = school
    wb.properties.title = "Oppilaslista"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _header_text(text: str) -> str:
    return _printable(text).replace("&", "&&")[:200]      # & starts a code in Excel's header syntax


def _printable(value: object) -> str:
    """Control characters (which a cell cannot hold and a teacher cannot see) removed."""
    return "".join(ch for ch in str(value) if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def _text_cell(ws, row: int, col: int, value: str):
    """A cell that holds ``value`` as text, never a formula, whatever it starts with."""
    cell = ws.cell(row=row, column=col)
    set_text(cell, _printable(value))
    cell.number_format = "@"
    return cell


def write_teacher_lists(tables, folder: str | Path) -> TeacherListsResult:
    """Write every teacher's list into ``folder`` (created 0700 when new); files 0600. A progress bar on
    stderr for many teachers (toolkit.progress)."""
    from toolkit.private_files import private_folder, write_private
    from toolkit.progress import big_batch, task

    folder = private_folder(folder)
    result = TeacherListsResult(folder=folder)
    used: set[str] = set()
    school = tables.settings.school_name
    groups = students_by_teacher(tables)
    with task("Opettajien listat", "Teacher lists", len(groups), big=big_batch(len(groups))) as bar:
        for teacher, students in groups.items():
            _write_one(teacher, students, folder, school, used, result, write_private)
            bar.advance()
    listed = tables.students[tables.students["status"].isin(LIST_STATUSES)]
    result.students_without_teacher = [str(s) for s in listed.loc[listed["teacher"].isna(), "student_id"]]
    return result


def _write_one(teacher, students, folder, school, used, result, write_private) -> None:
    if students.empty:
        result.teachers_without_students.append(teacher)
        return
    stem = safe_file_stem(f"Oppilaslista {teacher}")
    name, n = f"{stem}.xlsx", 1
    while name.casefold() in used:
        n += 1
        name = f"{stem} ({n}).xlsx"
    used.add(name.casefold())
    path = write_private(folder / name, render_workbook(teacher, list_rows(students), school))
    result.lists.append(TeacherList(teacher, path, [str(s) for s in students["student_id"]]))


def result_to_dict(result: TeacherListsResult) -> dict:
    return {"folder": str(result.folder),
            "lists": [{"teacher": t.teacher, "file": t.file.name, "student_ids": t.student_ids} for t in result.lists],
            "teachers_without_students": result.teachers_without_students,
            "students_without_teacher": result.students_without_teacher}


def summary_rows(result: TeacherListsResult) -> list[tuple]:
    return [(t.teacher, t.file.name, len(t.student_ids), ", ".join(t.student_ids)) for t in result.lists]


def render_summary(result: TeacherListsResult, lang: str = "fi") -> str:
    """Who received which students' data (ids only), and who is on no list."""
    from toolkit.output import format_table

    en = lang == "en"
    headers = ("Teacher", "File", "Students", "Student ids") if en else ("Opettaja", "Tiedosto", "Oppilaita",
                                                                         "Oppilasnumerot")
    out = [("Teacher lists in " if en else "Opettajien listat kansiossa ") + f"{result.folder}:", "",
           format_table(summary_rows(result), headers).rstrip("\n")]
    if result.teachers_without_students:
        out.append(("No active students, no list: " if en else "Ei aktiivisia oppilaita, ei listaa: ")
                   + ", ".join(result.teachers_without_students))
    if result.students_without_teacher:
        out.append(("On no list (no teacher): " if en else "Ei yhdelläkään listalla (ei opettajaa): ")
                   + ", ".join(result.students_without_teacher))
    out.append("Each list holds personal data: give each teacher only their own file, and ask them to delete it "
               "at the end of the semester." if en else
               "Listoissa on henkilötietoja: anna kullekin opettajalle vain hänen oma tiedostonsa ja pyydä "
               "poistamaan se lukukauden lopussa.")
    return "\n".join(out) + "\n"
