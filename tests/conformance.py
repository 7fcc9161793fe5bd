"""Markdown conformance measured on what users get: the pages ``pubkit render`` writes.

The spec corpora are committed under ``tests/fixtures/`` (see the README
there for their sources and licences).  Each example becomes an article of a
throw-away site; one ``pubkit render --html`` writes every page; the article
body is cut out of each page and compared with the reference HTML after
normalising what HTML does not distinguish (whitespace between tags,
attribute order, ``<br />`` against ``<br>``) and what pubkit adds on
purpose (heading ids, the classes and labels of task checkboxes).
"""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
COMMONMARK = FIXTURES / "commonmark" / "spec.json"
GFM = FIXTURES / "gfm"
FENCE = "`" * 32


@dataclass(frozen=True)
class Example:
    key: str
    """Unique name: the corpus and the example's number."""
    markdown: str
    html: str
    section: str = ""
    extensions: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return "ex-" + re.sub(r"[^a-z0-9]+", "-", self.key.lower()).strip("-")


def commonmark_examples() -> list[Example]:
    data = json.loads(COMMONMARK.read_text(encoding="utf-8"))
    return [Example(f"cm-{e['example']}", e["markdown"], e["html"], e["section"]) for e in data]


def gfm_examples(name: str) -> list[Example]:
    """The examples of one of cmark-gfm's spec files (``spec.txt``, ``extensions.txt``...)."""
    out: list[Example] = []
    section = ""
    lines = (GFM / name).read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        if line.startswith(FENCE + " example"):
            extensions = tuple(line[len(FENCE) + len(" example"):].split())
            body: list[str] = []
            i += 1
            while lines[i] != FENCE:
                body.append(lines[i])
                i += 1
            cut = body.index(".")  # the first line holding only a dot separates the two
            markdown = "\n".join(body[:cut]).replace("→", "\t")
            expected = "\n".join(body[cut + 1:]).replace("→", "\t")
            out.append(Example(f"{name.split('.')[0]}-{len(out) + 1}",
                               markdown + "\n" if markdown else "",
                               expected + "\n" if expected else "", section, extensions))
        i += 1
    return out


def markdown_it_fixtures(path: Path) -> list[Example]:
    """A markdown-it fixture file: a title line, ``.``, input, ``.``, expected output, ``.``."""
    out = []
    blocks = path.read_text(encoding="utf-8").split("\n.\n")
    i = 0
    while i + 2 < len(blocks):
        title = blocks[i].strip().split("\n")[-1]
        out.append(Example(f"{path.stem}-{len(out) + 1}", blocks[i + 1] + "\n", blocks[i + 2] + "\n", title))
        i += 3
    return out


def render_pages(examples: list[Example], root: Path) -> tuple[dict[str, str], str]:
    """Each example's article body as ``pubkit render --html`` writes it, and the command's stderr."""
    content = root / "content"
    content.mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Conformance"\nbase_url = "https://example.com/"\n')
    for ex in examples:
        # The example is the whole body; the front matter only names it.
        (content / f"{ex.slug}.md").write_text(
            f"---\ntitle: Example {ex.key}\n---\n{ex.markdown}", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pubkit", "render", "--html", "--site", str(root)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1):
        raise AssertionError(f"pubkit render crashed: {done.stderr[-2000:]}")
    bodies = {}
    for ex in examples:
        page = (root / "output" / "html" / f"{ex.slug}.html").read_text(encoding="utf-8")
        bodies[ex.key] = article_body(page)
    return bodies, done.stderr


def article_body(page: str) -> str:
    """The article's rendered Markdown within a page: its body, then its notes."""
    start = page.index('<div class="article-body">\n') + len('<div class="article-body">\n')
    end = page.rindex("\n  </div>\n", start, page.index("</article>"))
    body = page[start:end]
    notes = re.search(r'<h2 id="footnotes-title">[^<]*</h2>\n(.*?)\n  </section>', page, re.S)
    return body + (notes.group(1) if notes else "")


_BOOLEAN = {"checked", "disabled"}
_VOID = {"br", "hr", "img", "input", "col", "wbr", "meta", "link"}
_DROPPED_ATTRS = {("input", "aria-label"), ("input", "class"), ("li", "class"), ("ul", "class"),
                  ("th", "scope"), ("a", "aria-label")}


class _Canonical(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        kept = []
        for name, value in attrs:
            if name == "align" and tag in ("th", "td"):  # cmark-gfm's spelling of the same style
                name, value = "style", f"text-align:{value}"
            if name == "style":
                value = re.sub(r"\s+", "", value or "")
            if name in ("id", "href") and value and "fnref" in value:
                value = value.replace(":", "-")  # markdown-it's fnref1:1 is pubkit's fnref1-1
            if (tag, name) in _DROPPED_ATTRS or (tag[:1] == "h" and tag[1:].isdigit() and name == "id"):
                continue
            kept.append((name, "" if name in _BOOLEAN else (value or "")))
        inner = "".join(f' {k}="{htmllib.escape(v)}"' for k, v in sorted(kept))
        return f"<{tag}{inner}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if (tag, dict(attrs).get("class")) in (("hr", "footnotes-sep"), ("section", "footnotes")):
            return  # markdown-it's wrapper of the notes; the page has its own, with a heading
        self.out.append(self._tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and tag != "section":
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(htmllib.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")


_REGION = re.compile(r'<div class="scroll" tabindex="0" role="region" aria-label="[^"]*">\s*')
_LOADING = re.compile(r' (?:loading="lazy"|decoding="async"|fetchpriority="high")')


def normalise(fragment: str) -> str:
    """A canonical spelling of an HTML fragment: same elements, attributes and text."""
    # The web page's own additions, which the specs do not know: the scrolling region a
    # table or code block sits in, and how pictures load.
    fragment = _REGION.sub("", fragment)
    fragment = re.sub(r"(</(?:table|pre)>\s*)</div>", r"\1", fragment)
    fragment = _LOADING.sub("", fragment)
    parser = _Canonical()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r">\s+<", "><", text)
    text = re.sub(r"\s+", " ", text).strip()
    # Strikethrough: pubkit writes <s> (no longer accurate), cmark-gfm <del>; and the
    # text-presentation selector some fixtures put after ↩ changes no letter.
    return text.replace("<del>", "<s>").replace("</del>", "</s>").replace("\ufe0e", "")


def has_raw_html(markdown: str) -> bool:
    """Whether the parser sees raw HTML (block or inline) in ``markdown``."""
    from pubkit.source.markdown import parser

    for token in parser().parse(markdown):
        if token.type == "html_block":
            return True
        if any(child.type == "html_inline" for child in token.children or []):
            return True
    return False


ACTIVE = re.compile(
    r"<\s*(script|iframe|object|embed|style|form|frame|base|meta|link|textarea|title|xmp|plaintext)\b"
    r"|\son[a-z]+\s*=|(javascript|vbscript|data):",
    re.IGNORECASE,
)
"""What no page may carry from raw HTML."""
