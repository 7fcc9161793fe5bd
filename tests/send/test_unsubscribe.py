"""The unsubscribe endpoint under a real uvicorn on 127.0.0.1, driven by httpx, then real sends."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pubkit.renderers.base import RenderContext
from pubkit.renderers.email.newsletter import compose_newsletter
from pubkit.send.recipients import Recipient
from pubkit.send.suppressions import SuppressionStore
from pubkit.send.tokens import unsubscribe_token
from pubkit.send.unsubscribe import EndpointConfig, create_app
from pubkit.site import Site, open_site
from pubkit.theme import Theme
from tests.send.compliant import SECRET, configure, uvicorn_serving, write_csv
from tests.send.smtp_server import ScriptedHandler, smtp_server

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def site(sample_site: Site) -> Site:
    configure(sample_site.root)
    return open_site(sample_site.root)


@pytest.fixture
def store_path(site: Site) -> Path:
    return site.root / ".pubkit" / "suppressions.sqlite"


@pytest.fixture
def base(site: Site, store_path: Path) -> Iterator[str]:
    config = EndpointConfig(store_path, SECRET, Theme(site.templates_dir), "Pain Care Clinic")
    with uvicorn_serving(create_app(config)) as url:
        yield url


def suppressed(store_path: Path) -> dict[str, str]:
    with SuppressionStore.read_only(store_path) as store:
        return {s.address: s.reason for s in store.all()} if store else {}


def local(url: str, base: str) -> str:
    """The message's unsubscribe URL, sent to the local endpoint instead of the public host."""
    parts = urllib.parse.urlsplit(url)
    return f"{base}{parts.path}?{parts.query}"


def list_unsubscribe_url(site: Site, address: str) -> str:
    composed = compose_newsletter(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    msg = email.message_from_bytes(composed.message_for(Recipient(address, "", {})).as_bytes(),
                                   policy=email.policy.default)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]


def pubkit(site: Site, *args: str, port: int | None = None) -> subprocess.CompletedProcess[str]:
    extra = ["--smtp-port", str(port)] if port else []
    return subprocess.run([sys.executable, "-m", "pubkit", *args, *extra, "--site", str(site.root)],
                          cwd=site.root, capture_output=True, text=True, timeout=300,
                          env=os.environ.copy())


def test_one_click_post_is_honoured_by_the_next_send(site: Site, base: str, store_path: Path,
                                                     handler: ScriptedHandler, port: int) -> None:
    url = list_unsubscribe_url(site, "Bo@Example.org")
    with httpx.Client() as client:
        # What Gmail does when the reader presses "Unsubscribe": an RFC 8058 POST.
        reply = client.post(local(url, base), data=ONE_CLICK)
    assert (reply.status_code, reply.content) == (200, b"")
    assert suppressed(store_path) == {"bo@example.org": "unsubscribed"}

    listed = write_csv(site.root / "list.csv", [("ana@example.org", "Ana"),
                                                ("bo@example.org", "Bo"), ("cy@example.org", "Cy")])
    done = pubkit(site, "send", "sample", "--to", str(listed), "--yes", "--json", port=port)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["sent"], report["suppressed"]) == (2, 1)
    assert sorted(handler.counts()) == ["ana@example.org", "cy@example.org"]


def test_get_shows_a_page_with_one_button_and_never_unsubscribes(
        base: str, store_path: Path) -> None:
    token = unsubscribe_token(SECRET, "dee@example.org", "en")
    with httpx.Client(base_url=base) as client:
        for _ in range(3):  # a mail scanner fetching the link, again and again
            page = client.get(f"/unsubscribe?token={token}")
            assert page.status_code == 200
        assert suppressed(store_path) == {}
        html = page.text
        assert '<html lang="en"' in html and "<main>" in html and "<h1>" in html
        assert html.count("<button") == 1 and '<form method="post">' in html
        assert "d…@example.org" in html and "dee@example.org" not in html
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        # The button posts the page's own form back to the same address.
        done = client.post(f"/unsubscribe?token={token}",
                           data={"List-Unsubscribe": "One-Click", "via": "page"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert 'role="status"' in done.text
    assert suppressed(store_path) == {"dee@example.org": "unsubscribed"}


def test_page_in_the_recipients_language(base: str) -> None:
    for lang, direction in (("es", "ltr"), ("ar", "rtl")):
        token = unsubscribe_token(SECRET, "eve@example.org", lang)
        page = httpx.get(f"{base}/unsubscribe?token={token}")
        assert f'<html lang="{lang}" dir="{direction}">' in page.text


def test_token_in_the_path_also_works(base: str, store_path: Path) -> None:
    token = unsubscribe_token(SECRET, "fay@example.org")
    assert httpx.post(f"{base}/u/{token}", data=ONE_CLICK).status_code == 200
    assert "fay@example.org" in suppressed(store_path)


def test_multipart_one_click_body_is_accepted(base: str, store_path: Path) -> None:
    token = unsubscribe_token(SECRET, "gus@example.org")
    reply = httpx.post(f"{base}/unsubscribe?token={token}",
                       files={"List-Unsubscribe": (None, "One-Click")})
    assert reply.status_code == 200 and "gus@example.org" in suppressed(store_path)


def tampered(token: str) -> list[str]:
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    return [
        flipped, token[:-1], token[:-4], token + "A", token[1:], "", "x", "A" * 80,
        "%00" * 10, token.upper(), token[::-1], "a" * 10_000, "😀" * 20,
        unsubscribe_token("another-secret-of-at-least-32-bytes!", "ann@example.org"),
        unsubscribe_token(SECRET[:-1] + "X", "ann@example.org"),
    ]


def test_invalid_or_tampered_tokens_get_400_and_learn_nothing(base: str,
                                                              store_path: Path) -> None:
    token = unsubscribe_token(SECRET, "ann@example.org")
    bodies = set()
    with httpx.Client(base_url=base) as client:
        for bad in tampered(token):
            quoted = urllib.parse.quote(bad, safe="")
            for method in ("GET", "POST"):
                reply = client.request(method, f"/unsubscribe?token={quoted}",
                                       data=ONE_CLICK if method == "POST" else None)
                assert reply.status_code == 400, (bad, method)
                assert "ann@" not in reply.text and "example.org" not in reply.text
                bodies.add(reply.text)
        no_token = client.post("/unsubscribe", data=ONE_CLICK)
    assert no_token.status_code == 400
    assert len(bodies) == 1  # every bad token gets the very same answer
    assert suppressed(store_path) == {}


def test_a_post_must_be_one_click_and_small(base: str, store_path: Path) -> None:
    token = unsubscribe_token(SECRET, "hal@example.org")
    url = f"{base}/unsubscribe?token={token}"
    with httpx.Client() as client:
        assert client.post(url).status_code == 400
        assert client.post(url, data={"List-Unsubscribe": "Yes"}).status_code == 400
        assert client.post(url, content=b"\xff\xfe" * 10).status_code == 400
        assert client.post(url, content=b"List-Unsubscribe=One-Click&" + b"a" * 10_000,
                           headers={"content-type": "application/x-www-form-urlencoded"}
                           ).status_code == 413
        assert client.put(url, data=ONE_CLICK).status_code == 405
    assert suppressed(store_path) == {}


def test_an_unsubscribe_during_a_send_stops_mail_to_that_address(
        site: Site, base: str, store_path: Path) -> None:
    people = [(f"p{i:03d}@example.org", f"P{i}") for i in range(60)]
    listed = write_csv(site.root / "list.csv", people)
    victim = "p040@example.org"
    url = local(list_unsubscribe_url(site, victim), base)
    handler = ScriptedHandler()
    clicked: list[int] = []

    def click_when(rcpt: str, total: int) -> None:
        if total == 10:  # mid-send, in another process: the endpoint records the click
            clicked.append(httpx.post(url, data=ONE_CLICK).status_code)

    handler.on_message = click_when
    with smtp_server(handler) as ctl:
        done = pubkit(site, "send", "sample", "--to", str(listed), "--yes", "--json",
                      port=ctl.port)
    assert clicked == [200]
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["sent"], report["suppressed"]) == (59, 1)
    assert victim not in handler.counts() and len(handler.counts()) == 59


def test_a_spanish_readers_link_opens_a_spanish_page(site: Site, base: str,
                                                     store_path: Path) -> None:
    from pubkit.renderers.email.newsletter import compose_issue

    issue = compose_issue(site.newsletters_dir / "sample.md", RenderContext.for_site(site))
    msg = email.message_from_bytes(
        issue.message_for(Recipient("flor@example.org", "Flor", {}, 2, "es-MX")).as_bytes(),
        policy=email.policy.default)
    url = re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
    with httpx.Client() as client:
        page = client.get(local(url, base))
        assert page.status_code == 200 and '<html lang="es"' in page.text
        assert "Unsubscribe from our newsletter" not in page.text
        assert client.post(local(url, base), data=ONE_CLICK).status_code == 200
    assert suppressed(store_path) == {"flor@example.org": "unsubscribed"}
