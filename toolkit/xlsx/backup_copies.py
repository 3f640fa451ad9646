"""The earlier versions of the register that the safe write keeps: `varmuuskopiot/` beside the register
(mode 0700), files of mode 0600 named ``<register stem>-<YYYYMMDD>-<HHMMSS>.xlsx`` from the write's time
(local), e.g. ``rekisteri-20261125-143012.xlsx``; ``-2``, ``-3``... within the same second.

    write_backup_copy(register, old_bytes, now)        # before the replace
    list_backup_copies(register)                       # [(path, datetime)], oldest first
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import FileProblem
from toolkit.system.private_files import sync_folder

BACKUP_DIR = folders.BACKUP_COPIES
BACKUP_PATTERN = r"^(?P<stem>.+)-(?P<date>\d{8})-(?P<time>\d{6})(?:-(?P<n>\d+))?(?P<suffix>\.[xX][lL][sS][xXmM])$"
_TEMP_SUFFIX = ".muskari-tmp"


def backup_name(register: Path, now: datetime, n: int = 1) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return f"{register.stem}-{stamp}{'' if n == 1 else f'-{n}'}{register.suffix}"


def next_backup_path(register: Path, now: datetime, folder: Path) -> Path:
    """The first free backup name for ``register`` at ``now`` in ``folder`` (-2, -3 ... within a second)."""
    n = 1
    while (folder / backup_name(register, now, n)).exists():
        n += 1
    return folder / backup_name(register, now, n)


def write_backup_copy(path: Path, data: bytes, now: datetime, backup_dir=None) -> Path:
    """A copy of the previous version, mode 0600, in ``varmuuskopiot/`` (created with mode 0700)."""
    folder = Path(backup_dir) if backup_dir else path.parent / BACKUP_DIR
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        target = next_backup_path(path, now, folder)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.stem}.", suffix=_TEMP_SUFFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(name, 0o600)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        sync_folder(folder)
    except OSError as error:
        raise FileProblem(f"Rekisterin edellistä versiota ei voitu tallentaa kansioon {folder} ({error.strerror or error}). "
                          "Alkuperäinen rekisteri on ennallaan. Tarkista levytila ja oikeudet.",
                          f"The register's previous version could not be kept in {folder} "
                          f"({error.strerror or error}). The original register is unchanged. Check disk space and "
                          "permissions.") from None
    return target


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
