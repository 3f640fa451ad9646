"""The one writer of files that hold personal data: readable only by their owner where the system has file modes
(0600 on macOS and Linux), never half-written. Windows ignores the mode (a file there has its folder's access
rights, private in the user's own folders) and a FAT memory stick has no rights at all: the README says so to
the owner (*Kuka tiedostot voi lukea*).

    write_private(path, data)                        # bytes
    write_private(path, workbook.save)               # or a function that writes to the file object it is given
    write_private(path, data, overwrite=False)       # never over an existing file (Refused, exit 3)

A temporary file in the same folder (mode 0600 from the start), written, flushed and synced, then renamed
over the target, or linked into place when nothing may be overwritten, and the folder synced, so a killed
process leaves the old file or the new one and never a partial one. A symbolic link at ``path`` is replaced,
never followed. ``verify(temp_path)`` runs on the finished temporary file before it takes the target's place.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from toolkit.model.errors import FileProblem, Refused, os_reason

Content = bytes | Callable[[BinaryIO], None]


class NameTaken(Refused):
    """``overwrite=False`` and a file of that name appeared: nothing was written (the caller may take another)."""


def write_private(path: str | Path, content: Content, *, overwrite: bool = True,
                  verify: Callable[[Path], None] | None = None) -> Path:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".muskari-", suffix=".tmp", dir=path.parent)   # created 0600
    except OSError as error:
        raise FileProblem("folder-unwritable", folder=path.parent, reason=os_reason(error)) from None
    temp = Path(tmp)
    try:
        fill_private(fd, content)
        make_private(temp)
        if verify is not None:
            verify(temp)
        if overwrite:
            os.replace(temp, path)
        else:
            _link_new(temp, path)
        sync_folder(path.parent)
    except FileExistsError:
        raise NameTaken("file-exists-not-replaced", path=path) from None
    except OSError as error:
        raise FileProblem("file-unwritable", path=path, reason=os_reason(error)) from None
    finally:
        temp.unlink(missing_ok=True)
    return path


def fill_private(fd: int, content: Content) -> None:
    """Write ``content`` into a file just created owner-only (``fd``: from mkstemp or ``os.open(..., 0o600)``),
    flush it and sync it to disk: the one way the writers here, in ``toolkit.xlsx`` and restore fill a file before
    it takes its name. The file descriptor is closed; an OSError is the caller's to say."""
    with os.fdopen(fd, "wb") as handle:
        if isinstance(content, (bytes, bytearray, memoryview)):
            handle.write(content)
        else:
            content(handle)
        handle.flush()
        os.fsync(handle.fileno())


def make_private(path: Path) -> None:
    """Mode 0600 (owner only). A memory stick's FAT file system has no modes: there the call is refused or
    unsupported and the file stays as the stick keeps every file (the README says what that means)."""
    try:
        os.chmod(path, 0o600)
    except PermissionError:
        pass
    except OSError as error:
        if error.errno not in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EINVAL):
            raise


def _link_new(temp: Path, path: Path) -> None:
    """Put ``temp`` at ``path`` only if nothing is there (a hard link fails on an existing name)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:                      # a file system without hard links (FAT memory sticks)
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(temp, path)


def create_private(path: str | Path, data: bytes) -> None:
    """Create ``path`` (never over an existing file: FileExistsError) readable by its owner only, synced."""
    fill_private(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), data)


def append_private(path: Path, text: str) -> None:
    """Append ``text`` (UTF-8) to ``path``, created readable by its owner only when new, and sync it to disk:
    the toolkit's lists beside its key (erased ids, outputs) grow this way, a line at a time."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def sync_folder(folder: str | Path) -> None:
    """fsync a folder, so a rename in it survives a power cut (best effort: some file systems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def private_folder(path: str | Path) -> Path:
    """Create the output folder (0700 when new); refuse a path that is a file."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileProblem("folder-is-file", path=path)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem("folder-not-created", folder=path, reason=os_reason(error)) from None
    return path
