"""The line scanner and the libyaml event index agree; locate() resolves anchors."""

from __future__ import annotations

from typing import Any

import yaml_rs
from hypothesis import given
from hypothesis import strategies as st

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.read import locate, read_ledger
from safeledger.read.events import scan_events
from safeledger.read.nodes import Node, lookup
from safeledger.read.parse import top_items
from safeledger.read.positions import agrees, item_starts, scan_positions

from .conftest import MakeLedger

BLOCK = [
    "id: H1\ndeadline: 2025-06-30\n",
    "# c\n\n- id: H1\n  整改期限: 2025-06-30\n- id: H2\n  extensions:\n    - to: 2025-07-01\n"
    "      on: 2025-06-01\n    - to: 2025-08-01\n",
    "- id: H1\n  description: |\n    line: one\n    - two\n\n  measures: >-\n    a\n    b\n"
    '  evidence: [a.jpg, b.jpg]\n  notes: "x: y"\n',
    "- id: A\n  list:\n  - a\n  - b\n  map:\n    k: v\n    k2:\n      deep: 1\n- id: B\n",
    "id: A\n---\nid: B\nn: plain text\n  continued here\n...\n---\n- id: C\n",
    "- 'id': A\n  \"名称\": 物业 # comment\n  empty:\n  after: 1\n",
    "- id: A\n  seq:\n    -\n      k: v\n    - - nested\n      - seq\n",
]


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _same(text: str) -> None:
    items = top_items(yaml_rs.loads(text), text)
    fast = scan_positions(text)
    exact = scan_events(text).items
    assert fast is not None, text
    assert agrees(fast, items) and agrees(exact, items)
    for node_f, node_e, item in zip(fast, exact, items, strict=True):
        for path in _paths(item):
            f, e = lookup(node_f, path), lookup(node_e, path)
            if f[2]:  # the scanner did not stop at an opaque flow collection
                assert f == e, (text, path)


def test_scanner_matches_events_table() -> None:
    for text in BLOCK:
        _same(text)


def test_scanner_gives_up_on_flow_and_anchors() -> None:
    for text in [
        "{a: 1}",
        "- {a: 1,\n   b: 2}\n",
        "a: &x 1\nb: *x\n",
        'a: "multi\n  line"\n',
        "? complex\n: 1\n",
        "--- |\n  text\n",
    ]:
        assert scan_positions(text) is None, text


KEYS = st.sampled_from(["id", "deadline", "整改期限", "level", "to", "on", "notes", "a-b", "x y"])
SCALARS = st.sampled_from(
    [
        "1",
        "H-01",
        "2025-06-30",
        "一般",
        "'quoted: yes'",
        '"dq"',
        "[a, b]",
        "~",
        "text # comment",
        "true",
    ]
)


@st.composite
def block_value(draw: st.DrawFn, indent: int, depth: int) -> str:
    kind = draw(st.sampled_from(["scalar", "map", "seq", "block"] if depth < 3 else ["scalar"]))
    pad = " " * (indent + 2)
    if kind == "scalar":
        return " " + draw(SCALARS) + "\n"
    if kind == "block":
        return " |\n" + pad + "text: not a key\n" + pad + "- nor an item\n"
    if kind == "map":
        keys = draw(st.lists(KEYS, min_size=1, max_size=3, unique=True))
        return "\n" + "".join(
            pad + k + ":" + draw(block_value(indent + 2, depth + 1)) for k in keys
        )
    items = draw(st.lists(block_value(indent + 2, depth + 1), min_size=1, max_size=3))
    return "\n" + "".join(
        pad + "-" + v if v.startswith(" ") else pad + "-\n" + v[1:] for v in items
    )


@st.composite
def block_document(draw: st.DrawFn) -> str:
    records = draw(
        st.lists(st.lists(KEYS, min_size=1, max_size=4, unique=True), min_size=1, max_size=3)
    )
    out = []
    for keys in records:
        lines = [
            f"{'- ' if i == 0 else '  '}{k}:{draw(block_value(2, 1))}" for i, k in enumerate(keys)
        ]
        out.append("".join(lines))
    return "".join(out)


@given(block_document())
def test_scanner_matches_events_generated(text: str) -> None:
    _same(text)


def test_item_starts() -> None:
    text = "# head\n- id: A\n  x: 1\n- id: B\n"
    assert item_starts(text) == [(7, 2), (22, 4)]
    assert item_starts("id: A\n") is None
    assert item_starts("- a\n---\n- b\n") is None


def _diag(file: str, index: int, path: tuple[str | int, ...] = ()) -> Diagnostic:
    return Diagnostic("x", ERROR, "m", file=file, anchor=Anchor(index, path))


def test_locate_yaml_and_csv(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "hazards/a.yaml": BLOCK[1],
            "hazards/flow.yaml": (
                "- {id: F1, deadline: 2025-01-01}\n- {id: F2,\n   x: [1, {to: 2}]}\n"
            ),
            "hazards/c.csv": '隐患编号,整改期限\nH1,"a\nb"\nH2,2025\n',
            "hazards/multi.yaml": "id: A\n---\n- id: B\n  k: v\n",
        }
    )
    ledger = read_ledger(root)
    diags = [
        _diag("hazards/a.yaml", 0, ("整改期限",)),
        _diag("hazards/a.yaml", 1, ("extensions", 1, "to")),
        _diag("hazards/a.yaml", 1, ("extensions", 0, "missing")),
        _diag("hazards/a.yaml", 1, ("absent",)),
        _diag("hazards/flow.yaml", 1, ("x", 1, "to")),
        _diag("hazards/c.csv", 1, ("整改期限",)),
        _diag("hazards/c.csv", 0, ()),
        _diag("hazards/multi.yaml", 1, ("k",)),
        _diag("hazards/multi.yaml", 9, ("k",)),
        Diagnostic("y", ERROR, "kept", file="hazards/a.yaml", line=99, anchor=Anchor(0)),
        Diagnostic("z", ERROR, "no anchor"),
    ]
    for records in (None, ledger.records):
        got = [(d.line, d.column) for d in locate(root, diags, records=records)]
        assert got == [
            (4, 3),
            (9, 7),
            (7, 7),
            (5, 3),
            (3, 12),
            (4, 2),
            (2, 1),
            (4, 3),
            (None, None),
            (99, None),
            (None, None),
        ]


def test_locate_big_file_lazily(make_ledger: MakeLedger) -> None:
    text = "".join(f"- id: H{i}\n  deadline: 2025-01-01\n" for i in range(5000))
    root = make_ledger({"hazards/big.yaml": text})
    ledger = read_ledger(root)
    (d,) = locate(root, [_diag("hazards/big.yaml", 4999, ("deadline",))], records=ledger.records)
    assert (d.line, d.column) == (10_000, 3)


def test_lookup_stops_at_opaque() -> None:
    node = Node(1, 1, "map", keys={"x": (1, 1)}, values={"x": Node(1, 4, "opaque")})
    assert lookup(node, ("x", 0)) == (1, 1, False)


def test_record_level_anchors_in_lists_match_the_exact_index(tmp_path) -> None:
    """locate() answers record-level anchors of block lists from item starts alone; the
    answer must be the exact (libyaml event) position of each record."""
    text = (
        "# header\n\n- id: A\n  x: 1\n- id: B  # c\n  y:\n    - 1\n"
        "- 'id': C\n- {id: D}\n-   id: E\n"
    )
    (tmp_path / "f.yaml").write_text(text, encoding="utf-8")
    exact = [(n.line, n.column) for n in scan_events(text).items]
    diags = [Diagnostic("c", ERROR, "m", file="f.yaml", anchor=Anchor(i)) for i in range(5)]
    found = [(d.line, d.column) for d in locate(tmp_path, diags)]
    assert found == exact
