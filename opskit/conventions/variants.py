"""Changes to a World that must not change any finding (for the metamorphic tests).

Each function adds records that a check following CATALOG.md's amended conventions does not
count: orders cancelled before they were paid (with their void), or a location that is
listed in the stock export but never stocks anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.conventions.company import CANCELLED, PERIOD_END, PERIOD_START, World


def add_cancelled_orders(world: World, count: int, rng: np.random.Generator) -> list[int]:
    """``count`` web orders of the period by returning customers, voided an hour later.

    Each carries lines (SKUs that sell anyway), a created and a voided event by the shop;
    none is paid, shipped, invoiced or booked. Returns their internal order numbers.
    """
    if CANCELLED not in world.convention.statuses:
        raise ValueError(f"{world.convention.name} has no cancelled status")
    orders, lines = world.tables["orders"], world.tables["order_lines"]
    template = orders[(orders["_channel"] == "web") & (orders["_kind"] == "live")
                      & (orders["ordered_at"] >= PERIOD_START)].sample(
        count, random_state=int(rng.integers(1 << 30)))
    first = orders.groupby("customer_id")["ordered_at"].min()
    start = int(orders["_n"].max()) + 1
    new = template.assign(
        _n=np.arange(start, start + count), _kind=CANCELLED, paid_at=pd.NaT,
        ordered_at=np.maximum(template["ordered_at"] + pd.Timedelta(minutes=13),
                              template["customer_id"].map(first) + pd.Timedelta(minutes=13)))
    new = new[new["ordered_at"] < PERIOD_END + pd.Timedelta(days=1)]
    copies = lines[lines["_n"].isin(template["_n"])].merge(
        template[["_n"]].assign(_new=np.arange(start, start + count)), on="_n")
    copies = copies[copies["_new"].isin(new["_n"])]
    copies = copies.assign(_n=copies["_new"]).drop(columns="_new")
    world.tables["orders"] = pd.concat([orders, new], ignore_index=True)
    world.tables["order_lines"] = pd.concat([lines, copies], ignore_index=True)
    events = world.tables.get("order_events")
    if events is not None:
        created = new[["_n", "ordered_at"]].rename(columns={"ordered_at": "at"}).assign(
            event="created", actor="shopify", manual=False)
        voided = created.assign(at=created["at"] + pd.Timedelta(hours=1), event="voided")
        world.tables["order_events"] = pd.concat([events, created, voided], ignore_index=True)
    return new["_n"].tolist()


def add_never_stocked_location(world: World, name: str = "Pop-up Store") -> None:
    """List every SKU at ``name`` with nothing on hand on every snapshot day."""
    levels = world.tables["inventory_levels"]
    main = levels[levels["location"] == levels["location"].iloc[0]]
    world.tables["inventory_levels"] = pd.concat(
        [levels, main.assign(on_hand=0, location=name)], ignore_index=True)
