"""Rules tried only where they can start (:mod:`pubkit.source.dispatch`) change no token.

The spec corpora are compared in ``test_inline_stops.py`` (pubkit's parser against
the same configuration with markdown-it's own tokenizers).  Here: random block
structure, nested and indented; rules changed after the tokenizers were installed;
and rules the tables do not know.
"""

from __future__ import annotations

import random
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline

from pubkit.source import dispatch, markdown


def _tokens(md: MarkdownIt, text: str) -> list[dict[str, Any]]:
    return [token.as_dict() for token in md.parse(text)]


def _ours() -> MarkdownIt:
    """A parser of pubkit's configuration with this module's tokenizers, of its own."""
    md = markdown.configured()
    assert dispatch.install(md, markdown._pending_adder()) == ["block", "inline"]
    return md


def test_pubkits_parser_has_both_tokenizers() -> None:
    md, theirs = markdown.parser(), markdown.configured()
    for parser in (md.block, md.inline):
        assert vars(parser)["tokenize"].__module__ == "pubkit.source.dispatch"
    assert "tokenize" not in vars(theirs.block) and "tokenize" not in vars(theirs.inline)
    assert type(theirs.block).tokenize is ParserBlock.tokenize
    assert type(theirs.inline).tokenize is ParserInline.tokenize


# Line starts: every character a block rule starts at, indents of 0 to 5 columns and tabs,
# quote and list markers that nest, a table's delimiter rows, and plain text.
_STARTS = ["", " ", "  ", "   ", "    ", "     ", "\t", " \t", "> ", ">", "> > ", "- ", "* ", "+ ", "1. ",
           "2) ", "10. ", "-", "*", "#", "# ", "###### ", "####### ", "```", "~~~", "``` py", "***",
           "- - -", "___", "---", "===", "<div>", "<!-- ", "<p>", "</div>", "[a]: /u", "[^1]: ",
           "[^1]:", "|", "| a | b |", "|---|---|", "--- | ---", ":-:", "-:|", "a | b", "[!NOTE]",
           "- [ ] ", "- [x] ", "1.", "<http://a.b>"]
_WORDS = ["a", "text", "*em*", "`c`", "|", " | ", "---", "b  ", "\\", "<b>", "[l](/u)", "[a]", "x"]


def _random_block_text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 14)):
        if rng.random() < 0.15:
            lines.append("")
            continue
        start = "".join(rng.choice(_STARTS) for _ in range(rng.randint(1, 3)))
        lines.append(start + "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 3))))
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def test_random_blocks_give_the_same_tokens() -> None:
    ours, theirs = markdown.parser(), markdown.configured()
    rng = random.Random(29)
    differ = []
    texts = [_random_block_text(rng) for _ in range(8000)]
    for text in texts:
        if _tokens(ours, text) != _tokens(theirs, text):
            differ.append(text)
    assert not differ, differ[:3]
    # the texts reached every kind of block
    kinds = {t["type"] for text in texts[:2000] for t in _tokens(theirs, text)}
    assert {"table_open", "code_block", "fence", "blockquote_open", "hr", "bullet_list_open",
            "ordered_list_open", "footnote_block_open", "html_block", "heading_open",
            "paragraph_open"} <= kinds


def test_a_rule_changed_afterwards_is_followed() -> None:
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n# Title\n\n> quote\n\n*em* ~~s~~\n"
    ours, theirs = _ours(), markdown.configured()
    assert _tokens(ours, text) == _tokens(theirs, text)
    for md in (ours, theirs):
        md.disable(["table", "heading", "strikethrough"])
    assert _tokens(ours, text) == _tokens(theirs, text)
    assert "table_open" not in {t["type"] for t in _tokens(ours, text)}
    for md in (ours, theirs):
        md.enable(["table", "heading", "strikethrough"])
    assert _tokens(ours, text) == _tokens(theirs, text)
    assert "table_open" in {t["type"] for t in _tokens(ours, text)}


def _shout(state: Any, start: int, end: int, silent: bool) -> bool:
    """A block rule the tables do not know: a line "!!!" is a horizontal rule."""
    pos = state.bMarks[start] + state.tShift[start]
    if state.src[pos:state.eMarks[start]] != "!!!":
        return False
    if not silent:
        state.push("hr", "hr", 0).map = [start, start + 1]
    state.line = start + 1
    return True


def _bang(state: Any, silent: bool) -> bool:
    """An inline rule the tables do not know: "%" becomes a line break."""
    if state.src[state.pos] != "%":
        return False
    if not silent:
        state.push("softbreak", "br", 0)
    state.pos += 1
    return True


def test_a_rule_it_does_not_know_keeps_markdown_its_tokenizer() -> None:
    md = markdown.configured()
    md.block.ruler.before("paragraph", "shout", _shout)
    md.inline.ruler.push("bang", _bang)
    assert dispatch.block_tokenizer(md) is None
    assert dispatch.inline_tokenizer(md, markdown._pending_adder()) is None
    assert dispatch.install(md, markdown._pending_adder()) == []


def test_a_rule_it_does_not_know_added_afterwards_is_tried() -> None:
    text = "a\n!!!\nb % c\n\n- x\n  !!!\n"
    ours, theirs = _ours(), markdown.configured()
    for md in (ours, theirs):
        md.block.ruler.before("paragraph", "shout", _shout, {"alt": ["paragraph"]})
        md.inline.ruler.push("bang", _bang)
    assert _tokens(ours, text) == _tokens(theirs, text)
    types = [t["type"] for t in _tokens(ours, text)]
    assert types.count("hr") == 2
    assert any(c["type"] == "softbreak" for t in _tokens(ours, text) for c in t["children"] or [])
