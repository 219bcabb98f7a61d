"""Audit rules against a base revision (``safeledger check --against REV``).

The regulations forbid making hazards disappear: a record is never deleted, and a
closed hazard is not edited without a trace.  ``audit`` is pure (two snapshots);
``audit_against`` reads the base from git and the working tree from disk.

Codes (all errors, except where said):

* ``audit-removed``: a hazard or activity at REV is gone (line is null: the message names
  the file it was in at REV).
* ``audit-closed-edited``: a hazard closed at REV (status ``closed`` as of today, from the
  record as it was at REV) was edited and no entry was added to its ``amendments``
  (修改记录: ``{on, by, reason}``); also when earlier amendment entries were changed or
  removed (the trace itself may only grow).
* ``audit-id-reused``: the id now names an unrelated record.  Hazards: ``found_on``
  differs and at least two of ``enterprise``, ``location``, ``description`` differ.
  Activities: the kind differs, or both the date and the enterprise differ.
* ``audit-found-on-moved``: a hazard's ``found_on`` changed (it changes the period the
  hazard counts in, in reports already sent); a warning instead of an error when the
  same change adds an ``amendments`` entry that explains it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from safeledger.diagnostics import ERROR, WARNING, Diagnostic, sort_diagnostics
from safeledger.read import locate, read_ledger
from safeledger.review.gitread import LedgerNotAtRevision, open_repo, read_ledger_at
from safeledger.review.snapshot import KIND_SINGULAR, SnapRecord, Snapshot, natural_key, snapshot

__all__ = ["AUDIT_CODES", "audit", "audit_against"]

REMOVED = "audit-removed"
CLOSED_EDITED = "audit-closed-edited"
ID_REUSED = "audit-id-reused"
FOUND_ON_MOVED = "audit-found-on-moved"

AUDIT_CODES: dict[str, str] = {
    REMOVED: "A hazard or activity that exists at the base revision was deleted.",
    CLOSED_EDITED: "A hazard closed at the base revision was edited without adding an "
    "amendments (修改记录) entry, or an earlier amendments entry was changed.",
    ID_REUSED: "An id now names an unrelated record (the original record was replaced).",
    FOUND_ON_MOVED: "A hazard's found_on (发现日期) changed since the base revision.",
}

AUDITED_KINDS = ("hazards", "activities")
_IGNORED = {"amendments"}


def _differs(a: dict[str, Any], b: dict[str, Any], name: str) -> bool:
    return a.get(name) != b.get(name)


def _reused(old: SnapRecord, new: SnapRecord) -> bool:
    a, b = old.fields, new.fields
    if old.kind == "hazards":
        others = sum(_differs(a, b, n) for n in ("enterprise", "location", "description"))
        return _differs(a, b, "found_on") and others >= 2
    if old.kind == "activities":
        return _differs(a, b, "kind") or (_differs(a, b, "date") and _differs(a, b, "enterprise"))
    return False


def _amendments(rec: SnapRecord) -> list[Any]:
    value = rec.fields.get("amendments")
    return list(value) if isinstance(value, list) else []


def audit(old: Snapshot, new: Snapshot, *, rev: str, today: dt.date,
          prefix: str = "") -> list[Diagnostic]:
    """Audit diagnostics for the change from ``old`` (at ``rev``) to ``new``.  Diagnostics
    on records of ``new`` carry anchors (resolve them with :func:`safeledger.read.locate`)."""
    out: list[Diagnostic] = []
    for key in sorted(set(old) | set(new), key=natural_key):
        before, after = old.get(key), new.get(key)
        if before is None or key[0] not in AUDITED_KINDS:
            continue
        what = f"{KIND_SINGULAR[before.kind]} {before.id}"
        if after is None:
            out.append(Diagnostic(
                REMOVED, ERROR,
                f"{what} was deleted since {rev} (it was in {before.file} there; no line: it "
                "is not in the working tree); records are never deleted: close the hazard or "
                "correct it with an amendments (修改记录) entry",
                file=before.file, record=before.id,
                hint=f"`git show {rev}:{prefix}{before.file}` shows the file as it was."))
            continue
        if _reused(before, after):
            out.append(Diagnostic(
                ID_REUSED, ERROR,
                f"{what} now names an unrelated record: at {rev} it was "
                f"{_identity(before)}, now {_identity(after)}; give the new record a new id "
                "and keep the old one",
                file=after.file, record=after.id, anchor=after.anchor("id")))
            continue
        old_amend, new_amend = _amendments(before), _amendments(after)
        trace_kept = new_amend[: len(old_amend)] == old_amend
        trace_added = trace_kept and len(new_amend) > len(old_amend)
        if key[0] == "hazards" and _differs(before.fields, after.fields, "found_on"):
            out.append(Diagnostic(
                FOUND_ON_MOVED, WARNING if trace_added else ERROR,
                f"found_on (发现日期) of {what} moved from {before.fields.get('found_on')} to "
                f"{after.fields.get('found_on')} since {rev}; this moves the hazard into "
                "another report period" + ("" if trace_added else
                                           "; explain it in an amendments (修改记录) entry"),
                file=after.file, record=after.id, field="found_on",
                anchor=after.anchor("found_on")))
        if key[0] != "hazards" or before.status(today) != "closed":
            continue
        edited = [n for n in {**before.fields, **after.fields}
                  if n not in _IGNORED and _differs(before.fields, after.fields, n)]
        if not trace_kept:
            out.append(Diagnostic(
                CLOSED_EDITED, ERROR,
                f"{what} was closed at {rev} and an earlier amendments (修改记录) entry was "
                "changed or removed; the trace of a closed hazard may only grow",
                file=after.file, record=after.id, field="amendments",
                anchor=after.anchor("amendments")))
        elif edited and not trace_added:
            out.append(Diagnostic(
                CLOSED_EDITED, ERROR,
                f"{what} was closed (已销号) at {rev} and {', '.join(edited)} changed since "
                "without a trace; add an entry to its amendments (修改记录) with on, by and "
                "reason",
                file=after.file, record=after.id, field=edited[0],
                anchor=after.anchor(edited[0]),
                hint="amendments:\n  - {on: 2025-07-01, by: 王芳, reason: 更正隐患部位笔误}"))
    return out


def _identity(rec: SnapRecord) -> str:
    f = rec.fields
    if rec.kind == "hazards":
        return (f"found {f.get('found_on')} at {f.get('enterprise')}, "
                f"{f.get('location')}: {f.get('description')}")
    return f"{f.get('kind')} on {f.get('date')} at {f.get('enterprise')}"


def audit_against(root: Path, rev: str, *, today: dt.date) -> list[Diagnostic]:
    """The audit diagnostics of the ledger at ``root`` (working tree) against ``rev``,
    sorted, with lines resolved.  No ledger at ``rev`` (the change adds it): none."""
    repo, subdir = open_repo(root)
    repo.resolve(rev)
    try:
        base = read_ledger_at(repo, rev, subdir)
    except LedgerNotAtRevision:
        return []
    current = read_ledger(root, workers=1)
    prefix = f"{subdir}/" if subdir else ""
    found = audit(snapshot(base), snapshot(current), rev=rev, today=today, prefix=prefix)
    return sort_diagnostics(locate(root, found, records=current.records))
