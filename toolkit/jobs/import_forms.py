"""`muskari import-forms`: a registration-forms export into the register (``toolkit.office.forms_export``
reads the file, ``toolkit.rules.forms`` decides, ``toolkit.xlsx.safe_write`` writes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from toolkit.office.forms_export import FormsFile, read_forms


@dataclass
class ImportResult:
    forms: FormsFile
    plan: object                  # toolkit.rules.forms.FormsPlan
    write: object | None = None   # toolkit.xlsx.safe_write.WriteResult when applied

    @property
    def applied(self) -> bool:
        return self.write is not None


def register_change(plan):
    """The plan as a ``RegisterChange``: updates in place, new students appended, one Loki row of counts."""
    from toolkit.xlsx.safe_write import RegisterChange

    change = RegisterChange()
    for update in plan.updates:
        for c in update.changes:
            change.update("Oppilaat", update.register_row, c.header, c.new)
    for new in plan.new_students:
        change.append("Oppilaat", {k: v for k, v in new.values.items() if v is not None})
    change.log("import-forms", f"vastauksia {plan.responses}, päivitetty {len(plan.changed)}, "
                               f"uusia {len(plan.new_students)}, hylätty {len(plan.problems)}")
    return change


def import_forms(register_path, forms_path, today: date, apply: bool = False, now: datetime | None = None,
                 checked=None) -> ImportResult:
    """Read the forms, plan against the checked register, and write when ``apply``.

    ``checked``: the ``(register, CheckResult)`` already loaded (the semester run passes it); it must be ok."""
    from toolkit.jobs.check import load_checked

    register, result = checked or load_checked(register_path, today)
    forms = read_forms(forms_path)
    plan = plan_import(result.tables, forms, today)
    outcome = ImportResult(forms, plan)
    if apply and (plan.changed or plan.new_students):
        from toolkit.xlsx.safe_write import write_changes

        outcome.write = write_changes(register_path, register_change(plan), expected=register.fingerprint,
                                      now=now or datetime.now())
    return outcome


def plan_import(tables, forms: FormsFile, today: date):
    """The change plan for these responses against the typed tables (``toolkit.rules.forms.plan_forms``)."""
    from toolkit.rules.forms import plan_forms

    return plan_forms(forms.rows, forms.columns, tables.students, today, taken=_erased_id_check())


def _erased_id_check():
    """Ids of erased students must never be reused: the erased-ids list (toolkit.system.secrets) holds their keyed
    hashes. With no erasure recorded on this computer every id is free."""
    from toolkit.system.secrets import hash_student_id, load_key, read_erasures

    erased = {record.hash for record in read_erasures()}
    if not erased:
        return lambda _id: False
    key = load_key(create=False)
    return lambda student_id: hash_student_id(student_id, key) in erased
