"""One .xlsx per teacher with only that teacher's own aktiivinen and tauolla students (domain P12).

Only what a teacher needs: name, guardian, e-mail, phone and birth year. Every value is written as a
text cell (a name like ``=1+1``, ``+358…`` or ``@x`` never becomes a formula). The sheet is made for
reading and printing: frozen and repeated header, landscape, fitted to the page width. Files are
created with mode 0600 and named safely from the teacher's name, always inside the output folder, through
the output guard (``toolkit.system.outputs``): never over the register or a backup, never through a link out of
the folder; an existing file is replaced when it is the toolkit's own earlier list, unchanged, or with
``force``. Each list carries the toolkit's marker and is listed with the ids of the students it holds.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.model.text import safe_file_stem
from toolkit.office.package_marker import mark_package
from toolkit.office.teacher_workbook import render_workbook
from toolkit.rules.teacher_lists import (
    LIST_STATUSES,
    TeacherList,
    TeacherListsResult,
    list_rows,
    students_by_teacher,
)
from toolkit.system.outputs import write_output
from toolkit.system.private_files import private_folder
from toolkit.system.progress import big_batch, task


def plan_teacher_lists(tables, folder: str | Path) -> TeacherListsResult:
    """The lists ``write_teacher_lists`` writes into ``folder``, nothing written: each teacher's file and students
    (a dry run shows them), the teachers without students and the listed students without a teacher."""
    folder = Path(folder)
    result = TeacherListsResult(folder=folder)
    used: set[str] = set()
    for teacher, students in students_by_teacher(tables).items():
        if students.empty:
            result.teachers_without_students.append(teacher)
            continue
        stem = safe_file_stem(f"Oppilaslista {teacher}")
        name, n = f"{stem}.xlsx", 1
        while name.casefold() in used:
            n += 1
            name = f"{stem} ({n}).xlsx"
        used.add(name.casefold())
        result.lists.append(TeacherList(teacher, folder / name, [str(s) for s in students["student_id"]]))
    listed = tables.students[tables.students["status"].isin(LIST_STATUSES)]
    result.students_without_teacher = [str(s) for s in listed.loc[listed["teacher"].isna(), "student_id"]]
    return result


def write_teacher_lists(tables, folder: str | Path, *, register: str | Path | None = None,
                        force: bool = False, within: str | Path | None = None) -> TeacherListsResult:
    """Write every teacher's list into ``folder`` (created 0700 when new); files 0600, never through a link out of
    ``within`` (default ``folder``). A progress bar on stderr for many teachers (toolkit.system.progress)."""
    folder = private_folder(folder)
    within = within if within is not None else folder
    planned = plan_teacher_lists(tables, folder)
    result = TeacherListsResult(folder=folder, teachers_without_students=planned.teachers_without_students,
                                students_without_teacher=planned.students_without_teacher)
    school = tables.settings.school_name
    groups = students_by_teacher(tables)
    with task("progress-teacher-lists", len(planned.lists), big=big_batch(len(planned.lists))) as bar:
        for one in planned.lists:
            data, token = mark_package(render_workbook(one.teacher, list_rows(groups[one.teacher]), school))
            path = write_output(one.file, data, kind="teacher-list", students=one.student_ids, register=register,
                                force=force, within=within, replace_own=True, marker=token)
            result.lists.append(TeacherList(one.teacher, path, one.student_ids))
            bar.advance()
    return result
