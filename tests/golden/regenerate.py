"""Rewrite the golden files from the current renderers: ``python -m tests.golden.regenerate``.

Review the diff (``git diff tests/golden``) before committing: a golden file
is a promise about what users get.
"""

from __future__ import annotations

from pathlib import Path

from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site

HERE = Path(__file__).parent
REPO = HERE.parents[1]
GOLDEN_FORMATS = ("html",)


def render_sample() -> dict[str, bytes]:
    """The sample site's outputs, keyed by path relative to the output folder."""
    site = open_site(REPO)
    ctx = RenderContext.for_site(site)
    files: dict[str, bytes] = {}
    for path in sorted(site.content_dir.glob("*.md")):
        for result in render_path(path, list(GOLDEN_FORMATS), ctx):
            assert result.output is not None, result.error
            files[f"{result.format}/{result.slug}.{result.format}"] = result.output.data
            for name, data in result.output.extras.items():
                files[f"{result.format}/{name}"] = data
    return files


def main() -> None:
    for name, data in render_sample().items():
        target = HERE / "sample" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
