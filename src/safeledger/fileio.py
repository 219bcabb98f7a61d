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
  a hand-written pid file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from safeledger.errors import SafeledgerError

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "LOCK_FILE",
    "LockBusy",
    "TargetExists",
    "ledger_lock",
    "write_atomic",
]

LOCK_FILE = ".safeledger.lock"
DEFAULT_LOCK_TIMEOUT = 10.0  # seconds


class LockBusy(SafeledgerError):
    """Another safeledger command holds the ledger lock for longer than we wait."""


class TargetExists(FileExistsError):
    """``write_atomic(..., exclusive=True)`` found the target already there."""


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (not possible, nor needed, on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Replace (or create) ``path`` with ``data`` atomically.

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
            handle.write(data)
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
    lock_path = Path(root) / LOCK_FILE
    key = os.path.realpath(lock_path)
    lock = _LOCKS.get(key)
    if lock is None:
        lock = _LOCKS.setdefault(key, FileLock(lock_path))
    try:
        lock.acquire(timeout=timeout)
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
        yield lock_path
    finally:
        lock.release()
