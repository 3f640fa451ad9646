"""The one hierarchy of "the job cannot go on" errors.

Findings are problems in the owner's data and are never raised. These exceptions mean the
command cannot proceed; the CLI turns each into one line on stderr and exit code 3.
Every error carries its message in Finnish and English, and says what to do.
"""

from __future__ import annotations


class MuskariError(Exception):
    """Base class: the command cannot proceed (exit code 3)."""

    exit_code = 3

    def __init__(self, fi: str, en: str | None = None):
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
