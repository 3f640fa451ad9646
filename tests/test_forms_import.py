"""`muskari import-forms` end to end on real workbooks: the dry-run report, --apply, and re-checking."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from factories import make_tables, student
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs.check import load_checked

TODAY = date(2026, 11, 25)
FORMS = (
    "\ufeffAikaleima;Oppilasnumero;Etunimi *;Sukunimi *;Syntymäaika *;Huoltaja;Sähköposti *;Puhelin;"
    "Jatkaa ensi lukukaudella? *\n"
    "20.11.2026 14.05.00;0001;Aino;Virtanen;1.3.2019;Maija Virtanen;uusi@example.fi;040 123 4567;kyllä\n"
    "20.11.2026 15.00.00;;eino;VIRTANEN;2.4.2017;Maija Virtanen;perhe@example.fi;;ei\n"
    "21.11.2026 9.00.00;;Ella;Uusi;5.6.2021;Pekka Uusi;pekka@example.fi;+358 50 111 2222;kyllä\n"
    "21.11.2026 9.30.00;;Olli;Outo;31.2.2020;;olli@example.fi;;kyllä\n"
)


@pytest.fixture
def files(tmp_path):
    tables = make_tables(students=[student("0001", phone="040 123 4567"),
                                   student("0002", first="Eino", birth=date(2017, 4, 2), status="tauolla")])
    register = build_register(tmp_path / "rekisteri.xlsx", tables)
    forms = tmp_path / "ilmoittautumiset.csv"
    forms.write_text(FORMS, encoding="utf-8")
    return register, forms


def run(capsys, *argv):
    code = main([*argv, "--as-of", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_dry_run_reports_every_change_and_touches_nothing(files, capsys):
    register, forms = files
    before = register.read_bytes()
    code, out, _ = run(capsys, "import-forms", str(register), str(forms))
    assert code == 0 and register.read_bytes() == before
    expected = [
        "Uudet oppilaat (1):",
        "  rivi 4: 0003 Ella Uusi, s. 5.6.2021, aktiivinen, Pekka Uusi, pekka@example.fi, +358 50 111 2222",
        "Yhteystietojen muutokset (1):",
        "  0001 Aino Virtanen (rivi 2): Sähköposti perhe@example.fi → uusi@example.fi",
        "Tilan muutokset (1):",
        "  0002 Eino Virtanen (rivi 3): Tila tauolla → päättynyt",
        "Hylätyt vastaukset (1): nämä eivät muuta rekisteriä.",
        "Tämä oli esikatselu: rekisteriä ei muutettu. Tallenna muutokset ajamalla komento uudelleen valitsimella --apply.",
    ]
    for line in expected:
        assert line in out.splitlines()
    assert "rivi 5 (E5 Syntymäaika *)" in out and "ilmoittautumiset.csv sisältää perheiden henkilötietoja" in out


def test_apply_writes_the_changes_and_the_register_still_passes_check(files, capsys):
    register, forms = files
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 0 and "Muutokset tallennettiin" in out
    _, result = load_checked(register, TODAY)
    assert result.ok, [f.to_dict() for f in result.errors]
    s = result.tables.students.set_index("student_id")
    assert s.loc["0001", "email"] == "uusi@example.fi" and s.loc["0002", "status"] == "päättynyt"
    assert s.loc["0001", "last_registration"] == date(2026, 11, 20)
    assert s.loc["0003", ["first_name", "status", "phone"]].tolist() == ["Ella", "aktiivinen", "+358 50 111 2222"]
    assert list(s.index) == ["0001", "0002", "0003"]
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--format", "json")
    data = json.loads(out)
    assert data["new_students"] == [] and all(u["changes"] == [] for u in data["updates"])


def test_the_log_row_holds_counts_only(files, capsys):
    from python_calamine import CalamineWorkbook

    register, forms = files
    run(capsys, "import-forms", str(register), str(forms), "--apply")
    log = CalamineWorkbook.from_path(str(register)).get_sheet_by_name("Loki").to_python()
    assert log[-1][1] == "import-forms" and "uusia 1" in log[-1][2] and "@" not in log[-1][2]


def test_a_register_with_errors_is_refused_with_exit_1(tmp_path, capsys):
    register = build_register(tmp_path / "r.xlsx", make_tables(students=[student(email="huono")]))
    forms = tmp_path / "f.csv"
    forms.write_text(FORMS, encoding="utf-8")
    code, _, err = run(capsys, "import-forms", str(register), str(forms), "--apply")
    assert code == 1 and "virheitä" in err


def test_a_missing_forms_file_exits_3(files, tmp_path, capsys):
    register, _ = files
    code, _, err = run(capsys, "import-forms", str(register), str(tmp_path / "ei.csv"))
    assert code == 3 and "ei löydy" in err


def test_a_forms_workbook_with_a_stray_value_in_xfd1048576_exits_3_and_changes_nothing(files, tmp_path, capsys):
    """The case seen: calamine aborted the whole process (no message, no exit code the contract knows)."""
    from openpyxl import Workbook

    register, _ = files
    before = register.read_bytes()
    wb = Workbook()
    wb.active.append(["Aikaleima", "Etunimi", "Sukunimi", "Syntymäaika", "Sähköposti", "Jatkaa ensi lukukaudella"])
    wb.active.append(["20.11.2026 14.05.00", "Aino", "Virtanen", "1.3.2019", "uusi@example.fi", "kyllä"])
    wb.active["XFD1048576"] = "x"
    wb.save(tmp_path / "vastaukset.xlsx")
    code, out, err = run(capsys, "import-forms", str(register), str(tmp_path / "vastaukset.xlsx"), "--apply")
    assert code == 3 and "XFD1048576" in err and "Mitään ei tuotu" in err
    assert register.read_bytes() == before


GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_golden_change_report(files, capsys, lang):
    register, forms = files
    code, out, _ = run(capsys, "import-forms", str(register), str(forms), "--lang", lang)
    golden = GOLDEN / f"import_forms_{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert code == 0 and out == golden.read_text(encoding="utf-8")
