"""Keys as written -> canonical field names (spec section 1: English snake_case keys,
Chinese labels as aliases, never both for one field; unknown keys are warnings with a
"did you mean")."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from safeledger.diagnostics import ERROR, WARNING, Anchor, Diagnostic

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldNames:
    """The accepted spellings of a model's fields."""

    alias: dict[str, str]  # english or chinese (case-folded) -> canonical
    exact: dict[str, str]  # english or chinese exactly as the model spells it -> canonical
    english: frozenset[str]  # the canonical names themselves
    label: dict[str, str]  # canonical -> Chinese label
    nested: dict[str, type[BaseModel]]  # canonical -> item model of a list-of-records field
    csv_columns: dict[str, str] = field(default_factory=dict)  # extra CSV column -> field


@cache
def field_names(model: type[BaseModel]) -> FieldNames:
    alias: dict[str, str] = {}
    label: dict[str, str] = {}
    nested: dict[str, type[BaseModel]] = {}
    exact: dict[str, str] = {}
    for name, info in model.model_fields.items():
        alias[name.casefold()] = name
        exact[name] = name
        if info.title:
            exact[info.title] = name
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
    return FieldNames(alias, exact, frozenset(model.model_fields), label, nested, csv_columns)


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


class CanonicalPaths:
    """The ``written`` map of a record whose keys are all written as canonical English
    names, at every depth: a key path is written as itself when every key on it is set
    on its (nested) record.  Built from the validated record instead of a dict of ~15
    tuples per record (this runs for every record)."""

    __slots__ = ("record",)

    def __init__(self, record: BaseModel) -> None:
        self.record = record

    def get(self, path: Path_, default: Path_ = ()) -> Path_:
        return path if path in self else default

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, tuple) or not path or not isinstance(path[-1], str):
            return False
        node: Any = self.record
        for step in path:
            if isinstance(step, str):
                if not isinstance(node, BaseModel) or step not in node.__pydantic_fields_set__:
                    return False
                node = getattr(node, step)
            elif isinstance(node, list) and 0 <= step < len(node):
                node = node[step]
            else:
                return False
        return True

    def __getitem__(self, path: Path_) -> Path_:
        if path not in self:
            raise KeyError(path)
        return path


def fast_canonical(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any] | None:
    """The common case of :func:`normalise` at a fraction of its cost: every key is a
    canonical English name and no list of nested records is present.  Returns the
    record with empty values dropped, or None when :func:`normalise` must decide."""
    names = field_names(model)
    english, nested = names.english, names.nested
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in english or key in nested:
            return None
        if value is None or (value.__class__ is str and not value.strip()):
            continue
        out[key] = value
    return out


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
    exact = names.exact
    for key, value in data.items():
        # Fast path: a key spelt exactly as a field name or its Chinese label.
        canonical = exact.get(key) if key.__class__ is str else None
        as_list_item = False
        if canonical is None:
            key_text = str(key)
            folded = key_text.strip().casefold()
            canonical = names.alias.get(folded)
            if canonical is None and csv and folded in names.csv_columns:
                canonical, as_list_item = names.csv_columns[folded], True
        else:
            key_text = key
        wpath = (*_written_prefix, key_text) if _written_prefix else (key_text,)
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
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cpath = (*_prefix, canonical) if _prefix else (canonical,)
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
    suggestion, hint = _suggestion(model, key)
    where = ".".join(str(p) for p in wpath[:-1])
    return Diagnostic(
        code="unknown-key",
        severity=WARNING,
        message=f"unknown key '{key}'" + (f" in {where}" if where else "") + f"{suggestion}",
        file=file,
        record=record_id,
        field=None,
        hint=hint,
        anchor=Anchor(index, wpath),
    )


@lru_cache(maxsize=4096)
def _suggestion(model: type[BaseModel], key: str) -> tuple[str, str | None]:
    """The "did you mean …?" suffix and the hint for an unknown ``key``, worked out once
    per key (difflib costs milliseconds; a ledger repeats a stray key on many records)."""
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
        return suggestion, None
    return "", "accepted keys: " + ", ".join(describe(model, n) for n in model.model_fields)
