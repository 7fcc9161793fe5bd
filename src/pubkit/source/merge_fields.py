"""Merge fields: ``{{ expression }}`` in a newsletter's subject, preheader and intro.

Each field is a Jinja expression compiled once, in a sandbox, when the
newsletter is read; the text around it is never a template, and neither is
any article.  Before the intro's Markdown is parsed every field is swapped
for a private-use token, so the writers carry tokens through untouched;
:meth:`MergeFields.split` later cuts a rendered document at its tokens into a
:class:`MergeDocument` that is filled per recipient with a string join.

Values come from the recipient's CSV columns; an empty column counts as
missing, so ``{{ first_name | default("there") }}`` greets a row without a
first name as "there", and a missing field without a default is empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.filters
import jinja2.nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import escape

from pubkit.diagnostics import SourceError

_FIELD = re.compile(r"\{\{(.*?)\}\}", re.S)
_STATEMENT = re.compile(r"\{%|\{#")


MAX_RESULT = 10_000
"""Longest string or list a merge expression may build (``"x" * 10**9`` is refused)."""
MAX_FIELD_CHARS = 10_000
"""Longest value one merge field may produce for one recipient, whatever the expression."""
MAX_POWER_BITS = 10_000

_STR_METHODS = frozenset({
    "upper", "lower", "title", "capitalize", "casefold", "swapcase", "strip", "lstrip",
    "rstrip", "startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace",
    "islower", "isupper", "istitle",
})
"""String methods an expression may call: none of them makes its string longer."""


def _bounded(length: int, what: str) -> None:
    if length > MAX_RESULT:
        raise SecurityError(f"unsafe {what}: the result would be {length:,} characters "
                            f"(at most {MAX_RESULT:,})")


def _replace(value: Any, old: Any, new: Any, count: int | None = None) -> Any:
    text, old_s, new_s = str(value), str(old), str(new)
    hits = text.count(old_s) if old_s else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    _bounded(len(text) + hits * max(0, len(new_s) - len(old_s)), "replace")
    return jinja2.filters.FILTERS["replace"](_EVAL, value, old, new, count)


def _join(value: Any, d: Any = "", attribute: Any = None) -> str:
    items = [str(v) for v in value][:MAX_RESULT + 1]
    _bounded(sum(map(len, items)) + len(str(d)) * max(0, len(items) - 1), "join")
    return str(d).join(items)


def _string(value: Any) -> str:
    if isinstance(value, list | tuple | dict):
        _bounded(len(value) * 2, "string")
    text = str(value)
    _bounded(len(text), "string")
    return text


_FILTERS: dict[str, Any] = {
    name: jinja2.filters.FILTERS[name]
    for name in ("default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate",
                 "striptags", "first", "last", "length", "count", "wordcount", "int", "float",
                 "abs", "round", "e", "escape")
}
_FILTERS.update(replace=_replace, join=_join, string=_string)
"""The filters merge fields may use: each either cannot make a long value or is bounded."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, bounded in what it can build.

    Only the filters of :data:`_FILTERS`, no globals (``range``, ``lipsum``),
    no methods that pad or repeat a string, and arithmetic that refuses
    results that would exhaust memory or time.  Whatever gets through is still
    cut off by :data:`MAX_FIELD_CHARS` when the value is taken.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters = dict(_FILTERS)
        self.tests = {}
        self.globals = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, str) and attr in _STR_METHODS \
            and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int):
            bits = abs(left).bit_length() if isinstance(left, int) else 64
            if abs(right) > 100 or bits * abs(right) > MAX_POWER_BITS:
                raise SecurityError("unsafe power: the exponent is too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) \
                        and len(seq) * count > MAX_RESULT:
                    raise SecurityError("unsafe repetition: the result is too long")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("unsafe formatting: use ~ to join text")
        if operator == "+" and isinstance(left, str | list | tuple) \
                and isinstance(right, str | list | tuple):
            _bounded(len(left) + len(right), "concatenation")
        return super().call_binop(context, operator, left, right)


_EVAL = jinja2.nodes.EvalContext(_Sandbox())


class MergeError(ValueError):
    """A merge field failed for one recipient; the message names the field and its line."""


@dataclass(frozen=True, slots=True)
class MergeField:
    source: str
    path: str
    line: int | None
    expr: Callable[..., Any]

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def value(self, values: Mapping[str, str]) -> str:
        try:
            result = self.expr(**values)
            # str() of an undefined value is empty, unless the sandbox refused it.
            text = "" if result is None else str(result)
        except Exception as exc:  # a sandbox refusal or a type error in the expression
            raise MergeError(f"{self.where}: merge field {{{{ {self.source} }}}}: {exc}") from None
        if len(text) > MAX_FIELD_CHARS:
            raise MergeError(f"{self.where}: merge field {{{{ {self.source} }}}}: the value is "
                             f"{len(text):,} characters, over the limit of {MAX_FIELD_CHARS:,}")
        return text


class MergeFields:
    """The merge fields of one newsletter, compiled once, and their tokens."""

    def __init__(self, path: str, nonce: str) -> None:
        self.path = path
        self.fields: list[MergeField] = []
        self._env = _Sandbox(undefined=jinja2.Undefined)
        # The nonce (from the newsletter's own hash) keeps article text from ever
        # looking like a token.
        self._prefix = f"\ue000{nonce}"
        self._token = re.compile(re.escape(self._prefix) + r"(\d+)\ue001")

    def token(self, index: int) -> str:
        return f"{self._prefix}{index}\ue001"

    def protect(self, text: str, first_line: int | None) -> str:
        """``text`` with each ``{{ ... }}`` compiled and replaced by its token."""
        bad = _STATEMENT.search(text)
        if bad:
            raise SourceError(self.path, _line_at(text, bad.start(), first_line),
                              "only {{ ... }} merge fields are allowed here, not {% %} or {# #}")

        def replace(m: re.Match[str]) -> str:
            return self.add(m.group(1).strip(), _line_at(text, m.start(), first_line))

        protected = _FIELD.sub(replace, text)
        unclosed = protected.find("{{")
        if unclosed >= 0:
            raise SourceError(self.path, _line_at(protected, unclosed, first_line),
                              "merge field opened with {{ is never closed with }}")
        return protected

    def add(self, source: str, line: int | None) -> str:
        """Compile one expression; its token."""
        try:
            expr = self._env.compile_expression(source, undefined_to_none=False)
        except jinja2.TemplateError as exc:
            raise SourceError(self.path, line,
                              f"merge field {{{{ {source} }}}}: {exc.message or exc}") from None
        field = MergeField(source, self.path, line, expr)
        try:  # sandbox refusals show up without any data; report them now
            field.value({})
        except MergeError as exc:
            if "unsafe" in str(exc) or "No filter" in str(exc):
                raise SourceError(self.path, line, str(exc).split(": ", 1)[1]) from None
        self.fields.append(field)
        return self.token(len(self.fields) - 1)

    def add_variable(self, name: str) -> str:
        """A field that is just the value ``name`` (filled by the composer); its token."""
        self.fields.append(MergeField(name, self.path, None, lambda **values: values.get(name)))
        return self.token(len(self.fields) - 1)

    def indexes(self, text: str) -> set[int]:
        return {int(i) for i in self._token.findall(text)}

    def split(self, rendered: str, html: bool) -> MergeDocument:
        """Cut ``rendered`` at its tokens; ``html`` escapes the merged values."""
        pieces = self._token.split(rendered)
        return MergeDocument(tuple(pieces[0::2]), tuple(int(i) for i in pieces[1::2]), html)

    def values(self, context: Mapping[str, str]) -> list[str]:
        """Every field's value for one recipient (empty strings count as missing)."""
        present = {k: v for k, v in context.items() if v}
        return [f.value(present) for f in self.fields]


@dataclass(frozen=True, slots=True)
class MergeDocument:
    """A rendered document as literal pieces around field slots."""

    pieces: tuple[str, ...]
    slots: tuple[int, ...]
    html: bool

    def fill(self, values: Sequence[str]) -> str:
        if not self.slots:
            return self.pieces[0]
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            value = values[slot]
            out.append(str(escape(value)) if self.html else value)
            out.append(piece)
        return "".join(out)

    def source(self) -> str:
        """The document with its slots marked (stable across runs, for hashing)."""
        return "".join(p + (f"\x00{s}\x00" if i < len(self.slots) else "")
                       for i, (p, s) in enumerate(zip(self.pieces, (*self.slots, -1), strict=True)))


def _line_at(text: str, offset: int, first_line: int | None) -> int | None:
    return None if first_line is None else first_line + text.count("\n", 0, offset)
