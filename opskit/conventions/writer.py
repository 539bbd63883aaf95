"""Write a World as an engagement folder under a Convention.

Everything a convention decides happens here and only here: ids, status and channel
spellings, the clock and form of every timestamp, optional columns, file splits and row
order. The same World written under two conventions is the same business, so a check must
read both the same way.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from opskit.conventions.company import PERIOD_END, PERIOD_START, World
from opskit.conventions.styles import Convention

# columns holding a moment (written in the convention's clock style)
MOMENTS = {
    "orders": ("ordered_at", "paid_at"), "order_events": ("at",),
    "shipments": ("shipped_at", "delivered_at"), "returns": ("returned_at",),
    "inventory_counts": ("counted_at",), "inventory_levels": ("as_of",),
    "gl_entries": ("entered_at",), "invoices": ("paid_at",), "customers": ("created_at",),
    "leads": ("created_at", "first_response_at", "converted_at"),
    "deals": ("created_at", "closed_at", "last_activity_at"), "calls": ("started_at",),
    "spreadsheets": ("last_modified_at",), "accounts": ("last_login_at", "created_at"),
}
# columns holding a day by which something is due (a date, or that day at 18:00)
DEADLINES = {"orders": ("promised_ship_by", "promised_delivery_by"), "invoices": ("due_at",),
             "deals": ("close_date",)}
DEADLINE_HOUR = 18
# optional columns a lean export leaves out (never one a check needs to judge)
OPTIONAL = {
    "orders": ("campaign", "promised_delivery_by", "currency", "paid_at"),
    "shipments": ("service", "reship", "delivered_at"),
    "products": ("vendor", "category", "name"), "accounts": ("person",),
    "customers": ("company",), "gl_entries": ("memo",), "returns": ("sku",),
}


def order_id(n: int, style: str, seed: int) -> str:
    """The order id of internal order ``n`` in an id style: #1001, SO-000123 or a UUID."""
    if style == "hash":
        return f"#{1000 + n}"
    if style == "so":
        return f"SO-{n:06d}"
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def write(world: World, folder: Path, *, client: str = "Harbor Goods Co.") -> Path:
    """Write ``world`` under its convention into ``folder``; returns the folder."""
    conv = world.convention
    folder = Path(folder)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(world.seed + 7919)
    ids = {n: order_id(n, conv.order_ids, world.seed)
           for n in world.tables["orders"]["_n"].to_numpy().tolist()}
    files: dict[str, str | list[str]] = {}
    for name, frame in world.tables.items():
        frame = _canonical(world, name, frame, ids)
        if conv.shuffle:
            frame = frame.iloc[rng.permutation(len(frame))]
        if name in conv.split:
            half = len(frame) // 2
            parts = [f"data/{name}_a.csv", f"data/{name}_b.csv"]
            frame.iloc[:half].to_csv(folder / parts[0], index=False)
            frame.iloc[half:].to_csv(folder / parts[1], index=False)
            files[name] = parts
        else:
            frame.to_csv(data / f"{name}.csv", index=False)
            files[name] = f"data/{name}.csv"
    config = {"client": client, "industry": "ecommerce", "currency": "USD",
              "timezone": conv.timezone,
              "period": {"start": str(PERIOD_START.date()), "end": str(PERIOD_END.date())},
              "assumptions": {}, "files": files, "thresholds": {}}
    (folder / "engagement.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    truth = {"convention": conv.name, "style": conv.style, "seed": world.seed,
             "variant": "planted" if world.truth else "healthy",
             "expected": _truth_ids(world, ids)}
    (folder / "planted.json").write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    return folder


def _truth_ids(world: World, ids: dict[int, str]) -> dict[str, dict]:
    return {check: dict(t) for check, t in sorted(world.truth.items())}


def _canonical(world: World, name: str, frame: pd.DataFrame, ids: dict[int, str]
               ) -> pd.DataFrame:
    """One table as the convention writes it: text cells only."""
    conv = world.convention
    frame = frame.copy()
    if "_n" in frame:
        frame.insert(0, "order_id", frame["_n"].map(ids))
    if name == "orders":
        frame["channel"] = frame["_channel"].map(conv.channels)
        spell = [conv.statuses[kind][n % len(conv.statuses[kind])]
                 for kind, n in zip(frame["_kind"], frame["_n"], strict=True)]
        frame.insert(frame.columns.get_loc("source"), "status", spell)
    if name == "shipments":
        frame.insert(0, "shipment_id", [f"SH{n + 400000}" for n in frame["_n"]])
    if name == "invoices":
        frame.insert(0, "invoice_id", [f"INV-{n + 70000}" for n in frame["_n"]])
    frame = frame[[c for c in frame.columns if not c.startswith("_")]]
    if not conv.optional:
        frame = frame.drop(columns=[c for c in OPTIONAL.get(name, ()) if c in frame])
    for column in MOMENTS.get(name, ()):
        if column in frame:
            frame[column] = moment_text(frame[column], conv.timestamps, conv.timezone)
    for column in DEADLINES.get(name, ()):
        if column in frame:
            frame[column] = deadline_text(frame[column], conv)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    if name == "products" and conv.missing_cost:
        frame["unit_cost"] = frame["unit_cost"].map(
            lambda v: conv.missing_cost if pd.isna(v) else f"{v:.2f}")
    return frame


def moment_text(values: pd.Series, style: str, timezone: str) -> pd.Series:
    """Local naive moments as text: naive local, ISO with the local offset, or UTC with Z."""
    values = pd.to_datetime(values)
    missing = values.isna()
    if style == "naive":
        text = values.dt.strftime("%Y-%m-%d %H:%M:%S")
    else:
        aware = values.dt.tz_localize(timezone, ambiguous=np.zeros(len(values), dtype=bool),
                                      nonexistent="shift_forward")
        if style == "zulu":
            text = aware.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            raw = aware.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
            text = raw.str[:-2] + ":" + raw.str[-2:]
    return text.where(~missing, "")


def deadline_text(values: pd.Series, conv: Convention) -> pd.Series:
    """A due day as a plain date, or as that local day at 18:00 in the clock style."""
    values = pd.to_datetime(values).dt.normalize()
    if conv.deadlines == "date":
        return values.dt.strftime("%Y-%m-%d").where(values.notna(), "")
    return moment_text(values + pd.Timedelta(hours=DEADLINE_HOUR), conv.timestamps,
                       conv.timezone)
