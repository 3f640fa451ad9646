"""Checking the register: every finding in one run, and typed tables for the jobs.

Steps: workbook structure (sheets, headers, formulas, merged cells, hidden and blank rows) ->
each cell to its typed value (or a finding) -> the pandera schema of each sheet (required,
choices, uniqueness, patterns, ranges) -> cross-sheet and date rules -> identity codes and health
data in every text cell of every sheet. One finding per cell: the first problem found is reported; a
finding that follows from another (the study rows of an id Excel turned into a number, the same unknown
name on many rows) is folded into it and counted there (toolkit.rules.collector).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from toolkit.model.findings import Finding, cell_ref, column_letter, has_errors, make
from toolkit.model.messages import Phrase
from toolkit.model.tables import TABLE_SHEETS, Tables
from toolkit.model.text import has_hidden_characters, key
from toolkit.rules import cells
from toolkit.rules.collector import FindingCollector
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
    _scan_text(register, out)
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
    result = {"rows": [], "values": {h: [] for h in spec.headers}, "columns": dict(sheet.columns)}
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
    first = sheet.header_row + 1
    by_col = {col: sheet.column_values(col)[sheet.header_row:] for col in used_cols}
    keep = _nonblank_rows(list(by_col.values()), len(sheet.rows) - sheet.header_row)
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
            continue
        raw = by_col[col]
        kept = raw if len(keep) == len(raw) else [raw[i] for i in keep]
        result["values"][header] = _column(sheet, spec.column(header), col, kept, data_rows, out)
    return result


def _gaps(rows: list[int]) -> list[tuple[int, int]]:
    """(first, last) of each run of row numbers missing between the ascending ``rows``."""
    return [(a + 1, b - 1) for a, b in zip(rows, rows[1:], strict=False) if b - a > 1]


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


def _nonblank_rows(columns: list[list], count: int) -> list[int]:
    """Indices of the rows with a value in any of ``columns``. Only the rows still blank so far are
    looked at in the next column, so a filled register costs one pass over one column."""
    blank = range(count)
    for values in columns:
        if not blank:
            break
        blank = [i for i in blank if (v := values[i]) is None or v == "" or (type(v) is str and v.isspace())]
    if not blank:
        return list(range(count))
    gone = set(blank)
    return [i for i in range(count) if i not in gone]


_SLOW = object()
_NFC = unicodedata.is_normalized


def _clean_text(v: str) -> bool:
    """Text taken as it is: printable, no space at either end, no Excel escape, NFC."""
    return (v.isprintable() and v[:1] != " " and v[-1:] != " " and "_x" not in v
            and (v.isascii() or _NFC("NFC", v)))


def _all_clean_text(texts: list[str]) -> bool:
    """_clean_text of every text at once, on one joined string (see _clean_joined)."""
    return _clean_joined("|".join(texts))


def _clean_joined(joined: str) -> bool:
    """"|" is printable, no space, no Excel escape and an NFC starter that composes with nothing, so texts
    joined by it are clean exactly when every text is (a text holding "| " or " |" only sends the column to
    the one-by-one test)."""
    return (joined.isprintable() and " |" not in joined and "| " not in joined and joined[:1] != " "
            and joined[-1:] != " " and "_x" not in joined and (joined.isascii() or _NFC("NFC", joined)))


def _fast_values(kind: str, raw: list) -> list:
    """Most cells are already clean: take them as they are in one comprehension; blanks become None;
    anything else is marked for the cell-by-cell path."""
    return _fast_typed(kind, raw)[0]


def _fast_typed(kind: str, raw: list) -> tuple[list, str | None]:
    """_fast_values, and the column's texts joined by "|" when every cell is a clean text (else None)."""
    if kind in ("text", "id", "choice"):
        try:                                   # every cell a str? ("" is calamine's empty cell)
            joined = "|".join(raw)
        except TypeError:
            joined = None
        if joined is not None and _clean_joined(joined):      # "" joins in harmlessly and becomes None
            values = [v or None for v in raw]
            return ([v.casefold() if type(v) is str else v for v in values] if kind == "choice" else values), joined
        elif _all_clean_text([v for v in raw if type(v) is str and v != ""]):
            values = [v if type(v) is str and v != "" else (None if v == "" or v is None else _SLOW) for v in raw]
        else:
            values = [v if type(v) is str and v != "" and _clean_text(v) else (None if v == "" or v is None else _SLOW)
                      for v in raw]
        if kind == "choice":
            values = [v.casefold() if type(v) is str else v for v in values]
        return values, None
    if kind == "date":
        first = cells.MIN_DATE
        return [v if type(v) is date and v >= first else (None if v == "" or v is None else _SLOW) for v in raw], None
    if kind == "number":
        return [float(v) if type(v) is float or type(v) is int else (None if v == "" or v is None else _SLOW)
                for v in raw], None
    return [None if v == "" or v is None else _SLOW for v in raw], None


def _column(sheet, column, col: int, raw: list, rows: list[int], out: FindingCollector) -> list:
    """Typed values of one column: most cells take the fast path, the rest go cell by cell."""
    # a number in Puhelin is a phone Excel turned into a number: the text path sends it to the slow path
    values, joined = _fast_typed("text" if column.header == "Puhelin" else column.kind, raw)
    letter = column_letter(col)
    formula_rows = {int(ref[len(letter):]) for ref in sheet.formulas if ref.startswith(letter)
                    and ref[len(letter):].isdigit()}
    try:
        first = values.index(_SLOW)          # a C scan; most columns have no slow cell at all
        slow = [i for i in range(first, len(values)) if values[i] is _SLOW]
    except ValueError:
        slow = []
    if column.field == "student_id":         # "12.0": a number saved as text on its way through pandas
        slow = sorted(set(slow) | set(_number_texts(raw, joined)))
    if formula_rows:
        slow = sorted(set(slow) | {i for i, r in enumerate(rows) if r in formula_rows})
    for i in slow:
        values[i] = _cell(sheet, column, col, rows[i], out)
    return _folded(values, joined) if column.folded else values


_NUMBER_TEXT = re.compile(r"\d+[.,]0+")
# the Latin-1 bytes that case folding leaves as they are (deleted, the bytes left are letters to fold)
_FOLD_NEVER_CHANGES = bytes(c for c in range(256) if chr(c).casefold() == chr(c))


def _number_texts(raw: list, joined: str | None) -> list[int]:
    """Indices of the texts shaped like "12.0" in a column (ids hold no "." or "," at all, the usual case, seen
    in ``joined`` by one C scan)."""
    if joined is not None and "." not in joined and "," not in joined:
        return []
    return [i for i, v in enumerate(raw) if type(v) is str and ("." in v or "," in v)
            and _NUMBER_TEXT.fullmatch(v.strip())]


def _folded(values: list, joined: str | None) -> list:
    """Choices and semester labels after trimming, NFC, case folding and one space between words: the
    spelling the rules compare and keep ("Syksy  2019" is "syksy 2019"). ``joined``: the column's clean
    texts (printable, trimmed, NFC); already lower case with single spaces, the usual column, is kept
    as it is. Otherwise folded once per distinct value."""
    if joined is not None and "  " not in joined:
        try:                                 # Latin-1 (Finnish): one C pass for any letter case folding changes
            if not joined.encode("latin-1").translate(None, _FOLD_NEVER_CHANGES):
                return values
        except UnicodeEncodeError:
            pass
    spelling = {v: key(v) if type(v) is str else v for v in set(values)}
    if all(spelling[v] == v for v in spelling):
        return values
    return [spelling[v] for v in values]


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


# --- free text: identity codes and health data --------------------------------------------------

FREE_TEXT = {("Oppilaat", "Lisätiedot"), ("Yhteydenotot", "Tarkoitus")}
_SIX_DIGITS = re.compile(r"[0-9]{6}.[0-9]{3}")


def _scan_text(register, out: FindingCollector) -> None:
    """Identity codes in every text cell of every sheet; health words in free-text columns of data sheets
    (names such as Sairanen must not look like illness). Each column is scanned as one joined string."""
    from bisect import bisect_right
    from itertools import accumulate

    from toolkit.rules.health import HEALTH_PATTERN
    from toolkit.rules.identity_codes import CANDIDATE, find_identity_codes, mask

    for name, sheet in register.sheets.items():
        headers_by_col = {c: h for h, c in sheet.columns.items()} | {c: h for h, c in sheet.extra_columns.items()}
        free = {c for c, h in headers_by_col.items() if (name, h) in FREE_TEXT or h in sheet.extra_columns}
        width = max(map(len, sheet.rows), default=0)
        for c in range(1, width + 1):
            texts = sheet.column_values(c)
            try:                                   # a text column (calamine gives "" for empty cells)
                joined = "\n".join(texts)
            except TypeError:                      # numbers or dates too: they hold no text
                texts = [v if type(v) is str else "" for v in texts]
                joined = "\n".join(texts)
            hits = {m.start() for m in CANDIDATE.finditer(joined)} if _SIX_DIGITS.search(joined) else set()
            if name in DATA_SHEETS and c in free:
                hits |= {m.start() for m in HEALTH_PATTERN.finditer(joined)}
            if not hits:
                continue
            ends = list(accumulate(len(t) + 1 for t in texts))
            for r in sorted({bisect_right(ends, offset) + 1 for offset in hits}):
                _scan_cell(name, sheet, r, c, texts[r - 1], headers_by_col, free, out, find_identity_codes, mask)


def _scan_cell(name, sheet, r, c, value, headers_by_col, free, out, find_identity_codes, mask) -> None:
    from toolkit.rules.health import find_health_terms

    ref = cell_ref(c, r)
    where = {"sheet": name, "cell": ref, "row": r, "column": headers_by_col.get(c)}
    codes = find_identity_codes(value)
    if codes:
        out.replace_at(name, ref, make("identity-code", value=", ".join(mask(code) for code, _ in codes), **where))
        return
    terms = find_health_terms(value) if name in DATA_SHEETS and c in free else []
    if terms and not out.taken(name, ref):
        out.add(make("health-data", value=terms[0], params={"term": terms[0]}, **where))


# --- schema -------------------------------------------------------------------------------------

def _schema_findings(typed: dict[str, dict], out: FindingCollector) -> None:
    from toolkit.rules.schema_check import schema_failures

    for name, data in typed.items():
        for header, row, code, value, others in schema_failures(name, data["rows"], data["values"]):
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
