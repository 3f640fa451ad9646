"""`muskari access-request`: everything the register holds on one person (GDPR art. 15), as files.

    answer = answer_request(register, tables, received=..., email="perhe@example.fi", extra=...)
    write_answer(answer, [Path("vastaus.docx")], force=False, register=register.path)

The files go through the output guard (``toolkit.system.outputs``): never over the register or a backup, an
existing file only with ``force``; each carries the toolkit's marker and is listed with the students it holds.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.model.errors import Refused
from toolkit.model.paths import document_location
from toolkit.office.access_answer import write_docx, write_xlsx
from toolkit.rules.access_request import AccessAnswer, collect_answer
from toolkit.system.outputs import check_output, write_output


def answer_request(register, tables, *, received, student_id=None, email=None, extra=None) -> AccessAnswer:
    """The answer, with each issued document marked as still on disk or not."""
    answer = collect_answer(tables, received=received, student_id=student_id, email=email, extra=extra)
    mark_documents(answer, Path(register.path).resolve().parent)
    return answer


def write_answer(answer: AccessAnswer, outputs: list[Path], *, force: bool = False, register=None,
                 lang: str = "fi") -> None:
    """Each output file (.docx, .xlsx) in ``lang``, mode 0600, never half written; all are guarded before any is
    written."""
    import io

    from toolkit.office.package_marker import mark_package

    for path in outputs:
        check_output(path, register=register, force=force)
    section = answer.section("Oppilaat")
    students = [row[0] for row in section.rows if row and row[0]] if section else []
    for path in outputs:
        writer = write_xlsx if path.suffix.lower() == ".xlsx" else write_docx
        buffer = io.BytesIO()
        writer(answer, buffer, lang)
        data, token = mark_package(buffer.getvalue())
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, data, kind="access-answer", students=students, register=register, force=force,
                     marker=token)


def mark_documents(answer: AccessAnswer, base: Path) -> None:
    """Note whether each issued document is still on disk (paths are relative to the register's folder)."""
    for doc in answer.documents:
        where = document_location(doc.path, base)
        try:
            doc.exists = where is not None and where.is_file()
        except (OSError, ValueError):        # a name no file system takes (over 255 bytes, too deep): no such file
            doc.exists = False


def output_paths(out: Path) -> list[Path]:
    """FILE.docx -> [FILE.docx]; FILE.xlsx -> [FILE.docx, FILE.xlsx]."""
    suffix = out.suffix.lower()
    if suffix == ".docx":
        return [out]
    if suffix == ".xlsx":
        return [out.with_suffix(".docx"), out]
    raise Refused("access-output-suffix", name=out.name)
