"""Reading a ledger as it was at a git revision, without checking anything out.

We talk to git through the ``git`` command (see docs/git-review.md for why not pygit2 or
dulwich): ``git ls-tree -r -z`` lists the ledger's files at a revision and one
``git cat-file --batch`` process streams every blob we need.  The bytes go through the
reader's own building blocks (decoding, YAML and CSV parsing), so records of a revision
are the same :class:`~safeledger.read.raw.RawRecord` values the working tree gives.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from safeledger.errors import SafeledgerError
from safeledger.read import (
    CONFIG_FILE,
    RECORD_KINDS,
    RawLedger,
)
from safeledger.read.files import read_data
from safeledger.read.ledger import add_config, add_file
from safeledger.read.raw import RecordKind

__all__ = [
    "GitError",
    "GitRepo",
    "LedgerNotAtRevision",
    "TreeEntry",
    "kind_of",
    "open_repo",
    "read_ledger_at",
]

LEDGER_SUFFIXES = (".yaml", ".yml", ".csv")
_BLOB_MODES = {"100644", "100755"}  # regular files; links and submodules are not records


class GitError(SafeledgerError):
    """git could not do what we asked (not a repository, unknown revision, no git)."""


class LedgerNotAtRevision(SafeledgerError):
    """The ledger folder has no safeledger.yaml at this revision."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: str  # relative to the repository root, "/" separators
    mode: str
    sha: str


@dataclass(frozen=True, slots=True)
class GitRepo:
    """A repository, by its top-level folder.  Every call runs ``git -C top ...``."""

    top: Path

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        return _run_git(self.top, args, input=input, check=check)

    def resolve(self, rev: str) -> str:
        """The commit id that ``rev`` names; GitError when it names none."""
        if not rev or rev.startswith("-"):
            raise GitError(f"'{rev}' is not a revision")
        out = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
        )
        sha = out.decode().strip()
        if not sha:
            raise GitError(
                f"unknown revision '{rev}' in the git repository at {self.top}",
                hint="Use a branch, tag or commit id (git log --oneline lists them). In a "
                "shallow CI clone, fetch the base first (GitHub: actions/checkout with "
                "fetch-depth: 0; GitLab: GIT_DEPTH: 0, or `git fetch origin main`).",
            )
        return sha

    def ls_tree(self, commit: str, subdir: str) -> list[TreeEntry]:
        """Every file under ``subdir`` (relative to the top; "" = everything) at ``commit``."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if subdir:
            args += ["--", subdir]
        out = self.run(*args)
        entries = []
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.partition(b"\t")
            mode, _type, sha = meta.decode().split(" ")
            entries.append(TreeEntry(path.decode("utf-8", "surrogateescape"), mode, sha))
        return entries

    def cat_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The contents of many objects, from one ``git cat-file --batch`` process."""
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        out = self.run("cat-file", "--batch", input="".join(s + "\n" for s in wanted).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode().split(" ")
            pos = end + 1
            if len(header) != 3:  # "<sha> missing"
                raise GitError(f"git has no object {sha}")
            size = int(header[2])
            blobs[header[0]] = out[pos : pos + size]
            pos += size + 1  # the content is followed by a newline
        return blobs


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    env.pop("GIT_DIR", None)  # set by git itself when we run inside a hook: use -C instead
    env.pop("GIT_WORK_TREE", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


def _run_git(cwd: Path, args: Sequence[str], *, input: bytes | None, check: bool) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(cwd), *args],
            input=input,
            capture_output=True,
            env=_git_env(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed (or not on PATH); git review needs the git command",
            hint="Install git (https://git-scm.com/) and run the command again.",
        ) from None
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {proc.returncode}"
        raise GitError(f"git {args[0]} failed: {detail.removeprefix('fatal: ')}")
    return proc.stdout


def open_repo(path: Path) -> tuple[GitRepo, str]:
    """The repository holding ``path`` and ``path``'s folder relative to its top
    ("" when ``path`` is the top).  ``path`` may be a folder that does not exist (yet):
    the nearest existing parent is asked."""
    path = path.expanduser().absolute()
    probe = path
    while not probe.is_dir() and probe != probe.parent:
        probe = probe.parent
    try:
        out = _run_git(probe, ["rev-parse", "--show-toplevel"], input=None, check=True)
    except GitError as err:
        if "not a git repository" in str(err).lower():
            raise GitError(
                f"not a git repository: {path} (nor any of its parent folders)",
                hint="Git review compares revisions of a ledger kept in git: run `git init` "
                "and commit the ledger first.",
            ) from None
        raise
    top = Path(out.decode("utf-8", "surrogateescape").strip())
    try:
        rel = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise GitError(f"{path} is not inside the repository at {top}") from None
    return GitRepo(top), "" if str(rel) == "." else rel.as_posix()


def kind_of(rel: str) -> RecordKind | Literal["config"] | None:
    """What a path relative to the ledger root holds: a record kind, the config, or
    nothing the reader reads (hidden files and folders, other suffixes)."""
    if rel == CONFIG_FILE:
        return "config"
    parts = PurePosixPath(rel).parts
    if len(parts) < 2 or parts[0] not in RECORD_KINDS:
        return None
    if any(p.startswith(".") for p in parts) or not rel.lower().endswith(LEDGER_SUFFIXES):
        return None
    return parts[0]


def read_ledger_at(repo: GitRepo, rev: str, ledger_subdir: str) -> RawLedger:
    """The ledger in ``ledger_subdir`` (relative to the repository top, "" = the top) as it
    was at ``rev``: the same RawLedger :func:`safeledger.read.ledger.read_ledger` gives for
    a working tree, with file paths relative to the ledger root.  ``root`` is the ledger's
    folder in the working tree.  Raises :class:`LedgerNotAtRevision` when the folder holds
    no safeledger.yaml at that revision."""
    commit = repo.resolve(rev)
    prefix = f"{ledger_subdir}/" if ledger_subdir else ""
    wanted: list[tuple[str, RecordKind | Literal["config"], str]] = []
    ledger = RawLedger(root=repo.top / ledger_subdir, config=None)
    for entry in repo.ls_tree(commit, ledger_subdir):
        rel = entry.path[len(prefix) :]
        kind = kind_of(rel)
        if kind is None:
            if rel.startswith(RECORD_KINDS):
                ledger.notes.append(f"{rel}: ignored (not .yaml, .yml or .csv)")
            continue
        if entry.mode not in _BLOB_MODES:
            ledger.notes.append(f"{rel}: a link or submodule at {rev}, not read")
            continue
        wanted.append((rel, kind, entry.sha))
    if not any(kind == "config" for _, kind, _ in wanted):
        where = f"'{ledger_subdir}'" if ledger_subdir else "the repository root"
        raise LedgerNotAtRevision(
            f"there is no ledger in {where} at revision {rev} (no {CONFIG_FILE} there)"
        )
    blobs = repo.cat_blobs(sha for *_, sha in wanted)
    # the config first, then record files in path order, as the reader does
    for rel, kind, sha in sorted(wanted, key=lambda w: (w[1] != "config", w[0])):
        result = read_data(blobs[sha], rel, kind)
        if kind == "config":
            add_config(ledger, result)
        else:
            add_file(ledger, result)
    return ledger


def ledger_prefix(root: Path) -> str:
    """The ledger folder's path from the repository top with a trailing "/" ("" at the top,
    or when ``root`` is not in a git repository, or git is missing).  Code hosts place
    annotations (GitHub ``::error file=``, SARIF) by paths from the repository top."""
    try:
        _repo, subdir = open_repo(root)
    except SafeledgerError:
        return ""
    return f"{subdir}/" if subdir else ""
