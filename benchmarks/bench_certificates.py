"""Certificate rendering throughput: toolkit.office.docx_templates vs a plain docxtpl loop, and PDF conversion.

    .venv/bin/python benchmarks/bench_certificates.py [--count 300] [--pdf 100] [--workers N]

1. Renders COUNT synthetic certificates (the three templates in turn) twice in the same run:
   a) plain docxtpl: a new DocxTemplate per document, render (sandboxed, autoescape), save;
   b) toolkit.office.docx_templates.render_documents: each template checked and compiled once, documents rendered
      from the compiled template (one process below PARALLEL_MIN documents, else spread over the cores;
      --workers N forces N processes).
   Checks that every pair of documents has identical text (python-docx extraction) and prints the
   throughput ratio (goal: at least 3x).
2. With LibreOffice: converts PDF certificates to PDF in one soffice call vs one call per document.
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
    document_text,
    load_template,
    make_environment,
    render_documents,
    render_with_docxtpl,
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


def bench_render(count: int, workers: int | None, folder: Path) -> float:
    jobs = contexts(count)
    plain, fast = folder / "plain", folder / "fast"
    plain.mkdir()
    fast.mkdir()

    start = time.perf_counter()
    for i, (kind, ctx) in enumerate(jobs):
        render_with_docxtpl(ROOT / "templates" / TEMPLATE_FILES[kind], ctx, plain / f"{i:04d}.docx")
    t_plain = time.perf_counter() - start

    start = time.perf_counter()
    env = make_environment()
    templates = {kind: load_template(ROOT / "templates" / name, env) for kind, name in TEMPLATE_FILES.items()}
    render_documents(templates, [(kind, ctx, str(fast / f"{i:04d}.docx")) for i, (kind, ctx) in enumerate(jobs)],
                     workers=workers)
    t_fast = time.perf_counter() - start
    from toolkit.office.docx_templates import PARALLEL_MIN

    used = workers or ((os.cpu_count() or 1) if count >= PARALLEL_MIN else 1)

    different = [i for i in range(count)
                 if document_text(plain / f"{i:04d}.docx") != document_text(fast / f"{i:04d}.docx")]
    ratio = t_plain / t_fast
    print(f"render {count} certificates: plain docxtpl {t_plain:.2f} s ({count / t_plain:.0f}/s), "
          f"compiled, {used} process(es) {t_fast:.2f} s ({count / t_fast:.0f}/s), "
          f"ratio {ratio:.1f}x (goal >= 3x); identical text: {count - len(different)}/{count}")
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
