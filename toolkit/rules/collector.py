"""Gathering the check's findings: at most one per cell, and one cause said once.

A finding that follows from another (the same unknown unit on 27 rows, the study rows a future birth date
puts before birth, the study rows of an id Excel turned into a number) names its possible causes as
``(sheet, cell or column, code)``; when one of them was found, it is folded into that finding's ``related``
instead of being listed on its own.
"""

from __future__ import annotations

from dataclasses import replace

from toolkit.model.findings import Finding, sort_findings

Cause = tuple  # (sheet, cell or column, code) of the finding another follows from


def cause_of(finding: Finding) -> Cause:
    return (finding.sheet, finding.cell or finding.column, finding.code)


class FindingCollector:
    def __init__(self):
        self.items: list[Finding] = []
        self._cells: set[tuple[str, str]] = set()
        self._roots: set[Cause] = set()
        self._related: dict[Cause, list[Finding]] = {}

    def add(self, finding: Finding, causes: tuple[Cause, ...] = ()) -> None:
        """Keep ``finding`` unless its cell already has one; fold it into the first of ``causes`` found."""
        if finding.cell is not None:
            k = (finding.sheet, finding.cell)
            if k in self._cells:
                return
            self._cells.add(k)
        for cause in causes:
            if cause in self._roots:
                self._related.setdefault(cause, []).append(finding)
                return
        self._roots.add(cause_of(finding))
        self.items.append(finding)

    def taken(self, sheet: str, cell: str) -> bool:
        return (sheet, cell) in self._cells

    def has(self, cause: Cause) -> bool:
        return cause in self._roots

    def replace_at(self, sheet: str, cell: str, finding: Finding) -> None:
        """``finding`` instead of whatever was found at the cell (an identity code outranks everything)."""
        gone = [f for f in self.items if f.sheet == sheet and f.cell == cell]
        for f in gone:
            self._roots.discard(cause_of(f))
        self.items = [f for f in self.items if not (f.sheet == sheet and f.cell == cell)]
        self._cells.discard((sheet, cell))
        self.add(finding)

    def regroup(self, code: str, decide) -> None:
        """Every kept finding of ``code`` once through ``decide(finding) -> (new finding, root or None)``: the new
        finding (more words, the same place and code) replaces it, or is folded under ``root`` when one is given
        (the same problem on another row). One pass, however many findings there are."""
        kept = []
        for f in self.items:
            if f.code != code:
                kept.append(f)
                continue
            new, root = decide(f)
            if root is None:
                kept.append(new)
            else:
                self._roots.discard(cause_of(f))
                self._related.setdefault(cause_of(root), []).append(new)
        self.items = kept

    def findings(self) -> list[Finding]:
        """Workbook order; each root with its folded findings, themselves in workbook order."""
        out = []
        for f in self.items:
            folded = self._related.get(cause_of(f))
            out.append(replace(f, related=tuple(sort_findings(folded))) if folded else f)
        return sort_findings(out)
