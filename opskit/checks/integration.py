"""Checks of the 'integration' area (see CATALOG.md)."""
