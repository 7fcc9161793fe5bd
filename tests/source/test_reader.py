"""Reading articles with the folders already resolved (:func:`pubkit.source.reader.read_article`)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pubkit.source.reader import read_article

ARTICLE = "---\ntitle: {title}\n---\n\nSome words here.\n"


def _fields(article: object) -> dict[str, object]:
    return {f.name: getattr(article, f.name) for f in dataclasses.fields(article)}  # type: ignore[arg-type]


def test_remembered_folders_read_as_resolving_each_time(tmp_path: Path) -> None:
    site = tmp_path / "site"
    content = site / "content"
    (content / "sub").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (content / "a.md").write_text(ARTICLE.format(title="A"))
    (content / "sub" / "b.md").write_text(ARTICLE.format(title="B"))
    (outside / "c.md").write_text(ARTICLE.format(title="C"))
    os.symlink(outside / "c.md", content / "c.md")  # a linked file keeps its own target
    os.symlink(content / "sub", content / "linked")  # and a linked folder its own
    folders: dict[Path, Path] = {}
    names = ["a.md", "sub/b.md", "c.md", "linked/b.md", "a.md"]
    for name in names:
        alone = read_article(content / name, site)
        remembered = read_article(content / name, site, folders=folders)
        assert _fields(remembered) == _fields(alone), name
    assert read_article(content / "c.md", site, folders=folders).path == str(content / "c.md")
    assert read_article(content / "linked/b.md", site, folders=folders).path == "content/sub/b.md"
    assert folders[site] == site.resolve()
    assert folders[content / "linked"] == (content / "sub").resolve()
