"""The validated ledger that the engines and reports work on.

Hazards have ``community`` and ``domain`` filled from their enterprise when absent
(spec section 4), so consumers never look that up again."""

from __future__ import annotations

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


@dataclass(slots=True)
class Ledger:
    root: Path
    config: Config
    enterprises: list[Enterprise] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    # (kind, id) -> where the record is written; the first one when an id is duplicated
    sources: dict[tuple[str, str], RecordRef] = field(default_factory=dict)

    def enterprise_by_id(self) -> dict[str, Enterprise]:
        return {e.id: e for e in self.enterprises}

    def hazard_by_id(self) -> dict[str, Hazard]:
        return {h.id: h for h in self.hazards}
