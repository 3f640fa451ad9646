"""Writing exports that hold personal data: readable only by their owner (0600), never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from toolkit.errors import FileProblem


def write_private(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` with mode 0600: a temporary file in the same folder, synced, then renamed
    over the target (a symlink at ``path`` is replaced, never followed)."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".muskari-", suffix=".tmp", dir=path.parent)   # created 0600
    except OSError as error:
        raise FileProblem(f"Kansioon {path.parent} ei voi kirjoittaa ({error.strerror}).",
                          f"Cannot write to folder {path.parent} ({error.strerror}).") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        sync_folder(path.parent)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise FileProblem(f"Tiedostoa {path} ei voi kirjoittaa ({error.strerror}).",
                          f"Cannot write {path} ({error.strerror}).") from None
    return path


def create_private(path: str | Path, data: bytes) -> None:
    """Create ``path`` (never over an existing file) readable by its owner only, synced to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


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
        raise FileProblem(f"{path} on tiedosto, ei kansio. Anna kansion nimi.",
                          f"{path} is a file, not a folder. Give a folder name.")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem(f"Kansiota {path} ei voi luoda ({error.strerror}).",
                          f"Cannot create folder {path} ({error.strerror}).") from None
    return path
