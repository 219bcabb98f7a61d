"""The commands as a user runs them: exit status 0 on success, 2 with a message on refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app
from tests.core.test_fileio import _holder
from tests.edit.conftest import HAND_WRITTEN

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_rectify_verify_extend_new_via_cli(ledger: Path) -> None:
    r = run(
        "rectify",
        "H-2025-002",
        "--on",
        "2025/3/10",
        "--measures",
        "车辆移出",
        "--ledger",
        str(ledger),
    )
    assert r.exit_code == 0, r.output
    assert "H-2025-002: rectified on 2025-03-10" in r.stdout
    r = run(
        "verify", "H-2025-002", "--on", "2025年3月11日", "--by", "王五", "--ledger", str(ledger)
    )
    assert r.exit_code == 0, r.output
    r = run(
        "extend",
        "H-2025-001",
        "--to",
        "2025-04-01",
        "--approved-by",
        "孙七",
        "--on",
        "2025-03-19",
        "--reason",
        "缺货",
        "--ledger",
        str(ledger),
    )
    assert r.exit_code == 0, r.output
    r = run(
        "new",
        "hazard",
        "--enterprise",
        "E002",
        "--location",
        "库房",
        "--category",
        "其他",
        "--level",
        "general",
        "--description",
        "堆物",
        "--responsible",
        "赵六",
        "--deadline",
        "2025-04-01",
        "--found-on",
        "2025-03-20",
        "--ledger",
        str(ledger),
    )
    assert r.exit_code == 0, r.output
    assert (ledger / "hazards/2025/H-2025-004.yaml").is_file()
    assert run("check", str(ledger)).exit_code == 0


def test_refusal_is_exit_2_with_message(ledger: Path) -> None:
    r = run("verify", "H-2025-002", "--on", "2025-03-11", "--by", "王五", "--ledger", str(ledger))
    assert r.exit_code == 2
    assert "has not been rectified yet" in r.stderr
    r = run("rectify", "H-2025-02", "--on", "2025-03-11", "--ledger", str(ledger))
    assert r.exit_code == 2 and "did you mean H-2025-002" in r.stderr.replace("\n", " ")
    r = run("rectify", "H-2025-002", "--on", "3/11/2025", "--ledger", str(ledger))
    assert r.exit_code == 2 and "accepted form" in r.stderr
    assert (ledger / "hazards/2025/q1.yaml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_ledger_found_upward(ledger: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (ledger / "hazards" / "2025").mkdir(exist_ok=True)
    monkeypatch.chdir(ledger / "hazards" / "2025")
    r = run("rectify", "H-2025-002", "--on", "2025-03-10", "--measures", "移出")
    assert r.exit_code == 0, r.output


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "safeledger", *args]


@pytest.mark.slow  # starts the CLI in a subprocess
def test_a_busy_ledger_gives_up_naming_the_lock(ledger: Path) -> None:
    holder = _holder(ledger, 120)  # killed below; long enough for a slow interpreter start
    try:
        done = subprocess.run(
            _cli(
                "rectify",
                "H-2025-002",
                "--on",
                "2025-03-10",
                "--measures",
                "移出",
                "--ledger",
                str(ledger),
                "--wait",
                "0.2",
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    assert ".safeledger.lock" in done.stderr and "another safeledger command" in done.stderr
    assert (ledger / "hazards/2025/q1.yaml").read_text(encoding="utf-8") == HAND_WRITTEN


@pytest.mark.slow  # two CLI subprocesses
def test_two_edits_at_once_are_serialised(ledger: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen(
            _cli(
                "rectify",
                "H-2025-002",
                "--on",
                "2025-03-10",
                "--measures",
                "移出",
                "--ledger",
                str(ledger),
            ),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
        subprocess.Popen(
            _cli(
                "verify",
                "H-2025-003",
                "--on",
                "2025-03-16",
                "--by",
                "王五",
                "--ledger",
                str(ledger),
            ),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ),
    ]
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    text = (ledger / "hazards/2025/q1.yaml").read_text(encoding="utf-8")
    # both edits of the same file are there: neither overwrote the other
    assert "  rectified_on: 2025-03-10\n" in text and "  verified_by: 王五\n" in text
