"""Enterprise, hazard and activity records (spec sections 3 to 5).

Each field's ``title`` is its Chinese label: the loader accepts it as an alias of the
English key, and ``safeledger schema`` shows it to editors.  Cross-record rules
(references, duplicates, chronology against today…) live in :mod:`safeledger.validate`;
the models check one record's types and required fields only."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from safeledger.model.enums import (
    DrillType,
    EnterpriseKind,
    EnterpriseStatus,
    Facility,
    Level,
    MaintenanceResult,
    Source,
    TrainingRole,
    Verification,
)
from safeledger.model.fields import (
    Amount,
    Count,
    LedgerDate,
    SplitList,
    Text,
    YesNo,
    enum_parser,
)


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    # Fields that CSV writes under another single column, e.g. extensions as 延期至.
    CSV_COLUMNS: ClassVar[dict[str, tuple[str, str]]] = {}


# --- nested items -------------------------------------------------------------------


class Extension(Record):
    to: LedgerDate = Field(title="延期至")
    approved_by: Text | None = Field(default=None, title="批准人")
    on: LedgerDate | None = Field(default=None, title="批准日期")
    reason: Text | None = Field(default=None, title="原因")


class Reinspection(Record):
    on: LedgerDate = Field(title="复查日期")
    by: Text | None = Field(default=None, title="复查人")
    result: Annotated[Verification, enum_parser(Verification)] = Field(title="复查结论")
    note: Text | None = Field(default=None, title="备注")


class Amendment(Record):
    """A trace left when a closed hazard is edited (git review, issue 5)."""

    on: LedgerDate = Field(title="日期")
    by: Text = Field(title="修改人")
    reason: Text = Field(title="原因")


class Certificate(Record):
    holder: Text = Field(title="持证人")
    type: Text = Field(title="证书类型")
    number: Text | None = Field(default=None, title="证书编号")
    expires_on: LedgerDate = Field(title="有效期至")


# --- enterprises --------------------------------------------------------------------


class Enterprise(Record):
    KIND: ClassVar[str] = "enterprises"
    id: Text = Field(title="单位编号")
    name: Text = Field(title="单位名称")
    credit_code: Text | None = Field(default=None, title="统一社会信用代码")
    kind: Annotated[EnterpriseKind, enum_parser(EnterpriseKind)] = Field(title="单位类型")
    community: Text | None = Field(default=None, title="所属社区")
    domain: Text | None = Field(default=None, title="所属领域")
    address: Text | None = Field(default=None, title="地址")
    principal: Text = Field(title="主要负责人")
    principal_phone: Text | None = Field(default=None, title="负责人电话")
    safety_officer: Text | None = Field(default=None, title="安全管理人员")
    high_risk: YesNo = Field(default=False, title="高危行业")
    facilities: Annotated[list[Annotated[Facility, enum_parser(Facility)]], SplitList] = Field(
        default_factory=list, title="消防设施"
    )
    certificates: list[Certificate] = Field(default_factory=list, title="特种作业证书")
    projects: Annotated[list[Text], SplitList] = Field(default_factory=list, title="物业项目")
    status: Annotated[EnterpriseStatus, enum_parser(EnterpriseStatus)] = Field(
        default=EnterpriseStatus.active, title="状态"
    )
    notes: Text | None = Field(default=None, title="备注")


# --- hazards ------------------------------------------------------------------------


class Hazard(Record):
    KIND: ClassVar[str] = "hazards"
    CSV_COLUMNS: ClassVar[dict[str, tuple[str, str]]] = {"extensions": ("extended_to", "延期至")}
    id: Text = Field(title="隐患编号")
    found_on: LedgerDate = Field(title="发现日期")
    found_by: Text | None = Field(default=None, title="排查人")
    source: Annotated[Source, enum_parser(Source)] | None = Field(default=None, title="排查方式")
    enterprise: Text = Field(title="责任单位")
    community: Text | None = Field(default=None, title="所属社区")
    domain: Text | None = Field(default=None, title="所属领域")
    location: Text = Field(title="隐患部位")
    category: Text = Field(title="隐患类别")
    level: Annotated[Level, enum_parser(Level)] = Field(title="隐患等级")
    description: Text = Field(title="隐患描述")
    measures: Text | None = Field(default=None, title="整改措施")
    interim_measures: Text | None = Field(default=None, title="防范措施")
    plan: Text | None = Field(default=None, title="治理方案")
    responsible: Text = Field(title="整改责任人")
    funds: Amount | None = Field(default=None, title="整改资金")
    deadline: LedgerDate = Field(title="整改期限")
    extensions: list[Extension] = Field(default_factory=list, title="延期")
    rectified_on: LedgerDate | None = Field(default=None, title="整改完成日期")
    verified_on: LedgerDate | None = Field(default=None, title="复查日期")
    verified_by: Text | None = Field(default=None, title="复查人")
    verification: Annotated[Verification, enum_parser(Verification)] | None = Field(
        default=None, title="复查结论"
    )
    reinspections: list[Reinspection] = Field(default_factory=list, title="复查记录")
    reported_on: LedgerDate | None = Field(default=None, title="上报日期")
    evidence: Annotated[list[Text], SplitList] = Field(default_factory=list, title="佐证材料")
    notes: Text | None = Field(default=None, title="备注")
    amendments: list[Amendment] = Field(default_factory=list, title="修改记录")

    @property
    def is_major(self) -> bool:
        return self.level == Level.major

    @property
    def verification_result(self) -> Verification | None:
        """The conclusion of ``verified_on``: pass unless stated (spec section 4)."""
        if self.verified_on is None:
            return None
        return self.verification or Verification.passed


# --- activities ---------------------------------------------------------------------


class Activity(Record):
    KIND: ClassVar[str] = "activities"
    id: Text = Field(title="编号")
    kind: str = Field(title="类型")
    date: LedgerDate = Field(title="日期")
    enterprise: Text = Field(title="单位")
    notes: Text | None = Field(default=None, title="备注")


class Inspection(Activity):
    kind: Literal["inspection"] = Field(default="inspection", title="类型")
    led_by: Text | None = Field(default=None, title="带队人")
    principal_led: YesNo = Field(default=False, title="主要负责人带队")
    scope: Text | None = Field(default=None, title="检查范围")
    hazards: Annotated[list[Text], SplitList] = Field(default_factory=list, title="发现隐患")


class Drill(Activity):
    kind: Literal["drill"] = Field(default="drill", title="类型")
    drill_type: Annotated[DrillType, enum_parser(DrillType)] | None = Field(
        default=None, title="演练类型"
    )
    participants: Count | None = Field(default=None, title="参加人数")


class Training(Activity):
    kind: Literal["training"] = Field(default="training", title="类型")
    trainee: Text | None = Field(default=None, title="受训人")
    role: Annotated[TrainingRole, enum_parser(TrainingRole)] | None = Field(
        default=None, title="受训人类别"
    )
    hours: Amount | None = Field(default=None, title="学时")


class Maintenance(Activity):
    kind: Literal["maintenance"] = Field(default="maintenance", title="类型")
    facility: Annotated[Facility, enum_parser(Facility)] = Field(title="设施")
    result: Annotated[MaintenanceResult, enum_parser(MaintenanceResult)] | None = Field(
        default=None, title="维保结果"
    )
    note: Text | None = Field(default=None, title="说明")


class Interview(Activity):
    kind: Literal["interview"] = Field(default="interview", title="类型")
    reason: Text | None = Field(default=None, title="事由")
    hazards: Annotated[list[Text], SplitList] = Field(default_factory=list, title="涉及隐患")


ACTIVITY_MODELS: dict[str, type[Activity]] = {
    "inspection": Inspection,
    "drill": Drill,
    "training": Training,
    "maintenance": Maintenance,
    "interview": Interview,
}

AnyRecord = Enterprise | Hazard | Activity
