"""What goes on each certificate: pure, from the typed tables and settings.

    plan = plan_certificates(tables, results, today, kinds=..., students=...)
    context = certificate_context(tables, request)     # the template's variables, already formatted

Every value in a context is a formatted string (or a list of dicts of strings): the templates never
format anything, so a Word template the owner restyles cannot get a date or an hour wrong.
Units are printed as the curriculum (Opintokokonaisuudet) spells them, one line per unit however its
rows were typed in Opinnot; the study period runs from the first to the last year of Lukukausi (the
year of Suoritettu where Lukukausi cannot be read). A participation certificate of a child with only
muskari studies is worded as early-childhood music education, which is not part of the general syllabus.
Numbers are `YYYY-NNN`, continuing from the highest number of the issue year in Todistukset.
File names are built from the number and the student id only (never a name) and sanitised so they
always stay inside the output folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from toolkit.model.dates import birthday
from toolkit.model.formatting import format_date, format_hours, format_years, kind_phrase
from toolkit.model.messages import say
from toolkit.model.tables import Tables
from toolkit.model.text import key
from toolkit.rules.eligibility import ELIGIBLE, EligibilityResult
from workbook_schema.choices import FINAL, MUSKARI, PART_COMMON, PART_MUSKARI, PART_THEMATIC, PARTICIPATION
from workbook_schema.settings import Settings

KINDS = (MUSKARI, FINAL, PARTICIPATION)
TEMPLATE_FILES = {MUSKARI: "muskaritodistus.docx", FINAL: "päättötodistus.docx",
                  PARTICIPATION: "osallistumistodistus.docx"}
PART_TITLES = {PART_MUSKARI: "Varhaisiän musiikkikasvatus", PART_COMMON: "Yhteiset opinnot",
               PART_THEMATIC: "Teemaopinnot"}
TITLES = {MUSKARI: "Muskaritodistus", FINAL: "Päättötodistus", PARTICIPATION: "Osallistumistodistus"}
# what the teaching was (`opetus`, under a participation certificate's title): early-childhood music education
# is not part of the general syllabus of basic education in the arts
TEACHING_MUSKARI = "Varhaisiän musiikkikasvatus"
TEACHING_ARTS = "Taiteen perusopetus, musiikki"
# Only these put the holder on Valmistuneet: a participation certificate is recorded in Todistukset alone.
GRADUATING = frozenset({MUSKARI, FINAL})

# The variables a template may use (tests/test_rendering.py keeps the templates to this set).
CONTEXT_VARIABLES = frozenset({
    "todistus", "todistusnumero", "koulu", "jarjestaja", "ytunnus", "taiteenala", "etunimi", "sukunimi", "nimi",
    "syntymaaika", "oppilasnumero", "opiskeluaika", "osat", "yhteensa", "paikkakunta", "paivamaara",
    "allekirjoittaja", "nimike", "jarjestamisperuste", "opetussuunnitelma", "perusteet",
    "yhteiset_vaaditaan", "teemat_vaaditaan", "muskari_vaaditaan", "opetus",
})
# The items every final certificate must show (domain.md, the national core curriculum 2017), each as
# (catalogue code of its name, the variables that print it, a word that may stand for it as typed text,
# the fields it reads): a restyled final-certificate template lacking one is warned about.
FINAL_ITEMS = (
    ("item-title", ("todistus",), "päättötodistus", ()),
    ("item-provider", ("jarjestaja",), None, ()),
    ("item-school", ("koulu",), None, ()),
    ("item-art-form", ("taiteenala",), "musiikki", ()),
    ("item-name", ("nimi",), None, ()),
    ("item-birth-date", ("syntymaaika",), None, ()),
    ("item-study-period", ("opiskeluaika",), None, ()),
    ("item-units", ("osat",), None, ("opinnot", "nimi", "laajuus")),
    ("item-signature", ("allekirjoittaja", "nimike"), None, ()),
    ("item-basis", ("jarjestamisperuste", "opetussuunnitelma"), None, ()),
    ("item-core-curriculum", ("perusteet",), None, ()),
    ("item-place-date", ("paikkakunta", "paivamaara"), None, ()),
)
# Settings a certificate cannot go out without (Asetukset key -> Settings field), by kind.
REQUIRED_SETTINGS = {
    MUSKARI: (("Paikkakunta", "place"), ("Allekirjoittaja", "signer")),
    PARTICIPATION: (("Paikkakunta", "place"), ("Allekirjoittaja", "signer")),
    FINAL: (("Paikkakunta", "place"), ("Allekirjoittaja", "signer"), ("Järjestämisperuste", "basis"),
            ("Opetussuunnitelma", "curriculum"), ("Perusteet", "core_curriculum")),
}

_SAFE = re.compile(r"[^0-9A-Za-z_-]+")


@dataclass(frozen=True)
class CertificateRequest:
    """One certificate to issue."""

    student_id: str
    kind: str
    number: str
    issued_on: date
    name: str                  # "Etunimi Sukunimi", for Valmistuneet and the dry-run list

    @property
    def file_name(self) -> str:
        return certificate_file_name(self.number, self.student_id)


@dataclass(frozen=True)
class Refusal:
    """A requested certificate that will not be issued, with a reason code."""

    student_id: str
    kind: str
    reason: str                # not-due | already-issued | unknown-student | no-studies | numbers-used-up

    def message(self, lang: str = "fi") -> str:
        return say(f"certificate-refused-{self.reason}", lang, student=self.student_id, kind=kind_phrase(self.kind))


def certificate_file_name(number: str, student_id: str) -> str:
    """`2026-001_0007.docx`: number and id only, reduced to [0-9A-Za-z_-] so it never leaves its folder."""
    safe_id = _SAFE.sub("_", student_id).strip("_")[:40] or "oppilas"
    return f"{_SAFE.sub('_', number)[:20]}_{safe_id}.docx"


def missing_final_items(variables, fields, text: str) -> list[str]:
    """The catalogue codes of the FINAL_ITEMS a final-certificate template does not show."""
    words = key(text)
    missing = []
    for code, needed, word, reads in FINAL_ITEMS:
        printed = all(v in variables for v in needed) and all(f in fields for f in reads)
        if code == "item-name":
            printed = printed or {"etunimi", "sukunimi"} <= set(variables)
        if not printed and not (word and word in words):
            missing.append(code)
    return missing


LAST_NUMBER = 999                # the contract's `YYYY-NNN`: a year has numbers 001-999


def next_numbers(certificates: pd.DataFrame, year: int, count: int) -> list[str]:
    """At most `count` new numbers `YYYY-NNN` after the highest of `year` in Todistukset (001 in a new year);
    fewer when the year's numbers run out at 999."""
    numbers = certificates["number"].dropna().astype(str)
    taken = numbers[numbers.str.fullmatch(rf"{year}-\d{{3}}")].str[5:].astype(int)
    start = int(taken.max()) + 1 if len(taken) else 1
    return [f"{year}-{n:03d}" for n in range(start, min(start + count, LAST_NUMBER + 1))]


def plan_certificates(tables: Tables, results: list[EligibilityResult], today: date, *,
                      kinds: tuple[str, ...] = (MUSKARI, FINAL), students: tuple[str, ...] = ()
                      ) -> tuple[list[CertificateRequest], list[Refusal]]:
    """What this run would issue, numbered, and why a requested student gets nothing.

    Due = an `eligible` result of a kind in `kinds` (issued ones are `issued`, so never twice).
    A participation certificate is issued only on request (`students`), once per student.
    """
    names = _names(tables.students)
    wanted = set(students)
    due: list[tuple[str, str]] = []
    refusals: list[Refusal] = []
    if PARTICIPATION in kinds:
        studied = set(tables.studies["student_id"].dropna())
        had = set(tables.certificates.loc[tables.certificates["kind"] == PARTICIPATION, "student_id"].dropna())
        for sid in dict.fromkeys(students):
            reason = ("unknown-student" if sid not in names else "already-issued" if sid in had
                      else "no-studies" if sid not in studied else None)
            if reason:
                refusals.append(Refusal(sid, PARTICIPATION, reason))
            else:
                due.append((sid, PARTICIPATION))
    by_key = {(r.student_id, r.certificate): r for r in results}
    for r in results:
        if r.certificate in kinds and r.status == ELIGIBLE and (not wanted or r.student_id in wanted):
            due.append((r.student_id, r.certificate))
    planned = {sid for sid, _kind in due}
    for sid in dict.fromkeys(students):
        if sid in planned or PARTICIPATION in kinds:
            continue
        if sid not in names:
            refusals.append(Refusal(sid, kinds[0], "unknown-student"))
            continue
        mine = [by_key[(sid, k)] for k in kinds if (sid, k) in by_key]
        refusals += [Refusal(sid, r.certificate, "already-issued" if r.status == "issued" else "not-due")
                     for r in mine] or [Refusal(sid, kinds[0], "not-due")]
    numbers = next_numbers(tables.certificates, today.year, len(due))
    refusals += [Refusal(sid, kind, "numbers-used-up") for sid, kind in due[len(numbers):]]
    return ([CertificateRequest(sid, kind, num, today, names.get(sid, "")) for (sid, kind), num in zip(due, numbers, strict=False)],
            refusals)


def missing_settings(settings: Settings, kinds) -> list[str]:
    """Asetukset keys that are blank but needed on these kinds of certificate."""
    keys = []
    for kind in KINDS:
        if kind in kinds:
            keys += [key for key, attr in REQUIRED_SETTINGS[kind] if not str(getattr(settings, attr) or "").strip()]
    return list(dict.fromkeys(keys))


def certificate_contexts(tables: Tables, requests: list[CertificateRequest]) -> list[dict]:
    """The template variables of each request (study rows grouped once for the whole batch)."""
    s = tables.settings
    students = tables.students.drop_duplicates("student_id").set_index("student_id", drop=False)
    units = tables.units.dropna(subset=["name", "part"])
    curriculum = {key(str(n)): (str(n).strip(), p) for n, p in zip(units["name"], units["part"], strict=False)}
    wanted = {r.student_id for r in requests}
    studies = tables.studies[tables.studies["student_id"].isin(wanted)].copy()
    found = studies["unit"].map(lambda u: curriculum.get(key(str(u))) if isinstance(u, str) else None)
    studies["unit"] = found.map(lambda f: f[0] if f else None)          # as the curriculum spells it
    studies["part"] = found.map(lambda f: f[1] if f else None)
    studies["year"] = [_study_year(sem, done) for sem, done in zip(studies["semester"], studies["completed"],
                                                                   strict=True)]
    studies = studies.dropna(subset=["part", "hours", "completed"])
    groups = {sid: frame for sid, frame in studies.groupby("student_id", sort=False)}
    empty = studies.iloc[0:0]
    return [_context(s, students.loc[r.student_id], groups.get(r.student_id, empty), r) for r in requests]


def certificate_context(tables: Tables, request: CertificateRequest) -> dict:
    return certificate_contexts(tables, [request])[0]


def _context(s: Settings, student: pd.Series, rows: pd.DataFrame, request: CertificateRequest) -> dict:
    rows = _rows_for(s, student, rows, request.kind)
    parts = []
    for part in _parts_for(s, request.kind):
        part_rows = rows[rows["shown_part"] == part]
        if part_rows.empty and request.kind != FINAL:
            continue
        units = (part_rows.sort_values(["completed", "row"]).groupby("unit", sort=False)["hours"].sum())
        parts.append({"nimi": PART_TITLES[part], "yhteensa": format_hours(part_rows["hours"].sum()),
                      "opinnot": [{"nimi": str(u), "laajuus": format_hours(h)} for u, h in units.items()]})
    years = [int(y) for y in rows["year"].dropna()]
    first, last = (min(years), max(years)) if years else (None, None)
    muskari_only = request.kind == MUSKARI or (not rows.empty and set(rows["shown_part"]) == {PART_MUSKARI})
    return {
        "todistus": TITLES[request.kind], "todistusnumero": request.number, "koulu": s.school_name,
        "jarjestaja": s.provider, "ytunnus": s.business_id, "taiteenala": "" if muskari_only else "musiikki",
        "opetus": TEACHING_MUSKARI if muskari_only else TEACHING_ARTS,
        "etunimi": str(student["first_name"]), "sukunimi": str(student["last_name"]),
        "nimi": f"{student['first_name']} {student['last_name']}", "oppilasnumero": request.student_id,
        "syntymaaika": format_date(student["birth_date"]), "opiskeluaika": format_years(first, last),
        "osat": parts, "yhteensa": format_hours(rows["hours"].sum()), "paikkakunta": s.place,
        "paivamaara": format_date(request.issued_on), "allekirjoittaja": s.signer, "nimike": s.signer_title,
        "jarjestamisperuste": s.basis, "opetussuunnitelma": s.curriculum, "perusteet": s.core_curriculum,
        "yhteiset_vaaditaan": format_hours(s.common_hours), "teemat_vaaditaan": format_hours(s.thematic_hours),
        "muskari_vaaditaan": format_hours(s.muskari_hours),
    }


_SEMESTER = re.compile(r"(syksy|kevät|kevat)\s+((?:19|20)\d\d)")


def _study_year(semester, completed) -> int | None:
    """The year of a study row: from Lukukausi (`syksy 2019` -> 2019), else from Suoritettu."""
    found = _SEMESTER.fullmatch(key(semester)) if isinstance(semester, str) else None
    if found:
        return int(found.group(2))
    return getattr(completed, "year", None)


def _parts_for(s: Settings, kind: str) -> tuple[str, ...]:
    if kind == MUSKARI:
        return (PART_MUSKARI,)
    if kind == FINAL:
        return (PART_COMMON, PART_THEMATIC)
    return (PART_MUSKARI, PART_COMMON, PART_THEMATIC)


def _rows_for(s: Settings, student: pd.Series, rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The rows a certificate shows, with the part it shows them under (the rules' own counting):
    muskari rows before the age-limit birthday; on the final certificate, muskari rows under the
    common studies when they count toward them."""
    rows = rows.assign(shown_part=rows["part"])
    if kind == MUSKARI:
        limit = birthday(student["birth_date"], int(s.muskari_age_limit))
        return rows[(rows["part"] == PART_MUSKARI) & (rows["completed"].map(lambda d: d < limit))]
    if kind == FINAL:
        if s.muskari_counts_to_common:
            rows.loc[rows["part"] == PART_MUSKARI, "shown_part"] = PART_COMMON
        return rows[rows["shown_part"].isin([PART_COMMON, PART_THEMATIC])]
    return rows


def sample_context(settings: Settings | None = None) -> dict:
    """A complete synthetic context: template checks render it, the template builder documents it."""
    s = settings or Settings()
    return {
        "todistus": TITLES[FINAL], "todistusnumero": "2026-001", "koulu": s.school_name, "jarjestaja": s.provider,
        "ytunnus": s.business_id, "taiteenala": "musiikki", "opetus": TEACHING_ARTS, "etunimi": "Aino",
        "sukunimi": "Esimerkki",
        "nimi": "Aino Esimerkki", "oppilasnumero": "0001", "syntymaaika": "1.3.2010", "opiskeluaika": "2016–2026",
        "osat": [{"nimi": PART_TITLES[PART_COMMON], "yhteensa": "300 h",
                  "opinnot": [{"nimi": "Soitin 1", "laajuus": "300 h"}]},
                 {"nimi": PART_TITLES[PART_THEMATIC], "yhteensa": "200 h",
                  "opinnot": [{"nimi": "Bändi", "laajuus": "200 h"}]}],
        "yhteensa": "500 h", "paikkakunta": s.place or "Paikkakunta", "paivamaara": "1.6.2026",
        "allekirjoittaja": s.signer or "Allekirjoittaja", "nimike": s.signer_title,
        "jarjestamisperuste": s.basis or "Järjestämisperuste", "opetussuunnitelma": s.curriculum or "Opetussuunnitelma",
        "perusteet": s.core_curriculum, "yhteiset_vaaditaan": format_hours(s.common_hours),
        "teemat_vaaditaan": format_hours(s.thematic_hours), "muskari_vaaditaan": format_hours(s.muskari_hours),
    }


def _names(students: pd.DataFrame) -> dict[str, str]:
    frame = students.dropna(subset=["student_id"])
    return {sid: f"{first} {last}" for sid, first, last in zip(frame["student_id"], frame["first_name"],
                                                               frame["last_name"], strict=False)}
