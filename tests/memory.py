"""Peak memory of a real child process: a memory bound, never a timing.

    code, out, err, peak_mb = peak_rss([sys.executable, "-m", "toolkit", "check", str(path)])

A small wrapper process runs the command and reports ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of it: the
wrapper's only child is the command, so what other tests ran in this process never counts.
"""

from __future__ import annotations

import json
import sys

from children import run

_WRAPPER = """
import json, resource, subprocess, sys
done = subprocess.run(json.loads(sys.argv[1]), capture_output=True, timeout=float(sys.argv[2]))
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.write(json.dumps([done.returncode, done.stdout.decode("utf-8", "replace"),
                             done.stderr.decode("utf-8", "replace"), peak]))
"""


def peak_rss(argv: list[str], *, timeout: float = 600, env: dict | None = None) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, peak resident memory in MB) of ``argv`` run to its end."""
    wrapper = run([sys.executable, "-c", _WRAPPER, json.dumps(argv), str(timeout)], timeout=timeout + 60, env=env)
    assert wrapper.returncode == 0, wrapper.stderr
    code, out, err, peak_kb = json.loads(wrapper.stdout)
    return code, out, err, peak_kb / 1024
