"""Access requests: every row on the person, nothing about anyone else, art. 15 information, mode 0600."""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from factories import certificate, contact, graduate, make_tables, student, study
from hypothesis import given
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.model.dates import add_months
from toolkit.model.errors import Refused
from toolkit.model.messages import say
from toolkit.rules.access_request import collect_answer, due_date

AS_OF = "2026-03-01"


# --- the people -----------------------------------------------------------------------------------

AINO = student(id="0001", first="Aino", last="Virtanen", birth=date(2019, 3, 1), email="virtaset@example.fi",
               phone="040 111 2222", guardian="Maija Virtanen", teacher="Liisa Laulu")
ONNI = student(id="0002", first="Onni", last="Virtanen", birth=date(2017, 5, 9), email="VIRTASET@example.fi",
               phone="040 111 2222", guardian="Maija Virtanen", teacher="Pekka Piano")
OTHERS = [
    student(id="0003", first="Eeva", last="Korhonen", birth=date(2018, 8, 8), email="korhoset@example.fi",
            phone="050 333 4444", guardian="Kalle Korhonen", teacher="Liisa Laulu"),
    student(id="0004", first="Veikko", last="Mäkinen", birth=date(2012, 1, 20), email="makiset@example.fi",
            phone="044 555 6666", guardian="Sanna Mäkinen", teacher="Pekka Piano", notes="Soittaa myös kitaraa"),
]
OTHER_CONTACT = contact(name="Hilkka Heinonen", email="hilkka@example.fi", phone="045 777 8888",
                        collected=date(2026, 1, 10))
TEACHERS = [{"name": "Liisa Laulu", "email": "liisa@example.fi"}, {"name": "Pekka Piano", "email": "pekka@example.fi"}]


def school_tables():
    return make_tables(
        students=[AINO, ONNI, *OTHERS],
        teachers=TEACHERS,
        studies=[study("0001", "Muskari 1", 30, date(2023, 5, 31), teacher="Liisa Laulu"),
                 study("0001", "Muskari 2", 32, date(2024, 5, 31), teacher="Liisa Laulu"),
                 study("0002", "Soitin 1", 100, date(2024, 12, 15), teacher="Pekka Piano"),
                 study("0003", "Muskari 1", 30, date(2023, 5, 31), teacher="Liisa Laulu"),
                 study("0004", "Soitin 1", 100, date(2022, 12, 15), teacher="Pekka Piano"),
                 study("0004", "Bändi", 40, date(2023, 5, 15), teacher="Pekka Piano")],
        certificates=[certificate("2025-001", "0001", "muskaritodistus", date(2025, 6, 1),
                                  file="todistukset/2025-001.docx"),
                      certificate("2025-002", "0003", "muskaritodistus", date(2025, 6, 1),
                                  file="todistukset/2025-002.docx"),
                      certificate("2024-001", None, "muskaritodistus", date(2024, 6, 1))],
        graduates=[graduate(2025, "Aino Virtanen", number="2025-001"),
                   graduate(2025, "Eeva Korhonen", number="2025-002"),
                   graduate(2024, "valmistunut oppilas", number=None)],
        contacts=[contact(name="Maija Virtanen", email="Virtaset@Example.fi", collected=date(2026, 2, 1),
                          purpose="kevätkonsertti"), OTHER_CONTACT],
    )


def other_people_values() -> list[str]:
    """Every value that identifies someone other than the Virtanen family."""
    values = []
    for s in OTHERS:
        values += [s["first_name"], s["last_name"], s["email"], s["phone"], s["guardian"], s["student_id"],
                   f"{s['birth_date'].day}.{s['birth_date'].month}.{s['birth_date'].year}"]
    values += ["Soittaa myös kitaraa", "2025-002", "Hilkka", "Heinonen", "hilkka@example.fi", "045 777 8888"]
    return values


def package_text(path: Path) -> str:
    """All text of every XML part of a .docx/.xlsx, tags removed, entities decoded, NFC."""
    parts = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                xml = zf.read(name).decode("utf-8")
                parts.append(unescape(re.sub(r"<[^>]+>", " ", xml)))
                parts.append(unescape(" ".join(re.findall(r'="([^"]*)"', xml))))
    return unicodedata.normalize("NFC", " ".join(parts))


def leaks(text: str, values: list[str]) -> list[str]:
    """The values found in ``text`` as whole words (case-folded; any spacing inside a value)."""
    folded = text.casefold()

    def pattern(value: str) -> str:
        return r"(?<!\w)" + r"\s*".join(re.escape(part) for part in value.casefold().split()) + r"(?!\w)"

    return [v for v in values if re.search(pattern(v), folded)]


@pytest.fixture
def register(tmp_path) -> Path:
    path = build_register(tmp_path / "rekisteri.xlsx", school_tables(),
                          extra={"Oppilaat": ("Oma huomio", ["tuo nuotit", None, "istuu eturivissä", None])})
    (tmp_path / "todistukset").mkdir()
    (tmp_path / "todistukset" / "2025-001.docx").write_bytes(b"synthetic")
    return path


# --- collecting: the pure part ----------------------------------------------------------------------

def test_student_answer_holds_every_row_of_the_student_and_nothing_else():
    answer = collect_answer(school_tables(), received=date(2026, 3, 1), student_id="0001")
    rows = {s.sheet: s.excel_rows for s in answer.sections}
    assert rows == {"Oppilaat": [2], "Opinnot": [2, 3], "Todistukset": [2], "Valmistuneet": [2],
                    "Yhteydenotot": [2]}
    assert answer.people == ["Aino Virtanen"]
    assert answer.teachers == ["Liisa Laulu"]
    assert [d.path for d in answer.documents] == ["todistukset/2025-001.docx"]


def test_email_finds_every_student_with_the_address_case_insensitively_and_the_contacts():
    answer = collect_answer(school_tables(), received=date(2026, 3, 1), email=" virtaset@EXAMPLE.fi ")
    rows = {s.sheet: s.excel_rows for s in answer.sections}
    assert rows["Oppilaat"] == [2, 3]
    assert rows["Opinnot"] == [2, 3, 4]
    assert rows["Yhteydenotot"] == [2]
    assert answer.people == ["Aino Virtanen", "Onni Virtanen"]
    assert answer.teachers == ["Liisa Laulu", "Pekka Piano"]


def test_email_matching_no_one_gives_an_answer_without_rows():
    answer = collect_answer(school_tables(), received=date(2026, 3, 1), email="tuntematon@example.fi")
    assert answer.sections == [] and answer.people == []


def test_email_of_a_marketing_contact_only_finds_the_contact():
    answer = collect_answer(school_tables(), received=date(2026, 3, 1), email="HILKKA@example.fi")
    assert [(s.sheet, s.excel_rows) for s in answer.sections] == [("Yhteydenotot", [3])]
    assert answer.people == [] and answer.teachers == []
    assert [say(code) for code in answer.categories] == [
        "markkinointi- ja tiedotusyhteystiedot: nimi, sähköposti, puhelin, keräyspäivä ja tarkoitus"]


def test_unknown_student_id_is_refused_not_answered_with_nothing():
    with pytest.raises(Refused, match="0099"):
        collect_answer(school_tables(), received=date(2026, 3, 1), student_id="0099")


def test_graduate_row_of_a_namesake_with_another_certificate_is_not_theirs():
    tables = make_tables(students=[student(id="0001", first="Aino", last="Virtanen"),
                                   student(id="0002", first="Aino", last="Virtanen", email="toinen@example.fi")],
                         certificates=[certificate("2025-001", "0001"), certificate("2025-002", "0002")],
                         graduates=[graduate(name="Aino Virtanen", number="2025-001"),
                                    graduate(name="Aino Virtanen", number="2025-002"),
                                    graduate(name="Aino Virtanen", number=None)])
    answer = collect_answer(tables, received=date(2026, 3, 1), student_id="0001")
    assert answer.section("Valmistuneet").excel_rows == [2, 4]


@pytest.mark.parametrize("received, due", [
    (date(2026, 3, 1), date(2026, 4, 1)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2028, 1, 31), date(2028, 2, 29)),
    (date(2026, 12, 15), date(2027, 1, 15)),
    (date(2026, 3, 31), date(2026, 4, 30)),
], ids=["plain", "short-february", "leap-february", "year-end", "30-day-month"])
def test_due_date_is_one_calendar_month_after_receipt(received, due):
    assert due_date(received) == due


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 60))
def test_add_months_lands_in_the_right_month_and_never_overshoots(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day


def test_retention_comes_from_the_settings():
    from workbook_schema.settings import Settings

    tables = school_tables()
    tables.settings = Settings(marketing_months=3, backup_days=30, study_age_limit=22)
    answer = collect_answer(tables, received=date(2026, 3, 1), student_id="0001")
    text = " ".join(say(line) for line in answer.retention)
    assert "3 kuukautta" in text and "30 päivää" in text and "22 vuotta" in text
    assert "1.3.2041" in text          # Aino (born 1.3.2019) turns 22
    assert "1.5.2026" in text          # the contact collected 1.2.2026 + 3 months


# --- the command, end to end ---------------------------------------------------------------------

def run_cli(*argv: str) -> int:
    return main(["access-request", *argv, "--as-of", AS_OF])


def test_docx_answer_has_the_persons_data_and_no_one_elses(register, tmp_path):
    out = tmp_path / "vastaus.docx"
    assert run_cli(str(register), "--student", "0001", "--out", str(out), "--received", "2026-02-20") == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = package_text(out)
    for value in ["Aino", "Virtanen", "1.3.2019", "virtaset@example.fi", "040 111 2222", "Maija Virtanen",
                  "Muskari 2", "2025-001", "todistukset/2025-001.docx", "tuo nuotit", "kevätkonsertti",
                  "Liisa Laulu", "20.3.2026", "Tietosuojavaltuutet", "oikaisemista", "poistamista",
                  "rajoittamista", "vastustaa", "Mistä tiedot on saatu", "90 päivää", "6 kuukautta"]:
        assert value in text, value
    assert leaks(text, other_people_values() + ["Onni", "Pekka Piano", "istuu eturivissä"]) == []


def test_email_answer_in_xlsx_and_docx_leaks_no_one_else(register, tmp_path):
    out = tmp_path / "vastaus.xlsx"
    assert run_cli(str(register), "--email", "VIRTASET@example.fi", "--out", str(out)) == 0
    for path in (out, out.with_suffix(".docx")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = package_text(path)
        assert "Onni" in text and "Aino" in text and "Pekka Piano" in text
        assert leaks(text, other_people_values() + ["istuu eturivissä"]) == []


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    from openpyxl import load_workbook

    tables = make_tables(students=[student(notes="=HYPERLINK(\"http://x\")", guardian="+358 huoltaja")],
                         studies=[study()])
    path = build_register(tmp_path / "r.xlsx", tables)
    out = tmp_path / "v.xlsx"
    assert run_cli(str(path), "--student", "0001", "--out", str(out)) == 0
    wb = load_workbook(out)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any(c.value == "=HYPERLINK(\"http://x\")" for c in cells)
    with zipfile.ZipFile(out) as zf:
        assert not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in zf.namelist() if n.endswith(".xml"))


def test_existing_answer_is_not_overwritten_without_force(register, tmp_path, capsys):
    out = tmp_path / "vastaus.docx"
    out.write_bytes(b"old")
    assert run_cli(str(register), "--student", "0001", "--out", str(out)) == 3
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"old"
    assert run_cli(str(register), "--student", "0001", "--out", str(out), "--force") == 0
    assert zipfile.is_zipfile(out)


@pytest.mark.parametrize("argv, code, words", [
    (["--student", "0099", "--out", "v.docx"], 3, "0099"),
    (["--student", "0001", "--out", "v.pdf"], 3, ".docx"),
    (["--out", "v.docx"], 2, "--student"),
    (["--student", "0001", "--email", "a@example.fi", "--out", "v.docx"], 2, "ei käy yhdessä"),
], ids=["unknown-id", "bad-suffix", "no-person", "both"])
def test_usage_and_refusals(register, tmp_path, capsys, monkeypatch, argv, code, words):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if code == 2 else _nothing() as caught:
        result = run_cli(str(register), *argv)
    assert (caught.value.code if code == 2 else result) == code
    assert words in capsys.readouterr().err
    assert not (tmp_path / "v.docx").exists()


class _nothing:
    value = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_register_with_errors_is_refused_with_exit_1(tmp_path, capsys):
    tables = make_tables(students=[student(email="ei-osoite")], studies=[study()])
    path = build_register(tmp_path / "r.xlsx", tables)
    assert run_cli(str(path), "--student", "0001", "--out", str(tmp_path / "v.docx")) == 1
    assert "invalid-email" in capsys.readouterr().out
    assert not (tmp_path / "v.docx").exists()


def test_document_says_which_issued_documents_are_still_on_disk(register, tmp_path):
    tables_out = tmp_path / "v.docx"
    assert run_cli(str(register), "--email", "virtaset@example.fi", "--out", str(tables_out)) == 0
    assert "tiedosto on tallessa" in package_text(tables_out)
    (tmp_path / "todistukset" / "2025-001.docx").unlink()
    assert run_cli(str(register), "--email", "virtaset@example.fi", "--out", str(tables_out), "--force") == 0
    assert "tiedostoa ei enää ole" in package_text(tables_out)


# --- properties ------------------------------------------------------------------------------------

_ids = st.integers(1, 30).map(lambda n: f"{n:04d}")
_families = st.sampled_from(["a@example.fi", "B@example.fi", "b@EXAMPLE.fi", "c@example.fi", None])


@st.composite
def registers(draw):
    ids = draw(st.lists(_ids, min_size=1, max_size=8, unique=True))
    students = [student(id=i, first=f"Etu{i}", last=f"Suku{i}", email=draw(_families)) for i in ids]
    studies = [study(draw(st.sampled_from(ids)), "Soitin 1", 10) for _ in range(draw(st.integers(0, 12)))]
    certs = [certificate(f"2025-{n:03d}", draw(st.sampled_from([*ids, None]))) for n in range(draw(st.integers(0, 5)))]
    contacts = [contact(name=None, email=draw(_families)) for _ in range(draw(st.integers(0, 4)))]
    return make_tables(students=students, studies=studies, certificates=certs, contacts=contacts), ids


@given(registers(), st.data())
def test_an_answer_holds_exactly_the_persons_rows(drawn, data):
    tables, ids = drawn
    sid = data.draw(st.sampled_from(ids))
    answer = collect_answer(tables, received=date(2026, 3, 1), student_id=sid)

    def rows_of(frame, column, test):
        return [int(r) for r, v in zip(frame["row"], frame[column], strict=True) if test(v)]

    expected = {"Oppilaat": rows_of(tables.students, "student_id", lambda v: v == sid),
                "Opinnot": rows_of(tables.studies, "student_id", lambda v: v == sid),
                "Todistukset": rows_of(tables.certificates, "student_id", lambda v: v == sid)}
    email = tables.students.loc[tables.students["student_id"] == sid, "email"].iloc[0]
    expected["Yhteydenotot"] = rows_of(tables.contacts, "email",
                                       lambda v: email is not None and v is not None and v.casefold() == email.casefold())
    got = {s.sheet: s.excel_rows for s in answer.sections}
    assert {k: got.get(k, []) for k in expected} == expected
    others = [s for s in ids if s != sid]
    shown = " ".join(" ".join(row) for s in answer.sections for row in s.rows)
    assert leaks(shown, [f"Etu{o}" for o in others]) == []


# --- golden text and a real client ------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "access_request.txt"


def docx_text(path: Path) -> str:
    """Paragraphs and table cells in document order, one per line (what the family reads)."""
    from docx import Document

    doc = Document(str(path))
    lines = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = ["".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                             for cell in row if cell.tag.endswith("}tc")]
                    lines.append(" | ".join(cells))
    return "\n".join(lines) + "\n"


def test_golden_answer_text(register, tmp_path):
    import os

    out = tmp_path / "vastaus.docx"
    assert run_cli(str(register), "--student", "0001", "--out", str(out), "--received", "2026-02-20") == 0
    text = docx_text(out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_answer_is_written_in_the_command_s_language(register, tmp_path, capsys):
    """--lang en writes the answer in English (for a family who reads English), every fixed sentence translated;
    the register's own words (sheets, headers, values) stay as the register writes them."""
    out = tmp_path / "answer.xlsx"
    assert run_cli(str(register), "--student", "0001", "--out", str(out), "--received", "2026-02-20",
                   "--lang", "en") == 0
    text = docx_text(out.with_suffix(".docx"))
    assert "answer to an access request" in text and "Your rights" in text and "Retention periods" in text
    assert "The right to have your data erased (Article 17)." in text and "Sheet Oppilaat (1 row)" in text
    finnish = GOLDEN.read_text(encoding="utf-8")
    for line in ("Oikeutesi", "Säilytysajat", "Vastaus on annettava viimeistään", "Tietoja ei luovuteta"):
        assert line in finnish and line not in text
    import openpyxl

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "Answer" and workbook.properties.title == "Answer to an access request"
    assert "Wrote" in capsys.readouterr().out


@pytest.mark.libreoffice
def test_answer_opens_in_libreoffice(register, tmp_path, soffice):
    import shutil

    from office import pdf_text, to_pdf

    out = tmp_path / "vastaus.docx"
    assert run_cli(str(register), "--email", "virtaset@example.fi", "--out", str(out)) == 0
    pdf = to_pdf([out], tmp_path / "pdf")[out]          # fails naming LibreOffice's output if there is none
    if shutil.which("pdftotext"):
        text = pdf_text(pdf, layout=True)
        assert "vastaus tarkastuspyyntöön" in text and "Onni" in text and "Tietosuojavaltuutetun" in text
        assert leaks(text, other_people_values()) == []
