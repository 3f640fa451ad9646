"""How a forms export's columns are read: each question to the register field it fills, or why it is not
imported (contract, "Semester registration forms": the question table, the services' own columns, health).

Pure: the header row (and the Lomakekentät mapping) in, a :class:`QuestionReading` out.

    reading = read_questions(["Aikaleima", "Oppilaan etunimi *", "Lapsen syntymäaika (pp.kk.vvvv)", ...])
    reading.fields            # {"timestamp": 1, "first_name": 2, "birth_date": 3, ...}
    reading.columns[5].status # "not-recognised", "health", "service", ...

A question is normalised (NFC, case folded, a parenthesised hint and punctuation dropped, a trailing ``*``
or ``?`` gone) and recognised by its words: a word of the question that *starts* with a listed stem counts,
so Finnish inflections and compounds ("Oppilaan", "sähköpostiosoite", "Jatkaako") are found. A question
that names two fields at once ("Lapsen nimi ja syntymäaika") is not guessed: it is listed as not
recognised, for the owner to name in Lomakekentät. A question that looks like health data is never
imported, whatever it also names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from toolkit.rules.health import HEALTH_STEMS
from workbook_schema import forms_mapping

# field -> the register field(s) it fills, as the owner reads them in the report
FIELD_HEADERS = {
    "timestamp": "Viimeisin ilmoittautuminen",
    "student_id": "Oppilasnumero",
    "first_name": "Etunimi",
    "last_name": "Sukunimi",
    "full_name": "Etunimi + Sukunimi",
    "birth_date": "Syntymäaika",
    "guardian": "Huoltaja",
    "guardian_first": "Huoltaja",
    "guardian_last": "Huoltaja",
    "email": "Sähköposti",
    "phone": "Puhelin",
    "continues": "Tila",
}
# field -> how Lomakekentät's Kenttä names it
MAPPING_NAMES = {"Aikaleima": "timestamp", "Oppilasnumero": "student_id", "Etunimi": "first_name",
                 "Sukunimi": "last_name", "Oppilaan nimi": "full_name", "Syntymäaika": "birth_date",
                 "Huoltaja": "guardian", "Sähköposti": "email", "Puhelin": "phone",
                 "Jatkaa ensi lukukaudella": "continues"}
# a field claimed by one question, or by its parts in two questions
PARTS = {"full_name": ("first_name", "last_name"), "guardian": ("guardian_first", "guardian_last")}
REQUIRED = ("name", "birth_date", "continues")      # "name": full_name, or first_name and last_name

# Statuses of a column (the report says each in words).
IMPORTED = "imported"
SERVICE = "service"                 # the service's own column (ID, Start time, Name of the account, ...)
ACCOUNT_EMAIL = "account-email"     # the respondent's account address, used: the form asks no e-mail
ACCOUNT_UNUSED = "account-email-unused"
NOT_RECOGNISED = "not-recognised"
AMBIGUOUS = "ambiguous"             # names two fields at once
MAPPED_OUT = "mapped-out"           # Lomakekentät: ei tuoda
NOT_FROM_FORMS = "not-from-forms"   # Lomakekentät names an Oppilaat column a form never fills
HEALTH = "health"
UNNAMED = "unnamed"                 # a column with answers but no question in row 1
OVERRIDDEN = "overridden"           # recognised, but Lomakekentät gives the field to another question

# --- normalising a question ---------------------------------------------------------------------

_HINT = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_EMAIL_WORD = re.compile(r"\b(e|s)\s*-\s*(mail|posti)\b")
_NOT_WORD = re.compile(r"[^\w]+")


def question_key(text: object, keep_hint: bool = False) -> str:
    """The comparison form of a question: NFC, case folded, hint, punctuation, ``*`` and ``?`` dropped."""
    key = unicodedata.normalize("NFC", str(text if text is not None else "")).casefold()
    if not keep_hint:
        key = _HINT.sub(" ", key)
    key = _EMAIL_WORD.sub(r"\1\2", key)             # "e-mail" -> "email", "s-posti" -> "sposti"
    return " ".join(_NOT_WORD.sub(" ", key).replace("_", " ").split())


def _has(words: list[str], *stems: str) -> bool:
    return any(w.startswith(s) for w in words for s in stems)


def _phrase(key: str, *phrases: str) -> bool:
    return any(re.search(rf"(?:^| ){re.escape(p)}", key) for p in phrases)


# --- recognising a question ---------------------------------------------------------------------

_GUARDIAN = ("huoltaj", "vanhem", "vanhemp", "yhteyshenkil", "guardian", "parent")
_STUDENT = ("oppila", "laps", "student", "child", "pupil")
_NAME = ("nimi", "nime", "nimen", "name")
_HEALTH_EXTRA = ("tervey", "erityisruokavali", "erityistarpe", "allerg", "illness", "disease", "medic", "diagnos",
                 "health", "asthma", "diabet", "epilep", "disabilit", "sick", "special needs", "dietary")
_HEALTH = re.compile(r"(?:^| )(" + "|".join(re.escape(s) for s in (*HEALTH_STEMS, *_HEALTH_EXTRA)) + ")")


def looks_like_health(text: object) -> bool:
    """A question about allergies, illnesses, medication, diagnoses (Finnish or English), hint included."""
    return bool(_HEALTH.search(question_key(text, keep_hint=True)))


def _is_timestamp(key: str) -> bool:
    return len(key.split()) <= 3 and _phrase(key, "aikaleima", "valmistumisaika", "lähetetty", "lähetysaika",
                                                  "timestamp", "completion time", "submitted", "submission time")


def recognise(text: object) -> set[str]:
    """The fields a question names (empty: none; two or more: a combined question)."""
    key = question_key(text)
    words = key.split()
    if not words:
        return set()
    if _is_timestamp(key):
        return {"timestamp"}
    found: set[str] = set()
    if _phrase(key, "oppilasnumero", "oppilasnro", "oppilaan numero", "student number", "student id", "student no"):
        return {"student_id"}
    guardian = _has(words, *_GUARDIAN)
    if _has(words, "sähköpost", "sposti", "email") or _phrase(key, "mail address"):
        found.add("email")
    if _has(words, "puhelin", "puhelim", "matkapuh", "gsm", "phone", "mobile", "telephone") or "puh" in words:
        found.add("phone")
    if _has(words, "syntym", "syntyn") or _phrase(key, "date of birth", "birth date", "birthdate", "birthday", "born",
                                                   "dob"):
        found.add("guardian_birth" if guardian else "birth_date")
    if _has(words, "jatka", "jatku", "continu"):
        found.add("continues")
    first = _has(words, "etunim", "firstname", "forename") or _phrase(key, "first name", "given name")
    last = _has(words, "sukunim", "lastname", "surname") or _phrase(key, "last name", "family name")
    both = (first or "etu" in words or "first" in words) and last           # "Etu- ja sukunimi"
    named = _has(words, *_NAME) and not first and not last                   # "Lapsen nimi"
    if guardian and not found:
        found.add("guardian" if both or not (first or last) else "guardian_first" if first else "guardian_last")
    elif not guardian:
        if both or (named and _has(words, *_STUDENT)):
            found.add("full_name")
        elif first:
            found.add("first_name")
        elif last:
            found.add("last_name")
    if "guardian_birth" in found:               # the guardian's birth date is not the student's
        found = {"guardian_birth"}
    return found


# --- the services' own columns ------------------------------------------------------------------

_SERVICE_KEYS = {"id", "tunnus", "start time", "aloitusaika", "last modified time", "last modified",
                 "viimeksi muokattu", "viimeksi muokattu aika", "viimeisin muokkausaika", "language", "kieli",
                 "total points", "kokonaispisteet", "quiz feedback", "score", "pisteet"}
_START_KEYS = {"id", "tunnus", "start time", "aloitusaika"}          # Microsoft Forms' columns before Email, Name
_ACCOUNT_EMAIL_KEYS = {"email", "sähköposti", "email address", "sähköpostiosoite", "username", "käyttäjänimi"}
_ACCOUNT_NAME_KEYS = {"name", "nimi"}


@dataclass(frozen=True)
class FormColumn:
    index: int                  # 1-based column of the file
    header: str                 # the question as the form asks it ("" when row 1 is blank there)
    field: str | None           # the field it fills, None when not imported
    status: str                 # IMPORTED, SERVICE, ... (see above)
    mapped: bool = False        # named in Lomakekentät
    other: int | None = None    # ACCOUNT_UNUSED / OVERRIDDEN: the column used instead


@dataclass
class QuestionReading:
    columns: list[FormColumn] = field(default_factory=list)
    conflicts: dict[str, list[FormColumn]] = field(default_factory=dict)   # field -> the columns claiming it
    missing: list[str] = field(default_factory=list)                        # of REQUIRED

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.missing

    @property
    def fields(self) -> dict[str, int]:
        """field -> column, for the columns imported (account e-mail included when used)."""
        return {c.field: c.index for c in self.columns if c.field and c.status in (IMPORTED, ACCOUNT_EMAIL)}

    def column(self, index: int) -> FormColumn | None:
        return next((c for c in self.columns if c.index == index), None)


def _service_block(keys: list[str]) -> dict[int, str]:
    """Columns at the start that a forms service adds: index -> SERVICE, ACCOUNT_EMAIL or "timestamp".
    The respondent's account address (Google's ``Email Address`` when the form collects it, Microsoft's
    ``Email``, "anonymous" for anyone) stands for the family's e-mail only when the form asks none of its own
    (contract: a question the family answered wins); "anonymous" is no address and is never imported."""
    out: dict[int, str] = {}
    started = False           # a timestamp or an id column seen: what follows may be the account's
    microsoft = False
    for index, key in enumerate(keys, start=1):
        if _is_timestamp(key) and recognise(key) == {"timestamp"}:
            out[index], started = "timestamp", True
        elif key in _SERVICE_KEYS:
            out[index], started = SERVICE, True
            microsoft = microsoft or key in _START_KEYS
        elif started and key in _ACCOUNT_EMAIL_KEYS:
            out[index] = ACCOUNT_EMAIL
        elif started and microsoft and key in _ACCOUNT_NAME_KEYS:
            out[index] = SERVICE
        else:
            break
    return out


# --- reading every column -----------------------------------------------------------------------

def read_questions(headers: list[object], mapping: dict[str, str] | None = None,
                   answered: set[int] | None = None) -> QuestionReading:
    """How each column of the header row is read.

    ``mapping``: Lomakekentät as question_key -> Kenttä (a FORM_FIELDS name, a synonym, or another Oppilaat
    header); ``answered``: the 1-based columns that hold an answer in some row (a blank header over
    answers is reported, an empty unnamed column is not)."""
    mapping = {question_key(k): v for k, v in (mapping or {}).items()}
    texts = ["" if h is None else " ".join(str(h).split()) for h in headers]
    keys = [question_key(t) for t in texts]
    block = _service_block(keys)
    columns: list[FormColumn] = []
    for index, (text, key) in enumerate(zip(texts, keys, strict=True), start=1):
        if key or answered is None or index in answered:        # an empty column without a question is no column
            columns.append(_read_one(index, text, key, mapping, block.get(index)))
    return _settle(columns)


_KENTTA = {n.casefold(): n for n in (*forms_mapping.FORM_FIELDS, *forms_mapping.FIELD_SYNONYMS)}


def _read_one(index: int, text: str, key: str, mapping: dict[str, str], service: str | None) -> FormColumn:
    if not key:
        return FormColumn(index, text, None, UNNAMED)
    if looks_like_health(text):
        return FormColumn(index, text, None, HEALTH, mapped=key in mapping)
    if key in mapping:
        name = _KENTTA.get(str(mapping[key]).strip().casefold(), mapping[key])
        name = forms_mapping.FIELD_SYNONYMS.get(name, name)
        if name == forms_mapping.NOT_IMPORTED:
            return FormColumn(index, text, None, MAPPED_OUT, mapped=True)
        if name in MAPPING_NAMES:
            return FormColumn(index, text, MAPPING_NAMES[name], IMPORTED, mapped=True)
        return FormColumn(index, text, None, NOT_FROM_FORMS, mapped=True)
    if service == "timestamp":
        return FormColumn(index, text, "timestamp", IMPORTED)
    if service == SERVICE:
        return FormColumn(index, text, None, SERVICE)
    if service == ACCOUNT_EMAIL:
        return FormColumn(index, text, "email", ACCOUNT_EMAIL)
    found = recognise(text)
    if len(found) == 1 and next(iter(found)) in FIELD_HEADERS:
        return FormColumn(index, text, next(iter(found)), IMPORTED)
    return FormColumn(index, text, None, AMBIGUOUS if len(found) > 1 else NOT_RECOGNISED)


def _clash(a: str, b: str) -> bool:
    """Two fields that one register field cannot take both of: the same, or a whole and its part."""
    return a == b or any({a, b} <= {whole, *parts} and whole in (a, b) for whole, parts in PARTS.items())


def _settle(columns: list[FormColumn]) -> QuestionReading:
    """The account e-mail gives way to the family's own question; a field named in Lomakekentät wins over a
    recognised one; two claims left on one field are a conflict; then the required fields."""
    imported = [c for c in columns if c.field and c.status == IMPORTED]
    mapped = [c for c in imported if c.mapped]
    overridden = {}
    for c in imported:
        winner = next((m for m in mapped if not c.mapped and _clash(c.field, m.field)), None)
        if winner is not None:
            overridden[c.index] = FormColumn(c.index, c.header, None, OVERRIDDEN, other=winner.index)
    kept = [c for c in imported if c.index not in overridden]
    email = next((c for c in kept if c.field == "email"), None)
    reading = QuestionReading()
    for column in columns:
        column = overridden.get(column.index, column)
        if column.status == ACCOUNT_EMAIL and email is not None:
            column = FormColumn(column.index, column.header, None, ACCOUNT_UNUSED, other=email.index)
        reading.columns.append(column)
    for i, a in enumerate(kept):
        for b in kept[i + 1:]:
            if _clash(a.field, b.field):
                name = a.field if a.field in PARTS or a.field == b.field else b.field
                group = reading.conflicts.setdefault(name, [])
                group += [c for c in (a, b) if c not in group]
    claimed = {c.field for c in kept} | {c.field for c in reading.columns if c.status == ACCOUNT_EMAIL}
    if "full_name" not in claimed and not {"first_name", "last_name"} <= claimed:
        reading.missing.append("name")
    reading.missing += [n for n in REQUIRED[1:] if n not in claimed]
    return reading
