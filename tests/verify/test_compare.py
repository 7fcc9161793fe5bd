"""Matching items against a format's text: words, boundaries, order."""

from __future__ import annotations

from pubkit.verify.compare import Haystack, missing_items, words
from pubkit.verify.expected import Item


def item(text: str, *pieces: str) -> Item:
    return Item("paragraph", 3, text, pieces or (text,))


def test_words_are_letter_and_digit_runs_folded() -> None:
    assert words("COVID-19 ﬁne, Straße") == ["covid", "19", "fine", "strasse"]
    assert words("pain1.") == ["pain", "1"]


def test_a_piece_starts_and_ends_on_word_boundaries() -> None:
    hay = Haystack("Painful knees need rest.")
    assert hay.find("pain") == -1
    assert hay.find("painful") == 0
    assert hay.find("kneesneed") == len("painful")


def test_hyphenation_line_breaks_and_ligatures_do_not_matter() -> None:
    text = "the manage-\nment of chronic pain is dif\u00adﬁcult\r\nfor patients"
    assert missing_items([item("The management of chronic pain is difficult for patients.")], text) == []


def test_a_changed_or_dropped_word_is_missing() -> None:
    text = "Rest the knee for two days. Use an ice pack."
    wanted = [item("Rest the knee for two days."), item("Use an ice pack.")]
    assert missing_items(wanted, text) == []
    assert missing_items(wanted, text.replace("two", "three")) == [wanted[0]]
    assert missing_items(wanted, "Rest the knee for two days.") == [wanted[1]]


def test_each_piece_is_looked_for_whole_so_a_footnote_number_between_them_is_fine() -> None:
    para = item("Ask your nurse. Then rest.", "Ask your nurse.", " Then rest.")
    assert missing_items([para], "Ask your nurse.1 Then rest.") == []
    assert missing_items([item("Ask your nurse. Then rest.")], "Ask your nurse.1 Then rest.") != []


def test_items_found_out_of_order_still_count() -> None:
    disclaimer, body = item("Not medical advice."), item("Rest the knee.")
    assert missing_items([body, disclaimer], "Not medical advice. Rest the knee.") == []
