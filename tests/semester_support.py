"""Registers, forms and runs for the semester tests: a register saved by the toolkit's own workbook writer (as
`init` and `demo` make them), a forms export, and `muskari semester` run in-process with its JSON read back.

    path = save_register(tmp_path, students=[...], studies=[...])       # factories.py records
    forms = save_forms(tmp_path, [answer(student("0002"), continues="ei")])
    report = semester_json(path, forms=forms, apply=False)               # the JSON of the run, exit code 0
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from factories import DEFAULT_UNITS

from toolkit.cli.main import main
from toolkit.demo.synthetic import SETTINGS_VALUES
from toolkit.office.new_workbook import save_new, workbook_from_records

AS_OF = date(2026, 11, 25)
TEACHERS = [{"name": "Liisa Laulu", "email": "liisa@example.fi"}, {"name": "Kalle Kantele", "email": "kalle@example.fi"}]
FORMS_HEADERS = ["Aikaleima", "Oppilasnumero", "Etunimi", "Sukunimi", "Syntymäaika", "Huoltaja", "Sähköposti",
                 "Puhelin", "Jatkaa ensi lukukaudella"]


def save_register(folder: Path, *, students=(), studies=(), certificates=(), graduates=(), contacts=(),
                  units=None, teachers=None, settings=None, name: str = "rekisteri.xlsx") -> Path:
    """A valid register (every sheet, the demo's certificate settings unless ``settings`` is given)."""
    records = {"Oppilaat": list(students), "Opinnot": list(studies),
               "Opintokokonaisuudet": DEFAULT_UNITS if units is None else list(units),
               "Opettajat": TEACHERS if teachers is None else list(teachers),
               "Todistukset": list(certificates), "Valmistuneet": list(graduates), "Yhteydenotot": list(contacts)}
    return save_new(workbook_from_records(records, SETTINGS_VALUES if settings is None else settings),
                    Path(folder) / name)


def answer(rec: dict, continues: str = "kyllä", *, on: date = date(2026, 11, 12), **changes) -> list[str]:
    """One forms response for the student record ``rec`` (factories.student), changed by ``changes``."""
    values = {"student_id": rec.get("student_id", ""), "first_name": rec["first_name"], "last_name": rec["last_name"],
              "birth": f"{rec['birth_date'].day}.{rec['birth_date'].month}.{rec['birth_date'].year}",
              "guardian": rec.get("guardian") or "", "email": rec.get("email") or "", "phone": rec.get("phone") or ""}
    values.update(changes)
    return [f"{on.day}.{on.month}.{on.year} 10.00.00", values["student_id"], values["first_name"], values["last_name"],
            values["birth"], values["guardian"], values["email"], values["phone"], continues]


def save_forms(folder: Path, rows, name: str = "lomakkeet.csv", headers=FORMS_HEADERS) -> Path:
    path = Path(folder) / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def run_cli(capsys, *argv: str, as_of: date = AS_OF) -> tuple[int, str, str]:
    code = main([*argv, "--as-of", as_of.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def semester_json(capsys, register: Path, *, forms: Path | None = None, apply: bool = False, out: Path | None = None,
                  as_of: date = AS_OF) -> dict:
    argv = ["semester", str(register), "--format", "json"]
    argv += ["--forms", str(forms)] if forms else []
    argv += ["--out", str(out)] if out else []
    argv += ["--apply"] if apply else []
    code, stdout, stderr = run_cli(capsys, *argv, as_of=as_of)
    assert code == 0, stderr
    return json.loads(stdout)


def counts(report: dict) -> dict[str, dict]:
    """step -> (counts, changed): what a dry run promises and an --apply does."""
    return {s["step"]: (s["counts"], s["changed"]) for s in report["steps"]}
