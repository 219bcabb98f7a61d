"""Objects left for the end of a process that ends with ``os._exit``.

The command line (:func:`safeledger.cli.app.main`) and a forked worker
(:class:`safeledger._forked.Forked`) end with ``os._exit``, which frees nothing; freeing a
big ledger object by object when a function returns would only delay the answer
(0.15–0.5 s at 100,000 hazards).  Such a process calls :func:`start_holding`; code that is
done with a big structure hands it to :func:`hold_until_exit`.  Anywhere else (a test, a
program calling the library) holding does nothing and the objects are freed as usual.

What is held is also frozen (``gc.freeze``): it lives to the end, and the collector,
back on after the bulk work, would otherwise walk all of it at its next full collection
(≈ 0.5 s at 100,000 hazards, measured in ``check``'s sort of its findings)."""

from __future__ import annotations

import gc

__all__ = ["hold_until_exit", "holding", "start_holding"]

_held: list[tuple[object, ...]] | None = None


def start_holding() -> None:
    """For a process that ends with ``os._exit``: from now on, hold what is handed over."""
    global _held
    _held = []


def holding() -> bool:
    return _held is not None


def hold_until_exit(*objects: object) -> None:
    """Keep ``objects`` (and freeze everything alive) until the process ends, when this
    process ends with ``os._exit``; otherwise do nothing."""
    if _held is None:
        return
    _held.append(objects)
    gc.freeze()
