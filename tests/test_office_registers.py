"""Registers in LibreOffice: after `init`, `demo` and each `--apply` command, every sheet shows what the
toolkit wrote (values, d.m.yyyy dates, leading zeros), and a register saved by LibreOffice keeps its
dropdowns and reads back to the same tables and the same check findings.

All registers are made once per module and converted in one soffice call per target format."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from office import record_text, shown_as_written, to_csv_sheets, to_xlsx, trimmed

from toolkit.cli.main import main
from toolkit.demo.data import build_demo
from workbook_schema import SHEETS

pytestmark = pytest.mark.libreoffice

AS_OF = date(2026, 6, 1)
KINDS = ("init", "demo", "certificates", "purge", "import-forms")
DAY = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
LOGGED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")     # Loki's Aika: sortable text


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([*args, "--as-of", AS_OF.isoformat()] if args[0] != "init" else list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    """Each kind of register in its own folder; `dry` holds the JSON plans printed before each --apply."""
    root = tmp_path_factory.mktemp("registers")
    paths, dry = {}, {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(root / ".config"))
        (root / "init").mkdir()
        assert cli("init", str(root / "init" / "init.xlsx"))[0] == 0
        paths["init"] = root / "init" / "init.xlsx"
        assert cli("demo", str(root / "demo"))[0] == 0
        forms = root / "demo" / "ilmoittautumiset.csv"
        for kind in KINDS[1:]:
            (root / kind).mkdir(exist_ok=True)
            paths[kind] = root / kind / f"{kind}.xlsx"
            shutil.copyfile(root / "demo" / "rekisteri.xlsx", paths[kind])
        for kind, extra in [(kind, [str(forms) for _ in extra]) for kind, extra in APPLIED.items()]:
            code, out = cli(kind, str(paths[kind]), *extra, "--format", "json")
            assert code == 0, out
            dry[kind] = json.loads(out) if out.strip().startswith("{") else out
            assert cli(kind, str(paths[kind]), *extra, "--apply")[0] == 0
    return {"paths": paths, "dry": dry, "root": root, "forms": forms}


APPLIED = {"certificates": (), "purge": (), "import-forms": ("forms",)}


@pytest.fixture(scope="module")
def shown(made, tmp_path_factory) -> dict[str, dict[str, list[list[str]]]]:
    sheets = to_csv_sheets(made["paths"].values(), tmp_path_factory.mktemp("csv"))
    return {kind: sheets[path] for kind, path in made["paths"].items()}


@pytest.fixture(scope="module")
def resaved(made, tmp_path_factory) -> dict[str, Path]:
    saved = to_xlsx(made["paths"].values(), tmp_path_factory.mktemp("lo-saved"))
    return {kind: saved[path] for kind, path in made["paths"].items()}


def column(rows: list[list[str]], header: str) -> list[str]:
    i = rows[0].index(header)
    return [r[i] if i < len(r) else "" for r in rows[1:]]


# --- every sheet, as shown ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_sheet_shows_what_the_toolkit_wrote(made, shown, kind):
    shown_as_written(made["paths"][kind], shown[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_dates_show_day_month_year_and_ids_keep_their_zeros(shown, kind):
    for name, spec in SHEETS.items():
        if name not in shown[kind] or name == "Loki":
            continue
        rows = trimmed(shown[kind][name])
        assert tuple(rows[0]) == spec.headers, name
        for col in spec.columns:
            values = [v for v in column(rows, col.header) if v]
            if col.kind == "date":
                assert all(DAY.match(v) for v in values), (name, col.header, values[:5])
            if col.header == "Oppilasnumero":
                assert all(re.fullmatch(r"\d{4}", v) for v in values), (name, values[:5])
            if col.header == "Todistusnumero":
                assert all(re.fullmatch(r"\d{4}-\d{3}", v) for v in values), (name, values[:5])
    if kind != "init":
        assert column(trimmed(shown[kind]["Oppilaat"]), "Oppilasnumero")[:3] == ["0001", "0002", "0003"]


def test_a_new_register_shows_only_headers_and_the_default_settings(shown):
    from workbook_schema.settings import SETTINGS

    sheets = {name: trimmed(rows) for name, rows in shown["init"].items()}
    for name in ("Oppilaat", "Opinnot", "Opintokokonaisuudet", "Opettajat", "Todistukset", "Valmistuneet",
                 "Yhteydenotot", "Loki"):
        assert sheets[name] == [list(SHEETS[name].headers)], name
    settings = {row[0]: (row + ["", ""])[1] for row in sheets["Asetukset"][1:]}
    assert settings == {s.key: record_text(s.default) for s in SETTINGS}
    assert "Annan Muskarin oppilasrekisteri: ohje" in sheets["Ohje"][0]


def test_the_demo_register_shows_the_demo_records(shown):
    demo = build_demo(AS_OF)
    for name, records in demo.records.items():
        spec = SHEETS[name]
        expected = [[record_text(rec.get(col.field)) for col in spec.columns] for rec in records]
        assert trimmed(shown["demo"][name])[1:] == trimmed(expected), name


def test_issued_certificates_show_as_rows_with_their_documents(made, shown):
    folder = made["paths"]["certificates"].parent / "todistukset"
    documents = sorted(p.name for p in folder.glob("*.docx"))
    assert len(documents) >= 3
    rows = trimmed(shown["certificates"]["Todistukset"])
    issued = {r[0]: r for r in rows[1:] if len(r) == 5 and r[4]}
    for name in documents:
        number, student = name.removesuffix(".docx").split("_")
        assert issued[number][1:2] + issued[number][3:] == [student, "1.6.2026", f"todistukset/{name}"]
    names = {r[3]: r[1] for r in trimmed(shown["certificates"]["Valmistuneet"])[1:] if len(r) > 3}
    assert all(names[number] and names[number] != "valmistunut oppilas" for number in issued)
    log = trimmed(shown["certificates"]["Loki"])
    assert len(log) == 2 and LOGGED.match(log[1][0]) and log[1][1] == "certificates", log


def test_purged_people_are_gone_from_what_libreoffice_shows(made, shown):
    actions = made["dry"]["purge"]["actions"]
    erased = {a["student_id"] for a in actions if a["action"] == "erase"}
    assert erased
    before, after = shown["demo"], shown["purge"]
    assert not erased & set(column(trimmed(after["Oppilaat"]), "Oppilasnumero"))
    assert not erased & set(column(trimmed(after["Opinnot"]), "Oppilasnumero"))
    requested = {a["student_id"] for a in actions if a["rule"] == "deletion-requested"}
    assert requested and not requested & set(column(trimmed(after["Todistukset"]), "Oppilasnumero"))
    deleted = sum(1 for a in actions if a["action"] == "delete-row")
    assert len(trimmed(after["Yhteydenotot"])) == len(trimmed(before["Yhteydenotot"])) - deleted
    kept = set(column(trimmed(before["Oppilaat"]), "Oppilasnumero")) - erased
    assert set(column(trimmed(after["Oppilaat"]), "Oppilasnumero")) == kept


def test_imported_forms_show_as_new_and_updated_students(made, shown):
    plan = made["dry"]["import-forms"]
    rows = trimmed(shown["import-forms"]["Oppilaat"])
    by_id = {r[0]: dict(zip(rows[0], r + [""] * (len(rows[0]) - len(r)), strict=True)) for r in rows[1:]}
    assert plan["new_students"]
    for new in plan["new_students"]:
        shown_row = by_id[new["student_id"]]
        for header, value in new["values"].items():
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                value = record_text(date.fromisoformat(value))
            assert shown_row[header] == value, (new["student_id"], header)
    for update in plan["updates"]:
        for change in update["changes"]:
            value = change["new"] or ""
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                value = record_text(date.fromisoformat(value))
            assert by_id[update["student_id"]][change["column"]] == value, (update["student_id"], change)


# --- saved by LibreOffice --------------------------------------------------------------------------

def dropdowns(path: Path) -> dict[str, dict[tuple[str, str], list[str]]]:
    """sheet -> (type, list formula) -> the ranges it covers."""
    book = openpyxl.load_workbook(path)
    found = {}
    for sheet in book:
        lists: dict[tuple[str, str], list[str]] = {}
        for dv in sheet.data_validations.dataValidation:
            lists.setdefault((dv.type, dv.formula1), []).extend(str(dv.sqref).split())
        if lists:
            found[sheet.title] = lists
    return found


def covered(ranges: list[str]) -> list[tuple[str, int, int]]:
    """(column, first row, last row) of each range."""
    from openpyxl.utils.cell import range_boundaries

    spans = []
    for ref in ranges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        for col in range(min_col, max_col + 1):
            spans.append((col, min_row, max_row))
    return spans


@pytest.mark.parametrize("kind", KINDS)
def test_dropdowns_survive_a_libreoffice_save(made, resaved, kind):
    before, after = dropdowns(made["paths"][kind]), dropdowns(resaved[kind])
    assert set(after) == set(before)
    book = openpyxl.load_workbook(made["paths"][kind], read_only=True)
    for sheet, lists in before.items():
        assert set(after[sheet]) == set(lists), sheet
        data_rows = book[sheet].max_row
        for key, ranges in lists.items():
            was = {(c, lo) for c, lo, _ in covered(ranges)}
            now = covered(after[sheet][key])
            assert {(c, lo) for c, lo, _ in now} == was, (sheet, key)
            # LibreOffice shortens whole-column lists, but every data row and plenty of rows below keep them
            single = all(lo == hi for _, lo, hi in covered(ranges))
            assert all(hi == lo if single else hi >= max(data_rows, 2) + 500 for _, lo, hi in now), (sheet, key, now)
    assert "Opettajat" in openpyxl.load_workbook(resaved[kind]).defined_names["Opettajalista"].attr_text


@pytest.mark.parametrize("kind", KINDS)
def test_a_libreoffice_save_reads_back_to_the_same_tables_and_findings(made, resaved, kind):
    from toolkit.rules.validation import check_register
    from toolkit.xlsx.reading import read_register

    ours = check_register(read_register(made["paths"][kind]), AS_OF)
    theirs = check_register(read_register(resaved[kind]), AS_OF)

    def listing(result):
        return [(f.code, f.severity, f.sheet, f.cell, f.value) for f in result.findings]

    assert listing(theirs) == listing(ours)
    assert ours.ok and theirs.ok
    for name in ("students", "studies", "units", "teachers", "certificates", "graduates", "contacts"):
        mine, lo = getattr(ours.tables, name), getattr(theirs.tables, name)
        assert lo.to_dict("records") == mine.to_dict("records"), name
    assert theirs.settings == ours.settings


@pytest.fixture(scope="module")
def applied_after_libreoffice(made, resaved, tmp_path_factory) -> dict[str, Path]:
    """Each --apply command run on the demo register as LibreOffice saved it (the owner used LibreOffice)."""
    root = tmp_path_factory.mktemp("lo-applied")
    paths = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(root / ".config"))
        for kind, extra in APPLIED.items():
            (root / kind).mkdir()
            paths[kind] = root / kind / f"{kind}-lo.xlsx"
            shutil.copyfile(resaved["demo"], paths[kind])
            code, out = cli(kind, str(paths[kind]), *[str(made["forms"]) for _ in extra], "--apply")
            assert code == 0, out
    return paths


@pytest.mark.parametrize("kind", APPLIED)
def test_commands_write_a_libreoffice_saved_register_as_they_write_their_own(made, applied_after_libreoffice,
                                                                            kind):
    from toolkit.rules.validation import check_register
    from toolkit.xlsx.reading import read_register

    ours = check_register(read_register(made["paths"][kind]), AS_OF)
    theirs = check_register(read_register(applied_after_libreoffice[kind]), AS_OF)
    assert theirs.ok and [f.code for f in theirs.findings] == [f.code for f in ours.findings]
    for name in ("students", "studies", "units", "teachers", "certificates", "graduates", "contacts"):
        assert getattr(theirs.tables, name).to_dict("records") == getattr(ours.tables, name).to_dict("records"), name


def test_libreoffice_opens_what_the_commands_wrote_into_its_own_save(applied_after_libreoffice, tmp_path_factory):
    files = list(applied_after_libreoffice.values())
    sheets = to_csv_sheets(files, tmp_path_factory.mktemp("lo-applied-csv"))
    for path in files:
        shown_as_written(path, sheets[path])


# --- text the owner typed stays the text LibreOffice shows -----------------------------------------

TRICKY = {"formula": "=1+1", "plus": "+358 40 123 4567", "minus": "-5", "at": "@SUM(A1)", "zeros": "0012",
          "escape-lookalike": "_x0041_", "control": "a\x1fb", "nfd": "Va\u0308ino\u0308", "number-like": "1e5",
          "boolean-like": "TRUE", "date-like": "1.2.2019", "percent": "50%", "newline": "rivi 1\nrivi 2",
          "spaces": "  välit  ", "ampersand": "Tom & Jerry <b>"}


def test_text_written_through_the_safe_writer_shows_verbatim_in_libreoffice(made, tmp_path):
    from toolkit.xlsx.fingerprint import fingerprint
    from toolkit.xlsx.safe_write import RegisterChange, write_changes

    register = tmp_path / "in" / "teksti.xlsx"
    register.parent.mkdir()
    shutil.copyfile(made["paths"]["init"], register)
    change = RegisterChange()
    for i, text in enumerate(TRICKY.values(), start=1):
        change.append("Oppilaat", {"Oppilasnumero": f"{i:04d}", "Etunimi": text, "Sukunimi": "Testi",
                                   "Syntymäaika": date(2019, 3, 1), "Tila": "aktiivinen", "Lisätiedot": text})
    write_changes(register, change, expected=fingerprint(register), now=datetime(2026, 6, 1, 12))
    rows = trimmed(to_csv_sheets([register], tmp_path / "csv")[register]["Oppilaat"])
    shown_values = {r[0]: (r[1], r[3], r[12]) for r in rows[1:]}
    for i, (kind, text) in enumerate(TRICKY.items(), start=1):
        assert shown_values[f"{i:04d}"] == (text, "1.3.2019", text), kind
