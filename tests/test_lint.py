"""One command runs every check: `make test` also runs ruff over the code (configuration in pyproject.toml)."""

import shutil
import sys
from pathlib import Path

import pytest
from children import run

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the dev extra)")
    done = run([ruff, "check", "--output-format", "concise", "toolkit", "workbook_schema", "tests", "benchmarks",
                "tools", "templates"], cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
