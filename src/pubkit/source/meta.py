"""Validate front matter into :class:`pubkit.model.article.Meta`.

Every message names the file, the line of the offending key and the field.
Unknown keys are warnings with a "did you mean" hint, never failures, so a
typo cannot stop a scheduled build.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from pubkit.diagnostics import Diagnostic, SourceError
from pubkit.model.article import Meta, ReviewStamp, ReviewStatus
from pubkit.source.slugs import SLUG_PATTERN

_LANG_PATTERN = r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
LANG_PATTERN = _LANG_PATTERN
TEXT_HASH_PATTERN = r"^[0-9a-f]{8,64}$"

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8,64}$")]
DATE_KEYS = ("date", "updated", "reviewed_on", "next_review")


class ReviewStampSchema(BaseModel):
    """``review_stamp``: written by ``pubkit review approve``, not by hand."""

    model_config = ConfigDict(extra="forbid", strict=False)

    text: Hash = Field(description="Hash of the reviewed text (body and notes).")
    sections: dict[str, Hash] = Field(default_factory=dict,
                                      description="Hash of each section, by section id.")


class FrontMatterSchema(BaseModel):
    """The keys an article's front matter may hold."""

    model_config = ConfigDict(extra="ignore", strict=False, str_strip_whitespace=True)

    title: Line = Field(description="The article's title (required).")
    slug: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)] | None = Field(
        None, description="File name of every output; lowercase letters, digits and hyphens."
    )
    subtitle: Line | None = Field(None, description="A line under the title.")
    summary: Line | None = Field(None, description="Description for search, social cards, email.")
    author: Line | None = Field(None, description="Who wrote it.")
    reviewed_by: Line | None = Field(
        None, description='A key of [reviewers] in pubkit.toml, or the name as printed in '
                          '"Medically reviewed by ...".')
    reviewed_on: dt.date | None = Field(None, description="Date of the medical sign-off.")
    next_review: dt.date | None = Field(
        None, description="When the review falls due; default reviewed_on + [review] interval_months.")
    status: ReviewStatus | None = Field(
        None, description="draft (not published), in-review, or approved.")
    review_stamp: ReviewStampSchema | None = Field(
        None, description="Hashes of the reviewed text; written by `pubkit review approve`.")
    date: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD).")
    updated: dt.date | None = Field(None, description="Date of the last update of the text.")
    tags: list[Line] = Field(default_factory=list, description="A list of topic tags.")
    image: Line | None = Field(None, description="Lead image, relative to the article.")
    image_alt: str | None = Field(None, description="Alternative text of the lead image.")
    canonical_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, description="The page's permanent address (http or https)."
    )
    lang: Annotated[str, StringConstraints(pattern=_LANG_PATTERN)] | None = Field(
        None, description="BCP 47 language tag; defaults to the site's language."
    )
    reading_time: Annotated[int, Field(ge=1, le=600)] | None = Field(
        None, description="Minutes; overrides the estimate from the word count."
    )
    translation_of: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)] | None = Field(
        None, description="This article translates the article with this slug (published under "
        "a folder named for its language)."
    )
    translated_from: Annotated[str, StringConstraints(pattern=TEXT_HASH_PATTERN)] | None = Field(
        None, description="The original's text hash the translation was made from (8 to 64 hex "
        "digits; `pubkit check` prints the current one): a newer original is reported."
    )


KNOWN_KEYS = tuple(FrontMatterSchema.model_fields)


def _check_types(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse YAML coercions pydantic would accept silently (a number as a title)."""
    for key in ("title", "subtitle", "summary", "author", "reviewed_by", "image", "image_alt",
                "status", "translation_of", "translated_from"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise _TypeProblem(key, f"must be a string, not {type(data[key]).__name__}")
    if "tags" in data and data["tags"] is not None and not isinstance(data["tags"], list):
        raise _TypeProblem("tags", "must be a list, such as [pain, ketamine]")
    for key in DATE_KEYS:
        value = data.get(key)
        if isinstance(value, dt.datetime):
            data[key] = value.date()
        elif value is not None and not isinstance(value, dt.date | str):
            raise _TypeProblem(key, "must be a date such as 2024-05-01")
    return data


class _TypeProblem(Exception):
    def __init__(self, key: str, message: str) -> None:
        self.key, self.message = key, message


def validate_meta(
    data: dict[str, Any], key_lines: dict[str, int], path: str, fence_line: int, default_slug: str
) -> tuple[Meta, list[Diagnostic]]:
    """Validate ``data``; raise :class:`SourceError` on the first real problem."""
    warnings = [
        Diagnostic(path, key_lines.get(str(key)), _unknown_key_message(str(key)), "warning")
        for key in data
        if key not in KNOWN_KEYS
    ]
    if "title" not in data:
        raise SourceError(path, fence_line or 1, "front matter: 'title' is required")
    try:
        parsed = FrontMatterSchema.model_validate(_check_types(dict(data)))
    except _TypeProblem as exc:
        raise SourceError(path, key_lines.get(exc.key), f"front matter: '{exc.key}' {exc.message}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        raise SourceError(
            path, key_lines.get(key, fence_line), f"front matter: '{key}' {_explain(key, err)}"
        ) from None
    if parsed.reviewed_on and parsed.next_review and parsed.next_review <= parsed.reviewed_on:
        raise SourceError(path, key_lines.get("next_review"),
                          "front matter: 'next_review' must come after 'reviewed_on'")
    values = parsed.model_dump(exclude={"review_stamp"})
    values["slug"] = values["slug"] or default_slug
    stamp = parsed.review_stamp
    values["review_stamp"] = ReviewStamp(stamp.text, dict(stamp.sections)) if stamp else None
    return Meta(**values), warnings


def _explain(key: str, err: Any) -> str:
    if key in ("slug", "translation_of"):
        return "must be lowercase letters, digits and hyphens (no slashes or dots)"
    if key == "translated_from":
        return "must be 8 to 64 lowercase hex digits (the original's text hash)"
    if err["type"].startswith("date"):
        return "is not a valid date (use YYYY-MM-DD)"
    if key == "status":
        return "must be draft, in-review or approved"
    if key == "review_stamp":
        return "is not a stamp written by `pubkit review approve` (run it again)"
    return re.sub(r"^Value error, ", "", err["msg"]).lower()


def _unknown_key_message(key: str) -> str:
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown front matter key '{key}'{hint}"
