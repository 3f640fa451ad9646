"""Verification after writing and before replacing: the new file must be exactly what was meant.

The temporary file is read back from disk with a different reader (python-calamine) than the one
that wrote it (lxml), and compared with the original:
- every zip part of the original is still there, and every part not meant to change is byte-identical;
- every sheet's cell values equal the original's after removing the deleted rows, with the updated
  cells holding the new values and the appended rows holding theirs; nothing else differs.
Any difference raises ``VerificationFailed`` naming the first differing place; the original is kept.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

from toolkit.model.errors import NotAWorkbook, VerificationFailed
from toolkit.model.messages import Phrase, Said
from toolkit.xlsx.cell_values import is_missing
from toolkit.xlsx.package import Package


def _failed(what: str, **words) -> VerificationFailed:
    """The written copy differs from what was meant: ``what`` is the verify-* phrase saying where."""
    return VerificationFailed("verify-failed", what=Phrase(what, **words))


def normalise(value: object) -> object:
    """Cell values as compared: empty -> None, numbers -> float, midnight datetimes -> dates."""
    if is_missing(value) or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        if type(value).__name__ == "Timestamp":
            value = value.to_pydatetime()
        value = (value.replace(tzinfo=None) + timedelta(microseconds=500_000)).replace(microsecond=0)
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        return float(value)
    return value


def read_values(source) -> dict[str, dict[int, tuple]]:
    """Sheet -> Excel row -> normalised values (None for empty; trailing empties trimmed, empty rows left out)."""
    out = {}
    for sheet, rows in raw_values(source).items():
        out[sheet] = {}
        for number, row in rows.items():
            values = [normalise(v) for v in row]
            while values and values[-1] is None:
                values.pop()
            if values:
                out[sheet][number] = tuple(values)
    return out


def raw_values(source, only: set[str] | None = None) -> dict[str, dict[int, list]]:
    """Sheet -> Excel row -> calamine's values as it gives them (fast to compare); ``only`` limits the sheets."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(source)) if isinstance(source, bytes) \
            else CalamineWorkbook.from_path(str(source))
        sheets = {}
        for name in book.sheet_names:
            if only is not None and name not in only:
                continue
            rows = {}
            for number, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
                while row and (row[-1] == "" or row[-1] is None):
                    row.pop()
                if row:
                    rows[number] = row
            sheets[name] = rows
        return sheets
    except Exception as error:  # calamine raises its own types for a broken file
        raise _failed("verify-unreadable", detail=str(error)) from None


def _put(row: list, column: int, value: object) -> list:
    values = list(row) + [""] * max(0, column - len(row))
    values[column - 1] = _Written(value)
    while values and (values[-1] == "" or values[-1] is None):
        values.pop()
    return values


class _Written:
    """A value as written, equal to what calamine reads back for it."""

    __slots__ = ("value",)

    def __init__(self, value: object):
        self.value = normalise(value)

    def __eq__(self, other: object) -> bool:
        return self.value == normalise(other._value if isinstance(other, _Written) else other)

    @property
    def _value(self):
        return self.value

    def __repr__(self) -> str:
        return repr(self.value)

    __hash__ = None


def expected_rows(old: dict[int, list], plan) -> dict[int, list]:
    rows = dict(old)
    for (number, column), value in plan.updates.items():
        rows[number] = _put(rows.get(number, []), column, value)
    moved = {}
    for number, values in rows.items():
        new = plan.deleted(number)
        if new is not None and values:
            moved[new] = values
    for number, columns in plan.appended.items():
        for column, value in columns.items():
            moved[number] = _put(moved.get(number, []), column, value)
    return {n: v for n, v in moved.items() if v}


def verify(original: bytes, temp: Path, applied) -> None:
    new_data = Path(temp).read_bytes()
    try:
        new = Package.from_bytes(new_data, name=Path(temp).name)
    except NotAWorkbook as error:
        raise _failed("verify-not-workbook", error=Said(error.message)) from None
    old = Package.from_bytes(original)
    for name, data in old.parts.items():
        if name not in new.parts and name in applied.modified and name.endswith("calcChain.xml"):
            continue   # removed on purpose: Excel rebuilds it
        if name not in new.parts:
            raise _failed("verify-part-missing", part=name)
        if name not in applied.modified and new.parts[name] != data:
            raise _failed("verify-part-changed", part=name)
    extra = set(new.parts) - set(old.parts) - applied.modified
    if extra:
        raise _failed("verify-part-extra", part=sorted(extra)[0])
    _verify_cells(original, temp, old, applied)


def _verify_cells(original: bytes, temp: Path, old: Package, applied) -> None:
    from toolkit.xlsx.apply import SheetPlan

    shared = {old.part_of_kind("sharedStrings"), old.part_of_kind("styles")} - {None}
    everything = bool(shared & applied.modified)
    names = None if everything else set(applied.sheets)
    before, after = raw_values(original, names), raw_values(temp, names)
    for sheet in sorted(set(after) if names is None else names):
        plan = applied.sheets.get(sheet) or SheetPlan()
        want = expected_rows(before.get(sheet, {}), plan)
        got = after.get(sheet, {})
        if want.keys() != got.keys() or any(w != got[n] for n, w in want.items()):
            row = min(n for n in set(want) | set(got) if want.get(n) != got.get(n))
            raise _failed("verify-row-differs", sheet=sheet, row=row, expected=want.get(row), got=got.get(row))
