"""Findings: problems in the owner's data. Rules yield them; nothing raises them.

    make("missing-value", sheet="Oppilaat", cell="B7", row=7, column="Etunimi")

A finding's severity and its sentences come from the message catalogue (``toolkit.model.messages``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.messages import say, say_count, severity_of
from toolkit.model.refs import column_letters

ERROR = "error"
WARNING = "warning"


column_letter = column_letters   # 1 -> A, 27 -> AA (Excel's column letters)


@dataclass(frozen=True)
class Finding:
    code: str                      # stable kebab-case, a finding code of the message catalogue
    severity: str                  # "error" or "warning"
    sheet: str | None = None
    cell: str | None = None        # "D14"; None for a whole sheet or workbook
    row: int | None = None         # Excel row number
    column: str | None = None      # the header the owner sees
    value: str | None = None       # the offending value as shown (never a full identity code)
    params: dict = field(default_factory=dict, compare=False, hash=False)  # extra words for the message
    # findings that follow from this one (the same unknown name on other rows, the study rows a wrong birth
    # date puts before birth, ...): said once here with their count; an annotated copy still marks each cell
    related: tuple[Finding, ...] = field(default=(), compare=False, hash=False)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str = "fi") -> str:
        text = self.own_message(lang)
        return " ".join([text, *related_sentences(self, lang)]) if self.related else text

    def own_message(self, lang: str = "fi") -> str:
        """The sentence about this cell alone, without what follows from it."""
        return say(self.code, lang, **{"sheet": self.sheet or "", "cell": self.cell or "", "column": self.column or "",
                                       "value": self.value if self.value is not None else "", **self.params})

    def to_dict(self, lang: str = "fi") -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "column": self.column, "value": self.value, "message": self.message(lang),
                "count": len(self.related),
                "related_cells": [{"sheet": f.sheet, "cell": f.cell, "row": f.row, "column": f.column, "code": f.code,
                                   "value": f.value} for f in self.related]}


SHOWN_CELLS = 5   # cells named in a folded finding's sentence; the rest are counted


def related_sentences(root: Finding, lang: str) -> list[str]:
    """One sentence per kind of consequence: "27 opintoriviä viittaa tähän oppilasnumeroon: Opinnot: A3, ...".
    The catalogue says it as same-CODE (the same problem on other rows), folded-ROOT-CODE or folded-CODE,
    each said as CODE-one for a count of 1 and CODE-many otherwise."""
    from toolkit.model.messages import catalogue

    by_code: dict[str, list[Finding]] = {}
    for f in root.related:
        by_code.setdefault(f.code, []).append(f)
    known = catalogue()
    out = []
    for code, group in by_code.items():
        names = [f"same-{code}"] if code == root.code else [f"folded-{root.code}-{code}", f"folded-{code}"]
        base = next((n for n in names if f"{n}-one" in known), "folded-other")
        out.append(say_count(base, lang, len(group), cells=cells_text(group, lang)))
    return out


def cells_text(findings, lang: str) -> str:
    """"Opinnot: A3, A4, A6 ja 22 muuta" — the first cells by sheet, the rest counted."""
    shown: dict[str, list[str]] = {}
    for f in findings[:SHOWN_CELLS]:
        shown.setdefault(f.sheet or "", []).append(f.cell or f.column or "")
    text = "; ".join(f"{sheet}: {', '.join(refs)}" for sheet, refs in shown.items())
    rest = len(findings) - SHOWN_CELLS
    if rest > 0:
        text += " " + say_count("more-cells", lang, rest)
    return text


def make(code: str, **kwargs) -> Finding:
    """A finding with the catalogue's severity for ``code``."""
    params = kwargs.pop("params", {}) or {}
    return Finding(code=code, severity=severity_of(code), params=params, **kwargs)


def cell_ref(column_index: int, row: int) -> str:
    return f"{column_letter(column_index)}{row}"


def has_errors(findings) -> bool:
    return any(f.is_error for f in findings)


def sort_findings(findings) -> list[Finding]:
    """Workbook order: sheet as given, then row, then column."""
    from workbook_schema import SHEET_ORDER

    order = {name: i for i, name in enumerate(SHEET_ORDER)}

    def key(f: Finding):
        col = f.cell.rstrip("0123456789") if f.cell else ""
        return (order.get(f.sheet or "", -1 if f.sheet is None else 99), f.row or 0, len(col), col, f.code)

    return sorted(findings, key=key)
