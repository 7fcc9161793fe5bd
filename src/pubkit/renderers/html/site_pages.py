"""The site's own pages, made from the site index: home, topics, A-Z, 404, sitemap, feed.

A pure function of the index, the theme and the settings (:data:`SITE_PAGES`
declares which): it never reads another output, and it renders every page at
once, so the batch builds them only when a listing fact of some article
(:func:`listing_facts`) or a template or setting they read has changed.
Drafts are never listed, even in a build with ``--drafts``: a draft page may
be previewed by its address, but the site never points a patient at it.
Articles in the site's language are listed at the top of the web root; those
in another language in its folder (``es/index.html``), in its own words.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pubkit.i18n import N_, Translations, language_name
from pubkit.renderers.base import RenderContext
from pubkit.renderers.html.icons import icon_files, icon_links
from pubkit.renderers.page_data import Version, disclaimer, text_direction
from pubkit.review.record import reviewer_of
from pubkit.site import outputs
from pubkit.site.index import Entry
from pubkit.site.listing import lead_target, listed

if TYPE_CHECKING:
    from pubkit.media.types import PictureFacts
    from pubkit.renderers.html.media import Copies

LATEST = N_("Latest articles")
TOPICS = N_("Topics")
A_Z = N_("A to Z")
NOT_FOUND = N_("Page not found")


def _latest_first(entries: list[Entry]) -> list[Entry]:
    undated = [e for e in entries if not (e.date or e.updated)]
    dated = sorted((e for e in entries if e.date or e.updated),
                   key=lambda e: (e.date or e.updated, e.title, e.source), reverse=True)
    return dated + sorted(undated, key=lambda e: (e.title, e.source))


@functools.lru_cache(maxsize=65536)
def collation_key(text: str, lang: str) -> str:
    """A sort key that reads as a dictionary of ``lang`` does: case and accents aside,
    and Spanish ``ñ`` a letter of its own after ``n``."""
    spanish = lang.lower().split("-")[0] == "es"
    out = []
    for ch in unicodedata.normalize("NFC", text.casefold()):
        if spanish and ch == "ñ":
            out.append("n\U0010ffff")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base)
    return "".join(out).strip()


def first_letter(text: str, lang: str) -> str:
    """The A-Z group of ``text``: its first letter without accents, in capitals; ``#`` otherwise."""
    key = collation_key(text, lang)
    for ch in key:
        if ch == "\U0010ffff":
            continue
        if ch.isalpha():
            return "Ñ" if key.startswith("n\U0010ffff") else ch.upper()
        if ch.isdigit():
            return "#"
    return "#"


@dataclass
class _Root:
    """The listing pages of one language: its folder, language and articles."""

    folder: str
    lang: str
    entries: list[Entry] = field(default_factory=list)


class _Pages:
    def __init__(self, ctx: RenderContext, exclude: Iterable[str],
                 present: Callable[[str], int | None] | None = None,
                 known: Mapping[str, PictureFacts] | None = None) -> None:
        self.ctx = ctx
        self.present = present
        self.known = known or {}
        self.index = ctx.index
        self.settings = ctx.settings
        self.theme = ctx.theme
        self.base = self.settings.base_url
        site_lang = self.settings.language
        self.roots: dict[str, _Root] = {"": _Root("", site_lang)}
        for entry in listed(self.index, exclude):
            folder = outputs.pages_folder(entry.lang, site_lang)
            root = self.roots.setdefault(folder, _Root(folder, entry.lang))
            root.entries.append(entry)
        self.css = Markup(self.theme.read_text("html/style.css"))
        self.files: dict[str, bytes] = {}
        self.kept: dict[str, int] = {}
        """Copies of pictures the cards show that are published already: their sizes."""
        self._pictures: dict[str, Copies | tuple[int, int] | None] = {}
        """Each listed article's lead picture as its cards show it (see :meth:`picture`)."""
        self._meta: dict[str, list[str]] = {}
        """Each listed article's card byline (an article is listed in one language's pages)."""
        self.sitemap: list[tuple[str, Any, list[tuple[str, str]]]] = []
        self._words: dict[str, Translations] = {}

    # ----------------------------------------------------------------- helpers
    def href(self, here: str, entry: Entry) -> str:
        return entry.canonical_url or outputs.relative_href(here, self.index.page_path(entry))

    def url(self, path: str) -> str:
        return outputs.public_url(self.base, path)

    def item(self, here: str, entry: Entry, t: Translations, first: bool = False,
             image: bool = True) -> dict[str, Any]:
        """What a card or a line of an index shows of ``entry``, with links from page ``here``
        (``first``: the page's first card, whose picture is loaded at once; ``image``: whether
        the page shows pictures, as the A-Z index does not)."""
        meta = self._meta.get(entry.source)
        if meta is None:
            meta = self._meta[entry.source] = self.meta_line(entry, t)
        return {"title": entry.title, "href": self.href(here, entry), "summary": entry.summary,
                "image": self.card_image(here, entry, first) if image else None, "meta": meta,
                "lang": entry.lang, "dir": text_direction(entry.lang)}

    def card_image(self, here: str, entry: Entry, first: bool) -> dict[str, Any] | None:
        """The lead picture of ``entry``'s card on page ``here``: the article page's own copies,
        their size, and its words by the one alt-text rule."""
        from pubkit.model import nodes as n
        from pubkit.renderers.alt import alt_text
        from pubkit.renderers.html.media import Copies, Shown

        target = lead_target(entry)
        published = self.index.published_as(target) if target else None
        if target is None or published is None:
            return None
        if entry.source not in self._pictures:
            self._pictures[entry.source] = self.picture(target, published)
        picture = self._pictures[entry.source]
        if isinstance(picture, Copies):
            shown = picture.shown(here)
        elif picture is not None:
            shown = Shown(outputs.relative_href(here, published), *picture)
        else:  # unreadable or refused: the address the article's page would have had
            shown = Shown(outputs.relative_href(here, published))
        words = self.words(entry.lang)
        alt = alt_text(n.Image(entry.image or "", entry.image_alt or ""),
                       self.settings.images.missing_alt, words)
        return {"src": shown.src, "srcset": shown.srcset, "width": shown.width,
                "height": shown.height, "alt": alt, "eager": first,
                "sources": [{"type": kind, "srcset": srcset} for kind, srcset in shown.sources]}

    def words(self, lang: str) -> Translations:
        """The catalogue of ``lang``, looked up once per render (each lookup stats its files)."""
        if lang not in self._words:
            self._words[lang] = self.theme.translations(lang)
        return self._words[lang]

    def picture(self, target: str, published: str) -> Copies | tuple[int, int] | None:
        """The picture at site path ``target`` checked as the article's page checks it, and
        published with the cards' copies of it (so they exist even if that page failed): its
        copies, or its size when it has none (an SVG, an animation); None when unusable."""
        from pubkit.media import Picture, inspect_picture
        from pubkit.media.variants import scalable
        from pubkit.renderers.html.media import copies, known_copies
        from pubkit.resources import Refused

        present = self.present
        facts = self.known.get(target)
        if facts is not None and present is not None and self.settings.images.responsive:
            # Checked by the article's page in this file's present state, and its copies all
            # published: named from those facts, with nothing read or decoded.
            made = known_copies(facts, published, self.ctx,
                                lambda path: present(outputs.in_web_root(path)))
            if made is not None:
                self.kept.update(made.kept)
                return made
        try:
            real = self.ctx.resources.local_path(target, self.ctx.site.root)
            checked = inspect_picture(self.ctx.resources.read_checked(real, target), real.name)
        except (Refused, OSError):
            return None
        if not isinstance(checked, Picture):
            return None
        if self.settings.images.responsive and scalable(checked.type, checked.frames):
            made = copies(checked, published, self.ctx,
                          None if present is None else lambda path: present(outputs.in_web_root(path)))
            self.files.update(made.files)
            self.kept.update(made.kept)
            return made
        self.files[published] = checked.data
        return checked.width, checked.height

    def meta_line(self, entry: Entry, t: Translations) -> list[str]:
        """The byline of a card: its last date, reading time and reviewer, in the page's words."""
        meta = []
        if entry.updated:
            meta.append(t.format("Updated %(date)s", date=t.format_date(entry.updated)))
        elif entry.date:
            meta.append(t.format("Published %(date)s", date=t.format_date(entry.date)))
        n = entry.reading_time
        if n:
            meta.append(t.ngettext("%(num)s min read", "%(num)s min read", n)
                        % {"num": t.format_number(n)})
        reviewer = reviewer_of(entry.reviewed_by, self.settings)
        if reviewer:
            meta.append(t.format("Medically reviewed by %(name)s", name=reviewer.display))
        return meta

    def base_context(self, root: _Root, here: str, t: Translations, current: str) -> dict[str, Any]:
        def link(path: str) -> str:
            # The 404 page answers for any address, at any depth: its links cannot be relative.
            return self.url(path) if current == "404" else outputs.relative_href(here, path)

        labels = Markup("")
        if t.missing is not None:
            lang = t.locale.replace("_", "-")
            labels = Markup(f' lang="{lang}" dir="{text_direction(lang)}"')
        nav = [
            {"href": link(outputs.home_page(root.folder)), "label": t.gettext(LATEST),
             "current": current == "home"},
            {"href": link(outputs.tags_page(root.folder)), "label": t.gettext(TOPICS),
             "current": current == "tags"},
            {"href": link(outputs.a_z_page(root.folder)), "label": t.gettext(A_Z),
             "current": current == "a-z"},
        ]
        others = []
        if current == "home" and here == outputs.home_page(root.folder):
            for folder, other in sorted(self.roots.items()):
                if folder != root.folder and (other.entries or not folder):
                    path = outputs.home_page(folder)
                    others.append(Version(other.lang, self.url(path),
                                          outputs.relative_href(here, path),
                                          language_name(other.lang), "", False, not folder))
        return {
            "site": self.settings, "brand": self.settings.brand, "lang": root.lang,
            "dir": text_direction(root.lang), "t": t, "css": self.css, "labels": labels,
            "icons": icon_links(self.ctx, link),
            "disclaimer": disclaimer(self.settings.brand, t), "site_nav": nav,
            "other_versions": others, "skip_label": t.gettext("Skip to the content"),
            "feed": link(outputs.feed_path(root.folder)),
        }

    def write(self, path: str, root: _Root, t: Translations, current: str, page: dict[str, Any],
              lastmod: Any = None) -> None:
        context = self.base_context(root, path, t, current)
        page.setdefault("url", self.url(path))
        page.setdefault("prev", None)
        page.setdefault("next", None)
        html = self.theme.template("html/listing.html.j2").render(**context, page=page)
        self.files[path] = html.encode("utf-8")
        if page["kind"] != "404":
            self.sitemap.append((self.url(path), lastmod, []))

    # ------------------------------------------------------------------- pages
    def render(self) -> dict[str, bytes]:
        for root in self.roots.values():
            self.render_root(root)
        top = self.roots[""]
        t = self.theme.translations(top.lang)
        self.write(outputs.NOT_FOUND, top, t, "404",
                   {"kind": "404", "title": t.gettext(NOT_FOUND), "url": None,
                    "description": t.gettext(NOT_FOUND)})
        for entry in listed_all(self.roots):
            alternates = []
            versions = self.index.versions(entry)
            if len(versions) > 1:
                alternates = [(v.lang, self.index.page_url(v, self.base)) for v in versions]
                # The original for readers of any other language, as the pages themselves say.
                alternates.append(("x-default", alternates[0][1]))
            url = self.index.page_url(entry, self.base)
            if url.startswith(self.url("")):  # a canonical_url elsewhere is that site's to list
                self.sitemap.append((url, entry.updated or entry.date, alternates))
        from pubkit.renderers.html.sitemap import robots_txt, sitemap_xml

        self.files[outputs.SITEMAP] = sitemap_xml(self.sitemap)
        self.files[outputs.ROBOTS] = robots_txt(self.url(outputs.SITEMAP))
        return self.files

    def render_root(self, root: _Root) -> None:
        t = self.theme.translations(root.lang)
        latest = _latest_first(root.entries)
        newest = _newest(latest)
        per_page = self.settings.pages.per_page
        chunks = [latest[i:i + per_page] for i in range(0, len(latest), per_page)] or [[]]
        title = t.gettext(LATEST)
        for number, chunk in enumerate(chunks, 1):
            path = outputs.home_page(root.folder, number)
            page = {"kind": "home", "number": number, "pages": len(chunks),
                    "title": title if number == 1 else f"{title} · {t.format_number(number)}",
                    "description": t.gettext(LATEST),
                    "articles": [self.item(path, e, t, i == 0) for i, e in enumerate(chunk)],
                    "prev": outputs.relative_href(path, outputs.home_page(root.folder, number - 1))
                    if number > 1 else None,
                    "next": outputs.relative_href(path, outputs.home_page(root.folder, number + 1))
                    if number < len(chunks) else None}
            self.write(path, root, t, "home", page, _newest(chunk))
        self.render_tags(root, t, latest)
        self.render_a_z(root, t, newest)
        from pubkit.renderers.html.feed import atom_feed

        feed = outputs.feed_path(root.folder)
        self.files[feed] = atom_feed(
            self.settings.site_name, root.lang, self.url(feed), self.url(outputs.home_page(root.folder)),
            [(self.index.page_url(e, self.base), e.title, e.summary, e.date, e.updated)
             for e in latest if e.date or e.updated][: self.settings.pages.feed_entries])

    def render_tags(self, root: _Root, t: Translations, latest: list[Entry]) -> None:
        spelled: dict[str, str] = {}
        members: dict[str, list[Entry]] = {}
        for entry in sorted(root.entries, key=lambda e: e.source):
            for tag in entry.tags:
                key = outputs.tag_key(tag)
                if not key:
                    continue
                spelled.setdefault(key, " ".join(tag.split()))
                members.setdefault(key, [])
        for entry in latest:
            for key in dict.fromkeys(outputs.tag_key(tag) for tag in entry.tags):
                if key in members:
                    members[key].append(entry)
        names = outputs.tag_names(list(members))
        here = outputs.tags_page(root.folder)
        order = sorted(members, key=lambda k: (collation_key(spelled[k], root.lang), k))
        tags = []
        for key in order:
            path = outputs.tag_page(root.folder, names[key])
            count = len(members[key])
            tags.append({"name": spelled[key], "href": outputs.relative_href(here, path),
                         "count_text": t.ngettext("%(num)s article", "%(num)s articles", count)
                         % {"num": t.format_number(count)}})
            self.write(path, root, t, "tag", {
                "kind": "tag", "pages": 1, "title": t.format("Topic: %(tag)s", tag=spelled[key]),
                "description": t.format("Articles about %(tag)s", tag=spelled[key]),
                "articles": [self.item(path, e, t, i == 0)
                             for i, e in enumerate(members[key])]},
                _newest(members[key]))
        self.write(here, root, t, "tags", {"kind": "tags", "title": t.gettext(TOPICS),
                                           "description": t.gettext(TOPICS), "tags": tags},
                   _newest(latest))

    def render_a_z(self, root: _Root, t: Translations, newest: Any) -> None:
        path = outputs.a_z_page(root.folder)
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(root.entries, key=lambda e: (collation_key(e.title, root.lang), e.source)):
            groups.setdefault(first_letter(entry.title, root.lang), []).append(entry)
        letters = sorted(groups, key=lambda g: ("\U0010ffff" if g == "#" else collation_key(g, root.lang)))
        page = {"kind": "a-z", "title": t.gettext(A_Z), "description": t.gettext(A_Z),
                "letters": [{"letter": g, "id": f"letter-{i + 1}",
                             "articles": [self.item(path, e, t, image=False) for e in groups[g]]}
                            for i, g in enumerate(letters)]}
        self.write(path, root, t, "a-z", page, newest)


def _newest(entries: list[Entry]) -> dt.date | None:
    """The last change of any of ``entries``: what a page listing them has as its ``lastmod``."""
    return max((day for e in entries if (day := e.updated or e.date) is not None), default=None)


def listed_all(roots: dict[str, _Root]) -> list[Entry]:
    return [e for root in roots.values() for e in root.entries]


def render_site_pages(ctx: RenderContext, exclude: Iterable[str] = (),
                      present: Callable[[str], int | None] | None = None,
                      known: Mapping[str, PictureFacts] | None = None, pages: bool = True,
                      ) -> tuple[dict[str, bytes], list[str], dict[str, int]]:
    """Every file of the site's own pages, by path relative to the output folder, warnings, and
    the sizes of the pictures' copies they show that ``present`` (by the same paths) says are
    published already, whose bytes are left out.

    ``known`` holds, by site path, what the articles' pages found of the lead pictures (those
    unchanged since): a card whose copies are all published is then made without its picture.

    With ``[pages] enabled = false``, or ``pages`` false, only the icons every page names.
    """
    files: dict[str, bytes] = {}
    kept: dict[str, int] = {}
    warnings = []
    if pages and ctx.settings.pages.enabled:
        made = _Pages(ctx, exclude, present, known)
        files = made.render()
        kept = {outputs.in_web_root(path): size for path, size in made.kept.items()}
    icons = icon_files(ctx)
    if isinstance(icons, str):
        warnings.append(icons)
    elif icons is not None:
        for path, data in icons.items():
            files.setdefault(path, data)
    return {outputs.in_web_root(path): data for path, data in files.items()}, warnings, kept
