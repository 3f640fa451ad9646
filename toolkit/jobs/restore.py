"""`muskari restore`: a backup decrypted and put back, with every recorded erasure replayed first.

Restore decrypts everything into a hidden staging folder beside the target, replays the erasures recorded
since (``replay``; by default every recorded one, see ``replay_recorded_erasures``), and only then moves the
files into place, so an erased person never reappears, not even for a moment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from toolkit.jobs.backup import cannot_write, not_a_backup, read_backup, read_file, safe_relative
from toolkit.jobs.purge import replay_erasures
from toolkit.model.errors import Refused
from toolkit.system.private_files import create_private, sync_folder
from toolkit.system.secrets import read_erasures
from toolkit.xlsx.backup_copies import BACKUP_DIR, next_backup_path
from toolkit.xlsx.fingerprint import check_not_open


@dataclass
class RestoreResult:
    register: Path
    documents: list[Path]
    replayed: object = None      # whatever ``replay`` returned (the erasure replay's report)
    previous: Path | None = None  # where the register that --force replaced was kept


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
    contents = read_backup(backup, password)
    register_path = restore_target(target, Path(contents.register_name).name)
    if register_path.suffix.lower() != ".xlsx":
        raise Refused(f"Palautettavan rekisterin nimen pitää päättyä .xlsx: {register_path.name}.",
                      f"The restored register's name must end with .xlsx: {register_path.name}.")
    base = register_path.parent
    placed: dict[PurePosixPath, bytes] = {}
    for item in contents.manifest["files"]:
        if item["role"] == "document":
            rel = safe_relative(item["path"])
            if rel is None:
                raise not_a_backup(backup, f"vaarallinen polku {item['path']!r}", f"unsafe path {item['path']!r}")
            placed[rel] = contents.files[item["path"]]
    existing = [p for p in [register_path, *(base / r for r in placed)] if p.exists()]
    if existing and not force:
        more_fi = f" (olemassa olevia tiedostoja yhteensä {len(existing)})" if len(existing) > 1 else ""
        more_en = f" ({len(existing)} existing files in all)" if len(existing) > 1 else ""
        raise Refused(f"{existing[0]} on jo olemassa{more_fi}. Palautus ei korvaa tiedostoja: valitse toinen "
                      "paikka tai lisää --force.",
                      f"{existing[0]} already exists{more_en}. Restore does not overwrite files: choose another "
                      "place or add --force.")
    if register_path.exists():
        check_not_open(register_path)
    try:
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=base, prefix=".muskari-palautus-"))  # mode 0700
    except OSError as error:
        raise cannot_write(base, error) from None
    moved: list[Path] = []
    new: list[Path] = []           # documents this restore adds (taken away again if it fails)
    try:
        staged = staging / register_path.name
        create_private(staged, contents.files[contents.register_name])
        for rel, data in placed.items():
            (staging / rel).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            create_private(staging / rel, data)
        replayed = replay(staged) if replay is not None else None
        for rel in placed:
            if (staging / rel).exists():     # the replay deletes an erased person's documents
                (base / rel).parent.mkdir(parents=True, exist_ok=True)
                if not (base / rel).exists():
                    new.append(base / rel)
                os.replace(staging / rel, base / rel)
                moved.append(base / rel)
        previous = _keep_previous(register_path, now or datetime.now()) if register_path.exists() else None
        os.replace(staged, register_path)
        sync_folder(base)
    except OSError as error:
        for path in new:
            path.unlink(missing_ok=True)
        raise cannot_write(base, error) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(register=register_path, documents=moved, replayed=replayed, previous=previous)


def _keep_previous(register: Path, now: datetime) -> Path:
    folder = register.parent / BACKUP_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    kept = next_backup_path(register, now, folder)
    create_private(kept, read_file(register))
    return kept


def replay_recorded_erasures(staged: Path, day: date):
    """Every recorded erasure, not only those after the backup: one already done finds no one (ids are
    never reused), and the clock of the computer that made the backup cannot make one be skipped."""
    if not read_erasures():
        return None
    return replay_erasures(staged, today=day)
