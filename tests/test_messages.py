"""Every finding code the toolkit can emit has a message in every language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from toolkit.model.findings import Finding
from toolkit.model.messages import LANGS, catalogue

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_CODES = {"identity-code", "health-data", "missing-value", "invalid-date", "invalid-choice", "invalid-email",
                  "duplicate-id", "unknown-student", "unknown-teacher", "unknown-study-unit", "missing-column",
                  "unknown-column", "missing-sheet", "formula-cell", "merged-cells"}
WARNINGS = {"health-data", "unknown-column"}


def emitted_codes() -> set[str]:
    """String literals passed as the first argument of make(...) anywhere in the toolkit, plus check names."""
    codes = set()
    for path in [*(ROOT / "toolkit").rglob("*.py"), *(ROOT / "workbook_schema").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "make":
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    codes.add(node.args[0].value)
            if isinstance(node, ast.keyword) and node.arg == "name" and isinstance(node.value, ast.Constant):
                if isinstance(node.value.value, str) and node.value.value.startswith("invalid-"):
                    codes.add(node.value.value)
    return codes


CATALOGUE = catalogue()
FINDINGS = sorted(code for code, entry in CATALOGUE.items() if entry.severity)


def test_contract_codes_exist_with_their_severity():
    for code in CONTRACT_CODES:
        assert code in CATALOGUE
        assert CATALOGUE[code].severity == ("warning" if code in WARNINGS else "error")


def test_every_emitted_code_has_a_message():
    missing = emitted_codes() - set(FINDINGS)
    assert not missing


@pytest.mark.parametrize("code", FINDINGS)
def test_message_in_every_language(code):
    finding = Finding(code=code, severity=CATALOGUE[code].severity, sheet="Oppilaat", cell="A2", column="Etunimi", value="x")
    for lang in LANGS:
        text = finding.message(lang)
        assert text and "{" not in text
    assert finding.message("fi") != finding.message("en")


FOLD_PHRASES = sorted(code for code in CATALOGUE if code.startswith(("same-", "folded-", "more-cells")))


@pytest.mark.parametrize("code", [c[:-5] for c in FOLD_PHRASES if c.endswith("-many")])
def test_every_fold_sentence_has_its_singular(code):
    """A count of 1 is said in the singular ("1 opintorivi", "1 study row"), never "1 opintoriviä"."""
    one = CATALOGUE[code + "-one"]
    for lang in LANGS:
        plural, singular = CATALOGUE[code + "-many"].text(lang), one.text(lang)
        assert "{count}" in plural and "{count}" not in singular and "1" in singular
    assert not re.search(r"\b1 (\w+ )?(opintoriviä|riviä|muuta|ongelmaa)\b", one.fi)
    assert not re.search(r"\b1 (\w+ )?(rows|problems|refer|have|find)\b", one.en)


def test_fold_sentences_are_said_with_their_cells():
    from toolkit.model.messages import say

    for code in FOLD_PHRASES:
        if code.startswith(("same-", "folded-")):
            for lang in LANGS:
                assert "Opinnot: B3" in say(code, lang, count=2, cells="Opinnot: B3")


@pytest.mark.parametrize("code", ["birth-after-studies", "active-without-studies"])
def test_new_findings_say_what_to_do(code):
    entry = CATALOGUE[code]
    assert entry.severity == ("warning" if code == "active-without-studies" else "error")
    fi = Finding(code=code, severity=entry.severity, value="1.1.2027", params={"age": 7}).message("fi")
    en = Finding(code=code, severity=entry.severity, value="1.1.2027", params={"age": 7}).message("en")
    assert ("Tarkista" in fi or "Päivitä" in fi) and ("Check" in en or "Update" in en)


@pytest.mark.parametrize("advice", ["id-as-number-padded", "id-as-number-plain", "id-as-number-taken",
                                    "id-as-number-decimal"])
def test_id_as_number_always_says_how_to_type_the_id(advice):
    from toolkit.model.messages import Phrase

    finding = Finding(code="id-as-number", severity="error", value="12",
                      params={"advice": Phrase(advice), "suggestion": "0012"})
    assert CATALOGUE["id-as-number"].severity == "error"
    for lang, word in (("fi", "tekst"), ("en", "text")):
        text = finding.message(lang)
        assert word in text.split("(12)")[1] and text.endswith(".")
        assert ("0012" in text) == (advice != "id-as-number-decimal")
