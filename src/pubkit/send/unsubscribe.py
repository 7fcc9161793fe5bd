"""The unsubscribe endpoint: a small Starlette application, served by ``pubkit unsubscribe serve``.

It answers on any path (the clinic's web server forwards ``/unsubscribe`` or
whatever ``[email] unsubscribe_url`` names), with the token in the ``token``
query parameter or as the last path segment:

- ``POST`` with ``List-Unsubscribe=One-Click`` in the form body (RFC 8058) and
  a valid token records the suppression and answers 200 with no page: this is
  what Gmail, Yahoo and Apple Mail send when a reader presses "Unsubscribe";
- ``GET`` with a valid token shows a confirmation page in the recipient's
  language with one button, which posts the same form; a GET alone never
  unsubscribes, because mail scanners fetch every link in a message;
- anything with an invalid or tampered token gets 400 and a page that says
  nothing about any address.

The page is sent with a strict Content-Security-Policy, ``no-referrer`` (the
token must not leak to another site) and ``no-store``.  Request bodies are
read up to :data:`MAX_BODY` bytes.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from pubkit.send.suppressions import StoreError, SuppressionStore
from pubkit.send.tokens import Unsubscriber, masked, read_unsubscribe_token

MAX_BODY = 4096
"""Bytes of a POST body read; a one-click body is 26."""
TEMPLATE = "unsubscribe/page.html.j2"
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
_PAGE_HEADERS = {
    **_HEADERS,
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}
_RTL = ("ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug")


@dataclass(frozen=True)
class EndpointConfig:
    """What the endpoint needs: the store, the secret, the page and the site's name."""

    store: Path
    secret: str
    templates: Any
    """A :class:`pubkit.theme.Theme` (its ``template(name)`` is used)."""
    site_name: str
    language: str = "en"


def create_app(config: EndpointConfig) -> Starlette:
    """The ASGI application; the store is opened when the server starts and closed at exit."""
    state: dict[str, SuppressionStore] = {}
    page = config.templates.template(TEMPLATE)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with SuppressionStore.open(config.store) as store:
            state["store"] = store
            yield
            state.clear()

    def render(status: int, view: str, who: Unsubscriber | None) -> HTMLResponse:
        lang = who.lang if who else config.language
        t = config.templates.translations(lang)
        titles = {"confirm": t.gettext("Unsubscribe from our newsletter"),
                  "done": t.gettext("You are unsubscribed"),
                  "invalid": t.gettext("This link is not valid"),
                  "unavailable": t.gettext("Please try again later")}
        html = page.render(lang=lang, dir="rtl" if lang.split("-")[0] in _RTL else "ltr",
                           state=view, title=titles[view], site_name=config.site_name,
                           address=masked(who.address) if who else "", t=t)
        return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)

    def record(who: Unsubscriber, via: str) -> bool:
        try:
            state["store"].add(who.address, "unsubscribed", f"unsubscribe endpoint ({via})")
        except StoreError:
            return False
        return True

    async def endpoint(request: Request) -> Response:
        who = read_unsubscribe_token(config.secret, _token(request))
        if request.method in ("GET", "HEAD"):
            return render(200, "confirm", who) if who else render(400, "invalid", None)
        form = await _form(request)
        if form is None:
            return Response(status_code=413, headers=_HEADERS)
        if who is None:
            return render(400, "invalid", None)
        if form.get("List-Unsubscribe") != "One-Click":
            return Response("the body must be List-Unsubscribe=One-Click (RFC 8058)\n",
                            status_code=400, media_type="text/plain", headers=_HEADERS)
        from_page = form.get("via") == "page"
        if not record(who, "confirmation page" if from_page else "one-click"):
            if from_page:
                return render(503, "unavailable", who)
            return Response(status_code=503, headers={**_HEADERS, "Retry-After": "60"})
        if from_page:
            return render(200, "done", who)
        return Response(status_code=200, headers=_HEADERS)

    routes = [Route("/{path:path}", endpoint, methods=["GET", "HEAD", "POST"])]
    return Starlette(routes=routes, lifespan=lifespan)


def _token(request: Request) -> str:
    token = request.query_params.get("token")
    if token is None:
        token = request.url.path.rstrip("/").rpartition("/")[2]
    return token


async def _form(request: Request) -> dict[str, str] | None:
    """The url-encoded form body (first value of each name); None when it is too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return None
    except ClientDisconnect:
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(content_type, bytes(body))
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                       max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return {}
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    """RFC 8058 also allows multipart/form-data; the body is small, so the email parser reads it."""
    import email.parser
    import email.policy

    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    form: dict[str, str] = {}
    if not message.is_multipart():
        return form
    for part in list(message.iter_parts())[:20]:
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            form.setdefault(name, payload.decode("utf-8", "replace").strip())
    return form
