"""``safeledger init``: a new, empty ledger folder that passes ``safeledger check``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safeledger.errors import SafeledgerError
from safeledger.fileio import LOCK_FILE, write_atomic
from safeledger.model.config import DEFAULT_CATEGORIES, DEFAULT_SIGNATURES
from safeledger.read.raw import CONFIG_FILE

__all__ = ["FOLDERS", "InitResult", "config_text", "init_ledger"]

FOLDERS: dict[str, str] = {
    "enterprises": "单位档案 / enterprise records",
    "hazards": "隐患记录 / hazard records",
    "activities": "检查、演练、培训、维保、约谈 / inspections, drills, trainings, "
    "maintenance, interviews",
    "evidence": "佐证材料（照片、扫描件）/ photos and scans that records point to",
    "templates": "自定义报表模板（可选）/ report templates overriding the built-in ones (optional)",
}
PLACEHOLDER_ORGANISATION = "某某街道办事处"


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (safe for any organisation name)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def config_text(organisation: str) -> str:
    """The commented safeledger.yaml that ``init`` writes (every key of spec section 2)."""
    categories = ", ".join(DEFAULT_CATEGORIES)
    signatures = "\n".join(f"    - {s}" for s in DEFAULT_SIGNATURES)
    return f"""\
# safeledger.yaml —— 安全生产隐患排查治理台账配置文件
# This file marks the ledger root and holds its settings (docs: docs/editing.md).
# 以 # 开头的行是注释；去掉 # 即可启用该项。/ Lines starting with # are comments;
# remove the # to enable a setting.

# 格式版本（默认 1）。/ Version of the ledger format this folder is written in (default 1).
format: 1

# 建账单位（必填），报表页眉使用。/ Who keeps the ledger (required); printed on reports.
organisation: {_yaml_str(organisation)}

# 台账名称，显示在报表标题中。/ Ledger title shown on reports.
# title: 安全生产隐患排查治理台账

# 报表和提示信息的语言：zh-CN（默认）或 en。/ Language of reports and messages: zh-CN or en.
locale: zh-CN

# 辖区社区、村：写了以后，单位和隐患的“所属社区”必须是其中之一；不写则不检查。
# Communities / villages; when listed, records must name one of them (no check when absent).
# communities:
#   - 和平社区
#   - 同心社区
#   - 西郊村

# 监管领域：写了以后，“所属领域”必须是其中之一。/ Supervision domains (same rule).
# domains:
#   - 居民住宅
#   - 商业经营
#   - 建筑施工

# 隐患类别：不写则使用以下默认类别；写了则只允许列出的类别。
# Hazard categories; when omitted, this default list applies:
# categories: [{categories}]

# 新隐患编号格式（safeledger new hazard 使用）：{{year}} 年份，{{month}} 月份，{{seq}} 序号。
# Id format of new hazards: {{year}}, {{month}} and {{seq}} (e.g. {{seq:03d}} = 001).
id_format: "H-{{year}}-{{seq:03d}}"

report:
  # 季度报表报送期限：quarter_last_month:25（季度最后一个月25日前，默认，街道要求）
  # 或 next_quarter:15（次季度首月15日前，16号令对企业的要求）。
  # When the quarterly report is due: quarter_last_month:25 (default) or next_quarter:15.
  due: quarter_last_month:25
  # 报表落款签字栏。/ Signature lines printed at the foot of reports.
  signatures:
{signatures}

# 职责周期（覆盖默认值）：month 每月 / quarter 每季度 / half_year 每半年 / year 每年。
# Duty periods, overriding the defaults; default = ordinary units, high_risk = 高危行业.
# duties:
#   principal_inspection: {{default: quarter, high_risk: month}}  # 主要负责人带队检查
#   drill: {{default: year, high_risk: half_year}}                # 疏散逃生演练
#   principal_training: year                                    # 主要负责人安全培训
#   maintenance:hydrant: quarter                                # 室内消火栓维保
"""


GITIGNORE = f"""\
# safeledger: caches and the write lock are never committed
{LOCK_FILE}
.safeledger-cache/
.safeledger-staging/
__pycache__/
# office lock files (Excel/WPS) and OS clutter
~$*
.~lock.*#
.DS_Store
Thumbs.db
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com): run `safeledger check` before every commit.
#   pip install pre-commit && pre-commit install
# This uses the safeledger installed on this computer (works offline).
# To pin a published version instead, replace the local repo with:
#   - repo: https://github.com/safeledger/safeledger
#     rev: v0.1.0
#     hooks:
#       - id: safeledger-check
repos:
  - repo: local
    hooks:
      - id: safeledger-check
        name: safeledger check (安全生产隐患台账检查)
        entry: safeledger check
        language: system
        pass_filenames: false
        always_run: true
"""

README = """\
# {organisation} 安全生产隐患排查治理台账

由 `safeledger init` 创建。/ Created by `safeledger init`.

| 文件夹 / folder | 内容 / contents |
|---|---|
{rows}

常用命令 / everyday commands:

```
safeledger check                      # 检查台账 / check the ledger
safeledger new hazard --enterprise …  # 登记隐患 / record a hazard
safeledger rectify H-2025-001 --on 2025-03-05 --measures "…"
safeledger verify H-2025-001 --on 2025-03-08 --by 王五
safeledger status                     # 整改状态 / rectification status
```
"""


@dataclass(slots=True)
class InitResult:
    root: Path
    created: list[str]  # relative paths, in the order written


def init_ledger(target: Path, organisation: str | None = None) -> InitResult:
    """Create a ledger in ``target`` (created if needed; may already hold other files,
    e.g. a git checkout).  Refuses when ``target`` already has a safeledger.yaml; never
    overwrites an existing file."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise SafeledgerError(f"{target} exists and is not a folder")
    config = target / CONFIG_FILE
    if config.exists():
        raise SafeledgerError(
            f"{config} already exists: this folder is a ledger already; nothing was changed",
            hint="to start afresh, use a new folder: safeledger init NEW-FOLDER",
        )
    org = (organisation or "").strip() or PLACEHOLDER_ORGANISATION
    target.mkdir(parents=True, exist_ok=True)
    created: list[str] = []

    def write(rel: str, text: str) -> None:
        path = target / rel
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
        created.append(rel)

    for folder in FOLDERS:
        write(f"{folder}/.gitkeep", "")
    write(".gitignore", GITIGNORE)
    write(".pre-commit-config.yaml", PRE_COMMIT)
    rows = "\n".join(f"| `{name}/` | {what} |" for name, what in FOLDERS.items())
    write("README.md", README.format(organisation=org, rows=rows))
    write(CONFIG_FILE, config_text(org))  # last: a half-made folder is not yet a ledger
    return InitResult(target, created)
