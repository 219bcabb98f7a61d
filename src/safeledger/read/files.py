"""Reading one ledger file (YAML or CSV) into raw records and diagnostics."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
import yaml_rs

from safeledger.diagnostics import ERROR, WARNING, Diagnostic
from safeledger.read import codes
from safeledger.read.csv_reader import parse_csv_text, row_data
from safeledger.read.events import scan_events
from safeledger.read.nodes import key_text
from safeledger.read.parse import (
    ALIAS_LIMITS,
    may_be_deep,
    may_have_leading_zeros,
    not_a_record,
    parse_yaml_text,
)
from safeledger.read.positions import scan_positions
from safeledger.read.raw import RawRecord, RecordKind, SourceFile
from safeledger.read.starts import record_starts, starts_with_plain_key
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
    data = _load(root, rel, size)
    return data if isinstance(data, FileResult) else read_data(data, rel, kind)


def read_files_batched(
    root: Path, entries: Iterable[tuple[str, RecordKind, int | None]]
) -> list[FileResult]:
    """:func:`read_file` of each ``(rel, kind, size)``, with the same results.

    Small files holding one plain block mapping (the one-file-per-record layout) are
    parsed ``BATCH_FILES`` at a time, as one multi-document YAML stream, by one yaml-rs
    call: the per-file calls and checks were a third of reading such a file.  Only files
    for which the stream cannot differ from the file alone are batched (see
    :func:`_batchable`), and a batch that does not parse into one mapping per file is
    read again file by file, so problems are always reported as a lone read reports them."""
    results: list[FileResult] = []
    batch: list[_Batched] = []
    for rel, kind, size in entries:
        data = _load(root, rel, size)
        if isinstance(data, FileResult):
            results.append(data)
            continue
        text = _batchable(data, rel)
        if text is None:
            results.append(read_data(data, rel, kind))
            continue
        batch.append((len(results), rel, kind, data, text))
        results.append(_PENDING)
        if len(batch) == BATCH_FILES:
            _parse_batch(batch, results)
            batch = []
    _parse_batch(batch, results)
    return results


BATCH_FILES = 32
_BATCH_MAX_BYTES = 16 * 1024
_PENDING = FileResult(None)
_Batched = tuple[int, str, RecordKind, bytes, str]  # result index, rel, kind, bytes, text


def _batchable(data: bytes, rel: str) -> str | None:
    """The text of a small UTF-8 YAML file (no BOM) that ends with a line break and starts
    with a plain key at column 0 (no directive, marker or comment before it), else None.
    The rest of what batching needs is checked over the whole batch (:func:`_plain`)."""
    if len(data) > _BATCH_MAX_BYTES or data[-1:] != b"\n" or rel.lower().endswith(".csv"):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if starts_with_plain_key(text) else None


def _plain(text: str, markers: int) -> bool:
    """``text`` (a file, or a batch with ``markers`` separators) parses the same alone or
    in a stream: no other document markers, no NUL, no anchors or aliases (the alias
    limits count per call), no directives, no scalars that may keep leading zeros
    (parse.py quotes those first), no deep nesting (checked after parsing)."""
    return (
        text.count("\n---") == markers
        and "\n..." not in text
        and "\x00" not in text
        and "&" not in text
        and "*" not in text
        and "\n%" not in text
        and not may_be_deep(text)
        and not may_have_leading_zeros(text)
    )


def _parse_batch(batch: list[_Batched], out: list[FileResult]) -> None:
    stream = "---\n".join([text for *_, text in batch])
    if not _plain(stream, len(batch) - 1):  # rare: find the files that are not
        lone = [b for b in batch if not _plain(b[4], 0)]
        for at, rel, kind, data, _ in lone:
            out[at] = read_data(data, rel, kind)
        batch = [b for b in batch if _plain(b[4], 0)]
        stream = "---\n".join([text for *_, text in batch])
    loaded: Any = None
    if len(batch) > 1:
        try:
            loaded = yaml_rs.loads(stream, alias_limits=ALIAS_LIMITS)
        except Exception:  # any problem is reported by the lone reads below
            loaded = None
    if (
        type(loaded) is not list
        or len(loaded) != len(batch)
        or not all(type(item) is dict for item in loaded)
    ):
        for at, rel, kind, data, _ in batch:
            out[at] = read_data(data, rel, kind)
        return
    for (at, rel, kind, data, _), item in zip(batch, loaded, strict=True):
        # as read_data: one record starting at line 1, column 1 (record_starts)
        source = SourceFile(rel, kind, "yaml", hashlib.sha256(data).hexdigest(), records=1)
        record = RawRecord(kind, rel, 0, normalise_keys(item), 1, column=1)
        out[at] = FileResult(source, [record], items=[item])


def _load(root: Path, rel: str, size: int | None) -> bytes | FileResult:
    """The bytes of ``root/rel``, or the result saying why it is not read."""
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
        message = f"cannot read the file: {err.strerror or err}"
        return FileResult(None, diagnostics=[_problem(codes.UNREADABLE, message, rel, None)])
    if size > MAX_FILE_BYTES:
        return FileResult(
            None,
            diagnostics=[
                _problem(
                    codes.TOO_LARGE,
                    f"file is {size / 2**20:.0f} MB, over the "
                    f"{MAX_FILE_BYTES // 2**20} MB limit; it was skipped",
                    rel,
                    "Split it into several files (any depth of folders is fine).",
                )
            ],
        )
    return data


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
