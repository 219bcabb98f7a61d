"""Report figures (spec section 7) against a ledger counted by hand (tests/report/helpers.py).

Q2 2025 = [2025-04-01, 2025-06-30]:
  H1 found 03-10, rectified 04-10 (deadline 03-31: late), verified 04-15  → rectified+closed in Q2
  H2 found 04-05, rectified 04-20 (on time), verified 04-25             → found, rectified, closed
  H3 major found 05-01, deadline 07-31, plan, funds 50000                → found, open (pending)
  H4 found 05-10, deadline 05-20                                         → found, overdue 41 days
  H5 found 06-01, rectified 06-10 (on time), not verified                → found, rectified, open
  H6 major found 2024-11-01, deadline 2025-01-31                         → overdue 150 days (stock)
  H7 found 07-05                                                         → does not exist at 06-30
  H8 found 01-10, closed 01-18                                           → closed before Q2
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from safeledger.evaluate.periods import date_range, month, quarter, year
from safeledger.report.context import build_context, due_date, percent, to_json
from tests.report.helpers import HAZARDS, make_ledger

Q2 = quarter(2025, 2)


def ctx(tmp_path: Path, **kw: object) -> dict:
    return build_context(make_ledger(tmp_path, **kw), Q2)  # type: ignore[arg-type]


def test_figures_hand_worked(tmp_path: Path) -> None:
    f = ctx(tmp_path)["figures"]
    assert f["found"] == {"total": 4, "general": 3, "major": 1}  # H2 H3 H4 H5
    assert f["rectified"] == 3  # H1 H2 H5
    assert f["closed"] == 2  # H1 H2 (H8 closed before the period)
    assert f["open_at_end"] == 4  # H3 H4 H5 H6
    assert f["overdue_at_end"] == 2  # H4 H6
    assert f["major_open_at_end"] == 2  # H3 H6
    assert f["rectification_rate"] == Decimal("50.0")  # H2 H5 of 4
    assert f["on_time_rate"] == Decimal("66.7")  # H2 H5 of H1 H2 H5
    assert f["cumulative_closure_rate"] == Decimal("42.9")  # H1 H2 H8 of 7
    assert f["rectification_rate_by_level"] == {"general": Decimal("66.7"), "major": Decimal("0.0")}
    assert f["units_inspected"] == 2
    assert f["major_planned"] == 1  # H3 has a plan, H6 not
    assert f["funds_rectified"] == Decimal("3000")  # H1 1000 + H2 2000
    assert f["due_date"] == dt.date(2025, 6, 25)


def test_breakdowns_hand_worked(tmp_path: Path) -> None:
    b = ctx(tmp_path)["breakdowns"]
    a, c = b["community"]["和平社区"], b["community"]["幸福社区"]
    assert (a["found"]["total"], a["rectified"], a["closed"], a["open_at_end"]) == (2, 2, 2, 1)
    assert a["rectification_rate"] == Decimal("50.0") and a["units_inspected"] == 1
    assert (c["found"]["total"], c["rectified"], c["closed"], c["open_at_end"]) == (2, 1, 0, 3)
    assert c["overdue_at_end"] == 2 and c["major_open_at_end"] == 1
    assert c["on_time_rate"] == Decimal("100.0")
    assert c["cumulative_closure_rate"] == Decimal("25.0")  # H8 of H4 H5 H6 H8
    assert list(b["level"]) == ["general", "major"]
    assert b["level"]["major"]["found"]["total"] == 1
    assert b["category"]["疏散通道"]["found"]["total"] == 1
    assert b["category"]["电梯"]["found"]["total"] == 0  # configured categories always listed
    assert b["category"]["电梯"]["rectification_rate"] is None  # "—"
    assert set(b["enterprise"]) == {"E1", "E2"}
    assert b["enterprise"]["E1"]["label"] == "和平物业"
    # breakdowns add up to the totals
    for dim in ("community", "domain", "level", "enterprise"):
        assert sum(v["found"]["total"] for v in b[dim].values()) == 4
        assert sum(v["open_at_end"] for v in b[dim].values()) == 4


def test_lists_hand_worked(tmp_path: Path) -> None:
    c = ctx(tmp_path)
    assert [r["id"] for r in c["major_open"]] == ["H6", "H3"]  # by found_on
    h3 = c["major_open"][1]
    assert (h3["interim_measures"], h3["plan"], h3["funds"], h3["responsible"]) == (
        "设置警戒",
        "方案.pdf",
        Decimal("50000"),
        "王强",
    )
    assert [(r["id"], r["days_overdue"]) for r in c["overdue"]] == [("H6", 150), ("H4", 41)]
    assert {r["id"] for r in c["open_hazards"]} == {"H3", "H4", "H5", "H6"}
    assert [r["id"] for r in c["hazards"]] == ["H6", "H8", "H1", "H2", "H3", "H4", "H5"]
    assert c["hazards"][1]["verified_by"] == "赵六"
    assert c["major_split"]["stock"]["total"] == 1 and c["major_split"]["stock"]["open_ids"] == [
        "H6"
    ]
    assert c["major_split"]["increment"]["total"] == 1
    assert [(g["enterprise"], g["duty"], g["period"]) for g in c["duty_gaps"]] == [
        ("E2", "principal_inspection", "2025Q2")
    ]
    (esc,) = c["escalation"]
    assert esc["enterprise"] == "E2" and esc["hazards"] == ["H6", "H4"]
    assert esc["overdue_since"] == dt.date(2025, 2, 1)
    assert esc["interviewed"] is True and esc["interview_dates"] == [dt.date(2025, 6, 20)]
    assert c["status_split"] == {"pending": 1, "overdue": 2, "rectified": 1, "closed": 3}
    assert [(m["label"], m["found"], m["rectified"]) for m in c["monthly"]] == [
        ("2025-04", 1, 2),
        ("2025-05", 2, 0),
        ("2025-06", 1, 1),
    ]


def test_escalation_threshold_and_interview(tmp_path: Path) -> None:
    # only H4 (general, 41 days): escalated at 30 days, not at 45; no interview
    hazards = [h for h in HAZARDS if h["id"] != "H6"]
    c = ctx(tmp_path, hazards=hazards, activities=[])
    assert [e["enterprise"] for e in c["escalation"]] == ["E2"]
    assert c["escalation"][0]["interviewed"] is False
    c = build_context(
        make_ledger(tmp_path, hazards=hazards, config={"report": {"escalation_days": 45}}), Q2
    )
    assert c["escalation"] == []


def test_comparison(tmp_path: Path) -> None:
    c = ctx(tmp_path)["comparison"]
    assert c["previous"]["label"] == "2025Q1" and c["year_ago"]["label"] == "2024Q2"
    assert c["previous"]["figures"]["found"]["total"] == 2  # H1 H8
    assert c["year_ago"]["figures"]["found"]["total"] == 0
    assert c["year_ago"]["figures"]["rectification_rate"] is None
    row = next(r for r in c["rows"] if r["key"] == "found")
    assert (row["current"], row["previous"], row["year_ago"]) == (4, 2, 0)


def test_empty_period_gives_dashes(tmp_path: Path) -> None:
    c = build_context(make_ledger(tmp_path), quarter(2023, 1))
    f = c["figures"]
    assert f["found"]["total"] == 0 and f["rectification_rate"] is None
    assert f["on_time_rate"] is None and f["cumulative_closure_rate"] is None
    assert to_json(f)["rectification_rate"] is None


def test_annual_quarters_side_by_side(tmp_path: Path) -> None:
    c = build_context(make_ledger(tmp_path), year(2025))
    assert c["kind"] == "annual"
    assert [q["label"] for q in c["quarters"]] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert [q["figures"]["found"]["total"] for q in c["quarters"]] == [2, 4, 1, 0]
    assert c["figures"]["found"]["total"] == 7


def test_due_date_rules() -> None:
    assert due_date("quarter_last_month:25", Q2) == dt.date(2025, 6, 25)
    assert due_date("next_quarter:15", Q2) == dt.date(2025, 7, 15)
    assert due_date("next_quarter:15", quarter(2025, 4)) == dt.date(2026, 1, 15)
    assert due_date("quarter_last_month:31", Q2) == dt.date(2025, 6, 30)  # clamped
    assert due_date("quarter_last_month:25", month(2025, 5)) == dt.date(2025, 6, 25)
    assert due_date(
        "quarter_last_month:25", date_range(dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    ) == dt.date(2025, 3, 25)


def test_percent_rounds_half_up() -> None:
    assert percent(1, 16) == Decimal("6.3")  # 6.25: half up, not half even
    assert percent(1, 8) == Decimal("12.5")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 3) == Decimal("33.3")
    assert percent(0, 0) is None
    assert percent(5, 5) == Decimal("100.0")


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_percent_is_the_rounded_share(part: int, whole: int) -> None:
    part = min(part, whole)
    value = percent(part, whole)
    assert value is not None and Decimal(0) <= value <= Decimal(100)
    assert abs(value - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.05")
    assert value.as_tuple().exponent == -1


def test_json_shape_spec_section_8(tmp_path: Path) -> None:
    from safeledger.report import json_context

    data = json_context(build_context(make_ledger(tmp_path), Q2))
    assert {"organisation", "period", "figures", "breakdowns", "duty_gaps", "source"} <= set(data)
    assert data["period"] == {
        "label": "2025Q2",
        "start": "2025-04-01",
        "end": "2025-06-30",
        "due_date": "2025-06-25",
        "kind": "quarter",
        "display": data["period"]["display"],
    }
    for key in (
        "found",
        "rectified",
        "closed",
        "open_at_end",
        "overdue_at_end",
        "major_open_at_end",
        "rectification_rate",
        "on_time_rate",
        "cumulative_closure_rate",
        "rectification_rate_by_level",
        "units_inspected",
        "major_planned",
        "funds_rectified",
    ):
        assert key in data["figures"]
    assert data["figures"]["found"] == {"total": 4, "general": 3, "major": 1}
    assert data["figures"]["rectification_rate"] == 50.0
    assert data["figures"]["on_time_rate"] == 66.7
    assert data["figures"]["funds_rectified"] == 3000
    assert set(data["breakdowns"]) >= {"community", "domain", "category", "enterprise"}
    assert data["source"] == {"commit": None, "dirty": False, "commit_date": None}
    assert "labels" not in data
