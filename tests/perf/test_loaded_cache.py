"""The cache of loaded ledgers that ``status`` and ``report`` use (safeledger.cache,
:func:`safeledger.api.load_validated`): the same ledger, diagnostics, statuses and
report JSON with and without it, after edits, renames and deletions, with a corrupt
entry, when evidence appears, and when a big ledger is stored in the background."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from safeledger import api
from safeledger.api import LoadedLedger, load_validated
from safeledger.cache import CheckCache
from safeledger.cli.app import app
from safeledger.evaluate.periods import resolve_period
from safeledger.evaluate.status import status_report
from safeledger.output.status import status_json_chunks
from safeledger.report import render_report
from tests.perf.ledgers import (
    AS_OF,
    TODAY,
    hazard_files,
    ledger_with_plan_outside_evidence,
)
from tests.validate.test_fast import _same

runner = CliRunner()


@pytest.fixture(params=["plain", "guessing"])
def guessing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both ways to a stored ledger: hashing first, then decoding (a small ledger), and
    decoding the entry last used while a forked child hashes (a big one: here every one,
    GUESS_BYTES=0)."""
    on = request.param == "guessing"
    if on:
        monkeypatch.setattr(api, "GUESS_BYTES", 0)
        monkeypatch.setattr(api, "GUESS_FILES", 0)
    return on


def answers(loaded: LoadedLedger) -> dict[str, Any]:
    """What the commands built on a loaded ledger print."""
    span = resolve_period(today=TODAY, quarter="2026Q3")
    return {
        "errors": loaded.errors,
        "diagnostics": [d.to_json() for d in loaded.diagnostics],
        "status": "".join(status_json_chunks(status_report(loaded.ledger, AS_OF))),
        "report": render_report(loaded.ledger, span, fmt="json"),
    }


def same_models(a: LoadedLedger, b: LoadedLedger) -> None:
    for kind in ("enterprises", "hazards", "activities"):
        left, right = getattr(a.ledger, kind), getattr(b.ledger, kind)
        assert len(left) == len(right), kind
        for x, y in zip(left, right, strict=True):
            _same(x, y)
    _same(a.ledger.config, b.ledger.config)
    assert a.ledger.sources == b.ledger.sources
    assert list(a.ledger.sources) == list(b.ledger.sources)
    assert a.ledger.root == b.ledger.root


def same(root: Path, cache: CheckCache) -> dict[str, Any]:
    """Loaded without the cache, then through it twice (stored, then certainly a hit):
    the same every time."""
    plain = load_validated(root, today=TODAY)
    stored = load_validated(root, today=TODAY, cache=cache)
    hit = load_validated(root, today=TODAY, cache=cache)
    assert hit.cached and not plain.cached
    expected = answers(plain)
    for loaded in (stored, hit):
        same_models(loaded, plain)
        assert answers(loaded) == expected
    return expected


def test_hit_is_identical(ledger: Path, tmp_path: Path, guessing: bool) -> None:
    first = same(ledger, CheckCache(tmp_path / "cache"))
    assert first["errors"], "the generated ledger has mistakes"
    assert len(list((tmp_path / "cache" / "loaded").glob("*.bin"))) == 1
    assert load_validated(ledger, today=TODAY).ledger.hazards


def test_edit_rename_delete(ledger: Path, tmp_path: Path, guessing: bool) -> None:
    cache = CheckCache(tmp_path / "cache")
    before = same(ledger, cache)
    first = hazard_files(ledger)[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("description: ", "description: 改过 ", 1), encoding="utf-8")
    edited = same(ledger, cache)
    assert edited["report"] != before["report"]
    first.rename(first.with_name("renamed-" + first.name))
    renamed = same(ledger, cache)
    assert renamed["status"] == edited["status"]
    hazard_files(ledger)[-1].unlink()
    deleted = same(ledger, cache)
    assert deleted != renamed
    (ledger / "safeledger.yaml").write_text(
        "organisation: 另一个街道\ncommunities: [无此社区]\n", encoding="utf-8"
    )
    assert same(ledger, cache)["errors"] != deleted["errors"]


def test_another_today_is_another_entry(ledger: Path, tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / "cache")
    load_validated(ledger, today=TODAY, cache=cache)
    later = load_validated(ledger, today=TODAY + dt.timedelta(days=1), cache=cache)
    assert not later.cached


def test_corrupt_or_foreign_entry_is_a_miss(
    ledger: Path, tmp_path: Path, guessing: bool
) -> None:
    cache = CheckCache(tmp_path / "cache")
    expected = same(ledger, cache)
    (entry,) = (tmp_path / "cache" / "loaded").glob("*.bin")
    good = entry.read_bytes()
    head, body = good.split(b"\n", 1)
    meta = json.loads(head)
    bad_entries = [
        b"",
        b"{",
        b"\x00\xff garbage",
        head + b"\n" + body[:-10],  # truncated
        head + b"\n" + b"\x00" * len(body),  # the right size, not marshal
        json.dumps({**meta, "key": "0" * 64}).encode() + b"\n" + body,
        json.dumps({**meta, "version": "0.0.0-other"}).encode() + b"\n" + body,
        # written by a codec with other models (safeledger changed, same version)
        json.dumps({**meta, "codec": "0" * 16}).encode() + b"\n" + body,
    ]
    for bad in bad_entries:
        entry.write_bytes(bad)
        loaded = load_validated(ledger, today=TODAY, cache=cache)
        assert not loaded.cached
        assert answers(loaded) == expected
        entry.write_bytes(bad)  # (the load above stored a good entry again)
    entry.unlink()
    (tmp_path / "cache").chmod(0o500)  # unwritable cache: still answers
    try:
        assert answers(load_validated(ledger, today=TODAY, cache=cache)) == expected
    finally:
        (tmp_path / "cache").chmod(0o700)


def test_evidence_outside_evidence_folder_is_looked_up_again(
    tmp_path: Path, guessing: bool
) -> None:
    root = ledger_with_plan_outside_evidence(tmp_path / "l")
    cache = CheckCache(tmp_path / "cache")
    missing = same(root, cache)
    assert missing["errors"] == 1
    (root / "docs").mkdir()
    (root / "docs" / "plan.pdf").write_bytes(b"%PDF")
    assert same(root, cache)["errors"] == 0


def decoded_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys whose loaded entry is looked up (and decoded when there) from now on."""
    decoded: list[str] = []
    get_loaded = CheckCache.get_loaded

    def spy(self: CheckCache, key: str, root: Path) -> Any:
        decoded.append(key)
        return get_loaded(self, key, root)

    monkeypatch.setattr(CheckCache, "get_loaded", spy)
    return decoded


def test_the_guess_is_decoded_while_the_key_is_worked_out(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big ledger run again: the entry last used is decoded while a forked child
    works out the key, and is the answer when the key is the same (one decode); a guess
    that turns out wrong (the ledger changed), a damaged pointer or no fork at all give
    the plain answer."""
    import multiprocessing

    monkeypatch.setattr(api, "GUESS_BYTES", 0)
    monkeypatch.setattr(api, "GUESS_FILES", 0)
    cache = CheckCache(tmp_path / "cache")
    expected = same(ledger, cache)
    decoded = decoded_keys(monkeypatch)
    guess = cache.last_loaded(ledger)
    hit = load_validated(ledger, today=TODAY, cache=cache)
    assert hit.cached and decoded == [guess] and answers(hit) == expected

    first = hazard_files(ledger)[0]  # changed: the guess is decoded, then the real key
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    decoded.clear()
    changed = load_validated(ledger, today=TODAY, cache=cache)
    assert not changed.cached and decoded[0] == guess and len(decoded) == 2
    assert answers(changed) == answers(load_validated(ledger, today=TODAY))

    cache._last_path(ledger).write_bytes(b"\xff not a key")
    assert cache.last_loaded(ledger) is None
    assert load_validated(ledger, today=TODAY, cache=cache).cached  # the plain way

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    decoded.clear()
    hit = load_validated(ledger, today=TODAY, cache=cache)  # no child: hashed here after
    assert hit.cached and decoded == [cache.last_loaded(ledger)]
    assert answers(hit) == answers(changed)


def test_a_ledger_of_few_files_works_out_its_key_first(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below GUESS_FILES record files the key is worked out first (cheap), so an edited
    ledger does not decode the entry last used for nothing."""
    monkeypatch.setattr(api, "GUESS_BYTES", 0)
    cache = CheckCache(tmp_path / "cache")
    same(ledger, cache)
    files = sum(1 for p in ledger.rglob("*.yaml") if p.name != "safeledger.yaml")
    assert cache.indexed_files(ledger) == files
    monkeypatch.setattr(api, "GUESS_FILES", files + 1)
    decoded = decoded_keys(monkeypatch)
    first = hazard_files(ledger)[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = load_validated(ledger, today=TODAY, cache=cache)
    assert not changed.cached and len(decoded) == 1  # its own key's entry only: a miss
    monkeypatch.setattr(api, "GUESS_FILES", files)
    decoded.clear()
    assert load_validated(ledger, today=TODAY, cache=cache).cached
    assert decoded == [cache.last_loaded(ledger)]


def test_a_big_ledger_is_stored_in_the_background(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "BACKGROUND_STORE_RECORDS", 10)
    cache = CheckCache(tmp_path / "cache")
    first = load_validated(ledger, today=TODAY, cache=cache, background=True)
    deadline = time.monotonic() + 30
    while not list((tmp_path / "cache" / "loaded").glob("*.bin")):
        assert time.monotonic() < deadline, "the background store never finished"
        time.sleep(0.05)
    hit = load_validated(ledger, today=TODAY, cache=cache)
    for _ in range(600):  # the file is renamed into place whole: a hit once it is there
        if hit.cached:
            break
        time.sleep(0.05)
        hit = load_validated(ledger, today=TODAY, cache=cache)
    assert hit.cached
    same_models(hit, first)
    assert answers(hit) == answers(first)


def test_cli_status_and_report_use_the_cache_and_no_cache_skips_it(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "l"
    shutil.copytree(template / "per-record", root)
    monkeypatch.setenv("SAFELEDGER_CACHE_DIR", str(tmp_path / "c"))
    for args in (
        ["status", str(root), "--format", "json", "--as-of", "2026-09-30"],
        ["report", str(root), "--quarter", "2026Q3", "--format", "json"],
    ):
        plain = runner.invoke(app, [*args, "--no-cache"])
        assert plain.exit_code == 0, plain.output
        if args[0] == "status":
            assert not (tmp_path / "c").exists()
        for _ in range(2):  # stores, then hits (report: hits what status stored)
            again = runner.invoke(app, args)
            assert (again.exit_code, again.stdout, again.stderr) == (
                plain.exit_code,
                plain.stdout,
                plain.stderr,
            )
        assert len(list((tmp_path / "c" / "loaded").glob("*.bin"))) == 1


def test_the_background_store_does_not_hold_the_output_open(tmp_path: Path) -> None:
    """A reader of the command's output (`status … | jq`) gets its end of file when the
    command ends, not when the background store does."""
    import subprocess

    code = (
        "import time\n"
        "from safeledger._afterwards import in_background\n"
        "in_background(lambda: time.sleep(10))\n"
        "print('done', flush=True)\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert proc.stdout == "done\n"
    assert time.monotonic() - started < 8, "waited for the background child"


def test_the_command_line_stores_a_big_ledger_after_its_answer(
    template: Path, tmp_path: Path
) -> None:
    """Under the console entry point the store waits for the answer (it no longer
    competes with the command for the cores), then a detached process writes it; the
    command's output and exit status are those of --no-cache, and the next run hits."""
    import subprocess

    root = tmp_path / "l"
    shutil.copytree(template / "per-record", root)
    code = (
        "import sys, safeledger.api as api\n"
        "api.BACKGROUND_STORE_RECORDS = 10\n"
        "from safeledger.cli.app import main\n"
        "sys.argv = ['safeledger', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "SAFELEDGER_CACHE_DIR": str(tmp_path / "c")}
    args = [str(root), "--format", "json", "--as-of", "2026-09-30"]

    def run(*extra: str, command: str = "status") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code, command, *args, *extra],
            capture_output=True, text=True, timeout=120, env=env,
        )

    plain = run("--no-cache")
    assert plain.returncode == 0, plain.stderr
    first = run()
    assert (first.returncode, first.stdout) == (0, plain.stdout)
    deadline = time.monotonic() + 30
    while not list((tmp_path / "c" / "loaded").glob("*.bin")):
        assert time.monotonic() < deadline, "the store after the answer never happened"
        time.sleep(0.05)
    time.sleep(0.5)  # renamed into place whole; the child may still be finishing
    assert run().stdout == plain.stdout

    checked = run("--no-cache", command="check")
    for _ in range(2):  # stores after the answer, then answers from what was stored
        again = run(command="check")
        assert (again.returncode, again.stdout) == (checked.returncode, checked.stdout)
        deadline = time.monotonic() + 30
        while not list((tmp_path / "c" / "rendered").glob("*.json")):
            assert time.monotonic() < deadline, "the check result was never stored"
            time.sleep(0.05)
