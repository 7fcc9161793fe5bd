"""PDF readers other than the one that wrote the file: poppler (pdftotext, pdffonts, pdftoppm) and qpdf."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.tools.programs import program, run

POPPLER = "poppler (Debian package poppler-utils)"


@dataclass(frozen=True)
class Font:
    name: str
    embedded: bool
    subset: bool
    unicode: bool
    """Whether the font maps its glyphs back to characters (copy, search, screen readers)."""


def _as_file(pdf: Path | bytes, folder: Path) -> Path:
    if isinstance(pdf, Path):
        return pdf
    path = folder / "in.pdf"
    path.write_bytes(pdf)
    return path


def pdftotext(pdf: Path | bytes, *args: str) -> str:
    """The text layer as poppler reads it (UTF-8; pages end with a form feed)."""
    tool = program("pdftotext", POPPLER)
    with tempfile.TemporaryDirectory() as tmp:
        proc = run([tool, "-enc", "UTF-8", *args, str(_as_file(pdf, Path(tmp))), "-"], timeout=120)
    assert proc.returncode == 0, f"pdftotext failed: {proc.stderr}"
    return proc.stdout


def pdffonts(pdf: Path | bytes) -> list[Font]:
    """Every font the PDF uses, with poppler's embedded/subset/unicode flags."""
    tool = program("pdffonts", POPPLER)
    with tempfile.TemporaryDirectory() as tmp:
        proc = run([tool, str(_as_file(pdf, Path(tmp)))], timeout=120)
    assert proc.returncode == 0, f"pdffonts failed: {proc.stderr}"
    fonts = []
    for line in proc.stdout.splitlines()[2:]:  # a header line and a line of dashes
        # The type column holds spaces ("CID TrueType"), so read the flags from the right:
        # ... emb sub uni object-number generation
        fields = line.split()
        emb, sub, uni = fields[-5:-2]
        fonts.append(Font(fields[0], emb == "yes", sub == "yes", uni == "yes"))
    return fonts


def pdftoppm(pdf: Path | bytes, page: int, dpi: int, out_base: Path) -> Path:
    """Page ``page`` drawn as a PNG (``out_base`` plus ``.png``), for reading what is printed."""
    tool = program("pdftoppm", POPPLER)
    with tempfile.TemporaryDirectory() as tmp:
        proc = run([tool, "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(_as_file(pdf, Path(tmp))), str(out_base)], timeout=120)
    assert proc.returncode == 0, f"pdftoppm failed: {proc.stderr}"
    return out_base.with_name(out_base.name + ".png")


def qpdf_check(pdf: Path | bytes) -> tuple[str, str]:
    """qpdf's verdict on the file's syntax and streams ("ok", "warnings" or "errors") and its report."""
    tool = program("qpdf", "qpdf (Debian package qpdf)")
    with tempfile.TemporaryDirectory() as tmp:
        proc = run([tool, "--check", str(_as_file(pdf, Path(tmp)))], timeout=120)
    verdict = {0: "ok", 3: "warnings"}.get(proc.returncode, "errors")
    return verdict, proc.stdout + proc.stderr
