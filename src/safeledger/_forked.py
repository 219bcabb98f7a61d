"""Work done in a forked child while the caller goes on (the second core).

The child gets a copy-on-write view of the caller's heap, so nothing has to be sent to
it; only its answer travels back, pickled through a pipe (send plain values: tuples,
strings, bytes — see safeledger.sharded and safeledger.model.codec for why)."""

from __future__ import annotations

import mmap
import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from safeledger._held import start_holding

__all__ = ["Forked", "Later", "SharedTasks"]


class Forked:
    """``task()`` run in a forked child that sends its result back through a pipe and
    leaves at once (``os._exit``): tearing down a heap of ~1M objects would cost the
    caller half a second of waiting.  ``result()`` is None when the child failed."""

    def __init__(self, task: Callable[[], Any], later: Later | None = None) -> None:
        self.task = task
        self.later = later  # a value sent to the child after the fork
        self.process: Any = None  # no child: a platform without fork (Windows)

    def __enter__(self) -> Forked:
        if "fork" not in multiprocessing.get_all_start_methods():
            return self  # result() is None: the caller does the work, as when a child fails
        if multiprocessing.current_process().daemon:
            return self  # in a Forked child, which may not have children of its own: as above
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        if self.later is not None:
            self.later._before_fork()
        self.process = context.Process(target=self._run, args=(sender,), daemon=True)
        self.process.start()
        sender.close()
        if self.later is not None:
            self.later._in_caller()
        return self

    def _run(self, sender: Any) -> None:
        # The child's copy of the reading end: kept open, a parent that stopped reading
        # (an error, a closed output pipe) would leave the child blocked on a full pipe.
        start_holding()  # the child ends with os._exit: what the task holds is never freed
        self.receiver.close()
        try:
            if self.later is not None:
                self.later._in_child()
            answer = self.task()
        except BaseException:
            answer = None
        try:
            sender.send(answer)
            sender.close()
        finally:
            os._exit(0)

    def result(self) -> Any:
        if self.process is None:
            return None
        try:
            return self.receiver.recv()
        except (EOFError, OSError):
            return None

    def answer(self) -> Any:
        """The child's answer, or — when the child failed (None) — ``task()`` run here,
        which gives the same answer or raises the error the child met."""
        got = self.result()
        return self.task() if got is None else got

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.process is None:
            return
        self.receiver.close()
        if exc_type is not None:  # the answer will not be read: don't wait for it
            self.process.kill()
        self.process.join()


class SharedTasks:
    """Named tasks shared out between a forked child and the caller, so that neither
    core idles whatever the tasks cost: the child makes them from the first on; the
    caller, once its own work is done (:meth:`results`), from the last back; each
    stops at the first the other has claimed.  ``results()`` has every task's answer,
    in the tasks' order.

    Claims are bytes in an anonymous mapping both processes share.  Claiming is not
    atomic, so both may now and then make the same task (tasks must be pure: the same
    answer either way), and none is ever left out.  A child that fails sends nothing;
    the caller then makes what it lacks, and meets the child's error itself if there
    was one.  Without fork (Windows) the caller makes everything."""

    def __init__(self, tasks: Mapping[str, Callable[[], Any]]) -> None:
        self.tasks = list(tasks.items())
        self.claims = mmap.mmap(-1, max(1, len(self.tasks)))  # 1: being made by someone
        self.forked = Forked(self._theirs)

    def _theirs(self) -> dict[str, Any]:
        done: dict[str, Any] = {}
        for n, (key, make) in enumerate(self.tasks):
            if self.claims[n]:
                break  # the caller works from the end: the rest are its
            self.claims[n] = 1
            done[key] = make()
        return done

    def __enter__(self) -> SharedTasks:
        self.forked.__enter__()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.forked.__exit__(exc_type, *exc)
        self.claims.close()

    def results(self) -> dict[str, Any]:
        mine: dict[str, Any] = {}
        if self.forked.process is not None:
            for n in range(len(self.tasks) - 1, -1, -1):
                if self.claims[n]:
                    break
                self.claims[n] = 1
                key, make = self.tasks[n]
                mine[key] = make()
        theirs = self.forked.result() or {}
        out: dict[str, Any] = {}
        for key, make in self.tasks:
            if key in mine:
                out[key] = mine[key]
            elif key in theirs:
                out[key] = theirs[key]
            else:  # the child failed before it: made here
                out[key] = make()
        return out


class Later:
    """A value the caller sends to its forked child after the fork, for what the child
    does last: the fork need not wait for it.  Give it to the :class:`Forked`; the task
    calls :meth:`get` when it needs the value, the caller :meth:`send` once it has it.
    A thread of the child takes the value off the pipe as soon as it comes, so the
    caller never blocks on a full pipe; a child that is gone is no error for the caller
    (the Forked's ``result()`` is None).  With no child, :meth:`get` in the caller
    gives what was sent."""

    def __init__(self) -> None:
        self.value: Any = None
        self.sent = False
        self.receiver: Any = None
        self.sender: Any = None
        self.thread: threading.Thread | None = None
        self.failed = False

    def _before_fork(self) -> None:
        self.receiver, self.sender = multiprocessing.Pipe(duplex=False)

    def _in_child(self) -> None:
        self.sender.close()
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _in_caller(self) -> None:
        self.receiver.close()

    def _receive(self) -> None:
        try:
            self.value = self.receiver.recv()
        except (EOFError, OSError):  # the caller failed before sending
            self.failed = True

    def send(self, value: Any) -> None:
        """In the caller, once."""
        self.value, self.sent = value, True
        if self.sender is None:
            return  # no child
        try:
            self.sender.send(value)
        except OSError:  # the child is gone: the caller does its work
            pass
        finally:
            self.sender.close()

    def get(self) -> Any:
        """The value, once sent (in the child: waits for it)."""
        if self.thread is not None:
            self.thread.join()
            if self.failed:
                raise EOFError("the caller sent nothing")
        elif not self.sent:
            raise RuntimeError("Later.get() before send()")
        return self.value
