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
