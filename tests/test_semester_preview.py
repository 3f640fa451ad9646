"""`muskari semester` without --apply plays every step on the result of the one before, in memory, so what it
promises is what --apply then does; it writes nothing; one JSON shape for both; and the summary's every count is
the one its lists add up to (issue 16)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from factories import student, study
from semester_support import (
    AS_OF,
    answer,
    counts,
    run_cli,
    save_forms,
    save_register,
    semester_json,
)

from toolkit.jobs.check import load_checked

NOW = datetime(2026, 11, 25, 10, 0)


def graduate_rows(sid: str, start: int = 2016) -> list[dict]:
    """300 h of common and 200 h of thematic studies: a päättötodistus earned."""
    return [study(sid, "Soitin 1", 100, date(start, 5, 31)), study(sid, "Soitin 2", 100, date(start + 1, 5, 31)),
            study(sid, "Soitin 3", 100, date(start + 2, 5, 31)), study(sid, "Bändi", 100, date(start + 3, 5, 31)),
            study(sid, "Sävellys", 100, date(start + 4, 5, 31))]


# Students of the cases (as of 25.11.2026):
ADULT = student("0001", "Aino", "Aikuinen", date(2006, 1, 10), status="päättynyt", email="aino@example.fi")
LEAVER = student("0002", "Eino", "Lähtijä", date(2010, 4, 2), email="lahtija@example.fi")
RETURNING = student("0003", "Helmi", "Palaaja", date(2015, 6, 3), status="tauolla", email="palaaja@example.fi")
STOPPING = student("0004", "Onni", "Lopettaja", date(2016, 8, 4), email="lopettaja@example.fi")
MUSKARI = student("0005", "Venla", "Muskari", date(2020, 2, 5), email="muskari@example.fi")
STAYING = student("0006", "Leo", "Jatkaja", date(2014, 9, 6), email="jatkaja@example.fi")


@pytest.fixture
def school(tmp_path):
    """An adult whose earned final certificate was never issued (ended, 20: issue-first until it is), a
    16-year-old with an earned final certificate whose family answers 'not continuing', two more status changes,
    a muskari child with 66 h (earned) and a student who stays. Forms for 0002, 0003, 0004 and 0006."""
    folder = tmp_path / "koulu"
    folder.mkdir()
    studies = [*graduate_rows("0001", 2016), *graduate_rows("0002", 2020),
               study("0003", "Soitin 1", 40, date(2025, 5, 31)), study("0004", "Soitin 1", 30, date(2025, 5, 31)),
               study("0005", "Muskari 1", 33, date(2024, 5, 31)), study("0005", "Muskari 2", 33, date(2025, 5, 31)),
               study("0006", "Soitin 1", 60, date(2025, 5, 31))]
    register = save_register(folder, students=[ADULT, LEAVER, RETURNING, STOPPING, MUSKARI, STAYING], studies=studies)
    forms = save_forms(folder, [answer(LEAVER, "ei"), answer(RETURNING, "kyllä"), answer(STOPPING, "ei"),
                                answer(STAYING, "kyllä", phone="040 765 4321")])
    return {"folder": folder, "register": register, "forms": forms}


def copy_school(school, where: Path) -> dict:
    shutil.copytree(school["folder"], where)
    return {"folder": where, "register": where / school["register"].name, "forms": where / school["forms"].name}


def step(report: dict, name: str) -> dict:
    return next(s for s in report["steps"] if s["step"] == name)


def test_a_certificate_issued_in_the_run_is_counted_by_the_purge_that_follows(school, tmp_path, capsys):
    """The issue: the dry run said 'study window closed: 3', --apply erased 4. Here the adult's issue-first
    becomes an erasure once the run issues her certificate, and the leaver ends, gets his certificate and is
    erased: the dry run says so, and --apply does exactly that."""
    dry = semester_json(capsys, school["register"], forms=school["forms"])
    purge = step(dry, "purge")
    assert purge["by_rule"] == {"study-window-closed": {"erase": 2}}
    assert purge["counts"]["erase"] == 2 and purge["counts"]["issue-first"] == 0
    assert step(dry, "certificates")["counts"] == {"issued": 3, "muskaritodistus": 1, "päättötodistus": 2}
    applied_school = copy_school(school, tmp_path / "kopio")
    done = semester_json(capsys, applied_school["register"], forms=applied_school["forms"], apply=True)
    assert counts(done) == counts(dry)
    _, after = load_checked(applied_school["register"], AS_OF)
    assert set(after.tables.students["student_id"]) == {"0003", "0004", "0005", "0006"}


def test_the_dry_run_writes_nothing_anywhere(school, capsys):
    before = {p: p.read_bytes() for p in school["folder"].rglob("*") if p.is_file()}
    code, out, err = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]))
    assert code == 0
    assert {p: p.read_bytes() for p in school["folder"].rglob("*") if p.is_file()} == before   # no new file either
    assert "Esikatselu" in out and "--apply" in out
    assert "yhteenveto.html" not in err or "ei kirjoitettu" in err


def test_the_json_has_one_shape_for_the_dry_run_and_the_apply(school, tmp_path, capsys):
    dry = semester_json(capsys, school["register"], forms=school["forms"])
    other = copy_school(school, tmp_path / "kopio")
    done = semester_json(capsys, other["register"], forms=other["forms"], apply=True)
    for report, applied in ((dry, False), (done, True)):
        assert report["as_of"] == "2026-11-25" and report["applied"] is applied
        assert [s["step"] for s in report["steps"]] == ["check", "import-forms", "certificates", "purge",
                                                        "teacher-lists", "emails", "plots"]
        for s in report["steps"]:
            assert isinstance(s["changed"], bool)
            assert all(isinstance(n, int) for n in s["counts"].values()), s
    assert step(dry, "import-forms")["counts"] == {"responses": 4, "new_students": 0, "updated": 4,
                                                   "contact_changes": 1, "status_changes": 3, "refused": 0}
    assert [s["changed"] for s in dry["steps"]] == [False, True, True, True, False, False, False]
    assert step(dry, "teacher-lists")["counts"] == {"lists": 1, "students": 3, "without_teacher": 0}
    assert step(dry, "emails")["counts"] == {"lists": 2, "registration": 3, "muskari-ended": 0}
    assert step(dry, "plots")["counts"] == {"plots": 6}
    assert dry["summary"] is None and Path(done["summary"]).is_file()
    for name in ("teacher-lists", "emails", "plots"):           # the files it would write, relative to --out
        assert step(dry, name)["files"] == step(done, name)["files"]
        for file in step(done, name)["files"]:
            assert (Path(done["out"]) / file).is_file()


def test_nothing_to_change_is_said_as_such(tmp_path, capsys):
    register = save_register(tmp_path, students=[STAYING], studies=[study("0006", "Soitin 1", 60, date(2025, 5, 31))])
    code, out, _ = run_cli(capsys, "semester", str(register), "--apply")
    assert code == 0
    assert "ei muutoksia" in out.split("\n## ")[0].casefold() and "tallennettiin" not in out
    report = semester_json(capsys, register, apply=True)
    assert not any(s["changed"] for s in report["steps"])


# --- the summary: every count is what its list adds up to ---------------------------------------------

def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, title
    return match.group(1)


def listed_under(text: str, label: str) -> tuple[int, int]:
    """(the count after ``label``, how many the list under it accounts for: named lines plus the erased ones)."""
    match = re.search(rf"^- {re.escape(label)}: (\d+)\n((?:  - .*\n?)*)", text, re.M)
    assert match, label
    lines = [x.strip()[2:] for x in match.group(2).splitlines() if x.strip()]
    erased = [int(re.match(r"ja (\d+) ", x).group(1)) for x in lines if x.startswith("ja ")]
    assert all("poistettiin tässä ajossa (ei nimetä)" in x for x in lines if x.startswith("ja "))
    return int(match.group(1)), sum(erased) + sum(1 for x in lines if not x.startswith("ja "))


@pytest.mark.parametrize("apply", [False, True])
def test_every_status_change_counted_is_listed(school, capsys, apply):
    code, out, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]),
                           *(["--apply"] if apply else []))
    assert code == 0
    forms = section(out, "2. Ilmoittautumislomakkeet")
    count, accounted = listed_under(forms, "Tilamuutoksia")
    assert count == accounted == 3
    assert "0003 Helmi Palaaja: tauolla → aktiivinen" in forms and "0004 Onni Lopettaja: aktiivinen → päättynyt" in forms
    if apply:                                         # erased in this run: counted, never named
        assert "0002" not in forms and "ja 1 oppilas, jonka tiedot poistettiin tässä ajossa (ei nimetä)" in forms
    else:                                             # the preview names whom --apply will erase
        assert "0002 Eino Lähtijä: aktiivinen → päättynyt — tiedot poistetaan tässä ajossa" in forms


@pytest.mark.parametrize("apply", [False, True])
def test_every_earned_certificate_is_listed_and_the_tables_say_when(school, capsys, apply):
    code, out, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]),
                           *(["--apply"] if apply else []))
    assert code == 0
    text = section(out, "3. Todistustilanne")
    rows = dict(((kind, when), [int(n) for n in ns.split(" | ")]) for kind, when, ns in
                re.findall(r"^\| (muskaritodistus|päättötodistus) \| (ennen ajoa|ajon jälkeen) \| (.*?) \|$", text, re.M))
    assert rows[("päättötodistus", "ennen ajoa")][0] == 2 and rows[("muskaritodistus", "ennen ajoa")][0] == 1
    assert rows[("päättötodistus", "ajon jälkeen")][0] == 0 and rows[("muskaritodistus", "ajon jälkeen")] == [0, 1, 0, 0]
    count, accounted = listed_under(text, "Ansaittuja ennen ajoa")
    assert count == accounted == 3
    assert "0005 Venla Muskari: muskaritodistus" in text
    certificates = section(out, "4. Todistukset")
    numbered = re.findall(r"^- \d{4}-\d{3} (\d{4}) ", certificates, re.M)
    if apply:
        assert numbered == ["0005"] and "ja 2 oppilaalle, joiden tiedot poistettiin" in certificates
    else:
        assert sorted(numbered) == ["0001", "0002", "0005"]
        assert len(re.findall("tiedot poistetaan tässä ajossa", certificates)) == 2
    assert "ajon jälkeen" in section(out, "Kuvat")


def test_the_preview_names_whom_the_apply_erases_and_the_applied_summary_does_not(school, tmp_path, capsys):
    _, preview, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]))
    purge = section(preview, "5. Poistot ja säilytysajat")
    assert "Opintoaika on päättynyt (2): poisto — tehdään --apply-ajossa\n  - 0001 Aino Aikuinen\n  - 0002 Eino Lähtijä" \
        in purge
    _, done, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]), "--apply")
    page = (school["folder"] / "lukukausi" / "yhteenveto.html").read_text(encoding="utf-8")
    for name in ("Aino Aikuinen", "Eino Lähtijä", "aino@example.fi", "lahtija@example.fi"):
        assert name not in done and name not in page
    assert "Opintoaika on päättynyt (2): poisto — tehty" in done and "Poistettiin 2 oppilaan tiedot." in done


def test_the_page_and_the_text_are_the_same_summary(school, capsys):
    from test_summary_page import Page

    code, out, err = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]), "--apply")
    assert code == 0
    page = Page((school["folder"] / "lukukausi" / "yhteenveto.html").read_text(encoding="utf-8")).all_text()
    for line in ("Tilamuutoksia: 3", "Ansaittuja ennen ajoa: 3", "0003 Helmi Palaaja: tauolla → aktiivinen",
                 "ja 1 oppilas, jonka tiedot poistettiin tässä ajossa (ei nimetä)",
                 "ja 2 oppilasta, joiden tiedot poistettiin tässä ajossa (ei nimetä)"):
        assert line in out and line in page, line


# --- the certificates step: the templates checked and their notices said, as `certificates` does -------

def test_the_template_notices_are_shown_in_the_dry_run_and_the_apply(school, capsys):
    (school["folder"] / "todistuspohjat").mkdir()     # the owner's folder, without a muskari template
    code, dry_out, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]))
    assert code == 0
    dry = semester_json(capsys, school["register"], forms=school["forms"])
    notices = step(dry, "certificates")["notices"]
    assert any("muskaritodistus.docx" in n and "omaa pohjaa" in n for n in notices)
    text = section(dry_out, "4. Todistukset")
    for notice in notices:
        assert notice in text
    _, certificates_out, certificates_err = run_cli(capsys, "certificates", str(school["register"]))
    for notice in notices:
        assert notice in certificates_err                     # the same notices as `certificates` says


def test_a_bad_template_stops_the_dry_run_as_it_would_stop_the_apply(school, capsys):
    (school["folder"] / "todistuspohjat").mkdir()
    (school["folder"] / "todistuspohjat" / "päättötodistus.docx").write_bytes(b"ei Word-asiakirja")
    before = school["register"].read_bytes()
    code, out, err = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]))
    assert code == 3 and out == ""
    assert "vaiheeseen 3/8 (todistukset)" in err and "päättötodistus" in err and "--apply" in err
    assert school["register"].read_bytes() == before and not (school["folder"] / "lukukausi").exists()


def test_missing_settings_stop_the_dry_run_where_the_apply_would_stop(tmp_path, capsys):
    register = save_register(tmp_path, students=[MUSKARI], settings={},
                             studies=[study("0005", "Muskari 1", 33, date(2024, 5, 31)),
                                      study("0005", "Muskari 2", 33, date(2025, 5, 31))])
    code, out, err = run_cli(capsys, "semester", str(register))
    assert code == 3 and out == ""
    assert "vaiheeseen 3/8 (todistukset)" in err and "Paikkakunta" in err
    assert "Rekisteriä ei muutettu" in err


def test_the_json_of_a_dry_run_is_valid_json_with_nothing_else_on_stdout(school, capsys):
    code, out, _ = run_cli(capsys, "semester", str(school["register"]), "--forms", str(school["forms"]),
                           "--format", "json")
    assert code == 0 and json.loads(out)["applied"] is False


@pytest.mark.parametrize("apply", [False, True])
def test_a_list_folder_linked_out_of_the_output_folder_stops_both_runs_and_nothing_there_is_touched(
        school, tmp_path, capsys, apply):
    elsewhere = tmp_path / "muualla"
    elsewhere.mkdir()
    mine = elsewhere / "Oppilaslista Liisa Laulu.xlsx"           # the owner's own file, under the same name
    mine.write_bytes(b"omistajan oma")
    (school["folder"] / "lukukausi").mkdir()
    (school["folder"] / "lukukausi" / "opettajat").symlink_to(elsewhere)
    code, out, err = run_cli(capsys, "semester", str(school["register"]), *(["--apply"] if apply else []))
    assert code == 3 and out == ""
    assert "vaiheeseen 5/8 (opettajien listat)" in err and "ulkopuolelle" in err
    assert list(elsewhere.iterdir()) == [mine] and mine.read_bytes() == b"omistajan oma"


def test_a_dry_run_refuses_a_page_that_is_not_the_toolkits_own_as_the_apply_would(school, capsys):
    out = school["folder"] / "lukukausi"
    out.mkdir()
    (out / "yhteenveto.html").symlink_to(school["forms"])         # a link where the page goes
    code, _, err = run_cli(capsys, "semester", str(school["register"]))
    assert code == 3 and "vaiheeseen 8/8 (yhteenveto)" in err


@pytest.mark.parametrize("apply", [False, True])
def test_an_earned_certificate_the_year_cannot_number_is_said_and_the_run_goes_on(tmp_path, capsys, apply):
    """The year's 999th certificate is on record: the next earned one is not numbered 2026-1000 (YYYY-NNN); the
    run says why it waits for the new year, in the dry run as with --apply."""
    from factories import certificate

    register = save_register(tmp_path, students=[MUSKARI, STAYING],
                             studies=[study("0005", "Muskari 1", 33, date(2024, 5, 31)),
                                      study("0005", "Muskari 2", 33, date(2025, 5, 31)),
                                      study("0006", "Soitin 1", 60, date(2025, 5, 31))],
                             certificates=[certificate("2026-999", "0006", "muskaritodistus", date(2026, 6, 1))])
    code, out, err = run_cli(capsys, "semester", str(register), *(["--apply"] if apply else []))
    assert code == 0 and "2026-1000" not in out
    assert "0005" in out and "todistusnumerot (VVVV-001 … VVVV-999) ovat loppuneet" in out


@pytest.mark.parametrize("apply", [False, True])
def test_a_step_whose_change_the_check_refuses_stops_the_dry_run_where_the_apply_stops(tmp_path, capsys, monkeypatch,
                                                                                     apply):
    """The semester's safety net: should a step ever make a change the check refuses (here a certificate row with
    a number the check cannot accept, made by a broken change builder), the dry run finds it on the previewed
    register as --apply finds it on the written one, and says it was this step's change."""
    import toolkit.jobs.certificates as certificates

    made = certificates.register_change

    def broken(path, plan):
        change = made(path, plan)
        change.appends = [(sheet, {**values, "Todistusnumero": "X-1"} if sheet == "Todistukset" else values)
                          for sheet, values in change.appends]
        return change

    monkeypatch.setattr(certificates, "register_change", broken)
    register = save_register(tmp_path, students=[MUSKARI, STAYING],
                             studies=[study("0005", "Muskari 1", 33, date(2024, 5, 31)),
                                      study("0005", "Muskari 2", 33, date(2025, 5, 31)),
                                      study("0006", "Soitin 1", 60, date(2025, 5, 31))])
    before = register.read_bytes()
    code, out, err = run_cli(capsys, "semester", str(register), *(["--apply"] if apply else []))
    assert code == 1 and "X-1" in out
    assert "vaiheeseen 3/8 (todistukset)" in err and "tämän vaiheen muutosten jälkeen" in err
    assert "korjaa ne ensin" not in err                    # the register as it was has no errors
    assert (register.read_bytes() == before) is not apply
