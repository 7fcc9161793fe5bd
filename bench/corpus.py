"""Generated articles for benchmarks: realistic shape, deterministic content."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "pain relief treatment patient clinic therapy chronic acute dose receptor nerve muscle "
    "recovery session infusion doctor nurse symptom option risk benefit study evidence care "
    "plan follow-up visit insurance medication opioid ketamine injection physical exercise"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    out, total = [], 0
    while total < words:
        n = rng.randint(8, 20)
        out.append(_sentence(rng, n))
        total += n
    return " ".join(out)


def article(index: int, words: int = 600, table_rows: int = 0) -> str:
    """Markdown of article ``index`` with about ``words`` words of body text."""
    rng = random.Random(index)
    parts = [
        "---",
        f'title: "Patient guide {index}: {_sentence(rng, 4)[:-1]}"',
        f'subtitle: "{_sentence(rng, 5)[:-1]}"',
        "reviewed_by: Dr. Peck",
        f"date: 2024-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "tags: [pain, guide]",
        "---",
        "",
        _paragraph(rng, 60),
        "",
    ]
    written = 60
    section = 0
    while written < words:
        section += 1
        parts += [f"## Section {section}: {_sentence(rng, 3)[:-1]}", ""]
        parts += [f"**Key point {section}:** {_paragraph(rng, 50)}", ""]
        parts += [f"- {_sentence(rng, 6)}" for _ in range(3)] + [""]
        parts += [f"{_paragraph(rng, 70)} See [our clinic](https://example.com/{section}).", ""]
        written += 50 + 18 + 70
    if table_rows:
        parts += ["| " + " | ".join(f"Col {c}" for c in range(8)) + " |",
                  "|" + "---|" * 8]
        parts += ["| " + " | ".join(f"r{r}c{c}" for c in range(8)) + " |" for r in range(table_rows)]
        parts.append("")
    parts += [f"A closing note with a footnote.[^{index}]", "", f"[^{index}]: {_sentence(rng, 8)}", ""]
    return "\n".join(parts)


def write_site(root: Path, count: int, words: int = 600) -> Path:
    """A site folder with ``count`` generated articles in content/."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "pubkit.toml").write_text('site_name = "Bench Clinic"\n', encoding="utf-8")
    for i in range(count):
        (root / "content" / f"article-{i:04d}.md").write_text(article(i, words), encoding="utf-8")
    return root
