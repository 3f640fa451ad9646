"""Running a sheet's pandera schema and turning its failures into (header, row, code, value) rows.

This is the one place where pandera's failure cases (against a DataFrame index) become cells.
"""

from __future__ import annotations

import pandas as pd
import pandera.errors

from toolkit.rules.cells import display
from workbook_schema import SHEETS
from workbook_schema.sheets import validation_schema

_SCHEMAS: dict[str, object] = {}

# pandera's built-in check names -> our finding codes
_BUILTIN = {"not_nullable": "missing-value", "field_uniqueness": "duplicate-id"}


def _schema(sheet: str):
    if sheet not in _SCHEMAS:
        _SCHEMAS[sheet] = validation_schema(sheet)
    return _SCHEMAS[sheet]


def _frame(sheet: str, rows: list[int], values: dict[str, list], arrow: dict | None = None) -> pd.DataFrame:
    """The frame pandera validates. Text is pyarrow-backed strings (pandera's string checks run many times faster
    on them), given as Arrow arrays when the check has them (``arrow``); a folded column (choices, semester
    labels: few distinct values) is categorical, so its checks run once per distinct value."""
    index = pd.Index(rows, name="row")
    data = {}
    for column in SHEETS[sheet].columns:
        series = values[column.header]
        if column.kind in ("number", "integer"):
            data[column.header] = pd.to_numeric(pd.Series(series, dtype=object, index=index), errors="coerce").astype(float)
        elif column.kind == "date":
            data[column.header] = pd.Series(series, dtype=object, index=index)
        elif column.folded:
            data[column.header] = pd.Series(pd.Categorical(series), index=index)
        elif arrow and column.header in arrow:
            data[column.header] = pd.Series(pd.arrays.ArrowStringArray(arrow[column.header]), index=index)
        else:
            data[column.header] = _arrow_strings(series, index)
    return pd.DataFrame(data, index=index)


def _arrow_strings(values: list, index: pd.Index) -> pd.Series:
    """The same Series as dtype="string[pyarrow]", built by pyarrow straight from the list (pandas first
    checks every element in Python: 1 s of a 100 000-student check); anything but str/None takes pandas' way."""
    import pyarrow as pa

    try:
        array = pa.array(values, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.Series(values, dtype="string[pyarrow]", index=index)
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index)


# how a blank cell's failure shows: text columns were pyarrow strings from the first, whose blank pandas shows as
# "<NA>"; a categorical column gives NaN for it, and the finding must not depend on the frame's column type
_BLANK_SHOWN = {"text": display(pd.NA), "id": display(pd.NA), "choice": display(pd.NA)}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def schema_failures(sheet: str, rows: list[int], values: dict[str, list],
                    arrow: dict | None = None) -> list[tuple[str, int, str, str, str]]:
    """[(header, excel row, code, shown value, other rows with the same value)] for one sheet. ``arrow``: text
    columns as Arrow string arrays, the same values as in ``values`` (faster)."""
    if not rows:
        return []
    frame = _frame(sheet, rows, values, arrow)
    try:
        _schema(sheet).validate(frame, lazy=True)
        return []
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    out = []
    cases = cases[cases["index"].notna() & cases["column"].notna()]
    schema = _schema(sheet)
    for (header, check, number), group in cases.groupby(["column", "check", "check_number"], sort=False,
                                                        dropna=False):
        code = _BUILTIN.get(str(check))
        if code is None:
            code = schema.columns[header].checks[int(number)].name
        if code == "duplicate-id":
            by_value = group.groupby(group["failure_case"].astype(str))["index"].apply(list)
            for value, idx in by_value.items():
                for row in idx:
                    others = ", ".join(str(int(o)) for o in idx if o != row)
                    out.append((header, int(row), code, value, others))
            continue
        blank = _BLANK_SHOWN.get(SHEETS[sheet].column(header).kind, "")
        for row, value in zip(group["index"], group["failure_case"], strict=False):
            out.append((header, int(row), code, blank if _missing(value) else display(value), ""))
    return out
