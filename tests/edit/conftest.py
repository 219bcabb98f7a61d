"""Small ledgers written the way people write them: comments, odd quoting, Chinese keys,
several records in one file, a GB18030 CSV exported from Excel."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

TODAY = dt.date(2025, 6, 30)

CONFIG = """\
# 同心街道台账
organisation: 同心街道办事处
communities: [东风社区, 红旗社区]
"""

ENTERPRISES = """\
- id: E001
  name: 东风物业有限公司
  kind: 物业企业
  community: 东风社区
  principal: 张三
  credit_code: 91110108MA01R1XK9R
- id: E002
  name: 红旗超市
  kind: business
  community: 红旗社区
  principal: 赵六
  credit_code: 91110108MA01R1XK9R
"""

# Chinese keys, comments everywhere, odd quoting, a folded scalar, a date in 年月日 form,
# four-space indentation of a nested list, and a second record with English keys.
HAND_WRITTEN = """\
# 东风社区 2025年第一季度隐患台账
# 记录人：王五

- 隐患编号: "H-2025-001"    # 消防检查发现
  发现日期: 2025/3/1
  责任单位: E001
  隐患部位: '1号楼 地下室'
  隐患类别: 消防设施
  隐患等级: 一般
  隐患描述: >-
    地下室灭火器过期，
    压力表指针在红区
  整改责任人: 李四
  整改期限: 2025年3月10日   # 一周内
  延期:
      - 延期至: 2025-03-20
        批准人: 孙七
        批准日期: 2025-03-09
        原因: 等待采购
  备注: "无"

# 第二条：英文键
- id: 'H-2025-002'
  found_on: 2025-03-02
  enterprise: E001
  location: "2号楼 楼道"
  category: 电动自行车
  level: general
  description: 楼道内停放电动自行车充电
  responsible: 李四
  deadline: 2025-03-12
  # 整改情况待补
- id: H-2025-003
  found_on: 2025-03-05
  enterprise: E002
  location: 仓库
  category: 电气线路
  level: general
  description: 私拉乱接电线
  measures: 拆除私接电线
  responsible: 赵六
  deadline: 2025-03-15
  rectified_on: 2025-03-14
"""

CSV_ROWS = [
    [
        "隐患编号",
        "发现日期",
        "责任单位",
        "隐患部位",
        "隐患类别",
        "隐患等级",
        "隐患描述",
        "整改责任人",
        "整改期限",
        "备注",
    ],
    [
        "H-2024-101",
        "2024/11/2",
        "E002",
        "后门",
        "疏散通道",
        "一般",
        "后门堆放杂物",
        "赵六",
        "2024/11/10",
        "",
    ],
    [
        "H-2024-102",
        "2024/11/3",
        "E002",
        "收银台",
        "电气线路",
        "一般",
        "插线板串接, 超负荷",
        "赵六",
        "2024/11/12",
        "复查时注意",
    ],
    [
        "H-2024-103",
        "2024/11/5",
        "E001",
        "3号楼",
        "消防设施",
        "一般",
        '消火栓箱"无水带"',
        "李四",
        "2024/11/15",
        "",
    ],
]


def csv_bytes(
    rows: list[list[str]] = CSV_ROWS, encoding: str = "gb18030", newline: str = "\r\n"
) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    data = buf.getvalue().encode(encoding)
    return data


def make_ledger(root: Path, hazards: dict[str, bytes | str] | None = None) -> Path:
    (root / "enterprises").mkdir(parents=True)
    (root / "hazards").mkdir()
    (root / "safeledger.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "enterprises" / "all.yaml").write_text(ENTERPRISES, encoding="utf-8")
    files = hazards if hazards is not None else {"2025/q1.yaml": HAND_WRITTEN}
    for rel, content in files.items():
        path = root / "hazards" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return make_ledger(tmp_path / "ledger")


def line_changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two texts."""
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed.extend(before.splitlines()[i1:i2])
            added.extend(after.splitlines()[j1:j2])
    return removed, added
