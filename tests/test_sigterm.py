"""SIGTERM (Task Scheduler ending a task, `kill`, a shutdown) stops a command like Ctrl+C: the register's lock is
released and no temporary copy of the register is left, and the register is the old one or the new one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from children import run

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is POSIX")
def test_sigterm_during_a_semester_run_releases_the_lock_and_leaves_no_temporary_copy(tmp_path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    run([sys.executable, "-m", "toolkit", "demo", tmp_path / "koulu", "--as-of", AS_OF], timeout=120, check=True,
        env=env)
    register = tmp_path / "koulu" / "rekisteri.xlsx"
    lock = register.parent / f".{register.name}.muskari-lock"
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "semester", str(register), "--out",
                              str(tmp_path / "koulu" / "lukukausi"), "--forms",
                              str(tmp_path / "koulu" / "ilmoittautumiset.csv"), "--apply", "--as-of", AS_OF],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not lock.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lock.exists(), "the semester run never took the register's lock"
        child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 143 and "keskeytetty" in err and "Traceback" not in err
    assert not lock.exists()
    assert not [p.name for p in register.parent.iterdir() if p.name.endswith(".muskari-tmp")]
    openpyxl.load_workbook(register).close()          # the old register or the new one, never a broken one
