"""Output never crashes on a letter: every command, run as the owner's console would run it.

Windows writes a redirect (`> raportti.txt`) or a Task Scheduler log in its code page (cp1252), an old or
misconfigured terminal may be ASCII. Simulated with PYTHONIOENCODING (what Python would pick there): every
command runs on a register, forms and folder names holding Finnish letters and names outside cp1252
("Zoë Ŝarkić", "Ülle Őrsi"), through a pipe with cp1252 and with ascii, and with output to a file, and must
give the exit code of the UTF-8 run, with no traceback. Output that is not a terminal is UTF-8 whatever the
code page; a terminal (a pseudo-terminal here) shows "?" for a letter its encoding lacks.
"""

from __future__ import annotations

import io
import os
import select
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from factories import make_tables, student, study
from registers import build_register

from toolkit.cli.console import configure_streams

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"
PASSWORD = "salasana-Ŝ-123"
NAME = "Zoë Ŝarkić"
TEACHER = "Ülle Őrsi"
FORMS = ("Etunimi;Sukunimi;Syntymäaika;Huoltaja;Sähköposti;Jatkaa ensi lukukaudella\n"
         "Zoë;Ŝarkić;1.3.2019;Łucja Ŝarkić;zoe.uusi@example.fi;kyllä\n"
         "Ğül;Ŝahin;4.5.2021;Ōta Ŝahin;gul@example.fi;kyllä\n")


def build_folder(folder: Path) -> dict[str, Path]:
    """The owner's folder: a register (an earned certificate, a deletion request, a family to ask), a register
    with an error, a forms export, and an encrypted backup to restore."""
    folder.mkdir(parents=True)
    tables = make_tables(
        students=[student("0001", first="Zoë", last="Ŝarkić", guardian="Łucja Ŝarkić", email="zoe@example.fi",
                          teacher=TEACHER),
                  student("0002", first="Väinö", last="Äijälä", guardian="Ŝimon Äijälä", email="vaino@example.fi",
                          teacher=TEACHER, deletion_requested=date(2026, 11, 1)),
                  student("0003", first="Åsa", last="Ňovák", birth=date(2017, 1, 5), status="päättynyt",
                          teacher=TEACHER, email="asa@example.fi", continues="ei")],
        studies=[study("0001", hours=60, teacher=TEACHER), study("0002", hours=30, teacher=TEACHER),
                 study("0003", hours=20, completed=date(2022, 5, 31), teacher=TEACHER)],
        teachers=[{"name": TEACHER, "email": "ulle@example.fi"}])
    register = build_register(folder / "rekisteri Ŝ.xlsx", tables,
                              settings={"Paikkakunta": "Jyväskylä", "Allekirjoittaja": "Anna Ŝäde"})
    broken = build_register(folder / "virheellinen.xlsx",
                            make_tables(students=[student("0001", first="Zoë", last="Ŝarkić", email="Ŝ@@")]))
    forms = folder / "lomakkeet Ŝ.csv"
    forms.write_text(FORMS, encoding="utf-8")
    return {"register": register, "broken": broken, "forms": forms}


COMMANDS = {
    "init": lambda f: ["init", f / "uusi Ŝ.xlsx"],
    "demo": lambda f: ["demo", f / "esimerkki Ŝ"],
    "check": lambda f: ["check", f / "rekisteri Ŝ.xlsx"],
    "check-errors": lambda f: ["check", f / "virheellinen.xlsx"],
    "eligibility": lambda f: ["eligibility", f / "rekisteri Ŝ.xlsx"],
    "certificates": lambda f: ["certificates", f / "rekisteri Ŝ.xlsx", "--apply"],
    "purge": lambda f: ["purge", f / "rekisteri Ŝ.xlsx", "--apply"],
    "import-forms": lambda f: ["import-forms", f / "rekisteri Ŝ.xlsx", f / "lomakkeet Ŝ.csv", "--apply"],
    "teacher-lists": lambda f: ["teacher-lists", f / "rekisteri Ŝ.xlsx", "--out", f / "listat Ŝ"],
    "emails": lambda f: ["emails", f / "rekisteri Ŝ.xlsx", "--purpose", "all"],
    "access-request": lambda f: ["access-request", f / "rekisteri Ŝ.xlsx", "--student", "0001",
                                 "--out", f / "vastaus Ŝ.docx"],
    "backup": lambda f: ["backup", f / "rekisteri Ŝ.xlsx", "--to", f / "tikku Ŝ"],
    "restore": lambda f: ["restore", next((f / "varmuus Ŝ").glob("*.zip")), "--to", f / "palautettu Ŝ"],
    "semester": lambda f: ["semester", f / "rekisteri Ŝ.xlsx", "--out", f / "lukukausi Ŝ",
                           "--forms", f / "lomakkeet Ŝ.csv", "--apply"],
}
ALL_THIRTEEN = {"init", "demo", "check", "eligibility", "certificates", "purge", "import-forms", "teacher-lists",
                "emails", "access-request", "backup", "restore", "semester"}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("omistaja") / "Zoë Ŝ kansio"
    build_folder(folder)
    return folder


@pytest.fixture(scope="module")
def with_backup(original) -> Path:
    """The folder with an encrypted backup in it, for `restore`."""
    folder = original
    env = environment(folder, "utf-8")
    done = subprocess.run([sys.executable, "-m", "toolkit", "backup", str(folder / "rekisteri Ŝ.xlsx"), "--to",
                           str(folder / "varmuus Ŝ"), "--as-of", AS_OF], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return folder


def environment(folder: Path, encoding: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING", "PYTHONUTF8", "LC_", "LANG"))}
    env.update(PYTHONIOENCODING=encoding, XDG_CONFIG_HOME=str(folder / ".config"), MUSKARI_BACKUP_PASSWORD=PASSWORD,
               PYTHONPATH=str(ROOT), LANG="C")
    return env


def copy_of(original: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name / original.name
    shutil.copytree(original, folder)
    return folder


def run(argv, folder: Path, encoding: str, *, to_file: bool = False) -> tuple[int, bytes, bytes]:
    command = [sys.executable, "-m", "toolkit", *map(str, argv), "--as-of", AS_OF]
    env = environment(folder, encoding)
    if not to_file:
        done = subprocess.run(command, env=env, capture_output=True, timeout=180, cwd=folder)
        return done.returncode, done.stdout, done.stderr
    out_path, err_path = folder.parent / "raportti.txt", folder.parent / "virheet.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        code = subprocess.run(command, env=env, stdout=out, stderr=err, timeout=180, cwd=folder).returncode
    return code, out_path.read_bytes(), err_path.read_bytes()


def test_every_command_is_in_the_matrix():
    from toolkit.model.commands import COMMANDS as ALL

    assert set(ALL) == ALL_THIRTEEN and ALL_THIRTEEN <= {c.split("-errors")[0] for c in COMMANDS}


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_on_every_console_gives_the_same_exit_code(command, with_backup, tmp_path):
    original = with_backup
    reference = copy_of(original, tmp_path, "utf8")
    code, out, err = run(COMMANDS[command](reference), reference, "utf-8")
    assert b"Traceback" not in err, err.decode("utf-8")
    assert code in (0, 1), err.decode("utf-8")          # the data set is valid for every command but check-errors
    assert (code == 1) == (command == "check-errors")
    shown_name = NAME.encode("utf-8") in out + err
    for variant in ("cp1252", "ascii", "file"):
        folder = copy_of(original, tmp_path, variant)
        got, got_out, got_err = run(COMMANDS[command](folder), folder, "cp1252" if variant == "file" else variant,
                                    to_file=variant == "file")
        text_err = got_err.decode("utf-8")              # not a terminal: UTF-8 whatever the code page (strict)
        text_out = got_out.decode("utf-8")
        assert "Traceback" not in text_err and "UnicodeEncodeError" not in text_err, (variant, text_err)
        assert got == code, (variant, text_err)
        if shown_name:                                 # the name comes out whole, not as "?" or "\u015c"
            assert NAME in text_out + text_err, variant


def run_in_terminal(argv, folder: Path, encoding: str) -> tuple[int, str]:
    """The command in a pseudo-terminal whose encoding is ``encoding``: (exit code, what the terminal got)."""
    import pty

    controller, terminal = pty.openpty()
    command = [sys.executable, "-m", "toolkit", *map(str, argv), "--as-of", AS_OF]
    process = subprocess.Popen(command, env=environment(folder, encoding), stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=terminal, cwd=folder)
    os.close(terminal)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], 120)
            if not ready:
                process.kill()
                raise AssertionError("the command did not finish in 120 s")
            try:
                chunk = os.read(controller, 65536)
            except OSError:                             # the terminal closed: the command ended
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
    return process.wait(timeout=60), b"".join(chunks).decode("ascii" if encoding == "ascii" else encoding, "strict")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_an_ascii_terminal_shows_question_marks_not_a_traceback(original, tmp_path):
    folder = copy_of(original, tmp_path, "terminal")
    code, shown = run_in_terminal(["eligibility", folder / "rekisteri Ŝ.xlsx"], folder, "ascii")
    assert code == 0 and "Traceback" not in shown
    assert "Zo? ?arki?" in shown                      # every letter the terminal lacks is a "?"


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_cp1252_terminal_keeps_its_own_letters(original, tmp_path):
    folder = copy_of(original, tmp_path, "terminal1252")
    code, shown = run_in_terminal(["check", folder / "virheellinen.xlsx"], folder, "cp1252")
    assert code == 1 and "Traceback" not in shown
    assert "Zoë ?arki?" in shown or "Sähköposti" in shown
    assert "?" in shown


def test_a_redirect_on_a_cp1252_system_is_utf8(original, tmp_path):
    folder = copy_of(original, tmp_path, "redirect")
    code, out, err = run(["eligibility", folder / "rekisteri Ŝ.xlsx"], folder, "cp1252", to_file=True)
    assert code == 0 and b"Traceback" not in err
    assert NAME in out.decode("utf-8")


def test_streams_are_reconfigured_in_place():
    """configure_streams on text streams like the process's own: UTF-8 when not a terminal, replace errors."""
    saved = sys.stdout, sys.stderr
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    err = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    try:
        sys.stdout, sys.stderr = out, err
        configure_streams()
        print(NAME)
        print(TEACHER, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdout, sys.stderr = saved
    assert out.buffer.getvalue().decode("utf-8") == NAME + "\n"
    assert err.buffer.getvalue().decode("utf-8") == TEACHER + "\n"


def test_a_bug_keeps_its_traceback_but_never_exits_1(tmp_path, monkeypatch, capsys):
    """Exit 1 says only "the register has errors": the program's last guard turns a bug into exit 3."""
    import toolkit.jobs.demo as demo_job
    from toolkit.cli.main import entry

    monkeypatch.setattr(demo_job, "write_demo", lambda *args: 1 / 0)
    monkeypatch.setattr(sys, "argv", ["muskari", "demo", str(tmp_path / "d")])
    assert entry() == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError" in err and "odottamaton ohjelmavirhe" in err
