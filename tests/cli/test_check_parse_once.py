"""``pubkit check`` parses each article once, the site index's reading included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from pubkit.article_check import CheckOptions
from pubkit.cli.check import check_files
from pubkit.site import Site, discover_articles
from pubkit.source import reader


def test_one_parse_per_article_with_a_cold_index(make_site: Callable[..., Site],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({f"content/a{i}.md": f"---\ntitle: A{i}\n---\nSee [b](a{(i + 1) % 5}.md).\n"
                      for i in range(5)})
    parsed: list[str] = []
    real = reader.parse_article

    def counting(data: bytes, path: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(path)
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(reader, "parse_article", counting)
    files = discover_articles([], site)
    results, notes = check_files(site, files, CheckOptions(dt.date(2026, 12, 1)), {}, jobs=1)
    assert sorted(parsed) == [f"content/a{i}.md" for i in range(5)]
    assert [r.path for r in results] == [f"content/a{i}.md" for i in range(5)]
    assert all(not [d for d in r.diagnostics if d.severity == "error"] for r in results)  # links resolve
    assert notes == []

    parsed.clear()
    results, _ = check_files(site, files[:2], CheckOptions(dt.date(2026, 12, 1)), {}, jobs=1)
    assert sorted(parsed) == [f"content/a{i}.md" for i in range(5)]  # the index still reads every one
    assert [r.path for r in results] == ["content/a0.md", "content/a1.md"]


def test_a_killed_worker_means_checking_in_this_process(make_site: Callable[..., Site],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from pubkit.cli import check as command

    site = make_site({f"content/a{i:02d}.md": f"---\ntitle: A{i}\n---\nSee [gone](gone{i}.md).\n"
                      for i in range(command.PARALLEL_MIN)})

    def dies(conn: Any, checker: Any) -> None:
        conn.recv()
        os._exit(9)  # as the kernel's out-of-memory killer would

    monkeypatch.setattr(command, "_serve", dies)
    files = discover_articles([], site)
    results, notes = check_files(site, files, CheckOptions(dt.date(2026, 12, 1)), {}, jobs=2)
    assert notes == ["a worker process stopped (EOFError); checking in this process"]
    assert [r.path for r in results] == [f"content/a{i:02d}.md" for i in range(command.PARALLEL_MIN)]
    assert all(any("gone" in d.message and d.severity == "error" for d in r.diagnostics) for r in results)
