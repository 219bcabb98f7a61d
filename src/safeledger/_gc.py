"""Pausing the cycle collector around bulk work.

Loading and laying out a big ledger builds millions of objects and no reference cycles;
the collector would only walk the growing heap again and again (a full collection costs
0.5–0.9 s at 100,000 hazards).  Every such place uses :func:`no_cycle_collection`, which
restores the collector afterwards (tests run many commands in one process)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from safeledger._held import holding

__all__ = ["no_cycle_collection"]


@contextmanager
def no_cycle_collection(*, settle: bool = False) -> Iterator[None]:
    """The collector is off inside the block.  ``settle``: what was made is long-lived, so
    move it to the oldest generation at once (``gc.freeze`` then ``gc.unfreeze``) or the
    next young collection walks all of it (0.1-0.5 s after a report of 100,000 hazards);
    when the caller froze objects itself (unfreezing would thaw them too), only in a
    process that ends with ``os._exit`` (safeledger._held), by freezing it as well."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        elif settle and holding():
            gc.freeze()
        if enabled:
            gc.enable()
