"""Plots for the owner's semester review, shared by the notebooks and the semester summary.

Every function returns a ``matplotlib.figure.Figure`` (no pyplot state, PNGs through Agg) with
Finnish titles, axis labels and legends. Series differ by grey tone *and* hatch, edged in black,
so a plot reads the same printed in black and white. ``save_review_plots`` writes the key plots
as PNG files for the semester summary.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import review
from toolkit.review import COMMON, EARLY, FINAL, MUSKARI, THEMATIC
from toolkit.rules.formatting import format_hours

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from toolkit.tables import Tables
    from workbook_schema.settings import Settings

# (face colour as a grey level, hatch): distinct in black and white even without the face colour.
STYLES = (("0.25", ""), ("white", "///"), ("0.7", ""), ("white", "..."), ("0.85", "xx"), ("0.5", "\\\\"))
DONE_STYLE = ("0.35", "")
MISSING_STYLE = ("white", "///")

STATUSES = ("aktiivinen", "tauolla", "päättynyt")
NO_TEACHER = "(ei opettajaa)"
STAGE_LABELS = {"in-progress": "kesken", "close": "lähellä", "eligible": "ansaittu, antamatta", "issued": "annettu"}
PART_SHORT = {EARLY: "muskari", COMMON: "yhteiset", THEMATIC: "teema"}
RULE_LABELS = {
    "deletion-requested": "poistopyyntö",
    "study-window-closed": "opintoaika sulkeutunut",
    "muskari-ended": "muskari päättynyt",
    "marketing-expired": "markkinointitieto vanhentunut",
    "backup-expired": "varmuuskopio vanhentunut",
}
ACTION_LABELS = {
    "erase": "poisto",
    "anonymise": "anonymisointi",
    "delete-row": "rivin poisto",
    "delete-file": "tiedoston poisto",
    "ask": "kysy perheeltä",
}
SEMESTER_STARTS = {"kevät": (1, 7), "syksy": (8, 15)}  # about when each term begins (domain.md)

# File name -> what it shows; the semester summary links these.
REVIEW_PLOTS = {
    "oppilaat_tilan_mukaan.png": "Oppilaat tilan mukaan",
    "oppilaat_opettajittain.png": "Oppilaat opettajittain",
    "uudet_ja_paattyneet.png": "Uudet ja päättyneet oppilaat lukukausittain",
    "todistusputki.png": "Todistusputki",
    "eteneminen.png": "Eteneminen kohti todistusta",
    "tietosuoja.png": "Tietosuoja: poistot ja kysymykset",
}


def _style(index: int) -> dict:
    face, hatch = STYLES[index % len(STYLES)]
    return _bar_kwargs(face, hatch)


def _bar_kwargs(face: str, hatch: str) -> dict:
    return {"facecolor": face, "hatch": hatch, "edgecolor": "black", "linewidth": 0.8}


def _figure(width: float = 7.0, height: float = 4.0) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _legend(fig: Figure, ax: Axes, title: str | None = None, handles: list | None = None) -> None:
    """The legend below the plot, where it never covers a bar."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4), title=title, frameon=False)


def _count_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))


def plot_students_by_status(students: pd.DataFrame) -> Figure:
    """One bar per Tila: how many students are active, on break and ended."""
    counts = students["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    fig, ax = _figure(6, 4)
    for i, (status, n) in enumerate(counts.items()):
        bars = ax.bar(status, int(n), label=status, **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_title("Oppilaat tilan mukaan")
    ax.set_xlabel("tila")
    ax.set_ylabel("oppilaita")
    _count_axis(ax)
    ax.margins(y=0.15)
    return fig


def plot_students_by_teacher(students: pd.DataFrame) -> Figure:
    """Students per teacher, each bar split by Tila."""
    import pandas as pd

    teacher = students["teacher"].fillna(NO_TEACHER)
    table = pd.crosstab(teacher, students["status"]).reindex(columns=list(STATUSES), fill_value=0)
    order = sorted(t for t in table.index if t != NO_TEACHER) + ([NO_TEACHER] if NO_TEACHER in table.index else [])
    table = table.reindex(order[::-1])  # first name on top
    fig, ax = _figure(7, max(2.5, 1.2 + 0.45 * len(table)))
    if table.empty:
        _empty(ax, "Ei oppilaita")
    left = pd.Series(0, index=table.index)
    for i, status in enumerate(STATUSES):
        bars = ax.barh(table.index, table[status], left=left, label=status, **_style(i))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in table[status]], label_type="center",
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        left = left + table[status]
    ax.set_title("Oppilaat opettajittain")
    ax.set_xlabel("oppilaita")
    ax.set_ylabel("opettaja")
    _count_axis(ax, "x")
    if not table.empty:
        _legend(fig, ax, "tila")
    return fig


def plot_semester_flow(students: pd.DataFrame, studies: pd.DataFrame) -> Figure:
    """New and ended students per semester, from the first semester of study rows to the last."""
    import numpy as np

    flow = review.semester_flow(students, studies)
    fig, ax = _figure(max(6.0, 1.5 + 0.55 * len(flow)), 4)
    if flow.empty:
        _empty(ax, "Ei opintorivejä")
        ax.set_title("Uudet ja päättyneet oppilaat lukukausittain")
        return fig
    x = np.arange(len(flow))
    for i, (column, label) in enumerate((("new", "uudet"), ("ended", "päättyneet"))):
        bars = ax.bar(x + (i - 0.5) * 0.4, flow[column], width=0.4, label=label, **_style(i))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in flow[column]], padding=2)
    ax.set_xticks(x, flow.index, rotation=45, ha="right")
    ax.set_title("Uudet ja päättyneet oppilaat lukukausittain")
    ax.set_xlabel("lukukausi")
    ax.set_ylabel("oppilaita")
    _count_axis(ax)
    ax.margins(y=0.15)
    _legend(fig, ax)
    return fig


def plot_certificate_funnel(eligibility: pd.DataFrame, close_share: float = review.CLOSE_SHARE) -> Figure:
    """How many students are in progress, close, have earned and have been given each certificate."""
    import numpy as np

    counts = review.funnel_counts(eligibility, close_share)
    fig, ax = _figure(7, 4)
    y = np.arange(len(counts))[::-1]  # first stage on top
    for i, kind in enumerate((MUSKARI, FINAL)):
        bars = ax.barh(y + (0.5 - i) * 0.4, counts[kind], height=0.4, label=kind, **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_yticks(y, [STAGE_LABELS[s] for s in counts.index])
    ax.set_title("Todistusputki")
    ax.set_xlabel("oppilaita")
    ax.set_ylabel("vaihe")
    _count_axis(ax, "x")
    ax.margins(x=0.15)
    _legend(fig, ax, "todistus")
    return fig


def plot_certificate_progress(eligibility: pd.DataFrame, labels: dict[str, str] | None = None,
                              limit: int | None = 30) -> Figure:
    """Each unfinished certificate as bars of hours done and missing per part, closest first.

    ``labels`` maps student ids to what the axis shows (the id itself by default).
    """
    rows = review.progress_rows(eligibility, limit)
    fig, ax = _figure(8, max(2.5, 1.4 + 0.32 * len(rows)))
    ax.set_title("Eteneminen kohti todistusta")
    if rows.empty:
        _empty(ax, "Ei keskeneräisiä todistuksia")
        return fig
    labels = labels or {}
    names = [f"{labels.get(s, s)} · {PART_SHORT[p]}" for s, p in zip(rows["student_id"], rows["part"], strict=True)]
    y = list(range(len(rows)))[::-1]
    ax.barh(y, rows["done"], label="suoritettu", **_bar_kwargs(*DONE_STYLE))
    missing = ax.barh(y, rows["missing"], left=rows["done"], label="puuttuu", **_bar_kwargs(*MISSING_STYLE))
    ax.bar_label(missing, labels=[format_hours(m) if m else "" for m in rows["missing"]], padding=2)
    ax.set_yticks(y, names)
    ax.set_xlabel("tunnit (45 min)")
    ax.margins(x=0.1)
    _legend(fig, ax)
    return fig


def plot_purge_counts(purge: pd.DataFrame) -> Figure:
    """How many purge actions each rule requires, ``ask`` (ask the family) apart from the deletions."""
    counts = review.purge_counts(purge)
    fig, ax = _figure(7, max(2.5, 1.4 + 0.45 * len(counts)))
    ax.set_title("Tietosuoja: poistot ja kysymykset")
    if counts.empty:
        _empty(ax, "Ei poistettavaa eikä kysyttävää")
        return fig
    actions = list(dict.fromkeys(counts["action"]))
    y = list(range(len(counts)))[::-1]
    for i, action in enumerate(actions):
        mine = counts["action"] == action
        bars = ax.barh([v for v, m in zip(y, mine, strict=True) if m], counts.loc[mine, "count"],
                       label=ACTION_LABELS.get(action, action), **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_yticks(y, [RULE_LABELS.get(r, r) for r in counts["rule"]])
    ax.set_xlabel("kpl")
    ax.set_ylabel("sääntö")
    _count_axis(ax, "x")
    ax.margins(x=0.15)
    _legend(fig, ax, "toimenpide")
    return fig


def semester_start(label: str) -> date:
    season, year = label.split(" ", 1)
    month, day = SEMESTER_STARTS[season]
    return date(int(year), month, day)


def plot_student_timeline(studies: pd.DataFrame, units: pd.DataFrame, student_id: str,
                          label: str | None = None) -> Figure:
    """One student's study rows on a time axis: from the start of the semester to Suoritettu, by part.

    Each unit is one line, labelled with its total hours; the hatch and grey tone tell the part.
    """
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    own = studies[studies["student_id"] == student_id].sort_values(["completed", "unit"], kind="stable")
    fig, ax = _figure(8, max(2.5, 1.4 + 0.4 * own["unit"].nunique()))
    ax.set_title(f"Opinnot aikajanalla: {label or student_id}")
    if own.empty:
        _empty(ax, "Ei opintorivejä")
        return fig
    part_of = units.set_index("name")["part"]
    parts = [EARLY, COMMON, THEMATIC]
    unit_names = list(dict.fromkeys(own["unit"]))
    ypos = {u: len(unit_names) - 1 - i for i, u in enumerate(unit_names)}
    for row in own.itertuples(index=False):
        start = min(semester_start(row.semester), row.completed - timedelta(days=7))
        part = part_of.get(row.unit)
        style = _style(parts.index(part)) if part in parts else _style(len(parts))
        ax.barh(ypos[row.unit], date2num(row.completed) - date2num(start), left=date2num(start), height=0.6, **style)
    totals = own.groupby("unit", sort=False)["hours"].sum()
    ax.set_yticks(list(ypos.values()), [f"{u} ({format_hours(totals[u])})" for u in ypos])
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{num2date(x):%-m/%Y}"))  # 8/2024: no month names
    ax.set_xlabel("aika (lukukauden alusta suorituspäivään)")
    ax.set_ylabel("opintokokonaisuus")
    ax.margins(x=0.08)
    present = [p for p in parts if p in set(part_of.reindex(unit_names))]
    _legend(fig, ax, "osa-alue", [Patch(label=p, **_style(parts.index(p))) for p in present])
    return fig


def plot_student_hours(studies: pd.DataFrame, units: pd.DataFrame, settings: Settings, student_id: str,
                       label: str | None = None) -> Figure:
    """One student's hours per part against each part's requirement.

    The muskari line shows when the student has muskari rows; the common and thematic lines when
    they have rows of either (a part with no hours yet is then still shown, all of it missing).
    """
    hours = review.hours_by_part(studies, units, student_id)
    shown = ([EARLY] if hours[EARLY] > 0 else []) + ([COMMON, THEMATIC] if hours[COMMON] + hours[THEMATIC] > 0 else [])
    hours = hours[shown]
    required = {EARLY: settings.muskari_hours, COMMON: settings.common_hours, THEMATIC: settings.thematic_hours}
    missing = [max(required[p] - h, 0.0) for p, h in hours.items()]
    fig, ax = _figure(7, 1.8 + 0.5 * len(hours))
    ax.set_title(f"Tunnit osa-alueittain: {label or student_id}")
    if hours.empty:
        _empty(ax, "Ei opintorivejä")
        return fig
    y = list(range(len(hours)))[::-1]
    done = ax.barh(y, hours.values, label="suoritettu", **_bar_kwargs(*DONE_STYLE))
    ax.bar_label(done, labels=[format_hours(h) if h else "" for h in hours.values], label_type="center",
                 bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    rest = ax.barh(y, missing, left=hours.values, label="puuttuu vaatimuksesta", **_bar_kwargs(*MISSING_STYLE))
    ax.bar_label(rest, labels=[format_hours(m) if m else "" for m in missing], padding=2)
    ax.set_yticks(y, list(hours.index))
    ax.set_xlabel("tunnit (45 min)")
    ax.margins(x=0.12)
    _legend(fig, ax)
    return fig


def review_figures(tables: Tables, eligibility: pd.DataFrame, purge: pd.DataFrame,
                   labels: dict[str, str] | None = None) -> dict[str, Figure]:
    """The semester review's key plots, keyed by their PNG file names (``REVIEW_PLOTS``)."""
    return {
        "oppilaat_tilan_mukaan.png": plot_students_by_status(tables.students),
        "oppilaat_opettajittain.png": plot_students_by_teacher(tables.students),
        "uudet_ja_paattyneet.png": plot_semester_flow(tables.students, tables.studies),
        "todistusputki.png": plot_certificate_funnel(eligibility),
        "eteneminen.png": plot_certificate_progress(eligibility, labels),
        "tietosuoja.png": plot_purge_counts(purge),
    }


def save_review_plots(tables: Tables, today: date, out_dir: str | Path, *, eligibility: pd.DataFrame | None = None,
                      purge: pd.DataFrame | None = None) -> list[Path]:
    """Write the key review plots as PNG files into ``out_dir`` and return their paths (``REVIEW_PLOTS`` order).

    Students appear by id only. ``eligibility``/``purge`` (frames from ``toolkit.review``) are
    computed for ``today`` when not given. The files are readable by their owner only.
    """
    if eligibility is None:
        eligibility = review.compute_eligibility(tables, today)
    if purge is None:
        purge = review.compute_purge(tables, today)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in review_figures(tables, eligibility, purge).items():
        path = out / name
        fig.savefig(path, format="png", dpi=120)
        os.chmod(path, 0o600)
        paths.append(path)
    return paths
