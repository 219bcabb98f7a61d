"""Reading one ledger file (YAML or CSV) into raw records and diagnostics."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from safeledger.diagnostics import ERROR, WARNING, Diagnostic
from safeledger.read import codes
from safeledger.read.csv_reader import parse_csv_text, row_data
from safeledger.read.events import scan_events
from safeledger.read.nodes import key_text
from safeledger.read.parse import not_a_record, parse_yaml_text
from safeledger.read.positions import scan_positions
from safeledger.read.raw import RawRecord, RecordKind, SourceFile
from safeledger.read.starts import record_starts
from safeledger.read.text import UndecodableText, decode_csv_bytes, decode_yaml_bytes

MAX_FILE_BYTES = 100 * 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(slots=True)
class FileResult:
    source: SourceFile | None
    records: list[RawRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)  # YAML top items (config reading)


def read_file(
    root: Path, rel: str, kind: RecordKind | Literal["config"], *, size: int | None = None
) -> FileResult:
    """Read ``root/rel``; every problem becomes a diagnostic (never raises on bad input).
    ``size``: the file's size from discovery (saves a ``stat``; a file that changed since
    is still read whole)."""
    result = FileResult(None)
    try:
        # os.open/os.read, not Path.read_bytes: the Path and file objects were most of the
        # cost of reading 160,000 small files.
        fd = os.open(f"{os.fspath(root)}/{rel}", _OPEN_FLAGS)
        try:
            if size is None:
                size = os.fstat(fd).st_size
            if size <= MAX_FILE_BYTES:
                data = os.read(fd, size + 1)
                if len(data) != size:  # changed since its size was taken: read to the end
                    parts, size = [data], len(data)
                    while size <= MAX_FILE_BYTES and (part := os.read(fd, 1 << 20)):
                        parts.append(part)
                        size += len(part)
                    data = b"".join(parts)
        finally:
            os.close(fd)
    except OSError as err:
        result.diagnostics.append(
            _problem(codes.UNREADABLE, f"cannot read the file: {err.strerror or err}", rel, None)
        )
        return result
    if size > MAX_FILE_BYTES:
        result.diagnostics.append(
            _problem(
                codes.TOO_LARGE,
                f"file is {size / 2**20:.0f} MB, over the "
                f"{MAX_FILE_BYTES // 2**20} MB limit; it was skipped",
                rel,
                "Split it into several files (any depth of folders is fine).",
            )
        )
        return result
    return read_data(data, rel, kind)


def read_data(data: bytes, rel: str, kind: RecordKind | Literal["config"]) -> FileResult:
    """The part of :func:`read_file` after the bytes are read (also for files taken from git
    history): checks, decoding, parsing, records."""
    fmt: Literal["yaml", "csv"] = "csv" if rel.lower().endswith(".csv") else "yaml"
    result = FileResult(None)
    result.source = SourceFile(rel, kind, fmt, hashlib.sha256(data).hexdigest())
    nul = data.find(b"\x00")
    if nul >= 0:
        result.diagnostics.append(
            _problem(
                codes.BINARY_FILE,
                f"file holds a NUL byte at offset {nul}: it is binary or UTF-16, "
                "not a text ledger file",
                rel,
                "Save it as UTF-8 text.",
            )
        )
        return result
    try:
        if fmt == "csv" and kind != "config":
            text, result.source.encoding = decode_csv_bytes(data)
        else:
            text = decode_yaml_bytes(data)
    except UndecodableText as err:
        result.diagnostics.append(
            Diagnostic(
                codes.ENCODING,
                ERROR,
                str(err),
                file=rel,
                line=err.line,
                column=err.column,
                hint="Save the file as UTF-8."
                if fmt == "yaml"
                else "Save the file as 'CSV UTF-8' or as Excel's default Chinese CSV (GB18030).",
            )
        )
        return result
    if fmt == "csv" and kind != "config":
        _csv_records(text, rel, kind, result)
    else:
        _yaml_records(text, rel, kind, result)
    result.source.records = len(result.records)
    if not result.records and not result.diagnostics and kind != "config":
        result.diagnostics.append(
            Diagnostic(
                codes.EMPTY_FILE,
                WARNING,
                "file holds no records",
                file=rel,
                hint="Add records or delete the file.",
            )
        )
    return result


def _yaml_records(
    text: str, rel: str, kind: RecordKind | Literal["config"], result: FileResult
) -> None:
    parsed = parse_yaml_text(text, rel)
    result.diagnostics.extend(parsed.diagnostics)
    result.items = parsed.items
    if kind == "config":
        return
    items = parsed.items
    starts = record_starts(text, items)
    if starts is not None:  # all mappings
        for i, (item, at) in enumerate(zip(items, starts, strict=True)):
            line, column = at or (None, None)
            result.records.append(
                RawRecord(kind, rel, i, normalise_keys(item), line, column=column)
            )
        return
    positions: list[tuple[int, int]] | None = None
    records = result.records
    for i, item in enumerate(items):
        if type(item) is dict:
            records.append(RawRecord(kind, rel, len(records), normalise_keys(item)))
            continue
        if positions is None:
            positions = item_positions(text, len(parsed.items))
        result.diagnostics.append(not_a_record(rel, i, item, positions[i]))


def item_positions(text: str, count: int) -> list[tuple[int, int]]:
    """Start of each top item (error path): libyaml events, else the line scanner, else
    the file start when neither parses the text the way yaml-rs did."""
    try:
        nodes = scan_events(text).items
    except yaml.YAMLError:
        nodes = []
    if len(nodes) != count:
        nodes = scan_positions(text) or []
    if len(nodes) != count:
        return [(1, 1)] * count
    return [(n.line, n.column) for n in nodes]


def normalise_keys(item: dict[Any, Any]) -> dict[str, Any]:
    """Top-level keys as text (a YAML key ``1`` or ``true`` is not a string)."""
    try:
        "".join(item)  # fast check (C) that every key is a str
        return item
    except TypeError:
        out: dict[str, Any] = {}
        for k, v in item.items():
            out.setdefault(key_text(k), v)
        return out


def _csv_records(text: str, rel: str, kind: RecordKind, result: FileResult) -> None:
    rows, columns, table = parse_csv_text(text, rel)
    result.diagnostics.extend(table.diagnostics)
    for row in rows:
        data = row_data(row.cells, columns)
        if data:
            result.records.append(
                RawRecord(kind, rel, len(result.records), data, line=row.line, key_columns=columns)
            )


def _problem(code: str, message: str, rel: str, hint: str | None) -> Diagnostic:
    return Diagnostic(code, ERROR, message, file=rel, line=None, column=None, hint=hint)
