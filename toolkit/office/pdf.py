"""PDF through LibreOffice (soffice, headless) and one combined PDF for printing (pypdf)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.model.errors import FileProblem
from toolkit.system.programs import run_bounded


def convert_to_pdf(soffice: str, documents: list[Path], out_dir: Path) -> list[Path]:
    """Every document to PDF in one LibreOffice call (with its own profile, so an open LibreOffice
    window does not swallow the job)."""
    profile = Path(tempfile.mkdtemp(prefix=".muskari-lo-"))
    try:
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, documents)]
        try:
            done = run_bounded(command, timeout=120 + 5 * len(documents))
        except (OSError, subprocess.TimeoutExpired) as error:
            raise FileProblem("pdf-conversion-failed", detail=str(error)) from None
        pdfs = [out_dir / (d.stem + ".pdf") for d in documents]
        missing = [p.name for p in pdfs if not p.exists()]
        if missing:
            detail = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or [""]
            raise FileProblem("pdf-not-made", files=", ".join(missing[:3]), detail=detail[0])
        for p in pdfs:
            os.chmod(p, 0o600)
        return pdfs
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def combine_pdfs(pdfs: list[Path], target: Path) -> Path:
    """One PDF for printing, the documents in order."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for p in pdfs:
        writer.append(str(p))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        writer.write(handle)
    return target
