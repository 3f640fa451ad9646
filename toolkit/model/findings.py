"""Findings: problems in the owner's data. Rules yield them; nothing raises them.

    make("missing-value", sheet="Oppilaat", cell="B7", row=7, column="Etunimi")

A finding's severity and its sentences come from the message catalogue (``toolkit.model.messages``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.model.messages import say, severity_of
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

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str = "fi") -> str:
        return say(self.code, lang, **{"sheet": self.sheet or "", "cell": self.cell or "", "column": self.column or "",
                                       "value": self.value if self.value is not None else "", **self.params})

    def to_dict(self, lang: str = "fi") -> dict:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "column": self.column, "value": self.value, "message": self.message(lang)}


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
