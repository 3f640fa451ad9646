"""Group e-mail at the edge: address lists for the terminal, and .eml drafts written as private files."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from toolkit.model.errors import FileProblem, Refused
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
        raise Refused(f"Opettajaa \"{teacher}\" ei ole Opettajat-välilehdellä. Opettajat: {known}.",
                      f"There is no teacher \"{teacher}\" on the Opettajat sheet. Teachers: {known}.")
    ask_ids = ask_student_ids(tables, today) if purpose == "muskari-ended" else ()
    return address_list(tables.students, purpose, statuses, teacher, ask_ids)


def print_invalid(addresses: AddressList, lang: str = "fi", stream=None) -> None:
    stream = stream or sys.stderr
    for finding in addresses.invalid:
        where = f"Oppilaat, {'row' if lang == 'en' else 'rivi'} {finding.row}"
        stream.write(f"muskari: {where}: {finding.message(lang)}\n")


def summary_line(addresses: AddressList, lang: str = "fi") -> str:
    if lang == "en":
        return (f"{len(addresses.addresses)} addresses for {len(addresses.student_ids)} students; "
                f"{len(addresses.without_address)} without an address, {len(addresses.invalid)} invalid.")
    return (f"{len(addresses.addresses)} osoitetta {len(addresses.student_ids)} oppilaalle; "
            f"{len(addresses.without_address)} ilman osoitetta, {len(addresses.invalid)} virheellistä.")


def render_addresses(addresses: AddressList, fmt: str = "table", lang: str = "fi") -> str:
    """table: the BCC line itself (ready to paste) and a count on stderr; json and csv for scripts."""
    from toolkit.reports.formats import format_csv, format_json

    if fmt == "json":
        return format_json({"purpose": addresses.purpose, "bcc": addresses.bcc, "addresses": addresses.addresses,
                            "student_ids": addresses.student_ids, "without_address": addresses.without_address,
                            "invalid": [f.to_dict(lang) for f in addresses.invalid]})
    if fmt == "csv":
        return format_csv([[a] for a in addresses.addresses], ["address"])
    print(summary_line(addresses, lang), file=sys.stderr)
    return addresses.bcc + "\n"


def write_draft(path: Path, tables, addresses: AddressList, subject: str, body_file: Path, lang: str = "fi", *,
                register: Path | None = None, force: bool = False) -> str:
    """Write the .eml draft (mode 0600) through the output guard (never over ``register`` or a backup, an existing
    file only with ``force``); returns the note for the owner (where To came from, what to do)."""
    from toolkit.system.outputs import check_output, write_output

    check_output(path, register=register, force=force)       # refused before anything else is read

    if not addresses.addresses:
        raise Refused("Luonnosta ei kirjoitettu: valinnalla ei löytynyt yhtään osoitetta.",
                      "No draft written: the selection has no addresses.")
    to, source = school_address(tables.settings, tables.teachers)
    if source == "invalid-setting":
        raise Refused(f"Asetuksen \"Koulun sähköposti\" arvo \"{tables.settings.school_email}\" ei ole kelvollinen "
                      "osoite. Korjaa se Asetukset-välilehdellä.",
                      f"The setting \"Koulun sähköposti\" (\"{tables.settings.school_email}\") is not a valid "
                      "address. Correct it on Asetukset.")
    if to is None:
        raise Refused("Koulun osoitetta ei ole: kirjoita se Asetukset-välilehden asetukseen \"Koulun sähköposti\" "
                      "(tai lisää opettajalle osoite Opettajat-välilehdelle).",
                      "The school has no address: fill in the setting \"Koulun sähköposti\" on Asetukset "
                      "(or give a teacher an address on Opettajat).")
    try:
        body = body_file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileProblem(f"Viestin tekstitiedostoa {body_file} ei löydy.", f"Body file {body_file} not found.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FileProblem(f"Viestin tekstitiedostoa {body_file} ei voi lukea UTF-8-tekstinä ({error}).",
                          f"Cannot read body file {body_file} as UTF-8 text ({error}).") from None
    write_output(path, bytes(build_draft(to, addresses.addresses, subject, body)), kind="email-draft",
                 students=addresses.student_ids, register=register, force=force)
    origin = {"fi": "asetuksesta Koulun sähköposti", "en": "from the setting Koulun sähköposti"}
    if source.startswith("teacher:"):
        name = source.split(":", 1)[1]
        origin = {"fi": f"opettajan {name} osoite, koska asetus Koulun sähköposti on tyhjä",
                  "en": f"teacher {name}'s address, as the setting Koulun sähköposti is blank"}
    if lang == "en":
        return (f"Draft {path} written: To {to} ({origin['en']}), {len(addresses.addresses)} families in Bcc. "
                f"Open it in your mail program, check it and send. It holds addresses: delete it afterwards.")
    return (f"Luonnos {path} kirjoitettu: vastaanottaja {to} ({origin['fi']}), {len(addresses.addresses)} perhettä "
            f"piilokopiona. Avaa se sähköpostiohjelmassa, tarkista ja lähetä. Tiedostossa on osoitteita: poista se "
            f"lähettämisen jälkeen.")
