"""The parsed and validated records of each record file, kept by the file's content hash.

The result cache (:mod:`safeledger.cache`) answers when *nothing* changed; a pre-commit
hook always runs after something did.  Without this cache, one edited file of 160,000
meant reading and validating all of them again (8 s at 100,000 hazards).  With it, a
file whose content hash (from the stat index: the key's walk) is the same as when it
was last read is not read: its records come back as the reader and the validator made
them — the records with their positions, the reader's diagnostics, and each record's
model when validation took the fast path (:mod:`safeledger.validate.fast`); a record
that took the lenient path is kept as written and validated again (it is the one that
explains its mistakes).  The rules (which depend on ``today``, ``--as-of``, the
config, the evidence and the other records) always run again.

Layout: one folder per ledger root under ``files/`` in the cache folder, holding
*segments*.  A run that reads files from disk writes one segment with them (each
process its own, after the answer); a segment none of whose files is current any more
is removed, and a root keeps at most :data:`MAX_SEGMENTS` (the least useful go first:
their files are simply read again and stored anew).  A segment is ``MAGIC``, the
header's length, a marshalled header — format, safeledger version, the codec's
fingerprint, and per chunk its offset, length and files ``(path, kind, digest)`` — then
the chunks, each one marshalled ``(models by columns, files)`` of up to
:data:`CHUNK_RECORDS` records, so that a process decodes only the chunks holding its
files.  marshal, never pickle: an entry cannot run code.  Any doubt — a damaged or
foreign segment, a value the codec refuses — and the file is read from disk instead."""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import os
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from safeledger import __version__
from safeledger.cache import root_name
from safeledger.diagnostics import pack_diagnostic, unpack_diagnostic
from safeledger.model.codec import RECORD_CODEC, CodecError
from safeledger.read.files import FileResult
from safeledger.read.ledger import Reader
from safeledger.read.pool import Entry, read_files
from safeledger.read.raw import RECORD_KINDS, RawRecord, SourceFile
from safeledger.validate import ENTERPRISE_DEFAULTS

FORMAT = 1
MAGIC = b"SLFC1\n"
MAX_SEGMENTS = 24  # per ledger root
KEEP_ROOTS = 8  # ledger roots kept, the most recently used
CHUNK_RECORDS = 4096  # records per chunk (a process decodes only the chunks it needs)
_LENGTH_BYTES = 8

# Where a file is kept: (segment, chunk number, position of the file in the chunk)
_Place = tuple[Path, int, int]
_Header = list[tuple[int, int, list[tuple[str, str, str]]]]  # per chunk: (offset, length, files)


def reader_of(files: FileCache | None) -> Reader:
    """How a list of files is read: from ``files`` when there is a file cache."""
    return read_files if files is None else files.read


class FileCache:
    """The kept files of one ledger ``root`` in cache folder ``directory``.

    ``known``: each record file's SHA-256 as it is now, by path (the stat index gives
    them before any file is read); None on a first run, when nothing kept can be
    matched: files are then only stored.  :meth:`read` is :func:`read_files` with kept
    files taken from here; :meth:`store` keeps the files it read from disk."""

    def __init__(self, directory: Path, root: Path, known: Mapping[str, str] | None) -> None:
        self.folder = directory / "files" / root_name(root)
        self.known = known
        self.fresh: list[FileResult] = []  # read from disk by this process, to keep
        self._places: dict[tuple[str, str, str], _Place] | None = None
        self._headers: dict[Path, _Header] = {}
        # files of chunks decoded already, not asked for yet (a caller reading its files
        # a few at a time, for a progress bar, would decode a chunk again for each)
        self._ready: dict[str, FileResult] = {}
        self._opened: set[tuple[Path, int]] = set()  # chunks decoded (or tried)
        self._live: dict[Path, int] = {}  # segment -> how many of its files are current

    # -- reading -----------------------------------------------------------------

    def read(self, root: Path, entries: list[Entry], workers: int | None) -> list[FileResult]:
        """:func:`safeledger.read.pool.read_files` of ``entries``, in order, each file
        whose content is kept coming from here instead of the disk."""
        kept = self.lookup(entries)
        todo = [e for e in entries if e[0] not in kept]
        read = iter(read_files(root, todo, workers) if todo else ())
        out: list[FileResult] = []
        for rel, _, _ in entries:
            result = kept.get(rel)
            if result is None:
                result = next(read)
                self.fresh.append(result)
            out.append(result)
        return out

    def lookup(self, entries: Iterable[Entry]) -> dict[str, FileResult]:
        """The kept results of those of ``entries`` whose content is unchanged, by path."""
        known = self.known
        if not known:
            return {}
        places = self._index()
        wanted: list[tuple[str, _Place]] = []
        for rel, kind, _ in entries:
            digest = known.get(rel)
            place = places.get((rel, kind, digest)) if digest is not None else None
            if place is not None:
                wanted.append((rel, place))
        ready = self._ready
        for _, (segment, number, _) in wanted:
            if (segment, number) not in self._opened:
                self._opened.add((segment, number))
                ready.update(_decoded(segment, self._headers[segment][number], known))
        return {rel: ready.pop(rel) for rel, _ in wanted if rel in ready}

    def _index(self) -> dict[tuple[str, str, str], _Place]:
        if self._places is None:
            self._places = {}
            known = self.known or {}
            for segment in _segments(self.folder):
                header = _header(segment)
                if header is None:
                    continue
                self._headers[segment] = header
                live = 0
                for number, (_, _, files) in enumerate(header):
                    for position, (rel, kind, digest) in enumerate(files):
                        if known.get(rel) == digest:
                            live += 1
                            place = (segment, number, position)
                            self._places.setdefault((rel, kind, digest), place)
                self._live[segment] = live
        return self._places

    # -- storing -----------------------------------------------------------------

    def store(self, *, prune: bool = True, after: int | None = None) -> None:
        """Keep the files this process read from disk (one new segment), then (with
        ``prune``) drop the segments no longer worth keeping.  Meant for after the
        command's answer; any failure to write is ignored (the next run reads those
        files again).  ``after``: in a process of its own (a load worker's), first wait
        until process ``after`` (the command) has ended — at most
        :data:`WAIT_SECONDS` — so as not to take a core from its last steps."""
        try:
            if after is not None:
                _wait_for_end(after)
            if self.fresh:
                _write_segment(self.folder, self.fresh)
            if prune:
                self.prune()
        except (OSError, ValueError):
            pass

    def prune(self) -> None:
        """Drop the segments none of whose files is current (when the current files are
        known), then the least useful beyond :data:`MAX_SEGMENTS`, then the roots not
        used for longest beyond :data:`KEEP_ROOTS`."""
        if self.known is not None:
            self._index()
            for segment, live in self._live.items():
                if live == 0:
                    segment.unlink(missing_ok=True)
        segments = [s for s in _segments(self.folder) if s.exists()]
        if len(segments) > MAX_SEGMENTS:
            # fewest current files first (unknown ones: new, count as useful), then oldest
            ranked = sorted(segments, key=lambda s: (self._live.get(s, 1 << 30), _mtime(s)))
            for segment in ranked[: len(segments) - MAX_SEGMENTS]:
                segment.unlink(missing_ok=True)
        roots = sorted(
            (p for p in self.folder.parent.iterdir() if p.is_dir()), key=_mtime, reverse=True
        )
        for old in roots[KEEP_ROOTS:]:
            if old != self.folder:
                for segment in _segments(old):
                    segment.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    old.rmdir()


WAIT_SECONDS = 120.0


def _wait_for_end(pid: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except OSError:  # not ours to signal: it exists
            pass
        time.sleep(0.05)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _segments(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob("*.seg"))
    except OSError:
        return []


# -- the segment format ----------------------------------------------------------


def _header(segment: Path) -> _Header | None:
    """A segment's chunks, or None when it is not one of this version's."""
    try:
        with open(segment, "rb") as f:
            head = f.read(len(MAGIC) + _LENGTH_BYTES)
            if len(head) != len(MAGIC) + _LENGTH_BYTES or not head.startswith(MAGIC):
                return None
            size = int.from_bytes(head[len(MAGIC) :], "little")
            data = f.read(size)
        header = marshal.loads(data)
        form, version, fingerprint, chunks = header
        if (form, version, fingerprint) != (FORMAT, __version__, RECORD_CODEC.fingerprint):
            return None
        return list(chunks)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _decoded(
    segment: Path,
    chunk: tuple[int, int, list[tuple[str, str, str]]],
    known: Mapping[str, str],
) -> dict[str, FileResult]:
    """The results of the files of ``chunk`` whose digest is the ``known`` one (none
    when it cannot be read or decoded: those files are then read from disk)."""
    try:
        offset, length, names = chunk
        with open(segment, "rb") as f:
            f.seek(offset)
            data = f.read(length)
        encoded, files = marshal.loads(data)
        models = iter(RECORD_CODEC.decode_all(encoded))
        # every file made (the models are taken in order), the current ones kept
        made = [
            (path, digest, _result(path, kind, digest, meta, models))
            for (path, kind, digest), meta in zip(names, files, strict=True)
        ]
        return {path: result for path, digest, result in made if known.get(path) == digest}
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError, CodecError):
        return {}


def _result(
    rel: str, kind: Any, digest: str, meta: tuple[Any, ...], models: Iterator[Any]
) -> FileResult:
    form, encoding, count, diagnostics, records = meta
    return FileResult(
        SourceFile(rel, kind, form, digest, encoding, count),
        [
            RawRecord(kind, rel, index, {}, line, key_columns, column, next(models))
            if raw is None
            else RawRecord(kind, rel, index, _decode_raw(raw), line, key_columns, column)
            for index, line, column, key_columns, raw in records
        ],
        list(map(unpack_diagnostic, diagnostics)) if diagnostics else [],
    )


def _write_segment(folder: Path, results: Sequence[FileResult]) -> None:
    from safeledger.fileio import write_atomic

    chunks: list[tuple[bytes, list[tuple[str, str, str]]]] = []
    group: list[FileResult] = []
    count = 0
    for result in results:
        source = result.source
        if source is None or source.kind not in RECORD_KINDS:
            continue
        group.append(result)
        count += len(result.records)
        if count >= CHUNK_RECORDS:
            chunks.extend(_chunk(group))
            group, count = [], 0
    chunks.extend(_chunk(group))
    if not chunks:
        return
    table: _Header = []
    offset = 0  # from the first chunk; made absolute below
    for blob, names in chunks:
        table.append((offset, len(blob), names))
        offset += len(blob)
    # The header's size depends on the offsets it holds: fix them after one measure.
    header = marshal.dumps((FORMAT, __version__, RECORD_CODEC.fingerprint, table))
    start = len(MAGIC) + _LENGTH_BYTES + len(header) + 64
    table = [(start + o, n, names) for o, n, names in table]
    header = marshal.dumps((FORMAT, __version__, RECORD_CODEC.fingerprint, table))
    room = start - len(MAGIC) - _LENGTH_BYTES
    if len(header) > room:
        raise ValueError("segment header outgrew its room")
    header = header.ljust(room, b"\0")  # marshal.loads ignores what follows
    parts = [MAGIC, len(header).to_bytes(_LENGTH_BYTES, "little"), header]
    name = f"{secrets.token_hex(8)}-{os.getpid()}.seg"
    write_atomic(folder / name, [*parts, *(blob for blob, _ in chunks)])


def _chunk(group: list[FileResult]) -> list[tuple[bytes, list[tuple[str, str, str]]]]:
    """One chunk of these files, or none when something in it cannot be kept."""
    if not group:
        return []
    models: list[Any] = []
    files: list[tuple[Any, ...]] = []
    names: list[tuple[str, str, str]] = []
    try:
        for result in group:
            source = result.source
            assert source is not None
            records = []
            for rec in result.records:
                if rec.model is not None and rec.data:
                    models.append(_as_validated(rec))
                    raw = None
                else:
                    raw = _encode_raw(rec.data)
                records.append((rec.index, rec.line, rec.column, rec.key_columns, raw))
            diagnostics = [pack_diagnostic(d) for d in result.diagnostics]
            files.append((source.format, source.encoding, source.records, diagnostics, records))
            names.append((source.path, source.kind, source.digest))
        blob = marshal.dumps((RECORD_CODEC.encode_all(models), files))
    except (CodecError, ValueError, TypeError):
        return []
    return [(blob, names)]


def _as_validated(rec: RawRecord) -> Any:
    """The record's model as validation made it.  A hazard's empty community and
    domain are filled from its enterprise afterwards, in place
    (:func:`safeledger.validate.fill_enterprise_defaults`); what the file itself says
    is kept, in a copy, so that a later run fills them from the enterprise as it is
    then.  (A fast-path record's values are its written ones: validate.fast.)"""
    model = rec.model
    if rec.kind != "hazards":
        return model
    values = model.__dict__
    written = rec.data
    original = {k: written.get(k) for k in ENTERPRISE_DEFAULTS}
    if all(values[k] == original[k] for k in ENTERPRISE_DEFAULTS):
        return model
    copy = model.model_copy()
    copy.__dict__.update(original)
    return copy


# Raw values as YAML and CSV readers give them, in a form marshal writes: a tuple is a
# tag (no reader makes tuples); anything else is refused (the file is not kept).
def _encode_raw(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:
        return [_encode_raw(v) for v in value]
    if kind is dict:
        return ("m", [_encode_raw(x) for item in value.items() for x in item])
    if kind is dt.date:
        return ("d", value.toordinal())
    if kind is dt.datetime and value.tzinfo is None:
        return ("t", value.isoformat())
    raise TypeError(f"not kept: {kind.__name__}")


def _decode_raw(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_decode_raw(v) for v in value]
    if kind is not tuple:
        return value
    tag, body = value
    if tag == "m":
        items = [_decode_raw(v) for v in body]
        return dict(zip(items[::2], items[1::2], strict=True))
    if tag == "d":
        return dt.date.fromordinal(body)
    if tag == "t":
        return dt.datetime.fromisoformat(body)
    raise ValueError(f"unknown tag {tag!r}")
