"""Identity codes in every text cell of every sheet, and health words in the free-text columns of the data sheets
(names such as Sairanen must not look like illness): found for the check (toolkit.rules.validation).

A column is scanned as one joined string; a column read as Arrow (toolkit.xlsx.arrow_cells) as the joined string of
its distinct values, and every row holding a value found there is then looked at cell by cell. A match never
spans two cells (none of the patterns crosses a line break), so both find the same cells.
"""

from __future__ import annotations

import re

from toolkit.model.findings import cell_ref, make
from toolkit.rules.cell_typing import Distinct
from toolkit.rules.collector import FindingCollector
from workbook_schema import DATA_SHEETS

FREE_TEXT = {("Oppilaat", "Lisätiedot"), ("Yhteydenotot", "Tarkoitus")}
_SIX_DIGITS = re.compile(r"[0-9]{6}.[0-9]{3}")


def scan_text(register, out: FindingCollector) -> None:
    from toolkit.rules.identity_codes import find_identity_codes, mask

    for name, sheet in register.sheets.items():
        headers_by_col = {c: h for h, c in sheet.columns.items()} | {c: h for h, c in sheet.extra_columns.items()}
        free = {c for c, h in headers_by_col.items() if (name, h) in FREE_TEXT or h in sheet.extra_columns}
        for c in range(1, sheet.width + 1):
            health = name in DATA_SHEETS and c in free
            found = _arrow_hits(sheet, c, health) if getattr(sheet, "columnar", False) else \
                _joined_hits(sheet.column_values(c), health)
            for r, text in found:
                _scan_cell(name, r, c, text, headers_by_col, health, out, find_identity_codes, mask)


def _joined_hits(texts: list, health: bool) -> list[tuple[int, str]]:
    """(1-based position, text) of each text with a hetu-shaped code, or health words when ``health``."""
    from bisect import bisect_right
    from itertools import accumulate

    from toolkit.rules.health import HEALTH_PATTERN
    from toolkit.rules.identity_codes import CANDIDATE

    try:                                   # a text column (calamine gives "" for empty cells)
        joined = "\n".join(texts)
    except TypeError:                      # numbers or dates too: they hold no text
        texts = [v if type(v) is str else "" for v in texts]
        joined = "\n".join(texts)
    hits = {m.start() for m in CANDIDATE.finditer(joined)} if _SIX_DIGITS.search(joined) else set()
    if health:
        hits |= {m.start() for m in HEALTH_PATTERN.finditer(joined)}
    if not hits:
        return []
    ends = list(accumulate(len(t) + 1 for t in texts))
    return [(r, texts[r - 1]) for r in sorted({bisect_right(ends, offset) + 1 for offset in hits})]


def _arrow_hits(sheet, c: int, health: bool) -> list[tuple[int, str]]:
    """_joined_hits of a column read as Arrow: row 1 (the header), then the rows whose distinct value has a hit."""
    import pyarrow as pa

    top = sheet.value(1, c)
    found = [(1, top)] if type(top) is str and _joined_hits([top], health) else []
    array = sheet.arrow_column(c)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return found                       # numbers, dates, booleans: no text
    column = Distinct.of(array)
    hits = {r - 1 for r, _text in _joined_hits(column.values, health)}
    return found + [(i + 2, column.values[column.codes[i]]) for i in column.rows_where(sorted(hits)).tolist()]


def _scan_cell(name, r, c, value, headers_by_col, health, out, find_identity_codes, mask) -> None:
    from toolkit.rules.health import find_health_terms

    ref = cell_ref(c, r)
    where = {"sheet": name, "cell": ref, "row": r, "column": headers_by_col.get(c)}
    codes = find_identity_codes(value)
    if codes:
        out.replace_at(name, ref, make("identity-code", value=", ".join(mask(code) for code, _ in codes), **where))
        return
    terms = find_health_terms(value) if health else []
    if terms and not out.taken(name, ref):
        out.add(make("health-data", value=terms[0], params={"term": terms[0]}, **where))
