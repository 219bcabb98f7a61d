from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeledger import fileio
from safeledger.fileio import LOCK_FILE, LockBusy, ledger_lock, write_atomic


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    write_atomic(target, b"one\n")
    assert target.read_bytes() == b"one\n"
    os.chmod(target, 0o640)
    write_atomic(target, "二\n".encode())
    assert target.read_bytes() == "二\n".encode()
    assert (target.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_write_atomic_failure_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.yaml"
    target.write_bytes(b"original\n")

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]  # no temp file left


def test_write_atomic_in_pieces_and_a_failure_while_they_are_made(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, (piece.encode() for piece in ["[", "1,", "2", "]"]))
    assert target.read_bytes() == b"[1,2]"

    def pieces() -> object:
        yield b"[3,"
        raise ValueError("the template failed half way")

    with pytest.raises(ValueError, match="half way"):
        write_atomic(target, pieces())  # type: ignore[arg-type]
    assert target.read_bytes() == b"[1,2]"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


HOLD = """
import sys, time
from pathlib import Path
from safeledger.fileio import ledger_lock
with ledger_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(root: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_gives_up_with_a_message_naming_the_file(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 120)
    try:
        start = time.monotonic()
        with pytest.raises(LockBusy) as info, ledger_lock(tmp_path, timeout=0.3):
            pass
        assert time.monotonic() - start < 2.5
        assert str(tmp_path / LOCK_FILE) in str(info.value)
        assert info.value.exit_code == 2
    finally:
        proc.kill()
        proc.wait()


def test_lock_waits_for_the_other_process(tmp_path: Path) -> None:
    proc = _holder(tmp_path, 0.5)
    try:
        with ledger_lock(tmp_path, timeout=10) as path:
            assert path == tmp_path / LOCK_FILE
        proc.wait(timeout=10)
        assert proc.returncode == 0
    finally:
        proc.kill()
        proc.wait()


def test_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with ledger_lock(tmp_path, timeout=0.1), ledger_lock(tmp_path, timeout=0.1):
        assert (tmp_path / LOCK_FILE).exists()


def test_exclusive_write_never_replaces(tmp_path: Path) -> None:
    from safeledger.fileio import TargetExists

    target = tmp_path / "sub" / "r.yaml"
    write_atomic(target, b"first\n", exclusive=True)
    with pytest.raises(TargetExists):
        write_atomic(target, b"second\n", exclusive=True)
    assert target.read_bytes() == b"first\n"
    assert [p.name for p in target.parent.iterdir()] == ["r.yaml"]  # no temp file left


# --- write_batch / recover_batches ------------------------------------------------------

FILES = {
    Path("hazards/2025/H-1.yaml"): b"id: H-1\n",
    Path("hazards/2025/H-2.yaml"): "id: H-2\n说明: 二\n".encode(),
    Path("enterprises/E-9.yaml"): b"id: E-9\n",
}
EXPECTED = {p.as_posix(): b for p, b in FILES.items()}


class _Killed(BaseException):
    """Stands for a SIGKILL: nothing after it runs, not even ``except Exception``."""


def _files(root: Path) -> dict[str, bytes]:
    """Every file outside hidden folders (what the reader and git see), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(s.startswith(".") for s in p.relative_to(root).parts)
    }


def _ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    (root / "hazards").mkdir(parents=True)
    (root / "safeledger.yaml").write_text("organisation: 同心街道办事处\n", encoding="utf-8")
    return root


def _interrupted(
    root: Path, monkeypatch: pytest.MonkeyPatch, *, places: int | None, committed: bool = True
) -> None:
    """Run write_batch and 'kill' it: before the manifest (committed=False), or after
    ``places`` files were moved into place (None: all, killed before the clean-up)."""
    if not committed:
        real_atomic = fileio.write_atomic

        def no_manifest(path: Path, data: bytes, **kw: object) -> None:
            raise _Killed

        monkeypatch.setattr(fileio, "write_atomic", no_manifest)
        # a real kill runs no clean-up: keep write_batch's except-clause from removing it
        monkeypatch.setattr(fileio.shutil, "rmtree", lambda *a, **kw: None)
    elif places is None:
        monkeypatch.setattr(fileio, "_remove_batch", lambda batch: (_ for _ in ()).throw(_Killed))
    else:
        real_place = fileio._place
        done = [0]

        def place(staged: Path, target: Path, rel: str, batch: Path) -> None:
            if done[0] == places:
                raise _Killed
            done[0] += 1
            real_place(staged, target, rel, batch)

        monkeypatch.setattr(fileio, "_place", place)
    with pytest.raises(_Killed), ledger_lock(root):
        fileio.write_batch(root, FILES)
    monkeypatch.undo()
    if not committed:
        assert fileio.write_atomic is real_atomic


def test_write_batch_creates_every_file_and_leaves_no_staging(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    with ledger_lock(root):
        fileio.write_batch(root, FILES)
    assert _files(root) == {**before, **EXPECTED}
    assert not (root / fileio.STAGING_DIR).exists()
    assert fileio.pending_batches(root) == []


def test_a_crash_while_the_finished_batch_is_deleted_reads_as_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while deleting the staging folder of a finished import, after its manifest
    went: the folder must not read as an import that wrote nothing (its files are in
    place), and the next writer clears what is left."""
    root = _ledger(tmp_path)
    before = _files(root)
    real_rmtree = shutil.rmtree

    def killed_halfway(path: Path, *args: object, **kwargs: object) -> None:
        (Path(path) / fileio.MANIFEST).unlink()  # rmtree got this far
        raise _Killed

    monkeypatch.setattr(fileio.shutil, "rmtree", killed_halfway)
    with pytest.raises(_Killed), ledger_lock(root):
        fileio.write_batch(root, FILES)
    monkeypatch.setattr(fileio.shutil, "rmtree", real_rmtree)
    assert _files(root) == {**before, **EXPECTED}
    assert fileio.pending_batches(root) == []  # not "interrupted before it was complete"
    assert (root / fileio.STAGING_DIR).exists()  # the half-deleted folder is still there
    with ledger_lock(root):
        pass
    assert not (root / fileio.STAGING_DIR).exists()
    assert _files(root) == {**before, **EXPECTED}


def test_write_batch_refuses_an_existing_target_before_writing(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    (root / "enterprises").mkdir()
    (root / "enterprises/E-9.yaml").write_bytes(b"mine\n")
    before = _files(root)
    with pytest.raises(fileio.TargetExists, match=r"E-9\.yaml"):
        fileio.write_batch(root, FILES)
    assert _files(root) == before
    assert not (root / fileio.STAGING_DIR).exists()


@pytest.mark.parametrize("bad", ["../outside.yaml", "/etc/x.yaml", ".git/config", "a/../../b"])
def test_write_batch_refuses_paths_leaving_the_ledger(tmp_path: Path, bad: str) -> None:
    root = _ledger(tmp_path)
    with pytest.raises(ValueError, match="not a plain path"):
        fileio.write_batch(root, {Path(bad): b"x"})
    assert not (root / fileio.STAGING_DIR).exists()


def test_write_batch_error_before_the_commit_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    real = fileio._write_new
    calls = [0]

    def full_disk(path: Path, data: bytes) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(fileio, "_write_new", full_disk)
    with pytest.raises(OSError, match="No space"):
        fileio.write_batch(root, FILES)
    assert _files(root) == before
    assert list((root / fileio.STAGING_DIR).iterdir()) == []


def test_recover_rolls_back_a_batch_without_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    _interrupted(root, monkeypatch, places=0, committed=False)
    [(folder, committed)] = fileio.pending_batches(root)
    assert folder.startswith(".safeledger-staging/") and not committed
    assert len(list((root / folder).iterdir())) == len(FILES)  # staged, not committed
    assert _files(root) == before
    [line] = fileio.recover_batches(root)
    assert line == f"{folder}: discarded"
    assert _files(root) == before
    assert not (root / fileio.STAGING_DIR).exists()


@pytest.mark.parametrize("places", [0, 1, 2, None])  # None: all moved, clean-up not done
def test_recover_rolls_a_committed_batch_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, places: int | None
) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    _interrupted(root, monkeypatch, places=places)
    [(folder, committed)] = fileio.pending_batches(root)
    assert committed
    moved = {p: b for p, b in _files(root).items() if p not in before}
    assert len(moved) == (len(FILES) if places is None else places)
    assert [line for line in fileio.recover_batches(root)] == [f"{folder}: completed, 3 files"]
    assert _files(root) == {**before, **EXPECTED}
    assert not (root / fileio.STAGING_DIR).exists()
    assert fileio.recover_batches(root) == []  # idempotent


def test_recover_skips_files_moved_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    _interrupted(root, monkeypatch, places=1)
    # as if os.replace (no hard links on this file system) had moved the first file
    [(folder, _)] = fileio.pending_batches(root)
    staged = sorted(p for p in (root / folder).iterdir() if p.name != fileio.MANIFEST)
    staged[0].unlink()
    fileio.recover_batches(root)
    assert _files(root) == {**before, **EXPECTED}


def test_recover_never_overwrites_a_file_that_appeared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(tmp_path)
    _interrupted(root, monkeypatch, places=0)
    target = root / "hazards/2025/H-2.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"typed in by hand\n")
    with pytest.raises(fileio.BatchConflict, match="exists with other content"):
        fileio.recover_batches(root)
    assert target.read_bytes() == b"typed in by hand\n"
    assert fileio.pending_batches(root)[0][1]  # kept for the user to sort out
    with pytest.raises(fileio.BatchConflict), ledger_lock(root):  # the lock reports it too
        pass
    target.unlink()
    with ledger_lock(root):  # then the next writer completes it
        pass
    assert {p: b for p, b in _files(root).items() if p in EXPECTED} == EXPECTED


@pytest.mark.parametrize(
    "manifest",
    [
        b"{not json",
        b'{"version": 1, "files": {"../../evil.yaml": "000000.yaml"}}',
        b'{"version": 1, "files": {"hazards/x.yaml": "../../../etc/passwd"}}',
        b'{"version": 2, "files": {}}',
    ],
)
def test_recover_refuses_a_damaged_or_hostile_manifest(tmp_path: Path, manifest: bytes) -> None:
    root = _ledger(tmp_path)
    batch = root / fileio.STAGING_DIR / "feed"
    batch.mkdir(parents=True)
    (batch / "000000.yaml").write_bytes(b"id: X\n")
    (batch / fileio.MANIFEST).write_bytes(manifest)
    with pytest.raises(fileio.BatchConflict, match="cannot complete"):
        fileio.recover_batches(root)
    assert not (tmp_path / "evil.yaml").exists()
    assert (batch / "000000.yaml").exists()


def test_ledger_lock_recovers_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _ledger(tmp_path)
    before = _files(root)
    _interrupted(root, monkeypatch, places=1)
    with ledger_lock(root):
        assert _files(root) == {**before, **EXPECTED}
        assert fileio.pending_batches(root) == []


def test_reader_warns_about_an_interrupted_batch_and_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeledger.diagnostics import WARNING
    from safeledger.read import read_ledger

    root = _ledger(tmp_path)
    _interrupted(root, monkeypatch, places=1)
    pending = fileio.pending_batches(root)
    raw = read_ledger(root)
    [diag] = [d for d in raw.diagnostics if d.code == "interrupted-write"]
    assert diag.severity == WARNING
    assert diag.file == pending[0][0]
    assert "interrupted" in diag.message and "editing command" in (diag.hint or "")
    assert fileio.pending_batches(root) == pending  # read-only
    assert {r.file for r in raw.records} == {"enterprises/E-9.yaml"}  # staging not read


def test_cached_check_still_warns_about_an_interrupted_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from safeledger.api import check_ledger
    from safeledger.cache import CheckCache

    root = _ledger(tmp_path)
    cache = CheckCache(tmp_path / "cache")
    day = dt.date(2025, 6, 30)

    def codes() -> list[str]:
        result = check_ledger(root, as_of=day, today=day, cache=cache)
        return [d.code for d in result.diagnostics if d.code == "interrupted-write"]

    assert codes() == []  # a clean result is cached
    _interrupted(root, monkeypatch, places=0, committed=False)  # no record file changes
    assert codes() == ["interrupted-write"]
    with ledger_lock(root):
        pass
    assert codes() == []
