"""Finding the record files (read.discover): the same answer whether the folders are
walked in one process or shared with a forked child, whatever the child does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safeledger.read import discover as discovery
from safeledger.read.discover import discover_stats
from safeledger.read.raw import RawLedger


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A ledger in year/month folders, with what discovery must note or refuse."""
    root = tmp_path / "ledger"
    (root / "enterprises" / "和平社区").mkdir(parents=True)
    (root / "enterprises" / "和平社区" / "E-001.yaml").write_text("id: E-001\n", "utf-8")
    (root / "enterprises" / "E-002.yml").write_text("id: E-002\n", "utf-8")
    for year in ("2024", "2025"):
        for month in ("01", "02", "11"):
            folder = root / "hazards" / year / month
            folder.mkdir(parents=True)
            for n in range(3):
                (folder / f"H-{year}{month}-{n}.yaml").write_text(f"id: H-{n}\n", "utf-8")
            (folder / "照片说明.txt").write_text("not a record", "utf-8")
            (folder / ".hidden.yaml").write_text("x: 1\n", "utf-8")
    (root / "activities" / "2025").mkdir(parents=True)
    (root / "activities" / "2025" / "drills.csv").write_text("id\nA-1\n", "utf-8")
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: H-X\n", "utf-8")
    os.symlink(outside, root / "hazards" / "2025" / "02" / "linked.yaml")
    os.symlink(root / "hazards" / "2024", root / "hazards" / "2025" / "old")
    return root


@pytest.fixture(autouse=True)
def small_shares(monkeypatch: pytest.MonkeyPatch) -> None:
    """Share out folders as soon as there are 4 (16 by default): the months here."""
    monkeypatch.setattr(discovery, "_SHARE_FOLDERS", 4)


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many folders each walk on two cores was given."""
    counts: list[int] = []
    on_two_cores = discovery._walk_on_two_cores

    def counting(root: Path, folders: list[object], *rest: object) -> None:
        counts.append(len(folders))
        on_two_cores(root, folders, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery, "_walk_on_two_cores", counting)
    return counts


def _discovered(root: Path, split: bool | None) -> tuple[object, ...]:
    ledger = RawLedger(root=root, config=None)
    found = discover_stats(root, ledger, split=split)
    return found, ledger.notes, [(d.code, d.file, d.message) for d in ledger.diagnostics]


def test_one_process_finds_every_record_file_and_notes_the_rest(tree: Path) -> None:
    found, notes, diagnostics = _discovered(tree, split=False)
    paths = [rel for rel, _, _ in found]  # type: ignore[attr-defined]
    assert paths == sorted(paths) and len(paths) == 2 + 18 + 1
    assert "hazards/2025/02/linked.yaml" not in paths
    assert all(st is not None and st[0] > 0 for _, _, st in found)  # type: ignore[attr-defined]
    assert "hazards/2025/old: a linked folder, not followed" in notes  # type: ignore[operator]
    assert [d[:2] for d in diagnostics] == [  # type: ignore[attr-defined]
        ("symlink-outside", "hazards/2025/02/linked.yaml")
    ]


def test_two_processes_give_the_same_answer(tree: Path, shared: list[int]) -> None:
    assert _discovered(tree, split=True) == _discovered(tree, split=False)
    assert shared == [6]  # the six month folders: three for each process


def test_a_failed_child_leaves_its_share_to_the_parent(
    tree: Path, monkeypatch: pytest.MonkeyPatch, shared: list[int]
) -> None:
    expected = _discovered(tree, split=False)
    parent = os.getpid()
    walk_apart = discovery._walk_apart

    def broken(*args: object) -> object:
        if os.getpid() != parent:
            raise MemoryError("the child ran out of memory")
        return walk_apart(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(discovery, "_walk_apart", broken)
    assert _discovered(tree, split=True) == expected
    assert shared == [6]


def test_many_folders_are_shared_without_being_asked(
    tree: Path, monkeypatch: pytest.MonkeyPatch, shared: list[int]
) -> None:
    expected = _discovered(tree, split=False)
    assert _discovered(tree, split=None) == expected and shared == []  # 6 < 48 folders
    monkeypatch.setattr(discovery, "SPLIT_MIN_FOLDERS", 6)
    monkeypatch.setattr(discovery.os, "cpu_count", lambda: 2)
    assert _discovered(tree, split=None) == expected and shared == [6]
    monkeypatch.setattr(discovery.os, "cpu_count", lambda: 1)
    assert _discovered(tree, split=None) == expected and shared == [6]  # one core: not


def test_without_fork_the_parent_walks_everything(
    tree: Path, monkeypatch: pytest.MonkeyPatch, shared: list[int]
) -> None:
    import multiprocessing

    expected = _discovered(tree, split=False)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert _discovered(tree, split=True) == expected
    assert shared == [6]


def test_a_lazy_walk_of_a_big_ledger_leaves_the_stats_for_later(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lazy``: from LAZY_MIN_FILES files on, the files are only listed (the same files,
    notes and diagnostics); the readers take the sizes, ``with_stats`` the stats."""
    full = discovery.Discovery.of(tree, split=False)
    small = discovery.Discovery.of(tree, lazy=True)  # 21 files: stated at once
    assert small == full
    monkeypatch.setattr(discovery, "LAZY_MIN_FILES", 21)
    lazy = discovery.Discovery.of(tree, lazy=True)
    assert not lazy.stated and {st for *_, st in lazy.found} == {None}
    assert [f[:2] for f in lazy.found] == [f[:2] for f in full.found]
    assert (lazy.notes, lazy.diagnostics) == (full.notes, full.diagnostics)
    assert lazy.with_stats(tree) == full.found
    ledger = RawLedger(root=tree, config=None)
    assert {size for *_, size in lazy.add_to(ledger)} == {None}
