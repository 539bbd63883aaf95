"""Checks of the 'security' area (see CATALOG.md)."""
