"""Hypothesis: `check` never crashes on arbitrary cell text or numbers, and its findings point at real cells."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from registers import AS_OF, build_register

from toolkit.jobs.check import load_checked
from toolkit.rules.cells import to_date
from toolkit.rules.identity_codes import find_identity_codes
from workbook_schema import DATA_SHEETS, SHEETS

# openpyxl refuses real control characters; Excel stores them escaped, which the reader also sees
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\x01\x02\x03\x04\x05"
                                      "\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                      "\x1a\x1b\x1c\x1d\x1e\x1f\x7f"), max_size=40)
VALUE = st.one_of(TEXT, st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                  st.booleans(), st.dates(min_value=date(1900, 1, 2), max_value=date(2100, 1, 1)), st.none())
CELL = st.tuples(st.sampled_from(DATA_SHEETS), st.integers(1, 14), st.integers(2, 6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(CELL, VALUE), min_size=1, max_size=6))
def test_check_never_crashes(tmp_path, edits):
    workbook_edits = {}
    for (sheet, col, row), value in edits:
        col = min(col, len(SHEETS[sheet].headers))
        workbook_edits[(sheet, f"{openpyxl.utils.get_column_letter(col)}{row}")] = value
    path = build_register(tmp_path / "r.xlsx", edits=workbook_edits)
    _register, result = load_checked(path, AS_OF)
    for finding in result.findings:
        assert finding.message("fi") and finding.message("en")
        if finding.cell:
            assert finding.row == int(finding.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_text_dates_round_trip(day):
    assert to_date(f"{day.day}.{day.month}.{day.year}") == (day, None)
    assert to_date(f"{day.day:02d}.{day.month:02d}.{day.year}") == (day, None)
    assert to_date(datetime(day.year, day.month, day.day)) == (day, None)


@given(st.text(max_size=60))
def test_identity_code_scan_never_crashes(text):
    for code, _valid in find_identity_codes(text):
        assert len(code) == 11
