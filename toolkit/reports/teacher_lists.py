"""What `teacher-lists` reports: who received which students' data (ids only), and who is on no list."""

from __future__ import annotations

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
