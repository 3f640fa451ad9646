"""Opening what the owner names as input (a register, a forms export): only regular files, never waiting.

    info = regular_file(path)          # os.stat_result, or FileProblem: missing, a folder, a FIFO, a device...
    with open_regular(path) as handle: # opened without blocking, checked again on the open file

A named pipe (FIFO) opened for reading waits forever for a writer, a device such as /dev/zero never ends:
neither is a file a person saved, so both are refused at once, naming what they are.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from toolkit.model.errors import FileProblem, os_reason
from toolkit.model.messages import Phrase

_KINDS = ((stat.S_ISDIR, "kind-folder"), (stat.S_ISFIFO, "kind-fifo"), (stat.S_ISCHR, "kind-device"),
          (stat.S_ISBLK, "kind-device"), (stat.S_ISSOCK, "kind-socket"))


def regular_file(path: str | os.PathLike) -> os.stat_result:
    """The file's stat when it is a regular file (a link to one is fine); FileProblem otherwise."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileProblem("file-missing", path=path) from None
    except (OSError, ValueError) as error:
        raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    _require_regular(path, info)
    return info


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading without ever blocking (O_NONBLOCK), checked again once open."""
    path = Path(path)
    regular_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise FileProblem("file-unreadable", path=path, reason=os_reason(error)) from None
    try:
        _require_regular(path, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _require_regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = next((code for test, code in _KINDS if test(info.st_mode)), "kind-special")
    raise FileProblem("not-a-regular-file", path=path, kind=Phrase(kind))
