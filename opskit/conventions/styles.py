"""The conventions a client's exports can follow, one frozen record per named convention.

A convention is everything about *how* a healthy business writes its data that is not a
problem: the clock its timestamps are written in, how ids look, what its channels and order
statuses are called, how stock is spread over locations, which orders get an invoice, how
the ledger names revenue, which optional columns the exports carry. The checks must give the
same verdict on the same business whatever the convention.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# Order status kinds a business can use; only "live" orders are real sales.
LIVE, CANCELLED, REFUNDED, TEST, DRAFT = "live", "cancelled", "refunded", "test", "draft"

TIMESTAMP_STYLES = ("naive", "offset", "zulu", "date_deadlines")


@dataclass(frozen=True)
class Convention:
    """How one business writes its exports (not what happened in it).

    ``timestamps``: naive local clock, ISO with the local UTC offset, or UTC with ``Z``.
    ``deadlines``: promised ship-by, promised delivery and due dates as a local date-time
    or as a plain date (meaning the end of that local day).
    ``stock``: one location; a second warehouse stocking only the fastest SKUs (the main
    one then holds them only now and then); or every SKU listed at a showroom that never
    stocks most of them (on hand 0 every day).
    ``invoicing``: every live order invoiced, or only wholesale orders (web orders are paid
    by card at checkout and never invoiced).
    ``revenue_accounts``: one net sales account, or gross sales with discounts booked to a
    contra-revenue account. ``shipping_income``: shipping charged is booked to a revenue
    account (else credited against the freight expense).
    ``optional``: the exports carry the optional columns (else only what checks need).
    """

    name: str
    timezone: str
    timestamps: str = "naive"
    deadlines: str = "datetime"
    order_ids: str = "hash"
    channels: Mapping[str, str] = field(default_factory=lambda: {"web": "web",
                                                                 "wholesale": "wholesale"})
    statuses: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {LIVE: ("fulfilled",), CANCELLED: ("cancelled",)})
    stock: str = "single"
    invoicing: str = "all"
    revenue_accounts: str = "net"
    shipping_income: bool = False
    optional: bool = True
    missing_cost: str = ""  # how a product without a cost is written: "" or "0"
    split: tuple[str, ...] = ()  # tables written as two files
    shuffle: bool = False  # rows written in a random order

    @property
    def style(self) -> str:
        """The timestamp style this convention stands for (see TIMESTAMP_STYLES)."""
        return "date_deadlines" if self.deadlines == "date" and self.timestamps == "naive" \
            else self.timestamps

    def but(self, **changes: Any) -> Convention:
        """The same convention with ``changes`` (metamorphic variants)."""
        return replace(self, **changes)


CONVENTIONS: tuple[Convention, ...] = (
    Convention("chicago_naive", "America/Chicago"),
    Convention(
        "berlin_offset", "Europe/Berlin", timestamps="offset", order_ids="so",
        channels={"web": "Online Store", "wholesale": "B2B"},
        statuses={LIVE: ("Shipped", "Closed"), CANCELLED: ("canceled", "voided"),
                  REFUNDED: ("refunded",)},
        stock="fast_second", invoicing="wholesale_only", revenue_accounts="contra",
        shipping_income=True),
    Convention(
        "kolkata_zulu", "Asia/Kolkata", timestamps="zulu", order_ids="uuid",
        channels={"web": "shopify", "wholesale": "Wholesale"},
        statuses={LIVE: ("complete",), CANCELLED: ("Cancelled",), REFUNDED: ("Refunded",),
                  TEST: ("test",), DRAFT: ("draft",)},
        stock="never_stocked", optional=False, missing_cost="0"),
    Convention(
        "newyork_dates", "America/New_York", deadlines="date", order_ids="hash",
        channels={"web": "Web Store", "wholesale": "wholesale"},
        statuses={LIVE: ("fulfilled", "paid"), CANCELLED: ("voided",), TEST: ("test",),
                  DRAFT: ("Draft",)},
        stock="fast_second", invoicing="wholesale_only", revenue_accounts="contra",
        shipping_income=True, optional=False),
    Convention(
        "sydney_offset_dates", "Australia/Sydney", timestamps="offset", deadlines="date",
        order_ids="so", channels={"web": "online", "wholesale": "trade"},
        statuses={LIVE: ("completed",), CANCELLED: ("cancelled", "canceled"),
                  REFUNDED: ("refunded",), DRAFT: ("draft",)},
        stock="never_stocked", invoicing="all", shipping_income=True, missing_cost="0"),
)


def convention(name: str) -> Convention:
    """The named convention; an unknown name raises with the known ones."""
    for known in CONVENTIONS:
        if known.name == name:
            return known
    raise KeyError(f"unknown convention {name!r}; known: "
                   + ", ".join(c.name for c in CONVENTIONS))
