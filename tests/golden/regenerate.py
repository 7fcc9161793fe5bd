"""Rewrite the golden files from the current renderers: ``python -m tests.golden.regenerate``.

Review the diff (``git diff tests/golden``) before committing: a golden file
is a promise about what users get.
"""

from __future__ import annotations

from pathlib import Path

from pubkit.site import open_site
from tests.conftest import render_files

HERE = Path(__file__).parent
REPO = HERE.parents[1]
GOLDEN_FORMATS = ("html",)


def render_sample() -> dict[str, bytes]:
    """The sample site's outputs, keyed by path relative to the output folder."""
    site = open_site(REPO)
    files, _ = render_files(site, sorted(site.content_dir.glob("*.md")), list(GOLDEN_FORMATS))
    return files


def main() -> None:
    for name, data in render_sample().items():
        target = HERE / "sample" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
