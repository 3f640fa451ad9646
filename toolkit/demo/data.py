"""Deterministic synthetic data for `muskari demo` and the benchmark generator. Pure: no files, no clock.

    demo = build_demo(as_of=date(2026, 11, 25))
    demo.records["Oppilaat"]     # English field names, as tests/factories.py and Tables use them
    demo.categories["muskari-ended-ask"]   # the student ids of each population

**Dates are relative to the as-of day.** Every birth date is "this many months before the as-of day",
every study row ends a term (``kevät Y`` on 28.5., ``syksy Y`` on 18.12.) on or before the as-of day,
and the history reaches back eight school years. So the same as-of day always gives the same register
(names come from a fixed seed), and any as-of day gives the same populations: a six-year-old stays
six whatever the year, so `make demo` (which uses today) stays sensible in 2026, 2027 and later.
Nothing is ever in the future and nothing predates a birth, so `muskari check` exits 0.

The populations (``DemoData.categories``), about 150 students:

===============================  ==========================================================================
muskari-young                    babies and toddlers, 0–2 terms of muskari
muskari-in-progress              3–5-year-olds, at most 49,5 h (in progress)
muskari-eligible                 6-year-olds with 66 h before their 7th birthday (eligible)
muskari-just-short               6-year-olds with 57,75 h, still in time (in progress, close)
muskari-ended-ask                past 7 without the hours, not continuing (purge `ask`)
muskari-missed-continues         past 7 without the hours, now instrument students
muskari-issued                   muskaritodistus issued (Todistukset + Valmistuneet), continuing
muskari-eligible-past-limit      past 7 with 66 h earned in time, certificate not yet written
instrument                       instrument students in progress, 7–19 years, some adults
on-break                         ``tauolla``: studies paused for a term or more
final-just-short                 päättötodistus short by a few hours in one part
final-eligible                   päättötodistus earned (one exactly 300 + 200 h), not yet written
final-issued                     päättötodistus issued; ended, so the study window has closed
ended-past-age-limit             ended and 20 or older (purge `study-window-closed`)
ended-window-open                ended under 20: kept while the syllabus can still be completed
deletion-requested               a deletion request dated before the as-of day (purge `erase`)
duplicate-record                 one child entered twice under two numbers (makes a form ambiguous)
===============================  ==========================================================================

The forms file (``DemoData.forms_rows``) is what Google Forms exports for a registration form worded for
parents (``FORMS_HEADERS``: "Lapsen etunimi", "Huoltajan sähköpostiosoite", "Jatkaako lapsi ensi
lukukaudella?", ...; the timestamp as ``2026/11/12 9:14:03 AM GMT+2``, answers as families type them:
"Kyllä, jatkamme", "Ei jatka", "Joo"). It answers for a dozen students: matches by Oppilasnumero, matches
by name and birth date written with NFD letters, other case and extra spaces, one new child, one family
answering twice (the later answer wins), one ambiguous and one invalid response (``DemoData.forms_notes``
gives their row numbers); a greeting to the teacher is a question the register has no field for.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from toolkit.demo.synthetic import (
    ADULTS,
    BOYS,
    COMMON_UNITS,
    GIRLS,
    INSTRUMENT_TEACHERS,
    MUSKARI_TEACHERS,
    SETTINGS_VALUES,
    SURNAMES,
    THEMATIC_TEACHERS,
    THEMATIC_UNITS,
    Term,
    add_months,
    age_on,
    ascii_slug,
    assign_units,
    birthday,
    muskari_unit,
    phone_number,
    registration_rounds,
    school_year_start,
    split_hours,
    teacher_records,
    terms_until,
    unit_records,
)

SEED = 20180801
MUSKARI_TERM_HOURS = 16.5
MUSKARI_AGE_LIMIT = 7

NOTES = ("Esiintyi kevätkonsertissa", "Sisarus samassa ryhmässä", "Soittaa kotona myös pianoa",
         "Haluaa bändiin ensi syksynä", "Ryhmä vaihtui tiistaille", "Lainasoitin koululta",
         "Tulee tunnille isovanhemman kanssa", "Kiinnostunut sävellyspajasta")

FORMS_HEADERS = ("Aikaleima", "Oppilasnumero (jos tiedossa)", "Lapsen etunimi", "Lapsen sukunimi",
                 "Lapsen syntymäaika (pp.kk.vvvv)", "Huoltajan nimi", "Huoltajan sähköpostiosoite",
                 "Huoltajan puhelinnumero", "Jatkaako lapsi ensi lukukaudella?", "Terveisiä opettajalle")
YES_ANSWERS = ("Kyllä", "Kyllä, jatkamme", "Joo", "Kyllä")
NO_ANSWERS = ("Ei", "Ei jatka", "En")
GREETINGS = ("Kiitos mukavasta syksystä!", "", "", "Odotamme kevään konserttia", "", "Kiitos!")


@dataclass
class DemoData:
    as_of: date
    records: dict[str, list[dict]]                 # sheet -> rows of English field names
    settings: dict[str, object]                    # Asetus -> Arvo (the rest keep their defaults)
    categories: dict[str, list[str]]               # population -> student ids
    forms_rows: list[list[str]] = field(default_factory=list)   # under FORMS_HEADERS, CSV rows 2...
    forms_notes: dict[str, list[int]] = field(default_factory=dict)  # kind -> forms row numbers


def build_demo(as_of: date) -> DemoData:
    """The demo register and forms for ``as_of`` (same day, same data)."""
    return _DemoBuilder(as_of).build()


class _Names:
    """Unique synthetic names, drawn from their own seeded stream (so they do not depend on the date)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.used: set[tuple[str, str]] = set()
        self.emails: set[str] = set()

    def child(self) -> tuple[str, str]:
        while True:
            first = self.rng.choice(GIRLS if self.rng.random() < 0.55 else BOYS)
            last = self.rng.choice(SURNAMES)
            if (first, last) not in self.used:
                self.used.add((first, last))
                return first, last

    def adult(self, last: str) -> str:
        return f"{self.rng.choice(ADULTS)} {last if self.rng.random() < 0.85 else self.rng.choice(SURNAMES)}"

    def email(self, name: str, domain: str | None = None) -> str:
        base = ".".join(ascii_slug(p) for p in name.split())
        domain = domain or self.rng.choice(("example.fi", "example.fi", "example.com"))
        address, n = f"{base}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@{domain}"
        self.emails.add(address)
        return address


class _DemoBuilder:
    def __init__(self, as_of: date):
        self.as_of = as_of
        self.rng = random.Random(SEED + 1)
        self.names = _Names(SEED)
        self.terms = terms_until(as_of)
        self.students: list[dict] = []
        self.studies: list[dict] = []          # "student_id" holds the student's key until numbering
        self.certificates: list[tuple[date, int | None, str]] = []
        self.keys: dict[str, list[int]] = {}

    # -- people --

    def student(self, category: str, months: tuple[int, int], status: str, teacher: str,
                continues: str | None = None, like: dict | None = None) -> dict:
        """A student ``months`` old (completed years = months // 12) with contacts; ``like`` copies a person."""
        if like is None:
            first, last = self.names.child()
            m = self.rng.randint(*months)
            m -= m % 12 == 11                   # keep the completed years what the range says
            birth = add_months(self.as_of, -m) - timedelta(days=self.rng.randint(0, 27))
            if (birth.month, birth.day) == (2, 29):
                birth = birth.replace(day=28)
        else:
            first, last, birth = like["first_name"], like["last_name"], like["birth_date"]
        rec = {"_key": len(self.students), "_category": category, "first_name": first, "last_name": last,
               "birth_date": birth, "teacher": teacher, "status": status, "continues": continues,
               "deletion_requested": None, "notes": None}
        if like is not None:
            rec.update({k: like[k] for k in ("guardian", "email", "phone")})
        elif age_on(birth, self.as_of) >= 18:
            rec.update(guardian=None, email=self.names.email(f"{first} {last}", "example.com"))
        else:
            rec["guardian"] = self.names.adult(last)
            rec["email"] = self.names.email(rec["guardian"])
        if like is None:
            rec["phone"] = phone_number(self.rng) if self.rng.random() < 0.9 else None
        self.students.append(rec)
        self.keys.setdefault(category, []).append(rec["_key"])
        return rec

    # -- study rows --

    def study(self, rec: dict, unit: str, term: Term, hours: float, teacher: str) -> None:
        assert 0 < hours <= 200 and rec["birth_date"] < term.end <= self.as_of
        self.studies.append({"student_id": rec["_key"], "unit": unit, "semester": term.label, "hours": hours,
                             "completed": term.end, "teacher": teacher})

    def muskari(self, rec: dict, count: int, last_hours: float = MUSKARI_TERM_HOURS) -> list[Term]:
        """The latest ``count`` terms before the 7th birthday (from three months of age)."""
        birth = rec["birth_date"]
        limit = min(birthday(birth, MUSKARI_AGE_LIMIT), self.as_of + timedelta(days=1))
        terms = [t for t in self.terms if add_months(birth, 3) < t.end < limit][-count:] if count else []
        assert len(terms) == count, (rec["_category"], count, len(terms))
        teacher = rec["teacher"] if rec["teacher"] in MUSKARI_TEACHERS else self.rng.choice(MUSKARI_TEACHERS)
        for i, term in enumerate(terms):
            hours = last_hours if i == len(terms) - 1 else MUSKARI_TERM_HOURS
            self.study(rec, muskari_unit(birth, term.end), term, hours, teacher)
        return terms

    def muskari_available(self, rec: dict) -> int:
        birth = rec["birth_date"]
        return sum(1 for t in self.terms if add_months(birth, 3) < t.end < birthday(birth, MUSKARI_AGE_LIMIT))

    def terms_after(self, rec: dict, age: int, drop_last: int = 0, until: date | None = None) -> list[Term]:
        start = birthday(rec["birth_date"], age)
        terms = [t for t in self.terms if start < t.end and (until is None or t.end <= until)]
        return terms[:len(terms) - drop_last] if drop_last else terms

    def instrument(self, rec: dict, terms: list[Term], common: float, thematic: float = 0.0,
                   thematic_terms: int | None = None) -> None:
        if not terms:
            return
        for unit, term, hours in assign_units(COMMON_UNITS, terms, split_hours(common, len(terms))):
            self.study(rec, unit, term, hours, rec["teacher"])
        if thematic > 0:
            late = terms[-(thematic_terms or max(1, len(terms) // 2)):]
            for unit, term, hours in assign_units(THEMATIC_UNITS, late, split_hours(thematic, len(late))):
                self.study(rec, unit, term, hours, THEMATIC_TEACHERS[unit])

    def paced(self, rec: dict, terms: list[Term], cap_common: float = 280.0, cap_thematic: float = 150.0) -> None:
        """Ordinary progress: a common block every term, thematic studies after the sixth term."""
        pace = self.rng.choice((18.0, 19.5, 21.0, 22.5, 24.0))
        thematic_terms = max(0, len(terms) - 6)
        thematic = min(cap_thematic, 9.5 * thematic_terms)
        self.instrument(rec, terms, min(cap_common, pace * len(terms)), thematic, thematic_terms or None)

    def certificate(self, on: date, rec: dict | None, kind: str) -> None:
        assert on <= self.as_of
        self.certificates.append((on, None if rec is None else rec["_key"], kind))

    # -- populations --

    def muskari_children(self) -> None:
        r, mt = self.rng, MUSKARI_TEACHERS
        for _ in range(12):
            rec = self.student("muskari-young", (4, 34), "aktiivinen", r.choice(mt))
            self.muskari(rec, min(self.muskari_available(rec), r.randint(0, 2)))
        for _ in range(16):
            rec = self.student("muskari-in-progress", (37, 70), "aktiivinen", r.choice(mt))
            self.muskari(rec, min(self.muskari_available(rec), r.randint(1, 3)))
        for _ in range(5):
            self.muskari(self.student("muskari-eligible", (73, 82), "aktiivinen", r.choice(mt),
                                      r.choice((None, "kyllä"))), 4)
        for _ in range(3):
            self.muskari(self.student("muskari-just-short", (73, 82), "aktiivinen", r.choice(mt), "kyllä"), 4,
                         last_hours=8.25)
        for _ in range(4):
            self.muskari(self.student("muskari-ended-ask", (86, 104), "päättynyt", r.choice(mt), "ei"),
                         r.randint(2, 3))
        for _ in range(4):
            rec = self.student("muskari-missed-continues", (98, 128), "aktiivinen", r.choice(INSTRUMENT_TEACHERS),
                               "kyllä")
            self.muskari(rec, 3)
            self.instrument(rec, self.terms_after(rec, MUSKARI_AGE_LIMIT), 18.0 * len(self.terms_after(rec, 7)))
        rec = self.student("muskari-issued", (92, 106), "aktiivinen", r.choice(INSTRUMENT_TEACHERS), "kyllä")
        self.certificate(self.muskari(rec, 4)[-1].end + timedelta(days=5), rec, "muskaritodistus")
        self.instrument(rec, self.terms_after(rec, MUSKARI_AGE_LIMIT), 19.5 * len(self.terms_after(rec, 7)))
        for _ in range(2):
            rec = self.student("muskari-eligible-past-limit", (85, 94), "aktiivinen", r.choice(INSTRUMENT_TEACHERS),
                               "kyllä")
            self.muskari(rec, 4)
            self.instrument(rec, self.terms_after(rec, MUSKARI_AGE_LIMIT), 18.0 * len(self.terms_after(rec, 7)))

    def instrument_students(self) -> None:
        r, it = self.rng, INSTRUMENT_TEACHERS
        for _ in range(80):
            rec = self.student("instrument", (86, 236), "aktiivinen", r.choice(it))
            age = age_on(rec["birth_date"], self.as_of)
            self.paced(rec, self.terms_after(rec, r.randint(7, age)))
        for _ in range(10):
            rec = self.student("on-break", (110, 200), "tauolla", r.choice(it))
            age = age_on(rec["birth_date"], self.as_of)
            self.paced(rec, self.terms_after(rec, r.randint(7, age - 2), drop_last=r.randint(1, 3)))
        for common, thematic in ((300.0, 192.5), (296.25, 205.0), (288.0, 200.0)):
            rec = self.student("final-just-short", (182, 226), "aktiivinen", r.choice(it))
            self.instrument(rec, self.terms_after(rec, 8), common, thematic)
        for common, thematic in ((300.0, 200.0), (312.5, 204.0), (330.0, 215.5)):
            rec = self.student("final-eligible", (194, 226), "aktiivinen", r.choice(it))
            self.instrument(rec, self.terms_after(rec, 8), common, thematic)
        rec = self.student("final-issued", (218, 232), "päättynyt", r.choice(it))
        spring = max(t.end for t in self.terms if t.label.startswith("kevät") and t.end + timedelta(days=7) <= self.as_of)
        self.instrument(rec, self.terms_after(rec, 8, until=spring), 305.0, 200.0)
        self.certificate(spring + timedelta(days=7), rec, "päättötodistus")

    def ended_and_special(self) -> None:
        r, it = self.rng, INSTRUMENT_TEACHERS
        for _ in range(2):
            rec = self.student("ended-past-age-limit", (254, 274), "päättynyt", r.choice(it))
            self.paced(rec, [t for t in self.terms if t.end < birthday(rec["birth_date"], 18)])
        for _ in range(3):
            rec = self.student("ended-window-open", (146, 206), "päättynyt", r.choice(it))
            self.paced(rec, self.terms_after(rec, 8, drop_last=r.randint(2, 4)))
        rec = self.student("deletion-requested", (98, 106), "päättynyt", r.choice(it), "kyllä")
        self.certificate(self.muskari(rec, 4)[-1].end + timedelta(days=5), rec, "muskaritodistus")
        self.instrument(rec, self.terms_after(rec, MUSKARI_AGE_LIMIT, drop_last=1), 20.0 * 3)
        rec["deletion_requested"] = self.as_of - timedelta(days=12)
        old = self.student("duplicate-record", (134, 140), "päättynyt", r.choice(it))
        self.paced(old, self.terms_after(old, 7, drop_last=6))
        new = self.student("duplicate-record", (0, 0), "aktiivinen", old["teacher"], like=old)
        self.instrument(new, self.terms[-2:], 40.0)
        anonymised_on = date(school_year_start(self.as_of).year - 3, 6, 4)
        self.certificate(anonymised_on, None, "muskaritodistus")   # an earlier erasure left this

    def siblings(self) -> None:
        """Six families with two children: same surname, guardian, e-mail and phone."""
        pool = [s for s in self.students if s["_category"] in ("muskari-in-progress", "muskari-young", "instrument")
                and s["guardian"] is not None]
        pairs = 0
        for older, younger in zip(pool[1::7], pool[3::7], strict=False):
            if pairs == 6 or (younger["first_name"], older["last_name"]) in self.names.used:
                continue
            self.names.used.add((younger["first_name"], older["last_name"]))
            younger.update({k: older[k] for k in ("last_name", "guardian", "email", "phone")})
            pairs += 1

    def finish_students(self) -> None:
        rounds = registration_rounds(self.as_of - timedelta(days=21))
        last_row: dict[int, date] = {}
        for row in self.studies:
            last_row[row["student_id"]] = max(row["completed"], last_row.get(row["student_id"], row["completed"]))
        for rec in self.students:
            until = self.as_of if rec["status"] == "aktiivinen" else last_row.get(rec["_key"])
            fitting = [d for d in rounds if until and rec["birth_date"] < d <= until]
            rec["last_registration"] = fitting[-1] if fitting else None
        for note, rec in zip(NOTES, self.rng.sample(self.students, len(NOTES)), strict=True):
            rec["notes"] = note

    # -- numbering and output --

    def numbering(self) -> dict[int, str]:
        first_row: dict[int, date] = {}
        for row in self.studies:
            first_row[row["student_id"]] = min(row["completed"], first_row.get(row["student_id"], row["completed"]))
        order = sorted(self.students, key=lambda s: (first_row.get(s["_key"], self.as_of), s["_key"]))
        ids, number, gaps = {}, 0, random.Random(SEED + 2)
        for rec in order:
            number += 2 if gaps.random() < 0.06 else 1      # numbers of erased students are never reused
            ids[rec["_key"]] = f"{number:04d}"
        return ids

    def build(self) -> DemoData:
        self.muskari_children()
        self.instrument_students()
        self.ended_and_special()
        self.siblings()
        self.finish_students()
        ids = self.numbering()
        students = sorted(self.students, key=lambda s: ids[s["_key"]])
        studies = sorted(self.studies, key=lambda r: (ids[r["student_id"]], r["completed"], r["unit"]))
        certificates, graduates = self.certificate_rows(ids)
        records = {
            "Oppilaat": [{k: v for k, v in s.items() if not k.startswith("_")} | {"student_id": ids[s["_key"]]}
                         for s in students],
            "Opinnot": [r | {"student_id": ids[r["student_id"]]} for r in studies],
            "Opintokokonaisuudet": unit_records(),
            "Opettajat": teacher_records(),
            "Todistukset": certificates,
            "Valmistuneet": graduates,
            "Yhteydenotot": self.contacts(),
        }
        categories = {c: sorted(ids[k] for k in keys) for c, keys in self.keys.items()}
        forms_rows, notes = _Forms(self, ids).rows()
        return DemoData(self.as_of, records, dict(SETTINGS_VALUES), categories, forms_rows, notes)

    def certificate_rows(self, ids: dict[int, str]) -> tuple[list[dict], list[dict]]:
        by_key = {s["_key"]: s for s in self.students}
        certificates, graduates, per_year = [], [], {}
        for on, key, kind in sorted(self.certificates, key=lambda c: (c[0], c[1] if c[1] is not None else -1)):
            per_year[on.year] = per_year.get(on.year, 0) + 1
            number = f"{on.year}-{per_year[on.year]:03d}"
            certificates.append({"number": number, "student_id": None if key is None else ids[key], "kind": kind,
                                 "date": on, "file": None})
            person = by_key.get(key)
            graduates.append({"year": on.year, "kind": kind,
                              "name": f"{person['first_name']} {person['last_name']}" if person else "valmistunut oppilas",
                              "number": number if person else None})
        return certificates, graduates

    def contacts(self) -> list[dict]:
        purposes = ("avoimien ovien päivä", "muskarin esittelytilaisuus", "tiedote syksyn ryhmistä",
                    "soitinkokeilu", "kevätkonsertin arvonta")
        days = [add_months(self.as_of, -m) - timedelta(days=3) for m in (7, 8, 11, 14)]
        days += [self.as_of - timedelta(days=d) for d in (6, 35, 80, 120, 150)]
        out = []
        for i, day in enumerate(sorted(days)):
            name = self.names.adult(self.rng.choice(SURNAMES))
            out.append({"name": name if i % 4 else None, "email": self.names.email(name),
                        "phone": phone_number(self.rng) if i % 3 == 0 else None, "collected": day,
                        "purpose": purposes[i % len(purposes)]})
        return out


def google_timestamp(moment: datetime) -> str:
    """``2026/11/12 9:14:03 AM GMT+2``: how Google Forms' CSV writes a response time (Finnish time)."""
    hours = int(moment.replace(tzinfo=ZoneInfo("Europe/Helsinki")).utcoffset().total_seconds() // 3600)
    half, hour = ("AM" if moment.hour < 12 else "PM"), (moment.hour % 12 or 12)
    return f"{moment:%Y/%m/%d} {hour}:{moment:%M:%S} {half} GMT+{hours}"


class _Forms:
    """The sample semester forms: a dozen responses of the kinds the import must handle."""

    def __init__(self, builder: _DemoBuilder, ids: dict[int, str]):
        self.b, self.ids = builder, ids
        self.taken: set[int] = set()
        self.rows_out: list[tuple[datetime, list[str], str]] = []

    def pick(self, category: str, test: Callable[[dict], bool] = lambda s: True) -> dict:
        for key in self.b.keys[category]:
            rec = self.b.students[key]
            if key not in self.taken and test(rec):
                self.taken.add(key)
                return rec
        raise AssertionError(f"no {category} student for the forms")

    def answer(self, kind: str, rec: dict, *, by_id: bool = True, continues: str = "kyllä", **changes) -> None:
        values = {"first_name": rec["first_name"], "last_name": rec["last_name"],
                  "birth": f"{rec['birth_date'].day}.{rec['birth_date'].month}.{rec['birth_date'].year}",
                  "guardian": rec["guardian"] or "", "email": rec["email"] or "", "phone": rec["phone"] or ""}
        values.update(changes)
        n = len(self.rows_out)
        day = self.b.as_of - timedelta(days=13 - n)
        stamp = datetime.combine(day, time(8 + (n * 5) % 13, (n * 17) % 60, 4))
        student_id = self.ids[rec["_key"]] if by_id and "_key" in rec else ""
        answer = (YES_ANSWERS if continues == "kyllä" else NO_ANSWERS)[n % (4 if continues == "kyllä" else 3)]
        self.rows_out.append((stamp, [google_timestamp(stamp), student_id, values["first_name"], values["last_name"],
                                      values["birth"], values["guardian"], values["email"], values["phone"], answer,
                                      GREETINGS[n % len(GREETINGS)]], kind))

    def rows(self) -> tuple[list[list[str]], dict[str, list[int]]]:
        b, non_ascii = self.b, (lambda s: not (s["first_name"] + s["last_name"]).isascii())
        self.answer("matched-by-id", self.pick("muskari-in-progress"))
        child = self.pick("instrument", lambda s: s["guardian"] is not None)
        self.answer("matched-by-id", child, email=b.names.email(child["guardian"], "example.com"))
        self.answer("matched-by-id", self.pick("instrument", lambda s: age_on(s["birth_date"], b.as_of) >= 13),
                    continues="ei")
        rec = self.pick("instrument", non_ascii)
        self.answer("matched-by-name", rec, by_id=False, first_name=rec["first_name"].upper(),
                    last_name=f"  {unicodedata.normalize('NFD', rec['last_name'])} ")
        rec = self.pick("muskari-eligible")
        d = rec["birth_date"]
        self.answer("matched-by-name", rec, by_id=False, first_name=rec["first_name"].lower(),
                    birth=f"{d.day:02d}.{d.month:02d}.{d.year}", email=rec["email"].upper())
        rec = self.pick("on-break")
        self.answer("repeated", rec, continues="ei")
        self.answer("repeated", rec, phone=phone_number(b.rng))
        first, last = b.names.child()
        born = add_months(b.as_of, -40) - timedelta(days=9)
        guardian = b.names.adult(last)
        self.answer("new-student", {"first_name": first, "last_name": last, "birth_date": born, "guardian": guardian,
                                    "email": b.names.email(guardian), "phone": phone_number(b.rng)}, by_id=False)
        self.answer("ambiguous", b.students[b.keys["duplicate-record"][0]], by_id=False)
        rec = self.pick("instrument")
        self.answer("invalid", rec, by_id=False, birth=f"30.2.{rec['birth_date'].year}")
        self.answer("matched-by-id", self.pick("muskari-eligible-past-limit"))
        self.answer("matched-by-id", self.pick("final-eligible"), continues="ei")
        notes: dict[str, list[int]] = {}
        for row, (_stamp, _values, kind) in enumerate(self.rows_out, start=2):
            notes.setdefault(kind, []).append(row)
        return [values for _stamp, values, _kind in self.rows_out], notes
