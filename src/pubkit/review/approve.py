"""Write a sign-off into an article's front matter, touching nothing else.

Only the review keys (``reviewed_by``, ``reviewed_on``, ``next_review``,
``status``, ``review_stamp``) are rewritten, each where it stands, keeping a
comment at the end of its line; missing ones are added after the last review
key present (or at the end of the front matter).  Every other line, comment,
blank line and the body stay byte for byte, as do the byte-order mark and the
line endings.  The result is parsed again before it is returned, so a
sign-off can never leave an article unreadable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from pubkit.diagnostics import SourceError
from pubkit.model.article import Article, ReviewStamp
from pubkit.review.stamp import stamp
from pubkit.source.reader import parse_article

REVIEW_KEYS = ("reviewed_by", "reviewed_on", "next_review", "status", "review_stamp")
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


@dataclass(frozen=True, slots=True)
class SignOff:
    """What a reviewer signs: who (a ``[reviewers]`` key), when, and optionally the next date."""

    reviewer: str
    on: dt.date
    next_review: dt.date | None = None


def approve(data: bytes, article: Article, sign_off: SignOff) -> tuple[bytes, ReviewStamp]:
    """``data`` (the source of ``article``) with ``sign_off`` recorded; and the stamp written."""
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    text = data[len(bom):].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    if not lines or lines[0].rstrip() != "---":
        raise SourceError(article.path, 1, "no front matter to record the review in")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        raise SourceError(article.path, 1, "front matter opened with '---' is never closed")
    reviewed = stamp(article)
    values: dict[str, Any] = {
        "reviewed_by": sign_off.reviewer,
        "reviewed_on": sign_off.on,
        "next_review": sign_off.next_review,  # None: the previous review's date goes
        "status": "approved",
        "review_stamp": {"text": reviewed.text, "sections": dict(reviewed.sections)},
    }
    front = _rewrite(lines[1:close], values, article.path)
    out = newline.join([lines[0], *front, *lines[close:]])
    result = bom + out.encode("utf-8")
    check = parse_article(result, article.path, article.source_dir, article.slug,
                          article.lang)
    same = all(getattr(check.meta, f.name) == getattr(article.meta, f.name)
               for f in dataclasses.fields(article.meta) if f.name not in REVIEW_KEYS)
    if not same or check.meta.review_stamp != reviewed or stamp(check) != reviewed:
        raise SourceError(article.path, None, "the sign-off could not be recorded without "
                                              "changing the article; nothing was written")
    return result, reviewed


def _rewrite(front: list[str], values: dict[str, Any], path: str) -> list[str]:
    spans = _key_spans(front, path)
    edits: list[tuple[int, int, list[str]]] = []
    for key in REVIEW_KEYS:
        if key in spans:
            start, end, comment = spans[key]
            value = values[key]
            edits.append((start, end, [] if value is None else _dump(key, value, comment)))
    # A missing key goes after the review key before it (or before the one after it),
    # so the record stays together; with none present, at the end.
    for i, key in enumerate(REVIEW_KEYS):
        if key in spans or values[key] is None:
            continue
        before = [spans[k][1] for k in REVIEW_KEYS[:i] if k in spans]
        after = [spans[k][0] for k in REVIEW_KEYS[i + 1:] if k in spans]
        if before:
            where = before[-1]
        elif after:
            where = after[0]
        else:
            where = len(front)
            while where > 0 and not front[where - 1].strip():
                where -= 1
        edits.append((where, where, _dump(key, values[key], "")))
    out = list(front)
    # From the bottom up, so the positions of earlier edits still hold; insertions at one
    # place go in reverse, so they come out in REVIEW_KEYS order.
    for _, (start, end, new) in sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1], e[0]),
                                       reverse=True):
        out[start:end] = new
    return out


def _key_spans(front: list[str], path: str) -> dict[str, tuple[int, int, str]]:
    """Review key -> (first line, end line, trailing comment), 0-based in ``front``."""
    text = "\n".join(front)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SourceError(path, 2, f"invalid front matter: {exc}") from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        raise SourceError(path, 2, "front matter is not one key per line; "
                                   "write it as 'key: value' lines to record a review")
    spans: dict[str, tuple[int, int, str]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        start = key_node.start_mark.line
        mark = value_node.end_mark
        end = mark.line if mark.column == 0 else mark.line + 1
        end = min(max(end, start + 1), len(front))
        while end - 1 > start and (not front[end - 1].strip()
                                   or front[end - 1].lstrip().startswith("#")):
            end -= 1  # blank lines and comments before the next key belong to it
        comment = ""
        if end == start + 1 and isinstance(value_node, yaml.ScalarNode) and mark.line == start:
            found = _TRAILING_COMMENT.match(front[start][mark.column:])
            comment = found.group() if found else ""
        if key in REVIEW_KEYS and key not in spans:
            spans[key] = (start, end, comment)
    return spans


def _dump(key: str, value: Any, comment: str) -> list[str]:
    text = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=1000)
    lines = text.rstrip("\n").split("\n")
    if comment and len(lines) == 1:
        lines[0] += comment
    return lines
