"""The purge job: read -> check -> decide -> (change -> reach everything -> prove -> record -> write).

    plan = plan_purge(path, today)                 # PurgePlan; plan.result.ok False -> exit 1
    done = apply_purge(plan, now=datetime.now())   # ApplyResult; nothing to do -> no write at all

``apply_purge`` carries out every action except ``ask`` and ``issue-first`` in one ``RegisterChange``
(``toolkit.jobs.purge_change``): ``erase`` deletes the Oppilaat and Opinnot rows (``deletion-requested`` also
blanks Todistukset' Oppilasnumero and Tiedosto, anonymises the graduates' Valmistuneet rows and deletes the
certificate documents), ``delete-row`` deletes Yhteydenotot rows, ``delete-file`` deletes expired backups.
The erased people's values are scrubbed from comments, hyperlinks, dropdown prompts, autofilter criteria
and document properties (``RegisterChange.scrub``).

What an erasure reaches (contract.md), prepared before anything is replaced:
- the earlier versions in ``varmuuskopiot/`` (``toolkit.jobs.purge_versions``), each erased the same way and
  verified, and the previous version this write keeps (handed to the writer already erased);
- the certificate documents the toolkit made, their PDFs and print files (``toolkit.erasure.documents``);
  anything else a Tiedosto names is reported, not deleted;
- every file under the register's folder (``toolkit.erasure.reach``): the toolkit's own files that hold an
  erased person are deleted; the owner's files are never edited, those that still hold a value are named
  (``remnants``), those that cannot be read are named too (``unchecked``).

Then the writer hands the verified new register's exact bytes to ``before_replace``: every zip part is
searched (``toolkit.erasure.scan``); a hit raises ``ErasureIncomplete`` (exit 3) and nothing is replaced
or deleted. Only then are the erasures recorded, the earlier versions put in place, the files deleted and
the register replaced. A failure after that point leaves the register holding the person and the erasure
recorded: running purge again finishes it.

Loki gets one ``purge`` row: counts per rule and the HMAC of each erased id (``toolkit.system.secrets``),
never an id or a name. The same hashes go to the erased-ids list in the configuration folder, so
``replay_erasures`` can repeat the erasures on a restored backup.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.erasure.scan import ScanReport
from toolkit.jobs.purge_change import LOG_COMMAND, change_for, log_details, log_hash
from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused
from toolkit.rules.purge import (
    BACKUP_EXPIRED,
    DELETION_REQUESTED,
    BackupCopy,
    PurgeAction,
    erase_action,
    find_purge_actions,
)

__all__ = ["ApplyResult", "PurgePlan", "apply_purge", "log_hash", "plan_purge", "preview_change", "replay_erasures"]
BACKUP_FOLDER = folders.BACKUP_COPIES


@dataclass
class PurgePlan:
    path: Path
    today: date
    register: object                 # toolkit.xlsx.reading.Register
    result: object                   # toolkit.rules.validation.CheckResult
    actions: list[PurgeAction] = field(default_factory=list)

    @property
    def to_apply(self) -> list[PurgeAction]:
        return [a for a in self.actions if a.carried_out]


@dataclass
class ApplyResult:
    applied: list[PurgeAction]
    backup_path: Path | None = None
    scan: ScanReport | None = None                     # the new register's proof scan
    hashes: list[str] = field(default_factory=list)
    documents_deleted: list[str] = field(default_factory=list)   # paths relative to the register's folder
    documents_not_deleted: list[str] = field(default_factory=list)   # Tiedosto texts: no document of the toolkit
    outputs_deleted: list[str] = field(default_factory=list)     # the toolkit's own files that held them
    backups_deleted: list[str] = field(default_factory=list)     # expired backups (backup-expired)
    versions_erased: list[str] = field(default_factory=list)     # earlier versions erased the same way
    versions_deleted: list[str] = field(default_factory=list)    # earlier versions that could not be: deleted
    remnants: list[str] = field(default_factory=list)            # the owner's files still holding a value
    unchecked: list[str] = field(default_factory=list)           # the owner's files that could not be read
    places: int = 0                                               # places searched in all
    people: int = 0                                               # people erased (students and contacts)

    @property
    def changed(self) -> bool:
        return bool(self.applied)

    @property
    def erased(self) -> int:
        return sum(1 for a in self.applied if a.action == "erase")

    @property
    def files_deleted(self) -> int:
        return (len(self.documents_deleted) + len(self.outputs_deleted) + len(self.backups_deleted)
                + len(self.versions_deleted))

    @property
    def traceless(self) -> bool:
        """True only when people were erased and the search found nothing of them anywhere it looked."""
        return bool(self.people) and self.scan is not None and self.scan.clean and not self.remnants \
            and not self.unchecked


def plan_purge(path: str | Path, today: date, *, checked=None, more_backups: Sequence[BackupCopy] = ()) -> PurgePlan:
    """Read and check the register; when it is clean, the actions the rules require on ``today``.

    ``checked``: the ``(register, CheckResult)`` already read (the semester run's, a dry run's preview in memory);
    ``more_backups``: backups that are not there yet but would be (the earlier versions a dry run's previous steps
    would have kept)."""
    from toolkit.jobs.check import load_checked
    from toolkit.xlsx.backup_copies import list_backup_copies

    path = Path(path)
    register, result = checked or load_checked(path, today)
    plan = PurgePlan(path=path, today=today, register=register, result=result)
    if result.ok:
        backups = [BackupCopy(_shown(p, path.parent), made) for p, made in list_backup_copies(path)]
        plan.actions = find_purge_actions(result.tables, today, [*backups, *more_backups])
    return plan


def preview_change(plan: PurgePlan):
    """The ``RegisterChange`` that ``apply_purge`` writes for the plan (rows deleted and blanked, the erased
    people's values scrubbed from everything but cells, the Loki line), for a dry run to preview in memory
    (``toolkit.xlsx.safe_write.preview_changes``). Its Loki line has no keyed hashes (they need the toolkit's
    key, which a dry run never creates); nothing else differs."""
    actions = plan.to_apply
    return _register_change(actions, _needles(plan.result.tables, actions)[3], [], replay=False)


def apply_purge(plan: PurgePlan, now: datetime, extra_folders: Sequence[Path] = ()) -> ApplyResult:
    """Carry out the plan's actions (not ``ask`` nor ``issue-first``); see the module docstring for the order
    and the proof. ``extra_folders`` (``--scan``) are swept like the register's folder."""
    from toolkit.xlsx.lock import register_lock

    actions = plan.to_apply
    if not actions:
        return ApplyResult(applied=[])
    with register_lock(plan.path):    # the earlier versions' temporary copies are made before the register's write
        return _apply(plan, actions, now, extra_folders, record=True)


def replay_erasures(path: str | Path, *, since: datetime | None = None, now: datetime | None = None,
                    today: date | None = None, extra_folders: Sequence[Path] = ()) -> ApplyResult:
    """Repeat on a restored register every erasure recorded (at or after ``since`` when given).

    ``restore`` calls it on the staged copy; replaying every recorded erasure is safe, since one whose student
    is no longer there is already done. ``.erased`` is the number of students erased. Students are found by
    the HMAC of their id (the key must be the one the erasures were made with). Raises ``Refused`` when the
    register has errors (the erasures cannot be located safely) and the MuskariErrors of ``apply``.
    """
    from toolkit.system.secrets import hash_student_id, load_key, read_erasures

    now = now or datetime.now()
    records = read_erasures(since)
    plan = plan_purge(path, today or now.date())
    if not plan.result.ok:
        raise Refused("replay-register-has-errors")
    if not records:
        return ApplyResult(applied=[])
    key = load_key(create=False)
    by_hash = {hash_student_id(sid, key): sid for sid in plan.result.tables.students["student_id"]}
    actions = []
    for record in records:  # a later full erasure wins over an earlier study-window one
        sid = by_hash.get(record.hash)
        if sid is None:
            continue
        action = erase_action(plan.result.tables, sid, record.rule)
        actions = [a for a in actions if a.student_id != sid] + [action]
    if not actions:
        return ApplyResult(applied=[])
    from toolkit.xlsx.lock import register_lock

    with register_lock(plan.path):
        return _apply(plan, sorted(actions, key=lambda a: a.row), now, extra_folders, record=False)


# --- the steps ----------------------------------------------------------------------------------------

def _apply(plan: PurgePlan, actions: list[PurgeAction], now: datetime, extra_folders: Sequence[Path],
           record: bool) -> ApplyResult:
    from toolkit.erasure.documents import plan_documents
    from toolkit.erasure.scan import needles_for, scan_zip
    from toolkit.jobs import purge_versions as versions_job
    from toolkit.system.outputs import OutputList
    from toolkit.system.secrets import (
        ErasureRecord,
        hash_student_id,
        load_key,
        read_erasures,
        record_erasures,
    )
    from toolkit.xlsx.safe_write import write_changes

    tables = plan.result.tables
    folder = plan.path.parent
    erased = [a for a in actions if a.action == "erase"]
    key = load_key() if erased else b""
    hashes = [hash_student_id(a.student_id, key) for a in erased]
    targets, people, kept, needles, skipped = _needles(tables, actions)
    change = _register_change(actions, needles, hashes, replay=not record)
    result = ApplyResult(applied=actions, hashes=hashes, people=len(targets))

    outputs = OutputList.load()
    documents = plan_documents(plan.path, tables, actions, targets, outputs)
    expired = [_backup_file(folder, f) for a in actions if a.rule == BACKUP_EXPIRED for f in a.files]
    prepared: list = []
    previous = None
    try:
        if targets:
            recorded = read_erasures()
            prepared = versions_job.prepare_versions(plan.path, targets, today=plan.today, now=now,
                                                     skip=expired, recorded=recorded)
            previous = versions_job.erase_version(plan.path, targets, today=plan.today, now=now,
                                                  original=_read(plan.path), checked=plan.result)
            every = people + [p for v in prepared for p in (v.people or [])]
            folder_needles, _ = needles_for([p for _, p in every], kept, numbers=[n for n, _ in every])
            found = _sweep(plan.path, folder_needles, outputs, set(hashes), documents, prepared, expired,
                           extra_folders)
        else:
            found = None
        report = ScanReport(skipped_needles=skipped)

        def prove_then_record(new_bytes: bytes) -> None:
            """Called by the writer with the verified new register's exact bytes, before it replaces the old."""
            scan_zip(new_bytes, needles, report, plan.path.name)
            report.raise_if_dirty()
            if record and erased:   # recorded before anything goes: a lost record would let a restore bring them back
                record_erasures([ErasureRecord(h, a.rule, "full" if a.rule == DELETION_REQUESTED else "study", now)
                                 for h, a in zip(hashes, erased, strict=True)])
            _carry_out(result, folder, prepared, documents, found, expired)

        written = write_changes(plan.path, change, expected=plan.register.fingerprint, now=now,
                                before_replace=prove_then_record,
                                backup_data=previous.data if previous is not None and previous.data else None)
    finally:
        versions_job.discard_versions(prepared)
    result.backup_path = written.backup_path
    result.scan = report
    if found is not None:
        result.remnants, result.unchecked = found.remnants, found.unchecked
        result.places = report.places + found.places
    else:
        result.places = report.places
    return result


def _needles(tables, actions: list[PurgeAction]):
    """(targets, people, kept values, needles, skipped needles) of an erasure (``toolkit.erasure``)."""
    from toolkit.erasure.people import kept_in, people_in, targets_of
    from toolkit.erasure.scan import needles_for

    targets = targets_of(tables, actions)
    people = people_in(tables, targets)
    kept = kept_in(tables, actions)
    needles, skipped = needles_for([p for _, p in people], kept, numbers=[n for n, _ in people])
    return targets, people, kept, needles, skipped


def _register_change(actions: list[PurgeAction], needles, hashes, replay: bool):
    from toolkit.erasure.people import scrub_strings

    change = change_for(actions)
    change.scrub(scrub_strings(needles))
    change.log(LOG_COMMAND, log_details(actions, hashes, replay=replay))
    return change


def _sweep(register: Path, needles, outputs, hashes: set[str], documents, prepared, expired, extra_folders):
    """What an erasure finds under the register's folder (and the --scan folders), the register itself, its
    earlier versions and the documents it deletes left out (each handled on its own)."""
    from toolkit.erasure.reach import sweep_folder

    folder = register.parent
    skip = [register, *documents.delete, *expired, *(v.path for v in prepared)]
    found = sweep_folder(folder, needles, outputs=outputs, erased=hashes, skip=skip, exempt=documents.exempt)
    root = Path(os.path.realpath(folder))
    for extra in extra_folders:
        if not Path(os.path.realpath(extra)).is_relative_to(root):
            found.extend(sweep_folder(Path(extra), needles, outputs=outputs, erased=hashes, skip=skip,
                                      exempt=documents.exempt, shown_from=folder))
    return found


def _carry_out(result: ApplyResult, folder: Path, prepared, documents, found, expired) -> None:
    """Everything that goes with the erasure, once the new register is proven: earlier versions replaced by their
    erased copies (or deleted), documents, the toolkit's own files and expired backups deleted."""
    from toolkit.jobs.purge_versions import DELETED, ERASED, place_versions
    from toolkit.system.outputs import forget_outputs

    try:
        place_versions(prepared)
    except OSError as error:
        raise FileProblem("versions-not-placed", folder=str(folder / BACKUP_FOLDER),
                          reason=error.strerror or str(error)) from None
    result.versions_erased = [_shown(v.path, folder) for v in prepared if v.outcome == ERASED]
    result.versions_deleted = [_shown(v.path, folder) for v in prepared if v.outcome == DELETED]
    result.documents_not_deleted = list(documents.not_deleted)
    result.documents_deleted = _delete(documents.delete, folder)
    if found is not None:
        result.outputs_deleted = _delete(found.to_delete, folder)
        forget_outputs(found.to_delete)
    result.backups_deleted = _delete(expired, folder)


def _delete(paths, folder: Path) -> list[str]:
    done = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise FileProblem("erasure-file-not-deleted", path=str(path), reason=error.strerror or str(error)) \
                from None
        done.append(_shown(path, folder))
    return done


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FileProblem("version-unreadable", path=str(path), reason=error.strerror or str(error)) from None


def _backup_file(folder: Path, shown: str) -> Path:
    """An expired backup as ``plan_purge`` listed it: a file in ``varmuuskopiot/``, never anything else."""
    path = folder / shown
    backups = Path(os.path.realpath(folder / BACKUP_FOLDER))
    if path.is_symlink() or not Path(os.path.realpath(path)).is_relative_to(backups):
        raise Refused("backup-path-refused", path=shown)
    return path


def _shown(path: Path, folder: Path) -> str:
    try:
        return Path(path).relative_to(folder).as_posix()
    except ValueError:
        return str(path)
