"""Paths the register holds (Todistukset' Tiedosto), read and written the same way on every system.

    document_path("todistukset\\\\2026-001_0007.docx")   -> PurePosixPath("todistukset/2026-001_0007.docx")
    document_path("../muu/tiedosto.docx")               -> None   (never outside the register's folder)
    register_path_text(Path("/k/todistukset/a.docx"), Path("/k"))  -> "todistukset/a.docx"

A Tiedosto path is relative to the register's folder. The owner may have typed it on Windows (backslashes),
on a Mac (NFD letters) or pasted it with invisible characters; ``document_path`` is the one place that reads
it. A path that is absolute, names a drive, climbs out with ``..`` or holds control or bidi characters is
not a document path of the register (None): no command acts on it.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePosixPath

_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def document_path(text: str | None) -> PurePosixPath | None:
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text).replace("\\", "/").strip()
    if not text or any(ord(ch) < 32 or ord(ch) == 127 or ch in _BIDI for ch in text):
        return None
    if text.startswith("/") or (len(text) >= 2 and text[1] == ":" and text[0].isalpha()):
        return None
    path = PurePosixPath(text)
    if ".." in path.parts or not path.parts:
        return None
    return path


def register_path_text(path: Path, folder: Path) -> str:
    """What Tiedosto holds for ``path``: relative to the register's ``folder`` with ``/`` when the file is inside
    it, else the absolute path (with ``/``; another drive on Windows has no relative path)."""
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


def document_location(text: str | None, folder: Path) -> Path | None:
    """Where a Tiedosto path points, for showing it and telling whether it still exists: inside the register's
    ``folder`` for a relative path, or the absolute path the certificates command wrote for an output folder
    elsewhere. None for text that is no path. Deleting is only ever done inside the folder (``document_path``)."""
    rel = document_path(text)
    if rel is not None:
        return folder / rel
    if not isinstance(text, str) or not text.strip() or any(ord(ch) < 32 or ch in _BIDI for ch in text):
        return None
    candidate = unicodedata.normalize("NFC", text.strip())
    if candidate.startswith("/") or (len(candidate) >= 3 and candidate[1] == ":" and candidate[2] in "/\\"):
        return Path(candidate)
    return None
