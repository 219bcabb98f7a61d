"""Suite-wide settings."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Timing-based failures are noise on a loaded 2-core machine: properties are about values.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("default")
