"""rectify / verify / extend on hand-written YAML: comments, key order and quoting survive
byte for byte outside the changed lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safeledger.api import load_ledger
from safeledger.edit.hazards import EditRefused, extend, rectify, verify
from safeledger.evaluate.status import hazard_state
from safeledger.model.enums import HazardStatus
from tests.edit.conftest import HAND_WRITTEN, TODAY, line_changes

D = dt.date
FILE = "hazards/2025/q1.yaml"


def text(root: Path) -> str:
    return (root / FILE).read_text(encoding="utf-8")


def status(root: Path, hid: str, as_of: dt.date = TODAY) -> HazardStatus:
    loaded = load_ledger(root, today=TODAY)
    assert loaded.errors == 0, loaded.diagnostics
    state = hazard_state(loaded.ledger.hazard_by_id()[hid], as_of)
    assert state is not None
    return state.status


def test_rectify_chinese_record_adds_only_its_lines(ledger: Path) -> None:
    result = rectify(ledger, "H-2025-001", on=D(2025, 3, 18), measures="更换灭火器4具", today=TODAY)
    assert result.file == FILE
    removed, added = line_changes(HAND_WRITTEN, text(ledger))
    assert removed == []
    assert added == ["  整改措施: 更换灭火器4具", "  整改完成日期: 2025-03-18"]
    after = text(ledger)
    # placed after the related keys: measures after the description, rectified_on after extensions
    assert after.index("整改措施") > after.index("压力表指针在红区")
    assert after.index("整改完成日期") > after.index("原因: 等待采购")
    assert after.index("整改完成日期") < after.index('备注: "无"')
    assert status(ledger, "H-2025-001") == HazardStatus.rectified


def test_rectify_english_record_before_trailing_comment(ledger: Path) -> None:
    rectify(ledger, "H-2025-002", on=D(2025, 3, 10), measures="车辆移出楼道", today=TODAY)
    removed, added = line_changes(HAND_WRITTEN, text(ledger))
    assert removed == []
    assert added == ["  measures: 车辆移出楼道", "  rectified_on: 2025-03-10"]
    after = text(ledger)
    # the comment that followed the record still follows it, right before the next record
    assert "  rectified_on: 2025-03-10\n  # 整改情况待补\n- id: H-2025-003" in after


def test_verify_pass_closes(ledger: Path) -> None:
    verify(ledger, "H-2025-003", on=D(2025, 3, 16), by="王五", today=TODAY)
    removed, added = line_changes(HAND_WRITTEN, text(ledger))
    assert removed == []
    assert added == ["  verified_on: 2025-03-16", "  verified_by: 王五", "  verification: pass"]
    assert status(ledger, "H-2025-003") == HazardStatus.closed


def test_full_cycle_extend_rectify_fail_rectify_pass(ledger: Path) -> None:
    extend(
        ledger,
        "H-2025-001",
        to=D(2025, 3, 31),
        approved_by="孙七",
        on=D(2025, 3, 19),
        reason="厂家缺货",
        today=TODAY,
    )
    rectify(ledger, "H-2025-001", on=D(2025, 3, 25), measures="更换灭火器", today=TODAY)
    verify(
        ledger,
        "H-2025-001",
        on=D(2025, 3, 26),
        by="王五",
        failed=True,
        note="压力不足",
        today=TODAY,
    )
    assert status(ledger, "H-2025-001") == HazardStatus.overdue  # deadline 03-31 passed by 06-30
    assert status(ledger, "H-2025-001", D(2025, 3, 27)) == HazardStatus.pending
    with pytest.raises(EditRefused, match="must be rectified again"):
        verify(ledger, "H-2025-001", on=D(2025, 3, 27), by="王五", today=TODAY)
    with pytest.raises(EditRefused, match="after the failed verification"):
        rectify(ledger, "H-2025-001", on=D(2025, 3, 26), today=TODAY)
    rectify(ledger, "H-2025-001", on=D(2025, 3, 28), today=TODAY)
    verify(ledger, "H-2025-001", on=D(2025, 3, 29), by="王五", today=TODAY)
    assert status(ledger, "H-2025-001") == HazardStatus.closed
    removed, added = line_changes(HAND_WRITTEN, text(ledger))
    assert removed == []
    assert added == [
        "  整改措施: 更换灭火器",
        # the new extension keeps the file's own (4-space) list indentation
        "      - 延期至: 2025-03-31",
        "        批准人: 孙七",
        "        批准日期: 2025-03-19",
        "        原因: 厂家缺货",
        "  整改完成日期: 2025-03-28",
        "  复查日期: 2025-03-29",
        "  复查人: 王五",
        "  复查结论: 合格",
        "  复查记录:",
        "  - 复查日期: 2025-03-26",
        "    复查人: 王五",
        "    复查结论: 不合格",
        "    备注: 压力不足",
    ]


def test_fail_after_pass_moves_old_verification(tmp_path: Path) -> None:
    from tests.edit.conftest import make_ledger

    rec = HAND_WRITTEN.split("# 第二条")[0]
    root = make_ledger(tmp_path / "l", {"a.yaml": rec})
    rectify(root, "H-2025-001", on=D(2025, 3, 5), measures="更换", today=TODAY)
    # a passing verification recorded earlier, then found wrong: verified_on is superseded
    path = root / "hazards/a.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  整改完成日期: 2025-03-05\n",
            "  整改完成日期: 2025-03-05\n  复查日期: 2025-03-06\n  复查人: 王五\n"
            "  复查结论: 不合格\n",
        ),
        encoding="utf-8",
    )
    rectify(root, "H-2025-001", on=D(2025, 3, 8), today=TODAY)
    after = path.read_text(encoding="utf-8")
    assert "复查日期: 2025-03-06" in after and "  复查记录:\n  - 复查日期: 2025-03-06" in after
    assert "  复查人: 王五\n  复查结论: 不合格\n  整改" not in after
    assert status(root, "H-2025-001") == HazardStatus.rectified


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r: verify(r, "H-2025-002", on=D(2025, 3, 5), by="王五", today=TODAY),
            "not been rectified",
        ),
        (
            lambda r: rectify(r, "H-2025-002", on=D(2025, 2, 1), measures="x", today=TODAY),
            "before found_on",
        ),
        (
            lambda r: rectify(r, "H-2025-002", on=D(2025, 7, 1), measures="x", today=TODAY),
            "after today",
        ),
        (lambda r: rectify(r, "H-2025-002", on=D(2025, 3, 9), today=TODAY), "no measures"),
        (
            lambda r: rectify(r, "H-2025-003", on=D(2025, 3, 15), today=TODAY),
            "waits for verification",
        ),
        (
            lambda r: verify(r, "H-2025-003", on=D(2025, 3, 13), by="王五", today=TODAY),
            "before rectified_on",
        ),
        (
            lambda r: extend(
                r,
                "H-2025-001",
                to=D(2025, 3, 15),
                approved_by="a",
                on=D(2025, 3, 9),
                reason="r",
                today=TODAY,
            ),
            "not later than the current deadline 2025-03-20",
        ),
        (
            lambda r: extend(
                r,
                "H-2025-003",
                to=D(2025, 4, 15),
                approved_by="a",
                on=D(2025, 3, 9),
                reason="r",
                today=TODAY,
            ),
            "rectified on",
        ),
        (lambda r: rectify(r, "H-2025-01", on=D(2025, 3, 9), today=TODAY), "did you mean"),
    ],
)
def test_refusals_leave_the_file_untouched(ledger: Path, call, message: str) -> None:
    with pytest.raises(EditRefused) as info:
        call(ledger)
    assert message in str(info.value) + str(info.value.hint)
    assert text(ledger) == HAND_WRITTEN


def test_an_edit_that_breaks_the_record_is_rolled_back(tmp_path: Path) -> None:
    from tests.edit.conftest import make_ledger

    major = (
        HAND_WRITTEN.split("# 第二条")[0]
        .replace("隐患等级: 一般", "隐患等级: 重大")
        .replace('  备注: "无"', '  备注: "无"\n  防范措施: 设置警示\n  上报日期: 2025-03-02')
    )
    root = make_ledger(tmp_path / "l", {"m.yaml": major})
    rectify(root, "H-2025-001", on=D(2025, 3, 5), measures="更换", today=TODAY)
    before = (root / "hazards/m.yaml").read_bytes()
    # closing a major hazard needs evidence (佐证材料): the verification is refused, undone
    with pytest.raises(EditRefused, match="major-evidence"):
        verify(root, "H-2025-001", on=D(2025, 3, 6), by="王五", today=TODAY)
    assert (root / "hazards/m.yaml").read_bytes() == before
    (root / "evidence").mkdir()
    (root / "evidence/after.jpg").write_bytes(b"jpg")
    verify(
        root,
        "H-2025-001",
        on=D(2025, 3, 6),
        by="王五",
        evidence=["evidence/after.jpg"],
        today=TODAY,
    )
    assert "佐证材料:\n  - evidence/after.jpg" in (root / "hazards/m.yaml").read_text(
        encoding="utf-8"
    )


def test_crlf_bom_and_single_mapping_file(tmp_path: Path) -> None:
    from tests.edit.conftest import make_ledger

    single = (
        "# one record\r\nid: H-2025-009\r\nfound_on: 2025-03-01\r\nenterprise: E001\r\n"
        "location: 门卫室\r\ncategory: 其他\r\nlevel: general\r\ndescription: '电暖器'\r\n"
        "responsible: 李四\r\ndeadline: 2025-03-03\r\nnotes: 'x'  # keep\r\n"
    )
    data = b"\xef\xbb\xbf" + single.encode("utf-8")
    root = make_ledger(tmp_path / "l", {"one.yaml": data})
    rectify(root, "H-2025-009", on=D(2025, 3, 2), measures="移除", today=TODAY)
    out = (root / "hazards/one.yaml").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf")
    assert out.count(b"\r\n") == out.count(b"\n") == single.count("\r\n") + 2
    assert b"deadline: 2025-03-03\r\nrectified_on: 2025-03-02\r\nnotes: 'x'  # keep\r\n" in out
