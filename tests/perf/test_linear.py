"""Cost grows linearly: operations are counted (never timed) on ledgers of two sizes."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeledger.api import check_ledger, load_ledger
from safeledger.evaluate import compliance, duties
from safeledger.output.diagnostics import pretty_json
from safeledger.read import read_ledger
from safeledger.read.discover import discover
from safeledger.read.raw import RawLedger
from safeledger.validate import rules
from tests.perf.ledgers import TODAY, generate


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = {}
    for n in (100, 400):
        root = tmp_path_factory.mktemp(f"h{n}")
        generate.generate(
            root,
            hazards_n=n,
            enterprises_n=n // 10,
            activities_n=n // 2,
            layout="lists",
            mistakes=0.3,
        )
        out[n] = root
    return out


def counted(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, calls: Counter[str]
) -> None:
    real = getattr(module, name)

    def wrapper(*args: object, **kw: object) -> object:
        calls[name] += 1
        return real(*args, **kw)

    monkeypatch.setattr(module, name, wrapper)


def test_engines_do_linear_work(sizes: dict[int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[str] = Counter()
    counted(monkeypatch, duties, "index_activities", calls)
    counted(monkeypatch, compliance, "open_past_deadline", calls)
    counted(monkeypatch, rules, "_suggest", calls)
    for n, root in sizes.items():
        valid = len(load_ledger(root, today=TODAY).ledger.hazards)
        calls.clear()
        result = check_ledger(root, as_of=TODAY, today=TODAY)
        codes = Counter(d.code for d in result.diagnostics)
        assert codes["unknown-enterprise"] > 1, "mistakes include unknown enterprises"
        # the duty engine indexes activities once, not once per enterprise
        assert calls["index_activities"] == 1
        # each hazard's status is worked out once
        assert calls["open_past_deadline"] == valid and n // 2 < valid < n
        # "did you mean" searches once per distinct unknown id, not once per record:
        # the generator's mistakes all name E99999
        assert calls["_suggest"] == 1


def test_progress_reports_reach_the_end(sizes: dict[int, Path]) -> None:
    seen: list[tuple[str, int, int]] = []
    loaded = load_ledger(sizes[100], today=TODAY, progress=lambda *a: seen.append(a))
    stages = {s for s, _, _ in seen}
    assert stages == {"read", "validate"}
    assert ("validate", len(loaded.raw.records), len(loaded.raw.records)) in seen
    files = [(d, t) for s, d, t in seen if s == "read"]
    assert files[0][0] == 0 and files[-1][0] == files[-1][1] == len(loaded.raw.files) - 1
    plain = read_ledger(sizes[100])
    assert [r.data for r in plain.records] == [r.data for r in loaded.raw.records]


def test_discover_paths_match_relpath(
    sizes: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sizes[100]
    monkeypatch.chdir(root.parent)
    for spelled in (
        root,
        Path(root.name),
        Path(".") / root.name,
        Path("..") / root.parent.name / root.name,
    ):
        entries = discover(spelled, RawLedger(spelled, None))
        for rel, _kind, _size in entries:
            full = os.path.join(spelled, os.path.dirname(rel), os.path.basename(rel))
            assert rel == os.path.relpath(full, spelled).replace(os.sep, "/")
        assert [e[0] for e in entries] == [e[0] for e in discover(root, RawLedger(root, None))]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda c: st.lists(c) | st.dictionaries(st.text(), c) | st.dictionaries(st.integers(), c),
    max_leaves=25,
)


@given(json_values)
def test_pretty_json_is_json_dumps(value: object) -> None:
    assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
