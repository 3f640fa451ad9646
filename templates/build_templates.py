"""Build the three certificate templates (Word .docx) with python-docx, reproducibly.

    .venv/bin/python templates/build_templates.py [OUT_DIR]     # default: this folder

The owner may restyle the result in Word (fonts, logo, spacing); the `{{ ... }}` tags are the
variables of toolkit/rules/certificate_context.py (CONTEXT_VARIABLES). Every text that the norm or the
school may change (provider, basis, curriculum, the national core curriculum, hours) comes from the
Asetukset sheet through those variables, never from this script. The final certificate carries every
item of domain.md: title, provider, school, art form, name and birth date, study period, common and
thematic units with extents, signature line with name and title (and the stamp), basis with dates,
the curriculum statement, place and date of issue.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2026, 1, 1, 12, 0, 0)

TITLES = {
    "päättötodistus.docx": ("TAITEEN PERUSOPETUKSEN MUSIIKIN YLEISEN OPPIMÄÄRÄN", "PÄÄTTÖTODISTUS"),
    "muskaritodistus.docx": ("MUSKARITODISTUS", "Varhaisiän musiikkikasvatus"),
    # {{ opetus }}: "Taiteen perusopetus, musiikki", or "Varhaisiän musiikkikasvatus" for a child with only muskari
    # studies (muskari is not part of the general syllabus); the art form line is then left out
    "osallistumistodistus.docx": ("OSALLISTUMISTODISTUS", "{{ opetus }}"),
}
INTROS = {
    "päättötodistus.docx": "on suorittanut taiteen perusopetuksen musiikin yleisen oppimäärän seuraavasti:",
    "muskaritodistus.docx": "on osallistunut varhaisiän musiikkikasvatukseen ja suorittanut seuraavat opinnot:",
    "osallistumistodistus.docx": "on osallistunut opetukseen ja suorittanut seuraavat opintokokonaisuudet:",
}


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(15), Mm(15)
    section.footer_distance = Mm(8)
    style = doc.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(10.5)
    style.paragraph_format.space_after = Pt(2)
    footer = section.footer.paragraphs[0]
    footer.text = "{{ koulu }} · Y-tunnus {{ ytunnus }} · todistus {{ todistusnumero }}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in footer.runs:
        run.font.size = Pt(8)


def _para(doc, text: str = "", *, bold: bool = False, size: int | None = None, center: bool = False,
          space_after: int = 4):
    p = doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _field(doc, label: str, tag: str, *, size: float | None = None):
    p = _para(doc, space_after=2)
    p.add_run(f"{label}: ")
    p.add_run(tag).bold = True
    for run in p.runs if size else ():
        run.font.size = Pt(size)
    return p


def _units_table(doc, *, required: bool) -> None:
    """Units grouped by part: docxtpl row loops (`{%tr %}`) over osat and their opinnot."""
    rows = [
        ("Opintokokonaisuus", "Laajuus", "header"),
        ("{%tr for osa in osat %}", "", "tag"),
        ("{{ osa.nimi }}", "", "part"),
        ("{%tr for opinto in osa.opinnot %}", "", "tag"),
        ("{{ opinto.nimi }}", "{{ opinto.laajuus }}", "unit"),
        ("{%tr endfor %}", "", "tag"),
        ("{{ osa.nimi }} yhteensä", "{{ osa.yhteensa }}", "total"),
        ("{%tr endfor %}", "", "tag"),
        ("Kaikki yhteensä", "{{ yhteensa }}", "grand"),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table.columns[0].width, table.columns[1].width = Mm(125), Mm(35)
    for row, (left, right, kind) in zip(table.rows, rows, strict=True):
        row.cells[0].width, row.cells[1].width = Mm(125), Mm(35)   # as the grid: Word reads these, LibreOffice the grid
        for cell, text in zip(row.cells, (left, right), strict=True):
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)  # Normal's space after made long tables overflow
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(10)
            run.bold = kind in ("header", "part", "grand")
            run.italic = kind == "total"
        row.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, space_after=0)
    if required:
        _para(doc, "Yleisen oppimäärän laajuus: yhteiset opinnot {{ yhteiset_vaaditaan }} ja teemaopinnot "
                   "{{ teemat_vaaditaan }}. Laajuudet ovat laskennallisia 45 minuutin tunteja.", size=9)
    else:
        _para(doc, "Laajuudet ovat laskennallisia 45 minuutin tunteja.", size=9)


def _signature(doc, *, stamp: bool) -> None:
    """Place, date, line, name and title stay together on one page (never a signature page of its own)."""
    block = [_para(doc), _para(doc, "{{ paikkakunta }} {{ paivamaara }}", space_after=24),
             _para(doc, "_________________________________", space_after=0),
             _para(doc, "{{ allekirjoittaja }}", space_after=0), _para(doc, "{{ nimike }}", space_after=0)]
    if stamp:
        block.append(_para(doc, "(koulun leima)", size=8))
    block[0].paragraph_format.line_spacing = Pt(6)
    for p in block[:-1]:
        p.paragraph_format.keep_with_next = True


def build(name: str) -> Document:
    doc = Document()
    _page(doc)
    final = name == "päättötodistus.docx"
    _para(doc, "{{ koulu }}", bold=True, size=12, space_after=0)
    _para(doc, "Todistus nro {{ todistusnumero }}", size=9, space_after=12)
    first, second = TITLES[name]
    _para(doc, first, bold=True, size=16, center=True, space_after=2)
    _para(doc, second, bold=True, size=14 if final else 12, center=True, space_after=12)
    _field(doc, "Koulutuksen järjestäjä", "{{ jarjestaja }}")
    _field(doc, "Oppilaitos", "{{ koulu }}")
    if final:
        _field(doc, "Taiteenala", "{{ taiteenala }}")
    elif name == "osallistumistodistus.docx":
        _para(doc, "{%p if taiteenala %}", space_after=0)
        _field(doc, "Taiteenala", "{{ taiteenala }}")
        _para(doc, "{%p endif %}", space_after=0)
    _field(doc, "Oppilas", "{{ nimi }}")
    _field(doc, "Syntymäaika", "{{ syntymaaika }}")
    _field(doc, "Opiskeluaika", "{{ opiskeluaika }}")
    _para(doc, INTROS[name], space_after=6).paragraph_format.space_before = Pt(10)
    _units_table(doc, required=final)
    if final:
        # the basis texts in 9.5 pt, so a certificate with many units keeps its signature on the page
        _field(doc, "Opetuksen järjestämisperuste", "{{ jarjestamisperuste }}", size=9.5)
        _field(doc, "Opetussuunnitelma", "{{ opetussuunnitelma }}", size=9.5)
        _para(doc, "Opetus on annettu seuraavien Opetushallituksen vahvistamien valtakunnallisten perusteiden "
                   "mukaisesti: {{ perusteet }}.").runs[0].font.size = Pt(9.5)
    _signature(doc, stamp=final)
    props = doc.core_properties
    props.author = props.last_modified_by = "Annan Muskari"
    props.title = TITLES[name][1] if final else TITLES[name][0].capitalize()
    props.comments = "Todistuspohja: muokkaa ulkoasua vapaasti, mutta säilytä aaltosulkeissa olevat tagit ehjinä."
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def _fixed_zip(data: bytes) -> bytes:
    """Zip entries with a fixed time stamp so a rebuild gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, zin.read(item.filename))
    return out.getvalue()


def build_all(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TITLES:
        buf = io.BytesIO()
        build(name).save(buf)
        path = out_dir / name
        path.write_bytes(_fixed_zip(buf.getvalue()))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
