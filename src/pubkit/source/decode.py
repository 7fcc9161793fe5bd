"""Bytes to clean text: encoding, byte-order mark, line endings, control characters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pubkit.diagnostics import Diagnostic, SourceError

# C0 controls except TAB and LF, DEL, C1 controls, and the XML-hostile
# non-characters: no output format can hold them, so they are dropped here once.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


@dataclass(slots=True)
class Decoded:
    text: str
    warnings: list[Diagnostic] = field(default_factory=list)


def decode_source(data: bytes, path: str) -> Decoded:
    """Decode a source file, or raise :class:`SourceError` naming where it fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8000] and data.count(b"\x00") > len(data[:8000]) // 100 + 4:
        raise SourceError(path, None, "binary file (many NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            path, line, f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[Diagnostic] = []
    if _BAD_CHARS.search(text):
        cleaned: list[str] = []
        for number, row in enumerate(text.split("\n"), start=1):
            found = sorted({f"U+{ord(c):04X}" for c in _BAD_CHARS.findall(row)})
            if found:
                warnings.append(
                    Diagnostic(path, number, f"removed control characters {', '.join(found)}",
                               "warning")
                )
                row = _BAD_CHARS.sub("", row)
            cleaned.append(row)
        text = "\n".join(cleaned)
    return Decoded(text, warnings)
