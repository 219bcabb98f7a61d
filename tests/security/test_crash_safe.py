"""SIGKILL an editing command at random moments: the ledger is afterwards byte for byte
as before or as after, never half-written, never missing a record, and the temporary
files a kill leaves behind are hidden names that ``check`` does not read.  Two editing
commands at once are serialised by the ledger lock."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeledger.api import check_ledger
from safeledger.fileio import LOCK_FILE
from tests.edit.conftest import CSV_ROWS, csv_bytes, make_ledger

SLOW_CLI = Path(__file__).with_name("slow_cli.py")
ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 6, 30)
TRIALS = int(os.environ.get("SAFELEDGER_KILL_TRIALS", "10"))
IMPORT_ROWS = [["隐患编号", *CSV_ROWS[0][1:]]] + [
    [f"H-2025-9{n:02d}", *row[1:]] for n, row in enumerate(CSV_ROWS[1:], start=1)
]


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every visible file (what check reads or notes), by relative path."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(p.startswith(".") for p in rel.parts):
            out[rel.as_posix()] = path.read_bytes()
    return out


def _hidden(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob(".*")
        if p.name != LOCK_FILE and p.is_file()
    )


def _command(kind: str, ledger: Path, source: Path) -> list[str]:
    if kind == "rectify":
        args = ["rectify", "H-2025-002", "--on", "2025-03-10", "--measures", "移出楼道",
                "--ledger", str(ledger)]  # fmt: skip
    elif kind == "import-single":
        args = ["import", str(source), "--into", str(ledger), "--kind", "hazards",
                "--layout", "single"]  # fmt: skip
    else:
        args = ["import", str(source), "--into", str(ledger), "--kind", "hazards"]
    return [sys.executable, str(SLOW_CLI), *args]


def _env() -> dict[str, str]:
    path = os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def _setup(base: Path) -> tuple[Path, Path]:
    ledger = make_ledger(base / "ledger")
    source = base / "new.csv"
    source.write_bytes(csv_bytes(IMPORT_ROWS, encoding="utf-8"))
    return ledger, source


@pytest.mark.slow  # ~20 CLI subprocesses per command
@pytest.mark.parametrize("kind", ["rectify", "import-single", "import-per-file"])
def test_sigkill_leaves_before_or_after(tmp_path: Path, kind: str) -> None:
    pristine, source = _setup(tmp_path / "pristine")
    before = _snapshot(pristine)
    # the complete run, timed, gives "after"
    done = tmp_path / "done"
    shutil.copytree(pristine, done)
    t0 = time.monotonic()
    run = subprocess.run(_command(kind, done, source), env=_env(), capture_output=True, text=True)
    duration = time.monotonic() - t0
    assert run.returncode == 0, run.stderr
    after = _snapshot(done)
    assert after != before
    new_files = {p: b for p, b in after.items() if p not in before}

    rng = random.Random(20250630)
    outcomes = {"before": 0, "after": 0, "partial": 0}
    for trial in range(TRIALS):
        ledger = tmp_path / f"t{trial}"
        shutil.copytree(pristine, ledger)
        proc = subprocess.Popen(
            _command(kind, ledger, source),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = _snapshot(ledger)
        if now == before:
            outcomes["before"] += 1
        elif now == after:
            outcomes["after"] += 1
        else:
            # only the one-file-per-record import may stop between files: then every
            # old file is untouched and every new file present is complete
            assert kind == "import-per-file", f"trial {trial}: neither before nor after"
            assert {p: now[p] for p in before} == before
            assert all(now[p] == new_files[p] for p in now if p not in before)
            outcomes["partial"] += 1
        for name in _hidden(ledger):  # a temporary file left by the kill
            assert Path(name).name.startswith(".") and name.endswith(".tmp"), name
        result = check_ledger(ledger, as_of=TODAY, today=TODAY)
        assert not any(d.file and "/." in "/" + d.file for d in result.diagnostics)
        assert result.records["hazards"] >= 3  # no record lost
    assert outcomes["before"] + outcomes["after"] + outcomes["partial"] == TRIALS
    print(kind, outcomes)


@pytest.mark.slow  # two CLI subprocesses
def test_import_and_rectify_at_once_are_serialised(tmp_path: Path) -> None:
    ledger, source = _setup(tmp_path)
    env = _env()
    procs = [
        subprocess.Popen(
            _command(k, ledger, source),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in ("import-single", "rectify")
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    text = (ledger / "hazards/2025/q1.yaml").read_text(encoding="utf-8")
    assert "rectified_on: 2025-03-10" in text
    result = check_ledger(ledger, as_of=TODAY, today=TODAY)
    assert result.records["hazards"] == 3 + 3  # q1.yaml's three and the three imported


@pytest.mark.slow
def test_import_gives_up_on_a_busy_ledger_with_a_message(tmp_path: Path) -> None:
    from tests.core.test_fileio import _holder

    ledger, source = _setup(tmp_path)
    holder = _holder(ledger, 120)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "safeledger", "import", str(source), "--into", str(ledger)],
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(),  # import waits DEFAULT_LOCK_TIMEOUT (10 s), then gives up
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2
    assert LOCK_FILE in done.stderr and "another safeledger command" in done.stderr
