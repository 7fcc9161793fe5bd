"""Planning a build: which (source, format) pairs to render, skip or remove.

Everything here reads only the manifest, the settings and file bytes: no
Markdown is parsed and no renderer module is imported while the stored
format facts still hold (see :mod:`pubkit.batch.formats`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pubkit import __version__
from pubkit.batch.formats import NEWSLETTER, FormatInfo
from pubkit.batch.manifest import FileHashes, Manifest, SourceRecord
from pubkit.site import Site
from pubkit.theme import Theme

UNUSED_SETTINGS: dict[str, set[str]] = {
    "html": {"pdf", "email", "smtp", "build", "default_formats", "render_timeout"},
    "pdf": {"email", "smtp", "build", "default_formats", "render_timeout"},
    "docx": {"pdf", "email", "smtp", "build", "default_formats", "render_timeout"},
    "email": {"pdf", "smtp", "build", "default_formats", "render_timeout"},
    NEWSLETTER: {"pdf", "smtp", "build", "default_formats", "render_timeout"},
}
"""Settings that cannot change a format's output (others, unknown formats: all but these)."""
DEFAULT_UNUSED = {"smtp", "build", "default_formats", "render_timeout"}


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
    removed: list[str] = field(default_factory=list)
    """Sources in the manifest that no longer exist."""
    keys: dict[str, str] = field(default_factory=dict)
    """Format -> key of everything but the source and its files."""

    @property
    def job_count(self) -> int:
        return sum(len(t.formats) for t in self.tasks)


def rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def discover(site: Site, newsletters: bool) -> list[tuple[str, bool]]:
    """(source, is_newsletter) of every article and (optionally) newsletter issue."""
    found = [(rel(p, site.root), False) for p in _markdown(site.content_dir)]
    if newsletters:
        found += [(rel(p, site.root), True) for p in _markdown(site.newsletters_dir)]
    return found


def _markdown(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and not p.name.startswith("."))


def format_key(site: Site, theme: Theme, info: FormatInfo, extra: str = "") -> str:
    """Hash of what an output depends on besides its source and the source's files."""
    unused = UNUSED_SETTINGS.get(info.name, DEFAULT_UNUSED)
    settings = site.settings.model_dump(mode="json", exclude=unused)
    blob = json.dumps(
        [__version__, info.name, info.version, settings, theme.fingerprint(list(info.templates)),
         extra],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def dep_path(name: str, root: Path) -> Path:
    return Path(name) if os.path.isabs(name) else root / name


def make_plan(
    site: Site,
    manifest: Manifest,
    infos: dict[str, FormatInfo],
    force: bool = False,
) -> Plan:
    """Compare the site with ``manifest``; ``infos`` are the formats to build."""
    root = site.root
    out_dir = site.output_dir
    theme = Theme(site.templates_dir)
    hashes = FileHashes()
    articles = [f for f in infos if f != NEWSLETTER]
    sources = discover(site, NEWSLETTER in infos)
    current: dict[str, str | None] = {src: hashes(root / src) for src, _ in sources}
    plan = Plan()
    for fmt in articles:
        plan.keys[fmt] = format_key(site, theme, infos[fmt])
    if NEWSLETTER in infos:
        # An issue may feature any article (by tag, "latest N"), so every article counts.
        content = json.dumps(sorted((s, h) for (s, nl), h in zip(sources, current.values(), strict=True)
                                    if not nl))
        email = infos.get("email")
        extra = content + (json.dumps(email.templates) + email.version if email else "")
        templates = infos[NEWSLETTER].templates + (email.templates if email else ())
        info = FormatInfo(NEWSLETTER, "newsletters", "", infos[NEWSLETTER].version, templates,
                          infos[NEWSLETTER].stamp)
        plan.keys[NEWSLETTER] = format_key(site, theme, info, extra)

    for src, is_newsletter in sources:
        wanted = [NEWSLETTER] if is_newsletter else articles
        record = manifest.sources.get(src)
        fresh_source = (
            not force and record is not None and current[src] is not None
            and record.source_hash == current[src]
            and _deps_unchanged(record, root, hashes)
        )
        todo = []
        for fmt in wanted:
            if fresh_source and _output_fresh(record, fmt, plan.keys[fmt], out_dir):
                plan.skipped.append((src, fmt))
            else:
                todo.append(fmt)
        if todo:
            plan.tasks.append(Task(src, tuple(todo), current[src], is_newsletter))
    plan.removed = sorted(
        src for src, record in manifest.sources.items()
        if src not in current and _gone(src, record, root, NEWSLETTER in infos)
    )
    return plan


def _gone(src: str, record: SourceRecord, root: Path, newsletters_discovered: bool) -> bool:
    """Whether a recorded source that was not discovered has really left the site.

    Newsletter issues are discovered only when they are built (with the email
    format), so an HTML-only build must not take their outputs for orphans.
    """
    if NEWSLETTER in record.formats and not newsletters_discovered:
        return not (root / src).is_file()
    return True


def _deps_unchanged(record: SourceRecord, root: Path, hashes: FileHashes) -> bool:
    return all(hashes(dep_path(name, root)) == digest for name, digest in record.deps.items())


def _output_fresh(record: SourceRecord | None, fmt: str, key: str, out_dir: Path) -> bool:
    if record is None:
        return False
    done = record.formats.get(fmt)
    if done is None or done.key != key or not done.outputs:
        return False
    for name, size in done.outputs.items():
        try:
            if os.stat(out_dir / name).st_size != size:
                return False
        except OSError:
            return False
    return True

