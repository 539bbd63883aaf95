"""Adapters for the exports clients actually hand over, one module per family of systems.

The registry is a plain dict filled by explicit imports (like the checks): adding a format is
writing its ``Adapter`` in the module of its family and listing it there. ``get`` raises a
``ConfigError`` naming the closest ids for a typo in engagement.yaml's ``adapter:`` key.
"""

from __future__ import annotations

from difflib import get_close_matches

from opskit.errors import ConfigError
from opskit.sources.adapters import (
    access,
    amazon,
    hubspot,
    phone,
    quickbooks,
    salesforce,
    shipping,
    shopify,
    stripe,
    timesheets,
    woocommerce,
    xero,
)
from opskit.sources.adapters.base import Adapted, Adapter, Export, TableOut, adapt

FAMILIES = (shopify, woocommerce, amazon, stripe, quickbooks, xero, hubspot, salesforce, phone,
            shipping, timesheets, access)
ADAPTERS: dict[str, Adapter] = {a.id: a for family in FAMILIES for a in family.ADAPTERS}


def get(adapter_id: str) -> Adapter:
    """The adapter called ``adapter_id``; an unknown id names the closest ones."""
    try:
        return ADAPTERS[adapter_id]
    except KeyError:
        close = get_close_matches(str(adapter_id), ADAPTERS, n=3, cutoff=0.5)
        raise ConfigError(f"Unknown adapter '{adapter_id}'",
                          expected="one of " + ", ".join(sorted(ADAPTERS)),
                          got=f"'{adapter_id}'",
                          hint=f"did you mean {', '.join(close)}?" if close else
                          "leave 'adapter' out to detect the format by content") from None


def all_adapters() -> list[Adapter]:
    """Every adapter, in family order (the order of the README's table)."""
    return list(ADAPTERS.values())


def markdown_table() -> str:
    """README's table of supported exports, generated from the registry (a test keeps it)."""
    lines = ["| export | adapter | where to get it | feeds |", "|---|---|---|---|"]
    for adapter in all_adapters():
        feeds = ", ".join(adapter.feeds)
        lines.append(f"| {adapter.name} | `{adapter.id}` | {adapter.menu} | {feeds} |")
    return "\n".join(lines)


__all__ = ["ADAPTERS", "Adapted", "Adapter", "Export", "TableOut", "adapt", "all_adapters",
           "get", "markdown_table"]
