"""Validate layer: raw records -> models + cross-record rules -> diagnostics.

The work is in two steps so that parts of a ledger can be checked apart (in worker
processes) and put together after: :func:`validate_shard` needs only the records of its
part, :func:`combine_shards` runs the rules that need every record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeledger._gc import no_cycle_collection
from safeledger.diagnostics import Diagnostic
from safeledger.model import Config, Enterprise, Hazard
from safeledger.read.evidence import list_evidence
from safeledger.read.raw import RECORD_KINDS, RawLedger, RawRecord
from safeledger.validate import rules
from safeledger.validate.config import validate_config
from safeledger.validate.fast import batch_validator
from safeledger.validate.keys import CanonicalPaths
from safeledger.validate.ledger import Ledger, RecordRef
from safeledger.validate.records import record_id, validate_record

__all__ = [
    "ENTERPRISE_DEFAULTS",
    "Ledger",
    "RecordRef",
    "Shard",
    "combine_shards",
    "fill_enterprise_defaults",
    "ledger_of",
    "validate_ledger",
    "validate_shard",
]


def _per_kind() -> dict[str, list[Any]]:
    return {kind: [] for kind in RECORD_KINDS}


@dataclass(slots=True)
class Shard:
    """What :func:`validate_shard` found in its records."""

    # kind -> the valid records with where they are written, in reading order
    located: dict[str, list[rules.Located]] = field(default_factory=_per_kind)
    # from the records alone: validation and per-record rules (unsorted, may carry anchors)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # kind -> record_id of every record read, valid or not (None: no id), in reading order
    ids: dict[str, list[str | None]] = field(default_factory=_per_kind)


def validate_ledger(
    raw: RawLedger,
    *,
    today: dt.date,
    evidence: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Ledger, list[Diagnostic]]:
    """Validate every record and the cross-record rules.  ``today`` is passed in (no clock
    here) for the "no date after today" rule.  Diagnostics are unsorted and may carry
    anchors that :func:`safeledger.read.locate` resolves to lines.  ``evidence``: the
    files under evidence/ when the caller has listed them already (see safeledger.cache).
    ``progress(done, total)`` (records) is called now and then when given."""
    config, diags, usable = validate_config(raw.config)
    if not usable:
        return Ledger(root=raw.root, config=config), diags
    if evidence is None:
        evidence = list_evidence(raw.root)
    shard = validate_shard(
        raw.records,
        config=config,
        root=raw.root,
        today=today,
        evidence=evidence,
        progress=progress,
    )
    ledger, found = combine_shards(config, raw.root, [shard])
    diags.extend(found)
    return ledger, diags


def validate_shard(
    records: Sequence[RawRecord],
    *,
    config: Config,
    root: Path,
    today: dt.date,
    evidence: set[str],
    progress: Callable[[int, int], None] | None = None,
) -> Shard:
    """Validate ``records`` (any kinds, any files) and run the rules that need only
    them: per-record rules (chronology, closure, evidence, credit codes…) and the
    configured communities / domains / categories.  ``evidence``: the files under
    evidence/ (:func:`safeledger.read.evidence.list_evidence`)."""
    with no_cycle_collection(settle=True):
        return _validate_shard(records, config, root, today, evidence, progress)


def _validate_shard(
    records: Sequence[RawRecord],
    config: Config,
    root: Path,
    today: dt.date,
    evidence: set[str],
    progress: Callable[[int, int], None] | None,
) -> Shard:
    shard = Shard()
    diags = shard.diagnostics
    by_kind: dict[str, list[RawRecord]] = _per_kind()
    for rec in records:
        by_kind[rec.kind].append(rec)
    total, done = len(records), 0
    for kind, recs in by_kind.items():
        located, ids = shard.located[kind], shard.ids[kind]
        # Records written canonically are validated in one Rust call; the others (given
        # back as they were) take the lenient path, which also explains any mistake.
        # Records from the file cache come validated (``model``) when they took the fast
        # path, and as written otherwise.
        todo = [rec.data for rec in recs if rec.model is None]
        validated = iter(batch_validator(kind).validate_python(todo) if todo else ())
        for rec in recs:
            model = rec.model
            if model is None:
                model = next(validated)
                if model is not rec.data:
                    rec.model = model  # kept by the file cache
            done += 1
            if progress is not None and (done % 2000 == 0 or done == total):
                progress(done, total)
            if model is rec.data:
                ids.append(record_id(rec))
                model, found, written = validate_record(rec)
                diags.extend(found)
                if model is None:
                    continue
            else:
                ids.append(model.id)
                written = CanonicalPaths(model)
            ref = RecordRef(rec.file, rec.index, rec.line, rec.column)
            located.append(rules.Located(model, ref, written))

    for loc in shard.located["enterprises"]:
        diags.extend(rules.enterprise_rules(loc))
    for loc in shard.located["hazards"]:
        diags.extend(rules.hazard_rules(loc, today=today, root=root, evidence_files=evidence))
    for loc in shard.located["activities"]:
        diags.extend(rules.activity_rules(loc, today))
    diags.extend(
        rules.configured_values(config, [*shard.located["enterprises"], *shard.located["hazards"]])
    )
    return shard


def combine_shards(
    config: Config, root: Path, shards: Sequence[Shard]
) -> tuple[Ledger, list[Diagnostic]]:
    """The ledger of all the shards (records in shard order) and the diagnostics: those
    of each shard, in shard order, then those of the rules that need every record
    (duplicate ids, references).  Hazards get their enterprise's community and domain
    when they have none."""
    with no_cycle_collection(settle=True):
        return _combine_shards(config, root, shards)


def _combine_shards(
    config: Config, root: Path, shards: Sequence[Shard]
) -> tuple[Ledger, list[Diagnostic]]:
    diags = [d for shard in shards for d in shard.diagnostics]
    located: dict[str, list[rules.Located]] = {
        kind: [loc for s in shards for loc in s.located[kind]] for kind in RECORD_KINDS
    }
    for kind, records in located.items():
        diags.extend(rules.duplicate_ids(kind, records))
    # References count records that exist even if they are invalid: one broken hazard
    # should give its own errors, not a cascade of "unknown hazard" elsewhere.
    enterprise_ids = {i for s in shards for i in s.ids["enterprises"] if i is not None}
    hazard_ids = {i for s in shards for i in s.ids["hazards"] if i is not None}
    diags.extend(
        rules.references(located["hazards"], located["activities"], enterprise_ids, hazard_ids)
    )

    ledger = ledger_of(config, root, located)
    fill_enterprise_defaults(ledger.hazards, ledger.enterprises)
    return ledger, diags


def ledger_of(
    config: Config,
    root: Path,
    located: Mapping[str, list[rules.Located]],
    *,
    sources: bool = True,
) -> Ledger:
    """The ledger of these validated records (kinds not given: none), in their order;
    its sources are where the first record of each id is written (``sources=False``:
    none, for a part of a ledger whose sources are made later)."""
    ledger = Ledger(root=root, config=config)
    ledger.enterprises = [loc.record for loc in located.get("enterprises", ())]  # type: ignore[misc]
    ledger.hazards = [loc.record for loc in located.get("hazards", ())]  # type: ignore[misc]
    ledger.activities = [loc.record for loc in located.get("activities", ())]  # type: ignore[misc]
    if not sources:
        return ledger
    sources_of = ledger.sources
    for kind, records in located.items():
        for loc in records:
            sources_of.setdefault((kind, loc.record.id), loc.ref)  # type: ignore[attr-defined]
    return ledger


# The fields a hazard without them takes from its enterprise (fill_enterprise_defaults).
ENTERPRISE_DEFAULTS = ("community", "domain")


def fill_enterprise_defaults(hazards: list[Hazard], enterprises: list[Enterprise]) -> None:
    """A hazard without community or domain takes its enterprise's (the first enterprise
    of that id).  The instances were made a moment ago by this validation and are not
    shared yet, so they are filled in place: much cheaper than model_copy at 100k.  (The
    file cache, which holds them too, keeps what the file says: safeledger.file_cache.)"""
    defaults: dict[str, dict[str, str]] = {}
    for ent in enterprises:
        if ent.id not in defaults:
            defaults[ent.id] = {
                name: value
                for name in ENTERPRISE_DEFAULTS
                if (value := ent.__dict__[name])
            }
    for h in hazards:
        values = h.__dict__
        if values["community"] and values["domain"]:
            continue
        found = defaults.get(values["enterprise"])
        if found:
            values.update({k: v for k, v in found.items() if not values[k]})
