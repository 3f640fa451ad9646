"""Everything under the register's folder that an erasure must reach: the toolkit's own files, the owner's.

    found = sweep_folder(folder, needles, outputs=OutputList.load(), erased=hashes, skip=[...], exempt={...})
    found.to_delete     # the toolkit's own files that hold an erased person (deleted by the job)
    found.remnants      # the owner's files that still hold one of their values (named, never edited)
    found.unchecked     # the owner's files that could not be read (never called clean)

Every regular file under the folder is looked at (symbolic links are never followed). A file is the
toolkit's own when the output list says it wrote it there and the file is still what it wrote, or still
carries the marker it wrote inside (``toolkit.system.outputs``), or when it is a temporary file of the
toolkit's writers left by a killed run (older than ``STALE_SECONDS``; a younger one is being written now and
is left alone; an old one is treated as a copy of the register). An own file is deleted when its record says it holds an erased student, when the scan finds
one of their values in it or in its path, or when it may hold anyone (a copy of the register) and cannot be
read. Any other file is the owner's: it is never edited; a hit names it in ``remnants``, a file that cannot
be read in ``unchecked``. ``exempt`` maps a file to the people whose values it keeps by right (a certificate
of a student whose study window closed stays in the certificate archive).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.erasure.scan import Needle, ScanReport, in_content, scan_file, search_path
from toolkit.system.outputs import ENCRYPTED_BACKUP

STALE_SECONDS = 600
_TEMP = re.compile(r"^\.(?:muskari-.*|.+\.muskari-tmp)$")
_LOCK = re.compile(r"^(?:~\$|\.~lock\.)")
_MARKER = re.compile(rb'name="muskari-tuotos"[^>]*>\s*<(?:\w+:)?lpwstr\b[^>]*>\s*([0-9a-f]{1,64})\s*<')


@dataclass
class FolderFindings:
    to_delete: list[Path] = field(default_factory=list)
    remnants: list[str] = field(default_factory=list)      # paths relative to the folder swept
    unchecked: list[str] = field(default_factory=list)
    places: int = 0

    def extend(self, other: FolderFindings) -> None:
        self.to_delete += other.to_delete
        self.remnants += other.remnants
        self.unchecked += other.unchecked
        self.places += other.places


def read_marker(path: Path) -> str | None:
    """The toolkit's marker inside an .xlsx/.docx (``docProps/custom.xml``), or None."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1024 * 1024:
                return None
            found = _MARKER.search(zf.read(info))
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
        return None
    return found[1].decode("ascii") if found else None


def sweep_folder(folder: Path, needles: list[Needle], *, outputs, erased: set[str], skip: Iterable[Path] = (),
                 exempt: Mapping[Path, set[int]] | None = None, shown_from: Path | None = None) -> FolderFindings:
    """Look at every file under ``folder`` (see the module docstring). ``outputs`` is the loaded output list,
    ``erased`` the keyed hashes of the erased students' ids, ``skip`` files handled elsewhere (the register, its
    earlier versions, the documents the erasure deletes). Paths are shown relative to ``shown_from`` (default
    ``folder``)."""
    findings = FolderFindings()
    if not folder.is_dir():
        return findings
    base = shown_from or folder
    skipped = {Path(os.path.realpath(p)) for p in skip}
    exempt = {Path(os.path.realpath(p)): people for p, people in (exempt or {}).items()}
    now = time.time()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        in_temp_dir = any(_TEMP.match(part) for part in Path(root).relative_to(folder).parts)
        for name in sorted(files):
            path = Path(root) / name
            real = Path(os.path.realpath(path))
            if real in skipped or _LOCK.match(name):
                continue
            shown = _shown(path, base)
            if path.is_symlink() or not path.is_file():
                report = ScanReport()
                search_path(shown, shown, needles, report)     # a link named after the person still names them
                if report.hits:
                    findings.remnants.append(shown)
                continue
            temp = in_temp_dir or bool(_TEMP.match(name))
            if temp and now - _mtime(path) < STALE_SECONDS:
                continue                                       # being written at this moment by another run
            record = None if temp else outputs.own(path, marker_of=read_marker)
            if record is not None and record.kind == ENCRYPTED_BACKUP:
                continue                      # contract: `backup --to` copies are erased by restore's replay
            mine = [n for n in needles if n.person not in exempt.get(real, ())]
            if temp or record is not None:
                mine = in_content(mine)       # the toolkit lists students by id: an id in its own file names them
            report = ScanReport()
            search_path(shown, shown, mine, report)
            scan_file(path, mine, report, shown)
            findings.places += report.places
            if temp or record is not None:
                holds = None if temp else record.holds_any(erased)
                if holds or report.hits or (holds is None and report.unreadable):
                    findings.to_delete.append(path)
            elif report.hits:
                findings.remnants.append(shown)
            elif report.unreadable:
                findings.unchecked.append(shown)
    return findings


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _shown(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
