"""Group e-mail: the BCC list per purpose, and the unsent .eml draft."""

from __future__ import annotations

import json
import stat
from datetime import date
from email import policy
from email.parser import BytesParser, Parser

import pytest
from factories import make_tables, student, study
from hypothesis import given
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.rules.emails import address_list, build_draft, school_address

TODAY = date(2026, 11, 25)


def students(*records):
    return make_tables(students=list(records)).students


def test_registration_goes_to_active_and_on_break_families_deduplicated_case_insensitively():
    lst = address_list(students(student("0001", email="Perhe@Example.fi"),
                                student("0002", first="Eino", email="perhe@example.fi", status="tauolla"),
                                student("0003", first="Olli", email="ohi@example.fi", status="päättynyt"),
                                student("0004", first="Ella", email=None)))
    assert lst.bcc == "Perhe@Example.fi"
    assert lst.student_ids == ["0001", "0002"] and lst.without_address == ["0004"]


@pytest.mark.parametrize("purpose,kwargs,expected", [
    ("registration", {}, ["a@example.fi", "b@example.fi"]),
    ("registration", {"statuses": ["tauolla"]}, ["b@example.fi"]),
    ("registration", {"teacher": "  liisa LAULU "}, ["a@example.fi"]),
    ("all", {}, ["a@example.fi", "b@example.fi", "c@example.fi"]),
    ("all", {"statuses": ["päättynyt"]}, ["c@example.fi"]),
    ("muskari-ended", {"ask_ids": ["0003"]}, ["c@example.fi"]),
    ("muskari-ended", {}, []),
], ids=["registration", "on-break", "teacher", "all", "all-ended", "ask", "no-ask"])
def test_purposes_and_filters(purpose, kwargs, expected):
    frame = students(student("0001", email="a@example.fi"),
                     student("0002", first="B", email="b@example.fi", status="tauolla", teacher="Pekka Piano"),
                     student("0003", first="C", email="c@example.fi", status="päättynyt"))
    assert address_list(frame, purpose, **kwargs).addresses == expected


def test_an_invalid_address_is_left_out_and_reported_with_its_row():
    lst = address_list(students(student("0001", email="perhe(at)example.fi"), student("0002", first="E")))
    assert lst.addresses == ["perhe@example.fi"]
    assert [(f.sheet, f.row, f.code, f.value) for f in lst.invalid] == [("Oppilaat", 2, "invalid-email",
                                                                        "perhe(at)example.fi")]


emails = st.sampled_from(["a@example.fi", "A@EXAMPLE.FI", "b@example.fi", "bad", None, "c@koulu.fi", " c@koulu.fi"])


@given(st.lists(st.tuples(emails, st.sampled_from(["aktiivinen", "tauolla", "päättynyt"])), max_size=12))
def test_every_valid_selected_address_is_listed_once(rows):
    frame = students(*[student(f"{i:04d}", first=f"N{i}", email=e, status=s) for i, (e, s) in enumerate(rows)])
    lst = address_list(frame, "all")
    folded = [a.casefold() for a in lst.addresses]
    assert len(folded) == len(set(folded))
    wanted = {e.strip().casefold() for e, _ in rows if e and "@" in e}
    assert set(folded) == wanted
    assert len(lst.student_ids) + len(lst.without_address) + len(lst.invalid) == len(rows)


def test_the_draft_has_the_school_in_to_and_families_only_in_bcc():
    message = build_draft("koulu@example.fi", ["a@example.fi", "b@example.fi"], "Ilmoittautuminen\nBcc: x@evil.fi",
                          "Hei!\nIlmoittautukaa kevään tunneille.\n")
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(message))
    assert parsed["To"] == "koulu@example.fi" and parsed["X-Unsent"] == "1"
    assert [a.addr_spec for a in parsed["Bcc"].addresses] == ["a@example.fi", "b@example.fi"]
    assert parsed["Cc"] is None and len(parsed.get_all("Bcc")) == 1
    assert parsed["Subject"] == "Ilmoittautuminen Bcc: x@evil.fi"
    assert parsed.get_content().replace("\r\n", "\n") == "Hei!\nIlmoittautukaa kevään tunneille.\n"


def test_the_school_address_comes_from_the_setting_else_the_first_teacher():
    from workbook_schema.settings import Settings

    tables = make_tables()
    assert school_address(Settings(school_email="koulu@example.fi"), tables.teachers) == ("koulu@example.fi", "setting")
    assert school_address(Settings(), tables.teachers) == ("liisa@example.fi", "teacher:Liisa Laulu")
    assert school_address(Settings(school_email="koulu"), tables.teachers) == (None, "invalid-setting")
    assert school_address(Settings(), make_tables(teachers=[{"name": "X"}]).teachers) == (None, "none")


# --- the command ---------------------------------------------------------------------------------

@pytest.fixture
def register(tmp_path):
    tables = make_tables(
        students=[student("0001", email="aino@example.fi"),
                  student("0002", first="Eino", email="EINO@example.fi", status="tauolla"),
                  student("0003", first="Olli", email="eino@example.fi", birth=date(2018, 1, 10),
                          status="päättynyt", continues="ei"),
                  student("0004", first="Ella", email="ella@example.fi", status="päättynyt")],
        studies=[study("0003", hours=30, completed=date(2023, 5, 31))])
    return build_register(tmp_path / "rekisteri.xlsx", tables, settings={"Koulun sähköposti": "koulu@example.fi"})


def run(capsys, *argv):
    code = main([*argv, "--as-of", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_the_bcc_line(register, capsys):
    code, out, err = run(capsys, "emails", str(register))
    assert (code, out) == (0, "aino@example.fi; EINO@example.fi\n")
    assert "2 osoitetta 2 oppilaalle" in err


def test_the_command_json_for_the_ask_families(register, capsys):
    code, out, _ = run(capsys, "emails", str(register), "--purpose", "muskari-ended", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["student_ids"] == ["0003"] and data["bcc"] == "eino@example.fi"


def test_the_command_writes_a_private_draft(register, tmp_path, capsys):
    body = tmp_path / "viesti.txt"
    body.write_text("Hyvät perheet,\nilmoittautuminen on auki.\n", encoding="utf-8")
    draft = tmp_path / "luonnos.eml"
    code, out, err = run(capsys, "emails", str(register), "--eml", str(draft), "--subject", "Kevät 2027",
                         "--body-file", str(body))
    assert code == 0 and out == "" and "koulu@example.fi" in err
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    parsed = BytesParser(policy=policy.default).parsebytes(draft.read_bytes())
    recipients = [a.addr_spec for h in ("To", "Cc") for a in (parsed[h].addresses if parsed[h] else ())]
    assert recipients == ["koulu@example.fi"]
    assert [a.addr_spec for a in parsed["Bcc"].addresses] == ["aino@example.fi", "EINO@example.fi"]


def test_eml_without_subject_is_a_usage_error(register, tmp_path, capsys):
    code, _, err = run(capsys, "emails", str(register), "--eml", str(tmp_path / "x.eml"))
    assert code == 2 and "--subject" in err


def test_a_missing_body_file_is_refused(register, tmp_path, capsys):
    code, _, err = run(capsys, "emails", str(register), "--eml", str(tmp_path / "x.eml"), "--subject", "S",
                       "--body-file", str(tmp_path / "puuttuu.txt"))
    assert code == 3 and "ei löydy" in err and not (tmp_path / "x.eml").exists()


def test_an_unknown_teacher_is_refused_naming_the_teachers(register, capsys):
    code, out, err = run(capsys, "emails", str(register), "--teacher", "Ei Ole")
    assert code == 3 and out == "" and "Liisa Laulu" in err


def test_the_teacher_filter_in_the_command_ignores_case_and_spacing(register, capsys):
    code, out, _ = run(capsys, "emails", str(register), "--teacher", " liisa  laulu", "--purpose", "all",
                       "--format", "csv")
    assert code == 0 and out.splitlines() == ['"address"', '"aino@example.fi"', '"EINO@example.fi"', '"ella@example.fi"']


# --- what an address is: RFC 5322 addr-spec with the common restrictions, the same everywhere ----------------

VALID = ["aino@example.fi", "äiti@example.fi", "o'brien@example.fi", "first.last+syksy@example.fi",
         "x@koulu.example.fi", "perhe@ääkköset.fi", "a_b-c@example-koulu.fi", "=1+1@example.fi",
         "Väinö.Åkerlund@example.fi", "x@xn--kkset-fraa0m.fi"]
INVALID = ["a(b@example.fi", "x:evil@example.fi", "a,b@example.fi", "a;b@example.fi", '"a b"@example.fi',
           "a..b@example.fi", ".a@example.fi", "a.@example.fi", "a@example", "a@-koulu.fi", "a@koulu-.fi",
           "a@[192.0.2.1]", "a b@example.fi", "a@example.fi\n", "a@b@example.fi", "<a@example.fi>",
           "Aino <a@example.fi>", "a@example.f", "a@example.123", "a@example..fi", "a\u200b@example.fi",
           "a@example.fi)", "a\\b@example.fi", "a@exa_mple.fi", "@example.fi", "a@"]


@pytest.mark.parametrize("address", VALID)
def test_valid_addresses(address):
    from toolkit.rules.emails import is_valid_email

    assert is_valid_email(address)


@pytest.mark.parametrize("address", INVALID, ids=repr)
def test_invalid_addresses(address):
    from toolkit.rules.emails import is_valid_email

    assert not is_valid_email(address)


def test_check_the_forms_and_the_address_list_agree_on_every_address(tmp_path, capsys):
    """The register's check (the pandera schema), the forms import and the BCC list say the same."""
    from toolkit.jobs.check import load_checked
    from toolkit.rules.forms import plan_forms
    from toolkit.rules.forms_questions import read_questions

    addresses = VALID + [a for a in INVALID if "\n" not in a and "\u200b" not in a]   # cleaned before any check
    records = [student(f"{i:04d}", first=f"N{i}", email=a) for i, a in enumerate(addresses, start=1)]
    register = build_register(tmp_path / "rekisteri.xlsx", make_tables(students=records))
    _, result = load_checked(register, TODAY)
    flagged = {f.row for f in result.findings if f.code == "invalid-email"}
    assert flagged == {i + 1 for i, a in enumerate(addresses, start=1) if a not in VALID}
    listed = address_list(students(*records), "all")
    assert listed.addresses == VALID and len(listed.invalid) == len(addresses) - len(VALID)
    reading = read_questions(["Etunimi", "Sukunimi", "Syntymäaika", "Sähköposti", "Jatkaa ensi lukukaudella"])
    rows = [(i + 2, [f"N{i}", "Uusi", "1.3.2019", a, "kyllä"]) for i, a in enumerate(addresses)]
    plan = plan_forms(reading, rows, students(), TODAY)
    bad = {p.value for p in plan.problems if p.code == "invalid-email"}
    assert bad == set(addresses) - set(VALID)


def test_a_non_ascii_address_reaches_the_draft_as_utf8_and_a_non_ascii_domain_as_idna():
    message = build_draft("koulu@example.fi", ["äiti@example.fi", "perhe@ääkköset.fi"], "Kevät", "Hei!\n")
    data = bytes(message)
    assert "äiti@example.fi".encode() in data and b"=?utf-8?" not in data.lower()
    assert b"perhe@xn--kkset-fraa0m.fi" in data
    parsed = Parser(policy=policy.default).parsestr(data.decode("utf-8"))      # a UTF-8 (RFC 6532) message
    assert [a.addr_spec for a in parsed["Bcc"].addresses] == ["äiti@example.fi", "perhe@xn--kkset-fraa0m.fi"]
    assert parsed["Subject"] == "Kevät"


def test_the_draft_refuses_an_address_the_check_refuses():
    for address in ("a(b@example.fi", "x:evil@example.fi"):
        with pytest.raises(ValueError):
            build_draft("koulu@example.fi", [address], "Aihe", "Hei!\n")
