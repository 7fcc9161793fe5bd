"""UTM campaign parameters on links to the site's own pages (``[email.utm]``).

Only links under ``base_url`` (same scheme, host and path prefix) are tagged,
so no other site learns where its visitors came from; parameters a link
already has are left as the author wrote them.  The unsubscribe link is
never tagged: it must stay exactly as signed.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

Tag = Callable[[str], str]

_KEYS = ("source", "medium", "campaign", "content", "term")


def utm_tagger(settings: object, newsletter: str) -> Tag:
    """A function adding the configured parameters to a URL (the URL itself when none are)."""
    utm = getattr(getattr(settings, "email", None), "utm", None)
    params = [(f"utm_{key}", str(value).replace("{newsletter}", newsletter))
              for key in _KEYS if (value := getattr(utm, key, None))]
    if not params:
        return _same
    base = urllib.parse.urlsplit(str(getattr(settings, "base_url", "")))
    prefix = base.path if base.path.endswith("/") else base.path + "/"

    def tag(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(),
                                                            base.netloc.lower()):
            return url
        if not (parts.path or "/").startswith(prefix) and parts.path != base.path:
            return url
        present = {k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)}
        extra = urllib.parse.urlencode([(k, v) for k, v in params if k not in present])
        if not extra:
            return url
        query = f"{parts.query}&{extra}" if parts.query else extra
        return urllib.parse.urlunsplit(parts._replace(query=query))

    return tag


def _same(url: str) -> str:
    return url
