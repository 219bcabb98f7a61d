"""Cell values in and out of spreadsheets: the date forms Excel users type, Excel date
serials, and the formula guard (OWASP "CSV injection")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

from safeledger.model.dates import ACCEPTED_DATE_FORMS, DateFormError, parse_date

# Excel serials of 1900-01-01 .. 9999-12-31.
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_HAO = re.compile(r"号$")

IMPORT_DATE_FORMS = ACCEPTED_DATE_FORMS + ", 20250301, an Excel date cell"


def excel_serial_to_date(value: float, epoch: dt.datetime = CALENDAR_WINDOWS_1900) -> dt.date:
    if isinstance(value, bool) or not _SERIAL_MIN <= value <= _SERIAL_MAX:
        raise DateFormError(f"{value!r} is not an Excel date serial; accepted: {IMPORT_DATE_FORMS}")
    result = from_excel(value, epoch=epoch)
    if isinstance(result, dt.datetime):
        return result.date()
    if isinstance(result, dt.date):
        return result
    raise DateFormError(f"{value!r} is not an Excel date serial; accepted: {IMPORT_DATE_FORMS}")


def import_date(
    value: Any, *, from_excel_cell: bool, epoch: dt.datetime = CALENDAR_WINDOWS_1900
) -> dt.date:
    """A date column's cell -> date, or :class:`DateFormError` naming the accepted forms.

    Accepted: Excel date cells (a time of day is dropped), numbers in an .xlsx date column
    (Excel serials), and text in the ledger's forms (``2025-03-01``, ``2025/3/1``,
    ``2025.3.1``, ``2025年3月1日``) plus ``20250301``, ``2025年3月1号``, full-width digits
    and a trailing ``00:00:00``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if from_excel_cell:
            return excel_serial_to_date(float(value), epoch)
        value = str(value)
    if not isinstance(value, str):
        raise DateFormError(f"'{value}' is not a date; accepted forms: {IMPORT_DATE_FORMS}")
    text = unicodedata.normalize("NFKC", value).strip()
    text = _TIME_TAIL.sub("", text).strip()
    text = _HAO.sub("日", text)
    compact = _COMPACT.match(text)
    if compact:
        text = "-".join(compact.groups())
    try:
        return parse_date(text)
    except DateFormError:
        raise DateFormError(
            f"'{value}' is not a date in an accepted form ({IMPORT_DATE_FORMS})"
        ) from None


def plain_number(value: Any) -> Any:
    """Whole floats (Excel stores every number as a float) become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def number_out(value: Decimal) -> int | float:
    """A Decimal amount as the plain number YAML/JSON show (12000, 3500.5)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
