"""The one hierarchy of "the job cannot go on" errors.

Findings are problems in the owner's data and are never raised. These exceptions mean the
command cannot proceed; the CLI turns each into one line on stderr and exit code 3.
Every error says what to do, in Finnish and English: by a code of the message catalogue and its words,

    raise FileProblem("file-missing", path=path)

(the older form, the two sentences given inline, is being moved into the catalogue).
"""

from __future__ import annotations

import re

from toolkit.model.messages import catalogue, say

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")


class MuskariError(Exception):
    """Base class: the command cannot proceed (exit code 3)."""

    exit_code = 3

    def __init__(self, fi: str, en: str | None = None, /, **words):
        if en is None and _CODE.match(fi) and fi in catalogue():
            self.code, self.words = fi, words
            fi, en = say(fi, "fi", **words), say(fi, "en", **words)
        else:
            self.code, self.words = None, words
        super().__init__(fi)
        self.fi = fi
        self.en = en or fi

    def message(self, lang: str = "fi") -> str:
        return self.en if lang == "en" else self.fi

    def _render_traceback_(self) -> list[str]:
        """In a notebook, show the owner the message, not a traceback."""
        return [self.message("fi")]


class FileProblem(MuskariError):
    """The file is missing, unreadable, or not what it claims to be."""


class NotAWorkbook(FileProblem):
    """The file is not an .xlsx workbook (it is .xls, .ods, CSV, encrypted, truncated, ...)."""


class RegisterLocked(MuskariError):
    """The register is open in Excel or LibreOffice."""


class RegisterChanged(MuskariError):
    """The register changed on disk after it was read."""


class WouldLoseContent(MuskariError):
    """Saving would drop something the owner made (shapes, macros, extension dropdowns, ...)."""


class VerificationFailed(MuskariError):
    """The written copy did not match what was meant; the original was kept."""


class TemplateProblem(MuskariError):
    """A certificate template is broken or unsafe."""


class ErasureIncomplete(MuskariError):
    """The proof scan found an erased person's data; nothing was replaced."""


class Refused(MuskariError):
    """The command refuses to do something unsafe (overwrite, wrong password, missing tool)."""


class RegisterHasErrors(MuskariError):
    """The register has errors, so the job was not run (rows with errors are never counted): exit code 1."""

    exit_code = 1
