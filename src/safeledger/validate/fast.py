"""Validation that stays in pydantic-core (Rust) for records written canonically.

The record models (:mod:`safeledger.model.records`) run a Python ``BeforeValidator`` on
every text, date and enum field to accept what people type (``2025/3/1``, ``一般``, a
number in a text field, stray spaces…).  Most records of a big ledger need none of that:
English keys, trimmed text, ISO dates, canonical enum values.  For each record model this
module builds a pydantic-core validator of *the same class* whose fields accept only such
values, with no Python call, and refuses anything else: an unknown or Chinese key (at
any depth: nested extensions, reinspections… are taken when written canonically too), an
empty or untrimmed text, None, a non-ISO date, an enum synonym, a number where text is
expected.  What it accepts it turns into exactly the instance the lenient model makes
from that record (tests/validate/test_fast.py checks this on random records); the
caller sends what it refuses through :func:`safeledger.validate.records.validate_record`,
which also explains any mistake.

The validator takes a whole list of records in one call (a union of the model and "any":
refused records come back as they were), so the per-record cost is Rust only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import CoreSchema, PydanticUndefined, SchemaValidator
from pydantic_core import core_schema as cs

from safeledger.model import ACTIVITY_MODELS, Enterprise, Hazard
from safeledger.model import fields as lenient
from safeledger.model.records import Amendment, Certificate, Extension, Reinspection

# Trimmed, non-empty text.  Python's str.strip() removes what str.isspace() calls space:
# Unicode White_Space (Rust's \s) plus the separators U+001C..U+001F.
_TRIMMED = r"^[^\s\x1c-\x1f](?s:.*[^\s\x1c-\x1f])?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Amounts above this go the lenient way (which refuses ints too long to print).
_MAX_INT_AMOUNT = 10**18


def _text(*, empty: bool = False) -> CoreSchema:
    # Inside a list an empty text is kept (only a field's empty value means "absent").
    pattern = f"^(?:{_TRIMMED[1:-1]})?$" if empty else _TRIMMED
    return cs.str_schema(strict=True, pattern=pattern)


def _date() -> CoreSchema:
    # A date object as the YAML parser gives it (never a datetime), or 2025-03-01 as text.
    return cs.union_schema(
        [
            cs.date_schema(strict=True),
            cs.chain_schema([cs.str_schema(strict=True, pattern=_ISO_DATE), cs.date_schema()]),
        ],
        mode="left_to_right",
    )


def _amount() -> CoreSchema:
    number = cs.union_schema(
        [
            cs.int_schema(strict=True, le=_MAX_INT_AMOUNT),
            # Floats only: a strict float also takes an int, and a big int would come out
            # as Decimal('1E+19') where the lenient path keeps every digit.
            cs.chain_schema(
                [cs.is_instance_schema(float), cs.float_schema(strict=True, allow_inf_nan=False)]
            ),
        ],
        mode="left_to_right",
    )
    return cs.chain_schema([number, cs.decimal_schema(ge=Decimal(0), allow_inf_nan=False)])


def _enum(enum: type[Any]) -> CoreSchema:
    # Strict text first: the enum's lax mode would also take bytes.
    members = list(enum.__members__.values())
    return cs.chain_schema(
        [cs.str_schema(strict=True), cs.enum_schema(enum, members, sub_type="str")]
    )


_SCALARS = {
    lenient._text: _text,
    lenient._date: _date,
    lenient._bool: lambda: cs.bool_schema(strict=True),
    lenient._decimal: _amount,
    lenient._int: lambda: cs.int_schema(strict=True, ge=0),
}


def _before(metadata: list[Any]) -> Any:
    funcs = [m.func for m in metadata if isinstance(m, BeforeValidator)]
    return funcs[0] if funcs else None


def _scalar(annotation: Any, metadata: list[Any]) -> CoreSchema:
    """The fast schema of one lenient scalar type (Text, LedgerDate, an enum…)."""
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        return _scalar(base, [*extra, *metadata])
    func = _before(metadata)
    if func in _SCALARS:
        return _SCALARS[func]()
    if func is not None and hasattr(func, "enum"):
        return _enum(func.enum)
    if get_origin(annotation) is Literal:
        (value,) = get_args(annotation)
        return cs.chain_schema([cs.str_schema(strict=True), cs.literal_schema([value])])
    raise TypeError(f"no fast schema for {annotation!r} {metadata!r}")


def _field(info: FieldInfo) -> CoreSchema:
    annotation, metadata = info.annotation, list(info.metadata)
    if get_origin(annotation) is Union:  # X | None: None is refused (it means "absent")
        (annotation,) = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            schema: CoreSchema = cs.list_schema(_model(item), strict=True)
        elif _before(list(get_args(item)[1:])) is lenient._text:
            schema = cs.list_schema(_text(empty=True), strict=True)
        else:
            schema = cs.list_schema(_scalar(item, []), strict=True)
    else:
        schema = _scalar(annotation, metadata)
    if info.default_factory is not None:
        return cs.with_default_schema(schema, default_factory=info.default_factory)
    if info.default is not PydanticUndefined:
        return cs.with_default_schema(schema, default=info.default)
    return schema


def _model(model: type[BaseModel]) -> CoreSchema:
    fields = {name: cs.model_field(_field(info)) for name, info in model.model_fields.items()}
    return cs.model_schema(
        model,
        cs.model_fields_schema(fields, model_name=model.__name__, extra_behavior="forbid"),
        config=cs.CoreConfig(extra_fields_behavior="forbid"),
    )


@cache
def batch_validator(kind: str) -> SchemaValidator:
    """Validates a list of record mappings of ``kind``: each item becomes an instance of
    its record model, or stays the very mapping given when the fast path refuses it."""
    record: CoreSchema
    if kind == "activities":
        choices: dict[Any, CoreSchema] = {
            name: _model(model) for name, model in ACTIVITY_MODELS.items()
        }
        # (a custom error: the default one would print the tag, which may be unprintable)
        record = cs.tagged_union_schema(
            choices,
            discriminator="kind",
            custom_error_type="activity_kind",
            custom_error_message="not a canonical activity kind",
        )
    else:
        record = _model(Enterprise if kind == "enterprises" else Hazard)
    item = cs.union_schema([record, cs.any_schema()], mode="left_to_right")
    with _own_schema():
        return SchemaValidator(cs.list_schema(item))


_NESTED = (Extension, Reinspection, Amendment, Certificate)


@contextmanager
def _own_schema() -> Iterator[None]:
    """pydantic-core reuses a complete model class's own validator for any model schema
    of that class (its "prebuilt" shortcut), which would silently give the lenient
    validator back.  Marking the classes incomplete while building makes it compile the
    schema given; nothing validates in between (tests/validate/test_fast.py checks that
    the fast validator refuses what only the lenient one accepts)."""
    models: list[type[BaseModel]] = [Enterprise, Hazard, *ACTIVITY_MODELS.values(), *_NESTED]
    for model in models:
        model.__pydantic_complete__ = False
    try:
        yield
    finally:
        for model in models:
            model.__pydantic_complete__ = True
