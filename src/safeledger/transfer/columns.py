"""Column names an import understands: every field's English name and Chinese title (from
the models), plus the synonyms that real Excel ledgers use.  This module is *data*: the
table in docs/import-export.md is this table; change both together.

Headers are compared after :func:`normalise_header`: spaces and line breaks removed,
full-width letters/brackets made half-width (NFKC), required-field stars dropped, case
folded.  When the full header is not known, the header with its bracketed parts removed
is tried (``整改期限（日期）`` → ``整改期限``)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from safeledger.model.records import ACTIVITY_MODELS, Activity, Enterprise, Hazard, Record
from safeledger.validate.keys import field_names

# The single CSV column that carries a hazard's latest extension (spec section 4).
EXTENDED_TO = "extended_to"

# kind -> canonical field -> extra spellings (the model's own English name and Chinese
# title are always accepted and are not repeated here).
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "hazards": {
        "id": ("隐患编码", "hazard_id"),
        "found_on": ("检查日期", "排查日期", "发现时间", "检查时间", "排查时间", "日期", "found"),
        "found_by": ("检查人", "检查人员", "排查人员", "发现人"),
        "source": ("检查方式", "隐患来源", "来源"),
        "enterprise": (
            "单位名称",
            "被检查单位",
            "企业名称",
            "单位",
            "所属单位",
            "场所名称",
            "生产经营单位",
            "被检查单位名称",
        ),
        "community": ("社区", "社区(村)", "村(社区)", "所属社区(村)"),
        "domain": ("领域", "行业领域", "所属行业", "行业"),
        "location": ("隐患位置", "部位", "具体位置", "位置", "隐患地点", "地点", "具体部位"),
        "category": ("隐患类型", "类别", "隐患分类", "隐患种类"),
        "level": ("隐患级别", "等级", "级别"),
        "description": (
            "隐患内容",
            "问题描述",
            "存在问题",
            "隐患情况",
            "隐患具体情况",
            "存在的问题",
            "主要问题",
            "隐患名称",
            "隐患问题",
            "问题",
        ),
        "measures": ("整改措施及情况", "已采取的整改措施"),
        "interim_measures": ("临时防范措施", "整改前防范措施", "防控措施", "安全防范措施"),
        "plan": ("整改方案",),
        "responsible": ("责任人", "整改负责人", "整改责任人员"),
        "funds": ("治理资金", "资金", "投入资金", "整改资金(元)"),
        "deadline": (
            "整改时限",
            "限期整改日期",
            "整改期限日期",
            "限改日期",
            "计划完成时间",
            "计划完成日期",
            "整改截止日期",
            "整改期限(日期)",
            "限期",
        ),
        EXTENDED_TO: ("延期日期", "延期至日期", "延期期限"),
        "rectified_on": (
            "完成时间",
            "整改完成时间",
            "完成日期",
            "实际完成时间",
            "实际完成日期",
            "整改日期",
        ),
        "verified_on": ("复查时间", "验收日期", "验收时间", "复核日期", "复核时间"),
        "verified_by": ("验收人", "复查人员", "复核人"),
        "verification": ("复查结果", "验收结论", "验收结果", "复核结论", "复核结果"),
        "reported_on": ("上报时间", "报告日期"),
        "evidence": ("照片", "附件", "佐证"),
        "notes": ("说明",),
    },
    "enterprises": {
        "id": ("企业编号", "enterprise_id"),
        "name": ("企业名称", "名称", "单位", "场所名称"),
        "credit_code": ("信用代码", "社会信用代码", "统一信用代码"),
        "kind": ("企业类型", "类型"),
        "community": ("社区", "社区(村)", "村(社区)"),
        "domain": ("领域", "行业领域", "所属行业", "行业"),
        "address": ("单位地址", "经营地址", "注册地址", "详细地址"),
        "principal": ("负责人", "法定代表人", "法人", "法人代表"),
        "principal_phone": ("联系电话", "电话", "手机", "联系方式", "手机号码"),
        "safety_officer": ("安全员", "安全管理员"),
        "high_risk": ("是否高危", "是否高危行业"),
        "projects": ("管理项目", "在管项目", "小区", "在管小区"),
        "status": ("经营状态",),
        "notes": ("说明",),
    },
    "activities": {
        "id": ("活动编号",),
        "kind": ("活动类型",),
        "date": ("时间", "活动日期", "检查日期", "演练日期", "培训日期", "维保日期", "约谈日期"),
        "enterprise": ("单位名称", "企业名称", "被检查单位", "责任单位"),
        "led_by": ("带队领导",),
        "scope": ("检查内容",),
        "hazards": ("隐患编号",),
        "participants": ("参与人数",),
        "trainee": ("参训人",),
        "hours": ("培训学时",),
        "reason": ("约谈事由",),
    },
}

# Row-number columns: recognised as header words (they help find the header row) but not
# imported.
IGNORED: tuple[str, ...] = ("序号", "no", "no.", "#")

# Columns that say a status or summary the ledger computes from dates: recognised, not
# imported, with a warning that says why.
COMPUTED: tuple[str, ...] = (
    "整改情况",
    "整改状态",
    "是否整改",
    "是否销号",
    "是否完成整改",
    "状态(整改)",
    "整改结果",
    "status",
)

# A header that names funds in 万元 (ten thousand yuan): values are multiplied by 10 000.
TEN_THOUSAND = "万元"

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_STARS = re.compile(r"[*＊※]")


def normalise_header(text: object) -> str:
    """How headers are compared: NFKC, no spaces or line breaks, no stars, case folded."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = _STARS.sub("", value)
    value = re.sub(r"\s+", "", value)
    return value.strip(":：").casefold()


def models_of(kind: str) -> tuple[type[Record], ...]:
    if kind == "hazards":
        return (Hazard,)
    if kind == "enterprises":
        return (Enterprise,)
    return (Activity, *ACTIVITY_MODELS.values())


@cache
def column_lookup(kind: str) -> dict[str, str]:
    """Normalised header -> canonical field, for one record kind."""
    lookup: dict[str, str] = {}
    for model in models_of(kind):
        names = field_names(model)
        for spelling, canonical in names.alias.items():
            lookup.setdefault(normalise_header(spelling), canonical)
        for spelling in names.csv_columns:
            lookup.setdefault(normalise_header(spelling), EXTENDED_TO)
    for canonical, spellings in SYNONYMS[kind].items():
        for spelling in spellings:
            lookup.setdefault(normalise_header(spelling), canonical)
    return lookup


def match_header(kind: str, text: object) -> str | None:
    """The canonical field a header names, ``"#ignored"`` for a row-number column,
    ``"#computed"`` for a status column, or None."""
    key = normalise_header(text)
    if not key:
        return None
    lookup = column_lookup(kind)
    for candidate in (key, _BRACKETS.sub("", key)):
        if candidate in lookup:
            return lookup[candidate]
        if candidate in IGNORED:
            return "#ignored"
        if candidate in {normalise_header(c) for c in COMPUTED}:
            return "#computed"
    return None


def synonym_rows(kind: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(field, Chinese title, synonyms) for the docs table."""
    rows = []
    seen: set[str] = set()
    for model in models_of(kind):
        names = field_names(model)
        for name in model.model_fields:
            if name in seen:
                continue
            seen.add(name)
            rows.append((name, names.label.get(name, ""), SYNONYMS[kind].get(name, ())))
    return rows
