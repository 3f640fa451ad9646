"""What a killed muskari process leaves beside the register, and its removal at the next start.

    remove_leftovers(register)     # called by toolkit.xlsx.lock while it holds the register's lock

The safe write's temporary copies (``.<name>.<random>.muskari-tmp`` beside the register and in
``varmuuskopiot/``) and restore's staging folder (``.<name>.muskari-palautus-<random>``) exist only while a
writer holds the register's lock; whoever holds the lock next knows their writer is gone, so they are removed
whatever their age (they hold the whole register). Temporary files of the toolkit's other writers
(``.muskari-<random>.tmp``, from ``toolkit.system.private_files``: annotated copies, access answers) are not
under the register's lock: those beside the register are removed once untouched for ``OTHER_TEMP_SECONDS``.
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
    places = [(folder, patterns), (folder / folders.BACKUP_COPIES, patterns[:1])]
    return any(_glob(place, pattern) for place, chosen in places for pattern in chosen)


def remove_leftovers(register: Path, now: float | None = None) -> list[Path]:
    """Remove a dead writer's temporary files of ``register`` (the caller holds its lock); returns them."""
    now = time.time() if now is None else now
    removed = []
    folder = register.parent
    ours = glob_escape(temp_prefix(register))
    for place in (folder, folder / folders.BACKUP_COPIES):
        for temp in _glob(place, f"{ours}*{TEMP_SUFFIX}"):
            removed += _unlink(temp)
        # an older version named them by the stem only: removed once they are surely not in use
        for temp in _glob(place, f".{glob_escape(register.stem)}.*{TEMP_SUFFIX}"):
            if _older(temp, now, OTHER_TEMP_SECONDS):
                removed += _unlink(temp)
    for staging in _glob(folder, f"{glob_escape(staging_prefix(register))}*"):
        removed += _rmtree(staging)
    for staging in _glob(folder, f"{STAGING_INFIX}*"):          # an older version's name for it
        if _older(staging, now, OTHER_TEMP_SECONDS):
            removed += _rmtree(staging)
    for temp in _glob(folder, ".muskari-*.tmp"):
        if _older(temp, now, OTHER_TEMP_SECONDS):
            removed += _unlink(temp)
    return removed


def _glob(folder: Path, pattern: str) -> list[Path]:
    try:
        return list(folder.glob(pattern)) if folder.is_dir() else []
    except OSError:
        return []


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
