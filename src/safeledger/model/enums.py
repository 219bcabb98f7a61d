"""Enumerations of the format.  Each value is accepted in English or as any of its
Chinese synonyms (spec sections 3 to 6); the first synonym is the display label."""

from __future__ import annotations

from enum import StrEnum


class LedgerEnum(StrEnum):
    """A StrEnum whose members carry Chinese synonyms (``SYNONYMS``, first = label)."""

    @classmethod
    def synonyms(cls) -> dict[str, tuple[str, ...]]:
        return _SYNONYMS[cls.__name__]

    @classmethod
    def label(cls, value: str, locale: str = "zh-CN") -> str:
        if locale == "en":
            return str(value)
        return cls.synonyms()[str(value)][0]

    @classmethod
    def lookup(cls) -> dict[str, str]:
        """Every accepted spelling (case-folded English, Chinese) -> canonical value."""
        cached = _LOOKUP.get(cls.__name__)
        if cached is None:
            cached = {}
            for member in cls:
                cached[member.value.casefold()] = member.value
                cached[member.value.replace("_", " ").casefold()] = member.value
                for syn in cls.synonyms()[member.value]:
                    cached[syn.casefold()] = member.value
            _LOOKUP[cls.__name__] = cached
        return cached

    @classmethod
    def accepted(cls) -> str:
        """Human list of accepted values, e.g. ``general (一般, 一般隐患), major (重大, …)``."""
        return ", ".join(f"{m.value} ({', '.join(cls.synonyms()[m.value])})" for m in cls)

    @classmethod
    def parse(cls, value: object) -> str | None:
        if isinstance(value, cls):
            return value.value
        if not isinstance(value, str):
            return None
        return cls.lookup().get(value.strip().casefold())


class Level(LedgerEnum):
    general = "general"
    major = "major"


class Source(LedgerEnum):
    routine = "routine"
    special = "special"
    unannounced = "unannounced"
    self = "self"
    report = "report"
    third_party = "third_party"
    authority = "authority"


class Verification(LedgerEnum):
    passed = "pass"
    failed = "fail"


class EnterpriseKind(LedgerEnum):
    property_management = "property_management"
    business = "business"
    public = "public"
    other = "other"


class EnterpriseStatus(LedgerEnum):
    active = "active"
    closed = "closed"


class ActivityKind(LedgerEnum):
    inspection = "inspection"
    drill = "drill"
    training = "training"
    maintenance = "maintenance"
    interview = "interview"


class DrillType(LedgerEnum):
    evacuation = "evacuation"
    firefighting = "firefighting"
    other = "other"


class TrainingRole(LedgerEnum):
    principal = "principal"
    safety_officer = "safety_officer"
    staff = "staff"


class MaintenanceResult(LedgerEnum):
    ok = "ok"
    fault = "fault"


class Facility(LedgerEnum):
    fire_pump = "fire_pump"
    hydrant = "hydrant"
    sprinkler = "sprinkler"
    alarm_linkage = "alarm_linkage"
    smoke_control = "smoke_control"
    extinguisher = "extinguisher"
    detector = "detector"
    water_supply = "water_supply"


class Period(LedgerEnum):
    month = "month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"


class HazardStatus(LedgerEnum):
    """Rectification status (spec 4.1); output only, never read from records."""

    pending = "pending"
    overdue = "overdue"
    rectified = "rectified"
    closed = "closed"


_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "Level": {"general": ("一般隐患", "一般"), "major": ("重大事故隐患", "重大", "重大隐患")},
    "Source": {
        "routine": ("日常巡查",),
        "special": ("专项检查",),
        "unannounced": ("四不两直",),
        "self": ("企业自查",),
        "report": ("举报",),
        "third_party": ("第三方",),
        "authority": ("上级检查",),
    },
    "Verification": {"pass": ("合格", "通过"), "fail": ("不合格",)},
    "EnterpriseKind": {
        "property_management": ("物业企业",),
        "business": ("生产经营单位",),
        "public": ("公共机构",),
        "other": ("其他",),
    },
    "EnterpriseStatus": {"active": ("在营",), "closed": ("注销",)},
    "ActivityKind": {
        "inspection": ("检查",),
        "drill": ("演练",),
        "training": ("培训",),
        "maintenance": ("维保",),
        "interview": ("约谈",),
    },
    "DrillType": {"evacuation": ("疏散逃生",), "firefighting": ("灭火",), "other": ("其他",)},
    "TrainingRole": {
        "principal": ("主要负责人",),
        "safety_officer": ("安全管理人员",),
        "staff": ("从业人员",),
    },
    "MaintenanceResult": {"ok": ("正常",), "fault": ("故障",)},
    "Facility": {
        "fire_pump": ("消防水泵",),
        "hydrant": ("室内消火栓",),
        "sprinkler": ("喷淋系统",),
        "alarm_linkage": ("火灾报警联动",),
        "smoke_control": ("防排烟系统",),
        "extinguisher": ("灭火器",),
        "detector": ("烟温感探测器",),
        "water_supply": ("消防供水能力",),
    },
    "Period": {
        "month": ("月", "每月"),
        "quarter": ("季度", "每季度"),
        "half_year": ("半年", "每半年"),
        "year": ("年", "每年"),
    },
    "HazardStatus": {
        "pending": ("整改中",),
        "overdue": ("逾期未整改",),
        "rectified": ("已整改待复查",),
        "closed": ("已销号",),
    },
}
_LOOKUP: dict[str, dict[str, str]] = {}
