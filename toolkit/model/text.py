"""Text normalisation for comparisons and for values read from cells (pure, stdlib only)."""

from __future__ import annotations

import re
import unicodedata

# zero-width and bidi control characters that arrive by copy-paste
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXCEL_ESCAPE = re.compile(r"_x00[0-1][0-9A-Fa-f]_")  # how Excel stores control characters in XML
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
MAX_NAME_BYTES = 120
# an optional Finnish case ending after a name ("Mäkelän", "Mäkelälle", "Öhmanille", "O'Brien:lle"); never
# "nen", so "Eino Virta" does not match "Eino Virtanen". Used where an erased person's name is searched for.
CASE_ENDING = r"(?:(?<=[^\W\d_]):?i?(?:n|a|ä|ta|tä|lla|llä|lta|ltä|lle|ssa|ssä|sta|stä|ksi|na|nä|kin|hin|han|hän|hen|neen))?"
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_UNSAFE = re.compile(r'[/\\:*?"<>|]')


def has_hidden_characters(text: str) -> bool:
    return bool(_INVISIBLE.search(text) or _CONTROL.search(text) or _EXCEL_ESCAPE.search(text))


def clean_text(text: str) -> str:
    """NFC, invisible and control characters removed, non-breaking spaces made plain, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _EXCEL_ESCAPE.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u2007", " ").replace("\u202f", " ")
    return text.strip()


def key(text: str) -> str:
    """A comparison key: cleaned, inner whitespace collapsed, case-folded."""
    return _SPACES.sub(" ", clean_text(text)).strip().casefold()


def safe_file_stem(name: str) -> str:
    """A file name stem from a person's name: no path separators, ``..``, control, format (bidi, zero-width)
    or Windows-reserved characters or names, at most MAX_NAME_BYTES of UTF-8; never empty."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(" " if unicodedata.category(ch) in ("Zs", "Zl", "Zp") else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")   # Cc, Cf (bidi), Cs, Co, Cn
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\.{2,}", ".", " ".join(text.split())).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")[:MAX_NAME_BYTES]
    text = encoded.decode("utf-8", errors="ignore").strip(" .")
    return text or "opettaja"
