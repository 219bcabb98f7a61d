"""``check`` of a big ledger on two cores.

Sending parsed records or validated models from one process to another costs about as
much as making them (docs/performance.md), so the work is cut where little has to travel:
a forked worker reads, validates and checks a share of the *hazard* files on its own —
per-record rules, the reference to an enterprise, the overdue findings, and the lines of
all of them — and sends back only its diagnostics, the ids it saw and where the valid
ones are written.  The parent meanwhile does the same for the rest (enterprises,
activities, the other hazards), then the rules that need the whole ledger: duplicate
ids across both parts, activities naming hazards, and the enterprises' duties.

The answer is the same as :func:`safeledger.api.check_ledger` in one process (a test
compares them); only the order of work differs.  The enterprise files are read before the
fork, so the worker knows every enterprise id from the start."""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from safeledger._afterwards import collecting, in_background
from safeledger._forked import Forked, Later
from safeledger._gc import no_cycle_collection
from safeledger._held import hold_until_exit
from safeledger.cache import ProbedEvidence
from safeledger.diagnostics import Anchor, Diagnostic, Packed, pack_diagnostic, unpack_diagnostic
from safeledger.evaluate.compliance import compliance_diagnostics
from safeledger.file_cache import FileCache, reader_of
from safeledger.model import Config, Enterprise
from safeledger.model.codec import RECORD_CODEC
from safeledger.read import locate
from safeledger.read.discover import Discovery
from safeledger.read.evidence import list_evidence
from safeledger.read.files import FileResult
from safeledger.read.ledger import add_file, read_head
from safeledger.read.pool import Entry, entry_bytes, estimate_sizes
from safeledger.read.raw import RECORD_KINDS, RawLedger, RawRecord
from safeledger.validate import (
    Ledger,
    Shard,
    fill_enterprise_defaults,
    ledger_of,
    rules,
    validate_shard,
)
from safeledger.validate.config import validate_config
from safeledger.validate.ledger import RecordRef, Sources
from safeledger.validate.records import record_id

__all__ = [
    "SHARD_MIN_BYTES",
    "HandOver",
    "PartWork",
    "ShardedCheck",
    "ShardedLoad",
    "ShardedParts",
    "add_digests",
    "check_sharded",
    "load_in_parts",
    "load_sharded",
    "worth_sharding",
]

# The load worker's share of the work: less than half, because it also encodes its
# hazards and sends them, while the parent decodes them (measured at 100,000 hazards).
LOAD_WORKER_SHARE = 0.40
# When each part is worked on where it is loaded (load_in_parts): the parent also does
# the work that needs every enterprise and activity (status: the duties).
PARTS_WORKER_SHARE = 0.48
# How long the whole ledger waits for the worker's hazards handed over (HandOver), in
# seconds: they come 0.5–1 s after the answer at 100,000 hazards.
HAND_OVER_TIMEOUT = 60.0
# The check worker's: more than half, because the parent also reads the enterprise files
# and works out their duties (measured with both processes' end times, 100,000 hazards).
CHECK_WORKER_SHARE = 0.53

# Below this many bytes of record files the fork and the exchange cost more than they save.
SHARD_MIN_BYTES = 8 * 1024 * 1024

_HAZARD_FINDINGS = frozenset({"overdue", "major-overdue"})

Progress = Callable[[str, int, int], None]  # as safeledger.api.Progress


@dataclass(slots=True)
class ShardedCheck:
    diagnostics: list[Diagnostic]  # located, unsorted
    records: dict[str, int]


@dataclass(slots=True)
class _Stub:
    """Stands in for a hazard validated in the worker, for the duplicate-id rule."""

    id: str


# (id, file, index, line, column, written key path of `id`) of a valid hazard
_Valid = tuple[str, str, int, int | None, int | None, tuple[str | int, ...]]


@dataclass(slots=True)
class _WorkerResult:
    diagnostics: list[Packed]  # see pack_diagnostic
    ids: list[str | None]  # record_id of every hazard record read (valid or not)
    valid: list[_Valid]  # every valid hazard, in reading order
    misses: set[str] = field(default_factory=set)  # evidence paths looked up on disk
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, digest): if asked


def worth_sharding(total_bytes: int, workers: int | None) -> bool:
    if workers is not None:
        return workers > 1
    return (os.cpu_count() or 1) > 1 and total_bytes >= SHARD_MIN_BYTES


def check_sharded(
    root: Path,
    *,
    as_of: dt.date,
    today: dt.date,
    compliance: bool,
    evidence: set[str] | None,
    workers: int | None,
    progress: Progress | None = None,
    digests: dict[str, str] | None = None,
    discovery: Discovery | None = None,
    files: FileCache | None = None,
) -> ShardedCheck | None:
    """The diagnostics and record counts of ``check``, computed in two processes; None
    when the ledger is too small for that to pay (or can't be cut: the caller then checks
    in one process).  ``digests``: filled with each record file's SHA-256 as read.
    ``discovery``: the files a walk just found (else the ledger is walked).  ``files``:
    files kept from earlier runs are taken from there, and the files read are kept
    (the worker keeps its own after its answer; the caller stores the parent's)."""
    with no_cycle_collection():
        return _check_sharded(
            root, as_of, today, compliance, evidence, workers, progress, digests, discovery,
            files,
        )


def _check_sharded(
    root: Path,
    as_of: dt.date,
    today: dt.date,
    compliance: bool,
    evidence: set[str] | None,
    workers: int | None,
    progress: Progress | None,
    digests: dict[str, str] | None,
    discovery: Discovery | None,
    files: FileCache | None,
) -> ShardedCheck | None:
    plan = _plan(root, workers, evidence, CHECK_WORKER_SHARE, discovery, files)
    if plan is None:
        return None
    config = plan.config
    forked, enterprises = _forked_worker(
        plan, _worker, today, as_of, compliance, digests is not None
    )
    with forked as pending:
        if pending.process is None:
            return None  # no fork (Windows): the caller checks in one process at once
        enterprises.send(_read_enterprises(plan))
        shard, diags = _parent_part(plan, today, progress)
        # What needs only this part is done while the worker is still busy.
        ledger = ledger_of(config, root, shard.located)
        if compliance:
            diags += compliance_diagnostics(ledger, as_of)
        diags += _enterprise_references(plan, shard)
        diags = locate(root, [*plan.raw.diagnostics, *diags], records=plan.raw.records)
        worker = pending.result()
    if worker is None:
        return None  # the worker failed: the caller checks in one process

    _remember_misses(plan.evidence, worker.misses)  # the cache re-probes these on a hit
    add_digests(digests, plan.raw, worker.files)
    both = _rules_over_both_parts(shard, worker.ids, worker.valid)
    keep, moved = _placed_as_in_one_process(worker.diagnostics, ledger.sources)
    diags += locate(root, [*both, *moved], records=plan.raw.records)
    counts: dict[str, int] = {kind: 0 for kind in RECORD_KINDS}
    for rec in plan.raw.records:
        counts[rec.kind] += 1
    counts["hazards"] += len(worker.ids)
    hold_until_exit(plan, shard, ledger, worker)  # a command line frees none of it
    return ShardedCheck([*diags, *keep], counts)


@dataclass(slots=True)
class ShardedLoad:
    ledger: Ledger
    diagnostics: list[Diagnostic]  # located, unsorted
    records: int  # records read, valid or not


# What a caller of load_in_parts does with a part of the ledger where it was loaded:
# ``work(part, rest)``; ``rest`` is True for the part that also holds every activity.
PartWork = Callable[[Ledger, bool], Any]


@dataclass(frozen=True, slots=True)
class HandOver:
    """A file through which the worker of :func:`load_in_parts` gives its hazards
    (encoded) *after* its answer, for :meth:`ShardedParts.whole`: encoding and sending
    them cost the answer 0.5–1 s at 100,000 hazards, and only the cache, which stores
    the whole ledger after the answer, needs them.  A process the worker forks and
    detaches writes the file (``<name>.part`` renamed when complete; empty when it
    failed); :meth:`take` waits for it, reads it and removes it."""

    path: Path

    @classmethod
    def new(cls) -> HandOver:
        folder = Path(tempfile.gettempdir())
        _remove_stale_hand_overs(folder)
        name = f"{_HAND_OVER_PREFIX}{os.getpid()}-{secrets.token_hex(8)}.bin"
        return cls(folder / name)

    def put(self, hazards: Sequence[Any]) -> None:
        """In the worker's detached child: ``hazards`` encoded into the file."""
        partial_path = self.path.with_name(self.path.name + ".part")
        try:
            data = marshal.dumps(RECORD_CODEC.encode_all(hazards))
        except BaseException:
            data = b""  # taken as "nothing to wait for"
        try:
            partial_path.write_bytes(data)
            os.replace(partial_path, self.path)
        except OSError:
            partial_path.unlink(missing_ok=True)

    def take(self, timeout: float = HAND_OVER_TIMEOUT) -> tuple[Any, ...] | None:
        """The hazards, encoded, once the file is there (None: it failed or never came
        within ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while not self.path.exists():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        finally:
            self.path.unlink(missing_ok=True)
        return marshal.loads(data) if data else None


_HAND_OVER_PREFIX = "safeledger-hazards-"


def _remove_stale_hand_overs(folder: Path) -> None:
    """Hand-over files nobody took (a command killed between its answer and the store)
    once they are older than a day: tens of MB each for a big ledger."""
    too_old = time.time() - 24 * 3600
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(_HAND_OVER_PREFIX):
                    try:
                        if entry.stat().st_mtime < too_old:
                            os.unlink(entry.path)
                    except OSError:
                        continue
    except OSError:
        return


@dataclass(slots=True)
class ShardedParts:
    """A ledger loaded in two parts, with ``work`` done on each where it was loaded
    (:func:`load_in_parts`).  ``part``: the parent's part — every enterprise and activity,
    the hazards of the parent's files (filled with their enterprise's community and
    domain); no sources."""

    part: Ledger
    diagnostics: list[Diagnostic]  # the whole ledger's, located, unsorted
    records: int  # records read, valid or not
    ours: Any  # work(part, True); None without work
    theirs: Any  # work(the worker's part, False); None without work
    located: dict[str, list[rules.Located]]  # the parent's valid records
    worker_valid: list[_Valid]
    worker_hazards: tuple[Any, ...] | None  # the worker's valid hazards, encoded: if sent
    hand_over: HandOver | None = None  # where they come otherwise, if asked

    def whole(self) -> Ledger:
        """The whole ledger as :func:`safeledger.validate.combine_shards` makes it:
        records in reading order (the worker's files are the last ones), sources the
        first record of each id.  Raises LookupError when the worker's hazards were
        not asked for or could not be had (the hand-over failed)."""
        encoded = self.worker_hazards
        if encoded is None and self.hand_over is not None:
            encoded = self.hand_over.take()
        if encoded is None:
            raise LookupError("the worker's hazards were not asked for, or never came")
        part = self.part
        ledger = Ledger(root=part.root, config=part.config)
        ledger.enterprises = part.enterprises
        # both parts' hazards were filled where they were loaded
        ledger.hazards = [*part.hazards, *RECORD_CODEC.decode_all(encoded)]
        ledger.activities = part.activities
        # made when first asked for (0.3 s at 100k): status and reports never ask
        ledger.sources = partial(_sources_of, self.located, self.worker_valid)
        return ledger


def _sources_of(located: dict[str, list[rules.Located]], worker_valid: list[_Valid]) -> Sources:
    """Where the first record of each id is written, in the order one process adds them:
    enterprises, the parent's hazards, the worker's, activities."""
    sources: Sources = {}
    for kind in ("enterprises", "hazards"):
        for loc in located[kind]:
            sources.setdefault((kind, loc.record.id), loc.ref)  # type: ignore[attr-defined]
    for rid, file, index, line, column, _ in worker_valid:
        sources.setdefault(("hazards", rid), RecordRef(file, index, line, column))
    for loc in located["activities"]:
        sources.setdefault(("activities", loc.record.id), loc.ref)  # type: ignore[attr-defined]
    return sources


@dataclass(slots=True)
class _PartsWorkerResult:
    diagnostics: list[Packed]
    ids: list[str | None]
    valid: list[_Valid]
    misses: set[str]
    hazards: tuple[Any, ...] | None  # the valid hazards, encoded (safeledger.model.codec)
    files: list[tuple[str, str]]  # (path, digest) of the files read: if asked
    worked: Any  # work(its part, False)


def load_sharded(
    root: Path,
    *,
    today: dt.date,
    evidence: set[str] | None,
    workers: int | None,
    progress: Progress | None = None,
    digests: dict[str, str] | None = None,
    discovery: Discovery | None = None,
    files: FileCache | None = None,
) -> ShardedLoad | None:
    """The validated ledger and the diagnostics of loading it, as
    :func:`safeledger.validate.validate_ledger` gives them after reading, made in two
    processes: the worker reads and validates a share of the hazard files and sends its
    hazards back in the compact form of :mod:`safeledger.model.codec` (decoding half the
    hazards costs the parent a fifth of reading and validating them).  None when the
    ledger is too small for that to pay, or the worker failed.  ``digests``,
    ``discovery`` and ``files`` as for :func:`check_sharded`."""
    with no_cycle_collection():
        parts = load_in_parts(
            root,
            today=today,
            evidence=evidence,
            workers=workers,
            work=None,
            encode=True,
            progress=progress,
            digests=digests,
            discovery=discovery,
            files=files,
        )
        if parts is None:
            return None
        # The records read are freed here, not held as check holds them: held, a
        # report's peak memory grew by 135 MB (to 0.97 GB at 100k) for no time saved.
        return ShardedLoad(parts.whole(), parts.diagnostics, parts.records)


def load_in_parts(
    root: Path,
    *,
    today: dt.date,
    evidence: set[str] | None,
    workers: int | None,
    work: PartWork | None,
    encode: bool,
    progress: Progress | None = None,
    digests: dict[str, str] | None = None,
    discovery: Discovery | None = None,
    files: FileCache | None = None,
) -> ShardedParts | None:
    """The ledger loaded as by :func:`load_sharded`, but left in its two parts, each
    handed to ``work`` where it was loaded: for an answer made of per-hazard pieces
    (``status --format json``) nothing then travels but those pieces — no hazards
    encoded, sent and decoded, no whole ledger put together first.  The worker's part
    holds every enterprise (it validates the records the parent read and sends) and
    its own hazards, filled.  ``encode``: the worker also gives its hazards, so that
    :meth:`ShardedParts.whole` can be made (to store it in a cache) — after its
    answer, through a :class:`HandOver` file, so that the answer does not wait for
    them.  None as for :func:`load_sharded`; an error ``work`` raises in the parent is
    raised.

    ``work`` None: the whole ledger is wanted at once (:func:`load_sharded`), so the
    worker's hazards come with its answer (``encode`` or not) and its share is the
    smaller one that leaves the parent time to decode them."""
    with no_cycle_collection():
        if work is None:
            hand_over, share, encode = None, LOAD_WORKER_SHARE, True
        else:
            hand_over = HandOver.new() if encode else None
            share = PARTS_WORKER_SHARE
        return _load_parts(
            root, today, evidence, workers, progress, digests, discovery, work, encode,
            hand_over, share, files,
        )


def _load_parts(
    root: Path,
    today: dt.date,
    evidence: set[str] | None,
    workers: int | None,
    progress: Progress | None,
    digests: dict[str, str] | None,
    discovery: Discovery | None,
    work: PartWork | None,
    encode: bool,
    hand_over: HandOver | None,
    share: float,
    files: FileCache | None,
) -> ShardedParts | None:
    plan = _plan(root, workers, evidence, share, discovery, files)
    if plan is None:
        return None
    config, raw = plan.config, plan.raw
    forked, enterprises = _forked_worker(
        plan, _parts_worker, today, digests is not None, work, encode, hand_over
    )
    with forked as pending:
        if pending.process is None:
            return None  # no fork (Windows): the caller loads in one process at once
        enterprises.send(_read_enterprises(plan, with_records=True))
        shard, diags = _parent_part(plan, today, progress)
        # What needs only this part is done while the worker is still busy.
        diags += _enterprise_references(plan, shard)
        diags = locate(root, [*raw.diagnostics, *diags], records=raw.records)
        located = shard.located
        part = ledger_of(config, root, located, sources=False)  # made when whole() is
        fill_enterprise_defaults(part.hazards, part.enterprises)
        ours = None if work is None else work(part, True)
        sent = pending.result()
    if sent is None:
        return None
    worker = _PartsWorkerResult(*marshal.loads(sent))
    _remember_misses(plan.evidence, worker.misses)
    add_digests(digests, raw, worker.files)
    both = _rules_over_both_parts(shard, worker.ids, worker.valid)
    diags += locate(root, both, records=raw.records)
    diags += map(unpack_diagnostic, worker.diagnostics)
    return ShardedParts(
        part,
        diags,
        len(raw.records) + len(worker.ids),
        ours,
        worker.worked,
        located,
        worker.valid,
        worker.hazards,
        hand_over,
    )


@dataclass(slots=True)
class _Plan:
    """How a ledger is cut between the parent and the worker.  The parent reads the
    enterprise files first, after the fork, and sends the worker their ids (which it
    needs only at the end, for its hazards' references to enterprises)."""

    config: Config
    config_diagnostics: list[Diagnostic]
    evidence: set[str]  # the files under evidence/
    theirs: list[Entry]  # the worker's files
    enterprises: list[Entry]  # the enterprise files (the parent's)
    ours: list[Entry]  # the parent's other files
    raw: RawLedger  # the parent's records
    files: FileCache | None  # files kept from earlier runs (safeledger.file_cache)
    enterprise_ids: set[str] = field(default_factory=set)  # once the parent read them

    def read(self, entries: list[Entry]) -> list[FileResult]:
        """The results of these files, in one process: from ``files`` or from disk."""
        return reader_of(self.files)(self.raw.root, entries, 1)


def _plan(
    root: Path,
    workers: int | None,
    evidence: set[str] | None,
    fraction: float,
    discovery: Discovery | None,
    files: FileCache | None,
) -> _Plan | None:
    """The cut for a worker taking ``fraction`` of the work, or None when the ledger is
    too small for two processes to pay, or its config is unusable."""
    head, entries = read_head(root, discovery)
    sized = estimate_sizes(root, entries)  # for the cut only: readers take the real ones
    if not worth_sharding(sum(map(entry_bytes, sized)), workers):
        return None
    config, diags, usable = validate_config(head.config)
    if not usable:
        return None
    taken = {e[0] for e in _worker_share(sized, fraction)}
    if not taken:
        return None
    if evidence is None:
        evidence = list_evidence(root)
    theirs = [e for e in entries if e[0] in taken]
    enterprise_entries = [e for e in entries if e[1] == "enterprises"]
    ours = [e for e in entries if e[0] not in taken and e[1] != "enterprises"]
    raw = RawLedger(root=root, config=head.config, diagnostics=list(head.diagnostics))
    return _Plan(config, diags, evidence, theirs, enterprise_entries, ours, raw, files)


def _forked_worker(
    plan: _Plan, work: Callable[..., Any], today: dt.date, *more: object
) -> tuple[Forked, Later]:
    """``work`` (:func:`_worker` or :func:`_parts_worker`) on the worker's files, to be
    forked, and the :class:`Later` through which the worker gets the enterprises
    (sent once the parent has read them: :func:`_read_enterprises`).  ``more``: the
    arguments after the evidence listing."""
    enterprises = Later()
    root = plan.raw.root
    task = partial(
        work, root, plan.theirs, plan.config, enterprises, today, set(plan.evidence),
        plan.files, *more,
    )
    return Forked(task, enterprises), enterprises


# What the worker gets of the enterprises: their ids (for its hazards' references) and,
# in a load (status, report), the records as read: it validates them too, to fill its
# hazards' community and domain and to lay out its part.
_SentEnterprises = tuple[set[str], list[RawRecord] | None]


def _read_enterprises(plan: _Plan, *, with_records: bool = False) -> _SentEnterprises:
    """The parent's first records: the enterprise files; their ids (and records)."""
    for result in plan.read(plan.enterprises):
        add_file(plan.raw, result)
    plan.enterprise_ids = {i for i in map(record_id, plan.raw.records) if i is not None}
    return plan.enterprise_ids, list(plan.raw.records) if with_records else None


def _parent_part(
    plan: _Plan, today: dt.date, progress: Progress | None
) -> tuple[Shard, list[Diagnostic]]:
    """The parent's share (while the worker works): read into ``plan.raw``, validated,
    and the duplicate-id rule for the kinds only the parent reads.  The diagnostics
    (config's first) are unlocated."""
    root, raw, ours = plan.raw.root, plan.raw, plan.ours
    step = max(20, len(ours) // 50)
    for start in range(0, len(ours), step):
        for result in plan.read(ours[start : start + step]):
            add_file(raw, result)
        if progress is not None:  # the parent's part stands for both
            progress("read", min(start + step, len(ours)), len(ours))
    shard = validate_shard(
        raw.records,
        config=plan.config,
        root=root,
        today=today,
        evidence=plan.evidence,
        progress=None if progress is None else partial(progress, "validate"),
    )
    diags = [*plan.config_diagnostics, *shard.diagnostics]
    for kind in ("enterprises", "activities"):
        diags.extend(rules.duplicate_ids(kind, shard.located[kind]))
    return shard, diags


def _enterprise_references(plan: _Plan, shard: Shard) -> list[Diagnostic]:
    """The parent's part of the rule on references (the worker checks its hazards'):
    its hazards' and activities' enterprises, known before the worker's answer comes."""
    located = shard.located
    return list(
        rules.enterprise_references(
            [*located["hazards"], *located["activities"]], plan.enterprise_ids
        )
    )


def _rules_over_both_parts(
    shard: Shard, worker_ids: list[str | None], worker_valid: list[_Valid]
) -> list[Diagnostic]:
    """Duplicate hazard ids across the parts, and references to hazards of either part
    (unlocated)."""
    located = shard.located
    both = _duplicate_hazards(located["hazards"], worker_valid)
    hazard_ids = {i for i in (*shard.ids["hazards"], *worker_ids) if i is not None}
    both.extend(rules.hazard_references(located["activities"], hazard_ids))
    return both


def add_digests(
    digests: dict[str, str] | None, raw: RawLedger, theirs: Sequence[tuple[str, str]] = ()
) -> None:
    """The SHA-256 of every file read (``raw``'s, and the worker's ``theirs``) into
    ``digests``, for the cache key; nothing when not asked (None)."""
    if digests is not None:
        digests.update(raw.digests())
        digests.update(theirs)


def _remember_misses(evidence: set[str], misses: set[str]) -> None:
    """Evidence paths the worker looked up on disk, for the cache to look up again."""
    if hasattr(evidence, "misses"):
        evidence.misses |= misses


def _worker_part(
    root: Path,
    entries: list[Entry],
    config: Config,
    enterprises: Later,  # _SentEnterprises, sent after the fork
    today: dt.date,
    evidence: set[str],
    files: FileCache | None,
) -> tuple[RawLedger, Shard, list[Diagnostic], ProbedEvidence]:
    """What both workers do first: read (or take from ``files``) and validate their
    files, and the reference to an enterprise (whose ids the parent sends when it has
    read them).  Diagnostics unlocated."""
    gc.disable()  # a short-lived process that builds many containers and no cycles
    probed = ProbedEvidence(evidence)
    raw = RawLedger(root=root, config=None)
    for result in reader_of(files)(root, entries, 1):
        add_file(raw, result)
    shard = validate_shard(raw.records, config=config, root=root, today=today, evidence=probed)
    diags = [*raw.diagnostics, *shard.diagnostics]
    diags.extend(rules.enterprise_references(shard.located["hazards"], enterprises.get()[0]))
    return raw, shard, diags, probed


def _parts_worker(
    root: Path,
    entries: list[Entry],
    config: Config,
    enterprises: Later,  # _SentEnterprises, sent after the fork
    today: dt.date,
    evidence: set[str],
    files: FileCache | None,
    with_digests: bool,
    work: PartWork | None,
    encode: bool,
    hand_over: HandOver | None,
) -> bytes:
    """The worker's part of :func:`load_in_parts`: a :class:`_PartsWorkerResult`'s
    fields, marshalled (several times faster to send than pickled).  Its hazards, when
    asked (``encode``), go through ``hand_over`` if there is one and a process can be
    forked to write it, else with the answer."""
    raw, shard, diags, probed = _worker_part(
        root, entries, config, enterprises, today, evidence, files
    )
    hazards = shard.located["hazards"]
    diags = locate(root, diags, records=raw.records)
    # The hazards filled here, not in the parent after they are sent: the worker,
    # whose share is the smaller, is done first.
    part = ledger_of(config, root, {"hazards": hazards}, sources=False)
    part.enterprises = _valid_enterprises(enterprises.get()[1] or [], config, root, today)
    fill_enterprise_defaults(part.hazards, part.enterprises)
    worked = None if work is None else work(part, False)
    encoded = None
    if encode and (
        hand_over is None or not in_background(partial(hand_over.put, part.hazards))
    ):
        encoded = RECORD_CODEC.encode_all(part.hazards)
    answer = (
        list(map(pack_diagnostic, diags)),
        shard.ids["hazards"],
        _valid(hazards),
        probed.misses,
        encoded,
        raw.digests() if with_digests else [],
        worked,
    )
    hold_until_exit(raw, shard, diags, answer)
    _keep_files(files)
    return marshal.dumps(answer)


def _keep_files(files: FileCache | None) -> None:
    """The worker's files read from disk, kept by a process of their own — on a command
    line once the command has ended, so that neither the worker's answer nor the
    command's last steps wait for it or share a core with it; the parent keeps its
    own and prunes."""
    if files is not None and files.fresh:
        after = os.getppid() if collecting() else None  # a command line: its process
        in_background(partial(files.store, prune=False, after=after))


def _valid_enterprises(
    records: list[RawRecord], config: Config, root: Path, today: dt.date
) -> list[Enterprise]:
    """The valid enterprises among the records the parent read, as the parent finds
    them (validation is per record; its findings are the parent's to report)."""
    shard = validate_shard(records, config=config, root=root, today=today, evidence=set())
    return [loc.record for loc in shard.located["enterprises"]]  # type: ignore[misc]


def _valid(hazards: list[rules.Located]) -> list[_Valid]:
    return [
        (
            loc.record.id,  # type: ignore[attr-defined]
            loc.ref.file,
            loc.ref.index,
            loc.ref.line,
            loc.ref.column,
            loc.written.get(("id",), ()),
        )
        for loc in hazards
    ]


def _duplicate_hazards(ours: list[rules.Located], theirs: list[_Valid]) -> list[Diagnostic]:
    """The duplicate-id rule over the hazards of both parts, in reading order (the
    parent's files come first).  Only ids used more than once get a stand-in record."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for rid in (*(loc.record.id for loc in ours), *(v[0] for v in theirs)):  # type: ignore[attr-defined]
        if rid in seen:
            repeated.add(rid)
        seen.add(rid)
    if not repeated:
        return []
    stubs = [
        rules.Located(_Stub(rid), RecordRef(file, index, line, column), _IdPath(path))  # type: ignore[arg-type]
        for rid, file, index, line, column, path in theirs
        if rid in repeated
    ]
    mine = [loc for loc in ours if loc.record.id in repeated]  # type: ignore[attr-defined]
    return list(rules.duplicate_ids("hazards", [*mine, *stubs]))


def _placed_as_in_one_process(
    packed: list[Packed], sources: dict[tuple[str, str], RecordRef]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The worker's diagnostics: (as they are, those to locate in the parent).  In one
    process a hazard's compliance finding is placed at the *first* record with its id;
    when that record is in the parent's part (an id used in both parts), move it there."""
    keep: list[Diagnostic] = []
    moved: list[Diagnostic] = []
    for d in map(unpack_diagnostic, packed):
        ref = sources.get(("hazards", d.record or "")) if d.code in _HAZARD_FINDINGS else None
        if ref is None:
            keep.append(d)
        elif ref.line is None:
            moved.append(
                replace(d, file=ref.file, line=None, column=None, anchor=Anchor(ref.index, ()))
            )
        else:
            keep.append(replace(d, file=ref.file, line=ref.line, column=ref.column, anchor=None))
    return keep, moved


class _IdPath:
    """The ``written`` map of a stub: only the id's key path is known."""

    __slots__ = ("path",)

    def __init__(self, path: tuple[str | int, ...]) -> None:
        self.path = path

    def get(
        self, path: tuple[str | int, ...], default: tuple[str | int, ...] = ()
    ) -> tuple[str | int, ...]:
        return self.path if path == ("id",) else default


def _worker_share(entries: Sequence[Entry], fraction: float) -> list[Entry]:
    """The worker's files: the last hazard files, ``fraction`` of the work.  A file's work
    is its bytes plus a fixed cost per file, so that 160,000 small files are split as
    fairly as 160 big ones (measured: opening, reading and one parser call cost about as
    much as parsing 100 bytes)."""
    total = sum(_cost(e) for e in entries)
    want = int(total * fraction)
    hazards = [e for e in entries if e[1] == "hazards"]
    share: list[Entry] = []
    got = 0
    for entry in reversed(hazards):
        if got >= want:
            break
        share.append(entry)
        got += _cost(entry)
    if len(share) == len(hazards) and len(hazards) > 1:
        share.pop()  # keep one in the parent: both parts then run the same code
    share.reverse()
    return share


PER_FILE_BYTES = 100


def _cost(entry: Entry) -> int:
    return entry_bytes(entry) + PER_FILE_BYTES


def _worker(
    root: Path,
    entries: list[Entry],
    config: Config,
    enterprises: Later,
    today: dt.date,
    evidence: set[str],
    files: FileCache | None,
    as_of: dt.date,
    compliance: bool,
    with_digests: bool,
) -> _WorkerResult:
    raw, shard, diags, probed = _worker_part(
        root, entries, config, enterprises, today, evidence, files
    )
    hazards = shard.located["hazards"]
    if compliance:
        diags += compliance_diagnostics(ledger_of(config, root, {"hazards": hazards}), as_of)
    diags = locate(root, diags, records=raw.records)
    hold_until_exit(raw, shard, diags)
    _keep_files(files)
    return _WorkerResult(
        list(map(pack_diagnostic, diags)),
        shard.ids["hazards"],
        _valid(hazards),
        probed.misses,
        raw.digests() if with_digests else [],
    )
