"""Cells to typed values a column at a time: the fast paths of the check (toolkit.rules.validation), each giving
exactly what taking the cells one by one gives (tests/test_fast_paths.py).

A column comes as a Python list (a sheet read as rows) or as an Arrow array (a sheet read as columns,
toolkit.xlsx.arrow_cells). Most cells are clean and are taken as they are, a blank cell becomes None, and every
other cell is marked SLOW for the cell-by-cell path, which says what is wrong with it. An Arrow column is decided
once per distinct value (``Distinct``): the same functions, run on its few distinct values instead of every row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from toolkit.model.text import key
from toolkit.rules import cells


def nonblank_rows(columns: list[list], count: int) -> list[int]:
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


SLOW = object()
_NFC = unicodedata.is_normalized


def clean_text(v: str) -> bool:
    """Text taken as it is: printable, no space at either end, no Excel escape, NFC."""
    return (v.isprintable() and v[:1] != " " and v[-1:] != " " and "_x" not in v
            and (v.isascii() or _NFC("NFC", v)))


def all_clean_text(texts: list[str]) -> bool:
    """clean_text of every text at once, on one joined string (see _clean_joined)."""
    return _clean_joined("|".join(texts))


def _clean_joined(joined: str) -> bool:
    """"|" is printable, no space, no Excel escape and an NFC starter that composes with nothing, so texts
    joined by it are clean exactly when every text is (a text holding "| " or " |" only sends the column to
    the one-by-one test)."""
    return (joined.isprintable() and " |" not in joined and "| " not in joined and joined[:1] != " "
            and joined[-1:] != " " and "_x" not in joined and (joined.isascii() or _NFC("NFC", joined)))


def fast_values(kind: str, raw: list) -> list:
    """Most cells are already clean: take them as they are in one comprehension; blanks become None;
    anything else is marked for the cell-by-cell path."""
    return fast_typed(kind, raw)[0]


def fast_typed(kind: str, raw: list) -> tuple[list, str | None]:
    """fast_values, and the column's texts joined by "|" when every cell is a clean text (else None)."""
    if kind in ("text", "id", "choice"):
        try:                                   # every cell a str? ("" is calamine's empty cell)
            joined = "|".join(raw)
        except TypeError:
            joined = None
        if joined is not None and _clean_joined(joined):      # "" joins in harmlessly and becomes None
            values = [v or None for v in raw]
            return ([v.casefold() if type(v) is str else v for v in values] if kind == "choice" else values), joined
        elif all_clean_text([v for v in raw if type(v) is str and v != ""]):
            values = [v if type(v) is str and v != "" else (None if v == "" or v is None else SLOW) for v in raw]
        else:
            values = [v if type(v) is str and v != "" and clean_text(v) else (None if v == "" or v is None else SLOW)
                      for v in raw]
        if kind == "choice":
            values = [v.casefold() if type(v) is str else v for v in values]
        return values, None
    if kind == "date":
        first = cells.MIN_DATE
        return [v if type(v) is date and v >= first else (None if v == "" or v is None else SLOW) for v in raw], None
    if kind == "number":
        return [float(v) if type(v) is float or type(v) is int else (None if v == "" or v is None else SLOW)
                for v in raw], None
    return [None if v == "" or v is None else SLOW for v in raw], None


_NUMBER_TEXT = re.compile(r"\d+[.,]0+")
# the Latin-1 bytes that case folding leaves as they are (deleted, the bytes left are letters to fold)
_FOLD_NEVER_CHANGES = bytes(c for c in range(256) if chr(c).casefold() == chr(c))


def number_texts(raw: list, joined: str | None) -> list[int]:
    """Indices of the texts shaped like "12.0" in a column (ids hold no "." or "," at all, the usual case, seen
    in ``joined`` by one C scan)."""
    if joined is not None and "." not in joined and "," not in joined:
        return []
    return [i for i, v in enumerate(raw) if type(v) is str and ("." in v or "," in v)
            and _NUMBER_TEXT.fullmatch(v.strip())]


def folded(values: list, joined: str | None) -> list:
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


# --- Arrow columns: each distinct value decided once ------------------------------------------------

@dataclass
class Distinct:
    """A column as its distinct values (python-calamine's values: "" for a blank cell, the last one) and, per row,
    the position of its value among them."""
    values: list
    codes: object                    # numpy integer array, one per row

    @classmethod
    def of(cls, array) -> Distinct:
        import numpy as np
        import pyarrow as pa

        if pa.types.is_null(array.type):
            return cls([""], np.zeros(len(array), dtype=np.int32))
        encoded = array.dictionary_encode()
        values = encoded.dictionary.to_pylist()
        codes = encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
        return cls([*values, ""], codes)

    def rows_where(self, wanted: list[int]):
        """Positions of the rows whose value is one of the distinct values at ``wanted``."""
        import numpy as np

        if not wanted:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(np.isin(self.codes, wanted))

    def take(self, positions) -> Distinct:
        return Distinct(self.values, self.codes[positions])


def blank_values(values: list) -> list[int]:
    """Positions of the blank values, by nonblank_rows' test."""
    return [i for i, v in enumerate(values) if v is None or v == "" or (type(v) is str and v.isspace())]


def nonblank_positions(columns: list[Distinct], count: int):
    """nonblank_rows for Arrow columns: the rows with a value in any of ``columns``, as a numpy array."""
    import numpy as np

    blank = np.ones(count, dtype=bool)
    for column in columns:
        blank &= np.isin(column.codes, blank_values(column.values))
    return np.flatnonzero(~blank)


def typed_table(kind: str, student_id: bool, values: list) -> tuple[list, str | None]:
    """fast_typed of the distinct values (with number_texts for a student id), and their joined text."""
    typed, joined = fast_typed(kind, values)
    if student_id:
        for i in number_texts(values, joined):
            typed[i] = SLOW
    return typed, joined


def object_array(values: list):
    """A 1-d numpy object array holding ``values`` as they are."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def arrow_strings(table: list, codes, patched: dict[int, object]):
    """The text column whose row i holds ``table[codes[i]]``, or ``patched[i]`` where given, as an Arrow large
    string array (None is null): built from the distinct values, without a Python object per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    strings = pa.array([v if type(v) is str else None for v in table], type=pa.large_string()).take(codes)
    if not patched:
        return strings
    import numpy as np

    mask = np.zeros(len(strings), dtype=bool)
    mask[list(patched)] = True
    replacements = pa.array([patched[i] for i in sorted(patched)], type=pa.large_string())
    return pc.replace_with_mask(strings, pa.array(mask), replacements)
