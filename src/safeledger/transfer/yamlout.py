"""Imported records as readable YAML: block style, canonical English keys, ISO dates,
strings quoted only when a plain scalar would read as something else (``"0431-123"``
stays text, ``"2025-03-01"`` in a text field stays text), multi-line cells as ``|``
blocks, and a header comment saying where the records came from.

ruamel.yaml's round-trip dumper does the quoting decisions (it knows the YAML 1.2
resolver the reader uses), so nothing here hand-formats scalars."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.default_flow_style = False
    y.width = 4096  # never fold long Chinese lines
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    return y


def _node(value: Any) -> Any:
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = _node(v)
        return m
    if isinstance(value, list):
        return CommentedSeq([_node(v) for v in value])
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.replace("\r\n", "\n").rstrip("\n"))
    return value


def dump_records(records: list[dict[str, Any]], comment: list[str], *, as_list: bool) -> str:
    """One record as a mapping (``as_list`` False), or records as a sequence of mappings
    (``- id: …`` at the left margin, the example ledger's style).  ``comment`` lines go
    at the top as ``# …``; a mapping gets a blank line after them."""
    y = _yaml()
    head = "".join(f"# {line}\n" for line in comment)
    if not as_list:
        (record,) = records
        buf = io.StringIO()
        y.dump(_node(record), buf)
        return head + ("\n" if comment else "") + buf.getvalue()
    parts = []
    for record in records:
        buf = io.StringIO()
        y.dump(_node(record), buf)
        lines = buf.getvalue().splitlines(keepends=True)
        parts.append(
            "".join(
                ("- " if i == 0 else "  ") + line if line.strip() else line
                for i, line in enumerate(lines)
            )
        )
    return head + "\n".join(parts)
