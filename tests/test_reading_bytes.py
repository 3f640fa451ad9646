"""A register read from bytes in memory (a dry run's preview of a change) is read exactly as the same bytes on
disk would be, touches no file, and can never be written back: its fingerprint matches no file."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from toolkit.model.errors import RegisterChanged
from toolkit.office.new_workbook import save_new, workbook_from_records
from toolkit.xlsx.reading import read_register
from toolkit.xlsx.safe_write import RegisterChange, preview_changes, write_changes

NOW = datetime(2026, 11, 25, 9, 30)


@pytest.fixture
def register(tmp_path):
    records = {"Oppilaat": [{"student_id": "0007", "first_name": "Aino", "last_name": "Virtanen",
                             "birth_date": date(2019, 3, 1), "status": "aktiivinen", "guardian": "Maija Virtanen"}],
               "Opintokokonaisuudet": [{"name": "Muskari 1", "part": "varhaisiän musiikkikasvatus", "extent": 30}]}
    workbook = workbook_from_records(records, {"Paikkakunta": "Espoo"})
    workbook["Oppilaat"]["M2"] = "=1+1"                   # a formula, found in the package XML
    workbook["Oppilaat"].row_dimensions[2].hidden = True  # a hidden row, the same
    path = tmp_path / "rekisteri.xlsx"
    save_new(workbook, path)
    return path


def same(a, b) -> None:
    assert a.sheet_names == b.sheet_names
    for name in a.sheet_names:
        x, y = a.sheets[name], b.sheets[name]
        assert (x.rows, x.header_row, x.columns, x.extra_columns, x.formulas, x.hidden_rows, x.merged) == \
               (y.rows, y.header_row, y.columns, y.extra_columns, y.formulas, y.hidden_rows, y.merged), name


def test_bytes_read_like_the_file(register):
    from_disk = read_register(register)
    from_bytes = read_register(register, data=register.read_bytes())
    same(from_disk, from_bytes)
    assert from_bytes.sheets["Oppilaat"].formulas == {"M2": "=1+1"} and 2 in from_bytes.sheets["Oppilaat"].hidden_rows
    assert from_bytes.path == register


def test_a_preview_reads_as_the_written_register_would(register, tmp_path):
    change = RegisterChange().update("Oppilaat", 2, "Sähköposti", "uusi@example.fi")
    change.append("Oppilaat", {"Oppilasnumero": "0008", "Etunimi": "Eino", "Sukunimi": "Korhonen",
                               "Syntymäaika": date(2020, 1, 2), "Tila": "aktiivinen"})
    preview = preview_changes(register, change, NOW)
    seen = read_register(register, data=preview)
    write_changes(register, change, expected=read_register(register).fingerprint, now=NOW)
    same(seen, read_register(register))
    assert seen.sheets["Oppilaat"].rows[2][0] == "0008"


def test_previews_chain_on_bytes_without_touching_the_file(register):
    before = register.read_bytes()
    first = preview_changes(register, RegisterChange().update("Oppilaat", 2, "Puhelin", "040 123 4567"), NOW)
    second = preview_changes(register, RegisterChange().update("Oppilaat", 2, "Huoltaja", "Matti Virtanen"), NOW,
                             original=first)
    row = read_register(register, data=second).sheets["Oppilaat"].rows[1]
    assert "040 123 4567" in row and "Matti Virtanen" in row
    assert register.read_bytes() == before


def test_bytes_need_no_file_at_the_path(register, tmp_path):
    data = register.read_bytes()
    elsewhere = tmp_path / "ei ole" / "rekisteri.xlsx"
    same(read_register(elsewhere, data=data), read_register(register))


def test_a_register_read_from_bytes_can_never_be_written(register):
    read = read_register(register, data=register.read_bytes())
    assert read.fingerprint != read_register(register).fingerprint
    with pytest.raises(RegisterChanged):
        write_changes(register, RegisterChange().update("Oppilaat", 2, "Puhelin", "040 1"), expected=read.fingerprint,
                      now=NOW)
