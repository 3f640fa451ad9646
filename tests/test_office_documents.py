"""Documents in LibreOffice: certificates as PDF (one page each, with the name, birth date, every unit
and the totals), teacher lists, annotated copies and access-request answers open and show their text.

Everything is made once per module; LibreOffice runs four times in all (the toolkit's own --pdf for the
demo's certificates, then one call per target format for everything else)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from office import (
    crowded_register,
    pdf_a4,
    pdf_fonts,
    pdf_landscape,
    pdf_pages,
    pdf_text,
    shown_as_written,
    to_csv_sheets,
    to_pdf,
    to_xlsx,
    trimmed,
    words,
)
from registers import build_register

from toolkit.cli.main import main

POPPLER = ("pdftotext", "pdfinfo", "pdffonts")
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(not all(map(shutil.which, POPPLER)),
                                 reason="poppler-utils (pdftotext, pdfinfo, pdffonts) is not installed; .ci/run installs it")]

AS_OF = date(2026, 6, 1)
BROKEN = {("Oppilaat", "D2"): "31.2.2019", ("Oppilaat", "F3"): "ei-osoite", ("Opinnot", "B3"): "Huilu 9"}


def cli(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main([*args, "--as-of", AS_OF.isoformat()])


def issue(register: Path, *, kinds: tuple[str, ...] = (), students: tuple[str, ...] = (), pdf: bool = False) -> dict:
    """Plan as the command does, then `certificates --apply`; returns {docx name: (context, student row)}."""
    from toolkit.jobs.certificates import plan_run
    from toolkit.jobs.check import load_checked
    from toolkit.rules.certificate_context import certificate_contexts

    reg, checked = load_checked(register, AS_OF)
    plan = plan_run(reg, checked.tables, AS_OF, students=students, **({"kinds": kinds} if kinds else {}))
    contexts = certificate_contexts(checked.tables, plan.requests)
    args = [*(["--type", kinds[0]] if kinds else []), *[a for s in students for a in ("--student", s)]]
    assert cli("certificates", str(register), "--apply", *args, *(["--pdf"] if pdf else [])) == 0
    students_by_id = checked.tables.students.set_index("student_id")
    studied = checked.tables.studies.groupby("student_id")["unit"].apply(set)
    return {r.file_name: (ctx, students_by_id.loc[r.student_id], studied[r.student_id])
            for r, ctx in zip(plan.requests, contexts, strict=True)}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    from toolkit.jobs.check import load_checked
    from toolkit.jobs.teacher_lists import write_teacher_lists

    root = tmp_path_factory.mktemp("documents")
    assert cli("demo", str(root / "demo")) == 0
    demo = root / "demo" / "rekisteri.xlsx"
    (root / "certs").mkdir()
    shutil.copyfile(demo, root / "certs" / "rekisteri.xlsx")
    certificates = {"demo": issue(root / "certs" / "rekisteri.xlsx", pdf=True)}
    (root / "crowded").mkdir()
    crowded, who = crowded_register(root / "crowded" / "rekisteri.xlsx")
    certificates["crowded"] = issue(crowded)
    certificates["crowded"] |= issue(crowded, kinds=("osallistumistodistus",), students=(who["osallistumistodistus"],))

    _, checked = load_checked(demo, AS_OF)
    lists = write_teacher_lists(checked.tables, root / "listat")
    person = next(s for s in checked.tables.certificates["student_id"] if s)
    answers = {"xlsx": root / "vastaus.xlsx", "docx": root / "vastaus_word.docx"}
    for out in answers.values():
        assert cli("access-request", str(demo), "--student", person, "--out", str(out),
                   "--received", AS_OF.isoformat()) == 0
    broken = build_register(root / "virheellinen.xlsx", edits=BROKEN)
    annotated = root / "merkitty.xlsx"
    assert cli("check", str(broken), "--annotate", str(annotated)) == 1

    crowded_docx = sorted((root / "crowded" / "todistukset").glob("*.docx"))
    list_files = [entry.file for entry in lists.lists]
    pdfs = to_pdf([*crowded_docx, *list_files, answers["docx"]], root / "pdf")
    pdfs |= {root / "certs" / "todistukset" / name: pdf
             for name, pdf in ((p.with_suffix(".docx").name, p)
                               for p in (root / "certs" / "todistukset").glob("20*.pdf"))}
    sheets = to_csv_sheets([*list_files, answers["xlsx"], annotated], root / "csv")
    resaved = to_xlsx([annotated], root / "lo-saved")[annotated]
    return {"root": root, "certificates": certificates, "pdfs": pdfs, "sheets": sheets, "lists": lists,
            "tables": checked.tables, "person": person, "answers": answers, "broken": broken,
            "annotated": annotated, "resaved": resaved}


def certificate_pdfs(made, which: str):
    folder = made["root"] / ("certs" if which == "demo" else "crowded") / "todistukset"
    return [(made["pdfs"][folder / name], *rest) for name, rest in sorted(made["certificates"][which].items())]


def table_row(layout: str, left: str, right: str) -> bool:
    """A table row of the PDF (pdftotext -layout): the left cell's text, then the right cell's, on one line."""
    return re.search(rf"^\s*{re.escape(left)}\s+{re.escape(right)}\s*$", layout, re.M) is not None


# --- certificates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["demo", "crowded"])
def test_each_certificate_is_one_page_with_name_birth_date_units_and_totals(made, which):
    found = certificate_pdfs(made, which)
    kinds = {ctx["todistus"] for _, ctx, _, _ in found}
    assert len(kinds) == (3 if which == "crowded" else 2), kinds
    for pdf, ctx, student, studied in found:
        assert pdf_pages(pdf) == 1 and pdf_a4(pdf) and not pdf_landscape(pdf), pdf.name
        text, layout = words(pdf_text(pdf)), pdf_text(pdf, layout=True)
        born = student["birth_date"]
        assert ctx["nimi"] == f"{student['first_name']} {student['last_name']}" and ctx["nimi"] in text
        assert f"Syntymäaika: {born.day}.{born.month}.{born.year}" in text
        assert f"Todistus nro {ctx['todistusnumero']}" in text
        units = [u for part in ctx["osat"] for u in part["opinnot"]]
        assert units and {u["nimi"] for u in units} <= studied
        for unit in units:
            assert table_row(layout, unit["nimi"], unit["laajuus"]), (pdf.name, unit)
        for part in ctx["osat"]:
            assert table_row(layout, part["nimi"], "") or part["nimi"] in text
            assert table_row(layout, f"{part['nimi']} yhteensä", part["yhteensa"]), (pdf.name, part["nimi"])
        assert table_row(layout, "Kaikki yhteensä", ctx["yhteensa"]), pdf.name
        assert f"{ctx['paikkakunta']} {ctx['paivamaara']}" in text and ctx["allekirjoittaja"] in text
        assert ctx["nimike"] in text


def test_the_signature_sits_below_the_units_on_the_same_page(made):
    for pdf, ctx, _, _ in certificate_pdfs(made, "crowded"):
        lines = [line.strip() for line in pdf_text(pdf, layout=True).splitlines()]
        total = next(i for i, line in enumerate(lines) if line.startswith("Kaikki yhteensä"))
        signer = lines.index(ctx["allekirjoittaja"])
        assert total < signer and lines[signer + 1] == ctx["nimike"], pdf.name


def test_certificate_fonts_are_embedded_and_show_finnish_letters(made):
    for which in ("demo", "crowded"):
        for pdf, ctx, _, _ in certificate_pdfs(made, which):
            fonts = pdf_fonts(pdf)
            assert fonts and all(embedded for _, embedded in fonts), (pdf.name, fonts)
            text = pdf_text(pdf)
            assert "Syntymäaika" in text and "Koulutuksen järjestäjä" in text and "\ufffd" not in text
            assert ctx["todistus"].upper() in text.upper()
    crowded = "".join(pdf_text(pdf) for pdf, *_ in certificate_pdfs(made, "crowded"))
    for name in ("Wähä-Heikkilä-Lindqvist", "Väinö-Öövi Åkerblom-Äijälä", "Iida-Sofia Östman-Pääkkönen"):
        assert name in words(crowded)


def test_a_restyled_certificate_shows_its_filled_header_footer_footnote_and_title(tmp_path):
    from restyled import restyle

    from toolkit.office.docx_templates import load_template, render_docx
    from toolkit.rules.certificate_context import sample_context

    templates = Path(__file__).resolve().parent.parent / "templates"
    path = restyle(templates / "päättötodistus.docx", tmp_path / "päättötodistus.docx",
                   header="Oppilas {{ nimi }}", footer="Sivun alareuna {{ todistusnumero }}",
                   footnote="Opetussuunnitelma: {{ opetussuunnitelma }}", core={"title": "{{ todistus }}: {{ nimi }}"})
    context = sample_context() | {"nimi": "Noa & <Nea> {_{", "todistusnumero": "2026-042",
                                  "opetussuunnitelma": "OPS 2019 & liite"}
    docx = tmp_path / "2026-042_0001.docx"
    docx.write_bytes(render_docx(load_template(path), context))
    pdf = to_pdf([docx], tmp_path / "pdf")[docx]
    text = words(pdf_text(pdf))
    for shown in ("Oppilas Noa & <Nea> {_{", "Sivun alareuna 2026-042", "Opetussuunnitelma: OPS 2019 & liite"):
        assert shown in text, shown
    assert "{{" not in text and "{%" not in text and pdf_pages(pdf) == 1
    from pypdf import PdfReader

    assert PdfReader(pdf).metadata.title == "Päättötodistus: Noa & <Nea> {_{"


# --- teacher lists -----------------------------------------------------------------------------------

def test_teacher_lists_show_their_students_as_written(made):
    from toolkit.office.teacher_workbook import HEADERS
    from toolkit.rules.teacher_lists import list_rows, students_by_teacher

    by_teacher = students_by_teacher(made["tables"])
    assert len(made["lists"].lists) >= 3
    for entry in made["lists"].lists:
        sheets = made["sheets"][entry.file]
        shown_as_written(entry.file, sheets)
        expected = [list(HEADERS)] + [list(row) for row in list_rows(by_teacher[entry.teacher])]
        assert trimmed(sheets["Oppilaat"]) == trimmed(expected), entry.teacher


def test_teacher_lists_print_landscape_with_the_teacher_and_every_student(made):
    students = made["tables"].students.set_index("student_id")
    for entry in made["lists"].lists:
        pdf = made["pdfs"][entry.file]
        assert pdf_a4(pdf) and pdf_landscape(pdf), entry.file.name
        pages = pdf_pages(pdf)
        for page in range(1, pages + 1):     # the header row and the page number on every page
            on_page = pdf_text(pdf, layout=True, page=page)
            assert re.search(r"^\s*Nimi\s+Huoltaja\s+Sähköposti\s+Puhelin\s+Syntymävuosi\s*$", on_page, re.M)
            assert re.search(rf"^\s*{page}\s*/\s*{pages}\s*$", on_page, re.M), (entry.file.name, page)
        text = words(pdf_text(pdf))
        assert f"Annan Muskari: {entry.teacher}" in text
        assert all(header in text for header in ("Nimi", "Huoltaja", "Sähköposti", "Puhelin", "Syntymävuosi"))
        for sid in entry.student_ids:
            assert f"{students.loc[sid, 'first_name']} {students.loc[sid, 'last_name']}" in text, (entry.teacher, sid)


# --- annotated copies ---------------------------------------------------------------------------------

def findings_of(path: Path):
    from toolkit.rules.validation import check_register
    from toolkit.xlsx.reading import read_register

    return check_register(read_register(path), AS_OF).findings


def test_the_annotated_copy_lists_every_finding_and_keeps_the_bad_values(made):
    sheets = made["sheets"][made["annotated"]]
    shown_as_written(made["annotated"], sheets)
    findings = findings_of(made["broken"])
    assert {(f.sheet, f.cell) for f in findings} >= set(BROKEN)
    severity = {"error": "virhe", "warning": "varoitus"}
    assert trimmed(sheets["Tarkistus"]) == trimmed(
        [["Välilehti", "Solu", "Sarake", "Taso", "Ongelma ja korjaus"]]
        + [[f.sheet, f.cell or "", f.column or "", severity[f.severity], f.message("fi")] for f in findings])
    for (sheet, cell), value in BROKEN.items():
        col, row = openpyxl.utils.cell.coordinate_from_string(cell)
        assert sheets[sheet][row - 1][openpyxl.utils.column_index_from_string(col) - 1] == value


def test_a_libreoffice_save_of_the_annotated_copy_keeps_marks_and_comments(made):
    from toolkit.office.annotated_copy import ERROR_FILL

    book = openpyxl.load_workbook(made["resaved"])
    assert book.sheetnames[0] == "Tarkistus"
    links = {row[1].value: row[1].hyperlink for row in book["Tarkistus"].iter_rows(min_row=2) if row[1].value}
    assert links and all(link is not None and link.location.endswith(f"!{cell}") for cell, link in links.items())
    messages = {(f.sheet, f.cell): f.message("fi") for f in findings_of(made["broken"]) if f.cell}
    for (sheet, cell), message in messages.items():
        marked = book[sheet][cell]
        assert marked.comment is not None and message in " ".join(marked.comment.text.split()), (sheet, cell)
        assert marked.fill.fgColor.rgb.upper().endswith(ERROR_FILL), (sheet, cell, marked.fill.fgColor.rgb)


# --- access-request answers ---------------------------------------------------------------------------

def person_rows(made):
    tables, person = made["tables"], made["person"]
    student = tables.students.set_index("student_id").loc[person]
    studies = tables.studies[tables.studies["student_id"] == person]
    return student, studies


def test_the_access_answer_workbook_shows_the_persons_rows(made):
    path = made["answers"]["xlsx"]
    sheets = made["sheets"][path]
    shown_as_written(path, sheets)
    student, studies = person_rows(made)
    assert f"{student['first_name']} {student['last_name']}" in words(" ".join(map(" ".join, sheets["Vastaus"])))
    shown_studies = trimmed(sheets["Opinnot"])
    assert shown_studies[0][0] == "Rivi rekisterissä"
    assert sorted(int(r[0]) for r in shown_studies[1:]) == sorted(studies["row"])
    assert [r for r in trimmed(sheets["Oppilaat"])[1:]][0][1] == made["person"]      # leading zeros kept


def test_the_access_answer_document_holds_its_whole_text_in_the_pdf(made):
    from toolkit.office.docx_templates import document_text

    path = made["answers"]["docx"]
    assert pdf_a4(made["pdfs"][path]) and pdf_landscape(made["pdfs"][path])
    text = words(pdf_text(made["pdfs"][path]))
    missing = []
    for line in document_text(path).splitlines():
        for piece in re.split(r" \| ?| ?\| ", line) if "|" in line else [line]:
            if words(piece) and words(piece) not in text:
                missing.append(piece)
    assert missing == []
    student, studies = person_rows(made)
    assert f"{student['first_name']} {student['last_name']}" in text
    assert all(unit in text for unit in studies["unit"])
