"""What `emails` reports: the BCC line, its counts, and the addresses left off for being invalid."""

from __future__ import annotations

from toolkit.model.messages import counted, say
from toolkit.reports.formats import format_csv, format_json
from toolkit.rules.emails import AddressList


def invalid_lines(addresses: AddressList, lang: str = "fi") -> str:
    """One line for each address the check found invalid (they are on no list), for stderr."""
    return "".join("muskari: " + say("emails-invalid-line", lang, row=f.row, message=f.message(lang)) + "\n"
                   for f in addresses.invalid)


def summary_line(addresses: AddressList, lang: str = "fi") -> str:
    return say("emails-summary", lang, addresses=counted("emails-n-addresses", len(addresses.addresses)),
               students=counted("emails-for-students", len(addresses.student_ids)),
               without=len(addresses.without_address), invalid=len(addresses.invalid))


def render_addresses(addresses: AddressList, fmt: str = "table", lang: str = "fi") -> str:
    """table: the BCC line itself (ready to paste; the count goes to stderr, ``summary_line``); json and csv for
    scripts."""
    if fmt == "json":
        return format_json({"purpose": addresses.purpose, "bcc": addresses.bcc, "addresses": addresses.addresses,
                            "student_ids": addresses.student_ids, "without_address": addresses.without_address,
                            "invalid": [f.to_dict(lang) for f in addresses.invalid]})
    if fmt == "csv":
        return format_csv([[a] for a in addresses.addresses], ["address"])
    return addresses.bcc + "\n"
