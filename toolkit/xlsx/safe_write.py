"""The one way the register is changed: safely, verifiably, and never losing anything.

Every command that changes the owner's workbook (certificates, purge, import-forms, semester) builds
a ``RegisterChange`` and hands it to ``write_changes``; no other module writes the register.

    from toolkit.xlsx.fingerprint import fingerprint
    from toolkit.xlsx.safe_write import RegisterChange, write_changes

    change = RegisterChange()
    change.update("Oppilaat", row=7, header="Sähköposti", value="uusi@example.fi")  # Excel row as read
    change.delete_rows("Opinnot", [12, 13])                                         # Excel rows as read
    change.append("Todistukset", {"Todistusnumero": "2026-004", "Oppilasnumero": "0031"})
    change.scrub(["Aino Virtanen", "aino@example.fi"])   # erasure: see below
    change.log("purge", "poistettu 1 oppilas, 3 opintoriviä")   # counts only, never personal data
    result = write_changes(path, change, expected=register.fingerprint, now=datetime.now())
    # WriteResult(path, backup_path, cells_changed, rows_deleted, rows_appended)

Rows are the Excel row numbers the register was read with (``SheetData.frame.index``); columns are
found by their header text in the header row (matched after NFC, whitespace and case folding), so the
owner may reorder columns and add their own, which are kept. Updates are applied first, then
deletions, then appends (after the last non-empty row, styled like the row above).

What ``write_changes`` does, in order (any refusal: exit 3 through the CLI and the file untouched):
0. Holds the register's lock (``toolkit.xlsx.lock``) from its read to its replace; a caller that read the
   register earlier holds it from that read (``with register_lock(path): read ... write_changes``), so a
   second writer waits a moment, then refuses (``RegisterLocked``), and no update is ever lost.
1. Refuses when the register is open (``~$name.xlsx``, ``.~lock.name.xlsx#``: ``RegisterLocked``) or
   differs from ``expected`` (size, mtime, SHA-256: ``RegisterChanged``).
2. Edits the package itself (``toolkit.xlsx.apply``): only the changed sheets (and when needed the
   shared strings, styles, comments and hyperlink relationships) are rewritten; every other zip part
   is copied byte for byte, so shapes, pictures, charts, macros, custom XML, slicers and extension
   data survive (openpyxl never re-saves the register, so its losses do not apply: no ``keep_vba``
   choice to get wrong, pictures kept with or without Pillow, the macro-enabled content type and
   ``vbaProject.bin`` copied as they are). Where a change cannot keep a feature correct (deleting rows under a chart, a pivot
   table's source, sparklines, threaded comments, formulas, shapes), it refuses before writing with
   ``WouldLoseContent`` naming the feature and the sheet (``toolkit.xlsx.deletion_guard``).
3. Values: text stays text (never a formula, whatever it starts with), dates are real dates shown
   ``d.m.yyyy``, ids keep their leading zeros (see ``toolkit.xlsx.cell_values``; control characters are
   stored the way Excel stores them, ``_x001F_``, and read back identical; values a cell cannot hold
   are refused with ``UnwritableValue``).
4. Appends one ``Loki`` row per ``log()`` call (``Aika`` as text ``YYYY-MM-DD HH:MM:SS``, ``Toiminto``,
   ``Tiedot``; a default row with the counts when nothing was logged). ``log`` refuses details that
   hold an e-mail address, an identity code or a scrubbed string.
5. ``scrub(strings)``: after the edits, those strings are removed from comments, hyperlinks, dropdown
   prompts, autofilter criteria, document properties and unused shared strings; then every part is
   scanned (NFC, NFD, case-folded, XML-escaped) and ``ErasureIncomplete`` is raised if any remains.
6. Writes a temporary file in the register's folder, flushes and fsyncs it, re-reads it and verifies:
   every cell of every sheet equals the old value (after deletions and appends) or the intended new one,
   and every part not meant to change is byte-identical (``VerificationFailed`` otherwise).
7. Calls ``before_replace(new_bytes)`` if given (purge's proof scan of the exact bytes), checks the
   lock files and the fingerprint once more, copies the previous version to the backup folder, then
   ``os.replace`` and an fsync of the folder. The new file keeps the old one's mode.
   On any error the temporary file is removed and the original stays as it was.

Temporary files are ``.<name>.<random>.muskari-tmp`` (mode 0600); one left by a killed writer is removed
by the next command that finds the register's lock free (``toolkit.xlsx.leftovers``).

``preview_changes(path, change, now)`` returns the exact bytes a write would produce, writing nothing
(the edit is deterministic), e.g. to show or scan a dry run; ``original=`` chains previews in memory, and
``toolkit.xlsx.reading.read_register(path, data=...)`` reads the result.

Backups: ``varmuuskopiot/`` beside the register (mode 0700), files of mode 0600 named
``<register stem>-<YYYYMMDD>-<HHMMSS>.xlsx`` from ``now`` (local time), e.g.
``rekisteri-20261125-143012.xlsx``; if that name exists, ``-2``, ``-3``... is added before the suffix (each
name taken by an exclusive create, so two writers never choose the same one).
The names and the listing live in ``toolkit.xlsx.backup_copies`` (``list_backup_copies(register)`` returns
``[(path, datetime)]`` oldest first; the purge rule ``backup-expired`` uses it).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from toolkit.model.errors import FileProblem, os_reason
from toolkit.rules.identity_codes import find_identity_codes
from toolkit.system.private_files import fill_private, sync_folder
from toolkit.xlsx.backup_copies import write_backup_copy
from toolkit.xlsx.fingerprint import Fingerprint, check_not_open, check_unchanged
from toolkit.xlsx.leftovers import TEMP_SUFFIX, temp_prefix
from toolkit.xlsx.lock import register_lock
from toolkit.xlsx.replace import replace_register, save_problem

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


@dataclass(frozen=True)
class CellUpdate:
    sheet: str
    row: int
    header: str
    value: object


@dataclass
class RegisterChange:
    """A set of changes to the register, applied together by ``write_changes`` (or not at all)."""

    updates: list[CellUpdate] = field(default_factory=list)
    deletions: dict[str, set[int]] = field(default_factory=dict)
    appends: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    scrubs: list[str] = field(default_factory=list)
    logs: list[tuple[str, str]] = field(default_factory=list)

    def update(self, sheet: str, row: int, header: str, value: object) -> RegisterChange:
        """Set one cell, by Excel row (as read) and header text; None clears the value."""
        self.updates.append(CellUpdate(sheet, int(row), header, value))
        return self

    def delete_rows(self, sheet: str, rows) -> RegisterChange:
        """Delete whole rows (Excel row numbers as read); their comments and hyperlinks go with them."""
        self.deletions.setdefault(sheet, set()).update(int(r) for r in rows)
        return self

    def append(self, sheet: str, values: dict[str, object]) -> RegisterChange:
        """A new row after the last non-empty one: header text -> value (other columns stay empty)."""
        self.appends.append((sheet, dict(values)))
        return self

    def scrub(self, strings) -> RegisterChange:
        """Remove these strings (an erased person's name, e-mail, phone...) from everywhere but cells."""
        self.scrubs.extend(s for s in strings if s and s.strip())
        return self

    def log(self, command: str, details: str) -> RegisterChange:
        """A Loki row: the command and counts. Refuses an e-mail address, identity code or scrubbed text."""
        for text in (command, details):
            if _EMAIL.search(text) or find_identity_codes(text):
                raise ValueError("Loki must not hold personal data (an e-mail address or identity code)")
        self.logs.append((command, details))
        return self

    @property
    def is_empty(self) -> bool:
        return not (self.updates or self.deletions or self.appends or self.scrubs)


@dataclass(frozen=True)
class WriteResult:
    path: Path
    backup_path: Path
    cells_changed: int
    rows_deleted: int
    rows_appended: int


def write_changes(path, change: RegisterChange, *, expected: Fingerprint | None,
                  now: datetime | None = None, backup_dir=None,
                  before_replace: Callable[[bytes], None] | None = None,
                  backup_data: bytes | None = None) -> WriteResult:
    """Apply ``change`` to the register at ``path`` safely (see the module docstring).

    ``before_replace(new_bytes)``, if given, is called with the verified new file's exact bytes just
    before the backup and the replace (purge scans them for the erased person); if it raises, nothing
    is written and the exception propagates. ``backup_data``, if given, is kept as the previous version
    instead of the old bytes (purge: the previous version with the erased people erased too, verified).
    """
    path = Path(path)
    now = now or datetime.now()
    _check_log(change)
    with register_lock(path):     # the caller's, when it holds it from its first read; else taken here
        return _write_locked(path, change, expected, now, backup_dir, before_replace, backup_data)


def _write_locked(path: Path, change: RegisterChange, expected: Fingerprint | None, now: datetime, backup_dir,
                  before_replace: Callable[[bytes], None] | None, backup_data: bytes | None) -> WriteResult:
    from toolkit.xlsx import verify as verifying

    check_not_open(path)
    before = check_unchanged(path, expected)
    if not path.stat().st_mode & 0o200 or not os.access(path, os.W_OK):   # no owner write bit: protected
        raise FileProblem("register-read-only", name=path.name)
    original = path.read_bytes()
    check_unchanged(path, before)
    applied, new_bytes = _apply(original, change, now, path.name)
    temp = _write_temp(path, new_bytes)
    try:
        verifying.verify(original, temp, applied)
        if before_replace is not None:
            before_replace(temp.read_bytes())
        check_not_open(path)
        check_unchanged(path, before)
        backup = write_backup_copy(path, original if backup_data is None else backup_data, now, backup_dir)
        try:
            os.chmod(temp, _mode_of(path))
        except OSError as error:
            raise _os_problem("save-step-replace", path, error) from None
        replace_register(temp, path)      # retried while Excel's preview, OneDrive or an antivirus holds it
        sync_folder(path.parent)
    except BaseException:
        _remove(temp)
        raise
    return WriteResult(path, backup, applied.cells_changed, applied.rows_deleted, applied.rows_appended)


def preview_changes(path, change: RegisterChange, now: datetime, *, original: bytes | None = None) -> bytes:
    """The exact bytes ``write_changes(path, change, now=now)`` would write (nothing is written).

    The edit is deterministic: the same register, change and ``now`` give the same bytes. ``original``: the
    register's bytes to change instead of the file's (a dry run chains its steps' previews in memory).
    """
    path = Path(path)
    _check_log(change)
    if original is None:
        try:
            original = path.read_bytes()
        except OSError as error:
            raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    return _apply(original, change, now, path.name)[1]


def _apply(original: bytes, change: RegisterChange, now: datetime, name: str):
    from toolkit.xlsx import apply as applying
    from toolkit.xlsx.package import Package

    package = Package.from_bytes(original, name=name)
    applied = applying.apply_change(package, change, now)
    return applied, package.to_bytes()


def _check_log(change: RegisterChange) -> None:
    lowered = [s.casefold() for s in change.scrubs]
    for command, details in change.logs:
        if any(s in f"{command} {details}".casefold() for s in lowered):
            raise ValueError("Loki must not hold a scrubbed (erased) string")


def _mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _os_problem(action: str, path: Path, error: OSError) -> FileProblem:
    return save_problem(action, path, error)


def _write_temp(path: Path, data: bytes) -> Path:
    """The new version in a temporary file beside the register, flushed to disk."""
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    except OSError as error:
        raise _os_problem("save-step-temporary", path.parent, error) from None
    temp = Path(name)
    try:
        fill_private(handle, data)
    except BaseException as error:
        _remove(temp)
        if isinstance(error, OSError):
            raise _os_problem("save-step-write", temp, error) from None
        raise
    return temp


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
