"""LibreOffice as a Word reader: headless DOCX to PDF conversion through the MS Word import filter."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.tools.programs import program, run

WORD_FILTER = "MS Word 2007 XML"
"""Forced on every input: left to guess, LibreOffice opens a broken DOCX as plain text and
"converts" that, which would prove nothing about the document."""


@dataclass(frozen=True)
class Conversion:
    pdfs: dict[Path, Path]
    """Each input that LibreOffice converted, and the non-empty PDF it wrote."""
    log: str
    """What soffice printed (a line per converted file, and any error)."""


def docx_to_pdf(files: list[Path], out_dir: Path, timeout: float = 300) -> Conversion:
    """Convert every DOCX in ``files`` with one LibreOffice run, in a throw-away profile.

    One run for all, because starting LibreOffice costs seconds; a fresh
    profile, so neither a user's settings nor another run's lock changes the
    result. Past ``timeout`` seconds LibreOffice is killed and the test fails.
    """
    soffice = program("soffice", "LibreOffice (Debian package libreoffice-writer-nogui)")
    stems = [f.stem for f in files]
    assert len(set(stems)) == len(stems), f"LibreOffice names each PDF after its input: {stems}"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pubkit-lo-") as profile:
        proc = run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                    "--nolockcheck", f"--infilter={WORD_FILTER}", "--convert-to", "pdf",
                    "--outdir", str(out_dir), *map(str, files)], timeout=timeout)
    pdfs = {f: out_dir / f"{f.stem}.pdf" for f in files}
    return Conversion({f: pdf for f, pdf in pdfs.items() if pdf.is_file() and pdf.stat().st_size > 0},
                      proc.stdout + proc.stderr)
