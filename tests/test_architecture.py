"""The pure rings stay pure: toolkit/rules/ and workbook_schema/ import no I/O or UI library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"openpyxl", "python_calamine", "fastexcel", "docxtpl", "docx", "jinja2", "argparse", "click", "rich",
             "matplotlib", "pyzipper", "zipfile", "shutil", "tempfile", "subprocess", "socket", "urllib",
             "requests", "sqlite3", "toolkit.reading", "toolkit.writing", "toolkit.cli", "toolkit.rendering",
             "toolkit.commands"}
FORBIDDEN_CALLS = {"open", "print"}
PURE = sorted([*(ROOT / "toolkit" / "rules").glob("*.py"), *(ROOT / "workbook_schema").glob("*.py")])


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


@pytest.mark.parametrize("path", PURE, ids=[str(p.relative_to(ROOT)) for p in PURE])
def test_pure_modules_import_no_io(path):
    assert not [n for n in imports_of(path) if _forbidden(n)]


@pytest.mark.parametrize("path", PURE, ids=[str(p.relative_to(ROOT)) for p in PURE])
def test_pure_modules_read_no_clock_and_open_no_files(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_CALLS, f"{path.name}: {func.id}()"
            if isinstance(func, ast.Attribute) and func.attr in ("today", "now", "utcnow"):
                pytest.fail(f"{path.name}: .{func.attr}() reads the clock; take `today` as a parameter")


def test_the_check_finds_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import openpyxl\nfrom docxtpl import DocxTemplate\n")
    assert {n for n in imports_of(bad) if _forbidden(n)} == {"openpyxl", "docxtpl"}


def test_cli_module_imports_no_heavy_library_at_start():
    heavy = {"pandas", "pandera", "openpyxl", "docxtpl", "matplotlib", "python_calamine", "rich", "numpy"}
    tree = ast.parse((ROOT / "toolkit" / "cli.py").read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module.split(".")[0])
    assert not top & heavy


HELP_ARGV = [[], *[[name] for name in ("init", "demo", "check", "eligibility", "certificates", "purge", "import-forms",
                                       "teacher-lists", "emails", "access-request", "backup", "restore", "semester")]]


@pytest.mark.parametrize("argv", HELP_ARGV, ids=lambda a: " ".join(a) or "muskari")
def test_help_imports_no_heavy_library(argv):
    """`muskari [COMMAND] --help` answers at once: -X importtime lists every module the process imported."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "toolkit", *argv, "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "toolkit.cli" in imported and "usage:" in done.stdout
    heavy = {"pandas", "pandera", "openpyxl", "numpy", "python_calamine", "docxtpl", "matplotlib", "rich", "pyarrow",
             "pyzipper", "jinja2", "docx"}
    assert not imported & heavy
