"""Finding Finnish identity codes (henkilötunnus) in free text.

A hetu-shaped value is sensitive whether or not its check character is right (a typo of a real
code is still a real code). python-stdnum validates; dashes pasted from word processors (en dash,
minus sign, ...) count as the hyphen.
"""

from __future__ import annotations

import re

from stdnum.fi import hetu

# DDMMYY, century sign (dash variants included), NNN, check character
CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])([0-3][0-9][01][0-9][0-9]{2})([-+ABCDEFUVWXY\u2010\u2011\u2012\u2013\u2014\u2212])"
    r"([0-9]{3})([0-9A-Ya-y])(?![0-9A-Za-z])"
)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"


def find_identity_codes(text: str) -> list[tuple[str, bool]]:
    """Every hetu-shaped substring of ``text`` as (code with a plain hyphen, check character valid)."""
    found = []
    for match in CANDIDATE.finditer(text):
        day, sign, number, check = match.groups()
        if not (1 <= int(day[:2]) <= 31 and 1 <= int(day[2:4]) <= 12):
            continue
        sign = "-" if sign in _DASHES else sign
        code = f"{day}{sign}{number}{check.upper()}"
        try:
            hetu.validate(code, allow_temporary=True)
            valid = True
        except Exception:  # stdnum's ValidationError subclasses: wrong check character or date
            valid = False
        found.append((code, valid))
    return found


def mask(code: str) -> str:
    """Never echo a found code in full: keep only the first two characters."""
    return code[:2] + "****" + code[6] + "****"
