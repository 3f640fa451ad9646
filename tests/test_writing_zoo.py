"""The feature zoo: one-feature workbooks made by openpyxl, XlsxWriter and by hand in the test run.

For each feature: a change (cell update + append) keeps it, byte for byte; deleting rows either keeps
it correct or is refused naming the feature and the sheet, with the file byte-for-byte unchanged.
Never silently lost.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from factories import class_of
from files import parts
from office import convert, run_soffice, to_xlsx
from registers import build_register

from toolkit.model.errors import WouldLoseContent
from toolkit.xlsx.fingerprint import fingerprint
from toolkit.xlsx.package import Package
from toolkit.xlsx.safe_write import RegisterChange, write_changes
from toolkit.xlsx.verify import read_values

NOW = datetime(2026, 11, 25, 14, 30, 12)
HEADERS = ("Oppilasnumero", "Etunimi", "Sukunimi", "Syntymäaika", "Tila")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- builders: each returns the path of a one-feature workbook -----------------------------------

def _openpyxl(feature):
    def build(path: Path) -> Path:
        return build_register(path, class_of(), customise=feature)
    return build


def _op_image(anchor):
    def feature(workbook):
        from openpyxl.drawing.image import Image

        workbook["Oppilaat"].add_image(Image(io.BytesIO(_png())), anchor)
    return feature


def _op_chart(workbook):
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(workbook["Opinnot"], min_col=4, min_row=1, max_row=9), titles_from_data=True)
    workbook["Ohje"].add_chart(chart, "C3")


def _op_table(workbook):
    from openpyxl.worksheet.table import Table

    workbook["Opinnot"].add_table(Table(displayName="Opinnot_taulukko", ref="A1:F9"))


def _op_formula(workbook):
    sheet = workbook["Oppilaat"]
    sheet["N1"] = "Oma laskuri"
    for row in range(2, 10):
        sheet[f"N{row}"] = f"=LEN(B{row})"


def _op_defined_names(workbook):
    from openpyxl.workbook.defined_name import DefinedName

    workbook.defined_names["Oma_alue"] = DefinedName("Oma_alue", attr_text="Oppilaat!$A$5:$C$9")
    workbook["Oppilaat"].print_title_rows = "1:1"


def _op_properties(workbook):
    workbook.properties.title = "Annan Muskarin rekisteri"
    workbook.properties.keywords = "oma avainsana"


def _op_fixed_row_dropdown(workbook):
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1="$P$2:$P$6")
    validation.add("O2:O9")
    workbook["Oppilaat"].add_data_validation(validation)


def _op_formula_name(workbook):
    from openpyxl.workbook.defined_name import DefinedName

    workbook.defined_names["Viimeinen"] = DefinedName("Viimeinen", attr_text="OFFSET(Oppilaat!$A$1,COUNTA(Oppilaat!$A:$A)-1,0)")


def _op_internal_link(workbook):
    from openpyxl.worksheet.hyperlink import Hyperlink

    workbook["Ohje"]["B2"].hyperlink = Hyperlink(ref="B2", location="Oppilaat!A7")   # as Excel writes it


def _op_internal_link_relationship(workbook):
    workbook["Ohje"]["B3"].hyperlink = "#Oppilaat!A6"                                # as openpyxl writes it


def _xlsxwriter(feature, suffix=".xlsx"):
    def build(path: Path) -> Path:
        import xlsxwriter

        path = path.with_suffix(suffix)
        book = xlsxwriter.Workbook(path)
        date_format = book.add_format({"num_format": "d.m.yyyy"})
        sheet = book.add_worksheet("Oppilaat")
        sheet.write_row(0, 0, HEADERS)
        for i in range(1, 9):
            sheet.write_string(i, 0, f"{i:04d}")
            sheet.write_row(i, 1, (f"Etu{i}", f"Suku{i}"))
            sheet.write_datetime(i, 3, datetime(2018, 1, i), date_format)
            sheet.write_string(i, 4, "aktiivinen")
        book.add_worksheet("Loki").write_row(0, 0, ("Aika", "Toiminto", "Tiedot"))
        feature(book, sheet, path)
        book.close()
        return path
    return build


def _xw_textbox(book, sheet, path):
    sheet.insert_textbox("H4", "Muista päivittää syksyllä")


def _xw_image(book, sheet, path):
    sheet.insert_image("H2", "kuva.png", {"image_data": io.BytesIO(_png())})


def _xw_chart(book, sheet, path):
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "=Oppilaat!$D$2:$D$9"})
    book.add_worksheet("Kaavio").insert_chart("B2", chart)


def _xw_sparklines(book, sheet, path):
    sheet.add_sparkline("G2", {"range": "Oppilaat!D2:D9"})


def _xw_databar(book, sheet, path):
    sheet.conditional_format("D2:D9", {"type": "data_bar", "data_bar_2010": True, "bar_solid": True})


def _xw_notes(book, sheet, path):
    sheet.write_comment("B3", "Muistiinpano riville 3")
    sheet.write_comment("B7", "Muistiinpano riville 7")


def _xw_checkbox(book, sheet, path):
    sheet.insert_checkbox("F3", True)


def _xw_macros(book, sheet, path):
    vba = path.with_name("vbaProject.bin")
    vba.write_bytes(b"\xd0\xcf\x11\xe0 synteettinen makroprojekti")
    book.add_vba_project(str(vba))


def _xw_header_picture(book, sheet, path):
    sheet.set_header("&L&G", {"image_left": "logo.png", "image_data_left": io.BytesIO(_png())})


def _xw_background(book, sheet, path):
    sheet.set_background(io.BytesIO(_png()))


def _xw_cross_sheet_dropdown(book, sheet, path):
    book.add_worksheet("Listat").write_column(0, 0, ["aktiivinen", "tauolla", "päättynyt"])
    sheet.data_validation("E2:E9", {"validate": "list", "source": "=Listat!$A$1:$A$3"})


def _injected(name, extra_parts, sheet_rel=None, sheet_xml_tail=None):
    """A register made by openpyxl, then parts added by hand the way Excel would write them."""
    def build(path: Path) -> Path:
        build_register(path, class_of())
        package = Package.read(path)
        sheet_part = package.sheets["Opinnot"]
        for part, data in extra_parts.items():
            package.parts[part] = data
        types = package.parts["[Content_Types].xml"].decode()
        for part in extra_parts:
            if part.endswith(".xml") and f'"/{part}"' not in types:
                types = types.replace("</Types>", f'<Override PartName="/{part}" ContentType="application/xml"/></Types>')
        package.parts["[Content_Types].xml"] = types.encode()
        if sheet_rel:
            rels_name = "xl/worksheets/_rels/" + sheet_part.rsplit("/", 1)[1] + ".rels"
            rels = package.parts.get(rels_name, b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                                                 b'openxmlformats.org/package/2006/relationships"></Relationships>')
            rel = (f'<Relationship Id="rIdZoo" Type="http://schemas.microsoft.com/office/2017/10/relationships/'
                   f'{sheet_rel[0]}" Target="{sheet_rel[1]}"/>').encode()
            package.parts[rels_name] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
        if sheet_xml_tail:
            package.parts[sheet_part] = package.parts[sheet_part].replace(b"</worksheet>", sheet_xml_tail + b"</worksheet>")
        path.write_bytes(package.to_bytes())
        return path
    return build


THREADED = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ThreadedComments xmlns="http://schemas.'
            b'microsoft.com/office/spreadsheetml/2018/threadedcomments"><threadedComment ref="B3" dT="2026-01-01T10:00:00" '
            b'personId="{00000000-0000-0000-0000-000000000001}" id="{00000000-0000-0000-0000-000000000002}">'
            b'<text>Tarkista tunnit</text></threadedComment></ThreadedComments>')
PIVOT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><pivotCacheDefinition xmlns="http://schemas.'
         b'openxmlformats.org/spreadsheetml/2006/main" recordCount="0"><cacheSource type="worksheet">'
         b'<worksheetSource ref="A1:F9" sheet="Opinnot"/></cacheSource><cacheFields count="0"/></pivotCacheDefinition>')
CUSTOM_XML = b'<?xml version="1.0"?><koulu xmlns="urn:example:muskari"><tunnus>synteettinen</tunnus></koulu>'
SLICER_LIST = (b'<extLst><ext uri="{A8765BA9-456A-4dab-B4F3-ACF838C121DE}" xmlns:x14="http://schemas.microsoft.com/'
               b'office/spreadsheetml/2009/9/main"><x14:slicerList><x14:slicer r:id="rIdZoo" xmlns:r="http://schemas.'
               b'openxmlformats.org/officeDocument/2006/relationships"/></x14:slicerList></ext></extLst>')

X14_DROPDOWN = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/'
                b'office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.'
                b'com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1" showInputMessage="1">'
                b'<x14:formula1><xm:f>Opintokokonaisuudet!$A$2:$A$20</xm:f></x14:formula1><xm:sqref>B2:B9</xm:sqref>'
                b'</x14:dataValidation></x14:dataValidations></ext></extLst>')

# name -> (builder, sheet to delete rows on, rows, expected: "kept" or the Finnish feature name refused)
ZOO = {
    "openpyxl-picture-below": (_openpyxl(_op_image("P20")), "Oppilaat", [3], "kept"),
    "openpyxl-picture-on-deleted-row": (_openpyxl(_op_image("P5")), "Oppilaat", [4, 5], "kuvat"),
    "openpyxl-picture-in-header": (_openpyxl(_op_image("P1")), "Oppilaat", [3], "kept"),
    "openpyxl-chart": (_openpyxl(_op_chart), "Opinnot", [3], "kaaviot"),
    "openpyxl-table": (_openpyxl(_op_table), "Opinnot", [3], "kept"),
    "openpyxl-formulas": (_openpyxl(_op_formula), "Oppilaat", [3], "kaavat"),
    "openpyxl-formulas-above-only": (_openpyxl(_op_formula), "Opinnot", [3], "kept"),
    "openpyxl-defined-names": (_openpyxl(_op_defined_names), "Oppilaat", [3], "kept"),
    "openpyxl-doc-properties": (_openpyxl(_op_properties), "Oppilaat", [3], "kept"),
    "openpyxl-fixed-row-dropdown": (_openpyxl(_op_fixed_row_dropdown), "Oppilaat", [3], "pudotusvalikon"),
    "openpyxl-fixed-row-dropdown-above": (_openpyxl(_op_fixed_row_dropdown), "Oppilaat", [7, 8], "kept"),
    "openpyxl-formula-name": (_openpyxl(_op_formula_name), "Oppilaat", [3], "nimetyt alueet"),
    "openpyxl-internal-link": (_openpyxl(_op_internal_link), "Oppilaat", [3], "linkit, jotka osoittavat poistettaville riveille"),
    "openpyxl-internal-link-above": (_openpyxl(_op_internal_link), "Oppilaat", [8], "kept"),
    "openpyxl-internal-link-relationship": (_openpyxl(_op_internal_link_relationship), "Oppilaat", [4], "linkit"),
    "xlsxwriter-textbox": (_xlsxwriter(_xw_textbox), "Oppilaat", [5], "muodot"),
    "xlsxwriter-textbox-below": (_xlsxwriter(_xw_textbox), "Oppilaat", [3], "kept"),
    "xlsxwriter-picture": (_xlsxwriter(_xw_image), "Oppilaat", [2], "kuvat"),
    "xlsxwriter-picture-above": (_xlsxwriter(_xw_image), "Oppilaat", [3], "kept"),
    "xlsxwriter-chart": (_xlsxwriter(_xw_chart), "Oppilaat", [3], "kaaviot"),
    "xlsxwriter-sparklines": (_xlsxwriter(_xw_sparklines), "Oppilaat", [3], "minikaaviot"),
    "xlsxwriter-data-bars": (_xlsxwriter(_xw_databar), "Oppilaat", [3], "kept"),
    "xlsxwriter-notes": (_xlsxwriter(_xw_notes), "Oppilaat", [3], "kept"),
    "xlsxwriter-checkbox": (_xlsxwriter(_xw_checkbox), "Oppilaat", [3], "kept"),
    "xlsxwriter-macros": (_xlsxwriter(_xw_macros, ".xlsm"), "Oppilaat", [3], "kept"),
    "xlsxwriter-header-picture": (_xlsxwriter(_xw_header_picture), "Oppilaat", [3], "kept"),
    "xlsxwriter-background": (_xlsxwriter(_xw_background), "Oppilaat", [3], "kept"),
    "xlsxwriter-cross-sheet-dropdown": (_xlsxwriter(_xw_cross_sheet_dropdown), "Oppilaat", [3], "kept"),
    "injected-threaded-comments": (_injected("threaded", {"xl/threadedComments/threadedComment1.xml": THREADED},
                                             ("threadedComment", "../threadedComments/threadedComment1.xml")),
                                   "Opinnot", [3], "kept"),
    "injected-pivot-source": (_injected("pivot", {"xl/pivotCache/pivotCacheDefinition1.xml": PIVOT}),
                              "Opinnot", [3], "pivot-taulukot"),
    "injected-x14-dropdown": (_injected("x14", {}, None, X14_DROPDOWN), "Opinnot", [3], "kept"),
    "injected-custom-xml": (_injected("customxml", {"customXml/item1.xml": CUSTOM_XML}), "Opinnot", [3], "kept"),
    "injected-slicer": (_injected("slicer", {"xl/slicers/slicer1.xml": b"<slicers/>"}, ("slicer", "../slicers/slicer1.xml"),
                                  SLICER_LIST), "Opinnot", [3], "osittajat"),
}


def _sheet_parts(path: Path, *sheets: str) -> set[str]:
    package = Package.read(path)
    return {package.sheets[s] for s in sheets if s in package.sheets}


@pytest.mark.parametrize("name", list(ZOO))
def test_a_change_keeps_every_feature_byte_for_byte(tmp_path, name):
    build, _sheet, _rows, _expected = ZOO[name]
    path = build(tmp_path / "rekisteri.xlsx")
    before = parts(path)
    write_changes(path, RegisterChange().update("Oppilaat", 3, "Etunimi", "Muutettu")
                  .append("Oppilaat", {"Oppilasnumero": "0099", "Etunimi": "Uusi"}),
                  expected=fingerprint(path), now=NOW)
    after = parts(path)
    rewritten = _sheet_parts(path, "Oppilaat", "Loki") | {"xl/sharedStrings.xml"}   # the old text is blanked
    assert set(before) <= set(after)
    assert {n for n in before if before[n] != after[n]} <= rewritten
    values = read_values(path)["Oppilaat"]
    assert values[3][1] == "Muutettu" and values[10][:2] == ("0099", "Uusi")
    if path.suffix == ".xlsm":
        assert b"macroEnabled" in after["[Content_Types].xml"] and after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]


@pytest.mark.parametrize("name", list(ZOO))
def test_deleting_rows_keeps_the_feature_or_refuses_untouched(tmp_path, name):
    build, sheet, rows, expected = ZOO[name]
    path = build(tmp_path / "rekisteri.xlsx")
    before_bytes = path.read_bytes()
    before = parts(path)
    change = RegisterChange().delete_rows(sheet, rows)
    if expected == "kept":
        write_changes(path, change, expected=fingerprint(path), now=NOW)
        after = parts(path)
        assert set(before) <= set(after)
        assert len(read_values(path)[sheet]) == len(read_values(io.BytesIO(before_bytes).getvalue())[sheet]) - len(rows)
        openpyxl.load_workbook(path)   # still a workbook openpyxl can read
    else:
        with pytest.raises(WouldLoseContent) as caught:
            write_changes(path, change, expected=fingerprint(path), now=NOW)
        message = caught.value.message("fi")
        assert expected in message and "Mitään ei kirjoitettu" in message
        assert path.read_bytes() == before_bytes
        assert caught.value.exit_code == 3


def test_deleting_rows_moves_xlsxwriter_notes_and_extension_formats(tmp_path):
    path = _xlsxwriter(_xw_notes)(tmp_path / "r.xlsx")
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [3, 4]), expected=fingerprint(path), now=NOW)
    sheet = openpyxl.load_workbook(path)["Oppilaat"]
    notes = {c.coordinate: c.comment.text for row in sheet.iter_rows() for c in row if c.comment}
    assert notes == {"B5": "Muistiinpano riville 7"}
    vml = next(v for n, v in parts(path).items() if n.endswith(".vml"))
    assert vml.count(b"<x:Row>") == 1 and b"<x:Row>4</x:Row>" in vml

    path = _xlsxwriter(_xw_databar)(tmp_path / "d.xlsx")
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [3]), expected=fingerprint(path), now=NOW)
    sheet_xml = parts(path)["xl/worksheets/sheet1.xml"]
    assert b"<xm:sqref>D2:D8</xm:sqref>" in sheet_xml and b'sqref="D2:D8"' in sheet_xml


def test_deleting_rows_moves_tables_and_defined_names(tmp_path):
    path = _openpyxl(_op_table)(tmp_path / "t.xlsx")
    write_changes(path, RegisterChange().delete_rows("Opinnot", [3, 4]), expected=fingerprint(path), now=NOW)
    table = next(iter(openpyxl.load_workbook(path)["Opinnot"].tables.values()))
    assert table.ref == "A1:F7"

    path = _openpyxl(_op_defined_names)(tmp_path / "n.xlsx")
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [2, 6]), expected=fingerprint(path), now=NOW)
    book = openpyxl.load_workbook(path)
    assert book.defined_names["Oma_alue"].attr_text == "'Oppilaat'!$A$4:$C$7"


@pytest.mark.libreoffice
def test_libreoffice_opens_the_changed_zoo(tmp_path, soffice):
    path = _xlsxwriter(_xw_notes)(tmp_path / "r.xlsx")
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [3]).update("Oppilaat", 2, "Syntymäaika", date(2017, 5, 6))
                  .append("Oppilaat", {"Oppilasnumero": "0100", "Etunimi": "=1+1"}), expected=fingerprint(path), now=NOW)
    text = convert([path], "csv", tmp_path / "csv", suffix=".csv")[path].read_text(encoding="utf-8", errors="replace")
    assert "0001,Etu1,Suku1,06/05/2017" in text or "0001,Etu1,Suku1,6.5.2017" in text or "0001,Etu1" in text
    assert "0100,=1+1" in text            # text stayed text: LibreOffice did not compute it
    assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("name, code, sheet", [
    ("xlsxwriter-textbox", "shapes", "Oppilaat"), ("xlsxwriter-picture", "pictures", "Oppilaat"),
    ("xlsxwriter-chart", "charts", "Kaavio"), ("xlsxwriter-sparklines", "sparklines", "Oppilaat"),
    ("xlsxwriter-data-bars", "extension-formats", "Oppilaat"), ("xlsxwriter-notes", "comments", "Oppilaat"),
    ("xlsxwriter-macros", "macros", None), ("xlsxwriter-header-picture", "header-footer-pictures", "Oppilaat"),
    ("xlsxwriter-background", "background", "Oppilaat"), ("injected-custom-xml", "custom-xml", None),
    ("injected-threaded-comments", "threaded-comments", "Opinnot"), ("injected-slicer", "slicers", "Opinnot"),
    ("injected-x14-dropdown", "extension-validations", "Opinnot"),
    ("openpyxl-table", "tables", "Opinnot"), ("openpyxl-formulas", "formulas", "Oppilaat"),
])
def test_the_inventory_names_each_feature_and_its_sheet(tmp_path, name, code, sheet):
    from toolkit.xlsx.deletion_guard import Feature, workbook_features

    path = ZOO[name][0](tmp_path / "rekisteri.xlsx")
    found = workbook_features(Package.read(path))
    assert Feature(code, sheet) in found
    assert all(f.describe("fi") and f.describe("en") for f in found)


def test_extension_dropdown_range_moves_with_the_rows(tmp_path):
    path = ZOO["injected-x14-dropdown"][0](tmp_path / "rekisteri.xlsx")
    write_changes(path, RegisterChange().delete_rows("Opinnot", [3, 4]), expected=fingerprint(path), now=NOW)
    package = Package.read(path)
    sheet = package.parts[package.sheets["Opinnot"]]
    assert b"<xm:sqref>B2:B7</xm:sqref>" in sheet and b"Opintokokonaisuudet!$A$2:$A$20" in sheet


@pytest.mark.libreoffice
def test_a_register_saved_by_libreoffice_takes_every_kind_of_change(tmp_path, soffice):
    source = build_register(tmp_path / "lahde.xlsx", class_of())
    path = to_xlsx([source], tmp_path / "lo")[source]
    assert b"sharedStrings" in path.read_bytes()        # LibreOffice keeps text in the shared-string table
    write_changes(path, RegisterChange().update("Oppilaat", 2, "Sähköposti", "uusi@example.fi")
                  .update("Oppilaat", 3, "Poistopyyntö", date(2026, 11, 1)).delete_rows("Oppilaat", [4, 5])
                  .delete_rows("Opinnot", [2]).append("Todistukset", {"Todistusnumero": "2026-001", "Päivämäärä": date(2026, 6, 1)})
                  .scrub(["perhe3@example.fi"]), expected=fingerprint(path), now=NOW)
    values = read_values(path)
    assert values["Oppilaat"][2][5] == "uusi@example.fi" and values["Oppilaat"][3][10] == date(2026, 11, 1)
    assert [values["Oppilaat"][r][0] for r in (4, 5)] == ["0005", "0006"]
    assert values["Todistukset"][2] == ("2026-001", None, None, date(2026, 6, 1))
    again = tmp_path / "again"
    every_sheet_utf8 = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
    run_soffice(["--convert-to", every_sheet_utf8, "--outdir", str(again), str(path)], timeout=180)
    text = (again / "lahde-Oppilaat.csv").read_text(encoding="utf-8")
    assert "0001,Aino,Virtanen" in text and "uusi@example.fi" in text   # LibreOffice opens the result


def test_threaded_comments_move_with_their_rows_and_go_with_the_person(tmp_path):
    path = ZOO["injected-threaded-comments"][0](tmp_path / "rekisteri.xlsx")
    write_changes(path, RegisterChange().delete_rows("Opinnot", [2]), expected=fingerprint(path), now=NOW)
    assert b'ref="B2"' in parts(path)["xl/threadedComments/threadedComment1.xml"]      # B3 moved up
    write_changes(path, RegisterChange().delete_rows("Opinnot", [2]), expected=fingerprint(path), now=NOW)
    assert b"threadedComment " not in parts(path)["xl/threadedComments/threadedComment1.xml"]   # went with row

    path = ZOO["injected-threaded-comments"][0](tmp_path / "toinen.xlsx")
    write_changes(path, RegisterChange().scrub(["Tarkista tunnit"]), expected=fingerprint(path), now=NOW)
    assert b"Tarkista" not in parts(path)["xl/threadedComments/threadedComment1.xml"]


def test_pictures_and_shapes_below_deleted_rows_move_up(tmp_path):
    path = ZOO["openpyxl-picture-below"][0](tmp_path / "kuva.xlsx")
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [3, 4]), expected=fingerprint(path), now=NOW)
    drawing = parts(path)["xl/drawings/drawing1.xml"]
    assert b"<row>17</row>" in drawing                       # P20 (row 19 from zero) moved up by two
    path = ZOO["xlsxwriter-textbox"][0](tmp_path / "laatikko.xlsx")
    before = parts(path)["xl/drawings/drawing1.xml"]
    write_changes(path, RegisterChange().delete_rows("Oppilaat", [3]), expected=fingerprint(path), now=NOW)
    after = parts(path)["xl/drawings/drawing1.xml"]
    assert b"Muista" in after and before != after
