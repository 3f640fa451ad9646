"""Access requests (GDPR art. 15): everything the register holds on one person, picked and worded.

``collect_answer`` is pure (typed Tables in, an ``AccessAnswer`` out): it picks every row on the person
in every sheet and nothing else; ``answer_paragraphs`` is the article 15 information in the answer's
language (Finnish unless the command runs with ``--lang en``), every sentence from the message catalogue.
``toolkit.office.access_answer`` puts it on paper, ``toolkit.jobs.access_request`` writes the files.

Who "the person" is: ``--student ID`` is one student; ``--email ADDRESS`` is every student whose
Sähköposti is that address (case-insensitive; a family's siblings share it) plus the marketing contacts
with it. Studies and certificates follow the student id, the list of certificate recipients follows the
certificate number (or the student's name on a row no one else's certificate number claims), and
marketing contacts follow the students' e-mail addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from toolkit.model.dates import add_months, birthday
from toolkit.model.errors import Refused
from toolkit.model.formatting import format_date, format_number, kind_name
from toolkit.model.messages import Phrase, Said, say
from toolkit.model.tables import TABLE_SHEETS, Tables
from toolkit.model.text import key
from toolkit.rules.cells import display
from workbook_schema import SHEETS
from workbook_schema.settings import Settings

# the sheets an answer reports, in workbook order: Tables attribute -> sheet
REPORTED = ("students", "studies", "certificates", "graduates", "contacts")
NO_DATA = "access-no-data"


@dataclass
class Section:
    """The rows of one sheet that are about the person."""

    sheet: str
    headers: list[str]
    rows: list[list[str]]           # display text, one list per row
    excel_rows: list[int]


@dataclass
class Document:
    number: str
    kind: str
    issued: str
    path: str
    exists: bool | None = None


@dataclass
class AccessAnswer:
    request: Phrase                 # how the person was identified, said in the answer's language
    received: date
    due: date
    people: list[str]               # the students' names
    sections: list[Section]
    documents: list[Document]
    teachers: list[str]
    retention: list[Phrase]
    settings: Settings
    categories: list[str] = field(default_factory=list)     # catalogue codes of the kinds of data held

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)

    def section(self, sheet: str) -> Section | None:
        return next((s for s in self.sections if s.sheet == sheet), None)


# --- dates and display ----------------------------------------------------------------------------

def due_date(received: date) -> date:
    """Art. 12(3): the answer is due one month after the request was received."""
    return add_months(received, 1)





# --- picking the rows -----------------------------------------------------------------------------

def _text_key(value: object) -> str | None:
    return key(value) if isinstance(value, str) and value.strip() else None


def _section(sheet: str, frame: pd.DataFrame, extra: Callable[[str, int], list[tuple[str, object]]] | None) -> Section:
    columns = SHEETS[sheet].columns
    headers = [c.header for c in columns]
    rows, extra_headers = [], []
    extras = {int(r): (extra(sheet, int(r)) if extra else []) for r in frame["row"]}
    for pairs in extras.values():
        extra_headers += [h for h, _v in pairs if h not in extra_headers]
    for _, rec in frame.iterrows():
        values = [display(rec[c.field]) for c in columns]
        own = dict(extras[int(rec["row"])])
        rows.append(values + [display(own.get(h)) for h in extra_headers])
    return Section(sheet, headers + extra_headers, rows, [int(r) for r in frame["row"]])


def _where(frame: pd.DataFrame, column: str, test: Callable[[object], bool]) -> pd.DataFrame:
    """The rows whose ``column`` passes ``test`` (an empty frame keeps its columns)."""
    if frame.empty:
        return frame
    return frame.loc[frame[column].map(test).astype(bool)]


def _is_id_in(ids: set[str]) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and v.strip() in ids


def find_students(tables: Tables, *, student_id: str | None = None, email: str | None = None) -> pd.DataFrame:
    students = tables.students
    if student_id is not None:
        return _where(students, "student_id", _is_id_in({student_id.strip()}))
    wanted = _text_key(email)
    return _where(students, "email", lambda v: wanted is not None and _text_key(v) == wanted)


def collect_answer(tables: Tables, *, received: date, student_id: str | None = None, email: str | None = None,
                   extra: Callable[[str, int], list[tuple[str, object]]] | None = None) -> AccessAnswer:
    """Every row held on the person, with the information art. 15 requires.

    ``extra(sheet, excel_row)`` may give the owner's own columns of a row ((header, value) pairs) so
    that they are disclosed too. A ``student_id`` that matches no one raises Refused (a typo must not
    become an answer "we hold nothing"); an ``email`` that matches no one gives an answer with no rows.
    """
    if (student_id is None) == (email is None):
        raise ValueError("give exactly one of student_id and email")
    students = find_students(tables, student_id=student_id, email=email)
    if student_id is not None and students.empty:
        raise Refused("access-unknown-student", student_id=student_id)
    ids = {s.strip() for s in students["student_id"] if isinstance(s, str)}
    picked = {"students": students}
    picked["studies"] = _where(tables.studies, "student_id", _is_id_in(ids))
    picked["certificates"] = _where(tables.certificates, "student_id", _is_id_in(ids))
    numbers = {n.strip() for n in picked["certificates"]["number"] if isinstance(n, str)}
    others = {n.strip() for n in tables.certificates["number"] if isinstance(n, str)} - numbers
    picked["graduates"] = _graduates(tables, students, numbers, others)
    emails = {k for k in (_text_key(e) for e in students["email"]) if k} | ({_text_key(email)} if email else set())
    picked["contacts"] = _where(tables.contacts, "email", lambda v: _text_key(v) in emails - {None})

    sections = [_section(TABLE_SHEETS[name], picked[name], extra) for name in REPORTED if not picked[name].empty]
    teachers = sorted({t.strip() for frame in (picked["students"], picked["studies"])
                       for t in frame["teacher"] if isinstance(t, str) and t.strip()}, key=key)
    documents = [Document(display(r["number"]), display(r["kind"]), display(r["date"]), str(r["file"]).strip())
                 for _, r in picked["certificates"].iterrows() if isinstance(r["file"], str) and r["file"].strip()]
    names = [f"{r['first_name']} {r['last_name']}" for _, r in students.iterrows()]
    request = Phrase("access-by-student", student_id=student_id) if student_id is not None else \
        Phrase("access-by-email", email=email)
    return AccessAnswer(request=request, received=received, due=due_date(received), people=names,
                        sections=sections, documents=documents, teachers=teachers,
                        retention=retention_lines(tables.settings, students, picked["contacts"]),
                        settings=tables.settings, categories=categories(picked))


def _graduates(tables: Tables, students: pd.DataFrame, numbers: set[str], others: set[str]) -> pd.DataFrame:
    graduates = tables.graduates
    names = {key(f"{r['first_name']} {r['last_name']}") for _, r in students.iterrows()}

    def is_theirs(rec) -> bool:
        number = rec["number"].strip() if isinstance(rec["number"], str) else ""
        if number:
            return number in numbers or (number not in others and _text_key(rec["name"]) in names)
        return _text_key(rec["name"]) in names

    return graduates.loc[graduates.apply(is_theirs, axis=1).astype(bool)] if not graduates.empty else graduates


def categories(picked: dict[str, pd.DataFrame]) -> list[str]:
    """The kinds of data the register holds on the person, as catalogue codes."""
    out = []
    if not picked["students"].empty:
        out += ["access-category-person", "access-category-guardian", "access-category-studying"]
    if not picked["studies"].empty:
        out.append("access-category-studies")
    if not picked["certificates"].empty or not picked["graduates"].empty:
        out.append("access-category-certificates")
    if not picked["contacts"].empty:
        out.append("access-category-contacts")
    return out


def retention_lines(settings: Settings, students: pd.DataFrame, contacts: pd.DataFrame) -> list[Phrase]:
    """How long each kind of data is kept, with the person's own dates where the settings give them."""
    lines = [Phrase("access-retention-students", limit=settings.study_age_limit),
             Phrase("access-retention-muskari", limit=settings.muskari_age_limit,
                    hours=Said(lambda lang: format_number(settings.muskari_hours, lang))),
             Phrase("access-retention-certificates"),
             Phrase("access-retention-contacts", months=settings.marketing_months),
             Phrase("access-retention-backups", days=settings.backup_days),
             Phrase("access-retention-request")]
    for _, s in students.iterrows():
        if isinstance(s["birth_date"], date):
            closes = birthday(s["birth_date"], settings.study_age_limit)
            lines.append(Phrase("access-retention-window", name=f"{s['first_name']} {s['last_name']}",
                                day=_day(closes)))
    for _, c in contacts.iterrows():
        if isinstance(c["collected"], date):
            lines.append(Phrase("access-retention-contact", collected=_day(c["collected"]),
                                day=_day(add_months(c["collected"], settings.marketing_months))))
    return lines


def _day(value: date) -> Said:
    return Said(lambda lang: format_date(value, lang))


# --- the answer's fixed texts ---------------------------------------------------------------------

PURPOSES = ("access-purpose-teaching", "access-purpose-certificates", "access-purpose-teachers",
            "access-purpose-marketing")
RIGHTS = ("access-right-access", "access-right-rectify", "access-right-erase", "access-right-restrict",
          "access-right-object")


def recipients_text(answer: AccessAnswer, lang: str = "fi") -> str:
    if answer.teachers:
        return say("access-recipients", lang, teachers=", ".join(answer.teachers))
    return say("access-recipients-no-teachers", lang)


def answer_paragraphs(answer: AccessAnswer, lang: str = "fi") -> list[tuple[str, list[str]]]:
    """The art. 15 information as (heading, paragraphs) in ``lang``, shared by the .docx and the .xlsx."""
    s = answer.settings
    docs = [say("access-document" if d.exists is None else "access-document-kept" if d.exists else
                "access-document-gone", lang, kind=kind_name(d.kind, lang), number=d.number, issued=d.issued,
                path=d.path) for d in answer.documents]
    people = ", ".join(answer.people) if answer.people else say("access-no-students", lang)
    return [
        (say("access-heading-request", lang),
         [say("access-received", lang, day=format_date(answer.received, lang), request=answer.request),
          say("access-due", lang, day=format_date(answer.due, lang)),
          say("access-people", lang, people=people)]),
        (say("access-heading-controller", lang), [say("access-controller", lang, school=s.school_name,
                                                      business_id=s.business_id)]),
        (say("access-heading-purposes", lang), [say(code, lang) for code in PURPOSES]),
        (say("access-heading-categories", lang), [say(code, lang) for code in answer.categories or [NO_DATA]]),
        (say("access-heading-recipients", lang), [recipients_text(answer, lang)]),
        (say("access-heading-retention", lang), [say(line, lang) for line in answer.retention]),
        (say("access-heading-documents", lang), docs or [say("access-no-documents", lang)]),
        (say("access-heading-rights", lang), [say(code, lang) for code in RIGHTS]),
        (say("access-heading-complaint", lang), [say("access-complaint", lang)]),
        (say("access-heading-source", lang), [say("access-source", lang), say("access-automated", lang)]),
    ]
