"""Pure value formatting for people: Finnish dates and hours.

    format_date(date(2026, 6, 1))  -> "1.6.2026"
    format_hours(22.5)             -> "22,5 h"
    format_number(22.5, "en")      -> "22.5"
    kind_name("päättötodistus", "en") -> "final certificate"

Hours are rounded to two decimals and lose trailing zeros; no thousands grouping (a register's hours
stay below a few thousand and Excel shows them the same way).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache

DATE_FORMAT = "d.m.yyyy"            # the Excel number format of the register's date cells (1.6.2026)


def format_date(value: date | datetime | None, lang: str = "fi") -> str:
    """`1.6.2026` in Finnish; ISO `2026-06-01` in English (no ambiguous US/UK order). None -> ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if lang == "en":
        return value.isoformat()
    return f"{value.day}.{value.month}.{value.year}"


@lru_cache(maxsize=8192)   # a big register's results repeat the same few hundred hour values
def format_number(value: float | int | None, lang: str = "fi") -> str:
    """22.5 -> "22,5" (fi) / "22.5" (en); 60.0 -> "60"; rounded to two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if lang == "fi" else text


def format_hours(value: float | int | None, lang: str = "fi") -> str:
    """22.5 -> "22,5 h"; None -> ""."""
    number = format_number(value, lang)
    return f"{number} h" if number else ""


def format_years(first: int | None, last: int | None) -> str:
    """A study period in years: "2018–2026", or "2026" when it began and ended the same year."""
    if first is None or last is None:
        return ""
    return str(first) if first == last else f"{first}–{last}"


KIND_CODES = {"muskaritodistus": "muskari", "päättötodistus": "final", "osallistumistodistus": "participation"}


def kind_name(kind: str, lang: str = "fi") -> str:
    """A certificate kind (the register's Todistus value) in words: in Finnish as the register writes it, in
    English translated; a value the register does not know, as is."""
    from toolkit.model.messages import say

    code = KIND_CODES.get(kind)
    return say(f"certificate-kind-{code}", lang) if code else kind


def kind_phrase(kind: str):
    """A certificate kind as a word of a sentence, said in the sentence's language (see ``kind_name``)."""
    from toolkit.model.messages import Phrase

    code = KIND_CODES.get(kind)
    return Phrase(f"certificate-kind-{code}") if code else kind
