"""`muskari demo`: deterministic, every population present, valid per the contract (`check` exits 0)."""

from __future__ import annotations

import json
import re
from datetime import date

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.cli.main import main
from toolkit.demo.data import FORMS_HEADERS, build_demo, split_hours, terms_until
from toolkit.model.tables import TABLE_SHEETS, Tables, frame_from_records
from toolkit.office.new_workbook import SHEET_ORDER
from toolkit.rules.eligibility import assess_eligibility
from toolkit.rules.purge import find_purge_actions
from workbook_schema.settings import Settings

AS_OF = date(2026, 11, 25)
# as-of days across 2026–2028: both terms, the school-year turn, term ends themselves, a leap day
AS_OF_DAYS = [date(2026, 1, 2), date(2026, 5, 28), date(2026, 7, 31), date(2026, 8, 1), AS_OF,
              date(2027, 3, 15), date(2027, 12, 18), date(2028, 2, 29)]


def tables_of(demo) -> Tables:
    frames = {attr: frame_from_records(sheet, demo.records[sheet]) for attr, sheet in TABLE_SHEETS.items()}
    return Tables(**frames, settings=Settings())


def statuses(demo, today: date) -> dict[tuple[str, str], str]:
    return {(r.student_id, r.certificate): r for r in assess_eligibility(tables_of(demo), today)}


def cell_values(path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["demo", str(folder), "--as-of", AS_OF.isoformat()]) == 0
    return folder


# --- deterministic --------------------------------------------------------------------------------

def test_same_as_of_same_cell_values_and_forms(demo_dir, tmp_path):
    again = tmp_path / "again"
    assert main(["demo", str(again), "--as-of", AS_OF.isoformat()]) == 0
    assert cell_values(again / "rekisteri.xlsx") == cell_values(demo_dir / "rekisteri.xlsx")
    assert (again / "ilmoittautumiset.csv").read_bytes() == (demo_dir / "ilmoittautumiset.csv").read_bytes()


@pytest.mark.parametrize("today", AS_OF_DAYS, ids=str)
def test_every_day_gives_the_same_populations(today):
    reference = {k: len(v) for k, v in build_demo(AS_OF).categories.items()}
    assert {k: len(v) for k, v in build_demo(today).categories.items()} == reference
    assert build_demo(today).records == build_demo(today).records


# --- the populations --------------------------------------------------------------------------------

@pytest.mark.parametrize("today", AS_OF_DAYS, ids=str)
def test_certificate_populations(today):
    assert_certificate_populations(today)


@pytest.mark.parametrize("today", AS_OF_DAYS, ids=str)
def test_purge_populations(today):
    assert_purge_populations(today)


@settings(max_examples=25, deadline=None)
@given(today=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)))
def test_any_day_gives_the_same_populations_and_outcomes(today):
    reference = {k: len(v) for k, v in build_demo(AS_OF).categories.items()}
    assert {k: len(v) for k, v in build_demo(today).categories.items()} == reference
    assert_certificate_populations(today)
    assert_purge_populations(today)


def assert_certificate_populations(today):
    demo = build_demo(today)
    results = statuses(demo, today)

    def status(category, certificate):
        found = (results.get((sid, certificate)) for sid in demo.categories[category])
        return {r.status if r else None for r in found}

    assert status("muskari-eligible", "muskaritodistus") == {"eligible"}
    assert status("muskari-just-short", "muskaritodistus") == {"in-progress"}
    assert {results[(s, "muskaritodistus")].hours for s in demo.categories["muskari-just-short"]} == {57.75}
    assert status("muskari-in-progress", "muskaritodistus") == {"in-progress"}
    assert status("muskari-ended-ask", "muskaritodistus") == {"out-of-reach"}
    assert status("muskari-missed-continues", "muskaritodistus") == {"out-of-reach"}
    assert status("muskari-eligible-past-limit", "muskaritodistus") == {"eligible"}
    assert status("muskari-issued", "muskaritodistus") == {"issued"}
    assert status("final-just-short", "päättötodistus") == {"in-progress"}
    assert {results[(s, "päättötodistus")].missing for s in demo.categories["final-just-short"]} == {7.5, 3.75, 12.0}
    assert status("final-eligible", "päättötodistus") == {"eligible"}
    assert status("final-issued", "päättötodistus") == {"issued"}
    assert status("ended-past-age-limit", "päättötodistus") == {"out-of-reach"}
    assert status("instrument", "päättötodistus") <= {"in-progress", None}     # None: started this term
    counted = {r.status for r in results.values() if r.certificate == "päättötodistus"}
    assert counted == {"in-progress", "eligible", "issued", "out-of-reach"}


def assert_purge_populations(today):
    demo = build_demo(today)
    actions = find_purge_actions(tables_of(demo), today)
    by_rule: dict[str, set] = {}
    for action in actions:
        by_rule.setdefault(action.rule, set()).add(action.student_id or action.row)
    assert by_rule["deletion-requested"] == set(demo.categories["deletion-requested"])
    assert by_rule["study-window-closed"] == set(demo.categories["ended-past-age-limit"] + demo.categories["final-issued"])
    assert by_rule["muskari-ended"] == set(demo.categories["muskari-ended-ask"])
    assert {a.action for a in actions if a.rule == "muskari-ended"} == {"ask"}
    assert len(by_rule["marketing-expired"]) == 4
    assert set(by_rule) == {"deletion-requested", "study-window-closed", "muskari-ended", "marketing-expired"}


def test_sizes_teachers_curriculum_and_contacts():
    demo = build_demo(AS_OF)
    students = demo.records["Oppilaat"]
    assert 140 <= len(students) <= 160
    assert 4 <= len(demo.records["Opettajat"]) <= 6 and all(t["email"] for t in demo.records["Opettajat"])
    assert {u["part"] for u in demo.records["Opintokokonaisuudet"]} == {
        "varhaisiän musiikkikasvatus", "yhteiset opinnot", "teemaopinnot"}
    extents = {}
    for unit in demo.records["Opintokokonaisuudet"]:
        extents[unit["part"]] = extents.get(unit["part"], 0) + unit["extent"]
    assert (extents["yhteiset opinnot"], extents["teemaopinnot"]) == (300, 200)
    assert {s["status"] for s in students} == {"aktiivinen", "tauolla", "päättynyt"}
    assert len(demo.categories["on-break"]) >= 5
    collected = [c["collected"] for c in demo.records["Yhteydenotot"]]
    assert any((AS_OF - d).days > 200 for d in collected) and any((AS_OF - d).days < 150 for d in collected)
    certificates = demo.records["Todistukset"]
    assert [c["student_id"] is None for c in certificates].count(True) == 1      # an earlier erasure
    assert [g["name"] for g in demo.records["Valmistuneet"]].count("valmistunut oppilas") == 1
    semesters = {r["semester"] for r in demo.records["Opinnot"]}
    assert len({int(s.split()[1]) for s in semesters}) >= 8      # eight school years of history


def test_the_register_holds_only_synthetic_contacts():
    demo = build_demo(AS_OF)
    people = demo.records["Oppilaat"] + demo.records["Opettajat"] + demo.records["Yhteydenotot"]
    emails = [p["email"] for p in people if p.get("email")]
    assert emails and all(re.fullmatch(r"[a-z0-9.]+@example\.(fi|com)", e) for e in emails)
    phones = [p["phone"] for p in people if p.get("phone")]
    assert phones and all(re.fullmatch(r"(0|\+358 )(40|50|44|45) \d{3} \d{4}", p) for p in phones)


def test_nothing_in_the_future_nothing_before_birth_minors_have_guardians():
    for today in AS_OF_DAYS:
        demo = build_demo(today)
        births = {s["student_id"]: s["birth_date"] for s in demo.records["Oppilaat"]}
        for row in demo.records["Opinnot"]:
            assert births[row["student_id"]] < row["completed"] <= today
            assert 0 < row["hours"] <= 200
        for s in demo.records["Oppilaat"]:
            age = today.year - s["birth_date"].year - ((today.month, today.day) < (s["birth_date"].month, s["birth_date"].day))
            assert s["guardian"] or age >= 18
            assert s["email"] or s["status"] != "aktiivinen"
            for key in ("deletion_requested", "last_registration"):
                assert s[key] is None or s["birth_date"] < s[key] <= today


@pytest.mark.parametrize("total, parts", [(57.75, 4), (300.0, 14), (296.25, 13), (205.0, 7), (0.25, 1)])
def test_hours_split_into_quarter_hour_blocks_that_add_up_exactly(total, parts):
    blocks = split_hours(total, parts)
    assert len(blocks) == parts and sum(blocks) == total and all(b > 0 and (b * 4).is_integer() for b in blocks)


def test_history_reaches_back_eight_school_years():
    terms = terms_until(AS_OF)
    assert terms[0].label == "syksy 2019" and terms[-1].label == "kevät 2026"
    assert terms_until(date(2026, 12, 18))[-1].label == "syksy 2026"


# --- the files ---------------------------------------------------------------------------------------

def test_demo_register_passes_check_with_no_findings(demo_dir, capsys):
    capsys.readouterr()
    assert main(["check", str(demo_dir / "rekisteri.xlsx"), "--as-of", AS_OF.isoformat(), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_demo_made_today_passes_check_today(tmp_path, capsys):
    """`make demo` runs both commands with today's date."""
    assert main(["demo", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "d" / "rekisteri.xlsx"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_demo_register_is_laid_out_like_init(demo_dir):
    wb = openpyxl.load_workbook(demo_dir / "rekisteri.xlsx")
    assert wb.sheetnames == list(SHEET_ORDER)
    sheet = wb["Oppilaat"]
    assert sheet["A2"].data_type == "s" and re.fullmatch(r"\d{4}", sheet["A2"].value)
    assert sheet["D2"].number_format == "d.m.yyyy"
    assert {str(dv.sqref) for dv in sheet.data_validations.dataValidation} >= {"I2:I1048576", "H2:H1048576"}
    settings = {r[0]: r[1] for r in wb["Asetukset"].iter_rows(min_row=2, values_only=True)}
    assert settings["Paikkakunta"] and settings["Allekirjoittaja"] and settings["Järjestämisperuste"]
    assert settings["Opetussuunnitelma"] and settings["Y-tunnus"] == "1852770-8"


def test_forms_file_reads_as_a_forms_export_and_plans_every_kind(demo_dir):
    from toolkit.jobs.import_forms import plan_import, read_forms

    raw = (demo_dir / "ilmoittautumiset.csv").read_bytes()
    assert raw.startswith(",".join(f'"{h}"' for h in FORMS_HEADERS).encode())        # Google Forms' own shape
    assert re.search(rb'^"20\d\d/\d\d/\d\d \d{1,2}:\d\d:\d\d [AP]M GMT\+[23]",', raw.splitlines()[1])
    demo = build_demo(AS_OF)
    forms = read_forms(demo_dir / "ilmoittautumiset.csv")
    assert len(forms.rows) == sum(len(rows) for rows in demo.forms_notes.values())
    plan = plan_import(tables_of(demo), forms, AS_OF)
    notes = demo.forms_notes
    assert [n.form_row for n in plan.new_students] == notes["new-student"]
    assert sorted({f.row for f in plan.problems}) == sorted(notes["ambiguous"] + notes["invalid"])
    assert [s.form_row for s in plan.superseded] == notes["repeated"][:1]
    matched = sorted(u.form_row for u in plan.updates)
    assert matched == sorted(notes["matched-by-id"] + notes["matched-by-name"] + notes["repeated"][1:])
    assert {c.new for _u, c in plan.status_changes()} == {"aktiivinen", "päättynyt"}
    assert plan.contact_changes() and plan.warnings == []
    assert [c.status for c in plan.reading.columns] == ["imported"] * 9 + ["not-recognised"]


def test_demo_refuses_a_folder_it_cannot_create(tmp_path, capsys):
    (tmp_path / "tiedosto").write_text("not a folder")
    assert main(["demo", str(tmp_path / "tiedosto" / "demo")]) == 3
    assert "ei voi luoda" in capsys.readouterr().err


def test_demo_refuses_to_overwrite_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "rekisteri.xlsx").write_bytes(b"keep me")
    assert main(["demo", str(folder)]) == 3
    assert "on jo olemassa" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["rekisteri.xlsx"]
    assert (folder / "rekisteri.xlsx").read_bytes() == b"keep me"


def test_demo_files_are_private(demo_dir):
    for path in demo_dir.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


# --- the benchmark generator ---------------------------------------------------------------------------

def _generator():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("generate", Path(__file__).parent.parent / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dropdowns(wb) -> dict[str, set]:
    return {n: {(str(d.sqref), d.formula1) for d in wb[n].data_validations.dataValidation} for n in wb.sheetnames}


def test_generated_register_passes_check_and_is_laid_out_like_init(tmp_path, capsys):
    pytest.importorskip("xlsxwriter")
    generate = _generator()
    path = tmp_path / "iso.xlsx"
    assert generate.main(["--students", "60", "--studies", "1200", "--as-of", AS_OF.isoformat(), str(path)]) == 0
    capsys.readouterr()
    assert main(["check", str(path), "--as-of", AS_OF.isoformat(), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["init", str(tmp_path / "tyhja.xlsx")]) == 0
    made, empty = openpyxl.load_workbook(path), openpyxl.load_workbook(tmp_path / "tyhja.xlsx")
    assert made.sheetnames == empty.sheetnames
    for name in SHEET_ORDER[1:]:
        assert [c.value for c in made[name][1]] == [c.value for c in empty[name][1]], name
        assert made[name].freeze_panes == "A2"
    assert _dropdowns(made) == _dropdowns(empty)
    assert made.defined_names["Opettajalista"].attr_text == empty.defined_names["Opettajalista"].attr_text
    students = list(made["Oppilaat"].iter_rows(min_row=2, values_only=True))
    assert len(students) == 60 and len(list(made["Opinnot"].iter_rows(min_row=2))) == 1200
    assert made["Oppilaat"]["D2"].number_format == "d.m.yyyy" and made["Oppilaat"]["A2"].data_type == "s"


def test_generator_is_deterministic_and_never_overwrites(tmp_path, capsys):
    pytest.importorskip("xlsxwriter")
    generate = _generator()
    args = ["--students", "30", "--studies", "300", "--as-of", "2027-03-15"]
    assert generate.main([*args, str(tmp_path / "a.xlsx")]) == 0
    assert generate.main([*args, str(tmp_path / "b.xlsx")]) == 0
    assert cell_values(tmp_path / "a.xlsx") == cell_values(tmp_path / "b.xlsx")
    before = (tmp_path / "a.xlsx").read_bytes()
    assert generate.main([*args, str(tmp_path / "a.xlsx")]) == 3
    assert (tmp_path / "a.xlsx").read_bytes() == before
    assert "already exists" in capsys.readouterr().err


def test_a_failing_forms_write_leaves_neither_file(tmp_path, monkeypatch, capsys):
    import toolkit.jobs.demo as demo_command

    monkeypatch.setattr(demo_command, "forms_csv", lambda demo: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        main(["demo", str(tmp_path / "d")])
    assert list((tmp_path / "d").iterdir()) == []
