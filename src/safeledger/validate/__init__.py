"""Validate layer: raw records -> models + cross-record rules -> diagnostics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from safeledger.diagnostics import Diagnostic
from safeledger.model import Enterprise, Hazard
from safeledger.read.raw import RawLedger
from safeledger.validate import rules
from safeledger.validate.config import validate_config
from safeledger.validate.ledger import Ledger, RecordRef
from safeledger.validate.records import record_id, validate_record

__all__ = ["Ledger", "RecordRef", "validate_ledger"]


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
    ledger = Ledger(root=raw.root, config=config)
    if not usable:
        return ledger, diags
    located: dict[str, list[rules.Located]] = {"enterprises": [], "hazards": [], "activities": []}
    total = len(raw.records)
    for n, rec in enumerate(raw.records, start=1):
        if progress is not None and (n % 2000 == 0 or n == total):
            progress(n, total)
        model, found, written = validate_record(rec)
        diags.extend(found)
        if model is None:
            continue
        ref = RecordRef(rec.file, rec.index, rec.line, rec.column)
        located[rec.kind].append(rules.Located(model, ref, written))

    for kind, records in located.items():
        diags.extend(rules.duplicate_ids(kind, records))
    # References count records that exist even if they are invalid: one broken hazard
    # should give its own errors, not a cascade of "unknown hazard" elsewhere.
    enterprise_ids = {record_id(r) for r in raw.records if r.kind == "enterprises"}
    hazard_ids = {record_id(r) for r in raw.records if r.kind == "hazards"}
    enterprise_ids.discard(None)
    hazard_ids.discard(None)
    diags.extend(
        rules.references(located["hazards"], located["activities"], enterprise_ids, hazard_ids)  # type: ignore[arg-type]
    )
    enterprises: dict[str, Enterprise] = {}
    for loc in located["enterprises"]:
        diags.extend(rules.enterprise_rules(loc))
        enterprises.setdefault(loc.record.id, loc.record)  # type: ignore[attr-defined,arg-type]
    if evidence is None:
        evidence = rules.list_evidence(raw.root)
    for loc in located["hazards"]:
        diags.extend(rules.hazard_rules(loc, today=today, root=raw.root, evidence_files=evidence))
    for loc in located["activities"]:
        diags.extend(rules.activity_rules(loc, today))
    diags.extend(rules.configured_values(config, [*located["enterprises"], *located["hazards"]]))

    for loc in located["enterprises"]:
        ledger.enterprises.append(loc.record)  # type: ignore[arg-type]
    for loc in located["hazards"]:
        ledger.hazards.append(_with_enterprise_defaults(loc.record, enterprises))  # type: ignore[arg-type]
    for loc in located["activities"]:
        ledger.activities.append(loc.record)  # type: ignore[arg-type]
    for kind, records in located.items():
        for loc in records:
            ledger.sources.setdefault((kind, loc.record.id), loc.ref)  # type: ignore[attr-defined]
    return ledger, diags


def _with_enterprise_defaults(h: Hazard, enterprises: dict[str, Enterprise]) -> Hazard:
    if h.community and h.domain:
        return h
    ent = enterprises.get(h.enterprise)
    if ent is None:
        return h
    update = {}
    if not h.community and ent.community:
        update["community"] = ent.community
    if not h.domain and ent.domain:
        update["domain"] = ent.domain
    # The instance was made a moment ago by this validation and is not shared yet, so
    # filling the defaults in place is safe, and much cheaper than model_copy at 100k.
    h.__dict__.update(update)
    return h
