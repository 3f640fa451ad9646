"""Who an erasure is about, found again in any copy of the register.

    targets = targets_of(tables, actions)          # each erased student (id, rule) and each expired contact
    actions_in(version_tables, targets)            # the same erasure located in an earlier version
    people_in(tables, targets)                     # [(person number, Person)]: their values there
    kept_in(tables, actions)                       # every value that stays (other people's)

A target is found by what never changes: a student by their id (ids are never reused), a marketing contact
by its name, address, phone and collection day together. The person number is the target's position, so
the values a person had in the register and in each earlier version count as one person in the scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from toolkit.erasure.scan import Kept, Person
from toolkit.model.text import key
from toolkit.rules.purge import DELETION_REQUESTED, MARKETING_EXPIRED, PurgeAction, erase_action


@dataclass(frozen=True)
class Target:
    number: int                      # the person's number in the scans (never their name or id)
    rule: str
    student_id: str | None = None    # an erased student
    contact: tuple | None = None     # an expired marketing contact: (name, e-mail, phone, collected), normalised

    @property
    def full(self) -> bool:
        return self.rule == DELETION_REQUESTED


def targets_of(tables, actions: Sequence[PurgeAction]) -> list[Target]:
    """The people the carried-out actions erase, in action order."""
    contacts = tables.contacts.set_index("row", drop=False)
    out: list[Target] = []
    for a in actions:
        if a.action == "erase" and a.student_id:
            out.append(Target(len(out), a.rule, student_id=a.student_id))
        elif a.action == "delete-row" and a.rule == MARKETING_EXPIRED and a.row in contacts.index:
            out.append(Target(len(out), a.rule, contact=_contact_key(contacts.loc[a.row])))
    return out


def actions_in(tables, targets: Iterable[Target]) -> list[PurgeAction]:
    """The erasures of ``targets`` located in ``tables`` (another copy of the register), in row order; a target
    not there is left out (that copy never held them, or no longer does)."""
    out = []
    for t in targets:
        if t.student_id is not None:
            action = erase_action(tables, t.student_id, t.rule)
            if action is not None:
                out.append(action)
        elif t.contact is not None:
            for _, row in tables.contacts.iterrows():
                if _contact_key(row) == t.contact:
                    out.append(PurgeAction(rule=MARKETING_EXPIRED, action="delete-row", sheet="Yhteydenotot",
                                           row=int(row["row"]), student_id=None))
    unique = {(a.sheet, a.row): a for a in out}
    return sorted(unique.values(), key=lambda a: (a.sheet or "", a.row or 0))


def people_in(tables, targets: Iterable[Target]) -> list[tuple[int, Person]]:
    """The values each target has in ``tables``: a student's row, a contact's row."""
    students = tables.students
    out = []
    for t in targets:
        if t.student_id is not None:
            found = students[students["student_id"] == t.student_id]
            if not found.empty:
                out.append((t.number, student_person(found.iloc[0])))
        elif t.contact is not None:
            for _, row in tables.contacts.iterrows():
                if _contact_key(row) == t.contact:
                    out.append((t.number, Person(name=row["name"], email=row["email"], phone=row["phone"])))
    return out


def student_person(row) -> Person:
    return Person(first_name=row["first_name"], last_name=row["last_name"], guardian=row["guardian"],
                  email=row["email"], phone=row["phone"], birth_date=row["birth_date"],
                  student_id=row["student_id"])


def kept_in(tables, actions: Sequence[PurgeAction]) -> Kept:
    """Every value that stays in the tables after ``actions``, and the settings."""
    gone = {"Oppilaat": set(), "Opinnot": set(), "Yhteydenotot": set(), "Valmistuneet": set()}
    for a in actions:
        if a.action == "erase":
            gone["Oppilaat"].add(a.row)
            gone["Opinnot"].update(a.rows.get("Opinnot", ()))
            gone["Valmistuneet"].update(a.rows.get("Valmistuneet", ()))     # anonymised
            gone["Valmistuneet"].update(a.dropped.get("Valmistuneet", ()))
        elif a.action == "delete-row" and a.sheet in gone:
            gone[a.sheet].add(a.row)
    blanked = {r for a in actions if a.action == "erase" for r in a.rows.get("Todistukset", ())}
    kept = Kept()
    frames = {"Oppilaat": tables.students, "Opinnot": tables.studies, "Opintokokonaisuudet": tables.units,
              "Opettajat": tables.teachers, "Todistukset": tables.certificates, "Valmistuneet": tables.graduates,
              "Yhteydenotot": tables.contacts}
    for sheet, frame in frames.items():
        rows = frame[~frame["row"].isin(gone.get(sheet, set()))]
        if sheet == "Todistukset":       # a blanked row keeps its number, kind and date, not the id and file
            _add_values(kept, rows.loc[rows["row"].isin(blanked), ["number", "kind", "date"]])
            rows = rows[~rows["row"].isin(blanked)]
        _add_values(kept, rows.drop(columns="row"))
        if sheet == "Oppilaat":
            for first, last in zip(rows["first_name"], rows["last_name"], strict=True):
                kept.add_text(f"{first} {last}")
                kept.add_text(f"{last} {first}")
    for value in vars(tables.settings).values():
        kept.add_text(value if isinstance(value, str) else None)
    return kept


def _add_values(kept: Kept, frame) -> None:
    for column in frame.columns:
        for value in frame[column].dropna().unique():   # few distinct values in the big sheets
            kept.add_text(value)


def scrub_strings(needles) -> list[str]:
    """The values the writer removes from comments, hyperlinks, prompts, filters and properties (it matches
    whole words, so "1.3.2019" leaves "11.3.2019" alone); birth dates in the ways people type them."""
    out = set()
    for n in needles:
        if n.kind == "birth-date":
            day = date.fromisoformat(n.value)
            out.update({f"{day.day}.{day.month}.{day.year}", f"{day.day:02d}.{day.month:02d}.{day.year}", n.value})
        elif n.kind != "student-id":
            out.add(n.value)
    return sorted(out)


def _contact_key(row) -> tuple:
    def text(value):
        return key(value) if isinstance(value, str) and value.strip() else None

    phone = "".join(ch for ch in str(row["phone"]) if ch.isdigit()) if isinstance(row["phone"], str) else None
    return text(row["name"]), text(row["email"]), phone or None, row["collected"]
