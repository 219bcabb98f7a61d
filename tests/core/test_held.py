"""safeledger._held: what a process that ends with ``os._exit`` leaves to the end.

Holding changes nothing but speed: the command line and a forked worker hold big
structures instead of freeing them object by object, and freeze them so the cycle
collector never walks them again; a test or a program calling the library holds nothing."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeledger import _held
from safeledger._held import hold_until_exit, holding, start_holding
from safeledger.api import check_ledger
from tests.perf.ledgers import AS_OF, TODAY, generate


class _Heap:
    pass


@pytest.fixture
def holding_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process as if it ended with ``os._exit`` (restored afterwards)."""
    monkeypatch.setattr(_held, "_held", None)
    start_holding()
    try:
        yield
    finally:
        gc.unfreeze()


def test_nothing_is_held_in_a_process_that_frees_at_its_end() -> None:
    assert not holding()
    heap = _Heap()
    ref = weakref.ref(heap)
    hold_until_exit(heap)
    del heap
    assert ref() is None


def test_held_objects_live_on_and_are_frozen(holding_process: None) -> None:
    heap = _Heap()
    ref = weakref.ref(heap)
    before = gc.get_freeze_count()
    hold_until_exit(heap)
    del heap
    assert ref() is not None
    assert gc.get_freeze_count() > before  # the collector no longer walks it


def test_check_holds_the_records_it_read(holding_process: None, tmp_path: Path) -> None:
    """On two cores the parent's records are held (no 0.3 s of freeing, no full
    collection walking them during the sort); the answer is the same."""
    generate.generate(tmp_path, hazards_n=600, enterprises_n=60, activities_n=200, mistakes=0.05)
    assert _held._held == []
    held = check_ledger(tmp_path, as_of=AS_OF, today=TODAY, workers=2)
    assert _held._held  # the parent's part and the worker's answer
    one = check_ledger(tmp_path, as_of=AS_OF, today=TODAY, workers=1)
    assert held.to_json() == one.to_json()


def test_settling_after_a_freeze_freezes_in_a_holding_process(holding_process: None) -> None:
    """What a block made with the collector off is settled so that no young collection
    walks it afterwards; when something is frozen already (the loaded ledger), only a
    process that ends with os._exit may do it, by freezing (unfreezing would thaw the
    ledger too)."""
    from safeledger._gc import no_cycle_collection

    gc.freeze()
    before = gc.get_freeze_count()
    with no_cycle_collection(settle=True):
        made = [[n] for n in range(1000)]
    assert gc.get_freeze_count() >= before + len(made)
    assert gc.get_count()[0] < len(made)  # none of it left in the young generation


def test_settling_after_a_freeze_does_nothing_elsewhere() -> None:
    from safeledger._gc import no_cycle_collection

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with no_cycle_collection(settle=True):
            made = [[n] for n in range(1000)]
        assert gc.get_freeze_count() == before and made
    finally:
        gc.unfreeze()
