"""The command line: `muskari COMMAND ...` (also `python -m toolkit`).

Each command lives in ``toolkit/cli/commands/<name>.py`` with ``configure(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs (or its --help is asked),
so `muskari --help` starts fast. Every MuskariError becomes one line on stderr and exit code 3,
here and nowhere else. Before anything is printed, stdout and stderr are set never to fail on a letter
(``toolkit.cli.console``) and argparse speaks the line's language (``toolkit.cli.parser``).

``entry()`` is the installed ``muskari`` program (and ``python -m toolkit``): ``main()`` plus the last guard, a
bug keeps its traceback but never exits with 1, which means only "the register has errors".
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from toolkit.cli.console import configure_streams
from toolkit.cli.parser import language_of, speaking, spoken
from toolkit.model.commands import COMMANDS


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser in the language of the line (call it inside ``speaking``): help texts from the catalogue."""
    parser = argparse.ArgumentParser(prog="muskari", description=spoken("cli-description"),
                                     epilog=spoken("cli-exit-codes"))
    from toolkit import __version__

    parser.add_argument("--version", action="version", version=f"muskari {__version__}",
                        help=spoken("help-version"))
    sub = parser.add_subparsers(dest="command", metavar=spoken("metavar-command"))
    for name in COMMANDS:
        said = spoken(f"command-{name}")
        cmd = sub.add_parser(name, help=said, description=said)
        if name == command:
            _load(name).configure(cmd)
    return parser


def _load(command: str):
    return importlib.import_module(f"toolkit.cli.commands.{command.replace('-', '_')}")


def main(argv: list[str] | None = None) -> int:
    configure_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in COMMANDS:
        command = None
    with speaking(language_of(argv)):
        parser = build_parser(command)
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
    from toolkit.model.errors import MuskariError

    lang = getattr(args, "lang", None) or language_of(argv)
    from toolkit.system.progress import set_language

    set_language(lang)
    import gc

    # reading a register makes millions of small objects that live to the end; at the default threshold (700)
    # the cyclic collector walks them again and again (10 % of `check` at 10 000 students)
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    previous = _stop_on_sigterm()
    try:
        return int(_load(args.command).run(args) or 0)
    except MuskariError as error:
        print("muskari: " + error.message(lang), file=sys.stderr)
        return error.exit_code
    except Terminated:
        print("muskari: keskeytetty / interrupted", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("muskari: " + spoken("cli-interrupted"), file=sys.stderr)
        return 130
    finally:
        gc.set_threshold(*thresholds)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM (Task Scheduler ending a task, `kill`, a shutdown): stopped like Ctrl+C, so every clean-up runs
    (the register's lock is released, temporary files are removed; the register is the old one or the new one)."""


def _stop_on_sigterm():
    def stop(_signum, _frame):
        raise Terminated

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:              # not the main thread (an embedding program): leave its signals alone
        return None


def entry() -> int:
    """The `muskari` program: ``main()``, and a bug (any other exception) shown with its traceback and a
    Finnish sentence, exit code 3, never 1 (which says the register has errors)."""
    try:
        return main()
    except BrokenPipeError:          # the reader of a pipe (`| more`) stopped reading: the rest cannot be shown
        _silence_stdout()
        return 3
    except Exception:
        import traceback

        from toolkit.model.messages import say

        traceback.print_exc()
        print(say("cli-bug", language_of(sys.argv[1:])), file=sys.stderr)
        return 3


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(entry())
