"""SIGKILL an editing command at random moments: the ledger is afterwards byte for byte
as before or as after, never half-written, never missing a record, and the temporary
files a kill leaves behind are hidden names that ``check`` does not read.  A multi-file
import killed after its commit point is completed by the next editing command (the ledger
lock runs ``fileio.recover_batches``); until then ``check`` warns ``interrupted-write``.
Two editing commands at once are serialised by the ledger lock."""

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
from safeledger.fileio import LOCK_FILE, MANIFEST, STAGING_DIR, ledger_lock, pending_batches
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

    rng = random.Random(20250630)
    outcomes = {"before": 0, "after": 0, "completed": 0, "discarded": 0}
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
        pending = pending_batches(ledger)
        # until an editing command runs, check warns and reads no staged file
        result = check_ledger(ledger, as_of=TODAY, today=TODAY)
        hidden = [d for d in result.diagnostics if d.file and "/." in "/" + d.file]
        assert [(d.file, d.code) for d in hidden] == [(f, "interrupted-write") for f, _ in pending]
        assert result.records["hazards"] >= 3  # no record lost
        with ledger_lock(ledger):  # what every editing command does first
            pass
        now = _snapshot(ledger)
        assert now in (before, after), f"trial {trial}: neither before nor after"
        outcomes["before" if now == before else "after"] += 1
        for _folder, committed in pending:
            outcomes["completed" if committed else "discarded"] += 1
            assert now == (after if committed else before)
        assert not (ledger / STAGING_DIR).exists()
        for name in _hidden(ledger):  # a temporary file left by the kill
            assert Path(name).name.startswith(".") and name.endswith(".tmp"), name
        result = check_ledger(ledger, as_of=TODAY, today=TODAY)
        assert not any(d.file and "/." in "/" + d.file for d in result.diagnostics)
        assert result.records["hazards"] >= 3  # no record lost
    assert outcomes["before"] + outcomes["after"] == TRIALS
    print(kind, outcomes)


@pytest.mark.slow  # three CLI subprocesses
def test_import_killed_after_its_commit_point_is_completed_by_the_next_import(
    tmp_path: Path,
) -> None:
    """Kill a one-file-per-record import as soon as its manifest exists (files staged,
    none or some moved): running the same import again completes the interrupted one and
    then reports that the records exist, so the ledger is exactly as after one import."""
    pristine, source = _setup(tmp_path / "pristine")
    done = tmp_path / "done"
    shutil.copytree(pristine, done)
    run = subprocess.run(_command("import", done, source), env=_env(), capture_output=True)
    assert run.returncode == 0, run.stderr
    after = _snapshot(done)
    ledger = tmp_path / "ledger"
    shutil.copytree(pristine, ledger)
    proc = subprocess.Popen(_command("import", ledger, source), env=_env())
    deadline = time.monotonic() + 60
    while not list((ledger / STAGING_DIR).glob(f"*/{MANIFEST}")):
        assert proc.poll() is None and time.monotonic() < deadline, "no commit point seen"
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert pending_batches(ledger)[0][1]  # interrupted after the commit point
    assert _snapshot(ledger) != after
    args = ["import", str(source), "--into", str(ledger), "--kind", "hazards"]
    again = subprocess.run(
        [sys.executable, "-m", "safeledger", *args],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1 and "import-id-exists" in again.stderr
    assert _snapshot(ledger) == after
    assert not (ledger / STAGING_DIR).exists()


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
