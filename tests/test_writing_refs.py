"""References after deleting or appending rows (toolkit.model.refs, toolkit.xlsx.row_shifts): boundary tables and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.model.refs import column_index, column_letters
from toolkit.xlsx.row_shifts import RowMap, extend_ref, extend_sqref, shift_ref, shift_sqref


@pytest.mark.parametrize("ref, deleted, expected", [
    ("B3", [5], "B3"),                      # above the deleted row: unchanged
    ("B5", [5], None),                      # on it: gone
    ("B6", [5], "B5"),                      # below: up by one
    ("$B$9", [2, 3, 4], "$B$6"),            # absolute markers kept
    ("A2:C10", [4, 5], "A2:C8"),            # a range shrinks
    ("A4:C5", [4, 5], None),                # every row deleted
    ("A4:C6", [4, 5], "A4:C4"),             # first rows deleted: starts at the next survivor
    ("A2:C4", [4], "A2:C3"),                # last row deleted
    ("A2:C4", [1], "A1:C3"),
    ("A:A", [3], "A:A"),                    # whole columns are unaffected
    ("3:5", [4], "3:4"),                    # whole rows
    ("A2:A1048576", [10], "A2:A1048575"),
    ("N5:O6", [3, 4], "N3:O4"),
], ids=lambda v: str(v))
def test_shift_ref(ref, deleted, expected):
    assert shift_ref(ref, deleted) == expected


@pytest.mark.parametrize("sqref, deleted, expected", [
    ("A2:A9 C4", [4], "A2:A8"),
    ("C4 D5", [4, 5], None),
    ("A1 B2:B3 C7", [2], "A1 B2:B2 C6"),
], ids=lambda v: str(v))
def test_shift_sqref(sqref, deleted, expected):
    assert shift_sqref(sqref, deleted) == expected


@pytest.mark.parametrize("ref, last, new_last, expected", [
    ("A2:A9", 9, 10, "A2:A10"),             # ends on the last data row: grows
    ("A2:A1000", 9, 10, "A2:A1000"),        # already covers it
    ("A1:M9", 9, 10, "A1:M10"),
    ("B9", 9, 10, "B9"),                    # a single cell never grows
    ("A12:A13", 9, 10, "A12:A13"),          # starts below: unchanged
], ids=lambda v: str(v))
def test_extend_ref(ref, last, new_last, expected):
    assert extend_ref(ref, last, new_last) == expected


def test_extend_sqref():
    assert extend_sqref("A2:A9 C2:C9 D5", 9, 10) == "A2:A10 C2:C10 D5"


@given(st.integers(1, 18278))
def test_column_letters_round_trip(index):
    assert column_index(column_letters(index)) == index


@given(deleted=st.sets(st.integers(1, 60), max_size=20), first=st.integers(1, 60), length=st.integers(0, 20))
def test_shifted_range_is_the_span_of_its_surviving_rows(deleted, first, length):
    last = first + length
    rows = RowMap(sorted(deleted))
    survivors = [rows(r) for r in range(first, last + 1) if r not in deleted]
    result = shift_ref(f"A{first}:B{last}", rows)
    if not survivors:
        assert result is None
    else:
        assert result == f"A{survivors[0]}:B{survivors[-1]}"
        assert survivors == list(range(survivors[0], survivors[-1] + 1))   # survivors stay contiguous
