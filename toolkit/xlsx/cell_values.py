"""How a Python value becomes an Excel cell value, exactly and without surprises.

- ``str`` is written as an inline string (``t="inlineStr"``): never a formula, whatever it starts with
  (``=``, ``+``, ``-``, ``@``, tab); leading zeros and surrounding spaces stay.
- Characters XML cannot hold (control characters such as U+001F) are written the way Excel itself
  stores them, ``_x001F_``, and a text that already looks like such an escape (``_x0041_``) gets
  Excel's own escape for the underscore (``_x005F_x0041_``). Excel and python-calamine (the toolkit's
  reader) decode both, so every text reads back exactly as it was written. Lone surrogates and the
  non-characters U+FFFE/U+FFFF (not text at all; no reader gives them back) and texts over Excel's
  32 767 characters are refused with ``UnwritableValue``.
- ``date`` becomes a date serial in the workbook's date system with number format ``d.m.yyyy``
  (the cell keeps its own date format if it already has one); ``datetime`` the same with
  ``d.m.yyyy h:mm``. Dates before 1.3.1900 are refused (Excel cannot show them as dates).
- ``int``/``float``/``Decimal`` are numbers (NaN and infinities refused), ``bool`` a boolean,
  ``None`` (or pandas' NA/NaT) clears the value and keeps the cell's formatting.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal

from toolkit.model.errors import MuskariError

MAX_TEXT = 32767
DATETIME_FORMAT = "d.m.yyyy h:mm"

_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_FIRST_1900 = date(1900, 3, 1)

# XML 1.0 forbids these; Excel stores them as _xHHHH_.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOOKS_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff\ufffe\uffff]")   # not text: lone surrogates, non-characters


class UnwritableValue(MuskariError):
    """A value that an Excel cell cannot hold exactly; nothing was written."""


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:  # pandas NA / NaT without importing pandas
        return type(value).__name__ in ("NAType", "NaTType")
    except Exception:  # pragma: no cover
        return False


def encode_text(text: str) -> str:
    """The text as stored in the cell's XML: XML-forbidden characters and escape look-alikes escaped."""
    if _SURROGATE.search(text):
        raise UnwritableValue("value-broken-character")
    if len(text) > MAX_TEXT:
        raise UnwritableValue("value-text-too-long", length=len(text), limit=MAX_TEXT)
    text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def date_serial(value: date | datetime, date1904: bool = False) -> float:
    """Excel's serial number of a date or datetime."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    if date1904:
        if moment < _EPOCH_1904:
            raise _too_early(value)
        delta = moment - _EPOCH_1904
    else:
        if moment.date() < _FIRST_1900:
            raise _too_early(value)
        delta = moment - _EPOCH_1900
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float(delta.days) if serial == delta.days else serial


def _too_early(value) -> UnwritableValue:
    return UnwritableValue("value-date-too-early", value=value)


def classify(value: object) -> tuple[str, object]:
    """(kind, normalised value): kind is one of none, text, date, datetime, number, bool."""
    if is_missing(value):
        return "none", None
    if isinstance(value, bool):
        return "bool", value
    if isinstance(value, datetime):
        if type(value).__name__ == "Timestamp":
            value = value.to_pydatetime()
        if value.time() == time() and value.tzinfo is None:
            return "date", value.date()
        return "datetime", value
    if isinstance(value, date):
        return "date", value
    if isinstance(value, (int, float, Decimal)) or type(value).__module__ == "numpy":
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise UnwritableValue("value-not-finite", value=value)
        return "number", number
    if isinstance(value, str):
        encode_text(value)  # refuse early
        return "text", value
    raise UnwritableValue("value-unknown-type", kind=type(value).__name__)


def xml_number(number: float) -> str:
    """A number as a cell's <v> holds it: whole numbers without a decimal point, others exactly (repr)."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


_BUILTIN_DATE_IDS = set(range(14, 23)) | {45, 46, 47}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_date_format(num_fmt_id: int, code: str | None) -> bool:
    """True for Excel's built-in date formats and custom codes that show a date or time."""
    if num_fmt_id in _BUILTIN_DATE_IDS:
        return True
    if not code:
        return False
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bare != "general" and any(ch in bare for ch in "dmyhs")
