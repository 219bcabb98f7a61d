"""The fast position index: a line scanner for block-style YAML.

It reads record starts (top-level ``- `` items or documents), keys (``key:`` at a
mapping's indentation) and nested block mappings and sequences (``extensions:`` items),
skipping block scalars and plain-scalar continuation lines.  It gives up (returns None)
on anything it cannot vouch for: flow collections or quoted scalars spanning lines,
anchors, tags, complex keys, directives, tabs in indentation.  The caller also checks
its result against the parsed data (:func:`agrees`); on doubt it uses :mod:`.events`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from safeledger.read.nodes import Node, key_text


class _GiveUp(Exception):
    pass


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def _strip_comment(value: str) -> str:
    """The value without a trailing `` # comment`` (only called on plain scalars)."""
    if value.startswith("#"):
        return ""
    cut = value.find(" #")
    return value if cut < 0 else value[:cut].rstrip()


def _split_key(content: str) -> tuple[str, str, int] | None:
    """``key: value`` -> (key, value, value offset); None when not a key line."""
    first = content[0]
    if first in "\"'":
        end = content.find(first, 1)
        if end < 0 or (first == '"' and "\\" in content[:end]):
            raise _GiveUp
        if first == "'" and content[end + 1 : end + 2] == "'":
            raise _GiveUp  # '' escape inside a single-quoted key
        rest = content[end + 1 :].lstrip(" ")
        if not rest.startswith(":") or rest[1:2] not in ("", " "):
            return None
        key, pos = content[1:end], len(content) - len(rest) + 1
    else:
        if first in "[]{}&*!|>%@`?#,":
            return None
        pos = content.find(": ") + 1 or (len(content) if content.endswith(":") else 0)
        if not pos:
            return None
        key = content[: pos - 1].rstrip(" ")
        if " #" in key or "\t" in key:
            return None
    value = content[pos:].lstrip(" \t")
    return key, value, len(content) - len(value)


# A key's one-line value: lookup answers with the key's own position and agrees reads
# only the value's kind, so one node of each kind (never changed) stands for them all.
_SCALAR_VALUE = Node(0, 0, "scalar")
_OPAQUE_VALUE = Node(0, 0, "opaque")


class _Scanner:
    def __init__(self, text: str, first_line: int) -> None:
        self.lines = text.split("\n")
        self.i = 0
        self.base = first_line  # line number of lines[0]
        # the current line may be rewritten: the content after ``- `` at its own column
        self.override: tuple[int, str] | None = None

    def peek(self) -> tuple[int, str] | None:
        """(indent, content) of the next significant line, or None at a document end."""
        if self.override is not None:
            return self.override
        lines = self.lines
        while self.i < len(lines):
            raw = lines[self.i].rstrip("\r")
            content = raw.lstrip(" ")
            if not content or content[0] == "#":
                self.i += 1
                continue
            indent = len(raw) - len(content)
            if content[0] == "\t":
                if content.strip() == "":
                    self.i += 1
                    continue
                raise _GiveUp
            if indent == 0 and (content.startswith(("---", "..."))) and content[3:4] in ("", " "):
                return None
            if indent == 0 and content[0] == "%":
                raise _GiveUp
            return indent, content.rstrip(" \t")
        return None

    def advance(self) -> None:
        self.override = None
        self.i += 1

    def skip_deeper(self, indent: int) -> None:
        """Skip lines indented more than ``indent`` (and blank lines): block scalar text."""
        self.override = None
        lines = self.lines
        while self.i < len(lines):
            raw = lines[self.i].rstrip("\r")
            content = raw.lstrip(" ")
            if content and len(raw) - len(content) <= indent:
                if content[0] == "\t" and not content.strip():
                    self.i += 1
                    continue
                return
            self.i += 1

    def node(self, parent_indent: int, compact_seq: bool = False) -> Node | None:
        """The block node below a parent at ``parent_indent``; None when empty."""
        nxt = self.peek()
        if nxt is None:
            return None
        indent, content = nxt
        is_item = content == "-" or content.startswith("- ")
        if indent <= parent_indent and not (compact_seq and indent == parent_indent and is_item):
            return None
        return self.at(indent, content)

    def at(self, indent: int, content: str) -> Node:
        line = self.base + self.i
        if content == "-" or content.startswith("- "):
            return self.seq(indent)
        if _split_key(content) is not None:
            return self.map(indent)
        if content[0] in "[{\"'&*!|>?":
            raise _GiveUp
        # a plain scalar, maybe over several lines
        self.advance()
        self.skip_deeper(indent)
        return Node(line, indent + 1, "scalar")

    def seq(self, indent: int) -> Node:
        node = Node(self.base + self.i, indent + 1, "seq")
        while (nxt := self.peek()) is not None and nxt[0] == indent:
            content = nxt[1]
            if content == "-" or content.startswith("- #"):
                line = self.base + self.i
                self.advance()
                item = self.node(indent)
                node.items.append(item or Node(line, indent + 1, "scalar"))
                continue
            if not content.startswith("- "):
                return node  # a compact sequence (`key:` then `- a` at its indent) ends
            rest = content[2:].lstrip(" ")
            col = indent + len(content) - len(rest)
            node.items.append(self.inline(col, rest, indent))
        if nxt is not None and nxt[0] > indent:
            raise _GiveUp
        return node

    def inline(self, col: int, rest: str, owner: int) -> Node:
        """A node starting after ``- `` at column ``col`` (0-based)."""
        if rest == "-" or rest.startswith("- ") or _split_key(rest) is not None:
            self.override = (col, rest)
            return self.at(col, rest)
        return self.scalar(col, rest, owner)

    def scalar(self, col: int, value: str, owner: int, placed: bool = True) -> Node:
        """A one-line value at ``col``; following lines deeper than ``owner`` belong to it.
        ``placed`` False: a shared node of its kind, without a position (a key's value)."""
        line = self.base + self.i
        first = value[0]
        kind: Any = "scalar"
        if first in "&*!?%@`":
            raise _GiveUp
        if first in "|>":
            pass
        elif first in "\"'":
            if len(value) < 2 or not value.endswith(first):
                raise _GiveUp
        elif first in "[{":
            if not value.endswith("]" if first == "[" else "}"):
                raise _GiveUp
            kind = "opaque"
        self.advance()
        self.skip_deeper(owner)
        if not placed:
            return _OPAQUE_VALUE if kind == "opaque" else _SCALAR_VALUE
        return Node(line, col + 1, kind)

    def map(self, indent: int) -> Node:
        node = Node(self.base + self.i, indent + 1, "map")
        while (nxt := self.peek()) is not None and nxt[0] == indent:
            split = _split_key(nxt[1])
            if split is None:
                raise _GiveUp
            key, value, offset = split
            line = self.base + self.i
            if key in node.keys:
                raise _GiveUp
            node.keys[key] = (line, indent + 1)
            if not _strip_comment(value):
                self.advance()
                child = self.node(indent, compact_seq=True)
            else:
                child = self.scalar(indent + offset, value, indent, placed=False)
            if child is not None:
                node.values[key] = child
        if nxt is not None and nxt[0] > indent:
            raise _GiveUp
        return node

    def documents(self) -> list[Node]:
        items: list[Node] = []
        while True:
            root = self.node(-1)
            if root is not None:
                items.extend(root.items if root.kind == "seq" else [root])
            if self.override is not None or self.i >= len(self.lines):
                return items
            raw = self.lines[self.i].rstrip("\r")
            if raw.startswith(("---", "...")) and raw[3:4] in ("", " "):
                rest = raw[3:].strip()
                if rest and not rest.startswith("#"):
                    raise _GiveUp  # content on the marker line: `--- |`, `--- {a: 1}`
                self.advance()
                continue
            raise _GiveUp


def scan_positions(text: str, first_line: int = 1) -> list[Node] | None:
    """Top items of a block-style YAML text (see :func:`agrees`), or None on doubt.
    ``first_line``: the line number of the text's first line (when scanning a slice)."""
    try:
        return _Scanner(text, first_line).documents()
    except (_GiveUp, IndexError, RecursionError):
        return None


def item_starts(text: str) -> list[tuple[int, int]] | None:
    """(char offset, line) of each top-level ``- `` item when ``text`` is one block sequence
    at column 0 (no document markers, no bare ``-`` lines), else None.  Fast: ``str.find``."""
    at = 1 if text.startswith("\ufeff") else 0
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        stripped = text[at:end].strip()
        if stripped and not stripped.startswith("#"):
            break
        at = end + 1
    if not text.startswith("- ", at) or any(
        m in text for m in ("\n---", "\n...", "\n-\n", "\n-\r")
    ):
        return None
    starts = [(at, text.count("\n", 0, at) + 1)]
    while (nxt := text.find("\n- ", starts[-1][0])) >= 0:
        starts.append((nxt + 1, starts[-1][1] + text.count("\n", starts[-1][0], nxt + 1)))
    return starts


def agrees(nodes: list[Node], items: Sequence[Any]) -> bool:
    """Does the scanned tree match the parsed top items (count, keys, list lengths)?"""
    return len(nodes) == len(items) and all(map(_agrees, nodes, items))


def _agrees(node: Node, value: Any) -> bool:
    if node.kind == "opaque":
        return isinstance(value, dict | list)
    if isinstance(value, dict):
        if node.kind != "map" or len(node.keys) != len(value):
            return False
        for key, child in value.items():
            text = key_text(key)
            if text not in node.keys:
                return False
            sub = node.values.get(text)
            if (child is not None) if sub is None else not _agrees(sub, child):
                return False
        return True
    if isinstance(value, list):
        return node.kind == "opaque" or (node.kind == "seq" and agrees(node.items, value))
    return node.kind == "scalar"
