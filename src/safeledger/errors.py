"""Errors that stop a command before it can do its work (exit status 2).

Problems *in* a ledger are never exceptions: they are :class:`~safeledger.diagnostics.Diagnostic`
values.  These are for "no ledger here", "unknown revision", bad option values…"""

from __future__ import annotations


class SafeledgerError(Exception):
    """A command could not run.  ``str(err)`` is the message shown to the user."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class LedgerNotFound(SafeledgerError):
    pass


class UsageError(SafeledgerError):
    pass
