"""Replay every input kept in tests/fixtures/fuzz/<target>/ (crashes found by the fuzzers):
each must now give records and diagnostics (or a command-line UsageError)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fuzz.conftest import time_limit
from tests.fuzz.targets import TARGETS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fuzz"
CASES = sorted(p for p in FIXTURES.glob("*/*") if p.is_file() and p.parent.name in TARGETS)


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name[:24]}")
def test_replay(path: Path) -> None:
    start = time.perf_counter()
    with time_limit():
        TARGETS[path.parent.name](path.read_bytes())
    assert time.perf_counter() - start < 3  # slow-unit-* took 6 s before the fix


def test_yaml_rs_failure_is_a_diagnostic() -> None:
    from safeledger.read.parse import parse_yaml_text

    parsed = parse_yaml_text("- ? : - \n", "hazards/x.yaml")
    (d,) = parsed.diagnostics
    assert d.code == "yaml-syntax" and d.line == 1 and parsed.items == []


def test_huge_int_id_and_values_through_check(tmp_path: Path) -> None:
    import datetime as dt

    from safeledger.api import check_ledger

    (tmp_path / "hazards").mkdir()
    (tmp_path / "safeledger.yaml").write_text("organisation: X\n", encoding="utf-8")
    for name in ("huge-int-id.yaml", "huge-int-in-values.yaml", "long-evidence-path.yaml"):
        (tmp_path / "hazards" / name).write_bytes((FIXTURES / "yaml" / name).read_bytes())
    day = dt.date(2025, 6, 30)
    result = check_ledger(tmp_path, as_of=day, today=day)
    messages = " ".join(d.message for d in result.diagnostics)
    assert "<a number of about 5001 digits>" in " ".join(str(d.record) for d in result.diagnostics)
    assert "too long to print" in messages
    assert "is too long for a file path" in messages


def test_year_zero_is_a_usage_error() -> None:
    import datetime as dt

    from safeledger.errors import UsageError
    from safeledger.evaluate.periods import parse_period_label, parse_quarter, parse_year

    today = dt.date(2025, 6, 30)
    for call in (
        lambda: parse_year("0000", today=today),
        lambda: parse_quarter("0000Q1", today=today),
        lambda: parse_period_label("0000H2"),
    ):
        with pytest.raises(UsageError, match="outside the calendar"):
            call()


@pytest.mark.slow  # starts libFuzzer for a few seconds
def test_atheris_runner_smoke(tmp_path: Path) -> None:
    """The coverage-guided runner works (when atheris is installed: the ``fuzz`` extra)."""
    import subprocess
    import sys

    pytest.importorskip("atheris")
    script = Path(__file__).with_name("run_atheris.py")
    done = subprocess.run(
        [sys.executable, str(script), "--target", "credit_code", "--seconds", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "no crash found" in done.stdout
