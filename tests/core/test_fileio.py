from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeledger import fileio
from safeledger.fileio import LOCK_FILE, LockBusy, ledger_lock, write_atomic


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    write_atomic(target, b"one\n")
    assert target.read_bytes() == b"one\n"
    os.chmod(target, 0o640)
    write_atomic(target, "二\n".encode())
    assert target.read_bytes() == "二\n".encode()
    assert (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_write_atomic_failure_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"original\n")

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]  # no temp file left


HOLD = """
import sys, time
from pathlib import Path
from safeledger.fileio import ledger_lock
with ledger_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(root: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_gives_up_with_a_message_naming_the_file(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 120)
    try:
        start = time.monotonic()
        with pytest.raises(LockBusy) as info, ledger_lock(tmp_path, timeout=0.3):
            pass
        assert time.monotonic() - start < 2.5
        assert str(tmp_path / LOCK_FILE) in str(info.value)
        assert info.value.exit_code == 2
    finally:
        proc.kill()
        proc.wait()


def test_lock_waits_for_the_other_process(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 0.5)
    try:
        with ledger_lock(tmp_path, timeout=10) as path:
            assert path == tmp_path / LOCK_FILE
        proc.wait(timeout=10)
        assert proc.returncode == 0
    finally:
        proc.kill()
        proc.wait()


def test_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with ledger_lock(tmp_path, timeout=0.1), ledger_lock(tmp_path, timeout=0.1):
        assert (tmp_path / LOCK_FILE).exists()


def test_exclusive_write_never_replaces(tmp_path: Path) -> None:
    from safeledger.fileio import TargetExists

    target = tmp_path / "sub" / "r.yaml"
    write_atomic(target, b"first\n", exclusive=True)
    with pytest.raises(TargetExists):
        write_atomic(target, b"second\n", exclusive=True)
    assert target.read_bytes() == b"first\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]  # no temp file left
