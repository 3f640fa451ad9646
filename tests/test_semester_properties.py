"""The contract's promise, over generated registers and forms: the counts of `semester` without --apply are
exactly those --apply then carries out on the same register and day (issue 16).

Each example is the demo school (toolkit/demo/data.py) for a drawn as-of day, cut down to a drawn share (none,
half, all) of each population, with a drawn part of the demo's forms and drawn answers of kept students (a 'not
continuing' ends a student, which can make the purge erase them after the run issued their certificate), and
earlier versions in varmuuskopiot/ of drawn ages (the run's own writes keep more: dated today, they expire when
the as-of day is months ahead).
The dry run and the --apply run on two copies of the same folder; their JSON reports must agree step by step.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from semester_support import answer, counts, save_forms

from toolkit.cli.main import main
from toolkit.demo.data import FORMS_HEADERS as GOOGLE
from toolkit.demo.data import build_demo
from toolkit.office.new_workbook import save_new, workbook_from_records
from toolkit.xlsx.backup_copies import backup_name


def cut_down(demo, keep: set[str]) -> dict[str, list[dict]]:
    """The demo's records for the students in ``keep`` (with their studies, certificates and graduates)."""
    records = dict(demo.records)
    records["Oppilaat"] = [s for s in demo.records["Oppilaat"] if s["student_id"] in keep]
    records["Opinnot"] = [r for r in demo.records["Opinnot"] if r["student_id"] in keep]
    certificates = [c for c in demo.records["Todistukset"] if c["student_id"] is None or c["student_id"] in keep]
    numbers = {c["number"] for c in certificates}
    records["Todistukset"] = certificates
    records["Valmistuneet"] = [g for g in demo.records["Valmistuneet"] if g["number"] is None or g["number"] in numbers]
    return records


@st.composite
def schools(draw):
    """(as-of day, demo, records, forms rows, days before the as-of day of the earlier versions in varmuuskopiot/)."""
    as_of = draw(st.dates(date(2025, 1, 1), date(2028, 12, 31)))
    demo = build_demo(as_of)
    rnd = draw(st.randoms(use_true_random=False))
    keep: set[str] = set()
    for population in sorted(demo.categories):
        share = draw(st.sampled_from([0.0, 0.5, 1.0]))
        ids = demo.categories[population]
        keep.update(rnd.sample(ids, round(share * len(ids))))
    keep = keep or {demo.categories["final-eligible"][0]}
    records = cut_down(demo, keep)
    if not draw(st.booleans()):
        records["Yhteydenotot"] = []
    forms = [row for row in demo.forms_rows if draw(st.booleans())]
    kept = records["Oppilaat"]
    for rec in draw(st.lists(st.sampled_from(kept), max_size=8, unique_by=lambda r: r["student_id"])):
        forms.append(answer(rec, draw(st.sampled_from(["kyllä", "ei"])), on=as_of, student_id=rec["student_id"]))
    backups = draw(st.lists(st.integers(0, 400), max_size=2, unique=True))
    return as_of, demo, records, forms, backups


def run(folder: Path, as_of: date, forms: Path | None, apply: bool) -> dict:
    argv = ["semester", str(folder / "rekisteri.xlsx"), "--format", "json", "--as-of", as_of.isoformat()]
    argv += (["--forms", str(forms)] if forms else []) + (["--apply"] if apply else [])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return {"code": code, "report": json.loads(out.getvalue()) if code == 0 else None, "err": err.getvalue()}


@pytest.mark.slow
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(school=schools())
def test_the_dry_run_counts_are_the_counts_apply_carries_out(tmp_path_factory, school):
    as_of, demo, records, forms, backups = school
    base = tmp_path_factory.mktemp("koulu")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(base / ".config"))      # each example its own key and erased-ids list
        dry_folder, apply_folder = base / "esikatselu", base / "ajo"
        dry_folder.mkdir()
        save_new(workbook_from_records(records, demo.settings), dry_folder / "rekisteri.xlsx")
        forms_file = None
        if forms:            # under the demo's Google Forms questions (the drawn answers have no greeting)
            forms_file = save_forms(dry_folder, [r + [""] * (len(GOOGLE) - len(r)) for r in forms],
                                    headers=list(GOOGLE))
        for days in backups:             # earlier versions the writer kept, some past the retention
            made = datetime.combine(as_of - timedelta(days=days), time(12, 0))
            (dry_folder / "varmuuskopiot").mkdir(mode=0o700, exist_ok=True)
            shutil.copy(dry_folder / "rekisteri.xlsx", dry_folder / "varmuuskopiot" / backup_name(
                dry_folder / "rekisteri.xlsx", made))
        shutil.copytree(dry_folder, apply_folder)
        before = (dry_folder / "rekisteri.xlsx").read_bytes()
        dry = run(dry_folder, as_of, forms_file, apply=False)
        done = run(apply_folder, as_of, apply_folder / forms_file.name if forms_file else None, apply=True)
    assert (dry_folder / "rekisteri.xlsx").read_bytes() == before
    assert dry["code"] == done["code"], (dry["err"], done["err"])
    if dry["code"] == 0:
        assert counts(dry["report"]) == counts(done["report"])
        for step, other in zip(dry["report"]["steps"], done["report"]["steps"], strict=True):
            assert step.get("by_rule") == other.get("by_rule") and step.get("files") == other.get("files"), step
    else:
        assert dry["err"].split(":", 1)[0] == done["err"].split(":", 1)[0]
