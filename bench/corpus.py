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


FIGURES = 50
"""Distinct in-text figures of a site with images; each article shows one of them."""


def lead_image(index: int) -> str:
    """The lead image of article ``index`` (its own file), relative to the content folder."""
    return f"images/lead-{index:05d}.jpg"


def figure(index: int) -> str:
    """The figure article ``index`` shows in its text (one of :data:`FIGURES`, shared)."""
    return f"images/figure-{index % FIGURES:02d}.png"


def article(index: int, words: int = 600, table_rows: int = 0, images: bool = False) -> str:
    """Markdown of article ``index`` with about ``words`` words of body text.

    With ``images``, a lead image of its own (front matter) and a shared figure
    in its first section, as the clinic's articles have.
    """
    rng = random.Random(index)
    parts = [
        "---",
        f'title: "Patient guide {index}: {_sentence(rng, 4)[:-1]}"',
        f'subtitle: "{_sentence(rng, 5)[:-1]}"',
        "reviewed_by: Dr. Peck",
        f"date: 2024-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "tags: [pain, guide]",
        *([f"image: {lead_image(index)}", f'image_alt: "Patient guide {index}"'] if images else []),
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
        if images and section == 1:
            parts += [f"![Diagram for guide {index}]({figure(index)})", ""]
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


def picture(index: int, size: tuple[int, int], kind: str) -> bytes:
    """A deterministic photo-like picture (JPEG) or diagram (PNG) of a few kilobytes."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(index * 7919 + len(kind))
    img = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle((x, y, x + rng.randrange(20, 120), y + rng.randrange(20, 80)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    img.save(out, "JPEG" if kind == "jpeg" else "PNG", quality=70)
    return out.getvalue()


def write_site(root: Path, count: int, words: int = 600, images: bool = False) -> Path:
    """A site folder with ``count`` generated articles in content/.

    With ``images``, every article has a lead photo of its own (320x200 JPEG,
    about 10 KB) and shows one of :data:`FIGURES` shared diagrams (PNG).
    """
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    (root / "pubkit.toml").write_text('site_name = "Bench Clinic"\n', encoding="utf-8")
    if images:
        (content / "images").mkdir(exist_ok=True)
        for k in range(min(FIGURES, count)):
            (content / figure(k)).write_bytes(picture(k, (240, 160), "png"))
    for i in range(count):
        if images:
            (content / lead_image(i)).write_bytes(picture(i, (320, 200), "jpeg"))
        (content / f"article-{i:04d}.md").write_text(article(i, words, images=images), encoding="utf-8")
    return root


def photo(index: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A photo-like JPEG (gradients and grain, as a phone camera makes) with a GPS position in its EXIF."""
    import io

    from PIL import Image, ImageFilter

    rng = random.Random(index)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    grain = Image.effect_noise(size, 40).convert("RGB").filter(ImageFilter.GaussianBlur(1))
    image = Image.blend(Image.blend(base, tint, 0.5), grain, 0.25)
    exif = Image.Exif()
    exif[0x010F] = "Bench Phone"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, float(index % 60)), 3: "W", 4: (0.0, 7.0, 39.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def write_photo_site(root: Path, count: int, photos: int, words: int = 600) -> Path:
    """:func:`write_site` with ``photos`` photos in content/images/, each article showing two of
    them (its lead picture and one in its body)."""
    write_site(root, count, words)
    (root / "content" / "images").mkdir(exist_ok=True)
    for k in range(photos):
        (root / "content" / "images" / f"photo-{k:03d}.jpg").write_bytes(photo(k))
    for i in range(count):
        path = root / "content" / f"article-{i:04d}.md"
        lead, body = i % photos, (i * 7 + 3) % photos
        text = path.read_text(encoding="utf-8").replace(
            "tags: [pain, guide]\n",
            f"tags: [pain, guide]\nimage: images/photo-{lead:03d}.jpg\nimage_alt: Photo {lead}\n", 1)
        text += f"\n![Photo {body}](images/photo-{body:03d}.jpg)\n"
        path.write_text(text, encoding="utf-8")
    return root
