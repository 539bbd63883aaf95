"""Slice an engagement for the explorer: a period and a segment -> the CheckData a check reads.

The engagement is loaded once; every parameter change re-runs one check on a view of the
same frames. The period is handed to the check as ``CheckData.period`` (checks window
themselves, and some look back before the period: stockouts, dead stock), so tables are never
cut by date here. A segment ("orders.channel = amazon") keeps the rows of one table whose
column has that value, and the rows of the tables that hang off it: orders by channel also
restricts order_lines, shipments, order_events, returns and invoices to those orders (a
warehouse keeps the orders shipped from it, a product category its SKUs' lines, stock and
purchases), so a check never compares one channel's shipments with every channel's orders.

Pure pandas, no widgets: the app and the tests use the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from opskit.diagnose import check_data
from opskit.engagement import Engagement, Period
from opskit.registry import CheckData, CheckSpec

# Columns a consultant slices by, per canonical table (only those with a handful of values
# are offered: see MAX_SEGMENT_VALUES).
SEGMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("channel", "source"),
    "shipments": ("warehouse", "carrier"),
    "products": ("category", "vendor"),
    "inventory_counts": ("location",),
    "inventory_levels": ("location",),
    "purchase_orders": ("vendor",),
    "bills": ("vendor",),
    "customers": ("system",),
    "leads": ("owner", "source"),
    "deals": ("owner",),
    "calls": ("agent",),
    "tasks": ("person", "system"),
    "processes": ("owner",),
    "spreadsheets": ("owner",),
    "accounts": ("system",),
    "people": ("function",),
    "marketing_spend": ("channel",),
}

ORDER_TABLES = ("orders", "order_lines", "order_events", "shipments", "returns", "invoices")
SKU_TABLES = ("order_lines", "inventory_levels", "inventory_counts", "purchase_orders",
              "returns")

# When a table is sliced, the tables that hang off it follow through this key.
DEPENDENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "orders": ("order_id", ORDER_TABLES),
    "shipments": ("order_id", ORDER_TABLES),
    "products": ("sku", SKU_TABLES),
    "accounts": ("system", ("systems",)),
}

MAX_SEGMENT_VALUES = 50
MAX_CACHED_SLICES = 8  # a slice copies rows; keep the last few a consultant flips between


@dataclass(frozen=True)
class Segment:
    """One slice of the data: rows of ``table`` whose ``column`` equals ``value``."""

    table: str
    column: str
    value: Any

    @property
    def dimension(self) -> tuple[str, str]:
        return (self.table, self.column)

    def label(self) -> str:
        return f"{self.table}.{self.column} = {self.value}"


def segment_choices(spec: CheckSpec, tables: Mapping[str, pd.DataFrame],
                    known: dict[tuple[str, str], list[Any]] | None = None
                    ) -> dict[tuple[str, str], list[Any]]:
    """The segment dimensions the check's data offers, each with its values (sorted).

    A dimension is offered when a table the check needs has the column with two to
    ``MAX_SEGMENT_VALUES`` distinct values: one value is no slice, hundreds are no menu.
    ``known`` caches the distinct values across calls (checks share tables).
    """
    known = {} if known is None else known
    choices: dict[tuple[str, str], list[Any]] = {}
    for table in spec.needs:
        frame = tables.get(table)
        if frame is None or not len(frame):
            continue
        for column in SEGMENT_COLUMNS.get(table, ()):
            if column not in frame.columns:
                continue
            if (table, column) not in known:
                known[(table, column)] = sorted(frame[column].dropna().unique().tolist(),
                                                key=str)
            values = known[(table, column)]
            if 2 <= len(values) <= MAX_SEGMENT_VALUES:
                choices[(table, column)] = values
    return choices


def slice_tables(tables: Mapping[str, pd.DataFrame], segment: Segment | None
                 ) -> dict[str, pd.DataFrame]:
    """``tables`` restricted to ``segment`` and to the rows that hang off it (None: as is)."""
    if segment is None:
        return dict(tables)
    sliced = dict(tables)
    frame = tables[segment.table]
    kept = frame[frame[segment.column] == segment.value].reset_index(drop=True)
    sliced[segment.table] = kept
    key, dependents = DEPENDENTS.get(segment.table, (None, ()))
    if key is None or key not in kept.columns:
        return sliced
    keys = pd.Index(kept[key].dropna().unique())
    for name in dependents:
        other = sliced.get(name)
        if name == segment.table or other is None or key not in other.columns:
            continue
        sliced[name] = other[other[key].isin(keys)].reset_index(drop=True)
    return sliced


class Slicer:
    """The engagement's frames, sliced once per segment and reused across parameter changes.

    A slider move re-runs the check on the cached slice: no reload, no re-filter.
    """

    def __init__(self, engagement: Engagement) -> None:
        self.engagement = engagement
        self._whole = check_data(engagement)
        self._slices: dict[Segment, dict[str, pd.DataFrame]] = {}
        self._values: dict[tuple[str, str], list[Any]] = {}

    def choices(self, spec: CheckSpec) -> dict[tuple[str, str], list[Any]]:
        """``segment_choices`` of the engagement, distinct values computed once per column."""
        return segment_choices(spec, self.engagement.tables, self._values)

    def tables(self, segment: Segment | None) -> Mapping[str, pd.DataFrame]:
        """The engagement's tables (as loaded: no copy) or a slice of them (cached)."""
        if segment is None:
            return self._whole.tables
        if segment not in self._slices:
            if len(self._slices) >= MAX_CACHED_SLICES:
                self._slices.pop(next(iter(self._slices)))
            self._slices[segment] = slice_tables(self.engagement.tables, segment)
        return self._slices[segment]

    def data(self, period: Period, segment: Segment | None) -> CheckData:
        """What the check reads for this period and segment."""
        return replace(self._whole, tables=self.tables(segment), period=period)
