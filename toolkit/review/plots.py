"""Plots for the owner's semester review, shared by the notebooks and the semester summary.

Every function returns a ``matplotlib.figure.Figure`` (no pyplot state, PNGs through Agg) with
Finnish titles, axis labels and legends (English with ``lang="en"``; register values such as unit
names and semester labels are shown as written). Series differ by grey tone *and* hatch, edged in black,
so a plot reads the same printed in black and white. ``save_review_plots`` writes the key plots
as PNG files for the semester summary.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.model.formatting import format_hours
from toolkit.model.messages import catalogue, say
from toolkit.review import frames as review
from toolkit.review.frames import COMMON, EARLY, FINAL, MUSKARI, THEMATIC
from workbook_schema.choices import STATUS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from toolkit.model.tables import Tables
    from workbook_schema.settings import Settings

# (face colour as a grey level, hatch): distinct in black and white even without the face colour.
STYLES = (("0.25", ""), ("white", "///"), ("0.7", ""), ("white", "..."), ("0.85", "xx"), ("0.5", "\\\\"))
DONE_STYLE = ("0.35", "")
MISSING_STYLE = ("white", "///")

SEMESTER_STARTS = {"kevät": (1, 7), "syksy": (8, 15)}  # about when each term begins (domain.md)

# Every word a plot shows is a catalogue entry: a register value, a status, a purge rule or action is said as
# the rest of muskari says it; the plots' own words are plot-KEY.
_KEY_CODES = {
    "aktiivinen": "tila-active", "tauolla": "tila-on-break", "päättynyt": "tila-ended",
    MUSKARI: "certificate-kind-muskari", FINAL: "certificate-kind-final",
    EARLY: "part-early", COMMON: "part-common", THEMATIC: "part-thematic",
    **{status: f"status-{status}" for status in ("in-progress", "close", "eligible", "issued", "out-of-reach")},
    **{rule: f"purge-rule-{rule}" for rule in ("deletion-requested", "study-window-closed", "muskari-ended",
                                               "marketing-expired", "backup-expired")},
    **{action: f"purge-action-{action}" for action in ("erase", "anonymise", "delete-row", "delete-file", "ask",
                                                       "issue-first")},
}
PART_SHORT = {EARLY: "part-short-early", COMMON: "part-short-common", THEMATIC: "part-short-thematic"}


def word(key: str, lang: str = "fi") -> str:
    """The word a plot shows for ``key`` (a register value, a code or a plot's own word) in ``lang``; an
    unknown key (a unit's or a teacher's name) as is."""
    code = _KEY_CODES.get(key, f"plot-{key}")
    return say(code, lang) if code in catalogue() else key


# Finnish names, for the notebooks' tables.
STAGE_LABELS = {k: word(k) for k in review.FUNNEL_STAGES}
RULE_LABELS = {k: word(k) for k in ("deletion-requested", "study-window-closed", "muskari-ended",
                                    "marketing-expired", "backup-expired")}
ACTION_LABELS = {k: word(k) for k in ("erase", "anonymise", "delete-row", "delete-file", "ask")}

# File name -> the plot it holds (its plot-KEY); ``REVIEW_PLOTS`` gives the Finnish captions the summary links.
PLOT_FILES = {
    "oppilaat_tilan_mukaan.png": "title-status",
    "oppilaat_opettajittain.png": "title-teacher",
    "uudet_ja_paattyneet.png": "title-flow",
    "todistusputki.png": "title-funnel",
    "eteneminen.png": "title-progress",
    "tietosuoja.png": "title-purge",
}
REVIEW_PLOTS = {name: word(key) for name, key in PLOT_FILES.items()}


def caption(file_name: str, lang: str = "fi") -> str:
    """The caption of a saved review plot in the summary's language."""
    return word(PLOT_FILES[file_name], lang) if file_name in PLOT_FILES else Path(file_name).stem


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


def plot_students_by_status(students: pd.DataFrame, lang: str = "fi") -> Figure:
    """One bar per Tila: how many students are active, on break and ended."""
    counts = students["status"].value_counts().reindex(list(STATUS), fill_value=0)
    fig, ax = _figure(6, 4)
    for i, (status, n) in enumerate(counts.items()):
        bars = ax.bar(word(status, lang), int(n), label=word(status, lang), **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_title(word("title-status", lang))
    ax.set_xlabel(word("status", lang))
    ax.set_ylabel(word("students", lang))
    _count_axis(ax)
    ax.margins(y=0.15)
    return fig


def plot_students_by_teacher(students: pd.DataFrame, lang: str = "fi") -> Figure:
    """Students per teacher, each bar split by Tila."""
    import pandas as pd

    nobody = word("no-teacher", lang)
    teacher = students["teacher"].fillna(nobody)
    table = pd.crosstab(teacher, students["status"]).reindex(columns=list(STATUS), fill_value=0)
    order = sorted(t for t in table.index if t != nobody) + ([nobody] if nobody in table.index else [])
    table = table.reindex(order[::-1])  # first name on top
    fig, ax = _figure(7, max(2.5, 1.2 + 0.45 * len(table)))
    if table.empty:
        _empty(ax, word("no-students", lang))
    left = pd.Series(0, index=table.index)
    for i, status in enumerate(STATUS):
        bars = ax.barh(table.index, table[status], left=left, label=word(status, lang), **_style(i))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in table[status]], label_type="center",
                     bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        left = left + table[status]
    ax.set_title(word("title-teacher", lang))
    ax.set_xlabel(word("students", lang))
    ax.set_ylabel(word("teacher", lang))
    _count_axis(ax, "x")
    if not table.empty:
        _legend(fig, ax, word("status", lang))
    return fig


def plot_semester_flow(students: pd.DataFrame, studies: pd.DataFrame, lang: str = "fi") -> Figure:
    """New and ended students per semester, from the first semester of study rows to the last."""
    import numpy as np

    flow = review.semester_flow(students, studies)
    fig, ax = _figure(max(6.0, 1.5 + 0.55 * len(flow)), 4)
    ax.set_title(word("title-flow", lang))
    if flow.empty:
        _empty(ax, word("no-rows", lang))
        return fig
    x = np.arange(len(flow))
    for i, column in enumerate(("new", "ended")):
        bars = ax.bar(x + (i - 0.5) * 0.4, flow[column], width=0.4, label=word(column, lang), **_style(i))
        ax.bar_label(bars, labels=[str(v) if v else "" for v in flow[column]], padding=2)
    ax.set_xticks(x, flow.index, rotation=45, ha="right")  # semester labels stay as written in the register
    ax.set_xlabel(word("semester", lang))
    ax.set_ylabel(word("students", lang))
    _count_axis(ax)
    ax.margins(y=0.15)
    _legend(fig, ax)
    return fig


def plot_certificate_funnel(eligibility: pd.DataFrame, close_share: float = review.CLOSE_SHARE,
                            lang: str = "fi") -> Figure:
    """How many students are in progress, close, have earned and have been given each certificate."""
    import numpy as np

    counts = review.funnel_counts(eligibility, close_share)
    fig, ax = _figure(7, 4)
    y = np.arange(len(counts))[::-1]  # first stage on top
    for i, kind in enumerate((MUSKARI, FINAL)):
        bars = ax.barh(y + (0.5 - i) * 0.4, counts[kind], height=0.4, label=word(kind, lang), **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_yticks(y, [word(s, lang) for s in counts.index])
    ax.set_title(word("title-funnel", lang))
    ax.set_xlabel(word("students", lang))
    ax.set_ylabel(word("stage", lang))
    _count_axis(ax, "x")
    ax.margins(x=0.15)
    _legend(fig, ax, word("certificate", lang))
    return fig


def plot_certificate_progress(eligibility: pd.DataFrame, labels: dict[str, str] | None = None,
                              limit: int | None = 30, lang: str = "fi") -> Figure:
    """Each unfinished certificate as bars of hours done and missing per part, closest first.

    ``labels`` maps student ids to what the axis shows (the id itself by default).
    """
    rows = review.progress_rows(eligibility, limit)
    fig, ax = _figure(8, max(2.5, 1.4 + 0.32 * len(rows)))
    ax.set_title(word("title-progress", lang))
    if rows.empty:
        _empty(ax, word("no-open", lang))
        return fig
    labels = labels or {}
    short = {part: say(code, lang) for part, code in PART_SHORT.items()}
    names = [f"{labels.get(s, s)} · {short[p]}" for s, p in zip(rows["student_id"], rows["part"], strict=True)]
    y = list(range(len(rows)))[::-1]
    ax.barh(y, rows["done"], label=word("done", lang), **_bar_kwargs(*DONE_STYLE))
    missing = ax.barh(y, rows["missing"], left=rows["done"], label=word("missing", lang), **_bar_kwargs(*MISSING_STYLE))
    ax.bar_label(missing, labels=[format_hours(m, lang) if m else "" for m in rows["missing"]], padding=2)
    ax.set_yticks(y, names)
    ax.set_xlabel(word("hours", lang))
    ax.margins(x=0.1)
    _legend(fig, ax)
    return fig


def plot_purge_counts(purge: pd.DataFrame, lang: str = "fi") -> Figure:
    """How many purge actions each rule requires, ``ask`` (ask the family) apart from the deletions."""
    counts = review.purge_counts(purge)
    fig, ax = _figure(7, max(2.5, 1.4 + 0.45 * len(counts)))
    ax.set_title(word("title-purge", lang))
    if counts.empty:
        _empty(ax, word("no-purge", lang))
        return fig
    actions = list(dict.fromkeys(counts["action"]))
    y = list(range(len(counts)))[::-1]
    for i, action in enumerate(actions):
        mine = counts["action"] == action
        bars = ax.barh([v for v, m in zip(y, mine, strict=True) if m], counts.loc[mine, "count"],
                       label=word(action, lang), **_style(i))
        ax.bar_label(bars, padding=2)
    ax.set_yticks(y, [word(r, lang) for r in counts["rule"]])
    ax.set_xlabel(word("count", lang))
    ax.set_ylabel(word("rule", lang))
    _count_axis(ax, "x")
    ax.margins(x=0.15)
    _legend(fig, ax, word("action", lang))
    return fig


def semester_start(label: str) -> date:
    season, year = label.split(" ", 1)
    month, day = SEMESTER_STARTS[season]
    return date(int(year), month, day)


def plot_student_timeline(studies: pd.DataFrame, units: pd.DataFrame, student_id: str,
                          label: str | None = None, lang: str = "fi") -> Figure:
    """One student's study rows on a time axis: from the start of the semester to Suoritettu, by part.

    Each unit is one line, labelled with its total hours; the hatch and grey tone tell the part.
    """
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    own = studies[studies["student_id"] == student_id].sort_values(["completed", "unit"], kind="stable")
    fig, ax = _figure(8, max(2.5, 1.4 + 0.4 * own["unit"].nunique()))
    ax.set_title(f"{word('title-timeline', lang)}: {label or student_id}")
    if own.empty:
        _empty(ax, word("no-rows", lang))
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
    ax.set_yticks(list(ypos.values()), [f"{u} ({format_hours(totals[u], lang)})" for u in ypos])
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{num2date(x):%-m/%Y}"))  # 8/2024: no month names
    ax.set_xlabel(word("time", lang))
    ax.set_ylabel(word("unit", lang))
    ax.margins(x=0.08)
    present = [p for p in parts if p in set(part_of.reindex(unit_names))]
    _legend(fig, ax, word("part", lang), [Patch(label=word(p, lang), **_style(parts.index(p))) for p in present])
    return fig


def plot_student_hours(studies: pd.DataFrame, units: pd.DataFrame, settings: Settings, student_id: str,
                       label: str | None = None, lang: str = "fi") -> Figure:
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
    ax.set_title(f"{word('title-hours', lang)}: {label or student_id}")
    if hours.empty:
        _empty(ax, word("no-rows", lang))
        return fig
    y = list(range(len(hours)))[::-1]
    done = ax.barh(y, hours.values, label=word("done", lang), **_bar_kwargs(*DONE_STYLE))
    ax.bar_label(done, labels=[format_hours(h, lang) if h else "" for h in hours.values], label_type="center",
                 bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    rest = ax.barh(y, missing, left=hours.values, label=word("missing-of-required", lang),
                   **_bar_kwargs(*MISSING_STYLE))
    ax.bar_label(rest, labels=[format_hours(m, lang) if m else "" for m in missing], padding=2)
    ax.set_yticks(y, [word(p, lang) for p in hours.index])
    ax.set_xlabel(word("hours", lang))
    ax.margins(x=0.12)
    _legend(fig, ax)
    return fig


def review_figures(tables: Tables, eligibility: pd.DataFrame, purge: pd.DataFrame,
                   labels: dict[str, str] | None = None, lang: str = "fi") -> dict[str, Figure]:
    """The semester review's key plots, keyed by their PNG file names (``PLOT_FILES``)."""
    return {
        "oppilaat_tilan_mukaan.png": plot_students_by_status(tables.students, lang),
        "oppilaat_opettajittain.png": plot_students_by_teacher(tables.students, lang),
        "uudet_ja_paattyneet.png": plot_semester_flow(tables.students, tables.studies, lang),
        "todistusputki.png": plot_certificate_funnel(eligibility, lang=lang),
        "eteneminen.png": plot_certificate_progress(eligibility, labels, lang=lang),
        "tietosuoja.png": plot_purge_counts(purge, lang),
    }


def save_review_plots(tables: Tables, today: date, out_dir: str | Path, *, eligibility: pd.DataFrame | None = None,
                      purge: pd.DataFrame | None = None, lang: str = "fi", register: str | Path | None = None,
                      within: str | Path | None = None) -> list[Path]:
    """Write the key review plots as PNG files into ``out_dir`` and return their paths (``PLOT_FILES`` order).

    Students appear by id only. ``eligibility``/``purge`` (frames from ``toolkit.review.frames``) are
    computed for ``today`` when not given. The folder and files are private to their owner (0700/0600), written
    through the output guard (an earlier plot of the toolkit's own is replaced) and listed with the ids each
    plot shows (only the progress plot shows any), so an erasure knows which to delete.
    """
    import io

    from toolkit.system.outputs import write_output
    from toolkit.system.private_files import private_folder

    if eligibility is None:
        eligibility = review.compute_eligibility(tables, today)
    if purge is None:
        purge = review.compute_purge(tables, today)
    out = private_folder(out_dir)
    paths = []
    for name, fig in review_figures(tables, eligibility, purge, lang=lang).items():
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=120, metadata={"Software": None})
        shown = list(review.progress_rows(eligibility, 30)["student_id"]) if name == "eteneminen.png" else []
        paths.append(write_output(out / name, png.getvalue(), kind="plot", students=shown, register=register,
                                  within=within if within is not None else out, replace_own=True))
    return paths
