"""`muskari check` on the command line: exit codes, formats, golden table output, the annotated copy."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from registers import build_register

from toolkit.cli.main import main

GOLDEN = Path(__file__).parent / "golden"
MISTAKES = {("Oppilaat", "D2"): "31.2.2019", ("Oppilaat", "I3"): "jees", ("Oppilaat", "M4"): "hetu 131052-308T",
            ("Opinnot", "B2"): "Muskari 9", ("Opinnot", "D3"): "=50*2", ("Opettajat", "B3"): "kalle@",
            ("Oppilaat", "M2"): "allergia pähkinälle"}


@pytest.fixture
def broken(tmp_path):
    return build_register(tmp_path / "rekisteri.xlsx", edits=MISTAKES)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_register_exit_0(tmp_path, capsys):
    code, out, _ = run(capsys, "check", str(build_register(tmp_path / "r.xlsx")), "--as-of", "2026-06-01")
    assert code == 0 and out == "Rekisteri on kunnossa.\n"


def test_golden_table(broken, capsys):
    code, out, _ = run(capsys, "check", str(broken), "--as-of", "2026-06-01")
    assert code == 1
    golden = GOLDEN / "check_table.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def test_golden_table_english(broken, capsys):
    code, out, _ = run(capsys, "check", str(broken), "--as-of", "2026-06-01", "--lang", "en")
    golden = GOLDEN / "check_table_en.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert code == 1 and out == golden.read_text(encoding="utf-8")


def test_json_shape(broken, capsys):
    code, out, _ = run(capsys, "check", str(broken), "--as-of", "2026-06-01", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert set(data["findings"][0]) == {"code", "severity", "sheet", "cell", "row", "column", "value", "message",
                                        "count", "related_cells"}      # the contract's keys, and what was folded in
    assert {f["code"] for f in data["findings"]} == {"invalid-date", "invalid-choice", "identity-code",
                                                     "unknown-study-unit", "formula-cell", "invalid-email",
                                                     "health-data"}
    assert "131052" not in out


def test_csv_is_formula_safe(broken, capsys):
    _code, out, _ = run(capsys, "check", str(broken), "--as-of", "2026-06-01", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["Välilehti", "Solu"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_warnings_only_exit_0(tmp_path, capsys):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "M2"): "astma"})
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "health-data" in out


def test_usage_error_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["check"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["check", "x.xlsx", "--as-of", "1.6.2026"])
    assert caught.value.code == 2


def test_no_command_prints_help_exit_2(capsys):
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


def test_annotated_copy(broken, tmp_path, capsys):
    before = broken.read_bytes()
    out_path = tmp_path / "merkitty.xlsx"
    code, _out, _err = run(capsys, "check", str(broken), "--as-of", "2026-06-01", "--annotate", str(out_path))
    assert code == 1 and broken.read_bytes() == before
    assert (out_path.stat().st_mode & 0o777) == 0o600
    workbook = openpyxl.load_workbook(out_path)
    assert workbook.sheetnames[0] == "Tarkistus"
    summary = workbook["Tarkistus"]
    links = {summary.cell(r, 2).value: summary.cell(r, 2).hyperlink.location
             for r in range(2, summary.max_row + 1) if summary.cell(r, 2).hyperlink}
    assert links["D2"] == "'Oppilaat'!D2"
    marked = workbook["Oppilaat"]["D2"]
    assert marked.fill.start_color.rgb.endswith("FFC7CE") and "päivämäärä" in marked.comment.text
    assert workbook["Oppilaat"]["M2"].fill.start_color.rgb.endswith("FFEB9C")     # a warning
    for row in summary.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type == "s"                                           # never a formula
    assert workbook["Opinnot"]["D3"].value == "=50*2"                               # the owner's formula is kept


def test_annotate_refuses_to_replace_the_register(broken, capsys):
    code, _out, err = run(capsys, "check", str(broken), "--annotate", str(broken))
    assert code == 3 and "eri nimi" in err


@pytest.mark.parametrize("errors,warnings,fi,en", [
    (1, 1, "Rekisterissä on 1 virhe ja 1 varoitus.", "The register has 1 error and 1 warning."),
    (2, 0, "Rekisterissä on 2 virhettä ja 0 varoitusta.", "The register has 2 errors and 0 warnings."),
])
def test_summary_line_plurals(errors, warnings, fi, en):
    from toolkit.model.findings import Finding
    from toolkit.reports.findings import summary_line

    findings = [Finding("invalid-date", "error")] * errors + [Finding("health-data", "warning")] * warnings
    assert summary_line(findings, "fi") == fi and summary_line(findings, "en") == en
