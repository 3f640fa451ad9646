"""Semester registration forms: parse responses, match them to students, decide the changes.

Pure: raw response rows (as a forms service exports them, already read from the file) + the typed
student table + ``today`` in, a :class:`FormsPlan` out. Nothing is written here.

The contract ("Semester registration forms"), and the choices made where it is silent:

* A response matches by Oppilasnumero, else by first name, last name and birth date (NFC, trimmed,
  case folded, invisible characters removed). A response whose Oppilasnumero exists but agrees with
  that student on neither the birth date nor the full name is refused (``form-id-mismatch``): a typo in
  the id must never overwrite another child's contacts. An Oppilasnumero that does not exist falls
  back to the name match; with no name match it is refused (``form-unknown-id``) rather than creating
  a student the family believes already exists.
* The latest response per student wins (Aikaleima, then row order); the others are reported as
  superseded. Unmatched responses of the same child (same name and birth date) become one new student.
* A blank contact answer never clears a value in the register. Phones are compared by their digits
  and ``+``, e-mail addresses case-insensitively, so reformatting alone is not a change.
* An invalid response (missing answer, bad date, address or phone, an identity code anywhere) changes
  nothing and is reported with its row, column and why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from toolkit.model import text as normalize
from toolkit.model.findings import Finding, cell_ref, make
from toolkit.rules.identity_codes import find_identity_codes, mask
from workbook_schema.models import EMAIL_PATTERN, PHONE_PATTERN

FORMS_SHEET = "lomake"

# field -> (the form's question, required)
QUESTIONS: dict[str, tuple[str, bool]] = {
    "timestamp": ("Aikaleima", False),
    "student_id": ("Oppilasnumero", False),
    "first_name": ("Etunimi", True),
    "last_name": ("Sukunimi", True),
    "birth_date": ("Syntymäaika", True),
    "guardian": ("Huoltaja", False),
    "email": ("Sähköposti", False),
    "phone": ("Puhelin", False),
    "continues": ("Jatkaa ensi lukukaudella", True),
}
# Fields a match updates, with the register's header.
CONTACT_FIELDS = {"guardian": "Huoltaja", "email": "Sähköposti", "phone": "Puhelin"}

_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# year first (2026-11-20, 2026/11/20) or Finnish day first with dots (20.11.2026); never ambiguous d/m/y
_STAMP = re.compile(r"^(?:(\d{4})[/-](\d{1,2})[/-](\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))(?:,?[ T](\d{1,2})[.:](\d{2})(?:[.:](\d{2})(?:\.\d+)?)?)?"
                    r"(?:\s*([AaPp][Mm]))?(?:\s*(?:(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5}|Z))?$")
_YES = {"kyllä": "kyllä", "kylla": "kyllä", "k": "kyllä", "yes": "kyllä", "ei": "ei", "e": "ei", "no": "ei"}


def header_key(text: object) -> str:
    """How a form's header is matched: NFC, case folded, surrounding spaces and a trailing * or ? removed."""
    key = unicodedata.normalize("NFC", str(text or "")).strip()
    key = re.sub(r"[\s*?]+$", "", key).strip()
    return " ".join(key.split()).casefold()


QUESTION_KEYS = {header_key(question): name for name, (question, _req) in QUESTIONS.items()}


def clean_text(value: object) -> str | None:
    """NFC, invisible and control characters removed, inner whitespace collapsed; None when blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return " ".join(normalize.clean_text(str(value)).split()) or None


def match_key(value: object) -> str:
    return normalize.key(str(value)) if value is not None else ""


def _phone_digits(value: str | None) -> str:
    return re.sub(r"[^0-9+]", "", value or "")


def parse_day(value: object) -> date | None:
    """A birth date: a real date, ``d.m.yyyy`` or ``yyyy-mm-dd``. US-style ``m/d/y`` is refused (ambiguous)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if text is None:
        return None
    for pattern, order in ((_DMY, (3, 2, 1)), (_ISO, (1, 2, 3))):
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(order[0])), int(m.group(order[1])), int(m.group(order[2])))
            except ValueError:
                return None
    return None


def parse_timestamp(value: object) -> datetime | None:
    """A forms service's timestamp: a real datetime, ``d.m.yyyy h.mm.ss``, ``yyyy-mm-dd hh:mm:ss``,
    ``yyyy/mm/dd hh:mm:ss EET``. A time zone suffix is ignored (all responses come from one service)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = clean_text(value)
    if text is None:
        return None
    m = _STAMP.match(text)
    if not m:
        return None
    if m.group(1):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        y, mo, d = int(m.group(6)), int(m.group(5)), int(m.group(4))
    hh, mm, ss = (int(m.group(i) or 0) for i in (7, 8, 9))
    if m.group(10):                                     # 12-hour clock: "2:05:00 PM"
        if not 1 <= hh <= 12:
            return None
        hh = hh % 12 + (12 if m.group(10).lower() == "pm" else 0)
    try:
        return datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return None


@dataclass(frozen=True)
class Response:
    """One valid response, cleaned."""

    row: int
    timestamp: datetime | None
    student_id: str | None
    first_name: str
    last_name: str
    birth_date: date
    guardian: str | None
    email: str | None
    phone: str | None
    continues: str                      # kyllä | ei

    @property
    def status(self) -> str:
        return "aktiivinen" if self.continues == "kyllä" else "päättynyt"

    @property
    def person_key(self) -> tuple[str, str, date]:
        return (match_key(self.first_name), match_key(self.last_name), self.birth_date)

    def day(self, today: date) -> date:
        return self.timestamp.date() if self.timestamp else today


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
    updates: list[StudentUpdate] = field(default_factory=list)
    new_students: list[NewStudent] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)        # refused responses, each with why
    superseded: list[Superseded] = field(default_factory=list)   # older responses of the same student
    responses: int = 0

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


# --- parsing one response -------------------------------------------------------------------------

def _problem(code: str, row: int, columns: dict[str, int], field_name: str, value: object = None,
             **params) -> Finding:
    col = columns.get(field_name)
    return make(code, sheet=FORMS_SHEET, row=row, cell=cell_ref(col, row) if col else None,
                column=QUESTIONS[field_name][0], value=None if value is None else str(value), params=params)


def parse_response(row: int, raw: dict, columns: dict[str, int], today: date) -> tuple[Response | None, list[Finding]]:
    """One raw row (field -> cell value) into a Response, or the findings that refuse it."""
    problems: list[Finding] = []
    for name, value in raw.items():
        codes = find_identity_codes(normalize.clean_text(value)) if isinstance(value, str) else []
        if codes:
            problems.append(_problem("identity-code", row, columns, name, mask(codes[0][0])))
    text = {n: clean_text(raw.get(n)) for n in ("student_id", "first_name", "last_name", "guardian", "email")}
    for name in ("first_name", "last_name", "birth_date", "continues"):
        if clean_text(raw.get(name)) is None and not isinstance(raw.get(name), date):
            problems.append(_problem("missing-value", row, columns, name))
    birth = parse_day(raw.get("birth_date"))
    if birth is None and clean_text(raw.get("birth_date")) is not None:
        problems.append(_problem("invalid-date", row, columns, "birth_date", clean_text(raw.get("birth_date"))))
    elif birth is not None and birth > today:
        problems.append(_problem("future-date", row, columns, "birth_date", f"{birth.day}.{birth.month}.{birth.year}"))
    elif birth is not None and (today.year - birth.year) > 100:
        problems.append(_problem("implausible-age", row, columns, "birth_date", f"{birth.day}.{birth.month}.{birth.year}"))
    stamp = parse_timestamp(raw.get("timestamp"))
    if stamp is None and clean_text(raw.get("timestamp")) is not None:
        problems.append(_problem("invalid-timestamp", row, columns, "timestamp", clean_text(raw.get("timestamp"))))
    continues = _YES.get(match_key(raw.get("continues")))
    if continues is None and clean_text(raw.get("continues")) is not None:
        problems.append(_problem("invalid-choice", row, columns, "continues", clean_text(raw.get("continues")),
                                 choices="kyllä, ei"))
    if text["email"] and not re.match(EMAIL_PATTERN, text["email"]):
        problems.append(_problem("invalid-email", row, columns, "email", text["email"]))
    phone_raw = raw.get("phone")
    phone = clean_text(phone_raw)
    if isinstance(phone_raw, int | float) and not isinstance(phone_raw, bool) and phone is not None:
        problems.append(_problem("phone-as-number", row, columns, "phone", phone))
    elif phone and not re.match(PHONE_PATTERN, phone):
        problems.append(_problem("invalid-phone", row, columns, "phone", phone))
    student_id = text["student_id"]
    if isinstance(raw.get("student_id"), float) and raw["student_id"].is_integer():
        student_id = str(int(raw["student_id"]))     # a number cell: leading zeros are restored by the match
    if problems:
        return None, problems
    return Response(row=row, timestamp=stamp, student_id=student_id, first_name=text["first_name"],
                    last_name=text["last_name"], birth_date=birth, guardian=text["guardian"],
                    email=text["email"], phone=phone, continues=continues), []


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
    ordered = sorted(responses, key=lambda r: (r.timestamp or datetime.min, r.row))
    return ordered[-1], ordered[:-1]


def plan_forms(raw_rows: list[tuple[int, dict]], columns: dict[str, int], students: pd.DataFrame, today: date,
               taken=lambda _id: False) -> FormsPlan:
    """What importing these responses would change.

    ``raw_rows``: (row number in the forms file, {field: cell value}); ``columns``: field -> column
    number in the file (for cell references); ``students``: the typed Oppilaat table."""
    plan = FormsPlan(responses=len(raw_rows))
    by_id, by_person = _index_students(students)
    matched: dict[int, list[Response]] = {}
    unmatched: dict[tuple, list[Response]] = {}
    for row, raw in raw_rows:
        response, problems = parse_response(row, raw, columns, today)
        if response is None:
            plan.problems.extend(problems)
            continue
        reg_row, refusal = match_response(response, students, by_id, by_person)
        if refusal:
            plan.problems.append(_problem(refusal, row, columns, "student_id" if refusal != "form-ambiguous"
                                          else "last_name", response.student_id or response.last_name,
                                          name=f"{response.first_name} {response.last_name}"))
        elif reg_row is not None:
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
    return plan
