"""The validated ledger's sources can be given as a function, made on first use (the
cache of loaded ledgers does this: status and reports never ask for them)."""

from __future__ import annotations

from pathlib import Path

from safeledger.model import Config
from safeledger.validate.ledger import Ledger, RecordRef, Sources

WHERE: Sources = {("hazards", "H-1"): RecordRef("hazards/2025.yaml", 0, 3, 3)}


def _ledger(sources: Sources | None = None) -> Ledger:
    ledger = Ledger(Path("/ledger"), Config(organisation="同心街道"))
    if sources is not None:
        ledger.sources = sources
    return ledger


def test_sources_made_on_first_use_and_only_once() -> None:
    calls: list[int] = []

    def make() -> Sources:
        calls.append(1)
        return dict(WHERE)

    ledger = _ledger()
    ledger.sources = make
    assert calls == []
    assert ledger.sources == WHERE and ledger.sources is ledger.sources
    assert calls == [1]


def test_equal_whether_the_sources_were_made_yet_or_not() -> None:
    lazy = _ledger()
    lazy.sources = lambda: dict(WHERE)
    assert lazy == _ledger(dict(WHERE))
    assert _ledger(dict(WHERE)) != _ledger({})
    assert _ledger() == _ledger() and _ledger() != "a ledger"
