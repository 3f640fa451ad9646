"""`muskari semester` end to end: on the demo register every artefact is made and the summary matches them;
a failing step stops the run and says where."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from factories import make_tables, student, study
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked
from toolkit.jobs.semester import SemesterResult, write_summary

AS_OF = "2026-11-25"
TODAY = date(2026, 11, 25)
# the tests on the demo are `slow` (the whole demo through every step takes seconds), the small ones are not


def run(capsys, *argv):
    code = main([*argv, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


def make_demo(folder: Path, capsys) -> tuple[Path, Path]:
    assert run(capsys, "demo", str(folder))[0] == 0
    return folder / "rekisteri.xlsx", folder / "ilmoittautumiset.csv"


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """The demo after `semester --apply` (run once for the module): paths, stdout, the register before."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(folder / ".config"))
        main(["demo", str(folder), "--as-of", AS_OF])
        register, forms = folder / "rekisteri.xlsx", folder / "ilmoittautumiset.csv"
        _, before = load_checked(register, TODAY)
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["semester", str(register), "--out", str(folder / "lukukausi"), "--forms", str(forms),
                         "--apply", "--as-of", AS_OF])
    return {"folder": folder, "register": register, "out": folder / "lukukausi", "stdout": buffer.getvalue(),
            "code": code, "before": before}


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, title
    return match.group(1)


@pytest.mark.slow
def test_the_run_succeeds_and_leaves_a_register_that_passes_check(applied):
    assert applied["code"] == 0
    _, result = load_checked(applied["register"], TODAY)
    assert result.ok


@pytest.mark.slow
def test_the_terminal_shows_the_summary_and_the_page_is_written_to_the_folder(applied):
    assert applied["stdout"].startswith("# Lukukausiajo 25.11.2026")
    page = (applied["out"] / "yhteenveto.html").read_text(encoding="utf-8")
    assert "<title>Lukukausiajo 25.11.2026</title>" in page      # tests/test_summary_page.py checks the page
    assert (applied["out"] / "yhteenveto.html").stat().st_mode & 0o077 == 0


def list_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    return [[c.value for c in row] for row in load_workbook(path).active.iter_rows()][1:]


@pytest.mark.slow
def test_every_teacher_list_in_the_summary_exists_and_holds_exactly_those_students(applied):
    summary = applied["stdout"]
    rows = re.findall(r"^\| (.+?) \| `(.+?)` \| (\d+): (.*?) \|$", section(summary, "6. Opettajien listat"), re.M)
    _, result = load_checked(applied["register"], TODAY)
    students = result.tables.students.set_index("student_id")
    files = sorted((applied["out"] / "opettajat").glob("*.xlsx"))
    assert sorted(applied["out"] / f for _, f, _, _ in rows) == files and files
    for teacher, file, count, ids in rows:
        ids = ids.split(", ")
        assert int(count) == len(ids)
        names = sorted(r[0] for r in list_rows(applied["out"] / file))
        expected = sorted(f"{students.loc[i, 'first_name']} {students.loc[i, 'last_name']}" for i in ids)
        assert names == expected
        assert set(students.loc[ids, "teacher"]) == {teacher}
        assert set(students.loc[ids, "status"]) <= {"aktiivinen", "tauolla"}


@pytest.mark.slow
def test_every_email_list_in_the_summary_exists_with_its_count(applied):
    text = section(applied["stdout"], "7. Sähköpostilistat (piilokopio)")
    entries = re.findall(r"^- `(.+?)` \(.+?\): (\d+) osoite(?:tta)?$", text, re.M)
    assert [e[0] for e in entries] == ["sahkopostit/ilmoittautuminen.txt", "sahkopostit/muskari-paattyneet.txt"]
    for file, count in entries:
        line = (applied["out"] / file).read_text(encoding="utf-8").strip()
        addresses = line.split("; ") if line else []
        assert len(addresses) == int(count)
        assert len({a.casefold() for a in addresses}) == len(addresses)


@pytest.mark.slow
def test_every_certificate_in_the_summary_was_written_and_recorded(applied):
    text = section(applied["stdout"], "4. Todistukset")
    numbers = re.findall(r"^- (\d{4}-\d{3}) (\d+) ", text, re.M)
    assert numbers
    _, result = load_checked(applied["register"], TODAY)
    recorded = dict(zip(result.tables.certificates["number"], result.tables.certificates["file"], strict=True))
    for number, student_id in numbers:
        assert (applied["register"].parent / recorded[number]).is_file()
        assert f"{number}_{student_id}" in recorded[number]


@pytest.mark.slow
def test_the_forms_were_imported_and_the_ask_families_listed(applied):
    summary = applied["stdout"]
    new = re.findall(r"^  - (\d{4}) ([^:\n]+)$", section(summary, "2. Ilmoittautumislomakkeet"), re.M)
    _, result = load_checked(applied["register"], TODAY)
    students = result.tables.students.set_index("student_id")
    assert new
    for sid, name in new:
        assert f"{students.loc[sid, 'first_name']} {students.loc[sid, 'last_name']}" == name
    ask = re.search(r"oppilaat ([\d, ]+)\)", section(summary, "Vaatii päätöksesi")).group(1).split(", ")
    assert set(ask) <= set(students.index)


def _texts(folder: Path):
    for path in folder.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                yield path, "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        elif path.is_file():
            yield path, path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.slow
def test_no_artefact_names_a_person_erased_on_request(applied):
    students = applied["before"].tables.students
    gone = students[students["deletion_requested"].notna()]
    assert not gone.empty
    needles = [f"{f} {s}" for f, s in zip(gone["first_name"], gone["last_name"], strict=True)]
    needles += [e for e in gone["email"] if e]
    for path, text in _texts(applied["out"]):
        for needle in needles:
            assert needle not in text, (path, needle)


@pytest.mark.slow
def test_the_dry_run_changes_nothing_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """The lists, the plots and the page would show a register the run has not made yet: a dry run writes none
    of them (tests/test_semester_preview.py checks that its counts are those --apply then carries out)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    register, forms = make_demo(tmp_path, capsys)
    before = register.read_bytes()
    code, out, err = run(capsys, "semester", str(register), "--forms", str(forms))
    assert code == 0 and register.read_bytes() == before
    assert "Esikatselu: rekisteriä ei muutettu eikä yhtään tiedostoa kirjoitettu" in out
    assert "--apply antaa 10 todistusta" in out and "--apply kirjoittaa nämä listat" in out
    assert "Esikatselu: mitään ei kirjoitettu" in err
    assert not (tmp_path / "lukukausi").exists() and not (tmp_path / "todistukset").exists()
    assert not (tmp_path / "varmuuskopiot").exists()


def small_register(tmp_path, **settings) -> Path:
    tables = make_tables(students=[student("0001"), student("0002", first="Eino", email=None)],
                         studies=[study("0001", hours=30), study("0001", "Muskari 2", hours=35,
                                                                  completed=date(2024, 5, 31))])
    return build_register(tmp_path / "rekisteri.xlsx", tables, settings=settings)


def test_a_failing_step_stops_the_run_and_says_where(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    register = small_register(tmp_path)          # Paikkakunta and Allekirjoittaja blank: certificates refuse
    forms = tmp_path / "lomake.csv"
    forms.write_text("Etunimi;Sukunimi;Syntymäaika;Sähköposti;Jatkaa ensi lukukaudella\n"
                     "Aino;Virtanen;1.3.2019;uusi@example.fi;kyllä\n", encoding="utf-8")
    code, out, err = run(capsys, "semester", str(register), "--forms", str(forms), "--apply")
    assert code == 3 and out == ""
    assert "vaiheeseen 3/8 (todistukset)" in err
    assert "Tehdyt vaiheet: tarkistus, ilmoittautumislomakkeet." in err
    _, result = load_checked(register, TODAY)
    assert result.tables.students.loc[2, "email"] == "uusi@example.fi"      # the import before it stays done
    assert not (tmp_path / "lukukausi" / "yhteenveto.html").exists()


def test_a_register_with_errors_stops_at_the_check_with_exit_1(tmp_path, capsys):
    tables = make_tables(students=[student(email="ei-osoite")])
    register = build_register(tmp_path / "rekisteri.xlsx", tables)
    code, out, err = run(capsys, "semester", str(register), "--apply")
    assert code == 1 and "vaiheeseen 1/8 (tarkistus)" in err and "invalid-email" not in err
    assert "Sähköposti" in out or "sähköpostiosoite" in out


def test_the_summary_hook_links_images_relative_to_the_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    register = small_register(tmp_path, Paikkakunta="Espoo", Allekirjoittaja="Anna Opettaja")
    assert run(capsys, "semester", str(register), "--out", str(tmp_path / "out"), "--apply")[0] == 0
    from toolkit.jobs.semester import run_semester

    result = run_semester(register, tmp_path / "out", today=TODAY, now=__import__("datetime").datetime(2026, 11, 25),
                          apply=True)
    path = write_summary(tmp_path / "out", result, images=[tmp_path / "out" / "kuvat" / "tunnit.png"])
    text = path.read_text(encoding="utf-8")
    assert '<img src="kuvat/tunnit.png" alt="tunnit">' in text
    assert "Ilman sähköpostiosoitetta: 0002" in text
    assert isinstance(result, SemesterResult) and result.done[-1] == "summary"


@pytest.mark.slow
def test_every_linked_plot_exists_and_is_a_png(applied):
    page = (applied["out"] / "yhteenveto.html").read_text(encoding="utf-8")
    links = re.findall(r'<img src="(.+?)" alt="(.+?)">', page)
    listed = re.findall(r"^- (.+?): `(.+?)`$", section(applied["stdout"], "Kuvat"), re.M)
    assert len(links) >= 3 and sorted(links) == sorted((link, caption) for caption, link in listed)
    for link, caption in links:
        path = applied["out"] / link
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and caption


def test_a_rerun_replaces_the_previous_lists(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    register = small_register(tmp_path, Paikkakunta="Espoo", Allekirjoittaja="Anna Opettaja")
    stale = tmp_path / "lukukausi" / "opettajat" / "Oppilaslista Entinen Opettaja.xlsx"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    keep = tmp_path / "lukukausi" / "omat muistiinpanot.txt"
    keep.write_text("omistajan oma tiedosto", encoding="utf-8")
    assert run(capsys, "semester", str(register))[0] == 0           # a dry run touches nothing
    assert stale.exists() and keep.exists()
    assert run(capsys, "semester", str(register), "--apply")[0] == 0
    assert not stale.exists() and keep.exists()
    assert [p.name for p in stale.parent.iterdir()] == ["Oppilaslista Liisa Laulu.xlsx"]
