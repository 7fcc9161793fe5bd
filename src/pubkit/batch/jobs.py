"""Planning a build: which (source, format) pairs to render, skip, refuse or remove.

Everything here reads the site index, the manifest, the settings and the
format registry: no Markdown is parsed (the index has done that, or its
cache) and no renderer module is imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pubkit import __version__
from pubkit.batch.manifest import DepHashes, Manifest, SourceRecord
from pubkit.diagnostics import Diagnostic, Severity
from pubkit.formats import Format
from pubkit.site import Site
from pubkit.site.index import Entry
from pubkit.site.indexing import IndexResult
from pubkit.theme import Theme

LINK_DEP = "@"
"""Prefix of a manifest dependency on another source's index facts (a linked article)."""


@dataclass(frozen=True)
class Task:
    """Render one source into some formats (parsed once, in one worker)."""

    source: str
    """Path relative to the site root, as in messages and the manifest."""
    formats: tuple[str, ...]
    source_hash: str | None
    newsletter: bool = False


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, tuple[str, ...], Diagnostic]] = field(default_factory=list)
    """Sources that cannot be built (unreadable, a slug taken by another), with the reason."""
    drafts: list[str] = field(default_factory=list)
    """Articles left out as drafts (``--drafts`` builds them)."""
    notes: list[str] = field(default_factory=list)
    """Warnings about sources the plan decided on without reading them (overdue reviews)."""
    removed: list[str] = field(default_factory=list)
    """Sources in the manifest that no longer exist."""
    keys: dict[str, str] = field(default_factory=dict)
    """Format -> key of everything but the source and its files."""

    @property
    def job_count(self) -> int:
        return sum(len(t.formats) for t in self.tasks)


def format_key(site: Site, theme: Theme, fmt: Format, extra: str = "") -> str:
    """Hash of what an output depends on besides its source and the source's files."""
    settings = site.settings.model_dump(mode="json", include=set(fmt.reads))
    blob = json.dumps(
        [__version__, fmt.name, fmt.version, settings, theme.fingerprint(list(fmt.templates)), extra],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def dep_path(name: str, root: Path) -> Path:
    return Path(name) if os.path.isabs(name) else root / name


def make_plan(
    site: Site,
    manifest: Manifest,
    formats: dict[str, Format],
    indexed: IndexResult,
    force: bool = False,
    today: dt.date | None = None,
    drafts: bool = False,
    hashes: DepHashes | None = None,
) -> Plan:
    """Compare the site with ``manifest``; ``formats`` are the formats to build.

    The publishing policy is applied from the index alone: drafts are left
    out (their old outputs go, as if the article had left) unless ``drafts``;
    an article overdue for review on ``today`` gets a note each build, and is
    refused under ``[review] strict`` even when its outputs are up to date.
    ``hashes`` hashes the files sources use (by default trusting the stats
    ``manifest`` recorded, see :class:`DepHashes`).
    """
    root = site.root
    out_dir = site.output_dir
    theme = Theme(site.templates_dir)
    index = indexed.index
    if hashes is None:
        hashes = DepHashes(root, manifest.files, manifest.written_ns)
    article_formats = [f for f, fmt in formats.items() if fmt.source == "article"]
    issue_formats = [f for f, fmt in formats.items() if fmt.source == "newsletter"]
    current = indexed.hashes
    sizes = OutputSizes(out_dir)
    plan = Plan()
    for name in article_formats:
        plan.keys[name] = format_key(site, theme, formats[name])
    if issue_formats:
        # An issue may feature any article (by tag, "latest N"), so every article counts.
        content = json.dumps(sorted((s, h) for s, h in current.items()
                                    if indexed.kinds[s] == "article"))
        for name in issue_formats:
            plan.keys[name] = format_key(site, theme, formats[name], content)

    for src, digest in current.items():
        issue = indexed.kinds[src] == "newsletter"
        wanted = issue_formats if issue else article_formats
        if not wanted:
            continue
        refusal = index.problems.get(src) or index.duplicate_error(src)
        if refusal is not None:
            plan.refused.append((src, tuple(wanted), refusal))
            continue
        entry = index.entry(src)
        if entry is not None and entry.kind == "article":
            if entry.status == "draft" and not drafts:
                plan.drafts.append(src)
                continue
            overdue = _overdue(entry, site, today)
            if overdue is not None and site.settings.review.strict:
                plan.refused.append((src, tuple(wanted), overdue))
                continue
            clash = _site_page_clash(entry, site, wanted)
            if clash is not None:
                plan.refused.append((src, ("html",), clash))
                wanted = [f for f in wanted if f != "html"]
                if not wanted:
                    continue
        else:
            overdue = None
        record = manifest.sources.get(src)
        fresh_source = (
            not force and record is not None and digest is not None
            and record.source_hash == digest
            and _deps_unchanged(record, hashes, indexed)
        )
        todo = []
        for fmt in wanted:
            if fresh_source and _output_fresh(record, fmt, plan.keys[fmt], sizes):
                plan.skipped.append((src, fmt))
            else:
                todo.append(fmt)
        if todo:
            plan.tasks.append(Task(src, tuple(todo), digest, issue))
        elif overdue is not None:  # nothing to render, so no render will say it
            plan.notes.append(str(overdue))
    plan.removed = sorted(
        src for src, record in manifest.sources.items()
        if (src not in current and _gone(src, record, root, bool(issue_formats)))
        or src in plan.drafts
    )
    return plan


def _site_page_clash(entry: Entry, site: Site, wanted: list[str]) -> Diagnostic | None:
    """The refusal of an article page that would take the place of one of the site's own pages."""
    from pubkit.site.outputs import SITE_PAGE_SLUGS

    if "html" not in wanted or not site.settings.pages.enabled or entry.slug not in SITE_PAGE_SLUGS:
        return None
    return Diagnostic(entry.source, None, f"html: slug '{entry.slug}' names one of the site's own "
                      "pages; give the article another slug (or set [pages] enabled = false)")


def _overdue(entry: Entry, site: Site, today: dt.date | None) -> Diagnostic | None:
    """The refusal or warning of an article past its next review on ``today``."""
    from pubkit.review.dates import next_review_date

    if today is None or entry.status in ("draft", "in-review"):
        return None
    due = next_review_date(entry.reviewed_on, entry.next_review, site.settings)
    if due is None or today <= due:
        return None
    severity: Severity = "error" if site.settings.review.strict else "warning"
    return Diagnostic(entry.source, None, f"review overdue since {due.isoformat()}", severity)


def _gone(src: str, record: SourceRecord, root: Path, issues_discovered: bool) -> bool:
    """Whether a recorded source that was not discovered has really left the site.

    Newsletter issues are planned only when a newsletter format is built, so an
    HTML-only build must not take their outputs for orphans.
    """
    if any(f == "newsletter" for f in record.formats) and not issues_discovered:
        return not (root / src).is_file()
    return True


def _deps_unchanged(record: SourceRecord, hashes: DepHashes, indexed: IndexResult) -> bool:
    for name, digest in record.deps.items():
        if name.startswith(LINK_DEP):
            if indexed.index.fingerprint(name[len(LINK_DEP):]) != digest:
                return False
        elif hashes(name) != digest:
            return False
    return True


class OutputSizes:
    """The size of each file below the output folder, by name, each stat-ed once per build.

    Plain strings: on a site of 10,000 articles, joining Path objects for its
    80,000 recorded outputs cost more than the stat calls themselves; and a
    picture many articles publish is recorded by each of them.
    """

    def __init__(self, out_dir: Path) -> None:
        self.prefix = os.path.join(out_dir, "")
        self.seen: dict[str, int] = {}

    def stat(self, name: str) -> int:
        """The size of ``name``, -1 when it is not there (or cannot be stat-ed)."""
        try:
            size = os.stat(self.prefix + name).st_size
        except (OSError, ValueError):
            size = -1
        self.seen[name] = size
        return size


def _output_fresh(record: SourceRecord | None, fmt: str, key: str, sizes: OutputSizes) -> bool:
    if record is None:
        return False
    done = record.formats.get(fmt)
    if done is None or done.key != key or not done.outputs:
        return False
    seen = sizes.seen  # looked up inline: 80,000 outputs on a site of 10,000 articles
    for name, size in done.outputs.items():
        now = seen.get(name)
        if (sizes.stat(name) if now is None else now) != size:
            return False
    return True
