"""safeledger.diagnostics: the one order every output shows diagnostics in."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from safeledger.diagnostics import ERROR, WARNING, Diagnostic, sort_diagnostics

_diagnostics = st.builds(
    Diagnostic,
    st.sampled_from(["overdue", "duty-gap", "bad-date"]),
    st.sampled_from([ERROR, WARNING]),
    st.sampled_from(["b", "a", "a2"]),
    file=st.none() | st.sampled_from(["", "hazards/a.yaml", "hazards/b.yaml"]),
    line=st.none() | st.integers(0, 4),
    column=st.none() | st.integers(0, 3),
)


def _place(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file or "", d.line or 0, d.column or 0, d.code, d.message)


@given(st.lists(_diagnostics, max_size=30))
def test_the_order_is_file_line_column_code_message(diags: list[Diagnostic]) -> None:
    """An unknown place sorts first (as an empty file name, line 0, column 0); equal
    places keep their order; nothing is lost."""
    given_at = {id(d): n for n, d in enumerate(diags)}
    got = sort_diagnostics(iter(diags))
    assert sorted(map(id, got)) == sorted(given_at)
    for a, b in pairwise(got):
        assert _place(a) <= _place(b)
        if _place(a) == _place(b):
            assert given_at[id(a)] < given_at[id(b)]
