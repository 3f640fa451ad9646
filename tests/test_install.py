"""The owner's install: the wheel `make wheel` builds, installed into a fresh environment outside the source tree
(as pipx or `uv tool` would), runs the demo, certificates and the semester from another folder, with the
environment's `share/` folder removed (every data file is package data, read with importlib.resources).

pip installs the wheel's dependencies from the package index, so a dependency missing from pyproject.toml
fails here (the development environment happens to hold many more packages). Measured on the development
machine: building the wheel about 8 s, installing it with its dependencies about 60 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import children
import pytest

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"
# the development environment, generated files and caches; at the top of the tree only, but caches anywhere
TOP = {".venv", ".git", "build", "dist", "demo", "muskari.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis"}


def skip(folder: str, names: list[str]) -> set[str]:
    here = Path(folder).resolve()
    return {n for n in names if (here == ROOT and n in TOP) or (here == ROOT / "benchmarks" and n == "data")
            or n == "__pycache__" or n.endswith(".pyc")}


def build_wheel(folder: Path) -> Path:
    """The wheel of a copy of the source tree (the tree itself is left untouched), as `make wheel` builds it."""
    source = folder / "lähde"
    shutil.copytree(ROOT, source, ignore=skip)
    done = children.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder / "dist"),
                         str(source)], timeout=600)          # pip runs the build backend in a process of its own
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = (folder / "dist").glob("muskari-*.whl")
    return wheel


def scripts(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment outside the tree with the wheel installed and its share/ folder removed."""
    folder = tmp_path_factory.mktemp("asennus")
    wheel = build_wheel(folder)
    venv = folder / "muskari-env"
    children.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = scripts(venv) / "python"
    done = children.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    shutil.rmtree(venv / "share", ignore_errors=True)
    assert not (venv / "share").exists()
    return {"wheel": wheel, "venv": venv, "python": python, "muskari": scripts(venv) / "muskari", "folder": folder}


def environment(folder: Path, venv: Path) -> dict[str, str]:
    """Nothing of the source tree or the development environment: no PYTHONPATH, the venv first on PATH, the
    toolkit's configuration folder of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=os.pathsep.join([str(scripts(venv)), env.get("PATH", "")]), XDG_CONFIG_HOME=str(folder / "config"),
               HOME=str(folder / "koti"), PYTHONIOENCODING="utf-8")
    (folder / "koti").mkdir(exist_ok=True)
    return env


def run(installed, cwd: Path, *argv) -> subprocess.CompletedProcess:
    return children.run([str(installed["muskari"]), *argv, "--as-of", AS_OF], cwd=cwd, encoding="utf-8", timeout=600,
                        env=environment(installed["folder"], installed["venv"]))


@pytest.mark.slow
def test_the_wheel_holds_the_templates_and_the_message_catalogue(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for name in ("toolkit/templates/muskaritodistus.docx", "toolkit/templates/päättötodistus.docx",
                 "toolkit/templates/osallistumistodistus.docx", "toolkit/model/messages.toml"):
        assert name in names
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "notebooks/"))]


@pytest.mark.slow
def test_the_installed_toolkit_is_the_wheels_not_the_source_tree(installed, tmp_path):
    done = children.run([str(installed["python"]), "-c", "import toolkit, toolkit.templates; "
                         "print(toolkit.__file__); print(list(toolkit.templates.__path__)[0])"],
                        cwd=tmp_path, timeout=120, env=environment(installed["folder"], installed["venv"]))
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(installed["venv"].resolve()), line
        assert not Path(line).resolve().is_relative_to(ROOT)


@pytest.mark.slow
def test_demo_certificates_and_semester_run_from_another_folder(installed):
    elsewhere = installed["folder"] / "toinen kansio"
    elsewhere.mkdir()
    demo = run(installed, elsewhere, "demo", "muskari")
    assert demo.returncode == 0, demo.stderr
    assert "rekisteri.xlsx" in demo.stdout and "Traceback" not in demo.stderr
    register = elsewhere / "muskari" / "rekisteri.xlsx"

    certificates = run(installed, elsewhere, "certificates", str(register), "--apply")
    assert certificates.returncode == 0, certificates.stderr
    documents = sorted((elsewhere / "muskari" / "todistukset").glob("*.docx"))
    assert documents and all(d.name in certificates.stdout for d in documents)
    assert all(zipfile.is_zipfile(d) for d in documents)

    semester = run(installed, elsewhere, "semester", str(register), "--forms",
                   str(elsewhere / "muskari" / "ilmoittautumiset.csv"), "--apply")
    assert semester.returncode == 0, semester.stderr
    assert semester.stdout.startswith("# Lukukausiajo 25.11.2026")
    page = elsewhere / "muskari" / "lukukausi" / "yhteenveto.html"
    assert page.is_file() and str(page) in semester.stderr
    assert list((elsewhere / "muskari" / "lukukausi" / "kuvat").glob("*.png"))
    assert (installed["folder"] / "config" / "muskari" / "avain").is_file()      # the erasures' key, in its folder

    usage = run(installed, elsewhere, "check")
    assert usage.returncode == 2 and "vaaditaan argumentti REKISTERI" in usage.stderr
