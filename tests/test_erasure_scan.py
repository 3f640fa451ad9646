"""The proof scan finds an erased person's values in every spelling and every place, and nothing else."""

from __future__ import annotations

import unicodedata
import zipfile
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.erasure.scan import Kept, Person, ScanReport, needles_for, scan_file, scan_folder, search_text
from toolkit.model.errors import ErasureIncomplete

PERSON = Person(first_name="Äijö", last_name="O'Brien-Öhman", guardian="Maija Öhman", email="Perhe.Ohman@example.fi",
                phone="040 123 4567", birth_date=date(2019, 3, 1))


def kinds(data: str | bytes, person: Person = PERSON, kept: Kept | None = None) -> list[str]:
    needles, _ = needles_for([person], kept or Kept())
    report = ScanReport()
    search_text("part", data.encode() if isinstance(data, str) else data, needles, report)
    return sorted({h.kind for h in report.hits})


@pytest.mark.parametrize("text, expected", [
    ("<t>Äijö O'Brien-Öhman</t>", ["name"]),
    ("<t>" + unicodedata.normalize("NFD", "Äijö O'Brien-Öhman") + "</t>", ["name"]),              # NFD
    ("<t>ÄIJÖ O'BRIEN-ÖHMAN</t>", ["name"]),                                                      # case
    ("<t>&#196;ij&#246; O&apos;Brien-&#214;hman</t>", ["name"]),                                  # XML-escaped
    ("<r><t>Äijö</t></r><r><t xml:space=\"preserve\"> O'Brien-Öhman</t></r>", ["name"]),           # split runs
    ("<t>O'Brien-Öhman   Äijö</t>", ["name"]),                                                    # reversed
    ("<t>Äijö\u200b O'Brien-Öhman</t>", ["name"]),                                                # zero-width
    ("Target=\"mailto:perhe.ohman%40example.fi\"", ["email"]),                                     # URL-encoded
    ("<t>PERHE.OHMAN@EXAMPLE.FI</t>", ["email"]),
    ("<t>0401234567</t>", ["phone"]), ("<t>+358 40 123 4567</t>", ["phone"]), ("<t>(040) 123-4567</t>", ["phone"]),
    ("<t>1.3.2019</t>", ["birth-date"]), ("<t>01.03.2019</t>", ["birth-date"]), ("<t>2019-03-01T00:00:00</t>", ["birth-date"]),
    ("<c r=\"D2\" s=\"1\"><v>43525</v></c>", ["birth-date"]),                                       # Excel serial
    ("<vt:lpwstr>Maija Öhman</vt:lpwstr>", ["guardian"]),
    ("<t>Soita Maija Öhmanille tai Äijö O'Brien-Öhmanin isälle</t>", ["guardian", "name"]),     # inflected
    ("<t>ÄIJÖ O'BRIEN-ÖHMAN:lle</t>", ["name"]),
    ("Äijö O'Brien-Öhman".encode("utf-16-le").join([b"\x01\x00\x00\x00", b"\x00\x00"]), ["name"]),           # binary UTF-16
], ids=["plain", "nfd", "upper", "escaped", "runs", "reversed", "zero-width", "mailto", "email-case",
        "phone-compact", "phone-intl", "phone-punct", "date-dmy", "date-padded", "date-iso", "serial", "guardian",
        "inflected", "colon-ending", "utf16"])
def test_every_spelling_is_found(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", [
    "<t>Äijö O'Brien-Öhmanen</t>", "<t>Äijö</t>", "<t>xperhe.ohman@example.fi.com</t>", "<t>11.3.2019</t>",
    "<t>1.3.20190</t>", "<t>04012345678</t>", "<c><v>435250</v></c>", "<t>Hours 43525 h</t>",
    "<c><is><t>O'Brien-Öhman</t></is></c><c><is><t>äijö.x@example.fi</t></is></c>",
], ids=["longer-name", "first-name-only", "other-email", "other-day", "longer-year", "longer-phone",
        "longer-serial", "serial-in-text", "neighbouring-cells"])
def test_near_misses_are_not_hits(text):
    assert kinds(text) == []


def test_values_other_people_keep_prove_nothing_and_are_counted():
    kept = Kept()
    for value in ("perhe.ohman@example.fi", "Maija Öhman", "+358401234567", date(2019, 3, 1)):
        kept.add_text(value)
    needles, skipped = needles_for([PERSON], kept)
    assert skipped == 4
    assert sorted({n.kind for n in needles}) == ["name"]


def make_zip(path, parts):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_package_is_searched_part_by_part_and_hits_name_the_place(tmp_path):
    doc = make_zip(tmp_path / "2025-001.docx", {"word/document.xml": "<w:t>Äijö O'Brien-Öhman</w:t>",
                                                  "docProps/core.xml": "<dc:creator>Anna</dc:creator>"})
    needles, _ = needles_for([PERSON], Kept())
    report = ScanReport()
    scan_file(doc, needles, report, "2025-001.docx")
    assert [(h.place, h.kind) for h in report.hits] == [("2025-001.docx: word/document.xml", "name")]
    assert report.places == 2
    with pytest.raises(ErasureIncomplete) as error:
        report.raise_if_dirty()
    message = error.value.message("fi")
    assert "2025-001.docx: word/document.xml: poistetun henkilön nimi" in message
    assert "Äijö" not in message and "Brien" not in message


def test_folders_are_walked_without_following_links_or_skipped_files(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "leak.txt").write_text("Äijö O'Brien-Öhman")
    folder = tmp_path / "todistukset"
    (folder / "2025").mkdir(parents=True)
    (folder / "2025" / "lista.csv").write_text("nimi\nMuu Oppilas\n")
    (folder / "mine.docx").write_text("Äijö O'Brien-Öhman")
    (folder / "link").symlink_to(outside)
    needles, _ = needles_for([PERSON], Kept())
    report = ScanReport()
    scan_folder(folder, needles, report, skip=[folder / "mine.docx"])
    assert report.clean and report.places == 1
    (folder / "2025" / "kopio.txt").write_text("perhe.ohman@example.fi")
    scan_folder(folder, needles, report)
    assert sorted(h.kind for h in report.hits) == ["email", "name"]


def test_a_zip_bomb_part_or_broken_package_cannot_be_proved_clean(tmp_path):
    broken = tmp_path / "rikki.docx"
    broken.write_bytes(b"PK\x03\x04 truncated")
    needles, _ = needles_for([PERSON], Kept())
    report = ScanReport()
    scan_file(broken, needles, report)
    assert not report.clean and report.unreadable


@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖéü' -", min_size=3, max_size=20)
       .filter(lambda s: len(s.split()) >= 1 and s.strip(" -'") != ""),
       form=st.sampled_from(["NFC", "NFD"]), upper=st.booleans())
def test_any_name_is_found_in_any_form_once_written_to_xml(name, form, upper):
    from xml.sax.saxutils import escape

    person = Person(first_name=name.strip(), last_name="Testinen")
    written = unicodedata.normalize(form, f"{name.strip()} Testinen")
    written = written.upper() if upper else written
    assert "name" in kinds("<t>" + escape(written, {"'": "&apos;"}) + "</t>", person)


@pytest.mark.parametrize("text", ["<t>12.4.2018 040 123 4567</t>", "<t>puh.+358401234567.</t>",
                                  "<t>Äijö O'Brien-Öhman (s. 1.3.2019)</t>"])
def test_values_touching_other_digits_or_words_are_still_found(text):
    assert kinds(text)


# --- text as a reader sees it -----------------------------------------------------------------------

RICH = {
    "inline-bold-word": '<c r="A1" t="inlineStr"><is><r><t xml:space="preserve">Soita </t></r><r><rPr><b val="1"/>'
                        '</rPr><t>Äijö</t></r><r><t xml:space="preserve"> O\'Brien-Öhman</t></r></is></c>',
    "shared-bold-phone": '<si><r><t xml:space="preserve">puh. 040 123 </t></r><r><rPr><b/><sz val="11"/>'
                         '<rFont val="Calibri"/></rPr><t>4567</t></r></si>',
    "shared-bold-date": '<si><r><t>s. 1.3.</t></r><r><rPr><i/></rPr><t>2019</t></r></si>',
    "comment-runs": '<comment ref="B3" authorId="0"><text><r><rPr><b/></rPr><t>Maija</t></r><r><t xml:space='
                    '"preserve"> Öhman soitti</t></r></text></comment>',
    "word-runs": '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Äijö</w:t></w:r><w:proofErr w:type="spellStart"/><w:r>'
                 '<w:tab/><w:t>O\'Brien-Öhman</w:t></w:r></w:p>',
    "header-codes": '<headerFooter><oddHeader>&amp;L&amp;"Arial,Bold"&amp;14Äijö O\'Brien-Öhman&amp;R&amp;B'
                    '040 123 4567</oddHeader></headerFooter>',
    "excel-escape": '<si><t>Äijö_x0020_O\'Brien-Öhman</t></si>',
    "html-bold": "<p>Oppilas <b>Äijö</b> O'Brien-Öhman</p>",
}
RICH_KINDS = {"inline-bold-word": ["name"], "shared-bold-phone": ["phone"], "shared-bold-date": ["birth-date"],
              "comment-runs": ["guardian"], "word-runs": ["name"], "header-codes": ["name", "phone"],
              "excel-escape": ["name"], "html-bold": ["name"]}


@pytest.mark.parametrize("case", sorted(RICH))
def test_rich_text_and_codes_are_read_as_a_reader_sees_them(case):
    assert kinds(RICH[case]) == RICH_KINDS[case]


@pytest.mark.parametrize("text", [
    '<row><c><v>040</v></c><c><v>1234567</v></c></row>',              # digits of two cells are not a phone
    '<row><c><is><t>1.3.</t></is></c><c><is><t>2019</t></is></c></row>',  # nor a date
    '<si><t>040 123</t></si><si><t>4567</t></si>',                      # nor two shared strings
])
def test_neighbouring_cells_do_not_run_together(text):
    assert kinds(text) == []


def test_windows_1252_text_is_read():
    csv = "Etunimi;Sukunimi;Puhelin\nÄijö;Öhman;\nMaija Öhman;;\n".encode("cp1252")
    assert kinds(csv) == ["guardian"]


def workbook_bytes(cells: dict[str, str]) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    for ref, value in cells.items():
        wb.active[ref] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_workbook_embedded_in_a_workbook_is_opened(tmp_path):
    inner = workbook_bytes({"A1": "Äijö O'Brien-Öhman", "B1": "perhe.ohman@example.fi"})
    outer = make_zip(tmp_path / "rekisteri.xlsx", {"xl/workbook.xml": "<workbook/>",
                                                    "xl/embeddings/Microsoft_Excel_Worksheet1.xlsx": inner})
    needles, _ = needles_for([PERSON], Kept())
    report = ScanReport()
    scan_file(outer, needles, report, "rekisteri.xlsx")
    assert sorted({h.kind for h in report.hits}) == ["email", "name"]
    assert all(h.place.startswith("rekisteri.xlsx: xl/embeddings/Microsoft_Excel_Worksheet1.xlsx: xl/")
               for h in report.hits)


def test_a_docx_inside_a_docx_inside_a_workbook_is_opened(tmp_path):
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("Huoltaja Maija Öhman")
    buffer = io.BytesIO()
    document.save(buffer)
    middle = tmp_path / "middle.docx"
    make_zip(middle, {"word/document.xml": "<w:document/>", "word/embeddings/inner.docx": buffer.getvalue()})
    outer = make_zip(tmp_path / "outer.xlsx", {"xl/embeddings/Document1.docx": middle.read_bytes()})
    needles, _ = needles_for([PERSON], Kept())
    report = ScanReport()
    scan_file(outer, needles, report, "outer.xlsx")
    assert [h.kind for h in report.hits] == ["guardian"]
    assert report.hits[0].place.startswith("outer.xlsx: xl/embeddings/Document1.docx: word/embeddings/inner.docx")


def test_packages_nested_deeper_than_the_limit_are_unreadable_not_clean(tmp_path):
    from toolkit.erasure.scan import MAX_DEPTH

    data = workbook_bytes({"A1": "nobody"})
    for level in range(MAX_DEPTH + 1):
        holder = make_zip(tmp_path / f"level{level}.zip", {f"embeddings/level{level}.xlsx": data})
        data = holder.read_bytes()
    report = ScanReport()
    scan_file(holder, needles_for([PERSON], Kept())[0], report, "deep.xlsx")
    assert not report.hits and not report.clean and len(report.unreadable) == 1


def test_an_embedded_ole_object_cannot_be_called_clean(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    outer = make_zip(tmp_path / "rekisteri.xlsx", {"xl/embeddings/oleObject1.bin": ole})
    report = ScanReport()
    scan_file(outer, needles_for([PERSON], Kept())[0], report, "rekisteri.xlsx")
    assert report.unreadable == ["rekisteri.xlsx: xl/embeddings/oleObject1.bin"] and not report.clean


def test_paths_name_their_person_by_name_or_student_id():
    from toolkit.erasure.scan import search_path

    needles, _ = needles_for([Person(first_name="Äijö", last_name="Öhman", student_id="0113")], Kept())
    found = {}
    for path in ("todistukset/2024-001_0113.docx", "vastaukset/Öhman_Äijö.docx", "kuvat/10113.png",
                 "todistukset/2024-001_0114.docx", "muistio.txt"):
        report = ScanReport()
        search_path(path, path, needles, report)
        found[path] = sorted(h.kind for h in report.hits)
    assert found == {"todistukset/2024-001_0113.docx": ["student-id"], "vastaukset/Öhman_Äijö.docx": ["name"],
                     "kuvat/10113.png": [], "todistukset/2024-001_0114.docx": [], "muistio.txt": []}
