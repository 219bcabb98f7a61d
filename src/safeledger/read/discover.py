"""Finding a ledger and its record files: light (no parser), so that a ``check``
answered from the cache imports no more than this (docs/performance.md, "Start-up")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from safeledger.diagnostics import ERROR, Diagnostic
from safeledger.errors import LedgerNotFound
from safeledger.read import codes
from safeledger.read.raw import CONFIG_FILE, RECORD_KINDS, RawLedger, RecordKind

if TYPE_CHECKING:
    from safeledger.read.pool import Entry

LEDGER_SUFFIXES = (".yaml", ".yml", ".csv")
_SCANDIR_FD = os.scandir in os.supports_fd


def find_ledger_root(start: Path, *, explicit: bool = False) -> Path:
    """The nearest folder upward from ``start`` (inclusive) holding safeledger.yaml.

    ``explicit``: ``start`` was named by the user as the ledger, so only it counts (a
    folder without safeledger.yaml is an error, not a reason to look further up)."""
    start = start.expanduser()
    if not start.exists():
        raise LedgerNotFound(f"{start} does not exist")
    here = start.resolve()
    if here.is_file():
        here = here.parent
    if explicit and not (here / CONFIG_FILE).is_file():
        raise LedgerNotFound(
            f"{start} is not a ledger: it has no {CONFIG_FILE} (the file that marks a ledger root)",
            hint="Pass the ledger folder, or run `safeledger init` there to start one.",
        )
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise LedgerNotFound(
        f"no ledger found: neither {here} nor any folder above it holds {CONFIG_FILE}",
        hint="Run `safeledger init` to start a ledger, or pass the ledger folder.",
    )


def discover(root: Path, ledger: RawLedger) -> list[Entry]:
    """Record files under enterprises/, hazards/, activities/ (any depth, hidden skipped),
    sorted by path; other files become notes, outside symlinks diagnostics."""
    return [(rel, kind, st.st_size if st else 0) for rel, kind, st in discover_stats(root, ledger)]


def discover_stats(
    root: Path, ledger: RawLedger
) -> list[tuple[str, RecordKind, os.stat_result | None]]:
    """:func:`discover` with each file's ``os.stat`` (None when it failed)."""
    found: list[tuple[str, RecordKind, os.stat_result | None]] = []
    for kind in RECORD_KINDS:
        top = os.path.join(root, kind)
        if os.path.isdir(top):
            _walk(root, top, kind, kind, ledger, found)
    found.sort(key=itemgetter(0))
    ledger.notes.sort()
    return found


def _walk(
    root: Path,
    folder: str,
    rel_folder: str,
    kind: RecordKind,
    ledger: RawLedger,
    found: list[tuple[str, RecordKind, os.stat_result | None]],
) -> None:
    """One folder of :func:`discover_stats`, with ``os.scandir`` (the entry types come
    with the listing: no ``stat`` per file beyond the one that gives its size).  Where
    the platform allows, the folder is opened and listed by descriptor, so each ``stat``
    looks up one name, not the whole path (a quarter less time for 160,000 files)."""
    fd = None
    try:
        if _SCANDIR_FD:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        with os.scandir(folder if fd is None else fd) as listing:
            _entries(root, folder, rel_folder, kind, ledger, found, listing)
    except OSError:
        return  # as os.walk: a folder that cannot be listed is skipped
    finally:
        if fd is not None:
            os.close(fd)


def _entries(
    root: Path,
    folder: str,
    rel_folder: str,
    kind: RecordKind,
    ledger: RawLedger,
    found: list[tuple[str, RecordKind, os.stat_result | None]],
    listing: Iterator[os.DirEntry[str]],
) -> None:
    folders: list[tuple[str, str]] = []
    for entry in listing:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{rel_folder}/{name}"
        if entry.is_file(follow_symlinks=False) and name.lower().endswith(LEDGER_SUFFIXES):
            try:  # the common case first: a record file, not a link
                found.append((rel, kind, entry.stat()))
            except OSError:
                found.append((rel, kind, None))
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if entry.is_symlink():
                ledger.notes.append(f"{rel}: a linked folder, not followed")
            else:
                folders.append((os.path.join(folder, name), rel))
            continue
        if not name.lower().endswith(LEDGER_SUFFIXES):
            ledger.notes.append(f"{rel}: ignored (not .yaml, .yml or .csv)")
            continue
        if entry.is_symlink() and not (root / rel).resolve().is_relative_to(root.resolve()):
            full = root / rel
            ledger.diagnostics.append(
                Diagnostic(
                    codes.SYMLINK_OUTSIDE,
                    ERROR,
                    f"a link to {full.resolve()}, outside the ledger folder; not read",
                    file=rel,
                    hint="Copy the file into the ledger instead of linking it.",
                )
            )
            continue
        try:
            st: os.stat_result | None = entry.stat()
        except OSError:
            st = None
        found.append((rel, kind, st))
    for path, rel in folders:
        _walk(root, path, rel, kind, ledger, found)
