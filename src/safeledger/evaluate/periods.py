"""Calendar periods (spec sections 6 and 7): months, quarters, half years, years, and
the command-line period syntax.

Pure functions: nothing here reads the clock.  Relative forms (``last``, ``current``)
take the caller's ``today``.

    >>> quarter(2025, 2)
    Span(start=datetime.date(2025, 4, 1), end=datetime.date(2025, 6, 30), label='2025Q2', ...)
    >>> parse_quarter("last", today=dt.date(2025, 7, 3)).label
    '2025Q2'
    >>> w = window_periods(Period.month, dt.date(2025, 1, 1), dt.date(2025, 3, 15))
    >>> [p.label for p in w.judged], w.running.label
    (['2025-01', '2025-02'], '2025-03')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from safeledger.errors import UsageError
from safeledger.model.dates import ACCEPTED_DATE_FORMS, DateFormError, parse_date
from safeledger.model.enums import Period

__all__ = [
    "MONTHS_IN",
    "Span",
    "WindowPeriods",
    "date_range",
    "half_year",
    "iter_periods",
    "month",
    "parse_date_option",
    "parse_month",
    "parse_period_label",
    "parse_quarter",
    "parse_year",
    "period_containing",
    "quarter",
    "resolve_period",
    "window_periods",
    "year",
]

MONTHS_IN: dict[Period, int] = {
    Period.month: 1,
    Period.quarter: 3,
    Period.half_year: 6,
    Period.year: 12,
}

ACCEPTED_QUARTERS = "2025Q2, 2025-Q2, 2025年第2季度, last (上季度), current (本季度)"
ACCEPTED_MONTHS = "2025-05, 2025-5, 2025/05, 2025年5月, last (上月), current (本月)"
ACCEPTED_YEARS = "2025, 2025年, last (去年), current (今年)"
ACCEPTED_LABELS = "2025-05 (month), 2025Q2 (quarter), 2025H1 (half year), 2025 (year)"

_LAST = frozenset({"last", "previous", "prev", "上", "上个"})
_CURRENT = frozenset({"current", "this", "本", "这个", "今"})


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A closed date interval [start, end] with a label.

    ``kind`` is the calendar period it is (``None`` for a free ``--from/--to`` range).
    Labels: ``2025-05``, ``2025Q2``, ``2025H1``, ``2025``; a free range is
    ``2025-04-01/2025-06-30`` (ISO 8601 interval)."""

    start: dt.date
    end: dt.date
    label: str
    kind: Period | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a span ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Span:
        """The calendar period of the same kind just before this one."""
        if self.kind is None:
            raise ValueError("a free date range has no previous period")
        return period_containing(self.start - dt.timedelta(days=1), self.kind)

    def next(self) -> Span:
        """The calendar period of the same kind just after this one."""
        if self.kind is None:
            raise ValueError("a free date range has no next period")
        return period_containing(self.end + dt.timedelta(days=1), self.kind)


# --- constructors ------------------------------------------------------------------


def _month_end(y: int, m: int) -> dt.date:
    if m == 12:
        return dt.date(y, 12, 31)
    return dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def month(y: int, m: int) -> Span:
    if not 1 <= m <= 12:
        raise ValueError(f"month {m} is not 1..12")
    return Span(dt.date(y, m, 1), _month_end(y, m), f"{y:04d}-{m:02d}", Period.month)


def quarter(y: int, q: int) -> Span:
    if not 1 <= q <= 4:
        raise ValueError(f"quarter {q} is not 1..4")
    first = 3 * (q - 1) + 1
    return Span(dt.date(y, first, 1), _month_end(y, first + 2), f"{y:04d}Q{q}", Period.quarter)


def half_year(y: int, h: int) -> Span:
    if h not in (1, 2):
        raise ValueError(f"half year {h} is not 1 or 2")
    first = 1 if h == 1 else 7
    return Span(dt.date(y, first, 1), _month_end(y, first + 5), f"{y:04d}H{h}", Period.half_year)


def year(y: int) -> Span:
    return Span(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y:04d}", Period.year)


def date_range(start: dt.date, end: dt.date) -> Span:
    """A free range (``--from/--to``); labelled as an ISO 8601 interval."""
    return Span(start, end, f"{start.isoformat()}/{end.isoformat()}", None)


def period_containing(day: dt.date, kind: Period | str) -> Span:
    """The calendar period of length ``kind`` that contains ``day``."""
    kind = Period(kind)
    if kind == Period.month:
        return month(day.year, day.month)
    if kind == Period.quarter:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == Period.half_year:
        return half_year(day.year, 1 if day.month <= 6 else 2)
    return year(day.year)


def iter_periods(kind: Period | str, start: dt.date, end: dt.date) -> Iterator[Span]:
    """Every calendar period of length ``kind`` that overlaps [start, end], in order."""
    if end < start:
        return
    span = period_containing(start, kind)
    while span.start <= end:
        yield span
        span = span.next()


@dataclass(frozen=True, slots=True)
class WindowPeriods:
    """The calendar periods to judge for a window [start, end] (spec section 6):
    ``judged`` end inside the window; ``running`` is the period still running at
    ``end`` (``None`` when a period ends exactly on ``end``)."""

    judged: tuple[Span, ...]
    running: Span | None


def window_periods(kind: Period | str, start: dt.date, end: dt.date) -> WindowPeriods:
    """The periods of length ``kind`` that END inside [start, end], and the one running
    at ``end``.  A judged period may begin before ``start`` (a report for [02-15, 06-30]
    judges the whole first quarter)."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    judged: list[Span] = []
    span = period_containing(start, kind)
    while span.end <= end:
        if span.end >= start:
            judged.append(span)
        span = span.next()
    # ``span`` now contains ``end`` and ends after it: the running period.
    return WindowPeriods(tuple(judged), span if span.start <= end else None)


# --- parsing ------------------------------------------------------------------------


def parse_date_option(value: str, option: str = "date") -> dt.date:
    """A date given on the command line, in any of the ledger's date forms."""
    try:
        return parse_date(value)
    except DateFormError:
        raise UsageError(
            f"{option} '{value}' is not a date; accepted forms: {ACCEPTED_DATE_FORMS}"
        ) from None


def _relative(text: str) -> str | None:
    word = text.strip().casefold()
    for prefix in ("上", "本", "今", "这个", "上个"):
        if word in {prefix + s for s in ("季度", "季", "月", "年", "个月")}:
            return "last" if prefix.startswith("上") else "current"
    if word == "去年":
        return "last"
    if word in _LAST:
        return "last"
    if word in _CURRENT:
        return "current"
    return None


_QUARTER_RE = re.compile(r"^(\d{4})\s*(?:-|年)?\s*(?:[Qq]([1-4])|第?\s*([1-4一二三四])\s*季度?)$")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}
_MONTH_RE = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")
_YEAR_RE = re.compile(r"^(\d{4})\s*年?$")
_HALF_RE = re.compile(r"^(\d{4})\s*-?\s*[Hh]([12])$")


def parse_quarter(text: str, *, today: dt.date) -> Span:
    """``2025Q2``, ``2025-Q2``, ``2025q2``, ``2025年第2季度``, ``last``, ``current``."""
    rel = _relative(text)
    if rel is not None:
        here = period_containing(today, Period.quarter)
        return here if rel == "current" else here.previous()
    m = _QUARTER_RE.match(text.strip())
    if not m:
        raise UsageError(f"--quarter '{text}' is not a quarter; accepted: {ACCEPTED_QUARTERS}")
    q = m.group(2) or m.group(3)
    y, n = int(m.group(1)), int(_CN_DIGIT.get(q, q))
    return _in_calendar(text, lambda: quarter(y, n))


def parse_month(text: str, *, today: dt.date) -> Span:
    """``2025-05``, ``2025-5``, ``2025/05``, ``2025年5月``, ``last``, ``current``."""
    rel = _relative(text)
    if rel is not None:
        here = period_containing(today, Period.month)
        return here if rel == "current" else here.previous()
    m = _MONTH_RE.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UsageError(f"--month '{text}' is not a month; accepted: {ACCEPTED_MONTHS}")
    y, n = int(m.group(1)), int(m.group(2))
    return _in_calendar(text, lambda: month(y, n))


def parse_year(text: str, *, today: dt.date) -> Span:
    """``2025``, ``2025年``, ``last``, ``current``."""
    rel = _relative(text)
    if rel is not None:
        return year(today.year if rel == "current" else today.year - 1)
    m = _YEAR_RE.match(text.strip())
    if not m:
        raise UsageError(f"--year '{text}' is not a year; accepted: {ACCEPTED_YEARS}")
    y = int(m.group(1))
    return _in_calendar(text, lambda: year(y))


def _in_calendar(text: str, build: Callable[[], Span]) -> Span:
    """``build()``, or a UsageError when the period is outside the calendar (year 0000:
    found by fuzzing, it used to escape as a ValueError)."""
    try:
        return build()
    except (ValueError, OverflowError):
        raise UsageError(f"'{text}' is outside the calendar (years 1 to 9999)") from None


def parse_period_label(text: str) -> Span:
    """A period label as printed in output: ``2025-05``, ``2025Q2``, ``2025H1``, ``2025``."""
    return _in_calendar(text, lambda: _period_label(text))


def _period_label(text: str) -> Span:
    value = text.strip()
    if m := _HALF_RE.match(value):
        return half_year(int(m.group(1)), int(m.group(2)))
    if m := _YEAR_RE.match(value):
        return year(int(m.group(1)))
    if (m := _QUARTER_RE.match(value)) and m.group(2):
        return quarter(int(m.group(1)), int(m.group(2)))
    if (m := _MONTH_RE.match(value)) and 1 <= int(m.group(2)) <= 12:
        return month(int(m.group(1)), int(m.group(2)))
    raise UsageError(f"'{text}' is not a period; accepted: {ACCEPTED_LABELS}")


_AS_OF_RELATIVE = {
    "last-quarter": Period.quarter,
    "上季度末": Period.quarter,
    "上季末": Period.quarter,
    "last-month": Period.month,
    "上月末": Period.month,
    "last-year": Period.year,
    "上年末": Period.year,
    "去年底": Period.year,
}
ACCEPTED_AS_OF = (
    f"a date ({ACCEPTED_DATE_FORMS}), a period meaning its last day (2025Q2, 2025-05, "
    "2025H1, 2025), or last-quarter / last-month / last-year (上季度末, 上月末, 上年末)"
)


def parse_as_of(text: str, *, today: dt.date, option: str = "--as-of") -> dt.date:
    """An as-of date: a date, the last day of a period label (``2025Q2`` → 2025-06-30),
    or the end of the last quarter/month/year before ``today``."""
    value = text.strip()
    with contextlib.suppress(DateFormError):
        return parse_date(value)
    kind = _AS_OF_RELATIVE.get(value.casefold())
    if kind is not None:
        return period_containing(today, kind).previous().end
    try:
        return parse_period_label(value.replace("-Q", "Q").replace("-q", "Q")).end
    except UsageError:
        raise UsageError(f"{option} '{text}' is not accepted; give {ACCEPTED_AS_OF}") from None


def resolve_period(
    *,
    today: dt.date,
    quarter: str | None = None,
    month: str | None = None,
    year: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Span:
    """The period chosen by exactly one of ``--quarter``, ``--month``, ``--year`` or the
    pair ``--from``/``--to``.  Raises :class:`UsageError` naming the accepted forms."""
    given = [
        name
        for name, value in (("--quarter", quarter), ("--month", month), ("--year", year))
        if value is not None
    ]
    if start is not None or end is not None:
        given.append("--from/--to")
    if len(given) != 1:
        what = "none was" if not given else f"{', '.join(given)} were"
        raise UsageError(
            f"give exactly one period: --quarter 2025Q2, --month 2025-05, --year 2025, or "
            f"--from 2025-04-01 --to 2025-06-30 ({what} given)"
        )
    if quarter is not None:
        return parse_quarter(quarter, today=today)
    if month is not None:
        return parse_month(month, today=today)
    if year is not None:
        return parse_year(year, today=today)
    if start is None or end is None:
        raise UsageError("--from and --to go together, e.g. --from 2025-04-01 --to 2025-06-30")
    first = parse_date_option(start, "--from")
    last = parse_date_option(end, "--to")
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    return date_range(first, last)
