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
from safeledger.evaluate.duties import CERTIFICATE, DutyResult, duties_as_of
from safeledger.evaluate.status import hazard_state
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
    for hazard in sorted(ledger.hazards, key=lambda h: (h.found_on, h.id)):
        state = hazard_state(hazard, as_of)
        if state is None or state.status == HazardStatus.closed:
            continue
        deadline = state.effective_deadline
        if deadline >= as_of:
            continue
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
        elif state.status == HazardStatus.overdue:
            out.append(Diagnostic(
                code="overdue", severity=WARNING,
                message=(f"hazard {hazard.id} is overdue (逾期未整改) by {days} day(s): {which} "
                         f"{deadline}, not rectified as of {as_of}"),
                file=file, line=line, column=column, record=hazard.id,
                field="deadline",
                hint="record rectified_on when it is rectified, or an approved extension",
                anchor=anchor,
            ))
    for duty in duties_as_of(ledger, as_of):
        diag = _duty_diagnostic(ledger, duty)
        if diag is not None:
            out.append(diag)
    return out


def _duty_diagnostic(ledger: Ledger, duty: DutyResult) -> Diagnostic | None:
    file, line, column, anchor = _place(ledger, "enterprises", duty.enterprise)
    if duty.duty == CERTIFICATE:
        if duty.state == "gap":
            code, what = "certificate-expired", "has expired"
        elif duty.state == "warning":
            code, what = "certificate-expiring", "expires within 30 days"
        else:
            return None
        return Diagnostic(
            code=code, severity=WARNING,
            message=(f"enterprise {duty.enterprise}: the certificate (特种作业证书) of "
                     f"{duty.period} {what}: {duty.detail}"),
            file=file, line=line, column=column, record=duty.enterprise, field="certificates",
            hint="renew the certificate and update expires_on (有效期至)", anchor=anchor,
        )
    if duty.state != "gap":
        return None
    return Diagnostic(
        code="duty-gap", severity=WARNING,
        message=f"enterprise {duty.enterprise}: {duty.duty} {duty.period}: {duty.detail}",
        file=file, line=line, column=column, record=duty.enterprise, field=None,
        hint="record the activity under activities/ if it took place", anchor=anchor,
    )
