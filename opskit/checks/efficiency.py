"""Checks of the 'efficiency' area (see CATALOG.md)."""
