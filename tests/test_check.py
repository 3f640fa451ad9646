"""`muskari check`: one broken cell at a time, each gives exactly its finding."""

from __future__ import annotations

from datetime import date

import pytest
from registers import AS_OF, build_register

from toolkit.jobs.check import load_checked


def findings_of(path, today=AS_OF):
    _register, result = load_checked(path, today)
    return [(f.sheet, f.cell, f.code) for f in result.findings]


def test_valid_register_has_no_findings(tmp_path):
    assert findings_of(build_register(tmp_path / "r.xlsx")) == []


ONE_BROKEN_CELL = [
    # (sheet, cell, value, expected code)
    ("Oppilaat", "M2", "hetu 131052-308T", "identity-code"),
    ("Oppilaat", "M2", "luokka 010594Y9032", "identity-code"),
    ("Oppilaat", "M2", "131052\u2013308T", "identity-code"),        # en dash from a word processor
    ("Oppilaat", "M2", "131052-308U", "identity-code"),             # wrong check character: still sensitive
    ("Opinnot", "F3", "131052-308T", "identity-code"),              # any cell of any sheet
    ("Loki", "C2", "131052-308T", "identity-code"),
    ("Oppilaat", "M2", "Lapsella on astma", "health-data"),
    ("Oppilaat", "M2", "käyttää lääkkeitä", "health-data"),
    ("Oppilaat", "B2", None, "missing-value"),
    ("Opinnot", "D2", None, "missing-value"),
    ("Oppilaat", "D2", "31.2.2019", "invalid-date"),
    ("Oppilaat", "D2", "2/13/2019", "invalid-date"),
    ("Oppilaat", "D2", "1.1.1899", "invalid-date"),
    ("Oppilaat", "D4", date(2027, 1, 1), "future-date"),  # row 4's study row then precedes the birth: folded
    ("Oppilaat", "A2", 1, "id-as-number"),                 # its study row is folded in (test_check_findings.py)
    ("Opinnot", "A2", 1, "id-as-number"),
    ("Todistukset", "B2", 2, "id-as-number"),
    ("Opinnot", "A2", 1.5, "id-as-number"),
    ("Oppilaat", "I2", "Aktiivinen", None),                # choices and semesters after case folding
    ("Opinnot", "C2", "Kevät 2024", None),
    ("Oppilaat", "D2", date(1920, 1, 1), "implausible-age"),
    ("Opinnot", "E2", date(2019, 1, 1), "date-before-birth"),
    ("Opinnot", "E2", date(2026, 12, 24), "future-date"),
    ("Oppilaat", "I2", "jees", "invalid-choice"),
    ("Oppilaat", "J2", "ehkä", "invalid-choice"),
    ("Opintokokonaisuudet", "B2", "muskari", "invalid-choice"),
    ("Oppilaat", "F2", "virtanen@example", "invalid-email"),
    ("Oppilaat", "F2", "a b@example.fi", "invalid-email"),
    ("Opettajat", "B2", "liisa.example.fi", "invalid-email"),
    ("Oppilaat", "G2", "040", "invalid-phone"),
    ("Oppilaat", "G2", 401234567, "phone-as-number"),
    ("Opinnot", "D2", 0, "invalid-hours"),
    ("Opinnot", "D2", 250, "invalid-hours"),
    ("Opinnot", "D2", "paljon", "invalid-number"),
    ("Opinnot", "C2", "talvi 2024", "invalid-semester"),
    ("Todistukset", "A2", "25-1", "invalid-certificate-number"),
    ("Valmistuneet", "A2", 2019.5, "invalid-year"),
    ("Opinnot", "A2", "0099", "unknown-student"),
    ("Oppilaat", "H2", "Tuntematon Opettaja", "unknown-teacher"),
    ("Opinnot", "F2", "Tuntematon Opettaja", "unknown-teacher"),
    ("Opinnot", "B2", "Muskari 9", "unknown-study-unit"),
    ("Oppilaat", "E2", None, "missing-guardian"),
    ("Oppilaat", "F2", None, "missing-email"),
    ("Opinnot", "D2", "=10+12.5", "formula-cell"),
    ("Oppilaat", "B2", "Ai\u200bno", "hidden-characters"),
    ("Oppilaat", "B2", "Aino_x001F_", "hidden-characters"),
    ("Asetukset", "B11", "kolmesataa", "invalid-setting"),
    ("Asetukset", "B3", "1852770-9", "invalid-setting"),
    ("Asetukset", "A20", "Tuntematon asetus", "unknown-setting"),
]


@pytest.mark.parametrize("sheet,cell,value,code", ONE_BROKEN_CELL,
                         ids=[f"{c}-{s}!{r}" for s, r, _v, c in ONE_BROKEN_CELL])
def test_one_broken_cell(tmp_path, sheet, cell, value, code):
    path = build_register(tmp_path / "r.xlsx", edits={(sheet, cell): value})
    assert findings_of(path) == ([(sheet, cell, code)] if code else [])


@pytest.mark.parametrize("sheet,extra_row,cells", [
    ("Oppilaat", ["0001", "Aada", "Aalto", date(2019, 1, 1), "Huoltaja", "a@example.fi", None, None, "tauolla",
                  None, None, None, None], ("A2", "A5")),
    ("Opintokokonaisuudet", ["Bändi", "teemaopinnot", 50], ("A4", "A5")),
    ("Opettajat", ["Liisa Laulu", None], ("A2", "A4")),
    ("Todistukset", ["2025-001", None, "päättötodistus", date(2020, 1, 1), None], ("A2", "A3")),
], ids=["student-id", "study-unit", "teacher", "certificate-number"])
def test_duplicate_ids(tmp_path, sheet, extra_row, cells):
    from registers import CERTIFICATES, STUDENTS, TEACHERS, UNITS

    base = {"Oppilaat": STUDENTS, "Opintokokonaisuudet": UNITS, "Opettajat": TEACHERS, "Todistukset": CERTIFICATES}
    path = build_register(tmp_path / "r.xlsx", rows={sheet: [*base[sheet], extra_row]})
    assert findings_of(path) == [(sheet, cells[0], "duplicate-id"), (sheet, cells[1], "duplicate-id")]


def test_number_where_a_date_belongs(tmp_path):
    import openpyxl

    path = build_register(tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Oppilaat"]["D2"].value = 43500
    workbook["Oppilaat"]["D2"].number_format = "General"
    workbook.save(path)
    assert findings_of(path) == [("Oppilaat", "D2", "invalid-date")]


def test_duplicate_id_names_the_other_row(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "A4"): "0001"})
    _r, result = load_checked(path, AS_OF)
    messages = {f.cell: f.message() for f in result.findings if f.code == "duplicate-id"}
    assert "joilla se on: 4." in messages["A2"] and "joilla se on: 2." in messages["A4"]


def test_identity_code_is_never_echoed_in_full(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "M2"): "hetu 131052-308T"})
    _r, result = load_checked(path, AS_OF)
    (finding,) = result.findings
    for text in (finding.value, finding.message("fi"), finding.message("en"), str(finding.to_dict())):
        assert "131052" not in text and "308T" not in text


def test_every_mistake_in_one_run(tmp_path):
    edits = {("Oppilaat", "D2"): "31.2.2019", ("Oppilaat", "I3"): "jees", ("Opinnot", "B2"): "Muskari 9",
             ("Opinnot", "D3"): 250, ("Oppilaat", "M4"): "131052-308T", ("Opettajat", "B3"): "kalle@"}
    found = findings_of(build_register(tmp_path / "r.xlsx", edits=edits))
    assert sorted(found) == sorted([("Oppilaat", "D2", "invalid-date"), ("Oppilaat", "I3", "invalid-choice"),
                                    ("Opinnot", "B2", "unknown-study-unit"), ("Opinnot", "D3", "invalid-hours"),
                                    ("Oppilaat", "M4", "identity-code"), ("Opettajat", "B3", "invalid-email")])


def test_finding_messages_in_english(tmp_path):
    path = build_register(tmp_path / "r.xlsx", edits={("Oppilaat", "D2"): "31.2.2019"})
    _r, result = load_checked(path, AS_OF)
    assert result.findings[0].message("en").startswith('"31.2.2019" is not a date')
    assert result.findings[0].message("fi").startswith('"31.2.2019" ei ole päivämäärä')
