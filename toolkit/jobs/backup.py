"""`muskari backup`: encrypted backups of the register (and its documents) for a memory stick.

A backup is a zip file whose every member is encrypted with AES-256 (WinZip AE-2, pyzipper). Zip
member *names* are never encrypted, so members are stored under neutral names (``data/0000``, ...)
and the real paths (a certificate's file name may hold a child's name) live in the encrypted
``manifest.json`` with each file's size and SHA-256. A backup is written to a hidden temporary file
with mode 0600, read back and compared with what was meant before it gets its final name.

``open_backup`` opens and checks one and streams its members out in chunks (``toolkit.jobs.restore`` puts it
back): sizes come from the manifest and are checked against limits before anything is decrypted, so a small
backup that would unpack to gigabytes is refused, and memory stays small whatever a file's size.

The password never comes from the command line: ``MUSKARI_BACKUP_PASSWORD`` or an interactive prompt.
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused, VerificationFailed, os_reason
from toolkit.model.messages import Phrase, say
from toolkit.model.paths import document_path
from toolkit.rules.backups import EncryptedBackup, expired_backups  # noqa: F401  (the backup command's API)
from toolkit.system.private_files import NameTaken, write_private

PASSWORD_ENV = "MUSKARI_BACKUP_PASSWORD"
MIN_PASSWORD_LENGTH = 8
MANIFEST = "manifest.json"
FORMAT = "muskari-backup"
DOCUMENTS_FOLDER = folders.CERTIFICATES
MAX_TOTAL_BYTES = 4 * 1024**3      # a restore never unpacks more than this (zip bomb guard)
LIMITS = {"register": 1024**3, "document": 256 * 1024**2}   # one file of each role at most (a register: 1 GB)
MAX_MANIFEST_BYTES = 16 * 1024**2
CHUNK = 1 << 20
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-varmuuskopio-(?P<stamp>\d{8}-\d{6})(?:-\d+)?\.zip\Z", re.DOTALL)


# --- the password -------------------------------------------------------------------------------

def read_password(*, confirm: bool, env: Mapping[str, str] | None = None,
                  prompt: Callable[[str], str] = getpass.getpass, interactive: bool | None = None,
                  lang: str = "fi") -> str:
    """The backup password from MUSKARI_BACKUP_PASSWORD, else asked at the terminal in ``lang`` (twice when
    ``confirm``)."""
    env = os.environ if env is None else env
    password = env.get(PASSWORD_ENV)
    if password is None:
        if not (sys.stdin.isatty() if interactive is None else interactive):
            raise Refused("password-missing", variable=PASSWORD_ENV)
        password = prompt(say("password-prompt", lang) + " ")
        if confirm and prompt(say("password-again", lang) + " ") != password:
            raise Refused("password-mismatch")
    if not password:
        raise Refused("password-empty")
    if confirm and len(password) < MIN_PASSWORD_LENGTH:
        raise Refused("password-too-short", length=MIN_PASSWORD_LENGTH)
    return password


# --- naming and expiry ----------------------------------------------------------------------------

def encrypted_backup_name(stem: str, created: datetime) -> str:
    return f"{stem}-varmuuskopio-{created.strftime(_STAMP)}.zip"


def parse_encrypted_backup_name(name: str) -> tuple[str, datetime] | None:
    match = _NAME.match(name)
    if not match:
        return None
    try:
        return match["stem"], datetime.strptime(match["stamp"], _STAMP)
    except ValueError:
        return None


def list_encrypted_backups(folder: Path, stem: str) -> list[EncryptedBackup]:
    """This register's backups in ``folder``, oldest first (the time is read from the name, not mtime)."""
    found = []
    for path in folder.glob("*.zip") if folder.is_dir() else ():
        parsed = parse_encrypted_backup_name(path.name)
        if parsed and parsed[0] == stem and path.is_file():
            found.append(EncryptedBackup(path, parsed[1]))
    return sorted(found, key=lambda b: (b.created, b.path.name))


# --- documents ------------------------------------------------------------------------------------

def safe_relative(text: str) -> PurePosixPath | None:
    """A relative path that stays inside its folder, or None (``toolkit.model.paths.document_path``)."""
    return document_path(text)


def document_files(register: Path, named: Iterable[str] = ()) -> list[tuple[Path, str]]:
    """(file, path relative to the register's folder) for everything in ``todistukset/`` beside the
    register plus the files named in Todistukset (Tiedosto) that exist inside the register's folder.
    A name the system cannot even look up (over 255 bytes, odd characters) counts as missing."""
    base = register.resolve().parent
    found: dict[str, Path] = {}
    folder = base / DOCUMENTS_FOLDER
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if _is_regular(path) and not path.name.startswith(("~$", ".~lock")):
                found[path.relative_to(base).as_posix()] = path
    for text in named:
        rel = safe_relative(text or "")
        if rel is None:
            continue
        path = base / rel
        try:
            inside = _is_regular(path) and path.resolve().is_relative_to(base)
        except (OSError, RuntimeError):
            inside = False
        if inside:
            found.setdefault(rel.as_posix(), path)
    return [(path, rel) for rel, path in sorted(found.items())]


def _is_regular(path: Path) -> bool:
    """A regular file that is not a link (an OSError, e.g. a name too long, is "no")."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except (OSError, ValueError):
        return False


# --- writing a backup -----------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int
    created: datetime


def create_backup(register: Path, folder: Path, password: str, created: datetime,
                  documents: Iterable[tuple[Path, str]] = ()) -> BackupResult:
    """Write an AES-256 encrypted backup of ``register`` (and ``documents``) into ``folder``, mode 0600,
    verified by reading it back; returns its path. Files are streamed through in chunks (memory stays small
    whatever their size) and the backup takes its name by an exclusive create (``-2``... within a second)."""
    import pyzipper

    if not password:
        raise Refused("password-empty")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem("backup-folder-not-created", folder=folder, reason=os_reason(error)) from None
    sources = [(register, register.name, "register"), *((path, rel, "document") for path, rel in documents)]
    manifest = {"format": FORMAT, "version": 1, "created": created.isoformat(timespec="seconds"),
                "register": register.name, "files": []}
    from toolkit.system.outputs import ENCRYPTED_BACKUP, check_output, record_output

    def write_zip(raw) -> None:
        """Every file streamed in through its member (memory stays small), the manifest last."""
        manifest["files"] = []
        with pyzipper.AESZipFile(raw, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
            zf.setpassword(password.encode("utf-8"))
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
            for i, (path, rel, role) in enumerate(sources):
                member = f"data/{i:04d}"
                size, digest = _copy_into(zf, member, path)
                manifest["files"].append({"member": member, "path": rel, "role": role, "size": size,
                                          "sha256": digest})
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))

    def verify(tmp: Path) -> None:
        with open_backup(tmp, password) as reader:
            reader.verify(expect=manifest)

    # read back and compared with what was meant before it takes its name; never over another backup: a backup
    # made in the same second by another run takes the name first, and this one takes the next (-2, -3, ...)
    for _attempt in range(20):
        target = _free_name(folder, register.stem, created)
        check_output(target, register=register)      # never into the register's own earlier versions
        try:
            write_private(target, write_zip, overwrite=False, verify=verify)
            break
        except NameTaken:
            continue
    else:
        raise NameTaken("backup-names-taken", path=target)
    if target.resolve().is_relative_to(register.resolve().parent):
        # a backup inside the register's folder: the erasure's sweep must know it for the one exception it is
        record_output(target, kind=ENCRYPTED_BACKUP)
    return BackupResult(path=target, files=len(sources), bytes=sum(f["size"] for f in manifest["files"]),
                        created=created)


def _copy_into(zf, member: str, path: Path) -> tuple[int, str]:
    """Stream ``path`` into the member; its size and SHA-256 as read."""
    import pyzipper

    info = zf.zipinfo_cls(member, date_time=(2000, 1, 1, 0, 0, 0))     # no time that tells anything
    info.compress_type = pyzipper.ZIP_DEFLATED
    digest, size = hashlib.sha256(), 0
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below; an OSError here names the file
    except OSError as error:
        raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    with source, zf.open(info, "w", force_zip64=True) as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def cannot_write(folder: Path, error: OSError) -> FileProblem:
    return FileProblem("folder-write-failed", folder=folder, reason=os_reason(error))


def _free_name(folder: Path, stem: str, created: datetime) -> Path:
    path = folder / encrypted_backup_name(stem, created)
    n = 2
    while path.exists():
        path = folder / encrypted_backup_name(stem, created).replace(".zip", f"-{n}.zip")
        n += 1
    return path


# --- reading a backup -----------------------------------------------------------------------------

def not_a_backup(path: Path, why: str, /, **words) -> FileProblem:
    """``why`` is the not-backup-* phrase saying what is wrong with the file."""
    return FileProblem("not-a-backup", path=path, why=Phrase(why, **words))


def _wrong_password(path: Path) -> Refused:
    return Refused("backup-wrong-password", name=path.name, variable=PASSWORD_ENV)


def _damaged(path: Path, name: str) -> VerificationFailed:
    return VerificationFailed("backup-damaged", name=path.name, file=name)


@contextmanager
def open_backup(path: Path, password: str) -> Iterator[BackupReader]:
    """Open and check a backup: every member AES-encrypted, a manifest of the known format whose sizes are
    within the limits and agree with the zip's own. Members are read with ``BackupReader.extract``
    (streamed in chunks, size and SHA-256 checked). A wrong password raises Refused."""
    import pyzipper

    try:
        zf = pyzipper.AESZipFile(path)
    except FileNotFoundError:
        raise FileProblem("backup-missing", path=path) from None
    except OSError as error:
        raise FileProblem("backup-unreadable", path=path, reason=os_reason(error)) from None
    except pyzipper.BadZipFile:
        raise not_a_backup(path, "not-backup-zip") from None
    with zf:
        with _read_errors(path):
            infos = {i.filename: i for i in zf.infolist()}
            if not infos or any(not (i.flag_bits & 0x1) for i in infos.values()) or MANIFEST not in infos:
                raise not_a_backup(path, "not-backup-content")
            if infos[MANIFEST].file_size > MAX_MANIFEST_BYTES:
                raise not_a_backup(path, "not-backup-manifest-size")
            zf.setpassword(password.encode("utf-8"))
            manifest = _checked_manifest(path, json.loads(zf.read(MANIFEST).decode("utf-8")), infos)
        yield BackupReader(path, zf, manifest)


@contextmanager
def _read_errors(path: Path) -> Iterator[None]:
    """pyzipper's and zlib's errors as the owner's: a wrong password, damage, or not a backup."""
    import pyzipper

    try:
        yield
    except RuntimeError as error:  # pyzipper: "Bad password for file ..."
        if "password" in str(error).lower():
            raise _wrong_password(path) from None
        raise
    except pyzipper.BadZipFile as error:  # HMAC mismatch: wrong password that passed the 2-byte check, or damage
        if "hmac" in str(error).lower():
            raise _wrong_password(path) from None
        raise not_a_backup(path, "not-backup-damaged") from None
    except (zlib.error, EOFError, NotImplementedError):  # damaged data, or a wrong password's garbage
        raise _wrong_password(path) from None
    except (KeyError, ValueError, TypeError):
        raise not_a_backup(path, "not-backup-manifest-incomplete") from None


def _checked_manifest(path: Path, manifest, infos: dict) -> dict:
    """The manifest when it is of the known format and its sizes are sane (ValueError otherwise)."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
        raise not_a_backup(path, "not-backup-manifest-unknown")
    total = 0
    for item in manifest["files"]:
        if not (isinstance(item, dict) and isinstance(item.get("path"), str) and item.get("role") in LIMITS
                and isinstance(item.get("size"), int) and not isinstance(item["size"], bool) and item["size"] >= 0
                and isinstance(item.get("sha256"), str) and item.get("member") in infos):
            raise ValueError("manifest item")
        if item["size"] > LIMITS[item["role"]] or infos[item["member"]].file_size != item["size"]:
            raise not_a_backup(path, "not-backup-file-size", file=item["path"])
        total += item["size"]
    if total > MAX_TOTAL_BYTES:
        raise not_a_backup(path, "not-backup-too-large")
    if not isinstance(manifest.get("register"), str) or \
            [f["path"] for f in manifest["files"] if f["role"] == "register"] != [manifest["register"]]:
        raise ValueError("manifest register")
    return manifest


class BackupReader:
    """An opened, checked backup (``open_backup``): its manifest, and its members streamed out one by one."""

    def __init__(self, path: Path, zf, manifest: dict):
        self.path, self._zf, self.manifest = path, zf, manifest

    @property
    def register_name(self) -> str:
        return self.manifest["register"]

    @property
    def files(self) -> list[dict]:
        return self.manifest["files"]

    def extract(self, item: dict, out: BinaryIO | None = None) -> None:
        """Decrypt one member into ``out`` (or nowhere, only checking it) in chunks; never more than the manifest's
        size is read, and the size and SHA-256 must match it (VerificationFailed otherwise)."""
        digest, size = hashlib.sha256(), 0
        with _read_errors(self.path), self._zf.open(item["member"]) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > item["size"]:
                    raise _damaged(self.path, item["path"])
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
        if size != item["size"] or digest.hexdigest() != item["sha256"]:
            raise _damaged(self.path, item["path"])

    def verify(self, expect: dict | None = None) -> None:
        """Every member decrypts to its manifest's size and SHA-256 (and the manifest is ``expect``, when given)."""
        for item in self.files:
            self.extract(item)
        if expect is not None and [(f["path"], f["sha256"]) for f in expect["files"]] != \
                [(f["path"], f["sha256"]) for f in self.files]:
            raise VerificationFailed("backup-check-failed")

    def read(self, item: dict) -> bytes:
        """One member's bytes (only for small ones: the limits of ``LIMITS`` bound it)."""
        buffer = io.BytesIO()
        self.extract(item, buffer)
        return buffer.getvalue()
