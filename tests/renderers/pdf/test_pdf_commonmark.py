"""Every CommonMark spec example goes through the model and comes out as a PDF."""

from __future__ import annotations

import io
from collections import defaultdict
from pathlib import Path

import pikepdf
import pytest

from pubkit.formats import article_renderer as get
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site
from pubkit.source.reader import parse_article
from tests.conformance import Example, commonmark_examples

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = commonmark_examples()
BY_SECTION: dict[str, list[Example]] = defaultdict(list)
for example in EXAMPLES:
    BY_SECTION[example.section].append(example)


@pytest.fixture(scope="module")
def ctx() -> RenderContext:
    return RenderContext.for_site(open_site(REPO / "tests" / "fixtures" / "pdf" / "site"))


def test_the_spec_is_there() -> None:
    assert len(EXAMPLES) == 655


@pytest.mark.parametrize("section", sorted(BY_SECTION))
def test_every_example_renders(section: str, ctx: RenderContext) -> None:
    renderer = get("pdf")
    for example in BY_SECTION[section]:
        number = example.key
        source = f"---\ntitle: Example {number}\n---\n{example.markdown}"
        article = parse_article(source.encode(), f"content/ex{number}.md", "content", f"ex{number}")
        data = renderer.render(article, ctx).data
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) >= 1, number
            assert str(pdf.docinfo["/Title"]) == f"Example {number}"
