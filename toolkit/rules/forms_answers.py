"""Answers read as people write them (contract, "Semester registration forms"): yes/no by the first word,
dates and timestamps in the shapes the services and spreadsheets write, a whole name split at its last
space, a phone number's lost leading zero restored. Pure: cell values and ``today`` in.

One response becomes a :class:`Response` (with warnings), or the findings that refuse it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from toolkit.model import text as normalize
from toolkit.model.findings import Finding, cell_ref, make
from toolkit.rules.emails import is_valid_email
from toolkit.rules.forms_questions import FIELD_HEADERS, question_key
from toolkit.rules.identity_codes import find_identity_codes, mask
from workbook_schema.models import PHONE_PATTERN

FORMS_SHEET = "lomake"

YES = {"kyllä", "kylla", "k", "joo", "juu", "jatkaa", "jatkamme", "jatkan", "yes", "ja", "y", "true"}
NO = {"ei", "en", "emme", "e", "no", "lopettaa", "lopetamme", "lopetan", "nej", "n", "false"}
# An answer longer than this refuses its response (a name of 101 characters is a paste gone wrong).
MAX_LENGTH = {"student_id": 20, "first_name": 100, "last_name": 100, "full_name": 200, "guardian": 200,
              "guardian_first": 100, "guardian_last": 100, "email": 254, "phone": 40}
ACCOUNT_BLANKS = {"anonymous", "anonyymi", "nimetön"}     # what an account column holds without an account

# --- single values --------------------------------------------------------------------------------


def answer_text(value: object) -> str | None:
    """NFC, invisible and control characters removed, inner whitespace collapsed; None when blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(normalize.clean_text(str(value)).split()) or None


def match_key(value: object) -> str:
    return normalize.key(str(value)) if value is not None else ""


def yes_no(value: object) -> str | None:
    """``kyllä`` or ``ei`` by the answer's first word ("Kyllä, jatkamme", "En", "Joo"); None when neither."""
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    words = question_key(value).split()
    if not words:
        return None
    return "kyllä" if words[0] in YES else "ei" if words[0] in NO else None


_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00[:.]00(?:[:.]00)?)?$")


def parse_day(value: object, today: date) -> date | None:
    """A date as people write it: a date cell, ``d.m.yyyy``, ``dd.mm.yyyy``, ``d.m.yy`` (20yy, or 19yy when
    20yy is after ``today``), ``yyyy-mm-dd`` or ``d/m/yyyy`` (day first, as in Finland)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = answer_text(value)
    if text is None:
        return None
    m = _DMY.match(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(m.group(3)) == 2:
            year += 2000
            if _valid(year, month, day) and date(year, month, day) > today:
                year -= 100
        return _valid(year, month, day)
    m = _ISO.match(text)
    return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- response times -------------------------------------------------------------------------------

_TIME = r"(?:,?\s*(?:klo\s*)?(\d{1,2})[.:](\d{2})(?:[.:](\d{2})(?:[.,]\d+)?)?)?"
_AMPM = r"(?:\s*(am|pm|a\.?m\.?|p\.?m\.?|ap\.?|ip\.?))?"
_ZONE = r"(?:\s*(?:(?:gmt|utc)?\s*([+-]\d{1,2})(?::?(\d{2}))?|z|[a-z]{2,5}))?"
_STAMP_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:t|\s|$)" + _TIME + _AMPM + _ZONE + "$")
_STAMP_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + _AMPM + _ZONE + "$")
_STAMP_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + _AMPM + _ZONE + "$")


@dataclass(frozen=True)
class Stamp:
    """A response time as the form wrote it (local), and its offset from UTC when the file says it."""

    local: datetime
    offset_minutes: int | None = None

    @property
    def order(self) -> datetime:
        return self.local - timedelta(minutes=self.offset_minutes or 0)


def slash_order(values: list[object]) -> str | None:
    """The order of ``a/b/yyyy`` response times in one column: "dm" or "md" when some value shows it (a part
    over 12), None when none of them does. Google Sheets writes month first in English, day first elsewhere."""
    orders = set()
    for value in values:
        m = _STAMP_SLASH.match((answer_text(value) or "").casefold()) if isinstance(value, str) else None
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            orders |= {"dm"} if a > 12 else {"md"} if b > 12 else set()
    return orders.pop() if len(orders) == 1 else None


def parse_timestamp(value: object, slash: str | None = "dm") -> Stamp | None:
    """A response time in the services' shapes: a date cell; ``2026/08/15 10:23:45 AM GMT+3`` (Google Forms);
    ``15.8.2026 10.23.45`` and ``15.8.2026 klo 10.23`` (Finnish spreadsheets); ``2026-08-15 10:23:45``;
    ``15/8/2026 10:23`` with the column's ``slash`` order ("dm", "md", None = unreadable)."""
    if isinstance(value, datetime):
        return Stamp(value.replace(tzinfo=None))
    if isinstance(value, date):
        return Stamp(datetime(value.year, value.month, value.day))
    text = (answer_text(value) or "").casefold()
    found = next(((m, order) for pattern, order in ((_STAMP_YMD, "ymd"), (_STAMP_DMY, "dmy"), (_STAMP_SLASH, slash))
                  if (m := pattern.match(text))), None)
    if found is None or found[1] is None:
        return None
    m, order = found
    parts = [int(m.group(i)) for i in (1, 2, 3)]
    year, month, day = {"ymd": (parts[0], parts[1], parts[2]), "dmy": (parts[2], parts[1], parts[0]),
                        "dm": (parts[2], parts[1], parts[0]), "md": (parts[2], parts[0], parts[1])}[order]
    hour, minute, second = (int(m.group(i) or 0) for i in (4, 5, 6))
    marker = (m.group(7) or "").replace(".", "")
    if marker:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if marker in ("pm", "ip") else 0)
    offset = None
    if m.group(8):
        sign = -1 if m.group(8).startswith("-") else 1
        offset = sign * (abs(int(m.group(8))) * 60 + int(m.group(9) or 0))
    try:
        return Stamp(datetime(year, month, day, hour, minute, second), offset)
    except ValueError:
        return None


# --- phones and names ---------------------------------------------------------------------------------


def restore_phone(value: object) -> tuple[str | None, bool]:
    """A phone answer as text, and whether a leading zero (or ``+``) a spreadsheet dropped was put back:
    ``401234567`` -> ``0401234567``, ``358401234567`` -> ``+358401234567``. Finnish numbers start with 0 or +."""
    text = answer_text(value)
    if text is None or not text.isdigit():
        return text, False
    if text.startswith("358") and 11 <= len(text) <= 13:
        return "+" + text, True
    if not text.startswith("0") and 6 <= len(text) <= 10:
        return "0" + text, True
    return text, False


def split_name(text: str) -> tuple[str, str] | None:
    """A whole name into (first names, last name): at the last space, or ``Sukunimi, Etunimi`` at its comma."""
    if "," in text:
        last, _, first = (p.strip() for p in text.partition(","))
        return (first, last) if first and last else None
    first, _, last = text.rpartition(" ")
    return (first.strip(), last) if first.strip() and last else None


# --- one response -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """One valid response, cleaned."""

    row: int
    stamp: Stamp | None
    student_id: str | None
    first_name: str
    last_name: str
    birth_date: date
    guardian: str | None
    email: str | None
    phone: str | None
    continues: str                      # kyllä | ei
    warnings: tuple[Finding, ...] = ()

    @property
    def timestamp(self) -> datetime | None:
        return self.stamp.local if self.stamp else None

    @property
    def status(self) -> str:
        return "aktiivinen" if self.continues == "kyllä" else "päättynyt"

    @property
    def person_key(self) -> tuple[str, str, date]:
        return (match_key(self.first_name), match_key(self.last_name), self.birth_date)

    def day(self, today: date) -> date:
        return self.timestamp.date() if self.timestamp else today


@dataclass
class _Reader:
    """Findings of one row, each at its cell."""

    row: int
    columns: dict[str, int]
    headers: dict[int, str]
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def finding(self, code: str, name: str, value: object = None, **params) -> Finding:
        col = self.columns.get(name)
        return make(code, sheet=FORMS_SHEET, row=self.row, cell=cell_ref(col, self.row) if col else None,
                    column=self.headers.get(col) if col else FIELD_HEADERS.get(name),
                    value=None if value is None else str(value), params=params)

    def refuse(self, code: str, name: str, value: object = None, **params) -> None:
        self.problems.append(self.finding(code, name, value, **params))

    def warn(self, code: str, name: str, value: object = None, **params) -> None:
        self.warnings.append(self.finding(code, name, value, **params))


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def parse_response(row: int, raw: dict, columns: dict[str, int], headers: dict[int, str], today: date,
                   slash: str | None = "dm", account_email: bool = False) -> tuple[Response | None, list[Finding]]:
    """One row (field -> cell value) into a Response, or the findings that refuse it (warnings ride on the
    Response). ``account_email``: the e-mail comes from the service's account column ("anonymous" = none)."""
    r = _Reader(row, columns, headers)
    for name, value in raw.items():
        codes = find_identity_codes(normalize.clean_text(value)) if isinstance(value, str) else []
        if codes:
            r.refuse("identity-code", name, mask(codes[0][0]))
    text = {n: answer_text(v) for n, v in raw.items() if not isinstance(v, date)}
    for name, limit in MAX_LENGTH.items():
        if text.get(name) and len(text[name]) > limit:
            r.refuse("form-too-long", name, _shown(text[name]), length=len(text[name]), limit=limit)
    if r.problems:
        return None, r.problems
    first, last = _names(r, text)
    birth = _birth(r, raw.get("birth_date"), today)
    continues = _continues(r, raw.get("continues"))
    email = _email(r, text.get("email"), account_email)
    phone = _phone(r, raw.get("phone"))
    stamp = _stamp(r, raw.get("timestamp"), slash, today)
    guardian = text.get("guardian") or " ".join(t for t in (text.get("guardian_first"), text.get("guardian_last"))
                                                if t) or None
    if r.problems:
        return None, r.problems
    return Response(row=row, stamp=stamp, student_id=text.get("student_id"), first_name=first, last_name=last,
                    birth_date=birth, guardian=guardian, email=email, phone=phone, continues=continues,
                    warnings=tuple(r.warnings)), []


def _names(r: _Reader, text: dict) -> tuple[str | None, str | None]:
    if "full_name" in r.columns:
        whole = text.get("full_name")
        if whole is None:
            r.refuse("missing-value", "full_name")
            return None, None
        parts = split_name(whole)
        if parts is None:
            r.refuse("form-name-incomplete", "full_name", whole)
            return None, None
        return parts
    for name in ("first_name", "last_name"):
        if text.get(name) is None:
            r.refuse("missing-value", name)
    return text.get("first_name"), text.get("last_name")


def _birth(r: _Reader, value: object, today: date) -> date | None:
    birth = parse_day(value, today)
    if birth is None:
        if answer_text(value) is None:
            r.refuse("missing-value", "birth_date")
        else:
            r.refuse("invalid-date", "birth_date", answer_text(value))
    elif birth > today:
        r.refuse("future-date", "birth_date", f"{birth.day}.{birth.month}.{birth.year}")
    elif today.year - birth.year > 100:
        r.refuse("implausible-age", "birth_date", f"{birth.day}.{birth.month}.{birth.year}")
    return birth


def _continues(r: _Reader, value: object) -> str | None:
    answer = yes_no(value)
    if answer is None:
        if answer_text(value) is None:
            r.refuse("missing-value", "continues")
        else:
            r.refuse("invalid-choice", "continues", _shown(answer_text(value)), choices="kyllä, ei")
    return answer


def _email(r: _Reader, email: str | None, account: bool) -> str | None:
    if email is None or (account and email.casefold() in ACCOUNT_BLANKS):
        return None
    if not is_valid_email(email):            # the one test of an address (toolkit.rules.emails)
        r.refuse("invalid-email", "email", email)
    return email


def _phone(r: _Reader, value: object) -> str | None:
    phone, restored = restore_phone(value)
    if phone is None:
        return None
    if not re.match(PHONE_PATTERN, phone):
        r.refuse("invalid-phone", "phone", phone)
    elif restored:
        r.warn("form-phone-restored", "phone", answer_text(value), phone=phone)
    return phone


def _stamp(r: _Reader, value: object, slash: str | None, today: date) -> Stamp | None:
    stamp = parse_timestamp(value, slash)
    if stamp is None and answer_text(value) is not None:
        r.warn("form-unreadable-time", "timestamp", answer_text(value), day=f"{today.day}.{today.month}.{today.year}")
    return stamp
