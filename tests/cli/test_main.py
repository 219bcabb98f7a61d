"""The console entry point (safeledger.cli.app.main) ends the process with os._exit once
the output is flushed: the output is whole, the exit status right, and a reader that
goes away (``| head``) ends it quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.cli.app import app

EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"
MAIN = "from safeledger.cli.app import main; main()"


def run_main(*args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", MAIN, *args], capture_output=True, timeout=120, **kw
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(EXAMPLE), "--format", "json", "--as-of", "2025-06-30", "--no-cache"],
        ["status", str(EXAMPLE), "--format", "json", "--as-of", "2025-06-30", "--no-cache"],
        ["report", str(EXAMPLE), "--quarter", "2025Q2", "--format", "json", "--no-cache"],
        ["check", str(EXAMPLE / "nope")],  # exit status 2 and a message
        ["status", str(EXAMPLE), "--as-of", "someday"],
    ],
)
def test_same_output_and_status_as_the_app(args: list[str]) -> None:
    expected = CliRunner().invoke(app, args)
    proc = run_main(*args)
    assert proc.returncode == expected.exit_code
    assert proc.stdout.decode("utf-8") == expected.stdout
    assert proc.stderr.decode("utf-8") == expected.stderr


def test_a_closed_output_pipe_ends_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", MAIN, "report", str(EXAMPLE), "--quarter", "2025Q2",
         "--format", "json", "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "internal error" not in err
