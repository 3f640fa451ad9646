"""Certificate eligibility, exactly per the contract's "Eligibility" rules. Pure: tables + today in.

    results = assess_eligibility(tables, today=date(2026, 6, 1))

One result per student and certificate kind (`muskaritodistus`, `päättötodistus`). Vectorised:
sums are groupby sums over the study rows, dates are compared as integer day keys (yyyymmdd), so
100 000 students with 1 000 000 study rows take a few seconds.

- **muskaritodistus** (a student with at least one row of `varhaisiän musiikkikasvatus`): hours = the
  muskari rows completed *before* the *Muskarin ikäraja* birthday (29.2. birthdays fall on 1.3. in
  other years). Status, first match wins: issued, eligible, out-of-reach (as-of day on or after that
  birthday), in-progress.
- **päättötodistus** (a student with at least one row of `yhteiset opinnot` or `teemaopinnot`): common
  hours (+ every muskari row when *Muskaritunnit yleiseen oppimäärään* is `kyllä`, whatever its date)
  and thematic hours; `missing` adds each part's own shortfall, so a surplus in one part never covers
  the other. Status: issued, eligible, out-of-reach (age ≥ *Opintojen yläikäraja*), in-progress.

"Close to earning" (`is_close`): in progress and missing at most CLOSE_SHARE (20 %) of the required
hours — for the päättötodistus 100 h of 500, for the muskari certificate 12 h of 60.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from string import Formatter

import numpy as np
import pandas as pd

from toolkit.model.dates import birthday_keys
from toolkit.model.formatting import format_date, format_hours
from toolkit.model.messages import catalogue, say
from toolkit.model.tables import Tables
from workbook_schema.choices import FINAL, MUSKARI, PART_COMMON, PART_MUSKARI, PART_THEMATIC

ISSUED, ELIGIBLE, IN_PROGRESS, OUT_OF_REACH = "issued", "eligible", "in-progress", "out-of-reach"
STATUSES = (ELIGIBLE, ISSUED, IN_PROGRESS, OUT_OF_REACH)
CLOSE_SHARE = 0.20

# reason code -> the catalogue's eligibility-reason-CODE: the sentence a person reads when asking "why?"; a
# part of the final certificate is said as eligibility-reason-PART-missing or -complete
REASONS = ("certificate-issued", "hours-complete", "age-limit-passed", "hours-missing", "parts-complete",
           "parts-missing", "study-window-closed")
_PART_CODES = {PART_COMMON: "common", PART_THEMATIC: "thematic"}


@cache
def _placeholders(template: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _text, name, _spec, _conv in Formatter().parse(template) if name))


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    student_id: str
    certificate: str
    status: str
    hours: float
    required: float
    missing: float
    reason: str                         # reason code, a key of REASONS
    parts: dict | None = None           # päättötodistus: {part: {"hours": h, "required": r}}
    limit_date: date | None = None      # the birthday that closes muskari hours / the study window
    age_limit: int | None = None
    issued_number: str | None = None
    issued_on: date | None = None

    @property
    def is_close(self) -> bool:
        """In progress and at most CLOSE_SHARE of the required hours missing."""
        return self.status == IN_PROGRESS and self.missing <= CLOSE_SHARE * self.required

    def reason_text(self, lang: str = "fi") -> str:
        template = catalogue()[f"eligibility-reason-{self.reason}"].text(lang)
        # only the words this sentence uses (130 000 results at national size: every call counts)
        return template.format(**{name: self._word(name, lang) for name in _placeholders(template)})

    def _word(self, name: str, lang: str):
        if name == "number":
            return self.issued_number or ""
        if name in ("issued_on", "limit_date"):
            return format_date(getattr(self, name), lang)
        if name in ("hours", "required", "missing"):
            return format_hours(getattr(self, name), lang)
        if name == "age":
            return self.age_limit if self.age_limit is not None else ""
        return self._parts_text(lang)

    def _parts_text(self, lang: str) -> str:
        if not self.parts:
            return ""
        return _parts_text(tuple((self.parts[part]["hours"], self.parts[part]["required"]) for part in _PART_CODES),
                           lang)

    def to_dict(self, lang: str = "fi") -> dict:
        """The contract's JSON shape (plus `reason_code`)."""
        out = {"student_id": self.student_id, "certificate": self.certificate, "status": self.status,
               "hours": self.hours, "required": self.required, "missing": self.missing,
               "reason": self.reason_text(lang), "reason_code": self.reason}
        if self.parts is not None:
            out["parts"] = self.parts
        return out


@lru_cache(maxsize=65536)    # 130 000 results share a few thousand pairs of hours
def _parts_text(hours_required: tuple[tuple[float, float], ...], lang: str) -> str:
    """Each part's shortfall or "complete", from its (hours, required) in _PART_CODES order."""
    texts = []
    for code, (hours, required) in zip(_PART_CODES.values(), hours_required, strict=True):
        short = max(0.0, round(required - hours, 6))
        if short:
            texts.append(say(f"eligibility-reason-{code}-missing", lang, missing=format_hours(short, lang)))
        else:
            texts.append(say(f"eligibility-reason-{code}-complete", lang))
    return "; ".join(texts)


def assess_eligibility(tables: Tables, today: date) -> list[EligibilityResult]:
    """Every student's muskaritodistus and päättötodistus result, in Oppilaat order."""
    return list(iter_results(assessment_frame(tables, today), tables.settings))


def assessment_frame(tables: Tables, today: date) -> pd.DataFrame:
    """One row per result: student_id, certificate, status, reason, hours, required, missing, common,
    thematic, limit_key, age_limit, issued_number, issued_on. The vectorised core: study rows are
    turned into integer student codes once, and every sum is one ``np.bincount``."""
    s = tables.settings
    ids, birth = _students(tables.students)
    n = len(ids)
    code, part, hours, completed = _studies(tables.studies, tables.units, ids)
    today_key = today.year * 10000 + today.month * 100 + today.day
    muskari_key = _birthday_keys(birth, int(s.muskari_age_limit))
    window_key = _birthday_keys(birth, int(s.study_age_limit))

    def total(mask) -> np.ndarray:
        return np.bincount(code[mask], weights=hours[mask], minlength=n).round(6)

    def present(mask) -> np.ndarray:
        return np.bincount(code[mask], minlength=n) > 0

    is_muskari = part == 0
    muskari_any, final_any = present(is_muskari), present(part > 0)
    muskari_hours = total(is_muskari & (completed < muskari_key[code]))
    common, thematic = total(part == 1), total(part == 2)
    if s.muskari_counts_to_common:
        common = (common + total(is_muskari)).round(6)
    frames = []
    if muskari_any.any():
        required = float(s.muskari_hours)
        frames.append(_results(
            ids, muskari_any, MUSKARI, tables.certificates, today_key, muskari_key, int(s.muskari_age_limit),
            hours=muskari_hours, required=required, missing=np.maximum(0.0, (required - muskari_hours).round(6)),
            complete=muskari_hours >= required, reasons=("hours-complete", "age-limit-passed", "hours-missing"),
            common=np.full(n, np.nan), thematic=np.full(n, np.nan), order=0))
    if final_any.any():
        req_c, req_t = float(s.common_hours), float(s.thematic_hours)
        missing = (np.maximum(0.0, req_c - common) + np.maximum(0.0, req_t - thematic)).round(6)
        frames.append(_results(
            ids, final_any, FINAL, tables.certificates, today_key, window_key, int(s.study_age_limit),
            hours=(common + thematic).round(6), required=req_c + req_t, missing=missing,
            complete=(common >= req_c) & (thematic >= req_t),
            reasons=("parts-complete", "study-window-closed", "parts-missing"), common=common, thematic=thematic,
            order=1))
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    both = pd.concat(frames, ignore_index=True).sort_values(["position", "order"], kind="stable")
    return both.reset_index(drop=True)[RESULT_COLUMNS]


RESULT_COLUMNS = ["student_id", "certificate", "status", "reason", "hours", "required", "missing", "common",
                  "thematic", "limit_key", "age_limit", "issued_number", "issued_on"]


def _results(ids, has, kind, certificates, today_key, limit_key, age_limit, *, hours, required, missing, complete,
             reasons, common, thematic, order) -> pd.DataFrame:
    """The results of one certificate kind for the students in mask `has`; first match wins."""
    issued, number, issued_on = _issued(certificates, kind, ids)
    status = np.select([issued, complete, today_key >= limit_key], [ISSUED, ELIGIBLE, OUT_OF_REACH], IN_PROGRESS)
    reason = np.select([issued, complete, today_key >= limit_key], ["certificate-issued", *reasons[:2]], reasons[2])
    idx = np.flatnonzero(has)
    return pd.DataFrame({
        "student_id": ids[idx], "certificate": kind, "status": status[idx], "reason": reason[idx],
        "hours": hours[idx], "required": required, "missing": missing[idx], "common": common[idx],
        "thematic": thematic[idx], "limit_key": limit_key[idx], "age_limit": age_limit,
        "issued_number": number[idx], "issued_on": issued_on[idx], "position": idx, "order": order})


def iter_results(frame: pd.DataFrame, settings) -> Iterator[EligibilityResult]:
    req_c, req_t = float(settings.common_hours), float(settings.thematic_hours)
    dates: dict = {}
    columns = [frame[c].tolist() for c in RESULT_COLUMNS]
    for sid, kind, status, reason, hours, required, missing, common, thematic, limit, age, number, on \
            in zip(*columns, strict=True):
        parts = None
        if kind == FINAL:
            parts = {PART_COMMON: {"hours": float(common), "required": req_c},
                     PART_THEMATIC: {"hours": float(thematic), "required": req_t}}
        if limit not in dates:
            dates[limit] = _key_to_date(limit)
        yield EligibilityResult(sid, kind, status, float(hours), float(required), float(missing), reason, parts,
                                dates[limit], int(age), number if isinstance(number, str) else None,
                                on if isinstance(on, date) else None)


# --- helpers ---------------------------------------------------------------------------------------

def _students(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """Student ids (Oppilaat order, first row per id) and birth dates; rows without an id or a birth
    date cannot be assessed (validation reports them as errors)."""
    students = frame[["student_id", "birth_date"]].dropna().drop_duplicates("student_id")
    birth = pd.to_datetime(students["birth_date"], errors="coerce")
    ok = birth.notna().to_numpy()
    return students["student_id"].to_numpy(dtype=object)[ok], pd.DatetimeIndex(birth[ok])


def _studies(studies: pd.DataFrame, units: pd.DataFrame, ids: np.ndarray):
    """Arrays over the study rows that can count: student code (position in `ids`), part code
    (0 muskari, 1 common, 2 thematic), hours and a yyyymmdd key of Suoritettu. Rows with an unknown
    student or unit, or without hours or date, are left out (validation reports them as errors)."""
    code = pd.Index(ids).get_indexer(studies["student_id"].to_numpy(dtype=object))
    unit_codes, uniques = pd.factorize(studies["unit"].to_numpy(dtype=object))
    part_of = {str(n).casefold(): p for n, p in zip(units["name"], units["part"], strict=False)}
    numbers = {PART_MUSKARI: 0, PART_COMMON: 1, PART_THEMATIC: 2}
    unique_parts = np.array([numbers.get(part_of.get(str(u).casefold()), -1) for u in uniques] + [-1])
    part = unique_parts[unit_codes]                      # factorize gives -1 for a blank unit: the extra -1
    hours = pd.to_numeric(studies["hours"], errors="coerce").to_numpy(dtype=float)
    done = pd.DatetimeIndex(pd.to_datetime(studies["completed"], errors="coerce"))
    completed = (done.year * 10000 + done.month * 100 + done.day).to_numpy(dtype=float)
    ok = (code >= 0) & (part >= 0) & ~np.isnan(hours) & ~np.isnan(completed)
    return code[ok], part[ok], hours[ok], completed[ok]


def _issued(certificates: pd.DataFrame, kind: str, ids: np.ndarray):
    """Per student: issued?, the first such certificate's number and date (None when not issued)."""
    certs = certificates.dropna(subset=["student_id"])
    certs = certs[certs["kind"] == kind].drop_duplicates("student_id")
    pos = pd.Index(ids).get_indexer(certs["student_id"].to_numpy(dtype=object))
    found = pos >= 0
    issued = np.zeros(len(ids), dtype=bool)
    issued[pos[found]] = True
    number = np.full(len(ids), None, dtype=object)
    number[pos[found]] = certs["number"].to_numpy(dtype=object)[found]
    on = np.full(len(ids), None, dtype=object)
    on[pos[found]] = certs["date"].to_numpy(dtype=object)[found]
    return issued, number, on


def _key_to_date(key) -> date | None:
    if key is None or pd.isna(key):
        return None
    key = int(key)
    return date(key // 10000, key // 100 % 100, key % 100)


def _birthday_keys(birth: pd.DatetimeIndex, age: int) -> np.ndarray:
    """yyyymmdd of each student's ``age``-th birthday (toolkit.model.dates.birthday_keys)."""
    return birthday_keys(birth.year.to_numpy(), birth.month.to_numpy(), birth.day.to_numpy(), age)
