"""Options shared by every command that reads a register: --as-of, --format, --lang."""

from __future__ import annotations

import argparse
from datetime import date


def parse_as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        from toolkit.cli.parser import current_language
        from toolkit.model.messages import say

        raise argparse.ArgumentTypeError(say("cli-bad-date", current_language(), value=text)) from None


def folded(text: str) -> str:
    """A choice as typed, compared as the register compares its choices: case and spaces around ignored."""
    return text.strip().casefold()


def add_common_options(parser: argparse.ArgumentParser, *, formats: tuple[str, ...] = ("table", "json", "csv")) -> None:
    """--as-of, --format and --lang, shared by every command that reads a register."""
    from toolkit.cli.parser import spoken

    parser.add_argument("--as-of", type=parse_as_of, default=None, metavar=spoken("metavar-date"),
                        help=spoken("help-as-of"))
    parser.add_argument("--format", type=folded, choices=formats, default=formats[0], help=spoken("help-format"))
    parser.add_argument("--lang", type=folded, choices=("fi", "en"), default="fi", help=spoken("help-lang"))


def today(args: argparse.Namespace) -> date:
    return getattr(args, "as_of", None) or date.today()
