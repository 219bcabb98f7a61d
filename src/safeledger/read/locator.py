"""Resolving diagnostic anchors (record index + key path) to line and column.

Only files that have unresolved anchors are re-read.  YAML positions come from the line
scanner (:mod:`.positions`) when its tree agrees with the parsed records, else from the
exact libyaml event index (:mod:`.events`).  CSV positions are the row's line and the
header's column."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby
from operator import attrgetter, lt
from pathlib import Path
from typing import Any

import yaml

from safeledger.diagnostics import Diagnostic
from safeledger.read.csv_reader import parse_csv_text
from safeledger.read.events import scan_events
from safeledger.read.nodes import Node, lookup
from safeledger.read.parse import parse_yaml_text
from safeledger.read.positions import agrees, item_starts, scan_positions
from safeledger.read.raw import RawRecord
from safeledger.read.text import UndecodableText, decode_csv_bytes, decode_yaml_bytes


def locate(
    root: Path, diagnostics: list[Diagnostic], *, records: Sequence[RawRecord] | None = None
) -> list[Diagnostic]:
    """Fill line/column of diagnostics that have an anchor but no line; same order.
    ``records`` (from the same read) saves parsing a YAML file again, and a record-level
    anchor of a record whose start the reader knew (``line`` and ``column``) is answered
    from the record without reading its file."""
    anchored = {d.file for d in diagnostics if d.anchor and d.line is None and d.file}
    if not anchored:
        return list(diagnostics)
    by_file: dict[str, list[RawRecord]] = {}
    if records is not None:
        for file, group in groupby(records, attrgetter("file")):
            if file in anchored:
                by_file.setdefault(file, []).extend(group)
    indexes: dict[str, _FileIndex] = {}
    out: list[Diagnostic] = []
    for d in diagnostics:
        anchor = d.anchor
        if anchor and d.line is None and d.file:
            pos = _record_start(by_file.get(d.file), anchor.index) if not anchor.path else None
            if pos is None:
                index = indexes.get(d.file)
                if index is None:
                    recs = by_file.get(d.file)
                    datas = _datas(recs) if recs is not None else None
                    lines = _item_lines(recs)
                    index = indexes[d.file] = _FileIndex(root, d.file, datas, lines)
                pos = index.find(anchor.index, anchor.path)
            if pos is not None:
                d = d.with_position(*pos)
        out.append(d)
    return out


def _datas(records: list[RawRecord]) -> Sequence[dict[str, Any]]:
    """Each record's data as written, for checking the scanner's tree against."""
    if all(r.data or r.model is None for r in records):
        return [r.data for r in records]
    return _Shapes(records)


class _Shapes(Sequence[dict[str, Any]]):
    """The data of records some of which come from the file cache with only their
    model (safeledger.file_cache): such a record took the fast path, so its keys were
    the model's field names and its values their final form; its fields set, dumped
    when asked for, have the shape of what was written (keys, list lengths), which is
    all the scanner's tree is checked against."""

    def __init__(self, records: list[RawRecord]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        rec = self.records[index]
        if rec.data or rec.model is None:
            return rec.data
        return rec.model.model_dump(exclude_unset=True)


def _record_start(records: list[RawRecord] | None, index: int) -> tuple[int, int] | None:
    """Where ``Anchor(index, ())`` resolves, when the reader knew it (YAML)."""
    if records is None or not 0 <= index < len(records):
        return None
    rec = records[index]
    if rec.line is None or rec.column is None or rec.index != index:
        return None
    return rec.line, rec.column


def _item_offsets(data: bytes, lines: list[int]) -> list[int] | None:
    """The byte offset of each item's first line, the items cut as ``item_starts`` cuts
    the text (after the first, each ``\n- `` starts one), or None when the bytes do not
    agree with the start ``lines`` the reader found.  (A line break is one byte in
    UTF-8 and inside no other character, so lines count the same in bytes and text.)"""
    at = 0
    for _ in range(lines[0] - 1):
        at = data.find(b"\n", at) + 1
        if at == 0:
            return None
    offsets = [at, *[m.start() + 1 for m in _NEXT_ITEM.finditer(data, at)]]
    if len(offsets) != len(lines) or data.count(b"\n", at, offsets[-1]) != lines[-1] - lines[0]:
        return None
    return offsets


_NEXT_ITEM = re.compile(rb"\n- ")


def _item_lines(records: list[RawRecord] | None) -> list[int] | None:
    """The start line of each record when the reader found the file to be a block list
    at column 0 whose items all start with their first key (column 3: see read.starts):
    the records are then the lines between two starts, as ``item_starts`` would cut them."""
    if not records:
        return None
    if any(r.column != 3 for r in records) or [r.index for r in records] != list(
        range(len(records))
    ):
        return None
    lines: list[int] = [r.line for r in records]  # type: ignore[misc]  # column 3: known
    return lines if all(map(lt, lines, lines[1:])) else None


class _FileIndex:
    """Positions of one file's records, computed once, scanner first."""

    def __init__(
        self,
        root: Path,
        rel: str,
        datas: Sequence[dict[str, Any]] | None,
        item_lines: list[int] | None = None,
    ) -> None:
        self.rel = rel
        self.text = ""
        # item_lines given: where each record's bytes start; one decoded only when asked for
        self.item_lines: list[int] | None = None
        self.item_offsets: list[int] = []
        self.raw = b""
        self.nodes: list[Node | None] | None = None  # one per record; None: not scanned yet
        self.starts: list[tuple[int, int]] | None = None
        self.datas: Sequence[dict[str, Any]] = []
        self.exact = False
        self.csv_rows: list[int] = []
        self.csv_columns: dict[str, int] = {}
        try:
            data = (root / rel).read_bytes()
            if rel.lower().endswith(".csv"):
                rows, self.csv_columns, _ = parse_csv_text(decode_csv_bytes(data)[0], rel)
                self.csv_rows = [r.line for r in rows if any(c.strip() for c in r.cells)]
                return
            if item_lines is not None and datas is not None and len(item_lines) == len(datas):
                # finding the items in the bytes costs less than decoding and item_starts
                # over the text, or than splitting the bytes into lines (2.5 million
                # objects at 100,000 hazards, then freed)
                offsets = _item_offsets(data, item_lines)
                if offsets is not None:
                    self.item_lines, self.item_offsets = item_lines, offsets
                    self.datas, self.nodes, self.raw = datas, [None] * len(datas), data
                    return
            self.text = decode_yaml_bytes(data)
        except (OSError, UndecodableText):
            return
        self._index(datas)

    def _index(self, datas: Sequence[dict[str, Any]] | None) -> None:
        rel = self.rel
        if datas is None:
            datas = [i for i in parse_yaml_text(self.text, rel).items if type(i) is dict]
        self.datas = datas
        self.starts = item_starts(self.text)
        if self.starts is not None and len(self.starts) == len(datas):
            self.nodes = [None] * len(datas)  # scanned lazily, one record at a time
            return
        self.starts = None
        scanned = scan_positions(self.text)
        if scanned is not None and all(n.kind != "opaque" for n in scanned):
            maps = [n for n in scanned if n.kind == "map"]
            if agrees(maps, datas):
                self.nodes = list[Node | None](maps)
        if self.nodes is None:
            self._exact()

    def _record(self, index: int) -> Node | None:
        assert self.nodes is not None
        node = self.nodes[index]
        if node is None and self.item_lines is not None:
            node = self._item(index)
        if node is None and self.starts is not None:
            start, line = self.starts[index]
            end = self.starts[index + 1][0] if index + 1 < len(self.starts) else len(self.text)
            scanned = scan_positions(self.text[start:end], line)
            if scanned is None or not agrees(scanned, [self.datas[index]]):
                self._exact()
                return self.nodes[index] if self.nodes else None
            node = self.nodes[index] = scanned[0]
        return node

    def _item(self, index: int) -> Node | None:
        """Scan record ``index`` from its lines; on doubt index the whole text instead."""
        assert self.item_lines is not None and self.nodes is not None
        first, offsets = self.item_lines[index], self.item_offsets
        # as text[start:end] of item_starts: up to the next item's start
        end = offsets[index + 1] if index + 1 < len(offsets) else len(self.raw)
        chunk = self.raw[offsets[index] : end]
        try:
            # the text drops a BOM, which can only stand before line 1
            text = chunk.decode("utf-8-sig" if first == 1 else "utf-8")
        except UnicodeDecodeError:
            text = ""
        scanned = scan_positions(text, first) if text else None
        if scanned is not None and agrees(scanned, [self.datas[index]]):
            node = self.nodes[index] = scanned[0]
            return node
        # as without item_lines: the whole text, scanner first, then the event index
        if not self._whole_text():
            return None
        self._index(self.datas)
        return self._record(index) if self.nodes is not None else None

    def _whole_text(self) -> bool:
        """Leave the item_lines way: decode the whole file (False: it is not text)."""
        self.item_lines, self.item_offsets, self.nodes = None, [], None
        try:
            self.text = decode_yaml_bytes(self.raw)
        except UndecodableText:
            return False
        return True

    def _exact(self) -> None:
        self.exact, self.starts = True, None
        if self.item_lines is not None and not self._whole_text():
            return
        try:
            items = scan_events(self.text).items
            self.nodes = [n for n in items if n.kind == "map"]
        except yaml.YAMLError:
            self.nodes = None

    def find(self, index: int, path: tuple[str | int, ...]) -> tuple[int, int] | None:
        if self.csv_rows or self.csv_columns:
            if not 0 <= index < len(self.csv_rows):
                return None
            column = self.csv_columns.get(str(path[0])) if path else None
            return self.csv_rows[index], column or 1
        if self.nodes is None or not 0 <= index < len(self.nodes):
            return None
        if not path and self.starts is not None:
            # A record-level anchor in a block list: the item's own line, no scan needed
            # (compliance findings anchor here, one per overdue hazard or duty gap).
            start, line = self.starts[index]
            if self.text[start + 2 : start + 3] not in ("", " ", "\n", "\r", "#"):
                return line, 3
        node = self._record(index)
        if node is None:
            return None
        line, column, complete = lookup(node, path)
        if not complete and not self.exact:
            self._exact()
            return self.find(index, path)
        return line, column
