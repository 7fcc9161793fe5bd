"""Plain-text views of the tree: the word count's shortcut against its definition."""

from __future__ import annotations

import random

import pytest

from pubkit.model.text import _WORD, count_words


@pytest.mark.parametrize(("text", "words"), [
    ("", 0),
    ("one", 1),
    ("we'll see", 2),
    ("rock ’n’ roll", 3),  # an apostrophe with a space beside it joins nothing
    ("a'b'c", 1),
    ("a''b", 2),  # two apostrophes do not join
    ("'quoted'", 1),
    ("follow-up", 2),  # hyphens split (the reading level's own words keep them)
    ("niño año", 2),
    ("2025 e.g.", 3),
])
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_count_words_is_the_number_of_word_matches() -> None:
    """Runs less joins equals the matches, on text made of the characters that decide it."""
    pieces = ["a", "é", "ñ", "İ", "ß", "1", "٣", "_", "\u0301", " ", "\n", "'", "’", "-", ".", "x'", "'y"]
    rng = random.Random(11)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert count_words(text) == len(_WORD.findall(text)), text
