"""Property: setting one new key changes exactly one line, whatever the file looks like."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from safeledger.edit.editors import YamlRecord
from safeledger.model import Hazard
from tests.edit.conftest import line_changes

KEYS = [
    ("id", "隐患编号"),
    ("found_on", "发现日期"),
    ("description", "隐患描述"),
    ("deadline", "整改期限"),
    ("notes", "备注"),
]
VALUES = st.sampled_from(["a", "'引号'", '"双引号"', "2025/3/1", "x  ", "值 # 注释", "[1,  2]"])
COMMENTS = st.sampled_from(["", "  # 注释", "    #c"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bool]:
    zh = draw(st.booleans())
    indent = draw(st.sampled_from([2, 4]))
    as_list = draw(st.booleans())
    lines = [draw(st.sampled_from(["", "# 台账\n"]))]
    pad = " " * (2 if as_list else 0)
    for i, (en, cn) in enumerate(KEYS):
        key = cn if zh else en
        first = "- " if as_list and i == 0 else pad
        lines.append(f"{first}{key}: {draw(VALUES)}{draw(COMMENTS)}\n")
        if en == "deadline" and draw(st.booleans()):
            ext = "延期" if zh else "extensions"
            lines.append(
                f"{pad}{ext}:\n{pad}{' ' * indent}- {'延期至' if zh else 'to'}: 2025-04-01\n"
            )
        if draw(st.booleans()):
            lines.append(f"{pad}# 说明\n")
    return "".join(lines), zh


@settings(max_examples=60, deadline=None)
@given(documents())
def test_one_new_key_is_one_new_line(doc: tuple[str, bool]) -> None:
    text, zh = doc
    record = YamlRecord.open(text.encode("utf-8"), "x.yaml", 0, Hazard)
    record.set("rectified_on", dt.date(2025, 3, 5))
    after = record.render().decode("utf-8")
    removed, added = line_changes(text, after)
    assert removed == []
    assert [a.strip() for a in added] == [
        ("整改完成日期" if zh else "rectified_on") + ": 2025-03-05"
    ]
