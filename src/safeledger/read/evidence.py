"""The files under ``evidence/`` and whether a path written in a record names one:
reading the disk only (``stat``, never opened), so that the result cache can look the
same paths up again without loading the rules."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

__all__ = ["MAX_PATH_CHARS", "evidence_problem", "list_evidence"]

MAX_PATH_CHARS = 1024


def evidence_problem(path: str, root: Path, evidence_files: set[str]) -> str | None:
    """None when ``path`` names an existing file inside the ledger, else why not."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", path):  # file://, http:, smb: ...
        return "is a URL; give a path relative to the ledger root"
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", path):
        return "is an absolute path; give a path relative to the ledger root"
    if ".." in pure.parts:
        return "leaves the ledger folder (..); evidence must be inside it"
    key = pure.as_posix()
    if key in evidence_files:
        return None
    if len(key) > MAX_PATH_CHARS or any(
        len(p.encode("utf-8", "replace")) > 255 for p in pure.parts
    ):
        # before any lookup: a 6,000-character path cost seconds of stat calls (atheris)
        return f"is too long for a file path (over {MAX_PATH_CHARS} characters or 255 bytes a name)"
    try:
        return _on_disk_problem(root, key)
    except (OSError, ValueError) as exc:  # a name too long for the OS (found by fuzzing)
        return f"cannot be looked up ({getattr(exc, 'strerror', None) or exc})"


def _on_disk_problem(root: Path, key: str) -> str | None:
    """Stat only (never opened): a file inside the ledger, or why not."""
    full = root / key
    linked = full.is_symlink() or any(p.is_symlink() for p in full.parents if root in p.parents)
    if (linked or full.is_file()) and not os.path.realpath(full).startswith(
        os.path.realpath(root) + os.sep
    ):
        return "is a symbolic link that leaves the ledger folder"
    return None if full.is_file() else "does not exist"


def list_evidence(root: Path) -> set[str]:
    """Every regular file under evidence/ whose real path stays inside the ledger."""
    found: set[str] = set()
    base = root / "evidence"
    if not base.is_dir():
        return found
    real_root = os.path.realpath(root) + os.sep
    for dirpath, _dirs, files in os.walk(base):
        for name in files:
            full = os.path.join(dirpath, name)
            if os.path.realpath(full).startswith(real_root) and os.path.isfile(full):
                found.add(Path(full).relative_to(root).as_posix())
    return found
