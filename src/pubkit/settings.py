"""The site configuration, ``pubkit.toml``: a typed schema with documented defaults.

Every field carries its own description (shown by ``pubkit init`` in the
scaffolded file).  A missing file means every default; an unknown key is a
configuration error naming the key and the closest known one.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pubkit.diagnostics import ConfigError

CONFIG_NAME = "pubkit.toml"
FORMATS = ("html", "pdf", "docx", "email")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class Brand(_Section):
    """How the clinic looks and speaks on every output."""

    logo: str | None = Field(None, description="Logo file, relative to the site root (SVG or PNG).")
    primary_color: str = Field("#0b5a7a", pattern=r"^#[0-9a-fA-F]{6}$",
                               description="Main brand colour (headings, buttons).")
    accent_color: str = Field("#e8f3f7", pattern=r"^#[0-9a-fA-F]{6}$",
                              description="Background colour of the banner and call-outs.")
    banner: str | None = Field(None, description="Site-wide announcement shown above articles.")
    contact: str | None = Field(None, description="Contact line: address, phone, web.")
    disclaimer: str = Field(
        "This article is for general education and is not a substitute for professional "
        "medical advice. Talk to your care team about your own situation.",
        description="Footer disclaimer printed on every output.",
    )


class Pdf(_Section):
    """Printed handouts."""

    paper: Literal["letter", "a4", "legal"] = Field("letter", description="Paper size.")
    margin: str = Field("16mm", pattern=r"^\d+(\.\d+)?(mm|cm|in|pt)$", description="Page margins.")
    variant: Literal["pdf/ua-1", "pdf/a-3b", "plain"] = Field(
        "pdf/ua-1", description="Tagged PDF/UA for screen readers, PDF/A-3b archive, or plain."
    )
    image_dpi: int = Field(
        300, ge=0, description="Pictures finer than this many dots per inch at their printed size "
        "are scaled down (smaller files, no visible loss); 0 keeps them as they are."
    )
    footnotes: Literal["page", "end"] = Field(
        "page", description="Footnotes at the foot of their page, or as endnotes after the article "
        "(notes with lists, code or nested notes are always endnotes)."
    )


class Email(_Section):
    """Sender identity and list headers of newsletters and article emails."""

    from_name: str = Field("Clinic", description="Display name of the sender.")
    from_address: str = Field("news@example.com", description="Sender address.")
    reply_to: str | None = Field(None, description="Reply-To address; defaults to the sender.")
    unsubscribe_url: str = Field(
        "https://example.com/unsubscribe?token={token}",
        description="One-click unsubscribe URL; {token} is the recipient's token, "
                    "{email} their address.",
    )
    unsubscribe_mailto: str = Field("unsubscribe@example.com",
                                    description="Mailbox for mailto unsubscribe requests.")
    postal_address: str | None = Field(None, description="Postal address printed in the footer.")
    embed_images: bool = Field(False, description="Embed local images as inline parts (cid:).")
    token_secret: str = Field("change-me", description="Secret that signs unsubscribe tokens.")
    preview_to: str = Field(
        "Reader <reader@example.com>",
        description="Recipient of preview files (pubkit newsletter, render --email).",
    )


class Smtp(_Section):
    """Mail server used by ``pubkit send --yes``; the password comes from PUBKIT_SMTP_PASSWORD."""

    host: str = Field("127.0.0.1", description="Server host name.")
    port: int = Field(587, ge=1, le=65535, description="Server port.")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="STARTTLS, implicit TLS, or none (local test servers only)."
    )
    user: str | None = Field(None, description="Login name; no login when empty.")
    rate_limit: float = Field(0.0, ge=0, description="Messages per second; 0 means no limit.")
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for the server.")
    retries: int = Field(3, ge=0, le=10,
                         description="Tries after a 4xx reply or a broken connection.")
    retry_delay: float = Field(2.0, ge=0, description="Seconds before the first retry; doubles.")
    ca_file: str | None = Field(
        None, description="CA certificates (PEM) trusted for TLS, relative to the site root; "
                          "the system's when empty.")
    envelope_from: str | None = Field(
        None, description="Bounce address (SMTP MAIL FROM); defaults to email.from_address.")
    ledger: str = Field(
        ".pubkit/send-ledger.sqlite",
        description="Delivery ledger, relative to the site root; deleting it forgets who "
                    "already received a newsletter.")


class Build(_Section):
    """``pubkit build``: the whole site into every format, incrementally."""

    formats: list[str] = Field(
        [], description="Formats `pubkit build` renders; empty means every available format."
    )
    jobs: int = Field(0, ge=0, description="Worker processes; 0 means one per CPU core.")


class Check(_Section):
    """``pubkit check``: reading level and plain language."""

    reading_grade: float = Field(
        8.0, ge=1, le=20, allow_inf_nan=False,
        description="Highest US school grade an article or section may read at; above it is a "
                    "warning (an error with --strict). The NIH advises 8, the AMA 6.")
    section_min_words: int = Field(
        40, ge=0, le=100_000,
        description="Sections with fewer words of prose are measured but not warned about "
                    "alone: a grade from one or two sentences says little.")
    plain_language: str = Field(
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
                    "set next_review.")
    strict: bool = Field(
        False, description="Refuse to publish articles that are overdue, changed since their "
                           "review or not approved (otherwise they are published with a warning).")


class Settings(_Section):
    """Top level of ``pubkit.toml``."""

    site_name: str = Field("pubkit site", description="Name shown in headers and footers.")
    base_url: str = Field("https://example.com/", pattern=r"^https?://",
                          description="Public address of the web pages (for canonical links).")
    language: str = Field("en", description="Default BCP 47 language of articles.")
    default_formats: list[Literal["html", "pdf", "docx", "email"]] = Field(
        ["html"], description="Formats `pubkit render` builds when no format flag is given."
    )
    content_dir: str = Field("content", description="Folder of articles.")
    output_dir: str = Field("output", description="Folder outputs are written to.")
    asset_dirs: list[str] = Field(["assets"], description="Further folders outputs may read.")
    allow_remote: bool = Field(False, description="Let renderers fetch http(s) resources.")
    render_timeout: float = Field(60.0, gt=0, description="Seconds one render may take.")
    toc_min_headings: int = Field(4, ge=1, description="Headings needed for a table of contents.")
    brand: Brand = Field(default_factory=Brand)  # type: ignore[arg-type]
    pdf: Pdf = Field(default_factory=Pdf)  # type: ignore[arg-type]
    email: Email = Field(default_factory=Email)  # type: ignore[arg-type]
    smtp: Smtp = Field(default_factory=Smtp)  # type: ignore[arg-type]
    build: Build = Field(default_factory=Build)  # type: ignore[arg-type]
    check: Check = Field(default_factory=Check)  # type: ignore[arg-type]
    review: Review = Field(default_factory=Review)  # type: ignore[arg-type]
    reviewers: dict[str, Reviewer] = Field(
        default_factory=dict,
        description="Medical reviewers by key (front matter reviewed_by: KEY): "
                    'peck = { name = "Jane Peck", credentials = "MD" }.')


def load_settings(path: Path) -> Settings:
    """Read ``path`` (or return defaults when it does not exist)."""
    if not path.is_file():
        return Settings()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        line = f":{m.group(1)}" if m else ""
        raise ConfigError(f"{path}{line}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
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
    return f"{path}: setting '{key}': {err['msg']}"
