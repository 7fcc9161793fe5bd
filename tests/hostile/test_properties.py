"""Properties, with Hypothesis: whatever Markdown, front matter and settings an author writes,
every format renders or fails with pubkit's own diagnostic, nothing is written outside the
output folder, and no byte of a file outside the site reaches any output.

A secret file with a unique marker sits beside the site, and the generated articles reach for
it in every way there is: pictures, links, ``../``, absolute paths, symlinks inside the site,
``file:`` URLs, raw HTML, reference links, the front matter's picture.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pubkit import formats as registry
from pubkit.diagnostics import ConfigError, SourceError
from pubkit.output import write_files
from pubkit.pipeline import load
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site
from pubkit.site.outputs import files_of
from tests.hostile.conftest import MARKER, expanded, png, secret_png

FORMATS = ["html", "pdf", "docx", "email"]

SECRET_REFS = [
    "../../private/secret.txt", "../../private/secret.png", "{outside}/secret.txt", "{outside}/secret.png",
    "file://{outside}/secret.txt", "file:{outside}/secret.png", "leak.txt", "leak.png", "ext/secret.png",
    "ext/secret.txt", "%2e%2e/%2e%2e/private/secret.png", "..\\..\\private\\secret.txt",
    "/../private/secret.png",
    "content/../../private/secret.txt", "FILE:///{outside}/secret.txt",
]
OTHER_REFS = [
    "ok.png", "other.md", "other.md#part", "#part", "https://clinic.test/x", "mailto:a@clinic.test",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "bad.png", "gone.md", "",
    "ok.png \"title\"", "<ok.png>", "vbscript:x", "//evil.example/x.png",
]
REFS = st.sampled_from(SECRET_REFS + OTHER_REFS)
WORDS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
TEXT = WORDS.filter(str.strip)


@st.composite
def inline(draw: st.DrawFn) -> str:
    ref = draw(REFS)
    return draw(st.sampled_from([
        f"![{draw(WORDS)}]({ref})", f"[{draw(WORDS)}]({ref})", f"<{ref}>", f'<img src="{ref}" alt="x">',
        f'<a href="{ref}">x</a>', f'<svg onload="alert(1)"><image href="{ref}"/></svg>',
        f"<iframe src='{ref}'></iframe>", f"<object data='{ref}'></object>", "<script>alert(1)</script>",
        f"**{draw(WORDS)}**", f"`{draw(WORDS)}`", draw(WORDS), "{{ 7 * 7 }}", "{% raw %}", "[^n]",
        f'<picture><source srcset="{ref}"><img src="{ref}"></picture>', f"<style>@import '{ref}';</style>",
    ]))


@st.composite
def block(draw: st.DrawFn) -> str:
    line = " ".join(draw(st.lists(inline(), min_size=1, max_size=4)))
    return draw(st.sampled_from([
        line, f"# {line}", f"## {line} {{#part}}", f"- {line}\n- [ ] {line}", f"> {line}",
        f"| a | b |\n|---|---|\n| {line} | x |", f"```\n{line}\n```", f"[^n]: {line}",
        f"[ref]: {draw(REFS)}\n\n[see][ref]", f"1. {line}\n   2. {line}", "---",
        "<div>\n" + line + "\n</div>",
    ]))


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    data: dict[str, object] = {"title": draw(st.one_of(WORDS.filter(str.strip), st.just("Title")))}
    optional = {
        "image": REFS, "image_alt": TEXT, "summary": TEXT, "subtitle": TEXT,
        "lang": st.sampled_from(["en", "es", "es-MX", "de", "ar", "xx-YY"]),
        "tags": st.lists(TEXT, max_size=3), "slug": st.sampled_from(["ok-slug", "other-slug"]),
        "reading_time": st.integers(1, 600), "date": st.sampled_from(["2024-05-01", "2026-11-30"]),
        "status": st.sampled_from(["approved", "in-review"]), "surprise": WORDS,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)
    if draw(st.integers(1, 10)) == 7:  # now and then a value pubkit must refuse in words
        data[draw(st.sampled_from(["slug", "lang", "reading_time", "date", "status"]))] = draw(
            st.sampled_from(["../x", "!!", -5, "2024-13-45", "nope", 10**30, ["a"]]))
    if draw(st.integers(1, 12)) == 7:
        return "---\ntitle: [unclosed\n---\n"
    return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"


SETTINGS = st.lists(st.sampled_from([
    "toc_min_headings = 0", "toc_min_headings = 99", 'language = "es"', 'language = "zz"',
    "render_timeout = 30", "allow_remote = false", '[brand]\nprimary_color = "#123456"',
    '[pdf]\npaper = "a4"', "[email]\nembed_images = true", 'site_name = "Clinic <script>"',
    'site_name = "Ünïcode \u202e clinic"',
]), max_size=3, unique_by=lambda line: line.split("=")[0]).flatmap(
    # Now and then a value pubkit refuses, naming the key (ConfigError).
    lambda lines: st.sampled_from([lines] * 7 + [[*lines, "render_timeout = inf"],
                                                 [*lines, '[check]\nreading_grade = nan']]))


def make_site(parent: Path, article: str, toml_lines: list[str]) -> Path:
    outside = parent / "private"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(MARKER + b"\n")
    (outside / "secret.png").write_bytes(secret_png())
    root = parent / "site"
    (root / "content").mkdir(parents=True)
    top = [line for line in toml_lines if not line.startswith("[")]
    sections = [line for line in toml_lines if line.startswith("[")]
    name = [] if any(line.startswith("site_name") for line in top) else ['site_name = "Clinic"']
    (root / "pubkit.toml").write_text("\n".join(['base_url = "https://clinic.test/"', *name, *top, *sections])
                                      + "\n", encoding="utf-8")
    (root / "content/a.md").write_text(article.replace("{outside}", str(outside)), encoding="utf-8")
    (root / "content/other.md").write_text("---\ntitle: Other\n---\n## Part\n\nText.\n", encoding="utf-8")
    (root / "content/ok.png").write_bytes(png(6, 6))
    (root / "content/bad.png").write_bytes(png(64, 64, truncate=50))
    (root / "content/leak.txt").symlink_to(outside / "secret.txt")
    (root / "content/leak.png").symlink_to(outside / "secret.png")
    (root / "content/ext").symlink_to(outside)
    return root


def snapshot(parent: Path) -> dict[str, bytes]:
    """Every file below ``parent`` but the output folder (a symlink as its target's name)."""
    out: dict[str, bytes] = {}
    for path in sorted(parent.rglob("*")):
        rel = path.relative_to(parent).as_posix()
        if rel.startswith("site/output"):
            continue
        if path.is_symlink():
            out[rel] = str(path.readlink()).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def render_everything(root: Path) -> dict[str, bytes] | None:
    """Render every format as ``pubkit render`` does and write it; None if pubkit refused (with its words)."""
    try:
        site = open_site(root)
    except ConfigError:
        return None
    ctx = RenderContext.for_site(site)
    try:
        article = load(root / "content/a.md", ctx)
    except SourceError:
        return None
    written: dict[str, bytes] = {}
    for fmt in FORMATS:
        fctx = ctx.for_format(registry.get(fmt))
        try:
            output = registry.article_renderer(fmt).render(article, fctx)
        except SourceError:
            continue  # pubkit's own diagnostic: allowed, the rest still renders
        name = ctx.entry(article).name
        files = files_of(registry.get(fmt), name, output)
        write_files(site.output_dir, files)
        written.update(files)
    return written


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(fm=front_matter(), blocks=st.lists(block(), min_size=1, max_size=6), toml=SETTINGS)
def test_any_article_renders_in_every_format_without_leaking_or_escaping(fm: str, blocks: list[str],
                                                                         toml: list[str]) -> None:
    parent = Path(tempfile.mkdtemp(prefix="pubkit-prop-"))
    try:
        root = make_site(parent, fm + "\n\n".join(blocks) + "\n", toml)
        before = snapshot(parent)
        written = render_everything(root)
        event("refused by pubkit" if written is None else f"{len(written)} files written")
        assert snapshot(parent) == before  # nothing written or changed outside the output folder
        for path in (root / "output").rglob("*"):
            assert not path.is_symlink(), path
            assert path.resolve().is_relative_to((root / "output").resolve()), path
        for name, data in (written or {}).items():
            assert MARKER not in expanded(name, data), name
            if name.endswith(".svg"):
                assert b"<script" not in data.lower() and b"onload" not in data.lower(), name
    finally:
        shutil.rmtree(parent)


@settings(deadline=None, max_examples=60)
@given(text=st.text(max_size=400), fm=front_matter())
def test_any_text_parses_or_is_refused_with_a_diagnostic(text: str, fm: str) -> None:
    from pubkit.source.reader import parse_article

    for source in (text, fm + text):
        try:
            article = parse_article(source.encode("utf-8", "surrogatepass"), "content/a.md")
        except SourceError as exc:
            assert exc.diagnostic.path == "content/a.md"
            continue
        assert article.meta.title
