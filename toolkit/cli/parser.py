"""argparse speaking the owner's language: its own messages (usage, errors, help headings) in Finnish.

    with speaking(language_of(argv)):
        parser = build(...); args = parser.parse_args(argv)

argparse says everything through two module-level functions, ``argparse._`` (gettext) and
``argparse.ngettext``, looked up when a message is made. Inside ``speaking("fi")`` they answer from the
message catalogue: the entries whose code starts with ``argparse-`` hold argparse's own English text (the
gettext message id) as ``en`` and its Finnish as ``fi``; outside it (and for ``--lang en``) argparse is
untouched. Messages only a programmer can meet (a parser built wrongly) stay English.

"The following arguments are required" becomes a Finnish sentence that names what is missing:
"vaaditaan valitsin --out", "vaaditaan argumentti REKISTERI ja valitsin --to".
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Sequence
from functools import cache

from toolkit.model.messages import catalogue, say

PREFIX = "argparse-"
REQUIRED = "the following arguments are required: %s"
_language = "fi"


def language_of(argv: Sequence[str]) -> str:
    """The language asked with ``--lang en`` / ``--lang=en`` anywhere on the line; Finnish otherwise."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1].strip().casefold() == "en" else "fi"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].strip().casefold() == "en" else "fi"
    return "fi"


def current_language() -> str:
    """The language of the line being parsed (for option types that explain a bad value)."""
    return _language


def spoken(code: str, /, **words) -> str:
    """The catalogue's ``code`` in the language of the line being parsed: help texts and metavars."""
    return say(code, _language, **words)


@cache
def finnish() -> dict[str, str]:
    """argparse's English message ids -> Finnish, from the catalogue."""
    return {entry.en: entry.fi for code, entry in catalogue().items() if code.startswith(PREFIX)}


class _Required(str):
    """The Finnish "required" message: ``% names`` makes the sentence (options and arguments told apart)."""

    def __mod__(self, names: object) -> str:
        return required_sentence(str(names).split(", "))


def required_sentence(names: list[str], lang: str = "fi") -> str:
    options = [n for n in names if n.startswith("-")]
    arguments = [n for n in names if not n.startswith("-")]
    parts = []
    if arguments:
        parts.append(say("cli-required-arguments" if len(arguments) > 1 else "cli-required-argument", lang,
                         names=", ".join(arguments)))
    if options:
        parts.append(say("cli-required-options" if len(options) > 1 else "cli-required-option", lang,
                         names=", ".join(options)))
    return say("cli-required", lang, what=say("list-and", lang).join(parts))


def _gettext(message: str) -> str:
    if message == REQUIRED:
        return _Required(message)
    return finnish().get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """argparse's messages in ``lang`` ("fi" or "en") for the duration of the block."""
    global _language
    saved = argparse._, argparse.ngettext, _language
    _language = "en" if lang == "en" else "fi"
    if _language == "fi":
        argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext, _language = saved
