"""The command line: `muskari COMMAND ...` (also `python -m toolkit`).

Each command lives in ``toolkit/cli/commands/<name>.py`` with ``configure(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs (or its --help is asked),
so `muskari --help` starts fast. Every MuskariError becomes one line on stderr and exit code 3,
here and nowhere else.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from toolkit.model.commands import COMMANDS


def _lang_from_argv(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return "fi"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muskari",
        description="Annan Muskarin oppilasrekisterin työkalut / the register toolkit of Annan Muskari.",
        epilog="Poistumiskoodit / exit codes: 0 valmis, 1 rekisterissä virheitä, 2 käyttövirhe, 3 ei voi jatkaa.",
    )
    from toolkit import __version__

    parser.add_argument("--version", action="version", version=f"muskari {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="KOMENTO")
    for name, (fi, _en) in COMMANDS.items():
        cmd = sub.add_parser(name, help=fi, description=fi)
        if name == command:
            _load(name).configure(cmd)
    return parser


def _load(command: str):
    return importlib.import_module(f"toolkit.cli.commands.{command.replace('-', '_')}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in COMMANDS:
        command = None
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from toolkit.model.errors import MuskariError

    lang = getattr(args, "lang", None) or _lang_from_argv(argv)
    from toolkit.system.progress import set_language

    set_language(lang)
    import gc

    # reading a register makes millions of small objects that live to the end; at the default threshold (700)
    # the cyclic collector walks them again and again (10 % of `check` at 10 000 students)
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return int(_load(args.command).run(args) or 0)
    except MuskariError as error:
        print(("muskari: " if lang == "en" else "muskari: ") + error.message(lang), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("muskari: keskeytetty / interrupted", file=sys.stderr)
        return 130
    finally:
        gc.set_threshold(*thresholds)


if __name__ == "__main__":
    raise SystemExit(main())
