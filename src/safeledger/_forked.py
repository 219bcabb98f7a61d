"""Work done in a forked child while the caller goes on (the second core).

The child gets a copy-on-write view of the caller's heap, so nothing has to be sent to
it; only its answer travels back, pickled through a pipe (send plain values: tuples,
strings, bytes — see safeledger.sharded and safeledger.model.codec for why)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

__all__ = ["Forked"]


class Forked:
    """``task()`` run in a forked child that sends its result back through a pipe and
    leaves at once (``os._exit``): tearing down a heap of ~1M objects would cost the
    caller half a second of waiting.  ``result()`` is None when the child failed."""

    def __init__(self, task: Callable[[], Any]) -> None:
        self.task = task
        self.process: Any = None  # no child: a platform without fork (Windows)

    def __enter__(self) -> Forked:
        if "fork" not in multiprocessing.get_all_start_methods():
            return self  # result() is None: the caller does the work, as when a child fails
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=self._run, args=(sender,), daemon=True)
        self.process.start()
        sender.close()
        return self

    def _run(self, sender: Any) -> None:
        # The child's copy of the reading end: kept open, a parent that stopped reading
        # (an error, a closed output pipe) would leave the child blocked on a full pipe.
        self.receiver.close()
        try:
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
