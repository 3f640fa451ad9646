"""The one message catalogue: every sentence for a person, keyed by a stable code, Finnish and English side
by side in ``messages.toml`` beside this module (codes as data, as frictionless keeps its errors).

    say("missing-value", "fi", column="Etunimi")   -> "Sarake Etunimi on pakollinen, ..."
    severity_of("health-data")                      -> "warning"
    Phrase("expect-int")                            # a word said in the sentence's own language

Findings carry a severity; every other entry is a sentence or a word. A placeholder the caller does not
give is left empty: a message never fails. tests/test_messages.py checks that every code the toolkit says
has both languages.
"""

from __future__ import annotations

import tomllib
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
    """A catalogue code used as a word inside another sentence: said in that sentence's language."""


@cache
def catalogue() -> dict[str, Entry]:
    data = tomllib.loads(files("toolkit.model").joinpath("messages.toml").read_text(encoding="utf-8"))
    return {code: Entry(fi=item["fi"], en=item["en"], severity=item.get("severity")) for code, item in data.items()}


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
        return say(value, self.lang, **self) if isinstance(value, Phrase) else value   # a phrase may use the words


def say(code: str, lang: str = "fi", /, **words) -> str:
    """The sentence ``code`` in ``lang`` with its placeholders filled."""
    return catalogue()[code].text(lang).format_map(_Words(lang, words))
