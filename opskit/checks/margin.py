"""Checks of the 'margin' area (see CATALOG.md)."""
