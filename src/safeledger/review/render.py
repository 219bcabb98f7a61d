"""The diff and the history as text, Markdown (a pull-request comment) and JSON."""

from __future__ import annotations

import json
from typing import Any

from safeledger.review.diff import FieldChange, LedgerDiff
from safeledger.review.log import RecordHistory
from safeledger.review.snapshot import KIND_SINGULAR

__all__ = ["diff_json", "diff_markdown", "diff_text", "history_json", "history_text", "summary"]


def _count(n: int, kind: str) -> str:
    word = KIND_SINGULAR.get(kind, kind)
    if n == 1:
        return f"1 {word}"
    return f"{n} {'activities' if word == 'activity' else word + 's'}"


def summary(diff: LedgerDiff) -> str:
    """One line: "3 hazards added, H-2025-002 rectified → closed, H-2025-004 deleted (!)"."""
    parts: list[str] = []
    for kind in ("hazards", "activities", "enterprises"):
        n = sum(1 for r in diff.added if r.kind == kind)
        if n:
            parts.append(f"{_count(n, kind)} added")
    for c in diff.changed:
        if c.status_changed:
            parts.append(f"{c.id} {c.status_from or '—'} → {c.status_to or '—'}")
    for kind in ("hazards", "activities", "enterprises"):
        n = sum(1 for c in diff.changed if c.kind == kind and not c.status_changed)
        if n:
            parts.append(f"{_count(n, kind)} changed")
    parts.extend(f"{r.id} deleted (!)" for r in diff.removed)
    if not parts:
        parts.append("no record changes")
    if diff.moved:
        n = len(diff.moved)
        parts.append(f"{n} {'record' if n == 1 else 'records'} moved between files (not a change)")
    return ", ".join(parts)


def value_text(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _to_label(diff: LedgerDiff) -> str:
    return diff.to_rev if diff.to_rev is not None else "working tree"


# --- text ---------------------------------------------------------------------------


def _change_lines(changes: tuple[FieldChange, ...], indent: str) -> list[str]:
    return [f"{indent}{c.field}: {value_text(c.old)} → {value_text(c.new)}" for c in changes]


def diff_text(diff: LedgerDiff) -> str:
    lines = [
        f"ledger diff {diff.from_rev} → {_to_label(diff)} (status as of {diff.as_of.isoformat()})",
        summary(diff),
    ]
    if not diff.from_exists:
        lines.append(f"(no ledger at {diff.from_rev}: every record is added)")
    for r in diff.added:
        status = f"  [{r.status}]" if r.status else ""
        lines.append(f"+ {KIND_SINGULAR[r.kind]} {r.id}  {r.file}{status}")
    for r in diff.removed:
        lines.append(f"- {KIND_SINGULAR[r.kind]} {r.id}  {r.file}  DELETED (records are never "
                     "deleted)")
    for c in diff.changed:
        status = f"  [{c.status_from} → {c.status_to}]" if c.status_changed else ""
        where = c.file_to if c.file_from == c.file_to else f"{c.file_from} → {c.file_to}"
        lines.append(f"~ {KIND_SINGULAR[c.kind]} {c.id}  {where}{status}")
        lines.extend(_change_lines(c.changes, "    "))
    for kind, rid, a, b in diff.moved:
        lines.append(f"> {KIND_SINGULAR[kind]} {rid}  {a} → {b} (moved, unchanged)")
    return "\n".join(lines) + "\n"


# --- Markdown -----------------------------------------------------------------------


def _cell(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "")
    text = text.replace("\n", "<br>")
    return text if len(text) <= 200 else text[:197] + "…"


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else text


def diff_markdown(diff: LedgerDiff) -> str:
    """A pull-request comment: a heading, the summary line, then tables."""
    out = [
        f"### safeledger: ledger changes {_code(diff.from_rev)} → "
        + (_code(diff.to_rev) if diff.to_rev is not None else "working tree"),
        "",
        f"**{_cell(summary(diff))}**",
        "",
        f"Status as of {diff.as_of.isoformat()}.",
    ]
    if not diff.from_exists:
        out += ["", f"There is no ledger at {_code(diff.from_rev)}: every record is added."]
    if diff.removed:
        out += [
            "",
            "#### ⚠️ Deleted records",
            "",
            "A record is never deleted (整改台账不得删除): close a hazard instead, or record "
            "a correction in its `amendments` (修改记录).",
            "",
            "| kind | id | file | last status |",
            "|---|---|---|---|",
        ]
        out += [f"| {KIND_SINGULAR[r.kind]} | **{_cell(r.id)}** | {_cell(r.file)} | "
                f"{r.status or '—'} |" for r in diff.removed]
    if diff.added:
        out += ["", "#### Added", "", "| kind | id | file | status |", "|---|---|---|---|"]
        out += [f"| {KIND_SINGULAR[r.kind]} | {_cell(r.id)} | {_cell(r.file)} | "
                f"{r.status or '—'} |" for r in diff.added]
    if diff.changed:
        out += ["", "#### Changed", "", "| kind | id | status | fields |", "|---|---|---|---|"]
        for c in diff.changed:
            status = f"{c.status_from} → **{c.status_to}**" if c.status_changed else (
                c.status_to or "—")
            out.append(f"| {KIND_SINGULAR[c.kind]} | {_cell(c.id)} | {status} | "
                       f"{_cell(', '.join(c.fields))} |")
        out += ["", "<details><summary>Field changes (old → new)</summary>", ""]
        out += ["| id | field | old | new |", "|---|---|---|---|"]
        for c in diff.changed:
            for ch in c.changes:
                out.append(f"| {_cell(c.id)} | {ch.field} | {_cell(value_text(ch.old))} | "
                           f"{_cell(value_text(ch.new))} |")
        out += ["", "</details>"]
    if diff.moved:
        out += ["", f"{len(diff.moved)} record(s) moved to another file without changes."]
    return "\n".join(out) + "\n"


def diff_json(diff: LedgerDiff) -> str:
    return json.dumps(diff.to_json(), ensure_ascii=False, indent=2) + "\n"


# --- history ------------------------------------------------------------------------


def history_text(history: RecordHistory) -> str:
    if not history.entries:
        return f"{history.id}: no commit touched this record\n"
    lines = [f"history of {history.id} (oldest first)"]
    for e in history.entries:
        lines.append("")
        lines.append(f"{e.commit[:10]}  {e.date}  {e.author} <{e.email}>  {e.action}")
        lines.append(f"    {e.subject}")
        where = e.file_to if e.file_from in (None, e.file_to) else f"{e.file_from} → {e.file_to}"
        if e.action == "removed":
            where = e.file_from
        lines.append(f"    file: {where}")
        if e.status_from != e.status_to:
            lines.append(f"    status: {e.status_from or '—'} → {e.status_to or '—'}")
        if e.action == "created":
            lines.extend(f"    {c.field}: {value_text(c.new)}" for c in e.changes)
        else:
            lines.extend(_change_lines(e.changes, "    "))
    return "\n".join(lines) + "\n"


def history_json(history: RecordHistory) -> str:
    return json.dumps(history.to_json(), ensure_ascii=False, indent=2) + "\n"
