"""File identity and collisions: the fingerprint taken at read, and the lock files of Excel and LibreOffice.

    fp = fingerprint(path)            # at read time (toolkit.xlsx.reading stores it on the Register)
    ...
    check_unchanged(path, fp)         # just before a write: RegisterChanged (exit 3) if it moved on
    check_not_open(path)              # RegisterLocked (exit 3) when ~$name.xlsx or .~lock.name.xlsx# exists

A fingerprint is the file's size, its modification time in nanoseconds and the SHA-256 of its bytes:
size and mtime catch an ordinary save, the hash catches a save that keeps both (copying a file with its
times, a clock set back).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from toolkit.model.errors import FileProblem, RegisterChanged, RegisterLocked, os_reason

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str

    def same_as(self, other: Fingerprint) -> bool:
        return self == other


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(path: str | os.PathLike) -> Fingerprint:
    """Size, mtime_ns and SHA-256 of the file; FileProblem (exit 3) when it cannot be read."""
    path = Path(path)
    try:
        stat = path.stat()
        digest = _sha256(path)
    except FileNotFoundError:
        raise FileProblem("file-missing", path=path) from None
    except OSError as error:
        raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    return Fingerprint(size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=digest)


def lock_files(path: str | os.PathLike) -> list[Path]:
    """The lock files beside ``path`` that say the workbook is open in an office program.

    Excel writes ``~$name.xlsx`` (for long names it drops the first two characters: ``~$me.xlsx`` for
    ``name.xlsx`` is how Excel does it, so both spellings are looked for); LibreOffice writes
    ``.~lock.name.xlsx#``.
    """
    path = Path(path)
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")
    found = []
    for candidate in dict.fromkeys(candidates):
        lock = path.with_name(candidate)
        if os.path.lexists(lock):
            found.append(lock)
    return found


def check_not_open(path: str | os.PathLike) -> None:
    """RegisterLocked when the workbook is open in Excel or LibreOffice."""
    locks = lock_files(path)
    if locks:
        program = "LibreOffice" if locks[0].name.startswith(".~lock.") else "Excel"
        raise RegisterLocked("register-open", name=Path(path).name, program=program, lock=locks[0].name)


def check_unchanged(path: str | os.PathLike, expected: Fingerprint | None) -> Fingerprint:
    """RegisterChanged when the file differs from ``expected``; returns the current fingerprint."""
    current = fingerprint(path)
    if expected is not None and current != expected:
        raise RegisterChanged("register-changed", name=Path(path).name)
    return current
