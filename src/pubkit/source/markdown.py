"""Markdown to the document tree, through markdown-it-py's syntax tree.

The parser is CommonMark plus GitHub's extensions as GitHub renders them:
tables, strikethrough with one or two tildes (three or more stay text),
autolinks (``https://`` and ``www.``, without trailing punctuation; bare
e-mail addresses stay text), task lists, footnotes, and alerts (a block
quote whose first line is ``[!NOTE]``, ``[!TIP]``, ``[!IMPORTANT]``,
``[!WARNING]`` or ``[!CAUTION]`` alone, in any case, becomes a callout).
Conversion is a dispatch on markdown-it's node type (``_block_<type>`` /
``_inline_<type>``); raw HTML is sanitised here, once, so no renderer ever
sees unsanitised markup.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from pubkit.model import nodes as n
from pubkit.model.text import UniqueNames, plain_text, slugify
from pubkit.sanitize import HtmlTooDeep, sanitize_block, sanitize_inline
from pubkit.source import dispatch
from pubkit.source.dispatch import INLINE_STARTS, WWW_RULE

HEADING_ID_PREFIX = "sec-"
"""Prefix for generated heading ids, so content can never clobber page ids."""

_ALIGN = re.compile(r"text-align:(left|center|right)")
_ALERT = re.compile(r"\[!(" + "|".join(n.CALLOUT_TITLES) + r")\]", re.IGNORECASE)
"""GitHub's alert marker, the whole of a block quote's first line."""


@cache
def parser() -> MarkdownIt:
    """The one parser every article goes through (configured once per process).

    Its tokens are those of :func:`configured`; it gets them sooner: its text scan stops at
    fewer characters (:func:`text_rule`), and it tries a rule only where the rule can match
    (:mod:`pubkit.source.dispatch`).
    """
    md = configured()
    text = text_rule(md.inline.ruler.get_active_rules())
    if text is not None:
        md.inline.ruler.at("text", text)
    ruler = md.inline.ruler
    at = ruler.__find__("gfm_autolink_protocol")
    protocol = protocol_rule(ruler.__rules__[at].fn) if at != -1 else None
    if protocol is not None:
        ruler.at("gfm_autolink_protocol", protocol)
    if md.core.ruler.__find__("normalize") != -1:
        md.core.ruler.at("normalize", normalize)
    quiet_debug_logs("markdown_it")
    md.normalizeLink = remembered(md.normalizeLink)  # type: ignore[method-assign,assignment]
    md.normalizeLinkText = remembered(md.normalizeLinkText)  # type: ignore[method-assign,assignment]
    dispatch.install(md, _pending_adder())  # last: it takes the rules as they are now
    return md


REMEMBERED = 4096
"""Most links each of :func:`remembered`'s memories holds."""
REMEMBERED_LENGTH = 512
"""The longest link it holds: with :data:`REMEMBERED`, at most 2 MB whatever the content."""


def remembered(normalize: Callable[[str], str]) -> Callable[[str], str]:
    """``normalize`` (markdown-it's link normalizer), remembering what it gave.

    markdown-it parses every link's address and encodes it again (mdurl,
    punycode for the host): about 10 µs a link.  A site links its own pages
    and a few others from article after article, so most links of a batch
    have been normalized before.  The memory is bounded in links and length.
    """
    memory: dict[str, str] = {}

    def normalized(url: str) -> str:
        found = memory.get(url)
        if found is None:
            found = normalize(url)
            if len(url) <= REMEMBERED_LENGTH and len(memory) < REMEMBERED:
                memory[url] = found
        return found

    return normalized


def normalize(state: StateCore) -> None:
    """markdown-it's first step, the same result without its regular expressions.

    CR LF and a lone CR become LF, NUL becomes U+FFFD.  markdown-it rewrites
    every line end (one ``re.sub`` match per line) even where nothing changes;
    here a text without CR or NUL (every source pubkit has decoded) is left as
    it is.
    """
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def quiet_debug_logs(package: str) -> None:
    """Make the disabled debug messages of ``package``'s loggers cost one call, not two.

    Each of markdown-it-py's block rules logs a debug message on entry, 387
    per generated article; a ``Logger.debug`` that is disabled still calls
    ``isEnabledFor``, which made 8 % of a parse.  A logger already enabled for
    debugging (someone is looking) keeps its messages.
    """
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if (name == package or name.startswith(package + ".")) and isinstance(logger, logging.Logger) \
                and not logger.isEnabledFor(logging.DEBUG):
            logger.debug = _discard  # type: ignore[method-assign]


def _discard(*_args: object, **_kwargs: object) -> None:
    """A debug message nobody reads."""


def configured() -> MarkdownIt:
    """markdown-it with pubkit's syntax, stopping its text scan where markdown-it itself does."""
    md = MarkdownIt("commonmark", {"typographer": False})
    md.enable(["table", "strikethrough"])
    md.options["strikethrough_single_tilde"] = True
    md.options["tasklists"] = True
    md.use(gfm_autolink_plugin)
    # Bare e-mail addresses stay text (GFM links them): an address in an article may be
    # a patient's example or a colleague's, and <desk@clinic.example> links it on purpose.
    md.inline.ruler.disable("gfm_autolink_email")
    md.core.ruler.after("inline", "autolink_before_hard_break", _autolink_before_hard_break)
    md.use(footnote_plugin)
    return md


def text_rule(rules: list[str]) -> Callable[[StateInline, bool], bool] | None:
    """markdown-it's ``text`` rule, stopping only where one of ``rules`` can match; ``None``
    (keep markdown-it's) when a rule is not known here.

    markdown-it stops its scan of plain text at every character any plugin
    might start at (``-``, ``#``, ``=``, ``+``, ``$``...), and the GFM autolink
    plugin adds every ``w``; at each stop all fifteen rules are tried in turn.
    A stop where no active rule can match changes nothing but time: the
    character joins the text all the same.  So this scan stops only at the
    characters of :data:`~pubkit.source.dispatch.INLINE_STARTS` and at ``www.`` (a plain ``str.find``: an
    alternative in the pattern would make every search slower).  A rule this
    table does not know (a new markdown-it or plugin) keeps markdown-it's own
    rule; a test compares the token streams of both on the spec corpora and
    on random input.
    """
    if not rules or not set(rules) <= set(INLINE_STARTS) | {WWW_RULE}:
        return None
    chars = "".join(sorted({c for rule in rules for c in INLINE_STARTS.get(rule, "")}))
    if not chars:
        return None
    stops = re.compile(f"[{re.escape(chars)}]")
    www = WWW_RULE in rules
    add = _pending_adder()

    def text(state: StateInline, silent: bool) -> bool:
        # Never past posMax: inside a link's label it is the label's end, and markdown-it's
        # own scan never goes beyond it either.
        src, start, end = state.src, state.pos, state.posMax
        found = stops.search(src, start, end)
        pos = found.start() if found else end
        if www:  # the rule's own first test: src[pos:pos + 4] == "www.", before posMax
            at = src.find("www.", start, pos)
            if at != -1:
                pos = at
        if pos <= start:
            return False
        if not silent:
            add(state, src[start:pos])
        state.pos = pos
        return True

    return text


_PROTOCOLS = ("https", "http", "mailto", "xmpp")
_URL_END = re.compile(r"[ \t\r\n\x00\x0b\x0c]")
"""Where a bare URL or address ends at the latest: the GFM plugin's own space characters."""


def protocol_rule(plugin: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool] | None:
    """The GFM plugin's ``https:`` / ``mailto:`` rule, asked only where it can match;
    ``None`` (keep the plugin's alone) when its matchers are not where this expects.

    At every ``:`` the plugin copies the rest of the paragraph and searches all
    the text pending before the colon for a protocol name: twice linear per
    colon, so a paragraph of clock times (``9:30``) or of ``a:a:a:`` took time
    in the square of its length (10 kB of ``a:`` took 0.6 s, 100 kB a minute).
    This rule looks at the six characters before the colon and the text up to
    the next space, which is all the plugin's matchers read, and hands over to
    the plugin only when they match: then a link is made and pending text ends.
    """
    try:
        from mdit_py_plugins.gfm_autolink._match import check_prev, match_any_email, match_http
    except ImportError:  # pragma: no cover - another plugin release: its rule, as it is
        return None

    def protocol(state: StateInline, silent: bool) -> bool:
        # The plugin makes links only when it makes tokens (never in silent mode,
        # nor inside a link), and needs a protocol name in the plain text just before.
        if silent or state.linkLevel > 0:
            return False
        src, pos, end = state.src, state.pos, state.posMax
        if src[pos] != ":":
            return False
        tail = src[max(0, pos - 6):pos]
        name = next((p for p in _PROTOCOLS if tail.endswith(p)), None)
        if name is None:
            return False
        before = pos - len(name)
        if before > 0 and not check_prev(src[before - 1]):
            return False
        space = _URL_END.search(src, pos, end)
        rest = src[pos:space.end() if space else end]  # the space too: the matchers test it
        if len(rest) < 4:
            return False
        text = name + rest
        found = match_http(text) if name.startswith("http") else match_any_email(text, len(name) + 1, name)
        return found is not None and plugin(state, silent)

    return protocol


def _pending_adder() -> Callable[[StateInline, str], None]:
    """How text joins the pending run: markdown-it-py 4.3 buffers it (``append_pending``),
    4.1 (the floor) adds to the string."""
    append: Callable[[StateInline, str], None] | None = getattr(StateInline, "append_pending", None)
    if append is not None:
        return append

    def add(state: StateInline, text: str) -> None:
        state.pending += text

    return add


_TRAILING = "?!.,:*_~'\""
"""What GFM trims from the end of an autolink."""


def _autolink_before_hard_break(state: StateCore) -> None:
    """Give back the ``\\`` of a hard break that an autolink swallowed.

    The GFM autolink rule scans the raw source, so in ``see www.example.org.\\``
    at the end of a line it takes ``.\\`` into the address; cmark-gfm links
    ``www.example.org`` and keeps the full stop and the line break.
    """
    for token in state.tokens:
        kids = token.children
        if token.type != "inline" or not kids:
            continue
        i = 0
        while i + 3 < len(kids):
            opening, text, closing, after = kids[i:i + 4]
            if (opening.type == "link_open" and opening.info == "auto" and text.type == "text"
                    and closing.type == "link_close" and after.type == "softbreak"
                    and text.content.endswith("\\")):
                kept = text.content[:-1].rstrip(_TRAILING)
                if kept:
                    scheme = "http://" if kept.lower().startswith("www.") else ""
                    opening.attrs["href"] = state.md.normalizeLink(scheme + kept)
                    rest = text.content[len(kept):-1]
                    text.content = kept
                    after.type, after.tag = "hardbreak", "br"
                    if rest:
                        tail = Token("text", "", 0)
                        tail.content = rest
                        kids.insert(i + 3, tail)
            i += 1


class _Node:
    """A node of markdown-it's token stream nested into a tree.

    Like markdown-it's ``SyntaxTreeNode``, with the opening token's fields
    copied once: several times cheaper to build and to read.
    """

    __slots__ = ("attrs", "children", "content", "hidden", "info", "map", "meta", "tag", "type")

    def __init__(self, token: Token, type_: str) -> None:
        self.type = type_
        self.tag = token.tag
        self.attrs = token.attrs
        self.map = token.map
        self.info = token.info
        self.content = token.content
        self.meta = token.meta
        self.hidden = token.hidden
        try:
            self.children: list[_Node] = _tree(token.children) if token.children else []
        except MarkupTooDeep as exc:  # found in an inline run: its block knows the line
            if exc.line is None and token.map:
                exc.line = token.map[0]
            raise


MAX_DEPTH = 40
"""How deeply markup may nest, in blocks and within a paragraph.

markdown-it stops nesting blocks at 20 (quotes, lists), but emphasis has no
limit: ``*`` five thousand times around a word nests two thousand levels, and
every walk of the tree (the converter, each renderer) recurses once a level.
No prose nests forty; an article that does is refused with its line.
"""


class MarkupTooDeep(ValueError):
    """Markup nested too deeply to walk; ``line`` is the source line (once known)."""

    def __init__(self, line: int | None = None,
                 message: str = f"markup nested more than {MAX_DEPTH} levels deep: write it with "
                                "less emphasis inside emphasis") -> None:
        super().__init__(message)
        self.line = line


def _tree(tokens: list[Token]) -> list[_Node]:
    """Nest a flat token stream (``*_open`` ... ``*_close``) into nodes."""
    root: list[_Node] = []
    stack: list[list[_Node]] = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Node(token, token.type[:-5])  # "paragraph_open" -> "paragraph"
            stack[-1].append(node)
            stack.append(node.children)
            if len(stack) > MAX_DEPTH:
                raise MarkupTooDeep(token.map[0] if token.map else None)
        elif token.nesting == -1:
            stack.pop()
        else:
            stack[-1].append(_Node(token, token.type))
    return root


@dataclass(slots=True)
class ParsedBody:
    blocks: list[n.Block]
    footnotes: list[n.FootnoteDef]


@dataclass(slots=True)
class _Converter:
    line_offset: int
    footnote_info: dict[int, dict[str, Any]]
    ids: UniqueNames = field(default_factory=lambda: UniqueNames(lambda base, i: f"{base}-{i}"))
    footnotes: list[n.FootnoteDef] = field(default_factory=list)

    # ------------------------------------------------------------ blocks
    def blocks(self, nodes: list[_Node]) -> list[n.Block]:
        out: list[n.Block] = []
        for node in nodes:
            rule: Callable[[_Node], n.Block | None] = getattr(
                self, "_block_" + node.type, self._block_unknown
            )
            block = rule(node)
            if block is not None:
                out.append(block)
        return out

    def _line(self, node: _Node) -> int | None:
        return node.map[0] + self.line_offset if node.map else None

    def _block_paragraph(self, node: _Node) -> n.Block:
        return n.Paragraph(self.inline_of(node), line=self._line(node))

    def _block_heading(self, node: _Node) -> n.Block:
        children = self.inline_of(node)
        return n.Heading(int(node.tag[1]), self._unique_id(plain_text(children)), children,
                         line=self._line(node))

    def _unique_id(self, text: str) -> str:
        return self.ids(HEADING_ID_PREFIX + (slugify(text) or "section"))

    def _block_bullet_list(self, node: _Node) -> n.Block:
        items = [self._item(c) for c in node.children]
        return n.BulletList(items, tight=_is_tight(node), line=self._line(node))

    def _block_ordered_list(self, node: _Node) -> n.Block:
        start = int(node.attrs.get("start", 1))
        items = [self._item(c) for c in node.children]
        return n.OrderedList(items, start=start, tight=_is_tight(node), line=self._line(node))

    def _item(self, node: _Node) -> n.ListItem:
        checked = node.meta.get("checked") if "task-list-item" in str(node.attrs.get("class", "")) else None
        return n.ListItem(self.blocks(node.children), line=self._line(node),
                          checked=None if checked is None else bool(checked))

    def _block_blockquote(self, node: _Node) -> n.Block:
        alert = _alert(node)
        if alert is None:
            return n.BlockQuote(self.blocks(node.children), line=self._line(node))
        kind, rest = alert
        first = node.children[0]
        body = self.blocks(node.children[1:])
        if rest:
            line = self._line(first)
            body.insert(0, n.Paragraph(self.inlines(rest), line=None if line is None else line + 1))
        return n.Callout(kind, body, line=self._line(node))

    def _block_fence(self, node: _Node) -> n.Block:
        info = unescapeAll(node.info).strip()
        language = info.split(maxsplit=1)[0] if info else None
        return n.CodeBlock(node.content, language, line=self._line(node))

    def _block_code_block(self, node: _Node) -> n.Block:
        return n.CodeBlock(node.content, None, line=self._line(node))

    def _block_hr(self, node: _Node) -> n.Block:
        return n.ThematicBreak(line=self._line(node))

    def _block_html_block(self, node: _Node) -> n.Block | None:
        try:
            html, text = sanitize_block(node.content)
        except HtmlTooDeep as exc:
            raise MarkupTooDeep(node.map[0] if node.map else None,
                                f"{exc}: close the elements it opens") from None
        return n.RawBlock(html, text, line=self._line(node)) if html.strip() else None

    def _block_table(self, node: _Node) -> n.Block:
        rows: list[n.TableRow] = []
        for section in node.children:
            rows.extend(self._row(tr) for tr in section.children)
        header, body = rows[0], rows[1:]
        aligns = [_align(th) for th in node.children[0].children[0].children]
        return n.Table(header, body, aligns, line=self._line(node))

    def _row(self, tr: _Node) -> n.TableRow:
        cells = [n.TableCell(self.inline_of(c), line=self._line(tr)) for c in tr.children]
        return n.TableRow(cells, line=self._line(tr))

    def _block_footnote_block(self, node: _Node) -> None:
        for fn in node.children:
            number = fn.meta["id"] + 1
            info = self.footnote_info.get(fn.meta["id"], {})
            body = self.blocks([c for c in fn.children if c.type != "footnote_anchor"])
            self.footnotes.append(
                n.FootnoteDef(fn.meta.get("label") or str(number), number, body,
                              ref_count=int(info.get("count", 1)),
                              line=self._first_line(fn))
            )
        self.footnotes.sort(key=lambda d: d.number)
        return None

    def _first_line(self, node: _Node) -> int | None:
        for c in node.children:
            if c.map:
                return c.map[0] + self.line_offset
        return None

    def _block_unknown(self, node: _Node) -> n.Block | None:
        # Plugins we do not enable produce nothing we must keep.
        text = node.content
        return n.Paragraph([n.Text(text)], line=self._line(node)) if text else None

    # ----------------------------------------------------------- inlines
    def inline_of(self, node: _Node) -> list[n.Inline]:
        # A footnote's last paragraph also holds its back-reference anchors.
        kids: list[_Node] = []
        for kid in node.children:
            if kid.type == "inline":
                kids.extend(kid.children)
            elif kid.type != "footnote_anchor":
                kids.append(kid)
        return self.inlines(kids)

    def inlines(self, nodes: list[_Node]) -> list[n.Inline]:
        out: list[n.Inline] = []
        for node in nodes:
            rule = getattr(self, "_inline_" + node.type, None)
            if rule is None:
                out.append(n.Text(node.content))
                continue
            item = rule(node)
            if isinstance(item, list):
                out.extend(item)
            elif item is not None:
                out.append(item)
        return _merge_text(out)

    def _inline_text(self, node: _Node) -> n.Inline:
        return n.Text(node.content)

    def _inline_em(self, node: _Node) -> n.Inline:
        return n.Emphasis(self.inlines(node.children))

    def _inline_strong(self, node: _Node) -> n.Inline:
        return n.Strong(self.inlines(node.children))

    def _inline_s(self, node: _Node) -> n.Inline:
        return n.Strikethrough(self.inlines(node.children))

    def _inline_code_inline(self, node: _Node) -> n.Inline:
        return n.InlineCode(node.content)

    def _inline_link(self, node: _Node) -> n.Inline:
        title = node.attrs.get("title")
        return n.Link(str(node.attrs["href"]), str(title) if title is not None else None,
                      self.inlines(node.children))

    def _inline_image(self, node: _Node) -> n.Inline:
        title = node.attrs.get("title")
        return n.Image(str(node.attrs["src"]), plain_text(self.inlines(node.children)),
                       str(title) if title is not None else None)

    def _inline_softbreak(self, node: _Node) -> n.Inline:
        return n.SoftBreak()

    def _inline_hardbreak(self, node: _Node) -> n.Inline:
        return n.HardBreak()

    def _inline_html_inline(self, node: _Node) -> n.Inline | None:
        html, text = sanitize_inline(node.content)
        return n.RawInline(html, text) if html or text else None

    def _inline_footnote_ref(self, node: _Node) -> n.Inline:
        meta = node.meta
        label = meta.get("label") or str(meta["id"] + 1)
        return n.FootnoteRef(label, meta["id"] + 1, meta.get("subId", 0))


def _alert(quote: _Node) -> tuple[n.CalloutKind, list[_Node]] | None:
    """The kind of a GitHub alert and the inlines after its marker line; None for a plain quote.

    As on GitHub: the marker is alone on the quote's first line, and a quote
    holding nothing but the marker stays a quote.
    """
    first = quote.children[0] if quote.children else None
    if first is None or first.type != "paragraph" or not first.children:
        return None
    kids = first.children[0].children
    if not kids or kids[0].type != "text":
        return None
    match = _ALERT.fullmatch(kids[0].content.strip())
    if match is None or (len(kids) > 1 and kids[1].type not in ("softbreak", "hardbreak")):
        return None
    rest = kids[2:]
    if not rest and len(quote.children) == 1:
        return None
    kind: n.CalloutKind = match.group(1).lower()  # type: ignore[assignment]
    return kind, rest


def _is_tight(node: _Node) -> bool:
    return all(
        p.hidden for item in node.children for p in item.children if p.type == "paragraph"
    )


def _align(cell: _Node) -> n.Align:
    m = _ALIGN.search(str(cell.attrs.get("style", "")))
    return m.group(1) if m else None  # type: ignore[return-value]


def _merge_text(items: list[n.Inline]) -> list[n.Inline]:
    out: list[n.Inline] = []
    for item in items:
        if isinstance(item, n.Text) and out and isinstance(out[-1], n.Text):
            out[-1] = n.Text(out[-1].text + item.text)
        else:
            out.append(item)
    return out


def parse_markdown(text: str, line_offset: int = 1) -> ParsedBody:
    """Parse ``text``; block lines are reported as ``line_offset`` + 0-based line.

    Raises :class:`MarkupTooDeep` (its ``line`` counted from ``line_offset``).
    """
    env: dict[str, Any] = {}
    tokens = parser().parse(text, env)
    footnote_info = env.get("footnotes", {}).get("list", {})
    conv = _Converter(line_offset, footnote_info)
    try:
        blocks = conv.blocks(_tree(tokens))
        _fill_missing_footnotes(conv, footnote_info)
    except MarkupTooDeep as exc:
        if exc.line is None:
            exc.line = _inline_footnote_line(tokens, footnote_info)
        exc.line = line_offset + (exc.line or 0)
        raise
    return ParsedBody(blocks, conv.footnotes)


def _inline_footnote_line(tokens: list[Token], info: dict[int, dict[str, Any]]) -> int | None:
    """The line of the paragraph citing the inline footnote (``^[...]``) that nests too
    deeply: its own tokens have no line."""
    for fid, data in info.items():
        try:
            _tree(data.get("tokens") or [])
        except MarkupTooDeep:
            return next((t.map[0] for t in tokens if t.map and t.children and any(
                c.type == "footnote_ref" and c.meta.get("id") == fid for c in t.children)), None)
    return None


def _fill_missing_footnotes(conv: _Converter, info: dict[int, dict[str, Any]]) -> None:
    """Inline footnotes (``^[...]``) have tokens but no block; keep numbering whole."""
    have = {d.number for d in conv.footnotes}
    for fid, data in info.items():
        if fid + 1 not in have and "tokens" in data:
            body = _tree(data["tokens"])
            conv.footnotes.append(
                n.FootnoteDef(str(fid + 1), fid + 1, [n.Paragraph(conv.inlines(body))])
            )
    conv.footnotes.sort(key=lambda d: d.number)
