"""A cache of check results, outside the ledger, so that ``safeledger check`` run again on
an unchanged ledger answers in a fraction of the time (docs/performance.md).

The key is a SHA-256 over everything a check result depends on:

* the safeledger version and this module's ``CACHE_FORMAT``;
* the ledger root path, ``today``, ``as_of``, ``strict`` and ``compliance``;
* the bytes of ``safeledger.yaml`` and of every record file (path, whose first folder
  is its kind, and content hash), in the reader's order, and what discovery said about
  links;
* the list of files under ``evidence/``;
* the interrupted imports waiting in ``.safeledger-staging/`` (the reader warns about
  them, and they change nothing else).

Evidence or plan paths that point outside ``evidence/`` are looked up on disk by the
rules; those lookups are recorded with the entry and repeated on a hit (a different
answer is a miss).

``status`` and ``report`` keep the loaded ledger itself (``loaded/``:
:meth:`CheckCache.get_loaded`): the validated records in the compact form of
:mod:`safeledger.model.codec`, where they are written, and the load's diagnostics; a hit
skips reading and validating (≈ 4× faster at 100,000 hazards than loading).

The record files' hashes come from a stat index (:class:`StatIndex`, under ``stat/``):
an unchanged file is not read again.  With no index yet (a first run) and many files,
they come from the loader, which reads every file anyway: the key is finished after the
check (:meth:`CheckCache.begin_key`, :class:`PendingKey`).  ``check`` also keeps its
output text per result and form (``rendered/``: :meth:`CheckCache.rendered`), so an
unchanged ledger is answered without loading or rendering its diagnostics.

Location: ``$SAFELEDGER_CACHE_DIR`` if set, else the user cache folder
(``platformdirs.user_cache_dir("safeledger")``), one JSON file per key under
``checks/``.  Reading is defensive: any failure (missing, truncated, corrupt, another
version, a key mismatch) is a miss, never a wrong answer.  Writes are atomic
(:func:`safeledger.fileio.write_atomic`); failing to write is silently ignored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeledger import __version__
from safeledger.diagnostics import Diagnostic
from safeledger.fileio import pending_batches
from safeledger.read.discover import LAZY_MIN_FILES, Discovery, Found
from safeledger.read.evidence import evidence_problem, list_evidence
from safeledger.read.raw import CONFIG_FILE

if TYPE_CHECKING:  # the loaded-ledger entries import models only when used (start-up)
    from safeledger.validate.ledger import Ledger, Sources

__all__ = [
    "CACHE_ENV",
    "CACHE_FORMAT",
    "CachedLoad",
    "CheckCache",
    "PendingKey",
    "ProbedEvidence",
    "default_cache_dir",
]

CACHE_ENV = "SAFELEDGER_CACHE_DIR"
CACHE_FORMAT = 3
_DIAG_FIELDS = ("code", "severity", "message", "file", "line", "column", "record", "field", "hint")

Progress = Callable[[int, int], None]  # (files done, files in all)


def default_cache_dir() -> Path:
    """``$SAFELEDGER_CACHE_DIR``, else the user cache folder of the platform."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("safeledger", appauthor=False))


class ProbedEvidence(set[str]):
    """The evidence listing, remembering which other paths the rules asked about (those
    are looked up on disk, so a cached answer must look them up again)."""

    def __init__(self, files: Iterable[str]) -> None:
        super().__init__(files)
        self.misses: set[str] = set()

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        if not found and isinstance(key, str):
            self.misses.add(key)
        return found


@dataclass(slots=True)
class CachedCheck:
    diagnostics: list[Diagnostic]
    records: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CachedLoad:
    ledger: Ledger
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class CheckCache:
    """Check results keyed by the ledger's content (see the module doc)."""

    directory: Path
    # probe answers of the results this instance stored or found (for put_rendered)
    _probes: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)
    _pinned: tuple[tuple[object, ...], PendingKey] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def default(cls) -> CheckCache:
        return cls(default_cache_dir())

    def pinned(
        self,
        key: PendingKey,
        root: Path,
        *,
        today: dt.date,
        as_of: dt.date,
        strict: bool,
        compliance: bool,
    ) -> CheckCache:
        """This cache, answering :meth:`begin_key` (and :meth:`key`) for these arguments
        with ``key`` (what :meth:`begin_key` just returned) instead of walking and
        hashing the ledger again: for a caller that asked for the key itself (``check``
        looks for a rendered answer first)."""
        args = (root, today, as_of, strict, compliance)
        return CheckCache(self.directory, self._probes, (args, key))

    def key(
        self,
        root: Path,
        *,
        today: dt.date,
        as_of: dt.date,
        strict: bool,
        compliance: bool,
        progress: Progress | None = None,
        split: bool | None = None,
    ) -> tuple[str, list[str]]:
        """The key of a check of ``root``, and the evidence listing (reused by the check).
        ``split`` as for :func:`safeledger.read.discover.discover_stats`."""
        return self.begin_key(
            root,
            today=today,
            as_of=as_of,
            strict=strict,
            compliance=compliance,
            progress=progress,
            split=split,
        ).finish()

    def begin_key(
        self,
        root: Path,
        *,
        today: dt.date,
        as_of: dt.date,
        strict: bool,
        compliance: bool,
        progress: Progress | None = None,
        split: bool | None = None,
        defer: bool = False,
    ) -> PendingKey:
        """:meth:`key`, but with the record files' digests left to :meth:`PendingKey.finish`
        when ``defer`` and nothing is known about this ledger (no stat index: a first
        run) and it has many files: then no stored answer can be found anyway, and the
        loader, which reads every file, gives the digests (docs/performance.md, "The
        result cache").  Otherwise the key is complete at once."""
        if self._pinned is not None and self._pinned[0] == (root, today, as_of, strict, compliance):
            return self._pinned[1]
        h = hashlib.sha256()
        feed = partial(_feed, h)
        feed("safeledger", __version__, CACHE_FORMAT, root.resolve(), today, as_of, strict)
        feed(compliance)
        feed(CONFIG_FILE, _digest(root / CONFIG_FILE))
        index_path = self._stat_path(root)
        index = StatIndex.load(index_path)  # before the stats (racy rule)
        # A first run (no index) may be finished later: then it needs no stats before
        # its answer; they are taken when the key is finished (after the reads).
        first = defer and not index.paths_text
        discovery = Discovery.of(root, split=split, lazy=first)
        pending = PendingKey(
            h,
            root,
            index,
            index_path,
            discovery,
            sorted(list_evidence(root)),
            pending_batches(root),
        )
        if not (first and len(discovery.found) >= DEFER_HASHING_FILES):
            pending.finish(progress=progress)
        return pending

    def _stat_path(self, root: Path) -> Path:
        return self.directory / "stat" / f"{root_name(root)}.idx"

    def _path(self, key: str) -> Path:
        return self.directory / "checks" / f"{key}.json"

    def get(self, key: str, root: Path) -> CachedCheck | None:
        """The stored result for ``key``, or None (a miss) on any doubt."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                return None
            if data.get("version") != __version__:
                return None
            for path, answer in data["probes"]:
                if evidence_problem(path, root, set()) != answer:
                    return None
            diags = [Diagnostic(*(row[f] for f in _DIAG_FIELDS)) for row in data["diagnostics"]]
            records = {str(k): int(v) for k, v in data["records"].items()}
            if not all(type(d.code) is str and type(d.message) is str for d in diags):
                return None
            self._probes[key] = data["probes"]
            return CachedCheck(diags, records)
        except Exception:  # a cache must never break a check: any failure is a miss
            return None

    def put(
        self,
        key: str,
        root: Path,
        diagnostics: list[Diagnostic],
        records: dict[str, int],
        probed: Iterable[str] = (),
    ) -> None:
        """Store a result (atomically); errors are ignored (the cache is optional)."""
        from safeledger.fileio import write_atomic

        try:
            data: dict[str, Any] = {
                "format": CACHE_FORMAT,
                "version": __version__,
                "key": key,
                "probes": [[p, evidence_problem(p, root, set())] for p in sorted(probed)],
                "records": records,
                "diagnostics": [{f: getattr(d, f) for f in _DIAG_FIELDS} for d in diagnostics],
            }
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            write_atomic(path, text.encode("utf-8"))
            self._probes[key] = data["probes"]
            _prune(path.parent, path, 32)  # the newest 32 results
        except Exception:
            return

    # --- loaded ledgers (status, report) ------------------------------------------------

    def begin_loaded_key(
        self,
        root: Path,
        *,
        today: dt.date,
        progress: Progress | None = None,
        split: bool | None = None,
        defer: bool = False,
    ) -> PendingKey:
        """The key of the loaded ledger at ``root`` (loading depends on ``today`` through
        the "no date after today" rule), begun as :meth:`begin_key` begins a key."""
        return self.begin_key(
            root,
            today=today,
            as_of=today,
            strict=False,
            compliance=False,
            progress=progress,
            split=split,
            defer=defer,
        )

    def _last_path(self, root: Path) -> Path:
        return self.directory / "loaded" / f"{root_name(root)}.last"

    def last_loaded(self, root: Path, *, min_bytes: int = 0) -> str | None:
        """The key of the ledger at ``root`` last stored or found here (a guess at the
        answer of :meth:`begin_loaded_key` while it is being worked out), when its entry is
        still there and at least ``min_bytes`` big; else None."""
        try:
            key = self._last_path(root).read_text(encoding="ascii").strip()
            if len(key) != 64 or self._loaded_path(key).stat().st_size < min_bytes:
                return None
            return key
        except (OSError, ValueError):
            return None

    def indexed_files(self, root: Path) -> int:
        """How many record files the stat index of ``root`` holds (0: none), from its
        head line only."""
        try:
            with open(self._stat_path(root), "rb") as f:
                return int(json.loads(f.readline())["count"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0

    def remember_loaded(self, root: Path, key: str) -> None:
        """Remember ``key`` as the last loaded key of ``root``; errors are ignored."""
        from safeledger.fileio import write_atomic

        if self.last_loaded(root) == key:
            return
        try:
            path = self._last_path(root)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, key.encode("ascii"))
            _prune(path.parent, path, 32, "*.last")
        except Exception:
            return

    def _loaded_path(self, key: str) -> Path:
        return self.directory / "loaded" / f"{key}.bin"

    def get_loaded(self, key: str, root: Path) -> CachedLoad | None:
        """The loaded ledger stored for ``key`` (records, where they are written, the
        load's diagnostics), or None (a miss) on any doubt.  File: a JSON head line,
        then the marshal dump of the encoded parts."""
        import marshal

        from safeledger.model.codec import RECORD_CODEC
        from safeledger.validate.ledger import Ledger

        try:
            found = _read_entry(
                self._loaded_path(key), root, key=key, codec=RECORD_CODEC.fingerprint
            )
            if found is None:
                return None
            _, body = found
            config, enterprises, hazards, activities, sources, diags = marshal.loads(body)
            decode_all = RECORD_CODEC.decode_all
            ledger = Ledger(root, RECORD_CODEC.decode(config))  # type: ignore[arg-type]
            ledger.enterprises = decode_all(enterprises)
            ledger.hazards = decode_all(hazards)
            ledger.activities = decode_all(activities)
            # Made when first asked for (marshalled apart for this): status and reports
            # never ask.
            if type(sources) is not bytes:
                return None
            ledger.sources = partial(_sources_of, sources)
            return CachedLoad(ledger, [Diagnostic(*row) for row in diags])
        except Exception:  # a cache must never break a command: any failure is a miss
            return None

    def put_loaded(
        self,
        key: str,
        root: Path,
        ledger: Ledger,
        diagnostics: list[Diagnostic],
        probed: Iterable[str] = (),
    ) -> None:
        """Store a loaded ledger (atomically); errors are ignored (the cache is optional),
        and so is a ledger the codec cannot write (nothing is stored)."""
        import marshal

        from safeledger.model.codec import RECORD_CODEC

        try:
            encode_all = RECORD_CODEC.encode_all
            body = marshal.dumps(
                (
                    RECORD_CODEC.encode(ledger.config),
                    encode_all(ledger.enterprises),
                    encode_all(ledger.hazards),
                    encode_all(ledger.activities),
                    marshal.dumps(
                        [
                            (kind, rid, ref.file, ref.index, ref.line, ref.column)
                            for (kind, rid), ref in ledger.sources.items()
                        ]
                    ),
                    [tuple(getattr(d, f) for f in _DIAG_FIELDS) for d in diagnostics],
                )
            )
            head = {
                "key": key,
                "codec": RECORD_CODEC.fingerprint,
                "probes": [[p, evidence_problem(p, root, set())] for p in sorted(probed)],
            }
            # each is tens of MB for a big ledger: keep 4
            _write_entry(self._loaded_path(key), head, body, keep=4, pattern="*.bin")
        except Exception:
            return
        self.remember_loaded(root, key)

    def _rendered_path(self, key: str, form: str) -> Path:
        return self.directory / "rendered" / f"{key}.{form}.json"

    def rendered(self, key: str, root: Path, form: str) -> tuple[bytes, int] | None:
        """The output (UTF-8) and exit status stored for the result ``key`` in output
        ``form`` (e.g. "json"), or None (a miss) on any doubt.  An unchanged ledger is
        answered without loading its diagnostics or rendering them again."""
        try:
            found = _read_entry(self._rendered_path(key, form), root, key=key, form=form)
            if found is None:
                return None
            head, body = found
            exit_code = head["exit"]
            return body, exit_code if type(exit_code) is int else 2
        except Exception:  # any failure is a miss
            return None

    def put_rendered(self, key: str, form: str, data: bytes, exit_code: int) -> None:
        """Store the output (UTF-8) of the result ``key`` (which this instance stored or
        found: its probes are known); errors are ignored."""
        probes = self._probes.get(key)
        if probes is None:
            return
        try:
            head = {"key": key, "form": form, "exit": exit_code, "probes": probes}
            path = self._rendered_path(key, form)
            _write_entry(path, head, data, keep=32, pattern="*.json")
        except Exception:
            return


def root_name(root: Path) -> str:
    """A file name for what the cache keeps per ledger folder (its stat index, its last
    loaded key, its kept files: safeledger.file_cache)."""
    return hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32]


def _sources_of(data: bytes) -> Sources:
    import marshal

    from safeledger.validate.ledger import RecordRef

    return {(kind, rid): RecordRef(*ref) for kind, rid, *ref in marshal.loads(data)}



def _read_entry(path: Path, root: Path, **expect: object) -> tuple[dict[str, Any], bytes] | None:
    """An entry written by :func:`_write_entry` — a JSON head line, then its body — when
    the head is of this cache format and safeledger version, has every ``expect`` value,
    the body is whole, and the evidence paths it looked up give the same answers now;
    else None.  A missing or unreadable file raises (the callers count it a miss)."""
    with open(path, "rb") as f:
        head = json.loads(f.readline())
        body = f.read()
    if (
        head["format"] != CACHE_FORMAT
        or head["version"] != __version__
        or any(head[name] != value for name, value in expect.items())
        or len(body) != head["bytes"]
    ):
        return None
    for probed, answer in head["probes"]:
        if evidence_problem(probed, root, set()) != answer:
            return None
    return head, body


def _write_entry(path: Path, head: dict[str, Any], body: bytes, *, keep: int, pattern: str) -> None:
    """Write ``head`` (with the format, version and body size) and ``body`` atomically,
    then keep only the newest ``keep`` entries matching ``pattern`` in its folder."""
    from safeledger.fileio import write_atomic

    head = {"format": CACHE_FORMAT, "version": __version__, **head, "bytes": len(body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    write_atomic(path, line + body)
    _prune(path.parent, path, keep, pattern)


def _prune(folder: Path, keep: Path, limit: int, pattern: str = "*.json") -> None:
    """Keep the cache small: at most ``limit`` entries of ``pattern``, the newest ones."""
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[limit:]:
        if old != keep:
            old.unlink(missing_ok=True)


# From this many record files, a first run (no stat index) takes the files' digests from
# the loader instead of reading every file twice (CheckCache.begin_key), and their stats
# after the answer (the walk that lists them leaves the stats out from the same count).
DEFER_HASHING_FILES = LAZY_MIN_FILES


def _feed(h: Any, *parts: object) -> None:
    h.update(("\x1f".join(map(str, parts)) + "\x1e").encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class PendingKey:
    """A cache key worked out up to the record files' digests: what the ledger holds
    (its files' paths, and their ``stat`` values unless the walk left them for
    :meth:`finish`: ``Discovery.stated``), the evidence listing and the interrupted
    imports.  :meth:`finish` adds the digests and gives the key."""

    hasher: Any  # hashlib's sha256, fed up to the config file
    root: Path
    index: StatIndex
    index_path: Path
    discovery: Discovery | None  # the walk (None: the key came from elsewhere, `of`)
    evidence: list[str]  # the files under evidence/, sorted (the check uses them too)
    pending: list[tuple[str, bool]]  # interrupted imports (safeledger.fileio)
    key: tuple[str, list[str]] | None = None

    @classmethod
    def of(cls, key: tuple[str, list[str]], texts: tuple[str, str] = ("", "")) -> PendingKey:
        """A key already worked out (by :meth:`CheckCache.key`, in another process);
        ``texts``: that process's :meth:`index_texts`, for :meth:`digests_by_path`."""
        index = StatIndex()
        index.paths_text, index.hashes = texts
        return cls(None, Path(), index, Path(), None, key[1], [], key)

    def index_texts(self) -> tuple[str, str]:
        """The stat index's paths and digests once the key is finished (two strings:
        cheap to send to another process)."""
        return self.index.paths_text, self.index.hashes

    def digests_by_path(self) -> dict[str, str] | None:
        """Each record file's SHA-256 as the finished key has it, by path — the files
        whose digest the stat index keeps (a file changed within the racy window, or
        unreadable, is left out) — for the file cache (safeledger.file_cache).  None
        before the key is finished, or when the texts cannot be cut apart."""
        return None if self.key is None else self.index.digests_by_path()

    @property
    def complete(self) -> bool:
        return self.key is not None

    def finish(
        self, known: Mapping[str, str] | None = None, *, progress: Progress | None = None
    ) -> tuple[str, list[str]]:
        """The key and the evidence listing.  ``known``: digests by path (from a loader
        that read the files after the walk; stats the walk left out are taken now, and
        judged by the racy rule on the ctime: :class:`StatIndex`); other files' digests
        come from the stat index or are read.  The index is updated and saved.  Once
        worked out, the key stays (later calls give it whatever they pass)."""
        if self.key is None:
            assert self.discovery is not None  # only `of` makes one without: finished
            found = self.discovery.with_stats(self.root)
            late = not self.discovery.stated  # the stats were taken after the reads
            paths, digests = self.index.key_texts(self.root, found, progress, known, late)
            self.index.save(self.index_path)
            h = self.hasher
            _feed(h, "files", paths)  # two long strings, not a feed per file (160,000)
            _feed(h, "digests", digests)
            for d in self.discovery.diagnostics:
                _feed(h, d.code, d.file, d.message)
            _feed(h, "evidence", *self.evidence)
            _feed(h, "pending", *self.pending)
            self.key = (h.hexdigest(), self.evidence)
        return self.key


class StatIndex:
    """File content hashes remembered by ``stat`` (as git's index does), so that a check
    of an unchanged ledger does not read its files.  One file per ledger root under
    ``stat/``: a JSON header line, then the paths (in discovery order, one string), four
    ``stat`` values per path (size, mtime_ns, inode, ctime_ns; 64-bit integers, raw
    bytes) and the SHA-256 of each;
    parallel arrays, so that an unchanged ledger is recognised by comparing two strings
    and two arrays, not 160,000 entries (and the index loads in a few milliseconds).

    A remembered hash is used only when all four ``stat`` values are the same.  The
    "racy" rule: a file modified less than ``RACY_NS`` before the hashing began is not
    remembered (an edit in the same clock tick could keep its size and mtime), so it is
    read again next time.  A first run takes the stats *after* reading the files
    (``Discovery.of(lazy=True)``: ``late``); then the rule looks at the ctime as well: a
    file written after ``started`` has a ctime past it (no tool can set one back, as
    ``touch -d`` or ``cp -p`` set the mtime), so only files unchanged since before the
    reads are remembered.  A missing, corrupt or foreign index is simply empty."""

    RACY_NS = 2_000_000_000
    FORMAT = 2
    UNKNOWN = "-" * 64  # a path whose hash is not remembered

    def __init__(
        self,
        paths: list[str] | None = None,
        stats: Sequence[int] | None = None,
        digests: str = "",
    ) -> None:
        self.paths_text = "\n".join(paths or [])
        self.stats = array("q", stats or [])
        self.hashes = digests
        self.started = time.time_ns()
        self.changed = False

    @property
    def paths(self) -> list[str]:
        return self.paths_text.split("\n") if self.paths_text else []

    def digests_by_path(self) -> dict[str, str] | None:
        """The remembered digests by path (paths not remembered left out); None when
        the texts do not cut apart (a path holding a newline)."""
        paths = self.paths
        hashes = self.hashes
        if len(hashes) != 64 * len(paths):
            return None
        return {
            rel: digest
            for n, rel in enumerate(paths)
            if (digest := hashes[64 * n : 64 * n + 64]) != self.UNKNOWN
        }

    @classmethod
    def load(cls, path: Path) -> StatIndex:
        try:
            with open(path, "rb") as f:
                raw = f.read()
            end = raw.index(b"\n")
            head = json.loads(raw[:end])
            count = head["count"]
            paths_end = end + 1 + head["paths"]
            stats_end = paths_end + 32 * count
            if (
                head["format"] == cls.FORMAT
                and head["byteorder"] == sys.byteorder
                and len(raw) == stats_end + 64 * count
            ):
                index = cls()
                index.paths_text = raw[end + 1 : paths_end].decode("utf-8", "surrogatepass")
                index.stats.frombytes(raw[paths_end:stats_end])
                index.hashes = raw[stats_end:].decode("ascii")
                lines = index.paths_text.count("\n") + 1 if index.paths_text else 0
                if lines == count:
                    return index
        except Exception:  # any doubt: hash every file again
            pass
        return cls()

    def key_texts(
        self,
        root: Path,
        entries: Sequence[Found],
        progress: Progress | None = None,
        known: Mapping[str, str] | None = None,
        late: bool = False,
    ) -> tuple[str, str]:
        """The entries' paths and digests (:meth:`digests`) as one text each, for the
        cache key.  Paths joined by newlines, 64-character digests run together — when
        no path holds a newline and every digest is a hash (the common case: then, with
        nothing changed, they are the index's own texts, and 160,000 digests need not
        be cut out and joined again); otherwise joined with \\x1d, and marked apart.
        ``known`` as for :meth:`PendingKey.finish`; ``late``: the stats were taken after
        the files were read (see the class doc)."""
        stats = _stat_array(entries)
        paths_text = "\n".join(map(itemgetter(0), entries))
        lines = paths_text.count("\n") + 1 == len(entries) or not entries
        if (
            lines
            and paths_text == self.paths_text
            and stats == self.stats
            and self.UNKNOWN not in self.hashes  # hex digests hold no "-"
        ):
            return "lines:" + paths_text, "hashes:" + self.hashes
        digests = self._digests(root, entries, progress, stats, paths_text, known, late)
        if lines:
            paths = "lines:" + paths_text
        else:
            paths = "parts:" + "\x1d".join(map(itemgetter(0), entries))
        if all(len(dg) == 64 for dg in digests):
            return paths, "hashes:" + "".join(digests)
        return paths, "parts:" + "\x1d".join(digests)

    def digests(
        self,
        root: Path,
        entries: Sequence[Found],
        progress: Progress | None = None,
    ) -> list[str]:
        """The SHA-256 (or why it cannot be read) of each entry's file, from the index
        when its ``stat`` is unchanged, else read; the index is updated to ``entries``."""
        stats = _stat_array(entries)
        paths_text = "\n".join(map(itemgetter(0), entries))
        return self._digests(root, entries, progress, stats, paths_text)

    def _digests(
        self,
        root: Path,
        entries: Sequence[Found],
        progress: Progress | None,
        stats: array[int],
        paths_text: str,
        known: Mapping[str, str] | None = None,
        late: bool = False,
    ) -> list[str]:
        hashes = self.hashes
        unchanged = range(len(entries))
        if paths_text == self.paths_text and stats == self.stats:
            old: Sequence[int] = unchanged  # the common case: nothing changed
        else:
            where = {rel: i for i, rel in enumerate(self.paths)}
            old_stats = self.stats
            old = [
                i if i >= 0 and old_stats[4 * i : 4 * i + 4] == stats[4 * n : 4 * n + 4] else -1
                for n, i in enumerate(where.get(rel, -1) for rel, _, _ in entries)
            ]
        digests = [hashes[64 * i : 64 * i + 64] if i >= 0 else self.UNKNOWN for i in old]
        todo = [n for n, dg in enumerate(digests) if dg == self.UNKNOWN]
        if known:
            for n in todo:
                digests[n] = known.get(entries[n][0], self.UNKNOWN)
            todo = [n for n in todo if digests[n] == self.UNKNOWN]
        read = _hash_files(root, [entries[n][0] for n in todo], progress)
        for n, dg in zip(todo, read, strict=True):
            digests[n] = dg
        if todo or old is not unchanged:
            racy = self.started - self.RACY_NS  # see the class doc
            changed = 3 if late else 1  # the ctime (not only the mtime) when stated late
            self.hashes = "".join(
                dg
                if len(dg) == 64 and -1 < stats[4 * n + 1] < racy and stats[4 * n + changed] < racy
                else self.UNKNOWN
                for n, dg in enumerate(digests)
            )
            self.paths_text, self.stats, self.changed = paths_text, stats, True
        return digests

    def save(self, path: Path) -> None:
        """Write the index when it changed; errors are ignored (the index is optional)."""
        if not self.changed:
            return
        from safeledger.fileio import write_atomic

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            paths = self.paths_text.encode("utf-8", "surrogatepass")
            head = {
                "format": self.FORMAT,
                "byteorder": sys.byteorder,
                "count": len(self.stats) // 4,
                "paths": len(paths),
            }
            data = [json.dumps(head).encode(), b"\n", paths, self.stats.tobytes()]
            write_atomic(path, b"".join([*data, self.hashes.encode("ascii")]))
            _prune(path.parent, path, 32, "*.idx")
        except Exception:
            return


def _stat_array(entries: Sequence[Found]) -> array[int]:
    """The four ``stat`` values of each entry, flat (-1s for a failed ``stat``)."""
    try:  # in C: no Python code per file (from a list: a third faster than an iterator)
        return array("q", list(chain.from_iterable(map(itemgetter(2), entries))))
    except (TypeError, OverflowError):  # a failed stat (None), an inode over 2**63
        values: list[int] = []
        for _, _, st in entries:
            values += (-1, -1, -1, -1) if st is None else st
        return array("q", [v - (1 << 64) if v >= 1 << 63 else v for v in values])


# From this many files to read, the last half is hashed by a forked child (a first run
# on 160,000 files: reading them is 4 s in one process).
SPLIT_HASHING_FILES = 4000


def _hash_files(root: Path, paths: list[str], progress: Progress | None) -> list[str]:
    """:func:`_digest` of each file, in order; many files on two cores."""
    total = len(paths)
    if total < SPLIT_HASHING_FILES:
        return _hash_part(root, paths, progress, total)
    from safeledger._forked import Forked

    half = total // 2
    with Forked(partial(_hash_part, root, paths[half:], None)) as pending:
        ours = _hash_part(root, paths[:half], progress, total)
        theirs = pending.result()
    if theirs is None:  # no child (or it failed): hashed here
        theirs = _hash_part(root, paths[half:], progress, total, half)
    elif progress is not None:
        progress(total, total)
    return [*ours, *theirs]


def _hash_part(
    root: Path, paths: list[str], progress: Progress | None, total: int = 0, done: int = 0
) -> list[str]:
    out = []
    for n, rel in enumerate(paths, start=done + 1):
        out.append(_digest(root / rel))
        if progress is not None and (n % 500 == 0 or n == total):
            progress(n, total)
    return out


def _digest(path: Path) -> str:
    try:
        with open(path, "rb", buffering=0) as f:
            return hashlib.sha256(f.readall()).hexdigest()
    except OSError as err:
        return f"unreadable:{err.errno}"
