"""The fast reader's one gap: calamine panics on a date cell whose number is no day; the sheet is then read
by openpyxl and the cell becomes an invalid-date finding (never a crash)."""

from __future__ import annotations

import pytest
from registers import AS_OF, build_register

from toolkit.jobs.check import load_checked


@pytest.mark.parametrize("cell", [("Opinnot", "E3"), ("Oppilaat", "D2")], ids=["Suoritettu", "Syntymäaika"])
def test_a_negative_huge_number_in_a_date_cell_is_an_invalid_date(tmp_path, cell):
    path = build_register(tmp_path / "r.xlsx", edits={cell: -10**12})
    _register, result = load_checked(path, AS_OF)
    assert [(f.sheet, f.cell, f.code, f.value) for f in result.findings] == [(*cell, "invalid-date", "#VALUE!")]


def test_the_fallback_gives_the_same_cells_as_calamine(tmp_path):
    from python_calamine import CalamineWorkbook

    from toolkit.xlsx.reading import _rows_by_openpyxl

    path = build_register(tmp_path / "r.xlsx")
    for name in ("Oppilaat", "Opinnot", "Opettajat"):
        fast = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)
        slow = _rows_by_openpyxl(path, name)
        assert len(slow) == len(fast) and all(len(a) == len(b) for a, b in zip(slow, fast, strict=True))
        assert [[_same(v) for v in r] for r in slow] == [[_same(v) for v in r] for r in fast]


def _same(v):
    """openpyxl gives 100 and datetime where calamine gives 100.0 and date: the check takes either."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return str(v)[:10]
