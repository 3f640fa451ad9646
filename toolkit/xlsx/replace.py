"""Putting the new register in place of the old one, on every system, and saying why it failed.

    replace_register(temp, register)       # os.replace, retried briefly while another program holds the file
    save_problem(action, path, error)      # the FileProblem for an OSError of the safe write, with the right hint

On Windows a file that another program holds cannot be replaced: Excel (also the Explorer preview pane, which
opens the file to show it), OneDrive while it syncs the file, or an antivirus scan. ``os.replace`` then fails
with a sharing violation (winerror 32 or 33) or access denied (5), usually for a moment only: the replace is
tried again for about ``sum(RETRY_PAUSES)`` seconds before the owner is told, in Finnish, which program probably
holds the file (OneDrive first when the register is in a OneDrive folder) and what to do. Elsewhere a
permission error is about the file's rights and is not retried; a full disk says so.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path

from toolkit.model.errors import FileProblem, os_reason

RETRY_PAUSES = (0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.2)     # about four seconds in all
_HELD = {5, 32, 33}          # ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def held_by_another_program(error: OSError) -> bool:
    """Whether ``error`` is Windows saying another program has the file open."""
    winerror = getattr(error, "winerror", None)
    if winerror is not None:
        return winerror in _HELD
    return sys.platform == "win32" and isinstance(error, PermissionError)


def replace_register(source: Path, target: Path) -> None:
    """``os.replace(source, target)``, retried while another program holds ``target``; FileProblem when it fails."""
    new = not os.path.lexists(target)         # a restore to a new place: there is no original to keep
    for pause in (*RETRY_PAUSES, None):
        try:
            os.replace(source, target)
            return
        except OSError as error:
            if pause is None or not held_by_another_program(error):
                raise save_problem("save-step-replace", target, error, new=new) from None
        time.sleep(pause)


def save_problem(step: str, path: Path, error: OSError, *, new: bool = False) -> FileProblem:
    """Why the register could not be saved, with the hint that fits the error (never disk space for a lock);
    ``step`` is the save-step-* phrase naming what failed (writing the temporary file, replacing the register)."""
    name, reason = Path(path).name, os_reason(error)
    if held_by_another_program(error):
        programs = "held-onedrive" if "onedrive" in str(path).casefold() else "held-excel"
        return FileProblem("register-held", name=name, reason=reason, programs=_phrase(programs))
    code = "register-not-created" if new else "register-not-saved"
    return FileProblem(code, step=_phrase(step), path=path, reason=reason, hint=save_hint(error))


def save_hint(error: OSError):
    """What to do about a failed write, said in the sentence's language: free space, remove the write
    protection, check the rights, or (anything else) check both."""
    if error.errno in _FULL:
        return _phrase("save-hint-space")
    if error.errno == errno.EROFS:
        return _phrase("save-hint-read-only")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _phrase("save-hint-rights")
    return _phrase("save-hint-other")


def _phrase(code: str):
    from toolkit.model.messages import Phrase

    return Phrase(code)
