"""Keys as written -> canonical field names (spec section 1: English snake_case keys,
Chinese labels as aliases, never both for one field; unknown keys are warnings with a
"did you mean")."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from safeledger.diagnostics import ERROR, WARNING, Anchor, Diagnostic

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldNames:
    """The accepted spellings of a model's fields."""

    alias: dict[str, str]  # english or chinese (case-folded) -> canonical
    label: dict[str, str]  # canonical -> Chinese label
    nested: dict[str, type[BaseModel]]  # canonical -> item model of a list-of-records field
    csv_columns: dict[str, str] = field(default_factory=dict)  # extra CSV column -> field


@cache
def field_names(model: type[BaseModel]) -> FieldNames:
    alias: dict[str, str] = {}
    label: dict[str, str] = {}
    nested: dict[str, type[BaseModel]] = {}
    for name, info in model.model_fields.items():
        alias[name.casefold()] = name
        if info.title:
            alias[info.title.casefold()] = name
            label[name] = info.title
        item = _list_item_model(info.annotation)
        if item is not None:
            nested[name] = item
    csv_columns: dict[str, str] = {}
    for target, spellings in getattr(model, "CSV_COLUMNS", {}).items():
        for spelling in spellings:
            csv_columns[spelling.casefold()] = target
    return FieldNames(alias, label, nested, csv_columns)


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def describe(model: type[BaseModel], name: str) -> str:
    """``deadline (整改期限)``: how messages name a field."""
    zh = field_names(model).label.get(name)
    return f"{name} ({zh})" if zh else name


@dataclass(slots=True)
class Normalised:
    data: dict[str, Any]
    written: dict[Path_, Path_]  # canonical path -> path as written (for anchors)
    diagnostics: list[Diagnostic]


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalise(
    model: type[BaseModel],
    data: dict[str, Any],
    *,
    file: str,
    index: int,
    record_id: str | None,
    csv: bool = False,
    _prefix: Path_ = (),
    _written_prefix: Path_ = (),
) -> Normalised:
    """Rename keys to canonical names, drop empty values, report unknown keys and keys
    given in both languages.  Nested lists of records are normalised recursively."""
    names = field_names(model)
    out: dict[str, Any] = {}
    written: dict[Path_, Path_] = {}
    diags: list[Diagnostic] = []
    seen_as: dict[str, str] = {}
    for key, value in data.items():
        key_text = str(key)
        folded = key_text.strip().casefold()
        canonical = names.alias.get(folded)
        as_list_item = False
        if canonical is None and csv and folded in names.csv_columns:
            canonical, as_list_item = names.csv_columns[folded], True
        wpath = (*_written_prefix, key_text)
        if canonical is None:
            diags.append(_unknown_key(model, key_text, file, index, record_id, wpath))
            continue
        if canonical in seen_as:
            diags.append(
                Diagnostic(
                    code="both-languages",
                    severity=ERROR,
                    message=(
                        f"{describe(model, canonical)} is given twice, as '{seen_as[canonical]}'"
                        f" and as '{key_text}'; keep one of them"
                    ),
                    file=file,
                    record=record_id,
                    field=canonical,
                    anchor=Anchor(index, wpath),
                )
            )
            continue
        seen_as[canonical] = key_text
        if _is_empty(value):
            continue
        cpath = (*_prefix, canonical)
        written[cpath] = wpath
        if as_list_item:
            value = [{"to": value}]
        elif canonical in names.nested and isinstance(value, list):
            items = []
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    sub = normalise(
                        names.nested[canonical],
                        item,
                        file=file,
                        index=index,
                        record_id=record_id,
                        _prefix=(*cpath, i),
                        _written_prefix=(*wpath, i),
                    )
                    items.append(sub.data)
                    written.update(sub.written)
                    diags.extend(sub.diagnostics)
                else:
                    items.append(item)
            value = items
        out[canonical] = value
    return Normalised(out, written, diags)


def _unknown_key(
    model: type[BaseModel], key: str, file: str, index: int, record_id: str | None, wpath: Path_
) -> Diagnostic:
    names = field_names(model)
    spellings = sorted(set(model.model_fields) | set(names.label.values()))
    close = difflib.get_close_matches(key, spellings, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(key.casefold(), [s.casefold() for s in spellings], n=1)
    suggestion = ""
    if close:
        target = names.alias.get(close[0].casefold(), close[0])
        suggestion = (
            f"; did you mean '{close[0]}'"
            + (f" ({describe(model, target)})" if close[0] != target else "")
            + "?"
        )
    where = ".".join(str(p) for p in wpath[:-1])
    return Diagnostic(
        code="unknown-key",
        severity=WARNING,
        message=f"unknown key '{key}'" + (f" in {where}" if where else "") + f"{suggestion}",
        file=file,
        record=record_id,
        field=None,
        hint=None
        if suggestion
        else "accepted keys: " + ", ".join(describe(model, n) for n in model.model_fields),
        anchor=Anchor(index, wpath),
    )
