"""`muskari backup`: encrypted backups of the register (and its documents) for a memory stick.

A backup is a zip file whose every member is encrypted with AES-256 (WinZip AE-2, pyzipper). Zip
member *names* are never encrypted, so members are stored under neutral names (``data/0000``, ...)
and the real paths (a certificate's file name may hold a child's name) live in the encrypted
``manifest.json`` with each file's size and SHA-256. A backup is written to a hidden temporary file
with mode 0600, read back and compared with what was meant before it gets its final name.

``read_backup`` decrypts and checks one (``toolkit.jobs.restore`` puts it back).

The password never comes from the command line: ``MUSKARI_BACKUP_PASSWORD`` or an interactive prompt.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused, VerificationFailed
from toolkit.model.paths import document_path
from toolkit.rules.backups import EncryptedBackup, expired_backups  # noqa: F401  (the backup command's API)
from toolkit.system.private_files import write_private

PASSWORD_ENV = "MUSKARI_BACKUP_PASSWORD"
MIN_PASSWORD_LENGTH = 8
MANIFEST = "manifest.json"
FORMAT = "muskari-backup"
DOCUMENTS_FOLDER = folders.CERTIFICATES
MAX_TOTAL_BYTES = 4 * 1024**3      # a restore never unpacks more than this (zip bomb guard)
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-varmuuskopio-(?P<stamp>\d{8}-\d{6})(?:-\d+)?\.zip\Z", re.DOTALL)


# --- the password -------------------------------------------------------------------------------

def read_password(*, confirm: bool, env: Mapping[str, str] | None = None,
                  prompt: Callable[[str], str] = getpass.getpass, interactive: bool | None = None) -> str:
    """The backup password from MUSKARI_BACKUP_PASSWORD, else asked at the terminal (twice when ``confirm``)."""
    env = os.environ if env is None else env
    password = env.get(PASSWORD_ENV)
    if password is None:
        if not (sys.stdin.isatty() if interactive is None else interactive):
            raise Refused(
                f"Salasana puuttuu. Aseta se ympäristömuuttujaan {PASSWORD_ENV} tai aja komento päätteessä, "
                "jolloin se kysytään. Salasanaa ei koskaan anneta komentorivillä.",
                f"No password. Set {PASSWORD_ENV} or run the command in a terminal to be asked for it. "
                "The password is never given on the command line.")
        password = prompt("Varmuuskopion salasana / backup password: ")
        if confirm and prompt("Salasana uudelleen / again: ") != password:
            raise Refused("Salasanat eivät täsmää. Aja komento uudelleen.",
                          "The passwords do not match. Run the command again.")
    if not password:
        raise Refused("Salasana on tyhjä. Anna salasana.", "The password is empty. Give a password.")
    if confirm and len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(f"Salasana on liian lyhyt: käytä vähintään {MIN_PASSWORD_LENGTH} merkkiä, jotta kadonneen "
                      "muistitikun varmuuskopiota ei voi avata arvaamalla.",
                      f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters so that a lost "
                      "memory stick's backup cannot be opened by guessing.")
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
    register plus the files named in Todistukset (Tiedosto) that exist inside the register's folder."""
    base = register.resolve().parent
    found: dict[str, Path] = {}
    folder = base / DOCUMENTS_FOLDER
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.startswith(("~$", ".~lock")):
                found[path.relative_to(base).as_posix()] = path
    for text in named:
        rel = safe_relative(text or "")
        if rel is None:
            continue
        path = base / rel
        if path.is_file() and path.resolve().is_relative_to(base):
            found.setdefault(rel.as_posix(), path)
    return [(path, rel) for rel, path in sorted(found.items())]


# --- writing a backup -----------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int
    created: datetime


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FileProblem(f"Tiedostoa {path} ei voi lukea ({error.strerror}). Tarkista, että se on olemassa.",
                          f"Cannot read {path} ({error.strerror}). Check that it exists.") from None


def create_backup(register: Path, folder: Path, password: str, created: datetime,
                  documents: Iterable[tuple[Path, str]] = ()) -> BackupResult:
    """Write an AES-256 encrypted backup of ``register`` (and ``documents``) into ``folder``, mode 0600,
    verified by reading it back; returns its path."""
    import pyzipper

    if not password:
        raise Refused("Salasana on tyhjä.", "The password is empty.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileProblem(f"Kansiota {folder} ei voi luoda ({error.strerror}). Tarkista, että muistitikku on "
                          "kiinni ja siihen voi kirjoittaa.",
                          f"Cannot create the folder {folder} ({error.strerror}). Check that the memory stick "
                          "is plugged in and writable.") from None
    entries = [(register.name, "register", read_file(register))]
    entries += [(rel, "document", read_file(path)) for path, rel in documents]
    manifest = {"format": FORMAT, "version": 1, "created": created.isoformat(timespec="seconds"),
                "register": register.name, "files": []}
    for i, (rel, role, data) in enumerate(entries):
        manifest["files"].append({"member": f"data/{i:04d}", "path": rel, "role": role,
                                  "size": len(data), "sha256": _sha256(data)})
    target = _free_name(folder, register.stem, created)
    from toolkit.system.outputs import ENCRYPTED_BACKUP, check_output, record_output

    check_output(target, register=register)          # never into the register's own earlier versions
    def write_zip(raw) -> None:
        with pyzipper.AESZipFile(raw, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
            zf.setpassword(password.encode("utf-8"))
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            for (_rel, _role, data), item in zip(entries, manifest["files"], strict=True):
                zf.writestr(item["member"], data)

    # read back and compared with what was meant before it takes its name; never over another backup
    write_private(target, write_zip, overwrite=False, verify=lambda tmp: read_backup(tmp, password, expect=manifest))
    if target.resolve().is_relative_to(register.resolve().parent):
        # a backup inside the register's folder: the erasure's sweep must know it for the one exception it is
        record_output(target, kind=ENCRYPTED_BACKUP)
    return BackupResult(path=target, files=len(entries), bytes=sum(len(d) for _r, _k, d in entries), created=created)


def cannot_write(folder: Path, error: OSError) -> FileProblem:
    return FileProblem(f"Kansioon {folder} ei voitu kirjoittaa ({error.strerror or error}). Mitään ei jäänyt "
                       "puolivalmiiksi. Tarkista, että levyllä on tilaa ja että siihen voi kirjoittaa.",
                       f"Could not write into {folder} ({error.strerror or error}). Nothing was left half "
                       "written. Check that the disk has room and is writable.")


def _free_name(folder: Path, stem: str, created: datetime) -> Path:
    path = folder / encrypted_backup_name(stem, created)
    n = 2
    while path.exists():
        path = folder / encrypted_backup_name(stem, created).replace(".zip", f"-{n}.zip")
        n += 1
    return path


# --- reading a backup -----------------------------------------------------------------------------

@dataclass
class BackupContents:
    manifest: dict
    files: dict[str, bytes] = field(default_factory=dict)   # relative path -> bytes

    @property
    def register_name(self) -> str:
        return self.manifest["register"]


def not_a_backup(path: Path, why_fi: str, why_en: str) -> FileProblem:
    return FileProblem(f"{path} ei ole muskarin varmuuskopio ({why_fi}). Valitse komennolla muskari backup "
                       "tehty .zip-tiedosto.",
                       f"{path} is not a muskari backup ({why_en}). Choose a .zip file made by muskari backup.")


def _wrong_password(path: Path) -> Refused:
    return Refused(f"Väärä salasana: varmuuskopiota {path.name} ei voi avata (tai tiedosto on vioittunut). "
                   f"Tarkista salasana ({PASSWORD_ENV} tai kysytty salasana) ja yritä uudelleen.",
                   f"Wrong password: the backup {path.name} cannot be opened (or the file is damaged). "
                   f"Check the password ({PASSWORD_ENV} or the one asked) and try again.")


def read_backup(path: Path, password: str, expect: dict | None = None) -> BackupContents:
    """Decrypt and check a whole backup: every member AES-encrypted, sizes and SHA-256 as the manifest
    says (and as ``expect`` says, when given). A wrong password raises Refused."""
    import pyzipper

    try:
        zf = pyzipper.AESZipFile(path)
    except FileNotFoundError:
        raise FileProblem(f"Varmuuskopiota {path} ei löydy. Tarkista polku.",
                          f"The backup {path} does not exist. Check the path.") from None
    except OSError as error:
        raise FileProblem(f"Varmuuskopiota {path} ei voi lukea ({error.strerror}).",
                          f"Cannot read the backup {path} ({error.strerror}).") from None
    except pyzipper.BadZipFile:
        raise not_a_backup(path, "ei zip-tiedosto", "not a zip file") from None
    with zf:
        infos = zf.infolist()
        if not infos or any(not (i.flag_bits & 0x1) for i in infos) or MANIFEST not in zf.namelist():
            raise not_a_backup(path, "salaamaton tai tuntematon sisältö", "unencrypted or unknown content")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise not_a_backup(path, "purettuna liian suuri", "too large when unpacked")
        zf.setpassword(password.encode("utf-8"))
        try:
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), list):
                raise not_a_backup(path, "tuntematon sisällysluettelo", "unknown manifest")
            contents = BackupContents(manifest)
            for item in manifest["files"]:
                data = zf.read(item["member"])
                if len(data) != item["size"] or _sha256(data) != item["sha256"]:
                    raise VerificationFailed(
                        f"Varmuuskopion {path.name} tiedosto {item['path']} ei vastaa tarkistussummaansa: "
                        "varmuuskopio on vioittunut. Käytä toista varmuuskopiota.",
                        f"File {item['path']} in the backup {path.name} does not match its checksum: "
                        "the backup is damaged. Use another backup.")
                contents.files[item["path"]] = data
        except RuntimeError as error:  # pyzipper: "Bad password for file ..."
            if "password" in str(error).lower():
                raise _wrong_password(path) from None
            raise
        except pyzipper.BadZipFile as error:  # HMAC mismatch: wrong password that passed the 2-byte check, or damage
            if "hmac" in str(error).lower():
                raise _wrong_password(path) from None
            raise not_a_backup(path, "vioittunut zip-tiedosto", "damaged zip file") from None
        except (zlib.error, EOFError, NotImplementedError):  # damaged data, or a wrong password's garbage
            raise _wrong_password(path) from None
        except (KeyError, ValueError, TypeError):
            raise not_a_backup(path, "puutteellinen sisällysluettelo", "incomplete manifest") from None
    if expect is not None and [(f["path"], f["sha256"]) for f in expect["files"]] != \
            [(f["path"], f["sha256"]) for f in contents.manifest["files"]]:
        raise VerificationFailed("Varmuuskopion tarkistus epäonnistui: luettu sisältö ei vastaa kirjoitettua. "
                                 "Varmuuskopiota ei tallennettu; kokeile toista muistitikkua.",
                                 "The backup's check failed: what was read back differs from what was written. "
                                 "It was not kept; try another memory stick.")
    return contents


# --- restore --------------------------------------------------------------------------------------
