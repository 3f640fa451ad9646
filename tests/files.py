"""What a write left on disk: the parts of a zip package, the writer's temporary files."""

from __future__ import annotations

import zipfile
from pathlib import Path


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the zip package at ``path``: name -> bytes."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files the writer may have left in ``folder`` (there must be none)."""
    return sorted(p.name for p in folder.iterdir() if "muskari-tmp" in p.name)
