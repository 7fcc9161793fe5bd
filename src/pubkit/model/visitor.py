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


def walk(nodes: Iterable[Any]) -> Iterable[Node]:
    """Every node below ``nodes``, depth first, in document order."""
    for node in nodes:
        yield node
        for attr in ("children", "items", "cells"):
            kids = getattr(node, attr, None)
            if kids:
                yield from walk(kids)
        if node.tagname == "table":
            yield from walk([node.header, *node.rows])
