"""Free text that looks like health data (a Finnish word list; stems match inflected forms)."""

from __future__ import annotations

import re

# Diagnoses, conditions, medicines, allergies and care words, as stems.
HEALTH_STEMS = (
    "astma", "allergi", "allerginen", "diabete", "diabeet", "epilep", "adhd", "autis", "asperger", "lääk",
    "diagno", "sairau", "sairas", "masennu", "ahdistu", "migreen", "keliak", "laktoosi", "gluteeni",
    "kuulovam", "näkövam", "kehitysvam", "cp-vam", "dysleks", "lukihäiriö", "insuliin", "adrenaliin", "epipen",
    "terapi", "kuntoutu", "leikkau", "sairaal", "psyki", "neurolog", "oireyhtymä", "syöpä", "syöv", "kortison",
    "avanne", "atopi", "ihottuma", "sydänvika", "sydänsairau", "anafyla", "pähkinäallerg", "tourette",
    "mielenterv", "paniikkihäiriö", "syömishäiriö", "raskau", "kipulääk", "migreeni", "rokot", "infektio",
)
HEALTH_PATTERN = re.compile(r"(?<![\w])(" + "|".join(re.escape(s) for s in HEALTH_STEMS) + r")\w*", re.IGNORECASE)


def find_health_terms(text: str) -> list[str]:
    """The words of ``text`` that look like health data, as written."""
    return [m.group(0) for m in HEALTH_PATTERN.finditer(text)]
