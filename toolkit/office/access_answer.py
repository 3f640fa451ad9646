"""The answer to an access request on paper: a Word document (A4, landscape) and, when asked, a workbook
whose every cell is text. Both are written to the file object they are given (``toolkit.jobs.access_request``
creates the files, mode 0600)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from toolkit.model.messages import say, say_count
from toolkit.office.text_cells import set_text
from toolkit.rules.access_request import NO_DATA, AccessAnswer, Section, answer_paragraphs


def write_docx(answer: AccessAnswer, out: BinaryIO, lang: str = "fi") -> None:
    from docx import Document as new_document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = new_document()
    props = doc.core_properties
    props.author = props.last_modified_by = answer.settings.school_name
    props.title, props.subject = say("access-title", lang), say("access-subject", lang)
    props.comments = props.keywords = props.category = ""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)      # A4 (python-docx's default is US Letter)
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(say("access-document-heading", lang, school=answer.settings.school_name), level=0)
    info = answer_paragraphs(answer, lang)
    for heading, paragraphs in info[:2]:
        _docx_block(doc, heading, paragraphs)
    doc.add_heading(say("access-data-heading", lang), level=1)
    if not answer.sections:
        doc.add_paragraph(say(NO_DATA, lang))
    for sec in answer.sections:
        doc.add_heading(say_count("access-sheet-heading", lang, len(sec.rows), sheet=sec.sheet), level=2)
        _docx_table(doc, sec, lang)
    for heading, paragraphs in info[2:]:
        _docx_block(doc, heading, paragraphs)
    doc.save(out)


def _docx_block(doc, heading: str, paragraphs: list[str]) -> None:
    doc.add_heading(heading, level=1)
    for text in paragraphs:
        doc.add_paragraph(text, style="List Bullet" if len(paragraphs) > 1 else None)


def _fit_columns(table, rows: list[list[str]], section) -> None:
    """Columns as wide as their longest word needs (equal widths broke "Opintokokonaisuus" mid-word in
    LibreOffice), the header row repeated on every page and no row split across pages."""
    from docx.oxml import OxmlElement

    weights = [max([len(w) for text in column for w in text.split()] + [6]) for column in zip(*rows, strict=True)]
    usable = section.page_width - section.left_margin - section.right_margin
    table.autofit = False
    for i, weight in enumerate(weights):
        width = int(usable * weight / sum(weights))
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
    for r, row in enumerate(table.rows):
        props = row._tr.get_or_add_trPr()
        for tag in ("w:cantSplit",) + (("w:tblHeader",) if r == 0 else ()):
            props.append(OxmlElement(tag))


def _docx_table(doc, sec: Section, lang: str) -> None:
    if len(sec.headers) <= 7:
        table = doc.add_table(rows=1, cols=len(sec.headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, sec.headers, strict=True):
            cell.text = text
        for row in sec.rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
        _fit_columns(table, [sec.headers, *sec.rows], doc.sections[0])
        return
    for row, excel_row in zip(sec.rows, sec.excel_rows, strict=True):   # wide sheets: one field per line
        doc.add_paragraph(say("access-row", lang, row=excel_row))
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for header, text in zip(sec.headers, row, strict=True):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = header, text


def write_xlsx(answer: AccessAnswer, out: BinaryIO, lang: str = "fi") -> None:
    """The same answer as a workbook: every cell is text, never a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = say("access-sheet-answer", lang)
    for heading, paragraphs in answer_paragraphs(answer, lang):
        _text_row(ws, [heading])
        for text in paragraphs:
            _text_row(ws, ["", text])
    for sec in answer.sections:
        sheet = wb.create_sheet(sec.sheet)
        _text_row(sheet, [say("access-row-in-register", lang), *sec.headers])
        for row, excel_row in zip(sec.rows, sec.excel_rows, strict=True):
            _text_row(sheet, [str(excel_row), *row])
    wb.properties.creator = wb.properties.lastModifiedBy = answer.settings.school_name
    wb.properties.title = say("access-title", lang)
    wb.save(out)


def _text_row(ws, values: Iterable[str]) -> None:
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if cell.value is not None:
            set_text(cell, cell.value)      # a value starting with '=' stays text
