"""The register change a purge makes, and the Loki line that records it (counts and keyed hashes, never who).

    change = change_for(actions)                       # a RegisterChange (toolkit.xlsx.safe_write)
    change.log("purge", log_details(actions, hashes))

``erase`` deletes the Oppilaat row and the Opinnot rows; a full erasure (``deletion-requested``) also blanks
the Oppilasnumero and the Tiedosto of the student's Todistukset rows (a file name holds the id, and the
document is deleted), anonymises their graduates' rows on Valmistuneet and deletes the rows of certificates
that do not graduate. ``delete-row`` deletes the Yhteydenotot row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from toolkit.model.messages import say
from toolkit.rules.purge import ANONYMOUS_GRADUATE, PurgeAction, count_by_rule, rule_label

LOG_LANG = "fi"         # Loki is written in the register's language, whatever the command's --lang

LOG_COMMAND = "purge"


def change_for(actions: Iterable[PurgeAction]):
    from toolkit.xlsx.safe_write import RegisterChange

    change = RegisterChange()
    for a in actions:
        if a.action == "erase":
            change.delete_rows("Oppilaat", [a.row])
            change.delete_rows("Opinnot", a.rows.get("Opinnot", ()))
            for row in a.rows.get("Todistukset", ()):
                change.update("Todistukset", row, "Oppilasnumero", None)
                change.update("Todistukset", row, "Tiedosto", None)
            for row in a.rows.get("Valmistuneet", ()):
                change.update("Valmistuneet", row, "Nimi", ANONYMOUS_GRADUATE)
                change.update("Valmistuneet", row, "Todistusnumero", None)
            for sheet, rows in a.dropped.items():
                change.delete_rows(sheet, rows)
        elif a.action == "delete-row":
            change.delete_rows(a.sheet, [a.row])
    return change


def log_details(actions: Sequence[PurgeAction], hashes: Sequence[str], replay: bool = False,
                version: bool = False) -> str:
    """Counts per rule and the keyed hashes; never an id, a name or a file name."""
    parts = []
    for rule, n in count_by_rule(actions).items():
        chosen = [a for a in actions if a.rule == rule]
        rows: dict[str, int] = {}
        for a in chosen:
            if a.sheet:
                rows[a.sheet] = rows.get(a.sheet, 0) + 1
            for table in (a.rows, a.dropped):
                for sheet, numbers in table.items():
                    rows[sheet] = rows.get(sheet, 0) + len(numbers)
        files = sum(len(a.files) for a in chosen)
        counts = [f"{sheet} {k}" for sheet, k in rows.items() if k] + ([say("log-files", LOG_LANG, n=files)]
                                                                      if files else [])
        parts.append(say("log-purge-rule", LOG_LANG, rule=rule_label(rule, LOG_LANG), n=n, rows=", ".join(counts)))
    prefix = say("log-purge-replayed", LOG_LANG) if replay else say("log-purge-version", LOG_LANG) if version else ""
    text = prefix + "; ".join(parts)
    if hashes:
        text += "; HMAC: " + ", ".join(log_hash(h) for h in hashes)
    return text


def log_hash(digest: str) -> str:
    """The hash as Loki shows it: hex in groups of eight joined by dots, so that no run of it can look
    like an identity code (six digits, a century sign, three digits) to the writer's personal-data guard."""
    return ".".join(digest[i:i + 8] for i in range(0, len(digest), 8))
