"""The check-result cache (safeledger.cache): the same answer with and without it, after
edits, renames, deletions, with a corrupt cache, and when evidence appears on disk."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger import cache as cache_module
from safeledger.api import check_ledger
from safeledger.cache import CheckCache, StatIndex
from safeledger.cli.app import app
from safeledger.read.discover import FileStat, Found
from tests.perf.ledgers import (
    AS_OF,
    TODAY,
    age_files,
    hazard_files,
    ledger_with_plan_outside_evidence,
)

runner = CliRunner()


def run(root: Path, cache: CheckCache | None, **kw: object) -> dict[str, object]:
    result = check_ledger(root, as_of=AS_OF, today=TODAY, cache=cache, **kw)  # type: ignore[arg-type]
    out = result.to_json()
    out["hints"] = [d.hint for d in result.diagnostics]
    return out


def same(root: Path, cache: CheckCache, **kw: object) -> dict[str, object]:
    plain = run(root, None, **kw)
    assert run(root, cache, **kw) == plain  # fills the cache (or hits)
    assert run(root, cache, **kw) == plain  # certainly a hit
    return plain


def test_hit_is_identical_and_fast_path_is_taken(ledger: Path, tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / "cache")
    first = same(ledger, cache)
    assert first["diagnostics"], "the generated ledger has mistakes"
    assert len(list((tmp_path / "cache" / "checks").glob("*.json"))) == 1
    same(ledger, cache, strict=True)
    same(ledger, cache, compliance=False)
    assert len(list((tmp_path / "cache" / "checks").glob("*.json"))) == 3


def test_edit_rename_delete(ledger: Path, tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / "cache")
    before = same(ledger, cache)
    first = hazard_files(ledger)[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("found_on: ", "found_on: 20x", 1), encoding="utf-8")
    edited = same(ledger, cache)
    assert edited != before
    first.rename(first.with_name("renamed-" + first.name))
    renamed = same(ledger, cache)
    assert renamed != edited  # file names are in the diagnostics
    hazard_files(ledger)[-1].unlink()
    deleted = same(ledger, cache)
    assert deleted["summary"] != renamed["summary"]  # type: ignore[comparison-overlap]
    (ledger / "safeledger.yaml").write_text(
        "organisation: 另一个街道\ncommunities: [无此社区]\n", encoding="utf-8"
    )
    assert same(ledger, cache) != deleted


def test_corrupt_or_foreign_cache_is_a_miss(ledger: Path, tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / "cache")
    plain = same(ledger, cache)
    (entry,) = (tmp_path / "cache" / "checks").glob("*.json")
    for bad in (b"", b"{", b"\x00\xff garbage", b'{"format": 1}', b"[]", b"null"):
        entry.write_bytes(bad)
        assert run(ledger, cache) == plain
    entry.unlink()
    run(ledger, cache)
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["diagnostics"] = data["diagnostics"][:1]
    data["key"] = "0" * 64  # an entry that is not for this key is never used
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert run(ledger, cache) == plain
    data["key"], data["version"] = entry.stem, "0.0.0-other"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert run(ledger, cache) == plain
    (tmp_path / "cache" / "checks").chmod(0o500)  # unwritable cache: still answers
    try:
        assert run(ledger, CheckCache(tmp_path / "cache" / "checks" / "sub")) == plain
    finally:
        (tmp_path / "cache" / "checks").chmod(0o700)


def test_evidence_outside_evidence_folder_is_looked_up_again(tmp_path: Path) -> None:
    root = ledger_with_plan_outside_evidence(tmp_path / "l")
    cache = CheckCache(tmp_path / "cache")
    missing = same(root, cache)
    assert "does not exist" in json.dumps(missing, ensure_ascii=False)
    (root / "docs").mkdir()
    (root / "docs" / "plan.pdf").write_bytes(b"%PDF")
    found = same(root, cache)
    assert found != missing
    assert "docs/plan.pdf" not in json.dumps(found, ensure_ascii=False)


def test_cli_no_cache_and_env(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "l"
    shutil.copytree(template / "lists", root)
    monkeypatch.setenv("SAFELEDGER_CACHE_DIR", str(tmp_path / "c"))
    args = ["check", str(root), "--format", "json", "--as-of", "2026-09-30"]
    plain = runner.invoke(app, [*args, "--no-cache"])
    assert not (tmp_path / "c").exists()
    cached = runner.invoke(app, args)
    again = runner.invoke(app, args)
    assert len(list((tmp_path / "c" / "checks").glob("*.json"))) == 1
    assert plain.exit_code == cached.exit_code == again.exit_code == 1
    assert plain.stdout == cached.stdout == again.stdout
    assert plain.stderr == cached.stderr == "", "no progress bar when stderr is not a terminal"


def test_stat_index_skips_unchanged_files_and_sees_every_change(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = cache_module._digest

    def counting(path: Path) -> str:
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(cache_module, "_digest", counting)
    age_files(ledger)
    cache = CheckCache(tmp_path / "cache")
    before = same(ledger, cache)
    reads.clear()
    assert run(ledger, cache) == before
    assert reads == ["safeledger.yaml"], "unchanged record files are not read"
    files = sorted(p for p in ledger.rglob("*.yaml") if p.name != "safeledger.yaml")
    assert len(files) >= 2
    # edited: same size, mtime put back to the same nanosecond (the inode's ctime moves)
    st = files[0].stat()
    text = files[0].read_text(encoding="utf-8")
    edited = text.replace("id: ", "ix: ", 1)  # the id is missing now
    assert len(edited) == len(text) and edited != text
    files[0].write_text(edited, encoding="utf-8")
    os.utime(files[0], ns=(st.st_atime_ns, st.st_mtime_ns))
    after_edit = same(ledger, cache)
    assert after_edit != before
    # touched: read again, same answer
    os.utime(files[-1])
    reads.clear()
    assert same(ledger, cache) == after_edit
    assert files[-1].name in reads
    files[-1].rename(files[-1].with_name("renamed-" + files[-1].name))
    assert same(ledger, cache) != after_edit
    files[0].unlink()
    same(ledger, cache)


def test_stat_index_racy_file_is_read_again(tmp_path: Path) -> None:
    """A file modified just before the hashing is not remembered: an edit in the same
    clock tick could keep its size and mtime (coarse file systems)."""
    (tmp_path / "a.yaml").write_text("id: A\n", encoding="utf-8")
    st = _file_stat(tmp_path / "a.yaml")
    index = StatIndex()
    assert index.digests(tmp_path, [("a.yaml", "hazards", st)])[0] == _sha(b"id: A\n")
    index.save(tmp_path / "index.idx")
    (tmp_path / "a.yaml").write_text("id: B\n", encoding="utf-8")
    again = StatIndex.load(tmp_path / "index.idx")
    assert again.digests(tmp_path, [("a.yaml", "hazards", st)])[0] == _sha(b"id: B\n")
    old = (st[0], st[1] - 60 * 10**9, st[2], st[3])  # modified a minute ago
    assert old[1] < time.time_ns() - StatIndex.RACY_NS
    remembered = StatIndex()
    remembered.digests(tmp_path, [("a.yaml", "hazards", old)])
    assert remembered.hashes == _sha(b"id: B\n")


def _file_stat(path: Path) -> FileStat:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"{",
        b"\x00\xff",
        b"[]",
        b'{"format": 1, "paths": "a", "stats": [1]}',
        b'{"format": 2, "byteorder": "little", "count": 1, "paths": 1}\na',
    ],
)
def test_corrupt_stat_index_is_a_miss(ledger: Path, tmp_path: Path, bad: bytes) -> None:
    age_files(ledger)
    cache = CheckCache(tmp_path / "cache")
    plain = same(ledger, cache)
    (index,) = (tmp_path / "cache" / "stat").glob("*.idx")
    data = index.read_bytes()
    for text in (bad, data[: len(data) // 2]):
        index.write_bytes(text)
        assert run(ledger, cache) == plain
    # an index with wrong hashes for the right stats changes the key: a miss, never
    # another ledger's answer
    hashes = 64 * json.loads(data.split(b"\n", 1)[0])["count"]
    index.write_bytes(data[:-hashes] + b"0" * hashes)
    assert run(ledger, cache) == plain


@pytest.mark.parametrize("form", [[], ["--format", "json"]])
def test_cli_rendered_answer_is_replayed_only_when_valid(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: list[str]
) -> None:
    monkeypatch.setenv("SAFELEDGER_CACHE_DIR", str(tmp_path / "c"))
    args = ["check", str(ledger), *form, "--as-of", "2026-09-30"]
    plain = runner.invoke(app, [*args, "--no-cache"])
    assert plain.stdout
    for _ in range(3):  # fills the result, then the rendered answer, then replays it
        again = runner.invoke(app, args)
        assert (again.stdout, again.exit_code) == (plain.stdout, plain.exit_code)
    (stored,) = (tmp_path / "c" / "rendered").glob("*")
    for bad in (b"", b"{}\n", stored.read_bytes()[:-10]):
        stored.write_bytes(bad)
        again = runner.invoke(app, args)
        assert (again.stdout, again.exit_code) == (plain.stdout, plain.exit_code)
    first = hazard_files(ledger)[0]
    first.write_text(first.read_text(encoding="utf-8").replace("id: ", "ix: ", 1), encoding="utf-8")
    first.rename(first.with_name("moved-" + first.name))
    fresh = runner.invoke(app, [*args, "--no-cache"])
    assert fresh.stdout != plain.stdout
    again = runner.invoke(app, args)
    assert (again.stdout, again.exit_code) == (fresh.stdout, fresh.exit_code)


def test_stat_index_keeps_failed_stats_and_huge_inodes(tmp_path: Path) -> None:
    """A failed ``stat`` and an inode over 2**63 (some file systems) still index: an
    unchanged file is remembered, the failed one is read again."""
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(f"id: {name}\n", encoding="utf-8")
    st = _file_stat(tmp_path / "a.yaml")
    huge = (st[0], st[1] - 60 * 10**9, 2**64 - 1, st[3])
    entries: list[Found] = [("a.yaml", "hazards", huge), ("b.yaml", "hazards", None)]
    index = StatIndex()
    first = index.digests(tmp_path, entries)
    assert first == [_sha(b"id: a.yaml\n"), _sha(b"id: b.yaml\n")]
    index.save(tmp_path / "index.idx")
    (tmp_path / "b.yaml").write_text("id: changed\n", encoding="utf-8")
    again = StatIndex.load(tmp_path / "index.idx")
    assert again.hashes[:64] == first[0]  # remembered, not read again
    assert again.digests(tmp_path, entries) == [first[0], _sha(b"id: changed\n")]


def test_key_texts_are_the_same_from_a_warm_index_and_from_the_files(tmp_path: Path) -> None:
    """The key's texts for the same files, whether taken from an unchanged index (its
    own texts) or worked out file by file; a newline in a path or an unreadable file is
    joined apart, so no two file lists give the same texts."""
    old = time.time() - 60  # not "racy": remembered by the index
    files = {"a.yaml": b"id: A\n", "b.yaml": b"id: B\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        os.utime(tmp_path / name, (old, old))
    entries: list[Found] = [(n, "hazards", _file_stat(tmp_path / n)) for n in files]
    cold = StatIndex().key_texts(tmp_path, entries)
    assert cold == ("lines:a.yaml\nb.yaml", "hashes:" + _sha(b"id: A\n") + _sha(b"id: B\n"))
    index = StatIndex()
    index.digests(tmp_path, entries)
    index.save(tmp_path / "index.idx")
    warm = StatIndex.load(tmp_path / "index.idx")
    assert warm.hashes and warm.key_texts(tmp_path, entries) == cold

    one_name = [("a.yaml\nb.yaml", "hazards", None)]  # a newline in a file name
    paths, digests = StatIndex().key_texts(tmp_path, one_name)
    assert paths == "parts:a.yaml\nb.yaml" and paths != cold[0]
    assert digests.startswith("parts:unreadable:")  # no such file
