"""A validated record as plain data with canonical keys, in model field order: what import
writes as YAML and export writes as JSON.  Fields that hold their default (empty lists,
``high_risk: false``, ``status: active``) are left out, except an activity's ``kind``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from safeledger.transfer.values import number_out

ALWAYS = frozenset({"kind"})


def plain(value: Any, *, iso_dates: bool) -> Any:
    if isinstance(value, BaseModel):
        return record_data(value, iso_dates=iso_dates)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return number_out(value)
    if isinstance(value, dt.date):
        return value.isoformat() if iso_dates else value
    if isinstance(value, list | tuple):
        return [plain(v, iso_dates=iso_dates) for v in value]
    return value


def record_data(record: BaseModel, *, iso_dates: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in type(record).model_fields.items():
        value = getattr(record, name)
        if name not in ALWAYS:
            if value is None or value == [] or value == "":
                continue
            if not info.is_required() and info.default is not None and value == info.default:
                continue
        out[name] = plain(value, iso_dates=iso_dates)
    return out
