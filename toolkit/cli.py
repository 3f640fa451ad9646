"""The command line: `muskari COMMAND ...` (also `python -m toolkit`).

Each command lives in ``toolkit/commands/<name>.py`` with ``configure(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs (or its --help is asked),
so `muskari --help` starts fast. Every MuskariError becomes one line on stderr and exit code 3,
here and nowhere else.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from datetime import date

# name -> (module, Finnish help, English help). The contract's commands; add, never rename.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("init", "luo tyhjän rekisterin kaikkine välilehtineen", "create an empty register"),
    "demo": ("demo", "kirjoittaa synteettisen esimerkkirekisterin ja -lomakkeen", "write a synthetic demo register"),
    "check": ("check", "tarkistaa rekisterin ja kertoo virheelliset solut", "validate the register"),
    "eligibility": ("eligibility", "näyttää oppilaiden todistustilanteen", "certificate status of every student"),
    "certificates": ("certificates", "kirjoittaa erääntyneet todistukset", "issue the certificates that are due"),
    "purge": ("purge", "säilytysajat ja poistopyynnöt", "what retention and deletion requests require"),
    "import-forms": ("import_forms", "tuo ilmoittautumislomakkeet rekisteriin", "import registration forms"),
    "teacher-lists": ("teacher_lists", "oppilaslista jokaiselle opettajalle", "one workbook per teacher"),
    "emails": ("emails", "piilokopio-osoitelista (BCC)", "a BCC address list"),
    "access-request": ("access_request", "kaikki yhdestä henkilöstä (tarkastuspyyntö)", "everything held on one person"),
    "backup": ("backup", "salattu varmuuskopio", "an encrypted copy"),
    "restore": ("restore", "palauttaa varmuuskopion ja toistaa poistot", "restore a backup and replay erasures"),
    "semester": ("semester", "koko lukukausiajo yhteenvetoineen", "the whole semester run"),
}


def _lang_from_argv(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return "fi"


def parse_as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"päivä muodossa VVVV-KK-PP / a date as YYYY-MM-DD: {text!r}") from None


def add_common_options(parser: argparse.ArgumentParser, *, formats: tuple[str, ...] = ("table", "json", "csv")) -> None:
    """--as-of, --format and --lang, shared by every command that reads a register."""
    parser.add_argument("--as-of", type=parse_as_of, default=None, metavar="VVVV-KK-PP",
                        help="päivä, jolle lasketaan (oletus tänään) / the day to compute for (default today)")
    parser.add_argument("--format", choices=formats, default=formats[0], help="tulosteen muoto / output format")
    parser.add_argument("--lang", choices=("fi", "en"), default="fi", help="kieli / language")


def today(args: argparse.Namespace) -> date:
    return getattr(args, "as_of", None) or date.today()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="muskari",
        description="Annan Muskarin oppilasrekisterin työkalut / the register toolkit of Annan Muskari.",
        epilog="Poistumiskoodit / exit codes: 0 valmis, 1 rekisterissä virheitä, 2 käyttövirhe, 3 ei voi jatkaa.",
    )
    from toolkit import __version__

    parser.add_argument("--version", action="version", version=f"muskari {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="KOMENTO")
    for name, (module, fi, _en) in COMMANDS.items():
        cmd = sub.add_parser(name, help=fi, description=fi)
        if name == command:
            _load(module).configure(cmd)
    return parser


def _load(module: str):
    return importlib.import_module(f"toolkit.commands.{module}")


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
    from toolkit.errors import MuskariError

    lang = getattr(args, "lang", None) or _lang_from_argv(argv)
    from toolkit.progress import set_language

    set_language(lang)
    import gc

    # reading a register makes millions of small objects that live to the end; at the default threshold (700)
    # the cyclic collector walks them again and again (10 % of `check` at 10 000 students)
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        return int(_load(COMMANDS[args.command][0]).run(args) or 0)
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
