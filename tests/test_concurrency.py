"""Many hands, one file: the register's lock (toolkit.xlsx.lock), exclusive backup names, and two writers at once.

Real processes hold and fight over the lock: a helper process (a real Python process, started with a timeout)
holds it, or two forked processes run the real `muskari import-forms --apply` at the same moment.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from factories import make_tables, student
from registers import build_register

from toolkit.cli.main import main
from toolkit.model.errors import RegisterLocked
from toolkit.xlsx import lock as locking
from toolkit.xlsx.backup_copies import list_backup_copies, write_backup_copy
from toolkit.xlsx.lock import lock_path, register_lock
from toolkit.xlsx.safe_write import RegisterChange, write_changes

TODAY = date(2026, 11, 25)
HEADER = ("\ufeffAikaleima;Oppilasnumero;Etunimi *;Sukunimi *;Syntymäaika *;Huoltaja;Sähköposti *;Puhelin;"
          "Jatkaa ensi lukukaudella? *\n")
NEW_ELLA = "21.11.2026 9.00.00;;Ella;Uusi;5.6.2021;Pekka Uusi;pekka@example.fi;+358 50 111 2222;kyllä\n"
NEW_OLLI = "21.11.2026 9.30.00;;Olli;Toinen;7.8.2020;Outi Toinen;outi@example.fi;040 222 3333;kyllä\n"
HOLDER = """
import sys, time
from toolkit.xlsx.lock import register_lock
with register_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


@pytest.fixture
def register(tmp_path):
    tables = make_tables(students=[student("0001"), student("0002", first="Eino", birth=date(2017, 4, 2))])
    return build_register(tmp_path / "rekisteri.xlsx", tables)


def _forms(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _holder(register: Path, seconds: float) -> subprocess.Popen:
    """A real second process that holds the register's lock for ``seconds``."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(register), str(seconds)], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def _finish(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)


def _first_names(register: Path) -> list[str]:
    from toolkit.jobs.check import load_checked

    _, result = load_checked(register, TODAY)
    return list(result.tables.students["first_name"])


# --- the lock itself --------------------------------------------------------------------------------------

def test_the_lock_is_a_private_file_beside_the_register_with_no_personal_data(register):
    lock = lock_path(register)
    assert lock.parent == register.parent and lock.name == ".rekisteri.xlsx.muskari-lock"
    with register_lock(register):
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
        data = json.loads(lock.read_text(encoding="ascii"))
        assert set(data) == {"pid", "host", "time", "token"} and data["pid"] == os.getpid()
        assert os.uname().nodename not in lock.read_text(encoding="ascii")   # the computer's name only hashed
    assert not lock.exists()


@pytest.mark.parametrize("error", [ValueError("bug"), KeyboardInterrupt()], ids=["exception", "ctrl-c"])
def test_the_lock_goes_away_on_an_exception_and_on_ctrl_c(register, error):
    with pytest.raises(type(error)), register_lock(register):
        raise error
    assert not lock_path(register).exists()


def test_the_lock_nests_within_one_process_and_the_safe_write_takes_it_too(register):
    with register_lock(register), register_lock(register):
        write_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "Uusi Huoltaja"), expected=None)
        assert lock_path(register).exists()
    assert not lock_path(register).exists()


def test_a_second_writer_waits_briefly_then_refuses_in_finnish(register):
    holder = _holder(register, 60)
    try:
        started = time.monotonic()
        with pytest.raises(RegisterLocked) as refused, register_lock(register, wait=0.3):
            pytest.fail("the lock was taken twice")
        assert time.monotonic() - started >= 0.3          # it did wait (a lower bound, not a speed check)
        message = refused.value.message("fi")
        assert message.startswith(f"Toinen muskari-komento käsittelee rekisteriä {register.name}")
        assert "odota" in message and "aja komento uudelleen" in message and str(holder.pid) in message
    finally:
        _finish(holder)


def test_a_second_writer_that_is_let_in_goes_on(register):
    holder = _holder(register, 0.5)
    try:
        with register_lock(register, wait=60):
            assert json.loads(lock_path(register).read_text())["pid"] == os.getpid()
    finally:
        _finish(holder)


def test_the_command_line_refuses_with_exit_3_and_changes_nothing(register, tmp_path, monkeypatch, capsys):
    forms = _forms(tmp_path / "lomakkeet.csv", NEW_ELLA)
    before = register.read_bytes()
    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.3)
    holder = _holder(register, 60)
    try:
        code = main(["import-forms", str(register), str(forms), "--apply", "--as-of", TODAY.isoformat()])
    finally:
        _finish(holder)
    err = capsys.readouterr().err
    assert code == 3 and "Toinen muskari-komento käsittelee rekisteriä" in err and "Traceback" not in err
    assert register.read_bytes() == before


def test_a_dry_run_takes_no_lock(register, tmp_path, capsys):
    forms = _forms(tmp_path / "lomakkeet.csv", NEW_ELLA)
    holder = _holder(register, 60)
    try:
        assert main(["import-forms", str(register), str(forms), "--as-of", TODAY.isoformat()]) == 0
    finally:
        _finish(holder)


# --- a dead writer's lock ---------------------------------------------------------------------------------

def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


def _write_lock(register: Path, *, pid: int, host: str | None = None, age: float = 0.0) -> Path:
    lock = lock_path(register)
    moment = datetime.now().astimezone().timestamp() - age
    lock.write_text(json.dumps({"pid": pid, "host": host or locking.this_host(),
                                "time": datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds"),
                                "token": "x"}), encoding="ascii")
    os.utime(lock, (moment, moment))
    return lock


@pytest.mark.parametrize("kind", ["dead-process", "reused-process-id", "old-lock-of-another-computer",
                                  "old-empty-lock"])
def test_a_stale_lock_is_recognised_and_taken_over(register, kind):
    young = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        if kind == "dead-process":
            lock = _write_lock(register, pid=_dead_pid())
        elif kind == "reused-process-id":      # the id now names a live process started after the lock
            lock = _write_lock(register, pid=young.pid, age=600)
        elif kind == "old-lock-of-another-computer":
            lock = _write_lock(register, pid=os.getpid(), host="toinen-kone", age=2 * locking.MAX_AGE_SECONDS)
        else:
            lock = lock_path(register)
            lock.write_bytes(b"")
            os.utime(lock, (time.time() - 60, time.time() - 60))
        with register_lock(register, wait=0):
            assert json.loads(lock.read_text())["pid"] == os.getpid()
        assert not lock.exists()
    finally:
        _finish(young)


def test_a_live_writers_old_lock_is_not_taken_over(register):
    """A long run on this computer: its process still runs and is the one that wrote the lock."""
    holder = _holder(register, 60)
    try:
        lock = lock_path(register)
        old = time.time() - 2 * locking.MAX_AGE_SECONDS
        os.utime(lock, (old, old))
        with pytest.raises(RegisterLocked), register_lock(register, wait=0.2):
            pass
    finally:
        _finish(holder)


@pytest.mark.parametrize("kind", ["fresh-lock-of-another-computer", "fresh-empty-lock"])
def test_a_live_lock_is_not_taken_over(register, kind):
    lock = lock_path(register)
    if kind == "fresh-lock-of-another-computer":
        _write_lock(register, pid=_dead_pid(), host="toinen-kone")
    else:
        lock.write_bytes(b"")
    with pytest.raises(RegisterLocked), register_lock(register, wait=0.2):
        pass
    assert lock.exists()


def test_the_lock_of_a_killed_writer_is_taken_over(register):
    holder = _holder(register, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_path(register).exists()
    with register_lock(register, wait=0):
        pass
    assert not lock_path(register).exists()


TAKER = """
import os, sys, time
from pathlib import Path
from toolkit.xlsx.lock import register_lock
register, go, inside = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
with register_lock(register, wait=60):
    try:
        os.close(os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        print("two holders at once", flush=True)
        raise SystemExit(1)
    time.sleep(0.05)
    inside.unlink()
print("ok", flush=True)
"""


@pytest.mark.slow
def test_processes_taking_one_stale_lock_at_once_hold_it_one_at_a_time(register, tmp_path):
    _write_lock(register, pid=_dead_pid())
    go, inside = tmp_path / "go", tmp_path / "inside"
    takers = [subprocess.Popen([sys.executable, "-c", TAKER, str(register), str(go), str(inside)],
                               stdout=subprocess.PIPE, text=True) for _ in range(6)]
    time.sleep(1.0)         # let them start (a head start only: any order is right)
    go.touch()
    outputs = [t.communicate(timeout=120)[0].strip() for t in takers]
    assert outputs == ["ok"] * 6 and [t.returncode for t in takers] == [0] * 6
    assert not lock_path(register).exists()


# --- backups named exclusively -----------------------------------------------------------------------------

def test_writers_at_the_same_second_never_share_a_backup_name(tmp_path):
    register = tmp_path / "rekisteri.xlsx"
    now = datetime(2026, 11, 25, 14, 30, 12)
    made: list[Path] = []
    datas = [f"versio {n}".encode() * 1000 for n in range(8)]
    barrier = threading.Barrier(len(datas))

    def keep(data: bytes) -> None:
        barrier.wait(timeout=30)
        made.append(write_backup_copy(register, data, now))

    threads = [threading.Thread(target=keep, args=(d,)) for d in datas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(set(made)) == len(datas)
    assert sorted(p.read_bytes() for p in made) == sorted(datas)
    assert [p.name for p, _ in list_backup_copies(register)] == \
        ["rekisteri-20261125-143012.xlsx", *(f"rekisteri-20261125-143012-{n}.xlsx" for n in range(2, 9))]
    assert not [p for p in (tmp_path / "varmuuskopiot").iterdir() if "muskari-tmp" in p.name]


# --- two real writers at once ------------------------------------------------------------------------------

def _writer(register: str, forms: str, start, err_path: str) -> None:   # pragma: no cover - runs in a child
    sys.stdout = open(os.devnull, "w")          # noqa: SIM115 - the child's output is not looked at
    sys.stderr = open(err_path, "w")            # noqa: SIM115
    start.wait(30)
    code = main(["import-forms", register, forms, "--apply", "--as-of", TODAY.isoformat()])
    sys.stderr.flush()
    os._exit(code)


@pytest.mark.slow
def test_two_writers_at_once_never_lose_an_update(tmp_path):
    """Two processes run `muskari import-forms --apply` at the same moment, each adding its own new student:
    either both students are in the register, or the one that refused said so (exit 3) and changed nothing.
    Never both exit 0 with one student lost, never one backup name for two versions."""
    context = multiprocessing.get_context("fork")
    base = tmp_path / "pohja.xlsx"
    build_register(base, make_tables(students=[student("0001"), student("0002", first="Eino")]))
    forms = {"Ella": _forms(tmp_path / "a.csv", NEW_ELLA), "Olli": _forms(tmp_path / "b.csv", NEW_OLLI)}
    outcomes = []
    for round_ in range(30):
        folder = tmp_path / f"kierros{round_}"
        folder.mkdir()
        register = folder / "rekisteri.xlsx"
        register.write_bytes(base.read_bytes())
        start = context.Event()
        children = {name: context.Process(target=_writer, args=(str(register), str(path), start,
                                                                 str(folder / f"{name}.err")))
                    for name, path in forms.items()}
        for child in children.values():
            child.start()
        start.set()
        for child in children.values():
            child.join(timeout=120)
            assert child.exitcode is not None, "a writer hung"
        codes = {name: child.exitcode for name, child in children.items()}
        names = _first_names(register)
        for name, code in codes.items():
            err = (folder / f"{name}.err").read_text(encoding="utf-8")
            assert code in (0, 3), (round_, codes, err)
            assert (name in names) == (code == 0), (round_, codes, names, err)
        assert len(list_backup_copies(register)) == list(codes.values()).count(0)
        assert not lock_path(register).exists()
        outcomes.append(tuple(sorted(codes.values())))
    assert outcomes.count((0, 0)) >= 1      # the lock made the second writer wait, not fail


@pytest.mark.parametrize("command", ["certificates", "purge", "semester", "restore"])
def test_every_writer_refuses_while_another_holds_the_register(register, tmp_path, monkeypatch, capsys, command):
    from toolkit.jobs import backup

    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.3)
    if command == "restore":
        monkeypatch.setenv(backup.PASSWORD_ENV, "kissa-istuu-puussa-42")
        made = backup.create_backup(register, tmp_path / "tikku", "kissa-istuu-puussa-42", datetime(2026, 11, 1))
        argv = ["restore", str(made.path), "--to", str(register), "--force"]
    else:
        argv = [command, str(register), "--apply", "--as-of", TODAY.isoformat()]
        if command == "semester":
            argv += ["--out", str(tmp_path / "lukukausi")]
    before = register.read_bytes()
    holder = _holder(register, 60)
    try:
        code = main(argv)
    finally:
        _finish(holder)
    err = capsys.readouterr().err
    assert code == 3 and "Toinen muskari-komento käsittelee rekisteriä" in err, err
    assert register.read_bytes() == before


def test_on_windows_a_process_is_asked_about_never_signalled(monkeypatch):
    """os.kill(pid, 0) on Windows would end the process: the lock asks Windows instead (simulated here)."""
    from toolkit.system import processes

    asked = []
    monkeypatch.setattr(processes.sys, "platform", "win32")
    monkeypatch.setattr(processes, "_windows_process_state", lambda pid: (asked.append(pid), (False, None))[1])
    monkeypatch.setattr(processes.os, "kill", lambda *a: pytest.fail("os.kill called on Windows"))
    assert processes.process_alive(4242) is False and asked == [4242]
