"""One end-to-end smoke run on the example ledger (ledgers/tongxin): every kind and format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeledger.evaluate.periods import quarter, year
from safeledger.report import render_report

EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"


@pytest.mark.slow
@pytest.mark.skipif(not (EXAMPLE / "safeledger.yaml").exists(), reason="example ledger absent")
def test_every_kind_and_format_on_the_example() -> None:
    from safeledger.api import load_ledger

    ledger = load_ledger(EXAMPLE, today=dt.date(2026, 1, 1)).ledger
    assert ledger.hazards
    for kind, span in (
        ("quarterly", quarter(2025, 2)),
        ("annual", year(2025)),
        ("tracking", quarter(2025, 2)),
        ("ledger", quarter(2025, 2)),
    ):
        for fmt in ("md", "html", "docx", "xlsx", "json"):
            data = render_report(ledger, span, kind=kind, fmt=fmt)
            assert len(data) > 500, (kind, fmt)
