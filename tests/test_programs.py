"""Programs the toolkit starts (LibreOffice) are stopped with everything they started when they outlive their time."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from toolkit.system.programs import run_bounded

GRANDPARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)   # holds no pipe of ours
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has ended; only the init process reaps it
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_a_program_that_outlives_its_time_is_stopped_with_the_processes_it_started(tmp_path):
    pid_file = tmp_path / "child.pid"
    with pytest.raises(subprocess.TimeoutExpired):
        run_bounded([sys.executable, "-c", GRANDPARENT, str(pid_file)], timeout=3)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_a_program_that_finishes_gives_its_output_and_exit_code():
    done = run_bounded([sys.executable, "-c", "import sys; print('valmis'); sys.exit(3)"], timeout=30)
    assert (done.returncode, done.stdout.strip()) == (3, "valmis")
