"""Retention and deletion requests: which rows and files the privacy statement says must go.

Pure: typed ``Tables``, ``today`` and the list of backups in; ``PurgeAction``s out (no files, no clock).
The rules, exactly as contract.md "Purge" orders them; a person matched by several rules is listed
under the first only:

1. ``deletion-requested`` Poistopyyntö on or before ``today`` -> ``erase`` everywhere (Oppilaat and
   Opinnot rows deleted, Todistukset rows lose the id and the file name, the Valmistuneet rows of the
   certificates that graduate (muskari, päättö) anonymised, documents deleted).
2. ``study-window-closed`` Tila päättynyt, no deletion request, and the age at ``today`` reached
   *Opintojen yläikäraja* or a päättötodistus was issued -> ``erase`` of the Oppilaat and Opinnot rows;
   but a student with an ``eligible`` result (earned, not issued) -> ``issue-first``: nothing is erased
   until the certificate is issued (domain P7: data is kept while the certificate can be obtained).
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
  Unicode form ignored). Only a muskaritodistus or päättötodistus row is anonymised as "valmistunut
  oppilas"; a row of another kind (a participation certificate an older version put on the list) is
  deleted, since its holder did not graduate.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from toolkit.model.dates import age_on, completed_months
from toolkit.model.formatting import format_date, format_number, kind_name
from toolkit.model.messages import join_and, say, say_count
from toolkit.model.tables import Tables
from toolkit.rules.backups import BackupCopy, is_expired

DELETION_REQUESTED = "deletion-requested"
STUDY_WINDOW_CLOSED = "study-window-closed"
MUSKARI_ENDED = "muskari-ended"
MARKETING_EXPIRED = "marketing-expired"
BACKUP_EXPIRED = "backup-expired"
RULES = (DELETION_REQUESTED, STUDY_WINDOW_CLOSED, MUSKARI_ENDED, MARKETING_EXPIRED, BACKUP_EXPIRED)
ACTIONS = ("erase", "anonymise", "delete-row", "ask", "delete-file", "issue-first")
NOT_CARRIED_OUT = ("ask", "issue-first")     # actions --apply leaves to the owner
ANONYMOUS_GRADUATE = "valmistunut oppilas"
GRADUATING = ("muskaritodistus", "päättötodistus")   # the certificates that put a name on Valmistuneet


def rule_label(rule: str, lang: str = "fi") -> str:
    """The rule's heading for people ("Poistopyyntö"), never its code."""
    return say(f"purge-rule-{rule}", lang)


def action_label(action: str, lang: str = "fi") -> str:
    """What the action does, in words ("poistetaan", "kysy perheeltä")."""
    return say(f"purge-action-{action}", lang)


@dataclass(frozen=True)
class PurgeAction:
    rule: str
    action: str
    sheet: str | None           # the row the action is about; None for a file
    row: int | None
    student_id: str | None
    params: dict = field(default_factory=dict, compare=False, hash=False)
    # every other row the action changes: sheet -> Excel rows (erase: Opinnot deleted, Todistukset id and file
    # blanked, Valmistuneet anonymised)
    rows: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)
    files: tuple[str, ...] = ()  # documents or backups the action deletes (as written in the register)
    email: str | None = None     # the family's address (``ask``), for the BCC list
    # rows deleted besides the Oppilaat row and Opinnot: Valmistuneet rows of certificates that do not graduate
    dropped: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "fi") -> str:
        words = {k: _fmt(v, lang) for k, v in self.params.items()}
        words.setdefault("student_id", self.student_id or "")
        if self.rule == DELETION_REQUESTED:
            return _deletion_message(words, lang)
        if self.rule == STUDY_WINDOW_CLOSED:
            words["reason"] = say(f"purge-reason-{self.params.get('reason', 'age')}", lang,
                                  limit=self.params.get("limit", ""))
            if self.action == "issue-first":
                words["certificates"] = join_and([kind_name(k, lang)
                                                      for k in self.params.get("earned", ())], lang)
                return say("purge-explain-issue-first", lang, **words)
            words["rows"] = _rows_clause("purge-student-row", "purge-student-rows", words, lang)
            return say("purge-explain-study-window-closed", lang, **words)
        if self.rule == MARKETING_EXPIRED:
            words["months"] = say_count("purge-n-months", lang, int(self.params.get("months", 0)))
        elif self.rule == BACKUP_EXPIRED:
            words["days"] = say_count("purge-n-days", lang, int(self.params.get("days", 0)))
        return say(f"purge-explain-{self.rule}", lang, **words)

    def to_dict(self, lang: str = "fi") -> dict:
        out = {"sheet": self.sheet, "row": self.row, "student_id": self.student_id, "rule": self.rule,
               "action": self.action, "message": self.message(lang)}
        if self.rows:
            out["rows"] = {sheet: list(rows) for sheet, rows in self.rows.items()}
        if self.dropped:
            out["deleted_rows"] = {sheet: list(rows) for sheet, rows in self.dropped.items()}
        if self.files:
            out["files"] = list(self.files)
        return out

    @property
    def carried_out(self) -> bool:
        """True for what ``--apply`` does; ``ask`` and ``issue-first`` are left to the owner."""
        return self.action not in NOT_CARRIED_OUT


def _rows_clause(alone: str, with_studies: str, words: dict, lang: str) -> str:
    """"oppilasrivi poistetaan" or "oppilasrivi ja 2 opintoriviä poistetaan"."""
    studies = int(words.get("studies") or 0)
    if not studies:
        return say(alone, lang, **words)
    return say(with_studies, lang, **{**words, "studies": say_count("purge-n-studies", lang, studies)})


def _deletion_message(words: dict, lang: str) -> str:
    clauses = [_rows_clause("purge-own-row", "purge-own-rows", words, lang)]
    for key, code in (("certificates", "purge-n-certificate-rows"), ("graduates", "purge-n-graduate-rows"),
                      ("dropped", "purge-n-dropped-rows"), ("files", "purge-n-documents")):
        if int(words.get(key) or 0):
            clauses.append(say_count(code, lang, int(words[key])))
    return say("purge-explain-deletion-requested", lang, request=words.get("request", ""),
               clauses=join_and(clauses, lang))


def find_purge_actions(tables: Tables, today: date, backups: Iterable[BackupCopy] = ()) -> list[PurgeAction]:
    """Every action the retention rules require on ``today``, in rule order, then row order."""
    from toolkit.rules.eligibility import assess_eligibility

    results = assess_eligibility(tables, today)
    actions: list[PurgeAction] = []
    claimed: set[str] = set()
    for finder in (_deletion_requested, _study_window_closed, _muskari_ended):
        for action in finder(tables, today, results):
            if action.student_id not in claimed:
                claimed.add(action.student_id)
                actions.append(action)
    actions.extend(_marketing_expired(tables, today))
    actions.extend(_backup_expired(tables, today, backups))
    return actions


def erase_action(tables: Tables, student_id: str, rule: str) -> PurgeAction | None:
    """The ``erase`` that ``rule`` means for one student (``deletion-requested``: every trace; otherwise the
    Oppilaat and Opinnot rows), whatever the dates say; None when the student is not in Oppilaat.
    Used to replay a recorded erasure on a restored register and on the earlier versions."""
    found = tables.students[tables.students["student_id"] == student_id]
    if found.empty:
        return None
    st = found.iloc[0]
    return _student_action(tables, rule, "erase", st, full=rule == DELETION_REQUESTED,
                           request=st["deletion_requested"] or "")


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


def _erase_rows(tables: Tables, student: pd.Series, full: bool):
    """(rows changed, rows dropped, files) of an erasure: Opinnot always; with ``full`` also the Todistukset rows
    (id and file blanked), the Valmistuneet rows (graduates anonymised, other kinds dropped) and the documents."""
    sid = student["student_id"]
    rows: dict[str, tuple[int, ...]] = {"Opinnot": tuple(tables.studies.loc[tables.studies["student_id"] == sid, "row"]
                                                         .astype(int))}
    if not full:
        return rows, {}, ()
    certs = tables.certificates[tables.certificates["student_id"] == sid]
    rows["Todistukset"] = tuple(certs["row"].astype(int))
    numbers = {str(n) for n in certs["number"] if n}
    names = {_norm(f"{student['first_name']} {student['last_name']}"),
             _norm(f"{student['last_name']} {student['first_name']}")}
    grads = tables.graduates
    by_number = grads["number"].map(lambda n: n is not None and str(n) in numbers)
    by_name = ~_present(grads["number"]) & grads["name"].map(lambda n: n is not None and _norm(n) in names)
    mine = grads.loc[by_number | by_name]
    graduating = mine["kind"].isin(GRADUATING)
    rows["Valmistuneet"] = tuple(mine.loc[graduating, "row"].astype(int))
    dropped = {"Valmistuneet": tuple(mine.loc[~graduating, "row"].astype(int))} if (~graduating).any() else {}
    files = tuple(str(f) for f in certs["file"] if f)
    return rows, dropped, files


def _student_action(tables: Tables, rule: str, action: str, student: pd.Series, full: bool = False,
                    **params) -> PurgeAction:
    rows, dropped, files = _erase_rows(tables, student, full) if action == "erase" else ({}, {}, ())
    counts = {"studies": len(rows.get("Opinnot", ())), "certificates": len(rows.get("Todistukset", ())),
              "graduates": len(rows.get("Valmistuneet", ())), "dropped": len(dropped.get("Valmistuneet", ())),
              "files": len(files)}
    return PurgeAction(rule=rule, action=action, sheet="Oppilaat", row=int(student["row"]),
                       student_id=student["student_id"], params={**counts, **params}, rows=rows, files=files,
                       email=student.get("email") if action == "ask" else None, dropped=dropped)


def _deletion_requested(tables: Tables, today: date, results) -> list[PurgeAction]:
    s = tables.students
    due = s[_present(s["deletion_requested"])]
    due = due[due["deletion_requested"].map(lambda d: d <= today)]
    return [_student_action(tables, DELETION_REQUESTED, "erase", st, full=True, request=st["deletion_requested"])
            for _, st in due.iterrows()]


def _final_certificate_holders(tables: Tables) -> set[str]:
    c = tables.certificates
    return set(c.loc[(c["kind"] == "päättötodistus") & _present(c["student_id"]), "student_id"])


def _study_window_closed(tables: Tables, today: date, results) -> list[PurgeAction]:
    s = tables.students
    limit = tables.settings.study_age_limit
    ended = s[(s["status"] == "päättynyt") & ~_present(s["deletion_requested"])]
    holders = _final_certificate_holders(tables)
    earned: dict[str, list[str]] = {}
    for r in results:
        if r.status == "eligible":
            earned.setdefault(r.student_id, []).append(r.certificate)
    out = []
    for _, st in ended.iterrows():
        if st["birth_date"] is not None and age_on(st["birth_date"], today) >= limit:
            reason = "age"
        elif st["student_id"] in holders:
            reason = "final-certificate"
        else:
            continue
        if st["student_id"] in earned:     # the statement keeps the data while the certificate can be obtained
            out.append(_student_action(tables, STUDY_WINDOW_CLOSED, "issue-first", st, reason=reason, limit=limit,
                                       earned=tuple(earned[st["student_id"]])))
            continue
        out.append(_student_action(tables, STUDY_WINDOW_CLOSED, "erase", st, reason=reason, limit=limit))
    return out


def _muskari_ended(tables: Tables, today: date, results) -> list[PurgeAction]:
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
