"""The one hierarchy of "the job cannot go on" errors.

Findings are problems in the owner's data and are never raised. These exceptions mean the
command cannot proceed; the CLI turns each into one line on stderr and exit code 3.
Every error says what to do, in Finnish and English, by a code of the message catalogue and its words:

    raise FileProblem("file-missing", path=path)

There is no other form: a sentence is never written inline (tests/test_messages.py looks for one).
"""

from __future__ import annotations

import errno

from toolkit.model.messages import Phrase, catalogue, say

# the system's reasons the owner meets, said in her language (anything else keeps the system's own words)
_REASONS = {errno.ENOENT: "os-reason-missing", errno.EACCES: "os-reason-denied", errno.EPERM: "os-reason-denied",
            errno.ENOSPC: "os-reason-disk-full", errno.EFBIG: "os-reason-too-big",
            errno.EROFS: "os-reason-read-only", errno.EISDIR: "os-reason-is-folder",
            errno.ENOTDIR: "os-reason-not-folder", errno.EEXIST: "os-reason-exists", errno.EBUSY: "os-reason-busy",
            errno.ENAMETOOLONG: "os-reason-name-too-long", errno.EIO: "os-reason-io",
            getattr(errno, "EDQUOT", errno.ENOSPC): "os-reason-disk-full"}


class MuskariError(Exception):
    """Base class: the command cannot proceed (exit code 3)."""

    exit_code = 3

    def __init__(self, code: str, /, **words):
        if code not in catalogue():
            raise KeyError(f"{code!r} is not a code of the message catalogue")
        self.code, self.words = code, words
        super().__init__(self.message("fi"))

    def message(self, lang: str = "fi") -> str:
        return say(self.code, lang, **self.words)

    def _render_traceback_(self) -> list[str]:
        """In a notebook, show the owner the message, not a traceback."""
        return [self.message("fi")]

    def __reduce__(self):
        """Pickled by its code and words (an error raised in a worker process reaches the parent whole)."""
        return _rebuilt, (type(self), self.code, self.words, self.__dict__)


def _rebuilt(cls, code: str, words: dict, state: dict) -> MuskariError:
    error = cls.__new__(cls)
    MuskariError.__init__(error, code, **words)
    error.__dict__.update(state)
    return error


def os_reason(error: BaseException) -> Phrase | str:
    """Why the system refused, as a word of the sentence: "ei käyttöoikeutta" for EACCES, ..."""
    code = _REASONS.get(getattr(error, "errno", None))
    if code is not None:
        return Phrase(code)
    return getattr(error, "strerror", None) or str(error)


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
