"""The report's cheaper ways to count give the plain answers (docs/performance.md): the
status-only evaluation for the dates a report only counts, and the breakdowns counted in
one pass over the hazards."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from safeledger.evaluate.periods import date_range
from safeledger.evaluate.status import hazard_state, hazard_status
from safeledger.model.enums import Level
from safeledger.model.records import Hazard
from safeledger.report.context import (
    _COMMUNITY,
    _ENTERPRISE,
    _Dimension,
    _group_figures,
    _level_key,
    _States,
    compute_figures,
)
from tests.evaluate.factories import hazard
from tests.evaluate.test_status_properties import BASE, as_of_days, hazards

ENTERPRISES = ["E1", "E2", "E3"]


@st.composite
def report_hazards(draw: st.DrawFn) -> list[Hazard]:
    """A few hazards of a few enterprises, communities and levels, with or without funds."""
    out = []
    for n, h in enumerate(draw(st.lists(hazards(), max_size=8))):
        update: dict[str, Any] = {
            "id": f"H-{n}",
            "enterprise": draw(st.sampled_from(ENTERPRISES)),
            "community": draw(st.sampled_from([None, "和平社区", "幸福社区"])),
            "level": draw(st.sampled_from(list(Level))),
            "plan": draw(st.sampled_from([None, "方案"])),
            "funds": draw(st.sampled_from([None, Decimal("0"), Decimal("1.50"), Decimal(300)])),
        }
        out.append(h.model_copy(update=update))
    return out


spans = st.tuples(as_of_days, st.integers(min_value=0, max_value=120)).map(
    lambda t: date_range(t[0], t[0] + dt.timedelta(days=t[1]))
)


# Most hazards have neither extensions nor reinspections: hazard_status's own rules.
plain_hazards = hazards().map(
    lambda h: h.model_copy(update={"extensions": [], "reinspections": []})
)


@settings(max_examples=500)
@given(hazards() | plain_hazards, as_of_days)
def test_hazard_status_is_the_states_status_and_deadline(h: Hazard, day: dt.date) -> None:
    state = hazard_state(h, day)
    brief = hazard_status(h, day)
    if state is None:
        assert brief is None
    else:
        assert brief == (state.status, state.effective_deadline)


@settings(max_examples=200)
@given(report_hazards(), spans, st.booleans())
def test_counted_items_give_the_figures_of_the_full_states(
    hs: list[Hazard], span: Any, eve_known: bool
) -> None:
    units = {"E1"}
    expected = compute_figures(
        [(h, hazard_state(h, span.end), hazard_state(h, span.start - dt.timedelta(days=1)))
         for h in hs],
        span,
        units,
    )
    states = _States(hs)
    if eve_known:
        states.brief(span.start - dt.timedelta(days=1))
    assert compute_figures(states.counted(span), span, units) == expected
    assert compute_figures(states.items(span), span, units) == expected


@settings(max_examples=200)
@given(report_hazards(), spans, st.sets(st.sampled_from(ENTERPRISES)))
def test_group_figures_are_the_figures_of_each_group(
    hs: list[Hazard], span: Any, inspected: set[str]
) -> None:
    items = _States(hs).items(span)
    community_units: dict[Any, set[str]] = {"和平社区": inspected & {"E1", "E2"}}
    dims = [
        _Dimension(_COMMUNITY, community_units, [None, "幸福社区", "和平社区", "其他"]),
        _Dimension(_level_key, {}, [str(lv) for lv in Level]),
        _Dimension(_ENTERPRISE, {e: {e} for e in inspected}, ["E3", "E1", "E2", "E9"]),
    ]
    got = _group_figures(items, span, dims)
    for dim, figures in zip(dims, got, strict=True):
        groups: dict[Any, list[Any]] = defaultdict(list)
        for i in items:
            groups[dim.key_of(i.hazard)].append(i)
        assert list(figures) == list(dim.keys)
        for k in dim.keys:
            assert figures[k] == compute_figures(groups[k], span, dim.units.get(k, set())), k


def test_group_figures_count_a_hand_made_case() -> None:
    """A check that the one-pass tally does count (not only agree with itself)."""
    h = hazard(found_on="2025-01-01", deadline="2025-01-01", level="major", plan="方案")
    span = date_range(BASE, BASE + dt.timedelta(days=10))
    [figures] = _group_figures(
        _States([h]).items(span), span, [_Dimension(_ENTERPRISE, {}, ["E1"])]
    )
    f = figures["E1"]
    assert f["found"] == {"total": 1, "general": 0, "major": 1}
    assert (f["overdue_at_end"], f["major_open_at_end"], f["major_planned"]) == (1, 1, 1)
    assert f["units_inspected"] == 1
