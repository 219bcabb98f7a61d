"""safeledger._forked.Forked: work in a forked child, its answer back through a pipe."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from safeledger._forked import Forked, Later, SharedTasks
from safeledger._held import hold_until_exit


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


class _Heap:
    """Stands for the records a child made (weakly referenceable)."""


class _StillThere:
    """An answer that, when the child pickles it to send it, says whether the object
    behind ``ref`` is still alive at that moment."""

    def __init__(self, ref: weakref.ref[_Heap]) -> None:
        self.ref = ref

    def __reduce__(self) -> tuple[Any, ...]:
        return (bool, (self.ref() is not None,))


def _task(keep: bool) -> _StillThere:
    heap = _Heap()
    if keep:
        hold_until_exit(heap)
    return _StillThere(weakref.ref(heap))


def test_a_child_keeps_what_it_is_told_to_until_its_answer_is_sent() -> None:
    """Freeing a child's records before it sends its answer only delays the answer: the
    child ends with os._exit, which frees nothing."""
    with Forked(partial(_task, True)) as pending:
        assert pending.result() is True
    with Forked(partial(_task, False)) as pending:  # the test can fail: freed at return
        assert pending.result() is False


def test_hold_until_exit_keeps_nothing_in_the_caller() -> None:
    """(The test process does not end with os._exit: see tests/core/test_held.py.)"""
    heap = _Heap()
    ref = weakref.ref(heap)
    hold_until_exit(heap)
    del heap
    assert ref() is None


def _fails_in_a_child(parent: int) -> Callable[[], str]:
    """A task that runs out of memory in any process but ``parent``."""

    def only_here() -> str:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return "made here"

    return only_here


def test_answer_runs_the_task_here_when_the_child_failed() -> None:
    only_here = _fails_in_a_child(os.getpid())
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


# --- SharedTasks: named tasks shared out between a child and the caller -------------


def _tasks(slow_first: float = 0.0) -> dict[str, Any]:
    """Tasks that say where they ran; the first one takes ``slow_first`` seconds."""

    def task(n: int) -> Any:
        def make() -> tuple[int, int]:
            if n == 0:
                time.sleep(slow_first)
            return n * n, os.getpid()

        return make

    return {f"t{n}": task(n) for n in range(6)}


def test_shared_tasks_are_made_on_both_sides_and_come_back_in_order() -> None:
    with SharedTasks(_tasks(slow_first=1.0)) as shared:
        deadline = time.monotonic() + 20
        while not shared.claims[0] and time.monotonic() < deadline:  # the child has begun
            time.sleep(0.005)
        results = shared.results()
    assert list(results) == [f"t{n}" for n in range(6)]
    assert [value for value, _ in results.values()] == [n * n for n in range(6)]
    assert results["t0"][1] != os.getpid()  # the child took the first (and slow) one
    assert results["t5"][1] == os.getpid()  # this process the last ones meanwhile


def test_shared_tasks_a_failing_child_leaves_its_part_to_the_caller() -> None:
    only_here = _fails_in_a_child(os.getpid())
    tasks = {"first": only_here, **_tasks()}
    with SharedTasks(tasks) as shared:
        results = shared.results()
    assert results["first"] == "made here"
    assert [value for value, _ in list(results.values())[1:]] == [n * n for n in range(6)]


def test_shared_tasks_error_is_raised_here_and_the_child_is_not_waited_for() -> None:
    def broken() -> None:
        raise ValueError("a broken section")

    started = time.monotonic()
    with pytest.raises(ValueError, match="a broken section"), SharedTasks(
        {"slow": lambda: time.sleep(60), "broken": broken}
    ) as shared:
        shared.results()
    assert time.monotonic() - started < 20


def test_shared_tasks_without_fork_are_all_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with SharedTasks(_tasks()) as shared:
        results = shared.results()
    assert {pid for _, pid in results.values()} == {os.getpid()}
    assert [value for value, _ in results.values()] == [n * n for n in range(6)]


def test_a_forked_child_does_its_own_forked_work_itself() -> None:
    """A child may not start children of its own (multiprocessing's rule for daemonic
    processes): a Forked inside a Forked runs no child, so its caller does the work."""

    def inner() -> tuple[int, int]:
        with Forked(os.getpid) as pending:
            return pending.answer(), os.getpid()

    with Forked(inner) as pending:
        answer = pending.result()
    assert answer is not None
    made_by, child = answer
    assert made_by == child != os.getpid()


# --- Later: a value sent to the child after the fork ---------------------------------


def test_a_value_sent_after_the_fork_reaches_the_child() -> None:
    """The child starts at once and asks for the value only when it needs it; a value
    bigger than a pipe holds does not block the caller while the child is busy."""
    later = Later()
    big = {f"E{n:06d}" for n in range(50_000)}  # ≈ 0.5 MB pickled, a pipe holds 64 KB

    def task() -> tuple[int, int]:
        time.sleep(3.0)  # busy with its own work first
        return len(later.get()), os.getpid()

    with Forked(task, later) as pending:
        started = time.monotonic()
        later.send(big)
        assert time.monotonic() - started < 2  # taken off the pipe by the child's thread
        answer = pending.result()
    assert answer[0] == 50_000 and answer[1] != os.getpid()


def test_a_caller_that_fails_before_sending_ends_the_child_s_wait() -> None:
    later = Later()
    started = time.monotonic()
    with pytest.raises(ValueError), Forked(later.get, later):
        raise ValueError("reading the enterprise files failed")
    assert time.monotonic() - started < 20


def test_sending_to_a_child_that_is_gone_is_no_error() -> None:
    later = Later()

    def broken() -> None:
        raise MemoryError("the child ran out of memory")

    with Forked(broken, later) as pending:
        time.sleep(0.5)
        later.send("x" * 1_000_000)  # nobody reads it: the pipe is broken, not full
        assert pending.result() is None


def test_without_a_child_the_caller_gets_what_it_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    later = Later()
    with Forked(later.get, later) as pending:
        later.send("x" * 1_000_000)  # would block forever on a pipe nobody reads
        assert pending.result() is None
        assert pending.answer() == "x" * 1_000_000
    with pytest.raises(RuntimeError):
        Later().get()  # nothing sent yet
