"""``status --format json`` of a big ledger loaded in two parts
(``safeledger.sharded.load_in_parts``): each process makes the rows of the hazards it
read, the parent the duties, and the rows are merged in table order.  The text is the
one-process text — with filters, with a hazard id used in both parts (equal keys keep
reading order), when the worker fails, and after the whole ledger is put together for
the cache from the worker's hazards handed over through a file."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import safeledger.sharded as sharded
from safeledger.api import LoadedLedger, load_validated
from safeledger.cache import CheckCache
from safeledger.cli.app import app
from safeledger.errors import UsageError
from safeledger.evaluate.status import StatusFilters, status_report
from safeledger.output.status import status_json_chunks, status_json_of, status_json_work
from tests.perf.ledgers import AS_OF, TODAY, generate, hazard_files
from tests.perf.test_loaded_cache import same_models


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate.generate(out, hazards_n=2000, enterprises_n=150, activities_n=600, mistakes=0.05)
    return out


@pytest.fixture(autouse=True)
def own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the hand-over files go (HandOver.new), to see that none is left."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


TIE_ID = "H-TIE-1"


def _same_key_in_both_parts(root: Path) -> None:
    """A hazard in the first file and one with the same id and found_on but another
    deadline (another row) in a file of its own that comes last (the worker's part)."""
    first = hazard_files(root)[0]
    text = first.read_text(encoding="utf-8")
    record = (
        "id: {id}\nfound_on: 2026-01-05\nenterprise: E00001\nlocation: 地下室\n"
        "category: 消防设施\nlevel: general\ndescription: 灭火器过期\nresponsible: 张三\n"
        "deadline: {deadline}\n"
    )
    if text.startswith("- "):
        item = record.format(id=TIE_ID, deadline="2026-01-20").replace("\n", "\n  ")
        first.write_text("- " + item.rstrip() + "\n" + text, encoding="utf-8")
    else:
        (first.parent / "000-tie.yaml").write_text(
            record.format(id=TIE_ID, deadline="2026-01-20"), encoding="utf-8"
        )
    (root / "hazards" / "zzzz-tie.yaml").write_text(
        record.format(id=TIE_ID, deadline="2026-12-31"), encoding="utf-8"
    )


def _filters_of(options: dict[str, list[str]]) -> partial[StatusFilters]:
    return partial(StatusFilters.parse, **options)


def _one_process_text(root: Path, options: dict[str, list[str]]) -> str:
    plain = load_validated(root, today=TODAY, workers=1)
    report = status_report(plain.ledger, AS_OF, _filters_of(options)(plain.ledger))
    return "".join(status_json_chunks(report))


def _text(loaded: LoadedLedger, options: dict[str, list[str]]) -> str:
    filters = _filters_of(options)(loaded.ledger)
    return b"".join(status_json_of(loaded.ledger, AS_OF, filters, loaded.worked)).decode()


def _in_parts(
    root: Path, options: dict[str, list[str]], cache: CheckCache | None = None
) -> LoadedLedger:
    work = status_json_work(AS_OF, _filters_of(options))
    return load_validated(root, today=TODAY, cache=cache, workers=2, work=work)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"statuses": ["overdue", "已整改待复查"]},
        {"communities": ["同心和平社区"]},
        {"enterprises": ["E00001"], "levels": ["general"]},
    ],
)
def test_the_rows_of_both_parts_are_the_one_process_text(
    ledger: Path, options: dict[str, list[str]]
) -> None:
    _same_key_in_both_parts(ledger)
    expected = _one_process_text(ledger, options)
    loaded = _in_parts(ledger, options)
    assert loaded.worked is not None, "the ledger was really loaded in two parts"
    assert [h.id for h in loaded.ledger.hazards].count(TIE_ID) == 1, "one of the tie is theirs"
    assert _text(loaded, options) == expected
    assert loaded.diagnostics == load_validated(ledger, today=TODAY, workers=1).diagnostics
    if not options:
        rows = [r for r in json.loads(expected)["hazards"] if r["id"] == TIE_ID]
        assert [r["deadline"] for r in rows] == ["2026-01-20", "2026-12-31"]  # reading order
        assert json.loads(expected)["duties"], "the duties part is really there"


def test_a_filter_the_ledger_refuses_is_the_usual_error(ledger: Path) -> None:
    with pytest.raises(UsageError, match="--enterprise 'E-NOPE'"):
        _in_parts(ledger, {"enterprises": ["E-NOPE"]})


def test_a_failing_worker_means_the_whole_ledger(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise MemoryError("the child ran out of memory")

    expected = _one_process_text(ledger, {})
    monkeypatch.setattr(sharded, "_parts_worker", broken)
    loaded = _in_parts(ledger, {})
    assert loaded.worked is None
    same_models(loaded, load_validated(ledger, today=TODAY, workers=1))
    assert _text(loaded, {}) == expected


@pytest.mark.parametrize("hand_over", ["file", "no fork", "failed"])
def test_the_cache_stores_the_whole_ledger(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_temp_folder: Path,
    hand_over: str,
) -> None:
    """A first run loaded in parts stores the whole ledger (the worker's hazards come
    through a file after its answer, or with it when it cannot fork a process to write
    the file); the next run is answered from the cache with the same ledger and text.
    A hand-over that failed stores nothing (the next run loads again), answer intact."""
    _same_key_in_both_parts(ledger)
    if hand_over == "no fork":
        monkeypatch.setattr(sharded, "in_background", lambda _task: False)
    elif hand_over == "failed":
        monkeypatch.setattr(sharded.HandOver, "put", lambda self, _h: self.path.write_bytes(b""))
    cache = CheckCache(tmp_path / "cache")
    expected = _one_process_text(ledger, {})
    first = _in_parts(ledger, {}, cache)
    assert first.worked is not None and not first.cached
    assert _text(first, {}) == expected
    again = _in_parts(ledger, {}, cache)
    assert again.cached is (hand_over != "failed")
    assert again.worked is None or hand_over == "failed"
    if again.cached:
        same_models(again, load_validated(ledger, today=TODAY, workers=1))
    assert _text(again, {}) == expected
    assert list(own_temp_folder.iterdir()) == [], "no hand-over file is left"


def test_the_command_line_answer(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``safeledger status --format json`` of a ledger big enough to load in parts (the
    command judges dates against the real today)."""
    options = {"communities": ["同心和平社区"]}
    plain = load_validated(ledger, today=dt.date.today(), workers=1)
    report = status_report(plain.ledger, AS_OF, _filters_of(options)(plain.ledger))
    expected = "".join(status_json_chunks(report))
    calls: list[bool] = []
    monkeypatch.setattr(sharded, "SHARD_MIN_BYTES", 0)
    monkeypatch.setattr(sharded, "_load_parts", _counted(sharded._load_parts, calls))
    args = ["status", str(ledger), "--as-of", AS_OF.isoformat(), "--format", "json"]
    result = CliRunner().invoke(app, [*args, "--community", "同心和平社区", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    assert calls == [True], "loaded in parts"


def _counted(function: Callable[..., Any], calls: list[bool]) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        answer = function(*args)
        calls.append(answer is not None)
        return answer

    return counted


def test_hand_over_files_nobody_took_are_removed_after_a_day(own_temp_folder: Path) -> None:
    stale = own_temp_folder / "safeledger-hazards-1-00.bin"
    fresh = own_temp_folder / "safeledger-hazards-2-00.bin"
    other = own_temp_folder / "someone-elses.bin"
    for path in (stale, fresh, other):
        path.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    os.utime(other, (two_days_ago, two_days_ago))
    hand_over = sharded.HandOver.new()
    assert hand_over.path.parent == own_temp_folder
    assert sorted(p.name for p in own_temp_folder.iterdir()) == [fresh.name, other.name]
    for path in (fresh, other):
        path.unlink()
