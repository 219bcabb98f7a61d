"""Record models of the ledger format (spec sections 2 to 6): Pydantic v2, no I/O."""

from typing import TYPE_CHECKING

from safeledger._lazy import lazy_exports

if TYPE_CHECKING:
    from safeledger.model.config import Config, DutyPeriodOverride, ReportSettings
    from safeledger.model.enums import (
        ActivityKind,
        DrillType,
        EnterpriseKind,
        EnterpriseStatus,
        Facility,
        Level,
        MaintenanceResult,
        Period,
        Source,
        TrainingRole,
        Verification,
    )
    from safeledger.model.records import (
        ACTIVITY_MODELS,
        Activity,
        Amendment,
        Certificate,
        Drill,
        Enterprise,
        Extension,
        Hazard,
        Inspection,
        Interview,
        Maintenance,
        Reinspection,
        Training,
    )

# imported on first use (safeledger._lazy): dates and enums need no pydantic
__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "config": ("Config", "DutyPeriodOverride", "ReportSettings"),
        "enums": (
            "ActivityKind",
            "DrillType",
            "EnterpriseKind",
            "EnterpriseStatus",
            "Facility",
            "Level",
            "MaintenanceResult",
            "Period",
            "Source",
            "TrainingRole",
            "Verification",
        ),
        "records": (
            "ACTIVITY_MODELS",
            "Activity",
            "Amendment",
            "Certificate",
            "Drill",
            "Enterprise",
            "Extension",
            "Hazard",
            "Inspection",
            "Interview",
            "Maintenance",
            "Reinspection",
            "Training",
        ),
    },
)
