"""Work that can wait until the command's answer is out: storing a big cache entry.

On a first run, ``status`` used to store the loaded ledger (1.5–3 s of encoding) in a
process forked at once, which then competed with the command's own work for the two
cores (+1.5–2.5 s at 100,000 hazards).  The console entry point
(:func:`safeledger.cli.app.main`) collects such work instead (:func:`start_collecting`)
and, once the output is written and flushed, forks one detached process that does it
(:func:`run_collected`) while the command ends.  Anywhere else (tests, programs calling
the library) nothing is collected and the caller does the work itself."""

from __future__ import annotations

import os
from collections.abc import Callable

# Work left for after the answer; None: nobody will run it (the caller does it now).
_waiting: list[Callable[[], None]] | None = None


def start_collecting() -> None:
    """Called by the entry point, which runs :func:`run_collected` before it exits."""
    global _waiting
    _waiting = []


def after_the_answer(task: Callable[[], None]) -> bool:
    """Leave ``task`` for after the command's answer (True), or False when nobody will
    run it then: the caller runs it (or starts it in the background) itself."""
    if _waiting is None:
        return False
    _waiting.append(task)
    return True


def collecting() -> bool:
    """Is work being collected for after the answer (a command line, which then ends)?
    Also true in a process forked from it."""
    return _waiting is not None


def run_collected() -> None:
    """Run the collected work, in order, in one detached child (here when there is no
    fork).  The caller has flushed its output and exits at once."""
    global _waiting
    tasks, _waiting = _waiting or [], None
    if tasks and not in_background(lambda: _run_all(tasks)):
        _run_all(tasks)


def _run_all(tasks: list[Callable[[], None]]) -> None:
    for task in tasks:
        task()


def in_background(task: Callable[[], None]) -> bool:
    """Run ``task`` in a forked child that leaves at once when done (no waiting for it:
    like git's automatic gc); False when it could not be started."""
    try:
        pid = os.fork()
    except (OSError, AttributeError):  # no fork (Windows)
        return False
    if pid == 0:  # the child
        try:
            os.setsid()  # not killed with the terminal's process group (Ctrl-C)
            # Let go of the command's standard streams: a reader of its output (`| jq`,
            # a test capturing it) waits for every writer to close them.
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            task()
        finally:
            os._exit(0)
    return True
