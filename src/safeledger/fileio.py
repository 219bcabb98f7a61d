"""Crash-safe writes and the ledger lock, shared by every command that writes a ledger
(the editing commands, ``import``, ``export``, ``report -o``).  It sits in the lowest
layer so that every package that writes can use the one implementation.

* :func:`write_atomic` writes a temporary file in the same folder, flushes and fsyncs it,
  renames it over the target with :func:`os.replace` (atomic on POSIX and Windows), then
  fsyncs the folder so the rename itself survives a power cut.  A crash at any point
  leaves either the old file or the new one, never half of one.
* :func:`ledger_lock` serialises writers on one ledger with ``.safeledger.lock`` in the
  ledger root.  It uses the ``filelock`` package (OS-level locks that the OS releases
  when a process dies, so a crashed command never leaves a stale lock behind) instead of
  a hand-written pid file.  Right after taking the lock (outermost acquisition in this
  process) it calls :func:`recover_batches`, so every writer first completes or discards
  a batch that a crash interrupted.
* :func:`write_batch` creates several new files all-or-nothing (``safeledger import``):
  staged in ``.safeledger-staging/<token>/``, committed by writing ``MANIFEST.json``
  atomically, then moved into place.  A crash before the manifest is written leaves the
  ledger as before (the staging folder is discarded by the next writer); a crash after it
  is rolled forward by the next writer (:func:`recover_batches`), so the ledger ends up
  exactly as after.  :func:`pending_batches` lists interrupted batches without touching
  them (the reader reports them as ``interrupted-write`` warnings).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from safeledger.errors import SafeledgerError

if TYPE_CHECKING:
    from filelock import FileLock

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "LOCK_FILE",
    "MANIFEST",
    "STAGING_DIR",
    "BatchConflict",
    "LockBusy",
    "TargetExists",
    "ledger_lock",
    "pending_batches",
    "recover_batches",
    "write_atomic",
    "write_batch",
]

LOCK_FILE = ".safeledger.lock"
STAGING_DIR = ".safeledger-staging"  # hidden: the reader never walks it
MANIFEST = "MANIFEST.json"  # a batch's commit point
DEFAULT_LOCK_TIMEOUT = 10.0  # seconds


class LockBusy(SafeledgerError):
    """Another safeledger command holds the ledger lock for longer than we wait."""


class TargetExists(FileExistsError):
    """``write_atomic(..., exclusive=True)`` or :func:`write_batch` found the target
    already there."""


class BatchConflict(SafeledgerError):
    """An interrupted batch cannot be completed: a target now holds other bytes, or the
    staging folder is damaged.  Nothing is overwritten; the staging folder is kept."""


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not possible, nor needed, on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, exclusive: bool = False) -> None:
    """Replace (or create) ``path`` with ``data`` atomically; ``data`` may come in pieces
    (a 200 MB JSON report is written as it is made, never whole in memory), and an error
    while they are made leaves ``path`` as it was.

    The temporary file is created next to ``path`` (a rename is atomic only within one
    file system) and keeps the permissions of the file it replaces.  On any failure the
    temporary file is removed and ``path`` is untouched; the exception propagates.
    With ``exclusive`` an existing ``path`` is never replaced (:class:`TargetExists`):
    the temporary file is hard-linked to the name, which fails if it exists."""
    path = Path(path)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                for piece in data:
                    handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        if not path.exists():
            os.chmod(tmp, 0o666 & ~_umask())
        if exclusive:
            _link_exclusive(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _link_exclusive(tmp: Path, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise TargetExists(str(path)) from None
    except OSError:  # no hard links on this file system (some network or FAT mounts)
        if path.exists():
            raise TargetExists(str(path)) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# One FileLock per lock file in this process: FileLock counts nested acquisitions, so a
# function holding the lock may call another that takes it (no self-deadlock).
_LOCKS: dict[str, FileLock] = {}


@contextlib.contextmanager
def ledger_lock(root: Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the ledger's write lock (``<root>/.safeledger.lock``) for the ``with`` body.

    Waits up to ``timeout`` seconds (0: do not wait) for another command to finish, then
    raises :class:`LockBusy` (a :class:`SafeledgerError`: exit status 2) naming the lock
    file.  The lock is re-entrant within one process.  Yields the lock file's path."""
    from filelock import FileLock, Timeout  # only commands that write (start-up)

    lock_path = Path(root) / LOCK_FILE
    key = os.path.realpath(lock_path)
    lock = _LOCKS.get(key)
    if lock is None:
        lock = _LOCKS.setdefault(key, FileLock(lock_path))
    try:
        lock.acquire(timeout=timeout)
        outermost = lock.lock_counter == 1
    except Timeout:
        raise LockBusy(
            f"another safeledger command is writing this ledger (lock file {lock_path}); "
            f"gave up after waiting {timeout:g} s",
            hint="wait for it to finish and try again, or give a longer --wait; if no other "
            "command is running, the lock is released by the OS and you can simply retry",
        ) from None
    except OSError as exc:
        raise SafeledgerError(
            f"cannot create the lock file {lock_path}: {exc.strerror or exc}"
        ) from None
    try:
        if outermost:
            _recover_under_lock(Path(root))
        yield lock_path
    finally:
        lock.release()


def _recover_under_lock(root: Path) -> None:
    try:
        recover_batches(root)
    except OSError as exc:
        raise SafeledgerError(
            f"cannot complete an interrupted import in {root / STAGING_DIR}: {exc}",
            hint="fix the cause (permissions, disk space) and run the command again",
        ) from None


# --- all-or-nothing creation of several files -------------------------------------------


def _relative(root: Path, path: Path | str) -> str:
    """``path`` (relative to ``root``, or absolute inside it) as a clean relative posix
    path; a path leaving the ledger or into a hidden folder is refused."""
    path = Path(path)
    if path.is_absolute():
        inside = Path(os.path.abspath(path))
        if not inside.is_relative_to(os.path.abspath(root)):
            raise ValueError(f"not a plain path inside the ledger: {path}")
        path = inside.relative_to(os.path.abspath(root))
    rel = PurePosixPath(path.as_posix())
    if (
        not rel.parts
        or rel.is_absolute()
        or any(part in ("", ".", "..") or part.startswith(".") for part in rel.parts)
        or ":" in rel.parts[0]
        or "\\" in str(rel)
    ):
        raise ValueError(f"not a plain path inside the ledger: {path}")
    return str(rel)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (must not exist) with ``data``, flushed and fsynced."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _mkdirs(folder: Path) -> None:
    """``mkdir -p`` that fsyncs the parent of every folder it creates."""
    missing: list[Path] = []
    here = folder
    while not here.is_dir():
        missing.append(here)
        here = here.parent
    for new in reversed(missing):
        with contextlib.suppress(FileExistsError):
            new.mkdir()
        _fsync_dir(new.parent)


def write_batch(root: Path, files: Mapping[Path, bytes]) -> None:
    """Create every file of ``files`` (path relative to ``root`` -> bytes), all or none.

    Every target must be new: if one exists, :class:`TargetExists` is raised before
    anything is written.  The files are staged (each fsynced) in
    ``root/.safeledger-staging/<random token>/``; ``MANIFEST.json`` (target -> staged name)
    is then written atomically: the commit point.  Then each staged file is moved into
    place (hard link, then unlink; parent folders created) and the staging folder is
    removed.  The caller holds :func:`ledger_lock`.  A crash before the commit point leaves
    the ledger as before, a crash after it is completed by the next :func:`ledger_lock`
    (:func:`recover_batches`).  An error before the commit point removes the staging
    folder and propagates; an error after it propagates as :class:`SafeledgerError`
    saying the batch is completed by the next editing command."""
    root = Path(root)
    targets = {_relative(root, path): data for path, data in files.items()}
    if not targets:
        return
    for rel in sorted(targets):
        if os.path.lexists(root / rel):
            raise TargetExists(str(root / rel))
    staging_root = root / STAGING_DIR
    _mkdirs(staging_root)
    batch = staging_root / secrets.token_hex(8)
    batch.mkdir()
    _fsync_dir(staging_root)
    manifest: dict[str, str] = {}
    try:
        for number, rel in enumerate(sorted(targets)):
            staged = f"{number:06d}{PurePosixPath(rel).suffix}"
            _write_new(batch / staged, targets[rel])
            manifest[rel] = staged
        _fsync_dir(batch)
        body = {"version": 1, "files": manifest}
        text = json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomic(batch / MANIFEST, text.encode("utf-8"))  # the commit point
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(batch)
        raise
    try:
        _roll_forward(root, batch, manifest)
    except OSError as exc:
        raise SafeledgerError(
            f"the import was interrupted while moving its files into place: {exc}",
            hint=f"its files are kept in {batch}; the next editing command (or "
            "`safeledger import`) completes it once the cause is fixed",
        ) from None


def _roll_forward(root: Path, batch: Path, manifest: Mapping[str, str]) -> None:
    """Move each staged file of ``batch`` to its target (idempotent), then remove the
    batch folder.  A target already in place with the staged bytes counts as moved."""
    folders: set[Path] = set()
    for rel, staged_name in sorted(manifest.items()):
        target = root / rel
        staged = batch / staged_name
        if not staged.exists():
            if os.path.lexists(target):
                continue  # moved before the interruption
            raise BatchConflict(
                f"{batch}: the staged file {staged_name} for {rel} is missing",
                hint=f"the ledger may lack {rel}; compare with the source and import it "
                f"again after removing {batch}",
            )
        _mkdirs(target.parent)
        _place(staged, target, rel, batch)
        folders.add(target.parent)
    for folder in sorted(folders):
        _fsync_dir(folder)
    for staged_name in manifest.values():
        (batch / staged_name).unlink(missing_ok=True)
    _remove_batch(batch)


def _place(staged: Path, target: Path, rel: str, batch: Path) -> None:
    try:
        os.link(staged, target)
        return
    except FileExistsError:
        pass
    except OSError:  # no hard links on this file system (some network or FAT mounts)
        if not os.path.lexists(target):
            os.replace(staged, target)
            return
    if (
        target.is_file()
        and not target.is_symlink()
        and (os.path.samefile(staged, target) or target.read_bytes() == staged.read_bytes())
    ):
        return  # already in place (linked before the interruption)
    raise BatchConflict(
        f"cannot complete an interrupted import: {target} exists with other content",
        hint=f"the imported version is {staged}; keep one of the two, then delete the "
        f"folder {batch}",
    )


def _remove_batch(batch: Path) -> None:
    """Delete a batch folder: first renamed out of the batches (one atomic step), so that
    a crash while its files are deleted cannot leave a folder whose manifest is gone but
    whose files are in place — which would read as an import that wrote nothing."""
    staging_root = batch.parent
    gone = staging_root / f".{batch.name}{_REMOVED}"
    os.rename(batch, gone)
    shutil.rmtree(gone)
    _fsync_dir(staging_root)
    with contextlib.suppress(OSError):
        staging_root.rmdir()  # .safeledger-staging itself, when no other batch is left
        _fsync_dir(staging_root.parent)


def _batch_folders(root: Path) -> list[Path]:
    staging_root = Path(root) / STAGING_DIR
    if staging_root.is_symlink() or not staging_root.is_dir():
        return []
    return sorted(p for p in staging_root.iterdir() if not p.name.startswith("."))


_REMOVED = ".removed"  # a batch folder being deleted (see _remove_batch)


def _remove_leftovers(root: Path) -> None:
    """Folders a crash left half-deleted by :func:`_remove_batch`: nothing in them is
    needed any more (their files were placed, or were being discarded)."""
    staging_root = Path(root) / STAGING_DIR
    if staging_root.is_symlink() or not staging_root.is_dir():
        return
    for p in staging_root.iterdir():
        if p.name.startswith(".") and p.name.endswith(_REMOVED):
            if p.is_symlink() or not p.is_dir():
                p.unlink()
            else:
                shutil.rmtree(p)


def pending_batches(root: Path) -> list[tuple[str, bool]]:
    """Interrupted batches, read-only: ``(".safeledger-staging/<token>", committed)``
    sorted; ``committed``: it has a manifest, so the next writer completes it (else it
    discards it)."""
    return [(f"{STAGING_DIR}/{p.name}", (p / MANIFEST).is_file()) for p in _batch_folders(root)]


def _read_manifest(batch: Path) -> dict[str, str]:
    try:
        body = json.loads((batch / MANIFEST).read_text(encoding="utf-8"))
        files = body["files"]
        if body.get("version") != 1 or not isinstance(files, dict):
            raise ValueError("unknown manifest layout")
        out: dict[str, str] = {}
        for rel, staged in files.items():
            if not isinstance(rel, str) or not isinstance(staged, str):
                raise ValueError("a manifest entry is not text")
            if _relative(Path("."), rel) != rel or "/" in staged or staged.startswith("."):
                raise ValueError(f"a manifest entry leaves the ledger: {rel!r} -> {staged!r}")
            out[rel] = staged
        return out
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BatchConflict(
            f"cannot complete an interrupted import: {batch / MANIFEST} is damaged ({exc})",
            hint=f"compare the ledger with the imported file, then delete the folder {batch}",
        ) from None


def recover_batches(root: Path) -> list[str]:
    """Complete or discard every batch that a crash interrupted; call it holding
    :func:`ledger_lock` (which does so itself).  A batch with a manifest is rolled
    forward (its remaining files moved into place; idempotent), one without is deleted
    (rolled back).  Returns one line per batch handled (``"<folder>: completed, N
    files"`` / ``"<folder>: discarded"``), in folder order.  Raises
    :class:`BatchConflict` when a target holds other bytes or the manifest is damaged
    (nothing is overwritten and the batch is kept)."""
    root = Path(root)
    done: list[str] = []
    _remove_leftovers(root)
    for batch in _batch_folders(root):
        rel = f"{STAGING_DIR}/{batch.name}"
        if batch.is_symlink() or not batch.is_dir():
            batch.unlink()  # never follow a link out of the staging folder
            done.append(f"{rel}: discarded")
        elif (batch / MANIFEST).is_file():
            manifest = _read_manifest(batch)
            _roll_forward(root, batch, manifest)
            done.append(f"{rel}: completed, {len(manifest)} files")
        else:
            _remove_batch(batch)
            done.append(f"{rel}: discarded")
    staging_root = root / STAGING_DIR
    if not staging_root.is_symlink():
        with contextlib.suppress(OSError):
            staging_root.rmdir()  # left empty by a crash just after creating it
    return done
