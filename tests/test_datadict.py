from pathlib import Path

from toolkit.reports.data_dictionary import data_dictionary, replace_block
from workbook_schema import SHEETS

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_data_dictionary_matches_the_schemas():
    text = README.read_text(encoding="utf-8")
    assert replace_block(text) == text, "run `python -m toolkit.reports.data_dictionary --write` to update README.md"


def test_every_contract_header_is_in_the_dictionary():
    text = data_dictionary()
    for spec in SHEETS.values():
        for header in spec.headers:
            assert f"| {header} |" in text or f"`{header}`" in text
