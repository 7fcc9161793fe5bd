"""Markdown to the document tree: each construct becomes the right node."""

from __future__ import annotations

import pytest

from pubkit.model import nodes as n
from pubkit.source import markdown
from pubkit.source.markdown import parse_markdown

SOURCE = """\
# Title *one*

Para with **bold**, *em*, ~~gone~~, `code`, [link](https://a.example "T"),
![alt *text*](img/p.png "Caption") and www.example.org.\\
Hard break above.[^note]

- tight 1
- tight 2
  1. nested

7. seven

8. eight

> quote

```python
x = 1
```

    indented

***

| L | C | R | N |
|:--|:-:|--:|---|
| 1 | 2 | 3 | 4 |

<div onclick="x()">raw <b>bold</b><script>alert(1)</script></div>

[^note]: The note, with *emphasis*.
"""


def test_constructs_map_to_nodes() -> None:
    body = parse_markdown(SOURCE, line_offset=10)
    kinds = [type(b).__name__ for b in body.blocks]
    assert kinds == [
        "Heading", "Paragraph", "BulletList", "OrderedList", "BlockQuote", "CodeBlock",
        "CodeBlock", "ThematicBreak", "Table", "RawBlock",
    ]
    heading, para, bullets, ordered, quote, fence, indented, _, table, raw = body.blocks
    assert heading.level == 1 and heading.id == "sec-title-one" and heading.line == 10
    inline_kinds = [type(i).__name__ for i in para.children]
    for kind in ("Strong", "Emphasis", "Strikethrough", "InlineCode", "Link", "Image",
                 "HardBreak", "SoftBreak", "FootnoteRef"):
        assert kind in inline_kinds, kind
    link = next(i for i in para.children if isinstance(i, n.Link) and i.title)
    assert (link.url, link.title) == ("https://a.example", "T")
    image = next(i for i in para.children if isinstance(i, n.Image))
    assert (image.src, image.alt, image.title) == ("img/p.png", "alt text", "Caption")
    autolinks = [i for i in para.children if isinstance(i, n.Link) and i.url.startswith("http://www")]
    assert autolinks and autolinks[0].url == "http://www.example.org"
    assert bullets.tight and len(bullets.items) == 2
    nested = bullets.items[1].children[1]
    assert isinstance(nested, n.OrderedList) and nested.start == 1
    assert ordered.start == 7 and not ordered.tight and len(ordered.items) == 2
    assert isinstance(quote.children[0], n.Paragraph)
    assert (fence.language, fence.text) == ("python", "x = 1\n")
    assert indented.language is None and indented.text == "indented\n"
    assert table.aligns == ["left", "center", "right", None]
    assert [len(r.cells) for r in [table.header, *table.rows]] == [4, 4]
    assert "onclick" not in raw.html and "script" not in raw.html and "<b>bold</b>" in raw.html
    assert raw.text == "raw bold"
    (note,) = body.footnotes
    assert note.number == 1 and note.label == "note"
    assert isinstance(note.children[0].children[1], n.Emphasis)


def test_duplicate_headings_get_unique_ids() -> None:
    body = parse_markdown("## Risks\n\n## Risks\n\n## Ünïcode Héading\n")
    assert [b.id for b in body.blocks] == ["sec-risks", "sec-risks-2", "sec-unicode-heading"]


def test_repeated_footnote_references_are_counted() -> None:
    body = parse_markdown("A[^x] and B[^x] and C[^y].\n\n[^y]: Why.\n[^x]: Ex.\n")
    refs = [i for i in body.blocks[0].children if isinstance(i, n.FootnoteRef)]
    assert [(r.number, r.ref_index) for r in refs] == [(1, 0), (1, 1), (2, 0)]
    assert [(d.label, d.ref_count) for d in body.footnotes] == [("x", 2), ("y", 1)]


def test_unsafe_link_schemes_never_become_links() -> None:
    body = parse_markdown(
        "[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](vbscript:x) [d](data:text/html,x)\n"
    )
    assert not [i for i in body.blocks[0].children if isinstance(i, n.Link)]


ALERTS = """\
> [!NOTE]
> Note text.

> [!tip]
> Tip *text*,
> on two lines.

> [!Important]
>
> After a blank line.

> [!WARNING]
> Call [the clinic](https://clinic.example/) if:
>
> - the pain grows
> - you have a fever

> [!CAUTION]{spaces}
> Trailing spaces after the marker are fine.
""".format(spaces="   ")


def test_alerts_become_callouts_of_each_kind() -> None:
    blocks = parse_markdown(ALERTS, line_offset=1).blocks
    assert [(type(b).__name__, getattr(b, "kind", None), b.line) for b in blocks] == [
        ("Callout", "note", 1), ("Callout", "tip", 4), ("Callout", "important", 8),
        ("Callout", "warning", 12), ("Callout", "caution", 18)]
    note, tip, important, warning, caution = blocks
    assert note.children == [n.Paragraph([n.Text("Note text.")], line=2)]
    # The marker line is gone; the text after it starts on the next line.
    assert tip.children == [n.Paragraph([n.Text("Tip "), n.Emphasis([n.Text("text")]), n.Text(","),
                                         n.SoftBreak(), n.Text("on two lines.")], line=5)]
    assert important.children == [n.Paragraph([n.Text("After a blank line.")], line=10)]
    assert [type(c).__name__ for c in warning.children] == ["Paragraph", "BulletList"]
    link = warning.children[0].children[1]
    assert isinstance(link, n.Link) and link.url == "https://clinic.example/"
    assert caution.children[0].children == [n.Text("Trailing spaces after the marker are fine.")]


def test_other_quotes_stay_quotes() -> None:
    for source in ("> [!UNKNOWN]\n> Text.\n",    # not one of GitHub's five
                   "> [!NOTE] Text on the marker's line.\n",
                   "> [!NOTE]\n",                 # nothing but the marker
                   "> [ !NOTE]\n> Text.\n",
                   "> Text first.\n> [!NOTE]\n",
                   "> **[!NOTE]**\n> Text.\n"):
        (block,) = parse_markdown(source).blocks
        assert isinstance(block, n.BlockQuote), source
    (quote,) = parse_markdown("> [!UNKNOWN]\n> Text.\n").blocks
    assert quote.children == [n.Paragraph([n.Text("[!UNKNOWN]"), n.SoftBreak(), n.Text("Text.")], line=1)]


def test_a_callout_inside_a_list_item_and_a_quote_inside_a_callout() -> None:
    (lst,) = parse_markdown("- Item:\n\n  > [!TIP]\n  > Drink water.\n  >\n  > > Quoted.\n").blocks
    assert isinstance(lst, n.BulletList)
    callout = lst.items[0].children[1]
    assert isinstance(callout, n.Callout) and callout.kind == "tip"
    assert [type(c).__name__ for c in callout.children] == ["Paragraph", "BlockQuote"]


def test_a_web_address_inside_a_link_label_is_part_of_the_label() -> None:
    """A label is scanned without making tokens; mdit-py-plugins 0.6's www rule matched
    there without moving on, and the scan never ended (the floor is 0.7)."""
    body = parse_markdown("Read [our guide at www.clinic.example](/guide), "
                          "![map of www.x.org](m.png) or [see www.a.org\n")
    kids = body.blocks[0].children
    links = [i for i in kids if isinstance(i, n.Link)]
    assert [(link.url, [t.text for t in link.children if isinstance(t, n.Text)]) for link in links] == [
        ("/guide", ["our guide at www.clinic.example"]), ("http://www.a.org", ["www.a.org"])]
    assert [i.alt for i in kids if isinstance(i, n.Image)] == ["map of www.x.org"]
    assert "".join(i.text for i in kids if isinstance(i, n.Text)).endswith("or [see ")


def test_markdown_its_disabled_debug_messages_are_discarded_and_enabled_ones_kept(
        caplog: pytest.LogCaptureFixture) -> None:
    import logging

    markdown.parser()  # configures the loggers once
    hr = logging.getLogger("markdown_it.rules_block.hr")
    assert not hr.isEnabledFor(logging.DEBUG) and hr.debug is markdown._discard
    watched = logging.getLogger("markdown_it.pubkit_test_watched")
    quiet = logging.getLogger("markdown_it.pubkit_test_quiet")
    watched.setLevel(logging.DEBUG)
    other = logging.getLogger("pubkit_test_other")
    markdown.quiet_debug_logs("markdown_it")
    assert quiet.debug is markdown._discard
    assert "debug" not in vars(watched) and "debug" not in vars(other)
    with caplog.at_level(logging.DEBUG, logger="markdown_it.pubkit_test_watched"):
        watched.debug("entering %s", "hr")
        quiet.debug("entering %s", "hr")
    assert [r.getMessage() for r in caplog.records] == ["entering hr"]
