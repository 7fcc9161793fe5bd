"""The web page's pictures: copies by the settings, the lead picture first, and the switch to turn it off."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from PIL import Image

from pubkit.renderers.base import RenderContext
from pubkit.site import Site
from tests.media import photos
from tests.renderers.html.test_html import render

ARTICLE = """\
---
title: Photos
image: images/lead.jpg
image_alt: The lead
---
![A body photo](images/body.png "Its title")

![Remote](https://cdn.example/x.png)
"""


def _noise() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((2000, 1500), 60).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _site(make_site: Callable[..., Site], toml: str = "", lead: bytes | None = None) -> Site:
    return make_site({"content/a.md": ARTICLE,
                      "content/images/lead.jpg": lead or photos.jpeg((2000, 1500)),
                      "content/images/body.png": photos.png((700, 350))}, toml=toml)


def test_copies_by_the_default_widths(make_site: Callable[..., Site]) -> None:
    page, warnings, published = render(_site(make_site), "a.md")
    assert warnings == []
    names = sorted(re.sub(r"\.[0-9a-f]{12}\.", ".#.", p) for p in published)
    assert names == ["images/body-480w.#.png", "images/body-480w.#.webp", "images/body-700w.#.png",
                     "images/body-700w.#.webp", "images/body.png",
                     *[f"images/lead-{w}w.#.{e}" for w in (1440, 480, 960) for e in ("jpg", "webp")],
                     "images/lead.jpg"]
    lead = re.search(r'<figure class="lead-image"><picture><source type="image/webp" srcset="([^"]+)" '
                     r'sizes="([^"]+)"><img src="([^"]+)" srcset="([^"]+)" sizes="[^"]+" '
                     r'width="1440" height="1080" alt="The lead" fetchpriority="high" decoding="async">'
                     r"</picture></figure>", page)
    assert lead, page
    assert re.fullmatch(r"images/lead-480w\.\w{12}\.webp 480w, images/lead-960w\.\w{12}\.webp 960w, "
                        r"images/lead-1440w\.\w{12}\.webp 1440w", lead[1])
    assert lead[2] == "(max-width: 44rem) calc(100vw - 2rem), 42rem"
    assert re.fullmatch(r"images/lead-1440w\.\w{12}\.jpg", lead[3])
    assert 'width="700" height="350" alt="A body photo" title="Its title" loading="lazy"' in page
    assert '<img src="https://cdn.example/x.png" alt="Remote" loading="lazy" decoding="async">' in page
    for name, data in published.items():  # each copy is the size its name says
        if "-480w." in name:
            assert Image.open(io.BytesIO(data)).width == 480


def test_settings_choose_the_widths_sizes_and_quality(make_site: Callable[..., Site]) -> None:
    site = _site(make_site, '[images]\nwidths = [320, 640]\nsizes = "100vw"\nwebp_quality = 50\n',
                 _noise())
    page, _, published = render(site, "a.md")
    assert sorted({int(w) for w in re.findall(r"-(\d+)w\.", " ".join(published))}) == [320, 640]
    assert 'sizes="100vw"' in page and "1440w" not in page
    sharp_site = _site(make_site, '[images]\nwidths = [320, 640]\nwebp_quality = 90\n', _noise())
    small = render(sharp_site, "a.md")[2]
    webp, sharp = (_lead_webp(published), _lead_webp(small))
    assert webp.keys() == sharp.keys()
    assert all(len(webp[k]) < len(sharp[k]) for k in webp)  # lower quality, smaller files


def test_responsive_off_publishes_each_picture_once(make_site: Callable[..., Site]) -> None:
    page, _, published = render(_site(make_site, "[images]\nresponsive = false\n"), "a.md")
    assert sorted(published) == ["images/body.png", "images/lead.jpg"]
    assert "<picture>" not in page and "srcset" not in page
    assert ('<img src="images/lead.jpg" width="2000" height="1500" alt="The lead" fetchpriority="high" '
            'decoding="async">') in page
    assert photos.SECRET not in b"".join(published.values())  # still without metadata


def test_a_picture_shown_twice_is_made_once(make_site: Callable[..., Site]) -> None:
    site = _site(make_site)
    ctx = RenderContext.for_site(site)
    from pubkit.pipeline import render_one
    from pubkit.source.reader import read_article

    article = read_article(site.content_dir / "a.md", site.root)
    first = render_one(article, "html", ctx)
    second = render_one(article, "html", ctx)
    assert first.images == (10, 0) and second.images == (0, 10)
    assert first.output is not None and second.output is not None
    assert first.output.data == second.output.data and first.output.published == second.output.published


def _lead_webp(published: dict[str, bytes]) -> dict[str, bytes]:
    return {re.sub(r"\.\w{12}\.", ".", k): v for k, v in published.items()
            if k.startswith("images/lead-") and k.endswith(".webp")}
