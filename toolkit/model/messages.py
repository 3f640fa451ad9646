"""The one message catalogue: every sentence for a person, keyed by a stable code, Finnish and English side
by side in ``messages.toml`` beside this module (codes as data, as frictionless keeps its errors).

    say("missing-value", "fi", column="Etunimi")     -> "Sarake Etunimi on pakollinen, ..."
    say_count("forms-title", "fi", 1, file="x.csv") -> "... 1 vastaus" (the -one form), 2 -> "... 2 vastausta"
    severity_of("health-data")                       -> "warning"
    Phrase("expect-int")                             # a word said in the sentence's own language
    Said(error.message)                              # words that come from elsewhere, said in that language too

Findings carry a severity; every other entry is a sentence or a word. A sentence that counts something has
two entries, CODE-one (said for exactly 1: "1 todistus", "1 certificate") and CODE-many ("{count}
todistusta"), chosen by ``say_count``. A placeholder the caller does not give is left empty: a message never
fails. tests/test_messages.py checks that every code the toolkit says exists in both languages and that
every entry is said somewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

LANGS = ("fi", "en")


@dataclass(frozen=True)
class Entry:
    fi: str
    en: str
    severity: str | None = None     # "error" or "warning" for findings, None for other sentences

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.fi


class Phrase(str):
    """A catalogue code used as a word inside another sentence: said in that sentence's language, with that
    sentence's words and any words of its own (``Phrase("purge-n-days-many", count=30)``)."""

    words: dict

    def __new__(cls, code: str, /, **words) -> Phrase:
        phrase = super().__new__(cls, code)
        phrase.words = words
        return phrase


class Said:
    """Words made elsewhere in both languages (another error's message, a list of findings): said in the
    sentence's language, ``Said(error.message)`` or ``Said(lambda lang: ...)``."""

    __slots__ = ("in_language",)

    def __init__(self, in_language: Callable[[str], str]):
        self.in_language = in_language

    def __str__(self) -> str:
        return self.in_language("fi")


@cache
def catalogue() -> dict[str, Entry]:
    text = files("toolkit.model").joinpath("messages.toml").read_text(encoding="utf-8")
    data = _read_plain(text)
    if data is None:        # anything beyond the plain shape: the full TOML reader
        import tomllib

        data = tomllib.loads(text)
    return {code: Entry(fi=item["fi"], en=item["en"], severity=item.get("severity")) for code, item in data.items()}


_TABLE = re.compile(r"\[[a-z0-9_-]+\]")
_PAIR = re.compile(r'(?:fi|en|severity) = "(?:[^"\\\x00-\x1f\x7f]|\\(?:["\\bfnrt]|u[0-9A-Fa-f]{4}))*"')


def _read_plain(text: str) -> dict | None:
    """The catalogue as TOML in its plain shape (``[code]`` tables of ``key = "text"`` lines, comments, blank
    lines), read several times faster than tomllib so that ``muskari --help`` starts at once: its strings are
    JSON strings, decoded in one call. None for any other line, which tomllib then reads
    (tests/test_catalogue.py checks that both readers agree)."""
    tables: list[tuple[str, list[str]]] = []
    values: list[str] = []
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        if line[0] == "[" and _TABLE.fullmatch(line):
            tables.append((line[1:-1], []))
        elif tables and _PAIR.fullmatch(line):
            key, _, value = line.partition(" = ")
            tables[-1][1].append(key)
            values.append(value)
        else:
            return None
    decoded = iter(json.loads("[" + ",".join(values) + "]"))
    data = {}
    for code, names in tables:
        if code in data or len(set(names)) != len(names):
            return None
        data[code] = {name: next(decoded) for name in names}
    return data


def severity_of(code: str) -> str:
    severity = catalogue()[code].severity
    if severity is None:
        raise KeyError(f"{code} is not a finding code")
    return severity


class _Words(dict):
    def __init__(self, lang: str, words: dict):
        super().__init__(words)
        self.lang = lang

    def __missing__(self, key):   # a message never fails for a missing word
        return ""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if isinstance(value, Phrase):   # a phrase may use the sentence's words
            return say(value, self.lang, **{**self, **value.words})
        if isinstance(value, Said):
            return value.in_language(self.lang)
        return value


def say(code: str, lang: str = "fi", /, **words) -> str:
    """The sentence ``code`` in ``lang`` with its placeholders filled (a ``Phrase`` brings its own words)."""
    if isinstance(code, Phrase) and code.words:
        words = {**code.words, **words}
    return catalogue()[code].text(lang).format_map(_Words(lang, words))


def count_code(code: str, count: int) -> str:
    """CODE-one for exactly 1, CODE-many otherwise (0 too: "0 todistusta", "0 certificates")."""
    return f"{code}-one" if count == 1 else f"{code}-many"


def say_count(code: str, lang: str, count: int, /, **words) -> str:
    """The counted sentence ``code`` for ``count`` (given to it as {count}): singular after 1."""
    return say(count_code(code, count), lang, count=count, **words)


def counted(code: str, count: int, /, **words) -> Phrase:
    """The counted phrase ``code`` for ``count`` as a word inside another sentence."""
    return Phrase(count_code(code, count), count=count, **words)


def say_each(codes, lang: str = "fi") -> tuple[str, ...]:
    """Several words at once, as a table's headings: ``say_each(("heading-sheet", "heading-cell"), lang)``."""
    return tuple(say(code, lang) for code in codes)


def join_and(items, lang: str = "fi") -> str:
    """"a, b ja c" / "a, b and c"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + say("list-and", lang) + items[-1]
