"""The exact position index, from PyYAML's C event stream (libyaml).

Slower than the line scanner but right for any YAML syntax; also finds every duplicate
key and the plain scalars with a leading zero (``007``) whose text must be kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from safeledger.read.nodes import Node

_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


@dataclass(slots=True)
class Duplicate:
    key: str
    line: int
    column: int
    first_line: int


@dataclass(slots=True)
class EventScan:
    items: list[Node] = field(default_factory=list)  # top items, as in parse.top_items
    duplicates: list[Duplicate] = field(default_factory=list)
    leading_zero: list[tuple[int, int]] = field(default_factory=list)  # char spans


@dataclass(slots=True)
class _Frame:
    node: Node
    expect_key: bool = True
    key: str | None = None  # current key (None while the key is not a scalar)
    key_lines: dict[str, int] = field(default_factory=dict)


def scan_events(text: str) -> EventScan:
    """Walk the event stream once.  Raises ``yaml.YAMLError`` when libyaml rejects it."""
    scan = EventScan()
    loader = yaml.CSafeLoader(text)
    stack: list[_Frame] = []
    roots: list[Node] = []
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                _attach(stack, roots, frame.node, None, scan)
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            mark: Any = event.start_mark
            if isinstance(event, yaml.MappingStartEvent):
                stack.append(_Frame(Node(mark.line + 1, mark.column + 1, "map")))
                continue
            if isinstance(event, yaml.SequenceStartEvent):
                stack.append(_Frame(Node(mark.line + 1, mark.column + 1, "seq")))
                continue
            node = Node(mark.line + 1, mark.column + 1, "scalar")
            value: str | None = None
            if isinstance(event, yaml.ScalarEvent):
                value = event.value
                if not event.style and _LEADING_ZERO.fullmatch(value):
                    end: Any = event.end_mark
                    scan.leading_zero.append((mark.index, end.index))
                if not stack and not event.style and value in _NULLS:
                    continue  # an empty document
            _attach(stack, roots, node, value, scan)
    finally:
        loader.dispose()
    for root in roots:
        scan.items.extend(root.items if root.kind == "seq" else [root])
    return scan


def _attach(
    stack: list[_Frame], roots: list[Node], node: Node, value: str | None, scan: EventScan
) -> None:
    if not stack:
        roots.append(node)
        return
    parent = stack[-1]
    if parent.node.kind == "seq":
        parent.node.items.append(node)
        return
    if parent.expect_key:
        parent.expect_key = False
        parent.key = value
        if value is not None:
            first = parent.key_lines.get(value)
            if first is not None:
                scan.duplicates.append(Duplicate(value, node.line, node.column, first))
            else:
                parent.key_lines[value] = node.line
                parent.node.keys[value] = (node.line, node.column)
        return
    parent.expect_key = True
    if parent.key is not None and parent.key not in parent.node.values:
        parent.node.values[parent.key] = node
