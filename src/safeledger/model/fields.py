"""Annotated field types shared by the record models.

Values reach the models as the YAML parser or the CSV reader produced them (strings,
numbers, dates, booleans of YAML 1.2 only).  These validators make the few coercions
the format allows and raise errors whose message names what would be accepted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer
from pydantic_core import PydanticCustomError

from safeledger.model.dates import DateFormError, parse_date
from safeledger.model.enums import LedgerEnum

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "有", "√", "✓", "对"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "无", "×", "✗", "不是"})
LIST_SEPARATORS = re.compile(r"\s*[;；、]\s*")


def shown(value: Any) -> str:
    """``value`` as text for an error message: at most 200 characters, and never an
    exception (``str`` of an int over 4300 digits raises ValueError; found by fuzzing)."""
    try:
        text = value if isinstance(value, str) else str(value)
    except ValueError:
        text = f"<{type(value).__name__} too long to print>"
    return text if len(text) <= 200 else text[:197] + "..."


def _untruncated(value: Any) -> str:
    try:
        return str(value)
    except ValueError:  # an int over 4300 digits: not an amount or a count anyway
        return "<too long>"


def _text(value: Any) -> Any:
    if value.__class__ is str:  # the common case first: this runs for every text field
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and value.bit_length() > 10_000:
        raise PydanticCustomError("text", "expected text, got a number of over 3000 digits")
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise PydanticCustomError("text", "expected text, got {kind}", {"kind": type(value).__name__})


def _date(value: Any) -> dt.date:
    if value.__class__ is dt.date:  # what the YAML parser gives for an ISO date
        return value
    try:
        return parse_date(value)
    except DateFormError as exc:
        raise PydanticCustomError("date_form", str(exc)) from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise PydanticCustomError(
        "bool_word",
        "'{value}' is not yes/no; accepted: 是/否, yes/no, true/false",
        {"value": shown(value)},
    )


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise PydanticCustomError("decimal", "'{value}' is not a number", {"value": shown(value)})
    text = _untruncated(value).strip().replace(",", "").replace("，", "")
    text = text.removesuffix("元")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise PydanticCustomError(
            "decimal",
            "'{value}' is not an amount in yuan (e.g. 12000 or 3500.50)",
            {"value": shown(value)},
        ) from None
    if not number.is_finite():
        raise PydanticCustomError(
            "decimal", "'{value}' is not a finite amount", {"value": shown(value)}
        )
    if number < 0:
        raise PydanticCustomError(
            "decimal", "'{value}' is negative; amounts are ≥ 0", {"value": shown(value)}
        )
    return number


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("int", "'{value}' is not a whole number", {"value": shown(value)})
    if isinstance(value, int):
        number = value
    else:
        text = _untruncated(value).strip().removesuffix("人")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise PydanticCustomError(
                "int", "'{value}' is not a whole number", {"value": shown(value)}
            )
        number = int(text)
    if number < 0:
        raise PydanticCustomError("int", "'{value}' is negative", {"value": shown(value)})
    return number


def _list(value: Any) -> Any:
    """A list field given as one string: split CSV-style ``a; b`` (also ；and 、)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in LIST_SEPARATORS.split(value.strip()) if part]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def enum_parser(enum: type[LedgerEnum]) -> BeforeValidator:
    def parse(value: Any) -> str:
        found = enum.parse(value)
        if found is None:
            raise PydanticCustomError(
                "enum_value",
                "'{value}' is not accepted; use one of: {accepted}",
                {"value": shown(value), "accepted": enum.accepted()},
            )
        return found

    parse.enum = enum  # type: ignore[attr-defined]  # read by safeledger.validate.fast
    return BeforeValidator(parse)


Text = Annotated[str, BeforeValidator(_text)]
LedgerDate = Annotated[dt.date, BeforeValidator(_date), PlainSerializer(lambda d: d.isoformat())]
YesNo = Annotated[bool, BeforeValidator(_bool)]
Amount = Annotated[Decimal, BeforeValidator(_decimal), PlainSerializer(lambda d: float(d))]
Count = Annotated[int, BeforeValidator(_int)]
SplitList = BeforeValidator(_list)
