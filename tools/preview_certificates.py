"""Render certificates to PNG pages so a person can look at their layout (`make pdf-preview`).

    .venv/bin/python tools/preview_certificates.py [--out DIR] [--dpi 80] [FILE.docx|FILE.pdf ...]

Without files it issues, in a temporary folder, every certificate of the synthetic demo register and
of a "crowded" register (the fullest certificates a school can have: long names, many units with long
names; see tests/office.py; and a muskari child's participation certificate) through `muskari certificates --apply --pdf`, then writes each PDF page as
a PNG (pdftoppm) into DIR (default build/pdf-preview). With files it converts those instead (.docx
through LibreOffice). It prints every page it wrote and warns about a certificate longer than one page.
Synthetic data only: never point it at the owner's register.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

AS_OF = "2026-06-01"


def issue(register: Path, *extra: str) -> list[Path]:
    """`muskari certificates REGISTER --apply --pdf ...`; returns the single certificates' PDFs."""
    from toolkit.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["certificates", str(register), "--as-of", AS_OF, "--apply", "--pdf", *extra])
    if code != 0:
        raise SystemExit(f"certificates failed for {register.name} (exit {code}):\n{err.getvalue()}")
    return sorted((register.parent / "todistukset").glob("20*.pdf"))


def sample_pdfs(work: Path) -> list[Path]:
    from office import crowded_register

    from toolkit.cli.main import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["demo", str(work / "demo"), "--as-of", AS_OF])
    pdfs = issue(work / "demo" / "rekisteri.xlsx")
    (work / "crowded").mkdir()
    crowded, who = crowded_register(work / "crowded" / "rekisteri.xlsx")
    issue(crowded)
    # participation certificates: the fullest one, and a muskari child's (worded as early-childhood music education)
    pdfs += issue(crowded, "--type", "osallistumistodistus", "--student", who["osallistumistodistus"],
                  "--student", who["muskaritodistus"])
    return list(dict.fromkeys(pdfs))


def to_pdfs(files: list[Path], work: Path) -> list[Path]:
    from office import to_pdf

    docx = [f for f in files if f.suffix.lower() == ".docx"]
    converted = to_pdf(docx, work / "pdf") if docx else {}
    return [converted.get(f, f) for f in files]


def pages(pdf: Path, out: Path, dpi: int) -> list[Path]:
    prefix = out / pdf.parent.parent.name / pdf.stem if pdf.parent.name == "todistukset" else out / pdf.stem
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for old in prefix.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help=".docx or .pdf files (default: demo and crowded certificates)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "pdf-preview", help="folder for the PNG pages")
    parser.add_argument("--dpi", type=int, default=80, help="resolution of the pages (default 80)")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: sudo apt-get install libreoffice-writer-nogui poppler-utils")
    args.out.mkdir(parents=True, exist_ok=True)
    longer = []
    with tempfile.TemporaryDirectory(prefix="muskari-preview-") as tmp:
        work = Path(tmp)
        pdfs = to_pdfs(args.files, work) if args.files else sample_pdfs(work)
        for pdf in pdfs:
            written = pages(pdf, args.out, args.dpi)
            print(f"{pdf.name}: {len(written)} page(s): " + ", ".join(str(p.relative_to(args.out)) for p in written))
            if len(written) > 1:
                longer.append(pdf.name)
    print(f"PNG pages in {args.out}")
    if longer:
        print("WARNING: more than one page: " + ", ".join(longer), file=sys.stderr)
    return 1 if longer else 0


if __name__ == "__main__":
    raise SystemExit(main())
