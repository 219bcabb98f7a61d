"""The semantic diff of two versions of a ledger: records added, removed and changed.

Records are matched by kind and id.  ``compare`` is pure (two snapshots and an as-of
date); ``diff_ledger`` reads the versions from git (or the working tree) and calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeledger.read import read_ledger
from safeledger.read.raw import RawLedger
from safeledger.review.gitread import LedgerNotAtRevision, open_repo, read_ledger_at
from safeledger.review.snapshot import Snapshot, natural_key, snapshot

__all__ = ["FieldChange", "LedgerDiff", "RecordChange", "RecordRef", "compare", "diff_ledger"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any  # canonical JSON-able value; None when absent
    new: Any


@dataclass(frozen=True, slots=True)
class RecordRef:
    kind: str
    id: str
    file: str
    status: str | None = None  # hazards: status as of the diff's as-of date

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "file": self.file}
        if self.kind == "hazards":
            out["status"] = self.status
        return out


@dataclass(frozen=True, slots=True)
class RecordChange:
    kind: str
    id: str
    changes: tuple[FieldChange, ...]
    status_from: str | None
    status_to: str | None
    file_from: str
    file_to: str

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.changes]

    @property
    def status_changed(self) -> bool:
        return self.status_from != self.status_to

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "fields": self.fields,
            "status": {"from": self.status_from, "to": self.status_to}
            if self.status_changed else None,
            "changes": {c.field: {"old": c.old, "new": c.new} for c in self.changes},
            "file": {"from": self.file_from, "to": self.file_to},
        }


@dataclass(slots=True)
class LedgerDiff:
    from_rev: str
    to_rev: str | None  # None: the working tree
    as_of: dt.date
    added: list[RecordRef] = field(default_factory=list)
    removed: list[RecordRef] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)
    moved: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, id, from, to
    from_exists: bool = True  # False: no ledger at from_rev (everything is added)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_rev,
            "to": self.to_rev,
            "as_of": self.as_of.isoformat(),
            "added": [r.to_json() for r in self.added],
            "removed": [r.to_json() for r in self.removed],
            "changed": [c.to_json() for c in self.changed],
            "moved": [
                {"kind": k, "id": i, "from": a, "to": b} for k, i, a, b in self.moved
            ],
        }


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Fields whose canonical value differs, in the model's field order."""
    names = list(new) + [n for n in old if n not in new]
    return tuple(
        FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)
    )


def compare(old: Snapshot, new: Snapshot, *, as_of: dt.date, from_rev: str,
            to_rev: str | None) -> LedgerDiff:
    result = LedgerDiff(from_rev, to_rev, as_of)
    for key in sorted(set(old) | set(new), key=natural_key):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            result.added.append(RecordRef(b.kind, b.id, b.file, b.status(as_of)))
        elif b is None and a is not None:
            result.removed.append(RecordRef(a.kind, a.id, a.file, a.status(as_of)))
        elif a is not None and b is not None:
            changes = field_changes(a.fields, b.fields)
            if changes:
                result.changed.append(RecordChange(
                    a.kind, a.id, changes, a.status(as_of), b.status(as_of), a.file, b.file))
            elif a.file != b.file:
                result.moved.append((a.kind, a.id, a.file, b.file))
    return result


def _read(ledger_root: Path, rev: str | None) -> RawLedger:
    if rev is None:
        return read_ledger(ledger_root, workers=1)
    repo, subdir = open_repo(ledger_root)
    return read_ledger_at(repo, rev, subdir)


def diff_ledger(ledger_root: Path, rev_a: str, rev_b: str | None = None, *,
                as_of: dt.date) -> LedgerDiff:
    """Compare the ledger at ``ledger_root`` as it was at ``rev_a`` with ``rev_b`` (None:
    the working tree).  A ledger missing at ``rev_a`` counts as empty (a pull request
    that adds the ledger adds every record); one missing at ``rev_b`` is an error."""
    repo, subdir = open_repo(ledger_root)
    repo.resolve(rev_a)
    if rev_b is not None:
        repo.resolve(rev_b)
    try:
        old = snapshot(read_ledger_at(repo, rev_a, subdir))
        exists = True
    except LedgerNotAtRevision:
        old, exists = {}, False
    new = snapshot(_read(ledger_root, rev_b))
    result = compare(old, new, as_of=as_of, from_rev=rev_a, to_rev=rev_b)
    result.from_exists = exists
    return result
