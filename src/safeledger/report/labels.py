"""Report wording in Chinese (default) and English: every label a template prints comes
from here, so templates hold layout only and ``locale: en`` switches the whole report."""

from __future__ import annotations

from typing import Any

KIND_TITLES = {
    "zh-CN": {
        "quarterly": "季度工作情况报告",
        "annual": "年度工作报告",
        "tracking": "火灾隐患跟踪报告表",
        "ledger": "隐患排查治理台账",
        "period_report": "工作情况报告",
    },
    "en": {
        "quarterly": "Quarterly work report",
        "annual": "Annual work report",
        "tracking": "Fire hazard tracking report",
        "ledger": "Hazard inspection and rectification ledger",
        "period_report": "Work report",
    },
}

_ZH: dict[str, Any] = {
    "period": "报告期",
    "colon": "：",
    "due_date": "报送期限",
    "organisation": "填报单位",
    "source": "数据来源",
    "commit": "提交",
    "dirty": "（工作区有未提交的修改）",
    "not_in_git": "非 git 版本库",
    "summary": "一、总体情况",
    "figures": "二、主要指标",
    "breakdowns": "三、分类统计",
    "major": "四、重大事故隐患",
    "overdue": "五、逾期未整改隐患",
    "duty_gaps": "六、单位职责落实缺失",
    "escalation": "七、约谈督办名单",
    "comparison": "八、同比环比",
    "charts": "图表",
    "quarters": "分季度情况",
    "signatures": "签字",
    "tracking_list": "未销号隐患",
    "ledger_list": "隐患台账",
    "none": "无",
    "dash": "—",
    "yes": "是",
    "no": "否",
    "total": "合计",
    "count": "数量",
    "figure": "指标",
    "value": "数值",
    "unit_items": "处",
    "unit_units": "家",
    "unit_wan": "万元",
    "stock": "存量",
    "increment": "增量",
    "stock_note": (
        "存量：报告年度之前发现、上年末尚未销号的重大事故隐患；增量：本年度发现的重大事故隐患。"
    ),
    "dynamic_zero_yes": "重大事故隐患已动态清零。",
    "dynamic_zero_no": "重大事故隐患尚未清零。",
    "interviewed": "已约谈",
    "interview_dates": "约谈日期",
    "reasons": "督办事由",
    "escalation_rule": "逾期超过 {days} 天的隐患或逾期的重大事故隐患，应约谈单位主要负责人。",
    "previous": "上期",
    "year_ago": "上年同期",
    "current": "本期",
    "change": "增减",
    "no_cjk_font": "（未找到中文字体，图表从略。）",
    "chart_status": "期末隐患状态",
    "chart_monthly": "逐月发现与整改",
    "chart_community": "各社区隐患情况",
    "chart_community_top": "未销号隐患最多的 {n} 个社区",
    "found_series": "发现",
    "rectified_series": "整改",
    "open_series": "未销号",
    "none_found": "无",
    "page": "第 {page} 页",
    "summary_text": (
        "本期共排查单位 {units} 家，发现隐患 {found} 处（其中重大事故隐患 {major} 处），"
        "整改完成 {rectified} 处，销号 {closed} 处，整改率 {rate}，按期整改率 {on_time}。"
        "截至期末，未销号隐患 {open} 处，其中逾期 {overdue} 处、重大事故隐患 {major_open} 处；"
        "累计销号率 {cumulative}。本期落实治理资金 {funds} 万元。"
    ),
}

_EN: dict[str, Any] = {
    "period": "Period",
    "colon": ": ",
    "due_date": "Due date",
    "organisation": "Organisation",
    "source": "Source",
    "commit": "commit",
    "dirty": "(uncommitted changes in the working tree)",
    "not_in_git": "not a git repository",
    "summary": "1. Summary",
    "figures": "2. Key figures",
    "breakdowns": "3. Breakdowns",
    "major": "4. Major hazards",
    "overdue": "5. Overdue hazards",
    "duty_gaps": "6. Duty gaps",
    "escalation": "7. Escalation (interviews)",
    "comparison": "8. Comparison",
    "charts": "Charts",
    "quarters": "By quarter",
    "signatures": "Signatures",
    "tracking_list": "Hazards not closed",
    "ledger_list": "Hazard ledger",
    "none": "none",
    "dash": "—",
    "yes": "yes",
    "no": "no",
    "total": "Total",
    "count": "Count",
    "figure": "Figure",
    "value": "Value",
    "unit_items": "",
    "unit_units": "",
    "unit_wan": "×10k yuan",
    "stock": "Stock",
    "increment": "Increment",
    "stock_note": "Stock: major hazards found before the report's year and not closed at the "
    "end of the previous year; increment: major hazards found in the report's year.",
    "dynamic_zero_yes": "Major hazards are cleared (dynamic zero holds).",
    "dynamic_zero_no": "Major hazards are not cleared.",
    "interviewed": "Interviewed",
    "interview_dates": "Interview dates",
    "reasons": "Reasons",
    "escalation_rule": "A hazard overdue more than {days} days, or an overdue major hazard, "
    "calls for an interview with the enterprise's principal.",
    "previous": "Previous period",
    "year_ago": "Same period last year",
    "current": "This period",
    "change": "Change",
    "no_cjk_font": "(No CJK font found: charts omitted.)",
    "chart_status": "Status at end of period",
    "chart_monthly": "Found and rectified by month",
    "chart_community": "Hazards by community",
    "chart_community_top": "The {n} communities with most open hazards",
    "found_series": "found",
    "rectified_series": "rectified",
    "open_series": "open",
    "none_found": "none",
    "page": "Page {page}",
    "summary_text": (
        "In this period {units} units were inspected and {found} hazards found ({major} major); "
        "{rectified} were rectified and {closed} closed; rectification rate {rate}, on-time "
        "rate {on_time}. At the end of the period {open} hazards were not closed, {overdue} of "
        "them overdue and {major_open} major; cumulative closure rate {cumulative}. Funds "
        "for rectification in the period: {funds} ×10k yuan."
    ),
}

FIGURE_LABELS = {
    "zh-CN": {
        "found": "发现隐患",
        "found_general": "其中一般隐患",
        "found_major": "其中重大事故隐患",
        "rectified": "整改完成",
        "closed": "复查销号",
        "open_at_end": "期末未销号",
        "overdue_at_end": "期末逾期未整改",
        "major_open_at_end": "期末重大事故隐患未销号",
        "rectification_rate": "整改率",
        "on_time_rate": "按期整改率",
        "cumulative_closure_rate": "累计销号率",
        "rectification_rate_general": "一般隐患整改率",
        "rectification_rate_major": "重大事故隐患整改率",
        "units_inspected": "排查单位数",
        "major_planned": "重大隐患列入治理计划",
        "funds_rectified": "落实治理资金（万元）",
    },
    "en": {
        "found": "Hazards found",
        "found_general": "of which general",
        "found_major": "of which major",
        "rectified": "Rectified",
        "closed": "Closed (verified)",
        "open_at_end": "Open at end",
        "overdue_at_end": "Overdue at end",
        "major_open_at_end": "Major open at end",
        "rectification_rate": "Rectification rate",
        "on_time_rate": "On-time rate",
        "cumulative_closure_rate": "Cumulative closure rate",
        "rectification_rate_general": "Rectification rate (general)",
        "rectification_rate_major": "Rectification rate (major)",
        "units_inspected": "Units inspected",
        "major_planned": "Major hazards with a plan",
        "funds_rectified": "Funds for rectification (×10k yuan)",
    },
}

DIMENSION_LABELS = {
    "zh-CN": {
        "community": "按社区",
        "domain": "按领域",
        "category": "按隐患类别",
        "level": "按隐患等级",
        "enterprise": "按责任单位",
    },
    "en": {
        "community": "By community",
        "domain": "By domain",
        "category": "By category",
        "level": "By level",
        "enterprise": "By enterprise",
    },
}

DIMENSION_KEY_HEADER = {
    "zh-CN": {
        "community": "社区",
        "domain": "领域",
        "category": "类别",
        "level": "等级",
        "enterprise": "责任单位",
    },
    "en": {
        "community": "Community",
        "domain": "Domain",
        "category": "Category",
        "level": "Level",
        "enterprise": "Enterprise",
    },
}

# Column headers of the hazard tables; key = the row key in the context.
COLUMN_LABELS = {
    "zh-CN": {
        "seq": "序号",
        "id": "隐患编号",
        "found_on": "发现日期",
        "found_by": "排查人",
        "source": "排查方式",
        "enterprise": "责任单位编号",
        "enterprise_name": "责任单位",
        "community": "所属社区",
        "domain": "所属领域",
        "location": "隐患部位",
        "category": "隐患类别",
        "level": "隐患等级",
        "description": "隐患描述",
        "measures": "整改措施",
        "interim_measures": "防范措施",
        "plan": "治理方案（预案）",
        "funds": "整改资金（元）",
        "deadline": "整改期限",
        "effective_deadline": "整改期限（含延期）",
        "responsible": "整改责任人",
        "rectified_on": "整改完成日期",
        "verified_on": "复查日期",
        "verified_by": "复查人",
        "verification": "复查结论",
        "reported_on": "上报日期",
        "status": "状态",
        "flags": "标记",
        "days_overdue": "逾期天数",
        "days_left": "剩余天数",
        "notes": "备注",
        "duty": "职责",
        "duty_period": "周期",
        "detail": "说明",
        "gaps": "缺失项数",
        "key": "名称",
        "reasons": "督办事由",
        "interviewed": "是否已约谈",
        "interview_dates": "约谈日期",
        "overdue_since": "逾期起始",
        "label": "报告期",
        "level_label": "隐患等级",
        "status_label": "状态",
        "duty_label": "职责",
        "period": "周期",
        "principal": "主要负责人",
        "name": "名称",
    },
    "en": {
        "seq": "No.",
        "id": "Hazard id",
        "found_on": "Found on",
        "found_by": "Found by",
        "source": "Source",
        "enterprise": "Enterprise id",
        "enterprise_name": "Enterprise",
        "community": "Community",
        "domain": "Domain",
        "location": "Location",
        "category": "Category",
        "level": "Level",
        "description": "Description",
        "measures": "Measures",
        "interim_measures": "Interim measures",
        "plan": "Plan",
        "funds": "Funds (yuan)",
        "deadline": "Deadline",
        "effective_deadline": "Deadline (with extensions)",
        "responsible": "Responsible",
        "rectified_on": "Rectified on",
        "verified_on": "Verified on",
        "verified_by": "Verified by",
        "verification": "Verification",
        "reported_on": "Reported on",
        "status": "Status",
        "flags": "Flags",
        "days_overdue": "Days overdue",
        "days_left": "Days left",
        "notes": "Notes",
        "duty": "Duty",
        "duty_period": "Period",
        "detail": "Detail",
        "gaps": "Gaps",
        "key": "Name",
        "reasons": "Reasons",
        "interviewed": "Interviewed",
        "interview_dates": "Interview dates",
        "overdue_since": "Overdue since",
        "label": "Period",
        "level_label": "Level",
        "status_label": "Status",
        "duty_label": "Duty",
        "period": "Period",
        "principal": "Principal",
        "name": "Name",
    },
}

STATUS_LABELS = {
    "zh-CN": {
        "pending": "整改中",
        "overdue": "逾期未整改",
        "rectified": "已整改待复查",
        "closed": "已销号",
    },
    "en": {
        "pending": "pending",
        "overdue": "overdue",
        "rectified": "rectified",
        "closed": "closed",
    },
}
LEVEL_LABELS = {
    "zh-CN": {"general": "一般隐患", "major": "重大事故隐患"},
    "en": {"general": "general", "major": "major"},
}
FLAG_LABELS = {
    "zh-CN": {"late": "超期整改", "extended": "已延期"},
    "en": {"late": "late", "extended": "extended"},
}
DUTY_LABELS = {
    "zh-CN": {
        "principal_inspection": "主要负责人带队检查",
        "drill": "疏散逃生演练",
        "principal_training": "主要负责人安全培训",
        "certificate": "特种作业证书",
        "maintenance": "{facility}维保检测",
    },
    "en": {
        "principal_inspection": "principal-led inspection",
        "drill": "evacuation drill",
        "principal_training": "principal safety training",
        "certificate": "special-operation certificate",
        "maintenance": "{facility} maintenance test",
    },
}
DEFAULT_SIGNATURES_EN = ("Principal (signature)", "Organisation (seal)")
UNSET = {"zh-CN": "（未填）", "en": "(not given)"}


def labels(locale: str) -> dict[str, Any]:
    """Every label of one locale, as the ``labels`` variable of the template context."""
    loc = "en" if locale == "en" else "zh-CN"
    base = dict(_EN if loc == "en" else _ZH)
    base["kinds"] = dict(KIND_TITLES[loc])
    base["figure_names"] = dict(FIGURE_LABELS[loc])
    base["dimensions"] = dict(DIMENSION_LABELS[loc])
    base["dimension_keys"] = dict(DIMENSION_KEY_HEADER[loc])
    base["columns"] = dict(COLUMN_LABELS[loc])
    base["statuses"] = dict(STATUS_LABELS[loc])
    base["levels"] = dict(LEVEL_LABELS[loc])
    base["flags"] = dict(FLAG_LABELS[loc])
    return base
