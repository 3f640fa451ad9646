"""The earlier versions of the register that the safe write keeps: `varmuuskopiot/` beside the register
(mode 0700), files of mode 0600 named ``<register stem>-<YYYYMMDD>-<HHMMSS>.xlsx`` from the write's time
(local), e.g. ``rekisteri-20261125-143012.xlsx``; ``-2``, ``-3``... within the same second, each name taken by an
exclusive create (two writers never choose the same name).

    write_backup_copy(register, old_bytes, now)        # before the replace
    take_free_name(temp, candidate_paths)              # an exclusive create of the first free name
    list_backup_copies(register)                       # [(path, datetime)], oldest first
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import FileProblem, os_reason
from toolkit.system.private_files import fill_private, sync_folder
from toolkit.xlsx.leftovers import TEMP_SUFFIX, temp_prefix

BACKUP_DIR = folders.BACKUP_COPIES
BACKUP_PATTERN = r"^(?P<stem>.+)-(?P<date>\d{8})-(?P<time>\d{6})(?:-(?P<n>\d+))?(?P<suffix>\.[xX][lL][sS][xXmM])$"


def backup_name(register: Path, now: datetime, n: int = 1) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return f"{register.stem}-{stamp}{'' if n == 1 else f'-{n}'}{register.suffix}"


def next_backup_path(register: Path, now: datetime, folder: Path) -> Path:
    """The first backup name for ``register`` at ``now`` in ``folder`` not yet taken (-2, -3 ... within a
    second). Only a hint: ``write_backup_copy`` takes its name by an exclusive create, never by this check."""
    n = 1
    while os.path.lexists(folder / backup_name(register, now, n)):
        n += 1
    return folder / backup_name(register, now, n)


def write_backup_copy(path: Path, data: bytes, now: datetime, backup_dir=None) -> Path:
    """A copy of the previous version, mode 0600, in ``varmuuskopiot/`` (created with mode 0700), under the
    first free name, taken exclusively: two writers at the same second get ``-2`` and never share a name."""
    folder = Path(backup_dir) if backup_dir else path.parent / BACKUP_DIR
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
        try:
            fill_private(handle, data)
            os.chmod(name, 0o600)
            target = _claim_name(Path(name), path, now, folder)
        finally:
            Path(name).unlink(missing_ok=True)
        sync_folder(folder)
    except OSError as error:
        raise FileProblem("previous-version-not-kept", folder=folder, reason=os_reason(error)) from None
    return target


def _claim_name(temp: Path, register: Path, now: datetime, folder: Path, tries: int = 10_000) -> Path:
    return take_free_name(temp, (folder / backup_name(register, now, n) for n in range(1, tries + 1)))


def take_free_name(temp: Path, names: Iterable[Path]) -> Path:
    """Give the finished file ``temp`` the first of ``names`` that is free, taken atomically: a hard link fails on
    a name that exists; where links are not supported (a FAT memory stick) the name is reserved by an exclusive
    create and ``temp`` renamed over that reservation. ``temp`` itself is left for the caller to remove."""
    target = None
    for target in names:
        try:
            os.link(temp, target)
            return target
        except FileExistsError:
            continue
        except OSError as error:
            if not _no_links(error):
                raise
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        try:
            os.replace(temp, target)
        except BaseException:
            target.unlink(missing_ok=True)      # our own empty reservation
            raise
        return target
    raise FileExistsError(errno.EEXIST, "no free name", str(target))


def _no_links(error: OSError) -> bool:
    """The file system has no hard links (FAT, exFAT, some network shares), as opposed to a real failure."""
    return isinstance(error, PermissionError) or error.errno in (
        errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK) \
        or getattr(error, "winerror", None) in (1, 50)      # ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED


def list_backup_copies(register, backup_dir=None) -> list[tuple[Path, datetime]]:
    """The register's backups made by ``write_changes`` with the time in their name, oldest first."""
    register = Path(register)
    folder = Path(backup_dir) if backup_dir else register.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = re.match(BACKUP_PATTERN, entry.name)
        if not match or match["stem"] != register.stem or not entry.is_file():
            continue
        try:
            stamp = datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
        except ValueError:
            continue
        found.append((entry, stamp, int(match["n"] or 1)))
    return [(entry, stamp) for entry, stamp, _n in sorted(found, key=lambda item: (item[1], item[2]))]
