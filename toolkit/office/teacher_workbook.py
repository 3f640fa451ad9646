"""A teacher's list as a workbook made for reading and printing: every value a text cell (a name like
``=1+1``, ``+358…`` or ``@x`` never becomes a formula), frozen and repeated header, landscape A4 fitted to
the page width, the school and the teacher in the page header."""

from __future__ import annotations

import io
import unicodedata

from toolkit.model.refs import column_letters
from toolkit.office.text_cells import set_text

HEADERS = ("Nimi", "Huoltaja", "Sähköposti", "Puhelin", "Syntymävuosi")
WIDTHS = (28, 28, 34, 18, 13)


def render_workbook(teacher: str, rows: list[tuple[str, ...]], school: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "Oppilaat"
    for col, header in enumerate(HEADERS, start=1):
        _text_cell(ws, 1, col, header).font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            if value:
                _text_cell(ws, r, col, value).alignment = Alignment(vertical="top", wrap_text=True)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[column_letters(col)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = _header_text(f"{school}: {teacher}")
    ws.oddFooter.right.text = "&P / &N"
    wb.properties.creator = school
    wb.properties.title = "Oppilaslista"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _header_text(text: str) -> str:
    return _printable(text).replace("&", "&&")[:200]      # & starts a code in Excel's header syntax


def _printable(value: object) -> str:
    """Control characters (which a cell cannot hold and a teacher cannot see) removed."""
    return "".join(ch for ch in str(value) if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def _text_cell(ws, row: int, col: int, value: str):
    """A cell that holds ``value`` as text, never a formula, whatever it starts with."""
    cell = ws.cell(row=row, column=col)
    set_text(cell, _printable(value))
    cell.number_format = "@"
    return cell
