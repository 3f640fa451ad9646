"""Fast paths give exactly what the plain way gives: the shortcuts of reading and checking big registers."""

from __future__ import annotations

from xml.sax.saxutils import unescape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from toolkit.rules.cell_typing import nonblank_rows as _nonblank_rows
from toolkit.xlsx.sheet_scan import _FORMULA_START, _formulas, _may_hold_formula

# --- the formula prefilter never hides a formula ----------------------------------------------------

xml_bits = st.lists(st.sampled_from([b"<", b">", b":", b"f", b" ", b"/", b"x", b"c", b"<f>", b"<x:f ", b"</f>",
                                     b"<formula1>", b"ff"]), max_size=40).map(b"".join)


@given(xml_bits)
def test_prefilter_is_true_wherever_the_pattern_matches(xml):
    if _FORMULA_START.search(xml):
        assert _may_hold_formula(xml, len(xml))


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


def test_prefilter_gives_up_on_text_full_of_fs():
    xml = b"<t>" + b"f" * 5000 + b"</t>"
    assert _may_hold_formula(xml, len(xml)) is True
    assert _may_hold_formula(xml, len(xml), patience=10_000) is False


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
