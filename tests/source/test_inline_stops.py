"""The inline text scan stops only where a rule can match, and that changes no token.

pubkit's parser stops markdown-it's plain-text scan at fewer characters than
markdown-it does (:func:`pubkit.source.markdown.text_rule`).  These tests
parse every example of the committed spec corpora, and random text built
from every character markdown-it stops at, with both stop sets: the token
streams (every field of every token and child) must be equal.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from markdown_it import MarkdownIt

from pubkit.source import markdown
from tests.conformance import GFM, commonmark_examples, gfm_examples, markdown_it_fixtures


def _tokens(md: MarkdownIt, text: str) -> list[dict[str, Any]]:
    return [token.as_dict() for token in md.parse(text)]


@pytest.fixture(scope="module")
def both() -> tuple[MarkdownIt, MarkdownIt]:
    """pubkit's parser, and the same configuration with markdown-it's own text rule."""
    return markdown.parser(), markdown.configured()


def _scanned(md: MarkdownIt, text: str) -> int:
    """Where the parser's text rule stops in ``text``."""
    from markdown_it.rules_inline import StateInline

    state = StateInline(text, md, {}, [])
    md.inline.ruler.getRules("")[0](state, True)
    return state.pos


def test_the_parser_scans_past_what_no_rule_starts_at(both: tuple[MarkdownIt, MarkdownIt]) -> None:
    ours, theirs = both
    assert ours.inline.ruler.getRules("")[0] is not theirs.inline.ruler.getRules("")[0]
    for ch in "-#=+$%{}>@w":  # markdown-it stops at each; no rule of ours starts there
        assert _scanned(theirs, f"ab{ch}cd") == 2
        assert _scanned(ours, f"ab{ch}cd") == 5
    for ch in "\n!&*:<[\\]^_`~":
        assert _scanned(ours, f"ab{ch}cd") == 2, ch
    assert _scanned(ours, "see www.example.org") == 4
    assert _scanned(ours, "see wwwx www.a_b") == 9
    assert _scanned(ours, "ww.x") == 4


def test_a_rule_it_does_not_know_keeps_markdown_its_text_rule() -> None:
    assert markdown.text_rule(["text", "newline", "math_inline"]) is None
    assert markdown.text_rule([]) is None
    assert markdown.text_rule(["text"]) is None  # no rule to stop for
    assert markdown.text_rule(["text", "newline"]) is not None


def _corpora() -> list[str]:
    texts = [e.markdown for e in commonmark_examples()]
    for name in ("spec.txt", "extensions.txt", "regression.txt"):
        texts += [e.markdown for e in gfm_examples(name)]
    texts += [e.markdown for e in markdown_it_fixtures(GFM / "footnote.md")]
    return texts


def test_the_spec_corpora_parse_to_the_same_tokens(both: tuple[MarkdownIt, MarkdownIt]) -> None:
    ours, theirs = both
    texts = _corpora()
    assert len(texts) > 1300
    differ = [t for t in texts if _tokens(ours, t) != _tokens(theirs, t)]
    assert not differ, differ[:3]


_PIECES = [
    "a", "w", "ww", "www.", "www.x.org", "Www.", "b w", ".", ",", " ", "  ", "\n", "\n\n", "\t",
    "-", "--", "*", "**", "_", "__", "~", "~~", "`", "``", "\\", "[", "]", "(", ")", "![", "^", "[^1]",
    "[^1]: note\n", "^[inline]", "<", ">", "<a href='x'>", "</a>", "<!-- c -->", "<http://a.b>",
    "&", "&amp;", "&#35;", ";", "#", "# ", ":", "http", "http://", "https://x.org/p?q=1", "mailto:",
    "a@b.org", "@", "=", "+", "{", "}", "$", "%", "|", "| a |\n|---|\n", "é", "ñ", "1", "1. ", "- ",
    "> ", "> [!NOTE]\n", "[a]", "[a]: /u\n", "[x](/y)", "![i](p.png)", "    ", "```\n", "'", '"',
]


def test_random_text_parses_to_the_same_tokens(both: tuple[MarkdownIt, MarkdownIt]) -> None:
    ours, theirs = both
    rng = random.Random(11)
    differ = []
    for _ in range(6000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 40)))
        if _tokens(ours, text) != _tokens(theirs, text):
            differ.append(text)
    assert not differ, differ[:3]


def test_articles_convert_to_the_same_tree(both: tuple[MarkdownIt, MarkdownIt]) -> None:
    """End to end through the converter, on prose with every kind of stop removed."""
    ours, theirs = both
    text = ("Follow-up care: see www.clinic.example, or https://clinic.example/a-b. "
            "We'll call 2 + 2 = 4 $5 50% {x} #1 > a@b.org ~~old~~ *new* [link](/p) w/o [^n].\n\n"
            "[^n]: A note.\n")
    assert _tokens(ours, text) == _tokens(theirs, text)
    assert any(t["type"] == "inline" and any(c["type"] == "link_open" and dict(c["attrs"])["href"]
                                              == "http://www.clinic.example" for c in t["children"])
               for t in _tokens(ours, text))


def test_normalize_gives_markdown_its_text() -> None:
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_core.normalize import normalize as theirs

    md = markdown.configured()
    rng = random.Random(5)
    texts = ["", "a\r\nb", "\r\r\n\n\r", "x\0y\r", "\r\n\0\r\r\n", "plain\ntext\n"]
    texts += ["".join(rng.choice("ab \r\n\0\t") for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    for text in texts:
        ours, other = StateCore(text, md, {}), StateCore(text, md, {})
        markdown.normalize(ours)
        theirs(other)
        assert ours.src == other.src, repr(text)
    assert markdown.parser().core.ruler.__rules__[0].fn is markdown.normalize
