"""Turning one raw cell value into its typed value, or into the code of what is wrong (pure)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

import pandas as pd

from toolkit.model.text import clean_text

_DMY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?\s*$")
_NUMBER = re.compile(r"^\s*[-+]?\d+(?:[.,]\d+)?\s*$")
MIN_DATE = date(1900, 1, 1)


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return clean_text(value) == ""
    return isinstance(value, float) and math.isnan(value)


def display(value) -> str:
    """The value as the owner would recognise it (in a message, an access answer): dates d.m.yyyy, whole
    numbers without decimals, decimals with a comma; blank (None, NaN, NaT) as ""."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def to_date(value) -> tuple[date | None, str | None]:
    """(date, None) or (None, error code). Accepts real dates, `d.m.yyyy`, `dd.mm.yyyy` and ISO text."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return (value, None) if value >= MIN_DATE else (None, "invalid-date")
    if isinstance(value, str):
        text = clean_text(value)
        match = _DMY.match(text)
        parts = (match.group(3), match.group(2), match.group(1)) if match else None
        if parts is None and (match := _ISO.match(text)):
            parts = match.groups()
        if parts:
            try:
                parsed = date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                return None, "invalid-date"
            return (parsed, None) if parsed >= MIN_DATE else (None, "invalid-date")
    return None, "invalid-date"   # numbers, booleans, times and any other text


def to_number(value) -> tuple[float | None, str | None]:
    if isinstance(value, bool):
        return None, "invalid-number"
    if isinstance(value, int | float):
        return (float(value), None) if math.isfinite(value) else (None, "invalid-number")
    if isinstance(value, str) and _NUMBER.match(clean_text(value)):
        return float(clean_text(value).replace(",", ".")), None
    return None, "invalid-number"


def to_text(value) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    if isinstance(value, timedelta):
        return str(value)
    return display(value)


_NUMBER_TEXT = re.compile(r"^(\d+)[.,]0+$")     # "12.0": what pandas makes of a number column, saved as text


def to_id(value) -> tuple[str | None, str | None]:
    """A student id is text ("0012"). A number in its cell (12, 12.0, 1.5), or the text "12.0" that a round
    trip through pandas leaves, is "id-as-number": Excel dropped the leading zeros."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None, "id-as-number"
    text = to_text(value)
    return (None, "id-as-number") if _NUMBER_TEXT.match(text) else (text, None)


def id_digits(value) -> str | None:
    """The whole number an id-as-number cell holds, as digits ("12" for 12, 12.0 or "12.0"); None for 1.5."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and value >= 0 else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value >= 0 else None
    match = _NUMBER_TEXT.match(to_text(value)) if isinstance(value, str) else None
    return str(int(match.group(1))) if match else None
