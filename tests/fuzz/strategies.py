"""Hypothesis strategies for hostile and broken ledgers: random YAML/CSV text, records
built from the models' field names (English and Chinese keys) with values of random
types, and valid records mutated (fields dropped, duplicated, retyped, bytes inserted)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from safeledger.model.records import Activity, Enterprise, Hazard
from safeledger.validate.keys import field_names

KINDS = ("enterprises", "hazards", "activities")
MODELS = {"enterprises": Enterprise, "hazards": Hazard, "activities": Activity}


def _keys(model: type) -> list[str]:
    names = field_names(model)
    return sorted({*names.alias, *names.label.values(), *names.csv_columns})


KEYS = {kind: _keys(model) for kind, model in MODELS.items()}
ALL_KEYS = sorted({k for keys in KEYS.values() for k in keys} | {"kind", "类型", "led_by"})

# Text that tends to break parsers and writers: YAML indicators, formula triggers, markup,
# path tricks, Chinese, controls, surrogate-free unicode.
NASTY = [
    "",
    " ",
    "=1+1",
    "+SUM(A1)",
    "-2",
    "@cmd",
    "\t=x",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "${x}",
    "$\\frac{a}{b}$",
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "file:///etc/passwd",
    "evidence/" + "a" * 300,
    "a/" * 200,
    "2025-02-30",
    "2025年13月1日",
    "9" * 5000,
    "1e999999",
    "NaN",
    "-0",
    "是",
    "否",
    "重大事故隐患",
    "物业企业",
    "91110108MA01R1XK9R",
    "\u202e\u200b",
    "\x7f\x1b[31m",
    "&amp;<>\"'",
    "%s%n{0}",
]


class Raw(str):
    """Text written into YAML unquoted, as a person would type it (so ``999…`` is an int,
    ``2025-02-30`` a broken date, ``&a``/``*a`` anchors)."""


# Paths for ``evidence`` and ``plan``: inside, outside, odd, too long for the OS.
paths: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(
        [
            "evidence/a.jpg",
            "../x.pdf",
            "/etc/passwd",
            "C:/x",
            "file:///etc/passwd",
            "evidence/../../x",
            "evidence/\x00.jpg",
            "~/x",
            "evidence/" + "a" * 300,
        ]
    ),
    st.lists(
        st.sampled_from(["evidence", "..", ".", "a" * 120, "照片", "", "x.pdf", "\\", "C:"]),
        min_size=1,
        max_size=40,
    ).map("/".join),
)

scalars: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(NASTY).filter(lambda t: "\n" not in t and t.strip() == t and t).map(Raw),
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(),
    st.text(max_size=30),
    st.sampled_from(NASTY),
)

values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(ALL_KEYS), st.text(max_size=8)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


@st.composite
def records(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A record of ``kind`` with keys of its model (either language) and random values."""
    keys = draw(st.lists(st.sampled_from(KEYS[kind] + ["unknown", "备注2"]), max_size=14))
    rec = {k: draw(values) for k in keys}
    if draw(st.booleans()):
        rec["id"] = draw(st.one_of(st.text(max_size=10), st.sampled_from(NASTY), st.integers()))
    return rec


VALID = {
    "enterprises": {
        "id": "E1",
        "name": "东风物业",
        "kind": "物业企业",
        "principal": "张三",
        "credit_code": "91110108MA01R1XK9R",
        "high_risk": "否",
        "facilities": ["hydrant", "灭火器"],
    },
    "hazards": {
        "id": "H1",
        "found_on": dt.date(2025, 3, 1),
        "enterprise": "E1",
        "location": "1号楼",
        "category": "消防设施",
        "level": "重大",
        "description": "灭火器过期",
        "responsible": "李四",
        "deadline": "2025/3/10",
        "extensions": [{"to": "2025-03-20", "approved_by": "孙七", "on": "2025-03-09"}],
        "rectified_on": "2025年3月15日",
        "verified_on": "2025.3.16",
        "verified_by": "王五",
        "funds": "1,200元",
        "evidence": ["evidence/a.jpg"],
        "plan": "evidence/plan.pdf",
    },
    "activities": {
        "id": "A1",
        "kind": "drill",
        "date": "2025-04-01",
        "enterprise": "E1",
        "drill_type": "疏散逃生",
        "participants": "30人",
    },
}


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid record with a few mutations: drop, duplicate under the other language's
    key, retype a value, or replace it with a nasty one."""
    rec: dict[str, Any] = dict(VALID[kind])
    labels = field_names(MODELS[kind]).label
    for _ in range(draw(st.integers(0, 4))):
        if not rec:
            break
        key = draw(st.sampled_from(sorted(rec)))
        op = draw(st.sampled_from(["drop", "dup", "retype", "nasty", "nest", "path"]))
        if op == "path" and kind == "hazards":
            rec[draw(st.sampled_from(["evidence", "plan", "佐证材料"]))] = draw(
                st.one_of(paths, st.lists(paths, max_size=3))
            )
        elif op == "drop":
            del rec[key]
        elif op == "dup" and key in labels:
            rec[labels[key]] = rec[key]
        elif op == "retype":
            rec[key] = draw(scalars)
        elif op == "nasty":
            rec[key] = draw(st.sampled_from(NASTY))
        else:
            rec[key] = [rec[key], {key: rec[key]}]
    return rec


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value) if not isinstance(value, float) else repr(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    if isinstance(value, Raw):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block YAML of ``value`` (a small hand writer so that hypothesis controls the text)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return pad + "{}\n"
        out = []
        for k, v in value.items():
            key = _yaml_scalar(k)
            if isinstance(v, dict | list) and v:
                out.append(f"{pad}{key}:\n{to_yaml(v, indent + 2)}")
            else:
                out.append(f"{pad}{key}: {to_yaml(v).strip()}\n")
        return "".join(out)
    if isinstance(value, list):
        if not value:
            return pad + "[]\n"
        out = []
        for v in value:
            body = to_yaml(v, indent + 2)
            out.append(f"{pad}- {body.lstrip()}")
        return "".join(out)
    return pad + _yaml_scalar(value) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    header = sorted({str(k) for row in rows for k in row})
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else str(row.get(h)) for h in header])
    return buf.getvalue()


YAML_ATOMS = [
    "- ",
    ": ",
    "\n",
    "  ",
    "id: H1\n",
    "&a ",
    "*a",
    "!!set ",
    "!!binary ",
    "? ",
    "---\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    '"',
    "|\n",
    ">-\n",
    "#",
    "\t",
    "0777",
    "007",
    "2025-03-01",
    "整改期限: ",
    "隐患编号: ",
    "<<: *a\n",
    "!foo ",
    "%YAML 1.2\n",
    "\\u0000",
    "\ufeff",
    "\r\n",
    "\x85",
    "\u2028",
    "~",
    "null",
    ".inf",
    "-.nan",
    "0x1F",
    "1_000",
]


@st.composite
def yaml_text(draw: st.DrawFn) -> str:
    """YAML-ish text: structured documents, random atoms, or a mutated valid file."""
    how = draw(st.sampled_from(["records", "atoms", "mutate", "text"]))
    if how == "records":
        kind = draw(st.sampled_from(KINDS))
        recs = draw(st.lists(st.one_of(records(kind), mutated(kind)), min_size=1, max_size=3))
        return to_yaml(recs if len(recs) > 1 else recs[0])
    if how == "atoms":
        return "".join(draw(st.lists(st.sampled_from(YAML_ATOMS), max_size=40)))
    if how == "mutate":
        text = to_yaml([VALID["hazards"], VALID["enterprises"]])
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            bit = draw(st.one_of(st.sampled_from(YAML_ATOMS), st.text(max_size=3)))
            cut = draw(st.integers(0, 3))
            text = text[:at] + bit + text[at + cut :]
        return text
    return draw(st.text(max_size=200))


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    how = draw(st.sampled_from(["records", "mutate", "text"]))
    kind = draw(st.sampled_from(KINDS))
    if how == "records":
        return to_csv(draw(st.lists(st.one_of(records(kind), mutated(kind)), max_size=4)))
    if how == "mutate":
        text = to_csv([VALID["hazards"], VALID["hazards"]])
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            bit = draw(
                st.one_of(
                    st.sampled_from(['"', ",", "\r", "\n", '""', "\x00"]), st.text(max_size=3)
                )
            )
            text = text[:at] + bit + text[at:]
        return text
    return draw(st.text(alphabet=st.sampled_from('ab,"\r\n 隐患编号'), max_size=80))


def encoded(text_strategy: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text as bytes in one of the encodings people save in, sometimes with random bytes."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        text = draw(text_strategy)
        enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
        data = text.encode(enc, errors="replace")
        if draw(st.integers(0, 4)) == 0:
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
        return data

    return build()
