"""The steps of the semester run (``toolkit.jobs.semester``), each through its job's public API, each planning on
the register the step before left: read from disk after a write (``apply``), or from the writer's preview of
that write in memory (a dry run). Every step appends its ``StepResult`` to ``result`` (the run's
``toolkit.jobs.semester.SemesterResult``).

    state = check(result)                          # RegisterState: the register, its check, and where it lives
    state = import_forms(result, state, forms, now)
    state = certificates(result, state, now)
    state = purge(result, state, now)
    teacher_lists(result, state); emails(result, state); plots(result, state, lang)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.formatting import kind_phrase
from toolkit.rules.backups import BackupCopy

LISTS_FOLDER = "opettajat"
EMAIL_FOLDER = "sahkopostit"
EMAIL_FILES = {"registration": "ilmoittautuminen.txt", "muskari-ended": "muskari-paattyneet.txt"}
SUMMARY_FILE = folders.SUMMARY
OLD_SUMMARY_FILE = folders.OLD_SUMMARY     # the Markdown summary of earlier versions: removed, never left behind
PLOTS_FOLDER = folders.PLOTS
CERTIFICATE_KINDS = ("muskaritodistus", "päättötodistus")


@dataclass
class StepResult:
    """One step as the JSON and the summary say it: ``counts`` are exactly what --apply does (did, with
    ``apply``); ``changed``: the step changes (changed) the register; ``files``: the files it writes (wrote)
    into the output folder, relative to it; ``extra``: more keys of the step's JSON; ``detail``: the job's own
    result, for the summary's names."""

    step: str
    counts: dict[str, int]
    changed: bool = False
    files: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    detail: object = None


@dataclass(frozen=True)
class RegisterState:
    """The register as a step finds it: read from the file (``data`` None) or from a preview's bytes in memory,
    and the backups the dry run's earlier writes would have kept (``apply`` made them for real)."""

    path: Path
    register: object                 # toolkit.xlsx.reading.Register
    checked: object                  # toolkit.rules.validation.CheckResult
    data: bytes | None = None
    new_backups: tuple[BackupCopy, ...] = ()

    @property
    def tables(self):
        return self.checked.tables

    @property
    def pair(self) -> tuple:
        return self.register, self.checked


def _load(result, step: str, data: bytes | None = None, new_backups=()) -> RegisterState | None:
    """Read and check the register (the file, or ``data``); on errors mark ``step`` failed and return None."""
    from toolkit.jobs.check import load_checked

    register, checked = load_checked(result.register, result.today, data=data)
    if not checked.ok:
        result.failed_step, result.findings = step, checked.findings
        return None
    return RegisterState(result.register, register, checked, data, tuple(new_backups))


def _next(result, state: RegisterState, step: str, change, now: datetime) -> RegisterState | None:
    """The register after this step: with ``apply`` read again from disk (the step wrote it); in a dry run the
    writer's exact bytes for ``change``, made in memory on the previous state's bytes, and the backup the write
    would keep."""
    if result.applied:
        return _load(result, step)
    from toolkit.xlsx.safe_write import preview_changes

    data = preview_changes(state.path, change, now, original=state.data)
    return _load(result, step, data, (*state.new_backups, _coming_backup(state, now)))


def _coming_backup(state: RegisterState, now: datetime) -> BackupCopy:
    """The earlier version a write at ``now`` keeps in ``varmuuskopiot/`` (named as the writer names it)."""
    from toolkit.xlsx.backup_copies import BACKUP_DIR, backup_name

    folder = state.path.parent / BACKUP_DIR
    taken = {b.path for b in state.new_backups}
    n = 1
    while (folder / backup_name(state.path, now, n)).exists() or f"{BACKUP_DIR}/{backup_name(state.path, now, n)}" \
            in taken:
        n += 1
    return BackupCopy(f"{BACKUP_DIR}/{backup_name(state.path, now, n)}", now)


def _relative(path: Path, result) -> str:
    try:
        return Path(path).resolve().relative_to(result.out_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# --- the steps ---------------------------------------------------------------------------------------------

def check(result) -> RegisterState | None:
    state = _load(result, "check")
    if state is None:
        return None
    from toolkit.rules.eligibility import assess_eligibility

    result.findings = state.checked.findings
    result.before = result.tables = state.tables
    result.eligibility_before = assess_eligibility(state.tables, result.today)
    warnings = sum(1 for f in state.checked.findings if not f.is_error)
    result.steps.append(StepResult("check", {"errors": 0, "warnings": warnings}, detail=state.checked.findings))
    return state


def prepare_folder(result) -> None:
    """The output folder: created (0700) with ``apply``; a dry run creates nothing, but refuses a folder that is a
    file as --apply would."""
    from toolkit.system.private_files import private_folder

    if result.applied or (result.out_dir.exists() and not result.out_dir.is_dir()):
        private_folder(result.out_dir)


def import_forms(result, state: RegisterState, forms: Path, now: datetime) -> RegisterState | None:
    from toolkit.jobs.import_forms import import_forms as run_import
    from toolkit.jobs.import_forms import register_change

    outcome = run_import(result.register, forms, result.today, apply=result.applied, now=now, checked=state.pair)
    plan = outcome.plan
    changed = outcome.applied if result.applied else plan.has_changes
    counts = {"responses": plan.responses, "new_students": len(plan.new_students), "updated": len(plan.changed),
              "contact_changes": len(plan.contact_changes()), "status_changes": len(plan.status_changes()),
              "refused": len({f.row for f in plan.problems})}
    result.steps.append(StepResult("import-forms", counts, changed, detail=outcome))
    return _next(result, state, "import-forms", register_change(plan), now) if changed else state


def certificates(result, state: RegisterState, now: datetime) -> RegisterState | None:
    """What is due on this register (after the forms), its templates checked as `certificates` checks them (a
    bad template stops even a dry run) and their notices kept; with ``apply`` issued, else checked for what
    --apply would refuse (blank settings, a document already in the folder) and previewed."""
    from toolkit.jobs.certificates import (
        check_issue,
        check_templates,
        issue_certificates,
        plan_run,
        register_change,
    )
    from toolkit.office.template_files import Notice

    plan = plan_run(state.register, state.tables, result.today)
    notices = check_templates(state.register, plan)
    # an earned certificate the run cannot number (the year's 999 are used up) is said, not silently left out
    notices = [*notices, *(Notice(f"certificate-refused-{r.reason}", {"student": r.student_id, "kind": kind_phrase(r.kind)})
                           for r in plan.refusals)]
    issued = None
    if result.applied:
        issued = issue_certificates(state.register, state.tables, plan, now=now)
        notices = [*notices, *issued.recovered]
    else:
        check_issue(state.register, plan)
    kinds = Counter(r.kind for r in plan.requests)
    counts = {"issued": len(plan.requests), **{kind: kinds.get(kind, 0) for kind in CERTIFICATE_KINDS}}
    step = StepResult("certificates", counts, bool(plan.requests), detail=(plan, issued, notices),
                      extra={"certificates": [{"number": r.number, "student_id": r.student_id, "certificate": r.kind}
                                              for r in plan.requests]})
    result.steps.append(step)
    return _next(result, state, "certificates", register_change(state.path, plan), now) if plan.requests else state


def purge(result, state: RegisterState, now: datetime) -> RegisterState | None:
    """The retention rules on the register after the certificates (an earned certificate issued in this run is no
    longer ``issue-first``); with ``apply`` carried out (the earlier semester outputs removed first, so none is
    left holding an erased person), else previewed."""
    from toolkit.jobs.purge import apply_purge, plan_purge, preview_change
    from toolkit.rules.purge import ACTIONS

    plan = plan_purge(result.register, result.today, checked=state.pair, more_backups=state.new_backups)
    done = None
    if result.applied and plan.to_apply:
        remove_previous_outputs(result.out_dir)
        done = apply_purge(plan, now, extra_folders=[result.out_dir])
    carried = done.applied if done is not None else plan.to_apply
    counted = [*carried, *(a for a in plan.actions if not a.carried_out)]
    by_action = Counter(a.action for a in counted)
    by_rule: dict[str, dict[str, int]] = {}
    for a in counted:
        by_rule.setdefault(a.rule, {}).setdefault(a.action, 0)
        by_rule[a.rule][a.action] += 1
    extra = {"by_rule": by_rule}
    if done is not None:
        extra.update(files_deleted=done.files_deleted, remnants=list(done.remnants), unchecked=list(done.unchecked))
    result.erased = {a.student_id for a in carried if a.action == "erase" and a.student_id}
    result.steps.append(StepResult("purge", {action: by_action.get(action, 0) for action in ACTIONS},
                                   bool(carried), extra=extra, detail=(plan, done)))
    if not carried:
        return state
    return _next(result, state, "purge", None if result.applied else preview_change(plan), now)


def finish(result, state: RegisterState) -> None:
    """The register as the run leaves it (as --apply leaves it, in a dry run), for the lists and the summary."""
    from toolkit.rules.eligibility import assess_eligibility

    result.tables = state.tables
    result.eligibility_after = assess_eligibility(state.tables, result.today)


def remove_previous_outputs(out_dir: Path) -> None:
    """The files an earlier semester run wrote into ``out_dir`` (and only those: never a link, never through a
    linked folder out of ``out_dir``)."""
    import os

    root = Path(os.path.realpath(out_dir))
    old = [*(out_dir / LISTS_FOLDER).glob("Oppilaslista *.xlsx"),
           *(out_dir / EMAIL_FOLDER / name for name in EMAIL_FILES.values()), out_dir / SUMMARY_FILE,
           out_dir / OLD_SUMMARY_FILE]
    for path in old:
        if path.is_file() and not path.is_symlink() and Path(os.path.realpath(path.parent)).is_relative_to(root):
            path.unlink()


def check_summary(result) -> None:
    """A dry run writes no page, but refuses what --apply would refuse writing ``DIR/yhteenveto.html``."""
    check_writes(result, result.out_dir, [result.out_dir / SUMMARY_FILE], removed_first=True)


def check_writes(result, folder: Path, paths, *, removed_first: bool = False) -> None:
    """A dry run writes nothing but refuses what --apply would refuse writing these files into ``folder``: a folder
    that is a file, a link out of the output folder, the backups' folder, the register, a file that is not the
    toolkit's own earlier output (``removed_first``: --apply deletes the earlier run's files before it writes)."""
    from toolkit.system.outputs import check_output
    from toolkit.system.private_files import private_folder

    if folder.exists() and not folder.is_dir():
        private_folder(folder)            # refuses a file, before it would create anything
    for path in paths:
        check_output(path, register=result.register, within=result.out_dir, force=removed_first, replace_own=True)


def teacher_lists(result, state: RegisterState) -> None:
    from toolkit.jobs.teacher_lists import plan_teacher_lists, write_teacher_lists

    folder = result.out_dir / LISTS_FOLDER
    if result.applied:
        remove_previous_outputs(result.out_dir)       # a teacher without students this time keeps no old list
        lists = write_teacher_lists(state.tables, folder, register=result.register, within=result.out_dir)
    else:
        lists = plan_teacher_lists(state.tables, folder)
        check_writes(result, folder, [x.file for x in lists.lists], removed_first=True)
    counts = {"lists": len(lists.lists), "students": sum(len(x.student_ids) for x in lists.lists),
              "without_teacher": len(lists.students_without_teacher)}
    result.steps.append(StepResult("teacher-lists", counts, files=[_relative(x.file, result) for x in lists.lists],
                                   detail=lists))


def emails(result, state: RegisterState) -> None:
    from toolkit.jobs.emails import collect_addresses

    folder = result.out_dir / EMAIL_FOLDER
    found = {purpose: collect_addresses(state.tables, result.today, purpose) for purpose in EMAIL_FILES}
    if result.applied:
        from toolkit.system.outputs import write_output
        from toolkit.system.private_files import private_folder

        private_folder(folder)
        for purpose, addresses in found.items():
            write_output(folder / EMAIL_FILES[purpose], (addresses.bcc + "\n").encode("utf-8"), kind="address-list",
                         students=addresses.student_ids, register=result.register, within=result.out_dir,
                         replace_own=True)
    else:
        check_writes(result, folder, [folder / name for name in EMAIL_FILES.values()], removed_first=True)
    counts = {"lists": len(found), **{purpose: len(a.addresses) for purpose, a in found.items()}}
    result.steps.append(StepResult("emails", counts, files=[_relative(folder / EMAIL_FILES[p], result) for p in found],
                                   detail=found))


def plots(result, state: RegisterState, lang: str = "fi") -> list[Path]:
    """The review plots (students by id only) of the register after the run, in DIR/kuvat/; a dry run draws none,
    but checks that --apply may write each file."""
    from toolkit.review.plots import PLOT_FILES, save_review_plots

    folder = result.out_dir / PLOTS_FOLDER
    if result.applied:
        paths = save_review_plots(state.tables, result.today, folder, lang=lang, register=result.register,
                                  within=result.out_dir)
    else:
        paths = [folder / name for name in PLOT_FILES]
        check_writes(result, folder, paths)
    result.steps.append(StepResult("plots", {"plots": len(paths)}, files=[_relative(p, result) for p in paths]))
    return paths
