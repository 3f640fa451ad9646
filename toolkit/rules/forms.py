"""Semester registration forms: match the responses to students and decide the changes.

Pure: how the columns were read (``toolkit.rules.forms_questions``), the response rows, the typed student
table and ``today`` in, a :class:`FormsPlan` out; each answer is read by ``toolkit.rules.forms_answers``.
Nothing is written here.

The contract ("Semester registration forms"), and the choices made where it is silent:

* A response matches by Oppilasnumero, else by first name, last name and birth date (NFC, trimmed,
  case folded, invisible characters removed). A response whose Oppilasnumero exists but agrees with
  that student on neither the birth date nor the full name is refused (``form-id-mismatch``): a typo in
  the id must never overwrite another child's contacts. An Oppilasnumero that does not exist falls
  back to the name match; with no name match it is refused (``form-unknown-id``) rather than creating
  a student the family believes already exists.
* The latest response per student wins: by response time when every response of that student has a
  readable one, else by row (a service lists responses in the order they came); the others are
  reported as superseded. Unmatched responses of the same child (same name and birth date) become one
  new student.
* A blank contact answer never clears a value in the register. Phones are compared by their digits
  and ``+``, e-mail addresses case-insensitively, so reformatting alone is not a change.
* An invalid response (missing answer, bad date, address or phone, a too long answer, an identity code
  anywhere) changes nothing and is reported with its row, column and why. Warnings (a phone's restored
  zero, an unreadable response time) never refuse a response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from toolkit.model.findings import Finding, cell_ref, make
from toolkit.rules.forms_answers import FORMS_SHEET, Response, match_key, parse_response, slash_order
from toolkit.rules.forms_questions import ACCOUNT_EMAIL, QuestionReading

# Fields a match updates, with the register's header.
CONTACT_FIELDS = {"guardian": "Huoltaja", "email": "Sähköposti", "phone": "Puhelin"}


def _phone_digits(value: str | None) -> str:
    return re.sub(r"[^0-9+]", "", value or "")


@dataclass(frozen=True)
class Change:
    header: str
    old: object
    new: object


@dataclass(frozen=True)
class StudentUpdate:
    student_id: str
    register_row: int
    form_row: int
    name: str
    changes: tuple[Change, ...]

    def change(self, header: str) -> Change | None:
        return next((c for c in self.changes if c.header == header), None)


@dataclass(frozen=True)
class NewStudent:
    student_id: str
    form_row: int
    values: dict            # register header -> value

    @property
    def name(self) -> str:
        return f"{self.values['Etunimi']} {self.values['Sukunimi']}"


@dataclass(frozen=True)
class Superseded:
    form_row: int
    by_row: int
    student_id: str | None


@dataclass
class FormsPlan:
    reading: QuestionReading = field(default_factory=QuestionReading)            # how each column was read
    updates: list[StudentUpdate] = field(default_factory=list)
    new_students: list[NewStudent] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)        # refused responses, each with why
    superseded: list[Superseded] = field(default_factory=list)   # older responses of the same student
    warnings: list[Finding] = field(default_factory=list)        # of the responses taken, each with its cell
    responses: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.new_students)

    @property
    def unchanged(self) -> list[StudentUpdate]:
        return [u for u in self.updates if not u.changes]

    @property
    def changed(self) -> list[StudentUpdate]:
        return [u for u in self.updates if u.changes]

    def status_changes(self) -> list[tuple[StudentUpdate, Change]]:
        return [(u, c) for u in self.updates for c in u.changes if c.header == "Tila"]

    def contact_changes(self) -> list[tuple[StudentUpdate, Change]]:
        return [(u, c) for u in self.updates for c in u.changes if c.header in CONTACT_FIELDS.values()]


def _problem(code: str, row: int, columns: dict[str, int], headers: dict[int, str], field_name: str, value: object,
             **params) -> Finding:
    col = columns.get(field_name)
    return make(code, sheet=FORMS_SHEET, row=row, cell=cell_ref(col, row) if col else None,
                column=headers.get(col) if col else None, value=None if value is None else str(value), params=params)


# --- matching -------------------------------------------------------------------------------------

def _index_students(students: pd.DataFrame) -> tuple[dict[str, int], dict[tuple, list[int]]]:
    by_id: dict[str, int] = {}
    by_person: dict[tuple, list[int]] = {}
    for row, sid, first, last, birth in zip(students.index, students["student_id"], students["first_name"],
                                            students["last_name"], students["birth_date"], strict=True):
        if sid is not None:
            by_id[str(sid)] = row
            if str(sid).isdigit():
                by_id.setdefault(str(int(sid)), row)      # "12" finds "0012" (a number cell in the form)
        by_person.setdefault((match_key(first), match_key(last), birth), []).append(row)
    return by_id, by_person


def match_response(response: Response, students: pd.DataFrame, by_id, by_person) -> tuple[int | None, str | None]:
    """(register row, None) for a match; (None, code) for a refusal; (None, None) for no match (a new student)."""
    by_name = by_person.get(response.person_key, [])
    if response.student_id is not None:
        sid = response.student_id
        row = by_id.get(sid) if sid in by_id else by_id.get(str(int(sid))) if sid.isdigit() else None
        if row is not None:
            s = students.loc[row]
            same_birth = s["birth_date"] == response.birth_date
            same_name = (match_key(s["first_name"]), match_key(s["last_name"])) == response.person_key[:2]
            return (row, None) if (same_birth or same_name) else (None, "form-id-mismatch")
        if len(by_name) == 1:
            return by_name[0], None
        return None, ("form-ambiguous" if by_name else "form-unknown-id")
    if len(by_name) > 1:
        return None, "form-ambiguous"
    return (by_name[0], None) if by_name else (None, None)


# --- the plan -------------------------------------------------------------------------------------

def next_free_ids(existing: list[str], count: int, taken=lambda _id: False) -> list[str]:
    """``count`` new Oppilasnumerot after the largest numeric one, keeping its zero padding width.

    ``taken(id)`` lets the caller skip ids that must never be reused (erased students)."""
    digits = [s for s in existing if s and s.isdigit()]
    width = max((len(s) for s in digits), default=4)
    number = max((int(s) for s in digits), default=0)
    used = set(existing)
    out: list[str] = []
    while len(out) < count:
        number += 1
        candidate = str(number).zfill(width)
        if candidate not in used and not taken(candidate):
            out.append(candidate)
    return out


def _same(header: str, old: object, new: object) -> bool:
    if header == "Puhelin":
        return _phone_digits(old) == _phone_digits(new)
    return match_key(old) == match_key(new)


def _update(response: Response, student: pd.Series, today: date) -> StudentUpdate:
    changes = []
    for name, header in CONTACT_FIELDS.items():
        new = getattr(response, name)
        if new is not None and not _same(header, student[name], new):
            changes.append(Change(header, student[name], new))
    day = response.day(today)
    if student["last_registration"] != day:
        changes.append(Change("Viimeisin ilmoittautuminen", student["last_registration"], day))
    if student["status"] != response.status:
        changes.append(Change("Tila", student["status"], response.status))
    return StudentUpdate(student_id=str(student["student_id"]), register_row=int(student.name),
                         form_row=response.row, name=f"{student['first_name']} {student['last_name']}",
                         changes=tuple(changes))


def _new_values(response: Response, student_id: str, today: date) -> dict:
    return {"Oppilasnumero": student_id, "Etunimi": response.first_name, "Sukunimi": response.last_name,
            "Syntymäaika": response.birth_date, "Huoltaja": response.guardian, "Sähköposti": response.email,
            "Puhelin": response.phone, "Tila": response.status, "Viimeisin ilmoittautuminen": response.day(today)}


def _latest(responses: list[Response]) -> tuple[Response, list[Response]]:
    if all(r.stamp for r in responses):
        ordered = sorted(responses, key=lambda r: (r.stamp.order, r.row))
    else:
        ordered = sorted(responses, key=lambda r: r.row)
    return ordered[-1], ordered[:-1]


def response_values(reading: QuestionReading, cells: list) -> dict:
    """One response row's cells as field -> value, for the imported columns."""
    return {name: (cells[col - 1] if col - 1 < len(cells) else None) for name, col in reading.fields.items()}


def plan_forms(reading: QuestionReading, rows: list[tuple[int, list]], students: pd.DataFrame, today: date,
               taken=lambda _id: False) -> FormsPlan:
    """What importing these responses would change.

    ``reading``: how the columns were read (it must be ``ok``); ``rows``: (row number in the forms file,
    the row's cells); ``students``: the typed Oppilaat table; ``taken(id)``: ids never to give again."""
    plan = FormsPlan(reading=reading, responses=len(rows))
    columns = reading.fields
    headers = {c.index: c.header for c in reading.columns}
    account = any(c.status == ACCOUNT_EMAIL for c in reading.columns)
    stamps = columns.get("timestamp")
    slash = slash_order([cells[stamps - 1] for _, cells in rows if stamps - 1 < len(cells)]) if stamps else None
    by_id, by_person = _index_students(students)
    matched: dict[int, list[Response]] = {}
    unmatched: dict[tuple, list[Response]] = {}
    for row, cells in rows:
        response, problems = parse_response(row, response_values(reading, cells), columns, headers, today,
                                            slash=slash, account_email=account)
        if response is None:
            plan.problems.extend(problems)
            continue
        reg_row, refusal = match_response(response, students, by_id, by_person)
        if refusal:
            where = "student_id" if refusal != "form-ambiguous" else ("last_name" if "last_name" in columns
                                                                       else "full_name")
            plan.problems.append(_problem(refusal, row, columns, headers, where,
                                          response.student_id or response.last_name,
                                          name=f"{response.first_name} {response.last_name}"))
            continue
        plan.warnings.extend(response.warnings)
        if reg_row is not None:
            matched.setdefault(reg_row, []).append(response)
        else:
            unmatched.setdefault(response.person_key, []).append(response)
    for reg_row, group in matched.items():
        latest, older = _latest(group)
        student = students.loc[reg_row]
        plan.updates.append(_update(latest, student, today))
        plan.superseded += [Superseded(r.row, latest.row, str(student["student_id"])) for r in older]
    latest_new = [_latest(group) for group in unmatched.values()]
    latest_new.sort(key=lambda pair: pair[0].row)
    ids = next_free_ids([str(s) for s in students["student_id"] if s is not None], len(latest_new), taken)
    for (latest, older), sid in zip(latest_new, ids, strict=True):
        plan.new_students.append(NewStudent(sid, latest.row, _new_values(latest, sid, today)))
        plan.superseded += [Superseded(r.row, latest.row, sid) for r in older]
    plan.updates.sort(key=lambda u: u.form_row)
    plan.superseded.sort(key=lambda s: s.form_row)
    plan.problems.sort(key=lambda f: (f.row or 0, f.cell or ""))
    plan.warnings.sort(key=lambda f: (f.row or 0, f.cell or ""))
    return plan
