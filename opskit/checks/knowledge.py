"""Checks of the 'knowledge' area (see CATALOG.md)."""
