"""``safeledger.yaml``: the ledger root's organisation and settings (spec section 2)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from safeledger.model.enums import Period
from safeledger.model.fields import Count, Text, enum_parser

FORMAT_VERSION = 1

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "消防设施",
    "疏散通道",
    "电动自行车",
    "电气线路",
    "燃气",
    "电梯",
    "有限空间",
    "群租房",
    "特种作业",
    "建筑施工",
    "其他",
)
DEFAULT_SIGNATURES: tuple[str, ...] = ("主要负责人（签字）", "单位（盖章）")
_DUE_RE = re.compile(r"^(quarter_last_month|next_quarter):(\d{1,2})$")

PeriodName = Annotated[Period, enum_parser(Period)]


class DutyPeriodOverride(BaseModel):
    """``duties: {principal_inspection: {default: quarter, high_risk: month}}`` or a bare
    period name, which sets both."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    default: PeriodName | None = Field(default=None, title="一般单位周期")
    high_risk: PeriodName | None = Field(default=None, title="高危行业周期")


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    due: str = Field(default="quarter_last_month:25", title="报送期限")
    signatures: list[Text] = Field(default_factory=lambda: list(DEFAULT_SIGNATURES), title="签字栏")
    # Escalation list (约谈): enterprises with a hazard overdue more than this many days.
    escalation_days: Count = Field(default=30, title="升级督办天数")

    @field_validator("due")
    @classmethod
    def _due_form(cls, value: str) -> str:
        m = _DUE_RE.match(value.strip())
        if not m or not 1 <= int(m.group(2)) <= 31:
            raise ValueError(
                f"'{value}' is not a due rule; use quarter_last_month:DAY"
                " (e.g. quarter_last_month:25)"
                " or next_quarter:DAY (e.g. next_quarter:15)"
            )
        return value.strip()


class Config(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    format: Count = Field(default=FORMAT_VERSION, title="格式版本")
    organisation: Text = Field(title="单位名称")
    title: Text | None = Field(default=None, title="台账名称")
    locale: Literal["zh-CN", "en"] = Field(default="zh-CN", title="语言")
    communities: list[Text] | None = Field(default=None, title="社区")
    domains: list[Text] | None = Field(default=None, title="领域")
    categories: list[Text] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES), title="隐患类别"
    )
    report: ReportSettings = Field(default_factory=ReportSettings, title="报告")
    duties: dict[str, DutyPeriodOverride] = Field(default_factory=dict, title="职责周期")
    id_format: Text = Field(default="H-{year}-{seq:03d}", title="隐患编号格式")

    @field_validator("duties", mode="before")
    @classmethod
    def _bare_period(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                k: ({"default": v, "high_risk": v} if isinstance(v, str) else v)
                for k, v in value.items()
            }
        return value
