"""The Rust-only validator (safeledger.validate.fast) against the lenient models: whatever
it accepts gives exactly the record the lenient path gives (same class, field values
with their types, fields set at every depth, no diagnostic, same written key paths)."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from safeledger.model import Level
from safeledger.model.records import ACTIVITY_MODELS, Hazard
from safeledger.validate.fast import batch_validator
from safeledger.validate.keys import CanonicalPaths, field_names
from safeledger.validate.records import MODELS, validate_record
from tests.validate.conftest import raw

TEXTS = [
    "消防设施",
    "E001",
    "a b",
    "x\ny",
    "",
    " ",
    " 李强",
    "李强 ",
    "\u3000李强",
    "李强\x1c",
    "\x85",
    "general",
    "GENERAL",
    " general",
    "一般",
    "重大隐患",
    "pass",
    "合格",
    "是",
    "evidence/a.pdf",
    "a; b",
    "2025-03-01",
    "2025/3/1",
    "2025-3-1",
    " 2025-03-01",
    "2025年3月1日",
    "2025-02-30",
    "3/1/2025",
    "12000",
    "1,200元",
    "1_000",
    "inspection",
    "检查",
    "drill",
    "fire_pump",
    "消防水泵",
    "active",
    "property_management",
    "-1",
    "0",
]
DATES = [dt.date(2025, 3, 1), dt.date(2031, 1, 1), dt.datetime(2025, 3, 1)]
NUMBERS = [
    0,
    1,
    7,
    -3,
    12000,
    10**18,
    10**19,
    10**4400,
    3500.5,
    0.1,
    -0.0,
    1e300,
    float("nan"),
    float("inf"),
    Decimal("1.50"),
    Decimal("-1"),
    True,
    False,
]

scalar = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from(DATES),
    st.sampled_from(NUMBERS),
    st.none(),
    st.sampled_from(list(Level)),
    st.text(max_size=6),
)
value = st.one_of(scalar, st.lists(scalar, max_size=3))


def _keys(model: type[BaseModel]) -> list[str]:
    names = field_names(model)
    return [*model.model_fields, *names.label.values(), "remark", "ID", " id"]


def _nested(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    dated = {"to", "on", "expires_on"}
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    canonical = st.fixed_dictionaries(
        {name: st.sampled_from(DATES[:2]) for name in required & dated},
        optional={name: scalar for name in set(model.model_fields) - (required & dated)},
    )
    return st.one_of(canonical, st.dictionaries(st.sampled_from(_keys(model)), scalar, max_size=5))


def _record(model: type[BaseModel], base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = field_names(model)
    nested = {
        name: st.lists(st.one_of(_nested(item), scalar), max_size=2)
        for name, item in names.nested.items()
    }
    keys = st.sampled_from(_keys(model))
    values = st.one_of(value, *nested.values())
    # Few changes too, so that many records stay acceptable to the fast path.
    changes = st.one_of(
        st.just({}),
        st.dictionaries(keys, values, max_size=1),
        st.dictionaries(st.sampled_from(list(model.model_fields)), scalar, max_size=2),
        st.dictionaries(keys, values, max_size=4),
    )
    drops = st.sets(st.sampled_from(sorted(base)), max_size=2)

    def build(changed: dict[str, Any], dropped: set[str]) -> dict[str, Any]:
        data = {k: v for k, v in base.items() if k not in dropped}
        data.update(changed)
        return data

    return st.builds(build, changes, drops)


ENTERPRISE = {
    "id": "E001",
    "name": "和平物业",
    "kind": "property_management",
    "principal": "张伟",
    "high_risk": False,
    "facilities": ["hydrant"],
}
HAZARD = {
    "id": "H-2025-001",
    "found_on": dt.date(2025, 3, 1),
    "enterprise": "E001",
    "location": "3号楼车库",
    "category": "消防设施",
    "level": "general",
    "description": "灭火器过期",
    "responsible": "李强",
    "deadline": dt.date(2025, 3, 15),
    "funds": 1200,
    "extensions": [{"to": dt.date(2025, 4, 1), "on": dt.date(2025, 3, 14)}],
    "evidence": ["evidence/a.pdf"],
}
ACTIVITIES = {
    "inspection": {"hazards": ["H-2025-001"], "principal_led": True, "led_by": "王"},
    "drill": {"drill_type": "evacuation", "participants": 30},
    "training": {"role": "staff", "hours": 2.5, "trainee": "赵"},
    "maintenance": {"facility": "fire_pump", "result": "ok"},
    "interview": {"reason": "逾期", "hazards": []},
}


def _activity(kind: str) -> dict[str, Any]:
    return {
        "id": "A-1",
        "kind": kind,
        "date": dt.date(2025, 3, 2),
        "enterprise": "E001",
        **ACTIVITIES[kind],
    }


records = st.one_of(
    st.tuples(st.just("enterprises"), _record(MODELS["enterprises"], ENTERPRISE)),
    st.tuples(st.just("hazards"), _record(Hazard, HAZARD)),
    *(
        st.tuples(st.just("activities"), _record(model, _activity(kind)))
        for kind, model in ACTIVITY_MODELS.items()
    ),
)


def _same(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    if isinstance(slow, BaseModel):
        assert fast.__pydantic_fields_set__ == slow.__pydantic_fields_set__
        assert fast.__pydantic_extra__ == slow.__pydantic_extra__
        assert fast.__pydantic_private__ == slow.__pydantic_private__
        assert list(fast.__dict__) == list(slow.__dict__)
        for name in slow.__dict__:
            _same(fast.__dict__[name], slow.__dict__[name])
    elif isinstance(slow, list):
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow, strict=True):
            _same(f, s)
    else:
        assert repr(fast) == repr(slow)


def _paths(model: BaseModel, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every key path a rule could ask for, set or not, and a few that cannot exist."""
    out: list[tuple[str | int, ...]] = [(*prefix, "nope"), (*prefix, 0)]
    for name in type(model).model_fields:
        out.append((*prefix, name))
        value = getattr(model, name)
        if isinstance(value, list):
            out.append((*prefix, name, len(value), "to"))
            for i, item in enumerate(value):
                out.append((*prefix, name, i))
                if isinstance(item, BaseModel):
                    out.extend(_paths(item, (*prefix, name, i)))
    return out


@settings(max_examples=400)  # about one record in ten is accepted by the fast path
@given(records)
def test_what_the_fast_path_accepts_the_lenient_path_gives_alike(
    case: tuple[str, dict[str, Any]],
) -> None:
    kind, data = case
    rec = raw(kind, data)
    (fast,) = batch_validator(kind).validate_python([data])
    slow, diags, written = validate_record(rec)
    if fast is data:
        return  # refused: the caller takes the lenient path
    assert slow is not None and diags == []
    _same(fast, slow)
    assert fast.id == rec.data["id"]
    paths = CanonicalPaths(fast)
    for path in _paths(slow):
        assert paths.get(path) == written.get(path, ()), path
        assert (path in paths) == (path in written)


def test_canonical_records_are_accepted() -> None:
    """The property above would hold for a validator that refuses everything."""
    for kind, data in [
        ("enterprises", ENTERPRISE),
        ("hazards", HAZARD),
        *(("activities", _activity(kind)) for kind in ACTIVITY_MODELS),
    ]:
        (fast,) = batch_validator(kind).validate_python([data])
        assert fast is not data, data
        assert fast == validate_record(raw(kind, data))[0]


def test_refuses_what_only_the_lenient_path_accepts() -> None:
    """Also shows the schema given is compiled, not the model's own lenient validator."""
    lenient_only = [
        {"found_on": "2025/3/1"},
        {"level": "一般"},
        {"location": " 车库"},
        {"funds": "1,200元"},
        {"funds": 10**19},  # as a float it would lose its digits: Decimal('1E+19')
        {"隐患编号": "H-1"},
        {"notes": None},
        {"notes": ""},
        {"location": 12},
        {"extensions": [{"延期至": dt.date(2025, 4, 1)}]},
    ]
    for change in lenient_only:
        data = {**HAZARD, **change}
        if "隐患编号" in change:
            del data["id"]
        assert validate_record(raw("hazards", data))[0] is not None, change
        (fast,) = batch_validator("hazards").validate_python([data])
        assert fast is data, change


def test_every_python_space_is_refused_at_either_end() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    validator = batch_validator("hazards")
    for space in spaces:
        for text in (space + "李强", "李强" + space, space):
            data = {**HAZARD, "responsible": text}
            (fast,) = validator.validate_python([data])
            assert fast is data, repr(text)
