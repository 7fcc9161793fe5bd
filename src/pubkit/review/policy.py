"""Publishing policy: whether an article may go out today, as one pure function.

- A draft (``status: draft``) is not published unless drafts are asked for
  (``--drafts``); then every format marks it DRAFT.
- An article changed since its review, overdue for review, or still in
  review is published with a warning, or refused under ``[review] strict``.
  Strict mode also refuses articles with no sign-off on record, or whose
  sign-off has no stamp (so changes since cannot be seen).

Every command that publishes (``render``, ``build``, ``send``) asks
:func:`publish_decision`; ``check`` and ``review`` report the same problems
through :func:`review_problems`, so each message has one wording.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pubkit.diagnostics import Diagnostic, Severity
from pubkit.model.article import Article
from pubkit.review.record import ReviewState, review_state
from pubkit.settings import Settings


@dataclass(frozen=True, slots=True)
class PublishDecision:
    """What to do with one article today."""

    publish: bool
    draft: bool
    """Whether the outputs are marked DRAFT (only drafts asked for with ``--drafts``)."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings when published; errors (the reasons) when refused under strict mode."""
    skipped: str | None = None
    """Why a draft is left out (not a failure)."""


def publish_decision(article: Article, settings: Settings, today: dt.date,
                     drafts: bool = False) -> PublishDecision:
    """Decide whether ``article`` is published on ``today`` (``drafts``: ``--drafts`` given)."""
    state = review_state(article, settings, today)
    if state.draft:
        if drafts:
            return PublishDecision(True, True, ())
        return PublishDecision(False, True, (), "draft (publish it with --drafts)")
    strict = settings.review.strict
    found = tuple(review_problems(article, state, strict))
    return PublishDecision(not (strict and found), False, found)


def review_problems(article: Article, state: ReviewState, strict: bool) -> list[Diagnostic]:
    """What stands between a non-draft article and a current review (errors when ``strict``)."""
    if state.draft:
        return []
    severity: Severity = "error" if strict else "warning"
    path = article.path
    out: list[Diagnostic] = []
    when = state.reviewed_on.isoformat() if state.reviewed_on else None
    if state.changed:
        first = next((c.line for c in state.changes if c.line), None)
        details = "".join(
            f"\n  {path}:{c.line}: {c.description}" if c.line else f"\n  {path}: {c.description}"
            for c in state.changes)
        since = f"{state.signed_off_by} reviewed it on {when}" if when else "its review"
        out.append(Diagnostic(path, first, f"changed since {since}{details}", severity))
    if state.overdue and state.next_review:
        last = f" (reviewed by {state.signed_off_by} on {when})" if when else ""
        out.append(Diagnostic(path, None, f"review overdue since {state.next_review.isoformat()}"
                                          f"{last}", severity))
    if state.status == "in-review":
        out.append(Diagnostic(path, None, "in review: not yet approved", severity))
    if strict and not state.reviewed and state.status != "in-review":
        out.append(Diagnostic(path, None, "no medical review on record "
                                          "(pubkit review approve FILE --by REVIEWER)", severity))
    if strict and state.reviewed and not state.stamped:
        out.append(Diagnostic(path, None, unstamped_message(state), severity))
    return out


def unstamped_message(state: ReviewState) -> str:
    return (f"reviewed_on {state.reviewed_on} has no review stamp, so changes since cannot be "
            "seen (pubkit review approve records one)")
