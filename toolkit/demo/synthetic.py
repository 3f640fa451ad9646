"""Synthetic pieces shared by the demo register and the benchmark generator. Pure: no files, no clock.

Made-up Finnish names (no real person), five teachers with example.fi addresses, the curriculum of all
three parts (common 300 h, thematic 200 h), plausible settings texts, the school calendar (terms end
``kevät Y`` on 28.5. and ``syksy Y`` on 18.12.; eight school years of history) and 040 123 4567-style phones.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from toolkit.model.dates import add_months, age_on, birthday  # noqa: F401  (the demo's vocabulary)

HISTORY_YEARS = 8

# --- synthetic vocabulary (made up; no real person) ----------------------------------------------

GIRLS = ("Aino", "Helmi", "Olivia", "Eevi", "Venla", "Lilja", "Isla", "Sofia", "Aada", "Ellen", "Hilla",
         "Kerttu", "Pihla", "Siiri", "Minea", "Iida", "Enni", "Lumi", "Vilja", "Alma", "Saaga", "Ilona",
         "Hertta", "Ronja", "Elsa", "Nella", "Emilia", "Veera", "Tuuli", "Ella")
BOYS = ("Eino", "Leevi", "Onni", "Väinö", "Elias", "Oliver", "Leo", "Niilo", "Toivo", "Eeli", "Veikko",
        "Vilho", "Akseli", "Lauri", "Juho", "Aarni", "Otso", "Eemil", "Hugo", "Kasper", "Oskari", "Aapo",
        "Paavo", "Joel", "Rasmus", "Luka", "Benjamin", "Emil", "Topi", "Valtteri")
ADULTS = ("Maija", "Pekka", "Sanna", "Jukka", "Riikka", "Mikko", "Hanna", "Antti", "Johanna", "Timo", "Kaisa",
          "Ville", "Elina", "Janne", "Katja", "Petri", "Heidi", "Marko", "Anu", "Sami", "Tiina", "Jari",
          "Laura", "Harri", "Minna", "Teemu", "Suvi", "Kalle", "Outi", "Tuomas")
SURNAMES = ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hämäläinen", "Laine", "Heikkinen", "Koskinen",
            "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Kinnunen",
            "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen",
            "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Häkkinen", "Räsänen", "Lähteenmäki", "Kärkkäinen",
            "Ylönen", "Pöllänen", "Söderholm", "Väänänen", "Kallio", "Aaltonen", "Peltonen", "Rönkkö")
TEACHERS = (  # name, e-mail, what they teach
    ("Sointu Kanteletar", "sointu.kanteletar@example.fi", "muskari"),
    ("Hanna Rytmikäs", "hanna.rytmikas@example.fi", "muskari"),
    ("Ilmari Sävelmä", "ilmari.savelma@example.fi", "piano"),
    ("Eero Harmoni", "eero.harmoni@example.fi", "kitara"),
    ("Laura Melodia", "laura.melodia@example.com", "viulu ja laulu"),
)
MUSKARI_TEACHERS = tuple(t[0] for t in TEACHERS if t[2] == "muskari")
INSTRUMENT_TEACHERS = tuple(t[0] for t in TEACHERS if t[2] != "muskari")

P_MUSKARI, P_COMMON, P_THEMATIC = "varhaisiän musiikkikasvatus", "yhteiset opinnot", "teemaopinnot"
MUSKARI_UNITS = (("Vauvamuskari", 33.0), ("Taaperomuskari", 33.0), ("Muskari 3–4-vuotiaille", 66.0),
                 ("Muskari 5–6-vuotiaille", 66.0))
COMMON_UNITS = (("Soitto- tai laulutaito 1", 100.0), ("Soitto- tai laulutaito 2", 100.0),
                ("Musiikin perusteet", 60.0), ("Yhteismusisointi", 40.0))
THEMATIC_UNITS = (("Bändisoitto", 60.0), ("Sävellys ja improvisointi", 50.0), ("Musiikkiteknologia", 40.0),
                  ("Kuoro ja lauluyhtye", 50.0))
THEMATIC_TEACHERS = {"Bändisoitto": "Eero Harmoni", "Sävellys ja improvisointi": "Ilmari Sävelmä",
                     "Musiikkiteknologia": "Eero Harmoni", "Kuoro ja lauluyhtye": "Laura Melodia"}

SETTINGS_VALUES = {
    "Paikkakunta": "Kuusijärvi",
    "Allekirjoittaja": "Anna Esimerkki",
    "Järjestämisperuste": "Opetus annetaan Kuusijärven kaupungin kanssa 12.6.2018 tehdyn sopimuksen perusteella "
                          "(laki taiteen perusopetuksesta 633/1998).",
    "Opetussuunnitelma": "Annan Muskarin taiteen perusopetuksen musiikin yleisen oppimäärän opetussuunnitelma, "
                         "hyväksytty 14.5.2018.",
}

def unit_records() -> list[dict]:
    """Opintokokonaisuudet: the curriculum, all three parts (common 300 h, thematic 200 h)."""
    parts = ((P_MUSKARI, MUSKARI_UNITS), (P_COMMON, COMMON_UNITS), (P_THEMATIC, THEMATIC_UNITS))
    return [{"name": name, "part": part, "extent": extent} for part, units in parts for name, extent in units]


def teacher_records() -> list[dict]:
    return [{"name": name, "email": email} for name, email, _ in TEACHERS]


# --- calendar -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    label: str      # "syksy 2026"
    end: date       # the day its study rows are completed


def school_year_start(day: date) -> date:
    return date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def terms_until(as_of: date, years: int = HISTORY_YEARS) -> list[Term]:
    """Every term completed on or before ``as_of`` within the last ``years`` school years, oldest first."""
    start = school_year_start(as_of).replace(year=school_year_start(as_of).year - years + 1)
    out = []
    for year in range(start.year, as_of.year + 1):
        for label, end in ((f"kevät {year}", date(year, 5, 28)), (f"syksy {year}", date(year, 12, 18))):
            if start < end <= as_of:
                out.append(Term(label, end))
    return out


def registration_rounds(until: date) -> list[date]:
    """Days the semester forms came back (mid-May and late November), up to ``until``."""
    return [d for y in range(until.year - HISTORY_YEARS, until.year + 1)
            for d in (date(y, 5, 10), date(y, 11, 25)) if d <= until]


def split_hours(total: float, parts: int) -> list[float]:
    """``total`` in ``parts`` blocks of quarter hours (exact in binary); the last takes the remainder."""
    base = int(total * 4 // parts) / 4
    return [base] * (parts - 1) + [total - base * (parts - 1)]


# --- small synthetic values -----------------------------------------------------------------------

def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch in ".-"))


def phone_number(rng: random.Random) -> str:
    """A mobile number of the 040 123 4567 kind (synthetic), sometimes in +358 form."""
    prefix = rng.choice(("40", "50", "44", "45"))
    digits = f"{rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
    return f"+358 {prefix} {digits}" if rng.random() < 0.15 else f"0{prefix} {digits}"



def assign_units(units, terms: list[Term], blocks: list[float]) -> list[tuple[str, Term, float]]:
    """Fill ``units`` in curriculum order with the term blocks; a block crossing a unit's extent is split."""
    ends, total = [], 0.0
    for _name, extent in units:
        total += extent
        ends.append(total)
    out, pos = [], 0.0
    for term, hours in zip(terms, blocks, strict=True):
        left = hours
        while left > 0:
            i = next((k for k, end in enumerate(ends) if pos < end), len(units) - 1)
            take = left if i == len(units) - 1 else min(left, ends[i] - pos)
            out.append((units[i][0], term, take))
            pos += take
            left -= take
    return out


def muskari_unit(birth: date, day: date) -> str:
    age = age_on(birth, day)
    return MUSKARI_UNITS[0 if age < 1 else 1 if age < 3 else 2 if age < 5 else 3][0]
