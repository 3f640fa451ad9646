"""The data behind the owner's semester review: what the notebooks and the semester summary plot.

``toolkit.jobs.review.load_review(register_path, as_of)`` reads and checks the register and computes
eligibility and purge once; the functions here turn the typed Tables and those results into small frames
that ``toolkit.review.plots`` draws. Pure pandas: ``as_of`` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.model.errors import MuskariError
from toolkit.model.formatting import kind_name
from toolkit.model.messages import say, say_each
from toolkit.rules.eligibility import CLOSE_SHARE  # "close": in progress, missing ≤ this share of required
from workbook_schema.choices import FINAL, MUSKARI, PART_COMMON, PART_MUSKARI, PART_THEMATIC

if TYPE_CHECKING:
    from toolkit.model.tables import Tables

COMMON, THEMATIC, EARLY = PART_COMMON, PART_THEMATIC, PART_MUSKARI      # the plots' short names for the parts

ELIGIBILITY_COLUMNS = ["student_id", "certificate", "status", "hours", "required", "missing",
                       "common_hours", "common_required", "thematic_hours", "thematic_required"]
PURGE_COLUMNS = ["rule", "action", "student_id", "sheet", "row"]
FUNNEL_STAGES = ("in-progress", "close", "eligible", "issued")


@dataclass
class Review:
    """One register, checked and decided for one day."""

    as_of: date
    tables: Tables
    eligibility: pd.DataFrame
    purge: pd.DataFrame
    warnings: list = field(default_factory=list)


def compute_eligibility(tables: Tables, as_of: date) -> pd.DataFrame:
    from toolkit.rules.eligibility import assess_eligibility

    return eligibility_frame(assess_eligibility(tables, as_of))


def compute_purge(tables: Tables, as_of: date, backups=()) -> pd.DataFrame:
    """Purge actions for ``as_of``; expired backups count only when ``backups`` (BackupCopy) are given."""
    from toolkit.rules.purge import find_purge_actions

    return purge_frame(find_purge_actions(tables, as_of, backups))


def _as_dict(item) -> dict:
    if isinstance(item, dict):
        return item
    if hasattr(item, "to_dict"):
        return item.to_dict()
    from dataclasses import asdict, is_dataclass

    if is_dataclass(item):
        return asdict(item)
    raise TypeError(f"cannot read a result of type {type(item).__name__}")


def eligibility_frame(results) -> pd.DataFrame:
    """Eligibility results (contract JSON shape, as dicts or objects) as one flat frame.

    Columns: ``ELIGIBILITY_COLUMNS``; the part columns are NaN for the muskari certificate.
    """
    rows = []
    for item in results:
        rec = _as_dict(item)
        parts = rec.get("parts") or {}
        common, thematic = parts.get(COMMON) or {}, parts.get(THEMATIC) or {}
        rows.append({"student_id": rec["student_id"], "certificate": rec["certificate"], "status": rec["status"],
                     "hours": rec["hours"], "required": rec["required"], "missing": rec["missing"],
                     "common_hours": common.get("hours"), "common_required": common.get("required"),
                     "thematic_hours": thematic.get("hours"), "thematic_required": thematic.get("required")})
    frame = pd.DataFrame(rows, columns=ELIGIBILITY_COLUMNS)
    for col in ELIGIBILITY_COLUMNS[3:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def purge_frame(actions) -> pd.DataFrame:
    """Purge actions (contract JSON shape, as dicts or objects) as one flat frame."""
    rows = [{col: _as_dict(a).get(col) for col in PURGE_COLUMNS} for a in actions]
    return pd.DataFrame(rows, columns=PURGE_COLUMNS)


# --- derived counts (pure) -------------------------------------------------------------------------

def semester_order(labels: pd.Series) -> pd.Series:
    """'kevät 2024' -> 4048, 'syksy 2024' -> 4049: sortable, consecutive semesters differ by one."""
    parts = labels.str.split(" ", n=1, expand=True)
    return parts[1].astype(int) * 2 + (parts[0] == "syksy").astype(int)


def semester_label(order: int) -> str:
    return f"{'syksy' if order % 2 else 'kevät'} {order // 2}"


def semester_flow(students: pd.DataFrame, studies: pd.DataFrame) -> pd.DataFrame:
    """New and ended students per semester, every semester from the first to the last study row.

    A student is *new* in the semester of their first Opinnot row and *ended* in the semester of
    their last one when their Tila is ``päättynyt``. Students without study rows are not counted.
    Index: semester label in time order; columns ``new``, ``ended``.
    """
    known = studies[studies["student_id"].isin(students["student_id"])]
    if known.empty:
        return pd.DataFrame({"new": pd.Series([], dtype=int), "ended": pd.Series([], dtype=int)},
                            index=pd.Index([], name="semester"))
    order = semester_order(known["semester"])
    span = order.groupby(known["student_id"]).agg(["min", "max"])
    ended_ids = students.loc[students["status"] == "päättynyt", "student_id"]
    all_orders = range(int(span["min"].min()), int(span["max"].max()) + 1)
    new = span["min"].value_counts().reindex(all_orders, fill_value=0)
    ended = span.loc[span.index.isin(ended_ids), "max"].value_counts().reindex(all_orders, fill_value=0)
    flow = pd.DataFrame({"new": new.astype(int), "ended": ended.astype(int)})
    flow.index = pd.Index([semester_label(o) for o in all_orders], name="semester")
    return flow


def funnel_counts(eligibility: pd.DataFrame, close_share: float = CLOSE_SHARE) -> pd.DataFrame:
    """Students at each stage of each certificate: rows ``FUNNEL_STAGES``, columns the two kinds.

    ``in-progress`` counts those not yet close; ``close`` those in progress missing at most
    ``close_share`` of the required hours; ``eligible`` earned but not issued; ``issued``.
    Out-of-reach results are not part of the funnel.
    """
    stage = eligibility["status"].where(
        ~((eligibility["status"] == "in-progress") & (eligibility["missing"] <= close_share * eligibility["required"])),
        "close")
    counts = pd.crosstab(stage, eligibility["certificate"])
    return counts.reindex(index=list(FUNNEL_STAGES), columns=[MUSKARI, FINAL], fill_value=0).astype(int)


def progress_rows(eligibility: pd.DataFrame, limit: int | None = 30) -> pd.DataFrame:
    """Hours done and missing per part, for each result still in progress, closest first.

    Columns: ``student_id``, ``certificate``, ``part`` (muskari / yhteiset opinnot / teemaopinnot),
    ``done``, ``missing``. ``limit`` keeps the results with the least missing hours.
    """
    open_ = eligibility[eligibility["status"] == "in-progress"].sort_values(["missing", "student_id"], kind="stable")
    if limit is not None:
        open_ = open_.head(limit)
    muskari = open_[open_["certificate"] == MUSKARI]
    final = open_[open_["certificate"] == FINAL]
    frames = [
        pd.DataFrame({"key": muskari.index, "student_id": muskari["student_id"], "certificate": MUSKARI,
                      "part": EARLY, "done": muskari["hours"], "required": muskari["required"]}),
        pd.DataFrame({"key": final.index, "student_id": final["student_id"], "certificate": FINAL,
                      "part": COMMON, "done": final["common_hours"], "required": final["common_required"]}),
        pd.DataFrame({"key": final.index, "student_id": final["student_id"], "certificate": FINAL,
                      "part": THEMATIC, "done": final["thematic_hours"], "required": final["thematic_required"]}),
    ]
    rows = pd.concat(frames, ignore_index=True)
    rank = {k: i for i, k in enumerate(open_.index)}
    rows["rank"] = rows["key"].map(rank)
    rows["part_order"] = rows["part"].map({EARLY: 0, COMMON: 1, THEMATIC: 2})
    rows = rows.sort_values(["rank", "part_order"], kind="stable").reset_index(drop=True)
    rows["done"] = rows["done"].fillna(0.0)
    rows["missing"] = (rows["required"] - rows["done"]).clip(lower=0.0)
    return rows[["student_id", "certificate", "part", "done", "missing"]]


def purge_counts(purge: pd.DataFrame) -> pd.DataFrame:
    """Number of actions per (rule, action), in the contract's rule order."""
    rules = ["deletion-requested", "study-window-closed", "muskari-ended", "marketing-expired", "backup-expired"]
    counts = purge.groupby(["rule", "action"]).size().rename("count").reset_index()
    counts["order"] = counts["rule"].map({r: i for i, r in enumerate(rules)}).fillna(len(rules))
    return counts.sort_values(["order", "action"]).drop(columns="order").reset_index(drop=True)


def hours_by_part(studies: pd.DataFrame, units: pd.DataFrame, student_id: str) -> pd.Series:
    """A student's hours per part of the curriculum (every part present, zero when none)."""
    own = studies[studies["student_id"] == student_id]
    part = own["unit"].map(units.set_index("name")["part"])
    return own["hours"].groupby(part).sum().reindex([EARLY, COMMON, THEMATIC], fill_value=0.0).astype(float)


class UnknownStudent(MuskariError):
    """The notebook asked for a student the register does not hold."""


def student_labels(students: pd.DataFrame) -> dict[str, str]:
    """student id -> 'Aino Virtanen (0001)', for the axes of a notebook (never of a saved file)."""
    names = students["first_name"].fillna("") + " " + students["last_name"].fillna("")
    return dict(zip(students["student_id"], names.str.strip() + " (" + students["student_id"] + ")", strict=True))


def pick_student(tables: Tables, student_id: str | None = None) -> str:
    """``student_id`` when the register holds it; with None, the first student who has study rows."""
    known = tables.students["student_id"]
    if student_id is None:
        with_rows = known[known.isin(tables.studies["student_id"])]
        if with_rows.empty:
            raise UnknownStudent("review-no-student-with-studies")
        return str(with_rows.iloc[0])
    student_id = str(student_id).strip()
    if not known.eq(student_id).any():
        raise UnknownStudent("review-unknown-student", student_id=student_id)
    return student_id


def certificate_table(eligibility: pd.DataFrame, student_id: str, lang: str = "fi") -> pd.DataFrame:
    """One student's certificate results with the eligibility report's headings and status words."""
    own = eligibility[eligibility["student_id"] == student_id]
    status = {code: say(f"status-{code}", lang) for code in ("in-progress", "eligible", "issued", "out-of-reach")}
    columns = say_each(("heading-certificate", "heading-status", "heading-hours", "heading-required",
                        "heading-missing"), lang)
    values = (own["certificate"].map(lambda kind: kind_name(kind, lang)), own["status"].map(status), own["hours"],
              own["required"], own["missing"])
    return pd.DataFrame(dict(zip(columns, values, strict=True))).reset_index(drop=True)


def study_table(tables: Tables, student_id: str) -> pd.DataFrame:
    """One student's study rows in time order, with each unit's part, under the register's headers."""
    own = tables.studies[tables.studies["student_id"] == student_id].sort_values("completed", kind="stable")
    part = own["unit"].map(tables.units.set_index("name")["part"])
    return pd.DataFrame({"Lukukausi": own["semester"], "Opintokokonaisuus": own["unit"], "Osa-alue": part,
                         "Tunnit": own["hours"], "Suoritettu": own["completed"], "Opettaja": own["teacher"]}
                        ).reset_index(drop=True)
