"""Checking the register: every finding in one run, and typed tables for the jobs.

Steps: workbook structure (sheets, headers, formulas, merged cells, hidden and blank rows) ->
each cell to its typed value (or a finding) -> the pandera schema of each sheet (required,
choices, uniqueness, patterns, ranges) -> cross-sheet and date rules -> identity codes and health
data in every text cell of every sheet. One finding per cell: the first problem found is reported; a
finding that follows from another (the study rows of an id Excel turned into a number, the same unknown
name on many rows) is folded into it and counted there (toolkit.rules.collector).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from toolkit.model.findings import Finding, cell_ref, column_letter, has_errors, make
from toolkit.model.messages import Phrase
from toolkit.model.tables import TABLE_SHEETS, Tables
from toolkit.model.text import has_hidden_characters, key
from toolkit.rules import cells
from toolkit.rules.cell_typing import (
    SLOW,
    Distinct,
    arrow_strings,
    fast_typed,
    folded,
    nonblank_positions,
    nonblank_rows,
    number_texts,
    object_array,
    typed_table,
)
from toolkit.rules.collector import FindingCollector
from toolkit.rules.text_scan import scan_text
from workbook_schema import DATA_SHEETS, SHEETS
from workbook_schema.settings import SETTINGS_BY_KEY, Settings

REQUIRED_SHEETS = (*DATA_SHEETS, "Asetukset", "Loki")


@dataclass
class CheckResult:
    findings: list[Finding]
    tables: Tables
    settings: Settings = field(default_factory=Settings)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


def check_register(register, today: date, progress: Callable[[float], None] | None = None) -> CheckResult:
    from toolkit.rules.consistency import canonical_names, consistency_findings
    from toolkit.rules.student_ids import advise_ids

    advance = progress or (lambda n: None)      # 45 units of the bar, after reading's 55
    out = FindingCollector()
    for name in REQUIRED_SHEETS:
        if name not in register.sheets:
            out.add(make("missing-sheet", sheet=name))
    for sheet in register.sheets.values():      # values far from the data, not read (toolkit.xlsx.sheet_scan)
        if getattr(sheet, "stray", None):
            ref, count, end = sheet.stray
            out.add(make("stray-cells", sheet=sheet.name, cell=ref, row=int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                         value=ref, params={"count": count, "end": end}))
    typed: dict[str, dict] = {}
    for name in DATA_SHEETS:
        sheet = register.sheets.get(name)
        if sheet is not None:
            typed[name] = _typed_sheet(sheet, out)
    number_ids = advise_ids(out, typed)
    settings = _settings(register.sheets.get("Asetukset"), out)
    advance(12)
    scan_text(register, out)
    advance(8)
    tables = _tables(typed, settings)
    distinct = canonical_names(tables)
    _schema_findings(typed, out)
    advance(15)
    for finding, causes in consistency_findings(tables, today, _columns(register), number_ids, distinct):
        out.add(finding, causes)
    _forms_mapping(register, out)
    advance(10)
    return CheckResult(findings=out.findings(), tables=tables, settings=settings)


def _forms_mapping(register, out: FindingCollector) -> None:
    """Lomakekentät, the optional sheet naming forms questions (toolkit.rules.forms_mapping); none is fine."""
    from toolkit.rules.forms_mapping import SHEET, read_mapping

    for finding in read_mapping(register.sheets.get(SHEET))[1]:
        out.add(finding)


def _columns(register) -> dict[str, dict[str, int]]:
    return {name: s.columns for name, s in register.sheets.items() if name in SHEETS}


# --- structure and cells -----------------------------------------------------------------------

def _typed_sheet(sheet, out: FindingCollector) -> dict:
    """{"rows": [excel rows], "values": {header: [typed]}, "columns": {header: col}} for one sheet."""
    spec = SHEETS[sheet.name]
    result = {"rows": [], "values": {h: [] for h in spec.headers}, "columns": dict(sheet.columns), "arrow": {}}
    if sheet.header_row is None:
        out.add(make("missing-header", sheet=sheet.name, params={"columns": ", ".join(spec.headers)}))
        return result
    for header in spec.headers:
        if header not in sheet.columns:
            out.add(make("missing-column", sheet=sheet.name, column=header))
    for header, col in sheet.duplicate_columns:
        out.add(make("duplicate-column", sheet=sheet.name, column=header, cell=cell_ref(col, sheet.header_row),
                     row=sheet.header_row))
    for header, col in sheet.extra_columns.items():
        out.add(make("unknown-column", sheet=sheet.name, column=header, cell=cell_ref(col, sheet.header_row),
                     row=sheet.header_row, value=header))
    _structure(sheet, out)
    used_cols = list(sheet.columns.values()) + list(sheet.extra_columns.values())
    first, count = sheet.header_row + 1, sheet.height - sheet.header_row
    if getattr(sheet, "columnar", False):    # Arrow columns: each distinct value decided once
        distinct = {col: Distinct.of(sheet.arrow_column(col).slice(sheet.header_row - 1)) for col in used_cols}
        keep = nonblank_positions(list(distinct.values()), count)
        data_rows = (keep + first).tolist()
    else:
        by_col = {col: sheet.column_values(col)[sheet.header_row:] for col in used_cols}
        keep = nonblank_rows(list(by_col.values()), count)
        data_rows = [first + i for i in keep]
    for first_blank, last_blank in _gaps(data_rows):     # one finding per run of blank rows, however long
        if first_blank == last_blank:
            out.add(make("blank-row", sheet=sheet.name, row=first_blank, cell=cell_ref(1, first_blank)))
        else:
            out.add(make("blank-rows", sheet=sheet.name, row=first_blank, cell=cell_ref(1, first_blank),
                         value=f"{first_blank}–{last_blank}", params={"count": last_blank - first_blank + 1}))
    result["rows"] = data_rows
    for header in spec.headers:
        col = sheet.columns.get(header)
        if col is None:
            result["values"][header] = [None] * len(data_rows)
        elif getattr(sheet, "columnar", False):
            column = distinct[col] if len(keep) == count else distinct[col].take(keep)
            result["values"][header], strings = _arrow_column(sheet, spec.column(header), col, column, data_rows, out)
            if strings is not None:
                result["arrow"][header] = strings
        else:
            raw = by_col[col]
            kept = raw if len(keep) == len(raw) else [raw[i] for i in keep]
            result["values"][header] = _column(sheet, spec.column(header), col, kept, data_rows, out)
    return result


def _gaps(rows: list[int]) -> list[tuple[int, int]]:
    """(first, last) of each run of row numbers missing between the ascending ``rows``."""
    import numpy as np

    at = np.asarray(rows, dtype=np.int64)
    jumps = np.flatnonzero(np.diff(at) > 1)
    return [(int(at[i]) + 1, int(at[i + 1]) - 1) for i in jumps]


def _structure(sheet, out: FindingCollector) -> None:
    header_row = sheet.header_row or 1
    headers_by_col = {c: h for h, c in sheet.columns.items()} | {c: h for h, c in sheet.extra_columns.items()}
    for ref, formula in sheet.formulas.items():
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if row > header_row or row == header_row:
            col = _col_index(ref)
            out.add(make("formula-cell", sheet=sheet.name, cell=ref, row=row, column=headers_by_col.get(col),
                         value=formula[:60]))
    for merged in sheet.merged:
        last_row = int(merged.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if last_row >= header_row:
            first = merged.split(":")[0]
            out.add(make("merged-cells", sheet=sheet.name, cell=first, row=int(first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                         column=headers_by_col.get(_col_index(first)), value=merged))
    for row in sorted(sheet.hidden_rows):
        if row > header_row:
            out.add(make("hidden-row", sheet=sheet.name, row=row, cell=cell_ref(1, row)))


def _col_index(ref: str) -> int:
    """The 1-based column of a cell reference such as "D14"."""
    from toolkit.model.refs import split_cell

    return split_cell(ref)[1]


def _column(sheet, column, col: int, raw: list, rows: list[int], out: FindingCollector) -> list:
    """Typed values of one column: most cells take the fast path, the rest go cell by cell."""
    # a number in Puhelin is a phone Excel turned into a number: the text path sends it to the slow path
    values, joined = fast_typed(_kind(column), raw)
    formula_rows = _formula_rows(sheet, col)
    try:
        first = values.index(SLOW)           # a C scan; most columns have no slow cell at all
        slow = [i for i in range(first, len(values)) if values[i] is SLOW]
    except ValueError:
        slow = []
    if column.field == "student_id":         # "12.0": a number saved as text on its way through pandas
        slow = sorted(set(slow) | set(number_texts(raw, joined)))
    if formula_rows:
        slow = sorted(set(slow) | {i for i, r in enumerate(rows) if r in formula_rows})
    for i in slow:
        values[i] = _cell(sheet, column, col, rows[i], out)
    return folded(values, joined) if column.folded else values


def _arrow_column(sheet, column, col: int, raw: Distinct, rows: list[int], out: FindingCollector):
    """_column for an Arrow column: the same functions on its distinct values, then each row takes its value's
    result (a numpy object array); the slow cells go cell by cell as there. Also, for a text column, the same
    values as an Arrow string array (for the schema: toolkit.rules.schema_check), else None."""
    import numpy as np

    kind = _kind(column)
    table, joined = typed_table(kind, column.field == "student_id", raw.values)
    slow = set(raw.rows_where([i for i, v in enumerate(table) if v is SLOW]).tolist())
    if column.folded:
        table = folded(table, joined)
    if formula_rows := _formula_rows(sheet, col):
        slow |= set(np.flatnonzero(np.isin(np.asarray(rows), list(formula_rows))).tolist())
    values = object_array(table)[raw.codes]
    for i in sorted(slow):
        value = _cell(sheet, column, col, rows[i], out)
        values[i] = folded([value], None)[0] if column.folded else value
    if kind not in ("text", "id", "choice"):
        return values, None
    return values, arrow_strings(table, raw.codes, {i: values[i] for i in slow})


def _kind(column) -> str:
    # a number in Puhelin is a phone Excel turned into a number: the text path sends it to the slow path
    return "text" if column.header == "Puhelin" else column.kind


def _formula_rows(sheet, col: int) -> set[int]:
    letter = column_letter(col)
    return {int(ref[len(letter):]) for ref in sheet.formulas if ref.startswith(letter) and ref[len(letter):].isdigit()}


def _cell(sheet, column, col: int, row: int, out: FindingCollector):
    raw = sheet.value(row, col)
    ref = cell_ref(col, row)
    where = {"sheet": sheet.name, "cell": ref, "row": row, "column": column.header}
    if ref in sheet.formulas or cells.is_blank(raw):
        return None
    if isinstance(raw, str) and has_hidden_characters(raw):
        out.add(make("hidden-characters", value=cells.to_text(raw), **where))
    kind = column.kind
    if kind == "date":
        value, code = cells.to_date(raw)
    elif kind in ("number", "integer"):
        value, code = cells.to_number(raw)
        if code is None and kind == "integer" and not value.is_integer():
            value, code = None, "invalid-year"
    elif kind == "id" and column.field == "student_id":
        value, code = cells.to_id(raw)
    elif kind == "id":                       # a certificate number: its pattern says what is wrong
        value, code = cells.to_text(raw), None
    elif column.header == "Puhelin" and isinstance(raw, int | float) and not isinstance(raw, bool):
        value, code = None, "phone-as-number"
    else:
        value, code = cells.to_text(raw), None
        if kind == "choice":
            value = value.casefold()
    if code:
        params = {"digits": cells.id_digits(raw)} if code == "id-as-number" else {}
        out.add(make(code, value=cells.display(raw), params=params, **where))
        return None
    return value


# --- settings ----------------------------------------------------------------------------------

def _settings(sheet, out: FindingCollector) -> Settings:
    from dataclasses import replace

    settings = Settings()
    if sheet is None or sheet.header_row is None:
        return settings
    key_col, value_col = sheet.columns.get("Asetus"), sheet.columns.get("Arvo")
    if not key_col or not value_col:
        return settings
    seen: dict[str, int] = {}
    changes = {}
    for row in sheet.data_rows():
        raw_key = sheet.value(row, key_col)
        if cells.is_blank(raw_key):
            continue
        name = cells.to_text(raw_key)
        spec = SETTINGS_BY_KEY.get(name) or next((s for s in SETTINGS_BY_KEY.values() if key(s.key) == key(name)),
                                                 None)
        where = {"sheet": "Asetukset", "row": row}
        if spec is None:
            out.add(make("unknown-setting", cell=cell_ref(key_col, row), column="Asetus", value=name, **where))
            continue
        if spec.key in seen:
            out.add(make("duplicate-setting", cell=cell_ref(key_col, row), column="Asetus", value=name, **where))
            continue
        seen[spec.key] = row
        raw = sheet.value(row, value_col)
        if cells.is_blank(raw):
            continue
        value = _setting_value(spec, raw)
        if value is None:
            out.add(make("invalid-setting", cell=cell_ref(value_col, row), column="Arvo", value=cells.display(raw),
                         params={"setting": spec.key, "expected": Phrase(f"expect-{spec.kind}"),
                                 "default": cells.display(spec.default)}, **where))
            continue
        changes[spec.field] = value
    return replace(settings, **changes)


def _setting_value(spec, raw):
    if spec.kind in ("number", "int"):
        number, code = cells.to_number(raw)
        if code or number < 0 or (spec.kind == "int" and not number.is_integer()):
            return None
        return int(number) if spec.kind == "int" else number
    text = cells.to_text(raw)
    if spec.kind == "yesno":
        return {"kyllä": True, "ei": False}.get(key(text))
    if spec.kind == "ytunnus":
        from stdnum.fi import ytunnus

        return text if ytunnus.is_valid(text) else None
    return text


# --- schema -------------------------------------------------------------------------------------

def _schema_findings(typed: dict[str, dict], out: FindingCollector) -> None:
    from toolkit.rules.schema_check import schema_failures

    for name, data in typed.items():
        for header, row, code, value, others in schema_failures(name, data["rows"], data["values"],
                                                                data.get("arrow")):
            col = data["columns"].get(header)
            if col is None:
                continue
            ref = cell_ref(col, row)
            params = {"choices": ", ".join(SHEETS[name].column(header).choices), "other_rows": others}
            out.add(make(code, sheet=name, cell=ref, row=row, column=header, value=value, params=params))


def _tables(typed: dict[str, dict], settings: Settings) -> Tables:
    import pandas as pd

    from toolkit.model.tables import empty_frame

    frames = {}
    for attr, sheet in TABLE_SHEETS.items():
        data = typed.get(sheet)
        if not data or not data["rows"]:
            frames[attr] = empty_frame(sheet)
            continue
        spec = SHEETS[sheet]
        columns = {"row": data["rows"]}
        for column in spec.columns:
            columns[column.field] = data["values"][column.header]
        frame = pd.DataFrame(columns, dtype=object)
        for column in spec.columns:
            if column.kind in ("number", "integer"):
                frame[column.field] = pd.to_numeric(frame[column.field], errors="coerce").astype(float)
        frame.index = pd.Index(data["rows"], name="excel_row")
        frames[attr] = frame
    return Tables(**frames, settings=settings)
