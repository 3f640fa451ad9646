"""What the toolkit chooses on Windows and macOS, simulated on this machine: the configuration folder (where the
key and the erased-ids list live) and the places LibreOffice installs itself.

The system is simulated the way the code reads it: ``sys.platform`` (read at each call), the environment
(HOME, LOCALAPPDATA, ProgramFiles, PATH) and, for Windows, platformdirs' way to ask for the folder (the Windows
API is not here, so it reads the environment variable as it does where the API is missing).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from toolkit.model.errors import Refused
from toolkit.system import config, programs, secrets


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return home


@pytest.fixture
def windows(home, tmp_path, monkeypatch):
    import platformdirs.windows

    local = tmp_path / "Users" / "Aino" / "AppData" / "Local"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(tmp_path / "Users" / "Aino" / "AppData" / "Roaming"))
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars)
    return local


@pytest.fixture
def macos(home, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    return home


# --- the configuration folder -----------------------------------------------------------------------

def test_linux_uses_xdg_config_home_and_else_dot_config(home, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert config.config_dir() == home / ".config" / "muskari"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config.config_dir() == tmp_path / "xdg" / "muskari"
    monkeypatch.setenv("XDG_CONFIG_HOME", "suhteellinen/polku")     # relative: ignored, as the XDG rule says
    assert config.config_dir() == home / ".config" / "muskari"


def test_windows_uses_the_local_application_data_folder(windows):
    assert config.config_dir() == windows / "muskari"


def test_macos_uses_application_support(macos):
    assert config.config_dir() == macos / "Library" / "Application Support" / "muskari"


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_an_absolute_xdg_config_home_wins_on_every_system(system, request, tmp_path, monkeypatch):
    request.getfixturevalue(system)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config.config_dir() == tmp_path / "xdg" / "muskari"


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_the_key_and_the_erased_list_are_written_into_the_systems_folder(system, request):
    folder = request.getfixturevalue(system)
    expected = (folder / "muskari") if system == "windows" else folder / "Library" / "Application Support" / "muskari"
    key = secrets.load_key()
    secrets.record_erasures([secrets.ErasureRecord("a" * 64, "deletion-requested", "full",
                                                   __import__("datetime").datetime(2026, 6, 1))])
    assert (expected / "avain").read_text().strip() == key.hex()
    assert len(secrets.read_erasures()) == 1 and (expected / "poistetut.jsonl").is_file()


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_an_old_key_in_dot_config_moves_with_the_erased_list_and_is_never_replaced(system, request, home):
    folder = request.getfixturevalue(system)
    old = home / ".config" / "muskari"
    old.mkdir(parents=True)
    (old / "avain").write_text("ab" * 32 + "\n")
    (old / "poistetut.jsonl").write_text('{"hash": "x", "rule": "deletion-requested", "scope": "full", '
                                         '"time": "2026-06-01T12:00:00"}\n')
    assert secrets.load_key() == bytes.fromhex("ab" * 32)
    new = config.config_dir()
    assert new != old and str(new).startswith(str(folder))
    assert (new / "avain").is_file() and not (old / "avain").exists()
    assert [r.hash for r in secrets.read_erasures()] == ["x"]


def test_a_key_already_in_the_new_folder_is_kept_and_the_old_one_left_alone(macos, home):
    new = config.config_dir()
    new.mkdir(parents=True)
    (new / "avain").write_text("cd" * 32 + "\n")
    old = home / ".config" / "muskari"
    old.mkdir(parents=True)
    (old / "avain").write_text("ab" * 32 + "\n")
    assert secrets.load_key() == bytes.fromhex("cd" * 32)
    assert (old / "avain").read_text() == "ab" * 32 + "\n"


def test_an_unwritable_configuration_folder_is_one_finnish_sentence(home, tmp_path, monkeypatch):
    blocker = tmp_path / "tiedosto"
    blocker.write_text("ei kansio")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    from toolkit.model.errors import FileProblem

    with pytest.raises(FileProblem) as error:
        secrets.load_key()
    assert "asetuskansioon" in error.value.message("fi") and str(blocker / "muskari") in error.value.message("fi")


def test_the_folder_and_its_files_are_private_where_the_system_has_modes(home):
    secrets.load_key()
    folder = config.config_dir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "avain").stat().st_mode) == 0o600


# --- LibreOffice where it installs ------------------------------------------------------------------

def fake_program(path: Path) -> Path:
    """An executable file at ``path`` (what the lookup checks: it is there and may be run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def empty_path(tmp_path, monkeypatch):
    """PATH holds one empty folder: soffice is not on it; no MUSKARI_SOFFICE."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv("MUSKARI_SOFFICE", raising=False)
    monkeypatch.setattr(programs, "LINUX_PLACES", [])
    monkeypatch.setattr(programs, "LINUX_OPT", tmp_path / "opt")
    monkeypatch.setattr(programs, "MAC_APPLICATIONS", [tmp_path / "Applications"])
    return folder


@pytest.fixture
def program_files(windows, tmp_path, monkeypatch):
    roots = {"ProgramFiles": tmp_path / "Program Files", "ProgramW6432": tmp_path / "Program Files",
             "ProgramFiles(x86)": tmp_path / "Program Files (x86)"}
    for variable, root in roots.items():
        monkeypatch.setenv(variable, str(root))
    return roots


@pytest.mark.parametrize("root", ["ProgramFiles", "ProgramFiles(x86)"])
def test_windows_finds_libreoffice_in_program_files(empty_path, program_files, root):
    soffice = fake_program(program_files[root] / "LibreOffice" / "program" / "soffice.exe")
    assert programs.find_soffice() == soffice


def test_windows_without_the_variables_looks_in_c_program_files(empty_path, windows, monkeypatch):
    for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(variable, raising=False)
    assert [str(p) for p in programs.soffice_places()] == [
        str(Path(r"C:\Program Files") / "LibreOffice" / "program" / "soffice.exe"),
        str(Path(r"C:\Program Files (x86)") / "LibreOffice" / "program" / "soffice.exe")]


def test_macos_finds_libreoffice_in_applications(empty_path, macos, tmp_path):
    soffice = fake_program(tmp_path / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    assert programs.find_soffice() == soffice


def test_macos_finds_libreoffice_in_the_users_own_applications(empty_path, macos):
    soffice = fake_program(macos / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    assert programs.find_soffice() == soffice


def test_linux_finds_libreoffice_under_opt(empty_path, home, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    fake_program(tmp_path / "opt" / "libreoffice7.6" / "program" / "soffice")
    newest = fake_program(tmp_path / "opt" / "libreoffice24.8" / "program" / "soffice")
    assert programs.find_soffice() == newest


@pytest.mark.parametrize("system", ["windows", "macos", "linux"])
def test_path_comes_before_the_install_places(system, request, empty_path, tmp_path, monkeypatch):
    if system == "linux":
        monkeypatch.setattr(sys, "platform", "linux")
    else:
        request.getfixturevalue(system)
    name = "soffice"
    if system == "windows":     # PATHEXT names the endings; Windows matches soffice.exe whatever its case
        monkeypatch.setenv("PATHEXT", ".EXE")
        name = "soffice.EXE"
    on_path = fake_program(empty_path / name)
    fake_program(tmp_path / "Applications" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    assert programs.find_soffice() == on_path


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_the_environment_variable_names_the_program_or_its_folder(system, request, empty_path, tmp_path,
                                                                  monkeypatch):
    request.getfixturevalue(system)
    exe = fake_program(tmp_path / "D" / "LibreOffice" / "program" / "soffice.exe")
    monkeypatch.setenv("MUSKARI_SOFFICE", str(exe))
    assert programs.find_soffice() == exe
    monkeypatch.setenv("MUSKARI_SOFFICE", f'"{tmp_path / "D" / "LibreOffice"}"')    # quoted, as Explorer copies it
    assert programs.find_soffice() == exe
    app = fake_program(tmp_path / "Apps" / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    monkeypatch.setenv("MUSKARI_SOFFICE", str(tmp_path / "Apps" / "LibreOffice.app"))
    assert programs.find_soffice() == app


def test_a_wrong_environment_variable_is_said_not_silently_passed_over(empty_path, tmp_path, monkeypatch):
    fake_program(empty_path / "soffice")
    monkeypatch.setenv("MUSKARI_SOFFICE", str(tmp_path / "ei-ole" / "soffice.exe"))
    with pytest.raises(Refused) as error:
        programs.find_soffice()
    message = error.value.message("fi")
    assert "MUSKARI_SOFFICE" in message and str(tmp_path / "ei-ole" / "soffice.exe") in message


@pytest.mark.parametrize(("system", "install"), [("windows", "Windowsin asennusohjelma"),
                                                  ("macos", "Ohjelmat-kansioon"),
                                                  ("linux", "apt-get install libreoffice-writer-nogui")])
def test_not_found_says_where_it_looked_and_what_to_install(system, install, request, empty_path, monkeypatch):
    if system == "linux":
        monkeypatch.setattr(sys, "platform", "linux")
    else:
        request.getfixturevalue(system)
    with pytest.raises(Refused) as error:
        programs.find_soffice()
    fi, en = error.value.message("fi"), error.value.message("en")
    assert error.value.exit_code == 3
    assert "PATH" in fi and "MUSKARI_SOFFICE" in fi and install in fi
    for place in programs.soffice_places():
        assert str(place) in fi and str(place) in en
    assert "https://www.libreoffice.org/download/" in fi or system == "linux"


def test_certificates_pdf_without_libreoffice_is_exit_3_with_the_places(empty_path, tmp_path, capsys):
    from factories import make_tables, student, study
    from registers import build_register

    from toolkit.cli.main import main

    register = build_register(tmp_path / "rekisteri.xlsx",
                              make_tables(students=[student()], studies=[study(hours=60)]),
                              settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Opettaja"})
    code = main(["certificates", str(register), "--pdf", "--apply", "--as-of", "2026-11-25"])
    err = capsys.readouterr().err
    assert code == 3 and "LibreOffice" in err and "MUSKARI_SOFFICE" in err
    assert not (tmp_path / "todistukset").exists() or not any((tmp_path / "todistukset").glob("*.docx"))


@pytest.mark.libreoffice
def test_the_environment_variable_runs_the_real_libreoffice_for_certificates(soffice, tmp_path, monkeypatch,
                                                                            capsys):
    """MUSKARI_SOFFICE names a program in an unusual place (a wrapper that notes it ran, then runs the real
    LibreOffice): --pdf converts with that one."""
    from factories import make_tables, student, study
    from registers import build_register

    from toolkit.cli.main import main

    marker = tmp_path / "ajettu"
    wrapper = tmp_path / "Omat ohjelmat" / "LibreOffice" / "program" / "soffice"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(f'#!/bin/sh\ntouch "{marker}"\nexec "{soffice}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("MUSKARI_SOFFICE", str(wrapper.parent.parent))
    register = build_register(tmp_path / "rekisteri.xlsx",
                              make_tables(students=[student()], studies=[study(hours=60)]),
                              settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Opettaja"})
    code = main(["certificates", str(register), "--pdf", "--apply", "--as-of", "2026-11-25"])
    assert code == 0, capsys.readouterr().err
    assert marker.exists() and list((tmp_path / "todistukset").glob("*.pdf"))


# --- the erasure proof reads PDFs itself ------------------------------------------------------------

@pytest.mark.libreoffice
def test_purge_apply_reads_certificate_pdfs_without_poppler(soffice, tmp_path, monkeypatch, capsys):
    """Certificates made with --pdf (LibreOffice), then a deletion request: `purge --apply` runs with a PATH that
    has no poppler (pdftotext), deletes the person's PDFs and proves the rest clean by reading them itself."""
    import subprocess

    from factories import make_tables, student, study
    from openpyxl import load_workbook
    from registers import build_register

    from toolkit.cli.main import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    register = build_register(tmp_path / "rekisteri.xlsx",
                              make_tables(students=[student("0001", first="Aino", last="Poistettava"),
                                                    student("0002", first="Eino", last="Jatkaja",
                                                            email="toinen@example.fi")],
                                          studies=[study("0001", hours=60), study("0002", hours=60)]),
                              settings={"Paikkakunta": "Espoo", "Allekirjoittaja": "Anna Opettaja"})
    assert main(["certificates", str(register), "--pdf", "--apply", "--as-of", "2026-11-25"]) == 0, \
        capsys.readouterr().err
    folder = tmp_path / "todistukset"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert any("_0001" in name for name in pdfs) and any("_0002" in name for name in pdfs)

    workbook = load_workbook(register)
    sheet = workbook["Oppilaat"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("Oppilasnumero")].value == "0001":
            row[headers.index("Poistopyyntö")].value = __import__("datetime").date(2026, 11, 1)
            row[headers.index("Poistopyyntö")].number_format = "d.m.yyyy"
    workbook.save(register)

    no_poppler = tmp_path / "polku"
    no_poppler.mkdir()
    env = {**os.environ, "PATH": str(no_poppler), "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
           "PYTHONIOENCODING": "utf-8"}
    assert shutil.which("pdftotext", path=env["PATH"]) is None
    done = subprocess.run([sys.executable, "-m", "toolkit", "purge", str(register), "--apply", "--as-of", "2026-11-25",
                           "--format", "json"], env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    actions = __import__("json").loads(done.stdout)["actions"]
    assert [(a["student_id"], a["action"]) for a in actions] == [("0001", "erase")]
    assert "pdftotext" not in done.stderr and "poppler" not in done.stderr
    left = sorted(p.name for p in folder.glob("*.pdf"))
    assert not any("_0001" in name for name in left) and any("_0002" in name for name in left)


# --- muskari backup says where the configuration folder is -------------------------------------------

def backup_register(tmp_path, monkeypatch):
    from factories import make_tables, student
    from registers import build_register

    monkeypatch.setenv("MUSKARI_BACKUP_PASSWORD", "salasana-123")
    (tmp_path / "koulu").mkdir()       # the memory stick (tmp_path / "tikku") is not inside the register's folder
    return build_register(tmp_path / "koulu" / "rekisteri.xlsx", make_tables(students=[student()]))


@pytest.mark.parametrize("system", ["windows", "macos"])
def test_backup_names_the_configuration_folder_and_why_it_belongs_with_the_backups(system, request, tmp_path,
                                                                                   monkeypatch, capsys):
    from toolkit.cli.main import main

    request.getfixturevalue(system)
    register = backup_register(tmp_path, monkeypatch)
    secrets.load_key()                                   # an erasure was made on this computer once
    folder = config.config_dir()
    assert main(["backup", str(register), "--to", str(tmp_path / "tikku")]) == 0
    err = capsys.readouterr().err
    assert str(folder) in err and "avain ja poistettujen lista" in err and "varmuuskopioiden rinnalle" in err
    assert ("AppData" if system == "windows" else "Application Support") in str(folder)
    assert main(["backup", str(register), "--to", str(tmp_path / "tikku2"), "--format", "json"]) == 0
    assert __import__("json").loads(capsys.readouterr().out)["config_folder"] == str(folder)


def test_backup_says_when_the_configuration_folder_does_not_exist_yet(home, tmp_path, monkeypatch, capsys):
    from toolkit.cli.main import main

    register = backup_register(tmp_path, monkeypatch)
    assert main(["backup", str(register), "--to", str(tmp_path / "tikku"), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert str(home / ".config" / "muskari") in err and "does not exist yet" in err
