"""Group e-mail: who gets the message, as one deduplicated BCC list (contract "E-mail purposes").

Pure: the typed student table in, an :class:`AddressList` out.

* ``registration`` (default): students whose Tila is ``aktiivinen`` or ``tauolla``.
* ``muskari-ended``: the families of purge's ``ask`` actions (their student ids are passed in).
* ``all``: every student with an address.

``--status`` and ``--teacher`` narrow any purpose further. Addresses are deduplicated
case-insensitively (the first spelling is kept, in register order) and joined with ``; ``.
An invalid address is left out and reported as an ``invalid-email`` finding with its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from toolkit.model import text as normalize
from toolkit.model.findings import Finding, make
from workbook_schema.models import EMAIL_PATTERN

PURPOSES = ("registration", "muskari-ended", "all")
REGISTRATION_STATUSES = ("aktiivinen", "tauolla")
SEPARATOR = "; "
_EMAIL = re.compile(EMAIL_PATTERN)


@dataclass
class AddressList:
    purpose: str
    addresses: list[str] = field(default_factory=list)       # deduplicated, register order
    student_ids: list[str] = field(default_factory=list)     # every selected student with a valid address
    without_address: list[str] = field(default_factory=list)  # selected students with no address
    invalid: list[Finding] = field(default_factory=list)

    @property
    def bcc(self) -> str:
        return SEPARATOR.join(self.addresses)


def is_valid_email(address: str | None) -> bool:
    """An RFC 5322 addr-spec with the common restrictions (``workbook_schema.models.EMAIL_PATTERN``): the one
    test of an address, the same in the check, the forms import, the BCC list and the draft."""
    return isinstance(address, str) and _EMAIL.match(address) is not None


def select_students(students: pd.DataFrame, purpose: str = "registration", statuses: Iterable[str] | None = None,
                    teacher: str | None = None, ask_ids: Iterable[str] = ()) -> pd.DataFrame:
    """The students a message of ``purpose`` goes to, in register order."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    mask = pd.Series(True, index=students.index)
    if purpose == "registration":
        mask &= students["status"].isin(REGISTRATION_STATUSES)
    elif purpose == "muskari-ended":
        mask &= students["student_id"].isin(set(ask_ids))
    if statuses:
        mask &= students["status"].isin(set(statuses))
    if teacher is not None:
        wanted = normalize.key(teacher)
        mask &= students["teacher"].map(lambda t: t is not None and normalize.key(str(t)) == wanted)
    return students[mask]


def address_list(students: pd.DataFrame, purpose: str = "registration", statuses: Iterable[str] | None = None,
                 teacher: str | None = None, ask_ids: Iterable[str] = ()) -> AddressList:
    chosen = select_students(students, purpose, statuses, teacher, ask_ids)
    result = AddressList(purpose=purpose)
    seen: set[str] = set()
    for row, sid, raw in zip(chosen.index, chosen["student_id"], chosen["email"], strict=True):
        address = normalize.clean_text(str(raw)) if raw is not None else ""
        if not address:
            result.without_address.append(str(sid))
            continue
        if not is_valid_email(address):
            result.invalid.append(make("invalid-email", sheet="Oppilaat", row=int(row), column="Sähköposti",
                                       value=address))
            continue
        result.student_ids.append(str(sid))
        folded = address.casefold()
        if folded not in seen:
            seen.add(folded)
            result.addresses.append(address)
    return result


def school_address(settings, teachers: pd.DataFrame) -> tuple[str | None, str]:
    """The To address of a draft and where it came from: the ``Koulun sähköposti`` setting, else the first
    teacher on Opettajat with a valid address (the owner is told which), else None."""
    own = normalize.clean_text(settings.school_email or "")
    if own:
        return (own, "setting") if is_valid_email(own) else (None, "invalid-setting")
    for name, address in zip(teachers["name"], teachers["email"], strict=True):
        if address is not None and is_valid_email(normalize.clean_text(str(address))):
            return normalize.clean_text(str(address)), f"teacher:{name}"
    return None, "none"


def draft_address(address: str) -> str:
    """The address as a draft holds it: a non-ASCII host name in IDNA (``ääkköset.fi`` -> ``xn--kkset-fraa0m.fi``,
    which every mail server delivers to); the local part as typed (``äiti@``: UTF-8, RFC 6531). ValueError for
    an address ``is_valid_email`` refuses."""
    if not is_valid_email(address):
        raise ValueError(f"not a valid e-mail address: {address!r}")
    local, _, domain = address.rpartition("@")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"not a valid e-mail domain: {domain!r}") from None
    return f"{local}@{domain}"


def build_draft(to: str, bcc: list[str], subject: str, body: str):
    """An unsent draft (``X-Unsent: 1``: Outlook and Thunderbird open it for editing) with the school in To
    and every family only in Bcc. Written with the SMTPUTF8 policy: a non-ASCII address reaches the file as
    UTF-8 (an RFC 2047 encoded word in an address is delivered by no mail server); host names go as IDNA."""
    from email.message import EmailMessage
    from email.policy import SMTPUTF8

    message = EmailMessage(policy=SMTPUTF8)
    message["To"] = draft_address(to)
    message["Bcc"] = ", ".join(draft_address(a) for a in bcc)
    message["Subject"] = " ".join(subject.split())
    message["X-Unsent"] = "1"
    message.set_content(body, charset="utf-8")
    return message
