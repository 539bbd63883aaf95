"""Checks of the 'sales' area (see CATALOG.md)."""
