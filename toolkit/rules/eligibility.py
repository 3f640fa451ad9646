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
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from toolkit.rules.formatting import format_date, format_hours
from toolkit.tables import Tables

MUSKARI = "muskaritodistus"
FINAL = "päättötodistus"
PARTICIPATION = "osallistumistodistus"
PART_MUSKARI = "varhaisiän musiikkikasvatus"
PART_COMMON = "yhteiset opinnot"
PART_THEMATIC = "teemaopinnot"

ISSUED, ELIGIBLE, IN_PROGRESS, OUT_OF_REACH = "issued", "eligible", "in-progress", "out-of-reach"
STATUSES = (ELIGIBLE, ISSUED, IN_PROGRESS, OUT_OF_REACH)
CLOSE_SHARE = 0.20

# reason code -> (Finnish, English); the sentence a person reads when asking "why?"
REASONS: dict[str, tuple[str, str]] = {
    "certificate-issued": ("todistus {number} annettu {issued_on}", "certificate {number} issued on {issued_on}"),
    "hours-complete": ("muskaritunteja {hours}, vaaditaan {required}: todistuksen voi kirjoittaa",
                       "{hours} of muskari, {required} required: the certificate can be written"),
    "age-limit-passed": ("{age} vuoden ikäraja täyttyi {limit_date}; muskaritunneista puuttui {missing}",
                         "the age limit of {age} was reached on {limit_date}; {missing} of muskari were missing"),
    "hours-missing": ("muskaritunneista puuttuu {missing}; tunnit lasketaan {limit_date} asti",
                      "{missing} of muskari missing; hours count until {limit_date}"),
    "parts-complete": ("{parts}", "{parts}"),
    "parts-missing": ("{parts}", "{parts}"),
    "study-window-closed": ("{age} vuoden yläikäraja täyttyi {limit_date}; {parts}",
                            "the upper age limit of {age} was reached on {limit_date}; {parts}"),
}
_PART_WORDS = {  # part -> (fi missing, fi complete, en name)
    PART_COMMON: ("yhteisistä opinnoista puuttuu {missing}", "yhteiset opinnot valmiit", "common studies"),
    PART_THEMATIC: ("teemaopinnoista puuttuu {missing}", "teemaopinnot valmiit", "thematic studies"),
}


@dataclass(frozen=True)
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
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_close(self) -> bool:
        """In progress and at most CLOSE_SHARE of the required hours missing."""
        return self.status == IN_PROGRESS and self.missing <= CLOSE_SHARE * self.required

    def reason_text(self, lang: str = "fi") -> str:
        fi, en = REASONS[self.reason]
        words = {"number": self.issued_number or "", "issued_on": format_date(self.issued_on, lang),
                 "hours": format_hours(self.hours, lang), "required": format_hours(self.required, lang),
                 "missing": format_hours(self.missing, lang), "limit_date": format_date(self.limit_date, lang),
                 "age": self.age_limit if self.age_limit is not None else "", "parts": self._parts_text(lang)}
        return (en if lang == "en" else fi).format(**words)

    def _parts_text(self, lang: str) -> str:
        if not self.parts:
            return ""
        texts = []
        for part, (fi_missing, fi_done, en_name) in _PART_WORDS.items():
            p = self.parts[part]
            short = max(0.0, round(p["required"] - p["hours"], 6))
            if lang == "en":
                texts.append(f"{en_name}: {format_hours(short, 'en')} missing" if short else f"{en_name} complete")
            else:
                texts.append(fi_missing.format(missing=format_hours(short)) if short else fi_done)
        return "; ".join(texts)

    def to_dict(self, lang: str = "fi") -> dict:
        """The contract's JSON shape (plus `reason_code`)."""
        out = {"student_id": self.student_id, "certificate": self.certificate, "status": self.status,
               "hours": self.hours, "required": self.required, "missing": self.missing,
               "reason": self.reason_text(lang), "reason_code": self.reason}
        if self.parts is not None:
            out["parts"] = self.parts
        return out


def assess_eligibility(tables: Tables, today: date) -> list[EligibilityResult]:
    """Every student's muskaritodistus and päättötodistus result, in Oppilaat order."""
    return list(iter_results(eligibility_frame(tables, today), tables.settings))


def eligibility_frame(tables: Tables, today: date) -> pd.DataFrame:
    """One row per result: student_id, certificate, status, reason, hours, required, missing, common,
    thematic, limit_key, age_limit, issued_number, issued_on, order. The vectorised core."""
    s = tables.settings
    students = _students(tables.students)
    studies = _studies(tables.studies, tables.units, students)
    today_key = today.year * 10000 + today.month * 100 + today.day
    issued = _issued(tables.certificates)

    muskari_key = _birthday_keys(students, int(s.muskari_age_limit))
    window_key = _birthday_keys(students, int(s.study_age_limit))

    is_muskari = studies["part"] == PART_MUSKARI
    counted = is_muskari & (studies["completed_key"] < studies["student_id"].map(muskari_key))
    sums = pd.DataFrame({
        "student_id": studies["student_id"],
        "muskari_any": is_muskari,
        "muskari_hours": studies["hours"].where(counted, 0.0),
        "muskari_all": studies["hours"].where(is_muskari, 0.0),
        "final_any": studies["part"].isin([PART_COMMON, PART_THEMATIC]),
        "common": studies["hours"].where(studies["part"] == PART_COMMON, 0.0),
        "thematic": studies["hours"].where(studies["part"] == PART_THEMATIC, 0.0),
    }).groupby("student_id", sort=False).agg(
        muskari_any=("muskari_any", "any"), muskari_hours=("muskari_hours", "sum"),
        muskari_all=("muskari_all", "sum"), final_any=("final_any", "any"),
        common=("common", "sum"), thematic=("thematic", "sum")).round(6)

    order = pd.Series(np.arange(len(students)), index=students.index)
    frames = []

    m = sums[sums["muskari_any"]]
    m = m[m.index.isin(students.index)]
    if len(m):
        required = float(s.muskari_hours)
        limit = muskari_key.reindex(m.index)
        status = np.select(
            [m.index.isin(issued[MUSKARI].index), m["muskari_hours"] >= required, today_key >= limit],
            [ISSUED, ELIGIBLE, OUT_OF_REACH], IN_PROGRESS)
        reason = pd.Series(status, index=m.index).map({ISSUED: "certificate-issued", ELIGIBLE: "hours-complete",
                                                       OUT_OF_REACH: "age-limit-passed", IN_PROGRESS: "hours-missing"})
        frames.append(pd.DataFrame({
            "student_id": m.index, "certificate": MUSKARI, "status": status, "reason": reason.to_numpy(),
            "hours": m["muskari_hours"].to_numpy(), "required": required,
            "missing": np.maximum(0.0, (required - m["muskari_hours"]).round(6)).to_numpy(),
            "common": np.nan, "thematic": np.nan, "limit_key": limit.to_numpy(),
            "age_limit": int(s.muskari_age_limit),
            "issued_number": issued[MUSKARI]["number"].reindex(m.index).to_numpy(),
            "issued_on": issued[MUSKARI]["date"].reindex(m.index).to_numpy(),
            "order": order.reindex(m.index).to_numpy() * 2}))

    f = sums[sums["final_any"]]
    f = f[f.index.isin(students.index)]
    if len(f):
        common = f["common"] + (f["muskari_all"] if s.muskari_counts_to_common else 0.0)
        thematic = f["thematic"]
        req_c, req_t = float(s.common_hours), float(s.thematic_hours)
        limit = window_key.reindex(f.index)
        status = np.select(
            [f.index.isin(issued[FINAL].index), (common >= req_c) & (thematic >= req_t), today_key >= limit],
            [ISSUED, ELIGIBLE, OUT_OF_REACH], IN_PROGRESS)
        reason = pd.Series(status, index=f.index).map({ISSUED: "certificate-issued", ELIGIBLE: "parts-complete",
                                                       OUT_OF_REACH: "study-window-closed", IN_PROGRESS: "parts-missing"})
        missing = np.maximum(0.0, req_c - common) + np.maximum(0.0, req_t - thematic)
        frames.append(pd.DataFrame({
            "student_id": f.index, "certificate": FINAL, "status": status, "reason": reason.to_numpy(),
            "hours": (common + thematic).round(6).to_numpy(), "required": req_c + req_t,
            "missing": missing.round(6).to_numpy(), "common": common.round(6).to_numpy(),
            "thematic": thematic.to_numpy(), "limit_key": limit.to_numpy(), "age_limit": int(s.study_age_limit),
            "issued_number": issued[FINAL]["number"].reindex(f.index).to_numpy(),
            "issued_on": issued[FINAL]["date"].reindex(f.index).to_numpy(),
            "order": order.reindex(f.index).to_numpy() * 2 + 1}))

    if not frames:
        return pd.DataFrame(columns=["student_id", "certificate", "status", "reason", "hours", "required", "missing",
                                     "common", "thematic", "limit_key", "age_limit", "issued_number", "issued_on",
                                     "order"])
    return pd.concat(frames, ignore_index=True).sort_values("order", kind="stable").reset_index(drop=True)


def iter_results(frame: pd.DataFrame, settings) -> Iterator[EligibilityResult]:
    req_c, req_t = float(settings.common_hours), float(settings.thematic_hours)
    for row in frame.itertuples(index=False):
        parts = None
        if row.certificate == FINAL:
            parts = {PART_COMMON: {"hours": float(row.common), "required": req_c},
                     PART_THEMATIC: {"hours": float(row.thematic), "required": req_t}}
        yield EligibilityResult(
            student_id=row.student_id, certificate=row.certificate, status=row.status,
            hours=float(row.hours), required=float(row.required), missing=float(row.missing), reason=row.reason,
            parts=parts, limit_date=_key_to_date(row.limit_key), age_limit=int(row.age_limit),
            issued_number=row.issued_number if isinstance(row.issued_number, str) else None,
            issued_on=row.issued_on if isinstance(row.issued_on, date) else None)


# --- helpers ---------------------------------------------------------------------------------------

def _students(frame: pd.DataFrame) -> pd.DataFrame:
    """student_id -> birth year, month, day (rows without an id or a birth date cannot be assessed)."""
    students = frame[["student_id", "birth_date"]].dropna().drop_duplicates("student_id")
    birth = pd.to_datetime(students["birth_date"], errors="coerce")
    out = pd.DataFrame({"year": birth.dt.year, "month": birth.dt.month, "day": birth.dt.day})
    out.index = pd.Index(students["student_id"].to_numpy(), name="student_id")
    return out.dropna().astype(int)


def _studies(studies: pd.DataFrame, units: pd.DataFrame, students: pd.DataFrame) -> pd.DataFrame:
    """Study rows with their unit's part and a yyyymmdd key of Suoritettu; rows that cannot count
    (unknown unit or student, no hours or date) are left out — validation reports them as errors."""
    part_of = dict(zip(units["name"].astype(str).str.casefold(), units["part"], strict=False))
    completed = pd.to_datetime(studies["completed"], errors="coerce")
    out = pd.DataFrame({
        "student_id": studies["student_id"],
        "part": studies["unit"].astype("string").str.casefold().map(part_of),
        "hours": pd.to_numeric(studies["hours"], errors="coerce"),
        "completed_key": completed.dt.year * 10000 + completed.dt.month * 100 + completed.dt.day,
    })
    out = out.dropna()
    return out[out["student_id"].isin(students.index)]


def _birthday_keys(students: pd.DataFrame, age: int) -> pd.Series:
    """yyyymmdd of each student's `age`th birthday; 29.2. falls on 1.3. in years without it."""
    year = students["year"] + age
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_day = students["month"] * 100 + students["day"]
    month_day = month_day.where(~((month_day == 229) & ~leap), 301)
    return year * 10000 + month_day


def _issued(certificates: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """kind -> the first issued certificate per student (number, date), indexed by student id."""
    certs = certificates.dropna(subset=["student_id", "kind"])
    out = {}
    for kind in (MUSKARI, FINAL, PARTICIPATION):
        rows = certs[certs["kind"] == kind].drop_duplicates("student_id")
        out[kind] = pd.DataFrame({"number": rows["number"].to_numpy(), "date": rows["date"].to_numpy()},
                                 index=pd.Index(rows["student_id"].to_numpy(), name="student_id"))
    return out


def _key_to_date(key) -> date | None:
    if key is None or pd.isna(key):
        return None
    key = int(key)
    return date(key // 10000, key // 100 % 100, key % 100)


def age_on(birth: date, day: date) -> int:
    """Completed years at `day` (a 29.2. birthday counts as reached on 1.3. in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
