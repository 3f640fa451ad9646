"""The notebooks' job: one register read, checked and decided for one day, for the semester review.

    review = load_review("rekisteri.xlsx", date(2026, 6, 1))
    review.eligibility, review.purge          # flat frames that toolkit.review.plots draws
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from toolkit.jobs.check import load_checked
from toolkit.model.errors import RegisterHasErrors
from toolkit.model.findings import has_errors
from toolkit.model.messages import Said, count_code
from toolkit.review.frames import Review, compute_eligibility, compute_purge
from toolkit.rules.purge import BackupCopy
from toolkit.xlsx.backup_copies import list_backup_copies


def load_review(register_path: str | Path, as_of: date | None = None) -> Review:
    """Read and check the register, then compute eligibility and purge for ``as_of`` (default today).

    Purge includes the expired backups in ``varmuuskopiot/`` beside the register, as `muskari purge` does.

    Raises ``RegisterHasErrors`` (naming the first problems) when the register has errors, and the
    toolkit's other MuskariErrors when the file cannot be read.
    """
    as_of = as_of or date.today()
    register, result = load_checked(Path(register_path), as_of)
    if has_errors(result.findings):
        errors = [f for f in result.findings if f.is_error]

        def first(lang: str) -> str:
            return " ".join(f"{f.sheet or ''} {f.cell or ''}: {f.message(lang)}".strip() for f in errors[:3])
        raise RegisterHasErrors(count_code("review-register-has-errors", len(errors)), count=len(errors),
                                register=register_path, first=Said(first))
    tables = result.tables
    backups = [BackupCopy(str(path), made.date()) for path, made in list_backup_copies(register_path)]
    return Review(as_of=as_of, tables=tables, eligibility=compute_eligibility(tables, as_of),
                  purge=compute_purge(tables, as_of, backups),
                  warnings=[f for f in result.findings if not f.is_error])
