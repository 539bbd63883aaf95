"""Product master, purchase orders, stock levels and cycle counts.

The catalog is the universe of SKUs a client sells, including the ones its product master
does not know (``in_master`` False: SKUs created in the shop and never in the ERP). Flags
on the catalog carry the planted master-data problems (no cost on file, no weight, a cost on
file that the latest landed cost no longer matches, stock nobody sells) so that the order
generator and the inventory simulation stay consistent with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opskit.samples.common import (
    PERIOD_END,
    PERIOD_START,
    add_busdays,
    at_seconds,
    days_between,
    exact_mask,
    fmt_dates,
    money,
    to_ts,
    uniform_seconds,
)


@dataclass(frozen=True)
class Category:
    """A product family: naming parts, price level, cost ratio, weight and vendor."""

    code: str
    items: tuple[str, ...]
    materials: tuple[str, ...]
    variants: tuple[str, ...]
    price: float          # median list price
    sigma: float          # lognormal spread of prices
    cost_ratio: float     # unit cost / price
    weight: float         # median shipping weight (lb)
    share: float          # share of unit demand
    vendors: tuple[str, ...]


@dataclass
class Catalog:
    """Every SKU a client sells, with the flags the planted problems hang on."""

    sku: np.ndarray
    name: np.ndarray
    category: np.ndarray
    vendor: np.ndarray
    price: np.ndarray
    true_cost: np.ndarray      # what the item really costs (landed), used for POs
    unit_cost: np.ndarray      # cost on file in the product master (NaN when missing)
    true_weight: np.ndarray    # real weight, drives carrier cost
    weight: np.ndarray         # weight on file (NaN/0 when missing)
    popularity: np.ndarray     # relative demand
    sell_from: np.ndarray      # datetime64[D]
    sell_until: np.ndarray     # datetime64[D]
    in_master: np.ndarray
    active: np.ndarray
    nocost: np.ndarray
    noweight: np.ndarray
    dead: np.ndarray
    new: np.ndarray
    stale: np.ndarray

    def __len__(self) -> int:
        return len(self.sku)

    @property
    def orphan(self) -> np.ndarray:
        return ~self.in_master


@dataclass(frozen=True)
class CatalogSpec:
    """How many SKUs and which flags: the knobs of the master-data problems."""

    prefix: str
    categories: tuple[Category, ...]
    n_skus: int
    n_archived: int = 0
    n_dead: int = 0
    n_new: int = 0
    n_nocost: int = 0
    n_noweight: int = 0
    n_stale: int = 0
    n_orphans: int = 0
    popularity_sigma: float = 0.9
    popularity_floor: float = 0.0
    sell_start: str = "2025-07-01"
    archived_until: str = "2025-10-31"
    dead_from: str = "2025-10-15"
    dead_until: str = "2026-01-31"
    new_from: str = "2026-07-15"
    price_step: float = 1.0   # prices end in .00 (B2B) or .95/.00 (retail)
    retail_endings: bool = True
    weight_decimals: int = 1


def make_catalog(rng: np.random.Generator, spec: CatalogSpec) -> Catalog:
    """Build the SKU universe; orphans are appended after the product-master SKUs."""
    cats = spec.categories
    n = spec.n_skus + spec.n_orphans
    shares = np.asarray([c.share for c in cats])
    cat_idx = np.repeat(np.arange(len(cats)), np.maximum(
        1, np.round(shares / shares.sum() * n).astype(int)))
    cat_idx = np.sort(np.resize(cat_idx, n), kind="stable")
    rng.shuffle(cat_idx)
    names = np.empty(n, dtype=object)
    skus = np.empty(n, dtype=object)
    category = np.empty(n, dtype=object)
    vendor = np.empty(n, dtype=object)
    price = np.empty(n)
    ratio = np.empty(n)
    weight = np.empty(n)
    serial = {c.code: 1000 for c in cats}
    for i, ci in enumerate(cat_idx.tolist()):
        c = cats[ci]
        serial[c.code] += int(rng.integers(1, 7))
        skus[i] = f"{spec.prefix}-{c.code}-{serial[c.code]}"
        item = c.items[int(rng.integers(len(c.items)))]
        mat = c.materials[int(rng.integers(len(c.materials)))]
        var = c.variants[int(rng.integers(len(c.variants)))]
        names[i] = f"{mat} {item} - {var}"
        category[i] = c.code
        vendor[i] = c.vendors[int(rng.integers(len(c.vendors)))]
        price[i] = c.price * np.exp(rng.normal(0, c.sigma))
        ratio[i] = c.cost_ratio * np.exp(rng.normal(0, 0.08))
        weight[i] = c.weight * np.exp(rng.normal(0, 0.35))
    if spec.retail_endings:
        price = np.where(price < 100, np.floor(price) + 0.95, np.round(price / 5) * 5)
    else:
        price = np.round(price, 2)
    true_cost = money(price * ratio)
    share_by_cat = shares[cat_idx] / np.bincount(cat_idx, minlength=len(cats))[cat_idx]
    popularity = share_by_cat * np.exp(rng.normal(0, spec.popularity_sigma, size=n))
    popularity = popularity / popularity.sum()
    if spec.popularity_floor:
        popularity = np.maximum(popularity, spec.popularity_floor / n)
        popularity = popularity / popularity.sum()

    in_master = np.ones(n, dtype=bool)
    in_master[spec.n_skus:] = False
    master = np.arange(spec.n_skus)
    order = master[rng.permutation(spec.n_skus)]
    take = iter(np.split(order, np.cumsum(
        [spec.n_archived, spec.n_dead, spec.n_new, spec.n_nocost, spec.n_noweight,
         spec.n_stale]))[:-1])
    flags = {}
    for key in ("archived", "dead", "new", "nocost", "noweight", "stale"):
        mask = np.zeros(n, dtype=bool)
        mask[next(take)] = True
        flags[key] = mask

    # Orphans: variants of real SKUs typed in the shop (bundles, lower case, suffixes).
    for j, i in enumerate(range(spec.n_skus, n)):
        base = str(skus[rng.integers(spec.n_skus)])
        style = j % 3
        skus[i] = (f"{base}-BNDL" if style == 0 else base.lower() if style == 1
                   else f"{base}-V{j % 7 + 2}")
        names[i] = None
    # Two orphans could collide with each other; make them unique deterministically.
    seen: dict[str, int] = {}
    for i in range(spec.n_skus, n):
        s = str(skus[i])
        if s in seen or s in set(skus[: spec.n_skus].tolist()):
            seen[s] = seen.get(s, 0) + 1
            skus[i] = f"{s}-{seen[s]}"
        seen.setdefault(str(skus[i]), 0)

    unit_cost = true_cost.copy()
    jitter = rng.uniform(0.975, 1.025, size=n)
    unit_cost = money(unit_cost * jitter)
    stale = flags["stale"]
    # Stale: the cost on file predates a vendor price increase of 22-38%.
    unit_cost[stale] = money(true_cost[stale] / rng.uniform(1.22, 1.38, size=stale.sum()))
    nocost = flags["nocost"]
    kinds = np.arange(nocost.sum()) % 4
    nc_values = np.where(kinds == 0, 0.0, np.where(kinds == 1, 0.01, np.nan))
    unit_cost[nocost] = nc_values
    unit_cost[~in_master] = np.nan

    true_weight = np.round(weight, spec.weight_decimals)
    true_weight = np.maximum(true_weight, 0.1)
    weight_on_file = true_weight.copy()
    noweight = flags["noweight"]
    weight_on_file[noweight] = np.where(np.arange(noweight.sum()) % 3 == 0, 0.0, np.nan)
    weight_on_file[~in_master] = np.nan

    day = np.datetime64
    sell_from = np.full(n, day(spec.sell_start, "D"))
    sell_until = np.full(n, PERIOD_END)
    sell_until[flags["archived"]] = day(spec.archived_until, "D")
    sell_from[flags["dead"]] = day(spec.dead_from, "D")
    sell_until[flags["dead"]] = day(spec.dead_until, "D")
    sell_from[flags["new"]] = day(spec.new_from, "D")
    active = in_master & ~flags["archived"]
    return Catalog(
        sku=skus, name=names, category=category, vendor=vendor, price=money(price),
        true_cost=true_cost, unit_cost=unit_cost, true_weight=true_weight,
        weight=weight_on_file, popularity=popularity, sell_from=sell_from,
        sell_until=sell_until, in_master=in_master, active=active, nocost=nocost,
        noweight=noweight, dead=flags["dead"], new=flags["new"], stale=stale)


def products_frame(cat: Catalog, *, bool_words: tuple[str, str] = ("true", "false")
                   ) -> pd.DataFrame:
    """The product master export: one row per SKU the master knows."""
    m = cat.in_master
    return pd.DataFrame({
        "sku": cat.sku[m],
        "name": cat.name[m],
        "category": cat.category[m],
        "unit_cost": cat.unit_cost[m],
        "price": cat.price[m],
        "weight": cat.weight[m],
        "active": np.where(cat.active[m], bool_words[0], bool_words[1]),
        "vendor": cat.vendor[m],
    })


def sampling_weights(cat: Catalog, day: np.datetime64, *, orphan_share: float,
                     nocost_share: float, noweight_share: float) -> np.ndarray:
    """Probability of each SKU on an order line placed on ``day``.

    The orphan, no-cost and no-weight groups get fixed shares of lines (the planted knobs);
    the rest is split by popularity among the SKUs on sale that day.
    """
    on_sale = (cat.sell_from <= day) & (cat.sell_until >= day)
    w = np.where(on_sale, cat.popularity, 0.0)
    groups = ((cat.orphan, orphan_share), (cat.nocost, nocost_share),
              (cat.noweight, noweight_share))
    out = np.zeros(len(cat))
    free = np.ones(len(cat), dtype=bool)
    rest = 1.0
    for mask, share in groups:
        free &= ~mask
        total = w[mask].sum()
        if share > 0 and total > 0:
            out[mask] = w[mask] / total * share
            rest -= share
    total = w[free].sum()
    out[free] = w[free] / total * rest
    return out / out.sum()


# -- purchase orders ---------------------------------------------------------------------

@dataclass(frozen=True)
class POSpec:
    """Receipt cadence and landed-cost overheads."""

    prefix: str
    start: str
    every_days: int
    skus_per_po: tuple[int, int]
    freight_share: float
    duty_share: float
    stale_increase_from: str = "2026-03-01"
    days_of_cover: float = 45.0


def purchase_orders(rng: np.random.Generator, cat: Catalog, spec: POSpec,
                    daily_units: np.ndarray) -> pd.DataFrame:
    """Received PO lines with freight and duty (landed cost = unit_cost + (freight+duty)/qty).

    SKUs without a cost on file are bought outside the PO process (on a card, dropship), so
    they never appear here; stale SKUs get at least one receipt after the vendor's increase.
    """
    eligible = cat.in_master & ~cat.nocost
    vendors = sorted(set(cat.vendor[eligible].tolist()))
    rows = []
    po_no = 4100
    start = np.datetime64(spec.start, "D")
    increase = np.datetime64(spec.stale_increase_from, "D")
    overhead = 1 + spec.freight_share + spec.duty_share
    for vendor in vendors:
        v_skus = np.flatnonzero(eligible & (cat.vendor == vendor))
        day = start + int(rng.integers(0, spec.every_days))
        covered_stale = np.zeros(len(cat), dtype=bool)
        while day <= PERIOD_END:
            day_b = add_busdays(np.asarray([day]), 0)[0]
            if day_b > PERIOD_END:
                break
            selling = v_skus[(cat.sell_from[v_skus] <= day_b + 30)
                             & (cat.sell_until[v_skus] >= day_b)]
            if len(selling):
                k = int(rng.integers(spec.skus_per_po[0], spec.skus_per_po[1] + 1))
                pick = rng.choice(selling, size=min(k, len(selling)), replace=False)
                if day_b >= increase + 14:
                    missing = selling[cat.stale[selling] & ~covered_stale[selling]]
                    pick = np.unique(np.concatenate([pick, missing]))
                pick = np.sort(pick)
                po_no += 1
                po_id = f"{spec.prefix}{po_no}"
                for i in pick.tolist():
                    qty = max(6, round(daily_units[i] * spec.days_of_cover
                                           * rng.uniform(0.7, 1.3)))
                    cost = cat.true_cost[i]
                    if cat.stale[i] and day_b >= increase:
                        cost = cat.unit_cost[i] * rng.uniform(1.24, 1.36)
                        covered_stale[i] = True
                    elif cat.stale[i]:
                        cost = cat.unit_cost[i]
                    base = cost / overhead * rng.uniform(0.99, 1.01)
                    value = base * qty
                    rows.append((po_id, cat.sku[i], day_b, qty, round(base, 2),
                                 round(value * spec.freight_share, 2),
                                 round(value * spec.duty_share, 2), vendor))
            day = day + spec.every_days + int(rng.integers(-3, 4))
    po = pd.DataFrame(rows, columns=["po_id", "sku", "received_at", "quantity", "unit_cost",
                                     "freight", "duty", "vendor"])
    po["received_at"] = fmt_dates(po["received_at"].to_numpy().astype("datetime64[D]"))
    if spec.duty_share == 0:
        po["duty"] = np.nan
    return po


# -- stock levels ------------------------------------------------------------------------

@dataclass(frozen=True)
class LevelSpec:
    """Knobs of the stock simulation."""

    locations: tuple[str, ...]
    stockout_series_share: float = 0.0     # share of selling SKUs that run dry everywhere
    stockout_days: tuple[int, int] = (10, 20)
    negative_share_at_end: float = 0.0     # SKU-locations below zero at the last snapshot
    negative_weeks: int = 2
    dead_value_share: float = 0.03         # value of unsold stock / inventory value
    cover_days: tuple[float, float] = (25.0, 55.0)
    snapshot_every: int = 1                # 1 = daily, 7 = weekly


def simulate_levels(rng: np.random.Generator, cat: Catalog, spec: LevelSpec,
                    sales: np.ndarray, expected_daily: np.ndarray
                    ) -> tuple[pd.DataFrame, dict[str, list[str]], np.ndarray]:
    """Daily on-hand per SKU and location over the period, from the units actually sold.

    ``sales`` has shape (SKUs, locations, days of the period). Each selling SKU-location
    follows a replenishment sawtooth that never reaches zero, except the planted share that
    runs dry for ``stockout_days``; the planted negatives go below zero in the last weeks
    (receipts not posted); dead SKUs keep a leftover sized so that its value is the planted
    share of the inventory value. Returns the snapshots, the subjects per problem and the
    on-hand array (for cycle counts).
    """
    days = days_between(PERIOD_START, PERIOD_END)
    n_days = len(days)
    n_loc = len(spec.locations)
    stocked = cat.active & ~cat.new
    new_sku = cat.active & cat.new
    idx = np.flatnonzero(cat.active)
    series_sku = np.repeat(idx, n_loc)
    series_loc = np.tile(np.arange(n_loc), len(idx))
    n_series = len(series_sku)
    daily = np.maximum(expected_daily[series_sku] / n_loc, 0.02)
    s = sales[series_sku, series_loc, :]
    on_hand = np.zeros((n_series, n_days))
    level = np.round(daily * rng.uniform(*spec.cover_days, size=n_series)) + 2
    reorder = daily * 12
    qty = np.maximum(np.round(daily * rng.uniform(30, 50, size=n_series)), 4)
    arrival = np.full(n_series, -1)
    for t in range(n_days):
        level = level - s[:, t]
        arriving = arrival == t
        level = np.where(arriving, level + qty, level)
        arrival = np.where(arriving, -1, arrival)
        need = (level <= reorder) & (arrival < 0)
        arrival = np.where(need, t + int(rng.integers(5, 9)), arrival)
        floor = np.ceil(daily * 2) + 1
        level = np.maximum(level, floor)
        on_hand[:, t] = level
    on_hand = np.round(on_hand)

    # New SKUs arrive on launch day.
    launch = np.clip(((cat.sell_from[series_sku] - PERIOD_START).astype(int)), 0, n_days)
    for j in np.flatnonzero(new_sku[series_sku]):
        on_hand[j, : launch[j]] = 0.0

    subjects: dict[str, list[str]] = {"stockouts": [], "negative": [], "dead": []}
    selling = stocked[series_sku] & ~cat.dead[series_sku]
    cand = np.flatnonzero(selling)
    # A stockout is planted per SKU, at every location at once (CATALOG.md, "Stock": a SKU
    # is out when no location that stocks it has it); with one location, one per series.
    cand_skus = np.unique(series_sku[cand])
    dry_skus = cand_skus[exact_mask(rng, len(cand_skus), spec.stockout_series_share)]
    runs_dry = cand[np.isin(series_sku[cand], dry_skus)]
    for sku in dry_skus.tolist():
        z = int(rng.integers(spec.stockout_days[0], spec.stockout_days[1] + 1))
        a = int(rng.integers(0, n_days - z + 1))
        for j in runs_dry[series_sku[runs_dry] == sku].tolist():
            on_hand[j, a:a + z] = 0.0
            if a + z < n_days:
                on_hand[j, a + z:] = np.maximum(on_hand[j, a + z:], 1)
    subjects["stockouts"] = _unique_skus(cat.sku[series_sku[runs_dry]])

    if spec.negative_share_at_end > 0:
        cand = np.flatnonzero(selling & ~np.isin(np.arange(n_series), runs_dry))
        neg = cand[exact_mask(rng, len(cand), spec.negative_share_at_end)]
        start = n_days - spec.negative_weeks * 7
        for j in neg.tolist():
            on_hand[j, start:] = -rng.integers(1, 25, size=n_days - start)
        subjects["negative"] = _unique_skus(cat.sku[series_sku[neg]])

    dead_series = np.flatnonzero(cat.dead[series_sku])
    if len(dead_series):
        cost = np.nan_to_num(cat.unit_cost[series_sku])
        live_value = float((np.maximum(on_hand[:, -1], 0) * cost)[
            ~cat.dead[series_sku]].sum())
        target = spec.dead_value_share / (1 - spec.dead_value_share) * live_value
        w = rng.uniform(0.5, 1.5, size=len(dead_series))
        units = np.maximum(np.round(w / w.sum() * target / cost[dead_series]), 3)
        shrink = rng.integers(0, 3, size=(len(dead_series), n_days)).cumsum(axis=1) // 20
        on_hand[dead_series, :] = units[:, None] + shrink[:, ::-1]
        order = np.argsort(-(units * cost[dead_series]), kind="stable")
        subjects["dead"] = _unique_skus(cat.sku[series_sku[dead_series[order]]])

    snap = np.arange(n_days - 1, -1, -spec.snapshot_every)[::-1]
    loc_names = np.asarray(spec.locations, dtype=object)
    rows_sku = np.repeat(cat.sku[series_sku], len(snap))
    rows_loc = np.repeat(loc_names[series_loc], len(snap))
    rows_day = np.tile(days[snap], n_series)
    rows_qty = on_hand[:, snap].reshape(-1).astype(int)
    order = np.lexsort((rows_loc.astype(str), rows_sku.astype(str), rows_day))
    levels = pd.DataFrame({
        "sku": rows_sku[order],
        "as_of": fmt_dates(rows_day[order]),
        "on_hand": rows_qty[order],
        "location": rows_loc[order],
    })
    full = np.zeros((len(cat), n_loc, n_days))
    full[series_sku, series_loc, :] = on_hand
    return levels, subjects, full


def _unique_skus(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v not in out:
            out.append(str(v))
    return out


# -- cycle counts ------------------------------------------------------------------------

@dataclass(frozen=True)
class CountSpec:
    """Cycle counts: how many a business day, from when, and how often they match."""

    start: str
    per_day: int
    accuracy: float
    locations: tuple[str, ...]
    paren_negatives: bool = False   # write negative system_qty as (12), accounting style


def cycle_counts(rng: np.random.Generator, cat: Catalog, spec: CountSpec,
                 on_hand: np.ndarray, expected_daily: np.ndarray
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Count records: shelf vs system quantity; the planted share disagrees."""
    days = days_between(np.datetime64(spec.start, "D"), PERIOD_END)
    days = days[np.is_busday(days)]
    active = np.flatnonzero(cat.active & ~cat.new & ~cat.dead)
    n = len(days) * spec.per_day
    day = np.repeat(days, spec.per_day)
    sku_i = rng.choice(active, size=n)
    loc_i = rng.integers(0, len(spec.locations), size=n)
    t = (day - PERIOD_START).astype(int)
    in_window = (t >= 0) & (t < on_hand.shape[2])
    system = np.where(
        in_window, on_hand[sku_i, loc_i, np.clip(t, 0, on_hand.shape[2] - 1)],
        np.round(expected_daily[sku_i] / len(spec.locations) * rng.uniform(10, 50, size=n)))
    system = system.astype(int)
    # Counts in the window follow the planted accuracy exactly; earlier ones roughly.
    wrong = np.zeros(n, dtype=bool)
    for months_mask in (in_window, ~in_window):
        sel = np.flatnonzero(months_mask)
        wrong[sel[exact_mask(rng, len(sel), 1 - spec.accuracy)]] = True
    wrong |= system < 0
    delta = rng.choice(np.array([-6, -4, -3, -2, -1, -1, -1, 1, 1, 2, 3, 5]), size=n)
    counted = np.where(wrong, system + delta, system)
    counted = np.where(counted < 0, np.where(system < 0, rng.integers(0, 12, size=n), 0),
                       counted)
    counted = np.where(wrong & (counted == system), system + 1, counted)
    secs = uniform_seconds(rng, n, 7, 16)
    counted_at = at_seconds(day, secs)
    order = np.argsort(counted_at, kind="stable")
    sys_col: np.ndarray = system[order].astype(object)
    if spec.paren_negatives:
        sys_col = np.asarray([f"({-v})" if v < 0 else str(v) for v in system[order].tolist()],
                             dtype=object)
    counts = pd.DataFrame({
        "sku": cat.sku[sku_i[order]],
        "counted_at": to_ts(counted_at[order]),
        "counted_qty": counted[order].astype(int),
        "system_qty": sys_col,
        "location": np.asarray(spec.locations, dtype=object)[loc_i[order]],
        "unit_cost": cat.unit_cost[sku_i[order]],
    })
    bad = wrong[order] & in_window[order]
    subjects = _unique_skus(counts.loc[bad, "sku"].head(60).tolist())[:20]
    return counts, subjects
