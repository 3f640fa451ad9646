"""The semester run's summary: one data object, and the text the terminal shows.

    summary = summarise(result, images=[("kuvat/tila.png", "Oppilaat tiloittain"), ...])
    render_text(summary, "fi")        # Markdown-like plain text for the terminal
    toolkit.reports.semester_page.render_page(summary, "fi")     # the page DIR/yhteenveto.html

``summarise`` takes the numbers, ids and names from a ``SemesterResult`` (toolkit.jobs.semester) and leaves out
every student this run erased (counted, never named); the renderers only lay the summary out, so where the
numbers come from can change without touching them. What changed, who earned what, what was erased, what needs
the owner's decision, and where every artefact is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.model import folders
from toolkit.model.formatting import format_date, format_hours

STATUS_ORDER = ("eligible", "issued", "in-progress", "out-of-reach")
KINDS = ("muskaritodistus", "päättötodistus")
STATUS_WORDS = {"eligible": ("ansaittu, antamatta", "earned, not issued"), "issued": ("annettu", "issued"),
                "in-progress": ("kesken", "in progress"), "out-of-reach": ("ei saavutettavissa", "out of reach")}
RULE_WORDS = {
    "deletion-requested": ("poistopyyntö", "deletion requested"),
    "study-window-closed": ("opintoaika päättynyt", "study window closed"),
    "muskari-ended": ("muskari päättynyt: kysy perheeltä", "muskari ended: ask the family"),
    "marketing-expired": ("markkinointitieto vanhentunut", "marketing data expired"),
    "backup-expired": ("varmuuskopio vanhentunut", "backup expired"),
}
EMAIL_WORDS = {"registration": ("ilmoittautuminen: aktiiviset ja tauolla olevat", "registration: active and on break"),
               "muskari-ended": ("muskari päättynyt: kysy poistosta", "muskari ended: ask about deletion")}


# --- the summary: what the renderers show ----------------------------------------------------------

@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class FormsPart:
    file: str                                   # the forms file's name
    responses: int
    new_students: list[Person]
    contact_changes: int
    status_changes: int
    status_changed: list[tuple[Person, str, str]]   # (student, old, new), erased students left out
    refused_rows: list[int]


@dataclass(frozen=True)
class CertificatesPart:
    issued: bool                                # True: issued in this run; False: would be issued
    out_dir: str
    count: int
    listed: list[tuple[str, Person, str]]      # (number, student, kind), erased students left out
    hidden: int                                 # certificates of students erased in this run
    missing_settings: list[str]


@dataclass(frozen=True)
class PurgePart:
    counts: dict[str, int]                      # rule -> actions, in the order found
    done: bool
    erased: int = 0
    files_deleted: int = 0


@dataclass(frozen=True)
class TeacherList:
    teacher: str
    file: str                                   # relative to the output folder
    student_ids: list[str]


@dataclass(frozen=True)
class EmailList:
    purpose: str
    file: str
    count: int


@dataclass(frozen=True)
class SemesterSummary:
    today: date
    register: str
    applied: bool
    warnings: dict[str, int]                    # warning code -> count
    forms: FormsPart | None
    eligibility_counts: dict[tuple[str, str], int]          # (kind, status) -> students
    earned: list[tuple[Person, str, float]]     # (student, kind, hours), erased students left out
    certificates: CertificatesPart | None       # None: nothing due
    purge: PurgePart
    ask_ids: list[str]
    teacher_lists: list[TeacherList]
    without_teacher: list[str]
    emails: list[EmailList]
    without_address: list[str]
    images: list[tuple[str, str]] = field(default_factory=list)   # (path relative to the folder, caption)


def erased_ids(result) -> set[str]:
    """Students erased by this run: left out of every list (counted, never named)."""
    return {a.student_id for a in (result.purged.applied if result.purged else []) if a.action == "erase"}


def summarise(result, images=()) -> SemesterSummary:
    """The summary of a ``SemesterResult``; ``images`` are (path relative to the output folder, caption)."""
    names = _names(result)
    hidden = erased_ids(result)
    actions = result.purge.actions if result.purge else []
    registration = result.emails.get("registration")
    return SemesterSummary(
        today=result.today, register=str(result.register), applied=result.applied,
        warnings=dict(sorted(Counter(f.code for f in result.findings if not f.is_error).items())),
        forms=_forms(result, hidden),
        eligibility_counts=dict(Counter((r.certificate, r.status) for r in result.eligibility)),
        earned=[(Person(r.student_id, names.get(r.student_id, "")), r.certificate, r.hours)
                for r in result.eligibility if r.status == "eligible" and r.student_id not in hidden],
        certificates=_certificates(result, hidden),
        purge=PurgePart(counts=dict(Counter(a.rule for a in actions)), done=bool(result.purged),
                        erased=result.purged.erased if result.purged else 0,
                        files_deleted=result.purged.files_deleted if result.purged else 0),
        ask_ids=[a.student_id for a in actions if a.action == "ask"],
        teacher_lists=[TeacherList(x.teacher, _rel(x.file, result), list(x.student_ids))
                       for x in result.teacher_lists.lists] if result.teacher_lists else [],
        without_teacher=list(result.teacher_lists.students_without_teacher) if result.teacher_lists else [],
        emails=[EmailList(purpose, _rel(path, result), len(addresses.addresses))
                for purpose, (addresses, path) in result.emails.items()],
        without_address=list(registration[0].without_address) if registration else [],
        images=list(images))


def _names(result) -> dict[str, str]:
    students = result.tables.students if result.tables is not None else None
    if students is None:
        return {}
    return {str(i): f"{f} {s}" for i, f, s in zip(students["student_id"], students["first_name"],
                                                  students["last_name"], strict=True)}


def _forms(result, hidden) -> FormsPart | None:
    if result.forms is None:
        return None
    plan = result.forms.plan
    return FormsPart(file=result.forms.forms.path.name, responses=plan.responses,
                     new_students=[Person(n.student_id, n.name) for n in plan.new_students],
                     contact_changes=len(plan.contact_changes()), status_changes=len(plan.status_changes()),
                     status_changed=[(Person(u.student_id, u.name), str(c.old), str(c.new))
                                     for u, c in plan.status_changes() if u.student_id not in hidden],
                     refused_rows=[f.row for f in plan.problems])


def _certificates(result, hidden) -> CertificatesPart | None:
    plan = result.certificates
    if not plan or not plan.requests:
        return None
    return CertificatesPart(issued=bool(result.issued), out_dir=str(plan.out_dir), count=len(plan.requests),
                            listed=[(r.number, Person(r.student_id, r.name), r.kind) for r in plan.requests
                                    if r.student_id not in hidden],
                            hidden=sum(r.student_id in hidden for r in plan.requests),
                            missing_settings=list(plan.missing_settings))


def _rel(path: Path, result) -> str:
    try:
        return Path(path).resolve().relative_to(result.out_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


# --- the words both renderers use ------------------------------------------------------------------

def t(lang: str, fi: str, en: str) -> str:
    return en if lang == "en" else fi


def title(summary: SemesterSummary, lang: str) -> str:
    return f"{t(lang, 'Lukukausiajo', 'Semester run')} {format_date(summary.today, lang)}"


def state_sentence(summary: SemesterSummary, lang: str) -> str:
    if summary.applied:
        return t(lang, "Muutokset tallennettiin rekisteriin (--apply).", "The changes were saved in the register (--apply).")
    return t(lang, "Esikatselu: rekisteriä ei muutettu. Tallenna muutokset ajamalla komento uudelleen lisäämällä --apply.",
             "Preview: the register was not changed. Run again with --apply to save the changes.")


def check_sentence(summary: SemesterSummary, lang: str) -> str:
    warnings = summary.warnings
    listed = ", ".join(f"{code} {n}" for code, n in warnings.items())
    return (t(lang, "Rekisterissä ei ole virheitä", "The register has no errors")
            + (t(lang, f"; varoituksia {sum(warnings.values())}: ", f"; {sum(warnings.values())} warnings: ") + listed
               if warnings else "") + ".")


def forms_note(forms: FormsPart, lang: str) -> str:
    return t(lang, f"Koko muutosraportti: muskari import-forms REKISTERI {forms.file}. Poista {forms.file}, kun tiedot "
                   "on tuotu: siinä on perheiden henkilötietoja.",
             f"Full change report: muskari import-forms REGISTER {forms.file}. Delete {forms.file} once imported: it "
             "holds the families' personal data.")


def certificates_lead(part: CertificatesPart, lang: str) -> str:
    verb = t(lang, "Annettiin", "Issued") if part.issued else t(lang, "Annettaisiin", "Would issue")
    return f"{verb} {part.count} {t(lang, 'todistusta kansioon', 'certificates into')}"


def hidden_certificates(part: CertificatesPart, lang: str) -> str:
    return t(lang, f"ja {part.hidden} oppilaalle, joiden tiedot poistettiin tässä ajossa (ks. Valmistuneet)",
             f"and {part.hidden} students erased in this run (see Valmistuneet)")


def purge_lines(purge: PurgePart, lang: str) -> list[str]:
    done = t(lang, "tehty", "done") if purge.done else t(lang, "tekemättä (esikatselu)", "not done (preview)")
    return [f"{t(lang, *RULE_WORDS[rule])}: {n} — {t(lang, 'kysyttävä', 'to ask') if rule == 'muskari-ended' else done}"
            for rule, n in purge.counts.items()]


def purge_done(purge: PurgePart, lang: str) -> str:
    return t(lang, f"Poistettiin {purge.erased} oppilaan tiedot ja {purge.files_deleted} tiedostoa. Poistettuja ei "
                   "nimetä tässä yhteenvedossa.",
             f"Erased {purge.erased} students' data and {purge.files_deleted} files. Erased people are not named in "
             "this summary.")


def decisions(summary: SemesterSummary, lang: str) -> list[str]:
    items = []
    if summary.ask_ids:
        ids = ", ".join(summary.ask_ids)
        items.append(t(lang, f"Kysy {len(summary.ask_ids)} perheeltä, haluavatko he tietojensa poistamista (oppilaat "
                             f"{ids}); kirjaa vastaus Poistopyyntö-sarakkeeseen.",
                       f"Ask {len(summary.ask_ids)} families whether they want their data deleted (students {ids}); "
                       "record a yes in the Poistopyyntö column."))
    if summary.forms is not None and summary.forms.refused_rows:
        rows = ", ".join(map(str, summary.forms.refused_rows))
        items.append(t(lang, f"Hylätyt lomakevastaukset riveillä {rows}: korjaa ja tuo uudelleen.",
                       f"Refused form responses on rows {rows}: correct and import again."))
    if summary.certificates is not None and summary.certificates.missing_settings:
        items.append(t(lang, "Todistusten asetuksia puuttuu: ", "Certificate settings missing: ")
                     + ", ".join(summary.certificates.missing_settings))
    if summary.without_teacher:
        items.append(t(lang, "Ilman opettajaa (ei millään listalla): ", "No teacher (on no list): ")
                     + ", ".join(summary.without_teacher))
    if summary.without_address:
        items.append(t(lang, "Ilman sähköpostiosoitetta: ", "No e-mail address: ") + ", ".join(summary.without_address))
    if not summary.applied:
        items.append(t(lang, "Tämä oli esikatselu: aja uudelleen lisäämällä --apply.",
                       "This was a preview: run again with --apply."))
    return items or [t(lang, "Ei avoimia asioita.", "Nothing open.")]


# --- the terminal's text ---------------------------------------------------------------------------

def render_text(summary: SemesterSummary, lang: str = "fi") -> str:
    """Markdown-like plain text: headings, lists and tables that read well on a terminal."""
    out = [f"# {title(summary, lang)}", "", f"{t(lang, 'Rekisteri', 'Register')}: `{summary.register}`  ",
           state_sentence(summary, lang)]

    def heading(fi: str, en: str) -> None:
        out.extend(["", f"## {t(lang, fi, en)}", ""])

    heading("1. Tarkistus", "1. Check")
    out.append(check_sentence(summary, lang))
    heading("2. Ilmoittautumislomakkeet", "2. Registration forms")
    forms = summary.forms
    if forms is None:
        out.append(t(lang, "Lomaketiedostoa ei annettu (--forms).", "No forms file given (--forms)."))
    else:
        out += [f"- {t(lang, 'Vastauksia', 'Responses')}: {forms.responses} ({forms.file})",
                f"- {t(lang, 'Uusia oppilaita', 'New students')}: {len(forms.new_students)}"
                + "".join(f"\n  - {p.id} {p.name}" for p in forms.new_students),
                f"- {t(lang, 'Yhteystietomuutoksia', 'Contact changes')}: {forms.contact_changes}",
                f"- {t(lang, 'Tilamuutoksia', 'Status changes')}: {forms.status_changes}"
                + "".join(f"\n  - {p.id} {p.name}: {old} → {new}" for p, old, new in forms.status_changed),
                f"- {t(lang, 'Hylättyjä vastauksia (rivit)', 'Refused responses (rows)')}: {len(forms.refused_rows)} "
                f"({', '.join(map(str, forms.refused_rows)) or '-'})",
                "", forms_note(forms, lang)]
    heading("3. Todistustilanne", "3. Eligibility")
    header = [t(lang, "Todistus", "Certificate"), *(t(lang, *STATUS_WORDS[s]) for s in STATUS_ORDER)]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += [f"| {kind} | " + " | ".join(str(summary.eligibility_counts.get((kind, s), 0)) for s in STATUS_ORDER) + " |"
            for kind in KINDS]
    if summary.earned:
        out += ["", t(lang, "Ansaitut (ennen tämän ajon todistuksia):", "Earned (before this run's certificates):")]
        out += [f"- {p.id} {p.name}: {kind}, {format_hours(hours, lang)}" for p, kind, hours in summary.earned]
    heading("4. Todistukset", "4. Certificates")
    part = summary.certificates
    if part is None:
        out.append(t(lang, "Ei erääntyneitä todistuksia.", "No certificates due."))
    else:
        out.append(f"{certificates_lead(part, lang)} `{part.out_dir}`:")
        out += [f"- {number} {p.id} {p.name}: {kind}" for number, p, kind in part.listed]
        if part.hidden:
            out.append(f"- {hidden_certificates(part, lang)}")
        if part.missing_settings:
            out += ["", t(lang, "Täytä ennen --apply-ajoa Asetukset-välilehdelle: ", "Before --apply fill in on Asetukset: ")
                    + ", ".join(part.missing_settings)]
    heading("5. Poistot ja säilytysajat", "5. Purge")
    if not summary.purge.counts:
        out.append(t(lang, "Säilytysajat ja poistopyynnöt eivät vaadi mitään.", "Nothing is due."))
    else:
        out += [f"- {line}" for line in purge_lines(summary.purge, lang)]
        if summary.purge.done:
            out += ["", purge_done(summary.purge, lang)]
    heading("6. Opettajien listat", "6. Teacher lists")
    out += [t(lang, "Kukin opettaja saa vain oman tiedostonsa:", "Each teacher gets only their own file:"), "",
            f"| {t(lang, 'Opettaja', 'Teacher')} | {t(lang, 'Tiedosto', 'File')} | {t(lang, 'Oppilaat', 'Students')} |",
            "|---|---|---|"]
    out += [f"| {x.teacher} | `{x.file}` | {len(x.student_ids)}: {', '.join(x.student_ids)} |" for x in summary.teacher_lists]
    heading("7. Sähköpostilistat (piilokopio)", "7. E-mail lists (Bcc)")
    out += [f"- `{e.file}` ({t(lang, *EMAIL_WORDS[e.purpose])}): {e.count} {t(lang, 'osoitetta', 'addresses')}"
            for e in summary.emails]
    out += ["", t(lang, "Liitä lista viestin Piilokopio-kenttään (Bcc), ei koskaan Vastaanottaja-kenttään.",
                  "Paste a list into the Bcc field of the message, never into To.")]
    heading("Vaatii päätöksesi", "Needs your decision")
    out += [f"- {item}" for item in decisions(summary, lang)]
    if summary.images:
        heading("Kuvat", "Charts")
        out += [t(lang, f"Kuvat näkyvät sivulla {folders.SUMMARY} (avaa se selaimella):",
                  f"The charts are on the page {folders.SUMMARY} (open it in a browser):"), ""]
        out += [f"- {caption}: `{path}`" for path, caption in summary.images]
    return "\n".join(out).strip() + "\n"
