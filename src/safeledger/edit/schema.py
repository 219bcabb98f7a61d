"""JSON Schema (draft 2020-12) of ledger files, for editors (VS Code's YAML extension).

Built from the pydantic models: ``model_json_schema`` gives the fields, their Chinese
titles, defaults and the required ones; each field's value schema is then rewritten to
what the *file* may say, which is more than the model's Python type:

* every key may be written in English or as its Chinese label (both are properties with
  the same schema; a required field is satisfied by either; never both at once);
* enum values: the English value or any Chinese synonym;
* dates: a string in one of the accepted forms (editors read YAML 1.2, where
  ``2025-03-01`` is a string);
* a YAML file may hold one record or a list of records;
* activities: the fields depend on ``kind``/``类型`` (``if``/``then`` per kind).

Output is deterministic (sorted keys)."""

from __future__ import annotations

import datetime as dt
import json
import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from safeledger.errors import UsageError
from safeledger.model import ACTIVITY_MODELS, Config, Enterprise, Hazard
from safeledger.model.dates import ACCEPTED_DATE_FORMS
from safeledger.model.enums import ActivityKind, LedgerEnum
from safeledger.model.fields import FALSE_WORDS, TRUE_WORDS, SplitList
from safeledger.model.records import Activity

__all__ = ["DATE_PATTERN", "KINDS", "json_schema", "render_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = (
    r"^\s*\d{4}(-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2}"
    r"|\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$"
)
KINDS = ("hazards", "enterprises", "activities", "config")
_TITLES = {
    "hazards": "隐患记录 (hazard records)",
    "enterprises": "单位档案 (enterprise records)",
    "activities": "检查、演练、培训、维保、约谈记录 (activity records)",
    "config": "台账配置 safeledger.yaml (ledger settings)",
}


def _enum_values(enum: type[LedgerEnum]) -> list[str]:
    values: list[str] = []
    for member in enum:
        values.append(member.value)
        values.extend(enum.synonyms()[member.value])
    return values


def _enum_text(enum: type[LedgerEnum]) -> str:
    return f"one of: {enum.accepted()}"


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    # value schemas ---------------------------------------------------------------------

    def value(self, annotation: Any, metadata: list[Any]) -> tuple[dict[str, Any], str]:
        """(schema, English description of the value) for a field's annotation."""
        origin = get_origin(annotation)
        if origin is Annotated:
            inner, *extra = get_args(annotation)
            return self.value(inner, [*metadata, *extra])
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            schema, text = self.value(args[0], metadata) if len(args) == 1 else ({}, "a value")
            return {"anyOf": [schema, {"type": "null"}]}, text
        if origin is Literal:
            values = list(get_args(annotation))
            out: list[str] = []
            for v in values:
                out.append(v)
                if v in ActivityKind.__members__:
                    out.extend(ActivityKind.synonyms()[v])
            return {"enum": out}, "one of: " + ", ".join(out)
        if origin is list:
            (item,) = get_args(annotation)
            item_schema, item_text = self.value(item, [])
            array = {"type": "array", "items": item_schema}
            if any(m is SplitList for m in metadata):
                return (
                    {"anyOf": [array, {"type": "string"}]},
                    f"a list of {item_text}, or one text with items separated by ';'",
                )
            return array, f"a list of {item_text}"
        if origin is dict:
            _key, val = get_args(annotation)
            val_schema, val_text = self.value(val, [])
            return {
                "type": "object",
                "additionalProperties": val_schema,
            }, f"a mapping to {val_text}"
        if isinstance(annotation, type):
            if issubclass(annotation, LedgerEnum):
                return {"type": "string", "enum": _enum_values(annotation)}, _enum_text(annotation)
            if issubclass(annotation, BaseModel):
                return {
                    "$ref": f"#/$defs/{self.model(annotation)}"
                }, f"{annotation.__name__} entries"
            if issubclass(annotation, bool):
                words = sorted(TRUE_WORDS | FALSE_WORDS)
                return (
                    {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": words}]},
                    "yes or no (true/false, 是/否)",
                )
            if issubclass(annotation, dt.date):
                return (
                    {"type": "string", "pattern": DATE_PATTERN},
                    f"a date ({ACCEPTED_DATE_FORMS})",
                )
            if issubclass(annotation, Decimal):
                return (
                    {
                        "anyOf": [
                            {"type": "number", "minimum": 0},
                            {
                                "type": "string",
                                "pattern": r"^\s*[0-9][0-9,，]*(\.[0-9]+)?\s*元?\s*$",
                            },
                        ]
                    },
                    "an amount in yuan, >= 0 (e.g. 12000 or 3500.50)",
                )
            if issubclass(annotation, int):
                return (
                    {
                        "anyOf": [
                            {"type": "integer", "minimum": 0},
                            {"type": "string", "pattern": r"^\s*\d+\s*人?\s*$"},
                        ]
                    },
                    "a whole number >= 0",
                )
            if issubclass(annotation, str):
                return {"type": ["string", "number", "boolean"]}, "text"
        return {}, "a value"

    # object schemas --------------------------------------------------------------------

    def model(
        self, model: type[BaseModel], *, aliases: bool = True, name: str | None = None
    ) -> str:
        name = name or model.__name__
        if name in self.defs:
            return name
        self.defs[name] = {}  # reserve (recursion)
        self.defs[name] = self.object(model, aliases=aliases)
        return name

    def object(self, model: type[BaseModel], *, aliases: bool = True) -> dict[str, Any]:
        base = model.model_json_schema()
        required = set(base.get("required", []))
        properties: dict[str, Any] = {}
        all_of: list[dict[str, Any]] = []
        for fname, info in model.model_fields.items():
            schema, _text = self.field(fname, info, fname in required)
            properties[fname] = schema
            title = info.title
            if aliases and title and title != fname:
                properties[title] = {
                    **schema,
                    "description": f"{fname} (Chinese key): " + schema["description"],
                }
                if fname in required:
                    all_of.append({"anyOf": [{"required": [fname]}, {"required": [title]}]})
                all_of.append({"not": {"required": [fname, title]}})
            elif fname in required:
                all_of.append({"required": [fname]})
        out: dict[str, Any] = {
            "type": "object",
            "title": _model_title(model),
            "properties": properties,
            "additionalProperties": False,
        }
        if all_of:
            out["allOf"] = all_of
        return out

    def field(self, name: str, info: FieldInfo, required: bool) -> tuple[dict[str, Any], str]:
        schema, text = self.value(info.annotation, list(info.metadata))
        description = f"{name.replace('_', ' ')}: {text}" + (" (required)" if required else "")
        out = dict(schema)
        if info.title:
            out["title"] = info.title
        out["description"] = description
        return out, text


def _model_title(model: type[BaseModel]) -> str:
    titles = {
        "Hazard": "隐患",
        "Enterprise": "单位",
        "Extension": "延期",
        "Reinspection": "复查记录",
        "Amendment": "修改记录",
        "Certificate": "特种作业证书",
        "Config": "台账配置",
        "ReportSettings": "报告",
        "DutyPeriodOverride": "职责周期",
        "Inspection": "检查",
        "Drill": "演练",
        "Training": "培训",
        "Maintenance": "维保",
        "Interview": "约谈",
    }
    return titles.get(model.__name__, model.__name__)


def _one_or_many(ref: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [ref, {"type": "array", "items": ref, "minItems": 1}]}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a ledger file of ``kind`` (hazards, enterprises, activities,
    config)."""
    if kind not in KINDS:
        raise UsageError(f"--kind '{kind}' is not known; use one of: {', '.join(KINDS)}")
    b = _Builder()
    body: dict[str, Any]
    if kind == "hazards":
        body = _one_or_many({"$ref": f"#/$defs/{b.model(Hazard)}"})
    elif kind == "enterprises":
        body = _one_or_many({"$ref": f"#/$defs/{b.model(Enterprise)}"})
    elif kind == "config":
        b.model(Config)
        body = {"$ref": "#/$defs/Config"}
        # nested settings are read with English keys only (their models forbid others)
        for nested in ("ReportSettings", "DutyPeriodOverride"):
            b.defs.pop(nested, None)
        from safeledger.model.config import DutyPeriodOverride, ReportSettings

        b.model(ReportSettings, aliases=False)
        b.model(DutyPeriodOverride, aliases=False)
        duties = b.defs["Config"]["properties"]["duties"]
        period, _ = b.value(DutyPeriodOverride.model_fields["default"].annotation, [])
        duties["additionalProperties"] = {"anyOf": [period, {"$ref": "#/$defs/DutyPeriodOverride"}]}
        for key in ("duties", "职责周期"):
            if key in b.defs["Config"]["properties"]:
                b.defs["Config"]["properties"][key] = {
                    **b.defs["Config"]["properties"][key],
                    "additionalProperties": duties["additionalProperties"],
                }
    else:
        body = _one_or_many({"$ref": "#/$defs/Activity"})
        b.defs["Activity"] = _activity_schema(b)
    return {
        "$schema": DRAFT,
        "$id": f"https://safeledger.invalid/schema/{kind}.json",
        "title": f"safeledger {_TITLES[kind]}",
        "description": f"A safeledger {kind} file (spec: ledger-format.md); generated by "
        "`safeledger schema` from the record models.",
        **body,
        "$defs": b.defs,
    }


def _activity_schema(b: _Builder) -> dict[str, Any]:
    kinds = _enum_values(ActivityKind)
    branches = []
    for kind, model in ACTIVITY_MODELS.items():
        name = b.model(model)
        values = [kind, *ActivityKind.synonyms()[kind]]
        branches.append(
            {
                "if": {
                    "anyOf": [
                        {"properties": {"kind": {"enum": values}}, "required": ["kind"]},
                        {"properties": {"类型": {"enum": values}}, "required": ["类型"]},
                    ]
                },
                "then": {"$ref": f"#/$defs/{name}"},
            }
        )
    kind_info = Activity.model_fields["kind"]
    kind_schema = {
        "type": "string",
        "enum": kinds,
        "title": kind_info.title,
        "description": f"kind: {_enum_text(ActivityKind)} (required; decides the other fields)",
    }
    return {
        "type": "object",
        "title": "活动记录",
        "properties": {"kind": kind_schema, "类型": kind_schema},
        "anyOf": [{"required": ["kind"]}, {"required": ["类型"]}],
        "allOf": branches,
    }


def render_schema(kind: str) -> str:
    """The schema as deterministic JSON text (sorted keys, 2-space indent, UTF-8)."""
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
