"""Fault injection: the writer killed with SIGKILL at random moments (the register is always the old
or the new version, and it opens); see tests/test_writing.py for injected OSErrors.

The writer runs in a forked child process (so the kill lands in the write, not in Python's start-up)
and is killed after a random delay between 0 and 1.3 times a measured write.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from children import run, wait_for
from factories import class_of
from files import leftovers
from registers import build_register

from toolkit.xlsx.fingerprint import fingerprint
from toolkit.xlsx.leftovers import remove_leftovers
from toolkit.xlsx.lock import lock_path, register_lock
from toolkit.xlsx.package import Package
from toolkit.xlsx.safe_write import RegisterChange, write_changes
from toolkit.xlsx.verify import read_values

TRIALS = 24
NOW = datetime(2026, 11, 25, 14, 30, 12)

def the_change() -> RegisterChange:
    change = RegisterChange().delete_rows("Opinnot", range(2, 200, 3))
    for row in range(2, 300, 2):
        change.update("Oppilaat", row, "Sähköposti", f"uusi{row}@example.fi")
    for i in range(50):
        change.append("Todistukset", {"Todistusnumero": f"2026-{i:03d}", "Oppilasnumero": f"{i:04d}",
                                      "Todistus": "muskaritodistus", "Päivämäärä": NOW.date()})
    return change.log("testi", "vikasietoisuuskoe")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL (POSIX)")
def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path):
    template = build_register(tmp_path / "malli.xlsx", class_of(600))
    old = template.read_bytes()
    reference = tmp_path / "viite" / "rekisteri.xlsx"
    reference.parent.mkdir()
    shutil.copyfile(template, reference)
    started = time.perf_counter()
    write_changes(reference, the_change(), expected=fingerprint(reference), now=NOW)
    duration = time.perf_counter() - started
    new = reference.read_bytes()
    assert new != old

    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0}
    deadline = time.monotonic() + 120
    for trial in range(TRIALS):
        assert time.monotonic() < deadline, "fault injection took too long"
        folder = tmp_path / f"koe{trial}"
        folder.mkdir()
        path = folder / "rekisteri.xlsx"
        shutil.copyfile(template, path)
        pid = _writer_process(path)
        if trial == 0:
            pass                                  # killed at once: must be the old version
        elif trial == TRIALS - 1:
            wait_for(pid, timeout=60 + 20 * duration)     # left to finish: must be the new version
        else:
            time.sleep(rng.uniform(0, duration * 1.3))
        if trial != TRIALS - 1:
            os.kill(pid, signal.SIGKILL)
            wait_for(pid, timeout=30)
        data = path.read_bytes()
        assert data in (old, new), f"trial {trial}: the register is neither the old nor the new version"
        outcomes["old" if data == old else "new"] += 1
        Package.from_bytes(data)                 # it opens as a workbook...
        assert read_values(data)["Oppilaat"]     # ...and its cells read
        for backup in (folder / "varmuuskopiot").glob("*.xlsx"):
            assert backup.read_bytes() == old    # a backup that has its name is complete
        with register_lock(path, wait=0):        # what the next command does first (a process started now)
            remove_leftovers(path, started=time.time())
        assert leftovers(folder) == [] and not lock_path(path).exists()
        assert not (folder / "varmuuskopiot").exists() or leftovers(folder / "varmuuskopiot") == []
    # the first trial is killed at once and the last one finishes, whatever the machine's load
    assert outcomes["old"] and outcomes["new"], outcomes


def _writer_process(path: Path) -> int:
    """A forked process (everything already imported) that writes the change; returns its pid."""
    expected = fingerprint(path)
    pid = os.fork()
    if pid == 0:  # the child: write, then leave without running the parent's cleanup
        try:
            write_changes(path, the_change(), expected=expected, now=NOW)
        finally:
            os._exit(0)
    return pid


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL (POSIX)")
def test_a_writer_killed_mid_write_leaves_no_temp_once_any_command_runs(tmp_path, monkeypatch):
    """Killed while its temporary copy of the whole register exists (held there by a slow verification):
    the next command, even a `muskari check`, removes the copy and the dead writer's lock at once."""
    from toolkit.xlsx import verify as verifying

    path = build_register(tmp_path / "rekisteri.xlsx", class_of(600))
    old = path.read_bytes()
    monkeypatch.setattr(verifying, "verify", lambda *args: time.sleep(120))   # the forked writer inherits it
    pid = _writer_process(path)
    deadline = time.monotonic() + 60
    while not leftovers(tmp_path):
        assert time.monotonic() < deadline, "the writer never made its temporary file"
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    wait_for(pid, timeout=30)
    assert lock_path(path).exists() and leftovers(tmp_path)
    done = run([sys.executable, "-m", "toolkit", "check", str(path)], timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert leftovers(tmp_path) == [] and not lock_path(path).exists()
    assert path.read_bytes() == old
