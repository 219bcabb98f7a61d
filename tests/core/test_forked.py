"""safeledger._forked.Forked: work in a forked child, its answer back through a pipe."""

from __future__ import annotations

import os
import time

import pytest

from safeledger._forked import Forked


def test_the_answer_comes_back() -> None:
    with Forked(lambda: ("done", os.getpid())) as pending:
        answer = pending.result()
    assert answer[0] == "done" and answer[1] != os.getpid()


def test_a_failing_task_answers_none() -> None:
    def broken() -> None:
        raise MemoryError("the child ran out of memory")

    with Forked(broken) as pending:
        assert pending.result() is None


def test_a_caller_that_stops_reading_does_not_wait_for_the_child() -> None:
    """The child's answer (tens of MB) fills the pipe; the caller fails before reading it
    (say its output pipe was closed): leaving the block must not hang."""
    started = time.monotonic()
    with pytest.raises(BrokenPipeError), Forked(lambda: "x" * 50_000_000):
        raise BrokenPipeError
    assert time.monotonic() - started < 20


def test_a_generator_closed_early_does_not_wait_for_the_child() -> None:
    def chunks() -> object:
        with Forked(lambda: "x" * 50_000_000) as pending:
            yield "first"
            yield pending.result()

    started = time.monotonic()
    gen = chunks()
    assert next(gen) == "first"
    gen.close()  # GeneratorExit at the yield
    assert time.monotonic() - started < 20


def test_answer_runs_the_task_here_when_the_child_failed() -> None:
    parent = os.getpid()

    def only_here() -> str:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return "made here"

    with Forked(only_here) as pending:
        assert pending.answer() == "made here"
    with Forked(lambda: "made there") as pending:
        assert pending.answer() == "made there"


def test_without_fork_nothing_runs_apart_and_the_caller_does_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A platform without fork (Windows): no child; result() is None as when a child
    fails, so every caller's own fallback does the work in this process."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    ran: list[int] = []

    def task() -> int:
        ran.append(os.getpid())
        return os.getpid()

    with Forked(task) as pending:
        assert pending.result() is None
        assert ran == []  # nothing ran anywhere yet
        assert pending.answer() == os.getpid()
    assert ran == [os.getpid()]
