"""The history of one record through git: the commits that changed it, oldest first.

One ``git log --raw`` lists, for every commit that touched the ledger folder, the files
it changed with their blob ids before and after; one ``git cat-file --batch`` then reads
just the blobs that mention the id.  The record is found by id in whatever file holds it
at each commit, so moving it to another file (or renaming the file) keeps its history."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeledger.read.files import read_data
from safeledger.read.raw import RawRecord
from safeledger.review.diff import FieldChange, field_changes
from safeledger.review.gitread import GitRepo, kind_of, open_repo
from safeledger.review.snapshot import SnapRecord, snap_record

__all__ = ["HistoryEntry", "RecordHistory", "record_history"]

_NULL_SHA = "0" * 40


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    commit: str
    author: str
    email: str
    date: str  # author date, ISO 8601 with offset
    subject: str
    action: str  # created, changed, moved, removed
    kind: str
    file_from: str | None  # relative to the ledger root; None when created
    file_to: str | None  # None when removed
    changes: tuple[FieldChange, ...]
    status_from: str | None
    status_to: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "email": self.email,
            "date": self.date,
            "subject": self.subject,
            "action": self.action,
            "kind": self.kind,
            "file": {"from": self.file_from, "to": self.file_to},
            "fields": [c.field for c in self.changes],
            "changes": {c.field: {"old": c.old, "new": c.new} for c in self.changes},
            "status": {"from": self.status_from, "to": self.status_to}
            if self.status_from != self.status_to else None,
        }


@dataclass(slots=True)
class RecordHistory:
    id: str
    rev: str
    as_of: dt.date
    entries: list[HistoryEntry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rev": self.rev,
            "as_of": self.as_of.isoformat(),
            "order": "oldest first",
            "commits": [e.to_json() for e in self.entries],
        }


@dataclass(slots=True)
class _Commit:
    sha: str
    author: str
    email: str
    date: str
    subject: str
    files: list[tuple[str, str, str]] = field(default_factory=list)  # rel path, old, new sha


def _commits(repo: GitRepo, rev: str, subdir: str) -> list[_Commit]:
    args = ["log", "--no-merges", "--reverse", "--raw", "-z", "--no-abbrev", "--no-renames",
            "--format=%x01%H%x00%an%x00%ae%x00%aI%x00%s", rev]
    if subdir:
        args += ["--", subdir]
    out = repo.run(*args)
    prefix = f"{subdir}/" if subdir else ""
    commits = []
    for chunk in out.split(b"\x01"):
        if not chunk.strip():
            continue
        tokens = chunk.split(b"\0")
        sha, author, email, date, subject = (t.decode("utf-8", "replace") for t in tokens[:5])
        commit = _Commit(sha, author, email, date, subject)
        rest = tokens[5:]
        i = 0
        while i + 1 < len(rest):
            meta = rest[i].decode("ascii", "replace").strip()
            if not meta.startswith(":"):
                i += 1
                continue
            path = rest[i + 1].decode("utf-8", "surrogateescape")
            i += 2
            parts = meta[1:].split(" ")
            if len(parts) < 5 or not path.startswith(prefix):
                continue
            rel = path[len(prefix):]
            kind = kind_of(rel)
            if kind is None or kind == "config":
                continue
            commit.files.append((rel, parts[2], parts[3]))
        if commit.files:
            commits.append(commit)
    return commits


def _needles(record_id: str) -> tuple[bytes, ...]:
    out = {record_id.encode("utf-8")}
    with contextlib.suppress(UnicodeEncodeError):
        out.add(record_id.encode("gb18030"))
    return tuple(sorted(out))


def record_history(ledger_root: Path, record_id: str, *, rev: str = "HEAD",
                   as_of: dt.date) -> RecordHistory:
    """Every commit reachable from ``rev`` (merges left out: their changes are shown at the
    commits that made them) that created, changed, moved or removed the record
    ``record_id``, oldest first.  Statuses are taken as of ``as_of``."""
    repo, subdir = open_repo(ledger_root)
    repo.resolve(rev)
    history = RecordHistory(record_id, rev, as_of)
    commits = _commits(repo, rev, subdir)
    needles = _needles(record_id)
    blob_ids = {sha for c in commits for _, old, new in c.files for sha in (old, new)}
    blob_ids.discard(_NULL_SHA)
    blobs = repo.cat_blobs(blob_ids)
    found: dict[tuple[str, str], SnapRecord | None] = {}

    def lookup(rel: str, sha: str) -> SnapRecord | None:
        if sha == _NULL_SHA:
            return None
        key = (rel, sha)
        if key not in found:
            data = blobs[sha]
            found[key] = None
            if any(n in data for n in needles):
                kind = kind_of(rel)
                assert kind is not None and kind != "config"
                for rec in read_data(data, rel, kind).records:
                    snap = _match(rec, record_id)
                    if snap is not None:
                        found[key] = snap
                        break
        return found[key]

    for c in commits:
        old = next((s for rel, sha, _ in c.files if (s := lookup(rel, sha))), None)
        new = next((s for rel, _, sha in c.files if (s := lookup(rel, sha))), None)
        if old is None and new is None:
            continue
        if old is None:
            assert new is not None
            written = {k: v for k, v in new.fields.items() if v not in (None, [])}
            changes = field_changes({}, written)
            action, kind = "created", new.kind
        elif new is None:
            changes, action, kind = (), "removed", old.kind
        else:
            changes = field_changes(old.fields, new.fields)
            if not changes and old.file == new.file:
                continue  # rewritten without a change of meaning (keys, date forms…)
            action, kind = ("changed" if changes else "moved"), new.kind
        history.entries.append(HistoryEntry(
            c.sha, c.author, c.email, c.date, c.subject, action, kind,
            old.file if old else None, new.file if new else None, changes,
            old.status(as_of) if old else None, new.status(as_of) if new else None,
        ))
    return history


def _match(rec: RawRecord, record_id: str) -> SnapRecord | None:
    snap = snap_record(rec)
    return snap if snap is not None and snap.id == record_id else None
