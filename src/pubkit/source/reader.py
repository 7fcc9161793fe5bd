"""Read one source file into an :class:`~pubkit.model.article.Article`.

This is the only place Markdown is parsed; the derived facts (slug, word
count, reading time, summary, outline) are computed here once.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pubkit.diagnostics import SourceError
from pubkit.model.article import WORDS_PER_MINUTE, Article, OutlineEntry
from pubkit.model.nodes import Block, CodeBlock, Heading, Paragraph, RawBlock
from pubkit.model.text import block_text, count_words, plain_text, slugify
from pubkit.safeio import SOURCE_LIMIT
from pubkit.sitefiles import DISK, SiteFiles
from pubkit.source.decode import decode_source
from pubkit.source.frontmatter import split_front_matter
from pubkit.source.markdown import MarkupTooDeep, ParsedBody, parse_markdown
from pubkit.source.meta import validate_meta
from pubkit.source.slugs import valid_slug

SUMMARY_LIMIT = 300
MAX_SOURCE_BYTES = SOURCE_LIMIT


def read_article(path: Path, root: Path, default_lang: str = "en",
                 files: SiteFiles = DISK, folders: dict[Path, Path] | None = None) -> Article:
    """Read ``path`` from ``files``; messages name it relative to the site ``root``.

    ``folders`` keeps the folders resolved (the root's too) for the next article
    of the same command: one ``lstat`` per article instead of one per component
    of its path and of the root's.
    """
    real, folder = files.resolve_with_folder(path, folders)
    top = folders.get(root) if folders is not None else None
    if top is None:
        top = files.resolve(root)
        if folders is not None:
            folders[root] = top
    shown = _relative(real, top, path)
    data = read_source_bytes(path, shown, files)
    return parse_article(data, shown, _relative(folder, top, path.parent), path.stem, default_lang)


def read_source_bytes(path: Path, shown: str, files: SiteFiles = DISK) -> bytes:
    """The bytes of a source file, or :class:`SourceError` naming ``shown``."""
    try:
        os.fsdecode(path).encode("utf-8")
    except UnicodeEncodeError:
        # Its name would be the name of outputs, of manifest records and in messages: all UTF-8.
        raise SourceError(shown, None, "the file name is not valid UTF-8: rename it") from None
    try:
        return files.read(path, MAX_SOURCE_BYTES)
    except OSError as exc:
        raise SourceError(shown, None, f"cannot read: {exc.strerror}") from None


def display_path(path: Path, root: Path, files: SiteFiles = DISK) -> str:
    """``path`` as messages show it: relative to the site ``root`` when inside it."""
    return _relative(files.resolve(path), files.resolve(root), path)


def _relative(real: Path, top: Path, path: Path) -> str:
    """``real`` (``path`` resolved) relative to ``top`` (the root resolved); else ``path``."""
    try:
        return real.relative_to(top).as_posix()
    except ValueError:
        return str(path)


def parse_body(text: str, line_offset: int, path: str) -> ParsedBody:
    """The Markdown of ``path`` (from line ``line_offset``) as blocks, or :class:`SourceError`."""
    try:
        return parse_markdown(text, line_offset)
    except MarkupTooDeep as exc:
        raise SourceError(path, exc.line, str(exc)) from None


def parse_article(
    data: bytes, path: str, source_dir: str = ".", stem: str = "article", default_lang: str = "en"
) -> Article:
    """Turn source bytes into an article, or raise :class:`SourceError`."""
    decoded = decode_source(data, path)
    if not decoded.text.strip():
        raise SourceError(path, 1, "empty file: an article needs front matter with a title")
    fm = split_front_matter(decoded.text, path)
    default_slug = slugify(stem)
    if not valid_slug(default_slug):
        default_slug = "article-" + hashlib.sha256(stem.encode()).hexdigest()[:8]
    meta, meta_warnings = validate_meta(fm.data, fm.key_lines, path, fm.start_line, default_slug)
    body = parse_body(fm.body, fm.body_line, path)
    text = block_text(body.blocks)
    words = count_words(text)
    return Article(
        meta=meta,
        body=body.blocks,
        footnotes=body.footnotes,
        path=path,
        source_dir=source_dir,
        word_count=words,
        reading_time=meta.reading_time or max(1, round(words / WORDS_PER_MINUTE)),
        summary=meta.summary or _default_summary(body.blocks) or meta.subtitle or meta.title,
        outline=[
            OutlineEntry(b.level, b.id, plain_text(b.children))
            for b in body.blocks
            if isinstance(b, Heading)
        ],
        lang=meta.lang or default_lang,
        source_hash=hashlib.sha256(data).hexdigest(),
        warnings=[*decoded.warnings, *meta_warnings],
        text_hash=text_hash(meta.title, meta.subtitle, meta.summary, meta.image_alt, fm.body),
        image_line=fm.key_lines.get("image"),
    )


def text_hash(*parts: str | None) -> str:
    """sha256 of the translatable words, blind to trailing spaces and blank lines at the ends."""
    lines = ("\n".join(line.rstrip() for line in (p or "").strip().splitlines()) for p in parts)
    return hashlib.sha256("\0".join(lines).encode("utf-8")).hexdigest()


def _default_summary(blocks: list[Block]) -> str:
    """The first paragraph; an article without one, the first words of its lists, tables, quotes.

    Headings and code are left out: they do not read as a description. The caller falls back to
    the subtitle and then the title, so that every page has a description for search engines.
    """
    for block in blocks:
        if isinstance(block, Paragraph):
            text = " ".join(plain_text(block.children).split())
            if text:
                return _shorten(text, SUMMARY_LIMIT)
    prose = [b for b in blocks if not isinstance(b, (Heading, CodeBlock, RawBlock))]
    return _shorten(" ".join(block_text(prose).split()), SUMMARY_LIMIT)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"
