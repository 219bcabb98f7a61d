"""A light position tree of a YAML file: where each record, key and list item starts.

Both position indexes (the fast line scanner in :mod:`.positions` and the exact event
index in :mod:`.events`) produce these nodes; :func:`lookup` answers anchor paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal["map", "seq", "scalar", "opaque"]


@dataclass(slots=True)
class Node:
    """A node's start (1-based line and column, in characters).  ``opaque``: a node whose
    inside the index did not look at (a one-line flow collection in the line scanner)."""

    line: int
    column: int
    kind: NodeKind
    items: list[Node] = field(default_factory=list)  # seq
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)  # map: key -> key start
    values: dict[str, Node] = field(default_factory=dict)  # map: key -> value node


def lookup(node: Node, path: tuple[str | int, ...]) -> tuple[int, int, bool]:
    """Position of the deepest prefix of ``path`` found under ``node`` (the record): a
    key's own position for a key step, the item's start for an index step.  The flag is
    False when the walk stopped at an opaque node, i.e. a finer answer may exist."""
    line, col = node.line, node.column
    for step in path:
        if node.kind == "opaque":
            return line, col, False
        if node.kind == "seq" and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
            line, col = node.line, node.column
            continue
        key = str(step)
        if node.kind == "map" and key in node.keys:
            line, col = node.keys[key]
            child = node.values.get(key)
            if child is None:
                break
            node = child
            continue
        break
    return line, col, True


def key_text(key: object) -> str:
    """A parsed mapping key as the text the indexes compare it with."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)
