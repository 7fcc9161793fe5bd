"""Split YAML front matter from the Markdown body and load it safely.

The loader is PyYAML's safe loader with anchors and aliases refused (they
let a few bytes expand into gigabytes), and it remembers the line of every
top-level key so that validation errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from pubkit.diagnostics import SourceError

_FENCE = "---"
_CLOSERS = ("---", "...")


@dataclass(slots=True)
class FrontMatter:
    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int  # source line of the body's first line
    start_line: int  # source line of the opening fence (0 when there is none)


# libyaml's loader when PyYAML has it: several times faster than the pure one.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(node: yaml.Node, path: str, first_line: int) -> None:
    """Refuse any node reached twice: an alias (``*x``), which can expand exponentially."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            raise SourceError(path, first_line + current.start_mark.line,
                              "invalid front matter: YAML aliases are not allowed")
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Separate the front matter block (if any) from the body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return FrontMatter({}, {}, text, 1, 0)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in _CLOSERS:
            yaml_text = "\n".join(lines[1:i])
            data, key_lines = _load_yaml(yaml_text, path, first_line=2)
            return FrontMatter(data, key_lines, "\n".join(lines[i + 1 :]), i + 2, 1)
    raise SourceError(path, 1, "front matter opened with '---' is never closed")


def _load_yaml(text: str, path: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    if not text.strip():
        return {}, {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _refuse_aliases(node, path, first_line)
        if not isinstance(node, yaml.MappingNode):
            raise SourceError(path, first_line + node.start_mark.line,
                              "front matter must be a mapping of keys to values")
        data: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise SourceError(path, line, f"front matter key {key!r} must be a string")
            try:
                data[key] = loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError, OverflowError) as exc:
                # PyYAML raises plain errors for impossible values (2024-13-01).
                raise SourceError(path, line, f"front matter: '{key}' has a bad value: {exc}") from None
            key_lines[key] = line
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = exc.problem or "invalid YAML"
        if exc.context and "constructor" in type(exc).__name__.lower():
            problem = f"{exc.context.strip()}: {problem}" if exc.context else problem
        raise SourceError(path, line, f"invalid front matter: {problem}") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, first_line, f"invalid front matter: {exc}") from None
    finally:
        loader.dispose()
    return data, key_lines
