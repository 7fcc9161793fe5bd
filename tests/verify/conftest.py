"""A built site for the verify tests: generated articles and one with every kind of block."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.batch.conftest import run_cli
from tests.batch.sitegen import generate_site

RICH = """\
---
title: Living well with knee pain
subtitle: What helps, and when to call us
author: Care Team
reviewed_by: peck
reviewed_on: 2026-11-16
date: 2026-10-01
---

Knee pain is common after a fall, and most of it gets better with rest.

## What you can do at home

Read [our guide to ice packs](https://example.com/ice) before you start, and keep the leg raised.[^ice]

1. Rest the knee for two days.
2. Use an ice pack:
   - wrap it in a towel;
   - never put ice straight on the skin.
3. Take the pain reliever your doctor advised.

- [x] Book a follow-up visit
- [ ] Ask about physical therapy

| When | What to do | Who to call |
| --- | --- | ---: |
| Swelling grows | Stop walking on it | The clinic desk |
| Fever over 38 °C | Come in the same day | Nurse line 555-0100 |

> Most people walk normally again within six weeks.

> [!WARNING]
> Never drive while you take the stronger pain reliever.

![A knee brace](../assets/img0.png)

```
ice: 20 minutes, 3 times a day
```

## When to call us

Call us straight away if the knee is hot, red or cannot bear weight. A sudden change in how the
knee looks or feels can mean an infection or a clot, and those need care on the same day.

[^ice]: Cold packs from the freezer work as well as ice.
"""


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built in every format (three generated articles, the sample, one rich article)."""
    root = generate_site(tmp_path_factory.mktemp("verify") / "site", 4)
    (root / "content" / "rich.md").write_text(RICH, encoding="utf-8")
    done = run_cli("build", "--site", str(root))
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def site_copy(built_site: Path, tmp_path: Path) -> Callable[[], Path]:
    """A copy of the built site (outputs included) that one test may damage."""
    def make() -> Path:
        copy = tmp_path / "site"
        shutil.copytree(built_site, copy, symlinks=True)
        return copy
    return make
