"""safeledger: work-safety hazard ledgers (安全生产隐患排查治理台账) checked like code."""

__version__ = "0.1.0"
