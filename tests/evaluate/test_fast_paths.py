"""The engines' fast paths give the answers of the plain rules (hypothesis equivalence)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeledger.evaluate.compliance import compliance_diagnostics
from safeledger.evaluate.duties import (
    CERTIFICATE,
    DutyGap,
    DutyResult,
    activity_duty,
    duty_gaps,
    duty_period,
    enterprise_duties,
    evaluate_duties,
)
from safeledger.evaluate.frozen import fast_init
from safeledger.evaluate.periods import iter_periods
from safeledger.evaluate.status import HazardState, hazard_state, open_past_deadline
from safeledger.model.enums import HazardStatus
from safeledger.model.records import Activity, Enterprise

from .factories import activity, config, enterprise, make_ledger
from .test_status_properties import as_of_days, hazards

# --- hazards -------------------------------------------------------------------------


@settings(max_examples=300)
@given(hazards(), as_of_days)
def test_open_past_deadline_is_the_filtered_state(h: Any, day: dt.date) -> None:
    state = hazard_state(h, day)
    expected = (
        state
        if state is not None
        and state.status != HazardStatus.closed
        and state.effective_deadline < day
        else None
    )
    assert open_past_deadline(h, day) == expected


@given(st.lists(hazards(), max_size=6), as_of_days)
def test_compliance_hazard_findings_follow_the_states(hs: list[Any], day: dt.date) -> None:
    hs = [h.model_copy(update={"id": f"H-{i}", "level": ("major" if i % 3 else "general")})
          for i, h in enumerate(hs)]
    found = [d for d in compliance_diagnostics(make_ledger(hazards=hs), day)
             if d.code in ("overdue", "major-overdue")]
    expected = []
    for h in sorted(hs, key=lambda h: (h.found_on, h.id)):  # the reference: every state
        state = hazard_state(h, day)
        if state is None or state.status == HazardStatus.closed:
            continue
        if state.effective_deadline >= day:
            continue
        if h.is_major:
            expected.append(("major-overdue", h.id))
        elif state.status == HazardStatus.overdue:
            expected.append(("overdue", h.id))
    assert [(d.code, d.record) for d in found] == expected


# --- duties --------------------------------------------------------------------------

FACILITIES = ["fire_pump", "hydrant", "sprinkler", "extinguisher", "detector"]
BASE = dt.date(2025, 1, 1)


@st.composite
def enterprises(draw: st.DrawFn) -> list[Enterprise]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        certificates = [
            {"type": "电工", "holder": f"持证人{j}", "number": f"T{j}",
             "expires_on": (BASE + dt.timedelta(days=draw(st.integers(0, 500)))).isoformat()}
            for j in range(draw(st.integers(min_value=0, max_value=2)))
        ]
        out.append(enterprise(
            id=f"E{draw(st.integers(min_value=1, max_value=3))}",  # duplicates too
            name=f"企业{i}",
            high_risk=draw(st.booleans()),
            facilities=draw(st.lists(st.sampled_from(FACILITIES), max_size=3)),
            status=draw(st.sampled_from(["active", "active", "closed"])),
            certificates=certificates,
        ))
    return out


@st.composite
def activities(draw: st.DrawFn) -> list[Activity]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        day = (BASE + dt.timedelta(days=draw(st.integers(0, 420)))).isoformat()
        ent = f"E{draw(st.integers(min_value=1, max_value=3))}"
        kind = draw(st.sampled_from(["inspection", "drill", "training", "maintenance"]))
        extra: dict[str, Any] = {
            "inspection": {"principal_led": draw(st.booleans())},
            "drill": {"drill_type": draw(st.sampled_from(["evacuation", "firefighting"]))},
            "training": {"role": draw(st.sampled_from(["principal", "staff"]))},
            "maintenance": {"facility": draw(st.sampled_from(FACILITIES))},
        }[kind]
        out.append(activity(kind, day, ent, **extra))
    return out


windows = st.tuples(st.integers(0, 400), st.integers(0, 200)).map(
    lambda t: (BASE + dt.timedelta(days=t[0]), BASE + dt.timedelta(days=t[0] + t[1]))
)
configs = st.sampled_from([
    None,
    config(),
    config(locale="en"),
    config(duties={"principal_inspection": {"default": "month"}, "maintenance": "year"}),
])


def reference_duties(
    ents: list[Enterprise], acts: list[Activity], start: dt.date, end: dt.date, cfg: Any
) -> list[tuple[str, str, str, str, str | None]]:
    """The duty rules written the slow, obvious way: (enterprise, duty, period, state,
    activity) for every period of every duty, scanning every activity."""
    overrides = cfg.duties if cfg is not None else {}
    out = []
    seen = set()
    for ent in sorted(ents, key=lambda e: e.id):
        if ent.status == "closed" or ent.id in seen:
            continue
        seen.add(ent.id)
        for duty in enterprise_duties(ent):
            kind = duty_period(duty, ent.high_risk, overrides)
            for span in iter_periods(kind, start, end):
                if span.end < start:
                    continue
                hits = sorted(
                    (a.date, a.id) for a in acts
                    if a.enterprise == ent.id and activity_duty(a) == duty
                    and span.start <= a.date <= min(span.end, end)
                )
                state = "met" if hits else "gap" if span.end <= end else "due"
                out.append((ent.id, duty, span.label, state, hits[0][1] if hits else None))
        for cert in ent.certificates:
            left = (cert.expires_on - end).days
            state = "gap" if left < 0 else "warning" if left <= 30 else "met"
            out.append((ent.id, CERTIFICATE, cert.holder, state, None))
    return out


@settings(max_examples=150)
@given(enterprises(), activities(), windows, configs)
def test_duties_match_a_reference(
    ents: list[Enterprise], acts: list[Activity], window: tuple[dt.date, dt.date], cfg: Any
) -> None:
    start, end = window
    rows = evaluate_duties(ents, acts, start, end, cfg)
    assert [(r.enterprise, r.duty, r.period, r.state, r.activity) for r in rows] == (
        reference_duties(ents, acts, start, end, cfg)
    )


@settings(max_examples=150)
@given(enterprises(), activities(), windows, configs)
def test_duty_gaps_are_the_gap_and_warning_rows(
    ents: list[Enterprise], acts: list[Activity], window: tuple[dt.date, dt.date], cfg: Any
) -> None:
    start, end = window
    rows = evaluate_duties(ents, acts, start, end, cfg)
    assert duty_gaps(ents, acts, start, end, cfg) == [
        DutyGap(r.enterprise, r.duty, r.period, r.state, r.detail)
        for r in rows
        if r.state in ("gap", "warning")
    ]


def test_duty_gaps_reject_a_window_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError):
        duty_gaps([], [], dt.date(2025, 2, 1), dt.date(2025, 1, 1))


# --- fast_init -----------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
optional_dates = st.none() | dates


@given(st.tuples(st.text(), st.text(), st.text(), st.sampled_from(["met", "gap", "due"]),
                 st.text(), optional_dates, optional_dates, st.none() | st.text(),
                 optional_dates))
def test_fast_init_sets_every_field(values: tuple[Any, ...]) -> None:
    row = DutyResult(*values)
    assert dataclasses.astuple(row) == values
    assert DutyResult(*values[:5]) == DutyResult(*values[:5], None, None, None, None)
    assert hash(row) == hash(DutyResult(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.state = "met"  # type: ignore[misc]


def test_fast_init_keeps_keywords_and_defaults() -> None:
    day = dt.date(2025, 1, 1)
    state = HazardState(id="H", as_of=day, status=HazardStatus.pending, flags=(),
                        effective_deadline=day, rectified_on=None, verified_on=None,
                        verification=None, days_overdue=None, days_left=0)
    assert state.days_left == 0 and state.id == "H"
    with pytest.raises(TypeError):
        HazardState("H")  # type: ignore[call-arg]
    assert DutyResult("E", "d", "p", "met", "x", expires_on=day).expires_on == day


def test_fast_init_refuses_classes_it_does_not_handle() -> None:
    @dataclasses.dataclass(slots=True)
    class Mutable:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        a: list[int] = dataclasses.field(default_factory=list)

    for cls in (Mutable, WithFactory):
        with pytest.raises(TypeError):
            fast_init(cls)
