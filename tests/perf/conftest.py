"""The shared fixtures of tests/perf (tests/perf/ledgers.py)."""

from tests.perf.ledgers import ledger, template

__all__ = ["ledger", "template"]
