"""The sheet scan (toolkit.xlsx.sheet_scan) on hand-written worksheet XML: namespace prefixes, implicit and
reordered positions, styled empty cells, strays, and pieces cut anywhere giving the same answer."""

from __future__ import annotations

import zipfile

import pytest

from toolkit.model.errors import NotAWorkbook
from toolkit.xlsx import sheet_scan

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(path, sheet_xml: str, prefix: str = "") -> None:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                   f'relationships"><Relationship Id="r1" Type="{REL}/officeDocument" '
                                   f'Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<{p}workbook {xmlns} xmlns:r="{REL}"><{p}sheets><{p}sheet name="Oppilaat" '
                                       f'sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                                                  f'2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" '
                                                  f'Target="worksheets/sheet1.xml"/></Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml", f'<{p}worksheet {xmlns}><{p}sheetData>{sheet_xml}</{p}sheetData>'
                                                f'</{p}worksheet>'.replace("<X", f"<{p}").replace("</X", f"</{p}"))


def rows(n: int, extra: str = "") -> str:
    return "".join(f'<Xrow r="{r}"><Xc r="A{r}" t="inlineStr"><Xis><Xt>a{r}</Xt></Xis></Xc>'
                   f'<Xc r="B{r}"><Xv>{r}</Xv></Xc></Xrow>' for r in range(1, n + 1)) + extra


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_stray_is_found_with_or_without_a_namespace_prefix(tmp_path, prefix):
    path = tmp_path / "r.xlsx"
    package(path, rows(20, '<Xrow r="1048576"><Xc r="XFD1048576"><Xv>1</Xv></Xc></Xrow>'), prefix)
    scan = sheet_scan.scan_sheets(path)["Oppilaat"]
    assert scan.rows == 21 and scan.last_row == 1048576 and scan.wide
    assert scan.region == (20, 2) and scan.stray == ("XFD1048576", 1)


def test_styled_empty_cells_far_away_are_no_strays(tmp_path):
    path = tmp_path / "r.xlsx"
    package(path, rows(20, '<Xrow r="1048576"><Xc r="XFD1048576" s="3"/><Xc r="A1048576" s="1"></Xc></Xrow>'))
    scan = sheet_scan.scan_sheets(path)["Oppilaat"]
    assert scan.sparse and scan.region is None and scan.stray is None


def test_implicit_positions_and_r_not_first(tmp_path):
    path = tmp_path / "r.xlsx"
    body = ('<Xrow><Xc><Xv>1</Xv></Xc><Xc><Xv>2</Xv></Xc></Xrow>' * 5
            + '<Xrow spans="1:1" r="70000"><Xc t="n" r="C70000"><Xv>3</Xv></Xc></Xrow>')
    package(path, body)
    scan = sheet_scan.scan_sheets(path)["Oppilaat"]
    assert scan.last_row == 70000 and scan.stray == ("C70000", 1) and scan.region == (5, 3)


def test_pieces_cut_anywhere_give_the_same_scan(tmp_path, monkeypatch):
    path = tmp_path / "r.xlsx"
    formulas = "".join(f'<Xrow r="{r}"><Xc r="C{r}"><Xf>SUM(A{r}:B{r})</Xf><Xv>0</Xv></Xc></Xrow>'
                       for r in range(30, 60))
    package(path, rows(29, formulas + '<Xrow r="61" hidden="1"><Xc r="A61"><Xv>1</Xv></Xc></Xrow>'))
    whole = sheet_scan.scan_sheets(path)["Oppilaat"]
    for size in (61, 300, 4096):          # any size that holds a cell (2 x CHUNK is the most carried)
        monkeypatch.setattr(sheet_scan, "CHUNK", size)
        cut = sheet_scan.scan_sheets(path)["Oppilaat"]
        assert (cut.rows, cut.last_row, cut.formulas, cut.hidden_rows) == \
            (whole.rows, whole.last_row, whole.formulas, whole.hidden_rows), size
    assert len(whole.formulas) == 30 and whole.formulas["C30"] == "=SUM(A30:B30)" and whole.hidden_rows == {61}


def test_a_long_text_is_refused_wherever_the_pieces_are_cut(tmp_path, monkeypatch):
    path = tmp_path / "r.xlsx"
    package(path, rows(3, '<Xrow r="4"><Xc r="A4" t="inlineStr"><Xis><Xt>' + "x" * (300 * 1024)
                      + "</Xt></Xis></Xc></Xrow>"))
    for size in (1000, 100_000, sheet_scan.CHUNK):
        monkeypatch.setattr(sheet_scan, "CHUNK", size)
        with pytest.raises(NotAWorkbook, match="32 767"):
            sheet_scan.scan_sheets(path)


def test_a_text_as_long_as_a_cell_can_hold_is_fine(tmp_path):
    path = tmp_path / "r.xlsx"
    package(path, rows(3, '<Xrow r="4"><Xc r="A4" t="inlineStr"><Xis><Xt>' + "&quot;" * 32767
                      + "</Xt></Xis></Xc></Xrow>"))
    assert sheet_scan.scan_sheets(path)["Oppilaat"].stray is None
