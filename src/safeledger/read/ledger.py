"""Finding the ledger root and reading every file of a ledger, in a process pool when big."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from safeledger.diagnostics import ERROR, WARNING, Diagnostic
from safeledger.fileio import pending_batches
from safeledger.read import codes
from safeledger.read.discover import Discovery
from safeledger.read.files import FileResult, read_file
from safeledger.read.pool import Entry, read_files
from safeledger.read.raw import CONFIG_FILE, RawLedger

# read_files, or a version of it that takes some files from elsewhere (a cache)
Reader = Callable[[Path, list[Entry], int | None], list[FileResult]]


def read_ledger(
    root: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    discovery: Discovery | None = None,
    reader: Reader = read_files,
) -> RawLedger:
    """Read the config and every record file of the ledger at ``root``.

    Files are read in sorted path order.  ``workers=1`` reads in-process, ``workers=N``
    in a pool of N processes; ``None`` chooses (in-process today, see pool.AUTO_POOL).
    The result is the same either way.  ``progress(done, total)`` (files) is called now
    and then when given (a progress bar; reading stays silent otherwise).
    ``discovery`` as for :func:`read_head`.  ``reader``: how a list of files is read
    (:func:`safeledger.read.pool.read_files`, or a cache's version of it)."""
    ledger, entries = read_head(root, discovery)
    if progress is None or (workers is not None and workers > 1):
        for result in reader(root, entries, workers):
            add_file(ledger, result)
        return ledger
    step = max(50, len(entries) // 100)
    progress(0, len(entries))
    for start in range(0, len(entries), step):
        for result in reader(root, entries[start : start + step], workers):
            add_file(ledger, result)
        progress(min(start + step, len(entries)), len(entries))
    return ledger


def read_head(root: Path, discovery: Discovery | None = None) -> tuple[RawLedger, list[Entry]]:
    """The first step of :func:`read_ledger`: the config, warnings about interrupted
    writes, and the record files to read (not read yet).  For callers that read the
    files themselves, e.g. in several processes (safeledger.sharded).  ``discovery``:
    the files as a walk just found them (the cache key's), instead of walking again."""
    ledger = RawLedger(root=root, config=None)
    _read_config(root, ledger)
    _interrupted_writes(root, ledger)
    if discovery is None:
        discovery = Discovery.of(root, lazy=True)  # the readers take the sizes they need
    return ledger, discovery.add_to(ledger)


def add_file(ledger: RawLedger, result: FileResult) -> None:
    """Add one record file's result (from disk or from git history) to ``ledger``."""
    if result.source is not None:
        ledger.files.append(result.source)
    ledger.records.extend(result.records)
    ledger.diagnostics.extend(result.diagnostics)


def _read_config(root: Path, ledger: RawLedger) -> None:
    if not (root / CONFIG_FILE).is_file():
        ledger.diagnostics.append(
            Diagnostic(
                codes.CONFIG_MISSING,
                ERROR,
                f"{CONFIG_FILE} is missing at the ledger root",
                file=CONFIG_FILE,
                hint="Create it with at least `organisation: <who keeps the ledger>`.",
            )
        )
        return
    add_config(ledger, read_file(root, CONFIG_FILE, "config"))


def _interrupted_writes(root: Path, ledger: RawLedger) -> None:
    """A warning per batch write that a crash interrupted (only looked at, never touched:
    the next editing command, which holds the ledger lock, completes or discards it)."""
    for folder, committed in pending_batches(root):
        if committed:
            message = (
                "an import was interrupted after its files were prepared (or is running "
                "right now); some of its new records may be missing until it is completed"
            )
        else:
            message = (
                "an import was interrupted before it was complete (or is running right "
                "now); none of its records were written"
            )
        ledger.diagnostics.append(
            Diagnostic(
                codes.INTERRUPTED_WRITE,
                WARNING,
                message,
                file=folder,
                hint="Run any editing command (e.g. `safeledger import` again, or `rectify`): "
                "it first completes or discards the interrupted import.",
            )
        )


def add_config(ledger: RawLedger, result: FileResult) -> None:
    """Take ``safeledger.yaml``'s read result (from disk or from git history) into
    ``ledger``: its settings, or a config diagnostic saying why there are none."""
    if result.source is not None:
        ledger.files.append(result.source)
    bad = {codes.YAML_SYNTAX, codes.NOT_A_RECORD, codes.EMPTY_FILE}
    for d in result.diagnostics:
        ledger.diagnostics.append(
            d
            if d.code not in bad
            else Diagnostic(
                codes.CONFIG_SYNTAX, ERROR, d.message, d.file, d.line, d.column, hint=d.hint
            )
        )
    fatal = any(d.code != codes.DUPLICATE_KEY for d in result.diagnostics)
    if len(result.items) == 1 and type(result.items[0]) is dict and not fatal:
        ledger.config = result.items[0]
    elif not fatal:
        what = "empty" if not result.items else "not a mapping of settings"
        ledger.diagnostics.append(
            Diagnostic(
                codes.CONFIG_SYNTAX,
                ERROR,
                f"{CONFIG_FILE} is {what}; it must be one mapping "
                "such as `organisation: 同心街道办事处`",
                file=CONFIG_FILE,
                line=1,
                column=1,
            )
        )
