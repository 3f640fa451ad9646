"""`muskari access-request`: everything the register holds on one person (GDPR art. 15), as files.

    answer = answer_request(register, tables, received=..., email="perhe@example.fi", extra=...)
    write_answer(answer, [Path("vastaus.docx")], force=False)
"""

from __future__ import annotations

from pathlib import Path

from toolkit.model.errors import Refused
from toolkit.model.paths import document_location
from toolkit.office.access_answer import write_docx, write_xlsx
from toolkit.rules.access_request import AccessAnswer, collect_answer
from toolkit.system.private_files import write_private


def answer_request(register, tables, *, received, student_id=None, email=None, extra=None) -> AccessAnswer:
    """The answer, with each issued document marked as still on disk or not."""
    answer = collect_answer(tables, received=received, student_id=student_id, email=email, extra=extra)
    mark_documents(answer, Path(register.path).resolve().parent)
    return answer


def write_answer(answer: AccessAnswer, outputs: list[Path], *, force: bool = False) -> None:
    """Each output file (.docx, .xlsx), mode 0600, never half written; an existing one only with ``force``."""
    for path in outputs:
        if (path.exists() or path.is_symlink()) and not force:
            raise Refused(f"{path} on jo olemassa. Valitse toinen nimi tai lisää --force.",
                          f"{path} already exists. Choose another name or add --force.")
    for path in outputs:
        writer = write_xlsx if path.suffix.lower() == ".xlsx" else write_docx
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, lambda handle, writer=writer: writer(answer, handle))


def mark_documents(answer: AccessAnswer, base: Path) -> None:
    """Note whether each issued document is still on disk (paths are relative to the register's folder)."""
    for doc in answer.documents:
        where = document_location(doc.path, base)
        doc.exists = where is not None and where.is_file()


def output_paths(out: Path) -> list[Path]:
    """FILE.docx -> [FILE.docx]; FILE.xlsx -> [FILE.docx, FILE.xlsx]."""
    suffix = out.suffix.lower()
    if suffix == ".docx":
        return [out]
    if suffix == ".xlsx":
        return [out.with_suffix(".docx"), out]
    raise Refused(f"Tulostiedoston nimen pitää päättyä .docx tai .xlsx: {out.name}.",
                  f"The output file's name must end with .docx or .xlsx: {out.name}.")
