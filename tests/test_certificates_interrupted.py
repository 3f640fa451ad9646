"""A certificates run killed (SIGKILL, a power cut) while it held the register's lock leaves its hidden staging
folder in todistukset/, with rendered certificates in it. The next run that issues certificates finishes or
clears it: the register's write is all or nothing, so when the register names the folder's documents the run was
recorded and they are moved into place; when it does not, nothing was issued and the folder is removed.
The kills here are real: a child process running the command dies at the named step."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import openpyxl
import pytest
from children import run
from registers import build_register
from test_certificates import SETTINGS, school

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-01"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

# the child runs the real command after making one step of it kill the process, as a power cut would there
KILLED_AT = {
    "before the register is written": "toolkit.xlsx.safe_write.write_changes",
    "after the register is written": "toolkit.jobs.certificates._move_new",
}
CHILD = """
import os, signal, sys, importlib
module, name = sys.argv[1].rsplit(".", 1)
target = importlib.import_module(module)
original = getattr(target, name)
def killed(*args, **kwargs):
    if name == "_move_new":
        original(*args, **kwargs)            # one document is in place, the other still staged
    os.kill(os.getpid(), signal.SIGKILL)
setattr(target, name, killed)
from toolkit.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def muskari(tmp_path, *argv, killed_at: str | None = None):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    if killed_at is None:
        command = [sys.executable, "-m", "toolkit", *argv]
    else:
        command = [sys.executable, "-c", CHILD, killed_at, *argv]
    return run([*command, "--as-of", AS_OF], timeout=120, env=env, cwd=ROOT)


def staging_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith("."))


def recorded_files(register: Path) -> list[str]:
    workbook = openpyxl.load_workbook(register, read_only=True)
    try:
        return [row[4] for row in workbook["Todistukset"].iter_rows(min_row=2, values_only=True) if row[4]]
    finally:
        workbook.close()


@pytest.fixture
def register(tmp_path):
    return build_register(tmp_path / "rekisteri.xlsx", school(), settings=SETTINGS)


def test_a_run_killed_before_the_register_was_written_leaves_nothing_issued_and_is_cleared(register, tmp_path):
    done = muskari(tmp_path, "certificates", register, "--apply", killed_at=KILLED_AT["before the register is written"])
    assert done.returncode == -9
    folder = register.parent / "todistukset"
    [staging] = staging_folders(folder)
    assert sorted(p.name for p in staging.iterdir()) == ["2026-008_0001.docx", "2026-009_0002.docx"]
    assert recorded_files(register) == []                              # nothing was issued

    done = muskari(tmp_path, "certificates", register, "--apply")
    assert done.returncode == 0, done.stderr
    assert staging_folders(folder) == []                               # the rendered certificates are gone
    assert "Edellinen todistusajo keskeytyi ennen kuin todistukset kirjattiin rekisteriin" in done.stderr
    assert "2 keskeneräistä asiakirjaa poistettiin" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["2026-008_0001.docx", "2026-009_0002.docx"]
    assert recorded_files(register) == ["todistukset/2026-008_0001.docx", "todistukset/2026-009_0002.docx"]


def test_a_run_killed_after_the_register_was_written_has_its_documents_put_in_place(register, tmp_path, monkeypatch):
    done = muskari(tmp_path, "certificates", register, "--apply", killed_at=KILLED_AT["after the register is written"])
    assert done.returncode == -9
    folder = register.parent / "todistukset"
    assert recorded_files(register) == ["todistukset/2026-008_0001.docx", "todistukset/2026-009_0002.docx"]
    assert [p.name for p in folder.iterdir() if p.is_file()] == ["2026-008_0001.docx"]
    [staging] = staging_folders(folder)

    # a run with nothing left to issue finishes the interrupted one, in English too
    done = muskari(tmp_path, "certificates", register, "--apply", "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "No certificates to issue.\n"
    assert "The previous certificates run stopped after the certificates were recorded in the register" in done.stderr
    assert "1 document was moved" in done.stderr
    assert not staging.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["2026-008_0001.docx", "2026-009_0002.docx"]
    assert os.stat(folder / "2026-009_0002.docx").st_mode & 0o077 == 0

    # the moved document is the toolkit's own: an erasure of its student deletes it
    from toolkit.system.outputs import OutputList

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))      # the children's configuration folder
    outputs = OutputList.load()
    record = outputs.own(folder / "2026-009_0002.docx")
    assert record is not None and record.kind == "certificate"
    assert record.holds_any(outputs.student_hashes(["0002"])) and not record.holds_any(outputs.student_hashes(["0001"]))


def test_an_unrecorded_run_that_cannot_be_deleted_is_not_called_deleted(register, tmp_path):
    """The folder cannot be removed (no rights, a file held open on Windows): rmtree with ignore_errors does
    nothing, as it does then, and the owner is told to delete it, never that it was deleted."""
    muskari(tmp_path, "certificates", register, "--apply", killed_at=KILLED_AT["before the register is written"])
    [staging] = staging_folders(register.parent / "todistukset")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    child = ("import shutil, sys; shutil.rmtree = lambda *a, **k: None\n"
             "from toolkit.cli.main import main; sys.exit(main(sys.argv[1:]))")
    done = run([sys.executable, "-c", child, "certificates", register, "--apply", "--as-of", AS_OF], timeout=120,
               env=env, cwd=ROOT)
    assert staging.exists()
    assert "poistettiin" not in done.stderr
    assert f"poista kansio {staging} itse" in done.stderr


def test_a_dry_run_leaves_an_interrupted_run_alone(register, tmp_path):
    muskari(tmp_path, "certificates", register, "--apply", killed_at=KILLED_AT["before the register is written"])
    folder = register.parent / "todistukset"
    before = staging_folders(folder)
    done = muskari(tmp_path, "certificates", register)
    assert done.returncode == 0, done.stderr
    assert staging_folders(folder) == before and len(before) == 1


def test_the_semester_run_finishes_an_interrupted_certificates_run_and_says_so(register, tmp_path):
    muskari(tmp_path, "certificates", register, "--apply", killed_at=KILLED_AT["after the register is written"])
    folder = register.parent / "todistukset"
    done = muskari(tmp_path, "semester", register, "--out", tmp_path / "lukukausi", "--apply")
    assert done.returncode == 0, done.stderr
    assert staging_folders(folder) == []
    assert sorted(p.name for p in folder.iterdir()) == ["2026-008_0001.docx", "2026-009_0002.docx"]
    lines = done.stdout.splitlines()
    notes = lines.index("Huomioita todistuksista:")
    assert any(line.strip("- ").startswith("Edellinen todistusajo keskeytyi sen jälkeen") for line in lines[notes:])
