"""The check-result cache (safeledger.cache): the same answer with and without it, after
edits, renames, deletions, with a corrupt cache, and when evidence appears on disk."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeledger.api import check_ledger
from safeledger.cache import CheckCache
from safeledger.cli.app import app

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate

TODAY = dt.date(2026, 11, 23)
AS_OF = dt.date(2026, 9, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate.generate(out, hazards_n=120, enterprises_n=15, activities_n=60, mistakes=0.1)
    return out


@pytest.fixture(params=["lists", "per-record"])
def ledger(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(template / request.param, root)
    return root


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


def hazard_files(root: Path) -> list[Path]:
    return sorted((root / "hazards").rglob("*.yaml"))


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
    root = tmp_path / "l"
    generate.generate(
        root, hazards_n=5, enterprises_n=2, activities_n=0, layout="lists", mistakes=0
    )
    path = next((root / "hazards").rglob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  responsible:", "  plan: docs/plan.pdf\n  responsible:", 1), encoding="utf-8"
    )
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
