"""Checks of the 'cash' area (see CATALOG.md)."""
