"""An earlier version of the register (a copy in ``varmuuskopiot/``) changed the way the register is changed.

    temp = rewrite_copy(copy_path, change, now)      # the changed copy in a temporary file beside it, verified
    os.replace(temp, copy_path)                      # the caller puts it in place when everything else is ready

An erasure reaches every earlier version: each is edited by the same byte-level writer as the register
(``toolkit.xlsx.apply``: only the changed parts rewritten, every other part copied byte for byte) and
verified the same way (``toolkit.xlsx.verify``: every cell of every sheet is the old value after the deletions
or the intended new one, every part not meant to change is byte-identical), so each stays a valid copy of
everyone else. The temporary file (``.<stem>.<random>.muskari-tmp``, mode 0600, the name the safe writer's
clean-up knows) is removed on any error.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from toolkit.model.errors import FileProblem
from toolkit.system.private_files import fill_private
from toolkit.xlsx import verify as verifying
from toolkit.xlsx.apply import apply_change
from toolkit.xlsx.leftovers import TEMP_SUFFIX
from toolkit.xlsx.package import Package


def rewrite_copy(path: Path, change, now: datetime, original: bytes | None = None) -> Path:
    """``change`` applied to the copy at ``path`` (or to ``original``, its bytes), written to a verified temporary
    file in ``path``'s folder; the temporary file's path. Raises the writer's MuskariErrors (a change that would
    lose content, a verification that failed) and ``FileProblem``."""
    path = Path(path)
    try:
        original = path.read_bytes() if original is None else original
    except OSError as error:
        raise FileProblem("version-unreadable", path=str(path), reason=error.strerror or str(error)) from None
    package = Package.from_bytes(original, name=path.name)
    applied = apply_change(package, change, now)
    data = package.to_bytes()
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise FileProblem("version-unwritable", path=str(path), reason=error.strerror or str(error)) from None
    temp = Path(name)
    try:
        fill_private(handle, data)
        os.chmod(temp, 0o600)
        verifying.verify(original, temp, applied)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise FileProblem("version-unwritable", path=str(path), reason=error.strerror or str(error)) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp
