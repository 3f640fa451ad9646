"""The README's first section is the owner's: install on Windows, macOS and Linux in Finnish, where the files go,
how to update; every example works on Windows and macOS, and what it says matches what the code does."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from toolkit import __version__
from toolkit.system import config, programs

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def headings() -> list[tuple[int, str, int]]:
    """(level, title, line index) of every Markdown heading outside fenced code."""
    found, fenced = [], False
    for index, line in enumerate(README.splitlines()):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"^(#+) (.+)$", line)):
            found.append((len(match.group(1)), match.group(2), index))
    return found


def section(title: str) -> str:
    """The text under a heading, up to the next heading of its level or above."""
    lines = README.splitlines()
    marks = headings()
    for i, (level, name, start) in enumerate(marks):
        if name == title:
            end = next((line for lvl, _, line in marks[i + 1:] if lvl <= level), len(lines))
            return "\n".join(lines[start + 1:end])
    raise AssertionError(title)


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_the_first_section_is_the_finnish_install_for_the_owner():
    assert [name for level, name, _ in headings() if level == 2][0] == "Asennus omalle koneelle"
    install = section("Asennus omalle koneelle")
    for words in ("Windows", "macOS", "Linux", "python.org", "Add python.exe to PATH", "pipx install", "uv tool install",
                  "pipx ensurepath", "PowerShell", "Pääte", "make wheel", f"muskari-{__version__}-py3-none-any.whl",
                  "Päivitys", "--force", "muskari --version"):
        assert words in install, words


def test_no_example_is_linux_only():
    assert ".venv/bin/" not in README
    assert "/media/muistitikku" not in README
    for paragraph in paragraphs(README):
        if "E:\\" in paragraph:
            assert "/Volumes/MUISTITIKKU" in paragraph, paragraph


def test_where_the_files_go_names_every_folder_beside_the_register():
    text = section("Missä tiedostot ovat")
    for name in ("varmuuskopiot/", "todistukset/", "todistuspohjat/", "lukukausi/", "yhteenveto.html", "avain",
                 "poistetut.jsonl", "muskari backup", "varmuuskopioiden rinnalle"):
        assert name in text, name


def test_the_configuration_folders_in_the_readme_are_the_ones_the_code_chooses(monkeypatch):
    import platformdirs.windows

    text = section("Missä tiedostot ovat")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", "/KOTI")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert str(config.config_dir()).replace("/KOTI", "~") in text
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "%LOCALAPPDATA%")
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars)
    assert str(config.config_dir()).replace("/", "\\") in text
    monkeypatch.setattr(sys, "platform", "linux")
    assert str(config.config_dir()).replace("/KOTI", "~") in text


def test_libreoffice_is_said_where_the_code_looks():
    text = section("PDF-todistukset (LibreOffice)")
    assert programs.SOFFICE_VARIABLE in text
    assert "C:\\Program Files\\LibreOffice" in text and "/Applications/LibreOffice.app" in text


@pytest.mark.parametrize("promise", ["vain sinun luettavissasi", "vain sinun luettaviksesi", "only you can read"])
def test_no_sentence_promises_only_you_can_read_without_saying_what_holds_on_windows(promise):
    for paragraph in paragraphs(README):
        if promise in paragraph.casefold():
            assert "Windows" in paragraph, paragraph
    text = section("Kuka tiedostot voi lukea")
    assert "Windows" in text and "0600" in text and "Muistitikku" in text


def test_the_developers_keep_their_commands():
    text = section("Development")
    for command in ("make demo", "make test", "make test-fast", "make wheel", ".ci/run"):
        assert command in text, command
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^wheel:", makefile, re.M) and "--wheel-dir dist" in makefile
    assert re.search(r'test-fast:.*\n.*not chromium', makefile)
