"""A built web root (``output/html``) served on 127.0.0.1 as a static web host serves it.

uvicorn with Starlette's ``StaticFiles``: the type with its charset, ``ETag`` and
``Last-Modified``, 404 for what is not there (the site's own ``404.html`` when it has
one), and the headers a careful host adds. Not ``pubkit serve``: that is a preview
of the whole output folder that adds a live-reload script to every page.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.send.compliant import uvicorn_serving

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cache-control", b"no-cache"),
]
"""Added to every response; ``no-cache`` so that a test's rebuild is what the browser sees."""


def webroot_app(folder: Path) -> Any:
    """An ASGI app serving ``folder`` (which may still be empty: files are looked up per request)."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    # In an application, whose error handling turns a file not found into a plain 404.
    files = Starlette(routes=[Mount("/", app=StaticFiles(directory=str(folder), html=True, check_dir=False))])

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # nothing to start or stop
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        await files(scope, receive, send_with_headers)

    return app


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on a free port of 127.0.0.1; its address, ending in ``/``."""
    folder.mkdir(parents=True, exist_ok=True)
    with uvicorn_serving(webroot_app(folder)) as url:
        yield url + "/"
