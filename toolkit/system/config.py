"""The toolkit's configuration folder: where the key and the erased-ids list live (``toolkit.system.secrets``).

    config_dir()                      # the folder for this computer and user

The system's own place for an application's settings, from platformdirs
(``user_config_dir("muskari", appauthor=False)``):

    Windows   %LOCALAPPDATA%\\muskari            C:\\Users\\<name>\\AppData\\Local\\muskari
    macOS     ~/Library/Application Support/muskari
    Linux     $XDG_CONFIG_HOME/muskari, else ~/.config/muskari

``XDG_CONFIG_HOME`` set to an absolute path wins on every system (the XDG rule ignores a relative one): the
tests, ``make demo`` and anyone who keeps configuration elsewhere on purpose use it to choose the folder.

Before this module the folder was ``~/.config/muskari`` on every system. On Windows and macOS a key found
there (and no key in the new folder) is moved into the new folder on first use, with the erased-ids list:
a new key would make every recorded erasure unreadable, so the old one must never be left behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "muskari"
# the files of the folder (toolkit.system.secrets writes them); moved together from the old folder
KEY_FILE = "avain"
ERASURES_FILE = "poistetut.jsonl"


def config_dir() -> Path:
    """The configuration folder for this system (not created here)."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP
    folder = system_config_dir()
    if sys.platform in ("win32", "darwin"):
        _move_legacy_folder(folder)
    return folder


def system_config_dir() -> Path:
    """platformdirs' answer for the system ``sys.platform`` names (read at each call, so a test can simulate
    Windows or macOS), ignoring ``XDG_CONFIG_HOME``."""
    if sys.platform == "win32":
        from platformdirs.windows import Windows as Dirs
    elif sys.platform == "darwin":
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.unix import Unix as Dirs
    # decided by config_dir (an absolute one wins, a relative one is ignored as the XDG rule says), so the
    # system's own answer is asked without it (platformdirs reads it on Linux, and newer ones on macOS too)
    xdg = os.environ.pop("XDG_CONFIG_HOME", None)
    try:
        return Path(Dirs(APP, appauthor=False).user_config_dir)
    finally:
        if xdg is not None:
            os.environ["XDG_CONFIG_HOME"] = xdg


def legacy_dir() -> Path:
    """Where every system kept the folder before: ``~/.config/muskari``."""
    return Path.home() / ".config" / APP


def _move_legacy_folder(folder: Path) -> None:
    """Move the key and the erased-ids list from ``~/.config/muskari`` into ``folder`` when only the old
    folder has a key (best effort: when the move fails, nothing is lost, and the next run tries again)."""
    old = legacy_dir()
    if old == folder or (folder / KEY_FILE).exists() or not (old / KEY_FILE).is_file():
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in (ERASURES_FILE, KEY_FILE):          # the key last: it is what marks the move as done
            if (old / name).is_file() and not (folder / name).exists():
                os.replace(old / name, folder / name)
    except OSError:
        return
