"""What the reader produces: raw records as written, with where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from safeledger.diagnostics import Diagnostic

RecordKind = Literal["enterprises", "hazards", "activities"]
RECORD_KINDS: tuple[RecordKind, ...] = ("enterprises", "hazards", "activities")
CONFIG_FILE = "safeledger.yaml"


@dataclass(slots=True)
class RawRecord:
    """One record as written: keys in English or Chinese, values as the parser gave them
    (YAML 1.2 core scalars: str, int, float, bool, None, date; lists; dicts)."""

    kind: RecordKind
    file: str  # relative to the ledger root, "/" separators
    index: int  # 0-based order of the record in its file
    data: dict[str, Any]
    line: int | None = None  # record start, when known for free (CSV rows)
    key_columns: dict[str, int] | None = None  # CSV: header as written -> 1-based column
    # YAML: where a record-level anchor resolves (the same answer as read.locate), when the
    # reader knows it for free; None: locate works it out.
    column: int | None = None
    # The validated model, when validation took the fast path (set by it), or when the
    # record comes from the file cache (safeledger.file_cache): ``data`` is then empty.
    model: Any = None


@dataclass(slots=True)
class SourceFile:
    path: str  # relative, "/" separators
    kind: RecordKind | Literal["config"]
    format: Literal["yaml", "csv"]
    digest: str  # sha256 hex of the bytes
    encoding: str | None = None  # CSV: "utf-8", "utf-8-sig" or "gb18030"
    records: int = 0


@dataclass(slots=True)
class RawLedger:
    root: Path
    config: dict[str, Any] | None  # None when safeledger.yaml could not be read
    files: list[SourceFile] = field(default_factory=list)
    records: list[RawRecord] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # problems found reading
    notes: list[str] = field(default_factory=list)  # ignored files etc., for --verbose

    def digests(self) -> list[tuple[str, str]]:
        """(path, SHA-256) of every file read (for a cache key: safeledger.cache)."""
        return [(f.path, f.digest) for f in self.files]
