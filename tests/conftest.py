"""Shared fixtures. Tests that need LibreOffice (or Chromium) are skipped, with the reason, when it is absent."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py

from office import SOFFICE  # noqa: E402  (after the path above)

# Hypothesis's per-example deadline is a timed assertion: on a loaded CI runner (xdist workers sharing two cores)
# a slow first example fails a test that is right. Speed is measured by benchmarks/, hangs by pytest-timeout.
settings.register_profile("muskari", deadline=None)
settings.load_profile("muskari")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = {
    "libreoffice": None if SOFFICE else
    "LibreOffice (soffice) is not installed; `.ci/run` installs it so CI runs these",
    "chromium": None if CHROMIUM else "Chromium is not installed; `.ci/run` installs it so CI runs these",
}


def pytest_collection_modifyitems(config, items):
    for marker, reason in MISSING.items():
        if reason is None:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
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


@pytest.fixture
def chromium() -> str:
    if not CHROMIUM:
        pytest.skip("Chromium is not installed")
    return CHROMIUM
