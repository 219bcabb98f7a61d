from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeledger.errors import UsageError
from safeledger.evaluate.periods import (
    Span,
    half_year,
    iter_periods,
    month,
    parse_month,
    parse_period_label,
    parse_quarter,
    parse_year,
    period_containing,
    quarter,
    resolve_period,
    window_periods,
    year,
)
from safeledger.model.enums import Period

from .factories import d

TODAY = d("2025-07-03")


@pytest.mark.parametrize(
    ("span", "start", "end", "label"),
    [
        (month(2025, 2), "2025-02-01", "2025-02-28", "2025-02"),
        (month(2024, 2), "2024-02-01", "2024-02-29", "2024-02"),
        (month(2025, 12), "2025-12-01", "2025-12-31", "2025-12"),
        (quarter(2025, 2), "2025-04-01", "2025-06-30", "2025Q2"),
        (quarter(2025, 4), "2025-10-01", "2025-12-31", "2025Q4"),
        (half_year(2025, 1), "2025-01-01", "2025-06-30", "2025H1"),
        (half_year(2025, 2), "2025-07-01", "2025-12-31", "2025H2"),
        (year(2025), "2025-01-01", "2025-12-31", "2025"),
    ],
)
def test_constructors(span: Span, start: str, end: str, label: str) -> None:
    assert (span.start, span.end, span.label) == (d(start), d(end), label)


@pytest.mark.parametrize(
    ("day", "kind", "label"),
    [
        ("2025-03-31", Period.quarter, "2025Q1"),
        ("2025-04-01", Period.quarter, "2025Q2"),
        ("2025-06-30", Period.half_year, "2025H1"),
        ("2025-07-01", Period.half_year, "2025H2"),
        ("2025-12-31", Period.month, "2025-12"),
        ("2025-12-31", Period.year, "2025"),
    ],
)
def test_period_containing(day: str, kind: Period, label: str) -> None:
    assert period_containing(d(day), kind).label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [("2025Q2", "2025Q2"), ("2025-Q2", "2025Q2"), ("2025q3", "2025Q3"),
     ("2025年第2季度", "2025Q2"), ("2025年第四季度", "2025Q4"),
     ("last", "2025Q2"), ("current", "2025Q3"), ("上季度", "2025Q2"), ("本季度", "2025Q3")],
)
def test_parse_quarter(text: str, label: str) -> None:
    assert parse_quarter(text, today=TODAY).label == label


def test_last_quarter_wraps_the_year() -> None:
    assert parse_quarter("last", today=d("2025-02-10")).label == "2024Q4"
    assert parse_month("last", today=d("2025-01-10")).label == "2024-12"


@pytest.mark.parametrize("bad", ["2025Q5", "2025-2", "Q2", "2025Q", "2025-05"])
def test_bad_quarter_lists_accepted_forms(bad: str) -> None:
    with pytest.raises(UsageError, match="2025Q2, 2025-Q2"):
        parse_quarter(bad, today=TODAY)


@pytest.mark.parametrize(
    ("text", "label"),
    [("2025-05", "2025-05"), ("2025-5", "2025-05"), ("2025/05", "2025-05"),
     ("2025年5月", "2025-05"), ("last", "2025-06"), ("current", "2025-07"), ("上月", "2025-06")],
)
def test_parse_month(text: str, label: str) -> None:
    assert parse_month(text, today=TODAY).label == label


@pytest.mark.parametrize("bad", ["2025-13", "2025-00", "05-2025", "2025"])
def test_bad_month(bad: str) -> None:
    with pytest.raises(UsageError, match="2025-05"):
        parse_month(bad, today=TODAY)


def test_parse_year() -> None:
    assert parse_year("2025", today=TODAY).label == "2025"
    assert parse_year("2024年", today=TODAY).label == "2024"
    assert parse_year("last", today=TODAY).label == "2024"
    assert parse_year("今年", today=TODAY).label == "2025"
    with pytest.raises(UsageError, match="accepted"):
        parse_year("25", today=TODAY)


@pytest.mark.parametrize(
    ("text", "label"),
    [("2025-05", "2025-05"), ("2025Q2", "2025Q2"), ("2025H1", "2025H1"), ("2025", "2025")],
)
def test_parse_period_label(text: str, label: str) -> None:
    assert parse_period_label(text).label == label


def test_parse_period_label_rejects() -> None:
    with pytest.raises(UsageError, match="2025H1"):
        parse_period_label("2025H3")


def test_resolve_period() -> None:
    assert resolve_period(today=TODAY, quarter="2025Q2").label == "2025Q2"
    assert resolve_period(today=TODAY, month="2025-05").label == "2025-05"
    assert resolve_period(today=TODAY, year="2025").label == "2025"
    span = resolve_period(today=TODAY, start="2025/4/1", end="2025年6月30日")
    assert (span.start, span.end, span.kind) == (d("2025-04-01"), d("2025-06-30"), None)
    assert span.label == "2025-04-01/2025-06-30"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one period"),
        ({"quarter": "2025Q2", "year": "2025"}, "exactly one period"),
        ({"start": "2025-04-01"}, "--from and --to go together"),
        ({"start": "2025-06-30", "end": "2025-04-01"}, "before --from"),
        ({"start": "3/1/2025", "end": "2025-04-01"}, "accepted forms"),
    ],
)
def test_resolve_period_errors(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        resolve_period(today=TODAY, **kwargs)


def test_window_judges_periods_that_end_inside_and_shows_the_running_one() -> None:
    w = window_periods(Period.quarter, d("2025-01-01"), d("2025-05-20"))
    assert [p.label for p in w.judged] == ["2025Q1"]
    assert w.running is not None and w.running.label == "2025Q2"


def test_window_ending_on_a_period_end_has_no_running_period() -> None:
    w = window_periods(Period.quarter, d("2025-01-01"), d("2025-06-30"))
    assert [p.label for p in w.judged] == ["2025Q1", "2025Q2"]
    assert w.running is None


def test_window_judges_whole_periods_that_began_before_start() -> None:
    w = window_periods(Period.quarter, d("2025-02-15"), d("2025-06-30"))
    assert [p.label for p in w.judged] == ["2025Q1", "2025Q2"]


def test_window_shorter_than_the_period() -> None:
    w = window_periods(Period.year, d("2025-04-01"), d("2025-06-30"))
    assert w.judged == ()
    assert w.running == year(2025)


def test_iter_periods() -> None:
    labels = [p.label for p in iter_periods(Period.half_year, d("2024-03-01"), d("2025-07-01"))]
    assert labels == ["2024H1", "2024H2", "2025H1", "2025H2"]


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
kinds = st.sampled_from(list(Period))


@given(dates, kinds)
def test_period_containing_contains_and_tiles(day: dt.date, kind: Period) -> None:
    span = period_containing(day, kind)
    assert day in span
    assert span.next().start == span.end + dt.timedelta(days=1)
    assert span.previous().end == span.start - dt.timedelta(days=1)
    assert parse_period_label(span.label) == span


@given(dates, dates, kinds)
def test_window_periods_partition(a: dt.date, b: dt.date, kind: Period) -> None:
    start, end = min(a, b), max(a, b)
    w = window_periods(kind, start, end)
    assert all(start <= p.end <= end for p in w.judged)
    if w.running is not None:
        assert w.running.start <= end < w.running.end
    else:
        assert w.judged and w.judged[-1].end == end
    # consecutive, no gaps
    spans = [*w.judged, *([w.running] if w.running else [])]
    for x, y in itertools.pairwise(spans):
        assert y.start == x.end + dt.timedelta(days=1)


# --- --as-of: a date, a period's last day, or the end of the last period -------------

from safeledger.evaluate.periods import parse_as_of  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", dt.date(2025, 6, 30)),
        ("2025年6月30日", dt.date(2025, 6, 30)),
        ("2025Q2", dt.date(2025, 6, 30)),
        ("2025-Q1", dt.date(2025, 3, 31)),
        ("2024-02", dt.date(2024, 2, 29)),
        ("2025H1", dt.date(2025, 6, 30)),
        ("2025", dt.date(2025, 12, 31)),
        ("last-quarter", dt.date(2026, 9, 30)),
        ("上季度末", dt.date(2026, 9, 30)),
        ("last-month", dt.date(2026, 10, 31)),
        ("last-year", dt.date(2025, 12, 31)),
    ],
)
def test_as_of_forms(text: str, expected: dt.date) -> None:
    assert parse_as_of(text, today=dt.date(2026, 11, 23)) == expected


def test_as_of_rejects_other_text_naming_the_forms() -> None:
    with pytest.raises(UsageError) as info:
        parse_as_of("next tuesday", today=dt.date(2026, 11, 23))
    assert "last-quarter" in str(info.value) and "2025Q2" in str(info.value)
