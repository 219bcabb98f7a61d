"""edit layer."""
