"""What verify expects of an article, taken from the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from pubkit.model import nodes as n
from pubkit.settings import Settings
from pubkit.source.reader import parse_article
from pubkit.theme import Theme
from pubkit.verify.expected import Expectation, expected_items

SOURCE = b"""---
title: Knee pain
subtitle: At home
reviewed_by: peck
reviewed_on: 2026-01-10
---

Read [the guide](https://example.com/g) first, then rest.[^a]

- Ice the knee
  1. twenty minutes

| Cell one | Cell two |
| --- | --- |
| ![x](x.png) | after a picture |

> Quoted words.

> [!TIP]
> Boxed words.

[^a]: A note.
"""


def items_of(source: bytes) -> list[tuple[str, int | None, tuple[str, ...]]]:
    article = parse_article(source, "content/a.md")
    settings = Settings.model_validate({"reviewers": {"peck": {"name": "Jane Peck", "credentials": "MD"}}})
    found = expected_items(article, settings, Theme(None).translations("en"))
    return [(i.kind, i.line, i.pieces) for i in found]


def test_every_kind_of_item_with_its_line_and_pieces() -> None:
    found = items_of(SOURCE)
    assert found[:3] == [("title", None, ("Knee pain",)), ("subtitle", None, ("At home",)),
                         ("review line", None, ("Medically reviewed by Jane Peck, MD on January 10, 2026 · "
                                                "Next review January 2027",))]
    assert found[3:-1] == [
        ("paragraph", 8, ("Read the guide", " first, then rest.")),  # cut after the link, at the note
        ("list item", 10, ("Ice the knee",)),
        ("list item", 11, ("twenty minutes",)),
        ("table cell", 13, ("Cell one",)),
        ("table cell", 13, ("Cell two",)),
        ("table cell", 15, ("after a picture",)),  # the picture's cell holds no words
        ("quote", 17, ("Quoted words.",)),
        ("callout title", 19, ("Tip",)),
        ("callout", 20, ("Boxed words.",)),
        ("footnote", 22, ("A note.",)),
    ]
    assert found[-1][0] == "disclaimer" and "not a substitute" in found[-1][2][0]


@dataclass(slots=True)
class Aside(n.Block):
    """A container node verify has never heard of."""

    tagname: ClassVar[str] = "side_box"
    children: list[n.Block] = field(default_factory=list)


def test_an_unknown_container_is_walked_and_names_its_items() -> None:
    walker = Expectation()
    walker.visit(Aside(children=[n.Paragraph([n.Text("Inside the box.")], line=4)], line=3))
    assert [(i.kind, i.line, i.pieces) for i in walker.items] == [("side box", 4, ("Inside the box.",))]
