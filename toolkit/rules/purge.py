"""Retention and deletion requests: which rows and files the privacy statement says must go.

Pure: typed ``Tables``, ``today`` and the list of backups in; ``PurgeAction``s out (no files, no clock).
The rules, exactly as contract.md "Purge" orders them; a person matched by several rules is listed
under the first only:

1. ``deletion-requested`` Poistopyyntö on or before ``today`` -> ``erase`` everywhere (Oppilaat and
   Opinnot rows deleted, Todistukset rows lose the id, Valmistuneet rows anonymised, documents deleted).
2. ``study-window-closed`` Tila päättynyt, no deletion request, and the age at ``today`` reached
   *Opintojen yläikäraja* or a päättötodistus was issued -> ``erase`` of the Oppilaat and Opinnot rows.
3. ``muskari-ended`` muskaritodistus ``out-of-reach``, Jatkaa soitinopintoihin ``ei``, no päättötodistus
   result, no deletion request, and not ``aktiivinen`` (domain P3: an active customer is never a purge
   candidate) -> ``ask``: nothing is deleted; the family is asked.
4. ``marketing-expired`` Yhteydenotot row collected at least *Markkinointitietojen säilytys* calendar
   months before ``today`` -> ``delete-row``.
5. ``backup-expired`` a backup older than *Varmuuskopioiden säilytys* days -> ``delete-file``.

Decisions written down here because the contract leaves them open:

- "No deletion request" means the Poistopyyntö cell is blank. A request dated in the future therefore
  keeps the student out of rules 2 and 3 until it falls due and rule 1 erases them completely (rule 2
  would otherwise delete the Oppilaat row first and the request, with the graduates-list anonymisation
  it demands, would be lost).
- Calendar months are counted like completed years: from 31.8. six months are complete on 1.3. (the
  contract's 29.2. birthday falls on 1.3. the same way). Collected on D, expired when the completed
  months from D to ``today`` reach the setting.
- A backup made ``backup_days`` days ago is not yet older than the retention; one day later it is.
- A student's Valmistuneet rows are the rows whose Todistusnumero is one of the student's certificates,
  and the rows without a Todistusnumero whose Nimi is the student's name (either order, case and
  Unicode form ignored).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from toolkit.model.dates import age_on, completed_months
from toolkit.model.formatting import format_date, format_number
from toolkit.model.tables import Tables
from toolkit.rules.backups import BackupCopy, is_expired

DELETION_REQUESTED = "deletion-requested"
STUDY_WINDOW_CLOSED = "study-window-closed"
MUSKARI_ENDED = "muskari-ended"
MARKETING_EXPIRED = "marketing-expired"
BACKUP_EXPIRED = "backup-expired"
RULES = (DELETION_REQUESTED, STUDY_WINDOW_CLOSED, MUSKARI_ENDED, MARKETING_EXPIRED, BACKUP_EXPIRED)
ACTIONS = ("erase", "anonymise", "delete-row", "ask", "delete-file")
ANONYMOUS_GRADUATE = "valmistunut oppilas"
RULE_LABELS = {  # rule -> (Finnish, English) heading
    DELETION_REQUESTED: ("poistopyyntö", "deletion requested"),
    STUDY_WINDOW_CLOSED: ("opintoaika on päättynyt", "study window closed"),
    MUSKARI_ENDED: ("muskari päättyi – kysy perheeltä", "muskari ended – ask the family"),
    MARKETING_EXPIRED: ("markkinointitiedot vanhentuneet", "marketing data expired"),
    BACKUP_EXPIRED: ("varmuuskopio vanhentunut", "backup expired"),
}

# rule -> (Finnish, English); placeholders are the keys of PurgeAction.params
MESSAGES: dict[str, tuple[str, str]] = {
    DELETION_REQUESTED: (
        "Poistopyyntö saapui {request}: oppilaan {student_id} rivi ja {studies} opintoriviä poistetaan, "
        "{certificates} todistusriviltä poistetaan oppilasnumero, {graduates} valmistuneiden listan riviin "
        "tulee \"valmistunut oppilas\" ja {files} todistusasiakirjaa poistetaan.",
        "Deletion request received {request}: student {student_id}'s row and {studies} study rows are deleted, "
        "{certificates} certificate rows lose the student id, {graduates} graduates-list rows become "
        "\"valmistunut oppilas\" and {files} certificate documents are deleted."),
    STUDY_WINDOW_CLOSED: (
        "Oppilas {student_id} on päättänyt opintonsa ja {reason_fi}: oppilasrivi ja {studies} opintoriviä "
        "poistetaan. Todistukset ja valmistuneiden lista säilyvät.",
        "Student {student_id} has ended their studies and {reason_en}: the student row and {studies} study rows "
        "are deleted. Certificates and the graduates list are kept."),
    MUSKARI_ENDED: (
        "Oppilaan {student_id} muskaritodistus ei ole enää saavutettavissa ({hours} / {required} h) eikä hän "
        "jatka soitinopintoihin: kysy perheeltä, haluavatko he tietojen poistamista. Mitään ei poisteta "
        "ennen kuin poistopyyntö on kirjattu.",
        "Student {student_id}'s muskari certificate is out of reach ({hours} / {required} h) and they are not "
        "continuing to instrument studies: ask the family whether they want their data deleted. Nothing is "
        "deleted until a deletion request is recorded."),
    MARKETING_EXPIRED: (
        "Yhteystieto kerättiin {collected}, vähintään {months} kuukautta sitten: rivi poistetaan.",
        "Contact collected {collected}, at least {months} months ago: the row is deleted."),
    BACKUP_EXPIRED: (
        "Varmuuskopio {file} tehtiin {made}, yli {days} päivää sitten: tiedosto poistetaan.",
        "Backup {file} was made {made}, more than {days} days ago: the file is deleted."),
}

REASONS = {
    "age": ("täyttänyt {limit} vuotta", "reached the age of {limit}"),
    "final-certificate": ("saanut päättötodistuksen", "received the final certificate"),
}


class _Blank(dict):
    def __missing__(self, key):  # a message never fails for a missing word
        return ""


@dataclass(frozen=True)
class PurgeAction:
    rule: str
    action: str
    sheet: str | None           # the row the action is about; None for a file
    row: int | None
    student_id: str | None
    params: dict = field(default_factory=dict, compare=False, hash=False)
    # every other row the action changes: sheet -> Excel rows (erase: Opinnot, Todistukset, Valmistuneet)
    rows: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)
    files: tuple[str, ...] = ()  # documents or backups the action deletes (as written in the register)
    email: str | None = None     # the family's address (``ask``), for the BCC list

    def message(self, lang: str = "fi") -> str:
        fi, en = MESSAGES[self.rule]
        words = _Blank({k: _fmt(v, lang) for k, v in self.params.items()})
        words.setdefault("student_id", self.student_id or "")
        return (en if lang == "en" else fi).format_map(words)

    def to_dict(self, lang: str = "fi") -> dict:
        out = {"sheet": self.sheet, "row": self.row, "student_id": self.student_id, "rule": self.rule,
               "action": self.action, "message": self.message(lang)}
        if self.rows:
            out["rows"] = {sheet: list(rows) for sheet, rows in self.rows.items()}
        if self.files:
            out["files"] = list(self.files)
        return out


def find_purge_actions(tables: Tables, today: date, backups: Iterable[BackupCopy] = ()) -> list[PurgeAction]:
    """Every action the retention rules require on ``today``, in rule order, then row order."""
    actions: list[PurgeAction] = []
    claimed: set[str] = set()
    for finder in (_deletion_requested, _study_window_closed, _muskari_ended):
        for action in finder(tables, today):
            if action.student_id not in claimed:
                claimed.add(action.student_id)
                actions.append(action)
    actions.extend(_marketing_expired(tables, today))
    actions.extend(_backup_expired(tables, today, backups))
    return actions


def erase_action(tables: Tables, student_id: str, rule: str) -> PurgeAction | None:
    """The ``erase`` that ``rule`` means for one student (``deletion-requested``: every trace; otherwise the
    Oppilaat and Opinnot rows), whatever the dates say; None when the student is not in Oppilaat.
    Used to replay a recorded erasure on a restored register."""
    found = tables.students[tables.students["student_id"] == student_id]
    if found.empty:
        return None
    st = found.iloc[0]
    return _student_action(tables, rule, "erase", st, full=rule == DELETION_REQUESTED,
                           request=st["deletion_requested"] or "", reason_fi="", reason_en="")


def count_by_rule(actions: Sequence[PurgeAction]) -> dict[str, int]:
    """rule -> number of actions, in rule order, rules without actions left out."""
    counts = {rule: sum(1 for a in actions if a.rule == rule) for rule in RULES}
    return {rule: n for rule, n in counts.items() if n}


def bcc_list(actions: Iterable[PurgeAction]) -> str:
    """The ``ask`` families' addresses, deduplicated case-insensitively, ``; ``-separated (first spelling kept)."""
    seen: dict[str, str] = {}
    for action in actions:
        if action.action == "ask" and action.email:
            seen.setdefault(action.email.strip().casefold(), action.email.strip())
    return "; ".join(seen.values())


# --- dates ------------------------------------------------------------------------------------------

def _fmt(value: object, lang: str) -> object:
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, float):
        return format_number(value, lang)
    return value


def _norm(text: object) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


# --- the rules --------------------------------------------------------------------------------------

def _present(series: pd.Series) -> pd.Series:
    return series.notna() & series.map(lambda v: v is not None and v != "")


def _erase_rows(tables: Tables, student: pd.Series, full: bool) -> tuple[dict[str, tuple[int, ...]], tuple[str, ...]]:
    sid = student["student_id"]
    rows: dict[str, tuple[int, ...]] = {"Opinnot": tuple(tables.studies.loc[tables.studies["student_id"] == sid, "row"]
                                                         .astype(int))}
    if not full:
        return rows, ()
    certs = tables.certificates[tables.certificates["student_id"] == sid]
    rows["Todistukset"] = tuple(certs["row"].astype(int))
    numbers = {str(n) for n in certs["number"] if n}
    names = {_norm(f"{student['first_name']} {student['last_name']}"),
             _norm(f"{student['last_name']} {student['first_name']}")}
    grads = tables.graduates
    by_number = grads["number"].map(lambda n: n is not None and str(n) in numbers)
    by_name = ~_present(grads["number"]) & grads["name"].map(lambda n: n is not None and _norm(n) in names)
    rows["Valmistuneet"] = tuple(grads.loc[by_number | by_name, "row"].astype(int))
    files = tuple(str(f) for f in certs["file"] if f)
    return rows, files


def _student_action(tables: Tables, rule: str, action: str, student: pd.Series, full: bool = False,
                    **params) -> PurgeAction:
    rows, files = _erase_rows(tables, student, full) if action == "erase" else ({}, ())
    counts = {"studies": len(rows.get("Opinnot", ())), "certificates": len(rows.get("Todistukset", ())),
              "graduates": len(rows.get("Valmistuneet", ())), "files": len(files)}
    return PurgeAction(rule=rule, action=action, sheet="Oppilaat", row=int(student["row"]),
                       student_id=student["student_id"], params={**counts, **params}, rows=rows, files=files,
                       email=student.get("email") if action == "ask" else None)


def _deletion_requested(tables: Tables, today: date) -> list[PurgeAction]:
    s = tables.students
    due = s[_present(s["deletion_requested"])]
    due = due[due["deletion_requested"].map(lambda d: d <= today)]
    return [_student_action(tables, DELETION_REQUESTED, "erase", st, full=True, request=st["deletion_requested"])
            for _, st in due.iterrows()]


def _final_certificate_holders(tables: Tables) -> set[str]:
    c = tables.certificates
    return set(c.loc[(c["kind"] == "päättötodistus") & _present(c["student_id"]), "student_id"])


def _study_window_closed(tables: Tables, today: date) -> list[PurgeAction]:
    s = tables.students
    limit = tables.settings.study_age_limit
    ended = s[(s["status"] == "päättynyt") & ~_present(s["deletion_requested"])]
    holders = _final_certificate_holders(tables)
    out = []
    for _, st in ended.iterrows():
        if st["birth_date"] is not None and age_on(st["birth_date"], today) >= limit:
            reason = "age"
        elif st["student_id"] in holders:
            reason = "final-certificate"
        else:
            continue
        fi, en = REASONS[reason]
        out.append(_student_action(tables, STUDY_WINDOW_CLOSED, "erase", st, reason=reason,
                                   reason_fi=fi.format(limit=limit), reason_en=en.format(limit=limit)))
    return out


def _muskari_ended(tables: Tables, today: date) -> list[PurgeAction]:
    from toolkit.rules.eligibility import assess_eligibility

    results = assess_eligibility(tables, today)
    out_of_reach = {r.student_id: r for r in results
                    if r.certificate == "muskaritodistus" and r.status == "out-of-reach"}
    with_final = {r.student_id for r in results if r.certificate == "päättötodistus"}
    s = tables.students
    candidates = s[(s["continues"] == "ei") & (s["status"] != "aktiivinen") & ~_present(s["deletion_requested"])
                   & s["student_id"].isin(set(out_of_reach) - with_final)]
    return [_student_action(tables, MUSKARI_ENDED, "ask", st, hours=float(out_of_reach[st["student_id"]].hours),
                            required=float(out_of_reach[st["student_id"]].required))
            for _, st in candidates.iterrows()]


def _marketing_expired(tables: Tables, today: date) -> list[PurgeAction]:
    c = tables.contacts
    months = tables.settings.marketing_months
    expired = c[c["collected"].map(lambda d: d is not None and completed_months(d, today) >= months)]
    return [PurgeAction(rule=MARKETING_EXPIRED, action="delete-row", sheet="Yhteydenotot", row=int(r["row"]),
                        student_id=None, params={"collected": r["collected"], "months": months})
            for _, r in expired.iterrows()]


def _backup_expired(tables: Tables, today: date, backups: Iterable[BackupCopy]) -> list[PurgeAction]:
    days = tables.settings.backup_days
    out = []
    for b in sorted(backups, key=lambda b: (b.made if not isinstance(b.made, datetime) else b.made.date(), b.path)):
        made = b.made.date() if isinstance(b.made, datetime) else b.made
        if is_expired(made, today, days):
            out.append(PurgeAction(rule=BACKUP_EXPIRED, action="delete-file", sheet=None, row=None, student_id=None,
                                   params={"file": b.path, "made": made, "days": days}, files=(b.path,)))
    return out
