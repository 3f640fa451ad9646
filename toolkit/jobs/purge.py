"""The purge job: read -> check -> decide -> (change -> prove -> record -> write -> delete files).

    plan = plan_purge(path, today)                 # PurgePlan; plan.result.ok False -> exit 1
    done = apply_purge(plan, now=datetime.now())   # ApplyResult; nothing to do -> no write at all

``apply_purge`` carries out every action except ``ask`` in one ``RegisterChange``:
``erase`` deletes the Oppilaat and Opinnot rows (``deletion-requested`` also blanks Todistukset.
Oppilasnumero, anonymises the Valmistuneet rows and deletes the certificate documents), ``delete-row``
deletes Yhteydenotot rows, ``delete-file`` deletes expired backups. The erased people's values are
scrubbed from comments, hyperlinks, dropdown prompts, autofilter criteria and document properties
(``RegisterChange.scrub``).

Proof before the new register replaces the old: the toolkit's output folders beside the register
(``todistukset/``, ``lukukausi/``), the folders of the Tiedosto paths and any ``extra_folders`` (other
export folders) are searched first, skipping only the documents this run deletes; then the writer hands
the verified new register's exact bytes to ``before_replace`` and every zip part is searched
(``toolkit.erasure.scan``). A hit raises ``ErasureIncomplete`` (exit 3) and nothing is replaced or
deleted. Only then are the erasures recorded, the register replaced and the documents and backups deleted.

Loki gets one ``purge`` row: counts per rule and the HMAC of each erased id (``toolkit.system.secrets``),
never an id or a name. The same hashes go to the erased-ids list in the configuration folder, so
``replay_erasures`` can repeat the erasures on a restored backup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.erasure.scan import Kept, Person, ScanReport, needles_for, scan_folder, scan_zip
from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused
from toolkit.rules.purge import (
    ANONYMOUS_GRADUATE,
    DELETION_REQUESTED,
    BackupCopy,
    PurgeAction,
    count_by_rule,
    erase_action,
    find_purge_actions,
)

CERTIFICATE_FOLDER = folders.CERTIFICATES
# the toolkit's own output folders beside the register: certificates, and `semester`'s default DIR (teacher
# lists, BCC lists, summary); other export folders are passed with --scan
EXPORT_FOLDERS = (CERTIFICATE_FOLDER, folders.SEMESTER)
BACKUP_FOLDER = folders.BACKUP_COPIES
LOG_COMMAND = "purge"


@dataclass
class PurgePlan:
    path: Path
    today: date
    register: object                 # toolkit.xlsx.reading.Register
    result: object                   # toolkit.rules.validation.CheckResult
    actions: list[PurgeAction] = field(default_factory=list)

    @property
    def to_apply(self) -> list[PurgeAction]:
        return [a for a in self.actions if a.action != "ask"]


@dataclass
class ApplyResult:
    applied: list[PurgeAction]
    backup_path: Path | None = None
    scan: ScanReport | None = None
    files_deleted: int = 0
    hashes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied)

    @property
    def erased(self) -> int:
        return sum(1 for a in self.applied if a.action == "erase")


def plan_purge(path: str | Path, today: date) -> PurgePlan:
    """Read and check the register; when it is clean, the actions the rules require on ``today``."""
    from toolkit.jobs.check import load_checked
    from toolkit.xlsx.backup_copies import list_backup_copies

    path = Path(path)
    register, result = load_checked(path, today)
    plan = PurgePlan(path=path, today=today, register=register, result=result)
    if result.ok:
        backups = [BackupCopy(_shown(p, path.parent), made) for p, made in list_backup_copies(path)]
        plan.actions = find_purge_actions(result.tables, today, backups)
    return plan


def apply_purge(plan: PurgePlan, now: datetime, extra_folders: Sequence[Path] = ()) -> ApplyResult:
    """Carry out the plan's actions (not ``ask``); see the module docstring for the order and the proof."""
    actions = plan.to_apply
    if not actions:
        return ApplyResult(applied=[])
    return _apply(plan, actions, now, extra_folders, record=True)


def replay_erasures(path: str | Path, *, since: datetime | None = None, now: datetime | None = None,
                    today: date | None = None, extra_folders: Sequence[Path] = ()) -> ApplyResult:
    """Repeat on a restored register every erasure recorded (at or after ``since`` when given).

    ``restore`` (issue 7) calls it on the staged copy; replaying every recorded erasure is safe, since
    one whose student is no longer there is already done. ``.erased`` is the number of students erased.
    Students are found by the HMAC of their id (the key must be the one the erasures were made with).
    An erasure whose student is no longer in Oppilaat is already done. Raises ``Refused`` when the
    register has errors (the erasures cannot be located safely) and the MuskariErrors of ``apply``.
    """
    from toolkit.system.secrets import load_key, read_erasures

    now = now or datetime.now()
    records = read_erasures(since)
    plan = plan_purge(path, today or now.date())
    if not plan.result.ok:
        raise Refused("Palautetussa rekisterissä on virheitä, joten poistoja ei voitu toistaa. Korjaa virheet "
                      "(muskari check) ja aja palautus uudelleen.",
                      "The restored register has errors, so the erasures could not be replayed. Fix them "
                      "(muskari check) and restore again.")
    if not records:
        return ApplyResult(applied=[])
    key = load_key(create=False)
    from toolkit.system.secrets import hash_student_id

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
    return _apply(plan, sorted(actions, key=lambda a: a.row), now, extra_folders, record=False)


# --- the steps ----------------------------------------------------------------------------------------

def _apply(plan: PurgePlan, actions: list[PurgeAction], now: datetime, extra_folders: Sequence[Path],
           record: bool) -> ApplyResult:
    from toolkit.system.secrets import ErasureRecord, hash_student_id, load_key, record_erasures
    from toolkit.xlsx.safe_write import write_changes

    tables = plan.result.tables
    folder = plan.path.parent
    documents = [_document(plan.path, f) for a in actions if a.rule != "backup-expired" for f in a.files]
    numbers = [str(tables.certificates.loc[row, "number"]) for a in actions if a.files
               for row in a.rows.get("Todistukset", ()) if row in tables.certificates.index]
    documents += _print_copies(documents, numbers)
    backups = [_inside(folder, f) for a in actions if a.rule == "backup-expired" for f in a.files]
    erased = [a for a in actions if a.action == "erase"]
    key = load_key() if erased else b""
    hashes = [hash_student_id(a.student_id, key) for a in erased]

    people, full_people = _people(tables, actions)
    kept = _kept(tables, actions)
    needles, skipped = needles_for(people, kept)
    change = _change(actions)
    change.scrub(_scrub_strings(needles))
    change.log(LOG_COMMAND, _log_details(actions, hashes, replay=not record))

    report = ScanReport(skipped_needles=skipped)
    full_needles = [n for n in needles if n.person in full_people]
    if full_needles:
        for target in _document_folders(folder, tables, extra_folders):
            # the register itself (replaced only after its own scan) and the backups (they expire) are not exports
            scan_folder(target, full_needles, report, skip=[*documents, plan.path],
                        skip_dirs=[folder / BACKUP_FOLDER])
    report.raise_if_dirty()

    def prove_then_record(new_bytes: bytes) -> None:
        """Called by the writer with the verified new register's exact bytes, before it replaces the old."""
        scan_zip(new_bytes, needles, report, plan.path.name)
        report.raise_if_dirty()
        if record and erased:   # recorded before the replace: a lost record would let a restore bring them back
            record_erasures([ErasureRecord(h, a.rule, "full" if a.rule == DELETION_REQUESTED else "study", now)
                             for h, a in zip(hashes, erased, strict=True)])

    written = write_changes(plan.path, change, expected=plan.register.fingerprint, now=now,
                            before_replace=prove_then_record)
    deleted = _delete_files([*documents, *backups])
    return ApplyResult(applied=actions, backup_path=written.backup_path, scan=report, files_deleted=deleted,
                       hashes=hashes)


def _change(actions: Iterable[PurgeAction]):
    from toolkit.xlsx.safe_write import RegisterChange

    change = RegisterChange()
    for a in actions:
        if a.action == "erase":
            change.delete_rows("Oppilaat", [a.row])
            change.delete_rows("Opinnot", a.rows.get("Opinnot", ()))
            for row in a.rows.get("Todistukset", ()):
                change.update("Todistukset", row, "Oppilasnumero", None)
            for row in a.rows.get("Valmistuneet", ()):
                change.update("Valmistuneet", row, "Nimi", ANONYMOUS_GRADUATE)
                change.update("Valmistuneet", row, "Todistusnumero", None)
        elif a.action == "delete-row":
            change.delete_rows(a.sheet, [a.row])
    return change


def _scrub_strings(needles) -> list[str]:
    """The values the writer removes from comments, hyperlinks, prompts, filters and properties (it matches
    whole words, so "1.3.2019" leaves "11.3.2019" alone); birth dates in the ways people type them."""
    out = set()
    for n in needles:
        if n.kind == "birth-date":
            day = date.fromisoformat(n.value)
            out.update({f"{day.day}.{day.month}.{day.year}", f"{day.day:02d}.{day.month:02d}.{day.year}", n.value})
        else:
            out.add(n.value)
    return sorted(out)


def _people(tables, actions: Sequence[PurgeAction]) -> tuple[list[Person], set[int]]:
    """Everyone whose rows go (erased students, expired contacts); the indexes of full erasures."""
    people, full = [], set()
    students = tables.students.set_index("row", drop=False)
    contacts = tables.contacts.set_index("row", drop=False)
    for a in actions:
        if a.action == "erase":
            s = students.loc[a.row]
            if a.rule == DELETION_REQUESTED:
                full.add(len(people))
            people.append(Person(first_name=s["first_name"], last_name=s["last_name"], guardian=s["guardian"],
                                 email=s["email"], phone=s["phone"], birth_date=s["birth_date"]))
        elif a.action == "delete-row" and a.sheet == "Yhteydenotot":
            c = contacts.loc[a.row]
            people.append(Person(name=c["name"], email=c["email"], phone=c["phone"]))
    return people, full


def _kept(tables, actions: Sequence[PurgeAction]) -> Kept:
    """Every value that stays in the register's tables after the change, and the settings."""
    gone = {"Oppilaat": set(), "Opinnot": set(), "Yhteydenotot": set()}
    anonymised = set()
    for a in actions:
        if a.action == "erase":
            gone["Oppilaat"].add(a.row)
            gone["Opinnot"].update(a.rows.get("Opinnot", ()))
            anonymised.update(a.rows.get("Valmistuneet", ()))
        elif a.action == "delete-row" and a.sheet in gone:
            gone[a.sheet].add(a.row)
    kept = Kept()
    frames = {"Oppilaat": tables.students, "Opinnot": tables.studies, "Opintokokonaisuudet": tables.units,
              "Opettajat": tables.teachers, "Todistukset": tables.certificates, "Valmistuneet": tables.graduates,
              "Yhteydenotot": tables.contacts}
    for sheet, frame in frames.items():
        rows = frame[~frame["row"].isin(gone.get(sheet, set()))]
        if sheet == "Valmistuneet":
            rows = rows[~rows["row"].isin(anonymised)]
        for column in rows.columns.drop("row"):
            for value in rows[column].dropna().unique():   # few distinct values in the big sheets
                kept.add_text(value)
        if sheet == "Oppilaat":
            for first, last in zip(rows["first_name"], rows["last_name"], strict=True):
                kept.add_text(f"{first} {last}")
                kept.add_text(f"{last} {first}")
    for value in vars(tables.settings).values():
        kept.add_text(value if isinstance(value, str) else None)
    return kept


def _document_folders(folder: Path, tables, extra: Sequence[Path]) -> list[Path]:
    """The certificate folder, the folders of every Tiedosto path inside the register's folder, ``extra``."""
    found = {(folder / name).resolve() for name in EXPORT_FOLDERS}
    for name in tables.certificates["file"]:
        if name:
            target = _inside(folder, str(name), strict=False)
            if target is not None and target.parent != folder.resolve():
                found.add(target.parent)
    found.update(Path(p).resolve() for p in extra)   # a folder not made yet holds nothing to find
    # a folder inside another is walked once, with it
    ordered = sorted(found, key=lambda p: len(p.parts))
    return [p for i, p in enumerate(ordered) if not any(p.is_relative_to(q) for q in ordered[:i])]


def _inside(folder: Path, name: str, strict: bool = True) -> Path | None:
    """``name`` (relative to the register's folder) resolved; refused when it leads outside the folder."""
    root = folder.resolve()
    target = Path(os.path.realpath(root / name))
    if target.is_relative_to(root) and target != root:
        return target
    if not strict:
        return None
    raise Refused(f"Todistustiedoston polku \"{name}\" osoittaa rekisterin kansion ulkopuolelle, joten sitä ei "
                  "poisteta. Poista asiakirja itse ja tyhjennä Tiedosto-solu, sitten aja komento uudelleen.",
                  f"The document path \"{name}\" leads outside the register's folder, so it is not deleted. "
                  "Delete the document yourself, clear the Tiedosto cell and run the command again.")


def _document(register: Path, name: str) -> Path:
    """A certificate document to delete: inside the register's folder, a file, and neither the register
    itself nor anything in the backup folder (a mistyped Tiedosto must never delete those)."""
    target = _inside(register.parent, name)
    backups = (register.parent / BACKUP_FOLDER).resolve()
    if target == register.resolve() or target.is_relative_to(backups) or target.is_dir():
        raise Refused(f"Todistustiedoston polku \"{name}\" ei osoita todistusasiakirjaan, joten sitä ei poisteta. "
                      "Korjaa Tiedosto-solu ja aja komento uudelleen.",
                      f"The document path \"{name}\" does not point to a certificate document, so it is not "
                      "deleted. Correct the Tiedosto cell and run the command again.")
    return target


_COMBINED = re.compile(r"tulostettavat_(\d{4}-\d{3})_(\d{4}-\d{3})\.pdf")


def _print_copies(documents: Sequence[Path], numbers: Sequence[str]) -> list[Path]:
    """The PDFs `certificates --pdf` made of these documents: each one's own PDF beside it, and the combined
    print files (`tulostettavat_FIRST_LAST.pdf`) whose number range holds one of the certificates."""
    found = [d.with_suffix(".pdf") for d in documents if d.suffix.lower() == ".docx" and d.with_suffix(".pdf").is_file()]
    for folder in {d.parent for d in documents}:
        for candidate in sorted(folder.glob("tulostettavat_*.pdf")):
            match = _COMBINED.fullmatch(candidate.name)
            if match and any(match[1] <= n <= match[2] for n in numbers):
                found.append(candidate)
    return found


def _delete_files(paths: Iterable[Path]) -> int:
    deleted = 0
    for path in paths:
        try:
            path.unlink()
            deleted += 1
        except FileNotFoundError:
            continue
        except OSError as error:
            raise FileProblem(f"Rekisteri on päivitetty, mutta tiedostoa {path} ei voitu poistaa ({error.strerror}). "
                              "Poista se itse.",
                              f"The register was updated but {path} could not be deleted ({error.strerror}). "
                              "Delete it yourself.") from None
    return deleted


def _log_details(actions: Sequence[PurgeAction], hashes: Sequence[str], replay: bool) -> str:
    """Counts per rule and the keyed hashes; never an id, a name or a file name."""
    parts = []
    for rule, n in count_by_rule(actions).items():
        chosen = [a for a in actions if a.rule == rule]
        rows = {}
        for a in chosen:
            if a.sheet:
                rows[a.sheet] = rows.get(a.sheet, 0) + 1
            for sheet, numbers in a.rows.items():
                rows[sheet] = rows.get(sheet, 0) + len(numbers)
        files = sum(len(a.files) for a in chosen)
        counts = ", ".join(f"{sheet} {k}" for sheet, k in rows.items() if k)
        parts.append(f"{rule}: {n} ({counts}{', ' if counts and files else ''}{f'tiedostot {files}' if files else ''})")
    text = ("toistettu palautuksen jälkeen; " if replay else "") + "; ".join(parts)
    if hashes:
        text += "; HMAC: " + ", ".join(log_hash(h) for h in hashes)
    return text


def log_hash(digest: str) -> str:
    """The hash as Loki shows it: hex in groups of eight joined by dots, so that no run of it can look
    like an identity code (six digits, a century sign, three digits) to the writer's personal-data guard."""
    return ".".join(digest[i:i + 8] for i in range(0, len(digest), 8))


def _shown(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)
