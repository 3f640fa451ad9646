"""Which files an erasure deletes because the register names them (Todistukset' Tiedosto), and which it keeps.

    docs = plan_documents(register, tables, actions, targets, outputs)
    docs.delete      # certificate documents the toolkit made, their PDFs and the print files holding them
    docs.not_deleted # Tiedosto texts that are no certificate document of the toolkit: reported, never deleted
    docs.exempt      # file -> people: the certificate archive a closed study window keeps

A Tiedosto is read only through ``toolkit.model.paths`` (``document_location``). A file is deleted only when it
is a ``.docx`` or ``.pdf`` certificate document the toolkit made: a regular file (not a link) under the
certificates folder ``todistukset/`` beside the register, or in a folder the certificates command recorded as
its output folder (``toolkit.system.outputs``), and never the register or anything in ``varmuuskopiot/``.
Anything else a Tiedosto names (the forms CSV, the register, a folder, a path outside) is reported, not
deleted. The PDF that ``certificates --pdf`` made beside a document goes with it, and so does a combined print
file (``tulostettavat_FIRST_LAST.pdf``) whose number range holds one of the erased certificates.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.model import folders
from toolkit.model.paths import document_location
from toolkit.rules.purge import PurgeAction

DOCUMENT_SUFFIXES = (".docx", ".pdf")
_COMBINED = re.compile(r"tulostettavat_(\d{4}-\d{3})_(\d{4}-\d{3})\.pdf")


@dataclass
class DocumentsPlan:
    delete: list[Path] = field(default_factory=list)
    not_deleted: list[str] = field(default_factory=list)
    exempt: dict[Path, set[int]] = field(default_factory=dict)


def plan_documents(register: Path, tables, actions: Sequence[PurgeAction], targets, outputs) -> DocumentsPlan:
    """The documents of the erased students: deleted for a full erasure, kept (and exempt from that person's
    scan) when a closed study window keeps the certificate archive."""
    folder = register.parent
    plan = DocumentsPlan()
    numbers_of = {t.student_id: t.number for t in targets if t.student_id}
    certs = tables.certificates
    for a in actions:
        if a.action != "erase" or a.student_id not in numbers_of:
            continue
        own = certs[certs["student_id"] == a.student_id]
        texts = [str(f) for f in own["file"] if f]
        numbers = [str(n) for n in own["number"] if n]
        if a.rule == "deletion-requested":
            for text in texts:
                target = deletable(register, text, outputs)
                where = document_location(text, folder)
                if target is not None:
                    plan.delete.append(target)
                elif where is None or os.path.lexists(where):     # a file already gone needs no word
                    plan.not_deleted.append(text)
            plan.delete += print_copies([d for d in plan.delete if d.suffix.lower() == ".docx"], numbers)
        else:
            kept = [p for p in (document_location(t, folder) for t in texts) if p is not None]
            for path in kept + print_copies(kept, numbers):
                plan.exempt.setdefault(Path(os.path.realpath(path)), set()).add(numbers_of[a.student_id])
    plan.delete = list(dict.fromkeys(plan.delete))
    return plan


def deletable(register: Path, text: str, outputs) -> Path | None:
    """The certificate document ``text`` names, when the toolkit made it (see the module docstring); else None."""
    folder = register.parent
    where = document_location(text, folder)
    if where is None or where.suffix.lower() not in DOCUMENT_SUFFIXES or where.is_symlink():
        return None
    real = Path(os.path.realpath(where))
    root = Path(os.path.realpath(folder))
    if not real.is_file() and real.exists():
        return None                                   # a folder, a device
    if real == Path(os.path.realpath(register)) or real.is_relative_to(root / folders.BACKUP_COPIES):
        return None
    if not real.is_file():
        return None                                   # already gone: nothing to delete
    if real.is_relative_to(Path(os.path.realpath(folder / folders.CERTIFICATES))):
        return real
    if outputs.is_certificate_folder(real.parent):
        return real
    return None


def print_copies(documents: Sequence[Path], numbers: Sequence[str]) -> list[Path]:
    """The PDFs `certificates --pdf` made of these documents: each one's own PDF beside it, and the combined
    print files whose number range holds one of the certificates."""
    found = [d.with_suffix(".pdf") for d in documents
             if d.suffix.lower() == ".docx" and d.with_suffix(".pdf").is_file() and not d.with_suffix(".pdf").is_symlink()]
    for folder in {d.parent for d in documents}:
        for candidate in sorted(folder.glob("tulostettavat_*.pdf")):
            match = _COMBINED.fullmatch(candidate.name)
            if match and not candidate.is_symlink() and any(match[1] <= n <= match[2] for n in numbers):
                found.append(candidate)
    return found
