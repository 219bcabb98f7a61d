"""A cache of check results, outside the ledger, so that ``safeledger check`` run again on
an unchanged ledger answers in a fraction of the time (docs/performance.md).

The key is a SHA-256 over everything a check result depends on:

* the safeledger version and this module's ``CACHE_FORMAT``;
* the ledger root path, ``today``, ``as_of``, ``strict`` and ``compliance``;
* the bytes of ``safeledger.yaml`` and of every record file (path, kind, content hash),
  in the reader's order, and what discovery said about links;
* the list of files under ``evidence/``;
* the interrupted imports waiting in ``.safeledger-staging/`` (the reader warns about
  them, and they change nothing else).

Evidence or plan paths that point outside ``evidence/`` are looked up on disk by the
rules; those lookups are recorded with the entry and repeated on a hit (a different
answer is a miss).

Location: ``$SAFELEDGER_CACHE_DIR`` if set, else the user cache folder
(``platformdirs.user_cache_dir("safeledger")``), one JSON file per key under
``checks/``.  Reading is defensive: any failure (missing, truncated, corrupt, another
version, a key mismatch) is a miss, never a wrong answer.  Writes are atomic
(:func:`safeledger.fileio.write_atomic`); failing to write is silently ignored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeledger import __version__
from safeledger.diagnostics import Diagnostic
from safeledger.fileio import pending_batches
from safeledger.read.ledger import discover
from safeledger.read.raw import CONFIG_FILE, RawLedger
from safeledger.validate.rules import evidence_problem, list_evidence

__all__ = ["CACHE_ENV", "CACHE_FORMAT", "CheckCache", "ProbedEvidence", "default_cache_dir"]

CACHE_ENV = "SAFELEDGER_CACHE_DIR"
CACHE_FORMAT = 1
_DIAG_FIELDS = ("code", "severity", "message", "file", "line", "column", "record", "field", "hint")

Progress = Callable[[int, int], None]  # (files done, files in all)


def default_cache_dir() -> Path:
    """``$SAFELEDGER_CACHE_DIR``, else the user cache folder of the platform."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("safeledger", appauthor=False))


class ProbedEvidence(set[str]):
    """The evidence listing, remembering which other paths the rules asked about (those
    are looked up on disk, so a cached answer must look them up again)."""

    def __init__(self, files: Iterable[str]) -> None:
        super().__init__(files)
        self.misses: set[str] = set()

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        if not found and isinstance(key, str):
            self.misses.add(key)
        return found


@dataclass(slots=True)
class CachedCheck:
    diagnostics: list[Diagnostic]
    records: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CheckCache:
    """Check results keyed by the ledger's content (see the module doc)."""

    directory: Path

    @classmethod
    def default(cls) -> CheckCache:
        return cls(default_cache_dir())

    def key(
        self,
        root: Path,
        *,
        today: dt.date,
        as_of: dt.date,
        strict: bool,
        compliance: bool,
        progress: Progress | None = None,
    ) -> tuple[str, list[str]]:
        """The key of a check of ``root``, and the evidence listing (reused by the check)."""
        h = hashlib.sha256()

        def feed(*parts: object) -> None:
            h.update(("\x1f".join(map(str, parts)) + "\x1e").encode("utf-8", "surrogatepass"))

        feed("safeledger", __version__, CACHE_FORMAT, root.resolve(), today, as_of, strict)
        feed(compliance)
        feed(CONFIG_FILE, _digest(root / CONFIG_FILE))
        scratch = RawLedger(root=root, config=None)
        entries = discover(root, scratch)
        total = len(entries)
        for n, (rel, kind, _size) in enumerate(entries, start=1):
            feed(rel, kind, _digest(root / rel))
            if progress is not None and (n % 500 == 0 or n == total):
                progress(n, total)
        for d in scratch.diagnostics:
            feed(d.code, d.file, d.message)
        evidence = sorted(list_evidence(root))
        feed("evidence", *evidence)
        feed("pending", *pending_batches(root))
        return h.hexdigest(), evidence

    def _path(self, key: str) -> Path:
        return self.directory / "checks" / f"{key}.json"

    def get(self, key: str, root: Path) -> CachedCheck | None:
        """The stored result for ``key``, or None (a miss) on any doubt."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("key") != key:
                return None
            if data.get("version") != __version__:
                return None
            for path, answer in data["probes"]:
                if evidence_problem(path, root, set()) != answer:
                    return None
            diags = [Diagnostic(*(row[f] for f in _DIAG_FIELDS)) for row in data["diagnostics"]]
            records = {str(k): int(v) for k, v in data["records"].items()}
            if not all(type(d.code) is str and type(d.message) is str for d in diags):
                return None
            return CachedCheck(diags, records)
        except Exception:  # a cache must never break a check: any failure is a miss
            return None

    def put(
        self,
        key: str,
        root: Path,
        diagnostics: list[Diagnostic],
        records: dict[str, int],
        probed: Iterable[str] = (),
    ) -> None:
        """Store a result (atomically); errors are ignored (the cache is optional)."""
        from safeledger.fileio import write_atomic

        try:
            data: dict[str, Any] = {
                "format": CACHE_FORMAT,
                "version": __version__,
                "key": key,
                "probes": [[p, evidence_problem(p, root, set())] for p in sorted(probed)],
                "records": records,
                "diagnostics": [{f: getattr(d, f) for f in _DIAG_FIELDS} for d in diagnostics],
            }
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            write_atomic(path, text.encode("utf-8"))
            self._prune(path.parent, keep=path)
        except Exception:
            return

    @staticmethod
    def _prune(folder: Path, keep: Path, limit: int = 32) -> None:
        """Keep the cache small: at most ``limit`` results, the newest ones."""
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[limit:]:
            if old != keep:
                old.unlink(missing_ok=True)


def _digest(path: Path) -> str:
    try:
        with open(path, "rb", buffering=0) as f:
            return hashlib.sha256(f.readall()).hexdigest()
    except OSError as err:
        return f"unreadable:{err.errno}"
