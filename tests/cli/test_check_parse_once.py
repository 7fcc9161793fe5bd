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

    def dies(conn: Any, *args: Any) -> None:
        conn.recv()
        os._exit(9)  # as the kernel's out-of-memory killer would

    monkeypatch.setattr(command, "_serve", dies)
    files = discover_articles([], site)
    results, notes = check_files(site, files, CheckOptions(dt.date(2026, 12, 1)), {}, jobs=2)
    assert notes == ["a worker process stopped (EOFError); checking in this process"]
    assert [r.path for r in results] == [f"content/a{i:02d}.md" for i in range(command.PARALLEL_MIN)]
    assert all(any("gone" in d.message and d.severity == "error" for d in r.diagnostics) for r in results)


def test_the_schedule_gives_each_article_out_once_and_takes_from_a_busy_worker() -> None:
    import collections
    from pathlib import Path

    from pubkit.cli.check import STEAL, _CheckSchedule

    sources = [f"content/a{i:02d}.md" for i in range(32)]
    files = [Path(s) for s in sources]
    held = [collections.deque(sources[:30]), collections.deque()]
    schedule = _CheckSchedule(held, files, sources, set(sources))
    assert schedule.work(1) == ("check", [(30, files[30], sources[30])])  # kept by none: first
    assert schedule.work(1) == ("check", [(31, files[31], sources[31])])
    stolen = schedule.work(1)
    assert stolen == ("check", [(i, files[i], sources[i]) for i in (29, 28, 27, 26)])  # from the end
    given: list[str] = [sources[30], sources[31], *(s for _, _, s in stolen[1])]
    while (task := schedule.work(0)) is not None or (task := schedule.work(1)) is not None:
        op, items = task
        given += items if op == "kept" else [s for _, _, s in items]
    assert sorted(given) == sources  # each once
    assert held == [collections.deque(), collections.deque()]
    schedule = _CheckSchedule([collections.deque(sources[:3 * STEAL - 1]), collections.deque()],
                              files, sources, set(sources[:3 * STEAL - 1]))
    assert schedule.work(1) is None  # its holder checks these sooner than they could be read again


def test_a_worker_with_nothing_kept_takes_over_the_others(make_site: Callable[..., Site],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker reads every article in phase one; the other still checks some (reading them
    again), and the results are one process's."""
    import sys

    from pubkit.cli import check as command
    from tests.conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import article
    finally:
        sys.path.remove(str(REPO / "bench"))
    site = make_site({f"content/a{i:03d}.md": article(i, 200) for i in range(command.PARALLEL_MIN + 8)})
    files = discover_articles([], site)
    options = CheckOptions(dt.date(2026, 12, 1), figures=True)
    alone, _ = check_files(site, files, options, {}, jobs=1)
    # Phase one in a single chunk (the first worker asked reads all), phase two one at a time.
    monkeypatch.setattr(command, "_chunk", lambda left, workers: left if workers > 1 else 1)
    taken: list[str] = []
    real = command._CheckSchedule.work

    def work(self: Any, number: int) -> Any:
        task = real(self, number)
        if task is not None and task[0] == "check":
            taken.extend(s for _, _, s in task[1])
        return task

    monkeypatch.setattr(command._CheckSchedule, "work", work)
    both, notes = check_files(site, files, options, {}, jobs=2)
    assert notes == []
    assert taken  # the worker that kept nothing checked some
    assert [(r.path, r.diagnostics, r.report) for r in both] == [
        (r.path, r.diagnostics, r.report) for r in alone]

RICH = """---
title: Everything at once
lang: es
image: pic.png
---
# Título

Un párrafo con **negrita**, *cursiva*, ~~tachado~~, `código`, [un enlace](otro.md#parte),
<https://example.org>, www.example.org y una nota.[^1] ¿Está bien? ¡Sí! Dr. Peck dijo 2.5 mg...

> [!WARNING]
> Llame al 911 si no puede respirar.

> Una cita
> con dos líneas.

- uno
- [ ] dos
  1. tres
  2. cuatro

| a | b |
|:--|--:|
| ![](pic.png) | <b>x</b> |

```python
print("hola")
```

<div>bloque <em>html</em></div>

[^1]: La nota, con [enlace](https://example.org).
"""


_CYCLES = """
import datetime as dt, gc, sys
from pathlib import Path
from pubkit.article_check import Checker, CheckOptions
from pubkit.renderers.base import RenderContext
from pubkit.site import discover_articles, open_site
from pubkit.source.reader import read_article

site = open_site(Path(sys.argv[1]))
files = discover_articles([], site)
checkers = [Checker(RenderContext.for_site(site), {"en": {"utilize": "use"}},
                    CheckOptions(dt.date(2026, 12, 1), strict, figures))
            for strict in (False, True) for figures in (False, True)]
for checker in checkers:  # a first round fills caches and imports lazily (catalogues, word lists)
    for path in files:
        checker.check_file(path)
while gc.collect():
    pass
gc.set_debug(gc.DEBUG_SAVEALL)
checked = sum(len(checker.check_file(path).diagnostics) >= 0 for checker in checkers for path in files)
articles = [read_article(path, site.root) for path in files]
del articles
gc.collect()
print(checked, len(gc.garbage), sorted({type(o).__name__ for o in gc.garbage})[:8])
"""


def test_reading_and_checking_leave_no_reference_cycles(sample_site: Site) -> None:
    """Check's workers run with the cycle collector off (cli/check.py ``_serve``): anything that
    reading or checking an article leaves in a cycle would stay in memory until the command ends.

    In a process of its own, so that no other test's garbage is counted.
    """
    import subprocess
    import sys

    (sample_site.root / "content" / "rich.md").write_text(RICH, encoding="utf-8")
    files = discover_articles([], sample_site)
    assert len(files) >= 3
    done = subprocess.run([sys.executable, "-c", _CYCLES, str(sample_site.root)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    checked, left, kinds = done.stdout.split(" ", 2)
    assert int(checked) == 4 * len(files)
    assert int(left) == 0, f"{left} objects in cycles, such as {kinds}"
