"""``pubkit build`` and the image cache: copies made once, known to the manifest, never trusted blindly."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from pubkit.batch.manifest import MANIFEST_NAME
from pubkit.batch.report import REPORT_NAME
from tests.batch.conftest import build, run_cli
from tests.media import photos

COPY = re.compile(r"-\d+w\.[0-9a-f]{12}\.(webp|jpg|png)$")


def _site(root: Path, count: int = 3) -> Path:
    (root / "content/images").mkdir(parents=True)
    (root / "pubkit.toml").write_text('site_name = "Clinic"\n')
    for i in range(count):
        (root / f"content/images/photo{i}.jpg").write_bytes(photos.jpeg((1000 + 10 * i, 700)))
        (root / f"content/a{i}.md").write_text(
            f"---\ntitle: Article {i}\nimage: images/photo{i}.jpg\nimage_alt: Photo {i}\n---\n"
            f"Words.\n\n![Shared](images/photo0.jpg)\n")
    return root


def _report(root: Path) -> dict[str, int]:
    images: dict[str, int] = json.loads((root / "output" / REPORT_NAME).read_text())["images"]
    return images


def _copies(root: Path) -> set[str]:
    return {p.name for p in (root / "output/html/images").iterdir() if COPY.search(p.name)}


def test_a_second_cold_build_with_the_cache_kept_makes_no_copy(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    # One worker, for an exact count (two may both make a copy neither has found yet).
    first = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "1")
    assert first.returncode == 0, first.stderr
    # 3 photos x 3 widths (480, 960, own) x 2 formats; photo0 is shown by every article.
    assert _report(root)["made"] == 18
    made = {p.name: p.read_bytes() for p in (root / "output/html/images").iterdir()}
    shutil.rmtree(root / "output")  # cold: no output, no manifest; the cache stays
    second = run_cli("build", "--site", str(root), "-f", "html", "--jobs", "2")
    assert second.returncode == 0, second.stderr
    assert _report(root)["made"] == 0 and _report(root)["reused"] >= 18
    assert {p.name: p.read_bytes() for p in (root / "output/html/images").iterdir()} == made
    # Without the cache, the same copies are made again.
    shutil.rmtree(root / "output")
    shutil.rmtree(root / ".pubkit" / "cache")
    assert run_cli("build", "--site", str(root), "-f", "html", "--jobs", "1").returncode == 0
    assert _report(root)["made"] == 18


def test_the_manifest_knows_the_copies_and_removals_follow(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    build(root, formats=["html"])
    manifest = json.loads((root / "output" / MANIFEST_NAME).read_text())
    listed = {Path(name).name for record in manifest["sources"].values()
              for fmt in record["formats"].values() for name in fmt["outputs"]}
    assert _copies(root) and _copies(root) <= listed
    photo2 = {c for c in _copies(root) if c.startswith("photo2-")}
    assert len(photo2) == 6
    (root / "content/a2.md").unlink()  # the only article showing photo2
    build(root, formats=["html"])
    assert not photo2 & _copies(root)
    assert any(c.startswith("photo0-") for c in _copies(root))  # still shown by the others
    # A changed photo: new copies under new names, the old ones gone.
    before = {c for c in _copies(root) if c.startswith("photo1-")}
    (root / "content/images/photo1.jpg").write_bytes(photos.jpeg((1001, 700)))
    build(root, formats=["html"])
    after = {c for c in _copies(root) if c.startswith("photo1-")}
    assert after and not before & after


def test_a_hostile_cache_is_not_believed(tmp_path: Path) -> None:
    root = _site(tmp_path / "site", count=1)
    build(root, formats=["html"])
    good = {p.name: p.read_bytes() for p in (root / "output/html/images").iterdir()}
    entries = sorted(p for p in (root / ".pubkit/cache/images").rglob("*") if p.is_file())
    assert len(entries) == 6
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"PRIVATE " * 100)
    entries[0].write_bytes(entries[0].read_bytes()[:-10])  # cut short
    entries[1].write_bytes(entries[2].read_bytes())  # another copy's bytes
    entries[3].unlink()
    entries[3].symlink_to(secret)  # a link out of the site
    shutil.rmtree(root / "output")
    again = run_cli("build", "--site", str(root), "-f", "html")  # a new process: nothing in memory
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert {p.name: p.read_bytes() for p in (root / "output/html/images").iterdir()} == good
    # Three entries made again; the page shows the photo twice (lead and body): 12 asked for.
    assert _report(root) == {"made": 3, "reused": 9}
    assert not any(b"PRIVATE" in p.read_bytes() for p in (root / "output").rglob("*") if p.is_file())
