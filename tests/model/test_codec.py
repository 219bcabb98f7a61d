"""The record codec (safeledger.model.codec): what it decodes is exactly what was
validated — same class, same values with their types, same fields set at every depth,
same key order — for every model, on random records and on the example ledger."""

from __future__ import annotations

import datetime as dt
import marshal
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from safeledger.api import load_ledger
from safeledger.model import Level
from safeledger.model.codec import RECORD_CODEC, CodecError
from safeledger.model.records import Extension
from safeledger.validate.records import validate_record
from tests.validate.conftest import HAZARD, raw
from tests.validate.test_fast import _same, records

EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"


def through_marshal(value: Any) -> Any:
    return marshal.loads(marshal.dumps(value))


def round_trip(models: list[Any]) -> list[Any]:
    return RECORD_CODEC.decode_all(through_marshal(RECORD_CODEC.encode_all(models)))


def _validated(cases: list[tuple[str, dict[str, Any]]]) -> list[BaseModel]:
    out = []
    for kind, data in cases:
        model, _, _ = validate_record(raw(kind, data))
        if model is not None:
            out.append(model)
    return out


@settings(max_examples=200)
@given(st.lists(records, max_size=8))
def test_random_records_come_back_exactly(cases: list[tuple[str, dict[str, Any]]]) -> None:
    models = _validated(cases)
    back = round_trip(models)
    assert len(back) == len(models)
    for decoded, original in zip(back, models, strict=True):
        _same(decoded, original)
    for model in models:  # one at a time, too (nested items and the config use this form)
        _same(RECORD_CODEC.decode(through_marshal(RECORD_CODEC.encode(model))), model)


def test_the_example_ledger_comes_back_exactly() -> None:
    ledger = load_ledger(EXAMPLE, today=dt.date(2026, 11, 23)).ledger
    for kind in ("enterprises", "hazards", "activities"):
        models = getattr(ledger, kind)
        assert models, kind
        for decoded, original in zip(round_trip(models), models, strict=True):
            _same(decoded, original)
    _same(RECORD_CODEC.decode(through_marshal(RECORD_CODEC.encode(ledger.config))), ledger.config)
    # the mixed activity classes keep their order
    assert [type(a) for a in round_trip(ledger.activities)] == [type(a) for a in ledger.activities]


def test_values_filled_in_after_validation_are_kept() -> None:
    """Validation fills a hazard's community from its enterprise without marking the
    field as set; the codec keeps both the value and the fields set as they are."""
    (hazard,) = _validated([("hazards", _hazard())])
    hazard.__dict__["community"] = "和平社区"
    (back,) = round_trip([hazard])
    assert back.community == "和平社区"
    assert "community" not in back.model_fields_set
    _same(back, hazard)


def test_decimals_dates_enums_and_nested_items() -> None:
    (hazard,) = _validated([("hazards", _hazard(funds="1200.50", level="重大"))])
    (back,) = round_trip([hazard])
    assert back.funds == Decimal("1200.50") and str(back.funds) == "1200.50"
    assert back.level is Level.major
    assert back.extensions == [Extension(to=dt.date(2025, 4, 1))]
    assert back.found_on == dt.date(2025, 3, 1) and type(back.found_on) is dt.date
    assert back.is_major


def test_decoded_lists_are_not_shared() -> None:
    models = _validated([("hazards", _hazard()), ("hazards", _hazard(id="H-2"))])
    a, b = round_trip(models)
    assert a.evidence == b.evidence == [] and a.evidence is not b.evidence


def test_an_unknown_value_is_refused() -> None:
    (hazard,) = _validated([("hazards", _hazard())])
    hazard.__dict__["notes"] = dt.datetime(2025, 1, 1)  # not something validation makes
    with pytest.raises(CodecError):
        RECORD_CODEC.encode_all([hazard])
    with pytest.raises(CodecError):
        RECORD_CODEC.encode_all([object()])  # type: ignore[list-item]


def test_empty() -> None:
    assert round_trip([]) == []


def _hazard(**changes: Any) -> dict[str, Any]:
    return {**HAZARD, "extensions": [{"to": "2025-04-01"}], **changes}
