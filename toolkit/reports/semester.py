"""The semester run's summary, in Markdown that also reads well as plain text on the terminal.

What changed, who earned what, what was erased (counts only: an erased person is never named here),
what needs the owner's decision, and where every artefact is. ``images`` are plot files linked at the end.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from toolkit.model.formatting import format_date, format_hours

STATUS_ORDER = ("eligible", "issued", "in-progress", "out-of-reach")
STATUS_WORDS = {"eligible": ("ansaittu, antamatta", "earned, not issued"), "issued": ("annettu", "issued"),
                "in-progress": ("kesken", "in progress"), "out-of-reach": ("ei saavutettavissa", "out of reach")}
RULE_WORDS = {
    "deletion-requested": ("poistopyyntö", "deletion requested"),
    "study-window-closed": ("opintoaika päättynyt", "study window closed"),
    "muskari-ended": ("muskari päättynyt: kysy perheeltä", "muskari ended: ask the family"),
    "marketing-expired": ("markkinointitieto vanhentunut", "marketing data expired"),
    "backup-expired": ("varmuuskopio vanhentunut", "backup expired"),
}


class _Text:
    def __init__(self, lang: str):
        self.en = lang == "en"
        self.lines: list[str] = []

    def t(self, fi: str, en: str) -> str:
        return en if self.en else fi

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, fi: str, en: str) -> None:
        self.lines += ["", f"## {self.t(fi, en)}", ""]


def _names(result) -> dict[str, str]:
    students = result.tables.students if result.tables is not None else None
    if students is None:
        return {}
    return {str(i): f"{f} {s}" for i, f, s in zip(students["student_id"], students["first_name"],
                                                  students["last_name"], strict=True)}


def erased_ids(result) -> set[str]:
    """Students erased by this run: left out of every list below (counted, never named)."""
    return {a.student_id for a in (result.purged.applied if result.purged else []) if a.action == "erase"}


def _rel(path: Path, result) -> str:
    try:
        return Path(path).resolve().relative_to(result.out_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def render_summary(result, lang: str = "fi", images=()) -> str:
    out = _Text(lang)
    names = _names(result)
    hidden = erased_ids(result)
    out.add(f"# {out.t('Lukukausiajo', 'Semester run')} {format_date(result.today, lang)}", "",
            f"{out.t('Rekisteri', 'Register')}: `{result.register}`  ",
            out.t("Muutokset tallennettiin rekisteriin (--apply)." if result.applied else
                  "Esikatselu: rekisteriä ei muutettu. Tallenna muutokset ajamalla komento uudelleen lisäämällä --apply.",
                  "The changes were saved in the register (--apply)." if result.applied else
                  "Preview: the register was not changed. Run again with --apply to save the changes."))
    _check(out, result)
    _forms(out, result, hidden)
    _eligibility(out, result, names, hidden)
    _certificates(out, result, hidden)
    _purge(out, result, names)
    _lists(out, result)
    _emails(out, result)
    _decisions(out, result)
    if images:
        out.heading("Kuvat", "Charts")
        out.add(*[f"![{caption}]({p})" for p, caption in images])
    return "\n".join(out.lines).strip() + "\n"


def _check(out: _Text, result) -> None:
    out.heading("1. Tarkistus", "1. Check")
    counts = Counter(f.code for f in result.findings if not f.is_error)
    out.add(out.t("Rekisterissä ei ole virheitä", "The register has no errors")
            + (out.t(f"; varoituksia {sum(counts.values())}: ", f"; {sum(counts.values())} warnings: ")
               + ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) if counts else "") + ".")


def _forms(out: _Text, result, hidden) -> None:
    out.heading("2. Ilmoittautumislomakkeet", "2. Registration forms")
    if result.forms is None:
        out.add(out.t("Lomaketiedostoa ei annettu (--forms).", "No forms file given (--forms)."))
        return
    plan, file = result.forms.plan, result.forms.forms.path.name
    refused = ", ".join(str(f.row) for f in plan.problems) or "-"
    out.add(f"- {out.t('Vastauksia', 'Responses')}: {plan.responses} ({file})",
            f"- {out.t('Uusia oppilaita', 'New students')}: {len(plan.new_students)}"
            + "".join(f"\n  - {n.student_id} {n.name}" for n in plan.new_students),
            f"- {out.t('Yhteystietomuutoksia', 'Contact changes')}: {len(plan.contact_changes())}",
            f"- {out.t('Tilamuutoksia', 'Status changes')}: {len(plan.status_changes())}"
            + "".join(f"\n  - {u.student_id} {u.name}: {c.old} → {c.new}" for u, c in plan.status_changes()
                      if u.student_id not in hidden),
            f"- {out.t('Hylättyjä vastauksia (rivit)', 'Refused responses (rows)')}: {len(plan.problems)} ({refused})",
            "",
            out.t(f"Koko muutosraportti: muskari import-forms REKISTERI {file}. Poista {file}, kun tiedot on tuotu: "
                  "siinä on perheiden henkilötietoja.",
                  f"Full change report: muskari import-forms REGISTER {file}. Delete {file} once imported: it "
                  "holds the families' personal data."))


def _eligibility(out: _Text, result, names, hidden) -> None:
    out.heading("3. Todistustilanne", "3. Eligibility")
    counts = Counter((r.certificate, r.status) for r in result.eligibility)
    header = [out.t("Todistus", "Certificate"), *(out.t(*STATUS_WORDS[s]) for s in STATUS_ORDER)]
    out.add("| " + " | ".join(header) + " |", "|" + "---|" * len(header))
    for kind in ("muskaritodistus", "päättötodistus"):
        out.add(f"| {kind} | " + " | ".join(str(counts[(kind, s)]) for s in STATUS_ORDER) + " |")
    earned = [r for r in result.eligibility if r.status == "eligible" and r.student_id not in hidden]
    if earned:
        out.add("", out.t("Ansaitut (ennen tämän ajon todistuksia):", "Earned (before this run's certificates):"))
        out.add(*[f"- {r.student_id} {names.get(r.student_id, '')}: {r.certificate}, "
                  f"{format_hours(r.hours, out.t('fi', 'en'))}" for r in earned])


def _certificates(out: _Text, result, hidden) -> None:
    out.heading("4. Todistukset", "4. Certificates")
    plan = result.certificates
    if not plan or not plan.requests:
        out.add(out.t("Ei erääntyneitä todistuksia.", "No certificates due."))
        return
    verb = out.t("Annettiin", "Issued") if result.issued else out.t("Annettaisiin", "Would issue")
    out.add(f"{verb} {len(plan.requests)} {out.t('todistusta kansioon', 'certificates into')} `{plan.out_dir}`:")
    out.add(*[f"- {r.number} {r.student_id} {r.name}: {r.kind}" for r in plan.requests if r.student_id not in hidden])
    if any(r.student_id in hidden for r in plan.requests):
        out.add(out.t(f"- ja {sum(r.student_id in hidden for r in plan.requests)} oppilaalle, joiden tiedot poistettiin "
                      "tässä ajossa (ks. Valmistuneet)",
                      f"- and {sum(r.student_id in hidden for r in plan.requests)} students erased in this run "
                      "(see Valmistuneet)"))
    if plan.missing_settings:
        out.add("", out.t("Täytä ennen --apply-ajoa Asetukset-välilehdelle: ", "Before --apply fill in on Asetukset: ")
                + ", ".join(plan.missing_settings))


def _purge(out: _Text, result, names) -> None:
    out.heading("5. Poistot ja säilytysajat", "5. Purge")
    actions = result.purge.actions if result.purge else []
    if not actions:
        out.add(out.t("Säilytysajat ja poistopyynnöt eivät vaadi mitään.", "Nothing is due."))
        return
    counts = Counter(a.rule for a in actions)
    done = out.t("tehty", "done") if result.purged else out.t("tekemättä (esikatselu)", "not done (preview)")
    for rule, n in counts.items():
        state = out.t("kysyttävä", "to ask") if rule == "muskari-ended" else done
        out.add(f"- {out.t(*RULE_WORDS[rule])}: {n} — {state}")
    if result.purged:
        out.add("", out.t(f"Poistettiin {result.purged.erased} oppilaan tiedot ja {result.purged.files_deleted} "
                          "tiedostoa. Poistettuja ei nimetä tässä yhteenvedossa.",
                          f"Erased {result.purged.erased} students' data and {result.purged.files_deleted} files. "
                          "Erased people are not named in this summary."))


def _lists(out: _Text, result) -> None:
    out.heading("6. Opettajien listat", "6. Teacher lists")
    lists = result.teacher_lists
    out.add(out.t("Kukin opettaja saa vain oman tiedostonsa:", "Each teacher gets only their own file:"), "")
    out.add(f"| {out.t('Opettaja', 'Teacher')} | {out.t('Tiedosto', 'File')} | {out.t('Oppilaat', 'Students')} |",
            "|---|---|---|")
    out.add(*[f"| {x.teacher} | `{_rel(x.file, result)}` | {len(x.student_ids)}: {', '.join(x.student_ids)} |"
              for x in lists.lists])


def _emails(out: _Text, result) -> None:
    out.heading("7. Sähköpostilistat (piilokopio)", "7. E-mail lists (Bcc)")
    words = {"registration": ("ilmoittautuminen: aktiiviset ja tauolla olevat", "registration: active and on break"),
             "muskari-ended": ("muskari päättynyt: kysy poistosta", "muskari ended: ask about deletion")}
    for purpose, (addresses, path) in result.emails.items():
        out.add(f"- `{_rel(path, result)}` ({out.t(*words[purpose])}): {len(addresses.addresses)} "
                f"{out.t('osoitetta', 'addresses')}")
    out.add("", out.t("Liitä lista viestin Piilokopio-kenttään (Bcc), ei koskaan Vastaanottaja-kenttään.",
                      "Paste a list into the Bcc field of the message, never into To."))


def _decisions(out: _Text, result) -> None:
    out.heading("Vaatii päätöksesi", "Needs your decision")
    items = []
    ask = [a.student_id for a in (result.purge.actions if result.purge else []) if a.action == "ask"]
    if ask:
        items.append(out.t(f"Kysy {len(ask)} perheeltä, haluavatko he tietojensa poistamista (oppilaat {', '.join(ask)}); "
                           "kirjaa vastaus Poistopyyntö-sarakkeeseen.",
                           f"Ask {len(ask)} families whether they want their data deleted (students {', '.join(ask)}); "
                           "record a yes in the Poistopyyntö column."))
    if result.forms is not None and result.forms.plan.problems:
        rows = ", ".join(str(f.row) for f in result.forms.plan.problems)
        items.append(out.t(f"Hylätyt lomakevastaukset riveillä {rows}: korjaa ja tuo uudelleen.",
                           f"Refused form responses on rows {rows}: correct and import again."))
    if result.certificates is not None and result.certificates.missing_settings:
        items.append(out.t("Todistusten asetuksia puuttuu: ", "Certificate settings missing: ")
                     + ", ".join(result.certificates.missing_settings))
    if result.teacher_lists and result.teacher_lists.students_without_teacher:
        items.append(out.t("Ilman opettajaa (ei millään listalla): ", "No teacher (on no list): ")
                     + ", ".join(result.teacher_lists.students_without_teacher))
    registration = result.emails.get("registration")
    if registration and registration[0].without_address:
        items.append(out.t("Ilman sähköpostiosoitetta: ", "No e-mail address: ")
                     + ", ".join(registration[0].without_address))
    if not result.applied:
        items.append(out.t("Tämä oli esikatselu: aja uudelleen lisäämällä --apply.", "This was a preview: run again with --apply."))
    out.add(*[f"- {item}" for item in items] or [out.t("Ei avoimia asioita.", "Nothing open.")])
