"""The semester run's summary and JSON: one data object, one document of it, two renderings.

    summary = summarise(result, images=[("kuvat/tila.png", "Oppilaat tilan mukaan"), ...])
    render_text(summary, "fi")        # Markdown-like plain text for the terminal
    toolkit.reports.semester_page.render_page(summary, "fi")     # the page DIR/yhteenveto.html
    semester_json(result)             # `semester --format json` (contract.md)

The numbers come from one source: the steps' counts (``toolkit.jobs.semester.StepResult``), the same the JSON
gives, each said once. Every list under a count adds up to it: a student this run erases is counted on a line of
their own and never named. Where a table shows the register both before and after the run it says which row is
which; the charts show the register after the run, like the tables. ``document`` lays the summary out once
(sentences from the message catalogue); the text and the page only render that layout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from toolkit.model import folders
from toolkit.model.formatting import format_date, format_hours, kind_name
from toolkit.model.messages import say, say_count, say_each
from toolkit.rules.purge import NOT_CARRIED_OUT, action_label, rule_label

STATUS_ORDER = ("eligible", "issued", "in-progress", "out-of-reach")
KINDS = ("muskaritodistus", "päättötodistus")


# --- the summary: what the renderers show ----------------------------------------------------------

@dataclass(frozen=True)
class NamedStudent:
    id: str
    name: str


@dataclass(frozen=True)
class Counted:
    """A count and the list it adds up to: the entries named, each with whether the run erases its student (a dry
    run names them, so the owner sees who --apply would erase), and how many the run erased (never named)."""

    count: int
    named: tuple = ()                           # (entry, erased by the run)
    erased: int = 0


def counted(count: int, entries, erased_ids: set[str], student, *, name_erased: bool) -> Counted:
    named = tuple((e, student(e) in erased_ids) for e in entries if name_erased or student(e) not in erased_ids)
    return Counted(count, named, count - len(named))


@dataclass(frozen=True)
class FormsPart:
    file: str
    responses: int
    new_students: Counted                       # of NamedStudent
    updated: int
    contact_changes: int
    status_changes: Counted                     # of (NamedStudent, old, new)
    refused: int
    refused_rows: tuple[int, ...]


@dataclass(frozen=True)
class CertificatesPart:
    out_dir: str
    listed: Counted                             # of (number, NamedStudent, kind)
    notices: tuple = ()                         # toolkit.office.template_files.Notice


@dataclass(frozen=True)
class PurgePart:
    by_rule: dict[str, dict[str, int]]          # rule -> action -> actions
    to_erase: dict[str, tuple] = field(default_factory=dict)   # a dry run: rule -> NamedStudent whom --apply erases
    erased: int = 0
    files_deleted: int = 0
    remnants: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeacherListLine:
    teacher: str
    file: str                                   # relative to the output folder
    student_ids: tuple[str, ...]


@dataclass(frozen=True)
class EmailList:
    purpose: str
    file: str
    count: int


@dataclass(frozen=True)
class SemesterSummary:
    today: date
    register: str
    out_dir: str
    applied: bool
    changed: bool                               # the register is (was) changed by the run
    warnings: dict[str, int]                    # warning code -> count, of the register as the run found it
    forms: FormsPart | None
    eligibility: dict[str, dict[tuple[str, str], int]]   # "before"/"after" -> (kind, status) -> students
    earned: Counted                             # of (NamedStudent, kind, hours): eligible before the run
    certificates: CertificatesPart | None       # None: nothing due
    purge: PurgePart
    ask_ids: tuple[str, ...]
    issue_first_ids: tuple[str, ...]
    teacher_lists: tuple[TeacherListLine, ...]
    without_teacher: tuple[str, ...]
    emails: tuple[EmailList, ...]
    without_address: tuple[str, ...]
    plots: int
    images: list[tuple[str, str]] = field(default_factory=list)   # (path relative to the folder, caption)


def summarise(result, images=()) -> SemesterSummary:
    """The summary of a ``toolkit.jobs.semester.SemesterResult``; ``images`` are (path relative to the output
    folder, caption) of the plots written."""
    erased = set(result.erased)
    preview = not result.applied          # a dry run names whom --apply would erase; the page after it never does
    names = _names(result)
    check = result.step("check")
    purge = result.step("purge")
    plan, done = purge.detail
    lists = result.step("teacher-lists")
    emails = result.step("emails")
    earned = [r for r in result.eligibility_before if r.status == "eligible"]
    return SemesterSummary(
        today=result.today, register=str(result.register), out_dir=str(result.out_dir), applied=result.applied,
        changed=result.changed,
        warnings=dict(sorted(Counter(f.code for f in check.detail if not f.is_error).items())),
        forms=_forms(result.step("import-forms"), erased, preview),
        eligibility={"before": _eligibility(result.eligibility_before), "after": _eligibility(result.eligibility_after)},
        earned=counted(len(earned), [(NamedStudent(r.student_id, names.get(r.student_id, "")), r.certificate, r.hours)
                                     for r in earned], erased, lambda e: e[0].id, name_erased=preview),
        certificates=_certificates(result.step("certificates"), erased, preview),
        purge=PurgePart(by_rule=purge.extra["by_rule"], erased=len(erased),
                        to_erase={rule: tuple(NamedStudent(a.student_id, names.get(a.student_id, "")) for a in plan.to_apply
                                              if a.rule == rule and a.action == "erase")
                                  for rule in purge.extra["by_rule"]} if preview else {},
                        files_deleted=done.files_deleted if done else 0,
                        remnants=tuple(done.remnants) if done else (), unchecked=tuple(done.unchecked) if done else ()),
        ask_ids=tuple(a.student_id for a in plan.actions if a.action == "ask"),
        issue_first_ids=tuple(a.student_id for a in plan.actions if a.action == "issue-first"),
        teacher_lists=tuple(TeacherListLine(x.teacher, file, tuple(x.student_ids))
                            for x, file in zip(lists.detail.lists, lists.files, strict=True)),
        without_teacher=tuple(lists.detail.students_without_teacher),
        emails=tuple(EmailList(purpose, file, emails.counts[purpose])
                     for purpose, file in zip(emails.detail, emails.files, strict=True)),
        without_address=tuple(emails.detail["registration"].without_address),
        plots=result.step("plots").counts["plots"],
        images=list(images))


def _names(result) -> dict[str, str]:
    found = {}
    for tables in (result.before, result.tables):
        students = tables.students if tables is not None else None
        if students is not None:
            found.update({str(i): f"{f} {s}" for i, f, s in zip(students["student_id"], students["first_name"],
                                                               students["last_name"], strict=True)})
    return found


def _forms(step, erased: set[str], preview: bool) -> FormsPart | None:
    if step is None:
        return None
    plan, c = step.detail.plan, step.counts
    return FormsPart(file=step.detail.forms.path.name, responses=c["responses"],
                     new_students=counted(c["new_students"], [NamedStudent(n.student_id, n.name) for n in plan.new_students],
                                          erased, lambda e: e.id, name_erased=preview),
                     updated=c["updated"], contact_changes=c["contact_changes"],
                     status_changes=counted(c["status_changes"], [(NamedStudent(u.student_id, u.name), str(x.old), str(x.new))
                                                                  for u, x in plan.status_changes()],
                                            erased, lambda e: e[0].id, name_erased=preview),
                     refused=c["refused"], refused_rows=tuple(sorted({f.row for f in plan.problems})))


def _eligibility(results) -> dict[tuple[str, str], int]:
    return dict(Counter((r.certificate, r.status) for r in results))


def _certificates(step, erased: set[str], preview: bool) -> CertificatesPart | None:
    plan, _issued, notices = step.detail
    if not plan.requests and not notices:
        return None
    return CertificatesPart(out_dir=str(plan.out_dir), notices=tuple(notices),
                            listed=counted(step.counts["issued"], [(r.number, NamedStudent(r.student_id, r.name), r.kind)
                                                                   for r in plan.requests],
                                           erased, lambda e: e[1].id, name_erased=preview))


# --- the JSON --------------------------------------------------------------------------------------

def semester_json(result, lang: str = "fi") -> dict:
    """contract.md ``semester``: ``as_of``, ``applied`` and the ``steps`` with their ``counts``, plus each step's
    ``changed`` (the register), ``files`` (relative to ``out``; written, or that --apply writes) and its own keys;
    the eligibility before and after the run; ``summary``: the page written, or null."""
    steps = []
    for step in result.steps:
        item = {"step": step.step, "counts": dict(step.counts), "changed": step.changed}
        if step.files or step.step in ("teacher-lists", "emails", "plots"):
            item["files"] = list(step.files)
        item.update(step.extra)
        if step.step == "certificates":
            item["notices"] = [n.text(lang) for n in step.detail[2]]
        steps.append(item)
    return {"as_of": result.today.isoformat(), "applied": result.applied, "register": str(result.register),
            "out": str(result.out_dir), "steps": steps,
            "eligibility": {when: {kind: {status: n for (k, status), n in sorted(counts.items()) if k == kind}
                                   for kind in KINDS}
                            for when, counts in (("before", _eligibility(result.eligibility_before)),
                                                 ("after", _eligibility(result.eligibility_after)))},
            "summary": str(result.summary_path) if result.summary_path else None}


# --- the layout both renderers share ---------------------------------------------------------------

@dataclass(frozen=True)
class Code:
    """A path or a file name: `code` in the text, <code> on the page."""

    text: str


@dataclass(frozen=True)
class Para:
    parts: tuple                                 # str and Code


@dataclass(frozen=True)
class Items:
    items: tuple                                 # (parts, (sub-item parts, ...))


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]                      # cells: str, int or Code
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class PageSection:
    key: str
    heading: str
    blocks: tuple


def title(summary: SemesterSummary, lang: str) -> str:
    return say("semester-title", lang, day=format_date(summary.today, lang))


def state_sentence(summary: SemesterSummary, lang: str) -> str:
    if summary.applied:
        code = "semester-state-saved" if summary.changed else "semester-state-unchanged"
    else:
        code = "semester-state-preview" if summary.changed else "semester-state-preview-unchanged"
    return say(code, lang, out=summary.out_dir, day=format_date(summary.today, lang))


def _erased_line(n: int, lang: str, code: str = "semester-erased") -> tuple | None:
    """The line of a list for the students the run erased: counted, never named."""
    return ((say_count(code, lang, n),), ()) if n else None


def _marked(text: str, erased: bool, lang: str) -> str:
    return f"{text} — {say('semester-erased-mark', lang)}" if erased else text


def _counted_item(label: str, part: Counted, show, summary, lang: str) -> tuple:
    subs = [(_marked(show(e), gone, lang),) for e, gone in part.named]
    erased = _erased_line(part.erased, lang)
    return (f"{label}: {part.count}",), tuple(subs + ([erased[0]] if erased else []))


def document(summary: SemesterSummary, lang: str = "fi") -> list[PageSection]:
    """The summary laid out: sections of paragraphs, lists and tables, every sentence from the catalogue."""
    return [PageSection("check", say("semester-heading-check", lang), (Para((_check(summary, lang),)),)),
            PageSection("forms", say("semester-heading-forms", lang), _forms_blocks(summary, lang)),
            PageSection("eligibility", say("semester-heading-eligibility", lang), _eligibility_blocks(summary, lang)),
            PageSection("certificates", say("semester-heading-certificates", lang), _certificate_blocks(summary, lang)),
            PageSection("purge", say("semester-heading-purge", lang), _purge_blocks(summary, lang)),
            PageSection("teacher-lists", say("semester-heading-teacher-lists", lang), _list_blocks(summary, lang)),
            PageSection("emails", say("semester-heading-emails", lang), _email_blocks(summary, lang)),
            PageSection("decisions", say("semester-heading-decisions", lang),
                    (Items(tuple(((item,), ()) for item in decisions(summary, lang))),)),
            PageSection("charts", say("semester-heading-charts", lang), _chart_blocks(summary, lang))]


def _check(summary: SemesterSummary, lang: str) -> str:
    warnings = summary.warnings
    if not warnings:
        return say("semester-check-ok", lang)
    return say_count("semester-check-warnings", lang, sum(warnings.values()))


def _forms_blocks(summary: SemesterSummary, lang: str) -> tuple:
    forms = summary.forms
    if forms is None:
        return (Para((say("semester-forms-none", lang),)),)
    rows = ", ".join(map(str, forms.refused_rows))
    items = (((f"{say('semester-forms-responses', lang)}: {forms.responses} (", Code(forms.file), ")"), ()),
             _counted_item(say("semester-forms-new", lang), forms.new_students, lambda p: f"{p.id} {p.name}",
                           summary, lang),
             ((f"{say('semester-forms-updated', lang)}: {forms.updated}",), ()),
             ((f"{say('semester-forms-contacts', lang)}: {forms.contact_changes}",), ()),
             _counted_item(say("semester-forms-statuses", lang), forms.status_changes,
                           lambda e: f"{e[0].id} {e[0].name}: {e[1]} → {e[2]}", summary, lang),
             ((f"{say('semester-forms-refused', lang)}: {forms.refused}"
               + (f" ({say('semester-forms-rows', lang, rows=rows)})" if rows else ""),), ()))
    return Items(items), Para((say("semester-forms-note", lang, file=forms.file),))


def _eligibility_blocks(summary: SemesterSummary, lang: str) -> tuple:
    headers = (say("heading-certificate", lang), say("semester-eligibility-when", lang),
               *(say(f"status-{s}", lang) for s in STATUS_ORDER))
    rows = tuple((kind_name(kind, lang), say(f"semester-when-{when}", lang), *(summary.eligibility[when].get((kind, s), 0)
                                                          for s in STATUS_ORDER))
                 for kind in KINDS for when in ("before", "after"))
    earned = _counted_item(say("semester-earned", lang), summary.earned,
                           lambda e: f"{e[0].id} {e[0].name}: {kind_name(e[1], lang)}, {format_hours(e[2], lang)}", summary, lang)
    return Table(headers, rows, numeric=tuple(range(2, len(headers)))), Items((earned,))


def _certificate_blocks(summary: SemesterSummary, lang: str) -> tuple:
    part = summary.certificates
    if part is None or not part.listed.count:
        none = (Para((say("semester-certificates-none", lang),)),)
        if part is None:
            return none
        return (*none, Para((say("semester-certificates-templates", lang),)),
                Items(tuple(((n.text(lang),), ()) for n in part.notices)))
    lead = say_count("semester-certificates-issued" if summary.applied else "semester-certificates-preview", lang,
                     part.listed.count, folder="\0")
    before, after = lead.split("\0")
    items = [((_marked(f"{number} {p.id} {p.name}: {kind_name(kind, lang)}", gone, lang),), ())
             for (number, p, kind), gone in part.listed.named]
    erased = _erased_line(part.listed.erased, lang, "semester-certificates-erased")
    blocks = [Para((before, Code(part.out_dir), after)), Items(tuple(items + ([erased] if erased else [])))]
    if part.notices:
        blocks += [Para((say("semester-certificates-templates", lang),)),
                   Items(tuple(((n.text(lang),), ()) for n in part.notices))]
    return tuple(blocks)


def _purge_blocks(summary: SemesterSummary, lang: str) -> tuple:
    purge = summary.purge
    if not purge.by_rule:
        return (Para((say("semester-purge-nothing", lang),)),)
    done = say("semester-purge-done" if summary.applied else "semester-purge-to-do", lang)
    items = tuple(((say("semester-purge-line", lang, rule=rule_label(rule, lang), count=n,
                        action=action_label(action, lang),
                        state=say("semester-purge-yours", lang) if action in NOT_CARRIED_OUT else done),),
                   tuple((f"{p.id} {p.name}",) for p in purge.to_erase.get(rule, ()) if action == "erase"))
                  for rule, actions in purge.by_rule.items() for action, n in actions.items())
    blocks = [Items(items)]
    sentences = []
    if summary.applied and purge.erased:
        sentences.append(say_count("semester-purge-erased", lang, purge.erased))
    if summary.applied and purge.files_deleted:
        sentences.append(say_count("semester-purge-files", lang, purge.files_deleted))
    if purge.erased and summary.applied:
        sentences.append(say("semester-purge-not-named", lang))
    if sentences:
        blocks.append(Para((" ".join(sentences),)))
    for code, paths in (("purge-report-remnants", purge.remnants), ("purge-report-unchecked", purge.unchecked)):
        if paths:
            blocks += [Para((say(code, lang),)), Items(tuple(((Code(p),), ()) for p in paths))]
    return tuple(blocks)


def _list_blocks(summary: SemesterSummary, lang: str) -> tuple:
    if not summary.teacher_lists:
        return (Para((say("semester-lists-none", lang),)),)
    intro = say("semester-lists-intro" if summary.applied else "semester-lists-intro-preview", lang)
    headers = say_each(("heading-teacher", "heading-file", "heading-students"), lang)
    rows = tuple((x.teacher, Code(x.file), f"{len(x.student_ids)}: {', '.join(x.student_ids)}")
                 for x in summary.teacher_lists)
    return Para((intro,)), Table(headers, rows)


def _email_blocks(summary: SemesterSummary, lang: str) -> tuple:
    items = Items(tuple(((Code(e.file), f" ({say(f'semester-email-{e.purpose}', lang)}): "
                         + say_count("semester-email-addresses", lang, e.count)), ()) for e in summary.emails))
    note = Para((say("semester-email-note", lang),))
    return (items, note) if summary.applied else (Para((say("semester-emails-preview", lang),)), items, note)


def _chart_blocks(summary: SemesterSummary, lang: str) -> tuple:
    if not summary.applied:
        return (Para((say_count("semester-charts-preview", lang, summary.plots, page=folders.SUMMARY),)),)
    return (Para((say("semester-charts", lang, page=folders.SUMMARY),)),
            Items(tuple(((f"{caption}: ", Code(path)), ()) for path, caption in summary.images)))


def decisions(summary: SemesterSummary, lang: str) -> list[str]:
    items = []
    if summary.ask_ids:
        items.append(say_count("semester-decide-ask", lang, len(summary.ask_ids), ids=", ".join(summary.ask_ids)))
    if summary.issue_first_ids:
        items.append(say_count("semester-decide-issue-first", lang, len(summary.issue_first_ids),
                               ids=", ".join(summary.issue_first_ids)))
    if summary.forms is not None and summary.forms.refused_rows:
        items.append(say("semester-decide-refused", lang, rows=", ".join(map(str, summary.forms.refused_rows))))
    if summary.without_teacher:
        items.append(say("semester-decide-no-teacher", lang, ids=", ".join(summary.without_teacher)))
    if summary.without_address:
        items.append(say("semester-decide-no-address", lang, ids=", ".join(summary.without_address)))
    if not summary.applied:
        items.append(say("semester-decide-preview", lang))
    return items or [say("semester-decide-nothing", lang)]


# --- the terminal's text ---------------------------------------------------------------------------

def _plain(parts) -> str:
    return "".join(f"`{p.text}`" if isinstance(p, Code) else str(p) for p in parts)


def _cell(value) -> str:
    return f"`{value.text}`" if isinstance(value, Code) else str(value)


def render_text(summary: SemesterSummary, lang: str = "fi") -> str:
    """Markdown-like plain text: headings, lists and tables that read well on a terminal."""
    out = [f"# {title(summary, lang)}", "", f"{say('semester-register', lang)}: `{summary.register}`  ",
           state_sentence(summary, lang)]
    for section in document(summary, lang):
        out += ["", f"## {section.heading}"]
        for block in section.blocks:
            out.append("")
            if isinstance(block, Para):
                out.append(_plain(block.parts))
            elif isinstance(block, Items):
                for parts, subs in block.items:
                    out.append(f"- {_plain(parts)}")
                    out += [f"  - {_plain(sub)}" for sub in subs]
            elif isinstance(block, Table):
                out += ["| " + " | ".join(block.headers) + " |", "|" + "---|" * len(block.headers)]
                out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in block.rows]
    return "\n".join(out).strip() + "\n"
