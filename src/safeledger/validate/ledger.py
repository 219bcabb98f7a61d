"""The validated ledger that the engines and reports work on.

Hazards have ``community`` and ``domain`` filled from their enterprise when absent
(spec section 4), so consumers never look that up again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from safeledger._fastinit import fast_init
from safeledger.model import Activity, Config, Enterprise, Hazard


@fast_init  # one per record: 160,000 in a district's ledger
@dataclass(frozen=True, slots=True)
class RecordRef:
    """Where a validated record is written (for edit commands and messages)."""

    file: str
    index: int
    line: int | None = None
    column: int | None = None


Sources = dict[tuple[str, str], RecordRef]


@dataclass(slots=True, eq=False)
class Ledger:
    root: Path
    config: Config
    enterprises: list[Enterprise] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    # the sources, or a function that makes them when first asked (see ``sources``)
    _sources: Sources | Callable[[], Sources] = field(default_factory=dict, repr=False)

    @property
    def sources(self) -> Sources:
        """(kind, id) -> where the record is written; the first one when an id is
        duplicated.  Made on first use when the ledger came from the cache: status and
        reports never ask, and 160,000 of them cost a quarter of a second."""
        made = self._sources
        if callable(made):
            made = self._sources = made()
        return made

    @sources.setter
    def sources(self, value: Sources | Callable[[], Sources]) -> None:
        self._sources = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ledger):
            return NotImplemented
        return (self.root, self.config, self.enterprises, self.hazards, self.activities) == (
            other.root, other.config, other.enterprises, other.hazards, other.activities
        ) and self.sources == other.sources

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def enterprise_by_id(self) -> dict[str, Enterprise]:
        return {e.id: e for e in self.enterprises}

    def hazard_by_id(self) -> dict[str, Hazard]:
        return {h.id: h for h in self.hazards}
