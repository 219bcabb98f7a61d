"""The editing commands: ``new hazard``, ``rectify``, ``verify``, ``extend``.

Every edit runs under the ledger lock, loads the ledger, refuses what the format's
rules forbid (with a message saying why and what to do), changes the record in its file
(YAML through ruamel.yaml's round-trip tree, CSV in place), writes the file atomically,
then re-checks the ledger: if the edit introduced an error for that record, the original
bytes are put back and the errors are reported.  An edit never leaves an invalid record.

Verification semantics (spec 4.1 and :mod:`safeledger.evaluate.status`):

* ``verified_on`` / ``verified_by`` / ``verification`` hold the record's *latest*
  verification when it passed (the hazard is closed, 销号).
* ``verify --fail`` appends ``{on, by, result: fail, note}`` to ``reinspections``
  (oldest first).  If the record already has a ``verified_on`` (being superseded), it
  is first moved into ``reinspections`` with its own result, and the three keys are
  removed, so that a later ``rectified_on`` never precedes ``verified_on``.
* A passing ``verify`` on a record that still has an older ``verified_on`` moves that
  one into ``reinspections`` first, then sets the three keys.
* ``rectify`` after a failed verification moves ``rectified_on`` forward to the new
  date (the format keeps one ``rectified_on``; the earlier date stays in git history).
"""

from __future__ import annotations

import datetime as dt
import difflib
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString

from safeledger.api import LoadResult, load_ledger
from safeledger.diagnostics import ERROR, Diagnostic
from safeledger.edit.editors import CsvRecord, EditRefused, RecordEditor, YamlRecord
from safeledger.edit.yamlrt import make_yaml
from safeledger.errors import SafeledgerError, UsageError
from safeledger.evaluate.status import effective_deadline, latest_verification
from safeledger.fileio import DEFAULT_LOCK_TIMEOUT, ledger_lock, write_atomic
from safeledger.model import Hazard
from safeledger.model.enums import Level, Source, Verification
from safeledger.validate.records import record_id

__all__ = [
    "EditRefused",
    "EditResult",
    "HazardDraft",
    "allocate_id",
    "extend",
    "new_hazard",
    "rectify",
    "verify",
]

_FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(slots=True)
class EditResult:
    hazard_id: str
    file: str  # relative to the ledger root
    message: str
    warnings: list[Diagnostic] = field(default_factory=list)  # the record's warnings after
    notes: list[str] = field(default_factory=list)


def _d(value: dt.date) -> str:
    return value.isoformat()


# --- the common path -------------------------------------------------------------------


def _find(loaded: LoadResult, hazard_id: str) -> tuple[Hazard, str, int, int | None]:
    ref = loaded.ledger.sources.get(("hazards", hazard_id))
    hazard = loaded.ledger.hazard_by_id().get(hazard_id)
    if ref is None or hazard is None:
        known = [h.id for h in loaded.ledger.hazards]
        close = difflib.get_close_matches(hazard_id, known, n=3)
        invalid = [
            r.file for r in loaded.raw.records if r.kind == "hazards" and record_id(r) == hazard_id
        ]
        if invalid:
            raise EditRefused(
                f"hazard {hazard_id} in {invalid[0]} has errors, so it cannot be edited safely",
                hint="run safeledger check, fix the record, then try again",
            )
        raise EditRefused(
            f"no hazard with id '{hazard_id}' in this ledger",
            hint=("did you mean " + ", ".join(close) + "?")
            if close
            else "safeledger status lists them",
        )
    return hazard, ref.file, ref.index, ref.line


def _open_editor(root: Path, file: str, index: int, line: int | None) -> tuple[RecordEditor, bytes]:
    path = root / file
    raw = path.read_bytes()
    if file.lower().endswith(".csv"):
        if line is None:
            raise SafeledgerError(f"{file}: the row of record {index + 1} is not known")
        return CsvRecord(raw, file, line, Hazard), raw
    return YamlRecord.open(raw, file, index, Hazard), raw


def _diag_key(d: Diagnostic) -> tuple[str, str | None, str]:
    return (d.code, d.field, d.message)


def _record_diags(loaded: LoadResult, hazard_id: str, file: str) -> list[Diagnostic]:
    return [
        d
        for d in loaded.diagnostics
        if d.record == hazard_id or (d.file == file and d.record is None)
    ]


def _check_after(
    root: Path,
    hazard_id: str,
    file: str,
    before: Iterable[Diagnostic],
    today: dt.date,
    restore: Callable[[], None],
) -> list[Diagnostic]:
    """Reload; if the edit introduced errors for the record, restore and raise."""
    seen = {_diag_key(d) for d in before}
    try:
        after = load_ledger(root, today=today)
    except BaseException:
        restore()
        raise
    mine = _record_diags(after, hazard_id, file)
    new_errors = [d for d in mine if d.severity == ERROR and _diag_key(d) not in seen]
    if new_errors:
        restore()
        lines = "\n".join(f"  {d.file}:{d.line or '?'}: {d.code}: {d.message}" for d in new_errors)
        raise EditRefused(
            f"the edit of {hazard_id} would make the record invalid, so nothing was "
            f"changed:\n{lines}"
        )
    return [d for d in mine if d.severity != ERROR and _diag_key(d) not in seen]


def _edit(
    root: Path,
    hazard_id: str,
    today: dt.date,
    wait: float,
    change: Callable[[Hazard, RecordEditor], tuple[str, list[str]]],
) -> EditResult:
    root = Path(root)
    with ledger_lock(root, wait):
        loaded = load_ledger(root, today=today)
        hazard, file, index, line = _find(loaded, hazard_id)
        editor, original = _open_editor(root, file, index, line)
        message, notes = change(hazard, editor)
        data = editor.render()
        if data == original:
            return EditResult(hazard_id, file, message + " (no change)", [], notes)
        path = root / file
        write_atomic(path, data)
        warnings = _check_after(
            root,
            hazard_id,
            file,
            _record_diags(loaded, hazard_id, file),
            today,
            lambda: write_atomic(path, original),
        )
        return EditResult(hazard_id, file, message, warnings, notes)


def _not_before(what: str, day: dt.date, other_name: str, other: dt.date | None) -> None:
    if other is not None and day < other:
        raise EditRefused(f"{what} {_d(day)} is before {other_name} {_d(other)}")


def _not_future(what: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise EditRefused(
            f"{what} {_d(day)} is after today ({_d(today)}); record events when they have happened"
        )


def _old_verification(hazard: Hazard) -> dict[str, Any] | None:
    if hazard.verified_on is None:
        return None
    result = hazard.verification_result or Verification.passed
    return {"on": hazard.verified_on, "by": hazard.verified_by, "result": Verification(result)}


def _supersede_verified_on(hazard: Hazard, editor: RecordEditor) -> bool:
    """Move the record's verified_on (an older verification) into reinspections."""
    old = _old_verification(hazard)
    if old is None:
        return False
    editor.append("reinspections", old)
    return True


def _clear_verified(editor: RecordEditor) -> None:
    for name in ("verification", "verified_by", "verified_on"):
        editor.remove(name)


def _append_note(editor: RecordEditor, text: str) -> None:
    value = editor.get("notes")
    current = str(value).rstrip() if value not in (None, "") else ""
    editor.set("notes", f"{current}；{text}" if current else text)


# --- rectify ---------------------------------------------------------------------------


def rectify(
    root: Path,
    hazard_id: str,
    *,
    on: dt.date,
    today: dt.date,
    measures: str | None = None,
    evidence: Iterable[str] = (),
    wait: float = DEFAULT_LOCK_TIMEOUT,
) -> EditResult:
    """Record that the hazard was rectified (整改完成) on ``on``."""
    evidence = list(evidence)

    def change(h: Hazard, editor: RecordEditor) -> tuple[str, list[str]]:
        _not_before("rectified_on (整改完成日期)", on, "found_on (发现日期)", h.found_on)
        _not_future("rectified_on (整改完成日期)", on, today)
        last = latest_verification(h, _FAR_FUTURE)
        if h.rectified_on is not None and (last is None or h.rectified_on > last.on):
            raise EditRefused(
                f"{h.id} was already rectified on {_d(h.rectified_on)} and waits for verification",
                hint=f"record the verification with: safeledger verify {h.id} --on DATE --by NAME",
            )
        if last is not None and last.passed:
            raise EditRefused(
                f"{h.id} is closed (已销号): it passed verification on {_d(last.on)}",
                hint="a closed hazard is not rectified again; record a new hazard if the "
                "problem is back",
            )
        if last is not None and on <= last.on:
            raise EditRefused(
                f"the rectification date {_d(on)} must be after the failed verification of "
                f"{_d(last.on)} (复查不合格后重新整改)"
            )
        if not measures and not h.measures:
            raise EditRefused(
                f"{h.id} has no measures (整改措施); say what was done with --measures TEXT"
            )
        if h.verified_on is not None:  # a failed conclusion left in verified_on
            _supersede_verified_on(h, editor)
            _clear_verified(editor)
        if measures:
            editor.set("measures", measures)
        editor.set("rectified_on", on)
        if evidence:
            editor.add_to_list("evidence", evidence)
        late = on > effective_deadline(h, on)[0]
        return (
            f"{h.id}: rectified on {_d(on)}" + (" (after the deadline)" if late else ""),
            [],
        )

    return _edit(root, hazard_id, today, wait, change)


# --- verify ----------------------------------------------------------------------------


def verify(
    root: Path,
    hazard_id: str,
    *,
    on: dt.date,
    by: str,
    today: dt.date,
    failed: bool = False,
    note: str | None = None,
    evidence: Iterable[str] = (),
    wait: float = DEFAULT_LOCK_TIMEOUT,
) -> EditResult:
    """Record a verification (复查).  A pass closes the hazard; ``failed`` records a failed
    one in ``reinspections`` and sends the hazard back to rectification."""
    evidence = list(evidence)
    by = by.strip()
    if not by:
        raise UsageError("--by: give the name of the person who verified")

    def change(h: Hazard, editor: RecordEditor) -> tuple[str, list[str]]:
        if h.rectified_on is None:
            raise EditRefused(
                f"{h.id} has not been rectified yet, so it cannot be verified",
                hint=f"record the rectification first: safeledger rectify {h.id} --on DATE",
            )
        _not_before("the verification date", on, "found_on (发现日期)", h.found_on)
        _not_before("the verification date", on, "rectified_on (整改完成日期)", h.rectified_on)
        _not_future("the verification date", on, today)
        last = latest_verification(h, _FAR_FUTURE)
        if last is not None and last.on >= h.rectified_on:
            if last.passed:
                raise EditRefused(f"{h.id} already passed verification on {_d(last.on)} (已销号)")
            raise EditRefused(
                f"{h.id} failed verification on {_d(last.on)}; it must be rectified again first",
                hint=f"safeledger rectify {h.id} --on DATE [--measures TEXT]",
            )
        notes: list[str] = []
        moved = _supersede_verified_on(h, editor)
        if moved and h.verified_on is not None:
            notes.append(
                f"the earlier verification of {_d(h.verified_on)} was moved to reinspections"
            )
        if failed:
            if moved:
                _clear_verified(editor)
            editor.append(
                "reinspections",
                {"on": on, "by": by, "result": Verification.failed, "note": note},
            )
            message = f"{h.id}: verification on {_d(on)} by {by} failed; back to rectification"
        else:
            editor.set("verified_on", on)
            editor.set("verified_by", by)
            editor.set("verification", Verification.passed)
            if note:
                _append_note(editor, f"复查（{_d(on)}）：{note}")
            message = f"{h.id}: verified on {_d(on)} by {by}: passed, closed (已销号)"
        if evidence:
            editor.add_to_list("evidence", evidence)
        return message, notes

    return _edit(root, hazard_id, today, wait, change)


# --- extend ----------------------------------------------------------------------------


def extend(
    root: Path,
    hazard_id: str,
    *,
    to: dt.date,
    approved_by: str,
    on: dt.date,
    reason: str,
    today: dt.date,
    wait: float = DEFAULT_LOCK_TIMEOUT,
) -> EditResult:
    """Record an approved extension of the deadline (延期)."""
    approved_by, reason = approved_by.strip(), reason.strip()
    if not approved_by or not reason:
        raise UsageError("--approved-by and --reason must not be empty")

    def change(h: Hazard, editor: RecordEditor) -> tuple[str, list[str]]:
        _not_before("the approval date", on, "found_on (发现日期)", h.found_on)
        _not_future("the approval date", on, today)
        last = latest_verification(h, _FAR_FUTURE)
        open_again = (
            last is not None
            and not last.passed
            and (h.rectified_on is None or h.rectified_on <= last.on)
        )
        if h.rectified_on is not None and not open_again:
            raise EditRefused(
                f"{h.id} was rectified on {_d(h.rectified_on)}; an extension is for work "
                "not yet done"
            )
        current, _ = effective_deadline(h, _FAR_FUTURE)
        if to <= current:
            raise EditRefused(
                f"the new deadline {_d(to)} is not later than the current deadline {_d(current)}",
                hint="an extension moves the deadline later",
            )
        notes: list[str] = []
        editor.append(
            "extensions", {"to": to, "approved_by": approved_by, "on": on, "reason": reason}
        )
        if isinstance(editor, CsvRecord):
            _append_note(editor, f"延期至{_d(to)}（{approved_by}于{_d(on)}批准：{reason}）")
            notes.append(
                "a CSV record keeps only the new deadline in its 延期至 column; the approval "
                "(who, when, why) was added to notes (备注)"
            )
        return f"{h.id}: deadline extended to {_d(to)} (was {_d(current)})", notes

    return _edit(root, hazard_id, today, wait, change)


# --- new hazard ------------------------------------------------------------------------


@dataclass(slots=True)
class HazardDraft:
    enterprise: str
    location: str
    category: str
    level: str
    description: str
    responsible: str
    deadline: dt.date
    found_on: dt.date | None = None  # default: today
    found_by: str | None = None
    source: str | None = None
    community: str | None = None
    interim_measures: str | None = None
    plan: str | None = None
    reported_on: dt.date | None = None
    funds: str | None = None
    notes: str | None = None


def _id_pattern(fmt: str) -> tuple[list[tuple[str, str | None, str]], set[str]]:
    try:
        parts = [(lit, name, spec or "") for lit, name, spec, _ in string.Formatter().parse(fmt)]
    except ValueError as exc:
        raise UsageError(f"id_format '{fmt}' in safeledger.yaml is not valid: {exc}") from None
    names = {n for _, n, _ in parts if n}
    unknown = names - {"year", "month", "seq"}
    if "seq" not in names or unknown:
        raise UsageError(
            f"id_format '{fmt}' in safeledger.yaml must contain {{seq}} and may use only "
            "{year}, {month} and {seq}, e.g. H-{year}-{seq:03d}"
        )
    return parts, names


def allocate_id(fmt: str, existing: Iterable[str], found_on: dt.date) -> str:
    """The next id for a hazard found on ``found_on``: ``fmt`` with ``seq`` = 1 + the
    highest seq among ``existing`` ids of the same year (and month, when the format has
    one) that match the format."""
    import re

    parts, names = _id_pattern(fmt)
    regex = ""
    for lit, name, _spec in parts:
        regex += re.escape(lit)
        if name == "year":
            regex += r"(?P<year>\d{4})"
        elif name == "month":
            regex += r"(?P<month>\d{1,2})"
        elif name == "seq":
            regex += r"(?P<seq>\d+)"
    pattern = re.compile(regex + r"\Z")
    highest = 0
    for rid in existing:
        m = pattern.match(rid)
        if not m:
            continue
        if "year" in names and int(m.group("year")) != found_on.year:
            continue
        if "month" in names and int(m.group("month")) != found_on.month:
            continue
        highest = max(highest, int(m.group("seq")))
    return fmt.format(year=found_on.year, month=found_on.month, seq=highest + 1)


def _require(value: str | None, option: str) -> str:
    if value is None or not value.strip():
        raise UsageError(f"{option} must not be empty")
    return value.strip()


def new_hazard(
    root: Path, draft: HazardDraft, *, today: dt.date, wait: float = DEFAULT_LOCK_TIMEOUT
) -> EditResult:
    """Write a new hazard record, one file ``hazards/<year>/<id>.yaml``, with the next id."""
    root = Path(root)
    found_on = draft.found_on or today
    with ledger_lock(root, wait):
        loaded = load_ledger(root, today=today)
        ledger, config = loaded.ledger, loaded.ledger.config
        enterprises = ledger.enterprise_by_id()
        ent_id = _require(draft.enterprise, "--enterprise")
        if ent_id not in enterprises:
            by_name = {e.name: e.id for e in ledger.enterprises}
            if ent_id in by_name:
                ent_id = by_name[ent_id]
            else:
                close = difflib.get_close_matches(ent_id, [*enterprises, *by_name], n=3)
                raise EditRefused(
                    f"--enterprise '{ent_id}' is neither an enterprise id nor a name in "
                    "this ledger",
                    hint=("did you mean " + ", ".join(close) + "?")
                    if close
                    else "enterprise records are under enterprises/",
                )
        category = _require(draft.category, "--category")
        if category not in config.categories:
            raise EditRefused(
                f"--category '{category}' is not one of the categories: "
                + ", ".join(config.categories)
            )
        level = Level.parse(draft.level)
        if level is None:
            raise EditRefused(
                f"--level '{draft.level}' is not accepted; use one of: {Level.accepted()}"
            )
        source = None
        if draft.source:
            source = Source.parse(draft.source)
            if source is None:
                raise EditRefused(
                    f"--source '{draft.source}' is not accepted; use one of: {Source.accepted()}"
                )
        if (
            draft.community
            and config.communities is not None
            and draft.community not in config.communities
        ):
            raise EditRefused(
                f"--community '{draft.community}' is not one of the communities in "
                "safeledger.yaml: " + ", ".join(config.communities)
            )
        _not_future("found_on (发现日期)", found_on, today)
        _not_before("the deadline (整改期限)", draft.deadline, "found_on (发现日期)", found_on)
        if draft.reported_on is not None:
            _not_before(
                "reported_on (上报日期)", draft.reported_on, "found_on (发现日期)", found_on
            )
            _not_future("reported_on (上报日期)", draft.reported_on, today)
        if level == Level.major and not (draft.interim_measures and draft.reported_on):
            raise EditRefused(
                "a major hazard (重大事故隐患) needs --interim-measures (防范措施) and "
                "--reported-on "
                "(the date it was reported to the authority, 上报日期)"
            )
        existing = [record_id(r) or "" for r in loaded.raw.records if r.kind == "hazards"]
        hazard_id = allocate_id(config.id_format, existing, found_on)
        rel = f"hazards/{found_on.year}/{hazard_id}.yaml"
        path = root / rel
        if path.exists():
            raise EditRefused(f"{rel} already exists; not overwriting it")
        values: dict[str, Any] = {
            "id": hazard_id,
            "found_on": found_on,
            "found_by": draft.found_by,
            "source": source,
            "enterprise": ent_id,
            "community": draft.community,
            "location": _require(draft.location, "--location"),
            "category": category,
            "level": level,
            "description": _require(draft.description, "--description"),
            "interim_measures": draft.interim_measures,
            "plan": draft.plan,
            "responsible": _require(draft.responsible, "--responsible"),
            "funds": draft.funds,
            "deadline": draft.deadline,
            "reported_on": draft.reported_on,
            "notes": draft.notes,
        }
        data = render_new_hazard(values, today)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)

        def restore() -> None:
            path.unlink(missing_ok=True)

        warnings = _check_after(root, hazard_id, rel, [], today, restore)
        return EditResult(hazard_id, rel, f"{hazard_id}: written to {rel}", warnings)


def render_new_hazard(values: dict[str, Any], today: dt.date) -> bytes:
    """A new record file: a header comment, then the fields in the format's order."""
    node = CommentedMap()
    for name in Hazard.model_fields:
        value = values.get(name)
        if value is None or value == "":
            continue
        if hasattr(value, "value") and not isinstance(value, dt.date):
            value = value.value
        if isinstance(value, str) and "\n" in value:
            value = LiteralScalarString(value)
        node[name] = value
    node.yaml_set_start_comment(
        f"隐患记录 {values['id']} (hazard record), created by `safeledger new hazard` on "
        f"{today.isoformat()}.\nFields: see docs/editing.md; edit with safeledger rectify / "
        "verify / extend to keep the history."
    )
    import io

    buf = io.StringIO()
    make_yaml().dump(node, buf)
    return buf.getvalue().encode("utf-8")
