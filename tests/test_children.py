"""The bound on every child process a test waits for (tests/children.py): a hang fails with the command
named, and nothing it started is left running."""

from __future__ import annotations

import os
import sys
import time

import pytest
from children import run, wait_for


def _gone(pid: int, within: float = 10.0) -> bool:
    """The process has exited (a zombie waiting for init to reap it counts as gone)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_child_that_hangs_is_killed_with_what_it_started_and_the_test_fails_naming_it(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    script = f"sleep 300 & echo $! > {pid_file}; wait"      # like soffice: a script that starts the real program
    with pytest.raises(AssertionError, match=r"sh -c .*sleep 300.* did not finish in 0.5 s and was killed"):
        run(["sh", "-c", script], timeout=0.5)
    assert _gone(int(pid_file.read_text()))


def test_a_child_that_finishes_gives_its_output_and_exit_code():
    done = run([sys.executable, "-c", "import sys; print('ok'); sys.exit(3)"], timeout=60)
    assert (done.returncode, done.stdout) == (3, "ok\n")
    with pytest.raises(Exception, match="exit status 3"):
        run([sys.executable, "-c", "raise SystemExit(3)"], timeout=60, check=True)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_a_forked_child_that_hangs_is_killed_and_reaped():
    pid = os.fork()
    if pid == 0:
        try:
            time.sleep(300)
        finally:
            os._exit(0)
    with pytest.raises(AssertionError, match=f"child process {pid} did not finish in 0.2 s and was killed"):
        wait_for(pid, timeout=0.2)
    with pytest.raises(ChildProcessError):        # already reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_a_forked_child_that_exits_gives_its_status():
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    assert os.waitstatus_to_exitcode(wait_for(pid, timeout=60)) == 7
