"""Settings that pass the compliance gate, and helpers to build sites and messages with them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SECRET = "0123456789abcdef0123456789abcdef-test"
SENDER = "news@painclinic.test.pubkit.dev"
EMAIL = f"""
[email]
from_address = "{SENDER}"
token_secret = "{SECRET}"
unsubscribe_url = "https://painclinic.pubkit.dev/unsubscribe?token={{token}}"
unsubscribe_mailto = "unsubscribe@painclinic.pubkit.dev"
postal_address = "123 Main St, Austin, TX 78701"
"""
SMTP = """
[smtp]
host = "127.0.0.1"
security = "none"
retries = 1
retry_delay = 0.01
timeout = 10.0
"""


def configure(root: Path, extra: str = "", smtp: str = SMTP, email: str = EMAIL) -> None:
    """Append compliant [email] and test [smtp] sections (and ``extra``) to the site's toml."""
    with (root / "pubkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(email + smtp + extra)


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name"])
        out.writerows(rows)
    return path


@contextmanager
def uvicorn_serving(app: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn on a free port of 127.0.0.1; its base URL."""
    import uvicorn

    from tests.send.smtp_server import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
