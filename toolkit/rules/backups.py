"""When a backup has expired: the one rule for both kinds the toolkit keeps (*Varmuuskopioiden säilytys (pv)*).

- ``BackupCopy``: an earlier version of the register that the safe write kept in ``varmuuskopiot/``
  (purge rule ``backup-expired``);
- ``EncryptedBackup``: an encrypted copy `muskari backup` made on a memory stick (removed by the next backup).

A backup expires when it is more than ``keep_days`` whole days old on ``today``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class BackupCopy:
    """An earlier version of the register in ``varmuuskopiot/``, as the rules see it."""

    path: str          # shown to the owner and deleted by the job
    made: date


@dataclass(frozen=True)
class EncryptedBackup:
    """An encrypted backup on the memory stick (the time is read from its name)."""

    path: Path
    created: datetime


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def is_expired(made: date | datetime, today: date, keep_days: int) -> bool:
    return (today - _day(made)).days > keep_days


def expired_backups(backups: Iterable[EncryptedBackup], today: date, keep_days: int) -> list[EncryptedBackup]:
    """The encrypted backups older than ``keep_days`` days on ``today``."""
    return [b for b in backups if is_expired(b.created, today, keep_days)]
