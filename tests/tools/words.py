"""Words of the Markdown source, read independently of pubkit, and which of them an output lost.

The source is read with markdown-it in plain CommonMark (plus tables,
strikethrough, footnotes and task lists) and every link kept as text, not
through pubkit's own parser: a word pubkit's parser drops must count as
lost, not vanish from both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import lxml.html
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

_CJK = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
"""A run of letters and digits; in scripts written without spaces, each character."""
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
"""Soft hyphens and zero-width characters, which a layout engine may add inside words."""
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
HIDDEN = "//script | //style | //iframe | //object | //form | //template | //noscript"
# Footnote markers are numbers or arrows, written differently by every format.
MARKERS = "//sup[contains(@class, 'footnote-ref')] | //a[contains(@class, 'footnote-backref')]"


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, in order."""
    return WORD.findall(INVISIBLE.sub("", unicodedata.normalize("NFC", text)).casefold())


def source_text(markdown: str) -> str:
    """The text a reader sees in the article body of ``markdown`` (front matter left out)."""
    body = FRONT_MATTER.sub("", markdown.lstrip("\ufeff").replace("\r\n", "\n"), count=1)
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin)
    md.validateLink = lambda url: True  # an unsafe link's words are still the author's words
    root = lxml.html.fragment_fromstring(md.render(body) or "<p></p>", create_parent="div")
    for element in root.xpath(f"{HIDDEN} | {MARKERS}"):
        element.drop_tree()
    return "".join(root.itertext())


def missing_words(source: str, output: str) -> list[str]:
    """Words of ``source`` that ``output`` lacks, each as often as it is missing, in source order."""
    have = Counter(words(output))
    missing = []
    for word in words(source):
        if have[word] > 0:
            have[word] -= 1
        else:
            missing.append(word)
    return missing
