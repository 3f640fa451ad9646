"""Every file a command writes goes through here: the one guard, and the list of the toolkit's own outputs.

    write_output(path, data, kind="teacher-list", students=["0001", "0002"], register=reg)
    check_output(path, register=reg, force=False)                # the guard alone (raises Refused)
    record_output(path, kind="certificate", students=["0007"])   # a file put in place by other means
    OutputList.load().own(path)                                   # the record when the toolkit wrote the file

**The guard** (reliability.md "Many hands, one file"): never the register itself (nor another name of it:
a hard or symbolic link), never anything in a ``varmuuskopiot/`` folder (the earlier versions the safe write
keeps), even with ``force``; never a folder; never a symbolic link, nor through one out of ``within`` (the
folder a command writes its files into); an existing file only with ``force`` — or, for the commands that
rewrite their own folder each time (``replace_own``: teacher lists, the semester run), when the file there
is the toolkit's own earlier output, unchanged since.

**The output list** (``tuotokset.jsonl`` in the configuration folder beside the key, mode 0600): one JSON
line per written file with keyed hashes (HMAC under the toolkit's key, ``toolkit.system.secrets``) of its
resolved path, of its content and of the ids of the students it holds (``null`` for a copy of the whole
register, which may hold anyone), its kind, the marker written inside it (a custom document property
``muskari-tuotos`` of an .xlsx/.docx, when it has one) and the time. No name, path or id in clear: without the
key the list says nothing, with it an erasure recognises the toolkit's own files under the register's folder
and who is in them. A file is the toolkit's own when its path is listed and its content is the listed one,
or it still carries the listed marker (the owner opened it and saved it again).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets as random_tokens
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused
from toolkit.system.private_files import append_private, write_private
from toolkit.system.secrets import config_dir, hash_student_id, load_key

OUTPUTS_FILE = "tuotokset.jsonl"
MARKER_PROPERTY = "muskari-tuotos"
CERTIFICATE_FOLDER = "certificate-folder"     # the kind of a folder record: where `certificates` wrote documents
ENCRYPTED_BACKUP = "encrypted-backup"         # `backup --to`: the one exception an erasure leaves to restore's replay
COMPACT_BYTES = 512 * 1024                    # the list is rewritten (one line per path) when it grows past this


# --- the guard ----------------------------------------------------------------------------------------

def check_output(path: str | Path, *, register: str | Path | None = None, force: bool = False,
                 within: str | Path | None = None, replace_own: bool = False) -> Path:
    """The path a command may write, or ``Refused`` saying why not (see the module docstring)."""
    path = Path(path)
    shown = str(path)
    if path.is_symlink():
        raise Refused("output-symlink", path=shown)
    parent = Path(os.path.realpath(path.parent))
    if within is not None and not parent.is_relative_to(Path(os.path.realpath(within))):
        raise Refused("output-outside", path=shown, folder=str(within))
    target = parent / path.name
    if folders.BACKUP_COPIES in target.parts[:-1]:
        raise Refused("output-in-backups", path=shown, folder=folders.BACKUP_COPIES)
    if register is not None:
        register = Path(register)
        if target == Path(os.path.realpath(register)) or _same_file(target, register):
            raise Refused("output-is-register", path=shown)
    if target.is_dir():
        raise Refused("output-is-folder", path=shown)
    if os.path.lexists(target) and not force and not (replace_own and OutputList.load().own(target)):
        raise Refused("output-exists", path=shown)
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write_output(path: str | Path, data: bytes, *, kind: str, students: Iterable[str] | None = None,
                 register: str | Path | None = None, force: bool = False, within: str | Path | None = None,
                 replace_own: bool = False, marker: str | None = None) -> Path:
    """Guard, record, then write ``data`` (mode 0600, never half written). ``students``: the ids the file holds,
    None when it may hold anyone (a copy of the register). Returns ``path`` as given."""
    target = check_output(path, register=register, force=force, within=within, replace_own=replace_own)
    replacing = os.path.lexists(target)
    _append([_record(target, kind, students, marker, content=data)])   # recorded first: a file never goes unlisted
    write_private(target, data, overwrite=replacing)
    return Path(path)


def record_output(path: str | Path, *, kind: str, students: Iterable[str] | None = None,
                  marker: str | None = None) -> None:
    """List a file the toolkit put in place by other means (a certificate moved into its folder, a PDF)."""
    record_outputs([(Path(path), kind, students, marker)])


def record_outputs(items: Iterable[tuple[Path, str, Iterable[str] | None, str | None]]) -> None:
    records = [_record(Path(p), kind, students, marker) for p, kind, students, marker in items]
    _append(records)


def record_folder(folder: str | Path, kind: str = CERTIFICATE_FOLDER) -> None:
    """List a folder the toolkit writes into (the certificates' output folder)."""
    _append([OutputRecord(path=path_hash(folder), content=None, kind=kind, students=(), marker=None,
                          time=datetime.now())])


def new_marker() -> str:
    """A fresh marker token to write inside an .xlsx/.docx and into its record."""
    return random_tokens.token_hex(16)


# --- the list -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutputRecord:
    path: str                            # HMAC of the resolved path
    content: str | None                  # HMAC of the content; None for a folder
    kind: str
    students: tuple[str, ...] | None     # HMACs of the ids it holds; None: anyone (a copy of the register)
    marker: str | None
    time: datetime

    def holds_any(self, student_hashes: set[str]) -> bool | None:
        """True/False when the record knows; None when the file may hold anyone (then read it)."""
        if self.students is None:
            return None
        return bool(student_hashes.intersection(self.students))

    def to_json(self) -> str:
        return json.dumps({"path": self.path, "content": self.content, "kind": self.kind,
                           "students": list(self.students) if self.students is not None else None,
                           "marker": self.marker, "time": self.time.isoformat(timespec="seconds")},
                          ensure_ascii=True, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> OutputRecord:
        data = json.loads(line)
        students = data.get("students")
        return cls(path=str(data["path"]), content=data.get("content"), kind=str(data["kind"]),
                   students=tuple(students) if students is not None else None, marker=data.get("marker"),
                   time=datetime.fromisoformat(data["time"]))


class OutputList:
    """The recorded outputs, latest record per path."""

    def __init__(self, records: Iterable[OutputRecord], key: bytes | None):
        self.by_path = {r.path: r for r in sorted(records, key=lambda r: r.time)}
        self.key = key

    @classmethod
    def load(cls) -> OutputList:
        """The list as recorded; with no key (the configuration folder lost) no file is known as the toolkit's own,
        so every file is treated as the owner's: named when it holds someone, never deleted."""
        records = _read_records()
        if not records:
            return cls([], None)
        try:
            key = load_key(create=False)
        except Refused:
            return cls([], None)
        return cls(records, key)

    def record_of(self, path: str | Path) -> OutputRecord | None:
        """The latest record of this path, whatever the file holds now."""
        if self.key is None:
            return None
        return self.by_path.get(path_hash(path, self.key))

    def own(self, path: str | Path, marker_of=None) -> OutputRecord | None:
        """The record when the file at ``path`` is the toolkit's own output: its content is the recorded one, or
        ``marker_of(path)`` (the caller's reader of the marker inside a package) gives the recorded marker."""
        record = self.record_of(path)
        if record is None or record.content is None:
            return None
        if content_hash_of(path, self.key) == record.content:
            return record
        if record.marker and marker_of is not None and marker_of(Path(path)) == record.marker:
            return record
        return None

    def is_certificate_folder(self, folder: str | Path) -> bool:
        record = self.record_of(folder)
        return record is not None and record.kind == CERTIFICATE_FOLDER

    def student_hashes(self, ids: Iterable[str]) -> set[str]:
        return {hash_student_id(i, self.key) for i in ids} if self.key is not None else set()


def forget_outputs(paths: Iterable[str | Path]) -> None:
    """Drop the records of these paths (files an erasure deleted) and compact the list."""
    records = _read_records()
    if not records:
        return
    try:
        key = load_key(create=False)
    except Refused:
        return                          # no key: no record can be matched to a path
    gone = {path_hash(p, key) for p in paths}
    _rewrite([r for r in OutputList(records, key).by_path.values() if r.path not in gone])


def outputs_path() -> Path:
    return config_dir() / OUTPUTS_FILE


def path_hash(path: str | Path, key: bytes | None = None) -> str:
    text = unicodedata.normalize("NFC", os.path.realpath(path))
    return _mac(key if key is not None else load_key(), b"path\0" + text.encode("utf-8", "surrogateescape"))


def content_hash(data: bytes, key: bytes | None = None) -> str:
    return _mac(key if key is not None else load_key(), b"content\0" + data)


def content_hash_of(path: str | Path, key: bytes) -> str | None:
    mac = hmac.new(key, b"content\0", hashlib.sha256)
    try:
        with open(path, "rb") as handle:          # noqa: PTH123 - streamed, a big output is never read whole
            for block in iter(lambda: handle.read(1 << 20), b""):
                mac.update(block)
    except OSError:
        return None
    return mac.hexdigest()


def _mac(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _record(path: Path, kind: str, students: Iterable[str] | None, marker: str | None,
            content: bytes | None = None) -> OutputRecord:
    key = load_key()
    digest = content_hash(content, key) if content is not None else content_hash_of(path, key)
    return OutputRecord(path=path_hash(path, key), content=digest, kind=kind,
                        students=None if students is None else tuple(sorted({hash_student_id(s, key)
                                                                             for s in students if s})),
                        marker=marker, time=datetime.now())


def _read_records() -> list[OutputRecord]:
    path = outputs_path()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as error:
        raise _unreadable(path, error) from None
    out = []
    for line in text.splitlines():
        try:
            out.append(OutputRecord.from_json(line))
        except (ValueError, KeyError, TypeError):
            continue          # a half-written last line after a crash
    return out


def _append(records: list[OutputRecord]) -> None:
    if not records:
        return
    folder = config_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        append_private(outputs_path(), "".join(r.to_json() + "\n" for r in records))
        if outputs_path().stat().st_size > COMPACT_BYTES:
            records = _read_records()
            _rewrite(list(OutputList(records, None).by_path.values()))
    except OSError as error:
        raise _unreadable(outputs_path(), error) from None


def _rewrite(records: list[OutputRecord]) -> None:
    write_private(outputs_path(), "".join(r.to_json() + "\n" for r in records).encode("utf-8"))


def _unreadable(path: Path, error: OSError) -> FileProblem:
    return FileProblem("outputs-list-unwritable", path=str(path), reason=error.strerror or str(error))
