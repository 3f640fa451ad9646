"""The semester run: every step of the six-monthly routine in order, each on the register the step before left.

    result = run_semester(register, out_dir, today=..., now=..., forms=..., apply=True)
    result.steps            # [StepResult]: the counts, what changed, the files (contract.md "semester")
    result.summary          # toolkit.reports.semester.SemesterSummary, built from those same steps

Steps (``STEPS``): check -> import forms (when given) -> certificates -> purge -> teacher lists -> e-mail lists ->
plots, then the summary page ``DIR/yhteenveto.html``. Each step calls its job's public API
(``toolkit.jobs.semester_steps``) and plans on the register as the step before left it:

- With ``apply`` each step that changes the register writes through ``toolkit.xlsx.safe_write`` and the register
  is read and checked again from disk before the next step. The lists, the plots and the page are written into
  DIR through the output guard (``toolkit.system.outputs``). Purge carries out everything except ``ask`` (those
  families get their own e-mail list) and ``issue-first``.
- Without ``apply`` (a dry run) every step plays on the result of the one before in memory: the writer's preview
  (``toolkit.xlsx.safe_write.preview_changes``) makes the exact bytes the write would, the reader reads and checks
  them (``toolkit.xlsx.reading.read_register(path, data=...)``), and the next step plans on them, so a certificate
  the run issues is counted by the purge after it, and the counts are those ``apply`` then carries out on the
  same register and day (the backups the writes would keep count too). A dry run writes nothing at all: not the
  register, not a list, not a page; it checks what ``apply`` would refuse (templates, settings, files in the way)
  and stops where ``apply`` would stop.

A step that cannot be done raises ``SemesterStopped`` naming the step and what was already done (with ``apply``
the earlier steps stay done: each wrote safely on its own); a register with errors stops the run with
``result.failed_step`` set and its findings (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.jobs.semester_steps import (  # noqa: F401  (the run's folders and files, named here too)
    EMAIL_FILES,
    EMAIL_FOLDER,
    LISTS_FOLDER,
    OLD_SUMMARY_FILE,
    PLOTS_FOLDER,
    SUMMARY_FILE,
    StepResult,
)
from toolkit.model.errors import MuskariError

STEPS = ("check", "import-forms", "certificates", "purge", "teacher-lists", "emails", "plots", "summary")
CONTRACT_STEPS = STEPS[:-1]             # the steps of the JSON (contract.md); the page is its own key

def step_name(step: str, lang: str = "fi") -> str:
    from toolkit.model.messages import say

    return say(f"semester-step-{step}", lang)


class SemesterStopped(MuskariError):
    """A step could not be done. With --apply the earlier steps stay done (each wrote safely on its own); in a dry
    run nothing was changed or written, and --apply would stop at the same step."""

    def __init__(self, step: str, done: list[str], error: MuskariError, applied: bool = True):
        from toolkit.model.messages import Phrase, Said, say

        def done_steps(lang: str) -> str:
            return ", ".join(step_name(s, lang) for s in done) or say("semester-nothing-done", lang)

        super().__init__("semester-stopped" if applied else "semester-preview-stopped",
                         number=STEPS.index(step) + 1, total=len(STEPS), step=Phrase(f"semester-step-{step}"),
                         error=Said(error.message), done=Said(done_steps))
        self.exit_code = error.exit_code
        self.step = step


@dataclass
class SemesterResult:
    register: Path
    out_dir: Path
    today: date
    applied: bool
    steps: list[StepResult] = field(default_factory=list)
    failed_step: str | None = None
    findings: list = field(default_factory=list)        # the check's findings (warnings, or errors on failure)
    before: object | None = None                         # the register's tables as the run found them
    tables: object | None = None                         # the register's tables after the last step (as --apply leaves it)
    eligibility_before: list = field(default_factory=list)   # EligibilityResult of ``before``
    eligibility_after: list = field(default_factory=list)    # EligibilityResult of ``tables``
    erased: set[str] = field(default_factory=set)        # students this run erases (erased, with apply)
    summary_path: Path | None = None
    summary: object | None = None                        # toolkit.reports.semester.SemesterSummary

    @property
    def done(self) -> list[str]:
        return [s.step for s in self.steps] + (["summary"] if self.summary_path else [])

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.step == name), None)

    @property
    def changed(self) -> bool:
        """The run changes (changed) the register."""
        return any(s.changed for s in self.steps)


def run_semester(register: str | Path, out_dir: str | Path, *, today: date, now: datetime,
                 forms: str | Path | None = None, apply: bool = False, lang: str = "fi") -> SemesterResult:
    from toolkit.xlsx.lock import register_lock

    with register_lock(register, enabled=apply):     # one writer from the first read to the last replace
        return _run_steps(SemesterResult(Path(register), Path(out_dir), today, apply), now, forms, apply, lang)


def _run_steps(result: SemesterResult, now: datetime, forms, apply: bool, lang: str) -> SemesterResult:
    from toolkit.jobs import semester_steps as steps
    from toolkit.reports.semester import summarise

    state = _step(result, "check", lambda: steps.check(result))
    if state is None:
        return result
    steps.prepare_folder(result)
    if forms is not None:
        state = _step(result, "import-forms", lambda: steps.import_forms(result, state, Path(forms), now))
        if state is None:
            return result
    state = _step(result, "certificates", lambda: steps.certificates(result, state, now))
    if state is None:
        return result
    state = _step(result, "purge", lambda: steps.purge(result, state, now))
    if state is None:
        return result
    steps.finish(result, state)
    _step(result, "teacher-lists", lambda: steps.teacher_lists(result, state))
    _step(result, "emails", lambda: steps.emails(result, state))
    images = _step(result, "plots", lambda: steps.plots(result, state, lang))
    if apply:
        _step(result, "summary", lambda: write_summary(result.out_dir, result, images=images, lang=lang))
    else:
        _step(result, "summary", lambda: steps.check_summary(result))
        result.summary = summarise(result, images=[(p, _caption(p, lang)) for p in result.step("plots").files])
    return result


def _step(result: SemesterResult, name: str, action):
    try:
        return action()
    except MuskariError as error:
        raise SemesterStopped(name, result.done, error, applied=result.applied) from error


def _caption(path: str, lang: str) -> str:
    from toolkit.review.plots import caption

    return caption(Path(path).name, lang)


def write_summary(out_dir: str | Path, result: SemesterResult, images=(), lang: str = "fi") -> Path:
    """Write the page ``DIR/yhteenveto.html`` (mode 0600) from ``result``; ``images`` (plot PNGs) are shown by
    their path relative to DIR. ``result.summary`` keeps the summary's data for the terminal's text."""
    from toolkit.reports.semester import summarise
    from toolkit.reports.semester_page import render_page
    from toolkit.system.outputs import write_output

    out_dir = Path(out_dir)
    result.summary = summarise(result, images=[(_relative(Path(p), out_dir), _caption(str(p), lang))
                                               for p in images])
    page = render_page(result.summary, lang)
    result.summary_path = write_output(out_dir / SUMMARY_FILE, page.encode("utf-8"), kind="semester-summary",
                                       students=None, register=result.register, within=out_dir, replace_own=True)
    return result.summary_path


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
