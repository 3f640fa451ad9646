"""Scrub needles: whole words, case-folded NFC, any of many strings in one pass."""

import unicodedata

import pytest

from toolkit.xlsx.scrub import Needles


@pytest.mark.parametrize("text,hit", [
    ("Eino Virta soitti", True), ("EINO VIRTA", True), ("Eino Virtanen", False), ("xEino Virta", False),
    ("aino@example.fi;", True), ("maino@example.fi", False), (unicodedata.normalize("NFD", "Äijälä Ääni"), True),
    ("1.3.2019", True), ("11.3.2019", False), ("", False), (None, False),
    ("Soita Eino Virtan äidille", True), ("EINO VIRTA:lle", True), ("aino@example.fin", False),
])
def test_whole_words_of_any_needle(text, hit):
    needles = Needles(["Eino Virta", "aino@example.fi", "Äijälä Ääni", "1.3.2019"])
    assert needles.in_text(text) is hit


def test_a_longer_needle_that_fails_the_word_boundary_falls_back_to_a_shorter_one():
    needles = Needles(["Virta", "Virtanen Oy"])
    assert needles.in_text("Virtanen Oy:n Virta")           # "Virta" at the end is a whole word
    assert not Needles(["Virtanen Oy"]).in_text("Virtanen Oyj")


def test_no_needles_never_hit():
    assert not Needles(["", "  "]).in_text("mitä tahansa")
