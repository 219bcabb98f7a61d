"""The library entry points: every CLI command is a thin wrapper over these.

>>> from safeledger.api import check_ledger
>>> result = check_ledger(Path("ledgers/tongxin"), as_of=date(2025, 6, 30), today=date.today())
>>> result.exit_code, result.errors, result.warnings
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from safeledger._afterwards import after_the_answer, in_background
from safeledger._forked import Forked
from safeledger._gc import no_cycle_collection
from safeledger._held import hold_until_exit
from safeledger.cache import CachedLoad, CheckCache, PendingKey, ProbedEvidence
from safeledger.diagnostics import Diagnostic, DiagnosticCounts, sort_diagnostics
from safeledger.evaluate.compliance import compliance_diagnostics
from safeledger.file_cache import FileCache, reader_of
from safeledger.read import find_ledger_root, locate, read_ledger
from safeledger.read.discover import Discovery
from safeledger.read.raw import RECORD_KINDS, RawLedger
from safeledger.sharded import (
    PartWork,
    ShardedParts,
    add_digests,
    check_sharded,
    load_in_parts,
)
from safeledger.validate import Ledger, validate_ledger

__all__ = [
    "CheckResult",
    "LoadResult",
    "LoadedLedger",
    "check_ledger",
    "find_ledger_root",
    "load_ledger",
    "load_validated",
]

# Below this many records a loaded ledger is stored in the cache at once; above, by a
# forked process while the command goes on (encoding 160,000 records costs 1.5–3 s,
# which the first run should not pay for).
BACKGROUND_STORE_RECORDS = 20_000
# A stored ledger this big (bytes) is decoded while its key is worked out in a forked
# child (the entry is the answer when the ledger has not changed since it was used).
GUESS_BYTES = 4_000_000
# ... and only for a ledger of this many files or more: with fewer, working out the key
# first costs little (160 lists of 1,000: 0.1 s), while a wrong guess (any edit) costs
# the decoding of the last entry (1.3 s at 100,000 hazards) for nothing.
GUESS_FILES = 4_000


@dataclass(slots=True)
class LoadResult(DiagnosticCounts):
    ledger: Ledger
    diagnostics: list[Diagnostic]  # sorted, with lines resolved
    raw: RawLedger


# progress(stage, done, total): stage "hash" / "read" (files) or "validate" (records)
Progress = Callable[[str, int, int], None]


def load_ledger(
    root: Path,
    *,
    today: dt.date,
    workers: int | None = None,
    progress: Progress | None = None,
    evidence: set[str] | None = None,
    freeze: bool = False,
    discovery: Discovery | None = None,
    files: FileCache | None = None,
) -> LoadResult:
    """Read and validate the ledger at ``root`` (no compliance findings).  ``progress``
    is told how far reading and validating got (for a progress bar; None: silent).
    ``discovery``: the record files as a walk just found them (else it walks).
    ``files``: a cache of files read before (safeledger.file_cache), which also keeps
    the files read now (the caller stores them: :meth:`FileCache.store`).

    The cycle collector is off while loading (the heap grows by millions of objects and no
    cycles; its full collections cost ~0.7 s at 100,000 hazards).  ``freeze``: move
    everything alive afterwards, the loaded ledger included, to the permanent generation
    (``gc.freeze``) so later collections never walk it again — for a command that
    loads once and exits (status, report); a long-lived caller leaves it False."""
    with no_cycle_collection():  # frozen before the collector is back (load_validated)
        try:
            raw = read_ledger(
                root,
                workers=workers,
                progress=_stage(progress, "read"),
                discovery=discovery,
                reader=reader_of(files),
            )
            ledger, diags = validate_ledger(
                raw, today=today, evidence=evidence, progress=_stage(progress, "validate")
            )
            diags = locate(root, [*raw.diagnostics, *diags], records=raw.records)
            return LoadResult(ledger, sort_diagnostics(diags), raw)
        finally:
            if freeze:
                gc.freeze()


@dataclass(slots=True)
class LoadedLedger(DiagnosticCounts):
    """The validated ledger and the diagnostics of loading it (sorted, lines resolved)."""

    ledger: Ledger
    diagnostics: list[Diagnostic]
    cached: bool = False  # answered from the cache
    # When load_validated was given ``work`` and loaded the ledger in two parts: work's
    # answers for (the parent's part, the worker's part), and ``ledger`` is only the
    # parent's part (every enterprise and activity, some hazards).  None: ``ledger`` is
    # whole and the work was not done.
    worked: tuple[Any, Any] | None = None


def load_validated(
    root: Path,
    *,
    today: dt.date,
    cache: CheckCache | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    freeze: bool = False,
    background: bool = False,
    work: PartWork | None = None,
) -> LoadedLedger:
    """The validated ledger at ``root``, for the commands that evaluate it (status,
    report): the same ledger and diagnostics as :func:`load_ledger`, taken from ``cache``
    when the ledger is unchanged since it was stored there (safeledger.cache), else
    loaded — a big ledger on two cores (:func:`safeledger.sharded.load_in_parts`; one
    with ``workers=1``) — and stored.  ``background``: a big ledger is stored by a
    forked process, so the caller goes on at once (a command line; a test or a library
    caller keeps the default, which stores before returning).  ``freeze`` as in
    :func:`load_ledger`.

    ``work``: when the ledger is loaded on two cores, it is left in its two parts and
    ``work`` runs on each where it was loaded (:func:`safeledger.sharded.load_in_parts`);
    the answer's ``worked`` then holds both answers and its ``ledger`` only the
    parent's part.  A ledger from the cache or loaded in one process is whole, without
    ``worked``: the caller does its work on it."""
    # The collector stays off until what was loaded is frozen (or settled): enabling it
    # first lets the next allocation start a full collection of the new heap (≈ 0.5 s).
    with no_cycle_collection(settle=not freeze):
        try:
            return _load_validated(root, today, cache, workers, progress, background, work)
        finally:
            if freeze:
                gc.freeze()


def _load_validated(
    root: Path,
    today: dt.date,
    cache: CheckCache | None,
    workers: int | None,
    progress: Progress | None,
    background: bool,
    work: PartWork | None,
) -> LoadedLedger:
    if cache is None:
        models = _load_models(root, today, workers, progress, None, work=work)
        return models.answer()
    guess = (
        cache.last_loaded(root, min_bytes=GUESS_BYTES)
        if progress is None and cache.indexed_files(root) >= GUESS_FILES
        else None
    )
    if guess is None:
        pending = cache.begin_loaded_key(
            root, today=today, progress=_stage(progress, "hash"), defer=True
        )
        hit = cache.get_loaded(pending.finish()[0], root) if pending.complete else None
    else:
        pending, hit = _loaded_while_hashing(cache, root, today, guess)
    if hit is not None:
        cache.remember_loaded(root, pending.finish()[0])
        return LoadedLedger(hit.ledger, hit.diagnostics, cached=True)
    evidence = ProbedEvidence(pending.evidence)
    digests = _read_digests(pending)
    files = FileCache(cache.directory, root, pending.digests_by_path())
    models = _load_models(
        root, today, workers, progress, evidence, digests, pending.discovery, work,
        encode=True, files=files,
    )

    def store() -> None:
        files.store()
        try:
            whole = models.whole()
        except LookupError:  # the worker's hazards never came: nothing stored
            return
        key = pending.finish(digests)[0]
        cache.put_loaded(key, root, whole, models.diagnostics, evidence.misses)

    if background:
        store_after_the_answer(store, models.records, fork=True)
    else:
        store()
    return models.answer()


def _loaded_while_hashing(
    cache: CheckCache, root: Path, today: dt.date, guess: str
) -> tuple[PendingKey, CachedLoad | None]:
    """``(key, the entry for key)`` as the plain path gives them, sooner: a forked child
    works out the key (walking 160,000 files takes 1–1.5 s) while this process decodes
    the entry last used for ``root`` (1–1.5 s at 100,000 hazards), which is the answer
    when the key turns out the same."""
    # The child walks alone (split=False): this process is busy decoding.
    with Forked(partial(_loaded_key, cache, root, today)) as child:
        early = cache.get_loaded(guess, root)
        answer = child.result()
    if answer is None:  # no child (or it failed): the key is worked out here
        answer = _loaded_key(cache, root, today)
    key, texts = answer
    pending = PendingKey.of(key, texts)
    return pending, early if key[0] == guess else cache.get_loaded(key[0], root)


def _loaded_key(
    cache: CheckCache, root: Path, today: dt.date
) -> tuple[tuple[str, list[str]], tuple[str, str]]:
    """The loaded ledger's key and the stat index's texts (for the file cache)."""
    pending = cache.begin_loaded_key(root, today=today, split=False)
    return pending.finish(), pending.index_texts()


def _read_digests(pending: PendingKey) -> dict[str, str] | None:
    """Where the loader puts the digests of the files it reads, when the key needs
    them (a first run: :meth:`safeledger.cache.CheckCache.begin_key`)."""
    return None if pending.complete else {}


@dataclass(slots=True)
class _Models:
    """What :func:`_load_models` loaded: the whole ledger, or its parts (``work``)."""

    ledger: Ledger  # with parts: the parent's part
    diagnostics: list[Diagnostic]  # sorted
    records: int  # records read
    parts: ShardedParts | None = None

    def whole(self) -> Ledger:
        """The whole ledger (LookupError: see :meth:`ShardedParts.whole`)."""
        return self.ledger if self.parts is None else self.parts.whole()

    def answer(self) -> LoadedLedger:
        parts = self.parts
        worked = None if parts is None else (parts.ours, parts.theirs)
        return LoadedLedger(self.ledger, self.diagnostics, worked=worked)


def _load_models(
    root: Path,
    today: dt.date,
    workers: int | None,
    progress: Progress | None,
    evidence: set[str] | None,
    digests: dict[str, str] | None = None,
    discovery: Discovery | None = None,
    work: PartWork | None = None,
    *,
    encode: bool = False,
    files: FileCache | None = None,
) -> _Models:
    """The ledger and its sorted diagnostics: in two processes when that pays, in
    parts with ``work`` (``encode``: the whole ledger can be made from them).
    ``digests``: filled with the SHA-256 of each file read; ``discovery``: the files
    the cache key's walk found; ``files`` as for :func:`load_ledger`."""
    if workers != 1:
        parts = load_in_parts(
            root,
            today=today,
            evidence=evidence,
            workers=workers,
            work=work,
            encode=encode,
            progress=progress,
            digests=digests,
            discovery=discovery,
            files=files,
        )
        if parts is not None:
            diags = sort_diagnostics(parts.diagnostics)
            if work is None:
                return _Models(parts.whole(), diags, parts.records)
            return _Models(parts.part, diags, parts.records, parts)
    loaded = load_ledger(
        root,
        today=today,
        workers=workers,
        progress=progress,
        evidence=evidence,
        discovery=discovery,
        files=files,
    )
    add_digests(digests, loaded.raw)
    return _Models(loaded.ledger, loaded.diagnostics, len(loaded.raw.records))


def store_after_the_answer(
    store: Callable[[], None], records: int, *, fork: bool = False
) -> None:
    """Run ``store`` (writing a cache entry of a ledger of ``records`` records) after the
    command's answer when the ledger is big and the entry point allows it
    (safeledger._afterwards); else, with ``fork``, in a process forked at once; else now
    (a small ledger, no fork)."""
    if records >= BACKGROUND_STORE_RECORDS and (
        after_the_answer(store) or (fork and in_background(store))
    ):
        return
    store()


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


@dataclass(slots=True)
class CheckResult(DiagnosticCounts):
    root: Path
    as_of: dt.date
    diagnostics: list[Diagnostic]
    records: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 errors (warnings count as errors with --strict)."""
        return 1 if self.errors else 0

    def to_json(self) -> dict[str, object]:
        """Spec section 8."""
        return {
            "ledger": str(self.root),
            "as_of": self.as_of.isoformat(),
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "records": dict(self.records),
            },
        }


def check_ledger(
    root: Path,
    *,
    as_of: dt.date,
    today: dt.date,
    strict: bool = False,
    compliance: bool = True,
    workers: int | None = None,
    cache: CheckCache | None = None,
    progress: Progress | None = None,
    background: bool = False,
) -> CheckResult:
    """Everything ``safeledger check`` reports: read and validation diagnostics, and
    (unless ``compliance`` is False) the compliance warnings as of ``as_of``.  With
    ``strict``, warnings become errors.  ``cache``: answer from / store into a cache of
    results keyed by the ledger's content (safeledger.cache); the result is the same.
    ``background``: a big result is stored after the command's answer when the entry
    point allows it (safeledger._afterwards; a command line)."""
    if cache is None:
        return _check(root, as_of, today, strict, compliance, workers, progress, None)
    pending = cache.begin_key(
        root,
        today=today,
        as_of=as_of,
        strict=strict,
        compliance=compliance,
        progress=_stage(progress, "hash"),
        defer=True,
    )
    hit = cache.get(pending.finish()[0], root) if pending.complete else None
    if hit is not None:
        return CheckResult(root, as_of, hit.diagnostics, hit.records)
    evidence = ProbedEvidence(pending.evidence)
    digests = _read_digests(pending)
    files = FileCache(cache.directory, root, pending.digests_by_path())
    result = _check(
        root, as_of, today, strict, compliance, workers, progress, evidence, digests,
        pending.discovery, files,
    )

    def store() -> None:
        key = pending.finish(digests)[0]
        cache.put(key, root, result.diagnostics, result.records, evidence.misses)
        files.store()

    if background:
        store_after_the_answer(store, sum(result.records.values()))
    else:
        store()
    return result


def _check(
    root: Path,
    as_of: dt.date,
    today: dt.date,
    strict: bool,
    compliance: bool,
    workers: int | None,
    progress: Progress | None,
    evidence: set[str] | None,
    digests: dict[str, str] | None = None,
    discovery: Discovery | None = None,
    files: FileCache | None = None,
) -> CheckResult:
    sharded = (
        None
        if workers == 1
        else check_sharded(
            root,
            as_of=as_of,
            today=today,
            compliance=compliance,
            evidence=evidence,
            workers=workers,
            progress=progress,
            digests=digests,
            discovery=discovery,
            files=files,
        )
    )
    if sharded is not None:
        diags = sort_diagnostics(sharded.diagnostics)
        if strict:
            diags = [d.as_warning_or_error(True) for d in diags]
        return CheckResult(root, as_of, diags, sharded.records)
    loaded = load_ledger(
        root,
        today=today,
        workers=workers,
        progress=progress,
        evidence=evidence,
        discovery=discovery,
        files=files,
    )
    add_digests(digests, loaded.raw)
    diags = list(loaded.diagnostics)
    if compliance:
        with no_cycle_collection():  # the heap just grew by the whole ledger
            found = compliance_diagnostics(loaded.ledger, as_of)
            diags = sort_diagnostics([*diags, *locate(root, found, records=loaded.raw.records)])
    hold_until_exit(loaded)  # a command line frees none of it
    if strict:
        diags = [d.as_warning_or_error(True) for d in diags]
    records: dict[str, int] = {kind: 0 for kind in RECORD_KINDS}
    for rec in loaded.raw.records:
        records[rec.kind] += 1
    return CheckResult(root, as_of, diags, records)
