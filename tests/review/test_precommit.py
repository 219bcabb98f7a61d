"""The ``safeledger-check`` hook of .pre-commit-hooks.yaml, run by pre-commit itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.review.gitrepo import Repo, as_list, base_ledger, hazard

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def hook_definition() -> dict[str, Any]:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "safeledger-check"]
    return dict(hook)


def pre_commit() -> str:
    found = BIN / "pre-commit"
    if found.exists():
        return str(found)
    which = shutil.which("pre-commit")
    if which is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    return which


def run_pre_commit(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**repo.env, "PRE_COMMIT_HOME": str(repo.path.parent / "pre-commit-cache"),
           "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin"}
    return subprocess.run([pre_commit(), *args], cwd=repo.path, env=env, capture_output=True,
                          text=True, timeout=600)


def test_hook_definition() -> None:
    hook = hook_definition()
    assert hook["entry"] == "safeledger check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("ledgers/tongxin/hazards/2025/Q2/H-1.yaml")
    assert pattern.search("safeledger.yaml")
    assert not pattern.search("README.md")


def test_pre_commit_runs_the_hook(repo: Repo) -> None:
    """A `repo: local` hook with the fields of our hook definition and `language: system`
    (so no environment is built): pre-commit fails on a broken ledger, passes a good one."""
    hook = hook_definition()
    hook.update({"language": "system", "entry": f"{BIN / 'safeledger'} check",
                 "args": ["ledger", "--no-compliance"]})
    hook.pop("description", None)
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(
        {"repos": [{"repo": "local", "hooks": [hook]}]}, allow_unicode=True))
    base_ledger(repo)

    good = run_pre_commit(repo, "run", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout

    repo.write("ledger/hazards/2025.yaml", as_list(hazard("H-2025-001", deadline="2025-13-01")))
    bad = run_pre_commit(repo, "run", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "deadline" in bad.stdout

    # as a git hook: the commit is refused
    assert run_pre_commit(repo, "install").returncode == 0
    repo.git("add", "-A")
    env_path = f"{BIN}:/usr/local/bin:/usr/bin:/bin"
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "broken"], cwd=repo.path, capture_output=True, text=True,
        env={**repo.env, "PATH": env_path, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b",
             "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b",
             "PRE_COMMIT_HOME": str(repo.path.parent / "pre-commit-cache")})
    assert commit.returncode != 0
    assert "safeledger check" in commit.stdout + commit.stderr


@pytest.mark.slow
def test_try_repo_builds_the_python_hook(repo: Repo) -> None:
    """pre-commit builds the hook's own environment from this project (language: python),
    as users get it with `repo: <url>`; needs PyPI for the dependencies."""
    # a committed copy of the project as it is now (try-repo reads committed files)
    hook_repo = Repo(repo.path.parent / "hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(PROJECT / name, hook_repo.path / name)
    for name in ("src", "templates"):
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, hook_repo.path / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
    hook_repo.commit("hook repository")
    base_ledger(repo, sub="")
    good = run_pre_commit(repo, "try-repo", str(hook_repo.path), "safeledger-check", "--all-files")
    if "Could not" in good.stdout + good.stderr and "pip" in good.stdout + good.stderr:
        pytest.skip("pre-commit could not install the hook's dependencies (no registry?)")
    assert good.returncode == 0, good.stdout + good.stderr
    repo.write("hazards/2025.yaml", as_list(hazard("H-2025-001", enterprise="E404")))
    bad = run_pre_commit(repo, "try-repo", str(hook_repo.path), "safeledger-check", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "E404" in bad.stdout
