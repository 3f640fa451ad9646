"""Every finding code the toolkit can emit has a message in every language."""

from __future__ import annotations

import ast
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
