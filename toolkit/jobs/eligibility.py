"""`muskari eligibility`: read and check the register, then the certificate status of every student for one day.

    run = run_eligibility(Path("rekisteri.xlsx"), date(2026, 6, 1))
    run.check.ok, run.results          # no results when the register has errors (they are never counted)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.jobs.check import load_checked
from toolkit.system.progress import big_rows, task

if TYPE_CHECKING:       # pandas loads inside the read, while fastexcel parses (toolkit.xlsx.reading)
    from toolkit.rules.eligibility import EligibilityResult
    from toolkit.rules.validation import CheckResult


@dataclass
class EligibilityRun:
    check: CheckResult
    results: list[EligibilityResult] = field(default_factory=list)


def run_eligibility(path: Path, as_of: date) -> EligibilityRun:
    _register, check = load_checked(path, as_of)
    from toolkit.rules.eligibility import assess_eligibility

    if not check.ok:
        return EligibilityRun(check)
    with task("progress-eligibility", 1, big=big_rows(len(check.tables.students))) as bar:
        results = assess_eligibility(check.tables, as_of)
        bar.advance()
    return EligibilityRun(check, results)
