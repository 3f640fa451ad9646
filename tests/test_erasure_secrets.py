"""The HMAC key and the erased-ids list in the user's configuration folder."""

from __future__ import annotations

import stat
from datetime import datetime

import pytest

from toolkit.model.errors import MuskariError
from toolkit.system import secrets


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "config" / "muskari"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_key_is_created_once_private_and_stable(config):
    key = secrets.load_key()
    assert len(key) == 32
    assert secrets.key_path() == config / "avain"
    assert mode(config / "avain") == 0o600
    assert mode(config) == 0o700
    assert secrets.load_key() == key


def test_home_config_is_used_without_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert secrets.config_dir() == tmp_path / "home" / ".config" / "muskari"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/path")   # not absolute: ignored, as the spec says
    assert secrets.config_dir() == tmp_path / "home" / ".config" / "muskari"


def test_loose_permissions_are_tightened(config):
    secrets.load_key()
    (config / "avain").chmod(0o644)
    secrets.load_key()
    assert mode(config / "avain") == 0o600


def test_a_missing_key_is_a_refusal_when_not_creating():
    with pytest.raises(MuskariError) as error:
        secrets.load_key(create=False)
    assert "avainta ei löydy" in error.value.message("fi")


def test_a_broken_key_is_refused_not_replaced(config):
    config.mkdir(parents=True)
    (config / "avain").write_text("not hex\n")
    with pytest.raises(MuskariError):
        secrets.load_key()
    assert (config / "avain").read_text() == "not hex\n"


def test_hash_is_keyed_and_normalised():
    key = secrets.load_key()
    h = secrets.hash_student_id("0031", key)
    assert h == secrets.hash_student_id(" 0031 ", key) == secrets.hash_student_id("0031")
    assert h != secrets.hash_student_id("31", key)
    assert h != secrets.hash_student_id("0031", bytes(32))
    assert "0031" not in h and len(h) == 64


def test_erasures_are_appended_private_and_read_since(config):
    t1, t2 = datetime(2026, 1, 1, 10), datetime(2026, 6, 1, 12)
    secrets.record_erasures([secrets.ErasureRecord("a" * 64, "deletion-requested", "full", t1)])
    secrets.record_erasures([secrets.ErasureRecord("b" * 64, "study-window-closed", "study", t2)])
    assert mode(config / "poistetut.jsonl") == 0o600
    assert [r.hash[0] for r in secrets.read_erasures()] == ["a", "b"]
    assert [r.hash[0] for r in secrets.read_erasures(since=datetime(2026, 3, 1))] == ["b"]
    with open(config / "poistetut.jsonl", "a") as handle:
        handle.write('{"hash": "half-writ')          # a crash mid-line is skipped
    assert len(secrets.read_erasures()) == 2


def test_no_erasures_yet_is_an_empty_list():
    assert secrets.read_erasures() == []


def test_an_unwritable_configuration_folder_is_a_clear_refusal(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    with pytest.raises(MuskariError) as error:
        secrets.load_key()
    assert "asetuskansioon" in error.value.message("fi")
    with pytest.raises(MuskariError):
        secrets.record_erasures([secrets.ErasureRecord("a" * 64, "deletion-requested", "full", datetime(2026, 1, 1))])
