"""argparse's own messages in Finnish (usage errors, required options, invalid choices, unknown arguments, the
help headings), English with --lang en, exit code 2 for every usage error."""

from __future__ import annotations

import argparse
import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cli.main import main
from toolkit.cli.parser import finnish, language_of

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ("usage:", "error:", "options:", "positional arguments", "required", "invalid choice",
           "unrecognized", "show this help", "expected one argument", "not allowed with")


def usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def finnish_only(text: str) -> None:
    assert "käyttö: muskari" in text
    for word in ENGLISH:
        assert word not in text, word


@pytest.mark.parametrize(("argv", "expected"), [
    (["check"], "muskari check: virhe: vaaditaan argumentti REKISTERI"),
    (["teacher-lists", "r.xlsx"], "muskari teacher-lists: virhe: vaaditaan valitsin --out"),
    (["backup"], "muskari backup: virhe: vaaditaan argumentti REKISTERI ja valitsin --to"),
    (["restore", "b.zip"], "vaaditaan valitsin --to"),
    (["access-request", "r.xlsx", "--out", "v.docx"], "vaaditaan yksi näistä: --student --email"),
], ids=["argument", "option", "argument-and-option", "restore-option", "one-of"])
def test_what_is_missing_is_named_in_finnish(capsys, argv, expected):
    err = usage_error(capsys, *argv)
    finnish_only(err)
    assert expected in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", "r.xlsx", "--format", "xml"],
     "--format: tuntematon vaihtoehto 'xml' (valitse jokin näistä: 'table', 'json', 'csv')"),
    (["chek", "r.xlsx"], "KOMENTO: tuntematon vaihtoehto 'chek' (valitse jokin näistä: 'init'"),
    (["emails", "r.xlsx", "--purpose", "kaikki"], "--purpose: tuntematon vaihtoehto 'kaikki'"),
    (["check", "r.xlsx", "--lang", "sv"], "--lang: tuntematon vaihtoehto 'sv'"),
], ids=["format", "command", "purpose", "lang"])
def test_an_invalid_choice_lists_the_choices_in_finnish(capsys, argv, expected):
    err = usage_error(capsys, *argv)
    finnish_only(err)
    assert expected in err


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", "r.xlsx", "--bogus"], "tuntematon valitsin tai ylimääräinen argumentti: --bogus"),
    (["check", "r.xlsx", "toinen.xlsx"], "tuntematon valitsin tai ylimääräinen argumentti: toinen.xlsx"),
    (["check", "r.xlsx", "--as-of"], "--as-of: valitsimelle puuttuu arvo"),
    (["check", "r.xlsx", "--as-of", "1.6.2026"], "--as-of: päivä muodossa VVVV-KK-PP"),
    (["access-request", "r.xlsx", "--student", "1", "--email", "a@example.fi", "--out", "v.docx"],
     "--email: ei käy yhdessä valitsimen --student kanssa"),
    (["check", "r.xlsx", "--a", "x"], "valitsin --a on epäselvä: se voi tarkoittaa mitä tahansa näistä: "),
    (["purge", "r.xlsx", "--apply=kyllä"], "ylimääräinen arvo 'kyllä'"),
], ids=["unknown-option", "extra-argument", "missing-value", "bad-date", "exclusive", "ambiguous", "flag-value"])
def test_other_usage_errors_are_finnish(capsys, argv, expected):
    err = usage_error(capsys, *argv)
    assert expected in err
    assert "virhe:" in err and "error:" not in err and "usage:" not in err


@pytest.mark.parametrize("argv", [["-h"], ["check", "-h"], ["certificates", "--help"], ["semester", "-h"]],
                         ids=lambda a: " ".join(a))
def test_help_has_finnish_headings(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 0
    out = capsys.readouterr().out
    finnish_only(out)
    assert "valitsimet:" in out and "näytä tämä ohje ja lopeta" in out
    assert "argumentit:" in out


def test_no_command_prints_the_finnish_help_and_exit_2(capsys):
    assert main([]) == 2
    finnish_only(capsys.readouterr().out)


@pytest.mark.parametrize(("argv", "expected"), [
    (["check", "--lang", "en"], "muskari check: error: the following arguments are required: REGISTER"),
    (["check", "r.xlsx", "--format", "xml", "--lang=en"], "argument --format: invalid choice: 'xml'"),
    (["teacher-lists", "r.xlsx", "--lang", "en"], "the following arguments are required: --out"),
], ids=["required", "choice", "option"])
def test_lang_en_keeps_english(capsys, argv, expected):
    err = usage_error(capsys, *argv)
    assert expected in err and "usage: muskari" in err and "käyttö" not in err and "virhe" not in err


def test_help_in_english_with_lang_en(capsys):
    with pytest.raises(SystemExit):
        main(["check", "-h", "--lang", "en"])
    out = capsys.readouterr().out
    assert "usage: muskari check" in out and "options:" in out and "show this help message and exit" in out
    assert "REGISTER" in out and "the register's .xlsx file" in out and "the output's format" in out


@pytest.mark.parametrize("argv", [[], ["check"], ["certificates"], ["emails"], ["access-request"], ["backup"],
                                  ["semester"]], ids=lambda a: " ".join(a) or "muskari")
def test_help_is_in_one_language(capsys, argv):
    """Each help text in the line's language only: no more "rekisterin .xlsx-tiedosto / the register"."""
    for lang, other in (("fi", ("the register", " / ", "only this", "default")), ("en", ("rekisteri", "oletus", "vain "))):
        with pytest.raises(SystemExit):
            main([*argv, "-h", "--lang", lang])
        out = capsys.readouterr().out
        for word in other:
            assert word not in out.replace("--", ""), (lang, word)


def test_argparse_itself_is_left_as_it_was(capsys):
    before = argparse._, argparse.ngettext
    usage_error(capsys, "check")
    assert (argparse._, argparse.ngettext) == before
    parser = argparse.ArgumentParser(prog="muu")
    assert "usage: muu" in parser.format_usage()


def test_the_language_is_read_from_the_line():
    assert language_of(["check", "--lang", "en"]) == "en"
    assert language_of(["--lang=en", "check"]) == "en"
    assert language_of(["check", "--lang"]) == "fi"
    assert language_of(["check"]) == "fi"


# messages only a programmer can meet (a parser built wrongly), which stay English
DEVELOPER_ONLY = {
    ".__call__() not defined", "'required' is an invalid argument for positionals",
    "mutually exclusive arguments must be optional", "%r is not callable",
    "cannot merge actions - two groups are named %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "cannot have multiple subparser arguments", "conflicting subparser: %s", "conflicting subparser alias: %s",
    'argument "-" with mode %r', "conflicting option string: %s", "conflicting option strings: %s",
}


def argparse_message_ids() -> set[str]:
    """Every message id the running Python's argparse passes to _() or ngettext()."""
    ids = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            ids.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return ids


def test_every_message_a_user_can_meet_has_finnish():
    missing = argparse_message_ids() - DEVELOPER_ONLY - set(finnish())
    assert not missing, f"argparse of Python {sys.version_info[:2]} says these in English: {missing}"


def test_the_finnish_keeps_argparses_placeholders():
    import re

    for english, fi in finnish().items():
        assert sorted(re.findall(r"%\(\w+\)[rs]|%[rs]", english)) == sorted(re.findall(r"%\(\w+\)[rs]|%[rs]", fi))


def test_the_installed_program_speaks_finnish_with_exit_2():
    done = subprocess.run([sys.executable, "-m", "toolkit", "teacher-lists", "r.xlsx"], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert done.returncode == 2
    assert "käyttö: muskari teacher-lists" in done.stderr and "vaaditaan valitsin --out" in done.stderr
