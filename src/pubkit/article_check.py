"""Everything ``pubkit check`` says about one article, as a value a worker can return.

Front matter, links and images judged against the site index, slugs
(:mod:`pubkit.checks`), reading level
and plain language (:mod:`pubkit.readability`), and the review record
(:mod:`pubkit.review`).  Pure apart from reading the article and testing
that the files it references exist; the day comes in from the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubkit.checks import check_article
from pubkit.diagnostics import Diagnostic, Severity, SourceError
from pubkit.model.article import Article
from pubkit.readability.measure import measure
from pubkit.readability.prose import passages
from pubkit.readability.report import grade_diagnostics, readability_json, word_diagnostics
from pubkit.readability.wordlist import WordList, word_list
from pubkit.renderers.base import RenderContext
from pubkit.resources import ResourcePolicy
from pubkit.review.policy import review_problems, unstamped_message
from pubkit.review.record import ReviewState, review_state, unknown_key_hint
from pubkit.site.indexing import article_entry
from pubkit.source.reader import display_path, read_article


@dataclass(frozen=True, slots=True)
class CheckOptions:
    today: dt.date
    strict: bool = False
    """``--strict``: reading-level and plain-language warnings become errors."""
    figures: bool = False
    """``--json``: also return every figure (building them costs a little per article)."""


@dataclass(slots=True)
class ArticleCheck:
    """The diagnostics about one file, and its figures for ``--json``."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    source_hash: str = ""
    """sha256 of the bytes checked ("" when the file could not be read)."""
    looked_up: tuple[str, ...] = ()
    """The local files the article names, as written, whose existence the check asked about."""
    printed: str | None = field(default=None, compare=False, repr=False)
    """:meth:`text`, once made (a worker makes it, so that the command's process only prints)."""
    reported: str | None = field(default=None, compare=False, repr=False)
    """:meth:`report_text`, once made (likewise)."""

    def text(self) -> str:
        """The diagnostics as ``pubkit check`` prints them, a line each."""
        if self.printed is None:
            self.printed = "".join(f"{d}\n" for d in self.diagnostics)
        return self.printed

    def report_text(self) -> str:
        """:attr:`report` as JSON, as ``pubkit check --json`` prints it among the articles.

        Encoding a thousand reports at once took a tenth of a second, alone in the
        command's process after the workers were done; each worker encodes its own.
        """
        if self.reported is None:
            self.reported = json.dumps(self.report, ensure_ascii=False)
        return self.reported

    def __reduce__(self) -> tuple[type[ArticleCheck], tuple[Any, ...]]:
        # Workers send a thousand of these (pubkit check); the default for a dataclass with
        # slots goes through dataclasses.fields() for every one, on both sides.
        return (ArticleCheck, (self.path, self.diagnostics, self.report, self.source_hash,
                               self.looked_up, self.printed, self.reported))


@dataclass(frozen=True)
class _Recording(ResourcePolicy):
    """The site's resource policy, noting each local reference it is asked to find.

    What the check of an article said depends on whether those files exist, so
    a kept result (:mod:`pubkit.check_cache`) is good only while each is found
    (or missing) as it was.
    """

    asked: list[str] = field(default_factory=list, compare=False, hash=False)

    def local_path(self, ref: str, base_dir: Path) -> Path:
        self.asked.append(ref)
        return super().local_path(ref, base_dir)


class Checker:
    """Checks articles of one site; keeps the word lists it has built."""

    def __init__(self, ctx: RenderContext, site_words: dict[str, dict[str, str]],
                 options: CheckOptions) -> None:
        policy = ctx.resources
        self._asked = _Recording(policy.root, policy.allowed_dirs, policy.allow_remote, policy.files)
        self.ctx = dataclasses.replace(ctx, resources=self._asked)
        self.site_words = site_words
        self.options = options
        self._lists: dict[str, WordList] = {}
        self._folders: dict[Path, Path] = {}
        """The folders resolved so far (a checker serves one command)."""

    def check_file(self, path: Path) -> ArticleCheck:
        site = self.ctx.site
        try:
            article = read_article(path, site.root, site.settings.language, folders=self._folders)
        except SourceError as exc:
            shown = display_path(path, site.root)
            return ArticleCheck(shown, [exc.diagnostic], {"path": shown, "error": str(exc)})
        return self.check(article)

    def check(self, article: Article) -> ArticleCheck:
        ctx, settings = self.ctx, self.ctx.settings
        self._asked.asked.clear()
        if ctx.index.entry(article.path) is None:  # named from outside the site: judge it too
            ctx = dataclasses.replace(ctx, _index=ctx.index.with_entry(article_entry(article)))
        try:
            found = [*article.warnings, *check_article(article, ctx)]
        finally:
            ctx.forget(article)
        prose: Severity = "error" if self.options.strict else "warning"
        readability = measure(article)
        if readability is not None:
            found += grade_diagnostics(article.path, readability, settings.check, prose)
        # The sections' passages and words are the body's: found once, read again for the word list.
        if readability is not None:
            hits = self._word_list(article.lang).find(readability.passages, readability.words)
        else:
            hits = self._word_list(article.lang).find(passages(article.body))
        found += word_diagnostics(article.path, hits, prose)
        state = review_state(article, settings, self.options.today)
        found += review_problems(article, state, settings.review.strict)
        found += self._review_hints(article, state)
        found.sort(key=lambda d: d.line or 0)  # stable: an article's warning before its section's
        looked_up = tuple(dict.fromkeys(self._asked.asked))
        if not self.options.figures:
            return ArticleCheck(article.path, found, source_hash=article.source_hash, looked_up=looked_up)
        return ArticleCheck(article.path, found, {
            "path": article.path,
            "slug": article.slug,
            "title": article.title,
            "language": article.lang,
            "readability": readability_json(readability, article.lang, settings.check),
            "plain_language": [{"line": h.line, "word": h.key, "try": h.alternative} for h in hits],
            "review": state.as_json(),
            "diagnostics": [diagnostic_json(d) for d in found],
        }, article.source_hash, looked_up)

    def _word_list(self, lang: str) -> WordList:
        if lang not in self._lists:
            self._lists[lang] = word_list(lang, self.site_words)
        return self._lists[lang]

    def _review_hints(self, article: Article, state: ReviewState) -> list[Diagnostic]:
        """Review-record slips that only ``check`` mentions (publishing is not affected)."""
        path, meta, settings = article.path, article.meta, self.ctx.settings
        out = []
        hint = unknown_key_hint(meta.reviewed_by, settings)
        if hint:
            out.append(f"reviewed_by {meta.reviewed_by!r} is not a key of [reviewers]; "
                       f"did you mean {hint!r}?")
        if meta.status == "approved" and meta.reviewed_on is None:
            out.append("status is approved but reviewed_on is missing "
                       "(pubkit review approve records both)")
        if meta.reviewed_on and meta.reviewed_on > self.options.today:
            out.append(f"reviewed_on {meta.reviewed_on} is in the future")
        if state.reviewed and not state.stamped and not state.draft and not settings.review.strict:
            out.append(unstamped_message(state))
        return [Diagnostic(path, None, message, "warning") for message in out]


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.line, "message": d.message, "severity": d.severity,
            "text": str(d)}
