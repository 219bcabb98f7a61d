"""Finding a ledger and its record files: light (no parser), so that a ``check``
answered from the cache imports no more than this (docs/performance.md, "Start-up")."""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from operator import attrgetter, itemgetter
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
    return Discovery.of(root).add_to(ledger)


# (size, modification time in ns, inode, change time in ns): what tells a file changed
FileStat = tuple[int, int, int, int]
Found = tuple[str, RecordKind, FileStat | None]  # relative path, kind, stat (None: failed)

# With this many record files, a walk that may leave out the files' ``stat`` does
# (``Discovery.of(lazy=True)``): listing 160,000 files costs 0.1 s, their stats 0.6-0.9 s
# more, and a first run needs them only for the cache's stat index, after its answer.
LAZY_MIN_FILES = 4000


@dataclass(slots=True)
class Discovery:
    """What :func:`discover_stats` found, kept for a reader that comes after (the cache
    key walks the ledger first; the loader then reads what it found: one walk, not
    two, and the key names exactly the files read)."""

    found: list[Found]
    notes: list[str]
    diagnostics: list[Diagnostic]
    stated: bool = True  # False: the files' stats were left out (all None; see of)

    @classmethod
    def of(cls, root: Path, *, split: bool | None = None, lazy: bool = False) -> Discovery:
        """The walk of ``root``.  ``lazy``: the caller needs the stats only later, if at
        all: a ledger of :data:`LAZY_MIN_FILES` files or more is only listed (the
        readers take each size as they open the file; :meth:`with_stats` for the rest)."""
        scratch = RawLedger(root=root, config=None)
        if lazy:
            found = discover_stats(root, scratch, split=False, stat=False)
            if len(found) >= LAZY_MIN_FILES:
                return cls(found, scratch.notes, scratch.diagnostics, stated=False)
            found = [(rel, kind, _stat_of(root, rel)) for rel, kind, _ in found]
        else:
            found = discover_stats(root, scratch, split=split)
        return cls(found, scratch.notes, scratch.diagnostics)

    def with_stats(self, root: Path) -> list[Found]:
        """``found`` with every file's stat, taken now if the walk left them out."""
        if self.stated:
            return self.found
        return [(rel, kind, _stat_of(root, rel)) for rel, kind, _ in self.found]

    def add_to(self, ledger: RawLedger) -> list[Entry]:
        """The files to read (path, kind, size: None when not taken); the notes and
        diagnostics are added to ``ledger`` as :func:`discover_stats` adds them (all
        notes sorted)."""
        ledger.notes += self.notes
        ledger.notes.sort()
        ledger.diagnostics += self.diagnostics
        if not self.stated:
            return [(rel, kind, None) for rel, kind, _ in self.found]
        return [(rel, kind, st[0] if st else 0) for rel, kind, st in self.found]


_STAT = attrgetter("st_size", "st_mtime_ns", "st_ino", "st_ctime_ns")


def _stat_of(root: Path, rel: str) -> FileStat | None:
    try:
        return _STAT(os.stat(f"{os.fspath(root)}/{rel}"))  # as DirEntry.stat: links followed
    except OSError:
        return None


# A ledger with this many folders to walk (one file per record in year/month folders) is
# walked on two cores: a forked child lists and stats every other folder.  At 160,000
# files in 200 folders the walk is ~1.8 s of this machine's time, half of it ``stat``.
SPLIT_MIN_FOLDERS = 48
_SHARE_FOLDERS = 16  # per kind: list that deep (at most _SHARE_DEPTH) to share folders out
_SHARE_DEPTH = 3


def discover_stats(
    root: Path, ledger: RawLedger, *, split: bool | None = None, stat: bool = True
) -> list[Found]:
    """:func:`discover` with each file's :data:`FileStat` (None when ``stat`` failed).
    ``split``: walk in two processes (None: when there are many folders and two cores;
    the answer is the same).  ``stat=False``: the files are listed only (stats None)."""
    found: list[Found] = []
    had = len(ledger.diagnostics)
    folders: list[tuple[RecordKind, str, str]] = []
    for kind in RECORD_KINDS:
        top = os.path.join(root, kind)
        if os.path.isdir(top):
            folders += _shared_folders(root, top, kind, ledger, found, stat)
    if split is None:
        split = len(folders) >= SPLIT_MIN_FOLDERS and (os.cpu_count() or 1) > 1
    if split and len(folders) > 1:
        _walk_on_two_cores(root, folders, ledger, found)
    else:
        _walk_all(root, folders, ledger, found, stat)
    found.sort(key=itemgetter(0))
    ledger.notes.sort()
    ledger.diagnostics[had:] = sorted(ledger.diagnostics[had:], key=_by_file)
    return found


def _by_file(d: Diagnostic) -> tuple[str, str]:
    return (d.file or "", d.message)


def _shared_folders(
    root: Path, top: str, kind: RecordKind, ledger: RawLedger, found: list[Found], stat: bool
) -> list[tuple[RecordKind, str, str]]:
    """The folders of ``kind`` to walk, listed level by level (the files met on the way
    go to ``found``) until there are enough to share out evenly: for hazards in
    year/month folders, the months."""
    folders = [(top, str(kind))]
    for _ in range(_SHARE_DEPTH):
        if len(folders) >= _SHARE_FOLDERS:
            break
        deeper: list[tuple[str, str]] = []
        for folder, rel in folders:
            deeper += _list(root, folder, rel, kind, ledger, found, stat)
        folders = deeper
    return [(kind, folder, rel) for folder, rel in folders]


def _walk_on_two_cores(
    root: Path, folders: list[tuple[RecordKind, str, str]], ledger: RawLedger, found: list[Found]
) -> None:
    from safeledger._forked import Forked  # multiprocessing: only for a big ledger

    ours, theirs = folders[0::2], folders[1::2]
    with Forked(partial(_walk_apart, root, theirs)) as pending:
        _walk_all(root, ours, ledger, found)
        got = pending.result()
    if got is None:  # the child failed: its share is walked here
        _walk_all(root, theirs, ledger, found)
        return
    their_found, notes, diagnostics = got
    found += marshal.loads(their_found)
    ledger.notes += notes
    ledger.diagnostics += diagnostics


def _walk_apart(
    root: Path, folders: list[tuple[RecordKind, str, str]]
) -> tuple[bytes, list[str], list[Diagnostic]]:
    """The child's share: what it found (marshalled: several times faster to send than
    pickled), its notes and diagnostics."""
    ledger = RawLedger(root=root, config=None)
    found: list[Found] = []
    _walk_all(root, folders, ledger, found)
    return marshal.dumps(found), ledger.notes, ledger.diagnostics


def _walk_all(
    root: Path,
    folders: list[tuple[RecordKind, str, str]],
    ledger: RawLedger,
    found: list[Found],
    stat: bool = True,
) -> None:
    for kind, folder, rel in folders:
        _walk(root, folder, rel, kind, ledger, found, stat)


def _walk(
    root: Path,
    folder: str,
    rel_folder: str,
    kind: RecordKind,
    ledger: RawLedger,
    found: list[Found],
    stat: bool,
) -> None:
    for sub, rel in _list(root, folder, rel_folder, kind, ledger, found, stat):
        _walk(root, sub, rel, kind, ledger, found, stat)


def _list(
    root: Path,
    folder: str,
    rel_folder: str,
    kind: RecordKind,
    ledger: RawLedger,
    found: list[Found],
    stat: bool,
) -> list[tuple[str, str]]:
    """One folder: its files into ``found``, its subfolders returned (by name), with
    ``os.scandir`` (the entry types come with the listing: no ``stat`` per file beyond
    the one that gives its size).  Where the platform allows, the folder is opened and
    listed by descriptor, so each ``stat`` looks up one name, not the whole path (a
    quarter less time for 160,000 files)."""
    fd = None
    try:
        if _SCANDIR_FD:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        with os.scandir(folder if fd is None else fd) as listing:
            return _entries(root, folder, rel_folder, kind, ledger, found, listing, stat)
    except OSError:
        return []  # as os.walk: a folder that cannot be listed is skipped
    finally:
        if fd is not None:
            os.close(fd)


def _entries(
    root: Path,
    folder: str,
    rel_folder: str,
    kind: RecordKind,
    ledger: RawLedger,
    found: list[Found],
    listing: Iterator[os.DirEntry[str]],
    stat: bool,
) -> list[tuple[str, str]]:
    folders: list[tuple[str, str]] = []
    for entry in listing:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{rel_folder}/{name}"
        if entry.is_file(follow_symlinks=False) and name.lower().endswith(LEDGER_SUFFIXES):
            try:  # the common case first: a record file, not a link
                found.append((rel, kind, _STAT(entry.stat()) if stat else None))
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
            st: FileStat | None = _STAT(entry.stat()) if stat else None
        except OSError:
            st = None
        found.append((rel, kind, st))
    folders.sort()
    return folders
