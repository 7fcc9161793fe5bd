"""Read a newsletter issue: ``newsletters/<name>.md``.

YAML front matter says what to send and a Markdown body, the intro, says
hello::

    ---
    subject: "{{ first_name | default('Hello') }}, news from the clinic"
    preheader: What ketamine can do for chronic pain
    articles: [ketamine-pain-management]   # or: tag: ketamine / latest: 3
    layout: teasers                        # or: full (one article, in full)
    date: 2024-06-01                       # optional: shown under the masthead
    button: Read more                      # optional: label of each article's button
    lang: en                               # optional: default, the first article's
    ---
    Hi {{ first_name | default("there") }}, ...

Articles are chosen by slug list, by tag (newest first) or as the latest N
(``latest`` also caps a tag).

A **language version** of an issue is a file beside it named for its
language, ``newsletters/<name>.<lang>.md`` (``sample.es.md``): its own
subject, preheader, intro and button, in that language.  It features the
base issue's articles unless it chooses its own, and each featured article
is replaced by its translation into the version's language when the site
has one (:meth:`pubkit.site.index.SiteIndex.translation`); an article
without one is featured as it is, with one warning.  Merge fields (see
:mod:`pubkit.source.merge_fields`) may appear in the subject, the preheader
and the intro.  Every message names the newsletter and the
line at fault; an article that does not exist is an error at its own line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.i18n import N_, valid_lang
from pubkit.model.article import Article, Meta
from pubkit.model.text import block_text, count_words
from pubkit.safeio import read_regular
from pubkit.site import Site, outputs
from pubkit.site.index import Entry, SiteIndex
from pubkit.site.outputs import Name, split_issue_name
from pubkit.source.decode import decode_source
from pubkit.source.frontmatter import split_front_matter
from pubkit.source.merge_fields import MergeFields
from pubkit.source.reader import MAX_SOURCE_BYTES, display_path, parse_body, read_article

Layout = Literal["teasers", "full"]
KNOWN_KEYS = ("subject", "preheader", "articles", "tag", "latest", "layout", "lang", "date",
              "button")
LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"


NAME = re.compile(r"[^\W_][\w.-]{0,99}")
"""A newsletter's name (its file name without ``.md``): it becomes folder and file names below
the output folder (``newsletters/<name>/``, ``send/<name>/``), so no dots or dashes in front,
no spaces, slashes or control characters, and at most 100 characters."""

READ_MORE = N_("Read more")
READ_ON_THE_WEB = N_("Read on the web")
DEFAULT_BUTTONS = (READ_MORE, READ_ON_THE_WEB)
"""Button labels pubkit chooses (message ids: the email is written in the issue's language)."""


@dataclass(slots=True)
class Newsletter:
    """One issue, its merge fields compiled and its articles resolved.

    ``subject`` and ``preheader`` hold merge-field tokens; ``intro`` is the
    Markdown intro as an article (tokens in its text), so every writer and the
    media checks treat it like any other content.
    """

    path: str
    name: str
    subject: str
    preheader: str
    intro: Article
    articles: list[Article]
    layout: Layout
    lang: str
    button: str
    fields: MergeFields
    source_hash: str
    date: dt.date | None = None
    warnings: list[Diagnostic] = field(default_factory=list)
    version: str = ""
    """The language of a language version (``es``), as its file name gives it; empty for the base."""

    @property
    def output_name(self) -> Name:
        """What this issue's (or version's) outputs are named after (see :func:`outputs.issue_name`)."""
        return outputs.issue_name(self.name, self.version)


def language_versions(base: Path) -> dict[str, Path]:
    """The language versions beside issue ``base``, by language tag in lower case."""
    found: dict[str, Path] = {}
    prefix = base.stem + "."
    try:
        names = sorted(p.name for p in base.parent.iterdir())
    except OSError:
        return found
    for file_name in names:
        if not (file_name.startswith(prefix) and file_name.endswith(".md")):
            continue
        lang = file_name[len(prefix):-3]
        candidate = base.parent / file_name
        if valid_lang(lang) and candidate.is_file():
            found.setdefault(lang.lower(), candidate)
    return found


def read_newsletter(path: Path, site: Site, index: SiteIndex | None = None,
                    base: Newsletter | None = None) -> Newsletter:
    """Read ``path`` and resolve its articles in the site index (read now when not given).

    ``path`` may be a language version (``<name>.<lang>.md``); ``base`` is then
    its base issue, read here when not given.
    """
    shown = display_path(path, site.root)
    if NAME.fullmatch(path.stem) is None:
        raise SourceError(shown, None, f"the newsletter's name {path.stem!r} (its file name) must "
                                       "be letters, digits, '.', '-' or '_', start with a letter "
                                       "or digit, and be at most 100 characters")
    name, version = split_issue_name(path.stem)
    if version and not valid_lang(version):
        raise SourceError(shown, None, f"'{version}' in the file name is not a language tag: a "
                                       "language version is named <issue>.<lang>.md, such as "
                                       "sample.es.md")
    if version and base is None:
        base_path = path.with_name(name + ".md")
        if not base_path.is_file():
            raise SourceError(shown, None, f"a language version needs its base issue "
                                           f"{display_path(base_path, site.root)}, which does not exist")
        base = read_newsletter(base_path, site, index)
    try:
        data = read_regular(path, MAX_SOURCE_BYTES)
    except OSError as exc:
        raise SourceError(shown, None, f"cannot read: {exc.strerror}") from None
    decoded = decode_source(data, shown)
    try:
        fm = split_front_matter(decoded.text, shown)
    except SourceError as exc:
        raise _with_quote_hint(exc, decoded.text) from None
    front = _FrontMatter(fm.data, fm.key_lines, shown, decoded.text.split("\n"), fm.start_line)
    warnings = [*decoded.warnings, *front.unknown_keys()]
    source_hash = hashlib.sha256(data).hexdigest()
    fields = MergeFields(shown, source_hash[:8])

    subject = front.one_line("subject", required=True) or ""
    preheader = front.one_line("preheader") or ""
    # A version without a layout of its own is laid out like its base issue.
    layout = base.layout if base is not None and front.text("layout") is None \
        else front.choice("layout", ("teasers", "full"), "teasers")
    if index is None:
        from pubkit.site.indexing import build_index

        index = build_index(site).index
    articles, found_warnings = _select(front, site, index)
    warnings += found_warnings
    lang = front.text("lang")
    if version:
        if lang and lang.lower() != version.lower():
            warnings.append(Diagnostic(shown, front.line("lang"),
                                       f"lang '{lang}' differs from the file name's '{version}': "
                                       f"the version is in '{version}'", "warning"))
        lang = version
        if base is not None and not articles and front.line("articles") is None \
                and front.line("tag") is None and front.line("latest") is None:
            articles = list(base.articles)
        articles, found_warnings = _in_language(articles, version, shown, site, index,
                                                front.line("articles"))
        warnings += found_warnings
    if layout == "full" and len(articles) != 1:
        raise SourceError(shown, front.line("layout"),
                          f"layout 'full' sends one article in full; {len(articles)} are selected")
    intro_text = fields.protect(fm.body, fm.body_line)
    if not articles and not intro_text.strip():
        raise SourceError(shown, fm.start_line or 1,
                          "nothing to send: name articles (articles, tag or latest) or write an intro")
    lang = lang or (articles[0].lang if articles else site.settings.language)
    body = parse_body(intro_text, fm.body_line, shown)
    intro = Article(
        meta=Meta(title=subject, slug=name, lang=lang),
        body=body.blocks, footnotes=body.footnotes, path=shown,
        source_dir=display_path(path.parent, site.root),
        word_count=count_words(block_text(body.blocks)), reading_time=1, summary=preheader,
        outline=[], lang=lang, source_hash=source_hash,
    )
    return Newsletter(
        path=shown, name=name,
        subject=fields.protect(subject, front.line("subject")),
        preheader=fields.protect(preheader, front.line("preheader")),
        intro=intro, articles=articles, layout=layout, lang=lang,
        button=front.one_line("button") or READ_MORE,
        fields=fields, source_hash=source_hash,
        date=front.date("date") or (base.date if base else None), warnings=warnings,
        version=version,
    )


def _in_language(articles: list[Article], lang: str, shown: str, site: Site, index: SiteIndex,
                 line: int | None) -> tuple[list[Article], list[Diagnostic]]:
    """Each article's version in ``lang`` (asked of the index); the article itself when none."""
    out: list[Article] = []
    warnings: list[Diagnostic] = []
    for article in articles:
        entry = index.entry(article.path) or index.by_slug(article.slug)
        version = index.translation(entry, lang) if entry is not None else None
        if version is None:
            warnings.append(Diagnostic(shown, line, f"article '{article.slug}' has no {lang} "
                                       f"translation: the {lang} version features it in "
                                       f"{article.lang} ({article.path})", "warning"))
            out.append(article)
        elif version.source == article.path:
            out.append(article)
        else:
            out.append(_read(site, version))
    return out, warnings


def newsletter_for_article(article: Article, site_language: str = "en") -> Newsletter:
    """A one-article issue: the article in full, its title as the subject."""
    fields = MergeFields(article.path, article.source_hash[:8])
    intro = Article(meta=Meta(title=article.title, slug=article.slug, lang=article.lang), body=[],
                    footnotes=[], path=article.path, source_dir=article.source_dir, word_count=0,
                    reading_time=1, summary="", outline=[], lang=article.lang,
                    source_hash=article.source_hash)
    return Newsletter(
        path=article.path, name=article.slug, subject=article.title, preheader=article.summary,
        intro=intro, articles=[article], layout="full", lang=article.lang or site_language,
        button=READ_ON_THE_WEB, fields=fields, source_hash=article.source_hash,
    )


def _select(front: _FrontMatter, site: Site,
            index: SiteIndex) -> tuple[list[Article], list[Diagnostic]]:
    """The featured articles, chosen from the site index; only those are read."""
    slugs = front.slug_list("articles")
    tag = front.text("tag")
    latest = front.count("latest")
    if slugs is not None and (tag or latest):
        raise SourceError(front.path, front.line("articles"),
                          "choose articles either by 'articles' or by 'tag'/'latest', not both")
    if slugs is None and not tag and latest is None:
        return [], []
    warnings: list[Diagnostic] = []
    published = [e for e in index.articles() if index.duplicate_of(e.source) is None]
    if slugs is not None:
        chosen = []
        for slug in slugs:
            entry = index.by_slug(slug)
            if entry is None:
                broken = [d for s, d in index.problems.items() if Path(s).stem == slug]
                if broken:
                    raise SourceError(broken[0].path, broken[0].line, broken[0].message)
                close = difflib.get_close_matches(slug, [e.slug for e in published], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise SourceError(front.path, front.item_line("articles", slug),
                                  f"article '{slug}' not found in {site.settings.content_dir}/{hint}")
            chosen.append(entry)
        return [_read(site, e) for e in chosen], warnings
    at = front.line("tag") or front.line("latest")
    warnings += [Diagnostic(front.path, at, f"skipped {d}", "warning")
                 for s, d in index.problems.items() if not s.startswith("newsletters/")]
    # A work is featured once: its original stands for its translations (a reader's
    # language picks among them, see SiteIndex.translation).
    works = [e for e in published if index.original_of(e) is None]
    pool = [e for e in works if tag is None or tag.lower() in {t.lower() for t in e.tags}]
    pool.sort(key=lambda e: (e.date or e.updated or dt.date.min, e.slug), reverse=True)
    if latest is not None:
        pool = pool[:latest]
    if not pool:
        raise SourceError(front.path, at,
                          f"no article has the tag '{tag}'" if tag else "no articles to feature")
    return [_read(site, e) for e in pool], warnings


def _read(site: Site, entry: Entry) -> Article:
    return read_article(site.root / entry.source, site.root, site.settings.language)


def _with_quote_hint(exc: SourceError, text: str) -> SourceError:
    """YAML reads an unquoted ``{{ x }}`` as a mapping; say how to fix it."""
    d = exc.diagnostic
    lines = text.split("\n")
    if d.line and d.line <= len(lines) and ": {{" in lines[d.line - 1]:
        return SourceError(d.path, d.line, f"{d.message} (quote a value that starts with {{{{)")
    return exc


@dataclass(slots=True)
class _FrontMatter:
    """Typed access to the front matter; every error names the key's line."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    path: str
    lines: list[str]
    start_line: int

    def line(self, key: str) -> int | None:
        return self.key_lines.get(key)

    def fail(self, key: str, message: str) -> SourceError:
        return SourceError(self.path, self.line(key) or self.start_line or 1,
                           f"front matter: '{key}' {message}")

    def unknown_keys(self) -> list[Diagnostic]:
        out = []
        for key in self.data:
            if key not in KNOWN_KEYS:
                close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                out.append(Diagnostic(self.path, self.line(key),
                                      f"unknown front matter key '{key}'{hint}", "warning"))
        return out

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            hint = "; quote it when it starts with {{" if isinstance(value, dict) else ""
            raise self.fail(key, f"must be text, not {type(value).__name__}{hint}")
        return str(value).strip() or None

    def one_line(self, key: str, required: bool = False) -> str | None:
        value = self.text(key)
        if value is None and required:
            raise SourceError(self.path, self.start_line or 1, f"front matter: '{key}' is required")
        if value is not None and any(ch in LINE_BREAKS for ch in value):
            raise self.fail(key, "must be one line (it contains a line break)")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> Any:
        value = self.text(key) or default
        if value not in allowed:
            raise self.fail(key, f"must be one of {', '.join(allowed)}, not '{value}'")
        return value

    def count(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            raise self.fail(key, "must be a whole number from 1 to 100")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None or isinstance(value, dt.date):
            return value.date() if isinstance(value, dt.datetime) else value
        raise self.fail(key, "must be a date such as 2024-05-01")

    def slug_list(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of article slugs, such as [ketamine-pain-management]")
        return [v.strip() for v in value]

    def item_line(self, key: str, item: str) -> int | None:
        """The line of ``item`` in the value of ``key`` (front matter lines are 1-based)."""
        start = self.line(key)
        if start is None:
            return None
        for number in range(start, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > start and text.rstrip() in ("---", "..."):
                break
            if item in text.split(":", 1)[-1] if number == start else item in text:
                return number
        return start
