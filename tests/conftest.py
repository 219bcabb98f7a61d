"""Suite-wide settings."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Timing-based failures are noise on a loaded 2-core machine: properties are about values.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("default")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _private_check_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`safeledger check` keeps a result cache in the user cache folder: tests use a
    private one instead (safeledger.cache)."""
    monkeypatch.setenv("SAFELEDGER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "check-cache"))
