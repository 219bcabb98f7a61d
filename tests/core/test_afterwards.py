"""safeledger._afterwards: work left for after the command's answer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeledger import _afterwards


def test_without_an_entry_point_that_collects_the_caller_does_the_work() -> None:
    assert _afterwards._waiting is None
    assert _afterwards.after_the_answer(lambda: None) is False


def test_collected_work_runs_after_the_answer_in_a_detached_child(tmp_path: Path) -> None:
    """Nothing runs until run_collected; then the tasks run in order, in another process,
    which neither holds the output open nor makes the caller wait."""
    done = tmp_path / "done"
    code = (
        "import os, sys, time\n"
        "from safeledger import _afterwards as a\n"
        "a.start_collecting()\n"
        f"path = {str(done)!r}\n"
        "def first():\n"
        "    time.sleep(5)\n"
        "    open(path, 'w').write(str(os.getpid()))\n"
        "def second():\n"
        "    open(path, 'a').write(' second')\n"
        "assert a.after_the_answer(first) and a.after_the_answer(second)\n"
        "assert not os.path.exists(path)\n"
        "print(os.getpid(), flush=True)\n"
        "a.run_collected()\n"
        "assert a._waiting is None\n"
        "os._exit(0)\n"
    )
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 4, "waited for the work left for afterwards"
    deadline = time.monotonic() + 30
    while not (done.exists() and done.read_text().endswith(" second")):
        assert time.monotonic() < deadline, "the collected work never ran"
        time.sleep(0.05)
    pid, _ = done.read_text().split(" ")
    assert pid != proc.stdout.strip()  # another process did it


def test_without_fork_the_collected_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[int] = []

    def no_fork() -> int:
        raise OSError("no fork here")

    monkeypatch.setattr(os, "fork", no_fork)
    _afterwards.start_collecting()
    try:
        assert _afterwards.after_the_answer(lambda: ran.append(os.getpid()))
        assert ran == []
        _afterwards.run_collected()
    finally:
        _afterwards._waiting = None
    assert ran == [os.getpid()]
