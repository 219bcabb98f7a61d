"""safeledger._json: orjson's indented text is json.dumps's, byte for byte, or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from safeledger._json import decimal_as_number, indented
from safeledger.report.context import to_json


def _dumps(value: Any, indent: str) -> str:
    # the callers' converter: dates as isoformat(), decimals as numbers (spec section 8)
    converted = to_json(value)
    return json.dumps(converted, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


texts = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\n\t\x00\x1f\x7f\u2028和%'),
    max_size=8,
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | texts
    | st.dates()
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-1)
    | st.sampled_from([Decimal("0.00001"), Decimal("12.5"), Decimal("100"), Decimal("1E+2")])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-5, 1.5e-7, 9.999e-9, 1e-10, 1e16, 1e-4, -0.0, 0.1])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.tuples(inner, inner)
    | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from(["", "  ", "    "]))
def test_orjson_writes_what_json_writes_or_declines(value: Any, indent: str) -> None:
    text = indented(value, indent, decimal_as_number)
    if text is not None:
        assert text == _dumps(value, indent)


def test_the_usual_values_are_written_by_orjson() -> None:
    row = {
        "id": "H-2025-001",
        "flags": ["extended"],
        "found_on": dt.date(2025, 3, 1),
        "rate": Decimal("33.3"),
        "funds": Decimal("12"),
        "days": None,
        "closed": True,
        "pair": (1, "和平社区\n"),
        "empty": {},
    }
    text = indented([row, row], "  ", decimal_as_number)
    assert text is not None and text == _dumps([row, row], "  ")


class _Where:
    pass


@dataclasses.dataclass
class _Point:
    x: int


def test_what_orjson_would_write_otherwise_is_declined() -> None:
    for value in (
        {1: "a key that is not a string"},
        {"big": 2**64},
        {"text": "a lone surrogate \udc80"},
        {"small": Decimal("0.00001")},  # json: 1e-05
        [1.5e-7, "orjson: 1.5e-7, json: 1.5e-07"],
        {"point": _Point(1)},
        {"other": _Where()},
    ):
        assert indented(value, "", decimal_as_number) is None, value
    assert indented({"d": Decimal("1.5")}) is None  # decimals only with the converter
    # text that merely looks like such a number: declined too (only slower)
    assert indented(["v0.0000", "a 3e-5 b"]) is None
    assert indented(["re-check", "1e-10", 1e-10, 2.5e16]) is not None
