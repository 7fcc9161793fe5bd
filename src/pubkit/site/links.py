"""Where a link or a picture of an article goes: one decision, every format.

:class:`LinkResolver` turns what the author wrote into a :class:`Target`, the
same for the web page, the PDF handout, the Word document and the email;
each format then takes the form its medium needs: ``href`` (relative, for the
web page), ``url`` (absolute, for paper, Word and mail) or ``anchor`` (a
heading of the same document).

The rules, in order:

- an unsafe scheme (``javascript:``, ``data:`` ...) is dropped, the link's
  words kept;
- any other scheme, or ``//host``, is kept as written;
- ``#part-one`` goes to that heading of this article (its id, or the id
  GitHub's spelling of it means);
- another article (``b.md``, ``../guides/b.md#part-one``) goes to that
  article's page, by its slug, the anchor mapped to that heading's id;
- a local file inside the site that exists (``forms/intake.pdf``) is
  published once and every format uses its one address;
- a relative reference into the content folder at an article or a file that
  does not exist is kept as written and reported (a warning when rendering,
  an error in ``pubkit check``);
- anything else (``/locations``, ``../about.html``, ``appointments``) is the
  author's intent: kept as written, made absolute from the article's own
  published address where the medium needs absolute URLs.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pubkit.diagnostics import Diagnostic, Severity
from pubkit.model import nodes as n
from pubkit.model.article import Article
from pubkit.resources import Missing, Refused, ResourcePolicy
from pubkit.sanitize import is_safe_url
from pubkit.site import outputs
from pubkit.site.index import Entry, SiteIndex
from pubkit.site.indexing import article_entry, local_target

PAGE_SUFFIXES = frozenset(["", ".html", ".htm", ".php", ".asp", ".aspx", ".jsp", ".cfm"])
"""Suffixes of web pages: a link to one of these is a page of the site, not a file."""


class Kind(StrEnum):
    ANCHOR = "anchor"
    """A heading of this article."""
    ARTICLE = "article"
    """Another article's page."""
    FILE = "file"
    """A local file, published with the site."""
    KEPT = "kept"
    """The author's own address, kept as written."""
    BROKEN = "broken"
    """An article or file of the content folder that does not exist; kept as written."""
    DROPPED = "dropped"
    """Unsafe: the words stay, the address goes."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one reference goes, in every medium's terms."""

    kind: Kind
    written: str
    href: str | None = None
    """For the web page: relative to the page (None: keep only the words)."""
    url: str | None = None
    """Absolute (for the PDF, the Word document and email)."""
    anchor: str | None = None
    """A heading id of this same article."""
    file: str | None = None
    """The local file (relative to the site root) to publish or embed."""
    path: Path | None = None
    """That file's real path, checked against the site boundary."""
    published: str | None = None
    """The web path the file is published under (relative to the web root)."""
    problem: str | None = None

    @property
    def in_document(self) -> str | None:
        """The address for a medium that holds the whole article (PDF, Word): own anchors stay inside."""
        return f"#{self.anchor}" if self.anchor else self.url


class LinkResolver:
    """Resolves the references of one article against the site index."""

    def __init__(self, index: SiteIndex, article: Article, policy: ResourcePolicy,
                 base_url: str, content_dir: str, site_root: Path,
                 sink: list[Diagnostic] | None = None) -> None:
        self.index = index
        self.article = article
        self.policy = policy
        self.base_url = base_url
        self.content_dir = posixpath.normpath(content_dir.strip("/")) if content_dir.strip("/") else "."
        self.root = site_root
        self.own: Entry = self._own_entry()
        self.page = index.page_path(self.own)
        self.page_url = outputs.public_url(base_url, self.page)
        self.problems: list[tuple[Kind, Diagnostic]] = []
        self.sink = sink
        """Where each problem is also reported as a warning, as it is found (the render's warnings)."""
        self._said: set[tuple[str, str]] = set()
        self._links: dict[str, Target] = {}
        self._images: dict[str, Target] = {}
        self._lines = _first_lines(article)

    def _own_entry(self) -> Entry:
        entry = self.index.entry(self.article.path)
        if entry is not None and entry.source_hash == self.article.source_hash:
            return entry
        return article_entry(self.article)

    # ------------------------------------------------------------------ links
    def link(self, written: str) -> Target:
        """Where a link to ``written`` goes (decided once per article)."""
        if written not in self._links:
            target = self._link(written)
            self._links[written] = target
            if target.problem:
                self._report(target, self._lines.get(("link", written)))
        return self._links[written]

    def _link(self, written: str) -> Target:
        raw = written.strip()
        if not is_safe_url(raw):
            return Target(Kind.DROPPED, written, problem=f"link {_short(written)} dropped: unsafe address")
        parts = urllib.parse.urlsplit(raw)
        if (parts.scheme and len(parts.scheme) > 1) or raw.startswith("//"):
            return Target(Kind.KEPT, written, raw, raw if parts.scheme else "https:" + raw)
        if not parts.path:
            return self._own_anchor(written, raw, parts.fragment)
        target = local_target(raw, self.article.source_dir)
        if target is None:
            return self._kept(written, raw)
        if target.endswith(".md"):
            return self._article(written, raw, target, parts.fragment)
        return self._file(written, raw, target, "link")

    def _own_anchor(self, written: str, raw: str, fragment: str) -> Target:
        if not fragment:
            return self._kept(written, raw)
        anchor = self.own.anchor(urllib.parse.unquote(fragment))
        if anchor is None:
            return Target(Kind.BROKEN, written, raw, self.page_url + raw,
                          problem=f"link {_short(written)}: this article has no heading '{fragment}'")
        return Target(Kind.ANCHOR, written, f"#{anchor}", f"{self.page_url}#{anchor}", anchor=anchor)

    def _article(self, written: str, raw: str, target: str, fragment: str) -> Target:
        entry = self.index.article_at(target)
        if entry is None:
            if not self._in_content(target):
                return self._kept(written, raw)
            unreadable = self.index.problems.get(target)
            why = f"cannot be read ({unreadable.message})" if unreadable else "does not exist"
            return self._broken(written, raw, f"link {_short(written)}: article {target} {why}")
        page = self.index.page_path(entry)
        same = entry.source == self.own.source or page == self.page
        anchor: str | None = None
        problem: str | None = None
        if fragment:
            anchor = entry.anchor(urllib.parse.unquote(fragment))
            if anchor is None:
                problem = f"link {_short(written)}: {target} has no heading '{fragment}'"
        tail = f"#{anchor or fragment}" if fragment else ""
        owner = self.index.duplicate_of(entry.source)
        if owner is not None:
            problem = (f"link {_short(written)}: {target} is not published "
                       f"(its slug '{entry.slug}' belongs to {owner})")
        if same and anchor:
            return Target(Kind.ANCHOR, written, f"#{anchor}", f"{self.page_url}#{anchor}", anchor=anchor)
        href = outputs.relative_href(self.page, page) + tail
        url = outputs.public_url(self.base_url, page) + tail
        kind = Kind.BROKEN if problem else Kind.ARTICLE
        return Target(kind, written, href, url, problem=problem)

    # ----------------------------------------------------------------- images
    def image(self, written: str) -> Target:
        """Where a picture comes from (decided once per article)."""
        if written not in self._images:
            target = self._image(written)
            self._images[written] = target
            if target.problem:
                self._report(target, self._lines.get(("image", written)))
        return self._images[written]

    def _image(self, written: str) -> Target:
        raw = written.strip()
        parts = urllib.parse.urlsplit(raw)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") or raw.startswith("//"):
            return Target(Kind.KEPT, written, raw, raw if scheme else "https:" + raw)
        if not is_safe_url(raw) or (scheme and len(scheme) > 1) or not parts.path:
            return Target(Kind.DROPPED, written, problem=f"left out image {_short(written)}: "
                                                         "not a picture address pubkit can use")
        target = local_target(raw, self.article.source_dir)
        if target is None:
            return Target(Kind.DROPPED, written, problem=f"left out image {_short(written)}: "
                                                         "it is outside the site")
        return self._file(written, raw, target, "image")

    # ----------------------------------------------------------------- shared
    def _file(self, written: str, raw: str, target: str, what: str) -> Target:
        try:
            path = self.policy.local_path(raw, self.root / self.article.source_dir)
        except Missing as exc:
            if self._in_content(target) and (what == "image" or _looks_like_file(target)):
                return self._broken(written, raw, f"{what} {_short(written)}: {exc}")
            return self._kept(written, raw)
        except Refused as exc:  # it exists, but may not be published: a link, a FIFO ...
            verb = "left out image" if what == "image" else f"link {_short(written)} dropped:"
            shown = f"{verb} {_short(written)}:" if what == "image" else verb
            return Target(Kind.DROPPED, written, problem=f"{shown} {exc}")
        published = self.index.published_as(target) or outputs.publish_path(target, self.content_dir)
        fragment = urllib.parse.urlsplit(raw).fragment
        tail = f"#{fragment}" if fragment else ""
        return Target(Kind.FILE, written, outputs.relative_href(self.page, published) + tail,
                      outputs.public_url(self.base_url, published) + tail, file=target, path=path,
                      published=published)

    def _kept(self, written: str, raw: str) -> Target:
        return Target(Kind.KEPT, written, raw, urllib.parse.urljoin(self.page_url, raw))

    def _broken(self, written: str, raw: str, problem: str) -> Target:
        return Target(Kind.BROKEN, written, raw, urllib.parse.urljoin(self.page_url, raw),
                      problem=problem)

    def _in_content(self, target: str) -> bool:
        return self.content_dir == "." or target == self.content_dir or \
            target.startswith(self.content_dir + "/")

    def line_of(self, written: str) -> int | None:
        """The source line where ``written`` is first linked or shown."""
        return self._lines.get(("link", written)) or self._lines.get(("image", written))

    def _report(self, target: Target, line: int | None) -> None:
        key = (target.written, target.problem or "")
        if key not in self._said:
            self._said.add(key)
            found = Diagnostic(self.article.path, line, target.problem or "", "warning")
            self.problems.append((target.kind, found))
            if self.sink is not None:
                self.sink.append(found)

    def diagnostics(self, broken: Severity = "warning") -> list[Diagnostic]:
        """Every problem found so far; those of broken references with severity ``broken``."""
        return [Diagnostic(d.path, d.line, d.message, broken if kind is Kind.BROKEN else "warning")
                for kind, d in self.problems]

    def resolve_all(self) -> None:
        """Resolve every reference of the article (for ``pubkit check``)."""
        for node in self.article.nodes():
            if isinstance(node, n.Link):
                self.link(node.url)
            elif isinstance(node, n.Image):
                self.image(node.src)
        if self.article.meta.image:
            self.image(self.article.meta.image)


def _looks_like_file(target: str) -> bool:
    """A name with a suffix that is not a web page's (``intake.pdf``, not ``about.html``)."""
    if target.endswith("/"):
        return False
    return posixpath.splitext(target)[1].lower() not in PAGE_SUFFIXES


def _short(written: str) -> str:
    shown = written if len(written) <= 80 else written[:77] + "..."
    return repr(shown)


def _first_lines(article: Article) -> dict[tuple[str, str], int | None]:
    """Source line of the block holding each link and picture (first use)."""
    lines: dict[tuple[str, str], int | None] = {}
    if article.meta.image:  # the lead picture, named in the front matter before the body
        lines[("image", article.meta.image)] = article.image_line
    line: int | None = None
    """The line of the block the nodes that follow are in (inlines hold no blocks)."""
    for node in article.nodes():
        if isinstance(node, n.Block):
            line = node.line
        elif line is None:
            continue
        elif isinstance(node, n.Image):
            lines.setdefault(("image", node.src), line)
        elif isinstance(node, n.Link):
            lines.setdefault(("link", node.url), line)
    return lines
