"""The site index: its facts, its cache (untrusted), and duplicate slugs in every command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pubkit import formats
from pubkit.site import Site, indexing
from pubkit.site.indexing import CACHE_NAME, CACHE_SCHEMA, build_index

ARTICLE = """\
---
title: Knee pain
slug: knee
lang: es
date: 2024-05-01
tags: [knee, Pain]
image: img/lead.png
---
Intro with [a form](forms/a.pdf), [another article](other.md#part) and ![chart](img/chart.png).

## First part

> ### Quoted heading
>
> - a list with a [nested link](../outside.md)

| a | b |
|---|---|
| ![cell](/assets/cell.png) | x |
"""


def test_entry_holds_what_other_pages_need(make_site: Callable[..., Site]) -> None:
    site = make_site({"content/guides/knee.md": ARTICLE, "content/other.md": "---\ntitle: O\n---\nx\n"})
    index = build_index(site).index
    entry = index.entry("content/guides/knee.md")
    assert entry is not None
    assert (entry.slug, entry.title, entry.lang, entry.tags) == ("knee", "Knee pain", "es", ("knee", "Pain"))
    assert entry.ids == ("sec-first-part", "sec-quoted-heading")  # nested headings too
    assert entry.files == ("content/guides/forms/a.pdf", "content/guides/img/chart.png",
                           "assets/cell.png", "content/guides/img/lead.png")
    assert entry.articles == ("content/guides/other.md", "content/outside.md")
    assert index.by_slug("knee") is entry
    assert [index.output_path(entry, formats.get(f)) for f in ("html", "pdf", "docx", "email")] == [
        "html/knee.html", "pdf/knee.pdf", "docx/knee.docx", "email/knee.eml"]
    assert index.output_path(entry, formats.get("email"), ".txt") == "email/knee.txt"
    assert index.published_as("content/guides/forms/a.pdf") == "guides/forms/a.pdf"
    assert index.published_as("assets/cell.png") == "assets/cell.png"
    assert entry.anchor("first-part") == entry.anchor("sec-first-part") == "sec-first-part"
    assert entry.anchor("First Part") == "sec-first-part"  # as GitHub spells anchors
    assert entry.anchor("third") is None


def test_two_files_for_one_web_path_get_paths_of_their_own(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/a.md": "---\ntitle: A\n---\n![x](assets/logo.png) ![y](/assets/logo.png) [z](a.html)\n",
    })
    index = build_index(site).index
    assert index.published_as("assets/logo.png") == "assets/logo.png"
    other = index.published_as("content/assets/logo.png")
    assert other is not None and other != "assets/logo.png" and other.startswith("assets/logo-")


def test_cache_skips_parsing_and_follows_edits(make_site: Callable[..., Site]) -> None:
    site = make_site({f"content/a{i}.md": f"---\ntitle: A{i}\n---\n## H{i}\n" for i in range(5)})
    first = build_index(site, write_cache=True)
    assert first.fresh == 5 and (site.output_dir / CACHE_NAME).is_file()
    again = build_index(site, write_cache=True)
    assert again.fresh == 0 and again.notes == []
    assert again.index.entries == first.index.entries
    (site.content_dir / "a3.md").write_text("---\ntitle: Changed\n---\n## New heading\n")
    edited = build_index(site, write_cache=True)
    assert edited.fresh == 1
    assert edited.index.entry("content/a3.md").ids == ("sec-new-heading",)  # type: ignore[union-attr]


def test_cache_is_written_back_as_read_and_in_ascii(make_site: Callable[..., Site]) -> None:
    """An unchanged entry's record goes back as it was; a record with a field pubkit does
    not write is made again; accented words survive the ASCII file."""
    site = make_site({f"content/a{i}.md": f"---\ntitle: Niño {i}\n---\n## H{i}\n" for i in range(3)})
    build_index(site, write_cache=True)
    path = site.output_dir / CACHE_NAME
    raw = path.read_bytes()
    assert raw.isascii() and b"Ni\\u00f1o 0" in raw
    data = json.loads(raw)
    data["entries"]["content/a0.md"]["planted"] = "junk"
    path.write_text(json.dumps(data))
    (site.content_dir / "a2.md").write_text("---\ntitle: Año\n---\n## New\n")
    edited = build_index(site, write_cache=True)
    assert edited.fresh == 1 and edited.notes == []
    after = json.loads(path.read_bytes())["entries"]
    assert "planted" not in after["content/a0.md"]
    assert after["content/a1.md"] == data["entries"]["content/a1.md"]
    assert after["content/a2.md"]["title"] == "Año"
    again = build_index(site)
    assert again.fresh == 0 and again.index.entries == edited.index.entries
    assert again.index.entry("content/a0.md").title == "Niño 0"  # type: ignore[union-attr]


@pytest.mark.parametrize("cache", [
    b"{not json", b"[]", b'{"schema": 99}', b"\xff\xfe", b'{"schema":%d}' % CACHE_SCHEMA,
    "entries-not-object", "bad-slug", "path-escape", "absolute-path", "id-with-quote", "wrong-kind",
    "huge-title", "date-garbage", "deep-nesting", "bad-listing-digest",
])
def test_any_damaged_cache_is_discarded_with_one_note(
    make_site: Callable[..., Site], cache: bytes | str,
) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\n[b](b.md)\n",
                      "content/b.md": "---\ntitle: B\n---\nx\n"})
    good = build_index(site, write_cache=True).index
    path = site.output_dir / CACHE_NAME
    if isinstance(cache, str):
        data = json.loads(path.read_bytes())
        entry = data["entries"]["content/a.md"]
        if cache == "entries-not-object":
            data["entries"] = ["x"]
        elif cache == "bad-slug":
            entry["slug"] = "../../etc/passwd"
        elif cache == "path-escape":
            entry["articles"] = ["../../../etc/passwd"]
        elif cache == "absolute-path":
            entry["files"] = ["/etc/passwd"]
        elif cache == "id-with-quote":
            entry["ids"] = ['x" onmouseover="alert(1)']
        elif cache == "wrong-kind":
            entry["kind"] = "executable"
        elif cache == "huge-title":
            entry["title"] = "x" * 100_000
        elif cache == "date-garbage":
            entry["date"] = "yesterday"
        elif cache == "deep-nesting":
            entry["tags"] = [[[[["deep"]]]]]
        elif cache == "bad-listing-digest":
            entry["listing"] = "not a digest"
        cache = json.dumps(data).encode()
    path.write_bytes(cache)
    result = build_index(site)
    assert result.index.entries == good.entries  # everything read again from the sources
    if result.fresh:
        assert len(result.notes) == 1 and "site index cache" in result.notes[0], result.notes


def test_listing_digest_follows_what_the_cards_show_and_is_kept_in_the_cache(
    make_site: Callable[..., Site],
) -> None:
    from pubkit.site.listing import listing_facts

    site = make_site({"content/a.md": "---\ntitle: A\nsummary: Short\n---\nBody one.\n",
                      "content/b.md": "---\ntitle: B\n---\nx\n"})
    path = site.output_dir / CACHE_NAME
    first = build_index(site, write_cache=True).index
    digest = first.entry("content/a.md").listing  # type: ignore[union-attr]
    assert len(digest) == 64 and json.loads(path.read_bytes())["entries"]["content/a.md"]["listing"] == digest
    key = listing_facts(first)[0]
    page = site.content_dir / "a.md"
    page.write_text(page.read_text().replace("Body one.", "Body two."))
    body = build_index(site, write_cache=True)
    assert body.fresh == 1 and body.index.entry("content/a.md").listing == digest  # type: ignore[union-attr]
    assert listing_facts(body.index)[0] == key
    page.write_text(page.read_text().replace("title: A", "title: A new title"))
    title = build_index(site, write_cache=True).index
    assert title.entry("content/a.md").listing != digest  # type: ignore[union-attr]
    assert listing_facts(title)[0] != key
    # A cache without the digests (an older pubkit's): each is made from its entry when needed.
    data = json.loads(path.read_bytes())
    for entry in data["entries"].values():
        del entry["listing"]
    path.write_text(json.dumps(data))
    older = build_index(site)
    assert older.fresh == 0 and older.index.entry("content/a.md").listing == ""  # type: ignore[union-attr]
    assert listing_facts(older.index)[0] == listing_facts(title)[0]


def test_cache_that_is_not_a_regular_file_is_not_waited_on(make_site: Callable[..., Site]) -> None:
    import os

    site = make_site({"content/a.md": "---\ntitle: A\n---\nx\n"})
    site.output_dir.mkdir()
    os.mkfifo(site.output_dir / CACHE_NAME)
    result = build_index(site)
    assert result.fresh == 1 and "not a regular file" in result.notes[0]


def test_oversized_cache_is_discarded(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\n---\nx\n"})
    build_index(site, write_cache=True)
    monkeypatch.setattr(indexing, "CACHE_LIMIT", 64)
    result = build_index(site)
    assert result.fresh == 1 and "larger than 64 bytes" in result.notes[0]


def test_parallel_indexing_gives_the_same_index(make_site: Callable[..., Site]) -> None:
    count = indexing.PARALLEL_FROM + 20
    site = make_site({
        f"content/a{i:03d}.md": f"---\ntitle: A{i}\n---\n## Part {i}\n\n[n](a{(i + 1) % count:03d}.md)\n"
        for i in range(count)})
    serial = build_index(site, jobs=1)
    parallel = build_index(site, jobs=2)
    assert parallel.index.entries == serial.index.entries
    assert list(parallel.index.entries) == list(serial.index.entries)


def test_unreadable_sources_are_problems_not_entries(make_site: Callable[..., Site]) -> None:
    site = make_site({
        "content/good.md": "---\ntitle: Good\n---\nx\n",
        "content/bad.md": "---\ntitle: [unclosed\n---\nx\n",
        "newsletters/Bad Name.md": "---\nsubject: Hi\n---\nx\n",
        "newsletters/june.md": "---\nsubject: June news\nlang: es\n---\nx\n",
    })
    index = build_index(site).index
    assert set(index.entries) == {"content/good.md", "newsletters/june.md"}
    assert set(index.problems) == {"content/bad.md", "newsletters/Bad Name.md"}
    assert "becomes a folder name" in index.problems["newsletters/Bad Name.md"].message
    june = index.entry("newsletters/june.md")
    assert june is not None and (june.kind, june.slug, june.title, june.lang) == (
        "newsletter", "june", "June news", "es")
    assert index.output_path(june, formats.get("newsletter")) == "newsletters/june/newsletter.eml"


DUPLICATE = {
    "content/first.md": "---\ntitle: First\nslug: same\n---\nThe medical article.\n",
    "content/second.md": "---\ntitle: Second\nslug: same\n---\nA copy.\n",
}
REFUSAL = "content/second.md: slug 'same' is already used by content/first.md; give one of them another slug"


def _pubkit(site: Site, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pubkit", *args, "--site", str(site.root)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["render", "--html"], ["render", "--html", "content/second.md"],
                                     ["build", "-f", "html"], ["check"]])
def test_a_duplicate_slug_is_refused_alike_in_every_command(
    make_site: Callable[..., Site], command: list[str],
) -> None:
    site = make_site(DUPLICATE)
    if command[-1].endswith(".md"):
        command = [*command[:-1], str(site.root / command[-1])]
    done = _pubkit(site, *command)
    assert done.returncode == 1
    assert REFUSAL in done.stderr + done.stdout
    page = site.output_dir / "html" / "same.html"
    if command[0] != "check":
        if command[-1].endswith(".md"):
            assert not page.exists()
        else:
            assert b"The medical article." in page.read_bytes() and b"A copy." not in page.read_bytes()


def test_unchanged_files_are_not_read_again(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A source whose stat matches the cache's record, from before the cache was written, is not read."""
    import time

    site = make_site({f"content/a{i}.md": f"---\ntitle: A{i}\n---\nx\n" for i in range(4)})
    time.sleep(indexing.RACY_NS / 1e9 + 0.2)  # older than the racy window, as a real site is
    build_index(site, write_cache=True)
    read: list[Path] = []
    real = indexing.file_digest
    monkeypatch.setattr(indexing, "file_digest", lambda p, *a: read.append(p) or real(p, *a))
    again = build_index(site, write_cache=True)
    assert again.fresh == 0 and read == []
    edited = site.content_dir / "a2.md"
    edited.write_text("---\ntitle: B2\n---\nx\n")  # the same size: the change time tells
    assert build_index(site).index.entry("content/a2.md").title == "B2"  # type: ignore[union-attr]
    assert read == [edited]


def test_a_cold_index_hashes_each_source_once_and_as_parsed(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no cache, a source is read only to be parsed, and its hash is of those bytes; one that
    gives no entry is hashed as it is."""
    import hashlib

    site = make_site({
        "content/good.md": "---\ntitle: Good\n---\nx\n",
        "content/bad.md": "---\ntitle: [unclosed\n---\nx\n",
        "newsletters/june.md": "---\nsubject: June news\n---\nx\n",
    })
    hashed: list[Path] = []
    real = indexing.file_digest
    monkeypatch.setattr(indexing, "file_digest", lambda p, *a: hashed.append(p) or real(p, *a))
    result = build_index(site)
    assert hashed == [site.root / "content" / "bad.md"]  # given no entry; the others' bytes, once
    for source in ("content/good.md", "content/bad.md", "newsletters/june.md"):
        data = (site.root / source).read_bytes()
        assert result.hashes[source] == hashlib.sha256(data).hexdigest()
    assert list(result.hashes) == [s for s, _ in indexing.sources(site)]
    assert result.index.entry("content/good.md").source_hash == result.hashes["content/good.md"]  # type: ignore[union-attr]


def test_paths_resolve_a_folder_at_a_time_as_one_by_one(make_site: Callable[..., Site]) -> None:
    import os

    from pubkit.site import resolve_all
    from pubkit.site.indexing import rel, rel_all
    from pubkit.sitefiles import DISK

    site = make_site({"content/a.md": "---\ntitle: A\n---\n", "elsewhere/b.md": "---\ntitle: B\n---\n"})
    root = site.root
    os.symlink(root / "elsewhere" / "b.md", root / "content" / "link.md")
    os.symlink(root / "elsewhere", root / "content" / "folder")
    os.symlink(root / "content" / "gone.md", root / "content" / "dangling.md")
    paths = [root / "content" / "a.md", root / "content" / "link.md", root / "content" / "folder" / "b.md",
             root / "content" / "dangling.md", root / "content" / "missing.md",
             root / "content" / ".." / "content" / "a.md", root / "content" / "folder" / "..",
             Path("relative.md"), Path("content/a.md"), Path("content/../content/a.md"), Path("./a"),
             root / "content" / "folder" / ".." / "a.md", root, Path("/")]
    assert resolve_all(paths) == [p.resolve() for p in paths]
    assert rel_all(paths, root) == [rel(p, root) for p in paths]
    assert rel_all(paths, root)[:3] == ["content/a.md", "elsewhere/b.md", "elsewhere/b.md"]
    for path in paths:
        assert DISK.resolve_with_folder(path) == (path.resolve(), path.parent.resolve())

def test_every_command_takes_the_sources_the_index_reads(make_site: Callable[..., Site]) -> None:
    """Which files a folder holds is decided once: hidden names and the insides of a linked
    folder are left out of the index, of every command given the content folder (``check``,
    ``review``, ``verify``, ``render``) and of ``build``; a linked file is kept; the order is
    the index's."""
    import os

    from pubkit.site import discover_articles
    from pubkit.site.indexing import rel_all, sources

    article = "---\ntitle: {}\n---\nx\n"
    names = ["a.md", "a-b/x.md", "a/x.md", "Z.md", ".draft.md", ".git/y.md", "b/.old/z.md",
             "notes.txt", "b/c.MD"]
    site = make_site({f"content/{name}": article.format(f"T {i}") for i, name in enumerate(names)}
                     | {"elsewhere/linked.md": article.format("Linked"),
                        "elsewhere/inside.md": article.format("Inside")})
    root = site.root
    os.symlink(root / "elsewhere" / "linked.md", root / "content" / "link.md")
    os.symlink(root / "elsewhere", root / "content" / "folder")
    expected = ["content/Z.md", "content/a-b/x.md", "content/a.md", "content/a/x.md", "content/link.md"]
    assert [s for s, kind in sources(site) if kind == "article"] == expected
    found = discover_articles([], site)
    assert [p.relative_to(root).as_posix() for p in found] == expected
    assert rel_all(found, root) == [*expected[:4], "elsewhere/linked.md"]
    assert [p.relative_to(root).as_posix() for p in discover_articles([root / "content" / "a"], site)] == [
        "content/a/x.md"]
    assert discover_articles([root / "content" / ".draft.md"], site) == [root / "content" / ".draft.md"]
    done = _pubkit(site, "check")
    assert done.stdout.startswith("5 checked"), done.stdout + done.stderr
    assert ".draft" not in done.stderr and ".git" not in done.stderr and "inside" not in done.stderr


def test_newsletter_language_versions_are_named_apart(make_site: Callable[..., Site]) -> None:
    issue = "---\nsubject: S\n---\nHi.\n"
    site = make_site({"newsletters/june.md": issue, "newsletters/june.es.md": issue,
                      "newsletters/june.ES.md": issue, "newsletters/june.e_s.md": issue,
                      "newsletters/june.es-MX.md": "---\nsubject: S\nlang: fr\n---\nHola.\n"})
    index = build_index(site).index
    base = index.by_slug("june", "newsletter")
    assert base is not None and base.source == "newsletters/june.md"
    spanish = index.entry("newsletters/june.ES.md")
    assert spanish is not None and (spanish.lang, spanish.name.stem) == ("ES", "es/june")
    assert index.duplicate_of("newsletters/june.ES.md") is None  # "E" sorts before "e"
    assert str(index.duplicate_error("newsletters/june.es.md")) == (
        "newsletters/june.es.md: newsletters/june.ES.md is already the es version of newsletter "
        "'june'; remove one of them")
    mexican = index.entry("newsletters/june.es-MX.md")
    assert mexican is not None and mexican.lang == "es-MX"  # the file name decides
    assert mexican.name.stem == "es-mx/june"
    assert [e.source for e in index.issue_versions(base)] == [
        "newsletters/june.ES.md", "newsletters/june.es-MX.md"]
    assert "'e_s' in the file name is not a language tag" in \
        index.problems["newsletters/june.e_s.md"].message
