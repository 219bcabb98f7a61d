"""Enterprise duties per calendar period (spec section 6).

For a window [start, end], each duty of each active enterprise is judged for the
calendar periods of its length that END inside the window (``met`` / ``gap``); the
period still running at ``end`` is shown as ``due`` (or ``met`` if an activity dated
≤ ``end`` already falls in it) — never as a gap.  Certificates are judged at ``end``:
expired → ``gap``, expiring within 30 days → ``warning``, else ``met``.

Pure and linear: activities are indexed once by (enterprise, duty) into sorted date
lists; each period is then a binary search.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Literal, NamedTuple

from safeledger.evaluate.frozen import fast_init
from safeledger.evaluate.periods import Span, WindowPeriods, window_periods
from safeledger.model.config import Config, DutyPeriodOverride
from safeledger.model.enums import DrillType, EnterpriseStatus, Facility, Period, TrainingRole
from safeledger.model.records import Activity, Enterprise
from safeledger.validate.ledger import Ledger

__all__ = [
    "CERTIFICATE",
    "CERTIFICATE_WARNING_DAYS",
    "DUTY_DEFAULTS",
    "DUTY_KEYS",
    "FACILITY_PERIODS",
    "MAINTENANCE_PREFIX",
    "DutyGap",
    "DutyResult",
    "DutyState",
    "activity_duty",
    "duties_as_of",
    "duty_gaps",
    "duty_gaps_as_of",
    "duty_period",
    "enterprise_duties",
    "evaluate_duties",
    "index_activities",
]

DutyState = Literal["met", "gap", "due", "warning"]

PRINCIPAL_INSPECTION = "principal_inspection"
DRILL = "drill"
PRINCIPAL_TRAINING = "principal_training"
CERTIFICATE = "certificate"
MAINTENANCE_PREFIX = "maintenance:"
CERTIFICATE_WARNING_DAYS = 30

# duty -> (default period, high-risk period)
DUTY_DEFAULTS: dict[str, tuple[Period, Period]] = {
    PRINCIPAL_INSPECTION: (Period.quarter, Period.month),
    DRILL: (Period.year, Period.half_year),
    PRINCIPAL_TRAINING: (Period.year, Period.year),
}
FACILITY_PERIODS: dict[Facility, Period] = {
    Facility.fire_pump: Period.month,
    Facility.hydrant: Period.quarter,
    Facility.sprinkler: Period.quarter,
    Facility.alarm_linkage: Period.quarter,
    Facility.smoke_control: Period.half_year,
    Facility.extinguisher: Period.half_year,
    Facility.detector: Period.year,
    Facility.water_supply: Period.year,
}
for _facility, _period in FACILITY_PERIODS.items():
    DUTY_DEFAULTS[f"{MAINTENANCE_PREFIX}{_facility.value}"] = (_period, _period)
# facility -> its maintenance duty key (a StrEnum member and its value find the same key)
_MAINTENANCE_DUTY: dict[str, str] = {f: f"{MAINTENANCE_PREFIX}{f.value}" for f in Facility}

# Every key accepted under ``duties:`` in safeledger.yaml ("maintenance" overrides all
# facilities at once; "maintenance:<facility>" one of them).
DUTY_KEYS: frozenset[str] = frozenset({*DUTY_DEFAULTS, "maintenance"})

_WHAT_ZH = {
    PRINCIPAL_INSPECTION: "主要负责人带队检查",
    DRILL: "疏散逃生演练",
    PRINCIPAL_TRAINING: "主要负责人安全培训",
}
_WHAT_EN = {
    PRINCIPAL_INSPECTION: "principal-led inspection",
    DRILL: "evacuation drill",
    PRINCIPAL_TRAINING: "principal safety training",
}
_UNIT_ZH = {
    Period.month: "月", Period.quarter: "季度", Period.half_year: "半年", Period.year: "年度"
}
_UNIT_EN = {Period.month: "month", Period.quarter: "quarter", Period.half_year: "half year",
            Period.year: "year"}


@fast_init
@dataclass(frozen=True, slots=True)
class DutyResult:
    """One duty of one enterprise for one period (or one certificate)."""

    enterprise: str
    duty: str
    period: str  # period label, or the certificate holder's name
    state: DutyState
    detail: str
    start: dt.date | None = None  # the period's bounds (None for certificates)
    end: dt.date | None = None
    activity: str | None = None  # the activity that met it
    expires_on: dt.date | None = None  # certificates

    def to_json(self) -> dict[str, object]:
        """Spec section 8 keys, plus the period bounds, the activity and expiry date."""
        return {
            "enterprise": self.enterprise,
            "duty": self.duty,
            "period": self.period,
            "state": self.state,
            "detail": self.detail,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "activity": self.activity,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
        }


def duty_period(
    duty: str, high_risk: bool, overrides: Mapping[str, DutyPeriodOverride] | None = None
) -> Period:
    """The period of ``duty`` for an enterprise (``high_risk`` or not), after the
    ``duties:`` overrides of safeledger.yaml.

    An override sets its own slot only (``default`` or ``high_risk``).  Where the built-in
    high-risk period is the same as the default (training, maintenance: "as listed"), the
    high-risk period follows an overridden default unless it is overridden itself.
    ``maintenance:<facility>`` wins over ``maintenance``."""
    base_default, base_high = DUTY_DEFAULTS[duty]
    overrides = overrides or {}
    default, high = base_default, base_high
    keys = [duty]
    if duty.startswith(MAINTENANCE_PREFIX):
        keys.insert(0, "maintenance")  # the general key first, the specific one wins
    for key in keys:
        ov = overrides.get(key)
        if ov is None:
            continue
        if ov.default is not None:
            default = Period(ov.default)
            if base_high == base_default and ov.high_risk is None:
                high = default
        if ov.high_risk is not None:
            high = Period(ov.high_risk)
    return high if high_risk else default


def activity_duty(activity: Activity) -> str | None:
    """The duty an activity counts for, or None."""
    kind = activity.kind
    if kind == "inspection" and getattr(activity, "principal_led", False):
        return PRINCIPAL_INSPECTION
    if kind == "drill" and getattr(activity, "drill_type", None) == DrillType.evacuation:
        return DRILL
    if kind == "training" and getattr(activity, "role", None) == TrainingRole.principal:
        return PRINCIPAL_TRAINING
    if kind == "maintenance":
        facility = getattr(activity, "facility", None)
        if facility is not None:
            return _MAINTENANCE_DUTY.get(facility) or _MAINTENANCE_DUTY[Facility(facility)]
    return None


# (date, id) of the activities of one (enterprise, duty), sorted
Dated = list[tuple[dt.date, str]]


def index_activities(activities: Iterable[Activity]) -> dict[tuple[str, str], Dated]:
    """(enterprise, duty) -> activities sorted by (date, id): one pass, one sort each."""
    index: dict[tuple[str, str], Dated] = defaultdict(list)
    for act in activities:
        duty = activity_duty(act)
        if duty is not None:
            index[(act.enterprise, duty)].append((act.date, act.id))
    for items in index.values():
        items.sort()
    return dict(index)


def _first_in(dated: Dated | None, start: dt.date, end: dt.date) -> tuple[dt.date, str] | None:
    """The earliest activity dated in [start, end]."""
    if dated is None:
        return None
    i = bisect.bisect_left(dated, (start,))  # (start,) sorts before every (start, id)
    if i < len(dated) and dated[i][0] <= end:
        return dated[i]
    return None


def _duty_label(duty: str, zh: bool) -> str:
    if duty.startswith(MAINTENANCE_PREFIX):
        facility = duty.removeprefix(MAINTENANCE_PREFIX)
        if zh:
            return f"{Facility.label(facility)}维保检测"
        return f"{facility.replace('_', ' ')} maintenance test"
    return (_WHAT_ZH if zh else _WHAT_EN)[duty]


def _met(
    enterprise: str, duty: str, span: Span, found: tuple[dt.date, str], zh: bool
) -> DutyResult:
    day, act = found
    when = day.isoformat()
    detail = f"已开展：{act}（{when}）" if zh else f"met by {act} ({when})"
    return DutyResult(enterprise, duty, span.label, "met", detail, span.start, span.end, act)


def _certificates(enterprise: Enterprise, end: dt.date, zh: bool) -> list[DutyResult]:
    out = []
    for cert in enterprise.certificates:
        left = (cert.expires_on - end).days
        name = f"{cert.type} {cert.number}" if cert.number else cert.type
        expiry = cert.expires_on.isoformat()
        state: DutyState
        if left < 0:
            state = "gap"
            detail = (f"{name} 已于 {expiry} 过期" if zh else f"{name} expired on {expiry}")
        elif left <= CERTIFICATE_WARNING_DAYS:
            state = "warning"
            detail = (f"{name} 将于 {expiry} 到期（剩 {left} 天）" if zh
                      else f"{name} expires on {expiry} ({left} days left)")
        else:
            state = "met"
            detail = f"{name} 有效期至 {expiry}" if zh else f"{name} valid until {expiry}"
        out.append(DutyResult(enterprise.id, CERTIFICATE, cert.holder, state, detail,
                              expires_on=cert.expires_on))
    return out


# (facility, duty key) in Facility's order; iterating an Enum class is slow, and this runs
# for every enterprise.
_FACILITY_DUTIES: tuple[tuple[Facility, str], ...] = tuple(
    (f, f"{MAINTENANCE_PREFIX}{f.value}") for f in Facility
)


def enterprise_duties(enterprise: Enterprise) -> list[str]:
    """The duty keys of an enterprise, in output order (certificates excluded)."""
    if enterprise.status == EnterpriseStatus.closed:
        return []
    declared = set(enterprise.facilities)  # Facility is a StrEnum: members hash as values
    return [PRINCIPAL_INSPECTION, DRILL, PRINCIPAL_TRAINING] + [
        duty for f, duty in _FACILITY_DUTIES if f in declared
    ]


@dataclass(frozen=True, slots=True)
class _DutyPlan:
    """One duty for one kind of enterprise in a window: its periods and the details of
    its unmet rows, which do not depend on the enterprise."""

    duty: str
    judged: tuple[Span, ...]
    running: Span | None
    gap: str  # detail of a judged period without the activity
    due: str  # detail of the running period without it


class _Planner:
    """The duty plans of a window [start, end], worked out once per kind of enterprise
    (high risk or not, declared facilities) instead of once per enterprise."""

    def __init__(self, start: dt.date, end: dt.date, config: Config | None) -> None:
        self.start, self.end = start, end
        self.overrides = config.duties if config is not None else {}
        self.zh = config is None or config.locale != "en"
        self._windows: dict[Period, WindowPeriods] = {}
        self._plans: dict[tuple[bool, tuple[str, ...]], list[_DutyPlan]] = {}

    def plans(self, enterprise: Enterprise) -> list[_DutyPlan]:
        """The plans of an active enterprise, in output order."""
        high_risk = bool(enterprise.high_risk)
        key = (high_risk, tuple(enterprise.facilities))
        plans = self._plans.get(key)
        if plans is None:
            plans = self._plans[key] = [
                self._plan(duty, duty_period(duty, high_risk, self.overrides))
                for duty in enterprise_duties(enterprise)
            ]
        return plans

    def _plan(self, duty: str, period: Period) -> _DutyPlan:
        window = self._windows.get(period)
        if window is None:
            window = self._windows[period] = window_periods(period, self.start, self.end)
        what = _duty_label(duty, self.zh)
        end = window.running.end.isoformat() if window.running is not None else ""
        if self.zh:
            gap = f"本{_UNIT_ZH[period]}未开展{what}"
            due = f"本{_UNIT_ZH[period]}尚未开展{what}，截止 {end}"
        else:
            gap = f"no {what} in this {_UNIT_EN[period]}"
            due = f"no {what} yet this {_UNIT_EN[period]}; due by {end}"
        return _DutyPlan(duty, window.judged, window.running, gap, due)


def _active(enterprises: Iterable[Enterprise]) -> list[Enterprise]:
    """The enterprises that have duties, by id: not closed, the first record of an id."""
    out: list[Enterprise] = []
    seen: set[str] = set()
    for ent in sorted(enterprises, key=attrgetter("id")):
        if ent.status != EnterpriseStatus.closed and ent.id not in seen:
            seen.add(ent.id)
            out.append(ent)
    return out


def evaluate_duties(
    enterprises: Iterable[Enterprise],
    activities: Iterable[Activity],
    start: dt.date,
    end: dt.date,
    config: Config | None = None,
) -> list[DutyResult]:
    """Every duty row of the active ``enterprises`` for the window [start, end], ordered
    by enterprise id, duty (inspection, drill, training, facilities, certificates) and
    period.  Only activities dated ≤ ``end`` count."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    planner = _Planner(start, end, config)
    zh = planner.zh
    index = index_activities(activities)
    out: list[DutyResult] = []
    append = out.append
    for ent in _active(enterprises):
        eid = ent.id
        for plan in planner.plans(ent):
            duty = plan.duty
            dated = index.get((eid, duty))
            for span in plan.judged:  # each ends on or before ``end``
                found = _first_in(dated, span.start, span.end)
                if found is None:
                    append(DutyResult(eid, duty, span.label, "gap", plan.gap, span.start,
                                      span.end))
                else:
                    append(_met(eid, duty, span, found, zh))
            running = plan.running
            if running is not None:
                found = _first_in(dated, running.start, end)
                if found is None:
                    append(DutyResult(eid, duty, running.label, "due", plan.due, running.start,
                                      running.end))
                else:
                    append(_met(eid, duty, running, found, zh))
        if ent.certificates:
            out.extend(_certificates(ent, end, zh))
    return out


class DutyGap(NamedTuple):
    """A duty row whose state is ``gap`` or ``warning`` (what ``check`` reports)."""

    enterprise: str
    duty: str
    period: str  # period label, or the certificate holder's name
    state: DutyState
    detail: str


def duty_gaps(
    enterprises: Iterable[Enterprise],
    activities: Iterable[Activity],
    start: dt.date,
    end: dt.date,
    config: Config | None = None,
) -> list[DutyGap]:
    """The rows of :func:`evaluate_duties` whose state is ``gap`` or ``warning``, in the
    same order, without working out the others."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    planner = _Planner(start, end, config)
    index = index_activities(activities)
    out: list[DutyGap] = []
    append = out.append
    for ent in _active(enterprises):
        eid = ent.id
        for plan in planner.plans(ent):
            duty = plan.duty
            dated = index.get((eid, duty))
            for span in plan.judged:
                if dated is None or _first_in(dated, span.start, span.end) is None:
                    append(DutyGap(eid, duty, span.label, "gap", plan.gap))
        if ent.certificates:
            for row in _certificates(ent, end, planner.zh):
                if row.state != "met":
                    append(DutyGap(eid, CERTIFICATE, row.period, row.state, row.detail))
    return out


def duties_as_of(ledger: Ledger, as_of: dt.date) -> list[DutyResult]:
    """Duties for ``status --as-of D``: the window [1 January of D's year, D]."""
    return evaluate_duties(
        ledger.enterprises, ledger.activities, dt.date(as_of.year, 1, 1), as_of, ledger.config
    )


def duty_gaps_as_of(ledger: Ledger, as_of: dt.date) -> list[DutyGap]:
    """:func:`duty_gaps` for the window of :func:`duties_as_of`."""
    return duty_gaps(
        ledger.enterprises, ledger.activities, dt.date(as_of.year, 1, 1), as_of, ledger.config
    )
