"""One guard for every file a command writes (reliability.md "Many hands, one file"): never the register or
anything in varmuuskopiot/ (even with --force), never an existing file without --force, never through a
symbolic link; and the output list knows the toolkit's own files by keyed hashes, never by name."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from factories import make_tables, student, study
from registers import build_register

from toolkit.cli.main import main

AS_OF = ["--as-of", "2026-06-01"]


@pytest.fixture
def register(tmp_path) -> Path:
    tables = make_tables(students=[student(id="0001", first="Aino", last="Virtanen", email="virtanen@example.fi"),
                                   student(id="0002", first="Eetu", last="Mäkelä", email="makela@example.fi")],
                         studies=[study("0001"), study("0002")])
    path = build_register(tmp_path / "rekisteri.xlsx", tables, settings={"Koulun sähköposti": "koulu@example.fi"})
    backups = tmp_path / "varmuuskopiot"
    backups.mkdir()
    (backups / "rekisteri-20260520-120000.xlsx").write_bytes(path.read_bytes())
    return path


def body(tmp_path: Path) -> Path:
    text = tmp_path / "viesti.txt"
    text.write_text("Hei, ilmoittautuminen alkaa.\n", encoding="utf-8")
    return text


def email_draft(register: Path, out: Path, *extra: str) -> int:
    return main(["emails", str(register), "--eml", str(out), "--subject", "Ilmoittautuminen", "--body-file",
                 str(body(register.parent)), *AS_OF, *extra])


# --- the three ways the register was lost before ----------------------------------------------------

@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_an_email_draft_never_replaces_the_register(register, capsys, force):
    before = register.read_bytes()
    assert email_draft(register, register, *force) == 3
    assert "on itse rekisteri" in capsys.readouterr().err
    assert register.read_bytes() == before


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_an_annotated_copy_never_replaces_a_backup(register, capsys, force):
    backup = register.parent / "varmuuskopiot" / "rekisteri-20260520-120000.xlsx"
    before = backup.read_bytes()
    assert main(["check", str(register), "--annotate", str(backup), *force, *AS_OF]) == 3
    assert "varmuuskopiot" in capsys.readouterr().err
    assert backup.read_bytes() == before


def test_an_access_answer_never_replaces_the_register_even_with_force(register, capsys):
    before = register.read_bytes()
    assert main(["access-request", str(register), "--student", "0001", "--out", str(register), "--force", *AS_OF]) == 3
    assert "on itse rekisteri" in capsys.readouterr().err
    assert register.read_bytes() == before
    assert not register.with_suffix(".docx").exists()          # nothing half done: the .docx was not written either


def test_a_hard_link_to_the_register_is_the_register(register, capsys):
    other = register.parent / "kopio.xlsx"
    os.link(register, other)
    before = register.read_bytes()
    assert main(["check", str(register), "--annotate", str(other), "--force", *AS_OF]) == 3
    assert register.read_bytes() == before
    assert "on itse rekisteri" in capsys.readouterr().err


# --- existing files, links, folders -------------------------------------------------------------------

@pytest.mark.parametrize("command", ["annotate", "eml", "access"])
def test_an_existing_file_is_replaced_only_with_force(register, capsys, command):
    out = register.parent / {"annotate": "oma.xlsx", "eml": "oma.eml", "access": "oma.docx"}[command]
    out.write_bytes(b"the owner's own file")

    def run(*extra):
        if command == "annotate":
            return main(["check", str(register), "--annotate", str(out), *extra, *AS_OF])
        if command == "eml":
            return email_draft(register, out, *extra)
        return main(["access-request", str(register), "--student", "0001", "--out", str(out), *extra, *AS_OF])

    assert run() == 3
    assert "lisää --force" in capsys.readouterr().err
    assert out.read_bytes() == b"the owner's own file"
    assert run("--force") == 0
    assert out.read_bytes() != b"the owner's own file" and out.stat().st_mode & 0o777 == 0o600


def test_a_symbolic_link_is_never_written_through(register, tmp_path, capsys):
    target = tmp_path / "muualla.xlsx"
    target.write_bytes(b"elsewhere")
    link = register.parent / "linkki.xlsx"
    link.symlink_to(target)
    assert main(["check", str(register), "--annotate", str(link), "--force", *AS_OF]) == 3
    assert "symbolinen linkki" in capsys.readouterr().err
    assert target.read_bytes() == b"elsewhere" and link.is_symlink()


def test_teacher_lists_never_follow_a_link_out_of_the_semester_folder(register, tmp_path, capsys):
    elsewhere = tmp_path / "muualla"
    elsewhere.mkdir()
    out = register.parent / "lukukausi"
    out.mkdir()
    (out / "opettajat").symlink_to(elsewhere)
    with pytest.raises(Exception) as error:
        from datetime import datetime

        from toolkit.jobs.semester import run_semester

        run_semester(register, out, today=date(2026, 6, 1), now=datetime(2026, 6, 1, 12))
    assert "ulkopuolelle" in str(error.value)
    assert list(elsewhere.iterdir()) == []


def test_teacher_lists_replace_their_own_earlier_lists_but_not_the_owners_file(register, capsys):
    out = register.parent / "listat"
    assert main(["teacher-lists", str(register), "--out", str(out), *AS_OF]) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["teacher-lists", str(register), "--out", str(out), *AS_OF]) == 0     # our own: replaced
    [name] = first
    (out / name).write_bytes(b"owner's notes")                                        # now the owner's
    assert main(["teacher-lists", str(register), "--out", str(out), *AS_OF]) == 3
    assert (out / name).read_bytes() == b"owner's notes"
    assert main(["teacher-lists", str(register), "--out", str(out), "--force", *AS_OF]) == 0
    assert (out / name).read_bytes() != b"owner's notes"


def test_certificates_never_go_into_the_backup_folder(register, capsys):
    tables = make_tables(students=[student(id="0001", birth=date(2019, 3, 1))],
                         studies=[study("0001", "Muskari 1", 30), study("0001", "Muskari 2", 30, date(2024, 5, 31))])
    build_register(register, tables, settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Muskari"})
    backups = register.parent / "varmuuskopiot"
    before = sorted(p.name for p in backups.iterdir())
    assert main(["certificates", str(register), "--out", str(backups), "--apply", *AS_OF]) == 3
    assert sorted(p.name for p in backups.iterdir()) == before
    assert openpyxl.load_workbook(register)["Todistukset"].max_row == 1


# --- the output list ----------------------------------------------------------------------------------

def test_the_output_list_holds_no_name_path_or_id_and_knows_its_own_files(register, capsys):
    from toolkit.system import outputs

    out = register.parent / "Aino Virtanen tarkistus.xlsx"
    assert main(["check", str(register), "--annotate", str(out), *AS_OF]) == 0
    listed = outputs.outputs_path().read_text(encoding="utf-8")
    for clear in ("Aino", "Virtanen", "tarkistus", "0001", str(register.parent), "annotated-copy"):
        if clear == "annotated-copy":
            assert clear in listed          # the kind is a code, not personal data
        else:
            assert clear not in listed
    assert outputs.outputs_path().stat().st_mode & 0o777 == 0o600
    own = outputs.OutputList.load()
    assert own.own(out) is not None and own.own(register) is None
    # opened in Excel and saved again: the content differs, the marker inside it stays
    workbook = openpyxl.load_workbook(out)
    workbook["Oppilaat"]["M2"] = "muistiinpano"
    workbook.save(out)
    from toolkit.erasure.reach import read_marker

    assert own.own(out) is None and own.own(out, marker_of=read_marker) is not None
