"""Where the web version of a newsletter issue lives ("View in your browser").

This is the one place that decides the page's path and address; the email
links to it and the commands that write it ask here.  The page holds no
personal data: merge fields take their defaults and there is no unsubscribe
link.
"""

from __future__ import annotations

FOLDER = "newsletters"


def web_page_path(name: str) -> str:
    """The page of issue ``name``, relative to the HTML output folder and to ``base_url``."""
    return f"{FOLDER}/{name}.html"


def web_page_url(base_url: str, name: str) -> str:
    """The public address of issue ``name``'s page."""
    return base_url.rstrip("/") + "/" + web_page_path(name)
