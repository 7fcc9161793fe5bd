"""The page ``pubkit serve`` opens on: every article and newsletter issue, as reviewers need them.

One card per article: its title and language (with links to its other
versions), its reading grade against ``[check] reading_grade``, its review
record (status, reviewer, dates; overdue and changed-since-review marked), a
thumbnail of its handout's first page, links to each built output, and its
email at phone and desktop widths.  One inbox row per newsletter issue.

The facts come from where every command gets them: slugs, output paths and
translations from the site index (:mod:`pubkit.site`), the grade from
:mod:`pubkit.readability` (the figure ``pubkit check`` reports), the review
state from :func:`pubkit.review.record.review_state` on the day the command
line's clock gives.  Parsed articles are kept by content hash, so a reload
parses only what changed.  The page is a template
(``preview/dashboard.html.j2``, overridable by the site) in the site's
default language, and needs no script.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.parser
import email.policy
import email.utils
import os
import posixpath
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from pubkit import formats
from pubkit.batch.serve import THUMBNAILS
from pubkit.diagnostics import ConfigError, SourceError
from pubkit.i18n import N_, Translations
from pubkit.model.article import Article
from pubkit.readability.measure import measure
from pubkit.review.record import ReviewState, review_state
from pubkit.safeio import SOURCE_LIMIT, read_regular
from pubkit.settings import Settings
from pubkit.site import SEND_FOLDER, Site, open_site
from pubkit.site.index import Entry, SiteIndex
from pubkit.site.outputs import in_web_root, issue_page_path

if TYPE_CHECKING:
    from pubkit.theme import Theme

TEMPLATE = "preview/dashboard.html.j2"
PHONE_WIDTH = 375
DESKTOP_WIDTH = 700
"""Widths (CSS pixels) the email is shown at: a common phone, and a desktop mail client's pane."""
HEADER_LIMIT = 256 * 1024
"""Bytes of a built message read for its headers (they come first)."""
_FILLER = re.compile(r"[\u034f\u00a0\u200b-\u200d\u2060\ufeff\u00ad\s]+")
"""What follows a preheader to keep the body's first words out of the inbox line."""
_PREHEADER = re.compile(rb'<div class="preheader"[^>]*>(.*?)</div>', re.S)

LABELS = {
    "html": N_("Web page"),
    "pdf": N_("Printed handout"),
    "large-print": N_("Large-print handout"),
    "docx": N_("Word document"),
    "email": N_("Email message"),
}
"""The message ids of each format's link (the catalogues translate them)."""
STATUSES = {
    "draft": N_("Draft"),
    "in-review": N_("In review"),
    "approved": N_("Approved"),
}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True, slots=True)
class Card:
    """One article as the dashboard shows it."""

    id: str
    """The card's fragment id (other versions link to it)."""
    source: str
    title: str
    lang: str
    language: str
    """The language's name in the dashboard's language."""
    draft: bool
    versions: list[Link]
    grade: float | None
    """The article's reading grade, as ``pubkit check`` reports it (None: not measurable)."""
    over_target: bool
    status: str | None
    """The review status, worded for readers."""
    reviewer: str | None
    reviewed_on: str | None
    next_review: str | None
    overdue: bool
    changed: bool
    stale: bool
    """A translation made from an older text of its original (it needs a translator)."""
    thumbnail: str | None
    """The address of the handout's first page as a PNG (None: not built yet)."""
    outputs: list[Link]
    email: str | None
    """The address of the built email's HTML part (None: not built yet)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One newsletter issue as an inbox row shows it."""

    id: str
    source: str
    sender: str
    subject: str
    preheader: str
    built: bool
    outputs: list[Link]


@dataclass(slots=True)
class DashboardData:
    """Everything the template shows."""

    site_name: str
    lang: str
    target: float
    today: str
    cards: list[Card] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Sources that could not be read, as diagnostics (``path:line: message``)."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What is kept of one article version (keyed by its content hash)."""

    article: Article
    grade: float | None


class Dashboard:
    """The dashboard of the site at ``root``; settings and sources are read again for each page."""

    def __init__(self, root: Path, today: Callable[[], dt.date]) -> None:
        self.root = root
        self.today = today
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, str], _Parsed] = {}
        """(source, sha256 of its bytes) -> the article parsed and measured."""
        self._theme: tuple[tuple[tuple[Path, ...], str], Theme] | None = None
        self._handouts: dict[str, str] = {}
        """Name stem -> the handout's path in the output folder, as the last page's index said."""

    # ------------------------------------------------------------------ pages
    def warm(self) -> None:
        """Parse and measure every article now, so that the first visit finds them kept.

        For a background thread while the first build runs: a thousand articles take
        seconds to parse, which the first page would otherwise wait for.
        """
        with contextlib.suppress(Exception):  # the page itself reports what is wrong
            self.page()

    def page(self) -> bytes:
        """The dashboard, as HTML."""
        from pubkit.theme import Theme

        try:
            site = open_site(self.root)
        except ConfigError as exc:
            # Being edited: say so on the page (the watcher prints it too) and show nothing stale.
            theme = Theme(self.root / "templates")
            t = theme.translations("en")
            empty = DashboardData("pubkit", "en", 0, "", problems=[str(exc)])
            return self._render(theme, empty, t)
        theme = self._theme_of(site)
        t = theme.translations(site.settings.language)
        data = self.data(site, t)
        try:
            return self._render(theme, data, t)
        except (jinja2.TemplateError, SourceError) as exc:
            # The site's own template is being edited: the built-in one, and what is wrong.
            data.problems.insert(0, _template_problem(exc, site))
            return self._render(Theme(), data, t)

    def _theme_of(self, site: Site) -> Theme:
        """The site's theme, kept while the dashboard's template is unchanged (compiled once)."""
        from pubkit.theme import Theme

        theme = Theme(site.templates_dir)
        key = (theme.search_path, theme.fingerprint([TEMPLATE]))
        with self._lock:
            if self._theme is not None and self._theme[0] == key:
                return self._theme[1]
            self._theme = (key, theme)
        return theme

    def _render(self, theme: Theme, data: DashboardData, t: Translations) -> bytes:
        html = theme.template(TEMPLATE).render(
            data=data, t=t, phone=PHONE_WIDTH, desktop=DESKTOP_WIDTH,
            dir="rtl" if t.lang.split("-")[0] in ("ar", "fa", "he", "ur") else "ltr")
        return html.encode("utf-8")

    def thumbnail(self, stem: str) -> bytes | None:
        """The PNG of the first page of the handout of the article named ``stem``, if built.

        The handout's path is the one the site index gave for the last page shown (the
        page comes before its pictures), so a page of many thumbnails reads the index once.
        """
        from pubkit.preview.thumbnail import NoThumbnail, first_page_png

        try:
            site = open_site(self.root)
        except ConfigError:
            return None
        with self._lock:
            path = self._handouts.get(stem)
        if path is None:
            index = self._index(site)
            path = next((index.output_path(e, formats.get("pdf")) for e in index.articles()
                         if e.name.stem == stem and index.duplicate_of(e.source) is None), None)
        target = _served_file(site.output_dir.resolve(), path) if path else None
        if target is None:
            return None
        try:
            return first_page_png(target)
        except NoThumbnail:
            return None

    # ------------------------------------------------------------------- data
    def data(self, site: Site, t: Translations) -> DashboardData:
        """What the page shows, on the day the clock gives."""
        settings = site.settings
        today = self.today()
        index, fresh = self._index_parsing(site)
        out = site.output_dir.resolve()
        found = DashboardData(settings.site_name, settings.language, settings.check.reading_grade,
                              t.format_date(today))
        found.problems = [str(d) for _, d in sorted(index.problems.items())]
        found.problems += [str(d) for d in map(index.duplicate_error, sorted(index.entries)) if d]
        articles = _by_work(index)
        stale = {t.source for t, _ in index.stale_translations()}
        available = formats.article_formats()
        # The handout's variant next to it, then any format a later version adds.
        shown = [formats.get(n) for n in [*(n for n in LABELS if n in available),
                                          *(n for n in available if n not in LABELS)]]
        live = set()
        for entry in articles:
            parsed = self._article(site, entry, fresh.get(entry.source_hash))
            if parsed is None:
                continue
            live.add((entry.source, parsed.article.source_hash))
            found.cards.append(self._card(index, entry, parsed, settings, today, out, t,
                                          entry.source in stale, shown))
        pdf = formats.get("pdf")
        handouts = {e.name.stem: index.output_path(e, pdf) for e in articles}
        with self._lock:  # versions no longer on disk are let go
            self._parsed = {k: p for k, p in self._parsed.items() if k in live}
            self._handouts = handouts
        found.issues = [self._issue(index, e, settings, out, t) for e in index.newsletters()
                        if index.duplicate_of(e.source) is None]
        return found

    def _index(self, site: Site) -> SiteIndex:
        from pubkit.site.indexing import build_index

        # The build keeps the index cache up to date; reading it here parses nothing unchanged.
        return build_index(site).index

    def _index_parsing(self, site: Site) -> tuple[SiteIndex, dict[str, Article]]:
        """The index, and on the first page every article it had to parse (none parsed twice)."""
        from pubkit.site.indexing import build_index, sources

        with self._lock:
            first = not self._parsed
        keep = [s for s, kind in sources(site, newsletters=False) if kind == "article"] if first else []
        result = build_index(site, keep=keep)
        return result.index, {a.source_hash: a for a in result.parsed.values()}

    def _article(self, site: Site, entry: Entry, article: Article | None) -> _Parsed | None:
        """``entry``'s article, measured: kept from before, ``article`` (just parsed), or read now."""
        with self._lock:
            parsed = self._parsed.get((entry.source, entry.source_hash))
        if parsed is not None:
            return parsed
        from pubkit.source.reader import read_article

        if article is None or article.path != entry.source:
            try:
                article = read_article(site.root / entry.source, site.root, site.settings.language)
            except SourceError:
                return None  # changed since the index was read: the next reload shows it
        found = measure(article)
        grade = found.figures.grade(found.language) if found is not None else None
        parsed = _Parsed(article, grade)
        with self._lock:
            self._parsed[(entry.source, article.source_hash)] = parsed
        return parsed

    def _card(self, index: SiteIndex, entry: Entry, parsed: _Parsed, settings: Settings,
              today: dt.date, out: Path, t: Translations, stale: bool,
              shown_formats: list[formats.Format]) -> Card:
        state: ReviewState = review_state(parsed.article, settings, today)
        links = []
        for fmt in shown_formats:
            path = index.output_path(entry, fmt)
            if _served_file(out, path) is not None:
                links.append(Link(t.gettext(LABELS.get(fmt.name, fmt.description)), _href(path)))
        pdf = index.output_path(entry, formats.get("pdf"))
        email_html = index.output_path(entry, formats.get("email"), ".html")
        versions = [Link(t.language_name(v.lang), "#" + _card_id(v)) for v in index.versions(entry)
                    if v.source != entry.source and index.duplicate_of(v.source) is None]
        grade = parsed.grade
        return Card(
            id=_card_id(entry), source=entry.source, title=entry.title, lang=entry.lang,
            language=t.language_name(entry.lang), draft=state.draft, versions=versions,
            grade=None if grade is None else round(grade, 1),
            # The rule of pubkit check's warning, on the figure before it is rounded for reading.
            over_target=grade is not None and grade > settings.check.reading_grade,
            status=t.gettext(STATUSES[state.status]) if state.status else None,
            reviewer=state.reviewer.display if state.reviewer else None,
            reviewed_on=t.format_date(state.reviewed_on) if state.reviewed_on else None,
            next_review=t.format_date(state.next_review) if state.next_review else None,
            overdue=state.overdue and not state.draft, changed=state.changed, stale=stale,
            thumbnail=(THUMBNAILS + urllib.parse.quote(entry.name.stem) + ".png"
                       if _served_file(out, pdf) is not None else None),
            outputs=links,
            email=_href(email_html) if _served_file(out, email_html) is not None else None,
        )

    def _issue(self, index: SiteIndex, entry: Entry, settings: Settings, out: Path,
               t: Translations) -> Issue:
        fmt = formats.get("newsletter")
        message = index.output_path(entry, fmt)
        html = index.output_path(entry, fmt, ".html")
        text = index.output_path(entry, fmt, ".txt")
        page = in_web_root(issue_page_path(entry.name.slug))
        sender, subject, preheader = settings.email.from_name, entry.title, ""
        built = _served_file(out, message)
        if built is not None:
            sender, subject = _sender_and_subject(built, sender, subject)
        html_file = _served_file(out, html)
        if html_file is not None:
            preheader = _preheader(html_file)
        links = [Link(t.gettext(label), _href(path)) for label, path in (
            (N_("Email preview"), html), (N_("Plain text"), text), (N_("Web version"), page),
            (N_("Email message"), message))
            if _served_file(out, path) is not None]
        return Issue("issue-" + entry.slug, entry.source, sender, subject, preheader,
                     built is not None, links)


def _template_problem(exc: Exception, site: Site) -> str:
    if isinstance(exc, SourceError):
        return str(exc.diagnostic)
    where = getattr(exc, "filename", None) or TEMPLATE
    line = getattr(exc, "lineno", None)
    shown = os.path.relpath(where, site.root) if os.path.isabs(where) else where
    return f"{shown}:{line}: {exc}" if line else f"{shown}: {exc}"


def _by_work(index: SiteIndex) -> list[Entry]:
    """Every article that owns its slug, each original followed by its translations."""
    order: list[Entry] = []
    seen: set[str] = set()
    for entry in index.articles():
        if entry.source in seen or index.duplicate_of(entry.source) is not None:
            continue
        original = index.original_of(entry)
        if (original is not None and original.source not in seen
                and entry in index.versions(original)):
            continue  # listed with its original, which comes in its own turn
        for version in index.versions(entry):
            if version.source not in seen and index.duplicate_of(version.source) is None:
                seen.add(version.source)
                order.append(version)
    return order


def _card_id(entry: Entry) -> str:
    return "article-" + re.sub(r"[^A-Za-z0-9_-]", "-", entry.name.stem)


def _href(path: str) -> str:
    return "/" + urllib.parse.quote(path)


def _served_file(out: Path, path: str) -> Path | None:
    """``path`` (relative to the output folder) when the server would serve it: a regular file
    inside the folder, not a dot-file, not in the send folder, not a symbolic link."""
    parts = path.split("/")
    if (not path or posixpath.isabs(path) or parts[0] == SEND_FOLDER
            or any(p.startswith(".") or not p for p in parts)):
        return None
    target = out.joinpath(*parts)
    try:
        if target.is_symlink() or not target.is_file():
            return None
    except OSError:
        return None
    return target if target.resolve().is_relative_to(out) else None


def _sender_and_subject(message: Path, sender: str, subject: str) -> tuple[str, str]:
    """The From display name and the Subject of a built message, as a mail client decodes them."""
    try:
        head = read_regular(message, SOURCE_LIMIT, follow_symlinks=False)[:HEADER_LIMIT]
    except OSError:
        return sender, subject
    parsed = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(head)
    try:
        name, address = email.utils.parseaddr(str(parsed.get("From", "")))
        shown = str(parsed.get("Subject", "")) or subject
    except (ValueError, TypeError, IndexError):  # a header the parser cannot make sense of
        return sender, subject
    return name or address or sender, " ".join(shown.split())


def _preheader(page: Path) -> str:
    """The text an inbox shows after the subject: the email's hidden preheader, without filler."""
    try:
        data = read_regular(page, SOURCE_LIMIT, follow_symlinks=False)
    except OSError:
        return ""
    match = _PREHEADER.search(data)
    if match is None:
        return ""
    import html

    text = re.sub(r"<[^>]*>", "", match.group(1).decode("utf-8", "replace"))
    return " ".join(_FILLER.sub(" ", html.unescape(text)).split())

