"""Cross-record rules of spec 4.2: each function takes validated records (with where
they are written) and yields diagnostics.  Rules never print and never raise."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from safeledger.diagnostics import ERROR, WARNING, Anchor, Diagnostic
from safeledger.model import Activity, Config, Enterprise, Hazard, Level, Verification
from safeledger.model.credit_code import credit_code_problem
from safeledger.model.records import Inspection, Interview, Record
from safeledger.read.evidence import evidence_problem
from safeledger.validate.keys import describe
from safeledger.validate.ledger import RecordRef
from safeledger.validate.records import WrittenPaths

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_DOC_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt", ".md")


class Located(NamedTuple):
    """A validated record and where it is written (a tuple: one is made per record)."""

    record: Record
    ref: RecordRef
    written: WrittenPaths  # canonical -> written key path


def _diag(
    loc: Located,
    code: str,
    message: str,
    *,
    field: str | None = None,
    severity: str = ERROR,
    hint: str | None = None,
    path: tuple[str | int, ...] | None = None,
) -> Diagnostic:
    canonical = path if path is not None else ((field,) if field else ())
    written = loc.written.get(canonical, ()) if canonical else ()
    if canonical and not written and field:
        written = loc.written.get((field,), ())
    ref = loc.ref
    line, column, anchor = ref.line, None, None
    if ref.column is not None:  # YAML, record start known: only field paths need locating
        if written:
            line, anchor = None, Anchor(ref.index, written)
        else:
            column = ref.column
    elif line is None:
        anchor = Anchor(ref.index, written)
    return Diagnostic(
        code=code,
        severity=severity,  # type: ignore[arg-type]
        message=message,
        file=ref.file,
        line=line,
        column=column,
        record=getattr(loc.record, "id", None),
        field=field,
        hint=hint,
        anchor=anchor,
    )


def duplicate_ids(kind: str, records: list[Located]) -> Iterator[Diagnostic]:
    ids = [loc.record.id for loc in records]  # type: ignore[attr-defined]
    if len(set(ids)) == len(ids):
        return  # the common case, found without a Python loop
    seen: set[str] = set()
    repeated: set[str] = set()
    for rid in ids:
        if rid in seen:
            repeated.add(rid)
        seen.add(rid)
    by_id: dict[str, list[Located]] = defaultdict(list)  # in order of first use
    for loc in records:
        if loc.record.id in repeated:  # type: ignore[attr-defined]
            by_id[loc.record.id].append(loc)  # type: ignore[attr-defined]
    for rid, places in by_id.items():
        names = [_place(p.ref) for p in places]
        for loc, here in zip(places, names, strict=True):
            others = ", ".join(n for n in names if n != here) or here
            yield _diag(
                loc,
                "duplicate-id",
                f"{kind[:-1]} id '{rid}' is used {len(places)} times; also at {others}",
                field="id",
                hint="give every record its own id",
            )


def _place(ref: RecordRef) -> str:
    # CSV rows are named by line; YAML records by their number in the file
    csv_row = ref.line and ref.column is None
    return f"{ref.file}:{ref.line}" if csv_row else f"{ref.file} (record {ref.index + 1})"


def references(
    hazards: list[Located],
    activities: list[Located],
    enterprise_ids: set[str],
    hazard_ids: set[str],
) -> Iterator[Diagnostic]:
    yield from enterprise_references([*hazards, *activities], enterprise_ids)
    yield from hazard_references(activities, hazard_ids)


def enterprise_references(records: list[Located], enterprise_ids: set[str]) -> Iterator[Diagnostic]:
    """The enterprise each hazard or activity names is one of the ledger's."""
    # "Did you mean" compares a value with every id: remember the answer per value, so
    # many records naming the same unknown id cost one search (not one each).
    suggested: dict[str, str | None] = {}
    for loc in records:
        ent = loc.record.enterprise  # type: ignore[attr-defined]
        if ent not in enterprise_ids:
            if ent not in suggested:
                suggested[ent] = _suggest(ent, enterprise_ids)
            yield _diag(
                loc,
                "unknown-enterprise",
                f"enterprise (责任单位) '{ent}' is not an enterprise id of this ledger",
                field="enterprise",
                hint=suggested[ent],
            )


def hazard_references(activities: list[Located], hazard_ids: set[str]) -> Iterator[Diagnostic]:
    """The hazards an inspection or interview names are the ledger's."""
    suggested: dict[str, str | None] = {}
    for loc in activities:
        rec = loc.record
        if isinstance(rec, Inspection | Interview):
            for i, hid in enumerate(rec.hazards):
                if hid not in hazard_ids:
                    if hid not in suggested:
                        suggested[hid] = _suggest(hid, hazard_ids)
                    yield _diag(
                        loc,
                        "unknown-hazard",
                        f"hazards[{i}] '{hid}' is not a hazard id of this ledger",
                        field="hazards",
                        path=("hazards",),
                        hint=suggested[hid],
                    )


def _suggest(value: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(value, list(known), n=3)
    return ("did you mean " + ", ".join(f"'{c}'" for c in close) + "?") if close else None


def configured_values(config: Config, records: list[Located]) -> Iterator[Diagnostic]:
    checks = [
        (field, allowed, key)
        for field, allowed, key in (
            ("community", config.communities, "communities"),
            ("domain", config.domains, "domains"),
            ("category", config.categories, "categories"),
        )
        if allowed is not None
    ]
    for loc in records:
        values = loc.record.__dict__
        for field, allowed, key in checks:
            value = values.get(field)
            if value is None or value in allowed:
                continue
            yield _diag(
                loc,
                f"unknown-{field}",
                f"{describe(type(loc.record), field)} '{value}' is not one of the {key} in "
                f"safeledger.yaml: {', '.join(allowed)}",
                field=field,
                hint=f"use one of them, or add '{value}' to {key} in safeledger.yaml",
            )


def hazard_rules(
    loc: Located, *, today: dt.date, root: Path, evidence_files: set[str]
) -> Iterator[Diagnostic]:
    h = loc.record
    assert isinstance(h, Hazard)
    yield from _chronology(loc, h, today)
    if h.rectified_on or h.verified_on or h.verification is not None:
        yield from _closure(loc, h)
    if h.level == Level.major:
        yield from _major(loc, h)
    for i, path in enumerate(h.evidence):
        problem = evidence_problem(path, root, evidence_files)
        if problem:
            yield _diag(
                loc,
                "evidence",
                f"evidence[{i}] '{path}' {problem}",
                field="evidence",
                hint="paths are relative to the ledger root, e.g. evidence/2025/photo.jpg",
            )
    if h.plan and _looks_like_path(h.plan):
        problem = evidence_problem(h.plan, root, evidence_files)
        if problem:
            yield _diag(loc, "evidence", f"plan (治理方案) '{h.plan}' {problem}", field="plan")


def _chronology(loc: Located, h: Hazard, today: dt.date) -> Iterator[Diagnostic]:
    m = type(h)
    found_on, rectified_on, verified_on = h.found_on, h.rectified_on, h.verified_on
    if h.deadline < found_on:
        yield _diag(
            loc,
            "chronology",
            f"{describe(m, 'deadline')} {h.deadline} is before "
            f"{describe(m, 'found_on')} {found_on}",
            field="deadline",
        )
    if rectified_on and rectified_on < found_on:
        yield _diag(
            loc,
            "chronology",
            f"{describe(m, 'rectified_on')} {rectified_on} is before "
            f"{describe(m, 'found_on')} {found_on}",
            field="rectified_on",
        )
    if verified_on and rectified_on and verified_on < rectified_on:
        yield _diag(
            loc,
            "chronology",
            f"{describe(m, 'verified_on')} {verified_on} is before "
            f"{describe(m, 'rectified_on')} {rectified_on}",
            field="verified_on",
        )
    for i, ext in enumerate(h.extensions):
        if ext.to < h.deadline:
            yield _diag(
                loc,
                "chronology",
                f"extensions[{i}].to {ext.to} is before the deadline "
                f"{h.deadline}; an extension moves the deadline later",
                field="extensions",
                path=("extensions", i, "to"),
                severity=WARNING,
            )
        if ext.on and ext.on < found_on:
            yield _diag(
                loc,
                "chronology",
                f"extensions[{i}].on {ext.on} is before found_on {found_on}",
                field="extensions",
                path=("extensions", i, "on"),
            )
    for i, re_ in enumerate(h.reinspections):
        if re_.on < found_on:
            yield _diag(
                loc,
                "chronology",
                f"reinspections[{i}].on {re_.on} is before found_on {found_on}",
                field="reinspections",
                path=("reinspections", i, "on"),
            )
    # Dates after today, in this order: the record's own dates, then the nested ones.
    for name in ("found_on", "rectified_on", "verified_on", "reported_on"):
        value = getattr(h, name)
        if value is not None and value > today:
            yield _future(loc, name, (name,), value, today)
    for i, r in enumerate(h.reinspections):
        if r.on > today:
            yield _future(loc, f"reinspections[{i}].on", ("reinspections", i, "on"), r.on, today)
    for i, e in enumerate(h.extensions):
        if e.on is not None and e.on > today:
            yield _future(loc, f"extensions[{i}].on", ("extensions", i, "on"), e.on, today)


def _future(
    loc: Located, name: str, path: tuple[str | int, ...], value: dt.date, today: dt.date
) -> Diagnostic:
    return _diag(
        loc,
        "future-date",
        f"{name} {value} is after today ({today}); record events when they have happened",
        field=str(path[0]),
        path=path,
    )


def _closure(loc: Located, h: Hazard) -> Iterator[Diagnostic]:
    m = type(h)
    if h.rectified_on and not h.measures:
        yield _diag(
            loc,
            "closure",
            f"{describe(m, 'measures')} is required once the hazard is "
            f"rectified ({describe(m, 'rectified_on')} {h.rectified_on})",
            field="measures",
        )
    if h.verified_on:
        if not h.rectified_on:
            yield _diag(
                loc,
                "closure",
                f"{describe(m, 'verified_on')} is set but "
                f"{describe(m, 'rectified_on')} is not: a hazard is verified after it is "
                "rectified",
                field="verified_on",
            )
        if not h.verified_by:
            yield _diag(
                loc,
                "closure",
                f"{describe(m, 'verified_by')} is required with {describe(m, 'verified_on')}",
                field="verified_on",
            )
        elif h.verified_by == h.responsible:
            yield _diag(
                loc,
                "self-verified",
                f"{describe(m, 'verified_by')} '{h.verified_by}' is "
                f"also {describe(m, 'responsible')}; re-inspection should be done by "
                "someone else",
                field="verified_by",
                severity=WARNING,
            )
    elif h.verification is not None:
        yield _diag(
            loc,
            "closure",
            f"{describe(m, 'verification')} is set without {describe(m, 'verified_on')}",
            field="verification",
        )


def _is_closed(h: Hazard) -> bool:
    """Closed by the record's latest verification (whatever the date)."""
    # On the same day verified_on (the record's own conclusion) wins over a reinspection,
    # as in the status engine (safeledger.evaluate.status).
    events = [(r.on, 0, r.result) for r in h.reinspections]
    if h.verified_on:
        events.append((h.verified_on, 1, h.verification_result or Verification.passed))
    if not events:
        return False
    on, _, result = max(events, key=lambda e: (e[0], e[1]))
    return result == Verification.passed and not (h.rectified_on and h.rectified_on > on)


def _major(loc: Located, h: Hazard) -> Iterator[Diagnostic]:
    if not h.is_major:
        return
    m = type(h)
    closed = _is_closed(h)
    if not closed and not h.interim_measures:
        yield _diag(
            loc,
            "major-interim-measures",
            f"a major hazard that is not closed needs {describe(m, 'interim_measures')}",
            field="interim_measures",
        )
    if not h.reported_on:
        yield _diag(
            loc,
            "major-reported",
            f"a major hazard needs {describe(m, 'reported_on')}: "
            "the date it was reported to the authority",
            field="reported_on",
        )
    if closed and not h.evidence:
        yield _diag(
            loc,
            "major-evidence",
            f"a major hazard is closed only with {describe(m, 'evidence')}",
            field="evidence",
        )
    if not h.plan:
        yield _diag(
            loc,
            "major-plan",
            f"a major hazard has no {describe(m, 'plan')} (五落实: 措施、资金、期限、责任人、预案)",
            field="plan",
            severity=WARNING,
        )


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and ("/" in text or text.lower().endswith(_DOC_SUFFIXES))


def enterprise_rules(loc: Located) -> Iterator[Diagnostic]:
    e = loc.record
    assert isinstance(e, Enterprise)
    m = type(e)
    if e.credit_code is None:
        yield _diag(
            loc,
            "credit-code-missing",
            f"{describe(m, 'credit_code')} is missing",
            severity=WARNING,
            hint="the 18-character code on the business licence",
        )
    else:
        problem = credit_code_problem(e.credit_code)
        if problem:
            yield _diag(
                loc,
                "credit-code",
                f"{describe(m, 'credit_code')} '{e.credit_code}' {problem}",
                field="credit_code",
                hint="check the code on the business licence (GB 32100-2015)",
            )
    if e.principal_phone:
        phone = re.sub(r"[\s()（）]", "", e.principal_phone)
        if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
            yield _diag(
                loc,
                "phone",
                f"{describe(m, 'principal_phone')} '{e.principal_phone}' is "
                "not a mainland mobile (11 digits, 1[3-9]…) or a landline with area code "
                "(e.g. 0431-88886666)",
                field="principal_phone",
            )


def activity_rules(loc: Located, today: dt.date) -> Iterator[Diagnostic]:
    a = loc.record
    assert isinstance(a, Activity)
    if a.date > today:
        yield _diag(
            loc, "future-date", f"date (日期) {a.date} is after today ({today})", field="date"
        )
