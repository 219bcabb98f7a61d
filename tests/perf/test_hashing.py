"""The cache key's file hashing on two cores (safeledger.cache._hash_files)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from safeledger import cache
from safeledger._forked import Forked


def _files(root: Path, count: int) -> list[str]:
    paths = []
    for n in range(count):
        rel = f"hazards/{n % 7}/H-{n:04d}.yaml"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"id: H-{n:04d}\n", encoding="utf-8")
        paths.append(rel)
    return paths


def _expected(root: Path, paths: list[str]) -> list[str]:
    return [hashlib.sha256((root / p).read_bytes()).hexdigest() for p in paths]


@pytest.mark.parametrize("count", [0, 1, 9, 10, 31])
def test_many_files_are_hashed_in_two_halves_with_the_same_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    monkeypatch.setattr(cache, "SPLIT_HASHING_FILES", 10)
    paths = _files(tmp_path, count)
    forks: list[int] = []
    enter = Forked.__enter__

    def counted(self: Forked) -> Forked:
        forks.append(1)
        return enter(self)

    monkeypatch.setattr(Forked, "__enter__", counted)
    seen: list[tuple[int, int]] = []
    got = cache._hash_files(tmp_path, paths, lambda done, total: seen.append((done, total)))
    assert got == _expected(tmp_path, paths)
    assert len(forks) == (1 if count >= 10 else 0)
    if count:
        assert seen[-1] == (count, count)  # the progress bar ends full


def test_an_unreadable_file_and_a_failing_child_give_the_same_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "SPLIT_HASHING_FILES", 4)
    paths = [*_files(tmp_path, 6), "hazards/gone.yaml"]  # in the child's half
    want = [*_expected(tmp_path, paths[:-1]), "unreadable:2"]
    assert cache._hash_files(tmp_path, paths, None) == want

    parent = os.getpid()
    digest = cache._digest

    def fails_in_a_child(path: Path) -> str:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return digest(path)

    monkeypatch.setattr(cache, "_digest", fails_in_a_child)
    assert cache._hash_files(tmp_path, paths, None) == want
