"""A first run with the cache (no stat index for the ledger yet): the record files'
digests for the key come from the loader, which reads every file anyway, instead of
reading every file twice (safeledger.cache.CheckCache.begin_key).  The answer is that of
--no-cache, the key is the one a later run works out (so it hits), and only the files
the loader did not read are read for the key."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger import cache as cache_module
from safeledger.api import load_validated
from safeledger.cache import CheckCache, StatIndex
from safeledger.cli.app import app
from safeledger.read import discover as discover_module
from safeledger.read import files as files_module
from tests.perf.ledgers import AS_OF, TODAY, hazard_files
from tests.perf.test_cache import run
from tests.perf.test_loaded_cache import answers, same_models

runner = CliRunner()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file the cache key reads itself (not the loader), by path relative to the
    ledger; and every first run is one whose digests come from the loader (here from
    one file on; the real threshold is DEFER_HASHING_FILES record files), which walks
    the ledger without the files' stats and takes them after the reads (late).  The
    files were all written before the run: no "racy" window (2 s) is waited for."""
    monkeypatch.setattr(cache_module, "DEFER_HASHING_FILES", 1)
    monkeypatch.setattr(discover_module, "LAZY_MIN_FILES", 1)
    monkeypatch.setattr(StatIndex, "RACY_NS", 0)
    seen: list[str] = []
    real = cache_module._digest

    def counting(path: Path) -> str:
        seen.append(path.name if path.name == "safeledger.yaml" else path.parent.name)
        return real(path)

    monkeypatch.setattr(cache_module, "_digest", counting)
    return seen


def _age(root: Path) -> None:
    """Every file modified a minute ago: not "racy", so the stat index remembers it."""
    old = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (old, old))


def _key(cache: CheckCache, root: Path, **kw: object) -> str:
    options: dict[str, object] = {"strict": False, "compliance": True, **kw}
    return cache.key(root, today=TODAY, as_of=AS_OF, **options)[0]  # type: ignore[arg-type]


def _index_holds_the_files_digests(cache_dir: Path, root: Path) -> None:
    (path,) = (cache_dir / "stat").glob("*.idx")
    index = StatIndex.load(path)
    assert len(index.paths) > 2
    expected = [hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in index.paths]
    assert index.hashes == "".join(expected)


@pytest.mark.parametrize("workers", [1, 2])
def test_check_takes_the_digests_from_the_loader(
    ledger: Path, tmp_path: Path, reads: list[str], workers: int
) -> None:
    _age(ledger)
    plain = run(ledger, None, workers=workers)
    cache = CheckCache(tmp_path / "cache")
    assert not (tmp_path / "cache" / "stat").exists()
    assert run(ledger, cache, workers=workers) == plain
    assert reads == ["safeledger.yaml"], "no record file is read twice"
    _index_holds_the_files_digests(tmp_path / "cache", ledger)
    # the entry is stored under the key a later run works out from the stat index
    reads.clear()
    key = _key(cache, ledger)
    assert reads == ["safeledger.yaml"], "the index remembers every file's digest"
    assert cache.get(key, ledger) is not None
    assert run(ledger, cache, workers=workers) == plain


def test_a_file_the_loader_does_not_read_is_read_for_the_key(
    ledger: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the size limit is skipped by the loader (a diagnostic), so the key
    reads it itself; the key is still the one a later run finds."""
    big = hazard_files(ledger)[0]
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", big.stat().st_size - 1)
    _age(ledger)
    plain = run(ledger, None, workers=1)
    assert any(d["code"] == "too-large" for d in plain["diagnostics"])  # type: ignore[attr-defined]
    cache = CheckCache(tmp_path / "cache")
    assert run(ledger, cache, workers=1) == plain
    assert reads.count("safeledger.yaml") == 1 and len(reads) >= 2
    assert cache.get(_key(cache, ledger), ledger) is not None


def test_an_edit_on_a_first_run_is_never_answered_from_an_old_entry(
    ledger: Path, tmp_path: Path, reads: list[str]
) -> None:
    """With the stat index gone (a first run again), an edited, renamed or deleted file
    gives a new key from the loader's digests, never the old entry."""
    cache = CheckCache(tmp_path / "cache")
    index = tmp_path / "cache" / "stat"
    before = run(ledger, cache)
    first = hazard_files(ledger)[0]
    steps = [
        lambda: first.write_text(
            first.read_text(encoding="utf-8").replace("found_on: ", "found_on: 20x", 1),
            encoding="utf-8",
        ),
        lambda: first.rename(first.with_name("renamed-" + first.name)),
        lambda: hazard_files(ledger)[-1].unlink(),
    ]
    seen = [before]
    for change in steps:
        change()
        for old in index.glob("*"):
            old.unlink()
        plain = run(ledger, None)
        assert run(ledger, cache) == plain
        assert run(ledger, cache) == plain  # the index is back: a hit
        assert plain not in seen
        seen.append(plain)


@pytest.mark.parametrize("workers", [1, 2])
def test_load_takes_the_digests_from_the_loader(
    ledger: Path, tmp_path: Path, reads: list[str], workers: int
) -> None:
    _age(ledger)
    plain = load_validated(ledger, today=TODAY, workers=workers)
    cache = CheckCache(tmp_path / "cache")
    stored = load_validated(ledger, today=TODAY, cache=cache, workers=workers)
    assert reads == ["safeledger.yaml"]
    _index_holds_the_files_digests(tmp_path / "cache", ledger)
    hit = load_validated(ledger, today=TODAY, cache=cache, workers=workers)
    assert hit.cached and not stored.cached
    expected = answers(plain)
    for loaded in (stored, hit):
        same_models(loaded, plain)
        assert answers(loaded) == expected


def test_cli_check_first_run_then_replay(
    ledger: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rendered answer is stored under the key finished with the loader's digests,
    and the next run replays it."""
    monkeypatch.setenv("SAFELEDGER_CACHE_DIR", str(tmp_path / "c"))
    _age(ledger)
    args = ["check", str(ledger), "--format", "json", "--as-of", AS_OF.isoformat()]
    plain = runner.invoke(app, [*args, "--no-cache"])
    first = runner.invoke(app, args)
    assert (first.stdout, first.exit_code) == (plain.stdout, plain.exit_code)
    assert reads == ["safeledger.yaml"]
    assert len(list((tmp_path / "c" / "rendered").glob("*"))) == 1
    reads.clear()
    again = runner.invoke(app, args)
    assert (again.stdout, again.exit_code) == (plain.stdout, plain.exit_code)
    assert reads == ["safeledger.yaml"]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("first", [True, False])
def test_the_ledger_is_walked_once_for_the_key_and_the_check(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: bool, workers: int
) -> None:
    """The loader reads the files the key's walk found (in one process or two), on a
    first run and on a miss after an edit alike."""
    from safeledger.read import discover as discover_module

    walks: list[Path] = []
    real = discover_module.discover_stats

    def counting(root: Path, *args: object, **kw: object) -> object:
        walks.append(root)
        return real(root, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(discover_module, "discover_stats", counting)
    if first:
        monkeypatch.setattr(cache_module, "DEFER_HASHING_FILES", 1)
    cache = CheckCache(tmp_path / "cache")
    plain = run(ledger, None, workers=workers)
    walks.clear()
    assert run(ledger, cache, workers=workers) == plain
    assert len(walks) == 1
    first_file = hazard_files(ledger)[0]
    first_file.write_text(
        first_file.read_text(encoding="utf-8").replace("id: ", "ix: ", 1), encoding="utf-8"
    )
    plain = run(ledger, None, workers=workers)
    walks.clear()
    assert run(ledger, cache, workers=workers) == plain  # a miss: the key, then the check
    assert len(walks) == 1
    walks.clear()
    assert load_validated(ledger, today=TODAY, cache=cache, workers=workers).ledger.hazards
    assert len(walks) == 1


def test_a_first_run_takes_the_stats_after_the_reads(
    ledger: Path, tmp_path: Path, reads: list[str]
) -> None:
    """A first run walks the ledger without the files' stats (160,000 of them cost more
    than the listing) and takes them when the key is finished, after the loader read
    the files.  A file rewritten in between — even with its mtime set back, as ``cp -p``
    or ``touch -d`` do — has a new ctime, so its digest (of what the loader read) is not
    remembered: the next run reads it again and never answers from the old content."""
    _age(ledger)
    cache = CheckCache(tmp_path / "cache")
    pending = cache.begin_key(
        ledger, today=TODAY, as_of=AS_OF, strict=False, compliance=True, defer=True
    )
    assert pending.discovery is not None and not pending.discovery.stated
    assert {st for _, _, st in pending.discovery.found} == {None}
    files = [p for p in sorted(ledger.rglob("*.yaml")) if p.name != "safeledger.yaml"]
    read = {  # the digests of what the loader read
        p.relative_to(ledger).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
    }
    changed = hazard_files(ledger)[0]
    old = changed.stat().st_mtime_ns
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(changed, ns=(old, old))  # the mtime set back: only the ctime tells
    pending.finish(read)
    (path,) = (tmp_path / "cache" / "stat").glob("*.idx")
    index = StatIndex.load(path)
    hashes = [index.hashes[i : i + 64] for i in range(0, len(index.hashes), 64)]
    remembered = dict(zip(index.paths, hashes, strict=True))
    rel = changed.relative_to(ledger).as_posix()
    assert remembered.pop(rel) == StatIndex.UNKNOWN
    assert remembered == {p: read[p] for p in remembered}  # the others are remembered
    reads.clear()
    _key(cache, ledger)  # the next run: the changed file is read for its digest
    assert reads == ["safeledger.yaml", changed.parent.name]
