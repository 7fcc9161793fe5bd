"""Dispatch on node type: ``visit_<tagname>`` methods, never if-chains."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from pubkit.model.nodes import Node

R = TypeVar("R")


class NodeVisitor(Generic[R]):
    """Base class for a writer: one method per node type.

    A subclass that lacks a method for some node gets a clear error naming the
    node, so a renderer cannot silently drop a construct.
    """

    def visit(self, node: Node) -> R:
        method: Callable[[Node], R] | None = getattr(self, "visit_" + node.tagname, None)
        if method is None:
            raise NotImplementedError(f"{type(self).__name__} cannot render {node.tagname!r} nodes")
        return method(node)

    def visit_all(self, nodes: Iterable[Node]) -> list[R]:
        return [self.visit(n) for n in nodes]


def walk(nodes: Iterable[Any]) -> list[Node]:
    """Every node below ``nodes``, depth first, in document order.

    A list, made by one recursive pass: a tree of generators (``yield from``
    at every level) cost more than the checks that read the nodes.
    """
    out: list[Node] = []
    _walk(nodes, out)
    return out


def _walk(nodes: Iterable[Any], out: list[Node]) -> None:
    for node in nodes:
        out.append(node)
        kind = type(node)
        fields = _CHILDREN.get(kind)
        if fields is None:
            fields = _CHILDREN[kind] = tuple(a for a in ("children", "items", "cells") if hasattr(kind, a))
        for attr in fields:
            kids = getattr(node, attr)
            if kids:
                _walk(kids, out)
        if node.tagname == "table":
            _walk([node.header, *node.rows], out)


_CHILDREN: dict[type, tuple[str, ...]] = {}
"""Node class -> the fields that may hold its child nodes, in document order."""
