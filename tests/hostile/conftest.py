"""What the hostile suite shares: scratch sites, the CLI in a real process, planted secrets, bad pictures."""

from __future__ import annotations

import ctypes
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MARKER = b"PUBKIT-SECRET-7f3a9c1e"
"""The bytes of a file outside the site; no output may ever hold them."""
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


def cli(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
        preexec: Callable[[], None] | None = None, timeout: float = 120) -> Run:
    """``pubkit ARGS`` in a process of its own, as a person or cron job runs it."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    full["PYTHONPATH"] = str(REPO / "src")
    full.update(env or {})
    for key, value in list(full.items()):
        if value == "":
            del full[key]  # an empty value means: unset it
    done = subprocess.run([sys.executable, "-m", "pubkit", *args], cwd=cwd, env=full,
                          preexec_fn=preexec, capture_output=True, timeout=timeout)
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"),
               done.stderr.decode("utf-8", "replace"))


def drop_root_overrides() -> None:
    """In the child: root without the capabilities that ignore file permissions.

    The suite runs as root, for whom ``chmod 555`` means nothing; dropping
    CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the bounding set
    before ``exec`` makes a read-only folder read-only again.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def png(width: int = 4, height: int = 4, rows: bytes | None = None, truncate: int | None = None) -> bytes:
    """A greyscale PNG; ``rows`` the raw scanlines (zeros by default), compressed as one stream."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    if rows is None:
        line = b"\x00" * (width + 1)
        body = b"".join(packer.compress(line) for _ in range(height)) + packer.flush()
    else:
        body = packer.compress(rows) + packer.flush()
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return data if truncate is None else data[:truncate]


def secret_png() -> bytes:
    """A good PNG whose pixels spell :data:`MARKER`, stored uncompressed (a picture that must never
    be published: its bytes show in any output that carries it, whatever metadata is stripped)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", len(MARKER), 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" + MARKER, 0)) + chunk(b"IEND", b""))


def bomb_png(side: int = 30_000) -> bytes:
    """A decompression bomb: ``side`` x ``side`` pixels of zeros in well under a megabyte."""
    return png(side, side)


TOML = 'site_name = "Hostile Clinic"\nbase_url = "https://clinic.test/"\n'


def write_site(root: Path, files: dict[str, str | bytes], toml: str = "") -> Path:
    """A site in ``root`` with ``files`` (text or bytes) and ``pubkit.toml``."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "pubkit.toml").write_text(TOML + toml, encoding="utf-8")
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8")
    return root


ARTICLE = "---\ntitle: Knee care\n---\nRest the knee and keep it raised.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small site with one plain article."""
    return write_site(tmp_path / "site", {"content/knee.md": ARTICLE})


def no_traceback(run: Run) -> None:
    assert TRACEBACK not in run.text, run.text[-3000:]
    assert "internal error" not in run.text, run.text[-3000:]


def expanded(name: str, data: bytes) -> bytes:
    """Every byte a reader of ``name`` could get at: a DOCX's parts, a PDF's decoded streams,
    a message's decoded parts, as well as the file's own bytes."""
    import email
    import io
    import zipfile
    from email import policy

    out = [data]
    if name.endswith(".docx"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            out += [zf.read(info) for info in zf.infolist()]
    elif name.endswith(".pdf"):
        import pikepdf

        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        out.append(obj.read_bytes())
                    except pikepdf.PdfError:
                        out.append(obj.read_raw_bytes())
                elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                    out.append(repr(obj).encode("utf-8", "replace"))
    elif name.endswith(".eml"):
        message = email.message_from_bytes(data, policy=policy.default)
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                out.append(payload)
    return b"\n".join(out)
