"""``pubkit init DIR``: scaffold a new site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pubkit.cli.app import app, fail_usage

SAMPLE_ARTICLE = "content/ketamine-pain-management.md"


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new site.", file_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Create pubkit.toml, a sample article, a sample newsletter and a templates/ folder."""
    from pubkit.output import write_atomic
    from pubkit.theme import builtin_templates

    builtin = builtin_templates()
    files: dict[str, bytes] = {
        "pubkit.toml": (builtin / "init" / "pubkit.toml").read_bytes(),
        SAMPLE_ARTICLE: (builtin / "init" / "article.md").read_bytes(),
        "templates/README.md": _templates_readme(builtin),
        "assets/.keep": b"",
    }
    newsletter = builtin / "init" / "newsletter.md"
    if newsletter.is_file():
        files["newsletters/sample.md"] = newsletter.read_bytes()
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        fail_usage(f"{directory}: {', '.join(existing)} already exist (use --force to overwrite)")
    for name, data in files.items():
        write_atomic(directory / name, data)
    typer.echo(f"created a site in {directory}: edit pubkit.toml, then run `pubkit render`")


def _templates_readme(builtin: Path) -> bytes:
    intro = (builtin / "init" / "README.md").read_text(encoding="utf-8")
    names = sorted(
        p.relative_to(builtin).as_posix()
        for p in builtin.rglob("*")
        if p.is_file() and p.relative_to(builtin).parts[0] != "init"
    )
    return (intro + "\n" + "\n".join(f"- `{n}`" for n in names) + "\n").encode("utf-8")
