"""Fuzz settings: a short budget in the normal suite; ``SAFELEDGER_FUZZ_EXAMPLES=5000``
(or the hypothesis profile ``fuzz-long``) runs the same properties longer by hand."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("SAFELEDGER_FUZZ_EXAMPLES", "150"))
PER_EXAMPLE_SECONDS = 10  # a hang is a failure: no input may take this long

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timing noise on a shared box; hangs are caught by the alarm below
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("SAFELEDGER_FUZZ_RANDOM") is None,
    print_blob=True,
)


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int = PER_EXAMPLE_SECONDS) -> Iterator[None]:
    """Fail (rather than hang) when one example runs longer than ``seconds``."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Hang(f"one input took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
