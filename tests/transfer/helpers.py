"""Real-looking inputs built in the tests: a government-template Excel ledger, a
GB18030 CSV, and a small ledger folder to import into."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

CONFIG_YAML = """\
# 测试台账
organisation: 同心街道办事处
communities: [和平社区, 幸福社区]
domains: [居民住宅, 商业经营]
"""

ENTERPRISES_YAML = """\
- id: E001
  name: 和平物业管理有限公司
  credit_code: 91220106MA0000001X
  kind: property_management
  community: 和平社区
  domain: 居民住宅
  principal: 张伟
- id: E002
  name: 幸福超市
  kind: business
  community: 幸福社区
  domain: 商业经营
  principal: 王芳
"""

EXISTING_HAZARD_YAML = """\
id: H-2025-001
found_on: 2025-02-10
enterprise: E001
location: 1号楼
category: 消防设施
level: general
description: 灭火器压力不足
responsible: 李强
deadline: 2025-02-20
"""


def make_ledger(root: Path, *, with_hazard: bool = True) -> Path:
    from safeledger.model.credit_code import check_character

    root.mkdir(parents=True, exist_ok=True)
    (root / "safeledger.yaml").write_text(CONFIG_YAML, encoding="utf-8")
    (root / "enterprises").mkdir(exist_ok=True)
    code = "91220106MA0000001" + check_character("91220106MA0000001")
    (root / "enterprises" / "list.yaml").write_text(
        ENTERPRISES_YAML.replace("91220106MA0000001X", code), encoding="utf-8"
    )
    (root / "hazards").mkdir(exist_ok=True)
    if with_hazard:
        (root / "hazards" / "H-2025-001.yaml").write_text(EXISTING_HAZARD_YAML, encoding="utf-8")
    (root / "activities").mkdir(exist_ok=True)
    return root


# Columns of the template: (upper header, lower header or None when merged down)
TEMPLATE_COLUMNS: list[tuple[str, str | None]] = [
    ("序号", None),
    ("检查日期", None),
    ("单位名称", None),
    ("隐患部位", None),
    ("隐患类别", None),
    ("隐患级别", None),
    ("隐患内容", None),
    ("整改责任人", None),
    ("整改时限", None),
    ("整改情况", "整改措施"),
    ("整改情况", "完成日期"),
    ("复查情况", "复查时间"),
    ("复查情况", "复查人"),
    ("备注", None),
]

GOOD_ROWS: list[list[Any]] = [
    # 检查日期 as a real date cell, 整改时限 as text 2025年3月1日
    [
        dt.datetime(2025, 2, 18),
        "和平物业管理有限公司",
        "3号楼地下车库",
        "消防设施",
        "一般",
        "灭火器过期未更换",
        "李强",
        "2025年3月1日",
        "更换灭火器12具",
        dt.datetime(2025, 2, 26),
        "2025/3/1",
        "赵敏",
        None,
    ],
    # 检查日期 as an Excel serial number (45717 = 2025-03-01), 整改时限 "2025/3/15"
    [
        45717,
        "幸福超市",
        "仓库",
        "电气线路",
        "一般隐患",
        "私拉乱接电线\n插座超负荷",
        "王芳",
        "2025/3/15",
        None,
        None,
        None,
        None,
        "店长出差",
    ],
    # text dates with dots; a formula-looking description
    [
        "2025.03.05",
        "E001",
        "5号楼楼道",
        "电动自行车",
        "一般",
        "=楼道内电动自行车充电",
        "李强",
        "2025.03.20",
        None,
        None,
        None,
        None,
        None,
    ],
]


def government_workbook(
    path: Path, rows: list[list[Any]] | None = None, *, sheet: str = "隐患台账", footer: bool = True
) -> Path:
    """The way a street office's Excel ledger looks: merged title row, a 填报单位 row,
    a two-row header with merged group cells, 序号, mixed date cells, a blank row and a
    合计 row at the end."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    width = len(TEMPLATE_COLUMNS)
    ws.cell(1, 1, "同心街道2025年安全生产隐患排查治理台账").font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, 1, "填报单位：同心街道安委办（盖章）        填报日期：2025年3月31日")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    c = 1
    while c <= width:
        upper, lower = TEMPLATE_COLUMNS[c - 1]
        if lower is None:
            ws.cell(3, c, upper)
            ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
            c += 1
            continue
        span = 1
        while c + span <= width and TEMPLATE_COLUMNS[c + span - 1][0] == upper:
            span += 1
        ws.cell(3, c, upper).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=c + span - 1)
        for k in range(span):
            ws.cell(4, c + k, TEMPLATE_COLUMNS[c + k - 1][1])
        c += span
    r = 5
    for i, values in enumerate(rows if rows is not None else GOOD_ROWS, start=1):
        ws.cell(r, 1, i)
        for j, value in enumerate(values, start=2):
            cell = ws.cell(r, j, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed as text, the way a guarded export writes it
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy/m/d"
        r += 1
    if footer:
        ws.cell(r, 1, None)  # a blank row
        ws.cell(r + 1, 1, "合计")
        ws.cell(r + 1, 3, f"{r - 5}条")
        ws.cell(r + 2, 1, "填表人：刘洋          审核人：陈静")
        ws.merge_cells(start_row=r + 2, start_column=1, end_row=r + 2, end_column=width)
    wb.save(path)
    return path


GB_CSV_HEADER = (
    "序号,排查日期,被检查单位,隐患位置,隐患类型,隐患等级,问题描述,责任人,整改期限,整改措施,"
    "整改完成时间,备注"
)
GB_CSV_ROWS = [
    "1,2025/3/2,和平物业管理有限公司,7号楼配电间,电气线路,一般,配电箱未上锁,李强,2025/3/12,"
    "加锁并张贴警示标识,2025/3/10,",
    '2,2025-03-03,幸福超市,"后门, 疏散通道",疏散通道,一般,"安全出口堆放杂物",王芳,2025-03-10,,,'
    '"已口头提醒"',
]


def gb18030_csv(path: Path, rows: list[str] | None = None) -> Path:
    text = "\r\n".join([GB_CSV_HEADER, *(rows if rows is not None else GB_CSV_ROWS)]) + "\r\n"
    path.write_bytes(text.encode("gb18030"))
    return path
