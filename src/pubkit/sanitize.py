"""The raw-HTML allow-list: what content may carry into any output.

Content is untrusted.  Raw HTML keeps only presentational and structural
elements; scripts, event handlers, frames, objects, forms, style blocks and
``javascript:``/``vbscript:``/``data:`` URLs (in any letter case or entity
disguise) never survive.  Ids are dropped so content cannot clobber the page's
own anchors, and raw ``<img>`` may only name http(s) sources: local files are
referenced through Markdown images, which the site boundary checks.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    [
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
        "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "time", "tr", "u", "ul", "var", "wbr",
    ]
)
_GLOBAL_ATTRS = {"lang", "dir", "title"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRS,
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "abbr": set(),
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
FILTERED_TAGS = ("title", "textarea", "style", "xmp", "iframe", "noembed", "noframes", "script",
                 "plaintext")
"""GFM's tag filter: tags that change how everything after them is parsed.  Left open,
``<style>`` or ``<script>`` would hide the rest of the article and ``<plaintext>`` would
show the rest as markup, so an opening tag without its closing one is shown as text."""
_FILTERED_OPEN = re.compile(rf"<\s*({'|'.join(FILTERED_TAGS)})(?![A-Za-z0-9-])", re.IGNORECASE)
_FILTERED_CLOSE = re.compile(rf"</\s*({'|'.join(FILTERED_TAGS)})\s*>", re.IGNORECASE)
_VOID = {"br", "hr", "img", "wbr", "col"}
_TAG = re.compile(r"^<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def _filter_attr(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src" and not re.match(r"(?i)^https?://", value.strip()):
        return None
    return value


def clean(html: str) -> str:
    """Sanitise an HTML fragment with the allow-list."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        # No rel: a link whose href was removed must stay a valid placeholder <a>.
        link_rel=None,
        attribute_filter=_filter_attr,
    )
    # An <img> that lost its source shows nothing; one without alt text is
    # announced by its file name, so it is marked decorative instead.
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    return _IMG_WITHOUT_ALT.sub(r'<img\1 alt="">', cleaned)


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_IMG_WITHOUT_ALT = re.compile(r"<img((?:(?!\salt=)[^>])*?)\s*/?>")


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")
        elif tag in {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}:
            self.parts.append(" ")


def text_of(html: str) -> str:
    """The readable text of sanitised HTML (for plain-text and Word outputs)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def tag_filter(html: str) -> str:
    """``html`` with each unclosed tag of :data:`FILTERED_TAGS` escaped, so it reads as text.

    A closed ``<script>...</script>`` is left to the allow-list, which drops it
    and its code; ``<plaintext>`` never closes, so it is always escaped.
    """
    out = []
    last = 0
    # Where each tag's last closing tag starts: an opening tag closes when one comes after
    # it (one pass, not a search of the rest of the block from each opening tag).
    last_close = {m.group(1).lower(): m.start() for m in _FILTERED_CLOSE.finditer(html)}
    for m in _FILTERED_OPEN.finditer(html):
        tag = m.group(1).lower()
        if tag == "plaintext" or last_close.get(tag, -1) < m.end():
            out.append(html[last:m.start()] + "&lt;")
            last = m.start() + 1
    out.append(html[last:])
    return "".join(out)


MAX_HTML_DEPTH = 100
"""How deeply a raw HTML block may nest elements.

The HTML parser under the allow-list takes time in the square of the
depth (32,000 nested ``<div>`` take two seconds, a megabyte of them more
than a minute), and so would every later reader of the page.
"""

_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
_NEVER_NEST = frozenset([
    # void elements, and those whose end tag may be left out (a sibling ends them)
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
    "optgroup", "colgroup", "caption", "rb", "rt", "rp", "rtc",
])


class HtmlTooDeep(ValueError):
    """A raw HTML block nests elements deeper than :data:`MAX_HTML_DEPTH`."""

    def __init__(self) -> None:
        super().__init__(f"HTML nested more than {MAX_HTML_DEPTH} levels deep")


def html_depth(html: str) -> int:
    """How deeply ``html`` nests elements, counting opening and closing tags.

    An upper bound of what a browser builds (a ``<div>`` never closed counts
    as open to the end), ignoring the elements that cannot hold others for long.
    """
    depth = deepest = 0
    for m in _ANY_TAG.finditer(html):
        if m.group(3) or m.group(2).lower() in _NEVER_NEST:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def sanitize_block(html: str) -> tuple[str, str]:
    """A raw HTML block: its sanitised markup and its readable text.

    Raises :class:`HtmlTooDeep`.
    """
    if html_depth(html) > MAX_HTML_DEPTH:
        raise HtmlTooDeep
    cleaned = clean(tag_filter(html))
    return cleaned, text_of(cleaned)


def sanitize_inline(fragment: str) -> tuple[str, str]:
    """One inline raw-HTML token (a lone tag, comment or declaration).

    CommonMark hands inline HTML over tag by tag, so an opening ``<em>`` and
    its ``</em>`` arrive separately; each allowed tag is kept on its own (with
    its attributes filtered) and everything else is dropped.
    """
    m = _TAG.match(fragment)
    if not m:
        return "", ""  # comments, processing instructions, declarations, CDATA
    closing, tag = m.group(1) == "/", m.group(2).lower()
    if tag not in ALLOWED_TAGS:
        return "", ""
    if closing:
        return ("", "") if tag in _VOID else (f"</{tag}>", "")
    if tag in _VOID:
        cleaned = clean(fragment)
        return cleaned, text_of(cleaned)
    cleaned = clean(f"{fragment}</{tag}>")
    return cleaned[: -len(f"</{tag}>")] if cleaned.endswith(f"</{tag}>") else "", ""


UNSAFE_SCHEMES = frozenset([
    # run script in the page, the viewer or the mail client
    "javascript", "vbscript", "livescript", "mocha", "x-javascript", "data", "blob", "filesystem",
    "wyciwyg",
    # open local files or shares (a share also hands over the reader's Windows credentials)
    "file", "smb", "cifs", "nfs", "afp", "webdav", "ldap", "ldaps", "jar", "mhtml", "mk", "its",
    # reach into the browser, the system or an app installer without a page in between
    "about", "view-source", "resource", "chrome", "chrome-extension", "edge", "opera",
    "moz-extension", "res", "hcp", "help", "shell", "search", "search-ms", "intent",
    "itms-services",
])
"""Schemes a link may never carry, by what they do; see :func:`is_safe_url`."""
UNSAFE_SCHEME_PREFIXES = ("ms-", "vnd.ms-", "x-")
"""Families of app launchers (``ms-msdt:``, ``ms-officecmd:``...) and private schemes."""


def is_safe_url(url: str) -> bool:
    """True unless ``url``'s scheme (in any case or entity disguise) could act on its own.

    A link is the author's address and is kept, including schemes pubkit does
    not know (``irc:``, ``tel:``, ``geo:``): the reader's system asks before
    it hands them to an application.  What is refused is every scheme that
    runs script, opens a local file or share, reaches into the browser or the
    system, or launches a known class of application handlers
    (:data:`UNSAFE_SCHEMES`, :data:`UNSAFE_SCHEME_PREFIXES`).  Raw HTML is
    stricter still: its addresses must use :data:`URL_SCHEMES`.
    """
    probe = re.sub(r"[\x00-\x20]+", "", unescape(url)).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", probe)
    if scheme is None:
        return True
    name = scheme.group(1)
    return name not in UNSAFE_SCHEMES and not name.startswith(UNSAFE_SCHEME_PREFIXES)
