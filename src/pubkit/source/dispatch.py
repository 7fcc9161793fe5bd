"""Where each of markdown-it's rules can match, and tokenizers that try only those rules.

markdown-it tries every block rule, in turn, at the start of every block
(twelve for a paragraph, eleven of which give up), and every inline rule
wherever its text scan stops.  Nearly every rule gives up at its first test:
the character it starts at (``#`` for a heading, ``>`` for a quote).  The
tokenizers here look that character up and try, in markdown-it's order, only
the rules that can start there; a rule skipped is one that would have said
no.  So the tokens are the same, which a test checks on the spec corpora and
on random input (``tests/source/test_inline_stops.py``).  A rule these tables
do not know (a new markdown-it or plugin) keeps markdown-it's own tokenizer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

BLOCK_STARTS: dict[str, str | None] = {
    "table": "",  # any first line: its test is the next line (see _table_row_next)
    "code": None,  # an indented line only, whatever it starts with
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*+-0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
    "lheading": "",
    "paragraph": "",
}
"""The first character (after the indent) of a line each block rule can start at: ``""`` any,
``None`` only a line indented as code (four columns past the block's own indent).  Every rule
but ``code`` and those of ``""`` first says no to a line indented as code."""

INLINE_STARTS: dict[str, str] = {
    "text": "",
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "_*",
    "link": "[]",  # a label's end is found where the text scan stops, so "]" must stop it
    "image": "!",
    "footnote_inline": "^",
    "footnote_ref": "[",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
    "gfm_autolink_protocol": ":",  # it looks back over the text before the colon
}
"""Where each inline rule can match: the characters its own first test asks for.  The text
scan stops at these (:func:`pubkit.source.markdown.text_rule`); ``gfm_autolink_www``, which
starts at ``w``, is left to a search for ``www.`` there, so that the scan does not stop at every
``w``."""

WWW_RULE = "gfm_autolink_www"
"""The GFM plugin's rule for bare ``www.`` links (it starts at ``w``: see above)."""
_TABLE_ROW = frozenset("|-:")
"""What a table's delimiter row starts with (markdown-it's table rule tests it first)."""

BlockRule = Callable[[StateBlock, int, int, bool], bool]
InlineRule = Callable[[StateInline, bool], bool]


def block_tokenizer(md: MarkdownIt) -> Callable[[StateBlock, int, int], None] | None:
    """A tokenizer for ``md.block`` that tries at each line only the rules that can start there;
    ``None`` when a rule is not in :data:`BLOCK_STARTS`.

    The tables follow the rules: when they change (a rule enabled, disabled or replaced),
    they are made again, and a rule they do not know gets markdown-it's own tokenizer.
    """
    current = _following(md.block.ruler, _block_tables)
    if current() is None:
        return None
    own = ParserBlock.tokenize.__get__(md.block)
    max_nesting = md.options["maxNesting"]

    def tokenize(state: StateBlock, startLine: int, endLine: int) -> None:
        # markdown-it's ParserBlock.tokenize, with the rules looked up per line.
        tables = current()
        if tables is None:
            own(state, startLine, endLine)
            return
        by_char, plain, indented = tables
        src, b_marks, t_shift, s_count = state.src, state.bMarks, state.tShift, state.sCount
        line = startLine
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if s_count[line] < state.blkIndent:
                break  # the end of a nested block (a quote's or a list item's)
            if state.level >= max_nesting:
                state.line = endLine
                break
            table = _table_row_next(state, line, endLine)
            if s_count[line] - state.blkIndent >= 4:
                tried = indented[table]
            else:
                tried = by_char[table].get(src[b_marks[line] + t_shift[line]], plain[table])
            for rule in tried:
                if rule(state, line, endLine, False):
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            else:
                raise RuntimeError("none of the block rules matched")
            state.tight = not has_empty_lines
            line = state.line
            # a paragraph might take the empty line after it in a nested list
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line

    return tokenize


def _following(ruler: Any, tables_of: Callable[[list[str], list[Any]], Any]) -> Callable[[], Any]:
    """The tables ``tables_of`` makes of ``ruler``'s active rules, made again whenever they
    change (markdown-it gives a new list of rules after each change); None for a rule not known."""
    made: list[Any] = [None, None]
    """The rules the tables were made for, and the tables."""

    def current() -> Any:
        fns = ruler.getRules("")
        if fns is not made[0]:
            made[:] = [fns, tables_of(ruler.get_active_rules(), fns)]
        return made[1]

    return current


def _block_tables(names: list[str], fns: list[BlockRule]) -> Any:
    """Per "the next line may be a delimiter row": the rules to try at a line starting with
    each character, at any other, and at a line indented as code; None for a rule not known."""
    if not names or not set(names) <= set(BLOCK_STARTS) or len(names) != len(fns):
        return None
    rules = list(zip(names, fns, strict=True))

    def pick(ch: str | None, table: bool) -> list[BlockRule]:
        """The rules for a line starting with ``ch`` (None: indented as code)."""
        out = []
        for name, fn in rules:
            start = BLOCK_STARTS[name]
            if name == "table" and not table:
                continue
            if start == "" or (ch is None and start is None) or (ch is not None and start and ch in start):
                out.append(fn)
        return out

    chars = {c for start in BLOCK_STARTS.values() if start for c in start}
    by_char = {t: {c: pick(c, t) for c in chars} for t in (False, True)}
    plain = {t: pick("\0", t) for t in (False, True)}
    indented = {t: pick(None, t) for t in (False, True)}
    return by_char, plain, indented


def _table_row_next(state: StateBlock, line: int, end: int) -> bool:
    """Whether the line after ``line`` starts as a table's delimiter row can: the table rule's
    own first tests, which say no to every other line."""
    following = line + 1
    if following + 1 > end:
        return False
    pos = state.bMarks[following] + state.tShift[following]
    return pos < state.eMarks[following] and state.src[pos] in _TABLE_ROW


def inline_tokenizer(md: MarkdownIt, add: Callable[[StateInline, str], None]
                     ) -> Callable[[StateInline], None] | None:
    """A tokenizer for ``md.inline`` that tries, where the text scan stopped, only the rules
    that can start at that character; ``None`` when a rule is not in :data:`INLINE_STARTS`.
    ``add`` adds a character to the pending text (markdown-it's own way, which changed in 4.3).
    The tables follow the rules, as :func:`block_tokenizer`'s do."""
    current = _following(md.inline.ruler, _inline_tables)
    if current() is None:
        return None
    own = ParserInline.tokenize.__get__(md.inline)
    max_nesting = md.options["maxNesting"]

    def tokenize(state: StateInline) -> None:
        # markdown-it's ParserInline.tokenize, with the rules looked up per stop.
        tables = current()
        if tables is None:
            own(state)
            return
        by_char, plain = tables
        src, end = state.src, state.posMax
        while state.pos < end:
            pos = state.pos
            ok = False
            if state.level < max_nesting:
                for rule in by_char.get(src[pos], plain):
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                if state.pos >= end:
                    break
                continue
            add(state, src[state.pos])
            state.pos += 1
        if state.pending:
            state.pushPending()

    return tokenize


def _inline_tables(names: list[str], fns: list[InlineRule]) -> Any:
    """The rules to try where the scan stops at each character, and at any other."""
    starts = {**INLINE_STARTS, WWW_RULE: "w"}
    if not names or not set(names) <= set(starts) or len(names) != len(fns):
        return None
    rules = list(zip(names, fns, strict=True))

    def pick(ch: str) -> list[InlineRule]:
        return [fn for name, fn in rules if starts[name] == "" or ch in starts[name]]

    return {c: pick(c) for start in starts.values() for c in start}, pick("\0")


def install(md: MarkdownIt, add: Callable[[StateInline, str], None]) -> list[str]:
    """Give ``md`` the tokenizers of this module where its rules allow; which it got."""
    got = []
    block: Any = block_tokenizer(md)
    if block is not None:
        md.block.tokenize = block  # type: ignore[method-assign]
        got.append("block")
    inline: Any = inline_tokenizer(md, add)
    if inline is not None:
        md.inline.tokenize = inline  # type: ignore[method-assign]
        got.append("inline")
    return got
