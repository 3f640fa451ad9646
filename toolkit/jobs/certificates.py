"""The certificates job: plan what is due, render it, record it, and only then put documents in place.

    plan = plan_run(register, tables, today, out_dir=..., students=("0007",), kinds=("päättötodistus",))
    result = issue_certificates(register, tables, plan, pdf=True, now=datetime.now())

Order, so a failure never leaves a numbered document the register does not know, nor a register row
without its document: settings and LibreOffice are checked, every template is checked and compiled,
the documents are rendered (mode 0600) into a hidden temporary folder inside the output folder and
converted to PDF there, the register gets its Todistukset rows (and a Valmistuneet row for each
muskaritodistus and päättötodistus: a participation certificate's holder did not graduate) and a Loki
line through `toolkit.xlsx.safe_write`, and then the files are moved into place (never over an existing
file). If the register cannot be written, the temporary folder is removed and nothing was issued. A run killed
midway (SIGKILL, a power cut) leaves the folder; the next run that issues finishes it (``finish_interrupted``).
Tiedosto holds the document's path relative to the register's folder, or its absolute path when --out
is elsewhere (another drive), with forward slashes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import FileProblem, Refused, os_reason
from toolkit.model.messages import count_code, say_count
from toolkit.model.paths import register_path_text
from toolkit.rules.certificate_context import (
    GRADUATING,
    CertificateRequest,
    Refusal,
    certificate_contexts,
    missing_settings,
    plan_certificates,
)
from toolkit.rules.eligibility import assess_eligibility
from workbook_schema.choices import FINAL, MUSKARI

DEFAULT_OUT = folders.CERTIFICATES
STAGING_PREFIX = ".muskari-todistukset-"      # a run's hidden folder in the output folder, until it is recorded


@dataclass
class CertificatePlan:
    requests: list[CertificateRequest]
    refusals: list[Refusal]
    out_dir: Path
    missing_settings: list[str]


@dataclass
class IssueResult:
    documents: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    combined_pdf: Path | None = None
    backup: Path | None = None
    notices: list = field(default_factory=list)      # toolkit.office.template_files.Notice
    recovered: list = field(default_factory=list)    # Notices: what became of an interrupted run's documents


def plan_run(register, tables, today: date, *, out_dir: Path | None = None, students: tuple[str, ...] = (),
             kinds: tuple[str, ...] = (MUSKARI, FINAL)) -> CertificatePlan:
    """What `--apply` would issue (numbered), what was asked for and will not be, and blank settings."""
    results = assess_eligibility(tables, today)
    requests, refusals = plan_certificates(tables, results, today, kinds=kinds, students=students)
    out = Path(out_dir) if out_dir is not None else Path(register.path).parent / DEFAULT_OUT
    return CertificatePlan(requests, refusals, out, missing_settings(tables.settings, {r.kind for r in requests}))


def check_templates(register, plan: CertificatePlan, *, pdf: bool = False) -> list:
    """Before anything is planned to be written: LibreOffice for --pdf, and every template the plan uses (a bad
    template stops even a dry run; TemplateProblem or Refused, exit 3). Returns the templates' notices
    (toolkit.office.template_files.Notice: a kind that fell back to the toolkit's own template, items a
    final-certificate template lacks)."""
    from toolkit.office.template_files import load_templates
    from toolkit.system.programs import find_soffice

    if pdf:
        find_soffice()
    return load_templates(register.path, [r.kind for r in plan.requests])[1]


def check_issue(register, plan: CertificatePlan) -> None:
    """What ``issue_certificates`` refuses before it renders or writes anything, checked without writing (a dry
    run stops where --apply would): blank settings the certificates need, an output folder that is a file, a
    document of the same name already in the folder, and the output guard (never into the backups' folder, never
    through a link out of the folder). Raises Refused or FileProblem (exit 3)."""
    from toolkit.system.outputs import check_output
    from toolkit.system.private_files import private_folder

    if not plan.requests:
        return
    if plan.missing_settings:
        raise Refused("certificates-settings-missing", keys=", ".join(plan.missing_settings))
    out_dir = Path(plan.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        private_folder(out_dir)            # refuses a file, before it would create anything
    for r in plan.requests:
        target = out_dir / r.file_name
        if target.exists() or target.with_suffix(".pdf").exists():
            raise Refused("certificates-file-exists", path=target)
        check_output(target, register=register.path, within=out_dir, force=True)


def register_change(register_path, plan: CertificatePlan):
    """The ``RegisterChange`` that issuing ``plan`` writes: a Todistukset row per certificate (Tiedosto: the
    document's path relative to the register's folder, or absolute when the folder is elsewhere), a Valmistuneet
    row for each muskaritodistus and päättötodistus, and one Loki line of counts. A dry run previews it
    (``toolkit.xlsx.safe_write.preview_changes``) without rendering a document."""
    from toolkit.xlsx.safe_write import RegisterChange

    change = RegisterChange()
    base = Path(register_path).resolve().parent
    for r in plan.requests:
        change.append("Todistukset", {"Todistusnumero": r.number, "Oppilasnumero": r.student_id,
                                      "Todistus": r.kind, "Päivämäärä": r.issued_on,
                                      "Tiedosto": register_path_text((Path(plan.out_dir) / r.file_name).resolve(),
                                                                     base)})
        if r.kind in GRADUATING:
            change.append("Valmistuneet", {"Vuosi": r.issued_on.year, "Nimi": r.name, "Todistus": r.kind,
                                           "Todistusnumero": r.number})
    counts = Counter(r.kind for r in plan.requests)
    issued = len(plan.requests)
    change.log("certificates", say_count("log-certificates", "fi", issued,     # Loki: the register's language
                                         kinds=", ".join(f"{kind} {n}" for kind, n in counts.items())))
    return change


def issue_certificates(register, tables, plan: CertificatePlan, *, pdf: bool = False, now: datetime,
                       progress: Callable[[int], None] | None = None, templates_dir: Path | None = None,
                       workers: int | None = None) -> IssueResult:
    from toolkit.office.docx_templates import render_documents
    from toolkit.office.pdf import combine_pdfs, convert_to_pdf
    from toolkit.office.template_files import load_templates
    from toolkit.system.private_files import private_folder
    from toolkit.system.programs import find_soffice
    from toolkit.xlsx.replace import save_hint
    from toolkit.xlsx.safe_write import write_changes

    recovered = finish_interrupted(register, tables, Path(plan.out_dir))
    if not plan.requests:
        return IssueResult(recovered=recovered)
    check_issue(register, plan)            # settings, the folder, documents already there, the output guard
    soffice = str(find_soffice()) if pdf else None
    templates, notices = load_templates(register.path, [r.kind for r in plan.requests], templates_dir)
    out_dir = private_folder(plan.out_dir)
    targets = [out_dir / r.file_name for r in plan.requests]
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        contexts = certificate_contexts(tables, plan.requests)
        jobs = [(r.kind, ctx, str(staging / t.name)) for r, ctx, t in zip(plan.requests, contexts, targets,
                                                                             strict=True)]
        render_documents(templates, jobs, workers=workers, progress=progress)
        staged_pdfs, combined = ([], None)
        if soffice:
            staged_pdfs = convert_to_pdf(soffice, [staging / t.name for t in targets], staging)
            combined = combine_pdfs(staged_pdfs, staging / combined_name(plan.requests))
        written = write_changes(register.path, register_change(register.path, plan), expected=register.fingerprint,
                                now=now)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)       # nothing was recorded: nothing was issued
        if isinstance(error, OSError):                   # a full disk, no rights: said in Finnish, not a traceback
            raise FileProblem("certificates-not-written", folder=out_dir, reason=os_reason(error),
                              hint=save_hint(error)) from None
        raise
    result = IssueResult(backup=getattr(written, "backup_path", None), notices=notices, recovered=recovered)
    try:
        for staged in sorted(staging.iterdir()):
            if staged.suffix in (".docx", ".pdf"):
                final = out_dir / staged.name
                _move_new(staged, final)
                (result.documents if staged.suffix == ".docx" else result.pdfs).append(final)
    except FileExistsError as error:
        raise FileProblem("certificates-file-appeared", path=error.filename, staging=staging) from None
    except OSError as error:
        # the register already lists these certificates: keep the documents where they are and say so
        raise FileProblem("certificates-move-failed", folder=out_dir, detail=os_reason(error),
                          staging=staging) from None
    staging.rmdir()
    if combined is not None:
        result.combined_pdf = out_dir / combined.name
        result.pdfs.remove(result.combined_pdf)
    _record_outputs(result, plan, out_dir)
    return result


def _record_outputs(result: IssueResult, plan: CertificatePlan, out_dir: Path) -> None:
    _record_documents(result.documents + result.pdfs, result.combined_pdf,
                      {r.file_name.rsplit(".", 1)[0]: r.student_id for r in plan.requests}, out_dir)


def _record_documents(documents: list[Path], combined_pdf: Path | None, owner: dict[str, str], out_dir: Path) -> None:
    """List the documents as the toolkit's own (``toolkit.system.outputs``), with the student each one holds
    (``owner``: file stem -> student id), and the output folder, so that an erasure deletes them and only them."""
    from toolkit.system.outputs import record_folder, record_outputs

    record_folder(out_dir)
    record_outputs([(p, "certificate", [owner.get(p.stem, "")], None) for p in documents]
                   + ([(combined_pdf, "print-pdf", list(owner.values()), None)] if combined_pdf else []))


def finish_interrupted(register, tables, out_dir: Path) -> list:
    """A run killed while it held the register's lock (SIGKILL, a power cut) leaves its staging folder in
    ``out_dir``, holding rendered certificates. The register's write is all or nothing, so the register tells
    what became of the run: when Todistukset names the folder's documents the run was recorded, and they are
    moved into place as it would have (never over a file); when it names none, nothing was issued and the folder
    is removed. Only folders last changed before this process started: a live run's are never touched (the
    caller holds the register's lock). Returns Notices saying what was done."""
    from toolkit.model.paths import document_location
    from toolkit.office.template_files import Notice
    from toolkit.xlsx.leftovers import process_started

    started = process_started()
    try:
        stagings = sorted(p for p in out_dir.glob(STAGING_PREFIX + "*")
                          if p.is_dir() and not p.is_symlink() and p.lstat().st_mtime < started)
    except OSError:
        return []
    if not stagings:
        return []
    folder = Path(register.path).parent
    named = {}
    for text, student_id in zip(tables.certificates["file"], tables.certificates["student_id"], strict=True):
        location = document_location(text, folder)
        if location is not None:
            named[os.path.abspath(location)] = student_id
    notices = []
    for staging in stagings:
        staged = sorted(p for p in staging.iterdir() if p.is_file() and not p.is_symlink())
        owner = {p.stem: named[final] for p in staged
                 if p.suffix == ".docx" and (final := os.path.abspath(out_dir / p.name)) in named}
        if not owner:
            shutil.rmtree(staging, ignore_errors=True)
            count = sum(p.suffix == ".docx" for p in staged)
            if staging.exists():              # no rights, a file held open: said, never called deleted
                notices.append(Notice("certificates-interrupted-not-removed", {"staging": staging}))
            else:
                notices.append(Notice(count_code("certificates-interrupted-removed", count), {"count": count}))
            continue
        moved, kept, combined = [], [], None
        for p in staged:
            final = out_dir / p.name
            try:
                if final.exists() and os.path.samefile(p, final):
                    p.unlink()                # killed inside the move: linked into place, not yet unlinked
                else:
                    _move_new(p, final)
            except OSError:
                kept.append(final)
                continue
            if p.stem in owner or p.suffix != ".pdf":
                moved.append(final)
            else:
                combined = final              # the print PDF of the whole run
        _record_documents(moved, combined, owner, out_dir)
        count = sum(p.suffix == ".docx" for p in moved)
        notices.append(Notice(count_code("certificates-interrupted-moved", count), {"count": count, "folder": out_dir}))
        if kept:
            notices.append(Notice("certificates-interrupted-kept", {"staging": staging,
                                                                    "names": ", ".join(p.name for p in kept)}))
        else:
            with contextlib.suppress(OSError):
                staging.rmdir()
    return notices


def combined_name(requests: list[CertificateRequest]) -> str:
    return f"tulostettavat_{requests[0].number}_{requests[-1].number}.pdf"


def _move_new(source: Path, target: Path) -> None:
    """Move within a folder, never over an existing file (a hard link fails if the target exists);
    FileExistsError names a target that appeared meanwhile."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(source, target)        # file systems without hard links (FAT memory sticks)
        return
    source.unlink()
