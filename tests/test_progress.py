"""Progress bars: on stderr only for a person watching a big job; results on stdout never change."""

from __future__ import annotations

import io
import sys

import pytest
from registers import build_register

from toolkit.cli.main import main
from toolkit.system import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def register(tmp_path):
    return build_register(tmp_path / "rekisteri.xlsx", edits={("Oppilaat", "D2"): "31.2.2019"})


def run(monkeypatch, argv, *, terminal: bool, threshold: int):
    monkeypatch.setattr(progress, "BIG_REGISTER_BYTES", threshold)
    out, err = io.StringIO(), (Terminal() if terminal else io.StringIO())
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("lang, words", [("fi", "Luetaan ja tarkistetaan rekisteri"),
                                         ("en", "Reading and checking the register")])
def test_a_big_register_shows_a_bar_on_a_terminal_and_the_same_results(monkeypatch, register, lang, words):
    argv = ["check", str(register), "--as-of", "2026-06-01", "--lang", lang]
    code, out, err = run(monkeypatch, argv, terminal=True, threshold=0)
    plain_code, plain_out, plain_err = run(monkeypatch, argv, terminal=False, threshold=0)
    assert words in err and "━" in err                  # the bar itself, drawn by rich
    assert (code, out) == (plain_code, plain_out) == (1, plain_out)
    assert plain_err == ""


def test_nothing_when_stderr_is_not_a_terminal(monkeypatch, register):
    code, _out, err = run(monkeypatch, ["check", str(register), "--as-of", "2026-06-01"], terminal=False, threshold=0)
    assert code == 1 and err == ""


def test_nothing_for_a_small_register(monkeypatch, register):
    code, _out, err = run(monkeypatch, ["check", str(register), "--as-of", "2026-06-01"], terminal=True,
                          threshold=10**9)
    assert code == 1 and err == ""


def test_the_bar_reaches_its_total_when_reading_and_checking(monkeypatch, register):
    from datetime import date

    from toolkit.rules.validation import check_register
    from toolkit.xlsx.reading import read_register

    steps: list[float] = []
    check_register(read_register(register, progress=steps.append), date(2026, 6, 1), progress=steps.append)
    assert sum(steps) == pytest.approx(100) and all(s > 0 for s in steps)


def test_a_task_on_a_terminal_without_refresh_thread_redraws_as_it_advances(monkeypatch):
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    progress.set_language("en")
    try:
        with progress.task("progress-certificates", 3, refresh_thread=False) as bar:
            for _ in range(3):
                bar.advance()
    finally:
        progress.set_language("fi")
    assert "Certificates" in err.getvalue() and "Todistukset" not in err.getvalue()


def test_eligibility_shows_its_own_bar_after_the_check_for_many_students(monkeypatch, tmp_path):
    path = build_register(tmp_path / "rekisteri.xlsx")
    argv = ["eligibility", str(path), "--as-of", "2026-06-01"]
    monkeypatch.setattr(progress, "BIG_ROWS", 0)
    code, out, err = run(monkeypatch, argv, terminal=True, threshold=10**9)
    monkeypatch.setattr(progress, "BIG_ROWS", 10**9)
    plain = run(monkeypatch, argv, terminal=True, threshold=10**9)
    assert "Lasketaan todistustilanne" in err and "Luetaan" not in err
    assert (code, out) == plain[:2] and plain[2] == ""


def test_teacher_lists_show_a_bar_for_many_teachers(monkeypatch, tmp_path):
    path = build_register(tmp_path / "rekisteri.xlsx")
    monkeypatch.setattr(progress, "BIG_BATCH", 0)
    code, _out, err = run(monkeypatch, ["teacher-lists", str(path), "--out", str(tmp_path / "listat"),
                                        "--as-of", "2026-06-01"], terminal=True, threshold=10**9)
    assert code == 0 and "Opettajien listat" in err
