"""The write path through a command (import-forms --apply on the demo register): refusals are exit 3
with one clear line in Finnish (English with --lang en), and the register is untouched."""

from __future__ import annotations

import shutil

import pytest

from toolkit.cli.main import main
from toolkit.xlsx.backup_copies import list_backup_copies
from toolkit.xlsx.verify import read_values

AS_OF = "2026-11-25"


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", str(folder), "--as-of", AS_OF]) == 0
    return folder


@pytest.fixture
def demo(demo_folder, tmp_path, capsys):
    for name in ("rekisteri.xlsx", "ilmoittautumiset.csv"):
        shutil.copyfile(demo_folder / name, tmp_path / name)
    capsys.readouterr()
    return tmp_path / "rekisteri.xlsx", tmp_path / "ilmoittautumiset.csv"


def run(register, forms, *extra):
    return main(["import-forms", str(register), str(forms), "--apply", "--as-of", AS_OF, *extra])


@pytest.mark.parametrize("lock, lang, words", [
    ("~$rekisteri.xlsx", "fi", ["on auki ohjelmassa Excel", "Sulje tiedosto"]),
    (".~lock.rekisteri.xlsx#", "fi", ["on auki ohjelmassa LibreOffice"]),
    ("~$rekisteri.xlsx", "en", ["is open in Excel", "Close it"]),
], ids=["excel", "libreoffice", "english"])
def test_open_register_exit_3(demo, capsys, lock, lang, words):
    register, forms = demo
    (register.parent / lock).write_text("")
    before = register.read_bytes()
    assert run(register, forms, "--lang", lang) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and all(w in err[0] for w in words)
    assert register.read_bytes() == before and list_backup_copies(register) == []


def test_register_saved_by_the_owner_meanwhile_exit_3(demo, capsys, monkeypatch):
    from toolkit.xlsx import apply as applying

    register, forms = demo
    real = applying.apply_change

    def owner_saves_meanwhile(package, change, now):
        register.write_bytes(register.read_bytes())   # the owner presses save: a new mtime
        return real(package, change, now)

    monkeypatch.setattr(applying, "apply_change", owner_saves_meanwhile)
    before = register.read_bytes()
    assert run(register, forms) == 3
    assert "on muuttunut sen jälkeen, kun se luettiin" in capsys.readouterr().err
    assert register.read_bytes() == before and list_backup_copies(register) == []


def test_apply_writes_backup_and_loki(demo, capsys):
    register, forms = demo
    before = register.read_bytes()
    assert run(register, forms) == 0
    [(backup, _when)] = list_backup_copies(register)
    assert backup.read_bytes() == before
    log = read_values(register)["Loki"]
    assert log[max(log)][1] == "import-forms"
