"""The contract's commands, in the order `muskari --help` lists them; each is described by the catalogue's
command-NAME.

Add, never rename. The CLI loads ``toolkit.cli.commands.<name with _>``; init's Ohje sheet lists them too.
"""

from __future__ import annotations

COMMANDS: tuple[str, ...] = ("init", "demo", "check", "eligibility", "certificates", "purge", "import-forms",
                             "teacher-lists", "emails", "access-request", "backup", "restore", "semester")
