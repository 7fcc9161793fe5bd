"""Compose a newsletter once, then personalise it per recipient cheaply.

:func:`compose_newsletter` renders the HTML and the text once, with every
merge field (and the unsubscribe link) left as a token, and cuts both at the
tokens.  :meth:`ComposedNewsletter.message_for` then only evaluates the
compiled merge fields, joins the pieces and builds the MIME message.

Every merge value that lands in a header (the subject) is refused when it
holds a line break or a control character, naming the field; each value is
capped in length by :mod:`pubkit.source.merge_fields`, and the whole message
by ``[email] max_message_bytes`` when it is sent.  The issue is also rendered
once as a web page without personal data (:meth:`ComposedNewsletter.web_page`),
which each email links to.

An issue with language versions (``newsletters/<name>.<lang>.md``) is a
:class:`ComposedIssue`: every version composed once, and each recipient's
message made from the version in their language (:meth:`ComposedIssue.edition_for`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup, escape

from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.i18n import Translations, valid_lang
from pubkit.model.article import Article
from pubkit.renderers.alt import alt_text, lead_picture
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.html import article_html, inline_styles, page_source
from pubkit.renderers.email.media import EmailMedia
from pubkit.renderers.email.mime import (
    GMAIL_CLIP_BYTES,
    MessageBuilder,
    PersonalHeaders,
    UnsafeHeader,
    list_unsubscribe,
    mailbox,
    refuse_line_breaks,
)
from pubkit.renderers.email.text import message_text
from pubkit.renderers.email.utm import utm_tagger
from pubkit.renderers.page_data import (
    BYLINE_SEPARATOR,
    byline,
    disclaimer,
    draft_notice,
    format_date,
    reading_time,
    review_line,
    text_direction,
)
from pubkit.send.recipients import Recipient
from pubkit.send.tokens import message_tag, unsubscribe_token
from pubkit.settings import Settings
from pubkit.site import outputs
from pubkit.site.outputs import split_issue_name
from pubkit.source.merge_fields import MergeDocument, MergeFields
from pubkit.source.newsletter import (
    DEFAULT_BUTTONS,
    Newsletter,
    language_versions,
    read_newsletter,
)

LOGO_WIDTH = 200
PREVIEW_FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml")
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ComposedNewsletter:
    """A rendered newsletter, ready to be personalised for each recipient."""

    def __init__(self, newsletter: Newsletter, ctx: RenderContext, media: EmailMedia,
                 date: dt.datetime, pages: tuple[str, str, str, str],
                 warnings: list[Diagnostic], t: Translations | None = None) -> None:
        page_source, html, text, web = pages
        fields = newsletter.fields
        self.newsletter = newsletter
        self.name = newsletter.name
        self.path = newsletter.path
        self.lang = newsletter.lang
        self.version = newsletter.version
        """The language of a language version, as its file name gives it; empty for the base."""
        self.output_name = newsletter.output_name
        t = t or ctx.translations(newsletter.intro, newsletter.lang)
        # The mailto: subject is text the reader sees in their mail program.
        self.unsubscribe_word = urllib.parse.quote(t.gettext("unsubscribe"), safe="")
        self.articles = list(newsletter.articles)
        """The featured articles (the compliance gate checks their review state)."""
        self.settings = ctx.settings
        self.fields: MergeFields = fields
        self.media = media
        self.warnings = warnings
        self.page_source = page_source  # the HTML before its styles were inlined (benchmarks)
        self.subject: MergeDocument = fields.split(newsletter.subject, html=False)
        self.html: MergeDocument = fields.split(html, html=True)
        self.text: MergeDocument = fields.split(text, html=False)
        self.web: MergeDocument = fields.split(web, html=True)
        es = ctx.settings.email
        self.domain = es.from_address.rpartition("@")[2] or "localhost"
        self.builder = MessageBuilder(
            sender=mailbox("From", es.from_name, es.from_address),
            reply_to=mailbox("Reply-To", "", es.reply_to or es.from_address),
            date=date, images=list(media.inline.values()), seed=newsletter.source_hash[:16],
            language=newsletter.lang if valid_lang(newsletter.lang) else "",
        )
        h = hashlib.sha256()
        for part in (self.subject.source(), self.html.source(), self.text.source(),
                     *(f.source for f in fields.fields), *self.builder.senders[0],
                     es.reply_to or "", es.unsubscribe_url, es.unsubscribe_mailto,
                     # A version's language is part of what it is; the base issue's hash
                     # stays what it was before versions existed (ledgers in progress).
                     *((self.builder.language, self.unsubscribe_word) if self.version else ())):
            h.update(part.encode() + b"\x00")
        for image in media.inline.values():
            h.update(image.cid.encode() + image.data)
        self.content_hash = h.hexdigest()

    def token(self, recipient: Recipient) -> str:
        """The recipient's unsubscribe token, in this issue's language (the message's)."""
        return unsubscribe_token(self.settings.email.token_secret, recipient.email, self.lang)

    def values(self, recipient: Recipient, token: str) -> list[str]:
        """Every merge field's value for ``recipient``; the last is the unsubscribe URL."""
        quoted = urllib.parse.quote(recipient.email, safe="@")
        url = self.settings.email.unsubscribe_url.replace("{token}", token)
        context = {**recipient.fields, "email": recipient.email, "name": recipient.name,
                   "unsubscribe_url": url.replace("{email}", quoted)}
        return self.fields.values(context)

    def message_id(self, recipient: Recipient) -> str:
        """``<issue.tag@domain>``: the tag proves, with the secret, which recipient and issue."""
        issue = self.content_hash[:20]
        tag = message_tag(self.settings.email.token_secret, issue, recipient.email)
        return f"<{issue}.{tag}@{self.domain}>"

    def message_for(self, recipient: Recipient) -> email.message.EmailMessage:
        """The personalised message for ``recipient``, with ``To`` set.

        Raises :class:`~pubkit.renderers.mime.UnsafeHeader` (a line break, a control
        character or a bad address, naming the header and the merge field) or
        :class:`~pubkit.source.merge_fields.MergeError`; both are ``ValueError``.
        """
        es = self.settings.email
        token = self.token(recipient)
        values = self.values(recipient, token)
        url = values[-1]
        self._check_header_fields(values)
        subject = " ".join(refuse_line_breaks("Subject", self.subject.fill(values)).split())
        headers = PersonalHeaders(
            to=mailbox("To", recipient.name, recipient.email),
            subject=subject,
            message_id=self.message_id(recipient),
            list_unsubscribe=list_unsubscribe(
                url, f"{es.unsubscribe_mailto}?subject={self.unsubscribe_word}%20{token}"),
        )
        return self.builder.build(headers, self.text.fill(values), self.html.fill(values))

    def _check_header_fields(self, values: list[str]) -> None:
        for slot in self.subject.slots:
            bad = _HEADER_UNSAFE.search(values[slot])
            if bad:
                field = self.fields.fields[slot]
                raise UnsafeHeader(
                    f"Subject: merge field {{{{ {field.source} }}}} ({field.where}) gives "
                    f"{values[slot][:60]!r}, with a line break or control character "
                    f"({bad.group(0)!r}) that cannot go in a header")

    def missing_parts(self) -> list[str]:
        """What the law requires of every message that this version's messages lack."""
        unsubscribe = len(self.fields.fields) - 1  # the last merge field (see compose)
        missing = []
        if unsubscribe not in self.html.slots or unsubscribe not in self.text.slots:
            part = "HTML" if unsubscribe not in self.html.slots else "text"
            missing.append(f"the unsubscribe link (in the {part} part)")
        postal = self.settings.email.postal_address
        if postal and postal.strip():
            html = self.html.source()
            if str(escape(postal)) not in html and postal not in html:
                missing.append("the postal address (in the HTML part)")
            elif postal not in self.text.source():
                missing.append("the postal address (in the text part)")
        return missing

    def web_page(self) -> bytes:
        """The issue as a public web page: merge fields at their defaults, no unsubscribe link."""
        anonymous = self.fields.values({})
        return self.media.public(self.web.fill(anonymous)).encode("utf-8")

    def preview_recipient(self) -> Recipient:
        name, address = email.utils.parseaddr(self.settings.email.preview_to)
        return Recipient(address or "reader@example.com", name, {})

    def preview_files(self) -> dict[str, bytes]:
        """The HTML, text and message for the preview recipient (``[email] preview_to``)."""
        recipient = self.preview_recipient()
        values = self.values(recipient, self.token(recipient))
        return {
            "newsletter.html": self.media.public(self.html.fill(values)).encode("utf-8"),
            "newsletter.txt": self.text.fill(values).encode("utf-8"),
            "newsletter.eml": self.message_for(recipient).as_bytes(),
        }


def compose_newsletter(path: Path, ctx: RenderContext, now: dt.datetime | None = None,
                       base: Newsletter | None = None) -> ComposedNewsletter:
    """Read ``path`` (a newsletter issue, or a language version of ``base``) and compose it.

    Date is ``now`` (default: the clock).
    """
    newsletter = read_newsletter(path, ctx.site, ctx.index, base)
    # An issue's own folder holds content too (images for its intro).
    policy = ctx.resources
    resources = dataclasses.replace(policy, allowed_dirs=(
        *policy.allowed_dirs, ctx.site.newsletters_dir.resolve()))
    ctx = dataclasses.replace(ctx, resources=resources)
    return compose(newsletter, ctx, now or dt.datetime.now(dt.UTC))


def compose(newsletter: Newsletter, ctx: RenderContext, date: dt.datetime,
            article_email: bool = False) -> ComposedNewsletter:
    """Render ``newsletter`` once, with merge-field tokens in place.

    An ``article_email`` (one article sent as it is) links to the article's own
    page as its web version; an issue links to its own page (:func:`outputs.issue_page_path`).
    pubkit's own words are in the issue's language; a teaser's facts in its article's.
    """
    first_warning = len(ctx.warnings)
    settings = ctx.settings
    media = EmailMedia(ctx, embed=settings.email.embed_images)
    tag = utm_tagger(settings, newsletter.name)
    fields = newsletter.fields
    intro = newsletter.intro
    t = ctx.translations(intro, newsletter.lang)
    if newsletter.button in DEFAULT_BUTTONS:
        newsletter = dataclasses.replace(newsletter, button=t.gettext(newsletter.button))
    intro_body, intro_notes = article_html(intro, media, tag, t)
    logo = None
    if settings.brand.logo:
        logo = media.site_image(intro, settings.brand.logo, LOGO_WIDTH)
    full = None
    teasers = []
    if newsletter.layout == "full":
        full = _full(newsletter.articles[0], media, tag, settings, t)
    else:
        teasers = [_teaser(a, media, tag, settings, ctx.translations(a)) for a in newsletter.articles]
    # The unsubscribe URL is a merge field too, added last (see message_for).
    unsubscribe = fields.add_variable("unsubscribe_url")
    web_url = tag(media.page_url(newsletter.articles[0]) if article_email
                  else outputs.public_url(settings.base_url,
                                          outputs.issue_page_path(newsletter.output_name)))
    values = {
        "lang": newsletter.lang, "dir": text_direction(newsletter.lang),
        "title": newsletter.subject, "preheader": newsletter.preheader, "logo": logo,
        "issue_date": format_date(newsletter.date, t), "t": t,
        "disclaimer": disclaimer(settings.brand, t),
        "intro": intro_body, "intro_notes": intro_notes, "full": full, "teasers": teasers,
        "button": newsletter.button, "unsubscribe_url": Markup(unsubscribe),
        "web_url": web_url,
    }
    source = page_source(ctx, values)
    html = inline_styles(source)
    web = inline_styles(page_source(ctx, {**values, "web": True}))
    _check_tokens(newsletter, html)
    text = message_text(newsletter, media, full is not None, unsubscribe, t, tag, web_url)
    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        ctx.warn(intro, None, f"the email's HTML is {size / 1024:.0f} KB: Gmail clips messages "
                              f"over {GMAIL_CLIP_BYTES // 1024} KB (feature fewer articles)")
    warnings = [*newsletter.warnings, *ctx.warnings[first_warning:]]
    return ComposedNewsletter(newsletter, ctx, media, date, (source, html, text, web), warnings, t)


def _full(article: Article, media: EmailMedia, tag: Callable[[str], str],
          settings: Settings, t: Translations) -> dict[str, object]:
    body, notes = article_html(article, media, tag, t)
    meta = article.meta
    return {"title": article.title, "subtitle": meta.subtitle,
            "byline": BYLINE_SEPARATOR.join(byline(article, t)),
            "review_line": review_line(article, settings, t), "draft": draft_notice(article, t),
            "image": media.lead_image(article),
            "image_alt": alt_text(lead_picture(meta), settings.images.missing_alt, t),
            "body": body, "footnotes": notes, "url": tag(media.page_url(article))}


def _teaser(article: Article, media: EmailMedia, tag: Callable[[str], str],
            settings: Settings, t: Translations) -> dict[str, object]:
    """One featured article; its facts in its own language, like its title and summary."""
    meta = article.meta
    facts = [format_date(meta.date, t)] if meta.date else []
    facts.append(reading_time(article, t))
    return {"title": article.title, "summary": article.summary,
            "url": tag(media.page_url(article)),
            "lang": article.lang, "dir": text_direction(article.lang),
            "image": media.lead_image(article),
            "image_alt": alt_text(lead_picture(meta), settings.images.missing_alt, t),
            "meta": " · ".join(facts)}


def _check_tokens(newsletter: Newsletter, html: str) -> None:
    """Merge fields survive only in text: an address would carry them percent-encoded."""
    found = newsletter.fields.indexes(html)
    # The last field is the unsubscribe URL (see compose): a template without it is a
    # compliance problem, reported by the gate (ComposedNewsletter.missing_parts).
    for index, field in enumerate(newsletter.fields.fields[:-1]):
        if index not in found:
            raise SourceError(newsletter.path, field.line,
                              f"merge field {{{{ {field.source} }}}} can be used in text only, "
                              "not in a link or image address")


class ComposedIssue:
    """An issue with its language versions, each composed once.

    Each recipient gets the version in their language (``lang`` column of the
    recipients list): the exact tag, then shorter ones (``es-MX``, then
    ``es``), then the base issue, which is also what an empty or unknown
    language gets.  To the ledger the issue and its versions are one
    newsletter: its content hash covers every version (and is the base's own
    when there is none, so a list sent before versions existed stays sent).
    """

    def __init__(self, base: ComposedNewsletter, versions: dict[str, ComposedNewsletter]) -> None:
        self.base = base
        self.versions = versions
        """Language versions by language tag in lower case."""
        self.name = base.name
        self.path = base.path
        self.lang = base.lang
        self.settings = base.settings
        if versions:
            h = hashlib.sha256(base.content_hash.encode())
            for lang, version in sorted(versions.items()):
                h.update(b"\x00" + lang.encode() + b"\x00" + version.content_hash.encode())
            self.content_hash = h.hexdigest()
        else:
            self.content_hash = base.content_hash
        self.warnings = [w for e in self.editions for w in e.warnings]
        self._by_lang: dict[str, ComposedNewsletter] = {}

    @property
    def editions(self) -> list[ComposedNewsletter]:
        """The base issue, then each language version by language tag."""
        return [self.base, *(self.versions[k] for k in sorted(self.versions))]

    @property
    def articles(self) -> list[Article]:
        """Every article any version features, once (the compliance gate checks them all)."""
        seen: dict[str, Article] = {}
        for edition in self.editions:
            for article in edition.articles:
                seen.setdefault(article.path, article)
        return list(seen.values())

    def edition_for(self, recipient: Recipient) -> ComposedNewsletter:
        """The version ``recipient`` reads: their language's, else the base issue."""
        lang = recipient.lang
        chosen = self._by_lang.get(lang)
        if chosen is None:
            chosen = self.base
            for tag in language_fallbacks(lang):
                if tag in self.versions:
                    chosen = self.versions[tag]
                    break
            self._by_lang[lang] = chosen
        return chosen

    def language_for(self, recipient: Recipient) -> str:
        """The language of ``recipient``'s message (for the report's counts)."""
        return self.edition_for(recipient).lang

    def message_for(self, recipient: Recipient) -> email.message.EmailMessage:
        """The personalised message for ``recipient``, in their language's version."""
        return self.edition_for(recipient).message_for(recipient)

    def web_pages(self) -> dict[str, bytes]:
        """Each version's public page ("View in your browser"), by path in the output folder."""
        return {outputs.in_web_root(outputs.issue_page_path(e.output_name)): e.web_page()
                for e in self.editions}


def language_fallbacks(lang: str) -> list[str]:
    """``es-MX`` -> ``["es-mx", "es"]``: the tags a version may be found under, longest first."""
    parts = [p for p in lang.lower().split("-") if p]
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def compose_issue(path: Path, ctx: RenderContext, now: dt.datetime | None = None) -> ComposedIssue:
    """Compose the issue at ``path`` (a base issue or one of its versions) and all its versions."""
    name, version = split_issue_name(path.stem)
    base_path = path.with_name(name + ".md") if version else path
    now = now or dt.datetime.now(dt.UTC)
    base = compose_newsletter(base_path, ctx, now)
    entry = ctx.index.entry(base.path)
    if entry is not None:
        # The site index decides which files are versions (a duplicate or a bad name is not).
        files = {e.lang.lower(): ctx.site.root / e.source for e in ctx.index.issue_versions(entry)}
    else:  # an issue from outside the site: its folder is all there is
        files = language_versions(base_path)
    versions = {lang: compose_newsletter(file, ctx, now, base.newsletter)
                for lang, file in files.items()}
    return ComposedIssue(base, versions)
