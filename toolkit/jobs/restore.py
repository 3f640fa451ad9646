"""`muskari restore`: a backup decrypted and put back, with every recorded erasure replayed first.

Restore decrypts everything into a hidden staging folder beside the target, replays the erasures recorded
since (``replay``; by default every recorded one, see ``replay_recorded_erasures``), and only then moves the
files into place, so an erased person never reappears, not even for a moment.

It writes only the register and the documents its manifest lists under the certificates folder
(``todistukset/``): any other path a backup names (``.bashrc``, ``.config/autostart/…``, a hidden file) is not
written and is reported. It never writes through a link: a folder on the way that is a symbolic link is refused.
Members are streamed to disk in chunks (``toolkit.jobs.backup.open_backup`` checks their sizes first), the
folders it makes are 0700 and the files 0600, and it holds the register's lock (``toolkit.xlsx.lock``) from the
first look at an existing register to the replace.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from toolkit.jobs.backup import (
    DOCUMENTS_FOLDER,
    BackupReader,
    cannot_write,
    not_a_backup,
    open_backup,
    safe_relative,
)
from toolkit.jobs.purge import replay_erasures
from toolkit.model.errors import FileProblem, Refused, os_reason
from toolkit.model.messages import count_code
from toolkit.system.outputs import check_output
from toolkit.system.private_files import fill_private, sync_folder
from toolkit.system.secrets import read_erasures
from toolkit.xlsx.backup_copies import write_backup_copy
from toolkit.xlsx.fingerprint import check_not_open
from toolkit.xlsx.leftovers import staging_prefix
from toolkit.xlsx.lock import register_lock
from toolkit.xlsx.replace import replace_register


@dataclass
class RestoreResult:
    register: Path
    documents: list[Path]
    replayed: object = None      # whatever ``replay`` returned (the erasure replay's report)
    previous: Path | None = None  # where the register that --force replaced was kept
    skipped: list[str] = field(default_factory=list)   # manifest paths not written (outside todistukset/)


def restore_target(target: Path, register_name: str) -> Path:
    """``--to`` may name the register file, or a folder (existing, or a new name without a suffix)."""
    is_folder = target.is_dir() or (not target.exists() and target.suffix == "")
    return target / register_name if is_folder else target


def restore_backup(backup: Path, target: Path, password: str, *, force: bool = False,
                   replay: Callable[[Path], object] | None = None, now: datetime | None = None) -> RestoreResult:
    """Decrypt ``backup`` into ``target`` (a register path or a folder). Documents go to their paths
    relative to the restored register's folder. ``replay(staged_register)`` runs on the staged copy
    before anything is moved into place. A register that ``force`` replaces is first copied to
    ``varmuuskopiot/`` beside it (named as the safe writer names its backups, so purge expires it)."""
    with open_backup(Path(backup), password) as reader:
        name = reader.register_name
        if name != Path(name).name or safe_relative(name) is None:
            raise not_a_backup(Path(backup), "not-backup-unsafe-path", file=name)
        register_path = restore_target(Path(target), name)
        if register_path.suffix.lower() != ".xlsx":
            raise Refused("restore-suffix", name=register_path.name)
        documents, skipped = _documents(reader)
        base = register_path.parent
        _refuse_links(base, [register_path, *(base / rel for rel in documents)])
        _refuse_existing([register_path, *(base / rel for rel in documents)], force)
        for path in [register_path, *(base / rel for rel in documents)]:
            check_output(path, force=True)    # the one output guard: never into varmuuskopiot/, never via a link
        _make_folders(base)
        with register_lock(register_path):
            done = _restore(reader, register_path, documents, replay, now or datetime.now())
    done.skipped = skipped
    return done


def _documents(reader: BackupReader) -> tuple[dict[PurePosixPath, dict], list[str]]:
    """The documents to write (relative path -> manifest item): under todistukset/, no hidden names; the rest
    are only reported. A path that leaves the folder means the backup was tampered with: refused."""
    documents, skipped = {}, []
    for item in reader.files:
        if item["role"] != "document":
            continue
        rel = safe_relative(item["path"])
        if rel is None:
            raise not_a_backup(reader.path, "not-backup-unsafe-path", file=item["path"])
        if len(rel.parts) < 2 or rel.parts[0] != DOCUMENTS_FOLDER or \
                any(part.startswith((".", "~$")) for part in rel.parts) or rel in documents:
            skipped.append(item["path"])
            continue
        documents[rel] = item
    return documents, skipped


def _refuse_links(base: Path, paths: list[Path]) -> None:
    """Refuse when a folder between ``base`` and a file to write is a link (or no folder), or the file is a
    folder: restore never writes through a link."""
    for path in paths:
        current = base
        for part in path.relative_to(base).parts[:-1]:
            current = current / part
            try:
                mode = current.lstat().st_mode
            except FileNotFoundError:
                break
            except OSError as error:
                raise cannot_write(current, error) from None
            if not stat.S_ISDIR(mode):
                raise Refused("restore-through-link", path=current)
        try:
            if stat.S_ISDIR(path.lstat().st_mode):
                raise Refused("restore-through-link", path=path)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise cannot_write(path.parent, error) from None


def _refuse_existing(paths: list[Path], force: bool) -> None:
    existing = [p for p in paths if os.path.lexists(p)]
    if existing and not force:
        raise Refused(count_code("restore-exists", len(existing)), path=existing[0], count=len(existing))


def _make_folders(folder: Path) -> None:
    """``folder`` and every missing folder above it, each made 0700 (never through a link: see _refuse_links)."""
    missing = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700)
    except FileExistsError:
        if not folder.is_dir():
            raise Refused("restore-through-link", path=folder) from None
    except OSError as error:
        raise cannot_write(folder, error) from None


def _restore(reader: BackupReader, register_path: Path, documents: dict[PurePosixPath, dict],
             replay: Callable[[Path], object] | None, now: datetime) -> RestoreResult:
    base = register_path.parent
    if os.path.lexists(register_path):
        check_not_open(register_path)
    try:
        staging = Path(tempfile.mkdtemp(dir=base, prefix=staging_prefix(register_path)))  # mode 0700
    except OSError as error:
        raise cannot_write(base, error) from None
    moved: list[Path] = []
    new: list[Path] = []           # documents this restore adds (taken away again if it fails)
    previous = None
    try:
        staged = staging / register_path.name
        register_item = next(f for f in reader.files if f["role"] == "register")
        _extract(reader, register_item, staged)
        for rel, item in documents.items():
            _make_folders(staging / rel.parent)
            _extract(reader, item, staging / rel)
        replayed = replay(staged) if replay is not None else None
        for rel in documents:
            if (staging / rel).exists():     # the replay deletes an erased person's documents
                _refuse_links(base, [base / rel])
                _make_folders((base / rel).parent)
                if not os.path.lexists(base / rel):
                    new.append(base / rel)
                os.replace(staging / rel, base / rel)
                moved.append(base / rel)
        if os.path.lexists(register_path):
            previous = _keep_previous(register_path, now)
        replace_register(staged, register_path)
        sync_folder(base)
    except BaseException as error:
        for path in new:
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise cannot_write(base, error) from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(register=register_path, documents=moved, replayed=replayed, previous=previous)


def _extract(reader: BackupReader, item: dict, path: Path) -> None:
    """One member streamed into a new file readable only by its owner (never over an existing one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    fill_private(fd, lambda out: reader.extract(item, out))


def _keep_previous(register: Path, now: datetime) -> Path:
    """The register --force replaces, kept as the safe writer keeps its backups (an exclusive name)."""
    try:
        data = register.read_bytes()
    except OSError as error:
        raise FileProblem("restore-old-unreadable", path=register, reason=os_reason(error)) from None
    return write_backup_copy(register, data, now)


def replay_recorded_erasures(staged: Path, day: date):
    """Every recorded erasure, not only those after the backup: one already done finds no one (ids are
    never reused), and the clock of the computer that made the backup cannot make one be skipped."""
    if not read_erasures():
        return None
    return replay_erasures(staged, today=day)
