"""Spec 4.1 rule by rule, with edge days.  Each case: hazard fields, as-of date,
expected status and flags."""

from __future__ import annotations

from typing import Any

import pytest

from safeledger.errors import UsageError
from safeledger.evaluate.status import (
    StatusFilters,
    effective_deadline,
    hazard_state,
    latest_verification,
    status_counts,
    status_report,
    status_table,
)
from safeledger.model.enums import HazardStatus

from .factories import activity, d, enterprise, hazard, make_ledger

P = {"result": "pass"}
F = {"result": "fail"}
# found 2025-03-01, deadline 2025-03-31 (factory defaults)
CASES: list[tuple[str, dict[str, Any], str, str, tuple[str, ...]]] = [
    ("found on the as-of date exists", {}, "2025-03-01", "pending", ()),
    ("deadline equal to as-of: pending", {}, "2025-03-31", "pending", ()),
    ("deadline the day before: overdue", {}, "2025-04-01", "overdue", ()),
    ("rectified on the as-of date", {"rectified_on": "2025-03-10"}, "2025-03-10", "rectified", ()),
    ("rectified after as-of is not seen", {"rectified_on": "2025-03-10"}, "2025-03-09", "pending",
     ()),
    ("rectified then verified pass", {"rectified_on": "2025-03-10", "verified_on": "2025-03-12"},
     "2025-03-12", "closed", ()),
    ("verification after as-of not seen",
     {"rectified_on": "2025-03-10", "verified_on": "2025-03-12"}, "2025-03-11", "rectified", ()),
    ("rectified late", {"rectified_on": "2025-04-05"}, "2025-04-06", "rectified", ("late",)),
    ("rectified late then closed keeps late",
     {"rectified_on": "2025-04-05", "verified_on": "2025-04-08"}, "2025-05-01", "closed",
     ("late",)),
    ("rectified on the deadline is not late", {"rectified_on": "2025-03-31"}, "2025-04-10",
     "rectified", ()),
    ("overdue before late rectification", {"rectified_on": "2025-04-05"}, "2025-04-04", "overdue",
     ()),
    ("extension approved after as-of not applied",
     {"extensions": [{"to": "2025-04-30", "on": "2025-04-03"}]}, "2025-04-02", "overdue", ()),
    ("extension approved on as-of applied",
     {"extensions": [{"to": "2025-04-30", "on": "2025-04-02"}]}, "2025-04-02", "pending",
     ("extended",)),
    ("extension without approval date counts from found_on",
     {"extensions": [{"to": "2025-04-30"}]}, "2025-04-10", "pending", ("extended",)),
    ("extended deadline passed", {"extensions": [{"to": "2025-04-30", "on": "2025-03-20"}]},
     "2025-05-01", "overdue", ("extended",)),
    ("late against the extended deadline",
     {"extensions": [{"to": "2025-04-30", "on": "2025-03-20"}], "rectified_on": "2025-05-02"},
     "2025-05-03", "rectified", ("late", "extended")),
    ("on time thanks to the extension",
     {"extensions": [{"to": "2025-04-30", "on": "2025-03-20"}], "rectified_on": "2025-04-20"},
     "2025-05-03", "rectified", ("extended",)),
    ("failed verification sends back to pending",
     {"rectified_on": "2025-03-10", "verified_on": "2025-03-12", "verification": "fail"},
     "2025-03-15", "pending", ()),
    ("failed verification, past deadline: overdue",
     {"rectified_on": "2025-03-10", "verified_on": "2025-03-12", "verification": "fail"},
     "2025-04-01", "overdue", ()),
    ("failed on the day of rectification: not rectified",
     {"rectified_on": "2025-03-10", "reinspections": [{"on": "2025-03-10", **F}]},
     "2025-03-11", "pending", ()),
    ("failed then passed",
     {"rectified_on": "2025-03-20", "reinspections": [{"on": "2025-03-12", **F}],
      "verified_on": "2025-03-25"}, "2025-03-25", "closed", ()),
    ("failed then passed: between the two, after the new rectified_on",
     {"rectified_on": "2025-03-20", "reinspections": [{"on": "2025-03-12", **F}],
      "verified_on": "2025-03-25"}, "2025-03-21", "rectified", ()),
    ("failed then passed: after the failure, before the new rectified_on",
     {"rectified_on": "2025-03-20", "reinspections": [{"on": "2025-03-12", **F}],
      "verified_on": "2025-03-25"}, "2025-03-15", "pending", ()),
    ("failed verification then a later rectified_on: rectified",
     {"rectified_on": "2025-04-10", "reinspections": [{"on": "2025-03-12", **F}]},
     "2025-04-11", "rectified", ("late",)),
    ("failed verification, later rectified_on after as-of: overdue",
     {"rectified_on": "2025-04-10", "reinspections": [{"on": "2025-03-12", **F}]},
     "2025-04-05", "overdue", ()),
    ("reinspections: latest by date decides (pass after fail)",
     {"rectified_on": "2025-03-05",
      "reinspections": [{"on": "2025-03-06", **F}, {"on": "2025-03-09", **P}]},
     "2025-03-10", "closed", ()),
    ("reinspections out of list order: date decides",
     {"rectified_on": "2025-03-05",
      "reinspections": [{"on": "2025-03-09", **P}, {"on": "2025-03-06", **F}]},
     "2025-03-10", "closed", ()),
    ("a reinspection after verified_on decides",
     {"rectified_on": "2025-03-05", "verified_on": "2025-03-06",
      "reinspections": [{"on": "2025-03-08", **F}]}, "2025-03-10", "pending", ()),
    ("same day: verified_on (final conclusion) wins over a reinspection",
     {"rectified_on": "2025-03-05", "verified_on": "2025-03-06",
      "reinspections": [{"on": "2025-03-06", **F}]}, "2025-03-10", "closed", ()),
    ("same day reinspections: list order", {"rectified_on": "2025-03-05",
      "reinspections": [{"on": "2025-03-06", **P}, {"on": "2025-03-06", **F}]},
     "2025-03-10", "pending", ()),
    ("rectified_on after a passed verification: awaiting a new verification",
     {"rectified_on": "2025-03-20", "reinspections": [{"on": "2025-03-12", **P}]},
     "2025-03-25", "rectified", ()),
    ("passed verification before a rectified_on that is after as-of: closed",
     {"rectified_on": "2025-03-20", "reinspections": [{"on": "2025-03-12", **P}]},
     "2025-03-15", "closed", ()),
    ("verified without rectified_on (a data error): the verification decides",
     {"verified_on": "2025-03-12"}, "2025-03-15", "closed", ()),
]


@pytest.mark.parametrize(("name", "fields", "as_of", "status", "flags"), CASES,
                         ids=[c[0] for c in CASES])
def test_status_rules(name: str, fields: dict[str, Any], as_of: str, status: str,
                      flags: tuple[str, ...]) -> None:
    state = hazard_state(hazard(**fields), d(as_of))
    assert state is not None
    assert (state.status, state.flags) == (HazardStatus(status), flags)


def test_found_the_day_after_is_absent() -> None:
    assert hazard_state(hazard(found_on="2025-03-02"), d("2025-03-01")) is None


def test_days_overdue_and_left() -> None:
    h = hazard()
    on_deadline = hazard_state(h, d("2025-03-31"))
    assert on_deadline is not None
    assert (on_deadline.days_left, on_deadline.days_overdue) == (0, None)
    after = hazard_state(h, d("2025-04-10"))
    assert after is not None and (after.days_left, after.days_overdue) == (None, 10)
    early = hazard_state(h, d("2025-03-21"))
    assert early is not None and early.days_left == 10
    done = hazard_state(hazard(rectified_on="2025-04-02"), d("2025-04-10"))
    assert done is not None and (done.days_left, done.days_overdue) == (None, None)


def test_effective_deadline_is_the_latest_approved_to() -> None:
    h = hazard(extensions=[{"to": "2025-05-31", "on": "2025-04-20"},
                           {"to": "2025-04-30", "on": "2025-03-25"}])
    assert effective_deadline(h, d("2025-03-24")) == (d("2025-03-31"), False)
    assert effective_deadline(h, d("2025-03-25")) == (d("2025-04-30"), True)
    assert effective_deadline(h, d("2025-04-20")) == (d("2025-05-31"), True)


def test_state_reports_dates_as_of() -> None:
    h = hazard(rectified_on="2025-03-20", reinspections=[{"on": "2025-03-12", **F}],
               verified_on="2025-03-25")
    s = hazard_state(h, d("2025-03-22"))
    assert s is not None
    assert (s.rectified_on, s.verified_on, s.verification) == (d("2025-03-20"), d("2025-03-12"),
                                                               "fail")
    s = hazard_state(h, d("2025-03-11"))
    assert s is not None and (s.rectified_on, s.verified_on) == (None, None)
    last = latest_verification(h, d("2025-04-01"))
    assert last is not None and last.source == "verified_on"


# --- the listing ---------------------------------------------------------------------


def _ledger():
    return make_ledger(
        enterprises=[enterprise(), enterprise(id="E2", name="幸福超市", kind="business",
                                              community="幸福社区")],
        hazards=[
            hazard(id="H-3", found_on="2025-05-01", deadline="2025-05-10"),
            hazard(id="H-1", found_on="2025-03-01", rectified_on="2025-03-05",
                   verified_on="2025-03-06", verified_by="王"),
            hazard(id="H-2", found_on="2025-03-01", level="major", community="和平社区"),
            hazard(id="H-4", found_on="2025-04-01", enterprise="E2", community="幸福社区",
                   deadline="2025-04-05", category="燃气"),
            hazard(id="H-5", found_on="2025-07-01"),
        ],
    )


def test_status_table_order_and_absence() -> None:
    rows = status_table(_ledger(), d("2025-06-30"))
    assert [r.id for r in rows] == ["H-1", "H-2", "H-4", "H-3"]  # by found_on, then id
    assert [str(r.status) for r in rows] == ["closed", "overdue", "overdue", "overdue"]


def test_filters() -> None:
    led = _ledger()
    f = StatusFilters.parse(led, statuses=["逾期未整改"], communities=["和平社区"])
    # H-3 has no community of its own: its enterprise's counts
    assert [r.id for r in status_table(led, d("2025-06-30"), f)] == ["H-2", "H-3"]
    f = StatusFilters.parse(led, levels=["重大"])
    assert [r.id for r in status_table(led, d("2025-06-30"), f)] == ["H-2"]
    f = StatusFilters.parse(led, enterprises=["幸福超市"])
    assert [r.id for r in status_table(led, d("2025-06-30"), f)] == ["H-4"]
    f = StatusFilters.parse(led, categories=["燃气"], statuses=["overdue", "closed"])
    assert [r.id for r in status_table(led, d("2025-06-30"), f)] == ["H-4"]
    f = StatusFilters.parse(led, statuses=["Closed"])
    assert [r.id for r in status_table(led, d("2025-06-30"), f)] == ["H-1"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"statuses": ["done"]}, "pending \\(整改中\\)"),
        ({"levels": ["big"]}, "general"),
        ({"communities": ["和平村"]}, "和平社区, 幸福社区"),
        ({"enterprises": ["E9"]}, "E1, E2"),
        ({"categories": ["水"]}, "消防设施"),
    ],
)
def test_bad_filters_list_accepted_values(kwargs: dict[str, list[str]], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        StatusFilters.parse(_ledger(), **kwargs)


def test_counts() -> None:
    counts = status_counts(status_table(_ledger(), d("2025-06-30")))
    assert counts == {"overdue": 3, "pending": 0, "rectified": 0, "closed": 1, "major_open": 1}


def test_json_shape_of_spec_section_8() -> None:
    led = _ledger()
    led.activities.append(activity("inspection", "2025-02-01", principal_led=True))
    out = status_report(led, d("2025-06-30")).to_json()
    assert list(out) == ["as_of", "hazards", "duties"]
    assert out["as_of"] == "2025-06-30"
    spec_keys = ["id", "status", "flags", "level", "enterprise", "community", "domain",
                 "category", "found_on", "deadline", "effective_deadline", "rectified_on",
                 "verified_on"]
    first = out["hazards"][0]
    assert list(first)[: len(spec_keys)] == spec_keys
    assert first["id"] == "H-1" and first["status"] == "closed" and first["flags"] == []
    assert first["found_on"] == "2025-03-01" and first["verified_on"] == "2025-03-06"
    duty = out["duties"][0]
    assert list(duty)[:5] == ["enterprise", "duty", "period", "state", "detail"]
    assert duty["state"] in {"met", "gap", "due", "warning"}
    assert "H-5" not in {h["id"] for h in out["hazards"]}


def test_duties_follow_enterprise_and_community_filters() -> None:
    led = _ledger()
    f = StatusFilters.parse(led, communities=["幸福社区"], statuses=["closed"])
    report = status_report(led, d("2025-06-30"), f)
    assert {r.enterprise for r in report.duties} == {"E2"}
    assert report.hazards == []
