"""The one diagnostic type every check yields and every output format renders.

A check never prints: it returns :class:`Diagnostic` values.  Checks that know only
*which* record and field is wrong (not the line) set ``anchor``; the loader resolves
anchors to line/column afterwards, and only for files that have diagnostics, so the
fast path never pays for position tracking.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from typing import Literal

from safeledger._fastinit import fast_init

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@fast_init
@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a problem is, before it is resolved to a line: record ``index`` in ``file``
    (0-based order of records in the file) and the key path inside it (empty: the record)."""

    index: int
    path: tuple[str | int, ...] = ()


@fast_init  # checks make one per finding: 100,000 and more on a large ledger
@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str | None = None  # relative to the ledger root, "/" separators
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    record: str | None = None  # record id when known
    field: str | None = None  # canonical (English) field name
    hint: str | None = None  # how to fix it, shown in text output
    anchor: Anchor | None = dataclass_field(default=None, compare=False, repr=False)

    def with_position(self, line: int | None, column: int | None) -> Diagnostic:
        return Diagnostic(
            self.code,
            self.severity,
            self.message,
            self.file,
            line,
            column,
            self.record,
            self.field,
            self.hint,
            self.anchor,
        )

    def as_warning_or_error(self, strict: bool) -> Diagnostic:
        return replace(self, severity=ERROR) if strict and self.severity == WARNING else self

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        """The shape of spec section 8."""
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "record": self.record,
            "field": self.field,
            "message": self.message,
        }


# A diagnostic as a plain tuple: what travels between processes (several times faster
# than a dataclass) and what the file cache keeps (marshal writes it).
Packed = tuple[object, ...]


def pack_diagnostic(d: Diagnostic) -> Packed:
    anchor = (d.anchor.index, d.anchor.path) if d.anchor is not None else None
    return (
        d.code,
        d.severity,
        d.message,
        d.file,
        d.line,
        d.column,
        d.record,
        d.field,
        d.hint,
        anchor,
    )


def unpack_diagnostic(t: Packed) -> Diagnostic:
    *fields, anchor = t
    return Diagnostic(*fields, Anchor(*anchor) if anchor is not None else None)  # type: ignore[arg-type,misc,call-arg]


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: by file, line, column, code, message."""
    return sorted(diags, key=Diagnostic.sort_key)


def count(diags: Iterable[Diagnostic]) -> tuple[int, int]:
    errors = warnings = 0
    for d in diags:
        if d.severity == ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


class DiagnosticCounts:
    """Mixin for results that carry ``diagnostics``: their error and warning counts."""

    __slots__ = ()
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]

    @property
    def warnings(self) -> int:
        return count(self.diagnostics)[1]
