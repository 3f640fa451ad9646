"""Programs the toolkit runs (LibreOffice), found where they install on each system.

    find_soffice()          # Path of LibreOffice's soffice, or Refused saying where it looked and what to install

Order: the environment variable ``MUSKARI_SOFFICE`` (the program, or the folder LibreOffice is installed in),
then ``soffice``/``libreoffice`` on PATH, then the places the installers use:

    Windows   %ProgramFiles%\\LibreOffice\\program\\soffice.exe, and the same under Program Files (x86)
    macOS     /Applications/LibreOffice.app/Contents/MacOS/soffice, and ~/Applications/...
    Linux     /usr/bin, /usr/local/bin, /opt/libreoffice*/program, /snap/bin

Windows and macOS installers do not put LibreOffice on PATH, so without these places ``--pdf`` would say it
is not installed on exactly the computers the owner has. The system is read from ``sys.platform`` at each
call (a test simulates Windows or macOS by setting it and the environment).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from toolkit.model.errors import Refused

SOFFICE_VARIABLE = "MUSKARI_SOFFICE"
NAMES = ("soffice", "libreoffice")
# folders (the /Applications of macOS, the /opt of Linux) that a test replaces with folders in tmp_path
MAC_APPLICATIONS = [Path("/Applications")]
LINUX_PLACES = [Path("/usr/bin/soffice"), Path("/usr/local/bin/soffice"), Path("/snap/bin/libreoffice")]
LINUX_OPT = Path("/opt")


def system() -> str:
    """"windows", "macos" or "linux" (every other Unix) for the running system."""
    if sys.platform == "win32":
        return "windows"
    return "macos" if sys.platform == "darwin" else "linux"


def soffice_places() -> list[Path]:
    """Where the installers of this system put soffice, most usual first."""
    kind = system()
    if kind == "windows":
        roots = []
        for variable, default in (("ProgramFiles", r"C:\Program Files"), ("ProgramW6432", r"C:\Program Files"),
                                  ("ProgramFiles(x86)", r"C:\Program Files (x86)")):
            root = Path(os.environ.get(variable) or default)
            if root not in roots:
                roots.append(root)
        return [root / "LibreOffice" / "program" / "soffice.exe" for root in roots]
    if kind == "macos":
        apps = [*MAC_APPLICATIONS, Path.home() / "Applications"]
        return [folder / "LibreOffice.app" / "Contents" / "MacOS" / "soffice" for folder in apps]
    # /opt/libreoffice24.8 before /opt/libreoffice7.6: the newest version first
    return [*LINUX_PLACES, *sorted(LINUX_OPT.glob("libreoffice*/program/soffice"), key=_version, reverse=True)]


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.parent.name))


def _runnable(path: Path) -> bool:
    return path.is_file() and (system() == "windows" or os.access(path, os.X_OK))


def _inside(folder: Path) -> Path | None:
    """soffice inside a LibreOffice installation folder (Windows, macOS .app, or Linux /opt layout)."""
    for rel in ("program/soffice.exe", "program/soffice", "Contents/MacOS/soffice", "soffice.exe", "soffice"):
        if _runnable(folder / rel):
            return folder / rel
    return None


def find_soffice() -> Path:
    """LibreOffice's soffice; Refused (exit 3) naming every place looked at and what to install."""
    chosen = os.environ.get(SOFFICE_VARIABLE, "").strip().strip('"')
    if chosen:
        path = Path(chosen).expanduser()
        found = _inside(path) if path.is_dir() else (path if _runnable(path) else None)
        if found is None:
            raise Refused("soffice-variable-wrong", variable=SOFFICE_VARIABLE, path=path)
        return found
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    places = soffice_places()
    for place in places:
        if _runnable(place):
            return place
    tried = "; ".join(str(p) for p in places)
    raise Refused("soffice-missing", tried=tried, variable=SOFFICE_VARIABLE,
                  install=_install_phrase())


def _install_phrase():
    from toolkit.model.messages import Phrase

    return Phrase(f"install-libreoffice-{system()}")


def run_bounded(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run a program, and when it outlives ``timeout`` stop it together with every process it started (LibreOffice's
    ``soffice`` starts ``soffice.bin``, which a plain kill would leave running): ``subprocess.TimeoutExpired``."""
    posix = os.name == "posix"
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=posix,
                            creationflags=0 if posix else subprocess.CREATE_NEW_PROCESS_GROUP)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)
