"""Generated sites for build tests and the build benchmark: many articles, shared images."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A 1x1 PNG, and a second one so that articles do not all share one image.
PNGS = [
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    ),
    base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    ),
]

TOPICS = ["knee pain", "migraine", "sciatica", "arthritis", "neuropathy", "back pain",
          "shoulder pain", "fibromyalgia", "tendinitis", "post-surgical pain"]


def article_text(i: int, words: int = 400) -> str:
    """Front matter and a body of roughly ``words`` words with headings, a list, a table."""
    topic = TOPICS[i % len(TOPICS)]
    para = (f"Patients living with {topic} often ask how treatment {i} works, what it costs, "
            "and how long the relief lasts. Your care team will explain each step. ")
    body = [f"## About {topic}", "", para * 3, "", f"![Diagram {i}](../assets/img{i % 2}.png)", ""]
    n = 0
    while n * 40 < words:
        body += [f"## Section {n + 1}", "", para * 2, "",
                 "- Rest and ice", "- Gentle stretching", "- Follow-up visit", ""]
        n += 1
    body += ["| Option | Sessions |", "| --- | ---: |", "| Physical therapy | 8 |",
             "| Injection | 1 |", "", "See also [the sample](sample.md).[^1]", "",
             f"[^1]: Reviewed for article {i}.", ""]
    return (
        "---\n"
        f'title: "Managing {topic}: guide {i}"\n'
        f"slug: article-{i:04d}\n"
        "author: Care Team\n"
        "reviewed_by: Dr. Peck\n"
        f"date: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
        f"tags: [{topic.split()[0]}, pain]\n"
        "---\n\n" + "\n".join(body)
    )


def generate_site(root: Path, count: int, toml: str = "") -> Path:
    """A site in ``root`` with ``count`` articles (the sample among them), two shared images."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    for k, png in enumerate(PNGS):
        (root / "assets" / f"img{k}.png").write_bytes(png)
    config = (REPO / "pubkit.toml").read_text(encoding="utf-8")
    # ``toml`` holds top-level keys, so it goes before the sample's sections.
    (root / "pubkit.toml").write_text(toml + "\n" + config, encoding="utf-8")
    shutil.copy(REPO / "content" / "ketamine-pain-management.md", root / "content" / "sample.md")
    for i in range(count - 1):
        (root / "content" / f"article-{i:04d}.md").write_text(article_text(i), encoding="utf-8")
    return root
