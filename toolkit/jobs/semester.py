"""The semester run: every step of the six-monthly routine in order, stopping at the first that fails.

    result = run_semester(register, out_dir, today=..., now=..., forms=..., apply=True)
    write_summary(out_dir, result, images=[...])     # DIR/yhteenveto.html (run_semester writes it once)

Steps: check -> import forms (when given) -> eligibility -> certificates -> purge -> teacher lists ->
e-mail lists -> summary (the page DIR/yhteenveto.html with the review plots; ``result.summary`` is its data, which
the command line also prints as text). Without ``apply`` the register is never changed: forms, certificates and purge
are planned and reported; the teacher and e-mail lists are still written (from the register as it is).
With ``apply`` each step that changes the register writes through ``toolkit.xlsx.safe_write`` and the register is
read and checked again before the next step, so every step sees the previous one's result. Purge
carries out everything except ``ask`` (those families get their own e-mail list).

Each step calls the public job of its own module (toolkit.jobs.import_forms, toolkit.rules.eligibility,
toolkit.jobs.certificates, toolkit.jobs.purge, toolkit.jobs.teacher_lists, toolkit.jobs.emails). A failure raises
``SemesterStopped`` naming the step and what was already done; a register with errors stops the run
with ``result.failed_step`` set and its findings (exit 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from toolkit.model import folders
from toolkit.model.errors import MuskariError

STEPS = {
    "check": ("tarkistus", "check"),
    "import-forms": ("ilmoittautumislomakkeet", "registration forms"),
    "eligibility": ("todistustilanne", "eligibility"),
    "certificates": ("todistukset", "certificates"),
    "purge": ("poistot ja säilytysajat", "purge"),
    "teacher-lists": ("opettajien listat", "teacher lists"),
    "emails": ("sähköpostilistat", "e-mail lists"),
    "summary": ("yhteenveto", "summary"),
}
LISTS_FOLDER = "opettajat"
EMAIL_FOLDER = "sahkopostit"
EMAIL_FILES = {"registration": "ilmoittautuminen.txt", "muskari-ended": "muskari-paattyneet.txt"}
SUMMARY_FILE = folders.SUMMARY
OLD_SUMMARY_FILE = folders.OLD_SUMMARY     # the Markdown summary of earlier versions: removed, never left behind
PLOTS_FOLDER = folders.PLOTS


class SemesterStopped(MuskariError):
    """A step could not be done; earlier steps stay done (each wrote safely on its own)."""

    def __init__(self, step: str, done: list[str], error: MuskariError):
        number = list(STEPS).index(step) + 1
        fi_done = ", ".join(STEPS[s][0] for s in done) or "ei mitään"
        en_done = ", ".join(STEPS[s][1] for s in done) or "nothing"
        super().__init__(
            f"Lukukausiajo pysähtyi vaiheeseen {number}/{len(STEPS)} ({STEPS[step][0]}): {error.message('fi')} "
            f"Tehdyt vaiheet: {fi_done}. Korjaa asia ja aja komento uudelleen.",
            f"The semester run stopped at step {number}/{len(STEPS)} ({STEPS[step][1]}): {error.message('en')} "
            f"Steps done: {en_done}. Fix it and run the command again.")
        self.exit_code = error.exit_code
        self.step = step


@dataclass
class SemesterResult:
    register: Path
    out_dir: Path
    today: date
    applied: bool
    done: list[str] = field(default_factory=list)
    failed_step: str | None = None
    findings: list = field(default_factory=list)        # the check's findings (warnings, or errors on failure)
    tables: object | None = None                         # the register's tables after the last step
    forms: object | None = None                          # toolkit.jobs.import_forms.ImportResult
    eligibility: list = field(default_factory=list)      # EligibilityResult, before certificates were issued
    certificates: object | None = None                   # toolkit.jobs.certificates.CertificatePlan
    issued: object | None = None                         # toolkit.jobs.certificates.IssueResult when applied
    purge: object | None = None                          # toolkit.jobs.purge.PurgePlan
    purged: object | None = None                         # toolkit.jobs.purge.ApplyResult when applied
    teacher_lists: object | None = None                  # toolkit.jobs.teacher_lists.TeacherListsResult
    emails: dict = field(default_factory=dict)           # purpose -> (AddressList, Path)
    summary_path: Path | None = None
    summary: object | None = None                        # toolkit.reports.semester.SemesterSummary


def run_semester(register: str | Path, out_dir: str | Path, *, today: date, now: datetime,
                 forms: str | Path | None = None, apply: bool = False, lang: str = "fi") -> SemesterResult:
    from toolkit.system.private_files import private_folder

    result = SemesterResult(Path(register), Path(out_dir), today, apply)
    checked = _step(result, "check", lambda: _check(result))
    if checked is None:
        return result
    private_folder(result.out_dir)
    if forms is not None:
        checked = _step(result, "import-forms", lambda: _import_forms(result, checked, Path(forms), now))
        if checked is None:
            return result
    _step(result, "eligibility", lambda: _eligibility(result, checked))
    checked = _step(result, "certificates", lambda: _certificates(result, checked, now))
    if checked is None:
        return result
    checked = _step(result, "purge", lambda: _purge(result, now))
    if checked is None:
        return result
    result.tables = checked[1].tables
    _step(result, "teacher-lists", lambda: _teacher_lists(result))
    _step(result, "emails", lambda: _emails(result))
    _step(result, "summary", lambda: write_summary(result.out_dir, result, images=_plots(result, lang), lang=lang))
    return result


def _plots(result: SemesterResult, lang: str = "fi") -> list[Path]:
    """The review plots (students by id only) for the summary, in DIR/kuvat/, in the summary's language."""
    from toolkit.review.plots import save_review_plots

    return save_review_plots(result.tables, result.today, result.out_dir / PLOTS_FOLDER, lang=lang,
                             register=result.register, within=result.out_dir)


def _step(result: SemesterResult, name: str, action):
    try:
        value = action()
    except MuskariError as error:
        raise SemesterStopped(name, result.done, error) from error
    if result.failed_step is None:
        result.done.append(name)
    return value


def _check(result: SemesterResult, step: str = "check"):
    """Read and check the register; on errors mark ``step`` failed and return None."""
    from toolkit.jobs.check import load_checked

    register, checked = load_checked(result.register, result.today)
    if not checked.ok:
        result.failed_step, result.findings = step, checked.findings
        return None
    if step == "check":
        result.findings = checked.findings
    result.tables = checked.tables
    return register, checked


def _import_forms(result: SemesterResult, checked, forms: Path, now: datetime):
    from toolkit.jobs.import_forms import import_forms

    result.forms = import_forms(result.register, forms, result.today, apply=result.applied, now=now, checked=checked)
    return _check(result, "import-forms") if result.forms.applied else checked


def _eligibility(result: SemesterResult, checked) -> None:
    from toolkit.rules.eligibility import assess_eligibility

    result.eligibility = assess_eligibility(checked[1].tables, result.today)


def _certificates(result: SemesterResult, checked, now: datetime):
    from toolkit.jobs.certificates import issue_certificates, plan_run

    register, check = checked
    result.certificates = plan_run(register, check.tables, result.today)
    if not (result.applied and result.certificates.requests):
        return checked
    result.issued = issue_certificates(register, check.tables, result.certificates, now=now)
    return _check(result, "certificates")


def _purge(result: SemesterResult, now: datetime):
    from toolkit.jobs.purge import apply_purge, plan_purge

    result.purge = plan_purge(result.register, result.today)
    if not result.purge.result.ok:
        result.failed_step, result.findings = "purge", result.purge.result.findings
        return None
    if result.applied and result.purge.to_apply:
        _remove_previous_outputs(result.out_dir)      # regenerated below, never left holding erased people
        result.purged = apply_purge(result.purge, now, extra_folders=[result.out_dir])
        return _check(result, "purge")
    return result.purge.register, result.purge.result


def _remove_previous_outputs(out_dir: Path) -> None:
    """The files an earlier semester run wrote into ``out_dir`` (and only those)."""
    old = [*(out_dir / LISTS_FOLDER).glob("Oppilaslista *.xlsx"),
           *(out_dir / EMAIL_FOLDER / name for name in EMAIL_FILES.values()), out_dir / SUMMARY_FILE,
           out_dir / OLD_SUMMARY_FILE]
    for path in old:
        if path.is_file() and not path.is_symlink():
            path.unlink()


def _teacher_lists(result: SemesterResult) -> None:
    from toolkit.jobs.teacher_lists import write_teacher_lists

    _remove_previous_outputs(result.out_dir)          # a teacher without students this time keeps no old list
    result.teacher_lists = write_teacher_lists(result.tables, result.out_dir / LISTS_FOLDER, register=result.register,
                                               within=result.out_dir)


def _emails(result: SemesterResult) -> None:
    from toolkit.jobs.emails import collect_addresses
    from toolkit.system.outputs import write_output
    from toolkit.system.private_files import private_folder

    folder = private_folder(result.out_dir / EMAIL_FOLDER)
    for purpose, name in EMAIL_FILES.items():
        addresses = collect_addresses(result.tables, result.today, purpose)
        path = write_output(folder / name, (addresses.bcc + "\n").encode("utf-8"), kind="address-list",
                            students=addresses.student_ids, register=result.register, within=result.out_dir,
                            replace_own=True)
        result.emails[purpose] = (addresses, path)


def write_summary(out_dir: str | Path, result: SemesterResult, images=(), lang: str = "fi") -> Path:
    """Write the page ``DIR/yhteenveto.html`` (mode 0600) from ``result``; ``images`` (plot PNGs) are shown by
    their path relative to DIR. ``result.summary`` keeps the summary's data for the terminal's text."""
    from toolkit.reports.semester import summarise
    from toolkit.reports.semester_page import render_page
    from toolkit.review.plots import caption
    from toolkit.system.outputs import write_output

    out_dir = Path(out_dir)
    result.summary = summarise(result, images=[(_relative(Path(p), out_dir), caption(Path(p).name, lang))
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
