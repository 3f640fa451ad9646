"""What `teacher-lists` reports: who received which students' data (ids only), and who is on no list."""

from __future__ import annotations

from toolkit.model.messages import say, say_each
from toolkit.reports.formats import format_table
from toolkit.rules.teacher_lists import TeacherListsResult


def result_to_dict(result: TeacherListsResult) -> dict:
    return {"folder": str(result.folder),
            "lists": [{"teacher": t.teacher, "file": t.file.name, "student_ids": t.student_ids} for t in result.lists],
            "teachers_without_students": result.teachers_without_students,
            "students_without_teacher": result.students_without_teacher}


def summary_rows(result: TeacherListsResult) -> list[tuple]:
    return [(t.teacher, t.file.name, len(t.student_ids), ", ".join(t.student_ids)) for t in result.lists]


def render_summary(result: TeacherListsResult, lang: str = "fi") -> str:
    """Who received which students' data (ids only), and who is on no list."""
    headers = say_each(("heading-teacher", "heading-file", "heading-student-count", "heading-student-ids"), lang)
    out = [say("teacher-lists-folder", lang, folder=result.folder), "",
           format_table(summary_rows(result), headers).rstrip("\n")]
    if result.teachers_without_students:
        out.append(say("teacher-lists-no-students", lang, names=", ".join(result.teachers_without_students)))
    if result.students_without_teacher:
        out.append(say("teacher-lists-no-teacher", lang, ids=", ".join(result.students_without_teacher)))
    out.append(say("teacher-lists-note", lang))
    return "\n".join(out) + "\n"
