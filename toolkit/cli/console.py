"""stdout and stderr that never crash on a letter, set once when the command line starts.

- Not a terminal (a redirect ``> raportti.txt`` on Windows, a pipe, Task Scheduler, cron): UTF-8, whatever
  the system's own code page is (Windows would write cp1252 and fail on any name outside it: "Ŝ", "ő").
- A terminal: its own encoding, with a replacement character ("?") for a letter it cannot show, never a
  ``UnicodeEncodeError``. Windows' console takes every letter (Python writes it as UTF-16); an old code-page
  console or a terminal set to ASCII shows "?" for what it lacks.

Exit codes therefore never depend on the console: 1 still means only "the register has errors".
"""

from __future__ import annotations

import io
import sys


def configure_streams() -> None:
    """Reconfigure ``sys.stdout`` and ``sys.stderr`` (text streams over a file or console only)."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            terminal = stream.isatty()
        except (OSError, ValueError):
            terminal = False
        try:
            if terminal:
                stream.reconfigure(errors="replace")
            else:
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError):      # a stream that cannot change (already read from, closed): keep it
            continue
