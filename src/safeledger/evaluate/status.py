"""Rectification status of hazards as of a date (spec 4.1) and the ``status`` listing.

Pure: every function takes the records and the as-of date ``D``; nothing reads the
clock or the disk.  Only events dated ≤ D count, so adding events dated after D never
changes a status as of D.

Decisions where the spec is silent (see docs/status-and-duties.md):

* An extension without an approval date (``on``) counts as approved on ``found_on``.
* Effective deadline = the greatest ``to`` among the extensions approved ≤ D.
* Verifications are ``verified_on`` (result ``verification``, default pass) and every
  ``reinspections`` entry.  They are ordered by date; on the same date, reinspections
  keep their list order and ``verified_on`` (the record's final conclusion) comes last.
* A ``rectified_on`` ≤ D dated *after* the latest verification ≤ D means work that has
  not been verified yet: the hazard is ``rectified``, even if that verification passed.
* ``late`` is shown only on ``rectified``/``closed`` hazards (rectified_on after the
  effective deadline as of D); an open overdue hazard is already ``overdue``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from safeledger.errors import UsageError
from safeledger.evaluate.duties import DutyResult, duties_as_of
from safeledger.evaluate.frozen import fast_init
from safeledger.model.enums import HazardStatus, Level, Verification
from safeledger.model.records import Hazard
from safeledger.validate.ledger import Ledger

__all__ = [
    "FLAG_LABELS",
    "STATUS_ORDER",
    "HazardRow",
    "HazardState",
    "StatusBrief",
    "StatusFilters",
    "StatusReport",
    "VerificationEvent",
    "effective_deadline",
    "hazard_state",
    "hazard_status",
    "in_table_order",
    "latest_verification",
    "open_past_deadline",
    "status_counts",
    "status_duties",
    "status_report",
    "status_rows",
    "status_table",
    "verifications",
]

LATE = "late"
EXTENDED = "extended"
FLAG_LABELS: dict[str, str] = {LATE: "超期整改", EXTENDED: "已延期"}
STATUS_ORDER: tuple[HazardStatus, ...] = (
    HazardStatus.overdue,
    HazardStatus.pending,
    HazardStatus.rectified,
    HazardStatus.closed,
)


@dataclass(frozen=True, slots=True, order=True)
class VerificationEvent:
    """One verification (复查): ``seq`` orders events of the same date."""

    on: dt.date
    seq: int
    result: Verification = field(compare=False)
    source: str = field(compare=False)  # "verified_on" or "reinspections[i]"

    @property
    def passed(self) -> bool:
        return self.result == Verification.passed


def verifications(hazard: Hazard) -> list[VerificationEvent]:
    """All verifications of ``hazard``, oldest first (see the module's ordering rule)."""
    events = [
        VerificationEvent(r.on, i, Verification(r.result), f"reinspections[{i}]")
        for i, r in enumerate(hazard.reinspections)
    ]
    if hazard.verified_on is not None:
        result = hazard.verification_result or Verification.passed
        events.append(
            VerificationEvent(
                hazard.verified_on, len(hazard.reinspections), Verification(result), "verified_on"
            )
        )
    events.sort()
    return events


def latest_verification(hazard: Hazard, as_of: dt.date) -> VerificationEvent | None:
    """The latest verification dated ≤ ``as_of``, or None."""
    latest = None
    for event in verifications(hazard):
        if event.on > as_of:
            break
        latest = event
    return latest


def effective_deadline(hazard: Hazard, as_of: dt.date) -> tuple[dt.date, bool]:
    """(effective deadline as of ``as_of``, whether an extension applies).

    The greatest ``extensions[].to`` whose approval date ``on`` is ≤ ``as_of`` (an
    extension without ``on`` counts as approved on ``found_on``), else ``deadline``."""
    applied = [
        ext.to for ext in hazard.extensions if (ext.on or hazard.found_on) <= as_of
    ]
    if applied:
        return max(applied), True
    return hazard.deadline, False


@fast_init
@dataclass(frozen=True, slots=True)
class HazardState:
    """The status of one hazard as of ``as_of`` (spec 4.1)."""

    id: str
    as_of: dt.date
    status: HazardStatus
    flags: tuple[str, ...]
    effective_deadline: dt.date
    rectified_on: dt.date | None  # the record's rectified_on when ≤ as_of
    verified_on: dt.date | None  # the date of the latest verification ≤ as_of
    verification: Verification | None  # its result
    days_overdue: int | None  # status overdue: days since the effective deadline (≥ 1)
    days_left: int | None  # status pending: days until the effective deadline (0 = today)

    @property
    def is_open(self) -> bool:
        """Not closed (销号): counts in 'open at end'."""
        return self.status != HazardStatus.closed

    @property
    def late(self) -> bool:
        return LATE in self.flags

    @property
    def extended(self) -> bool:
        return EXTENDED in self.flags


_VERIFICATIONS: dict[str, Verification] = {v: v for v in Verification}


def hazard_state(hazard: Hazard, as_of: dt.date) -> HazardState | None:
    """The status of ``hazard`` as of ``as_of``; None when it was found after ``as_of``."""
    found_on = hazard.found_on
    if found_on > as_of:
        return None
    # Written out inline (same rules as effective_deadline and latest_verification): this
    # runs for every hazard and every date a report looks at (docs/performance.md).
    extensions = hazard.extensions
    if extensions:
        deadline, extended = effective_deadline(hazard, as_of)
    else:
        deadline, extended = hazard.deadline, False
    last_on: dt.date | None
    last_result: Verification | None
    if hazard.reinspections:
        last = latest_verification(hazard, as_of)
        last_on, last_result = (last.on, last.result) if last is not None else (None, None)
    else:
        last_on = hazard.verified_on
        if last_on is not None and last_on <= as_of:
            result = hazard.verification
            # a dict lookup instead of the Enum call: a member and its value find it alike
            last_result = (
                Verification.passed if not result
                else _VERIFICATIONS.get(result) or Verification(result)
            )
        else:
            last_on = last_result = None
    rectified = hazard.rectified_on
    if rectified is not None and rectified > as_of:
        rectified = None

    if rectified is not None and (last_on is None or rectified > last_on):
        status = HazardStatus.rectified  # rectified, not yet verified (since that work)
    elif last_result is not None and last_result == Verification.passed:
        status = HazardStatus.closed
    elif deadline < as_of:
        status = HazardStatus.overdue  # never rectified, or sent back by a failed check
    else:
        status = HazardStatus.pending

    if (
        rectified is not None
        and rectified > deadline
        and (status is HazardStatus.rectified or status is HazardStatus.closed)
    ):
        flags: tuple[str, ...] = (LATE, EXTENDED) if extended else (LATE,)
    else:
        flags = (EXTENDED,) if extended else ()
    return HazardState(
        hazard.id,
        as_of,
        status,
        flags,
        deadline,
        rectified,
        last_on,
        last_result,
        (as_of - deadline).days if status is HazardStatus.overdue else None,
        (deadline - as_of).days if status is HazardStatus.pending else None,
    )


def open_past_deadline(hazard: Hazard, as_of: dt.date) -> HazardState | None:
    """``hazard_state(hazard, as_of)`` when the hazard exists, is not closed and its
    effective deadline is before ``as_of`` (what compliance reports), else None.

    The same answer as filtering :func:`hazard_state`; a hazard with no extensions and no
    reinspections (most of them) is ruled out before its state is built."""
    if hazard.found_on > as_of:
        return None
    if not hazard.extensions and not hazard.reinspections:
        if hazard.deadline >= as_of:
            return None
        verified, rectified = hazard.verified_on, hazard.rectified_on
        if (
            verified is not None
            and verified <= as_of
            and (rectified is None or rectified <= verified or rectified > as_of)
            and (hazard.verification or Verification.passed) == Verification.passed
        ):
            return None  # closed: passed its latest verification, no work since
    state = hazard_state(hazard, as_of)
    if (
        state is None
        or state.status is HazardStatus.closed
        or state.effective_deadline >= as_of
    ):
        return None
    return state


class StatusBrief(NamedTuple):
    """The part of a :class:`HazardState` that figures read: status and effective deadline."""

    status: HazardStatus
    effective_deadline: dt.date


# Shared (immutable) briefs: a report keeps 100,000s of them, and so many new objects
# would set off the garbage collector over and over.
_brief = functools.lru_cache(maxsize=8192)(StatusBrief)


def hazard_status(hazard: Hazard, as_of: dt.date) -> StatusBrief | None:
    """``hazard_state(hazard, as_of)``'s status and effective deadline (None when found
    after ``as_of``), without the rest of the state: reports need only these for the
    dates they compare with.  A hazard with no extensions and no reinspections (most of
    them) is worked out here by the same rules; the others go through hazard_state."""
    if hazard.found_on > as_of:
        return None
    if hazard.extensions or hazard.reinspections:
        state = hazard_state(hazard, as_of)
        assert state is not None
        return _brief(state.status, state.effective_deadline)
    deadline = hazard.deadline
    rectified, verified = hazard.rectified_on, hazard.verified_on
    if rectified is not None and rectified > as_of:
        rectified = None
    if verified is not None and verified > as_of:
        verified = None
    passed = Verification.passed
    if rectified is not None and (verified is None or rectified > verified):
        status = HazardStatus.rectified
    elif verified is not None and (hazard.verification or passed) == passed:
        status = HazardStatus.closed
    elif deadline < as_of:
        status = HazardStatus.overdue
    else:
        status = HazardStatus.pending
    return _brief(status, deadline)


# --- the status listing -------------------------------------------------------------


def _parse_enum_names(
    values: Iterable[str], enum: type[HazardStatus] | type[Level], option: str
) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        parsed = enum.parse(value)
        if parsed is None:
            raise UsageError(f"{option} '{value}' is not known; accepted: {enum.accepted()}")
        out.add(parsed)
    return frozenset(out)


def _check_configured(
    values: Iterable[str], allowed: Sequence[str] | None, option: str
) -> frozenset[str]:
    wanted = frozenset(v.strip() for v in values if v.strip())
    if allowed is not None:
        unknown = sorted(wanted - set(allowed))
        if unknown:
            raise UsageError(
                f"{option} '{unknown[0]}' is not configured in safeledger.yaml; accepted: "
                + ", ".join(allowed)
            )
    return wanted


@dataclass(frozen=True, slots=True)
class StatusFilters:
    """Filters of ``safeledger status``: each is a set of accepted values, empty = all.
    Values within one filter are alternatives (OR); filters combine with AND."""

    statuses: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    communities: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    enterprises: frozenset[str] = frozenset()  # enterprise ids
    categories: frozenset[str] = frozenset()

    @classmethod
    def parse(
        cls,
        ledger: Ledger,
        *,
        statuses: Iterable[str] = (),
        levels: Iterable[str] = (),
        communities: Iterable[str] = (),
        domains: Iterable[str] = (),
        enterprises: Iterable[str] = (),
        categories: Iterable[str] = (),
    ) -> StatusFilters:
        """Filters from option values: statuses and levels in English or Chinese
        (``overdue`` / ``逾期未整改``), enterprises by id or name; communities, domains and
        categories must be configured when the ledger configures them.  Raises
        :class:`UsageError` listing the accepted values."""
        ent_ids: set[str] = set()
        by_name = {e.name: e.id for e in ledger.enterprises}
        known_ids = {e.id for e in ledger.enterprises}
        for value in enterprises:
            v = value.strip()
            if v in known_ids:
                ent_ids.add(v)
            elif v in by_name:
                ent_ids.add(by_name[v])
            else:
                sample = ", ".join(sorted(known_ids)[:10])
                more = " …" if len(known_ids) > 10 else ""
                raise UsageError(
                    f"--enterprise '{v}' is neither an enterprise id nor a name in this ledger; "
                    f"ids: {sample or '(none)'}{more}"
                )
        return cls(
            statuses=_parse_enum_names(statuses, HazardStatus, "--status"),
            levels=_parse_enum_names(levels, Level, "--level"),
            communities=_check_configured(communities, ledger.config.communities, "--community"),
            domains=_check_configured(domains, ledger.config.domains, "--domain"),
            enterprises=frozenset(ent_ids),
            categories=_check_configured(categories, ledger.config.categories, "--category"),
        )

    def match_hazard(self, hazard: Hazard) -> bool:
        return (
            (not self.levels or hazard.level in self.levels)
            and (not self.communities or hazard.community in self.communities)
            and (not self.domains or hazard.domain in self.domains)
            and (not self.enterprises or hazard.enterprise in self.enterprises)
            and (not self.categories or hazard.category in self.categories)
        )

    def match_state(self, state: HazardState) -> bool:
        return not self.statuses or state.status in self.statuses

    def match_enterprise(
        self, enterprise_id: str, community: str | None, domain: str | None
    ) -> bool:
        """For duty rows: only the enterprise, community and domain filters apply."""
        return (
            (not self.enterprises or enterprise_id in self.enterprises)
            and (not self.communities or community in self.communities)
            and (not self.domains or domain in self.domains)
        )


@fast_init
@dataclass(frozen=True, slots=True)
class HazardRow:
    """One line of ``safeledger status``: a hazard and its state as of the date."""

    hazard: Hazard
    state: HazardState
    enterprise_name: str | None = None

    @property
    def id(self) -> str:
        return self.hazard.id

    @property
    def status(self) -> HazardStatus:
        return self.state.status

    @property
    def is_major(self) -> bool:
        return self.hazard.is_major

    def to_json(self) -> dict[str, object]:
        """Spec section 8 (keys in that order), plus days_overdue, days_left,
        verification and enterprise_name."""
        h, s = self.hazard, self.state
        return {
            "id": h.id,
            "status": str(s.status),
            "flags": list(s.flags),
            "level": str(h.level),
            "enterprise": h.enterprise,
            "community": h.community,
            "domain": h.domain,
            "category": h.category,
            "found_on": h.found_on.isoformat(),
            "deadline": h.deadline.isoformat(),
            "effective_deadline": s.effective_deadline.isoformat(),
            "rectified_on": _iso(s.rectified_on),
            "verified_on": _iso(s.verified_on),
            "verification": str(s.verification) if s.verification else None,
            "days_overdue": s.days_overdue,
            "days_left": s.days_left,
            "enterprise_name": self.enterprise_name,
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def status_table(
    ledger: Ledger, as_of: dt.date, filters: StatusFilters | None = None
) -> list[HazardRow]:
    """Every hazard that exists as of ``as_of`` and passes ``filters``, with its state,
    ordered by (found_on, id)."""
    return status_rows(ledger, in_table_order(ledger.hazards), as_of, filters)


def in_table_order(hazards: Iterable[Hazard]) -> list[Hazard]:
    """Hazards in the order of :func:`status_table`: (found_on, id)."""
    return sorted(hazards, key=_BY_FOUND_ON_ID)


def status_rows(
    ledger: Ledger, hazards: Iterable[Hazard], as_of: dt.date, filters: StatusFilters | None = None
) -> list[HazardRow]:
    """:func:`status_table` of some of the ledger's hazards, in their order: the rows of a
    slice of :func:`in_table_order` are that slice of the table (for two processes)."""
    filters = filters or StatusFilters()
    by_hazard = bool(
        filters.levels or filters.communities or filters.domains or filters.enterprises
        or filters.categories
    )
    enterprises = {e.id: e for e in reversed(ledger.enterprises)}  # the first of a duplicate id
    rows: list[HazardRow] = []
    for hazard in hazards:
        ent = enterprises.get(hazard.enterprise)
        if ent is not None and (
            (not hazard.community and ent.community) or (not hazard.domain and ent.domain)
        ):  # the loader fills these; a Ledger built by hand may not have
            hazard = hazard.model_copy(update={"community": hazard.community or ent.community,
                                               "domain": hazard.domain or ent.domain})
        if by_hazard and not filters.match_hazard(hazard):
            continue
        state = hazard_state(hazard, as_of)
        if state is None or (filters.statuses and state.status not in filters.statuses):
            continue
        rows.append(HazardRow(hazard, state, ent.name if ent is not None else None))
    return rows


_BY_FOUND_ON_ID = attrgetter("found_on", "id")


def status_counts(rows: Iterable[HazardRow]) -> dict[str, int]:
    """Rows per status, every status present (in the order overdue, pending, rectified,
    closed), plus ``major_open``: major hazards not closed."""
    counts = {str(s): 0 for s in STATUS_ORDER}
    major_open = 0
    for row in rows:
        counts[str(row.status)] += 1
        if row.is_major and row.state.is_open:
            major_open += 1
    counts["major_open"] = major_open
    return counts


# --- the whole ``status`` answer ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What ``safeledger status`` shows: hazards and duties as of one date."""

    as_of: dt.date
    hazards: list[HazardRow]
    duties: list[DutyResult]

    def counts(self) -> dict[str, int]:
        return status_counts(self.hazards)

    def to_json(self) -> dict[str, object]:
        """Spec section 8: ``{"as_of", "hazards": [...], "duties": [...]}``."""
        return {
            "as_of": self.as_of.isoformat(),
            "hazards": [row.to_json() for row in self.hazards],
            "duties": [d.to_json() for d in self.duties],
        }


def status_report(
    ledger: Ledger, as_of: dt.date, filters: StatusFilters | None = None
) -> StatusReport:
    """Hazards (filtered) and duties as of ``as_of``.  Duties are for the window
    [1 January of as_of's year, as_of] and follow only the enterprise, community and
    domain filters (an enterprise's community/domain)."""
    filters = filters or StatusFilters()
    return StatusReport(
        as_of, status_table(ledger, as_of, filters), status_duties(ledger, as_of, filters)
    )


def status_duties(
    ledger: Ledger, as_of: dt.date, filters: StatusFilters | None = None
) -> list[DutyResult]:
    """The duties part of :func:`status_report`."""
    filters = filters or StatusFilters()
    duties = duties_as_of(ledger, as_of)
    if filters.enterprises or filters.communities or filters.domains:
        places = {e.id: (e.community, e.domain) for e in ledger.enterprises}
        duties = [
            d
            for d in duties
            if filters.match_enterprise(d.enterprise, *places.get(d.enterprise, (None, None)))
        ]
    return duties
