"""Compose a newsletter once, then personalise it per recipient cheaply.

:func:`compose_newsletter` renders the HTML and the text once, with every
merge field (and the unsubscribe link) left as a token, and cuts both at the
tokens.  :meth:`ComposedNewsletter.message_for` then only evaluates the
compiled merge fields, joins the pieces and builds the MIME message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import hmac
import urllib.parse
from pathlib import Path

from markupsafe import Markup

from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.i18n import Translations
from pubkit.model.article import Article
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.html import article_html, inline_styles, page_source
from pubkit.renderers.email.media import EmailMedia
from pubkit.renderers.email.mime import (
    GMAIL_CLIP_BYTES,
    MessageBuilder,
    PersonalHeaders,
    list_unsubscribe,
    mailbox,
    refuse_line_breaks,
)
from pubkit.renderers.email.text import message_text
from pubkit.renderers.page_data import (
    BYLINE_SEPARATOR,
    byline,
    disclaimer,
    format_date,
    reading_time,
    text_direction,
)
from pubkit.send.recipients import Recipient
from pubkit.source.merge_fields import MergeDocument, MergeFields
from pubkit.source.newsletter import DEFAULT_BUTTONS, Newsletter, read_newsletter

LOGO_WIDTH = 200
PREVIEW_FILES = ("newsletter.html", "newsletter.txt", "newsletter.eml")


def unsubscribe_token(secret: str, address: str) -> str:
    """The recipient's unsubscribe token: an HMAC-SHA256 of the address (lowercase)."""
    digest = hmac.new(secret.encode(), address.strip().lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class ComposedNewsletter:
    """A rendered newsletter, ready to be personalised for each recipient."""

    def __init__(self, newsletter: Newsletter, ctx: RenderContext, media: EmailMedia,
                 date: dt.datetime, pages: tuple[str, str, str], warnings: list[Diagnostic]) -> None:
        page_source, html, text = pages
        fields = newsletter.fields
        self.name = newsletter.name
        self.path = newsletter.path
        self.settings = ctx.settings
        self.fields: MergeFields = fields
        self.media = media
        self.warnings = warnings
        self.page_source = page_source  # the HTML before its styles were inlined (benchmarks)
        self.subject: MergeDocument = fields.split(newsletter.subject, html=False)
        self.html: MergeDocument = fields.split(html, html=True)
        self.text: MergeDocument = fields.split(text, html=False)
        es = ctx.settings.email
        self.domain = es.from_address.rpartition("@")[2] or "localhost"
        self.builder = MessageBuilder(
            sender=mailbox("From", es.from_name, es.from_address),
            reply_to=mailbox("Reply-To", "", es.reply_to or es.from_address),
            date=date, images=list(media.inline.values()), seed=newsletter.source_hash[:16],
        )
        h = hashlib.sha256()
        for part in (self.subject.source(), self.html.source(), self.text.source(),
                     *(f.source for f in fields.fields), *self.builder.senders[0],
                     es.reply_to or "", es.unsubscribe_url, es.unsubscribe_mailto):
            h.update(part.encode() + b"\x00")
        for image in media.inline.values():
            h.update(image.cid.encode() + image.data)
        self.content_hash = h.hexdigest()

    def values(self, recipient: Recipient, token: str) -> list[str]:
        """Every merge field's value for ``recipient``; the last is the unsubscribe URL."""
        quoted = urllib.parse.quote(recipient.email, safe="@")
        url = self.settings.email.unsubscribe_url.replace("{token}", token)
        context = {**recipient.fields, "email": recipient.email, "name": recipient.name,
                   "unsubscribe_url": url.replace("{email}", quoted)}
        return self.fields.values(context)

    def message_for(self, recipient: Recipient) -> email.message.EmailMessage:
        """The personalised message for ``recipient``, with ``To`` set.

        Raises :class:`~pubkit.renderers.mime.UnsafeHeader` (a line break or a bad
        address, naming the header) or :class:`~pubkit.source.merge_fields.MergeError`;
        both are ``ValueError``.
        """
        es = self.settings.email
        token = unsubscribe_token(es.token_secret, recipient.email)
        values = self.values(recipient, token)
        url = values[-1]
        subject = " ".join(refuse_line_breaks("Subject", self.subject.fill(values)).split())
        headers = PersonalHeaders(
            to=mailbox("To", recipient.name, recipient.email),
            subject=subject,
            message_id=f"<{self.content_hash[:20]}.{token[:20]}@{self.domain}>",
            list_unsubscribe=list_unsubscribe(
                url, f"{es.unsubscribe_mailto}?subject=unsubscribe%20{token}"),
        )
        return self.builder.build(headers, self.text.fill(values), self.html.fill(values))

    def preview_recipient(self) -> Recipient:
        name, address = email.utils.parseaddr(self.settings.email.preview_to)
        return Recipient(address or "reader@example.com", name, {})

    def preview_files(self) -> dict[str, bytes]:
        """The HTML, text and message for the preview recipient (``[email] preview_to``)."""
        recipient = self.preview_recipient()
        values = self.values(recipient, unsubscribe_token(self.settings.email.token_secret,
                                                          recipient.email))
        return {
            "newsletter.html": self.media.public(self.html.fill(values)).encode("utf-8"),
            "newsletter.txt": self.text.fill(values).encode("utf-8"),
            "newsletter.eml": self.message_for(recipient).as_bytes(),
        }


def compose_newsletter(path: Path, ctx: RenderContext,
                       now: dt.datetime | None = None) -> ComposedNewsletter:
    """Read ``path`` (a newsletter issue) and compose it; Date is ``now`` (default: the clock)."""
    newsletter = read_newsletter(path, ctx.site, ctx.index)
    # An issue's own folder holds content too (images for its intro).
    policy = ctx.resources
    resources = dataclasses.replace(policy, allowed_dirs=(
        *policy.allowed_dirs, ctx.site.newsletters_dir.resolve()))
    ctx = dataclasses.replace(ctx, resources=resources)
    return compose(newsletter, ctx, now or dt.datetime.now(dt.UTC))


def compose(newsletter: Newsletter, ctx: RenderContext, date: dt.datetime) -> ComposedNewsletter:
    """Render ``newsletter`` once, with merge-field tokens in place."""
    first_warning = len(ctx.warnings)
    settings = ctx.settings
    media = EmailMedia(ctx, embed=settings.email.embed_images)
    fields = newsletter.fields
    intro = newsletter.intro
    t = ctx.translations(intro, newsletter.lang)
    if newsletter.button in DEFAULT_BUTTONS:
        newsletter = dataclasses.replace(newsletter, button=t.gettext(newsletter.button))
    intro_body, intro_notes = article_html(intro, media, t)
    logo = None
    if settings.brand.logo:
        logo = media.site_image(intro, settings.brand.logo, LOGO_WIDTH)
    full = None
    teasers = []
    if newsletter.layout == "full":
        full = _full(newsletter.articles[0], media, t)
    else:
        teasers = [_teaser(a, media, ctx.translations(a)) for a in newsletter.articles]
    # The unsubscribe URL is a merge field too, added last (see message_for).
    unsubscribe = fields.add_variable("unsubscribe_url")
    source = page_source(ctx, {
        "lang": newsletter.lang, "dir": text_direction(newsletter.lang),
        "title": newsletter.subject, "preheader": newsletter.preheader, "logo": logo,
        "issue_date": format_date(newsletter.date, t), "t": t,
        "disclaimer": disclaimer(settings.brand, t),
        "intro": intro_body, "intro_notes": intro_notes, "full": full, "teasers": teasers,
        "button": newsletter.button, "unsubscribe_url": Markup(unsubscribe),
    })
    html = inline_styles(source)
    _check_tokens(newsletter, html)
    text = message_text(newsletter, media, full is not None, unsubscribe, t)
    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        ctx.warn(intro, None, f"the email's HTML is {size / 1024:.0f} KB: Gmail clips messages "
                              f"over {GMAIL_CLIP_BYTES // 1024} KB (feature fewer articles)")
    warnings = [*newsletter.warnings, *ctx.warnings[first_warning:]]
    return ComposedNewsletter(newsletter, ctx, media, date, (source, html, text), warnings)


def _full(article: Article, media: EmailMedia, t: Translations) -> dict[str, object]:
    body, notes = article_html(article, media, t)
    meta = article.meta
    return {"title": article.title, "subtitle": meta.subtitle,
            "byline": BYLINE_SEPARATOR.join(byline(article, t)),
            "image": media.lead_image(article), "image_alt": meta.image_alt or "",
            "body": body, "footnotes": notes, "url": media.page_url(article)}


def _teaser(article: Article, media: EmailMedia, t: Translations) -> dict[str, object]:
    """One featured article; its facts in its own language, like its title and summary."""
    meta = article.meta
    facts = [format_date(meta.date, t)] if meta.date else []
    facts.append(reading_time(article, t))
    return {"title": article.title, "summary": article.summary, "url": media.page_url(article),
            "lang": article.lang, "dir": text_direction(article.lang),
            "image": media.lead_image(article), "image_alt": meta.image_alt or "",
            "meta": " · ".join(facts)}


def _check_tokens(newsletter: Newsletter, html: str) -> None:
    """Merge fields survive only in text: an address would carry them percent-encoded."""
    found = newsletter.fields.indexes(html)
    for index, field in enumerate(newsletter.fields.fields):
        if index not in found:
            raise SourceError(newsletter.path, field.line,
                              f"merge field {{{{ {field.source} }}}} can be used in text only, "
                              "not in a link or image address")
