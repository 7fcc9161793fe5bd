"""The site configuration, ``pubkit.toml``: a typed schema with documented defaults.

Every field carries its own description (shown by ``pubkit init`` in the
scaffolded file).  A missing file means every default; an unknown key is a
configuration error naming the key and the closest known one.  Settings are
careless, not trusted: every number has a finite range stated in its
description (no ``inf``, no ``nan``, anywhere), and folder settings are
relative paths inside the site without ``..`` (where they may point once
symlinks are followed is checked by :func:`pubkit.site.check_layout`).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from pubkit.diagnostics import ConfigError
from pubkit.safeio import SETTINGS_LIMIT, exists, read_text

CONFIG_NAME = "pubkit.toml"
FORMATS = ("html", "pdf", "docx", "email")


class _Section(BaseModel):
    # No float anywhere in the file may be inf or nan, whatever its own range says.
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


_MARGIN = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt)$")
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
MAX_MARGIN_MM = 50.0


def _margin(value: str) -> str:
    match = _MARGIN.match(value)
    if not match:
        raise ValueError("a length such as 16mm, 1.5cm, 0.75in or 40pt")
    if float(match.group(1)) * _MM[match.group(2)] > MAX_MARGIN_MM:
        raise ValueError(f"at most {MAX_MARGIN_MM:g}mm (a margin wider than that leaves no page)")
    return value


_UNSAFE_PATH = re.compile(r"[\x00-\x1f\x7f\\]")


def _folder(value: str) -> str:
    """A folder of the site: relative, inside it, no ``..``; returned tidied (``./a/`` -> ``a``)."""
    if not value.strip():
        raise ValueError("a folder name is needed")
    if _UNSAFE_PATH.search(value):
        raise ValueError("control characters and backslashes are not allowed in folder names")
    if value.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", value):
        raise ValueError("must be relative to the site folder (no leading /, ~ or drive)")
    parts = [p for p in value.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError("must stay inside the site folder (no '..')")
    if not parts:
        raise ValueError("must be a folder inside the site, not the site folder itself")
    return "/".join(parts)


Folder = Annotated[str, AfterValidator(_folder)]


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_header_line(value: str | None) -> str | None:
    """Settings that reach a mail header or the SMTP conversation: one line, no control characters."""
    if value is not None and _CONTROL.search(value):
        bad = _CONTROL.search(value).group(0)  # type: ignore[union-attr]
        raise ValueError(f"must be one line without control characters (found {bad!r})")
    return value


HeaderText = Annotated[str, AfterValidator(_one_header_line)]
OptionalHeaderText = Annotated[str | None, AfterValidator(_one_header_line)]
FileName = Annotated[str, AfterValidator(_one_header_line)]
"""A file a setting names (ledger, key, logo): one line, no control characters, like any name
that becomes a path."""
OptionalFileName = Annotated[str | None, AfterValidator(_one_header_line)]


class Brand(_Section):
    """How the clinic looks and speaks on every output."""

    logo: OptionalFileName = Field(None, description="Logo file, relative to the site root (SVG or PNG).")
    primary_color: str = Field("#0b5a7a", pattern=r"^#[0-9a-fA-F]{6}$",
                               description="Main brand colour (headings, buttons).")
    accent_color: str = Field("#e8f3f7", pattern=r"^#[0-9a-fA-F]{6}$",
                              description="Background colour of the banner and call-outs.")
    banner: str | None = Field(None, description="Site-wide announcement shown above articles.")
    contact: str | None = Field(None, description="Contact line: address, phone, web.")
    disclaimer: str | None = Field(
        None, description="Footer disclaimer printed on every output; unset, pubkit's own "
        "(\"This article is for general education ...\") in each article's language.",
    )


MissingAlt = Literal["decorative", "fallback"]


class Images(_Section):
    """Pictures in every format."""

    missing_alt: MissingAlt = Field(
        "decorative", description="A picture without alt text (![](x.png)): \"decorative\" hides it "
        "from screen readers in every format (alt=\"\" in the page and email, an artifact in the "
        "PDF, Word's decorative mark); \"fallback\" names it in every format by its title, else "
        "by the word \"Picture\" in the article's language.")


class Html(_Section):
    """The article web pages (``output/html/<slug>.html``)."""

    favicon: OptionalFileName = Field(
        None, description="Icon every web page declares (<link rel=\"icon\">), relative to the "
        "site root (ICO, PNG or SVG); unset, the brand logo.")
    fragments: bool = Field(
        False, description="Also write <slug>.fragment.html: the article's body and byline only, "
        "with pubkit- class names and no page around it, to paste into a CMS (WordPress, Drupal).")


class Pages(_Section):
    """The site's own pages beside the articles: home, topics, A-Z, sitemap, feed, 404."""

    enabled: bool = Field(
        True, description="Write the home page, tag pages, A-Z index, sitemap.xml, robots.txt, "
        "feed.xml and 404.html whenever the web pages are built.")
    per_page: int = Field(20, ge=1, le=1000,
                          description="Articles on each page of the home page (1 to 1000); more "
                                      "go on page/2.html, page/3.html ...")
    feed_entries: int = Field(20, ge=1, le=1000,
                              description="Latest articles in feed.xml (1 to 1000).")


class Pdf(_Section):
    """Printed handouts."""

    paper: Literal["letter", "a4", "legal"] = Field("letter", description="Paper size.")
    margin: Annotated[str, AfterValidator(_margin)] = Field(
        "16mm", description="Page margins: 0 to 50mm, in mm, cm, in or pt.")
    variant: Literal["pdf/ua-1", "pdf/a-3b", "plain"] = Field(
        "pdf/ua-1", description="Tagged PDF/UA for screen readers, PDF/A-3b archive, or plain."
    )
    image_dpi: int = Field(
        300, ge=0, le=2400, description="Pictures finer than this many dots per inch at their "
        "printed size are scaled down (smaller files, no visible loss); 0 keeps them as they are "
        "(0 to 2400)."
    )
    footnotes: Literal["page", "end"] = Field(
        "page", description="Footnotes at the foot of their page, or as endnotes after the article "
        "(notes with lists, code or nested notes are always endnotes)."
    )
    variants: list[Literal["standard", "large-print"]] = Field(
        ["standard"], max_length=2,
        description="Handouts `pubkit build` and `render --all` make: the standard one "
        "(pdf/<slug>.pdf) and/or large print for low vision (pdf/<slug>.large-print.pdf).",
    )



class Utm(_Section):
    """Campaign parameters added to links to the site's own ``base_url`` (off when all empty)."""

    source: OptionalHeaderText = Field(None, max_length=100, description="utm_source, such as newsletter.")
    medium: OptionalHeaderText = Field(None, max_length=100, description="utm_medium, such as email.")
    campaign: OptionalHeaderText = Field(
        None, max_length=100, description="utm_campaign; {newsletter} is the issue's name.")
    content: OptionalHeaderText = Field(None, max_length=100, description="utm_content.")
    term: OptionalHeaderText = Field(None, max_length=100, description="utm_term.")


class Email(_Section):
    """Sender identity and list headers of newsletters and article emails."""

    from_name: HeaderText = Field("Clinic", max_length=200, description="Display name of the sender.")
    from_address: HeaderText = Field("news@example.com", max_length=254,
                                     description="Sender address.")
    reply_to: OptionalHeaderText = Field(None, max_length=254,
                                         description="Reply-To address; defaults to the sender.")
    unsubscribe_url: HeaderText = Field(
        "https://example.com/unsubscribe?token={token}", max_length=500,
        description="One-click unsubscribe URL (served by `pubkit unsubscribe serve`); "
                    "{token} is the recipient's signed token, {email} their address.",
    )
    unsubscribe_mailto: HeaderText = Field(
        "unsubscribe@example.com", max_length=254,
        description="Mailbox for mailto unsubscribe requests (read by `pubkit suppress "
                    "import-mailbox`).")
    postal_address: OptionalHeaderText = Field(
        None, max_length=300, description="Postal address printed in the footer (required by "
                                          "CAN-SPAM before `pubkit send --yes`).")
    embed_images: bool = Field(False, description="Embed local images as inline parts (cid:).")
    token_secret: str = Field(
        "change-me", description="Secret that signs unsubscribe tokens: at least 32 random "
                                 "bytes, such as the output of `openssl rand -hex 32`.")
    preview_to: HeaderText = Field(
        "Reader <reader@example.com>", max_length=300,
        description="Recipient of preview files (pubkit newsletter, render --email).",
    )
    max_message_bytes: int = Field(
        10_000_000, ge=100_000, le=50_000_000,
        description="Largest message pubkit sends, in bytes; a bigger one fails for that "
                    "recipient (whatever merge fields produced it).")
    utm: Utm = Field(default_factory=Utm,
                     description="UTM parameters for links to the site's own pages.")


class Smtp(_Section):
    """Mail server used by ``pubkit send --yes``; the password comes from PUBKIT_SMTP_PASSWORD."""

    host: HeaderText = Field("127.0.0.1", max_length=253, description="Server host name.")
    port: int = Field(587, ge=1, le=65535, description="Server port.")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="STARTTLS, implicit TLS, or none (local test servers only)."
    )
    user: OptionalHeaderText = Field(None, max_length=254,
                                     description="Login name; no login when empty.")
    rate_limit: float = Field(0.0, ge=0, le=10_000, allow_inf_nan=False,
                              description="Messages per second, 0 to 10,000; 0 means no limit.")
    timeout: float = Field(30.0, gt=0, le=600, allow_inf_nan=False,
                           description="Seconds each step of the conversation may take "
                                       "(connect, greeting, each command and its reply), "
                                       "up to 600.")
    retries: int = Field(3, ge=0, le=10,
                         description="Tries after a 4xx reply or a broken connection.")
    retry_delay: float = Field(2.0, ge=0, le=600, allow_inf_nan=False,
                               description="Seconds before the first retry (doubles, at most "
                                           "60 s); 0 to 600.")
    ca_file: OptionalFileName = Field(
        None, description="CA certificates (PEM) trusted for TLS, relative to the site root; "
                          "the system's when empty.")
    envelope_from: OptionalHeaderText = Field(
        None, max_length=254,
        description="Bounce address (SMTP MAIL FROM); defaults to email.from_address. "
                    "With {token} in its local part, such as bounces+{token}@clinic.example, "
                    "each recipient gets their own (VERP), so every bounce names its recipient.")
    ledger: FileName = Field(
        ".pubkit/send-ledger.sqlite",
        description="Delivery ledger, relative to the site root; deleting it forgets who "
                    "already received a newsletter.")


class Suppression(_Section):
    """The suppression list: addresses never mailed again (unsubscribes, bounces, complaints)."""

    store: FileName = Field(
        ".pubkit/suppressions.sqlite",
        description="Suppression list (SQLite), relative to the site root; shared by "
                    "`pubkit send` and `pubkit unsubscribe serve`.")
    soft_bounce_limit: int = Field(
        3, ge=1, le=100,
        description="Soft bounces in a row (4xx after every retry, across sends) that "
                    "suppress an address; 1 to 100.")


class Dkim(_Section):
    """DKIM signing by pubkit, for relays that do not sign (off unless key_file is set)."""

    key_file: OptionalFileName = Field(
        None, description="RSA private key (PEM), relative to the site root; keep it out of "
                          "version control.")
    selector: HeaderText = Field("pubkit", max_length=63, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                                 description="Selector: the key is published at "
                                             "SELECTOR._domainkey.DOMAIN.")
    domain: OptionalHeaderText = Field(
        None, max_length=253, description="Signing domain (d=); defaults to the From domain.")


class Build(_Section):
    """``pubkit build``: the whole site into every format, incrementally."""

    formats: list[str] = Field(
        [], description="Formats `pubkit build` renders; empty means every available format."
    )
    jobs: int = Field(0, ge=0, le=256,
                      description="Worker processes, 0 to 256; 0 means one per CPU core.")


class Check(_Section):
    """``pubkit check``: reading level and plain language."""

    reading_grade: float = Field(
        8.0, ge=1, le=20, allow_inf_nan=False,
        description="Highest US school grade an article or section may read at; above it is a "
                    "warning (an error with --strict). The NIH advises 8, the AMA 6 (1 to 20).")
    section_min_words: int = Field(
        40, ge=0, le=100_000,
        description="Sections with fewer words of prose are measured but not warned about "
                    "alone: a grade from one or two sentences says little (0 to 100000).")
    plain_language: FileName = Field(
        "plain-language.toml",
        description="The site's own plain-language word list, relative to the site root "
                    "(read when it exists); it adds to and overrides pubkit's built-in lists.")


class Reviewer(_Section):
    """One medical reviewer, named by a key in ``[reviewers]``."""

    name: str = Field(..., min_length=1, description="Full name, e.g. Jane Peck.")
    credentials: str | None = Field(
        None, min_length=1, description="Degrees or titles printed after the name, e.g. MD.")

    @property
    def display(self) -> str:
        """``Jane Peck, MD``: how every format prints the reviewer."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Review(_Section):
    """Medical review: how long a sign-off holds, and what publishing does about it."""

    interval_months: int = Field(
        12, ge=1, le=120,
        description="Months from reviewed_on to the next review, when an article does not "
                    "set next_review (1 to 120).")
    strict: bool = Field(
        False, description="Refuse to publish articles that are overdue, changed since their "
                           "review or not approved (otherwise they are published with a warning).")


class Settings(_Section):
    """Top level of ``pubkit.toml``."""

    site_name: HeaderText = Field("pubkit site", max_length=200,
                                  description="Name shown in headers and footers (one line).")
    base_url: str = Field("https://example.com/", pattern=r"^https?://[^\s\x00-\x1f\x7f]+$",
                          max_length=2000,
                          description="Public address of the web pages (for canonical links); "
                                      "http(s), no spaces or control characters.")
    language: str = Field("en", pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", max_length=35,
                          description="Default BCP 47 language of articles (en, es, es-MX).")
    default_formats: list[Literal["html", "pdf", "large-print", "docx", "email"]] = Field(
        ["html"], description="Formats `pubkit render` builds when no format flag is given."
    )
    content_dir: Folder = Field("content", description="Folder of articles, inside the site.")
    output_dir: Folder = Field(
        "output", description="Folder outputs are written to, inside the site; it may not be, "
                              "hold or sit inside the site's sources.")
    asset_dirs: list[Folder] = Field(["assets"], max_length=64,
                                     description="Further folders outputs may read, inside the site.")
    allow_remote: bool = Field(False, description="Let renderers fetch http(s) resources.")
    render_timeout: float = Field(60.0, gt=0, le=3600,
                                  description="Seconds one render may take (above 0, at most 3600).")
    toc_min_headings: int = Field(4, ge=1, le=1000,
                                  description="Headings needed for a table of contents (1 to 1000).")
    brand: Brand = Field(default_factory=Brand)
    images: Images = Field(default_factory=Images)
    html: Html = Field(default_factory=Html)
    pages: Pages = Field(default_factory=Pages)
    pdf: Pdf = Field(default_factory=Pdf)
    email: Email = Field(default_factory=Email)
    smtp: Smtp = Field(default_factory=Smtp)
    build: Build = Field(default_factory=Build)
    suppression: Suppression = Field(default_factory=Suppression)
    dkim: Dkim = Field(default_factory=Dkim)
    check: Check = Field(default_factory=Check)
    review: Review = Field(default_factory=Review)
    reviewers: dict[str, Reviewer] = Field(
        default_factory=dict,
        description="Medical reviewers by key (front matter reviewed_by: KEY): "
                    'peck = { name = "Jane Peck", credentials = "MD" }.')


def load_settings(path: Path) -> Settings:
    """Read ``path`` (or return defaults when nothing at all is there).

    Anything else by that name (a folder, a FIFO, a link to a device, a file
    too large) is an error, never silently the defaults.
    """
    if not exists(path):
        return Settings()
    try:
        data: dict[str, Any] = tomllib.loads(read_text(path, SETTINGS_LIMIT))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        line = f":{m.group(1)}" if m else ""
        raise ConfigError(f"{path}{line}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(path, e) for e in exc.errors())) from None


def _describe(path: Path, err: Any) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        section: type[BaseModel] = Settings
        for part in err["loc"][:-1]:
            field = section.model_fields.get(str(part))
            if field is None or not isinstance(field.annotation, type):
                break
            section = field.annotation
        close = difflib.get_close_matches(str(err["loc"][-1]), list(section.model_fields), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{path}: unknown setting '{key}'{hint}"
    message = err["msg"]
    if err["type"] == "value_error" and "error" in err.get("ctx", {}):
        message = str(err["ctx"]["error"])  # the validator's own words, without "Value error, "
    return f"{path}: setting '{key}': {message}"
