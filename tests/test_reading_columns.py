"""Sheets read as Arrow columns (toolkit.xlsx.arrow_cells, fastexcel) give exactly the plain read's values
(python-calamine's ``to_python``), and the check finds exactly the same on them: on the default register with
every broken cell of tests/test_check.py, the structural cases of tests/test_bad_inputs.py, cells of every
kind Excel holds, the writer's feature zoo, the demo, a generated register, one saved by LibreOffice and
Hypothesis-made sheets. ``read_register(..., columns=False)`` is the plain way."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from registers import AS_OF, build_register
from test_check import ONE_BROKEN_CELL

from toolkit.rules.validation import check_register
from toolkit.xlsx.reading import read_register

ROOT = Path(__file__).resolve().parent.parent
ERROR = object()          # a real error cell (#N/A), as a formula Excel could not compute leaves it


def same_read(path: Path):
    """The register read both ways: every sheet's values, structure and cell access the same, the values equal
    to python-calamine's to_python (apart from the stray cells a plain read cuts off). Returns the fast read."""
    fast, plain = read_register(path), read_register(path, columns=False)
    workbook = CalamineWorkbook.from_path(str(path))
    assert fast.sheet_names == plain.sheet_names == list(workbook.sheet_names)
    for name in fast.sheet_names:
        f, p = fast.sheets[name], plain.sheets[name]
        assert (f.height, f.width, f.rows) == (p.height, p.width, p.rows), name
        if p.stray is None:
            assert p.rows == workbook.get_sheet_by_name(name).to_python(skip_empty_area=False), name
        assert (f.header_row, f.columns, f.duplicate_columns, f.extra_columns, f.formulas, f.hidden_rows, f.merged,
                f.stray) == (p.header_row, p.columns, p.duplicate_columns, p.extra_columns, p.formulas,
                             p.hidden_rows, p.merged, p.stray), name
        assert f.top_rows(10) == p.top_rows(10) and list(f.data_rows()) == list(p.data_rows())
        for column in range(1, p.width + 2):
            assert f.column_values(column) == p.column_values(column), (name, column)
        if p.height * p.width <= 2000:
            for row in range(1, p.height + 2):
                assert [f.value(row, c) for c in range(1, p.width + 2)] == \
                       [p.value(row, c) for c in range(1, p.width + 2)], (name, row)
    return fast


def same_check(path: Path, today: date = AS_OF):
    """The check of both reads: the same findings (with their folded findings and words), tables and settings."""
    fast = check_register(read_register(path), today)
    plain = check_register(read_register(path, columns=False), today)
    assert fast.findings == plain.findings
    assert fast.settings == plain.settings
    for attr in ("students", "studies", "units", "teachers", "certificates", "graduates", "contacts"):
        pd.testing.assert_frame_equal(getattr(fast.tables, attr), getattr(plain.tables, attr), check_exact=True)
    return fast


def columnar(path: Path) -> set[str]:
    return {name for name, sheet in read_register(path).sheets.items() if sheet.columnar}


# --- the default register and every broken cell of the one-broken-cell tests ----------------------------------

def test_the_default_register_is_read_as_columns_and_checked_the_same(tmp_path):
    path = build_register(tmp_path / "r.xlsx")
    assert {"Oppilaat", "Opinnot", "Opintokokonaisuudet", "Opettajat"} <= columnar(path)
    same_read(path)
    assert same_check(path).findings == []


@pytest.mark.slow
def test_every_broken_cell_is_found_the_same(tmp_path):
    for i, (sheet, cell, value, _code) in enumerate(ONE_BROKEN_CELL):
        path = build_register(tmp_path / f"r{i}.xlsx", edits={(sheet, cell): value})
        same_read(path)
        same_check(path)


# --- structure (tests/test_bad_inputs.py) and cells of every kind ---------------------------------------------

def _title_row(workbook):
    ws = workbook["Oppilaat"]
    ws.insert_rows(1)
    ws["A1"] = "Annan Muskari – oppilaat"
    ws.move_range("A2:A5", cols=13)
    ws.delete_cols(1)


def _errors(workbook):
    workbook["Opinnot"]["D3"] = "#N/A"            # openpyxl writes these as error cells
    workbook["Oppilaat"]["M2"] = "#DIV/0!"


def _rich_text(workbook):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    workbook["Oppilaat"]["M3"] = CellRichText(["Soittaa ", TextBlock(InlineFont(b=True), "rumpuja")])


STRUCTURE = {
    "title-row-reordered": {"customise": _title_row},
    "merged": {"customise": lambda wb: wb["Oppilaat"].merge_cells("M2:M3")},
    "merged-one-cell-and-wide": {"customise": lambda wb: (wb["Opinnot"].merge_cells("A2:F2"),
                                                         wb["Oppilaat"].merge_cells("B3:C3"))},
    "hidden-row": {"customise": lambda wb: setattr(wb["Opinnot"].row_dimensions[3], "hidden", True)},
    "blank-row-between": {"customise": lambda wb: wb["Opinnot"].insert_rows(3)},
    "blank-rows-after": {"edits": {("Opinnot", "A20"): " "}},
    "duplicate-header": {"edits": {("Opettajat", "C1"): "Nimi"}},
    "duplicate-header-numbered": {"edits": {("Opettajat", "C1"): "Nimi", ("Opettajat", "D1"): "Nimi_1"}},
    "renamed-header": {"edits": {("Opettajat", "B1"): "Email"}},
    "header-number": {"edits": {("Opettajat", "C1"): 12}},
    "header-date-and-boolean": {"edits": {("Opettajat", "C1"): date(2020, 1, 1), ("Opettajat", "D1"): True}},
    "header-spaces": {"edits": {("Opettajat", "A1"): " Nimi ", ("Opettajat", "C1"): " "}},
    "extra-column": {"extra": {"Oppilaat": ("Soitin", ["viulu", "piano"])}},
    "data-without-header": {"edits": {("Opettajat", "E3"): "muistiinpano"}},
    "missing-and-extra-sheet": {"customise": lambda wb: (wb.remove(wb["Yhteydenotot"]),
                                                        wb.create_sheet("Omat")["A1"].__setattr__("value", "x"))},
    "header-row-deleted": {"customise": lambda wb: wb["Opettajat"].delete_rows(1)},
    "column-a-empty": {"customise": lambda wb: wb["Opettajat"].insert_cols(1)},
    "rows-above-empty": {"customise": lambda wb: wb["Opettajat"].insert_rows(1, 2)},
    "empty-sheets": {"rows": {s: [] for s in ("Oppilaat", "Opinnot", "Todistukset", "Valmistuneet", "Yhteydenotot")}},
    "empty-sheet-no-header": {"customise": lambda wb: wb["Loki"].delete_rows(1)},
    "formulas": {"edits": {("Opinnot", "D3"): "=1+1", ("Oppilaat", "M2"): "=A2&B2"}},
    "error-cells": {"customise": _errors},
    "rich-text": {"customise": _rich_text},
    "stray-far-below": {"edits": {("Oppilaat", "A1048576"): "x"}},
    "stray-far-right-and-below": {"edits": {("Opinnot", "XFD1048576"): 1}},
    "stray-near": {"edits": {("Opinnot", "A9000"): "0009"}},
    "text-like-null": {"edits": {("Opinnot", "D3"): "NA", ("Opinnot", "E3"): "N/A", ("Opinnot", "D4"): "nan",
                                 ("Oppilaat", "D3"): "NULL"}},
    "text-nan-in-number-column": {"edits": {("Opinnot", "D3"): "NaN"}},
    "empty-and-space-texts": {"edits": {("Opinnot", "F2"): "", ("Opinnot", "F3"): "   ", ("Oppilaat", "E2"): "\u00a0"}},
    "excel-escapes": {"edits": {("Oppilaat", "M2"): "a_x001F_b", ("Oppilaat", "B3"): "_x0041_"}},
    "booleans": {"edits": {("Opinnot", "D3"): True, ("Oppilaat", "J2"): False, ("Oppilaat", "M2"): True}},
    "date-times": {"edits": {("Opinnot", "E3"): datetime(2024, 5, 31, 12, 30), ("Oppilaat", "L2"): time(9, 15),
                             ("Oppilaat", "K3"): timedelta(hours=30)}},
    "midnight-date-times": {"edits": {("Opinnot", "E2"): datetime(2024, 5, 31), ("Oppilaat", "D2"): datetime(2020, 3, 1)}},
    "dates-before-march-1900": {"edits": {("Opinnot", "E3"): date(1900, 2, 28), ("Oppilaat", "D3"): date(1900, 1, 1)}},
    "numbers-in-text-columns": {"edits": {("Oppilaat", "B2"): 12, ("Opinnot", "F2"): 1.5, ("Opinnot", "B3"): 3}},
    "texts-in-number-and-date-columns": {"edits": {("Opinnot", "D2"): "22,5", ("Opinnot", "E4"): "31.5.2024"}},
    "ids-as-numbers-everywhere": {"edits": {("Oppilaat", "A2"): 1, ("Opinnot", "A2"): 1, ("Opinnot", "A3"): 2.0,
                                            ("Todistukset", "B2"): 2}},
    "id-text-12.0": {"edits": {("Opinnot", "A2"): "1.0", ("Oppilaat", "A3"): "0002,00"}},
    "identity-codes-and-health": {"edits": {("Oppilaat", "M2"): "hetu 131052-308T, astma", ("Opinnot", "F3"): "131052-308T",
                                            ("Loki", "C2"): "010594Y9032", ("Ohje", "A50"): "131052\u2013308T"}},
    "big-and-small-numbers": {"edits": {("Opinnot", "D2"): 1e300, ("Opinnot", "D3"): -1e-300, ("Opinnot", "D4"): 10**15}},
    "long-and-odd-text": {"edits": {("Oppilaat", "M2"): "x" * 32000, ("Oppilaat", "M3"): "rivi 1\nrivi 2\u200b",
                                    ("Oppilaat", "B3"): "Ma\u0308kela\u0308"}},
}


@pytest.mark.parametrize("case", sorted(STRUCTURE), ids=sorted(STRUCTURE))
def test_structure_and_every_kind_of_cell_read_and_checked_the_same(tmp_path, case):
    path = build_register(tmp_path / "r.xlsx", **STRUCTURE[case])
    same_read(path)
    same_check(path)


def test_a_sheet_with_a_mixed_column_takes_the_plain_read_and_the_others_stay_columns(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Opinnot", "A3"): 2})
    taken = columnar(path)
    assert "Opinnot" not in taken and "Oppilaat" in taken
    same_read(path)
    same_check(path)


# --- the writer's feature zoo (openpyxl, XlsxWriter with shared strings, .xlsm) -------------------------------

def _zoo():
    from test_writing_zoo import ZOO

    return {name: builder for name, (builder, *_rest) in ZOO.items()}


@pytest.mark.parametrize("name", sorted(_zoo()))
def test_the_zoo_reads_and_checks_the_same(tmp_path, name):
    path = _zoo()[name](tmp_path / f"{name}.xlsx")
    same_read(path)
    same_check(path)


# --- the demo, a generated register and one saved by LibreOffice -------------------------------------------

def test_the_demo_reads_and_checks_the_same(tmp_path):
    from toolkit.jobs.demo import write_demo

    written, _rows = write_demo(tmp_path / "demo", date(2026, 11, 25))
    assert "Opinnot" in columnar(written["register"])
    same_read(written["register"])
    same_check(written["register"], date(2026, 11, 25))


@pytest.mark.slow
def test_a_generated_register_reads_and_checks_the_same(tmp_path):
    from children import run

    path = tmp_path / "r1k.xlsx"
    run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--students", "300", "--studies", "6000",
         "--as-of", "2026-11-25", str(path)], timeout=120, check=True)
    assert {"Oppilaat", "Opinnot"} <= columnar(path)
    same_read(path)
    same_check(path, date(2026, 11, 25))


@pytest.mark.libreoffice
def test_a_register_saved_by_libreoffice_reads_and_checks_the_same(tmp_path, soffice):
    from children import run

    (tmp_path / "source").mkdir()
    source = build_register(tmp_path / "source" / "r.xlsx", edits={("Oppilaat", "M2"): "hetu 131052-308T",
                                                                   ("Opinnot", "A3"): 2})
    run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(source)],
        timeout=180, check=True)
    path = tmp_path / "out" / "r.xlsx"
    same_read(path)
    same_check(path)


# --- Hypothesis: sheets of every kind of cell, one kind or many to a column -----------------------------------

TEXTS = st.sampled_from(["0012", "12", "Aino", "Mäkelä", "kevät 2024", "Syksy  2023", "", " ", "\u00a0", "NA",
                         "N/A", "nan", "NULL", "#N/A", "true", "1.0", "12,0", "_x0041_", "a\nb", "131052-308T",
                         "astma", "Muskari 1", "x@example.fi", "2024-05-31", "31.5.2024", "Ma\u0308kela\u0308"])
NUMBERS = st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32))
DATES = st.dates(date(1899, 12, 25), date(2100, 1, 1))
DATETIMES = st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0))
KINDS = {"text": TEXTS, "number": NUMBERS, "date": DATES, "datetime": DATETIMES, "bool": st.booleans(),
         "time": st.times().map(lambda t: t.replace(microsecond=0)), "error": st.just(ERROR)}
ANY = st.one_of(*KINDS.values())


CLEAN = ("text", "text", "number", "date", "bool", "midnight")       # what a register's columns hold
KINDS["midnight"] = DATES.map(lambda d: datetime.combine(d, time()))


@st.composite
def sheet_rows(draw, width: int):
    """Rows of ``width`` cells: each column of one kind (with blanks), or of any kinds (the owner's mistakes).
    Half the sheets have only the kinds a register's columns hold, so the columns are taken as often as not."""
    clean = draw(st.booleans())
    kinds = [draw(st.sampled_from(CLEAN if clean else [*KINDS, "mixed"])) for _ in range(width)]
    count = draw(st.integers(0, 12))
    rows = []
    for _ in range(count):
        row = []
        for kind in kinds:
            values = ANY if kind == "mixed" else KINDS[kind]
            row.append(draw(values) if draw(st.integers(0, 4)) else None)
        rows.append(row)
    return rows


def _write(workbook, sheet: str, rows: list[list]) -> None:
    from toolkit.office.text_cells import set_text

    ws = workbook[sheet]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if value is ERROR:
                cell.value = "#N/A"
            elif isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
                if isinstance(value, date) and not isinstance(value, datetime):
                    cell.number_format = "d.m.yyyy"


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(studies=sheet_rows(6), students=sheet_rows(13))
def test_hypothesis_sheets_read_and_check_the_same(tmp_path_factory, studies, students):
    path = tmp_path_factory.mktemp("h") / "r.xlsx"

    def fill(workbook):
        for sheet, rows in (("Opinnot", studies), ("Oppilaat", students)):
            workbook[sheet].delete_rows(2, 10)
            _write(workbook, sheet, rows)
    build_register(path, customise=fill)
    same_read(path)
    same_check(path)


# --- the one difference the columns allow, and why it changes nothing ----------------------------------------

@pytest.mark.parametrize("day", [date(2019, 3, 1), date(1900, 3, 1), date(2099, 12, 31)])
def test_a_midnight_datetime_and_its_date_are_the_same_to_every_reader_of_values(day):
    """A date cell whose number lies within half a millisecond of midnight reads as a datetime at midnight in
    the plain read and as the date in columns (toolkit.xlsx.arrow_cells): each function the check and the
    commands read raw values with says the same of both."""
    from toolkit.rules import cells

    midnight = datetime.combine(day, time())
    for reader in (cells.to_date, cells.to_number, cells.to_text, cells.to_id, cells.display, cells.is_blank,
                   cells.id_digits):
        assert reader(midnight) == reader(day), reader.__name__


def test_fastexcel_log_lines_never_reach_stderr(tmp_path):
    """fastexcel warns a programmer about a column with no values ("Could not determine dtype"): the owner
    never sees it."""
    from children import run

    path = build_register(tmp_path / "r.xlsx")           # Poistopyyntö and others: columns with no values
    done = run([sys.executable, "-m", "toolkit", "check", str(path), "--as-of", "2026-06-01"], timeout=120,
               cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert "dtype" not in done.stderr and "fastexcel" not in done.stderr.lower()
