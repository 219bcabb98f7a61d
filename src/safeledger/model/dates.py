"""Ledger dates: ISO ``2025-03-01`` is canonical; ``2025/3/1``, ``2025.3.1`` and
``2025年3月1日`` are accepted too (spec section 1).  Anything else is an error that
names the accepted forms."""

from __future__ import annotations

import datetime as dt
import re

ACCEPTED_DATE_FORMS = "2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日"

# One- or two-digit month and day are accepted with every separator (2025-3-1 too):
# they are unambiguous, and Excel users type them that way.
_DATE_RE = re.compile(
    r"^\s*(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|\.(\d{1,2})\.(\d{1,2})"
    r"|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)\s*$"
)


class DateFormError(ValueError):
    """A value that is not a date in one of the accepted forms."""


def parse_date(value: object) -> dt.date:
    """Return the date ``value`` stands for, or raise :class:`DateFormError`."""
    if isinstance(value, dt.datetime):
        raise DateFormError(
            f"'{value.isoformat(sep=' ')}' has a time of day; "
            f"give a date only ({ACCEPTED_DATE_FORMS})"
        )
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateFormError(f"'{value}' is not a date; accepted forms: {ACCEPTED_DATE_FORMS}")
    m = _DATE_RE.match(value)
    if not m:
        raise DateFormError(f"'{value}' is not a date in an accepted form ({ACCEPTED_DATE_FORMS})")
    groups = [g for g in m.groups()[1:] if g is not None]
    year, month, day = int(m.group(1)), int(groups[0]), int(groups[1])
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateFormError(f"'{value}' is not a valid calendar date ({exc})") from None


def format_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
