"""Checks of the 'marketing' area (see CATALOG.md)."""
