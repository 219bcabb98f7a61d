"""``status --format json`` writes its rows through a template (output.status.status_json_chunks):
the same text as ``json.dumps(report.to_json(), ensure_ascii=False, indent=2)``."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeledger.evaluate.duties import DutyResult
from safeledger.evaluate.status import HazardRow, StatusReport, hazard_state
from safeledger.output import status as status_out
from safeledger.output.status import status_json_chunks
from tests.evaluate.factories import hazard

BASE = dt.date(2025, 1, 1)
# Text that needs escaping: quotes, backslashes, control characters, non-ASCII, %.
texts = st.text(alphabet=st.sampled_from('和平"\\\n\t\x01%a ✓'), min_size=1, max_size=6)
days = st.integers(min_value=0, max_value=120).map(lambda n: BASE + dt.timedelta(days=n))


def _iso(day: dt.date) -> str:
    return day.isoformat()


@st.composite
def rows(draw: st.DrawFn) -> HazardRow:
    found = draw(days)
    fields: dict[str, object] = {
        "id": draw(texts),
        "found_on": _iso(found),
        "deadline": _iso(found + dt.timedelta(days=draw(st.integers(0, 40)))),
        "enterprise": draw(texts),
        "category": draw(texts),
        "level": draw(st.sampled_from(["general", "major"])),
        "community": draw(st.one_of(st.none(), texts)),
        "domain": draw(st.one_of(st.none(), texts)),
    }
    if draw(st.booleans()):
        fields["rectified_on"] = _iso(found + dt.timedelta(days=draw(st.integers(0, 60))))
    if draw(st.booleans()):
        fields["verified_on"] = _iso(found + dt.timedelta(days=draw(st.integers(0, 80))))
        fields["verification"] = draw(st.sampled_from([None, "pass", "fail"]))
    if draw(st.booleans()):  # an extension: the "extended" flag
        fields["extensions"] = [{"to": _iso(found + dt.timedelta(days=50)), "on": _iso(found)}]
    h = hazard(**fields)
    state = hazard_state(h, found + dt.timedelta(days=draw(st.integers(0, 100))))
    assert state is not None
    return HazardRow(h, state, draw(st.one_of(st.none(), texts)))


duties = st.builds(
    DutyResult,
    enterprise=texts,
    duty=st.just("drill"),
    period=st.just("2025"),
    state=st.sampled_from(["met", "gap", "due", "warning"]),
    detail=texts,
    start=st.one_of(st.none(), days),
    end=st.one_of(st.none(), days),
    activity=st.one_of(st.none(), texts),
)


def _expected(report: StatusReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(rows(), max_size=6), st.lists(duties, max_size=3), days)
def test_same_text_as_json_dumps(
    hazards: list[HazardRow], duty_rows: list[DutyResult], as_of: dt.date
) -> None:
    report = StatusReport(as_of, hazards, duty_rows)
    assert "".join(status_json_chunks(report)) == _expected(report)


def test_rows_are_written_in_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_out, "_CHUNK", 2)
    h = hazard(rectified_on="2025-04-02", verified_on="2025-04-05", verification="pass")
    state = hazard_state(h, BASE.replace(month=6))
    assert state is not None and state.flags == ("late",)
    report = StatusReport(BASE, [HazardRow(h, state, None)] * 5, [])
    chunks = list(status_json_chunks(report))
    assert len(chunks) > 4
    assert "".join(chunks) == _expected(report)


def test_load_ledger_restores_the_collector_and_freezes_on_request(tmp_path: Path) -> None:
    import gc

    from safeledger.api import load_ledger
    from tests.cli.test_status import write_ledger

    root = write_ledger(tmp_path / "ledger")
    today = dt.date(2025, 6, 30)
    frozen = gc.get_freeze_count()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        plain = load_ledger(root, today=today)
        assert gc.isenabled() is enabled
    gc.enable()
    assert gc.get_freeze_count() == frozen  # not frozen unless asked
    try:
        again = load_ledger(root, today=today, freeze=True)
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
    assert again.ledger == plain.ledger and again.diagnostics == plain.diagnostics


@pytest.mark.parametrize("community", [None, "和平社区", "没有这个社区"])
@pytest.mark.parametrize("duty_cost", [0, 10**6, -(10**6)])
def test_two_process_json_is_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, community: str | None, duty_cost: int
) -> None:
    """A big ledger is laid out on two cores (status_json_of): the child makes the duties
    and the last hazard rows.  The text is status_json_chunks's wherever the rows are
    cut (half each, all here, all in the child), filters included, and so if the child
    fails."""
    from safeledger.api import load_ledger
    from safeledger.evaluate.status import StatusFilters, status_report
    from tests.cli.test_status import write_ledger

    ledger = load_ledger(write_ledger(tmp_path / "ledger"), today=dt.date(2025, 6, 30)).ledger
    filters = StatusFilters(communities=frozenset([community])) if community else StatusFilters()
    as_of = dt.date(2025, 6, 30)
    expected = "".join(status_json_chunks(status_report(ledger, as_of, filters)))
    assert json.loads(expected)["duties"] or community, "the duties part is really there"
    assert len(json.loads(expected)["hazards"]) > 2 or community
    monkeypatch.setattr(status_out, "PARALLEL_JSON_RECORDS", 0)
    monkeypatch.setattr(status_out, "DUTIES_IN_HAZARD_ROWS", duty_cost)
    monkeypatch.setattr(status_out, "_CHUNK", 1)
    assert b"".join(status_out.status_json_of(ledger, as_of, filters)).decode() == expected

    def broken(*_args: object) -> tuple[bytes, bytes]:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return original(*_args)  # type: ignore[arg-type]

    parent, original = os.getpid(), status_out._child_part
    monkeypatch.setattr(status_out, "_child_part", broken)
    assert b"".join(status_out.status_json_of(ledger, as_of, filters)).decode() == expected
