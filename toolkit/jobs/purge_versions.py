"""An erasure reaches the earlier versions of the register (``varmuuskopiot/``): each erased the same way.

    versions = prepare_versions(register, targets, today=..., now=..., skip=[expired backups])
    ... the register's own write is proven ...
    place_versions(versions)        # in place: erased copies replace the old ones; what could not be erased goes
    discard_versions(versions)      # on failure: the temporary files removed, nothing changed

Each earlier version of this register is read and checked like the register; the erased people are found in
it by what never changes (a student's id, a contact's name, address, phone and day: ``toolkit.erasure.people``),
together with every erasure recorded before (so a version written before an older erasure loses that person
too); the same change is built and made by the same byte-level writer and verified
(``toolkit.xlsx.copy_rewrite``), then the result is searched for every value the person had in that version
and in the register. A version that holds none of them is left as it is. A version that cannot be erased the
same way (it cannot be read, the change would lose content, the search still finds a value) is deleted
instead, and the output says so: an earlier version never keeps an erased person.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from toolkit.erasure.people import Target, actions_in, kept_in, people_in, scrub_strings
from toolkit.erasure.scan import Person, ScanReport, needles_for, scan_zip
from toolkit.jobs.purge_change import LOG_COMMAND, change_for, log_details
from toolkit.model.errors import MuskariError

ERASED, DELETED, UNTOUCHED = "erased", "deleted", "untouched"


@dataclass
class Version:
    path: Path
    outcome: str                       # ERASED, DELETED or UNTOUCHED
    temp: Path | None = None           # the erased copy, waiting to replace ``path``
    reason: str | None = None          # why a version is deleted (a catalogue code)
    data: bytes | None = None          # the erased copy's bytes (the version made by this very write)
    people: list[tuple[int, Person]] | None = None   # the values the erased people had in this version
    report: ScanReport | None = None   # the search of the erased copy (what was still found)


def prepare_versions(register: Path, targets: Sequence[Target], *, today: date, now: datetime,
                     skip: Iterable[Path] = (), recorded: Sequence = ()) -> list[Version]:
    """An erased copy of every earlier version of ``register`` that holds one of ``targets`` (or a recorded
    erasure), in temporary files; nothing is replaced yet."""
    from toolkit.xlsx.backup_copies import list_backup_copies

    skipped = {Path(os.path.realpath(p)) for p in skip}
    out: list[Version] = []
    try:
        for path, _made in list_backup_copies(register):
            if Path(os.path.realpath(path)) in skipped or path.is_symlink():
                continue
            out.append(erase_version(path, targets, today=today, now=now, recorded=recorded))
    except BaseException:
        discard_versions(out)
        raise
    return out


def erase_version(path: Path, targets: Sequence[Target], *, today: date, now: datetime, recorded: Sequence = (),
                  original: bytes | None = None, checked=None, extra_people: Sequence[tuple[int, Person]] = ()
                  ) -> Version:
    """One version with ``targets`` erased: the file at ``path``, or ``original`` (bytes already read and
    ``checked``: the register's own previous version, which this very write keeps; its erased copy is returned
    as ``data`` for the writer, and a temporary file is made beside ``path``)."""
    from toolkit.jobs.check import load_checked
    from toolkit.xlsx.copy_rewrite import rewrite_copy

    try:
        result = checked if checked is not None else load_checked(path, today)[1]
        tables = result.tables
        taken = {t.student_id for t in targets if t.student_id}
        targets = [*targets, *_recorded_targets(tables, recorded, len(targets), taken)]
        actions = actions_in(tables, targets)
        people = people_in(tables, targets)
        needles, _skipped = needles_for([p for _, p in [*people, *extra_people]], kept_in(tables, actions),
                                        numbers=[n for n, _ in [*people, *extra_people]])
        if not actions:
            report = ScanReport()
            scan_zip(original if original is not None else path, needles, report, path.name)
            return Version(path, UNTOUCHED, people=people) if report.clean else \
                Version(path, DELETED, reason="version-still-holds", people=people, report=report)
        change = change_for(actions)
        change.scrub(scrub_strings(needles))
        change.log(LOG_COMMAND, log_details(actions, [], version=True))
        temp = rewrite_copy(path, change, now, original=original)
    except MuskariError as error:
        if original is not None:       # the register's own previous version: the register cannot be erased either
            raise
        return Version(path, DELETED, reason=error.code or "version-not-erasable")
    report = ScanReport()
    data = temp.read_bytes()
    scan_zip(data, needles, report, path.name)
    if not report.clean:
        temp.unlink(missing_ok=True)
        if original is not None:
            report.raise_if_dirty()
        return Version(path, DELETED, reason="version-still-holds", people=people, report=report)
    if original is not None:           # the version this very write makes: handed to the writer as bytes
        temp.unlink(missing_ok=True)
        return Version(path, ERASED, data=data, people=people)
    return Version(path, ERASED, temp=temp, people=people)


def place_versions(versions: Iterable[Version]) -> None:
    """Put every prepared version in place: erased copies replace the old ones, unerasable ones are deleted."""
    for v in versions:
        if v.outcome == ERASED and v.temp is not None:
            os.replace(v.temp, v.path)
            v.temp = None
        elif v.outcome == DELETED:
            v.path.unlink(missing_ok=True)


def discard_versions(versions: Iterable[Version]) -> None:
    for v in versions:
        if v.temp is not None:
            v.temp.unlink(missing_ok=True)
            v.temp = None


def _recorded_targets(tables, recorded: Sequence, start: int, taken: set[str]) -> list[Target]:
    """Targets for the erasures recorded earlier (keyed hashes of ids) whose students this version still holds."""
    if not recorded:
        return []
    from toolkit.system.secrets import hash_student_id, load_key

    key = load_key(create=False)
    by_hash = {hash_student_id(sid, key): sid for sid in tables.students["student_id"]}
    rules: dict[str, str] = {}
    for record in recorded:            # oldest first: a later full erasure wins over an earlier study-window one
        sid = by_hash.get(record.hash)
        if sid is not None and sid not in taken:
            rules[sid] = record.rule
    return [Target(start + i, rule, student_id=sid) for i, (sid, rule) in enumerate(rules.items())]
