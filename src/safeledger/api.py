"""The library entry points: every CLI command is a thin wrapper over these.

>>> from safeledger.api import check_ledger
>>> result = check_ledger(Path("ledgers/tongxin"), as_of=date(2025, 6, 30), today=date.today())
>>> result.exit_code, result.errors, result.warnings
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from safeledger.diagnostics import Diagnostic, DiagnosticCounts, sort_diagnostics
from safeledger.evaluate.compliance import compliance_diagnostics
from safeledger.read import find_ledger_root, locate, read_ledger
from safeledger.read.raw import RECORD_KINDS, RawLedger
from safeledger.validate import Ledger, validate_ledger

__all__ = ["CheckResult", "LoadResult", "check_ledger", "find_ledger_root", "load_ledger"]


@dataclass(slots=True)
class LoadResult(DiagnosticCounts):
    ledger: Ledger
    diagnostics: list[Diagnostic]  # sorted, with lines resolved
    raw: RawLedger


def load_ledger(root: Path, *, today: dt.date, workers: int | None = None) -> LoadResult:
    """Read and validate the ledger at ``root`` (no compliance findings)."""
    raw = read_ledger(root, workers=workers)
    ledger, diags = validate_ledger(raw, today=today)
    diags = locate(root, [*raw.diagnostics, *diags], records=raw.records)
    return LoadResult(ledger, sort_diagnostics(diags), raw)


@dataclass(slots=True)
class CheckResult(DiagnosticCounts):
    root: Path
    as_of: dt.date
    diagnostics: list[Diagnostic]
    records: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 errors (warnings count as errors with --strict)."""
        return 1 if self.errors else 0

    def to_json(self) -> dict[str, object]:
        """Spec section 8."""
        return {
            "ledger": str(self.root),
            "as_of": self.as_of.isoformat(),
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "records": dict(self.records),
            },
        }


def check_ledger(
    root: Path,
    *,
    as_of: dt.date,
    today: dt.date,
    strict: bool = False,
    compliance: bool = True,
    workers: int | None = None,
) -> CheckResult:
    """Everything ``safeledger check`` reports: read and validation diagnostics, and
    (unless ``compliance`` is False) the compliance warnings as of ``as_of``.  With
    ``strict``, warnings become errors."""
    loaded = load_ledger(root, today=today, workers=workers)
    diags = list(loaded.diagnostics)
    if compliance:
        found = compliance_diagnostics(loaded.ledger, as_of)
        diags = sort_diagnostics([*diags, *locate(root, found, records=loaded.raw.records)])
    if strict:
        diags = [d.as_warning_or_error(True) for d in diags]
    records: dict[str, int] = {kind: 0 for kind in RECORD_KINDS}
    for rec in loaded.raw.records:
        records[rec.kind] += 1
    return CheckResult(root, as_of, diags, records)

