"""Compliance findings as of a date: warnings that ``safeledger check`` adds to the
validation diagnostics (``--strict`` makes them errors).

Codes: ``overdue`` (a general hazard past its effective deadline, not rectified),
``major-overdue`` (a major hazard not closed and past its effective deadline — it
replaces ``overdue`` for major hazards, so one hazard gives one finding),
``duty-gap`` (a duty period that ended without the activity), ``certificate-expired``
and ``certificate-expiring`` (within 30 days).

Diagnostics carry ``file``/``record``/``field`` and an :class:`Anchor` to the record, so
the loader can resolve the line.  Order: hazards by (found_on, id), then duties in the
order of :func:`~safeledger.evaluate.duties.duties_as_of`.
"""

from __future__ import annotations

import datetime as dt

from safeledger.diagnostics import WARNING, Anchor, Diagnostic
from safeledger.evaluate.duties import CERTIFICATE, DutyGap, duty_gaps_as_of
from safeledger.evaluate.status import open_past_deadline
from safeledger.model.enums import HazardStatus
from safeledger.validate.ledger import Ledger

__all__ = ["COMPLIANCE_CODES", "compliance_diagnostics"]

COMPLIANCE_CODES = (
    "overdue",
    "major-overdue",
    "duty-gap",
    "certificate-expired",
    "certificate-expiring",
)


Place = tuple[str | None, int | None, int | None, Anchor | None]


def _place(ledger: Ledger, kind: str, rid: str) -> Place:
    """(file, line, column, anchor) of a record: the anchor (record start) when the line
    is not known yet, as the validation rules do."""
    ref = ledger.sources.get((kind, rid))
    if ref is None:
        return None, None, None, None
    if ref.line is None:
        return ref.file, None, None, Anchor(index=ref.index, path=())
    return ref.file, ref.line, ref.column, None


def compliance_diagnostics(ledger: Ledger, as_of: dt.date) -> list[Diagnostic]:
    """Warnings about overdue hazards, open major hazards past their deadline, duty
    gaps and certificates, as of ``as_of`` (duties: window [1 January, as_of])."""
    out: list[Diagnostic] = []
    found = [
        (hazard, state)
        for hazard in ledger.hazards
        if (state := open_past_deadline(hazard, as_of)) is not None
        and (state.status is HazardStatus.overdue or hazard.is_major)
    ]
    found.sort(key=lambda pair: (pair[0].found_on, pair[0].id))  # stable: ties keep order
    for hazard, state in found:
        deadline = state.effective_deadline
        days = (as_of - deadline).days
        which = "extended deadline (延期至)" if state.extended else "deadline (整改期限)"
        file, line, column, anchor = _place(ledger, "hazards", hazard.id)
        if hazard.is_major:
            if state.status == HazardStatus.rectified:
                why = f"rectified on {state.rectified_on} but not verified (复查销号)"
            else:
                why = "not rectified"
            out.append(Diagnostic(
                code="major-overdue", severity=WARNING,
                message=(f"major hazard (重大事故隐患) {hazard.id} is not closed {days} day(s) "
                         f"after its {which} {deadline}: {why} as of {as_of}"),
                file=file, line=line, column=column, record=hazard.id,
                field="deadline",
                hint="rectify and verify it, or record an approved extension; major hazards "
                     "must be cleared dynamically to zero (动态清零)",
                anchor=anchor,
            ))
        else:
            out.append(Diagnostic(
                code="overdue", severity=WARNING,
                message=(f"hazard {hazard.id} is overdue (逾期未整改) by {days} day(s): {which} "
                         f"{deadline}, not rectified as of {as_of}"),
                file=file, line=line, column=column, record=hazard.id,
                field="deadline",
                hint="record rectified_on when it is rectified, or an approved extension",
                anchor=anchor,
            ))
    places: dict[str, Place] = {}  # an enterprise has several findings: place it once
    for gap in duty_gaps_as_of(ledger, as_of):
        eid = gap.enterprise
        place = places.get(eid)
        if place is None:
            place = places[eid] = _place(ledger, "enterprises", eid)
        if gap.duty != CERTIFICATE:
            # positional: this runs for every duty gap (most of a big ledger's findings)
            out.append(Diagnostic(
                "duty-gap", WARNING, f"enterprise {eid}: {gap.duty} {gap.period}: {gap.detail}",
                place[0], place[1], place[2], eid, None, _GAP_HINT, place[3],
            ))
        else:
            out.append(_certificate_diagnostic(gap, place))
    return out


_GAP_HINT = "record the activity under activities/ if it took place"


def _certificate_diagnostic(gap: DutyGap, place: Place) -> Diagnostic:
    file, line, column, anchor = place
    if gap.state == "gap":
        code, what = "certificate-expired", "has expired"
    else:
        code, what = "certificate-expiring", "expires within 30 days"
    return Diagnostic(
        code=code, severity=WARNING,
        message=(f"enterprise {gap.enterprise}: the certificate (特种作业证书) of "
                 f"{gap.period} {what}: {gap.detail}"),
        file=file, line=line, column=column, record=gap.enterprise, field="certificates",
        hint="renew the certificate and update expires_on (有效期至)", anchor=anchor,
    )
