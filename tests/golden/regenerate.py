"""Rewrite the golden files from the current renderers: ``python -m tests.golden.regenerate``.

Review the diff (``git diff tests/golden``) before committing: a golden file
is a promise about what users get.

The sample site is rendered into every format, and the newsletter issue
composed with a fixed date.  Each output is kept in the form its changes
are easiest to review in, and compared exactly:

- the web page as written;
- the Word document part by part (as pandoc's OOXML tests compare DOCX), so a
  change shows as a change of ``word/document.xml`` or ``word/styles.xml``;
- each message as its headers and each MIME part decoded;
- the PDF as a dump of what a reader gets from it (page count and size, the
  text of each page, the outline, the tag tree's roles, the metadata):
  its bytes depend on the version of WeasyPrint and its libraries, while
  byte-for-byte reproducibility is tested on its own.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import zipfile
from pathlib import Path

from pubkit.site import Site, open_site
from tests.conftest import REPO, render_files

HERE = Path(__file__).parent
GOLDEN_FORMATS = ("html", "pdf", "docx", "email")
NEWSLETTER_DATE = dt.datetime(2025, 2, 3, 9, 0, tzinfo=dt.UTC)
"""The Date of the sample newsletter in the golden files (a newsletter is dated by the clock)."""


def render_sample() -> dict[str, bytes]:
    """The sample site's outputs in their reviewable form, keyed by golden file name."""
    site = open_site(REPO)
    files, _ = render_files(site, sorted(site.content_dir.glob("*.md")), list(GOLDEN_FORMATS))
    files.update(_newsletters(site))
    out: dict[str, bytes] = {}
    for name, data in files.items():
        if name.endswith(".docx"):
            out.update({f"{name}/{part}": body for part, body in docx_parts(data).items()})
        elif name.endswith(".eml"):
            out.update({f"{name}/{part}": body for part, body in eml_parts(data).items()})
        elif name.endswith(".pdf"):
            out[f"{name}.txt"] = pdf_dump(data).encode("utf-8")
        else:
            out[name] = data
    return out


def _newsletters(site: Site) -> dict[str, bytes]:
    from pubkit import formats
    from pubkit.renderers.base import RenderContext
    from pubkit.site.outputs import Name, files_of

    fmt = formats.get("newsletter")
    ctx = RenderContext.for_site(site).for_format(fmt)
    found: dict[str, bytes] = {}
    for issue in sorted(site.newsletters_dir.glob("*.md")):  # language versions too
        output, _ = formats.issue_renderer("newsletter").render_issue(issue, ctx, NEWSLETTER_DATE)
        entry = ctx.index.entry(f"newsletters/{issue.name}")
        found.update(files_of(fmt, entry.name if entry else Name(issue.stem), output))
    return found


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def eml_parts(data: bytes) -> dict[str, bytes]:
    msg = email.message_from_bytes(data, policy=email.policy.SMTP)
    parts = {"headers.txt": "".join(f"{k}: {v}\n" for k, v in msg.items()).encode("utf-8")}
    for i, part in enumerate(p for p in msg.walk() if not p.is_multipart()):
        kind = part.get_content_type().replace("/", "-")
        parts[f"part-{i}.{kind}"] = part.get_payload(decode=True) or b""
    return parts


def pdf_dump(data: bytes) -> str:
    """What a reader and a screen reader get from a PDF, as text."""
    import pikepdf
    import pypdf

    lines: list[str] = []
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata or {}
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Lang"):
        if key in meta:
            lines.append(f"{key[1:]}: {meta[key]}")
    lines.append(f"pages: {len(reader.pages)}")
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        lines.append(f"--- page {number} ({float(box.width):.1f} x {float(box.height):.1f} pt)")
        lines += [" ".join(line.split()) for line in (page.extract_text() or "").splitlines()
                  if line.strip()]
    lines.append("--- outline")
    lines += _outline(reader.outline, reader, 0)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        lang = pdf.Root.get("/Lang")
        lines.append(f"--- catalog Lang: {lang}")
        root = pdf.Root.get("/StructTreeRoot")
        lines.append("--- tags")
        if root is not None:
            lines += _tags(root.get("/K"), 0)
    return "\n".join(lines) + "\n"


def _outline(items: list[object], reader: object, depth: int) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, list):
            out += _outline(item, reader, depth + 1)
        else:
            out.append("  " * depth + str(getattr(item, "title", item)))
    return out


def _tags(node: object, depth: int) -> list[str]:
    import pikepdf

    if isinstance(node, pikepdf.Array):
        return [line for kid in node for line in _tags(kid, depth)]
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return []
    role = str(node["/S"])[1:]
    if role in ("Span", "NonStruct"):  # grouping without meaning to a reader: its children stand in
        return _tags(node.get("/K"), depth)
    line = "  " * depth + role
    if "/Alt" in node:
        line += f' alt="{node["/Alt"]}"'
    return [line, *_tags(node.get("/K"), depth + 1)]


def main() -> None:
    target_dir = HERE / "sample"
    rendered = render_sample()
    for old in sorted(p for p in target_dir.rglob("*") if p.is_file()):
        if old.relative_to(target_dir).as_posix() not in rendered:
            old.unlink()
            print(f"removed {old.relative_to(REPO)}")
    for name, data in rendered.items():
        target = target_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
            print(f"wrote {target.relative_to(REPO)}")


if __name__ == "__main__":
    main()
