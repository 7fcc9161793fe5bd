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


def lead_image(i: int) -> bytes:
    """A small PNG of its own for article ``i`` (its colour says which)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (i % 256, (i // 256) % 256, 90)).save(out, "PNG")
    return out.getvalue()


def article_text(i: int, words: int = 400, lead: bool = False) -> str:
    """Front matter and a body of roughly ``words`` words with headings, a list, a table.

    With ``lead``, a lead image of its own (``assets/lead-NNNN.png``) too.
    """
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
        + (f"image: ../assets/lead-{i:04d}.png\nimage_alt: Guide {i}\n" if lead else "")
        + "---\n\n" + "\n".join(body)
    )


def generate_site(root: Path, count: int, toml: str = "", lead_images: bool = False) -> Path:
    """A site in ``root`` with ``count`` articles (the sample among them), two shared images.

    With ``lead_images``, each generated article has a lead image of its own as well.
    """
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    for k, png in enumerate(PNGS):
        (root / "assets" / f"img{k}.png").write_bytes(png)
    config = (REPO / "pubkit.toml").read_text(encoding="utf-8")
    # ``toml`` holds top-level keys, so it goes before the sample's sections.
    (root / "pubkit.toml").write_text(toml + "\n" + config, encoding="utf-8")
    shutil.copy(REPO / "content" / "ketamine-pain-management.md", root / "content" / "sample.md")
    for i in range(count - 1):
        if lead_images:
            (root / "assets" / f"lead-{i:04d}.png").write_bytes(lead_image(i))
        (root / "content" / f"article-{i:04d}.md").write_text(article_text(i, lead=lead_images),
                                                               encoding="utf-8")
    return root
