"""The toolkit's secret and the list of erased students, kept outside the register.

Both live in the user's configuration folder (``toolkit.system.config.config_dir``: the system's own place
for settings, or ``$XDG_CONFIG_HOME/muskari``), folder mode 0700 and files 0600 where the system has modes,
never beside the register, so a copy of the register or a backup carries neither. ``muskari backup`` tells
the owner where the folder is: a restore replays erasures from it, so it belongs with the backups.

- ``avain`` (the key): 32 random bytes, hex, created on first use. ``hash_student_id`` is an HMAC-SHA256
  of the student id under it: the same id always gives the same hash on this computer, and without the
  key the hash cannot be turned back into an id (ids are short numbers, so a plain hash could).
- ``poistetut.jsonl`` (the erased ids): one JSON object per erased student,
  ``{"hash": ..., "rule": ..., "scope": "full"|"study", "time": "2026-06-01T12:00:00"}``.
  ``scope`` says what was erased: ``full`` (deletion request: every trace, Todistukset ids blanked,
  Valmistuneet anonymised) or ``study`` (study window closed: Oppilaat and Opinnot rows only).

For ``restore`` (issue 7): ``read_erasures(since=backup_time)`` gives the erasures to replay;
``toolkit.jobs.purge.replay_erasures(path, since=..., now=...)`` carries them out on a restored register.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from toolkit.model.errors import FileProblem, Refused
from toolkit.system.config import ERASURES_FILE, KEY_FILE, config_dir
from toolkit.system.private_files import append_private

__all__ = ["ERASURES_FILE", "KEY_FILE", "SCOPES", "ErasureRecord", "config_dir", "erasures_path", "hash_student_id",
           "key_path", "load_key", "read_erasures", "record_erasures"]
SCOPES = ("full", "study")


def _ensure_dir() -> Path:
    folder = config_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(folder, error) from None
    return folder


def _unwritable(path: Path, error: OSError) -> FileProblem:
    return FileProblem("config-folder-unwritable", path=path, reason=error.strerror or error)


def key_path() -> Path:
    return config_dir() / KEY_FILE


def erasures_path() -> Path:
    return config_dir() / ERASURES_FILE


def load_key(create: bool = True) -> bytes:
    """The secret key; created (mode 0600) on first use when ``create``."""
    path = key_path()
    if not path.exists():
        if not create:
            raise Refused("config-key-missing", path=path)
        _ensure_dir()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another run created it a moment ago
        except OSError as error:
            raise _unwritable(path, error) from None
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(os.urandom(32).hex() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise Refused("config-key-broken", path=path)
    return key


def hash_student_id(student_id: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 (hex) of the id after NFC and trimming; ``key`` defaults to ``load_key()``."""
    text = unicodedata.normalize("NFC", str(student_id)).strip()
    return hmac.new(key if key is not None else load_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ErasureRecord:
    hash: str
    rule: str
    scope: str        # "full" or "study" (see the module docstring)
    time: datetime    # when the erasure was written

    def to_json(self) -> str:
        data = asdict(self)
        data["time"] = self.time.isoformat(timespec="seconds")
        return json.dumps(data, ensure_ascii=True, sort_keys=True)


def record_erasures(records: list[ErasureRecord]) -> None:
    """Append ``records`` to the erased-ids list (created 0600 on first use) and sync it to disk."""
    if not records:
        return
    for record in records:
        if record.scope not in SCOPES:
            raise ValueError(f"unknown scope {record.scope!r}")
    _ensure_dir()
    try:
        append_private(erasures_path(), "".join(r.to_json() + "\n" for r in records))
    except OSError as error:
        raise _unwritable(erasures_path(), error) from None


def read_erasures(since: datetime | None = None) -> list[ErasureRecord]:
    """Recorded erasures, oldest first; only those written at or after ``since`` when given.

    A damaged line (a half-written last line after a crash) is skipped, never fatal.
    """
    path = erasures_path()
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            record = ErasureRecord(hash=str(data["hash"]), rule=str(data["rule"]), scope=str(data["scope"]),
                                   time=datetime.fromisoformat(data["time"]))
        except (ValueError, KeyError, TypeError):
            continue
        if since is None or _naive(record.time) >= _naive(since):
            out.append(record)
    return sorted(out, key=lambda r: _naive(r.time))


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)
