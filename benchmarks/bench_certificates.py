"""Certificate rendering throughput: the toolkit's path vs a plain docxtpl loop, and PDF conversion.

    .venv/bin/python benchmarks/bench_certificates.py [--count 300] [--pdf 100] [--workers N]

Both paths are docxtpl's own render (the toolkit keeps no renderer of its own), so this measures what the
toolkit adds around it and what it saves:
1. Renders COUNT synthetic certificates (the three templates in turn) twice in the same run:
   a) a plain docxtpl loop, as its documentation writes it and safely configured: a new DocxTemplate per
      document, render with Jinja's immutable sandbox (autoescape, StrictUndefined), save;
   b) the toolkit: each template checked once (package, tags, variables, trial render), then
      toolkit.office.docx_templates.render_documents: docxtpl's render per document in the limited sandbox
      (sizes, steps, output, time), which keeps each part's compiled code across documents; one process below
      PARALLEL_MIN documents, else spread over the cores (--workers N forces N processes).
   Checks that every pair of documents has identical text (python-docx extraction) and prints the
   throughput ratio. Goal: the toolkit's path, checks and limits included, is no slower than the plain loop
   (ratio >= 1.0x); it is not meant to be many times faster, since it renders exactly as docxtpl does.
2. With LibreOffice: converts the certificates to PDF in one soffice call vs one call per document.
Synthetic names only; everything is written to a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.office.docx_templates import (  # noqa: E402
    PARALLEL_MIN,
    document_text,
    load_template,
    render_documents,
)

# Not imported at the top: spawned render workers re-import this script, and need no pandas.
TEMPLATE_FILES = {"muskaritodistus": "muskaritodistus.docx", "päättötodistus": "päättötodistus.docx",
                  "osallistumistodistus": "osallistumistodistus.docx"}

FIRST = ["Aino", "Eero", "Iida", "Olli", "Ülle", "Åsa", "Noa & Nea", "Väinö"]
LAST = ["Virtanen", "Mäkinen", "Ojala", "Koski", "Öhman", "<Testi>"]


def contexts(count: int) -> list[tuple[str, dict]]:
    from toolkit.rules.certificate_context import TEMPLATE_FILES as FILES
    from toolkit.rules.certificate_context import sample_context

    assert FILES == TEMPLATE_FILES
    kinds = list(TEMPLATE_FILES)
    out = []
    for i in range(count):
        ctx = sample_context()
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        ctx.update(etunimi=first, sukunimi=last, nimi=f"{first} {last}", todistusnumero=f"2026-{i + 1:03d}",
                   oppilasnumero=f"{i:04d}", syntymaaika=f"{1 + i % 28}.{1 + i % 12}.2012")
        ctx["osat"] = [{"nimi": "Yhteiset opinnot", "yhteensa": "300 h",
                        "opinnot": [{"nimi": f"Soitin {j}", "laajuus": "60 h"} for j in range(1, 6)]},
                       {"nimi": "Teemaopinnot", "yhteensa": "200 h",
                        "opinnot": [{"nimi": f"Teema {j}", "laajuus": "50 h"} for j in range(1, 5)]}]
        out.append((kinds[i % 3], ctx))
    return out


def plain_docxtpl(path: Path, context: dict, dest: Path) -> None:
    """The plain loop's one document: docxtpl as documented, with Jinja's own immutable sandbox."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    doc = DocxTemplate(str(path))
    doc.render(context, jinja_env=ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined),
               autoescape=True)
    doc.save(str(dest))


def bench_render(count: int, workers: int | None, folder: Path) -> float:
    jobs = contexts(count)
    plain, ours = folder / "plain", folder / "fast"
    plain.mkdir()
    ours.mkdir()

    start = time.perf_counter()
    for i, (kind, ctx) in enumerate(jobs):
        plain_docxtpl(ROOT / "templates" / TEMPLATE_FILES[kind], ctx, plain / f"{i:04d}.docx")
    t_plain = time.perf_counter() - start

    start = time.perf_counter()
    templates = {kind: load_template(ROOT / "templates" / name) for kind, name in TEMPLATE_FILES.items()}
    t_checks = time.perf_counter() - start
    render_documents(templates, [(kind, ctx, str(ours / f"{i:04d}.docx")) for i, (kind, ctx) in enumerate(jobs)],
                     workers=workers)
    t_ours = time.perf_counter() - start
    used = workers or ((os.cpu_count() or 1) if count >= PARALLEL_MIN else 1)

    different = [i for i in range(count)
                 if document_text(plain / f"{i:04d}.docx") != document_text(ours / f"{i:04d}.docx")]
    ratio = t_plain / t_ours
    print(f"render {count} certificates: plain docxtpl loop {t_plain:.2f} s ({count / t_plain:.0f}/s), "
          f"toolkit (checks {t_checks:.2f} s included, {used} process(es)) {t_ours:.2f} s ({count / t_ours:.0f}/s), "
          f"ratio {ratio:.2f}x (goal >= 1.0x: {'met' if ratio >= 1.0 else 'MISSED'}); "
          f"identical text: {count - len(different)}/{count}")
    if different:
        raise SystemExit(f"documents with different text: {different[:10]}")
    return ratio


def bench_pdf(count: int, folder: Path) -> None:
    from toolkit.office.pdf import convert_to_pdf

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("pdf: LibreOffice (soffice) not installed; skipped")
        return
    docs = sorted((folder / "fast").glob("*.docx"))[:count]
    one, each = folder / "pdf-one", folder / "pdf-each"
    one.mkdir()
    each.mkdir()
    start = time.perf_counter()
    convert_to_pdf(soffice, docs, one)
    t_one = time.perf_counter() - start
    start = time.perf_counter()
    for doc in docs:
        convert_to_pdf(soffice, [doc], each)
    t_each = time.perf_counter() - start
    print(f"pdf {len(docs)} certificates: one LibreOffice call {t_one:.1f} s, one call per document "
          f"{t_each:.1f} s, ratio {t_each / t_one:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--pdf", type=int, default=100, help="documents to convert (0 = skip)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="muskari-bench-"))
    try:
        bench_render(args.count, args.workers, folder)
        if args.pdf:
            bench_pdf(min(args.pdf, args.count), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
