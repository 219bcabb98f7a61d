"""Validated records as plain values that :mod:`marshal` can write, and back, exactly.

Pickling 100,000 pydantic models costs more than validating them again (pickle walks
each model's state dict and re-imports classes by name), so records that must cross a
process boundary or wait in a cache travel in this compact form instead:

* a record is a tuple ``(model number, fields set, value, value, …)`` with its values in
  the model's field order;
* ``str``, ``int``, ``float``, ``bool`` and ``None`` stay as they are, a list stays a list;
* everything else is a tagged tuple: a date ``(0, ordinal)``, a decimal ``(1, text)``,
  an enum member ``(2, enum number, value)``, a nested record ``(3, record)``, a dict
  ``(4, [key, value, key, value, …])``.

Decoding rebuilds the same instance validation made (same ``__dict__`` in the same order,
same fields set), without running any validator: the values were validated when the
record was read.  A value of another type is refused (:class:`CodecError`); callers
then fall back to the slow, general way.  tests/model/test_codec.py checks the round
trip on every model and on random records."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from enum import Enum
from itertools import repeat
from operator import itemgetter, setitem
from typing import Any

from pydantic import BaseModel

from safeledger.model import enums
from safeledger.model.config import Config, DutyPeriodOverride, ReportSettings
from safeledger.model.records import (
    ACTIVITY_MODELS,
    Amendment,
    Certificate,
    Enterprise,
    Extension,
    Hazard,
    Reinspection,
)

__all__ = ["RECORD_CODEC", "CodecError", "RecordCodec"]

_PLAIN = frozenset({str, int, float, bool, type(None)})
_DATE, _DECIMAL, _ENUM, _MODEL, _DICT = range(5)


class CodecError(TypeError):
    """A value the codec does not know how to write."""


class RecordCodec:
    """Encodes and decodes instances of the given model classes (nested ones included)
    whose enum values are members of the given enums.  Numbers in the encoded form are
    positions in these two lists, so both ends must build the codec with the same lists
    (the module's :data:`RECORD_CODEC` does)."""

    def __init__(self, models: Sequence[type[BaseModel]], enum_types: Iterable[type[Enum]]):
        self.models = list(models)
        self._model_number = {cls: i for i, cls in enumerate(self.models)}
        self._names = [tuple(cls.model_fields) for cls in self.models]
        self.enums = list(enum_types)
        self._enum_number = {cls: i for i, cls in enumerate(self.enums)}
        # enum number -> value -> member (members are looked up by value, not by name)
        self._members = [{m.value: m for m in cls} for cls in self.enums]
        self._fields_sets: dict[tuple[str, ...], frozenset[str]] = {}
        # What the encoded form depends on: an entry written by a codec with other
        # models, fields or enum values (safeledger changed, same version) is not read.
        pairs = zip(self.models, self._names, strict=True)
        shape = [
            *((cls.__module__, cls.__qualname__, names) for cls, names in pairs),
            *((cls.__qualname__, [m.value for m in cls]) for cls in self.enums),
        ]
        self.fingerprint = hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()[:16]

    # --- encoding -------------------------------------------------------------------

    def encode(self, record: BaseModel) -> tuple[Any, ...]:
        number = self._model_number.get(record.__class__)
        if number is None:
            raise CodecError(f"not a record the codec knows: {record.__class__.__name__}")
        values = record.__dict__
        names = self._names[number]
        if len(values) != len(names):
            raise CodecError(f"{record.__class__.__name__} has other fields than its model")
        plain = _PLAIN
        return (
            number,
            tuple(sorted(record.__pydantic_fields_set__)),
            *[
                v if v.__class__ in plain else self._encode_value(v)
                for v in map(values.__getitem__, names)
            ],
        )

    def encode_all(self, records: Sequence[BaseModel]) -> tuple[Any, ...]:
        """Many records, by columns: ``(model number of each record, groups)`` with, per
        model, ``(model number, fields-set table, fields-set number of each record,
        columns)``.  A column holds one field of every record of that model, encoded as a
        whole when it can be (dates as ordinals, enum members as values), so decoding is
        a few C-level passes instead of Python code per value."""
        numbers = self._model_number
        try:
            order = bytes(numbers[r.__class__] for r in records)
        except KeyError as err:
            raise CodecError(f"not a record the codec knows: {err.args[0].__name__}") from None
        groups = []
        for number in sorted(set(order)):
            cls = self.models[number]
            names = self._names[number]
            mine = [r for r in records if r.__class__ is cls]
            dicts = [r.__dict__ for r in mine]
            if any(len(d) != len(names) for d in dicts):
                raise CodecError(f"{cls.__name__} has other fields than its model")
            table: dict[tuple[str, ...], int] = {}
            sets = [
                table.setdefault(tuple(sorted(r.__pydantic_fields_set__)), len(table)) for r in mine
            ]
            columns = [
                self._encode_column(list(column))
                for column in zip(*map(itemgetter(*names), dicts), strict=True)
            ]
            groups.append((number, list(table), sets, columns))
        return order, groups

    def _encode_column(self, values: list[Any]) -> tuple[Any, ...]:
        types = set(map(type, values))
        if types <= _PLAIN:
            return ("plain", values)
        if types == {list} and all(x.__class__ in _PLAIN for v in values for x in v):
            return ("plain", values)  # lists of texts (marshal keeps them apart)
        types.discard(type(None))
        if types == {dt.date}:
            return ("date", [None if v is None else v.toordinal() for v in values])
        if types == {Decimal}:
            return ("decimal", [None if v is None else str(v) for v in values])
        if len(types) == 1 and (enum := types.pop()) in self._enum_number:
            return (
                "enum",
                self._enum_number[enum],
                [v if v is None else v._value_ for v in values],
            )
        encode = self._encode_item
        return ("any", [encode(v) for v in values])

    def _encode_value(self, value: Any) -> Any:
        cls = value.__class__
        if cls is list:
            plain = _PLAIN
            return [v if v.__class__ in plain else self._encode_value(v) for v in value]
        if cls is dt.date:
            return (_DATE, value.toordinal())
        if cls is Decimal:
            return (_DECIMAL, str(value))
        number = self._enum_number.get(cls)
        if number is not None:
            return (_ENUM, number, value.value)
        if cls in self._model_number:
            return (_MODEL, self.encode(value))
        if cls is dict:
            return (_DICT, [x for kv in value.items() for x in map(self._encode_item, kv)])
        raise CodecError(f"cannot encode a value of type {cls.__name__}")

    def _encode_item(self, value: Any) -> Any:
        return value if value.__class__ in _PLAIN else self._encode_value(value)

    # --- decoding -------------------------------------------------------------------

    def decode(self, encoded: tuple[Any, ...]) -> BaseModel:
        number = encoded[0]
        cls = self.models[number]
        decode_value = self._decode_value
        values = [
            decode_value(v) if v.__class__ is tuple or v.__class__ is list else v
            for v in encoded[2:]
        ]
        fields_set = encoded[1]
        known = self._fields_sets.get(fields_set)
        if known is None:
            known = self._fields_sets[fields_set] = frozenset(fields_set)
        return _made(cls, dict(zip(self._names[number], values, strict=True)), known)

    def decode_all(self, encoded: tuple[Any, ...]) -> list[Any]:
        """The records of :meth:`encode_all`, in their order."""
        order, groups = encoded
        parts: dict[int, Iterator[BaseModel]] = {}
        for number, table, sets, columns in groups:
            cls = self.models[number]
            names = self._names[number]
            # Each record's __dict__: copies of one dict with every key in order, then
            # filled a column at a time by C-level passes (twice as fast as dict(zip())).
            count = len(sets)
            dicts = list(map(dict.copy, repeat(dict.fromkeys(names), count)))
            for name, column in zip(names, map(self._decode_column, columns), strict=True):
                if len(column) != count:
                    raise CodecError("columns of different lengths")
                _consume(map(setitem, dicts, repeat(name), column))
            known = [frozenset(fields) for fields in table]
            made = map(_made, repeat(cls), dicts, map(known.__getitem__, sets))
            parts[number] = iter(list(made))
        if len(parts) == 1:
            return list(next(iter(parts.values())))
        return [next(parts[number]) for number in order]

    def _decode_column(self, column: tuple[Any, ...]) -> list[Any]:
        kind = column[0]
        if kind == "plain":
            return column[1]
        if kind == "date":
            # one date object per day (dates are immutable; ~4,000 days in 100,000 records)
            days = {n: None if n is None else _from_ordinal(n) for n in set(column[1])}
            return list(map(days.__getitem__, column[1]))
        if kind == "decimal":
            return [None if v is None else Decimal(v) for v in column[1]]
        if kind == "enum":
            members = self._members[column[1]]
            return list(map(members.get, column[2]))
        if kind == "any":
            decode = self._decode_item
            return [decode(v) for v in column[1]]
        raise CodecError(f"unknown column kind {kind!r}")

    def _decode_value(self, value: Any) -> Any:
        if value.__class__ is list:
            if not value or value[0].__class__ is not tuple:
                return value  # texts (a list holds one kind of item)
            return [self._decode_value(v) for v in value]
        tag = value[0]
        if tag == _DATE:
            return _from_ordinal(value[1])
        if tag == _DECIMAL:
            return Decimal(value[1])
        if tag == _ENUM:
            return self._members[value[1]][value[2]]
        if tag == _MODEL:
            return self.decode(value[1])
        if tag == _DICT:
            items = [self._decode_item(v) for v in value[1]]
            return dict(zip(items[::2], items[1::2], strict=True))
        raise CodecError(f"unknown tag {tag!r}")

    def _decode_item(self, value: Any) -> Any:
        return self._decode_value(value) if value.__class__ in (tuple, list) else value


_from_ordinal = dt.date.fromordinal
_setattr = object.__setattr__
_consume: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend  # runs an iterator out


def _made(cls: type[BaseModel], values: dict[str, Any], fields: frozenset[str]) -> BaseModel:
    """The instance validation would have made from ``values`` (already validated), with
    ``fields`` set; no validator runs."""
    record = cls.__new__(cls)
    _setattr(record, "__dict__", values)  # a frozen model refuses setattr
    _set_fields_set(record, set(fields))
    _set_extra(record, None)
    _set_private(record, None)
    return record


# The slots' own setters (half the cost of object.__setattr__).
_set_fields_set = vars(BaseModel)["__pydantic_fields_set__"].__set__
_set_extra = vars(BaseModel)["__pydantic_extra__"].__set__
_set_private = vars(BaseModel)["__pydantic_private__"].__set__

RECORD_CODEC = RecordCodec(
    [
        Enterprise,
        Hazard,
        *ACTIVITY_MODELS.values(),
        Extension,
        Reinspection,
        Amendment,
        Certificate,
        Config,
        ReportSettings,
        DutyPeriodOverride,
    ],
    [
        enums.DrillType,
        enums.EnterpriseKind,
        enums.EnterpriseStatus,
        enums.Facility,
        enums.Level,
        enums.MaintenanceResult,
        enums.Period,
        enums.Source,
        enums.TrainingRole,
        enums.Verification,
    ],
)
