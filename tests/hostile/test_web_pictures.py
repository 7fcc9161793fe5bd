"""Odd and hostile pictures on the web page: a warning with ``path:line`` or correct copies, never a
traceback; a decompression bomb is refused at its header, before anything is decoded."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from lxml import html
from PIL import Image

from tests.batch.conftest import run_cli
from tests.hostile.conftest import TRACEBACK, bomb_png, png, write_site
from tests.media import photos

HOSTILE: dict[str, bytes] = {
    "bomb.png": bomb_png(),  # 30000 x 30000 pixels of zeros in under a megabyte
    "huge.jpg": b"\xff\xd8\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03"
                + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9",  # claims 65535 x 65535
    "truncated.jpg": photos.jpeg()[:2000],
    "lying.jpg": png(8, 8),  # a PNG named .jpg
}
ODD: dict[str, bytes] = {
    "cmyk.jpg": photos.jpeg((800, 600), mode="CMYK"),
    "deep.png": photos.png((800, 600), mode="I;16"),
    "palette.gif": photos.gif((800, 600)),
    "moving.gif": photos.gif((64, 48), frames=4),
}


def test_odd_and_hostile_pictures_on_the_web_page(tmp_path: Path) -> None:
    names = [*HOSTILE, *ODD]
    body = "\n\n".join(f"![{n}](images/{n})" for n in names)
    files: dict[str, str | bytes] = {f"content/images/{n}": d for n, d in {**HOSTILE, **ODD}.items()}
    files["content/a.md"] = f"---\ntitle: Pictures\nimage: images/bomb.png\nimage_alt: x\n---\n{body}\n"
    root = write_site(tmp_path / "site", files)
    run = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert TRACEBACK not in run.stderr + run.stdout
    said = run.stderr + run.stdout
    for i, name in enumerate(names):
        line = 3 if name == "bomb.png" else 6 + 2 * i
        found = re.findall(rf"content/a\.md:(\d+): warning: left out 'images/{re.escape(name)}': (.*)", said)
        if name in HOSTILE:
            assert found and int(found[0][0]) == line, (name, said)
        else:
            assert not found, (name, found)
    assert "megapixels" in said and "rename it lying.png" in said
    # Refused at the header: 900 million pixels were never decoded (nearly 1 GB).
    report = json.loads((root / "output/build-report.json").read_text())
    assert max(w["peak_rss_mb"] for w in report["workers"]) < 600, report["workers"]

    web = root / "output/html"
    tree = html.fromstring((web / "a.html").read_bytes())
    pictures = {img.get("alt"): img for img in tree.iter("img")}
    assert set(pictures) == set(ODD)  # the hostile ones left out
    for name in ("cmyk.jpg", "deep.png", "palette.gif"):
        img = pictures[name]
        # (lxml's HTML 4 parser does not know <source> is empty: it nests the <img> in it)
        assert img.xpath("ancestor::picture")
        assert (img.get("width"), img.get("height")) == ("800", "600")
        copies = [c.split()[0] for c in img.get("srcset").split(", ")]
        (webp,) = img.xpath("ancestor::picture//source/@srcset")
        copies += [c.split()[0] for c in webp.split(", ")]
        assert len(copies) == 4  # 480 and 800, as WebP and the own format
        for copy in copies:
            image = Image.open(io.BytesIO((web / copy).read_bytes()))
            image.load()
            assert image.width in (480, 800) and image.mode in ("RGB", "RGBA", "L"), (copy, image.mode)
        if name == "palette.gif":
            with Image.open(web / copies[-1]) as alpha:  # a WebP copy keeps the transparency
                assert alpha.mode == "RGBA"
    moving = pictures["moving.gif"]  # an animation is published as it is, its size given
    assert not moving.xpath("ancestor::picture") and moving.get("srcset") is None
    assert (moving.get("width"), moving.get("height"), moving.get("loading")) == ("64", "48", "lazy")
    with Image.open(web / moving.get("src")) as animation:
        assert getattr(animation, "n_frames", 1) == 4
