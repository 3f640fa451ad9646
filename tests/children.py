"""Child processes a test waits for: every wait has a bound; a child that overruns it is killed (with
everything it started) and the test fails naming the command, instead of stalling the run.

    done = run(["pdftotext", str(pdf), "-"], timeout=60, check=True)      # subprocess.run's answer
    status = wait_for(pid, timeout=60)                                    # a forked child's exit status
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence


def run(args: Sequence[str], *, timeout: float, check: bool = False, text: bool = True,
        **popen) -> subprocess.CompletedProcess:
    """Like ``subprocess.run(args, capture_output=True, timeout=...)``, but the child runs in its own
    session and on timeout the whole group is killed (soffice is a script that starts soffice.bin:
    killing only the script would leave LibreOffice running and the pipes open)."""
    args = [str(a) for a in args]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=text,
                               start_new_session=True, **popen)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.communicate()
        raise AssertionError(f"{_shown(args)} did not finish in {timeout:g} s and was killed") from None
    except BaseException:                     # KeyboardInterrupt, pytest-timeout: leave nothing running
        _kill_group(process.pid)
        process.communicate()
        raise
    done = subprocess.CompletedProcess(args, process.returncode, out, err)
    if check:
        done.check_returncode()
    return done


def wait_for(pid: int, *, timeout: float) -> int:
    """``os.waitpid(pid, 0)`` with a bound: the exit status, or SIGKILL and a failure after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)                # SIGKILL cannot be ignored: this returns at once
            raise AssertionError(f"child process {pid} did not finish in {timeout:g} s and was killed")
        time.sleep(0.005)


def _shown(args: list[str]) -> str:
    command = " ".join(args)
    return command if len(command) <= 300 else command[:300] + " ..."


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
