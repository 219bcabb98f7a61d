"""``check`` on two cores (safeledger.sharded) gives the same answer as in one process:
the same diagnostics with the same lines, hints and order, and the same record counts —
for both layouts, with mistakes that cross the cut (an id used in both parts, an
activity naming a hazard of the other part, an unknown enterprise), with --strict and
--no-compliance, and with evidence looked up outside evidence/ (for the cache).  The
same for the load of ``status`` and ``report`` (``load_sharded``): the same models,
where they are written, and the same diagnostics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from safeledger.api import check_ledger, load_ledger, load_validated
from safeledger.cache import ProbedEvidence
from safeledger.sharded import check_sharded, load_sharded
from tests.perf.ledgers import AS_OF, TODAY, generate, hazard_files
from tests.perf.test_loaded_cache import same_models


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    generate.generate(out, hazards_n=2000, enterprises_n=150, activities_n=600, mistakes=0.05)
    return out


def _cross_the_cut(root: Path) -> None:
    """A hazard of the first file copied into the last one (a duplicate id across the
    two processes), and an inspection naming a hazard of the last file and one that
    does not exist."""
    files = hazard_files(root)
    first, last = files[0], files[-1]
    text = first.read_text(encoding="utf-8")
    if text.startswith("- "):
        item = "- " + text.split("\n- ", 2)[0][2:].rstrip("\n") + "\n"
        last.write_text(last.read_text(encoding="utf-8") + item, encoding="utf-8")
    else:
        shutil.copy(first, last.with_name("zz-copy.yaml"))
    last_text = hazard_files(root)[-1].read_text(encoding="utf-8")
    hazard_id = last_text.split("id: ", 1)[1].split("\n", 1)[0].strip()
    (root / "activities" / "zz-cut.yaml").write_text(
        "- id: A-CUT-1\n  kind: inspection\n  date: 2026-01-05\n  enterprise: E00001\n"
        f"  hazards: [{hazard_id}, H-NOPE-1]\n",
        encoding="utf-8",
    )


def _both(root: Path, **options: object) -> tuple[dict[str, object], dict[str, object]]:
    one = check_ledger(root, as_of=AS_OF, today=TODAY, workers=1, **options)  # type: ignore[arg-type]
    two = check_ledger(root, as_of=AS_OF, today=TODAY, workers=2, **options)  # type: ignore[arg-type]
    return one.to_json(), two.to_json()


def _hints(root: Path, workers: int) -> list[str | None]:
    return [
        d.hint for d in check_ledger(root, as_of=AS_OF, today=TODAY, workers=workers).diagnostics
    ]


def test_same_answer_as_one_process(ledger: Path) -> None:
    _cross_the_cut(ledger)
    one, two = _both(ledger)
    assert one == two
    codes = {d["code"] for d in one["diagnostics"]}  # type: ignore[attr-defined,index]
    # the mistakes this test is about are really there
    assert {"duplicate-id", "unknown-hazard", "unknown-enterprise", "duty-gap"} <= codes
    assert _hints(ledger, 1) == _hints(ledger, 2)


@pytest.mark.parametrize("options", [{"strict": True}, {"compliance": False}])
def test_same_answer_with_options(ledger: Path, options: dict[str, object]) -> None:
    one, two = _both(ledger, **options)
    assert one == two


def test_the_work_is_really_shared(ledger: Path) -> None:
    result = check_sharded(
        ledger, as_of=AS_OF, today=TODAY, compliance=True, evidence=None, workers=2
    )
    assert result is not None
    assert result.records["hazards"] == 2000
    small = check_sharded(
        ledger, as_of=AS_OF, today=TODAY, compliance=True, evidence=None, workers=None
    )
    assert small is None  # a few hundred kB: one process is faster


def _evidence_in_the_workers_part(ledger: Path) -> None:
    """A hazard naming evidence that is not on disk, in the last file in path order (the
    worker's part)."""
    (ledger / "hazards" / "zzzz.yaml").write_text(
        "id: H-ZZ-1\nfound_on: 2026-01-05\nenterprise: E00001\nlocation: 地下室\n"
        "category: 消防设施\nlevel: general\ndescription: 灭火器过期\nresponsible: 张三\n"
        "deadline: 2026-01-20\nevidence: [docs/photo-1.jpg]\n",
        encoding="utf-8",
    )


def test_evidence_looked_up_in_the_worker_is_remembered(ledger: Path) -> None:
    _evidence_in_the_workers_part(ledger)
    probed = ProbedEvidence(set())
    check_sharded(ledger, as_of=AS_OF, today=TODAY, compliance=True, evidence=probed, workers=2)
    assert "docs/photo-1.jpg" in probed.misses


def test_a_failing_worker_means_one_process(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import safeledger.sharded as sharded

    def broken(*_args: object) -> None:
        raise MemoryError("the child ran out of memory")

    expected = check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=1).to_json()
    monkeypatch.setattr(sharded, "_worker", broken)
    assert (
        check_sharded(ledger, as_of=AS_OF, today=TODAY, compliance=True, evidence=None, workers=2)
        is None
    )
    assert check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=2).to_json() == expected


# --- the load of status and report ----------------------------------------------------


def _diagnostics(loaded: object) -> list[dict[str, object]]:
    return [{**d.to_json(), "hint": d.hint} for d in loaded.diagnostics]  # type: ignore[attr-defined]


def test_load_gives_the_same_ledger_as_one_process(ledger: Path) -> None:
    _cross_the_cut(ledger)
    one = load_validated(ledger, today=TODAY, workers=1)
    two = load_validated(ledger, today=TODAY, workers=2)
    same_models(one, two)
    assert _diagnostics(one) == _diagnostics(two)
    codes = {d.code for d in one.diagnostics}
    assert {"duplicate-id", "unknown-hazard", "unknown-enterprise"} <= codes
    sharded = load_sharded(ledger, today=TODAY, evidence=None, workers=2)
    assert sharded is not None, "the work is really shared"
    assert sharded.records == len(load_ledger(ledger, today=TODAY, workers=1).raw.records)
    assert load_sharded(ledger, today=TODAY, evidence=None, workers=None) is None  # too small


def test_load_remembers_evidence_looked_up_in_the_worker(ledger: Path) -> None:
    _evidence_in_the_workers_part(ledger)
    probed = ProbedEvidence(set())
    assert load_sharded(ledger, today=TODAY, evidence=probed, workers=2) is not None
    assert "docs/photo-1.jpg" in probed.misses


def test_load_with_a_failing_worker_means_one_process(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safeledger.sharded as sharded

    def broken(*_args: object) -> None:
        raise MemoryError("the child ran out of memory")

    expected = load_validated(ledger, today=TODAY, workers=1)
    monkeypatch.setattr(sharded, "_parts_worker", broken)
    assert load_sharded(ledger, today=TODAY, evidence=None, workers=2) is None
    fallback = load_validated(ledger, today=TODAY, workers=2)
    same_models(fallback, expected)
    assert _diagnostics(fallback) == _diagnostics(expected)


def test_without_fork_check_and_load_run_in_one_process(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A platform without fork (Windows): asked for two workers, check and the load of
    status/report give the one-process answer (Forked answers None: no child)."""
    import multiprocessing

    import safeledger.sharded as sharded

    def not_without_a_worker(*_args: object) -> None:
        raise AssertionError("half the work done for nothing: the caller does it all again")

    one = check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=1).to_json()
    plain = load_ledger(ledger, today=TODAY, workers=1)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(sharded, "_parent_part", not_without_a_worker)
    assert check_sharded(ledger, as_of=AS_OF, today=TODAY, compliance=True, evidence=None,
                         workers=2) is None  # fmt: skip
    assert check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=2).to_json() == one
    loaded = load_validated(ledger, today=TODAY, cache=None, workers=2)
    assert loaded.ledger == plain.ledger


@pytest.mark.parametrize("workers", [1, 2])
def test_same_answer_when_the_walk_leaves_the_sizes_out(
    ledger: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A big ledger is listed without the files' stats (read.discover.LAZY_MIN_FILES):
    the readers take each size as they open the file, the work is cut by file count;
    the answer is the same."""
    from safeledger.read import discover as discover_module

    stated = check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=workers).to_json()
    loaded = load_ledger(ledger, today=TODAY, workers=workers)
    monkeypatch.setattr(discover_module, "LAZY_MIN_FILES", 1)
    lazy = check_ledger(ledger, as_of=AS_OF, today=TODAY, workers=workers).to_json()
    assert lazy == stated
    again = load_ledger(ledger, today=TODAY, workers=workers)
    assert again.diagnostics == loaded.diagnostics and again.raw.files == loaded.raw.files
    assert again.ledger.hazards == loaded.ledger.hazards
