"""Record starts known for free while reading: where a record-level anchor resolves.

The answer must be exactly :func:`safeledger.read.locate`'s for ``Anchor(index, ())``, so
only the two common layouts are answered, with ``str.find`` / ``re`` over the text already
in memory; anything else is None (locate works it out):

* a block list at column 0 (``- id: …`` items, :func:`.positions.item_starts`): the item's
  line and column 3, when the item's first key follows ``- `` directly;
* a file that is one block mapping (one file per record): its first key's line, column 1,
  after blank lines, comments and at most one bare ``---`` line."""

from __future__ import annotations

import re
from typing import Any

from safeledger.read.positions import item_starts

Start = tuple[int, int] | None

# A plain key at column 0 (``id:``, ``隐患编号:``) ending the key or followed by a space.
_PLAIN_KEY = re.compile(r"\w[\w-]*[ ]*:(?: |$)")
_YAML11_BREAKS = ("\x85", "\u2028", "\u2029")


def record_starts(text: str, items: list[Any]) -> list[Start] | None:
    """(line, column) of each top item of ``text`` (all mappings, as parsed), None where
    not sure; None for the whole file when neither layout applies."""
    if len(items) == 1:
        if type(items[0]) is not dict:
            return None
        if _PLAIN_KEY.match(text):  # the common one-record file: no line loop
            return [_after_first_key(text, 0)]
    elif not items or any(type(item) is not dict for item in items):
        return None
    starts = item_starts(text)
    if starts is None:
        start = _mapping_start(text) if len(items) == 1 else None
        return None if start is None else [start]
    if len(starts) != len(items):
        return None
    return [
        (line, 3) if text[at + 2 : at + 3] not in ("", " ", "\n", "\r", "#") else None
        for at, line in starts
    ]


def starts_with_plain_key(text: str) -> bool:
    """``text`` starts with a plain key at column 0 (``id:``, ``隐患编号:``)."""
    return _PLAIN_KEY.match(text) is not None


def _mapping_start(text: str) -> Start:
    at = 0
    marker = False
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[at:end].rstrip("\r")
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            at = end + 1
            continue
        if line.startswith("---") and not marker:
            rest = line[3:]
            if rest and (rest[0] != " " or rest.strip(" ")[:1] not in ("", "#")):
                return None  # content on the marker line (`--- |`, `--- {a: 1}`)
            marker = True
            at = end + 1
            continue
        if not _PLAIN_KEY.match(line):
            return None  # indented, flow, anchor, tag, quoted key, directive, tab...
        head = text[:at]
        if head.count("\r") != head.count("\r\n") or any(c in head for c in _YAML11_BREAKS):
            return None  # line breaks the line scanner and libyaml count differently
        return _after_first_key(text, at)
    return None


def _after_first_key(text: str, at: int) -> Start:
    """The start of a mapping whose first key is at offset ``at`` (column 1), unless
    more documents follow."""
    if text.find("\n---", at) >= 0 or text.find("\n...", at) >= 0:
        return None
    return text.count("\n", 0, at) + 1, 1
