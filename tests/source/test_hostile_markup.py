"""Markup written to exhaust the parser: refused with its line, or parsed in linear time.

Two classes of input, each tested as a class rather than by one case:

- **depth**: emphasis, strikethrough and raw HTML have no nesting limit of
  their own, and every walk of the tree recurses once a level.  Anything
  deeper than the limits is refused with ``path:line: message``; anything
  prose really uses is not.
- **work per character**: a rule that rereads the rest of the paragraph (or
  all the text before it) at each occurrence of a character costs the square
  of the paragraph's length.  These tests count the work instead of timing it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest

from pubkit import sanitize
from pubkit.diagnostics import SourceError
from pubkit.model import nodes as n
from pubkit.source import markdown
from pubkit.source.reader import parse_article

P = "content/deep.md"
HEAD = "---\ntitle: Deep\n---\n\nA first paragraph.\n\n"
"""Front matter and a paragraph: the hostile block starts on line 7."""


def _depth(blocks: list[Any]) -> int:
    def walk(node: Any) -> int:
        kids = [c for name in ("children", "items", "blocks") for c in (getattr(node, name, None) or [])]
        return 1 + max((walk(k) for k in kids), default=0)

    return max((walk(b) for b in blocks), default=0)


DEEP = {
    "stars": "*" * 3000 + "a" + "*" * 3000,
    "underscores": "_" * 3000 + "a" + "_" * 3000,
    "strong and em mixed": "***" * 1000 + "a" + "***" * 1000,
    "tildes": "~~a " * 1000 + "b" + " c~~" * 1000,
    "one tilde": "~a " * 1000 + "b" + " c~" * 1000,
    "inside a quote and a list": "> - " + "**" * 500 + "a" + "**" * 500,
    "inside a link label": "[" + "*" * 2000 + "a" + "*" * 2000 + "](/x)",
    "inside a table cell": "| a |\n|---|\n| " + "**" * 500 + "a" + "**" * 500 + " |",  # line 9
    "inside an inline footnote": "Text\nand^[" + "*" * 2000 + "a" + "*" * 2000 + "]",
    "html divs": "<div>" * 30000,
    "html spans in a block": "<div>" + "<span>" * 5000 + "x",
    "html mixed, never closed": "<section>" + "<div><em><blockquote>" * 2000,
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
def test_markup_nested_past_the_limits_is_refused_with_its_line(body: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_article((HEAD + body + "\n").encode(), P)
    d = info.value.diagnostic
    assert (d.path, d.line) == (P, 9 if "|---|" in body else 7), str(d)
    assert re.search(r"nested more than \d+ levels deep", d.message), d.message
    assert "HTML" in d.message if body.startswith("<") else "emphasis" in d.message


def test_a_deep_paragraph_of_a_newsletter_intro_is_refused_too(tmp_path: Any) -> None:
    from pubkit.source.reader import parse_body

    with pytest.raises(SourceError) as info:
        parse_body("Hello.\n\n" + "*" * 500 + "a" + "*" * 500 + "\n", 5, "newsletters/n.md")
    assert str(info.value.diagnostic).startswith("newsletters/n.md:7: markup nested more than")


NOT_DEEP = {
    "bold italic in a struck link in a quoted list": "> - ~~[***very* important**](/x)~~\n",
    "emphasis 18 levels": "*" * 18 + "a" + "*" * 18 + "\n",
    "quotes past markdown-it's own limit": "> " * 200 + "deep quote\n",
    "lists past markdown-it's own limit": "".join("  " * i + "- x\n" for i in range(200)),
    "html 100 levels": "<div>" * 100 + "x" + "</div>" * 100 + "\n",
    "html list items left open": "<ul>" + "<li>x" * 5000 + "</ul>\n",
    "html table of open cells": "<table>" + "<tr><td>a<td>b" * 3000 + "</table>\n",
    "many siblings": "<div>" + "<span>x</span>" * 20000 + "</div>\n",
    "many closed divs": "<div>x</div>" * 20000 + "\n",
}


@pytest.mark.parametrize("body", NOT_DEEP.values(), ids=NOT_DEEP.keys())
def test_markup_people_write_is_not_refused(body: str) -> None:
    article = parse_article((HEAD + body).encode(), P)
    assert _depth(article.body) <= markdown.MAX_DEPTH
    assert article.body


def test_emphasis_at_the_limit_parses_and_one_level_more_is_refused() -> None:
    def nested(levels: int) -> str:  # "****a****": one level of strong emphasis per "**"
        return "**" * levels + "a" + "**" * levels

    def inner(node: Any) -> Any:  # the one child that is not an empty text (a spent delimiter)
        (kid,) = [k for k in node.children if k != n.Text("")]
        return kid

    ok = markdown.parse_markdown(nested(markdown.MAX_DEPTH - 1))
    node: Any = inner(ok.blocks[0])
    levels = 0
    while isinstance(node, n.Strong):
        node, levels = inner(node), levels + 1
    assert levels == markdown.MAX_DEPTH - 1 and node == n.Text("a")
    with pytest.raises(markdown.MarkupTooDeep):
        markdown.parse_markdown(nested(markdown.MAX_DEPTH))


def test_html_depth_counts_what_a_browser_would_nest() -> None:
    assert sanitize.html_depth("<div><p>a<p>b<ul><li>c<li>d</ul></div>") == 2
    assert sanitize.html_depth("<div><br><img src=x><hr/><span/></div>") == 1
    assert sanitize.html_depth("</div></div><div>") == 1  # stray closing tags never go below 0
    assert sanitize.html_depth("<DIV><Section>x") == 2
    assert sanitize.html_depth("a < b and c > d, <3") == 0


# ------------------------------------------------------------------ work per character

def _counting(md: Any, name: str) -> list[int]:
    """Count the calls the plugin's own rule gets behind pubkit's rule ``name``."""
    calls = [0]
    rule = md.inline.ruler.__rules__[md.inline.ruler.__find__(name)]
    inner: Callable[..., bool] = rule.fn.__closure__[  # the plugin's rule, held by ours
        rule.fn.__code__.co_freevars.index("plugin")].cell_contents

    def counted(state: Any, silent: bool) -> bool:
        calls[0] += 1
        return inner(state, silent)

    rule.fn = markdown.protocol_rule(counted)
    md.inline.ruler.__compile__()
    return calls


COLONS = {
    "letters": "a:" * 5000,
    "clock times": "Open 9:30 to 17:45, " * 500,
    "protocol names not after a space": "xhttp:" * 1000 + "(mailto:" * 500,
    "protocols without an address": " http:" * 1000 + " https:/" * 500 + " mailto:@" * 500,
    "ratios and labels": "Note: 1:2 ratio; Dose: 5 mg; Time: 10:00. " * 300,
}


@pytest.mark.parametrize("text", COLONS.values(), ids=COLONS.keys())
def test_a_colon_that_starts_no_address_never_reaches_the_plugin(text: str) -> None:
    md = markdown.parser()
    calls = _counting(md, "gfm_autolink_protocol")
    tokens = md.parse(text)
    assert calls[0] == 0
    assert not [c for t in tokens for c in (t.children or []) if c.type == "link_open"]


def test_each_address_reaches_the_plugin_once_and_becomes_a_link() -> None:
    md = markdown.parser()
    calls = _counting(md, "gfm_autolink_protocol")
    text = ("See https://clinic.example/a, mailto:desk@clinic.example and xmpp:nurse@clinic.example/desk "
            "or (http://b.example). ") * 50 + "a:" * 2000
    links = [c for t in md.parse(text) for c in (t.children or []) if c.type == "link_open"]
    assert calls[0] == len(links) == 200
    assert {dict(c.attrs)["href"] for c in links} == {
        "https://clinic.example/a", "mailto:desk@clinic.example", "xmpp:nurse@clinic.example/desk",
        "http://b.example"}


_PIECES = [" ", "  ", "\n", "\t", "\u00a0", ":", "::", "http", "https", "mailto", "xmpp", "h", "ttp",
           "://", "//", "a", "a_b", ".", "..", "x.org", "a.b.c", "@", "a@b.c", "/", "(", ")", "<", ">",
           "*", "_", "~", "[", "]", "`", "\\", "&#104;", "&amp;", ";", "!", "?", ",", "'", "é", "1",
           "www.", "-", "%", "#"]


def test_the_protocol_rule_changes_no_token() -> None:
    """pubkit's parser against the same configuration with only the plugin's rule."""
    ours, theirs = markdown.parser(), markdown.configured()
    rng = random.Random(23)
    differ = []
    for _ in range(6000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30)))
        if [t.as_dict() for t in ours.parse(text)] != [t.as_dict() for t in theirs.parse(text)]:
            differ.append(text)
    assert not differ, differ[:3]


def _tag_filter_before(html: str) -> str:
    """tag_filter as it was: a search of the rest of the block from each opening tag."""
    out, last = [], 0
    for m in sanitize._FILTERED_OPEN.finditer(html):
        tag = m.group(1).lower()
        closes = tag != "plaintext" and re.search(rf"</\s*{tag}\s*>", html[m.end():], re.IGNORECASE)
        if not closes:
            out.append(html[last:m.start()] + "&lt;")
            last = m.start() + 1
    out.append(html[last:])
    return "".join(out)


def test_the_tag_filter_finds_closing_tags_in_one_pass_with_the_same_result() -> None:
    pieces = ["<script>", "</script>", "</SCRIPT >", "<style>", "</style>", "<textarea", "</textarea>",
              "<plaintext>", "</plaintext>", "<title>", "</ title>", "<iframe src=x>", "x", " ", "<",
              "</", ">", "<scripts>", "</script", "<xmp>", "</xmp>"]
    rng = random.Random(5)
    for _ in range(3000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        assert sanitize.tag_filter(html) == _tag_filter_before(html), html


def _ids_before(texts: list[str]) -> list[str]:
    """Heading ids as they were given: from 1 upwards each time."""
    from pubkit.model.text import slugify

    used: set[str] = set()
    out = []
    for text in texts:
        base = markdown.HEADING_ID_PREFIX + (slugify(text) or "section")
        candidate, i = base, 1
        while candidate in used:
            i += 1
            candidate = f"{base}-{i}"
        used.add(candidate)
        out.append(candidate)
    return out


def test_heading_ids_are_given_as_before_on_random_headings() -> None:
    words = ["Risks", "Risks 2", "Risks-2", "risks 3", "Risks", "Section", "Section 2", "!!", "Sec",
             "Risks 2 2", "Ünïcode"]
    rng = random.Random(3)
    for _ in range(300):
        texts = [rng.choice(words) for _ in range(rng.randint(1, 25))]
        body = markdown.parse_markdown("".join(f"## {t}\n\n" for t in texts))
        assert [b.id for b in body.blocks] == _ids_before(texts), texts


def test_equal_headings_cost_one_lookup_each(monkeypatch: pytest.MonkeyPatch) -> None:
    lookups = [0]

    class Counting(set[str]):
        def __contains__(self, item: object) -> bool:
            lookups[0] += 1
            return super().__contains__(item)

    real = markdown._Converter.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        self.ids.taken = Counting()

    monkeypatch.setattr(markdown._Converter, "__init__", init)
    body = markdown.parse_markdown("## Same\n\n" * 3000)
    ids = [b.id for b in body.blocks]
    assert ids[:3] == ["sec-same", "sec-same-2", "sec-same-3"] and len(set(ids)) == 3000
    assert lookups[0] <= 2 * 3000  # from 1 each time: 4.5 million


def test_links_are_normalized_once_each_in_bounded_memory() -> None:
    """The parser remembers normalized links; a page of distinct or huge links cannot grow it."""
    calls: list[str] = []

    def normalize(url: str) -> str:
        calls.append(url)
        return url.upper()

    remembered = markdown.remembered(normalize)
    assert [remembered(u) for u in ("/a", "/b", "/a", "/a")] == ["/A", "/B", "/A", "/A"]
    assert calls == ["/a", "/b"]
    memory = remembered.__closure__[  # type: ignore[index]
        remembered.__code__.co_freevars.index("memory")].cell_contents
    for i in range(markdown.REMEMBERED * 2):
        assert remembered(f"/p{i}") == f"/P{i}"
    huge = "/" + "x" * (markdown.REMEMBERED_LENGTH + 1)
    assert remembered(huge) == huge.upper() and remembered(huge) == huge.upper()
    assert len(memory) == markdown.REMEMBERED
    assert huge not in memory
    assert calls.count(huge) == 2  # too long to keep: normalized each time


def test_the_parser_links_as_markdown_it_does_with_its_memory() -> None:
    ours, theirs = markdown.parser(), markdown.configured()
    text = "".join(f"[a](https://xn--bcher-kva.example/{i % 7}?q=ä) <https://Bücher.example/{i % 3}> "
                   f"www.example.org/{i % 5} " for i in range(60))
    for _ in range(2):  # the second time from memory
        assert [t.as_dict() for t in ours.parse(text)] == [t.as_dict() for t in theirs.parse(text)]
