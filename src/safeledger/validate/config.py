"""Validate ``safeledger.yaml``."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from safeledger.diagnostics import ERROR, Anchor, Diagnostic
from safeledger.model import Config
from safeledger.model.config import FORMAT_VERSION
from safeledger.read.raw import CONFIG_FILE
from safeledger.validate.keys import normalise

# When safeledger.yaml cannot be read, records are still checked against defaults.
FALLBACK = Config(organisation="(unknown)")


def validate_config(data: dict[str, Any] | None) -> tuple[Config, list[Diagnostic], bool]:
    """Returns (config, diagnostics, usable).  ``usable`` is False when the ledger is
    written for a newer format than this tool knows: nothing else should be checked."""
    if data is None:
        return FALLBACK, [], True
    if not isinstance(data, dict):
        return (
            FALLBACK,
            [_error("config", f"{CONFIG_FILE} must be a mapping of settings", ())],
            True,
        )
    version = data.get("format", data.get("格式版本"))
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        return (
            FALLBACK,
            [
                _error(
                    "format-version",
                    f"this ledger is written in format {version}, but this safeledger knows format "
                    f"{FORMAT_VERSION} only; upgrade safeledger (pip install -U safeledger)",
                    ("format",),
                )
            ],
            False,
        )
    norm = normalise(Config, data, file=CONFIG_FILE, index=0, record_id=None)
    diags = list(norm.diagnostics)
    try:
        return Config.model_validate(norm.data), diags, True
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            written = norm.written.get(loc[:1], ()) if loc else ()
            where = ".".join(str(p) for p in loc) or "settings"
            msg = (
                "is required"
                if err["type"] == "missing"
                else err["msg"].removeprefix("Value error, ")
            )
            diags.append(
                _error("config", f"{where}: {msg}", written, field=str(loc[0]) if loc else None)
            )
        return FALLBACK, diags, True


def _error(
    code: str, message: str, path: tuple[str | int, ...], field: str | None = None
) -> Diagnostic:
    return Diagnostic(
        code=code,
        severity=ERROR,
        message=message,
        file=CONFIG_FILE,
        field=field,
        anchor=Anchor(0, path),
    )
