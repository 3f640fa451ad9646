"""Shared fixtures. Tests that need LibreOffice are skipped, with the reason, when soffice is absent."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def pytest_collection_modifyitems(config, items):
    if SOFFICE:
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed; `.ci/run` installs it so CI runs these")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory, monkeypatch):
    """Each test has its own configuration folder: the toolkit's key and erased-ids list
    (toolkit.system.secrets) are never the developer's real ones."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def soffice() -> str:
    if not SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE
