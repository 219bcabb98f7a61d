"""``render_json`` writes each diagnostic straight from its fields: the text is exactly
``pretty_json(result.to_json())`` (spec section 8) for any diagnostics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from safeledger.api import CheckResult
from safeledger.diagnostics import Anchor, Diagnostic
from safeledger.output.diagnostics import pretty_json, render_json

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["required", "hazards/h-0001.yaml", "隐患编号 'H-1' 重复", 'a "quoted" \\ path\n%s']
)
MAYBE_TEXT = st.none() | TEXT
MAYBE_INT = st.none() | st.integers(0, 10**6)

DIAGNOSTIC = st.builds(
    Diagnostic,
    code=TEXT,
    severity=st.sampled_from(["error", "warning"]),
    message=TEXT,
    file=MAYBE_TEXT,
    line=MAYBE_INT,
    column=MAYBE_INT,
    record=MAYBE_TEXT,
    field=MAYBE_TEXT,
    hint=MAYBE_TEXT,
    anchor=st.none() | st.builds(Anchor, st.integers(0, 5)),
)


@given(
    st.lists(DIAGNOSTIC, max_size=8),
    st.dictionaries(st.sampled_from(["hazards", "enterprises"]), st.integers(0, 9)),
    TEXT.filter(bool),
)
def test_render_json_is_pretty_json_of_to_json(
    diags: list[Diagnostic], records: dict[str, int], root: str
) -> None:
    result = CheckResult(Path(root), dt.date(2026, 11, 23), diags, records)
    text = render_json(result)
    assert text == pretty_json(result.to_json()) + "\n"
    assert json.loads(text) == result.to_json()


def test_values_of_unusual_types_are_rendered_as_json_would() -> None:
    odd = Diagnostic("c", "error", "m", file="f", line=True, column=2)  # type: ignore[arg-type]
    result = CheckResult(Path("/l"), dt.date(2026, 1, 1), [odd, Diagnostic("d", "error", "n")])
    assert render_json(result) == pretty_json(result.to_json()) + "\n"
    assert '"line": true' in render_json(result)
