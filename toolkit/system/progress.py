"""Progress bars on stderr for jobs that take more than a couple of seconds.

One helper for every command: ``with task("progress-...", total, big=...) as bar: ... bar.advance(n)``
(the bar's label is a code of the message catalogue).
Nothing is shown, and rich is not even imported, when stderr is not a terminal (pipes, cron, tests) or
the job is small (``big=False``): a bar that flashes for half a second is noise. The CLI sets the
language once (``set_language``); results on stdout are never touched.

Reading and checking a register is one bar (``register_task``): big means a file of more than
``BIG_REGISTER_BYTES``, about 3 000 students, where reading and checking take a couple of seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from toolkit.model.messages import say

BIG_REGISTER_BYTES = 2_000_000
BIG_ROWS = 20_000          # students (or rows) from which a job after the check takes a couple of seconds
BIG_BATCH = 50             # files written one by one (about 25 ms each)
_lang = "fi"


def set_language(lang: str) -> None:
    global _lang
    _lang = "en" if lang == "en" else "fi"


def shown(big: bool = True) -> bool:
    """Whether a bar would be drawn: a big job and a person watching stderr."""
    stream = sys.stderr
    return bool(big) and stream is not None and hasattr(stream, "isatty") and stream.isatty()


class Task:
    """A bar of ``total`` units; ``advance`` is a no-op when nothing is shown."""

    def __init__(self, label: str, total: float, *, big: bool = True, refresh_thread: bool = True):
        self.description = say(label, _lang)
        self.total, self.show, self.refresh_thread = total, shown(big), refresh_thread
        self._bar = None

    def __enter__(self) -> Task:
        if self.show:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            # a refresh thread keeps the clock moving while a long C call (calamine) runs; jobs that fork
            # worker processes pass refresh_thread=False and are redrawn as they advance
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True, auto_refresh=self.refresh_thread)
            self._bar.start()
            self._id = self._bar.add_task(self.description, total=self.total)
        return self

    def advance(self, n: float = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._id, n)
            if not self.refresh_thread:
                self._bar.refresh()

    def __exit__(self, *exc) -> bool:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        return False


def task(label: str, total: float, *, big: bool = True, refresh_thread: bool = True) -> Task:
    """A bar labelled with the catalogue's ``label`` in the command's language."""
    return Task(label, total, big=big, refresh_thread=refresh_thread)


def is_big_file(path: str | Path) -> bool:
    try:
        return os.stat(path).st_size > BIG_REGISTER_BYTES
    except OSError:
        return False


def big_rows(count: int) -> bool:
    return count > BIG_ROWS


def big_batch(count: int) -> bool:
    return count > BIG_BATCH


def register_task(path: str | Path) -> Task:
    """The bar for reading and checking a register (100 units: see toolkit.xlsx.reading and toolkit.rules.validation)."""
    return task("progress-register", 100, big=is_big_file(path))
