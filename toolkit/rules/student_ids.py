"""Student ids that Excel turned into numbers (`12` for `0012`): the likely text of each, and the same
number on many rows said once (at its Oppilaat cell when Oppilaat has it as a number too).

The likely text is the register's own id with that number when another sheet holds it ("did you mean
0012?"), else the number padded with zeros to the width the other ids share, else its digits. In
Oppilaat a padded guess that another student already has is said to be taken, never suggested.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from toolkit.model.findings import Finding
from toolkit.model.messages import Phrase
from toolkit.rules.collector import Cause, FindingCollector, cause_of

STUDENTS = "Oppilaat"


def number_key(digits: str) -> str:
    """The comparison key of an all-digit id: its number ("0012" and "12" are both "12")."""
    return digits.lstrip("0") or "0"


def advise_ids(out: FindingCollector, typed: dict[str, dict]) -> dict[str, Cause]:
    """Give every id-as-number finding its likely text; fold the same number on other rows of a sheet into its
    first row. Returns number key -> the Oppilaat finding of that number, for the study rows that refer to it."""
    if not any(f.code == "id-as-number" for f in out.items):
        return {}
    ids = [v for v in typed.get(STUDENTS, {}).get("values", {}).get("Oppilasnumero", []) if isinstance(v, str)]
    taken = set(ids)
    by_number = {number_key(v): v for v in taken if v.isdigit()}
    width, padded = _id_width(ids or _other_ids(typed))
    roots: dict[tuple, Finding] = {}          # one number: its Oppilaat cell, else its first row elsewhere
    number_ids: dict[str, Cause] = {}

    def decide(old: Finding) -> tuple[Finding, Finding | None]:   # Oppilaat comes first
        new = replace(old, params={**old.params, **_advice(old, by_number, taken, width, padded)})
        digits = old.params.get("digits")
        same = ("number", number_key(digits)) if digits is not None else (old.sheet, old.column, old.value)
        first = roots.setdefault(same, new)
        if old.sheet == STUDENTS:
            if digits is not None:
                number_ids.setdefault(number_key(digits), cause_of(new))
            return new, None
        return new, (None if first is new else first)

    out.regroup("id-as-number", decide)
    return number_ids


def _advice(finding: Finding, by_number: dict[str, str], taken: set[str], width: int, padded: bool) -> dict:
    digits = finding.params.get("digits")
    if digits is None:                                       # 1.5 or -3: no guess
        return {"advice": Phrase("id-as-number-decimal")}
    guess = digits.zfill(width) if padded else digits
    if finding.sheet == STUDENTS:
        if guess in taken:
            return {"advice": Phrase("id-as-number-taken"), "suggestion": guess}
    else:
        guess = by_number.get(number_key(digits), guess)
    return {"advice": Phrase("id-as-number-plain" if guess == digits else "id-as-number-padded"), "suggestion": guess}


def _other_ids(typed: dict[str, dict]) -> list[str]:
    """The text ids of the sheets that refer to students, when Oppilaat has none."""
    out = []
    for data in typed.values():
        if "Oppilasnumero" in data.get("values", {}):
            out.extend(v for v in set(data["values"]["Oppilasnumero"]) if isinstance(v, str))
    return out


def _id_width(ids: list[str]) -> tuple[int, bool]:
    """(the width most all-digit ids share, whether ids of that width are padded with leading zeros)."""
    widths = Counter(len(v) for v in ids if v.isdigit())
    if not widths:
        return 0, False
    width = widths.most_common(1)[0][0]
    return width, any(v[:1] == "0" and len(v) == width and v.isdigit() for v in ids)
