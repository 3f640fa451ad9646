"""`muskari import-forms`: a registration-forms export into the register.

``toolkit.office.forms_export`` reads the file, ``toolkit.rules.forms_questions`` reads its columns (with the
register's Lomakekentät sheet, ``toolkit.rules.forms_mapping``), ``toolkit.rules.forms`` decides,
``toolkit.xlsx.safe_write`` writes. When a field is claimed by two questions or a required one is missing,
nothing is read further and nothing changes: the refusal names the columns and how to name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from toolkit.model.errors import FileProblem
from toolkit.model.messages import say
from toolkit.office.forms_export import FormsTable, read_forms_table
from toolkit.rules.forms_questions import QuestionReading, read_questions


@dataclass
class FormsFile:
    table: FormsTable
    reading: QuestionReading

    @property
    def path(self) -> Path:
        return self.table.path

    @property
    def rows(self) -> list[tuple[int, list]]:
        return self.table.rows


@dataclass
class ImportResult:
    forms: FormsFile
    plan: object                  # toolkit.rules.forms.FormsPlan
    write: object | None = None   # toolkit.xlsx.safe_write.WriteResult when the register was written
    apply: bool = False           # --apply was given

    @property
    def applied(self) -> bool:
        """The register was written (an --apply with nothing to change writes nothing)."""
        return self.write is not None


def read_forms(path: str | Path, mapping: dict[str, str] | None = None, has_mapping_sheet: bool = True) -> FormsFile:
    """The forms export and how its columns are read; FileProblem when it cannot be read, or when its
    questions leave a field claimed twice or a required one missing (the message says how to name them)."""
    from toolkit.reports.forms import refusal_words

    table = read_forms_table(path, inspect=scan_forms_workbook)
    reading = read_questions(table.headers, mapping, answered=table.answered)
    if not reading.ok:
        raise FileProblem("forms-refused", **refusal_words(reading, table.path.name, has_mapping_sheet))
    return FormsFile(table, reading)


def scan_forms_workbook(path: Path, raw: bytes) -> None:
    """An Excel export's first sheet scanned as the register's sheets are, before calamine reads it: a value far
    from the answers (XFD1048576) is refused naming its cell, and a padded or oversized package is refused as
    the forms file it is (the scan's own words speak of the register)."""
    import io

    from toolkit.model.refs import cell_name
    from toolkit.xlsx.sheet_scan import PackageScanner

    try:
        with PackageScanner(path, lambda: io.BytesIO(raw)) as scanner:
            first = next(iter(scanner.parts), None)
            scan = scanner.scan(first) if first is not None else None
    except FileProblem:          # NotAWorkbook too: the scan's own words speak of the register
        raise FileProblem("forms-file-unusual", file=path.name) from None
    if scan is not None and scan.stray is not None:
        cell, count = scan.stray
        raise FileProblem("forms-file-stray-cells", file=path.name, cell=cell, count=count,
                          end=cell_name(*scan.region))


def register_change(plan):
    """The plan as a ``RegisterChange``: updates in place, new students appended, one Loki row of counts."""
    from toolkit.xlsx.safe_write import RegisterChange

    change = RegisterChange()
    for update in plan.updates:
        for c in update.changes:
            change.update("Oppilaat", update.register_row, c.header, c.new)
    for new in plan.new_students:
        change.append("Oppilaat", {k: v for k, v in new.values.items() if v is not None})
    change.log("import-forms", say("log-import-forms", "fi", responses=plan.responses, updated=len(plan.changed),
                                   new=len(plan.new_students), refused=len(plan.problems)))
    return change


def mapping_of(register) -> tuple[dict[str, str], bool]:
    """The register's Lomakekentät mapping, and whether the register has the sheet at all."""
    from toolkit.rules.forms_mapping import SHEET, read_mapping

    sheet = register.sheets.get(SHEET) if register is not None else None
    return read_mapping(sheet)[0], sheet is not None


def import_forms(register_path, forms_path, today: date, apply: bool = False, now: datetime | None = None,
                 checked=None) -> ImportResult:
    """Read the forms, plan against the checked register, and write when ``apply`` and there is a change.

    ``checked``: the ``(register, CheckResult)`` already loaded (the semester run passes it); it must be ok."""
    from toolkit.jobs.check import load_checked
    from toolkit.xlsx.lock import register_lock

    with register_lock(register_path, enabled=apply):   # held from the read (a caller's ``checked``: from its read)
        register, result = checked or load_checked(register_path, today)
        mapping, has_sheet = mapping_of(register)
        forms = read_forms(forms_path, mapping, has_sheet)
        plan = plan_import(result.tables, forms, today)
        outcome = ImportResult(forms, plan, apply=apply)
        if apply and plan.has_changes:
            from toolkit.xlsx.safe_write import write_changes

            outcome.write = write_changes(register_path, register_change(plan), expected=register.fingerprint,
                                          now=now or datetime.now())
    return outcome


def plan_import(tables, forms: FormsFile, today: date):
    """The change plan for these responses against the typed tables (``toolkit.rules.forms.plan_forms``)."""
    from toolkit.rules.forms import plan_forms

    return plan_forms(forms.reading, forms.rows, tables.students, today, taken=_erased_id_check())


def _erased_id_check():
    """Ids of erased students must never be reused: the erased-ids list (toolkit.system.secrets) holds their keyed
    hashes. With no erasure recorded on this computer every id is free."""
    from toolkit.system.secrets import hash_student_id, load_key, read_erasures

    erased = {record.hash for record in read_erasures()}
    if not erased:
        return lambda _id: False
    key = load_key(create=False)
    return lambda student_id: hash_student_id(student_id, key) in erased
