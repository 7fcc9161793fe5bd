"""QR codes for printed outputs: a vector (SVG) symbol that scales to any print size."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> bytes:
    """An SVG QR code for ``url`` (error correction M survives a crease or a smudge).

    The symbol has a quiet zone of four modules, as ISO/IEC 18004 asks, and a
    ``viewBox`` so the stylesheet sets its printed size.
    """
    code = segno.make(url, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=1, border=4, xmldecl=False, svgns=True,
              omitsize=True, dark="#000", light="#fff")
    return out.getvalue()
