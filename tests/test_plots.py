"""The review plots: the right bars, Finnish labels, readable in black and white, never a crash."""

from __future__ import annotations

import io
import stat
from datetime import date
from pathlib import Path

import pytest
from factories import certificate, contact, make_tables, student, study
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from toolkit.jobs.review import load_review
from toolkit.model.errors import RegisterHasErrors
from toolkit.review import frames as review
from toolkit.review import plots

TODAY = date(2025, 6, 1)


def bars(ax):
    """Every bar of an axes, container by container: [(label, [(width, height, left), ...])]."""
    return [(c.get_label(), [(round(p.get_width(), 6), round(p.get_height(), 6), round(p.get_x(), 6))
                             for p in c.patches]) for c in ax.containers]


def heights(ax):
    return [round(p.get_height(), 6) for c in ax.containers for p in c.patches]


def widths(ax):
    return [round(p.get_width(), 6) for c in ax.containers for p in c.patches]


def ticks(labels):
    return [t.get_text() for t in labels]


def rows_top_down(ax):
    """The y-axis labels as the reader sees them, from the top."""
    ys = ax.get_yticks()
    return [t.get_text() for _y, t in sorted(zip(ys, ax.get_yticklabels(), strict=True), key=lambda p: -p[0])]


def legend_texts(fig: Figure):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def all_texts(fig: Figure) -> list[str]:
    fig.draw_without_rendering()  # tick labels are filled in at draw time
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text") and callable(o.get_text))]
    return [t for t in texts if t]


def elig(tables, today=TODAY):
    return review.compute_eligibility(tables, today)


# --- students --------------------------------------------------------------------------------------

def test_students_by_status_one_bar_per_status_in_contract_order():
    t = make_tables(students=[student("1"), student("2"), student("3", status="päättynyt")])
    fig = plots.plot_students_by_status(t.students)
    ax = fig.axes[0]
    assert heights(ax) == [2, 0, 1]
    assert ticks(ax.get_xticklabels()) == ["aktiivinen", "tauolla", "päättynyt"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Oppilaat tilan mukaan", "tila", "oppilaita")


def test_students_by_teacher_stacks_status_and_lists_students_without_teacher_last():
    t = make_tables(students=[student("1", teacher="Ville Viulu"), student("2", teacher="Aapo Alttoviulu"),
                              student("3", teacher="Ville Viulu", status="tauolla"),
                              student("4", teacher=None, status="päättynyt")])
    fig = plots.plot_students_by_teacher(t.students)
    ax = fig.axes[0]
    assert rows_top_down(ax) == ["Aapo Alttoviulu", "Ville Viulu", "(ei opettajaa)"]
    assert [(label, [w for w, _h, _x in b]) for label, b in bars(ax)] == [
        ("aktiivinen", [0, 1, 1]), ("tauolla", [0, 1, 0]), ("päättynyt", [1, 0, 0])]
    assert [x for _w, _h, x in bars(ax)[1][1]] == [0, 1, 1]  # tauolla stacked after aktiivinen
    assert legend_texts(fig) == ["aktiivinen", "tauolla", "päättynyt"]
    assert fig.legends[0].get_title().get_text() == "tila"


# --- new and ended per semester --------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "statuses", "expected"), [
    pytest.param([("1", "syksy 2023")], {"1": "aktiivinen"}, {"syksy 2023": (1, 0)}, id="one-row"),
    pytest.param([("1", "syksy 2023"), ("1", "kevät 2024")], {"1": "päättynyt"},
                 {"syksy 2023": (1, 0), "kevät 2024": (0, 1)}, id="autumn-then-spring-across-new-year"),
    pytest.param([("1", "kevät 2022"), ("2", "syksy 2023")], {"1": "aktiivinen", "2": "aktiivinen"},
                 {"kevät 2022": (1, 0), "syksy 2022": (0, 0), "kevät 2023": (0, 0), "syksy 2023": (1, 0)},
                 id="gap-semesters-shown-as-zero"),
    pytest.param([("1", "kevät 2024")], {"1": "päättynyt"}, {"kevät 2024": (1, 1)}, id="new-and-ended-same-term"),
    pytest.param([("1", "kevät 2024"), ("1", "syksy 2024")], {"1": "tauolla"},
                 {"kevät 2024": (1, 0), "syksy 2024": (0, 0)}, id="break-is-not-ended"),
    pytest.param([("1", "syksy 2024"), ("9", "kevät 2020")], {"1": "aktiivinen"}, {"syksy 2024": (1, 0)},
                 id="rows-of-unknown-students-ignored"),
    pytest.param([], {"1": "aktiivinen"}, {}, id="no-study-rows"),
])
def test_semester_flow(rows, statuses, expected):
    t = make_tables(students=[student(sid, status=s) for sid, s in statuses.items()],
                    studies=[study(sid, "Muskari 1", 10, date(int(sem[-4:]), 5, 1), semester=sem) for sid, sem in rows])
    flow = review.semester_flow(t.students, t.studies)
    assert {sem: (int(r.new), int(r.ended)) for sem, r in flow.iterrows()} == expected
    assert list(flow.index) == list(expected)


def test_semester_flow_plot_has_new_and_ended_bars_per_semester():
    t = make_tables(students=[student("1", status="päättynyt"), student("2")],
                    studies=[study("1", semester="syksy 2023"), study("1", semester="kevät 2024"),
                             study("2", semester="kevät 2024")])
    fig = plots.plot_semester_flow(t.students, t.studies)
    ax = fig.axes[0]
    assert [(label, [h for _w, h, _x in b]) for label, b in bars(ax)] == [("uudet", [1, 1]), ("päättyneet", [0, 1])]
    assert ticks(ax.get_xticklabels()) == ["syksy 2023", "kevät 2024"]
    assert ax.get_title() == "Uudet ja päättyneet oppilaat lukukausittain"
    assert legend_texts(fig) == ["uudet", "päättyneet"]


# --- certificates ----------------------------------------------------------------------------------

def _muskari_student(sid: str, hours: float) -> list[dict]:
    return [study(sid, "Muskari 1", hours, date(2024, 5, 31))]


@pytest.mark.parametrize(("hours", "stage"), [
    pytest.param(47.9, "in-progress", id="12.1h-missing-not-close"),
    pytest.param(48.0, "close", id="12h-missing-is-close"),
    pytest.param(59.9, "close", id="0.1h-missing"),
    pytest.param(60.0, "eligible", id="exactly-60h-earned"),
])
def test_funnel_close_boundary(hours, stage):
    t = make_tables(students=[student("1")], studies=_muskari_student("1", hours))
    counts = review.funnel_counts(elig(t))
    assert counts["muskaritodistus"].to_dict() == {s: int(s == stage) for s in review.FUNNEL_STAGES}


def test_funnel_plot_counts_each_stage_for_both_certificates():
    t = make_tables(
        students=[student(str(i)) for i in range(1, 6)] + [student("6", birth=date(2010, 1, 1))],
        studies=[*_muskari_student("1", 10), *_muskari_student("2", 50), *_muskari_student("3", 60),
                 *_muskari_student("4", 60), study("6", "Soitin 1", 100, date(2024, 5, 31))],
        certificates=[certificate("2025-001", "4", "muskaritodistus")])
    fig = plots.plot_certificate_funnel(elig(t))
    ax = fig.axes[0]
    assert rows_top_down(ax) == ["kesken", "lähellä", "ansaittu, antamatta", "annettu"]
    # containers follow the stages top-down (kesken, lähellä, ansaittu, annettu)
    assert [(label, [w for w, _h, _x in b]) for label, b in bars(ax)] == [
        ("muskaritodistus", [1, 1, 1, 1]), ("päättötodistus", [1, 0, 0, 0])]
    assert ax.get_title() == "Todistusputki"
    assert legend_texts(fig) == ["muskaritodistus", "päättötodistus"]


def test_progress_bars_show_done_and_missing_per_part_closest_first():
    t = make_tables(students=[student("1", birth=date(2012, 1, 1)), student("2")],
                    studies=[study("1", "Soitin 1", 100, date(2024, 5, 31)), study("1", "Bändi", 50, date(2024, 5, 31)),
                             *_muskari_student("2", 40.5)])
    fig = plots.plot_certificate_progress(elig(t), labels={"1": "Eero E.", "2": "Aino V."})
    ax = fig.axes[0]
    assert rows_top_down(ax) == ["Aino V. · muskari", "Eero E. · yhteiset", "Eero E. · teema"]
    assert [(label, [w for w, _h, _x in b]) for label, b in bars(ax)] == [
        ("suoritettu", [40.5, 100, 50]), ("puuttuu", [19.5, 200, 150])]
    assert [x for _w, _h, x in bars(ax)[1][1]] == [40.5, 100, 50]  # missing starts where done ends
    assert {"19,5 h", "200 h", "150 h"} <= set(all_texts(fig))  # Finnish decimal comma
    assert ax.get_xlabel() == "tunnit (45 min)"
    assert legend_texts(fig) == ["suoritettu", "puuttuu"]


def test_progress_leaves_out_finished_and_out_of_reach_and_keeps_the_closest():
    t = make_tables(students=[student("1"), student("2"), student("3"), student("4", birth=date(2015, 1, 1))],
                    studies=[*_muskari_student("1", 60), *_muskari_student("2", 30), *_muskari_student("3", 55),
                             study("4", "Muskari 1", 20, date(2020, 5, 31))])
    rows = review.progress_rows(elig(t), limit=1)
    assert rows[["student_id", "part", "done", "missing"]].values.tolist() == [
        ["3", "varhaisiän musiikkikasvatus", 55.0, 5.0]]


# --- purge -----------------------------------------------------------------------------------------

def test_purge_counts_per_rule_with_ask_apart():
    t = make_tables(
        students=[student("1", deletion_requested=date(2025, 5, 1)),
                  student("2", birth=date(2017, 1, 1), status="päättynyt", continues="ei"),
                  student("3", birth=date(2017, 2, 1), status="päättynyt", continues="ei")],
        studies=[*_muskari_student("2", 20), *_muskari_student("3", 20)],
        contacts=[contact(collected=date(2024, 1, 1)), contact(collected=date(2025, 5, 1))])
    purge = review.compute_purge(t, TODAY)
    fig = plots.plot_purge_counts(purge)
    ax = fig.axes[0]
    assert rows_top_down(ax) == ["Poistopyyntö", "Muskari päättyi", "Markkinointitiedot vanhentuneet"]
    assert [(label, [w for w, _h, _x in b]) for label, b in bars(ax)] == [
        ("poisto", [1]), ("kysy perheeltä", [2]), ("rivin poisto", [1])]
    assert fig.legends[0].get_title().get_text() == "toimenpide"


def test_purge_plot_says_when_there_is_nothing_to_do():
    fig = plots.plot_purge_counts(review.purge_frame([]))
    assert "Ei poistettavaa eikä kysyttävää" in all_texts(fig)


# --- one student -----------------------------------------------------------------------------------

def test_student_timeline_one_bar_per_study_row_ending_on_completion():
    from matplotlib.dates import date2num

    t = make_tables(students=[student("1")],
                    studies=[study("1", "Muskari 1", 30, date(2023, 5, 31)), study("1", "Muskari 2", 25, date(2023, 12, 15)),
                             study("1", "Muskari 1", 5.5, date(2024, 5, 20))])
    fig = plots.plot_student_timeline(t.studies, t.units, "1", "Aino Virtanen (1)")
    ax = fig.axes[0]
    assert ax.get_title() == "Opinnot aikajanalla: Aino Virtanen (1)"
    assert rows_top_down(ax) == ["Muskari 1 (35,5 h)", "Muskari 2 (25 h)"]
    ends = sorted(round(p.get_x() + p.get_width()) for p in ax.patches)
    assert ends == [date2num(date(2023, 5, 31)), date2num(date(2023, 12, 15)), date2num(date(2024, 5, 20))]
    starts = sorted(round(p.get_x()) for p in ax.patches)
    assert starts[0] == date2num(date(2023, 1, 7))  # kevät starts about 7.1.
    assert legend_texts(fig) == ["varhaisiän musiikkikasvatus"]


def test_student_hours_by_part_against_requirements():
    t = make_tables(students=[student("1")],
                    studies=[study("1", "Muskari 1", 30), study("1", "Muskari 2", 40), study("1", "Soitin 1", 120),
                             study("2", "Bändi", 50)])
    fig = plots.plot_student_hours(t.studies, t.units, t.settings, "1")
    ax = fig.axes[0]
    assert rows_top_down(ax) == ["varhaisiän musiikkikasvatus", "yhteiset opinnot", "teemaopinnot"]
    assert [(label, [w for w, _h, _x in b]) for label, b in bars(ax)] == [
        ("suoritettu", [70, 120, 0]), ("puuttuu vaatimuksesta", [0, 180, 200])]
    assert ax.get_title() == "Tunnit osa-alueittain: 1"


@pytest.mark.parametrize(("rows", "parts"), [
    pytest.param([("Muskari 1", 30)], ["varhaisiän musiikkikasvatus"], id="muskari-only"),
    pytest.param([("Soitin 1", 30)], ["yhteiset opinnot", "teemaopinnot"], id="instrument-only-shows-both-parts"),
    pytest.param([("Bändi", 30), ("Muskari 2", 5)], ["varhaisiän musiikkikasvatus", "yhteiset opinnot", "teemaopinnot"],
                 id="both-stages"),
    pytest.param([], [], id="no-rows"),
])
def test_student_hours_show_the_parts_the_student_studies(rows, parts):
    t = make_tables(students=[student("1")], studies=[study("1", unit, hours) for unit, hours in rows])
    fig = plots.plot_student_hours(t.studies, t.units, t.settings, "1")
    assert rows_top_down(fig.axes[0]) == parts
    assert ("Ei opintorivejä" in all_texts(fig)) == (not rows)


# --- every plot: Finnish, black and white, never a crash ---------------------------------------------

CODES = {"in-progress", "eligible", "issued", "out-of-reach", "erase", "ask", "delete-row", "deletion-requested",
         "muskari-ended", "marketing-expired", "new", "ended"}


def _sample():
    t = make_tables(
        students=[student("1", deletion_requested=date(2025, 1, 1)), student("2", teacher=None, status="tauolla"),
                  student("3", birth=date(2017, 1, 1), status="päättynyt", continues="ei")],
        studies=[*_muskari_student("1", 50), study("2", "Soitin 1", 100, date(2024, 12, 1)),
                 study("2", "Bändi", 20, date(2024, 12, 1)), *_muskari_student("3", 20)],
        contacts=[contact(collected=date(2024, 1, 1))])
    return t, elig(t), review.compute_purge(t, TODAY)


def _every_figure(t, eligibility, purge, lang="fi"):
    figs = plots.review_figures(t, eligibility, purge, lang=lang)
    figs["timeline"] = plots.plot_student_timeline(t.studies, t.units, "2", lang=lang)
    figs["hours"] = plots.plot_student_hours(t.studies, t.units, t.settings, "2", lang=lang)
    return figs


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_no_machine_codes_reach_a_label(lang):
    for name, fig in _every_figure(*_sample(), lang=lang).items():
        leaked = {code for code in CODES & set(all_texts(fig)) if plots.word(code, lang) != code}  # "erase" is English
        assert not leaked, name


def test_english_plots_translate_every_fixed_word():
    figs = _every_figure(*_sample(), lang="en")
    titles = [f.axes[0].get_title() for f in figs.values()]
    assert titles == ["Students by status", "Students by teacher", "New and ended students by semester",
                      "Certificate funnel", "Progress toward certificates", "Privacy: deletions and questions",
                      "Studies over time: 2", "Hours by part: 2"]
    texts = {t for f in figs.values() for t in all_texts(f)}
    assert {"active", "on break", "(no teacher)", "ask the family", "Deletion requested", "common studies",
            "missing of the requirement"} <= texts
    from toolkit.model.messages import catalogue

    words = ("plot-", "status-", "tila-", "purge-rule-", "purge-action-", "certificate-kind-", "part-")
    finnish = {e.fi for code, e in catalogue().items() if code.startswith(words) and e.fi != e.en}
    assert not finnish & texts
    assert [plots.caption(name, "en") for name in plots.PLOT_FILES][:2] == ["Students by status", "Students by teacher"]
    assert plots.caption("todistusputki.png") == "Todistusputki"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_series_differ_in_grey_and_hatch_so_print_reads_in_black_and_white(lang):
    for name, fig in _every_figure(*_sample(), lang=lang).items():
        handles = [h for legend in fig.legends for h in legend.legend_handles]
        styles = []
        for h in handles:
            r, g, b, _a = to_rgba(h.get_facecolor())
            assert r == g == b, (name, h.get_label())  # grey tones only
            styles.append((round(r, 2), h.get_hatch() or ""))
        assert len(set(styles)) == len(styles), name
        plain = sorted(grey for grey, hatch in styles if not hatch)
        # entries without a hatch differ clearly in grey tone (a photocopier keeps 0.25 / 0.7 apart)
        assert all(b - a >= 0.3 for a, b in zip(plain, plain[1:], strict=False)), (name, styles)


def test_save_review_plots_writes_owner_only_pngs(tmp_path):
    t, eligibility, purge = _sample()
    paths = plots.save_review_plots(t, TODAY, tmp_path / "lukukausi" / "kuvat")
    assert [p.name for p in paths] == list(plots.REVIEW_PLOTS)
    assert stat.S_IMODE(paths[0].parent.stat().st_mode) == 0o700
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(plots.REVIEW_PLOTS)  # no temporary files left


def test_progress_in_saved_plots_shows_ids_not_names():
    t, eligibility, purge = _sample()
    fig = plots.review_figures(t, eligibility, purge)["eteneminen.png"]
    texts = " ".join(all_texts(fig))
    assert "Virtanen" not in texts and "1 · muskari" in texts


def test_empty_register_draws_every_plot():
    t = make_tables()
    for name, fig in _every_figure(t, elig(t), review.compute_purge(t, TODAY)).items():
        fig.savefig(io.BytesIO(), format="png")
        assert isinstance(fig, Figure), name


semesters = st.builds(lambda season, year: f"{season} {year}", st.sampled_from(["kevät", "syksy"]),
                      st.integers(2015, 2025))


registers = st.fixed_dictionaries({
    "statuses": st.lists(st.sampled_from(["aktiivinen", "tauolla", "päättynyt"]), min_size=1, max_size=6),
    "rows": st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["Muskari 1", "Soitin 1", "Bändi"]),
                               st.floats(0.5, 200), semesters), max_size=12),
    "teachers": st.lists(st.sampled_from(["Liisa Laulu", None]), min_size=6, max_size=6),
})


def _random_tables(spec):
    statuses = spec["statuses"]
    return make_tables(students=[student(str(i), status=s, teacher=spec["teachers"][i], birth=date(2012, 1, 1))
                                 for i, s in enumerate(statuses)],
                       studies=[study(str(i), unit, round(h, 1), date(int(sem[-4:]), 5, 1), semester=sem)
                                for i, unit, h, sem in spec["rows"] if i < len(statuses)])


@settings(max_examples=100, deadline=None)
@given(spec=registers)
def test_semester_flow_counts_every_student_with_rows_once(spec):
    t = _random_tables(spec)
    flow = review.semester_flow(t.students, t.studies)
    with_rows = set(t.studies["student_id"])
    ended = set(t.students.loc[t.students["status"] == "päättynyt", "student_id"])
    assert flow["new"].sum() == len(with_rows)
    assert flow["ended"].sum() == len(with_rows & ended)
    assert (flow.values >= 0).all()


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=registers)
def test_any_valid_register_draws_every_plot(spec):
    t = _random_tables(spec)
    for fig in _every_figure(t, elig(t), review.compute_purge(t, TODAY)).values():
        fig.savefig(io.BytesIO(), format="png", dpi=30)


# --- load_review: a real workbook in, the review's frames out ----------------------------------------

def test_load_review_reads_checks_and_decides(tmp_path):
    from registers import build_register

    t = make_tables(students=[student("0001"), student("0002", deletion_requested=date(2025, 5, 2))],
                    studies=[study("0001", "Muskari 1", 50, date(2024, 5, 31))])
    path = build_register(tmp_path / "rekisteri.xlsx", t)
    got = load_review(path, TODAY)
    assert got.as_of == TODAY
    assert list(got.tables.students["student_id"]) == ["0001", "0002"]
    assert got.eligibility[["student_id", "certificate", "status", "missing"]].values.tolist() == [
        ["0001", "muskaritodistus", "in-progress", 10.0]]
    assert got.purge[["rule", "action", "student_id"]].values.tolist() == [["deletion-requested", "erase", "0002"]]


def test_load_review_counts_expired_backups_beside_the_register(tmp_path):
    from registers import build_register

    path = build_register(tmp_path / "rekisteri.xlsx", make_tables(students=[student("0001")], studies=[study("0001")]))
    (tmp_path / "varmuuskopiot").mkdir()
    for stamp in ("20250101-120000", "20250520-120000"):  # 151 and 12 days before TODAY; 90 days kept
        (tmp_path / "varmuuskopiot" / f"rekisteri-{stamp}.xlsx").write_bytes(b"")
    got = load_review(path, TODAY)
    assert got.purge[["rule", "action"]].values.tolist() == [["backup-expired", "delete-file"]]


def test_load_review_refuses_a_register_with_errors_naming_the_cell(tmp_path):
    from registers import build_register

    t = make_tables(students=[student("0001", status="kadonnut")], studies=[study("0001")])
    path = build_register(tmp_path / "rekisteri.xlsx", t)
    with pytest.raises(RegisterHasErrors) as caught:
        load_review(path, TODAY)
    assert caught.value.exit_code == 1
    assert "Rekisterissä on 1 virhe," in caught.value.message("fi") and "Oppilaat I2" in caught.value.message("fi")
    assert "The register has 1 error," in caught.value.message("en")


def test_load_review_of_a_missing_file_is_a_clear_refusal(tmp_path):
    from toolkit.model.errors import MuskariError

    with pytest.raises(MuskariError):
        load_review(tmp_path / "ei_ole.xlsx", TODAY)


# --- helpers the student notebook calls ------------------------------------------------------------

def test_pick_student_defaults_to_the_first_with_study_rows_and_refuses_unknown_ids():
    t = make_tables(students=[student("0001"), student("0002")], studies=[study("0002")])
    assert review.pick_student(t) == "0002"
    assert review.pick_student(t, " 0001 ") == "0001"
    with pytest.raises(review.UnknownStudent) as caught:
        review.pick_student(t, "1")
    assert "Oppilasnumeroa 1 ei ole Oppilaat-välilehdellä" in caught.value.message("fi")
    with pytest.raises(review.UnknownStudent):
        review.pick_student(make_tables(students=[student("0001")]))


def test_student_tables_have_finnish_headers_and_statuses():
    t = make_tables(students=[student("0001", first="Aino", last="Virtanen")],
                    studies=[study("0001", "Soitin 1", 100, date(2024, 12, 1)), study("0001", "Muskari 1", 30, date(2023, 5, 1))])
    assert review.student_labels(t.students) == {"0001": "Aino Virtanen (0001)"}
    certs = review.certificate_table(elig(t), "0001")
    assert certs.values.tolist() == [["muskaritodistus", "kesken", 30.0, 60.0, 30.0],
                                     ["päättötodistus", "kesken", 100.0, 500.0, 400.0]]
    rows = review.study_table(t, "0001")
    assert list(rows.columns) == ["Lukukausi", "Opintokokonaisuus", "Osa-alue", "Tunnit", "Suoritettu", "Opettaja"]
    assert rows["Opintokokonaisuus"].tolist() == ["Muskari 1", "Soitin 1"]
    assert rows["Osa-alue"].tolist() == ["varhaisiän musiikkikasvatus", "yhteiset opinnot"]


def test_importing_the_plots_loads_no_matplotlib_and_drawing_uses_no_pyplot():
    import sys

    from children import run

    code = ("import sys, toolkit.review.plots as p; assert 'matplotlib' not in sys.modules, 'matplotlib at import'; "
            "sys.path.insert(0, 'tests'); from factories import make_tables, student; "
            "t = make_tables(students=[student()]); p.plot_students_by_status(t.students).savefig(__import__('io').BytesIO()); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot'")
    done = run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, timeout=120)
    assert done.returncode == 0, done.stderr
