"""Indented JSON text made by orjson (compiled), byte for byte what
``json.dumps(value, ensure_ascii=False, indent=2)`` writes: ``json`` falls back to its
pure-Python encoder whenever ``indent`` is set, and the JSON answers of a district's
ledger (``check`` 30 MB, ``status`` 90 MB, a report 190 MB) spent most of their time
there (docs/performance.md).

Where the two could differ, orjson is not used and the caller takes its own (slower,
pure-Python) path: a key that is not a string, an integer beyond 64 bits, a string with
a lone surrogate, a dataclass, a float from 1e-05 to 1e-09 (orjson writes ``0.00001``,
``1e-6``).  Dates are written as their ``isoformat()``, as the callers' converters do.
Tests compare the two on generated values."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

__all__ = ["decimal_as_number", "indented", "indented_bytes"]

# dataclasses go to ``default`` (json.dumps refuses them); dates are written natively, as
# their isoformat(); subclasses of str, int, dict and list as their base (as json does)
_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS


def indented(
    value: Any, indent: str = "", default: Callable[[Any], Any] | None = None
) -> str | None:
    """The text of ``json.dumps(value, ensure_ascii=False, indent=2)`` laid out at depth
    ``indent`` (every line after the first starts with it), or None when orjson would not
    write exactly that.  ``default`` converts what is not JSON (and raises TypeError for
    what cannot be)."""
    data = indented_bytes(value, default)
    if data is None:
        return None
    text = data.decode("utf-8")
    return text.replace("\n", "\n" + indent) if indent else text


def indented_bytes(
    value: Any, default: Callable[[Any], Any] | None = None, *, floats: bool = True
) -> bytes | None:
    """:func:`indented` at depth 0, as UTF-8 bytes (for standard output, without
    decoding 30 MB only to encode it again).  ``floats=False``: the caller knows that
    ``value`` holds no float (nor does ``default`` make one), so orjson cannot differ
    and its output is not searched for the floats where it could."""
    try:
        data = orjson.dumps(value, default=default or _refuse, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return None
    return None if floats and _may_differ(data) else data


_DIGITS = frozenset(b"0123456789")


def _may_differ(data: bytes) -> bool:
    """Whether ``data`` may hold a float orjson writes otherwise than json: from 1e-05 to
    1e-09 (orjson: 0.00001, 1e-6 ... 1e-9).  Text that merely looks so (a string holding
    "0.0000" or "3e-5x") takes the slow path too, which is only slower."""
    if b"0.0000" in data:
        return True
    at = data.find(b"e-")
    while at != -1:
        after = data[at + 3 : at + 4]
        if (
            at > 0
            and data[at - 1] in _DIGITS
            and data[at + 2 : at + 3].isdigit()
            and not after.isdigit()
        ):
            return True
        at = data.find(b"e-", at + 2)
    return False


def decimal_as_number(value: Any) -> Any:
    """A ``default`` for :func:`indented`: a decimal as an int when whole, else as a float
    (spec section 8)."""
    if type(value) is Decimal:
        if value == value.to_integral_value() and int(value.as_tuple().exponent) >= 0:
            return int(value)
        return float(value)
    raise TypeError


def _refuse(value: Any) -> Any:
    raise TypeError
