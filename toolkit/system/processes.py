"""Processes on this computer, asked the way each system allows: is one still running, and since when.

    process_state(pid)    -> (alive, started as a Unix time or None)
    this_host()           -> a short hash of this computer's name (a name like "Annan-MacBook" is personal)

``toolkit.xlsx.lock`` tells a dead writer's lock from a live one with them.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
from pathlib import Path


def this_host() -> str:
    """This computer, as the lock names it: a short hash of its name (a name like "Annan-MacBook" is personal)."""
    return hashlib.sha256(platform.node().encode("utf-8", "replace")).hexdigest()[:16]


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this computer (a zombie, killed but not yet collected, does not)."""
    return process_state(pid)[0]


def process_state(pid: int) -> tuple[bool, float | None]:
    """(whether process ``pid`` runs on this computer, when it started as a Unix time or None if unknown).
    On Windows it is asked (os.kill there would end the process instead)."""
    if pid <= 0:
        return False, None
    if sys.platform == "win32":
        return _windows_process_state(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False, None
    except PermissionError:
        pass
    except OSError:
        return False, None
    return _linux_process_state(pid)


def _linux_process_state(pid: int) -> tuple[bool, float | None]:
    """From /proc: a zombie is not alive; the start time is boot time + the process's start in clock ticks.
    Elsewhere (macOS) the process is alive and its start unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return fields[0] != "Z", boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return True, None


def _windows_process_state(pid: int) -> tuple[bool, float | None]:
    """OpenProcess, its exit code and its creation time (GetProcessTimes, 100 ns since 1601)."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.windll.kernel32          # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p      # a handle is pointer-sized
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.GetExitCodeProcess.argtypes = (ctypes.c_void_p, ctypes.POINTER(wintypes.DWORD))
    kernel32.GetProcessTimes.argtypes = (ctypes.c_void_p, *(ctypes.POINTER(wintypes.FILETIME),) * 4)
    kernel32.CloseHandle.argtypes = (ctypes.c_void_p,)
    handle = kernel32.OpenProcess(0x1000, False, pid)   # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5, None       # access denied: it exists
    try:
        code = wintypes.DWORD()
        if kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:   # not STILL_ACTIVE
            return False, None
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return True, None
        ticks = (times[0].dwHighDateTime << 32) | times[0].dwLowDateTime
        return True, ticks / 1e7 - 11_644_473_600
    finally:
        kernel32.CloseHandle(handle)
