"""Parsing many files, or one big file, on several cores.

Files are grouped into consecutive batches of about equal bytes.  A big YAML file that is
one top-level block sequence is cut at lines starting with ``- `` at column 0 (always a
new top-level item) and the pieces are parsed in parallel; if any piece has a problem
(an alias defined in another piece, a syntax error, a non-mapping item...) the file is
read again whole, so results never differ from an in-process read."""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safeledger._gc import no_cycle_collection
from safeledger.read.files import FileResult, normalise_keys, read_file, read_files_batched
from safeledger.read.parse import parse_yaml_text
from safeledger.read.raw import RawRecord, RecordKind, SourceFile
from safeledger.read.starts import record_starts
from safeledger.read.text import UndecodableText, decode_yaml_bytes

# Measured (docs/reader.md): sending parsed records back from a worker (pickle, dates are
# slow) costs about as much as parsing them, so on 2 cores a pool was slower than reading
# in-process.  ``workers=None`` therefore reads in-process until that changes.
AUTO_POOL = False
POOL_MIN_BYTES = 4 * 1024 * 1024  # below this a pool costs more than it saves
SPLIT_MIN_BYTES = 8 * 1024 * 1024  # a YAML file bigger than this is parsed in pieces
Entry = tuple[str, RecordKind, int | None]  # relative path, kind, size (None: not taken)

# What a file of unknown size counts as: a one-record file (a walk leaves the sizes out
# only for ledgers of thousands of files: read.discover.LAZY_MIN_FILES).
TYPICAL_FILE_BYTES = 400
SAMPLE_EVERY = 64  # estimate_sizes: one file in this many is looked at


def entry_bytes(entry: Entry) -> int:
    """The file's size, or :data:`TYPICAL_FILE_BYTES` when it was not taken."""
    return TYPICAL_FILE_BYTES if entry[2] is None else entry[2]


def estimate_sizes(root: Path, entries: list[Entry]) -> list[Entry]:
    """``entries`` with each size not taken replaced by the mean size of that kind's
    files, from a ``stat`` of one file in :data:`SAMPLE_EVERY` (to share work out
    fairly: a district's activities are a third of its hazards' size)."""
    if all(e[2] is not None for e in entries):
        return entries
    seen: dict[str, list[int]] = {}
    for rel, kind, size in entries[::SAMPLE_EVERY]:
        try:
            seen.setdefault(kind, []).append(os.stat(root / rel).st_size if size is None else size)
        except OSError:
            continue
    mean = {kind: sum(sizes) // len(sizes) for kind, sizes in seen.items()}
    return [
        (rel, kind, mean.get(kind, TYPICAL_FILE_BYTES) if size is None else size)
        for rel, kind, size in entries
    ]


@dataclass(slots=True)
class _Piece:
    rel: str
    kind: RecordKind
    start: int
    end: int
    digest: str  # of the whole file
    last: bool


def read_files(root: Path, entries: list[Entry], workers: int | None) -> list[FileResult]:
    """Read ``entries`` in order, in a process pool when worth it (see the module doc)."""
    total = sum(map(entry_bytes, entries))
    if workers is None:
        workers = (os.cpu_count() or 1) if AUTO_POOL and total > POOL_MIN_BYTES else 1
    if workers <= 1:
        return _read_batch(root, entries)
    tasks: list[list[Entry] | _Piece] = []
    target = max(1, total // (workers * 4))
    batch: list[Entry] = []
    filled = 0
    for entry in entries:
        big = entry_bytes(entry) > SPLIT_MIN_BYTES and not entry[0].lower().endswith(".csv")
        pieces = _pieces(root, entry, workers * 2) if big else None
        if pieces or filled >= target:
            tasks += [batch] if batch else []
            batch, filled = [], 0
        if pieces:
            tasks += pieces
            continue
        batch.append(entry)
        filled += entry_bytes(entry) + 512  # per-file cost counts too
    tasks += [batch] if batch else []
    if len(tasks) < 2:
        return _read_batch(root, entries)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with (
        no_cycle_collection(),  # unpickling results allocates many containers, no cycles
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool,
    ):
        done = list(pool.map(_run, [root] * len(tasks), tasks))
        return _assemble(root, tasks, done)


def _run(root: Path, task: list[Entry] | _Piece) -> list[FileResult] | list[Any] | None:
    if isinstance(task, list):
        return _read_batch(root, task)
    with open(root / task.rel, "rb") as f:
        f.seek(task.start)
        data = f.read(task.end - task.start)
    try:
        parsed = parse_yaml_text(decode_yaml_bytes(data), task.rel)
    except ValueError:
        return None
    if parsed.diagnostics or b"\x00" in data or any(type(i) is not dict for i in parsed.items):
        return None
    return parsed.items


def _assemble(root: Path, tasks: list[list[Entry] | _Piece], done: list[Any]) -> list[FileResult]:
    results: list[FileResult] = []
    pieces: dict[str, list[list[Any] | None]] = {}
    for task, out in zip(tasks, done, strict=True):
        if isinstance(task, list):
            results.extend(out)
            continue
        pieces.setdefault(task.rel, []).append(out)
        if task.last:
            results.append(_join(root, task, pieces.pop(task.rel)))
    return results


def _join(root: Path, last: _Piece, parts: list[list[Any] | None]) -> FileResult:
    rel, kind = last.rel, last.kind
    if any(p is None for p in parts):
        return read_file(root, rel, kind)
    source = SourceFile(rel, kind, "yaml", last.digest)
    items = [item for part in parts for item in part or ()]
    if not items:
        return read_file(root, rel, kind)
    try:  # record starts as an in-process read gives them (the text is needed whole)
        starts = record_starts(decode_yaml_bytes((root / rel).read_bytes()), items)
    except (OSError, UndecodableText):
        starts = None
    records = []
    for i, (item, at) in enumerate(zip(items, starts or [None] * len(items), strict=True)):
        line, column = at or (None, None)
        records.append(RawRecord(kind, rel, i, normalise_keys(item), line, column=column))
    source.records = len(records)
    return FileResult(source, records)


def _pieces(root: Path, entry: Entry, count: int) -> list[_Piece] | None:
    """Cut points of a file that is one top-level block sequence, or None."""
    rel, kind, _ = entry
    data = (root / rel).read_bytes()
    head = data.lstrip(b"\xef\xbb\xbf")
    first = next(
        (ln for ln in head.split(b"\n", 50) if ln.strip() and not ln.startswith(b"#")), b""
    )
    if not first.startswith(b"- ") or b"\n---" in data or b"\n..." in data:
        return None
    cuts, step = [0], len(data) // count
    while (at := data.find(b"\n- ", cuts[-1] + step)) >= 0:
        cuts.append(at + 1)
    cuts.append(len(data))
    digest = hashlib.sha256(data).hexdigest()
    return [_Piece(rel, kind, a, b, digest, b == len(data)) for a, b in itertools.pairwise(cuts)]


def _read_batch(root: Path, entries: list[Entry]) -> list[FileResult]:
    with no_cycle_collection():  # parsed data has no cycles
        return read_files_batched(root, entries)
