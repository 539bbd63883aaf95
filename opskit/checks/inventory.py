"""Checks of the 'inventory' area (see CATALOG.md)."""
