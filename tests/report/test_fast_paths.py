"""The report's fast paths give the same answer as the plain ones (docs/performance.md):
JSON through the C encoder, HTML table rows built in Python, charts from the cache,
contexts built only for what a template reads."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from safeledger._forked import SharedTasks
from safeledger.errors import UsageError
from safeledger.evaluate.periods import quarter
from safeledger.report import charts as charts_mod
from safeledger.report import render_context, render_report, report_chunks
from safeledger.report.context import build_context, json_chunks, json_text, to_json
from safeledger.report.templates import builtin_template_dir, make_environment
from tests.report.helpers import make_ledger

Q2 = quarter(2025, 2)
TEXT = st.text(alphabet=st.sampled_from(list("ab<>&\"'|\\\n 隐患—")), max_size=6)
SCALARS = (
    TEXT
    | st.integers(-(10**6), 10**6)
    | st.none()
    | st.booleans()
    | st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1))
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(VALUES)
@settings(max_examples=300)
def test_json_text_is_json_dumps(value: Any) -> None:
    expected = json.dumps(to_json(value), ensure_ascii=False, indent=2)
    assert json_text(value) == expected


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "seq": st.integers(0, 99),
                "id": TEXT,
                "found_on": st.dates(),
                "x": SCALARS | st.lists(SCALARS, max_size=3) | TEXT.map(Markup),
                "y": st.sampled_from(["", "—", "<b>", "a&b", True, 1, 1.0, Decimal("1.0")]),
            }
        ),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.sampled_from(["seq", "id", "found_on", "x", "y"]), min_size=1, max_size=5),
)
@settings(max_examples=200)
def test_html_rows_match_the_macro_loop(rows: list[dict[str, Any]], keys: list[str]) -> None:
    env = make_environment(None)
    slow = make_environment(None)
    slow.globals["html_rows"] = lambda *args: None  # the macro's own loop
    source = '{% import "_macros.html.j2" as m with context %}{{ m.table(rows, keys) }}'
    labels = {"columns": {k: k for k in keys}, "none": "none"}
    fast_text = env.from_string(source, {"__name": "t.html.j2"}).render(
        rows=rows, keys=keys, labels=labels
    )
    slow_text = slow.from_string(source).render(rows=rows, keys=keys, labels=labels)
    assert fast_text == slow_text
    assert fast_text.count("<tr>") == len(rows) + 1


FIGURES = st.fixed_dictionaries(
    {
        "label": TEXT | TEXT.map(Markup) | st.none(),
        "found": st.fixed_dictionaries({"total": st.integers(0, 10**6), "major": SCALARS}),
        "rectified": st.integers(0, 99) | st.booleans(),
        "closed": st.integers(0, 99),
        "open_at_end": SCALARS,
        "overdue_at_end": st.integers(0, 99),
        "rectification_rate": st.none() | st.decimals(0, 100, places=1),
        "on_time_rate": st.none() | st.decimals(0, 100, places=1),
        "cumulative_closure_rate": st.none() | st.decimals(0, 100, places=1),
        "units_inspected": st.integers(0, 99),
    }
)
@given(st.dictionaries(TEXT, FIGURES, max_size=4) | st.dictionaries(TEXT, SCALARS, max_size=2))
@settings(max_examples=150)
def test_breakdown_rows_match_the_macro_loop(groups: dict[str, Any]) -> None:
    env = make_environment(None)
    slow = make_environment(None)
    slow.globals["breakdown_rows"] = lambda *args: None  # the macro's own loop
    source = '{% import "_macros.html.j2" as m with context %}{{ m.breakdown("community") }}'
    names = [
        "found", "found_major", "rectified", "closed", "open_at_end", "overdue_at_end",
        "rectification_rate", "on_time_rate", "cumulative_closure_rate", "units_inspected",
    ]  # fmt: skip
    labels = {"dimension_keys": {"community": "社区"}, "figure_names": {n: n for n in names}}
    variables = {"breakdowns": {"community": groups}, "labels": labels}

    def render(environment: Any) -> str | type[Exception]:
        try:
            return str(environment.from_string(source).render(**variables))
        except Exception as err:  # a group the loop cannot lay out: the same error
            return type(err)

    fast_text = render(env)
    assert fast_text == render(slow)
    if isinstance(fast_text, str):
        assert fast_text.count("<tr>") == len(groups) + 1


def test_html_rows_fall_back_for_rows_that_are_not_dicts() -> None:
    from safeledger.report.templates import html_rows

    assert html_rows([{"a": 1}, ["a"]], ["a"], [], [], []) is None
    assert html_rows([{"a": 1}], ["b"], [], [], []) is None
    assert str(html_rows([{"a": "<b>"}], ["a"], ["a"], [], [])) == (
        '<tr><td class="num">&lt;b&gt;</td></tr>'
    )


@pytest.mark.parametrize("kind", ["quarterly", "annual", "tracking", "ledger"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_partial_context_renders_the_same(tmp_path: Path, kind: str, fmt: str) -> None:
    ledger = make_ledger(tmp_path)
    full = render_context(build_context(ledger, Q2, kind=kind), fmt)
    assert render_report(ledger, Q2, kind=kind, fmt=fmt) == full


def test_sections_leave_out_what_is_not_asked_for(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path)
    full = build_context(ledger, Q2)
    some = build_context(ledger, Q2, sections={"overdue"})
    assert "hazards" not in some and "breakdowns" not in some
    assert some["overdue"] == full["overdue"] and some["figures"] == full["figures"]


def test_a_template_with_a_computed_include_gets_everything(tmp_path: Path) -> None:
    from safeledger.report.templates import template_variables

    (tmp_path / "mine.md.j2").write_text("{% include name %}", encoding="utf-8")
    env = make_environment(tmp_path)
    assert template_variables(env, "quarterly", "md", "mine") is None
    names = template_variables(env, "ledger", "md", None)
    assert names is not None and "hazards" in names and "overdue" not in names
    assert (builtin_template_dir() / "ledger.md.j2").is_file()


def test_chart_cache_gives_the_drawn_bytes(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path / "ledger")
    spec = charts_mod.chart_specs(build_context(ledger, Q2))[2]
    font = charts_mod.cjk_font()
    drawn = charts_mod.render_svg(spec, font)
    cache = tmp_path / "charts"
    assert charts_mod.render_svg_cached(spec, font, cache) == drawn  # miss: drawn, kept
    (entry,) = cache.glob("*.svg")
    assert charts_mod.render_svg_cached(spec, font, cache) == drawn  # hit
    data = entry.read_bytes()
    entry.write_bytes(data[:-10] + b"<evil/>" + data[-3:])  # damaged: a miss, drawn again
    assert charts_mod.render_svg_cached(spec, font, cache) == drawn
    other = {**spec, "title": spec["title"] + "x"}
    assert charts_mod.chart_key(other, font) != charts_mod.chart_key(spec, font)


def test_chart_cache_that_cannot_be_written_still_draws(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    ledger = make_ledger(tmp_path / "ledger")
    spec = charts_mod.chart_specs(build_context(ledger, Q2))[0]
    font = charts_mod.cjk_font()
    assert charts_mod.render_svg_cached(spec, font, blocker / "charts") == (
        charts_mod.render_svg(spec, font)
    )


def test_decimal_and_date_through_the_c_encoder() -> None:
    row = {"a": Decimal("1.50"), "b": Decimal("2"), "c": dt.date(2025, 1, 2), "d": []}
    assert json_text([row]) == json.dumps(to_json([row]), ensure_ascii=False, indent=2)


def test_verified_by_without_reinspections_is_the_slow_answer(tmp_path: Path) -> None:
    from safeledger.evaluate.status import hazard_state, latest_verification
    from safeledger.report.context import _verified_by

    ledger = make_ledger(tmp_path)
    checked = 0
    for hazard in ledger.hazards:
        for day in (dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(0, 400, 7)):
            state = hazard_state(hazard, day)
            if state is None:
                continue
            event = latest_verification(hazard, day)
            slow = None
            if event is not None:
                slow = (
                    hazard.verified_by
                    if event.source == "verified_on"
                    else hazard.reinspections[int(event.source[14:-1])].by
                )
            assert _verified_by(hazard, state) == slow
            checked += slow is not None
    assert checked  # some hazards were verified in the window


@given(VALUES, st.integers(1, 3))
@settings(max_examples=300)
def test_json_chunks_join_to_json_text(value: Any, batch: int) -> None:
    from safeledger.report import context

    original = context._BATCH
    context._BATCH = batch  # several pieces even for short lists
    try:
        assert "".join(json_chunks(value)) == json_text(value)
    finally:
        context._BATCH = original


@pytest.mark.parametrize("kind", ["quarterly", "annual", "tracking", "ledger"])
@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_report_chunks_join_to_render_report(tmp_path: Path, kind: str, fmt: str) -> None:
    ledger = make_ledger(tmp_path)
    expected = render_report(ledger, Q2, kind=kind, fmt=fmt)
    assert b"".join(report_chunks(ledger, Q2, kind=kind, fmt=fmt)) == expected


def test_report_chunks_refuse_what_render_report_refuses(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path)
    for options in ({"kind": "weekly"}, {"template": "mine"}):
        with pytest.raises(UsageError):
            list(report_chunks(ledger, Q2, fmt="json", **options))


EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"


@pytest.mark.parametrize(
    ("kind", "span"),
    [("quarterly", Q2), ("annual", None), ("tracking", Q2), ("ledger", Q2)],
)
def test_small_sections_made_in_a_child_are_the_same(
    monkeypatch: pytest.MonkeyPatch, kind: str, span: Any
) -> None:
    """A big ledger's small sections (breakdowns, comparison, duty gaps…) are shared out
    with a forked child (context._side_sections): the same context and the same bytes in every
    format, and the same when the child fails."""
    from safeledger.api import load_ledger
    from safeledger.evaluate.periods import year
    from safeledger.report import context as context_mod

    ledger = load_ledger(EXAMPLE, today=dt.date(2026, 11, 23)).ledger
    span = span or year(2025)
    expected_context = build_context(ledger, span, kind=kind)
    expected = {fmt: render_report(ledger, span, kind=kind, fmt=fmt) for fmt in ("md", "json")}
    assert expected_context["breakdowns"] and expected_context["duty_gaps"] is not None
    monkeypatch.setattr(context_mod, "PARALLEL_HAZARDS", 0)
    assert build_context(ledger, span, kind=kind) == expected_context
    for fmt, data in expected.items():
        assert render_report(ledger, span, kind=kind, fmt=fmt) == data

    def failing(self: SharedTasks) -> dict[str, Any]:
        raise MemoryError("the child ran out of memory")

    monkeypatch.setattr(SharedTasks, "_theirs", failing)  # the child fails: made here
    assert build_context(ledger, span, kind=kind) == expected_context
