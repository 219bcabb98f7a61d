"""Crash-safe file creation for import and export.

The editing commands have :func:`safeledger.edit.atomic.write_atomic`; the import-linter
contract keeps ``transfer`` and ``edit`` independent, so this module has its own small
version until the shared one moves to a lower layer (noted for the lead).

:func:`write_atomic` writes a temporary file in the target's folder, fsyncs it and
renames it into place (``os.replace``), then fsyncs the folder.  With ``exclusive`` the
rename never replaces an existing file: the temporary file is hard-linked to the target
name (fails if it exists), falling back to an existence check where hard links are not
supported."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class TargetExists(FileExistsError):
    pass


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False) -> None:
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
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise TargetExists(str(path)) from None
            except OSError:  # no hard links here (some network or FAT file systems)
                if path.exists():
                    raise TargetExists(str(path)) from None
                os.replace(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    if os.name != "nt":
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
