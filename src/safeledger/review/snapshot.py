"""A ledger's records keyed by (kind, id), with canonical field values to compare.

Values are compared as the validator understands them, not as written: an English or a
Chinese key, ``2025/3/1`` or ``2025-03-01``, ``重大`` or ``major``, a record moved to
another file: none of these is a change.  A record that does not validate is compared
by its keys made canonical and its values as written (the check reports why it is
invalid)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from safeledger.diagnostics import Anchor
from safeledger.evaluate.status import hazard_state
from safeledger.model import ACTIVITY_MODELS, Enterprise, Hazard
from safeledger.model.records import Activity, Record
from safeledger.read.raw import RECORD_KINDS, RawLedger, RawRecord
from safeledger.validate.keys import normalise
from safeledger.validate.records import WrittenPaths, record_id, validate_record

__all__ = ["SnapRecord", "Snapshot", "natural_key", "snapshot"]

RecordKey = tuple[str, str]  # (kind, id)


@dataclass(frozen=True, slots=True)
class SnapRecord:
    kind: str
    id: str
    file: str  # relative to the ledger root
    index: int
    line: int | None
    fields: dict[str, Any]  # canonical name -> JSON-able canonical value
    model: Record | None  # None when the record does not validate
    written: WrittenPaths  # canonical -> written path

    def anchor(self, field: str | None = None) -> Anchor:
        if field is None:
            return Anchor(self.index)
        return Anchor(self.index, self.written.get((field,), ()))

    def status(self, as_of: dt.date) -> str | None:
        """The hazard's status as of ``as_of`` (None: not a valid hazard, or found later)."""
        if not isinstance(self.model, Hazard):
            return None
        state = hazard_state(self.model, as_of)
        return None if state is None else str(state.status.value)


Snapshot = dict[RecordKey, SnapRecord]


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enum members
        return value.value
    return value


def canonical_fields(model: Record) -> dict[str, Any]:
    return {str(k): _json(v) for k, v in model.model_dump().items()}


def _fallback_model(rec: RawRecord) -> type[Record]:
    if rec.kind == "enterprises":
        return Enterprise
    if rec.kind == "hazards":
        return Hazard
    kind = next((str(v) for k, v in rec.data.items() if str(k).strip() in ("kind", "类型")), "")
    return ACTIVITY_MODELS.get(kind, Activity)


def snap_record(rec: RawRecord) -> SnapRecord | None:
    rid = record_id(rec)
    if rid is None:
        return None
    model, _diags, written = validate_record(rec)
    if model is not None:
        fields = canonical_fields(model)
    else:
        norm = normalise(_fallback_model(rec), rec.data, file=rec.file, index=rec.index,
                         record_id=rid, csv=rec.key_columns is not None)
        fields = {str(k): _json(v) for k, v in norm.data.items()}
        written = norm.written
    return SnapRecord(rec.kind, rid, rec.file, rec.index, rec.line, fields, model, written)


def snapshot(raw: RawLedger) -> Snapshot:
    """Records by (kind, id); when an id is written twice the first one (in file order)
    is kept, as the validator does (it reports the duplicate)."""
    out: Snapshot = {}
    for rec in raw.records:
        snap = snap_record(rec)
        if snap is not None:
            out.setdefault((snap.kind, snap.id), snap)
    return out


_DIGITS = re.compile(r"(\d+)")


def natural_key(key: RecordKey) -> tuple[int, tuple[tuple[int, str | int], ...]]:
    """Kinds in the order hazards, activities, enterprises; ids in natural order
    (H-2025-9 before H-2025-10)."""
    order = {"hazards": 0, "activities": 1, "enterprises": 2}
    parts = tuple((1, int(p)) if p.isdigit() else (0, p) for p in _DIGITS.split(key[1]) if p)
    return order.get(key[0], len(RECORD_KINDS)), parts


KIND_SINGULAR = {"hazards": "hazard", "activities": "activity", "enterprises": "enterprise"}
KIND_ZH = {"hazards": "隐患", "activities": "活动", "enterprises": "单位"}
