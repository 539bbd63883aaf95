"""A small wholesale + web shop simulated day by day, in its own local clock.

The world is written independently of ``opskit.samples``: it shares only the canonical table
and column names. Every table is a DataFrame whose timestamps are naive local time; orders
are keyed by an internal number ``_n`` (the writer turns it into the convention's ids) and
carry their status *kind* in ``_kind`` (the writer spells it). Deadlines (promised ship-by,
promised delivery, invoice due) are stored as the local *date* they fall on: the business
means "by the end of that day".

Healthy by construction, with margin, per CATALOG.md's thresholds: 1% of live orders ship
late, 5% of inbound calls are missed and nearly all are called back, every SKU has a cost,
1% of selling SKU-days are out of stock, nobody who left keeps access, and so on.
``opskit.conventions.plants`` then plants problems at exact rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opskit.conventions.styles import CANCELLED, DRAFT, LIVE, REFUNDED, TEST, Convention

PERIOD_START = pd.Timestamp("2026-04-01")
PERIOD_END = pd.Timestamp("2026-06-30")  # inclusive day
HISTORY_START = PERIOD_START - pd.Timedelta(days=90)  # the demand window before the period
N_SKUS = 60
N_FAST = 12  # the fastest SKUs: the ones a second warehouse stocks
SHIP_CUTOFF_HOUR = 15  # orders before this ship the same business day, at the earliest
NON_LIVE_RATES = {CANCELLED: 0.03, REFUNDED: 0.01, TEST: 0.004, DRAFT: 0.006}
HEALTHY = {"late": 0.01, "out": 0.01, "missed": 0.05, "unrecovered": 0.05,
           "count_errors": 0.015, "never_answered": 0.03, "duplicates": 0.01}


@dataclass
class World:
    """One company's data in local time, before any convention writes it."""

    seed: int
    convention: Convention
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    fast_skus: list[str] = field(default_factory=list)
    out_days: pd.DataFrame | None = None  # sku, day: SKU-level stockout days of the period
    stocking: dict[str, list[str]] = field(default_factory=dict)  # location -> SKUs it stocks
    truth: dict[str, dict] = field(default_factory=dict)  # check id -> expected status/metric

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        return PERIOD_START, PERIOD_END


def in_period(ts: pd.Series) -> pd.Series:
    """True for local timestamps inside the period (whole local days)."""
    return (ts >= PERIOD_START) & (ts < PERIOD_END + pd.Timedelta(days=1))


def business_day_on_or_after(days: pd.Series) -> pd.Series:
    """The date itself when it is a weekday, else the next Monday."""
    values = days.to_numpy().astype("datetime64[D]")
    return pd.Series(pd.to_datetime(np.busday_offset(values, 0, roll="forward")),
                     index=days.index)


def plus_business_days(days: pd.Series, n: np.ndarray | int) -> pd.Series:
    """Dates moved forward by ``n`` weekdays, starting from the next weekday on or after."""
    values = days.to_numpy().astype("datetime64[D]")
    return pd.Series(pd.to_datetime(np.busday_offset(values, n, roll="forward")),
                     index=days.index)


def build(seed: int, convention: Convention) -> World:
    """A healthy company for ``seed`` written later under ``convention``."""
    rng = np.random.default_rng(seed)
    world = World(seed=seed, convention=convention)
    _products(world, rng)
    _stock_plan(world, rng)
    _orders(world, rng)
    _shipments(world, rng)
    _returns(world, rng)
    _inventory(world, rng)
    _purchasing(world, rng)
    _invoices(world, rng)
    _ledger(world, rng)
    _people_and_access(world, rng)
    _phone_and_crm(world, rng)
    _work(world, rng)
    _marketing(world, rng)
    return world


# -- catalog and stock ------------------------------------------------------------------------

def _products(world: World, rng: np.random.Generator) -> None:
    categories = ["TEA", "MUG", "KIT", "GFT"]
    price = np.round(rng.uniform(32, 160, N_SKUS) / 1) - 0.05
    cost = np.round(price * rng.uniform(0.36, 0.48, N_SKUS), 2)
    cats = rng.choice(categories, N_SKUS)
    skus = [f"{c}-{2000 + i * 7}" for i, c in enumerate(cats)]
    popularity = 1.0 / np.arange(1, N_SKUS + 1) ** 0.7
    popularity = popularity / popularity.sum()
    world.tables["products"] = pd.DataFrame({
        "sku": skus, "name": [f"{c.title()} item {i}" for i, c in enumerate(cats)],
        "category": cats, "unit_cost": cost, "price": price,
        "weight": np.round(rng.uniform(0.4, 6.0, N_SKUS), 2), "active": True,
        "vendor": rng.choice(["Harbor Imports", "Lakeside Ceramics", "Maple Trading"], N_SKUS),
        "_popularity": popularity,
    })
    world.fast_skus = skus[:N_FAST]


def _stock_plan(world: World, rng: np.random.Generator) -> None:
    """Which SKU-days of the period no stocking location has the SKU: 1%, exactly."""
    skus = world.tables["products"]["sku"]
    days = pd.date_range(PERIOD_START, PERIOD_END, freq="D")
    grid = pd.MultiIndex.from_product([skus, days], names=["sku", "day"]).to_frame(index=False)
    n_out = round(HEALTHY["out"] * len(grid))
    world.out_days = _runs_of_days(grid, n_out, rng)


def _runs_of_days(grid: pd.DataFrame, n_out: int, rng: np.random.Generator,
                  exclude: pd.DataFrame | None = None) -> pd.DataFrame:
    """``n_out`` SKU-days from ``grid``, in runs of 2-6 consecutive days (as stockouts are)."""
    taken: set[tuple[str, pd.Timestamp]] = set()
    if exclude is not None:
        taken = set(zip(exclude["sku"], exclude["day"], strict=True))
    chosen: list[tuple[str, pd.Timestamp]] = []
    skus = grid["sku"].unique()
    days = pd.DatetimeIndex(grid["day"].unique()).sort_values()
    while len(chosen) < n_out:
        sku = skus[rng.integers(len(skus))]
        start = int(rng.integers(len(days)))
        for day in days[start:start + int(rng.integers(2, 7))]:
            if len(chosen) < n_out and (sku, day) not in taken:
                taken.add((sku, day))
                chosen.append((sku, day))
    return pd.DataFrame(chosen, columns=["sku", "day"])


# -- orders ----------------------------------------------------------------------------------

def _orders(world: World, rng: np.random.Generator) -> None:
    products = world.tables["products"].set_index("sku")
    days = pd.date_range(HISTORY_START, PERIOD_END, freq="D")
    weekday = days.day_of_week < 5
    n_web = rng.poisson(np.where(weekday, 20, 14))
    n_wholesale = np.where(weekday, rng.poisson(1.6, len(days)), 0)
    frames = []
    for channel, counts, low, high in (("web", n_web, 6.0, 23.9),
                                       ("wholesale", n_wholesale, 8.0, 17.0)):
        day = np.repeat(days.to_numpy(), counts)
        hours = rng.uniform(low, high, len(day))
        frames.append(pd.DataFrame({
            "ordered_at": pd.to_datetime(day) + pd.to_timedelta(np.round(hours * 3600), unit="s"),
            "_channel": channel}))
    orders = pd.concat(frames, ignore_index=True).sort_values("ordered_at", kind="stable")
    orders = orders.reset_index(drop=True)
    orders.insert(0, "_n", np.arange(1, len(orders) + 1))
    web = (orders["_channel"] == "web").to_numpy()
    # customers: a web order is a returning customer's 35% of the time
    returning = web & (rng.random(len(orders)) < 0.35)
    returning[np.flatnonzero(web)[:1]] = False
    new_number = np.cumsum(web & ~returning) - 1
    pick = (rng.random(len(orders)) * np.maximum(new_number, 1)).astype(int)
    customer = np.where(returning, pick, new_number)
    wholesale_accounts = np.array([f"W{100 + i}" for i in range(40)])
    orders["customer_id"] = np.where(
        web, np.char.add("C", (50000 + customer).astype(str)),
        wholesale_accounts[rng.integers(0, 40, len(orders))])
    # lines: 1-3 distinct SKUs on web orders, 3-7 on wholesale, never a SKU that is out
    k = np.where(web, rng.choice([1, 1, 1, 2, 2, 3], len(orders)),
                 rng.integers(3, 8, len(orders)))
    n_of_line = np.repeat(orders["_n"].to_numpy(), k)
    day_of_line = np.repeat(orders["ordered_at"].dt.normalize().to_numpy(), k)
    skus = products.index.to_numpy()
    weights = products["_popularity"].to_numpy()
    sku_of_line = rng.choice(len(skus), len(n_of_line), p=weights)
    out_keys = set(zip(world.out_days["sku"], world.out_days["day"], strict=True))
    frame = pd.DataFrame({"_n": n_of_line, "s": sku_of_line, "day": day_of_line})
    for _ in range(50):
        bad = frame.duplicated(["_n", "s"]).to_numpy() | np.array(
            [(skus[s], d) in out_keys for s, d in zip(frame["s"], frame["day"], strict=True)])
        if not bad.any():
            break
        frame.loc[bad, "s"] = rng.choice(len(skus), int(bad.sum()), p=weights)
    line_web = np.repeat(web, k)
    qty = np.where(line_web, rng.choice([1, 1, 1, 2], len(frame)),
                   rng.integers(6, 25, len(frame)))
    price = products["price"].to_numpy()[frame["s"].to_numpy()]
    lines = pd.DataFrame({"_n": frame["_n"], "sku": skus[frame["s"].to_numpy()],
                          "quantity": qty,
                          "unit_price": np.where(line_web, price, np.round(price * 0.6, 2))})
    lines["line_discount"] = 0.0
    subtotal = (lines["quantity"] * lines["unit_price"]).groupby(lines["_n"]).sum()
    orders["subtotal"] = orders["_n"].map(subtotal).round(2)
    web = orders["_channel"] == "web"
    code = np.where(web & (rng.random(len(orders)) < 0.22), "WELCOME10", "")
    orders["discount_code"] = code
    orders["discount_total"] = np.where(code != "", (orders["subtotal"] * 0.10).round(2), 0.0)
    net = orders["subtotal"] - orders["discount_total"]
    orders["shipping_charged"] = np.where(web & (net < 100), 8.95, 0.0)
    orders["tax"] = np.where(web, (net * 0.07).round(2), 0.0)
    orders["total"] = (net + orders["shipping_charged"] + orders["tax"]).round(2)
    orders["source"] = np.where(
        web, rng.choice(["google", "meta", "email", "direct"], len(orders)), "sales_rep")
    unknown = rng.random(len(orders)) < 0.04
    orders.loc[unknown, "source"] = None
    orders["campaign"] = np.where(orders["source"].isin(["google", "meta"]),
                                  orders["source"] + "_prospecting", None)
    kinds = np.full(len(orders), LIVE, dtype=object)
    draw = rng.random(len(orders))
    edge = 0.0
    for kind, rate in NON_LIVE_RATES.items():
        if kind in world.convention.statuses:
            kinds[web.to_numpy() & (draw >= edge) & (draw < edge + rate)] = kind
            edge += rate
    orders["_kind"] = kinds
    test = orders["_kind"] == TEST
    orders.loc[test, ["discount_code"]] = "TEST100"
    orders.loc[test, "discount_total"] = orders.loc[test, "subtotal"]
    orders.loc[test, ["shipping_charged", "tax", "total"]] = 0.0
    orders["paid_at"] = orders["ordered_at"] + pd.to_timedelta(
        rng.integers(5, 600, len(orders)), unit="s")
    orders.loc[orders["_kind"].isin([DRAFT, CANCELLED]), "paid_at"] = pd.NaT
    orders.loc[~web, "paid_at"] = pd.NaT  # wholesale pays its invoice later
    # promise: ship by the end of the second business day after the order (order day counts
    # when it is a business day and the order came before the cut-off)
    day = orders["ordered_at"].dt.normalize()
    first = business_day_on_or_after(day)
    late_in_day = (orders["ordered_at"].dt.hour >= SHIP_CUTOFF_HOUR) | (first != day)
    orders["_first_ship_day"] = plus_business_days(day, np.where(late_in_day, 1, 0))
    orders["promised_ship_by"] = plus_business_days(orders["_first_ship_day"], 1)
    orders["promised_delivery_by"] = plus_business_days(orders["promised_ship_by"], 5)
    orders["currency"] = "USD"
    world.tables["orders"] = orders
    world.tables["order_lines"] = lines


def _shipments(world: World, rng: np.random.Generator) -> None:
    """First business day the order could ship; 80% that day, 19% the next, 1% late."""
    orders = world.tables["orders"]
    shipped = orders[orders["_kind"].isin([LIVE, REFUNDED])]
    n = len(shipped)
    offset = np.where(rng.random(n) < 0.80, 0, 1)
    late = _exact_mask(n, HEALTHY["late"], rng)
    offset = np.where(late, 2 + rng.integers(1, 4, n), offset)
    ship_day = plus_business_days(shipped["_first_ship_day"], offset)
    earliest = np.where(ship_day == shipped["ordered_at"].dt.normalize(),
                        shipped["ordered_at"].dt.hour + shipped["ordered_at"].dt.minute / 60 + 0.5,
                        9.0)
    hour = earliest + rng.uniform(0, 1, n) * (17.5 - earliest)
    shipped_at = ship_day + pd.to_timedelta(np.round(hour * 3600), unit="s")
    lines = world.tables["order_lines"]
    all_fast = lines.assign(fast=lines["sku"].isin(world.fast_skus)).groupby("_n")["fast"].all()
    hub = world.convention.stock == "fast_second"
    warehouse = np.where(hub & shipped["_n"].map(all_fast).to_numpy(), "Hub East", "Main")
    cost = np.round(5.2 + rng.gamma(2.0, 0.7, n), 2)
    wholesale = (shipped["_channel"] == "wholesale").to_numpy()
    cost = np.where(wholesale, np.round(18 + rng.gamma(2, 4, n), 2), cost)
    ship = pd.DataFrame({
        "_n": shipped["_n"].to_numpy(), "shipped_at": shipped_at.to_numpy(),
        "delivered_at": (shipped_at + pd.to_timedelta(rng.uniform(1.5, 4.5, n), unit="D")
                         ).to_numpy(),
        "carrier": rng.choice(["UPS", "USPS", "FedEx"], n), "service": "Ground",
        "shipping_cost": cost, "warehouse": warehouse,
        "address_corrected": _exact_mask(n, 0.003, rng), "reship": False,
        "_late": late,
    })
    world.tables["shipments"] = ship
    wholesale_charge = ship.set_index("_n")["shipping_cost"].where(
        pd.Series(wholesale, index=ship["_n"].to_numpy()))
    is_wholesale = orders["_channel"] == "wholesale"
    charged = orders.loc[is_wholesale, "_n"].map(wholesale_charge).fillna(0.0)
    orders.loc[is_wholesale, "shipping_charged"] = charged
    orders.loc[is_wholesale, "total"] = (orders.loc[is_wholesale, "subtotal"] + charged).round(2)


def _exact_mask(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask with exactly round(rate × n) True values, at random places."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, round(rate * n), replace=False)] = True
    return mask


def _returns(world: World, rng: np.random.Generator) -> None:
    orders = world.tables["orders"].set_index("_n")
    ship = world.tables["shipments"]
    lines = world.tables["order_lines"].drop_duplicates("_n").set_index("_n")["sku"]
    refunded = orders.index[orders["_kind"] == REFUNDED]
    live = ship["_n"][ship["_n"].map(orders["_kind"]) == LIVE].to_numpy()
    changed = rng.choice(live, int(0.03 * len(live)), replace=False)
    wrong = rng.choice(np.setdiff1d(live, changed), int(0.0015 * len(live)), replace=False)
    rows = []
    shipped_at = ship.set_index("_n")["shipped_at"]
    for n, reason in [*((n, "changed_mind") for n in changed),
                      *((n, "wrong_item") for n in wrong),
                      *((n, "changed_mind") for n in refunded)]:
        at = shipped_at[n] + pd.Timedelta(days=float(rng.uniform(5, 12)))
        amount = float(orders.at[n, "total"]) if orders.at[n, "_kind"] == REFUNDED else round(
            float(orders.at[n, "subtotal"]) * 0.5, 2)
        rows.append((n, at, lines[n], reason, amount))
    world.tables["returns"] = pd.DataFrame(
        rows, columns=["_n", "returned_at", "sku", "reason", "refund_amount"])


def _inventory(world: World, rng: np.random.Generator) -> None:
    """Daily snapshots per stocking location; a SKU is out only on its planned out-days."""
    skus = world.tables["products"]["sku"].tolist()
    days = pd.date_range(PERIOD_START, PERIOD_END, freq="D")
    out = world.out_days.assign(out=True).set_index(["sku", "day"])["out"]
    grid = pd.MultiIndex.from_product([skus, days], names=["sku", "as_of"]).to_frame(index=False)
    is_out = grid.set_index(["sku", "as_of"]).index.isin(out.index)
    base = rng.integers(8, 60, len(grid))
    frames = []
    style = world.convention.stock
    if style == "fast_second":
        fast = grid["sku"].isin(world.fast_skus).to_numpy()
        # the hub holds the fast SKUs; main holds them only now and then
        hub = grid[fast].assign(on_hand=np.where(is_out[fast], 0, base[fast]),
                                location="Hub East")
        main_has = rng.random(len(grid)) < 0.4
        main = grid.assign(on_hand=np.where(is_out | (fast & ~main_has), 0, base),
                           location="Main")
        frames = [main, hub]
        world.stocking = {"Main": skus, "Hub East": list(world.fast_skus)}
    else:
        frames = [grid.assign(on_hand=np.where(is_out, 0, base), location="Main")]
        world.stocking = {"Main": skus}
        if style == "never_stocked":
            shown = skus[:10]
            show = grid.assign(on_hand=np.where(grid["sku"].isin(shown) & ~is_out, 2, 0),
                               location="Showroom")
            frames.append(show)
            world.stocking["Showroom"] = shown
    levels = pd.concat(frames, ignore_index=True)
    levels["as_of"] = levels["as_of"] + pd.Timedelta(hours=23)
    world.tables["inventory_levels"] = levels
    # cycle counts: 6 a business day in the period, 98.5% exact
    count_days = pd.bdate_range(PERIOD_START, PERIOD_END)
    n = 6 * len(count_days)
    counted_at = np.repeat(count_days, 6) + pd.to_timedelta(rng.uniform(8, 16, n), unit="h")
    system = rng.integers(5, 60, n)
    wrong = _exact_mask(n, HEALTHY["count_errors"], rng)
    counted = np.where(wrong, np.maximum(system - rng.integers(1, 4, n), 0), system)
    cost = world.tables["products"].set_index("sku")["unit_cost"]
    sku = rng.choice(skus, n)
    world.tables["inventory_counts"] = pd.DataFrame({
        "sku": sku, "counted_at": counted_at.round("s"), "counted_qty": counted,
        "system_qty": system, "location": "Main", "unit_cost": cost[sku].to_numpy()})


def _purchasing(world: World, rng: np.random.Generator) -> None:
    products = world.tables["products"]
    rows, bills = [], []
    for i, week in enumerate(pd.date_range(HISTORY_START, PERIOD_END, freq="W-TUE")):
        vendor = products["vendor"].iloc[i % 3]
        mine = products[products["vendor"] == vendor].sample(6, random_state=int(
            rng.integers(1 << 30)), replace=len(products[products["vendor"] == vendor]) < 6)
        po = f"PO-{7000 + i}"
        total = 0.0
        for _, p in mine.drop_duplicates("sku").iterrows():
            qty = int(rng.integers(20, 80))
            unit = round(float(p["unit_cost"]) * 0.96, 2)
            freight = round(float(p["unit_cost"]) * 0.04 * qty, 2)
            rows.append((po, p["sku"], week, qty, unit, freight, 0.0, vendor))
            total += unit * qty + freight
        bills.append((f"B-{3000 + i}", vendor, week, round(total + i * 0.37, 2),
                      f"INV-{vendor[:3].upper()}-{880 + i}", week + pd.Timedelta(days=30),
                      week + pd.Timedelta(days=28)))
    world.tables["purchase_orders"] = pd.DataFrame(rows, columns=[
        "po_id", "sku", "received_at", "quantity", "unit_cost", "freight", "duty", "vendor"])
    world.tables["bills"] = pd.DataFrame(bills, columns=[
        "bill_id", "vendor", "issued_at", "amount", "reference", "due_at", "paid_at"])


def _invoices(world: World, rng: np.random.Generator) -> None:
    """Invoices for the orders the business invoices; wholesale on net 30."""
    orders = world.tables["orders"]
    billed = orders[orders["_kind"].isin([LIVE, REFUNDED])]
    if world.convention.invoicing == "wholesale_only":
        billed = billed[billed["_channel"] == "wholesale"]
    wholesale = (billed["_channel"] == "wholesale").to_numpy()
    issued = billed["ordered_at"].dt.normalize()
    terms = np.where(wholesale, 30, 0)
    due = issued + pd.to_timedelta(terms, unit="D")
    paid = np.where(wholesale, due + pd.to_timedelta(rng.integers(-10, 1, len(billed)), unit="D")
                    + pd.Timedelta(hours=11), billed["paid_at"])
    paid = pd.Series(pd.to_datetime(paid), index=billed.index)
    export_day = PERIOD_END + pd.Timedelta(days=1)
    paid = paid.where(paid < export_day)
    world.tables["invoices"] = pd.DataFrame({
        "_n": billed["_n"].to_numpy(), "issued_at": issued.to_numpy(),
        "amount": billed["total"].to_numpy(), "customer_id": billed["customer_id"].to_numpy(),
        "due_at": due.to_numpy(), "paid_at": paid.to_numpy(),
        "amount_paid": np.where(paid.notna(), billed["total"], 0.0)})


def _ledger(world: World, rng: np.random.Generator) -> None:
    """Daily system postings per channel; month-end manual journals keyed within 5 days."""
    conv = world.convention
    orders = world.tables["orders"]
    booked = orders[orders["_kind"].isin([LIVE, REFUNDED])].copy()
    cost = world.tables["products"].set_index("sku")["unit_cost"]
    lines = world.tables["order_lines"]
    cogs = (lines["quantity"] * lines["sku"].map(cost)).groupby(lines["_n"]).sum()
    booked["cogs"] = booked["_n"].map(cogs)
    booked["day"] = booked["ordered_at"].dt.normalize()
    daily = booked.groupby(["day", "_channel"]).agg(
        subtotal=("subtotal", "sum"), discount=("discount_total", "sum"),
        shipping=("shipping_charged", "sum"), tax=("tax", "sum"), total=("total", "sum"),
        cogs=("cogs", "sum")).reset_index()
    rows: list[tuple] = []
    entry = 0

    def post(day: pd.Timestamp, account: str, amount: float, kind: str, source: str,
             entered: pd.Timestamp, memo: str) -> None:
        rows.append((day, account, round(amount, 2), kind, f"JE{entry:06d}", memo, source,
                     entered))

    for r in daily.itertuples():
        entry += 1
        entered = r.day + pd.Timedelta(hours=26, minutes=int(rng.integers(0, 50)))
        sales = "Wholesale Sales" if r._2 == "wholesale" else "Online Sales"
        if conv.revenue_accounts == "contra":
            post(r.day, sales, -r.subtotal, "revenue", "system", entered, "Daily sales")
            if r.discount:
                post(r.day, "Sales Discounts", r.discount, "revenue", "system", entered,
                     "Daily discounts")
        else:
            post(r.day, sales, -(r.subtotal - r.discount), "revenue", "system", entered,
                 "Daily sales")
        if r.shipping:
            post(r.day, "Shipping Income" if conv.shipping_income else "Freight Out",
                 -r.shipping, "revenue" if conv.shipping_income else "expense", "system",
                 entered, "Shipping charged")
        if r.tax:
            post(r.day, "Sales Tax Payable", -r.tax, "liability", "system", entered, "Tax")
        post(r.day, "Undeposited Funds" if r._2 == "web" else "Accounts Receivable",
             r.total, "asset", "system", entered, "Daily sales")
        post(r.day, "Cost of Goods Sold", r.cogs, "cogs", "system", entered, "COGS")
        post(r.day, "Inventory", -r.cogs, "asset", "system", entered, "COGS")
    refunds = world.tables["returns"].merge(orders[["_n", "_kind", "subtotal", "discount_total",
                                                    "shipping_charged", "tax"]], on="_n")
    for r in refunds[refunds["_kind"] == REFUNDED].itertuples():
        entry += 1
        day = r.returned_at.normalize()
        entered = day + pd.Timedelta(hours=27)
        post(day, "Sales Returns", r.subtotal - r.discount_total, "revenue", "system",
             entered, "Refund")
        if r.shipping_charged:
            post(day, "Shipping Income" if conv.shipping_income else "Freight Out",
                 r.shipping_charged, "revenue" if conv.shipping_income else "expense",
                 "system", entered, "Refund")
        if r.tax:
            post(day, "Sales Tax Payable", r.tax, "liability", "system", entered, "Refund")
        post(day, "Undeposited Funds", -r.refund_amount, "asset", "system", entered, "Refund")
    for month_end in pd.date_range(HISTORY_START, PERIOD_END, freq="ME"):
        for account, amount in (("Rent", 6500.0), ("Payroll", 61000.0), ("Software", 2100.0),
                                ("Depreciation", 900.0)):
            entry += 1
            entered = month_end + pd.Timedelta(days=int(rng.integers(2, 5)), hours=10)
            post(month_end, account, amount, "expense", "manual", entered, "Month-end")
            post(month_end, "Operating Cash" if account != "Depreciation"
                 else "Accumulated Depreciation", -amount, "asset", "manual", entered,
                 "Month-end")
    world.tables["gl_entries"] = pd.DataFrame(rows, columns=[
        "posted_at", "account", "amount", "account_type", "entry_id", "memo", "source",
        "entered_at"])


# -- people, systems, access ------------------------------------------------------------------

STAFF = [("Dana Ruiz", "leadership"), ("Owen Blake", "leadership"), ("Priya Nair", "finance"),
         ("Sam Cole", "finance"), ("Lena Ortiz", "operations"), ("Marco Silva", "operations"),
         ("Jada Kim", "operations"), ("Tariq Hale", "operations"), ("Ines Costa", "operations"),
         ("Rory Finch", "customer_service"), ("Mei Tan", "customer_service"),
         ("Ada Brooks", "customer_service"), ("Victor Lund", "sales"), ("Nora Quinn", "sales"),
         ("Eli Grant", "sales"), ("Zoe Park", "marketing"), ("Hugo Wren", "marketing"),
         ("Lila Moss", "operations")]
SYSTEMS = {  # system -> (functions with a seat, seat cost)
    "Google Workspace": (None, 14.0), "Slack": (None, 8.75),
    "Shopify": ({"leadership", "operations", "customer_service", "marketing"}, 0.0),
    "QuickBooks": ({"finance"}, 30.0), "HubSpot": ({"sales"}, 50.0),
    "Aircall": ({"customer_service"}, 40.0),
}


def email_of(person: str) -> str:
    return person.lower().replace(" ", ".") + "@harborgoods.example.com"


def _people_and_access(world: World, rng: np.random.Generator) -> None:
    people = pd.DataFrame(STAFF, columns=["person", "function"])
    people["started_on"] = pd.to_datetime("2019-01-07") + pd.to_timedelta(
        rng.integers(0, 1500, len(people)), unit="D")
    people["ended_on"] = pd.NaT
    people["email"] = people["person"].map(email_of)
    people["fte"] = 1.0
    people["hourly_cost"] = rng.integers(32, 70, len(people)).astype(float)
    # one person left in the period: every account of theirs is disabled, logged in last on
    # their leaving day (a date: the end of that day)
    leaver = "Lila Moss"
    left_on = PERIOD_START + pd.Timedelta(days=40)
    people.loc[people["person"] == leaver, "ended_on"] = left_on
    world.tables["people"] = people
    rows = []
    for system, (functions, _) in SYSTEMS.items():
        members = people if functions is None else people[people["function"].isin(functions)]
        for i, p in enumerate(members.itertuples()):
            gone = p.person == leaver
            login = (left_on + pd.Timedelta(hours=15, minutes=int(rng.integers(0, 120)))
                     if gone else PERIOD_END - pd.Timedelta(days=int(rng.integers(0, 20)))
                     + pd.Timedelta(hours=float(rng.uniform(8, 18))))
            rows.append((system, p.email, p.person, i < 2 and len(members) >= 11, True,
                         login.round("s"), p.started_on + pd.Timedelta(hours=10), gone))
    accounts = pd.DataFrame(rows, columns=["system", "user", "person", "is_admin", "mfa_enabled",
                                           "last_login_at", "created_at", "disabled"])
    small = accounts.groupby("system")["user"].transform("size") < 11
    accounts.loc[small & (accounts.groupby("system").cumcount() == 0), "is_admin"] = True
    world.tables["accounts"] = accounts
    enabled = accounts[~accounts["disabled"]].groupby("system").size()
    world.tables["systems"] = pd.DataFrame({
        "system": list(SYSTEMS), "category": ["productivity", "communication", "ecommerce",
                                              "accounting", "crm", "phone"],
        "owner": ["Owen Blake", "Owen Blake", "Lena Ortiz", "Priya Nair", "Victor Lund",
                  "Rory Finch"],
        "admins": [int(accounts[(accounts["system"] == s) & accounts["is_admin"]].shape[0])
                   for s in SYSTEMS],
        "monthly_cost": [round(enabled.get(s, 0) * c, 2) for s, (_, c) in SYSTEMS.items()],
        "seats": [int(enabled.get(s, 0)) for s in SYSTEMS],
        "seat_cost": [c for _, c in SYSTEMS.values()]})
    world.tables["integrations"] = pd.DataFrame([
        ("Shopify", "QuickBooks", "api", "daily", "Priya Nair"),
        ("Shopify", "HubSpot", "native", "realtime", "Zoe Park"),
        ("Aircall", "HubSpot", "native", "realtime", "Victor Lund"),
        ("Shopify", "ShipStation", "native", "realtime", "Lena Ortiz"),
    ], columns=["source_system", "target_system", "method", "frequency", "owner"])


def _phone_and_crm(world: World, rng: np.random.Generator) -> None:
    """Inbound calls, callbacks, leads, deals and the customer records of shop and CRM."""
    days = pd.bdate_range(PERIOD_START - pd.Timedelta(days=14), PERIOD_END)
    rows = []
    call = 0
    agents = ["Rory Finch", "Mei Tan", "Ada Brooks", "Victor Lund"]
    for day in days:
        for _ in range(int(rng.poisson(24))):
            call += 1
            at = day + pd.Timedelta(seconds=int(rng.uniform(8.5, 17.5) * 3600))
            number = f"+1555{int(rng.integers(1000000, 9999999)):07d}"
            rows.append([f"{call}", at, "inbound", "answered", number, "+15550100100",
                         int(rng.integers(60, 900)), agents[int(rng.integers(4))]])
    calls = pd.DataFrame(rows, columns=["call_id", "started_at", "direction", "outcome",
                                        "from_number", "to_number", "duration_s", "agent"])
    world.tables["calls"] = calls
    set_missed(world, HEALTHY["missed"], HEALTHY["unrecovered"], rng)
    # leads: 3 a business day, answered in 5-40 minutes, 3% never answered
    lead_days = pd.bdate_range(PERIOD_START - pd.Timedelta(days=14), PERIOD_END)
    n = 3 * len(lead_days)
    created = np.repeat(lead_days, 3) + pd.to_timedelta(rng.uniform(8, 17, n), unit="h")
    leads = pd.DataFrame({
        "lead_id": [f"L-{i + 1:05d}" for i in range(n)], "created_at": created.round("s"),
        "source": rng.choice(["website", "trade_show", "referral"], n),
        "owner": rng.choice(["Victor Lund", "Nora Quinn", "Eli Grant"], n),
        "first_response_at": (created + pd.to_timedelta(rng.uniform(5, 40, n), unit="min")
                              ).round("s"),
        "status": "contacted", "converted_at": pd.NaT,
        "value": np.round(rng.uniform(1500, 6000, n), 2)})
    world.tables["leads"] = leads
    set_never_answered(world, HEALTHY["never_answered"], rng)
    # deals: open pipeline kept current; won and lost deals closed in the period
    m = 60
    created = PERIOD_START + pd.to_timedelta(rng.uniform(0, 80, m), unit="D")
    state = rng.choice(["open", "won", "lost"], m, p=[0.5, 0.3, 0.2])
    closed = created + pd.to_timedelta(rng.uniform(5, 9, m), unit="D")
    last = np.where(state == "open", PERIOD_END - pd.to_timedelta(rng.uniform(1, 12, m),
                                                                  unit="D"), closed)
    close_date = np.where(state == "open", (PERIOD_END + pd.to_timedelta(
        rng.integers(0, 40, m), unit="D")).normalize(), closed.normalize())
    world.tables["deals"] = pd.DataFrame({
        "deal_id": [f"D-{900 + i}" for i in range(m)], "created_at": created.round("s"),
        "stage": np.select([state == "won", state == "lost"], ["closed_won", "closed_lost"],
                           "proposal"),
        "amount": np.round(rng.uniform(2000, 9000, m), 2),
        "owner": rng.choice(["Victor Lund", "Nora Quinn", "Eli Grant"], m),
        "closed_at": pd.Series(closed.round("s")).where(state != "open").to_numpy(),
        "won": np.where(state == "open", None, state == "won"),
        "last_activity_at": pd.to_datetime(last).round("s"), "close_date": close_date})
    # customers: every shop customer once, wholesale accounts also in the CRM (other ids,
    # same company: one record per system is not a duplicate person) -> 1% duplicates
    orders = world.tables["orders"]
    first = orders.sort_values("ordered_at").drop_duplicates("customer_id")
    names = [f"Customer {c}" for c in first["customer_id"]]
    customers = pd.DataFrame({
        "customer_id": first["customer_id"].to_numpy(), "system": "shopify", "name": names,
        "email": [f"{c.lower()}@mail.example.net" for c in first["customer_id"]],
        "phone": [f"+1555{int(x):07d}" for x in rng.integers(1000000, 9999999, len(first))],
        "company": None, "created_at": first["ordered_at"].to_numpy()})
    world.tables["customers"] = customers
    set_duplicates(world, HEALTHY["duplicates"], rng)


def set_missed(world: World, missed: float, unrecovered: float,
               rng: np.random.Generator) -> None:
    """Exactly ``missed`` of the period's inbound calls go unanswered; all but
    ``unrecovered`` of those callers get an outbound call back within 15-45 minutes."""
    calls = world.tables["calls"]
    calls = calls[calls["direction"] == "inbound"].assign(outcome="answered")
    inside = in_period(calls["started_at"]).to_numpy()
    idx = np.flatnonzero(inside)
    chosen = rng.choice(idx, round(missed * len(idx)), replace=False)
    calls.iloc[chosen, calls.columns.get_loc("outcome")] = rng.choice(
        ["missed", "voicemail", "abandoned"], len(chosen))
    calls.iloc[chosen, calls.columns.get_loc("duration_s")] = 0
    lost = set(rng.choice(chosen, round(unrecovered * len(chosen)), replace=False))
    back = []
    for i in chosen:
        if i in lost:
            continue
        row = calls.iloc[i]
        back.append([f"{row['call_id']}b", row["started_at"] + pd.Timedelta(
            minutes=float(rng.uniform(15, 45))), "outbound", "answered", "+15550100100",
            row["from_number"], int(rng.integers(60, 400)), row["agent"]])
    callbacks = pd.DataFrame(back, columns=calls.columns)
    callbacks["started_at"] = callbacks["started_at"].dt.round("s")
    world.tables["calls"] = pd.concat([calls, callbacks], ignore_index=True).sort_values(
        "started_at", kind="stable").reset_index(drop=True)


def set_never_answered(world: World, share: float, rng: np.random.Generator) -> None:
    """Exactly ``share`` of the period's leads never get a first response."""
    leads = world.tables["leads"]
    leads["first_response_at"] = leads["created_at"] + pd.to_timedelta(
        rng.uniform(5, 40, len(leads)), unit="min")
    leads["first_response_at"] = leads["first_response_at"].dt.round("s")
    idx = np.flatnonzero(in_period(leads["created_at"]).to_numpy())
    never = rng.choice(idx, round(share * len(idx)), replace=False)
    leads.iloc[never, leads.columns.get_loc("first_response_at")] = pd.NaT
    leads["status"] = np.where(leads["first_response_at"].isna(), "new", "contacted")


def set_duplicates(world: World, share: float, rng: np.random.Generator) -> None:
    """Add CRM copies of shop customers so duplicates ÷ records is ``share`` (to a record)."""
    customers = world.tables["customers"]
    customers = customers[customers["system"] == "shopify"]
    n = len(customers)
    k = round(share * n / (1 - share))
    copies = customers.iloc[rng.choice(n, k, replace=False)].copy()
    copies["customer_id"] = [f"HS-{i + 1:05d}" for i in range(k)]
    copies["system"] = "hubspot"
    copies["email"] = copies["email"].str.upper()
    world.tables["customers"] = pd.concat([customers, copies], ignore_index=True)


def _work(world: World, rng: np.random.Generator) -> None:
    """Recurring tasks, each done in turns by two people, all under 6 hours a month."""
    tasks = [("Pick list review", "operations", "reporting", "Shopify", None, 60),
             ("Reconcile payouts", "finance", "reconciliation", "Shopify", "QuickBooks", 70),
             ("Weekly sales report", "sales", "reporting", "HubSpot", None, 45),
             ("Update stock sheet", "operations", "data_entry", "Shopify", None, 50),
             ("Answer tickets", "customer_service", "customer_service", "Gorgias", None, 240),
             ("Key trade orders", "sales", "rekeying", "HubSpot", "Shopify", 40)]
    people = world.tables["people"]
    staff = people[people["ended_on"].isna()]
    rows = []
    weeks = pd.date_range(PERIOD_START, PERIOD_END, freq="W-WED")
    for task, function, category, system, target, minutes in tasks:
        pair = staff[staff["function"] == function]["person"].tolist()[:2]
        for i, week in enumerate(weeks):
            if category == "customer_service":
                for day in pd.bdate_range(week - pd.Timedelta(days=2), week + pd.Timedelta(days=2)):
                    if PERIOD_START <= day <= PERIOD_END:
                        rows.append((pair[(i + day.day) % 2], task, day, minutes, system, target,
                                     category, True))
            else:
                rows.append((pair[i % 2], task, week, minutes, system, target, category, True))
    world.tables["tasks"] = pd.DataFrame(rows, columns=[
        "person", "task", "performed_on", "minutes", "system", "target_system", "category",
        "recurring"])
    world.tables["processes"] = pd.DataFrame([
        (name, owner, backup, True, PERIOD_END - pd.Timedelta(days=int(rng.integers(20, 200))),
         "high", freq, value)
        for name, owner, backup, freq, value in [
            ("Order fulfillment", "Lena Ortiz", "Marco Silva", "daily", 9000.0),
            ("Month-end close", "Priya Nair", "Sam Cole", "monthly", 1500.0),
            ("Purchasing", "Marco Silva", "Jada Kim", "weekly", 2500.0),
            ("Trade orders", "Victor Lund", "Nora Quinn", "daily", 3000.0),
            ("Customer support", "Rory Finch", "Mei Tan", "daily", 1200.0)]],
        columns=["process", "owner", "backup_owner", "documented", "last_reviewed_on",
                 "criticality", "frequency", "daily_value"])
    world.tables["spreadsheets"] = pd.DataFrame([
        ("Demand plan.xlsx", "Marco Silva", 3, PERIOD_END - pd.Timedelta(days=2, hours=-10),
         True, "Purchasing", True, 1.5),
        ("Payout recon.xlsx", "Priya Nair", 2, PERIOD_END - pd.Timedelta(days=5, hours=-14),
         True, "Month-end close", True, 1.0),
        ("Trade price list.xlsx", "Victor Lund", 2, PERIOD_END - pd.Timedelta(days=9, hours=-9),
         True, "Trade orders", True, 0.5)],
        columns=["file", "owner", "editors", "last_modified_at", "critical", "process",
                 "documented", "hours_per_week"])
    orders = world.tables["orders"]
    events = orders[["_n", "ordered_at"]].rename(columns={"ordered_at": "at"}).assign(
        event="created", actor="shopify", manual=False)
    inside = np.flatnonzero(in_period(orders["ordered_at"]).to_numpy())
    edited = orders.iloc[rng.choice(inside, int(0.03 * len(inside)), replace=False)]
    edits = edited[["_n", "ordered_at"]].rename(columns={"ordered_at": "at"}).assign(
        event="edited", actor="Jada Kim", manual=True)
    edits["at"] = edits["at"] + pd.Timedelta(minutes=47)
    world.tables["order_events"] = pd.concat([events, edits], ignore_index=True)


def _marketing(world: World, rng: np.random.Generator) -> None:
    """Monthly spend per paid channel: $12 per new customer it brought (payback above 2)."""
    orders = world.tables["orders"]
    first = orders.sort_values("ordered_at").drop_duplicates("customer_id")
    first = first[first["_channel"] == "web"]
    month = first["ordered_at"].dt.to_period("M").dt.to_timestamp()
    new = first.groupby([month, first["source"]]).size()
    rows = [(m, ch, round(count * 12.0 * float(rng.uniform(0.9, 1.1)), 2))
            for (m, ch), count in new.items() if ch in ("google", "meta", "email")]
    world.tables["marketing_spend"] = pd.DataFrame(rows, columns=["month", "channel", "spend"])
