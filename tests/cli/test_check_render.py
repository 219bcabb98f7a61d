"""``check``'s text output: the fast path (bare text when the console prints no markup)
gives exactly what rich prints for the same markup, line by line."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.errors import MarkupError

from safeledger.api import CheckResult
from safeledger.diagnostics import Diagnostic
from safeledger.output import diagnostics as output

_piece = st.sampled_from(
    [*"ab 隐患:[]\\/#-_.'\"\t\r\x07✓", ":smile:", "[bold]", "\\[", ":x", "12:30:00"]
)
_text = st.lists(_piece, max_size=8).map("".join)
_diagnostic = st.builds(
    Diagnostic,
    code=st.sampled_from(["required", "unknown-key", "overdue"]),
    severity=st.sampled_from(["error", "warning"]),
    message=_text,
    file=st.one_of(st.none(), st.sampled_from(["hazards/a.yaml", "h/[x].yaml", "e:smile:.csv"])),
    line=st.one_of(st.none(), st.integers(1, 99999)),
    column=st.one_of(st.none(), st.integers(1, 99)),
    record=st.one_of(st.none(), _text),
    hint=st.one_of(st.none(), _text),
)


def _render(result: CheckResult, fast: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, soft_wrap=True)
    with monkeypatch.context() as m:
        if not fast:  # every line through rich, as before the fast path
            m.setattr(output, "_RICH_SENSITIVE", output.re.compile(""))
        output.render_text(result, console)
    return buffer.getvalue()


@settings(max_examples=100, deadline=None)
@given(diags=st.lists(_diagnostic, max_size=8), records=st.dictionaries(_text, st.integers(0, 9)))
def test_fast_text_is_what_rich_prints(diags: list[Diagnostic], records: dict[str, int]) -> None:
    result = CheckResult(Path("/l"), dt.date(2025, 6, 30), diags, records)
    with pytest.MonkeyPatch.context() as monkeypatch:
        try:
            slow = _render(result, False, monkeypatch)
        except MarkupError:  # rich cannot print some escaped texts (``[/``): not our case
            assume(False)
        assert _render(result, True, monkeypatch) == slow


def test_fast_path_is_taken_for_ordinary_lines() -> None:
    d = Diagnostic("required", "error", "id is required", "hazards/a.yaml", 3, 3, "H-1", hint="x")
    result = CheckResult(Path("/l"), dt.date(2025, 6, 30), [d], {"hazards": 1})
    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, soft_wrap=True)
    lines = output._Lines(console)
    assert lines.plain and lines.text("x", "id is required")
    output.render_text(result, console)
    assert buffer.getvalue().splitlines()[1] == "       3:3  error   required  id is required [H-1]"


_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=6), st.floats(allow_nan=False)
)


@settings(max_examples=200, deadline=None)
@given(
    keys=st.lists(st.text(max_size=4), min_size=1, max_size=4, unique=True),
    rows=st.lists(st.lists(_scalar, min_size=4, max_size=4), min_size=1, max_size=5),
    other=st.booleans(),
)
def test_json_of_flat_records_is_json_dumps(
    keys: list[str], rows: list[list[object]], other: bool
) -> None:
    """The one-template path for lists of flat records (diagnostics) and its fallbacks."""
    records: list[object] = [dict(zip(keys, row, strict=False)) for row in rows]
    if other:  # a row with other keys, or not a dict: the general path
        records.append({"%s": 1} if len(records) % 2 else [1, {"a": None}])
    value = {"diagnostics": records, "n": len(records)}
    assert output.pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
