"""The cache of parsed and validated files (safeledger.file_cache): after an edit, the
files whose content is unchanged are not read again, and every answer is the same as
without any cache — in one process and in two, for both layouts, for the example
ledger (CSV from Excel, Chinese keys, mistakes), after an enterprise's community
changed (hazards take it), and with damaged segments."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeledger import file_cache
from safeledger.api import check_ledger, load_validated
from safeledger.cache import CheckCache
from safeledger.evaluate.status import status_report
from safeledger.file_cache import FileCache
from safeledger.model.codec import RECORD_CODEC
from safeledger.output.status import status_json_chunks
from tests.perf.ledgers import TODAY, age_files, hazard_files
from tests.perf.test_cache import run

EXAMPLE = Path(__file__).resolve().parents[2] / "ledgers" / "tongxin"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A log of the record files a file cache reads from disk (FileCache.read), written
    by every process (a forked worker too).  Runs without a cache are not logged."""
    log = tmp_path / "reads.log"
    real_read, real_read_files = FileCache.read, file_cache.read_files
    inside: list[bool] = []

    def read(self: FileCache, root: Path, entries: list[Any], workers: int | None) -> Any:
        inside.append(True)
        try:
            return real_read(self, root, entries, workers)
        finally:
            inside.pop()

    def logged(root: Path, entries: list[Any], workers: int | None) -> Any:
        if inside:
            with open(log, "a", encoding="utf-8") as f:
                f.writelines(f"{e[0]}\n" for e in entries)
        return real_read_files(root, entries, workers)

    monkeypatch.setattr(FileCache, "read", read)
    monkeypatch.setattr(file_cache, "read_files", logged)
    return log


def _read(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def _segments(cache: Path) -> list[Path]:
    return sorted((cache / "files").glob("*/*.seg"))


def _kept(cache: Path) -> set[tuple[str, str]]:
    """(path, digest) of every file kept."""
    return {
        (name, digest)
        for segment in _segments(cache)
        for _, _, files in file_cache._header(segment) or []
        for name, _, digest in files
    }


def _wait_until_kept(cache: Path, root: Path, *paths: Path) -> None:
    """The worker keeps its files from a process of its own: wait for it."""
    want = {
        (p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in paths
    }
    deadline = time.monotonic() + 30
    while not want <= _kept(cache) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert want <= _kept(cache)


@pytest.mark.parametrize("workers", [1, 2])
def test_check_after_an_edit_reads_only_the_edited_file(
    ledger: Path, tmp_path: Path, workers: int, reads: Path
) -> None:
    age_files(ledger)
    folder = tmp_path / "cache"
    cache = CheckCache(folder)
    first = run(ledger, cache, workers=workers)
    _wait_until_kept(folder, ledger, *hazard_files(ledger))
    assert len(_read(reads)) == sum(1 for _ in ledger.rglob("*.yaml")) - 1  # not the config
    assert first == run(ledger, None, workers=workers)

    edited = hazard_files(ledger)[-1]  # the worker's part, in two processes
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("found_on: ", "found_on: 20x", 1), encoding="utf-8")
    answer = run(ledger, cache, workers=workers)
    assert _read(reads) == [edited.relative_to(ledger).as_posix()]
    assert answer == run(ledger, None, workers=workers)
    assert answer != first

    _wait_until_kept(folder, ledger, edited)
    edited.write_text(text, encoding="utf-8")  # back as it was: kept from the first run
    age_files(ledger)
    assert run(ledger, cache, workers=workers) == first
    assert _read(reads) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hazard_takes_its_enterprise_community_as_it_is_now(
    ledger: Path, tmp_path: Path, workers: int
) -> None:
    """Hazards without a community take their enterprise's, filled in place after
    validation: the cache must keep what the file says, not what was filled."""
    age_files(ledger)
    folder = tmp_path / "cache"
    cache = CheckCache(folder)

    def hazards(use: CheckCache | None) -> list[dict[str, Any]]:
        loaded = load_validated(ledger, today=TODAY, cache=use, workers=workers)
        return [h.model_dump() for h in loaded.ledger.hazards]

    before = hazards(cache)
    assert any(h["community"] for h in before)
    _wait_until_kept(folder, ledger, *hazard_files(ledger))
    for path in sorted((ledger / "enterprises").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("community: ", "community: 新"), encoding="utf-8")
    after = hazards(cache)
    assert after == hazards(None)
    assert after != before


def test_example_ledger_status_and_check_are_the_same(tmp_path: Path, reads: Path) -> None:
    """CSV exported from Excel, Chinese keys, mistakes: all kept and read back exactly."""
    root = tmp_path / "tongxin"
    shutil.copytree(EXAMPLE, root)
    age_files(root)
    cache = CheckCache(tmp_path / "cache")
    as_of = dt.date(2025, 6, 30)

    def answers(use: CheckCache | None) -> tuple[Any, ...]:
        checked = check_ledger(root, as_of=as_of, today=TODAY, cache=use, workers=1)
        loaded = load_validated(root, today=TODAY, cache=use, workers=1)
        status = "".join(status_json_chunks(status_report(loaded.ledger, as_of)))
        return checked.to_json(), [d.hint for d in checked.diagnostics], status

    first = answers(cache)
    assert any(p.endswith(".csv") for p in _read(reads))
    victim = next(root.glob("hazards/2024/Q3/*.yaml"))
    victim.write_text(victim.read_text(encoding="utf-8") + "\n# 复查\n", encoding="utf-8")
    again = answers(cache)
    # by the check and by the load (a file written just now is never taken from a cache:
    # the stat index's racy rule), and no other file
    assert set(_read(reads)) == {victim.relative_to(root).as_posix()}
    assert again == answers(None) == first


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"",
        lambda b: b[: len(b) // 2],
        lambda b: b"\x00" * len(b),
        lambda b: b[:40] + bytes(reversed(b[40:])),
        lambda b: file_cache.MAGIC + (5).to_bytes(8, "little") + marshal.dumps((9, "x", "y", [])),
    ],
)
def test_damaged_segments_are_read_from_disk(ledger: Path, tmp_path: Path, damage: Any) -> None:
    age_files(ledger)
    folder = tmp_path / "cache"
    cache = CheckCache(folder)
    plain = run(ledger, None, workers=1)
    run(ledger, cache, workers=1)
    for segment in _segments(folder):
        segment.write_bytes(damage(segment.read_bytes()))
    hazard_files(ledger)[0].write_text(
        hazard_files(ledger)[0].read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    plain = run(ledger, None, workers=1)
    assert run(ledger, cache, workers=1) == plain


def test_segments_of_old_files_are_dropped(ledger: Path, tmp_path: Path) -> None:
    age_files(ledger)
    folder = tmp_path / "cache"
    cache = CheckCache(folder)
    run(ledger, cache, workers=1)
    (whole,) = _segments(folder)
    for n in range(3):
        path = hazard_files(ledger)[0]
        path.write_text(path.read_text(encoding="utf-8") + f"\n# {n}\n", encoding="utf-8")
        age_files(ledger)
        run(ledger, cache, workers=1)
    # the first segment still holds current files; each edit's segment is replaced
    assert len(_segments(folder)) == 2 and whole in _segments(folder)


def test_at_most_max_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_cache, "MAX_SEGMENTS", 3)
    folder = tmp_path / "files" / "root"
    folder.mkdir(parents=True)
    for n in range(5):
        (folder / f"{n}.seg").write_bytes(b"")
        os.utime(folder / f"{n}.seg", (n, n))
    files = FileCache(tmp_path, tmp_path, None)
    files.folder = folder
    files.prune()
    assert sorted(p.name for p in folder.glob("*.seg")) == ["2.seg", "3.seg", "4.seg"]


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.dates(),
    st.datetimes(),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.one_of(st.text(), st.integers(), st.dates()), inner, max_size=4),
    max_leaves=20,
)


@given(yaml_values)
def test_raw_values_come_back_exactly(value: Any) -> None:
    """What a reader gives (YAML 1.2 core scalars, dates, lists, mappings) is kept
    through marshal with its types and key order."""
    back = file_cache._decode_raw(marshal.loads(marshal.dumps(file_cache._encode_raw(value))))
    assert back == value and _types(back) == _types(value)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return [(type(k), _types(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)


def test_values_no_reader_makes_are_refused() -> None:
    for value in ({1, 2}, (1, 2), dt.datetime(2025, 1, 1, tzinfo=dt.UTC), b"x", 1j):
        with pytest.raises(TypeError):
            file_cache._encode_raw(value)


def test_segments_of_another_codec_are_not_read(ledger: Path, tmp_path: Path) -> None:
    age_files(ledger)
    folder = tmp_path / "cache"
    run(ledger, CheckCache(folder), workers=1)
    (segment,) = _segments(folder)
    assert file_cache._header(segment) is not None
    real = RECORD_CODEC.fingerprint
    try:
        RECORD_CODEC.fingerprint = "another"
        assert file_cache._header(segment) is None
    finally:
        RECORD_CODEC.fingerprint = real
