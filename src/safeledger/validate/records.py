"""One raw record -> a model instance, or diagnostics saying why not."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.model import ACTIVITY_MODELS, ActivityKind, Enterprise, Hazard
from safeledger.model.records import Activity, Record
from safeledger.read.raw import RawRecord
from safeledger.validate.keys import (
    CanonicalPaths,
    Normalised,
    describe,
    fast_canonical,
    field_names,
    normalise,
)

MODELS: dict[str, type[Record]] = {"enterprises": Enterprise, "hazards": Hazard}

# Pydantic's own error types, said the way a ledger keeper reads them.
_PLAIN_MESSAGES = {
    "missing": "is required",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "int_type": "must be a whole number",
    "literal_error": "has a value that is not accepted",
}


def record_id(raw: RawRecord) -> str | None:
    """The id as written (English ``id`` or the kind's Chinese label), if any."""
    if raw.model is not None:
        return raw.model.id  # fast path: written as it is
    value = raw.data.get("id")
    if value.__class__ is str and value.strip() and next(iter(raw.data)) == "id":
        return value.strip()  # the common case, first key "id"
    model = _model_for_id(raw.kind)
    names = field_names(model)
    for key, value in raw.data.items():
        if names.alias.get(str(key).strip().casefold()) == "id" and value not in (None, ""):
            return safe_str(value).strip()
    return None


def safe_str(value: Any) -> str:
    """``str(value)``, except for an int too long for Python to print (over 4300 digits:
    ``str`` raises ValueError; found by fuzzing a YAML ``id: 999…``)."""
    try:
        return str(value)
    except ValueError:
        digits = int(value.bit_length() * 0.30103) + 1 if isinstance(value, int) else 0
        return f"<a number of about {digits} digits>" if digits else f"<{type(value).__name__}>"


def _model_for_id(kind: str) -> type[BaseModel]:
    return MODELS.get(kind, Activity)


WrittenPaths = dict[tuple[str | int, ...], tuple[str | int, ...]] | CanonicalPaths


def validate_record(raw: RawRecord) -> tuple[Record | None, list[Diagnostic], WrittenPaths]:
    """The model instance (None when invalid), its diagnostics, and canonical key path ->
    key path as written (for anchoring later rule diagnostics)."""
    rid = record_id(raw)
    csv = raw.key_columns is not None
    model: type[Record]
    if raw.kind == "activities":
        kind_model, diags = _activity_model(raw, rid)
        if kind_model is None:
            return None, diags, {}
        model = kind_model
    else:
        model, diags = MODELS[raw.kind], []
    canonical = fast_canonical(model, raw.data)
    if canonical is not None:
        if raw.kind == "activities":
            canonical["kind"] = model.model_fields["kind"].default
        try:
            instance = model.model_validate(canonical)
            return (
                instance,
                [_position_csv(d, raw) for d in diags],
                CanonicalPaths(instance),
            )
        except ValidationError:
            pass  # the full path below says exactly what is wrong
    norm = normalise(model, raw.data, file=raw.file, index=raw.index, record_id=rid, csv=csv)
    diags.extend(norm.diagnostics)
    if raw.kind == "activities":
        norm.data["kind"] = model.model_fields["kind"].default  # the synonym, made canonical
    try:
        instance = model.model_validate(norm.data)
    except ValidationError as exc:
        diags.extend(_from_validation_error(model, exc, raw, rid, norm))
        return None, [_position_csv(d, raw) for d in diags], norm.written
    return instance, [_position_csv(d, raw) for d in diags], norm.written


def _activity_model(
    raw: RawRecord, rid: str | None
) -> tuple[type[Activity] | None, list[Diagnostic]]:
    names = field_names(Activity)
    for key, value in raw.data.items():
        if names.alias.get(str(key).strip().casefold()) == "kind":
            kind = ActivityKind.parse(value)
            if kind is None:
                return None, [
                    Diagnostic(
                        code="enum",
                        severity=ERROR,
                        message=(
                            f"{describe(Activity, 'kind')} '{safe_str(value)}' is not an "
                            "activity kind; use one of: "
                            f"{ActivityKind.accepted()}"
                        ),
                        file=raw.file,
                        record=rid,
                        field="kind",
                        anchor=Anchor(raw.index, (str(key),)),
                    )
                ]
            return ACTIVITY_MODELS[kind], []
    return None, [
        Diagnostic(
            code="required",
            severity=ERROR,
            message=(
                f"{describe(Activity, 'kind')} is required; use one of: {ActivityKind.accepted()}"
            ),
            file=raw.file,
            record=rid,
            field="kind",
            anchor=Anchor(raw.index),
        )
    ]


def _from_validation_error(
    model: type[BaseModel], exc: ValidationError, raw: RawRecord, rid: str | None, norm: Normalised
) -> list[Diagnostic]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        field = str(loc[0]) if loc else None
        what = _describe_loc(model, loc)
        kind = err["type"]
        if kind == "missing":
            code, message = "required", f"{what} is required"
        elif kind in _PLAIN_MESSAGES:
            code, message = (
                "type",
                f"{what} {_PLAIN_MESSAGES[kind]} (got {_short(err.get('input'))})",
            )
        elif kind == "date_form":
            code, message = "date-format", f"{what}: {err['msg']}"
        elif kind == "enum_value":
            code, message = "enum", f"{what}: {err['msg']}"
        else:
            code, message = "type", f"{what}: {err['msg']}"
        # Anchor at the deepest written key we know of.
        wpath: tuple[str | int, ...] = ()
        for depth in range(len(loc), 0, -1):
            if loc[:depth] in norm.written:
                wpath = norm.written[loc[:depth]]
                break
        out.append(
            Diagnostic(
                code=code,
                severity=ERROR,
                message=message,
                file=raw.file,
                record=rid,
                field=field,
                anchor=Anchor(raw.index, wpath),
            )
        )
    return out


def _describe_loc(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    if not loc:
        return "the record"
    head = describe(model, str(loc[0]))
    if len(loc) == 1:
        return head
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    return f"{head}{rest}"


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int (or a list holding one) too long to print
        text = safe_str(value) if isinstance(value, int) else f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _position_csv(diag: Diagnostic, raw: RawRecord) -> Diagnostic:
    """CSV rows know their line and columns already: resolve here, no re-read needed."""
    if raw.key_columns is None or raw.line is None:
        return diag
    column = None
    if diag.anchor is not None and diag.anchor.path:
        column = raw.key_columns.get(str(diag.anchor.path[0]))
    return replace(diag, line=raw.line, column=column or 1, anchor=None)
