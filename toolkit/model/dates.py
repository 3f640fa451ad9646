"""Calendar arithmetic the rules share (pure): ages, birthdays and months, exactly as the contract counts them.

    age_on(date(2019, 3, 1), date(2026, 2, 28))   -> 6      (completed years)
    birthday(date(2020, 2, 29), 7)                -> 1.3.2027 (the 7th birthday; 29.2. falls on 1.3.)
    add_months(date(2026, 1, 31), 1)              -> 28.2.2026
    completed_months(date(2025, 8, 31), date(2026, 2, 28)) -> 5

``birthday_keys`` is the same rule on whole columns (yyyymmdd integers) for the vectorised rules.
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np


def is_leap(year: int) -> bool:
    return calendar.isleap(year)


def age_on(birth: date, day: date) -> int:
    """Completed years at ``day`` (a 29.2. birthday is reached on 1.3. in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: date, years: int) -> date:
    """The ``years``-th birthday; a 29.2. birthday falls on 1.3. in years without 29.2."""
    year = birth.year + years
    if (birth.month, birth.day) == (2, 29) and not is_leap(year):
        return date(year, 3, 1)
    return birth.replace(year=year)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter (31.1. + 1 = 28.2.)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def completed_months(start: date, day: date) -> int:
    """Completed calendar months from ``start`` to ``day`` (31.8. -> 28.2. is five, -> 1.3. six)."""
    return (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day)


def birthday_keys(years: np.ndarray, months: np.ndarray, days: np.ndarray, age: int) -> np.ndarray:
    """yyyymmdd of each ``age``-th birthday for birth dates given as year, month and day arrays."""
    year = years + age
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_day = months * 100 + days
    month_day = np.where((month_day == 229) & ~leap, 301, month_day)
    return (year * 10000 + month_day).astype(np.int64)
