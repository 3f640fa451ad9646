"""Fast paths give exactly what the plain way gives: the shortcuts of reading and checking big registers."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import unescape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from toolkit.rules.cell_typing import nonblank_rows as _nonblank_rows
from toolkit.xlsx.sheet_scan import _FORMULA_START, _formulas, _may_hold_formula

# --- the formula prefilter never hides a formula ----------------------------------------------------

xml_bits = st.lists(st.sampled_from([b"<", b">", b":", b"f", b" ", b"/", b"x", b"c", b"<f>", b"<x:f ", b"</f>",
                                     b"<formula1>", b"ff"]), max_size=40).map(b"".join)


@given(xml_bits, st.sampled_from([0, 2, 1000]))
def test_prefilter_is_true_wherever_the_pattern_matches(xml, patience):
    if _FORMULA_START.search(xml):
        assert _may_hold_formula(xml, len(xml), patience)


@pytest.mark.parametrize("xml, expected", [
    (b"<sheetData><row><c r=\"A1\"><v>1</v></c></row></sheetData>", False),
    (b"<sheetData><row><c r=\"A1\"><f>1+1</f></c></row></sheetData>", True),
    (b"<sheetData><row><c r=\"A1\"><x:f t=\"shared\"/></c></row></sheetData>", True),
    (b"<sheetData><row><c r=\"A1\"><f/></c></row></sheetData>", True),
    (b"<sheetData><c><is><t>off the fifth floor</t></is></c></sheetData>", False),   # f's in text
    (b"<sheetData></sheetData><dataValidation><formula1>L</formula1>", False),      # <formula1> is no <f>
    (b"<sheetData><c r=\"A1\"><f t=\"array\" ref=\"A1\">{1}</f></c></sheetData>", True),
], ids=["values", "formula", "prefixed-shared", "empty", "text-fs", "validation", "array"])
def test_prefilter_cases(xml, expected):
    assert _may_hold_formula(xml, len(xml)) is expected


@pytest.mark.parametrize("formula", [b"", b"<f>1+1</f>", b"<x:f t=\"shared\"/>"], ids=["none", "plain", "prefixed"])
def test_text_full_of_fs_is_decided_by_the_literal_searches(formula):
    xml = b"<t>" + b"f" * 5000 + b"</t>" + formula
    assert _may_hold_formula(xml, len(xml)) is bool(formula)                       # gave up on the f's
    assert _may_hold_formula(xml, len(xml), patience=10_000) is bool(formula)      # looked at every f


def test_formulas_outside_sheet_data_are_not_cells():
    xml = (b"<worksheet><sheetData><row r=\"2\"><c r=\"B2\"><f>SUM(A1:A2)</f><v>3</v></c></row></sheetData>"
           b"<dataValidations><dataValidation><formula1>Opettajalista</formula1></dataValidation></dataValidations>"
           b"</worksheet>")
    assert _formulas(xml, unescape) == {"B2": "=SUM(A1:A2)"}
    plain = xml.replace(b"<f>SUM(A1:A2)</f>", b"")
    assert _formulas(plain, unescape) == {}


# --- blank rows: only the rows still blank are looked at in the next column ---------------------------

cell = st.one_of(st.none(), st.just(""), st.sampled_from([" ", "\u00a0", "\t\n", "x", " y "]), st.integers(-1, 1),
                 st.floats(allow_nan=False, allow_infinity=False))


@given(st.integers(0, 12).flatmap(lambda n: st.lists(st.lists(cell, min_size=n, max_size=n), max_size=4)
                                  .map(lambda cols, n=n: (cols, n))))
def test_nonblank_rows_match_a_cell_by_cell_test(case):
    columns, count = case

    def blank(v):
        return v is None or v == "" or (isinstance(v, str) and not v.strip())

    expected = [i for i in range(count) if any(not blank(col[i]) for col in columns)]
    assert _nonblank_rows(columns, count) == expected


# --- clean text: one test on the joined column equals the test of each text ---------------------------

@pytest.mark.parametrize("value, clean", [
    ("Aino", True), ("Mäkelä", True), ("a b", True), ("x_y", True), ("|", True),
    (" Aino", False), ("Aino ", False), ("Aino\u00a0", False),            # a space at either end
    ("_x0041_", False), ("a_x", False),                                    # Excel's escape, or a start of one
    ("Ma\u0308kela\u0308", False),                                        # decomposed (NFD) letters
    ("rivi 1\nrivi 2", False), ("Ai\u200bno", False), ("a\tb", False),   # not printable
], ids=["ascii", "finnish", "inner-space", "underscore", "bar", "leading-space", "trailing-space", "trailing-nbsp",
        "escape", "escape-start", "nfd", "newline", "zero-width-space", "tab"])
def test_clean_text_is_printable_unpadded_unescaped_nfc(value, clean):
    from toolkit.rules.cell_typing import clean_text as _clean_text

    assert _clean_text(value) is clean


text = st.lists(st.sampled_from(["a", "\u00c4", "A\u0308", "\u0308", "|", " ", "_", "x", "\u00a0", "\n", "\u200b",
                                 "\u00e9", "1"]), min_size=1, max_size=6).map("".join)


@given(st.lists(text, max_size=8))
def test_joined_clean_text_test_equals_each_text(texts):
    from toolkit.rules.cell_typing import all_clean_text as _all_clean_text
    from toolkit.rules.cell_typing import clean_text as _clean_text

    each = all(_clean_text(t) for t in texts)
    assert _all_clean_text(texts) <= each          # never lets a dirty text through
    if not any("|" in t for t in texts):
        assert _all_clean_text(texts) == each


@given(st.lists(st.one_of(st.none(), st.just(""), text, st.floats(allow_nan=False), st.integers()), max_size=10),
       st.sampled_from(["text", "id", "choice"]))
def test_fast_values_of_text_columns_match_each_cell(raw, kind):
    from toolkit.rules.cell_typing import SLOW as _SLOW
    from toolkit.rules.cell_typing import clean_text as _clean_text
    from toolkit.rules.cell_typing import fast_values as _fast_values

    expected = [None if v == "" or v is None else (v if type(v) is str and _clean_text(v) else _SLOW)
                for v in raw]
    if kind == "choice":
        expected = [v.casefold() if type(v) is str else v for v in expected]
    assert _fast_values(kind, raw) == expected


# --- table widths: a decomposed letter takes no column of its own ----------------------------------

LATIN = st.text(st.sampled_from("aAäÄöÖåÅeéÉüõšž -0"), max_size=12)


@given(st.lists(st.tuples(LATIN, LATIN), min_size=1, max_size=5))
@example([("Mäkelä", "0001"), ("Laine", "0002")])
def test_a_table_lines_up_the_same_with_composed_or_decomposed_letters(rows):
    """A name typed on a Mac arrives decomposed (a + combining diaeresis) and shows as one letter: the
    table pads it exactly as the composed name, so its columns still line up."""
    from unicodedata import normalize

    from toolkit.reports.formats import format_table

    headers = ["Nimi", "Oppilasnumero"]
    composed = format_table([[normalize("NFC", v) for v in row] for row in rows], headers)
    decomposed = format_table([[normalize("NFD", v) for v in row] for row in rows], headers)
    assert normalize("NFC", decomposed) == composed


@given(st.lists(st.one_of(st.none(), st.text(max_size=5), st.floats(allow_nan=True), st.integers()), max_size=8))
def test_arrow_strings_equal_pandas_string_pyarrow(values):
    import pandas as pd

    from toolkit.rules.schema_check import _arrow_strings

    index = pd.Index(range(2, len(values) + 2))
    fast, plain = _arrow_strings(values, index), pd.Series(values, dtype="string[pyarrow]", index=index)
    assert fast.dtype == plain.dtype and fast.equals(plain)


# --- Arrow columns: each distinct value decided once gives what deciding every cell gives --------------------

# an Arrow column holds one kind of value: text, numbers (floats), booleans or dates, and blanks
ONE_KIND = st.sampled_from([
    st.one_of(st.just(""), text, st.sampled_from(["12.0", "0012", "1,00", " Syksy  2019", "KEVÄT 2024", "kevät 2024"])),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.dates(date(1899, 1, 1), date(2100, 1, 1))])
ARROW_COLUMN = ONE_KIND.flatmap(lambda kind: st.lists(st.one_of(st.none(), kind), max_size=12))


def _distinct(raw: list):
    """The column as an Arrow array (None is a blank cell) in distinct values, as the check takes it."""
    import pyarrow as pa

    from toolkit.rules.cell_typing import Distinct

    return Distinct.of(pa.array(raw))


@given(ARROW_COLUMN, st.sampled_from(["text", "id", "choice", "date", "number", "integer"]), st.booleans(),
       st.booleans())
def test_distinct_values_typed_once_equal_every_cell_typed(raw, kind, student_id, fold):
    from toolkit.rules.cell_typing import SLOW, fast_typed, folded, number_texts, object_array, typed_table

    plain = ["" if v is None else v for v in raw]
    expected, joined = fast_typed(kind, plain)
    if student_id:
        for i in number_texts(plain, joined):
            expected[i] = SLOW
    if fold:
        expected = folded(expected, joined)
    column = _distinct(raw)
    table, joined = typed_table(kind, student_id, column.values)
    if fold:
        table = folded(table, joined)
    assert list(object_array(table)[column.codes]) == expected


@given(st.integers(0, 10).flatmap(lambda n: st.lists(ONE_KIND.flatmap(
    lambda kind: st.lists(st.one_of(st.none(), kind), min_size=n, max_size=n)), max_size=4)
    .map(lambda cols, n=n: (cols, n))))
def test_nonblank_positions_equal_nonblank_rows(case):
    from toolkit.rules.cell_typing import nonblank_positions

    columns, count = case
    plain = [["" if v is None else v for v in c] for c in columns]         # python-calamine's blank is ""
    assert nonblank_positions([_distinct(c) for c in columns], count).tolist() == _nonblank_rows(plain, count)


@given(st.lists(st.one_of(st.none(), text), max_size=10), st.data())
def test_arrow_strings_from_distinct_values_equal_the_values(values, data):
    import pyarrow as pa

    from toolkit.rules.cell_typing import arrow_strings

    column = _distinct(values)
    patched = {i: data.draw(st.one_of(st.none(), text)) for i in data.draw(st.sets(st.integers(0, len(values) - 1)))
               } if values else {}
    expected = [patched.get(i, v if v != "" else None) for i, v in enumerate(values)]
    table = [None if v == "" else v for v in column.values]
    assert arrow_strings(table, column.codes, patched).equals(pa.array(expected, type=pa.large_string()))


HETU_TEXT = st.lists(st.sampled_from(["131052-308T", "010594Y9032", "131052\u2013308T", "x", " ", "astma", "Sairanen",
                                      "\n", "lääkkeitä", "1310523", "08T", "A"]), max_size=5).map("".join)


@given(st.lists(st.one_of(HETU_TEXT, st.just("")), max_size=10), st.booleans())
def test_text_scan_of_distinct_values_finds_the_cells_a_joined_scan_finds(texts, health):
    from toolkit.rules.text_scan import _joined_hits

    column = _distinct(texts)
    hit_values = {r - 1 for r, _t in _joined_hits(column.values, health)}
    found = [(i + 1, column.values[code]) for i, code in enumerate(column.codes) if code in hit_values]
    assert found == _joined_hits(texts, health)


@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["0001", "0002", "0003"])),
                          st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2000, 1, 10)))), max_size=12),
       st.dictionaries(st.one_of(st.none(), st.sampled_from(["0001", "0002", "0004"])),
                       st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2000, 1, 10))), max_size=4))
def test_study_rows_before_birth_decided_per_distinct_value_equal_row_by_row(rows, births):
    import pandas as pd

    from toolkit.rules.consistency import _completed_before

    ids = pd.Series([r[0] for r in rows], dtype=object)
    done = pd.Series([r[1] for r in rows], dtype=object)
    expected = [isinstance(d, date) and isinstance(b := births.get(s), date) and d < b for s, d in rows]
    assert _completed_before(ids, done, births.get).tolist() == expected


@given(st.lists(st.integers(2, 60), unique=True).map(sorted))
def test_gaps_equal_the_pairwise_comparison(rows):
    from toolkit.rules.validation import _gaps

    assert _gaps(rows) == [(a + 1, b - 1) for a, b in zip(rows, rows[1:], strict=False) if b - a > 1]


# --- the schema's frame: categorical and Arrow-given columns fail exactly where plain strings fail -------------

SEMESTERS = st.sampled_from(["syksy 2019", "kevät 2024", "kevät 20\u0661\u0669", "syksy 2019\n", "talvi 2019", "",
                             "syksy 19", "Syksy 2019"])
CHOICE = st.sampled_from(["aktiivinen", "tauolla", "päättynyt", "jees", "", "Aktiivinen"])


@given(st.lists(st.tuples(st.one_of(st.none(), SEMESTERS), st.one_of(st.none(), CHOICE),
                          st.one_of(st.none(), st.sampled_from(["0001", "0002", "x"]))), min_size=1, max_size=8))
def test_schema_failures_do_not_depend_on_the_frames_column_types(rows):
    import pyarrow as pa

    from toolkit.rules import schema_check
    from workbook_schema import SHEETS

    def values_of(sheet, columns):
        out = {h: [None] * len(rows) for h in SHEETS[sheet].headers}
        out.update(columns)
        return out

    for sheet, columns in (("Opinnot", {"Lukukausi": [r[0] for r in rows], "Oppilasnumero": [r[2] for r in rows]}),
                         ("Oppilaat", {"Tila": [r[1] for r in rows], "Oppilasnumero": [r[2] for r in rows]})):
        values = values_of(sheet, columns)
        arrow = {h: pa.array(v, type=pa.large_string()) for h, v in columns.items()}
        fast = schema_check.schema_failures(sheet, list(range(2, len(rows) + 2)), values, arrow)
        plain_frame = schema_check._frame
        try:                                   # the reference: every text column plain pyarrow strings
            schema_check._frame = lambda s, r, v, a=None: _plain_frame(s, r, v)
            plain = schema_check.schema_failures(sheet, list(range(2, len(rows) + 2)), values)
        finally:
            schema_check._frame = plain_frame
        assert sorted(fast) == sorted(plain)



def _plain_frame(sheet, rows, values):
    import pandas as pd

    from workbook_schema import SHEETS

    index = pd.Index(rows, name="row")
    data = {}
    for column in SHEETS[sheet].columns:
        series = values[column.header]
        if column.kind in ("number", "integer"):
            data[column.header] = pd.to_numeric(pd.Series(series, dtype=object, index=index), errors="coerce").astype(float)
        elif column.kind == "date":
            data[column.header] = pd.Series(series, dtype=object, index=index)
        else:
            data[column.header] = pd.Series(series, dtype="string[pyarrow]", index=index)
    return pd.DataFrame(data, index=index)


# --- the sheet scan: one pass for the rows and their numbers, chunks unpacked ahead -------------------------

ROW_BITS = st.lists(st.sampled_from([b'<row r="7">', b'<row r="12" spans="1:2">', b'<row>', b'<row/>', b'<row\tr="3">',
                                     b'<row spans="1:1" r="90000">', b'<rowBreaks>', b'<x:row r="5">', b"<c r=\"A1\"/>",
                                     b'</row>', b' r="AAA1"', b'<row r="1234567890">']), max_size=12).map(b"".join)


@given(ROW_BITS, st.sampled_from([b"", b"x:"]))
def test_rows_counted_in_one_pass_equal_the_two_patterns(xml, prefix):
    import re

    from toolkit.xlsx.sheet_scan import _ROW_NUMBER, SheetScan, _count_rows, _patterns

    scan = SheetScan("Oppilaat", "p", 0)
    _count_rows(scan, xml, _patterns(prefix))
    ns = re.escape(prefix)
    rows = len(re.findall(rb"<" + ns + rb"row[\s>/]", xml))              # the two patterns it replaces
    numbers = re.findall(rb"<" + ns + rb"row r=\"([0-9]{1,9})\"", xml)
    if len(numbers) < rows:
        numbers = _ROW_NUMBER.findall(xml)
    assert (scan.rows, scan.last_row) == (rows, max(map(int, numbers), default=0))


def test_chunks_unpacked_ahead_are_the_chunks_read_in_turn(tmp_path, monkeypatch):
    import zipfile

    from toolkit.xlsx import sheet_scan

    path = tmp_path / "p.zip"
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 400))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("s.xml", body)
    for size in (61, 300, 4096, 10**6):
        monkeypatch.setattr(sheet_scan, "CHUNK", size)
        with zipfile.ZipFile(path) as zf:
            ahead = list(sheet_scan._pieces(zf, "s.xml", ahead=True))
            plain = list(sheet_scan._pieces(zf, "s.xml"))
        assert ahead == plain and b"".join(ahead) == body
