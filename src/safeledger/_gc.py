"""Pausing the cycle collector around bulk work.

Loading and laying out a big ledger builds millions of objects and no reference cycles;
the collector would only walk the growing heap again and again (a full collection costs
0.5–0.9 s at 100,000 hazards).  Every such place uses :func:`no_cycle_collection`, which
restores the collector afterwards (tests run many commands in one process)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["no_cycle_collection"]


@contextmanager
def no_cycle_collection(*, settle: bool = False) -> Iterator[None]:
    """The collector is off inside the block.  ``settle``: what was made is long-lived, so
    move it to the oldest generation at once (``gc.freeze`` then ``gc.unfreeze``) or the
    next young collection walks all of it; skipped when the caller froze objects itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
