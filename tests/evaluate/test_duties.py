"""Spec section 6: duties per enterprise and calendar period."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeledger.evaluate.duties import (
    DutyResult,
    activity_duty,
    duties_as_of,
    duty_period,
    evaluate_duties,
)
from safeledger.model import DutyPeriodOverride
from safeledger.model.enums import Period

from .factories import activity, config, d, enterprise, inspection, make_ledger


def _rows(results: list[DutyResult], duty: str, ent: str = "E1") -> list[tuple[str, str]]:
    return [(r.period, r.state) for r in results if r.duty == duty and r.enterprise == ent]


def test_quarter_boundary_activity_on_03_31_vs_04_01() -> None:
    ents = [enterprise(id="E1"), enterprise(id="E2")]
    acts = [inspection("2025-03-31", "E1"), inspection("2025-04-01", "E2")]
    out = evaluate_duties(ents, acts, d("2025-01-01"), d("2025-06-30"))
    assert _rows(out, "principal_inspection", "E1") == [("2025Q1", "met"), ("2025Q2", "gap")]
    assert _rows(out, "principal_inspection", "E2") == [("2025Q1", "gap"), ("2025Q2", "met")]


def test_running_period_is_due_not_gap() -> None:
    out = evaluate_duties([enterprise()], [], d("2025-01-01"), d("2025-05-20"))
    assert _rows(out, "principal_inspection") == [("2025Q1", "gap"), ("2025Q2", "due")]
    due = next(r for r in out if r.period == "2025Q2")
    assert "本季度尚未开展主要负责人带队检查" in due.detail and "2025-06-30" in due.detail
    gap = next(r for r in out if r.period == "2025Q1")
    assert gap.detail == "本季度未开展主要负责人带队检查"
    assert _rows(out, "drill") == [("2025", "due")]


def test_running_period_met_by_an_activity_so_far() -> None:
    acts = [inspection("2025-04-10", id="A-7")]
    out = evaluate_duties([enterprise()], acts, d("2025-01-01"), d("2025-05-20"))
    row = next(r for r in out if r.period == "2025Q2")
    assert (row.state, row.activity) == ("met", "A-7")
    assert "A-7" in row.detail and "2025-04-10" in row.detail


def test_activity_after_end_does_not_count() -> None:
    acts = [inspection("2025-05-21")]
    out = evaluate_duties([enterprise()], acts, d("2025-01-01"), d("2025-05-20"))
    assert _rows(out, "principal_inspection")[-1] == ("2025Q2", "due")


def test_high_risk_is_monthly() -> None:
    acts = [inspection("2025-01-15"), inspection("2025-03-02")]
    out = evaluate_duties([enterprise(high_risk=True)], acts, d("2025-01-01"), d("2025-04-10"))
    assert _rows(out, "principal_inspection") == [
        ("2025-01", "met"), ("2025-02", "gap"), ("2025-03", "met"), ("2025-04", "due")]
    assert _rows(out, "drill") == [("2025H1", "due")]
    assert _rows(out, "principal_training") == [("2025", "due")]


def test_drill_and_training_match_only_the_right_kind() -> None:
    acts = [
        activity("drill", "2025-03-01", drill_type="firefighting"),
        activity("training", "2025-03-01", role="staff"),
        activity("inspection", "2025-03-01", principal_led=False),
    ]
    out = evaluate_duties([enterprise()], acts, d("2025-01-01"), d("2025-12-31"))
    assert _rows(out, "drill") == [("2025", "gap")]
    assert _rows(out, "principal_training") == [("2025", "gap")]
    assert _rows(out, "principal_inspection")[0] == ("2025Q1", "gap")
    acts = [activity("drill", "2025-03-01", drill_type="疏散逃生"),
            activity("training", "2025-12-31", role="主要负责人")]
    out = evaluate_duties([enterprise()], acts, d("2025-01-01"), d("2025-12-31"))
    assert _rows(out, "drill") == [("2025", "met")]
    assert _rows(out, "principal_training") == [("2025", "met")]


def test_activities_of_other_enterprises_do_not_count() -> None:
    out = evaluate_duties([enterprise()], [inspection("2025-02-01", "E2")],
                          d("2025-01-01"), d("2025-03-31"))
    assert _rows(out, "principal_inspection") == [("2025Q1", "gap")]


def test_maintenance_per_declared_facility() -> None:
    ent = enterprise(facilities=["hydrant", "fire_pump", "detector"])
    acts = [activity("maintenance", "2025-02-10", facility="fire_pump", result="ok"),
            activity("maintenance", "2025-03-10", facility="室内消火栓", result="fault"),
            activity("maintenance", "2025-03-10", facility="sprinkler")]
    out = evaluate_duties([ent], acts, d("2025-01-01"), d("2025-03-31"))
    duties = {r.duty for r in out}
    assert duties == {"principal_inspection", "drill", "principal_training",
                      "maintenance:fire_pump", "maintenance:hydrant", "maintenance:detector"}
    assert _rows(out, "maintenance:fire_pump") == [
        ("2025-01", "gap"), ("2025-02", "met"), ("2025-03", "gap")]
    assert _rows(out, "maintenance:hydrant") == [("2025Q1", "met")]  # a fault test still counts
    assert _rows(out, "maintenance:detector") == [("2025", "due")]
    gap = next(r for r in out if r.duty == "maintenance:fire_pump" and r.state == "gap")
    assert gap.detail == "本月未开展消防水泵维保检测"


def test_order_is_enterprise_duty_period() -> None:
    ents = [enterprise(id="E2", facilities=["water_supply", "hydrant"]), enterprise(id="E1")]
    out = evaluate_duties(ents, [], d("2025-01-01"), d("2025-06-30"))
    keys = [(r.enterprise, r.duty) for r in out]
    assert keys == sorted(keys, key=lambda k: (k[0], ["principal_inspection", "drill",
                          "principal_training", "maintenance:hydrant",
                          "maintenance:water_supply"].index(k[1])))


def test_closed_enterprise_has_no_duties() -> None:
    ent = enterprise(status="注销", certificates=[
        {"holder": "赵", "type": "电工", "expires_on": "2020-01-01"}])
    assert evaluate_duties([ent], [], d("2025-01-01"), d("2025-06-30")) == []


@pytest.mark.parametrize(
    ("expires", "state", "text"),
    [("2025-06-29", "gap", "已于 2025-06-29 过期"),
     ("2025-06-30", "warning", "剩 0 天"),
     ("2025-07-30", "warning", "剩 30 天"),
     ("2025-07-31", "met", "有效期至 2025-07-31")],
)
def test_certificates(expires: str, state: str, text: str) -> None:
    ent = enterprise(certificates=[{"holder": "赵六", "type": "电工作业", "number": "T-1",
                                    "expires_on": expires}])
    out = evaluate_duties([ent], [], d("2025-01-01"), d("2025-06-30"))
    cert = [r for r in out if r.duty == "certificate"]
    assert len(cert) == 1
    assert (cert[0].period, cert[0].state) == ("赵六", state)
    assert text in cert[0].detail


@pytest.mark.parametrize(
    ("duty", "high_risk", "overrides", "period"),
    [
        ("principal_inspection", False, {}, Period.quarter),
        ("principal_inspection", True, {}, Period.month),
        ("drill", True, {}, Period.half_year),
        ("maintenance:fire_pump", True, {}, Period.month),
        ("principal_inspection", False,
         {"principal_inspection": DutyPeriodOverride(default=Period.month)}, Period.month),
        ("principal_inspection", True,  # default only: the high-risk period stays
         {"principal_inspection": DutyPeriodOverride(default=Period.year)}, Period.month),
        ("principal_training", True,  # "year/year": high risk follows the default
         {"principal_training": DutyPeriodOverride(default=Period.half_year)}, Period.half_year),
        ("drill", True, {"drill": DutyPeriodOverride(high_risk=Period.quarter)}, Period.quarter),
        ("maintenance:hydrant", False,
         {"maintenance": DutyPeriodOverride(default=Period.month)}, Period.month),
        ("maintenance:hydrant", False,
         {"maintenance": DutyPeriodOverride(default=Period.month),
          "maintenance:hydrant": DutyPeriodOverride(default=Period.year)}, Period.year),
    ],
)
def test_duty_period_overrides(duty: str, high_risk: bool,
                               overrides: dict[str, DutyPeriodOverride], period: Period) -> None:
    assert duty_period(duty, high_risk, overrides) == period


def test_overrides_from_config() -> None:
    cfg = config(duties={"principal_inspection": "month", "drill": {"default": "half_year"}})
    led = make_ledger(cfg=cfg, activities=[inspection("2025-01-05")])
    out = duties_as_of(led, d("2025-03-15"))
    assert _rows(out, "principal_inspection") == [
        ("2025-01", "met"), ("2025-02", "gap"), ("2025-03", "due")]
    assert _rows(out, "drill") == [("2025H1", "due")]


def test_duties_as_of_window_starts_on_1_january() -> None:
    led = make_ledger(activities=[inspection("2024-12-31")])
    out = duties_as_of(led, d("2025-04-01"))
    assert _rows(out, "principal_inspection") == [("2025Q1", "gap"), ("2025Q2", "due")]
    out = duties_as_of(led, d("2025-01-01"))
    assert _rows(out, "principal_inspection") == [("2025Q1", "due")]


def test_english_details() -> None:
    led = make_ledger(cfg=config(locale="en"))
    out = duties_as_of(led, d("2025-04-01"))
    assert [r.detail for r in out if r.period == "2025Q1"] == [
        "no principal-led inspection in this quarter"]


def test_activity_duty() -> None:
    assert activity_duty(inspection("2025-01-01")) == "principal_inspection"
    assert activity_duty(activity("interview", "2025-01-01")) is None


@given(st.lists(st.integers(min_value=0, max_value=364), max_size=30),
       st.integers(min_value=0, max_value=364))
def test_states_are_consistent_with_activity_dates(days: list[int], end_n: int) -> None:
    base = dt.date(2025, 1, 1)
    end = base + dt.timedelta(days=end_n)
    acts = [inspection((base + dt.timedelta(days=n)).isoformat()) for n in days]
    out = [r for r in evaluate_duties([enterprise()], acts, base, end)
           if r.duty == "principal_inspection"]
    dates = [base + dt.timedelta(days=n) for n in days]
    for r in out:
        assert r.start is not None and r.end is not None
        hit = any(r.start <= x <= min(r.end, end) for x in dates)
        assert (r.state == "met") == hit
        if not hit:
            assert r.state == ("due" if r.end > end else "gap")


def test_activities_are_indexed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from safeledger.evaluate import duties as mod

    calls = 0
    real = mod.activity_duty

    def counting(act):
        nonlocal calls
        calls += 1
        return real(act)

    monkeypatch.setattr(mod, "activity_duty", counting)
    ents = [enterprise(id=f"E{i}", high_risk=True, facilities=["fire_pump"]) for i in range(20)]
    acts = [inspection(f"2025-{m:02d}-10", f"E{i}") for i in range(20) for m in range(1, 13)]
    out = evaluate_duties(ents, acts, d("2025-01-01"), d("2025-12-31"))
    assert calls == len(acts)
    assert all(r.state == "met" for r in out if r.duty == "principal_inspection")
