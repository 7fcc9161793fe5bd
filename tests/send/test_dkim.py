"""DKIM signing, verified by dkimpy against the public key (DNS answered by a stub, no network)."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import dkim
import pytest
from typer.testing import CliRunner

from pubkit.cli import app
from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.newsletter import compose_newsletter
from pubkit.send.campaign import message_bytes
from pubkit.send.dkim_sign import DkimError, DkimSigner
from pubkit.send.recipients import Recipient
from pubkit.settings import Dkim
from pubkit.site import Site, open_site
from tests.send.compliant import configure, write_csv
from tests.send.smtp_server import ScriptedHandler

DOMAIN = "painclinic.test.pubkit.dev"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A 2048-bit RSA key made by openssl, and its DNS TXT record."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True,
                   capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def stub_dns(record: bytes, asked: list[bytes]):  # type: ignore[no-untyped-def]
    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        asked.append(name)
        return record if name == f"pubkit._domainkey.{DOMAIN}.".encode() else None
    return txt


@pytest.fixture
def site(sample_site: Site, keys: tuple[Path, bytes]) -> Site:
    (sample_site.root / "secrets").mkdir()
    (sample_site.root / "secrets" / "dkim.pem").write_bytes(keys[0].read_bytes())
    configure(sample_site.root, extra='\n[dkim]\nkey_file = "secrets/dkim.pem"\n')
    return open_site(sample_site.root)


def test_signed_newsletter_verifies_and_covers_the_unsubscribe_headers(
        site: Site, keys: tuple[Path, bytes]) -> None:
    signer = DkimSigner.from_settings(site.settings.dkim, site.settings.email.from_address,
                                      site.root)
    assert signer is not None and (signer.selector, signer.domain) == ("pubkit", DOMAIN)
    composed = compose_newsletter(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    raw = message_bytes(composed.message_for(Recipient("ana@example.org", "Ana", {})))
    signed = signer.sign(raw)
    asked: list[bytes] = []
    assert dkim.verify(signed, dnsfunc=stub_dns(keys[1], asked))
    assert asked == [f"pubkit._domainkey.{DOMAIN}.".encode()]
    header = signed.split(b"\r\n\r\n", 1)[0].decode()
    signed_names = re.search(r"h=([^;]+);", header.replace("\r\n", "")).group(1)  # type: ignore[union-attr]
    names = [n.strip() for n in signed_names.split(":")]
    for name in ("from", "to", "subject", "list-unsubscribe", "list-unsubscribe-post"):
        assert name in names
    assert names.count("from") == 2  # oversigned: a second From cannot be slipped in

    for change in (b"Subject: ", b"List-Unsubscribe: <"):
        tampered = signed.replace(change, change + b"X", 1)
        assert not dkim.verify(tampered, dnsfunc=stub_dns(keys[1], []))
    body_changed = signed.replace(b"ketamine", b"KETAMINE", 1)
    assert not dkim.verify(body_changed, dnsfunc=stub_dns(keys[1], []))
    added_from = signed.replace(b"\r\n\r\n", b"\r\nFrom: evil@evil.example\r\n\r\n", 1)
    assert not dkim.verify(added_from, dnsfunc=stub_dns(keys[1], []))


def test_pubkit_send_signs_what_the_server_receives(site: Site, keys: tuple[Path, bytes],
                                                   port: int, handler: ScriptedHandler) -> None:
    write_csv(site.root / "list.csv", [("ana@example.org", "Ana"), ("bo@bücher.example", "Bo")])
    result = CliRunner().invoke(app, ["send", "sample", "--to", str(site.root / "list.csv"),
                                      "--yes", "--smtp-port", str(port), "--site",
                                      str(site.root)])
    assert result.exit_code == 0, result.stderr
    for rcpt, data in handler.received:
        assert data.startswith(b"DKIM-Signature: "), rcpt
        assert dkim.verify(data.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"),
                           dnsfunc=stub_dns(keys[1], []))


@pytest.mark.parametrize(("content", "words"), [
    (None, "cannot read dkim.key_file"),
    (b"", "not a PEM private key"),
    (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "cannot sign"),
    (b"x" * 70_000, "not a PEM private key"),
    ("folder", "not a regular file"),
])
def test_a_bad_key_stops_before_anything_is_sent(tmp_path: Path, content: bytes | str | None,
                                                 words: str) -> None:
    path = tmp_path / "key.pem"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(DkimError, match=words):
        DkimSigner.from_settings(Dkim(key_file="key.pem"), "news@clinic.example", tmp_path)
    assert DkimSigner.from_settings(Dkim(), "news@clinic.example", tmp_path) is None


def test_cli_reports_a_bad_key_with_exit_2(site: Site, port: int,
                                           handler: ScriptedHandler) -> None:
    (site.root / "secrets" / "dkim.pem").write_bytes(b"not a key")
    write_csv(site.root / "list.csv", [("ana@example.org", "Ana")])
    result = CliRunner().invoke(app, ["send", "sample", "--to", str(site.root / "list.csv"),
                                      "--yes", "--smtp-port", str(port), "--site",
                                      str(site.root)])
    assert result.exit_code == 2 and "dkim.key_file" in result.stderr
    assert handler.received == []
