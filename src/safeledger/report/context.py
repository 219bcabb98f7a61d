"""The report context: every number and table a report shows, built in Python.

Pure functions of the :class:`~safeledger.validate.Ledger`, the period and the
:class:`Source` (git commit) — no clock, no I/O.  Templates and the Word/Excel writers
only lay this context out; ``--format json`` prints it (spec section 8).

Figures follow spec section 7, using the status engine
(:func:`safeledger.evaluate.status.hazard_state`) for every "as of" status:

* ``closed`` inside [start, end]: closed as of ``end`` and not closed as of the day
  before ``start``;
* rates are percentages with one decimal, rounded half up (``Decimal``), ``None`` where
  the spec gives "—" (nothing to divide by).

Values in the context are Python values (``datetime.date``, ``Decimal``, ``int``,
``str``, ``None``, lists and dicts); :func:`to_json` turns dates into ISO strings and
decimals into numbers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from safeledger._forked import SharedTasks
from safeledger._json import decimal_as_number, indented
from safeledger.evaluate.duties import MAINTENANCE_PREFIX, evaluate_duties
from safeledger.evaluate.periods import Span, date_range, iter_periods, period_containing
from safeledger.evaluate.status import (
    HazardState,
    StatusBrief,
    hazard_state,
    hazard_status,
    latest_verification,
)
from safeledger.model.enums import Facility, HazardStatus, Level, Period
from safeledger.model.enums import Source as HazardSource
from safeledger.model.records import Hazard
from safeledger.report.labels import (
    DEFAULT_SIGNATURES_EN,
    DUTY_LABELS,
    FLAG_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    UNSET,
    labels,
)
from safeledger.validate.ledger import Ledger

__all__ = [
    "DIMENSIONS",
    "KINDS",
    "LAZY_SECTIONS",
    "Source",
    "build_context",
    "compute_figures",
    "default_kind",
    "due_date",
    "json_chunks",
    "json_text",
    "percent",
    "to_json",
]

KINDS = ("quarterly", "annual", "tracking", "ledger")
# Context keys that cost time at scale; build_context(sections=...) may leave them out.
LAZY_SECTIONS = frozenset(
    {
        "breakdowns",
        "duty_gaps",
        "duty_gap_summary",
        "major_open",
        "major_split",
        "overdue",
        "escalation",
        "comparison",
        "monthly",
        "open_hazards",
        "hazards",
    }
)
DIMENSIONS = ("community", "domain", "category", "level", "enterprise")
DEFAULT_ESCALATION_DAYS = 30
_ONE_DECIMAL = Decimal("0.1")
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Source:
    """Where the ledger's data came from: the git commit (None outside git) and whether
    the working tree had uncommitted changes.  Found by the CLI, passed in."""

    commit: str | None = None
    dirty: bool = False
    commit_date: dt.date | None = None


def default_kind(span: Span) -> str:
    """quarter → quarterly, year → annual, anything else → quarterly-style."""
    return "annual" if span.kind == Period.year else "quarterly"


# --- arithmetic ---------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal, rounded half up; None when
    ``whole`` is 0 (the spec's "—")."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def to_wan(yuan: Decimal) -> Decimal:
    """Yuan → 万元 with two decimals (half up), as reports show funds."""
    return (yuan / Decimal(10000)).quantize(_CENT, rounding=ROUND_HALF_UP)


def due_date(rule: str, span: Span) -> dt.date:
    """The report's due date from ``report.due``, applied to the quarter that contains the
    period's end: ``quarter_last_month:25`` → the 25th of that quarter's last month;
    ``next_quarter:15`` → the 15th of the month after the quarter.  A day past the end of
    the month is the month's last day."""
    mode, _, day_text = rule.partition(":")
    q = period_containing(span.end, Period.quarter)
    y, m = q.end.year, q.end.month
    if mode == "next_quarter":
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    day = min(int(day_text or 25), calendar.monthrange(y, m)[1])
    return dt.date(y, m, day)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def previous_span(span: Span) -> Span:
    """The calendar period just before ``span``; for a free range, the range of the same
    length that ends the day before it starts."""
    if span.kind is not None:
        return span.previous()
    end = span.start - dt.timedelta(days=1)
    return date_range(end - dt.timedelta(days=span.days - 1), end)


def year_ago_span(span: Span) -> Span:
    """The same period a year earlier."""
    if span.kind is not None:
        return period_containing(_shift_year(span.start, -1), span.kind)
    return date_range(_shift_year(span.start, -1), _shift_year(span.end, -1))


# --- per-hazard states --------------------------------------------------------------


# What compute_figures reads of a state: its status and effective deadline.
_Brief = HazardState | StatusBrief


class _Item(NamedTuple):
    hazard: Hazard
    end: HazardState | None  # as of the period's end (None: found after it)
    # As of the day before the period's start.  Only read (by compute_figures) for a
    # hazard closed at the end, so it may be left None for the others.
    before: _Brief | None


# An item for figures only (the periods a report compares with).
_Counted = tuple[Hazard, _Brief | None, _Brief | None]


class _States:
    """Every hazard's state as of a date, worked out once per (hazard, date): a report
    looks at the same dates several times (the period's eve is the previous period's end,
    the current end serves the figures, the rows and the major split).  Dates only
    counted (the eves, the periods compared with) get the cheaper :func:`hazard_status`."""

    def __init__(self, hazards: Iterable[Hazard]) -> None:
        self.hazards = list(hazards)
        self._by_day: dict[dt.date, list[HazardState | None]] = {}
        self._briefs: dict[dt.date, list[StatusBrief | None]] = {}

    def on(self, day: dt.date) -> list[HazardState | None]:
        states = self._by_day.get(day)
        if states is None:
            states = [hazard_state(h, day) for h in self.hazards]
            self._by_day[day] = states
        return states

    def brief(self, day: dt.date) -> Sequence[_Brief | None]:
        """Status and effective deadline of every hazard as of ``day``."""
        full = self._by_day.get(day)
        if full is not None:
            return full
        briefs = self._briefs.get(day)
        if briefs is None:
            briefs = [hazard_status(h, day) for h in self.hazards]
            self._briefs[day] = briefs
        return briefs

    def _known(self, day: dt.date) -> Sequence[_Brief | None] | None:
        return self._by_day.get(day) or self._briefs.get(day)

    def items(self, span: Span) -> list[_Item]:
        end = self.on(span.end)
        eve = span.start - dt.timedelta(days=1)
        before = self._known(eve)
        if before is None:  # only hazards closed at the end need their state on the eve
            return [
                _Item(h, e, hazard_status(h, eve) if _closed(e) else None)
                for h, e in zip(self.hazards, end, strict=True)
            ]
        return [_Item(h, e, b) for h, e, b in zip(self.hazards, end, before, strict=True)]

    def counted(self, span: Span) -> Iterator[_Counted]:
        """Items for :func:`compute_figures` only, as they are read (no item objects)."""
        end = self.brief(span.end)
        eve = span.start - dt.timedelta(days=1)
        before = self._known(eve)
        if before is None:
            before = [hazard_status(h, eve) if _closed(e) else None
                      for h, e in zip(self.hazards, end, strict=True)]
        return zip(self.hazards, end, before, strict=True)


def _items(hazards: Iterable[Hazard], span: Span) -> list[_Item]:
    return _States(hazards).items(span)


def _closed(state: _Brief | None) -> bool:
    return state is not None and state.status == HazardStatus.closed


def compute_figures(
    items: Iterable[_Item] | Iterable[_Counted], span: Span, units: set[str]
) -> dict[str, Any]:
    """Spec section 7 for one set of hazards.  ``units``: enterprise ids with an
    inspection dated in the period (they count in ``units_inspected``).  One pass."""
    start, end = span.start, span.end
    closed_s, overdue_s, rectified_s = (
        HazardStatus.closed,
        HazardStatus.overdue,
        HazardStatus.rectified,
    )
    general, major = Level.general, Level.major
    found = found_general = found_major = found_done = 0
    done_general = done_major = 0
    rectified = on_time = 0
    funds = Decimal(0)
    zero = Decimal(0)
    closed = existing = open_end = overdue = major_open = major_planned = cum_closed = 0
    found_units: set[str] = set()
    for hazard, e, b in items:
        status = e.status if e is not None else None
        found_on = hazard.found_on
        if start <= found_on <= end:
            found += 1
            found_units.add(hazard.enterprise)
            done = status is not None and status in (rectified_s, closed_s)
            if done:
                found_done += 1
            level = hazard.level
            if level == general:
                found_general += 1
                done_general += done
            elif level == major:
                found_major += 1
                done_major += done
        rectified_on = hazard.rectified_on
        if rectified_on is not None and start <= rectified_on <= end:
            rectified += 1
            deadline = e.effective_deadline if e is not None else hazard.deadline
            if rectified_on <= deadline:
                on_time += 1
            funds += hazard.funds or zero
        if e is None:
            continue
        existing += 1
        if status == closed_s:
            cum_closed += 1
            if b is None or b.status != closed_s:
                closed += 1
        else:
            open_end += 1
            if status == overdue_s:
                overdue += 1
            if hazard.is_major:
                major_open += 1
                if hazard.plan:
                    major_planned += 1
    return _figures_dict(
        (found, found_general, found_major, found_done, done_general, done_major,
         rectified, on_time, closed, existing, open_end, overdue, major_open,
         major_planned, cum_closed),
        len(units | found_units),
        funds,
    )


# The counters of compute_figures, in _figures_dict's order.
_N_COUNTERS = 15


def _figures_dict(counts: Sequence[int], units_inspected: int, funds: Decimal) -> dict[str, Any]:
    (found, found_general, found_major, found_done, done_general, done_major, rectified,
     on_time, closed, existing, open_end, overdue, major_open, major_planned,
     cum_closed) = counts
    return {
        "found": {"total": found, "general": found_general, "major": found_major},
        "rectified": rectified,
        "closed": closed,
        "open_at_end": open_end,
        "overdue_at_end": overdue,
        "major_open_at_end": major_open,
        "rectification_rate": percent(found_done, found),
        "on_time_rate": percent(on_time, rectified),
        "cumulative_closure_rate": percent(cum_closed, existing),
        "rectification_rate_by_level": {
            "general": percent(done_general, found_general),
            "major": percent(done_major, found_major),
        },
        "units_inspected": units_inspected,
        "major_planned": major_planned,
        "funds_rectified": funds,
    }


class _Dimension(NamedTuple):
    """One breakdown for :func:`_group_figures`: a hazard's group, the inspected units
    of each group and the groups wanted, in order."""

    key_of: Callable[[Hazard], Any]
    units: Mapping[Any, set[str]]
    keys: Sequence[Any]


def _group_figures(
    items: Sequence[_Item], span: Span, dims: Sequence[_Dimension]
) -> list[dict[Any, dict[str, Any]]]:
    """``compute_figures(<the items of the group>, span, <its units>)`` for every wanted
    group of every dimension (a dict per dimension, in its ``keys`` order).  Each
    hazard's contribution to the counters (its *share*, one bit per counter) is worked
    out once; the shares are then counted per (group, share) by ``Counter`` in C, so a
    dimension costs a pass in C rather than in Python (a breakdown by enterprise has
    ~10,000 groups)."""
    start, end = span.start, span.end
    closed_s, overdue_s, rectified_s = (
        HazardStatus.closed,
        HazardStatus.overdue,
        HazardStatus.rectified,
    )
    general, major = Level.general, Level.major
    zero = Decimal(0)
    hazards = [i.hazard for i in items]
    shares: list[int] = []
    found_at: list[int] = []  # positions of the hazards found in the span
    rectified_at: list[int] = []  # ... and of those rectified in it
    for n, (hazard, e, b) in enumerate(items):
        status = e.status if e is not None else None
        found_on = hazard.found_on
        found = start <= found_on <= end
        found_general = found_major = done = 0
        if found:
            found_at.append(n)
            done = status is not None and status in (rectified_s, closed_s)
            level = hazard.level
            found_general = level == general
            found_major = level == major
        rectified_on = hazard.rectified_on
        rectified = rectified_on is not None and start <= rectified_on <= end
        on_time = False
        if rectified:
            rectified_at.append(n)
            on_time = rectified_on <= (  # type: ignore[operator]
                e.effective_deadline if e is not None else hazard.deadline
            )
        closed = cum_closed = open_end = overdue = major_open = major_planned = False
        if e is not None:
            if status == closed_s:
                cum_closed = True
                closed = b is None or b.status != closed_s
            else:
                open_end = True
                overdue = status == overdue_s
                if hazard.is_major:
                    major_open = True
                    major_planned = bool(hazard.plan)
        shares.append(
            found | found_general << 1 | found_major << 2 | done << 3
            | (done and found_general) << 4 | (done and found_major) << 5 | rectified << 6
            | on_time << 7 | closed << 8 | (e is not None) << 9 | open_end << 10
            | overdue << 11 | major_open << 12 | major_planned << 13 | cum_closed << 14
        )  # fmt: skip
    out: list[dict[Any, dict[str, Any]]] = []
    for dim in dims:
        keys = list(map(dim.key_of, hazards))
        counts: dict[Any, list[int]] = {}
        for (key, share), times in Counter(zip(keys, shares, strict=True)).items():
            vec = counts.get(key)
            if vec is None:
                vec = counts[key] = [0] * _N_COUNTERS
            for i in range(_N_COUNTERS):
                if share >> i & 1:
                    vec[i] += times
        found_units: dict[Any, set[str]] = defaultdict(set)
        for n in found_at:
            found_units[keys[n]].add(hazards[n].enterprise)
        funds: dict[Any, Decimal] = {}
        for n in rectified_at:
            key = keys[n]
            funds[key] = funds.get(key, zero) + (hazards[n].funds or zero)
        empty = set[str]()
        out.append(
            {
                k: _figures_dict(
                    counts.get(k) or (0,) * _N_COUNTERS,
                    len(dim.units.get(k, empty) | found_units.get(k, empty)),
                    funds.get(k, zero),
                )
                for k in dim.keys
            }
        )
    return out


def _inspected(ledger: Ledger, span: Span) -> set[str]:
    return {a.enterprise for a in ledger.activities if a.kind == "inspection" and a.date in span}


def _figures_for_span(ledger: Ledger, span: Span, states: _States | None = None) -> dict[str, Any]:
    items = (states or _States(ledger.hazards)).counted(span)
    return compute_figures(items, span, _inspected(ledger, span))


# --- formatting helpers (shared by every renderer) ----------------------------------


def fmt_rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def fmt_value(key: str, value: Any) -> str:
    if key.endswith("_rate") or key.startswith("rectification_rate_"):
        return fmt_rate(value)
    if key == "funds_rectified":
        return str(to_wan(value))
    return "—" if value is None else str(value)


_FIGURE_ROW_KEYS = (
    "found",
    "found_general",
    "found_major",
    "rectified",
    "closed",
    "open_at_end",
    "overdue_at_end",
    "major_open_at_end",
    "rectification_rate",
    "rectification_rate_general",
    "rectification_rate_major",
    "on_time_rate",
    "cumulative_closure_rate",
    "units_inspected",
    "major_planned",
    "funds_rectified",
)


def flat_figures(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures as one level (found_general, rectification_rate_major…), in display order."""
    flat = {
        "found": figures["found"]["total"],
        "found_general": figures["found"]["general"],
        "found_major": figures["found"]["major"],
        "rectification_rate_general": figures["rectification_rate_by_level"]["general"],
        "rectification_rate_major": figures["rectification_rate_by_level"]["major"],
    }
    return {k: flat[k] if k in flat else figures[k] for k in _FIGURE_ROW_KEYS}


def figure_rows(figures: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"key": k, "label": names[k], "value": v, "text": fmt_value(k, v)}
        for k, v in flat_figures(figures).items()
    ]


# --- hazard rows --------------------------------------------------------------------


def _verified_by(hazard: Hazard, state: HazardState) -> str | None:
    """Who made the latest verification as of the state's date."""
    if not hazard.reinspections:
        # The only possible verification is ``verified_on``, which the state already
        # resolved (``state.verified_on`` is set when it is dated ≤ as_of).
        return hazard.verified_by if state.verified_on is not None else None
    event = latest_verification(hazard, state.as_of)
    if event is None:
        return None
    if event.source == "verified_on":
        return hazard.verified_by
    index = int(event.source.removeprefix("reinspections[").rstrip("]"))
    return hazard.reinspections[index].by


@functools.cache
def _flags_label(flags: tuple[str, ...], loc: str) -> str:
    """The flags' labels joined (a handful of combinations; asked once per row)."""
    return ("、" if loc == "zh-CN" else ", ").join(FLAG_LABELS[loc][f] for f in flags)


def _hazard_row(
    seq: int, hazard: Hazard, state: HazardState, names: dict[str, str], locale: str
) -> dict[str, Any]:
    loc = "en" if locale == "en" else "zh-CN"
    unset = None
    return {
        "seq": seq,
        "id": hazard.id,
        "found_on": hazard.found_on,
        "found_by": hazard.found_by,
        "source": HazardSource.label(hazard.source, loc) if hazard.source else unset,
        "enterprise": hazard.enterprise,
        "enterprise_name": names.get(hazard.enterprise, hazard.enterprise),
        "community": hazard.community,
        "domain": hazard.domain,
        "location": hazard.location,
        "category": hazard.category,
        "level": str(hazard.level),
        "level_label": LEVEL_LABELS[loc][str(hazard.level)],
        "description": hazard.description,
        "measures": hazard.measures,
        "interim_measures": hazard.interim_measures,
        "plan": hazard.plan,
        "funds": hazard.funds,
        "deadline": hazard.deadline,
        "effective_deadline": state.effective_deadline,
        "responsible": hazard.responsible,
        "rectified_on": state.rectified_on,
        "verified_on": state.verified_on,
        "verified_by": _verified_by(hazard, state),
        "verification": str(state.verification) if state.verification else None,
        "reported_on": hazard.reported_on
        if hazard.reported_on and hazard.reported_on <= state.as_of
        else None,
        "status": str(state.status),
        "status_label": STATUS_LABELS[loc][str(state.status)],
        "flags": list(state.flags),
        "flags_label": _flags_label(state.flags, loc),
        "days_overdue": state.days_overdue,
        "days_left": state.days_left,
        "notes": hazard.notes,
    }


def _rows(
    items: Iterable[_Item],
    keep: Callable[[_Item], bool],
    names: dict[str, str],
    locale: str,
    key: Callable[[_Item], Any] | None = None,
    made: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The rows of the items that ``keep`` accepts, numbered from 1.  ``made`` (by the
    item's ``id``) holds rows already built for another list: they are copied with their
    own ``seq`` rather than built again."""
    chosen = [i for i in items if i.end is not None and keep(i)]
    chosen.sort(key=key or (lambda i: (i.hazard.found_on, i.hazard.id)))
    out: list[dict[str, Any]] = []
    append = out.append
    for n, i in enumerate(chosen, start=1):
        base = made.get(id(i)) if made is not None else None
        if base is None:
            row = _hazard_row(n, i.hazard, i.end, names, locale)  # type: ignore[arg-type]
            if made is not None:
                made[id(i)] = row
        else:
            row = base.copy()  # the same keys in the same order; only seq differs
            row["seq"] = n
        append(row)
    return out


# --- breakdowns ---------------------------------------------------------------------


def _ordered_keys(configured: Sequence[str] | None, seen: Iterable[str | None]) -> list[str | None]:
    keys: list[str | None] = list(configured or [])
    extra = sorted({k for k in seen if k is not None and k not in keys})
    keys.extend(extra)
    if any(k is None for k in seen):
        keys.append(None)
    return keys


_COMMUNITY: Callable[[Hazard], Any] = attrgetter("community")
_DOMAIN: Callable[[Hazard], Any] = attrgetter("domain")
_CATEGORY: Callable[[Hazard], Any] = attrgetter("category")
_ENTERPRISE: Callable[[Hazard], Any] = attrgetter("enterprise")


def _level_key(hazard: Hazard) -> str:
    return str(hazard.level)


def _breakdowns(
    ledger: Ledger, items: list[_Item], span: Span, inspected: set[str], locale: str
) -> dict[str, dict[str, Any]]:
    loc = "en" if locale == "en" else "zh-CN"
    enterprises = ledger.enterprise_by_id()
    unset = UNSET[loc]

    def units_by(unit_key: Callable[[str], str | None] | None) -> dict[str | None, set[str]]:
        by: dict[str | None, set[str]] = defaultdict(set)
        if unit_key is not None:
            for u in inspected:
                by[unit_key(u)].add(u)
        return by

    def group(
        figures: dict[Any, dict[str, Any]], label: Callable[[str | None], str]
    ) -> dict[str, Any]:
        return {
            k if k is not None else unset: {"label": label(k), **figs}
            for k, figs in figures.items()
        }

    def ent_attr(attr: str) -> Callable[[str], str | None]:
        def get(eid: str) -> str | None:
            ent = enterprises.get(eid)
            return getattr(ent, attr) if ent is not None else None

        return get

    hazards = [i.hazard for i in items]
    plain: Callable[[str | None], str] = lambda k: k if k is not None else unset  # noqa: E731
    community_keys = _ordered_keys(
        ledger.config.communities,
        [h.community for h in hazards] + [ent_attr("community")(u) for u in inspected],
    )
    domain_keys = _ordered_keys(
        ledger.config.domains,
        [h.domain for h in hazards] + [ent_attr("domain")(u) for u in inspected],
    )
    category_keys = _ordered_keys(ledger.config.categories, [h.category for h in hazards])
    ent_ids = sorted({h.enterprise for h in hazards} | inspected)
    community, domain, category, level, ent_figures = _group_figures(
        items,
        span,
        [
            _Dimension(_COMMUNITY, units_by(ent_attr("community")), community_keys),
            _Dimension(_DOMAIN, units_by(ent_attr("domain")), domain_keys),
            _Dimension(_CATEGORY, {}, category_keys),
            _Dimension(_level_key, {}, [str(lv) for lv in Level]),
            _Dimension(_ENTERPRISE, units_by(lambda u: u), ent_ids),
        ],
    )
    result = {
        "community": group(community, plain),
        "domain": group(domain, plain),
        "category": group(category, plain),
        "level": group(level, lambda k: LEVEL_LABELS[loc][k or "general"]),
    }
    ent_all = group(
        ent_figures, lambda k: enterprises[k].name if k in enterprises else (k or unset)
    )
    result["enterprise"] = {
        k: v
        for k, v in ent_all.items()
        if v["found"]["total"]
        or v["rectified"]
        or v["closed"]
        or v["open_at_end"]
        or v["units_inspected"]
    }
    return result


# --- the other sections -------------------------------------------------------------


def _duty_label(duty: str, loc: str) -> str:
    if duty.startswith(MAINTENANCE_PREFIX):
        facility = duty.removeprefix(MAINTENANCE_PREFIX)
        name = Facility.label(facility, loc) if loc == "zh-CN" else facility.replace("_", " ")
        return DUTY_LABELS[loc]["maintenance"].format(facility=name)
    return DUTY_LABELS[loc].get(duty, duty)


def _duty_gaps(
    ledger: Ledger, span: Span, loc: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    enterprises = ledger.enterprise_by_id()
    rows: list[dict[str, Any]] = []
    for r in evaluate_duties(
        ledger.enterprises, ledger.activities, span.start, span.end, ledger.config
    ):
        if r.state != "gap":
            continue
        ent = enterprises.get(r.enterprise)
        rows.append(
            {
                "enterprise": r.enterprise,
                "enterprise_name": ent.name if ent else r.enterprise,
                "community": ent.community if ent else None,
                "duty": r.duty,
                "duty_label": _duty_label(r.duty, loc),
                "period": r.period,
                "start": r.start,
                "end": r.end,
                "detail": r.detail,
            }
        )
    per: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = per.setdefault(
            row["enterprise"],
            {
                "enterprise": row["enterprise"],
                "enterprise_name": row["enterprise_name"],
                "community": row["community"],
                "gaps": 0,
                "duties": [],
            },
        )
        entry["gaps"] += 1
        text = (
            f"{row['duty_label']}（{row['period']}）"
            if loc == "zh-CN"
            else (f"{row['duty_label']} ({row['period']})")
        )
        entry["duties"].append(text)
    summary = []
    for entry in per.values():
        sep = "；" if loc == "zh-CN" else "; "
        summary.append({**entry, "duties": sep.join(entry["duties"])})
    return rows, summary


def _major_split(ledger: Ledger, span: Span, states: _States | None = None) -> dict[str, Any]:
    year_start = dt.date(span.end.year, 1, 1)
    last_of_previous = year_start - dt.timedelta(days=1)
    states = states or _States(ledger.hazards)
    stock: list[tuple[Hazard, HazardState | None]] = []
    increment: list[tuple[Hazard, HazardState | None]] = []
    for h, at_end in zip(states.hazards, states.on(span.end), strict=True):
        if not h.is_major or h.found_on > span.end:
            continue
        if h.found_on < year_start:
            if not _closed(hazard_status(h, last_of_previous)):
                stock.append((h, at_end))
        else:
            increment.append((h, at_end))

    def part(hs: list[tuple[Hazard, HazardState | None]]) -> dict[str, Any]:
        closed = sorted(h.id for h, at_end in hs if _closed(at_end))
        closed_ids = set(closed)
        open_ = sorted(h.id for h, _ in hs if h.id not in closed_ids)
        return {
            "total": len(hs),
            "closed": len(closed),
            "open": len(open_),
            "closure_rate": percent(len(closed), len(hs)),
            "open_ids": open_,
        }

    return {"year": span.end.year, "stock": part(stock), "increment": part(increment)}


def _escalation(
    ledger: Ledger, items: list[_Item], span: Span, days: int, loc: str
) -> list[dict[str, Any]]:
    enterprises = ledger.enterprise_by_id()
    triggers: dict[str, list[tuple[_Item, HazardState]]] = defaultdict(list)
    for i in items:
        s = i.end
        if s is None or s.status != HazardStatus.overdue:
            continue
        if (s.days_overdue or 0) > days or i.hazard.is_major:
            triggers[i.hazard.enterprise].append((i, s))
    interviews: dict[str, list[dt.date]] = defaultdict(list)
    for a in ledger.activities:
        if a.kind == "interview" and a.date <= span.end:
            interviews[a.enterprise].append(a.date)
    out = []
    for eid in sorted(triggers):
        hits = sorted(triggers[eid], key=lambda t: (t[1].effective_deadline, t[0].hazard.id))
        since = hits[0][1].effective_deadline + dt.timedelta(days=1)
        dates = sorted(d for d in interviews.get(eid, []) if d >= since)
        reasons = []
        for i, s in hits:
            major = LEVEL_LABELS[loc]["major"] if i.hazard.is_major else ""
            overdue_days = s.days_overdue
            if loc == "zh-CN":
                tag = f"（{major}）" if major else ""
                reasons.append(f"{i.hazard.id}{tag} 逾期 {overdue_days} 天")
            else:
                tag = f" ({major})" if major else ""
                reasons.append(f"{i.hazard.id}{tag} overdue {overdue_days} days")
        ent = enterprises.get(eid)
        out.append(
            {
                "enterprise": eid,
                "enterprise_name": ent.name if ent else eid,
                "community": ent.community if ent else None,
                "principal": ent.principal if ent else None,
                "hazards": [i.hazard.id for i, _ in hits],
                "max_days_overdue": max(s.days_overdue or 0 for _, s in hits),
                "major": any(i.hazard.is_major for i, _ in hits),
                "overdue_since": since,
                "reasons": ("；" if loc == "zh-CN" else "; ").join(reasons),
                "interviewed": bool(dates),
                "interview_dates": dates,
            }
        )
    return out


def _monthly(items: list[_Item], span: Span) -> list[dict[str, Any]]:
    months = [
        (m.label, max(m.start, span.start), min(m.end, span.end))
        for m in iter_periods(Period.month, span.start, span.end)
    ]
    found = [0] * len(months)
    rectified = [0] * len(months)
    for i in items:  # one pass; a day falls in one month at most
        h = i.hazard
        found_on = h.found_on
        if span.start <= found_on <= span.end:
            for n, (_, lo, hi) in enumerate(months):
                if lo <= found_on <= hi:
                    found[n] += 1
                    break
        done = h.rectified_on
        if done is not None and span.start <= done <= span.end:
            for n, (_, lo, hi) in enumerate(months):
                if lo <= done <= hi:
                    rectified[n] += 1
                    break
    return [
        {"label": label, "found": found[n], "rectified": rectified[n]}
        for n, (label, _, _) in enumerate(months)
    ]


def _period_entry(span: Span, figures: dict[str, Any]) -> dict[str, Any]:
    return {"label": span.label, "start": span.start, "end": span.end, "figures": figures}


_COMPARED = (
    "found",
    "found_major",
    "rectified",
    "closed",
    "open_at_end",
    "overdue_at_end",
    "major_open_at_end",
    "rectification_rate",
    "on_time_rate",
    "cumulative_closure_rate",
    "units_inspected",
    "funds_rectified",
)


def _comparison(
    ledger: Ledger,
    span: Span,
    figures: dict[str, Any],
    names: dict[str, str],
    states: _States | None = None,
    *,
    prev_f: dict[str, Any] | None = None,
    ago_f: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The period's figures beside the previous period's and the same period a year
    before; ``prev_f`` / ``ago_f``: those figures when already worked out."""
    prev = previous_span(span)
    ago = year_ago_span(span)
    if prev_f is None:
        prev_f = _figures_for_span(ledger, prev, states)
    if ago_f is None:
        ago_f = _figures_for_span(ledger, ago, states)
    cur, p, a = flat_figures(figures), flat_figures(prev_f), flat_figures(ago_f)
    rows = []
    for k in _COMPARED:
        rows.append(
            {
                "key": k,
                "label": names[k],
                "current": cur[k],
                "previous": p[k],
                "year_ago": a[k],
                "current_text": fmt_value(k, cur[k]),
                "previous_text": fmt_value(k, p[k]),
                "year_ago_text": fmt_value(k, a[k]),
            }
        )
    return {
        "previous": _period_entry(prev, prev_f),
        "year_ago": _period_entry(ago, ago_f),
        "rows": rows,
    }


def _period_display(span: Span, loc: str, short: bool = False) -> str:
    if loc == "en":
        return f"{span.label} ({span.start.isoformat()} – {span.end.isoformat()})"
    s, e = span.start, span.end
    if span.kind == Period.quarter:
        q = (s.month - 1) // 3 + 1
        if short:
            return f"{s.year}年第{q}季度"
        return (
            f"{s.year}年第{q}季度（{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日）"
        )
    if span.kind == Period.month:
        return f"{s.year}年{s.month}月"
    if span.kind == Period.year:
        return f"{s.year}年度"
    if span.kind == Period.half_year:
        return f"{s.year}年{'上' if s.month == 1 else '下'}半年"
    return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"


def _document_title(org: str, kind: str, kind_title: str, span: Span, loc: str) -> str:
    if loc == "en":
        return f"{org}: {kind_title}, {span.label}"
    when = _period_display(span, loc, short=True)
    if kind == "quarterly":
        return f"{org}{when}安全生产工作情况报告"
    if kind == "annual":
        return f"{org}{when}安全生产工作报告"
    return f"{org}{kind_title}（{when}）"


# --- the context --------------------------------------------------------------------


def build_context(
    ledger: Ledger,
    span: Span,
    *,
    kind: str | None = None,
    source: Source | None = None,
    sections: Collection[str] | None = None,
) -> dict[str, Any]:
    """Everything a report shows for ``span``; see docs/templates.md for every key.

    ``sections``: the keys a caller will read (e.g. the variables a template uses);
    the costly ones (:data:`LAZY_SECTIONS`) that are not among them are left out of the
    context.  None (the default) builds everything."""
    kind = kind or default_kind(span)
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; known: {', '.join(KINDS)}")
    source = source or Source()
    config = ledger.config
    locale = "en" if config.locale == "en" else "zh-CN"
    lab = labels(locale)
    kind_title = lab["kinds"][kind]
    if kind == "quarterly" and span.kind != Period.quarter:
        kind_title = lab["kinds"]["period_report"]
    want: Callable[[str], bool] = (
        (lambda key: True) if sections is None else frozenset(sections).__contains__
    )
    names = {e.id: e.name for e in ledger.enterprises}
    states = _States(ledger.hazards)
    if want("comparison"):  # the eve is the previous period's end: every status is needed
        states.brief(span.start - dt.timedelta(days=1))
    items = states.items(span)
    inspected = _inspected(ledger, span)
    figures = compute_figures(items, span, inspected)
    due = due_date(config.report.due, span)
    figures["due_date"] = due
    escalation_days = getattr(config.report, "escalation_days", DEFAULT_ESCALATION_DAYS)

    signatures = list(config.report.signatures)
    if locale == "en" and tuple(signatures) == ("主要负责人（签字）", "单位（盖章）"):
        signatures = list(DEFAULT_SIGNATURES_EN)

    status_split = {
        str(s): 0
        for s in (
            HazardStatus.pending,
            HazardStatus.overdue,
            HazardStatus.rectified,
            HazardStatus.closed,
        )
    }
    for i in items:
        if i.end is not None:
            status_split[str(i.end.status)] += 1

    # Sections that cost time: for a big ledger a forked child makes them in this order
    # while this process makes the rows, and this process then takes them from the last
    # back (_side_sections).  Those with the biggest answers come last (this process
    # makes them: nothing to send), the cheap ones where the two meet.
    side: dict[str, Callable[[], Any]] = {
        "comparison_year_ago": lambda: _figures_for_span(ledger, year_ago_span(span), states),
        "escalation": lambda: _escalation(ledger, items, span, escalation_days, locale),
        "monthly": lambda: _monthly(items, span),
        "major_split": lambda: _major_split(ledger, span, states),
        "comparison_previous": lambda: _figures_for_span(ledger, previous_span(span), states),
        "duty_gaps": lambda: _duty_gaps(ledger, span, locale),
        "breakdowns": lambda: _breakdowns(ledger, items, span, inspected, locale),
    }
    wanted = {k for k in side if want(k)} | ({"duty_gaps"} if want("duty_gap_summary") else set())
    if want("comparison"):
        wanted |= {"comparison_previous", "comparison_year_ago"}
    side = {key: make for key, make in side.items() if key in wanted}
    built: dict[str, Any] = {}  # lazy sections made here (None below)
    with _side_sections(side, parallel=len(ledger.hazards) >= PARALLEL_HAZARDS) as side_made:
        quarters = []
        if kind == "annual" and want("quarters"):
            for q in iter_periods(Period.quarter, span.start, span.end):
                qf = _figures_for_span(ledger, q, states)
                rows = figure_rows(qf, lab["figure_names"])
                quarters.append({**_period_entry(q, qf), "rows": rows})

        # Each hazard's row is built once (for the first list that has it) and copied for
        # the others.
        made: dict[int, dict[str, Any]] = {}
        if want("hazards"):
            built["hazards"] = _rows(items, lambda i: True, names, locale, made=made)
        if want("major_open"):
            built["major_open"] = _rows(
                items,
                lambda i: i.hazard.is_major and i.end is not None and i.end.is_open,
                names,
                locale,
                made=made,
            )
        if want("overdue"):
            built["overdue"] = _rows(
                items,
                lambda i: i.end is not None and i.end.status == HazardStatus.overdue,
                names,
                locale,
                key=lambda i: (-(i.end.days_overdue or 0) if i.end else 0, i.hazard.id),
                made=made,
            )
        if want("open_hazards"):
            built["open_hazards"] = _rows(
                items, lambda i: i.end is not None and i.end.is_open, names, locale, made=made
            )
        del made

        built.update(side_made())
    if "duty_gaps" in built:
        built["duty_gaps"], built["duty_gap_summary"] = built.pop("duty_gaps")
    if want("comparison"):
        built["comparison"] = _comparison(
            ledger,
            span,
            figures,
            lab["figure_names"],
            prev_f=built.pop("comparison_previous"),
            ago_f=built.pop("comparison_year_ago"),
        )

    fig = figures
    summary = lab["summary_text"].format(
        units=fig["units_inspected"],
        found=fig["found"]["total"],
        major=fig["found"]["major"],
        rectified=fig["rectified"],
        closed=fig["closed"],
        rate=fmt_rate(fig["rectification_rate"]),
        on_time=fmt_rate(fig["on_time_rate"]),
        open=fig["open_at_end"],
        overdue=fig["overdue_at_end"],
        major_open=fig["major_open_at_end"],
        cumulative=fmt_rate(fig["cumulative_closure_rate"]),
        funds=to_wan(fig["funds_rectified"]),
    )

    context: dict[str, Any] = {
        "organisation": config.organisation,
        "title": config.title,
        "kind": kind,
        "kind_title": kind_title,
        "document_title": _document_title(config.organisation, kind, kind_title, span, locale),
        "locale": locale,
        "period": {
            "label": span.label,
            "start": span.start,
            "end": span.end,
            "due_date": due,
            "kind": str(span.kind) if span.kind else None,
            "display": _period_display(span, locale),
        },
        "figures": figures,
        "figure_rows": figure_rows(figures, lab["figure_names"]),
        "summary": summary,
        "dynamic_zero": figures["major_open_at_end"] == 0,
        "breakdowns": None,
        "duty_gaps": None,
        "duty_gap_summary": None,
        "major_open": None,
        "major_split": None,
        "overdue": None,
        "escalation_days": escalation_days,
        "escalation_rule": lab["escalation_rule"].format(days=escalation_days),
        "escalation": None,
        "comparison": None,
        "quarters": quarters,
        "status_split": status_split,
        "monthly": None,
        "open_hazards": None,
        "hazards": None,
        "signatures": signatures,
        "labels": lab,
        "source": {
            "commit": source.commit,
            "dirty": source.dirty,
            "commit_date": source.commit_date,
        },
    }
    # In the documented key order; a lazy section is built here only when wanted.
    out: dict[str, Any] = {}
    for key, value in context.items():
        if key in LAZY_SECTIONS:
            if not want(key):
                continue
            value = built[key]
        out[key] = value
    return out


# A ledger with this many hazards has its small sections shared out with a forked child
# (about 2 s less for a 100,000-hazard quarterly report); a small one is faster in one
# process.
PARALLEL_HAZARDS = 20_000


@contextmanager
def _side_sections(
    makers: dict[str, Callable[[], Any]], *, parallel: bool
) -> Iterator[Callable[[], dict[str, Any]]]:
    """A function giving ``{key: make()}`` for ``makers``: with ``parallel``, a forked
    child makes them from the first on from the moment the block starts, and this
    process, once its rows are made, from the last back (:class:`SharedTasks`)."""

    def make_all() -> dict[str, Any]:
        return {key: make() for key, make in makers.items()}

    if not parallel or not makers:
        yield make_all
        return
    with SharedTasks(makers) as shared:
        yield shared.results


def to_json(value: Any) -> Any:
    """The context with dates as ISO strings and decimals as numbers (spec section 8)."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        whole = value == value.to_integral_value() and int(value.as_tuple().exponent) >= 0
        return int(value) if whole else float(value)
    return value


_encode_str: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)
_SCALARS: dict[object, str] = {None: "null", True: "true", False: "false"}


def _leaf(value: Any) -> str | None:
    """The JSON text of a scalar of the context, or None for a container."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _SCALARS[value]
    if kind is dt.date:
        return '"' + value.isoformat() + '"'
    if kind is dict or kind is list or kind is tuple:
        return None
    if isinstance(value, str):
        return _encode_str(value)
    if isinstance(value, dt.date | Decimal | float | int):
        return json.dumps(to_json(value))
    return json.dumps(value, ensure_ascii=False)  # as json.dumps would (or its error)


def _default(value: Any) -> Any:
    """For the C encoder: a date or decimal as :func:`to_json` writes it."""
    if isinstance(value, dt.date | Decimal):
        return to_json(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_FLAT_TYPES = (str, int, float, bool, type(None), dt.date, Decimal)


def _empty(value: Any) -> bool:
    """An empty list, tuple or dict: ``[]`` / ``{}`` in either encoder."""
    return type(value) is list or type(value) is tuple or type(value) is dict


@functools.cache
def _flat_encoder(inner: str) -> Callable[[Any], str]:
    # With ``indent=None`` json uses its C encoder; an item separator of ",\n" + inner
    # makes a dict of scalars come out as indent=2 would lay it out, but for its braces.
    return json.JSONEncoder(
        ensure_ascii=False, separators=(",\n" + inner, ": "), default=_default
    ).encode


def _flat_dict(value: dict[Any, Any], indent: str, inner: str) -> str | None:
    """The text of a non-empty dict of str keys and scalar values or empty containers (a
    report row) through the C encoder, or None when it holds anything else."""
    for k, v in value.items():
        if type(k) is not str or not (isinstance(v, _FLAT_TYPES) or (not v and _empty(v))):
            return None
    body = _flat_encoder(inner)(value)
    return "{\n" + inner + body[1:-1] + "\n" + indent + "}"


def json_text(value: Any, indent: str = "") -> str:
    """The text of ``json.dumps(to_json(value), ensure_ascii=False, indent=2)``, without
    the converted copy and several times faster (``json`` falls back to its pure-Python
    encoder whenever ``indent`` is set; a report of 100,000 hazards is ~190 MB of JSON)."""
    text = _leaf(value)
    if text is not None:
        return text
    text = indented(value, indent, decimal_as_number)  # orjson, when it writes the same
    if text is not None:
        return text
    inner = indent + "  "
    if type(value) is dict:
        if not value:
            return "{}"
        flat = _flat_dict(value, indent, inner)
        if flat is not None:
            return flat
        parts = []
        for k, v in value.items():
            key = _encode_str(k if type(k) is str else str(k))
            sub = _leaf(v)
            parts.append(f"{key}: {sub if sub is not None else json_text(v, inner)}")
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}"
    if not value:
        return "[]"
    return "[\n" + inner + _joined_items(value, inner) + "\n" + indent + "]"


def _joined_items(items: Any, inner: str) -> str:
    """The items of a list at depth ``inner``, each by :func:`json_text`, joined."""
    return (",\n" + inner).join(
        [sub if (sub := _leaf(v)) is not None else json_text(v, inner) for v in items]
    )


_BATCH = 500  # list items per piece of json_chunks


def json_chunks(value: Any, indent: str = "") -> Iterator[str]:
    """:func:`json_text` in pieces of a few hundred rows, made as they are written: the JSON
    report of a 100,000-hazard ledger is ~190 MB of text, which need not exist at once."""
    if _leaf(value) is not None or not value or not _holds_long_list(value):
        yield json_text(value, indent)
        return
    inner = indent + "  "
    if type(value) is dict:
        sep = "{\n" + inner
        for k, v in value.items():
            yield sep + _encode_str(k if type(k) is str else str(k)) + ": "
            yield from json_chunks(v, inner)
            sep = ",\n" + inner
        yield "\n" + indent + "}"
        return
    sep = "[\n" + inner
    for start in range(0, len(value), _BATCH):
        yield sep + _list_items(value[start : start + _BATCH], indent, inner)
        sep = ",\n" + inner
    yield "\n" + indent + "]"


def _holds_long_list(value: Any) -> bool:
    """A list longer than a batch, or a dict with one as a value: worth writing in pieces."""
    if type(value) is dict:
        return any(type(v) in (list, tuple, dict) and _holds_long_list(v) for v in value.values())
    return type(value) in (list, tuple) and len(value) > _BATCH


def _list_items(items: Any, indent: str, inner: str) -> str:
    """The items of a non-empty list at depth ``inner``, joined as :func:`json_text` joins
    them, without the brackets."""
    text = indented(items, indent, decimal_as_number)
    if text is not None:  # "[\n" + inner + items + "\n" + indent + "]"
        return text[2 + len(inner) : len(text) - len(indent) - 2]
    return _joined_items(items, inner)
