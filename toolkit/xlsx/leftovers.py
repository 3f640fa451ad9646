"""What a killed muskari process leaves beside the register, and its removal at the next start.

    remove_leftovers(register)     # called by toolkit.xlsx.lock while it holds the register's lock

The safe write's temporary copies (``.<name>.<random>.muskari-tmp`` beside the register and in
``varmuuskopiot/``), an erasure's rewritten earlier versions (``varmuuskopiot/.<stem>-<time>.<random>.muskari-tmp``)
and restore's staging folder (``.<name>.muskari-palautus-<random>``) exist only while a writer holds the
register's lock; whoever holds the lock next knows their writer is gone, so they are removed whatever their age
(they hold the whole register), but only those last written before this process started: the process's own (an
erasure prepares its versions before its write) are never touched. Temporary files of the toolkit's other
writers (``.muskari-<random>.tmp``, from ``toolkit.system.private_files``: annotated copies, access answers) are
not under the register's lock: those beside the register are removed once untouched for ``OTHER_TEMP_SECONDS``.
Nothing else is ever touched, and a file that cannot be removed is left for the next time.
"""

from __future__ import annotations

import shutil
import time
from glob import escape as glob_escape
from pathlib import Path

from toolkit.model import folders

TEMP_SUFFIX = ".muskari-tmp"
STAGING_INFIX = ".muskari-palautus-"
OTHER_TEMP_SECONDS = 120.0


def temp_prefix(register: Path) -> str:
    """The prefix of the safe write's temporary files of ``register`` (the suffix is TEMP_SUFFIX)."""
    return f".{register.name}."


def staging_prefix(register: Path) -> str:
    """The prefix of restore's staging folder for ``register``."""
    return f".{register.name}{STAGING_INFIX}"


def has_leftovers(register: Path) -> bool:
    """Whether anything a killed writer may have left is beside ``register`` (a cheap look before the lock)."""
    folder = register.parent
    patterns = [f".{glob_escape(register.stem)}.*{TEMP_SUFFIX}", f"{glob_escape(staging_prefix(register))}*",
                f"{STAGING_INFIX}*", ".muskari-*.tmp"]
    versions = [patterns[0], f".{glob_escape(register.stem)}-*{TEMP_SUFFIX}"]
    places = [(folder, patterns), (folder / folders.BACKUP_COPIES, versions)]
    return any(_glob(place, pattern) for place, chosen in places for pattern in chosen)


def remove_leftovers(register: Path, now: float | None = None, started: float | None = None) -> list[Path]:
    """Remove a dead writer's temporary files of ``register`` (the caller holds its lock); returns them. Only
    files last written before this process started are a dead writer's: this process's own are never touched."""
    now = time.time() if now is None else now
    started = process_started() if started is None else started
    removed = []
    folder = register.parent
    backups = folder / folders.BACKUP_COPIES
    stem = glob_escape(register.stem)
    for place in (folder, backups):
        for temp in _glob(place, f"{glob_escape(temp_prefix(register))}*{TEMP_SUFFIX}", started):
            removed += _unlink(temp)
        # an older version named them by the stem only: removed once they are surely not in use
        for temp in _glob(place, f".{stem}.*{TEMP_SUFFIX}"):
            if _older(temp, now, OTHER_TEMP_SECONDS):
                removed += _unlink(temp)
    # an erasure rewrites each earlier version beside it (toolkit.xlsx.copy_rewrite), also under the lock
    for temp in _glob(backups, f".{stem}-*{TEMP_SUFFIX}", started):
        removed += _unlink(temp)
    for staging in _glob(folder, f"{glob_escape(staging_prefix(register))}*", started):
        removed += _rmtree(staging)
    for staging in _glob(folder, f"{STAGING_INFIX}*"):          # an older version's name for it
        if _older(staging, now, OTHER_TEMP_SECONDS):
            removed += _rmtree(staging)
    for temp in _glob(folder, ".muskari-*.tmp"):
        if _older(temp, now, OTHER_TEMP_SECONDS):
            removed += _unlink(temp)
    for draft in _glob(folder, f".{glob_escape(register.name)}.muskari-lock.*.luonnos"):   # a lock half made
        if _older(draft, now, OTHER_TEMP_SECONDS):
            removed += _unlink(draft)
    return removed


def _glob(folder: Path, pattern: str, before: float | None = None) -> list[Path]:
    """The entries matching ``pattern``; with ``before``, only those last written before that time."""
    try:
        found = list(folder.glob(pattern)) if folder.is_dir() else []
    except OSError:
        return []
    return found if before is None else [p for p in found if _older(p, before, 0.0)]


_STARTED: list[float] = []


def process_started() -> float:
    """When this process started (from the system where it tells, give or take the second Linux rounds its boot
    time to; else when this module was first asked)."""
    if not _STARTED:
        import os

        from toolkit.system.processes import process_state

        started = process_state(os.getpid())[1]
        _STARTED.append(min(started + 1.0, time.time()) if started else time.time())
    return _STARTED[0]


def _older(path: Path, now: float, seconds: float) -> bool:
    try:
        return now - path.lstat().st_mtime > seconds
    except OSError:
        return False


def _unlink(path: Path) -> list[Path]:
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
            return [path]
    except OSError:
        pass
    return []


def _rmtree(path: Path) -> list[Path]:
    try:
        if path.is_symlink():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            return []
    except OSError:
        return []
    return [path]
