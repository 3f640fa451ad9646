"""Group e-mail at the edge: address lists for the terminal, and .eml drafts written as private files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from toolkit.model.errors import FileProblem, Refused, os_reason
from toolkit.model.messages import Phrase, counted, say
from toolkit.rules.emails import AddressList, address_list, build_draft, school_address


def ask_student_ids(tables, today: date) -> list[str]:
    """The students of purge's ``ask`` actions (muskari ended, not continuing)."""
    from toolkit.rules.purge import find_purge_actions

    return [a.student_id for a in find_purge_actions(tables, today) if a.action == "ask" and a.student_id]


def collect_addresses(tables, today: date, purpose: str = "registration", statuses=None,
                      teacher: str | None = None) -> AddressList:
    from toolkit.model.text import key

    if teacher is not None and key(teacher) not in {key(t) for t in tables.teachers["name"].dropna()}:
        known = ", ".join(tables.teachers["name"].dropna()) or "-"
        raise Refused("emails-unknown-teacher", teacher=teacher, known=known)
    ask_ids = ask_student_ids(tables, today) if purpose == "muskari-ended" else ()
    return address_list(tables.students, purpose, statuses, teacher, ask_ids)


def write_draft(path: Path, tables, addresses: AddressList, subject: str, body_file: Path, lang: str = "fi", *,
                register: Path | None = None, force: bool = False) -> str:
    """Write the .eml draft (mode 0600) through the output guard (never over ``register`` or a backup, an existing
    file only with ``force``); returns the note for the owner (where To came from, what to do)."""
    from toolkit.system.outputs import check_output, write_output

    check_output(path, register=register, force=force)       # refused before anything else is read

    if not addresses.addresses:
        raise Refused("emails-draft-no-addresses")
    to, source = school_address(tables.settings, tables.teachers)
    if source == "invalid-setting":
        raise Refused("emails-school-address-invalid", value=tables.settings.school_email)
    if to is None:
        raise Refused("emails-school-address-missing")
    try:
        body = body_file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileProblem("emails-body-missing", path=body_file) from None
    except UnicodeDecodeError:
        raise FileProblem("emails-body-not-utf8", path=body_file) from None
    except OSError as error:
        raise FileProblem("file-unreadable", path=body_file, reason=os_reason(error)) from None
    write_output(path, bytes(build_draft(to, addresses.addresses, subject, body)), kind="email-draft",
                 students=addresses.student_ids, register=register, force=force)
    origin = Phrase("emails-to-from-setting")
    if source.startswith("teacher:"):
        origin = Phrase("emails-to-from-teacher", name=source.split(":", 1)[1])
    return say("emails-draft-written", lang, path=path, to=to, origin=origin,
               families=counted("emails-n-families", len(addresses.addresses)))
