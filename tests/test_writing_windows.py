"""Windows file semantics of the safe write, simulated (this machine is not Windows): while Excel's preview pane,
OneDrive or an antivirus program holds the register, replacing it fails with a sharing violation (winerror 32)
or access denied (winerror 5). The writer retries briefly, then says in Finnish which program probably holds
the file and what to do, and the register stays as it was."""

from __future__ import annotations

import errno
import os
from datetime import datetime

import pytest
from factories import class_of
from files import leftovers
from registers import build_register

from toolkit.model.errors import FileProblem
from toolkit.xlsx import replace as replacing
from toolkit.xlsx.fingerprint import fingerprint
from toolkit.xlsx.safe_write import RegisterChange, write_changes
from toolkit.xlsx.verify import read_values

NOW = datetime(2026, 11, 25, 14, 30, 12)


def windows_error(winerror: int) -> PermissionError:
    """The PermissionError Python raises on Windows for a file another program holds."""
    error = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                          "another process" if winerror == 32 else "Access is denied")
    error.winerror = winerror
    return error


@pytest.fixture
def held(monkeypatch):
    """os.replace fails ``times`` times with the given Windows error, then works; the pauses are recorded."""
    real, calls, pauses = os.replace, [], []

    def install(times: int, winerror: int = 32):
        def flaky(source, target):
            calls.append(target)
            if len(calls) <= times:
                raise windows_error(winerror)
            return real(source, target)

        monkeypatch.setattr(os, "replace", flaky)
        monkeypatch.setattr(replacing.time, "sleep", pauses.append)
        return calls, pauses

    return install


def _write(path):
    change = RegisterChange().update("Oppilaat", 2, "Huoltaja", "Uusi Huoltaja")
    return write_changes(path, change, expected=fingerprint(path), now=NOW)


@pytest.mark.parametrize("winerror", [32, 33, 5], ids=["sharing-violation", "lock-violation", "access-denied"])
def test_a_briefly_held_register_is_replaced_after_a_retry(tmp_path, held, winerror):
    path = build_register(tmp_path / "rekisteri.xlsx", class_of())
    calls, pauses = held(3, winerror)
    _write(path)
    assert len(calls) == 4 and len(pauses) == 3
    assert "Uusi Huoltaja" in read_values(path.read_bytes())["Oppilaat"][2]
    assert leftovers(tmp_path) == []


def test_a_register_held_for_long_is_refused_in_finnish_naming_the_programs(tmp_path, held):
    path = build_register(tmp_path / "rekisteri.xlsx", class_of())
    before = path.read_bytes()
    calls, pauses = held(10_000)
    with pytest.raises(FileProblem) as refused:
        _write(path)
    message = refused.value.message("fi")
    assert len(calls) == len(pauses) + 1 >= 4 and sum(pauses) <= 10       # briefly: a few seconds in all
    assert "Excel" in message and "esikatseluruu" in message.casefold() and "OneDrive" in message
    assert "ennallaan" in message and "aja komento uudelleen" in message
    assert "levytila" not in message.casefold()
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_a_register_in_a_onedrive_folder_names_onedrive_first(tmp_path, held):
    folder = tmp_path / "OneDrive - Annan Muskari" / "Rekisteri"
    folder.mkdir(parents=True)
    path = build_register(folder / "rekisteri.xlsx", class_of())
    held(10_000)
    with pytest.raises(FileProblem) as refused:
        _write(path)
    message = refused.value.message("fi")
    assert message.index("OneDrive") < message.index("Excel")


def test_on_linux_a_permission_error_is_not_retried_and_names_the_rights(tmp_path, monkeypatch):
    path = build_register(tmp_path / "rekisteri.xlsx", class_of())
    calls = []

    def denied(source, target):
        calls.append(target)
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", denied)
    with pytest.raises(FileProblem) as refused:
        _write(path)
    assert len(calls) == 1
    message = refused.value.message("fi")
    assert "oikeudet" in message and "levytila" not in message.casefold()


def test_a_full_disk_says_disk_space(tmp_path, monkeypatch):
    path = build_register(tmp_path / "rekisteri.xlsx", class_of())

    def full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(FileProblem) as refused:
        _write(path)
    assert "levytila" in refused.value.message("fi").casefold()
