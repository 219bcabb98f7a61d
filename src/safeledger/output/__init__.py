"""Presenting diagnostics: text (rich), JSON, GitHub annotations, SARIF."""
