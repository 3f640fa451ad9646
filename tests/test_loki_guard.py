"""Loki never takes personal data, and never mistakes a keyed hash for an identity code."""

import hashlib

import pytest

from toolkit.xlsx.safe_write import RegisterChange


@pytest.mark.parametrize("i", range(200))
def test_hex_hashes_are_not_identity_codes(i):
    digest = hashlib.sha256(str(i).encode()).hexdigest()
    RegisterChange().log("purge", f"poistettu 1 oppilas; tunniste {digest} {digest.upper()}")


@pytest.mark.parametrize("text", ["131052-308T", "hetu 010594Y9032", "131052\u2013308T", "aino@example.fi"])
def test_personal_data_is_refused(text):
    with pytest.raises(ValueError):
        RegisterChange().log("purge", text)
