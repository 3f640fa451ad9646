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


def add_common_options(parser: argparse.ArgumentParser, *, formats: tuple[str, ...] = ("table", "json", "csv")) -> None:
    """--as-of, --format and --lang, shared by every command that reads a register."""
    parser.add_argument("--as-of", type=parse_as_of, default=None, metavar="VVVV-KK-PP",
                        help="päivä, jolle lasketaan (oletus tänään) / the day to compute for (default today)")
    parser.add_argument("--format", choices=formats, default=formats[0], help="tulosteen muoto / output format")
    parser.add_argument("--lang", choices=("fi", "en"), default="fi", help="kieli / language")


def today(args: argparse.Namespace) -> date:
    return getattr(args, "as_of", None) or date.today()
