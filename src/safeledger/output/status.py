"""How ``safeledger status`` lays out its answer: a rich table, CSV (UTF-8 with BOM,
for Excel) or the JSON of spec section 8, written as it is made.  The answer itself is
:func:`safeledger.evaluate.status.status_report`'s."""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import json
from collections.abc import Callable, Iterator
from functools import partial
from operator import itemgetter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from safeledger._forked import Forked
from safeledger._gc import no_cycle_collection
from safeledger._json import indented
from safeledger.cells import guard
from safeledger.evaluate.duties import CERTIFICATE, MAINTENANCE_PREFIX, DutyResult
from safeledger.evaluate.status import (
    STATUS_ORDER,
    HazardRow,
    StatusFilters,
    StatusReport,
    in_table_order,
    status_duties,
    status_report,
    status_rows,
)
from safeledger.model.enums import Facility, HazardStatus, Level
from safeledger.model.records import Hazard
from safeledger.output.diagnostics import pretty_json
from safeledger.validate import Ledger

STATUS_STYLE: dict[str, str] = {
    HazardStatus.overdue: "red",
    HazardStatus.pending: "",
    HazardStatus.rectified: "yellow",
    HazardStatus.closed: "green",
}
DUTY_STATE_LABEL = {
    "zh-CN": {"met": "已完成", "gap": "未完成", "due": "待完成", "warning": "预警"},
    "en": {"met": "met", "gap": "gap", "due": "due", "warning": "warning"},
}
DUTY_STATE_STYLE = {"met": "green", "gap": "red", "due": "", "warning": "yellow"}
DUTY_LABEL_ZH = {
    "principal_inspection": "主要负责人带队检查",
    "drill": "疏散逃生演练",
    "principal_training": "主要负责人培训",
    CERTIFICATE: "特种作业证书",
}

HAZARD_CSV_COLUMNS = (
    "id",
    "status",
    "status_label",
    "flags",
    "level",
    "enterprise",
    "enterprise_name",
    "community",
    "domain",
    "category",
    "found_on",
    "deadline",
    "effective_deadline",
    "rectified_on",
    "verified_on",
    "verification",
    "days_overdue",
    "days_left",
)
DUTY_CSV_COLUMNS = ("enterprise", "duty", "period", "state", "detail", "start", "end", "activity")


# --- rendering ----------------------------------------------------------------------


def _days(row: HazardRow, zh: bool) -> str:
    s = row.state
    if s.days_overdue is not None:
        return f"逾期{s.days_overdue}天" if zh else f"{s.days_overdue}d late"
    if s.days_left is not None:
        return f"剩{s.days_left}天" if zh else f"{s.days_left}d left"
    return ""


def _table(title: str) -> Table:
    """A borderless table with underlined headings: both status tables look alike."""
    return Table(
        box=None, pad_edge=False, padding=(0, 1), header_style="bold underline", title=title
    )


def render_hazard_table(report: StatusReport, console: Console, *, locale: str = "zh-CN") -> None:
    """One row per hazard; per-status counts at the foot.  Fits 80 columns."""
    zh = locale != "en"
    table = _table(
        f"隐患整改状态（截至 {report.as_of}）" if zh else f"Hazard status as of {report.as_of}"
    )
    table.add_column("编号" if zh else "id", no_wrap=True)
    table.add_column("状态" if zh else "status", no_wrap=True)
    table.add_column("等级" if zh else "level", no_wrap=True)
    # Only these two give way when the console is narrow (truncated with an ellipsis).
    table.add_column("责任单位" if zh else "enterprise", overflow="ellipsis", ratio=3)
    table.add_column("社区" if zh else "community", overflow="ellipsis", ratio=2)
    table.add_column("期限" if zh else "deadline", no_wrap=True)
    table.add_column("天数" if zh else "days", no_wrap=True, justify="right")
    for row in report.hazards:
        h, s = row.hazard, row.state
        status = HazardStatus.label(s.status, locale)
        style = STATUS_STYLE[s.status]
        status_cell = f"[{style}]{escape(status)}[/{style}]" if style else escape(status)
        if s.late:
            status_cell += "[dim]*[/dim]"
        deadline = s.effective_deadline.isoformat()
        if s.extended:
            deadline += "↗"
        table.add_row(
            escape(h.id),
            status_cell,
            escape(Level.label(h.level, locale)[:2] if zh else str(h.level)),
            escape(row.enterprise_name or h.enterprise),
            escape(h.community or ""),
            deadline,
            _days(row, zh),
            style="bold" if h.is_major else None,
        )
    console.print(table)
    counts = report.counts()
    parts = [f"{HazardStatus.label(st, locale)} {counts[str(st)]}" for st in STATUS_ORDER]
    total = len(report.hazards)
    if zh:
        foot = " · ".join(parts) + f" · 共 {total} 条；重大隐患未销号 {counts['major_open']}"
        legend = "↗ 已延期（期限为延期后日期）  * 超期整改  粗体为重大隐患"
    else:
        foot = " · ".join(parts) + f" · {total} in all; major not closed {counts['major_open']}"
        legend = "↗ extended (deadline after extension)  * rectified late  bold: major hazard"
    console.print(escape(foot))
    if report.hazards:
        console.print(f"[dim]{escape(legend)}[/dim]")


def _duty_name(duty: str, zh: bool) -> str:
    if not zh:
        return duty
    if duty.startswith(MAINTENANCE_PREFIX):
        return Facility.label(duty.removeprefix(MAINTENANCE_PREFIX)) + "维保"
    return DUTY_LABEL_ZH.get(duty, duty)


def render_duty_table(report: StatusReport, console: Console, *, locale: str = "zh-CN") -> None:
    """One row per enterprise, duty and period; counts per state at the foot."""
    zh = locale != "en"
    labels = DUTY_STATE_LABEL["en" if not zh else "zh-CN"]
    year_start = dt.date(report.as_of.year, 1, 1)
    table = _table(
        f"单位职责履行情况（{year_start} 至 {report.as_of}）"
        if zh
        else f"Enterprise duties {year_start} to {report.as_of}"
    )
    table.add_column(
        "单位" if zh else "enterprise", no_wrap=True, overflow="ellipsis", max_width=14
    )
    table.add_column("职责" if zh else "duty", no_wrap=True, overflow="ellipsis", max_width=18)
    table.add_column("周期" if zh else "period", no_wrap=True)
    table.add_column("情况" if zh else "state", no_wrap=True)
    table.add_column("说明" if zh else "detail", overflow="fold", ratio=1)
    counts = dict.fromkeys(labels, 0)
    for d in report.duties:
        counts[d.state] += 1
        style = DUTY_STATE_STYLE[d.state]
        state = escape(labels[d.state])
        table.add_row(
            escape(d.enterprise),
            escape(_duty_name(d.duty, zh)),
            escape(d.period),
            f"[{style}]{state}[/{style}]" if style else state,
            escape(d.detail),
        )
    console.print(table)
    console.print(escape(" · ".join(f"{labels[k]} {n}" for k, n in counts.items())))


def _csv_text(header: tuple[str, ...], records: list[dict[str, object]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(header), extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for rec in records:
        # ledger text a spreadsheet would run as a formula (=, +, -, @ ...) gets a ' first
        writer.writerow(
            {
                k: ("" if v is None else guard(v) if isinstance(v, str) else v)
                for k, v in rec.items()
            }
        )
    return buf.getvalue()


def hazard_csv(report: StatusReport, *, locale: str = "zh-CN") -> str:
    """The hazard rows as CSV text (no BOM); ``flags`` joined with ``;``."""
    records = []
    for row in report.hazards:
        rec = row.to_json()
        rec["status_label"] = HazardStatus.label(row.status, locale)
        rec["flags"] = ";".join(row.state.flags)
        records.append(rec)
    return _csv_text(HAZARD_CSV_COLUMNS, records)


def duty_csv(report: StatusReport) -> str:
    return _csv_text(DUTY_CSV_COLUMNS, [d.to_json() for d in report.duties])


_encode: Callable[[str], str] = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)
# One hazard row of the JSON answer at its depth (indent 4, keys at 6), keys as in
# HazardRow.to_json; a test compares it with json.dumps.
_HAZARD_KEYS = (
    "id", "status", "flags", "level", "enterprise", "community", "domain", "category",
    "found_on", "deadline", "effective_deadline", "rectified_on", "verified_on",
    "verification", "days_overdue", "days_left", "enterprise_name",
)  # fmt: skip
_HAZARD_TEMPLATE = (
    "    {\n      " + ",\n      ".join(f'"{k}": %s' for k in _HAZARD_KEYS) + "\n    }"
)
_CHUNK = 2000  # rows per write


def _text(value: str | None) -> str:
    return "null" if value is None else _encode(value)


class _Days(dict[dt.date | None, str]):
    """Dates as JSON text, each worked out once (a ledger has a few thousand dates)."""

    def __missing__(self, day: dt.date | None) -> str:
        text = self[day] = "null" if day is None else f'"{day.isoformat()}"'
        return text


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _hazard_json(row: HazardRow, days: _Days) -> str:
    h, s = row.hazard, row.state
    flags = s.flags
    return _HAZARD_TEMPLATE % (
        _encode(h.id),
        _encode(str(s.status)),
        "[\n        " + ",\n        ".join(map(_encode, flags)) + "\n      ]" if flags else "[]",
        _encode(str(h.level)),
        _encode(h.enterprise),
        _text(h.community),
        _text(h.domain),
        _text(h.category),
        days[h.found_on],
        days[h.deadline],
        days[s.effective_deadline],
        days[s.rectified_on],
        days[s.verified_on],
        _encode(str(s.verification)) if s.verification else "null",
        _number(s.days_overdue),
        _number(s.days_left),
        _text(row.enterprise_name),
    )


def status_json_chunks(report: StatusReport) -> Iterator[str]:
    """The text of ``json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\\n"``
    in pieces of a few thousand rows: the hazard rows are filled into one template with the
    C string encoder and written as they are made (the 100,000 rows of a district are
    ~90 MB of text; json's indenting encoder is pure Python)."""
    yield from _hazard_chunks(report.as_of, report.hazards)
    yield _duties_json(report.duties)
    yield "\n}\n"


def _hazard_chunks(as_of: dt.date, rows: list[HazardRow]) -> Iterator[str]:
    yield _head(as_of)
    opened = False
    for text in _row_texts(rows):
        yield ("[\n" if not opened else ",\n") + text
        opened = True
    yield "\n  ]" if opened else "[]"


def _head(as_of: dt.date) -> str:
    return '{\n  "as_of": ' + _encode(as_of.isoformat()) + ',\n  "hazards": '


def _row_texts(rows: list[HazardRow]) -> Iterator[str]:
    """The rows' JSON, a few thousand joined at a time (no brackets, no leading comma)."""
    days = _Days()
    for start in range(0, len(rows), _CHUNK):
        yield ",\n".join([_hazard_json(row, days) for row in rows[start : start + _CHUNK]])


def _duties_json(duties: list[DutyResult]) -> str:
    rows = [d.to_json() for d in duties]
    text = indented(rows, "  ")
    return ',\n  "duties": ' + (text if text is not None else pretty_json(rows, "  "))


# A ledger this big (hazards and enterprises) is laid out on two cores: a forked child
# works out the duties and the last hazard rows while this process makes the first ones.
PARALLEL_JSON_RECORDS = 20_000
# What the duties of one enterprise cost, in hazard rows (measured at 100,000 hazards and
# 10,000 enterprises: 80 µs against 21 µs): how the rows are shared out.
DUTIES_IN_HAZARD_ROWS = 4


def status_json_of(
    ledger: Ledger,
    as_of: dt.date,
    filters: StatusFilters,
    worked: tuple[Any, Any] | None = None,
) -> Iterator[bytes]:
    """The text of ``status_json_chunks(status_report(ledger, as_of, filters))`` in UTF-8
    pieces, made on two cores for a big ledger: the child makes the duties and the last
    hazard rows, about as much work as the first rows left here, and sends them encoded
    (the parent writes them as they come).  Same text: a test compares.

    ``worked``: the answers of :func:`status_json_work` for the two parts of a ledger
    loaded in parts (``safeledger.api.load_validated(work=…)``; ``ledger`` is then only
    the first part): the rows of both are merged in table order."""
    if worked is not None:
        yield from _merged_json(as_of, *worked)
        return
    if len(ledger.hazards) + len(ledger.enterprises) < PARALLEL_JSON_RECORDS:
        for text in status_json_chunks(status_report(ledger, as_of, filters)):
            yield text.encode("utf-8")
        return
    ordered = in_table_order(ledger.hazards)
    duties_cost = DUTIES_IN_HAZARD_ROWS * len(ledger.enterprises)
    cut = min(len(ordered), max(0, (len(ordered) + duties_cost) // 2))
    theirs = partial(_child_part, ledger, ordered[cut:], as_of, filters)
    yield _head(as_of).encode("utf-8")
    opened = False
    with Forked(theirs) as pending:
        with no_cycle_collection():
            for text in _row_texts(status_rows(ledger, ordered[:cut], as_of, filters)):
                yield (("[\n" if not opened else ",\n") + text).encode("utf-8")
                opened = True
        last_rows, duties = pending.answer()
    if last_rows:
        yield (b"[\n" if not opened else b",\n") + last_rows
        opened = True
    yield b"\n  ]" if opened else b"[]"
    yield duties
    yield b"\n}\n"


def _child_part(
    ledger: Ledger, hazards: list[Hazard], as_of: dt.date, filters: StatusFilters
) -> tuple[bytes, bytes]:
    """The last hazard rows' JSON (joined, empty for none) and the duties part, UTF-8."""
    with no_cycle_collection():
        rows = ",\n".join(_row_texts(status_rows(ledger, hazards, as_of, filters)))
        duties = _duties_json(status_duties(ledger, as_of, filters))
        return rows.encode("utf-8"), duties.encode("utf-8")


# --- a ledger loaded in two parts ------------------------------------------------------

# One part's answer: (the rows' keys in table order, their JSON in UTF-8, the duties part
# or None).  Bytes: sent from the worker without decoding them again (40 MB at 100k).
_PartJson = tuple[list[tuple[int, str]], list[bytes], bytes | None]


def status_json_work(
    as_of: dt.date, filters_of: Callable[[Ledger], StatusFilters]
) -> Callable[[Ledger, bool], _PartJson]:
    """The work for ``load_validated(work=…)`` that makes a part's share of the status
    JSON where it was loaded: its hazards' rows, in table order, and — in the part that
    holds the activities — the duties.  ``filters_of(part)``: the filters, parsed from
    a part (every part has every enterprise and the config, all that parsing needs)."""
    return partial(_part_json, as_of, filters_of)


def _part_json(
    as_of: dt.date, filters_of: Callable[[Ledger], StatusFilters], part: Ledger, rest: bool
) -> _PartJson:
    filters = filters_of(part)
    with no_cycle_collection():
        rows = status_rows(part, in_table_order(part.hazards), as_of, filters)
        keys = [(row.hazard.found_on.toordinal(), row.hazard.id) for row in rows]
        days = _Days()
        texts = [_hazard_json(row, days).encode("utf-8") for row in rows]
        duties = None
        if rest:
            duties = _duties_json(status_duties(part, as_of, filters)).encode("utf-8")
    return keys, texts, duties


def _merged_json(as_of: dt.date, ours: _PartJson, theirs: _PartJson) -> Iterator[bytes]:
    """The status JSON of both parts: rows merged on their keys (found_on, id); equal
    keys keep reading order, where the parent's files come first."""
    our_keys, our_texts, duties = ours
    their_keys, their_texts, _ = theirs
    merged = [
        text
        for _, text in heapq.merge(
            zip(our_keys, our_texts, strict=True),
            zip(their_keys, their_texts, strict=True),
            key=itemgetter(0),
        )
    ]
    yield _head(as_of).encode("utf-8")
    for start in range(0, len(merged), _CHUNK):
        yield (b"[\n" if start == 0 else b",\n") + b",\n".join(merged[start : start + _CHUNK])
    yield b"\n  ]" if merged else b"[]"
    yield duties or b""
    yield b"\n}\n"


__all__ = [
    "PARALLEL_JSON_RECORDS",
    "duty_csv",
    "hazard_csv",
    "render_duty_table",
    "render_hazard_table",
    "status_json_chunks",
    "status_json_of",
    "status_json_work",
]
