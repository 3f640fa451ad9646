"""The workbook's data dictionary, generated from the schemas (README section).

    python -m toolkit.reports.data_dictionary            # print it
    python -m toolkit.reports.data_dictionary --write    # replace the block in README.md

tests/test_datadict.py fails when README.md and the schemas disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbook_schema import SHEET_ORDER, SHEETS
from workbook_schema.settings import SETTINGS

START = "<!-- data-dictionary:start"
END = "<!-- data-dictionary:end -->"
KINDS = {"id": "tunnus (teksti)", "text": "teksti", "date": "päivämäärä p.k.vvvv", "number": "luku",
         "integer": "kokonaisluku", "choice": "valinta"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def data_dictionary() -> str:
    lines = []
    for name in SHEET_ORDER:
        if name not in SHEETS or name == "Asetukset":
            continue
        spec = SHEETS[name]
        lines += [f"### {name}", "", f"{spec.fi.capitalize()} ({spec.en}).", "",
                  "| Sarake | Tyyppi | Pakollinen | Merkitys | Meaning |", "|---|---|---|---|---|"]
        for c in spec.columns:
            kind = KINDS[c.kind] + (": " + ", ".join(f"`{v}`" for v in c.choices) if c.choices else "")
            lines.append(f"| {c.header} | {kind} | {'kyllä' if c.required else 'ei'} | {_cell(c.fi)} | {_cell(c.en)} |")
        lines.append("")
    lines += ["### Asetukset", "", "Sarakkeet `Asetus`, `Arvo`, `Selite`; tyhjä arvo = oletus.", "",
              "| Asetus | Oletus | Merkitys | Meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| {s.key} | {s.default} | {_cell(s.fi)} | {_cell(s.en)} |")
    lines += ["", "### Ohje", "", "Ohjeet omistajalle; `muskari init` kirjoittaa sen.", ""]
    return "\n".join(lines)


def replace_block(readme: str) -> str:
    start = readme.index(START)
    start = readme.index("\n", start) + 1
    end = readme.index(END)
    return readme[:start] + data_dictionary() + "\n" + readme[end:]


def main(argv: list[str]) -> int:
    if "--write" in argv:
        readme = Path(__file__).resolve().parents[2] / "README.md"
        readme.write_text(replace_block(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(data_dictionary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
