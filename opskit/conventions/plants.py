"""Planted problems at exact, known rates, and the ground truth each one should read as.

Every plant changes the healthy world so that one check's metric, measured under CATALOG.md's
amended conventions (live orders only, local time, end-of-day deadlines, SKU-level stock),
equals a known value; ``truth`` records the expected status and that value. Rates are set by
choosing an exact number of records, so there is no sampling noise in the truth itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.conventions import company
from opskit.conventions.company import LIVE, World, in_period

# check id -> (metric, planted rate); the rates are the brief's, well past each fail line
RATES = {
    "fulfillment.late_shipments": ("late_rate", 0.12),
    "sales.missed_calls": ("missed_rate", 0.25),
    # 15%: costs belong to SKUs, and the catalog judges a revenue share over the SKUs sold;
    # at 8% the 95% bound over this shop's ~60 SKUs does not clear the 5% fail threshold
    "margin.missing_cogs": ("missing_cost_share", 0.15),
    "inventory.stockouts": ("stockout_rate", 0.15),
    "inventory.record_accuracy": ("accuracy", 0.85),
    "security.mfa_gaps": ("no_mfa_share", 0.30),
    "sales.crm_duplicates": ("duplicate_share", 0.12),
    # 35%: on ~200 leads a 25% share's 95% bound (about 19.6%) would not clear the 20% fail
    # threshold, and the catalog judges on the bound
    "sales.speed_to_lead": ("never_answered_share", 0.35),
    # 90%: under wholesale-only invoicing about 110 orders are judged, too few for the bound
    # of a 95% match to rule out the 98% fail threshold
    "integration.orders_vs_invoices": ("match_rate", 0.90),
    "security.departed_staff_access": ("departed_enabled", 6),
    "fulfillment.address_exceptions": ("exception_rate", 0.05),
    "fulfillment.fulfillment_errors": ("error_rate", 0.02),
    "cash.manual_journals": ("manual_share", 0.45),
    "cash.ar_over_90": ("over_90_share", 0.15),
    "cash.duplicate_bills": ("duplicate_share", None),  # two bills keyed twice
    "marketing.attribution_coverage": ("attributed_share", 0.70),
    "security.admin_sprawl": ("max_admin_share", 6 / 17),
    "security.dormant_paid_seats": ("dormant_share", 0.35),
}
LEAVERS = (("Hugo Wren", 50), ("Ines Costa", 61))  # who left, days after the period start


def plant_all(world: World, rng: np.random.Generator) -> None:
    """Plant every problem of RATES into ``world`` and record its truth."""
    late_shipments(world, rng)
    missed_calls(world, rng)
    missing_cogs(world, rng)
    stockouts(world, rng)
    record_accuracy(world, rng)
    departed_staff_access(world, rng)
    admin_sprawl(world, rng)
    dormant_paid_seats(world, rng)
    mfa_gaps(world, rng)
    crm_duplicates(world, rng)
    speed_to_lead(world, rng)
    orders_vs_invoices(world, rng)
    address_exceptions(world, rng)
    fulfillment_errors(world, rng)
    manual_journals(world, rng)
    ar_over_90(world, rng)
    duplicate_bills(world, rng)
    attribution_coverage(world, rng)


def _truth(world: World, check_id: str, value: float, status: str) -> None:
    metric = RATES[check_id][0]
    world.truth[check_id] = {"status": status, "metric": metric, "value": float(value)}


def _live_in_period(world: World) -> pd.DataFrame:
    orders = world.tables["orders"]
    return orders[(orders["_kind"] == LIVE) & in_period(orders["ordered_at"])]


def late_shipments(world: World, rng: np.random.Generator) -> None:
    """Exactly 12% of the period's live shipped orders ship 1-3 business days after the
    promised day; the others ship on or before it (many on the promised day itself)."""
    ship = world.tables["shipments"]
    live = _live_in_period(world).set_index("_n")
    rows = np.flatnonzero(ship["_n"].isin(live.index).to_numpy())
    late = rows[rng.permutation(len(rows))[:round(RATES["fulfillment.late_shipments"][1]
                                                        * len(rows))]]
    promised = ship["_n"].map(live["promised_ship_by"])
    hours = pd.Series(pd.to_timedelta(rng.uniform(9.5, 17.5, len(ship)), unit="h").round("s"),
                      index=ship.index)
    on_due = promised + hours
    was_late = ship["_late"].to_numpy() & ship.index.isin(rows)
    shipped = ship["shipped_at"].where(~was_late, on_due)
    days = pd.Series(company.plus_business_days(promised.iloc[late],
                                                rng.integers(1, 4, len(late))).to_numpy(),
                     index=ship.index[late])
    shipped.iloc[late] = days + hours.iloc[late]
    delta = shipped - ship["shipped_at"]
    ship["shipped_at"] = shipped
    ship["delivered_at"] = ship["delivered_at"] + delta
    ship["_late"] = ship.index.isin(late)
    _truth(world, "fulfillment.late_shipments", len(late) / len(rows), "FAIL")


def missed_calls(world: World, rng: np.random.Generator) -> None:
    """25% of the period's inbound calls missed; 10% of the missed callers never reached."""
    company.set_missed(world, RATES["sales.missed_calls"][1], 0.10, rng)
    calls = world.tables["calls"]
    inbound = calls[(calls["direction"] == "inbound") & in_period(calls["started_at"])]
    _truth(world, "sales.missed_calls", (inbound["outcome"] != "answered").mean(), "FAIL")


def missing_cogs(world: World, rng: np.random.Generator) -> None:
    """Slow and mid SKUs lose their cost until their live revenue is about 15% of the
    period's."""
    lines = world.tables["order_lines"]
    lines = lines[lines["_n"].isin(_live_in_period(world)["_n"])]
    revenue = (lines["quantity"] * lines["unit_price"] - lines["line_discount"]).groupby(
        lines["sku"]).sum()
    total = float(revenue.sum())
    target = RATES["margin.missing_cogs"][1] * total
    candidates = [s for s in rng.permutation(revenue.index.to_numpy())
                  if s not in world.fast_skus]
    chosen, sum_ = [], 0.0
    for sku in sorted(candidates, key=lambda s: -revenue[s]):
        if sum_ + revenue[sku] <= target + 0.002 * total:
            chosen.append(sku)
            sum_ += revenue[sku]
    products = world.tables["products"]
    products.loc[products["sku"].isin(chosen), "unit_cost"] = np.nan
    _truth(world, "margin.missing_cogs", sum_ / total, "FAIL")


def stockouts(world: World, rng: np.random.Generator) -> None:
    """SKU-level out-days (every stocking location at zero) added to reach 15% of the
    SKU-days of the SKUs that sold in the 90 days before the period."""
    orders = world.tables["orders"]
    before = orders[(orders["_kind"] == LIVE) & (orders["ordered_at"] < company.PERIOD_START)
                    & (orders["ordered_at"] >= company.HISTORY_START)]
    lines = world.tables["order_lines"]
    active = lines.loc[lines["_n"].isin(before["_n"]), "sku"].unique()
    days = pd.date_range(company.PERIOD_START, company.PERIOD_END, freq="D")
    grid = pd.MultiIndex.from_product([active, days], names=["sku", "day"]).to_frame(
        index=False)
    current = world.out_days[world.out_days["sku"].isin(active)]
    need = round(RATES["inventory.stockouts"][1] * len(grid)) - len(current)
    extra = company._runs_of_days(grid, need, rng, exclude=current)
    world.out_days = pd.concat([world.out_days, extra], ignore_index=True)
    counts = world.tables["inventory_counts"]
    company._inventory(world, rng)
    world.tables["inventory_counts"] = counts
    out = world.out_days[world.out_days["sku"].isin(active)]
    _truth(world, "inventory.stockouts", len(out) / len(grid), "FAIL")


def record_accuracy(world: World, rng: np.random.Generator) -> None:
    """Exactly 15% of the period's count records differ from the system quantity."""
    counts = world.tables["inventory_counts"]
    n = len(counts)
    wrong = company._exact_mask(n, 1 - RATES["inventory.record_accuracy"][1], rng)
    system = counts["system_qty"].to_numpy()
    counts["counted_qty"] = np.where(wrong, system + rng.choice([-3, -2, -1, 1, 2], n), system)
    _truth(world, "inventory.record_accuracy", 1 - wrong.mean(), "FAIL")


def departed_staff_access(world: World, rng: np.random.Generator) -> None:
    """Two people left in the period; their (non-admin) accounts stay enabled and were last
    used on their leaving day, which is not after they left: WARN, not FAIL."""
    people, accounts = world.tables["people"], world.tables["accounts"]
    for person, after in LEAVERS:
        left = company.PERIOD_START + pd.Timedelta(days=after)
        people.loc[people["person"] == person, "ended_on"] = left
        mine = accounts["person"] == person
        accounts.loc[mine, "is_admin"] = False
        accounts.loc[mine, "last_login_at"] = left + pd.to_timedelta(
            rng.uniform(14, 17.5, int(mine.sum())), unit="h").round("s")
    count = int(accounts["person"].isin([p for p, _ in LEAVERS]).sum())
    world.truth["security.departed_staff_access"] = {
        "status": "WARN", "metric": "departed_enabled", "value": float(count)}


def mfa_gaps(world: World, rng: np.random.Generator) -> None:
    """Exactly 30% of enabled accounts, none of them an admin, without a second factor."""
    accounts = world.tables["accounts"]
    enabled = np.flatnonzero(~accounts["disabled"].to_numpy())
    users = enabled[~accounts["is_admin"].to_numpy()[enabled]]
    k = round(RATES["security.mfa_gaps"][1] * len(enabled))
    accounts.iloc[rng.choice(users, k, replace=False),
                  accounts.columns.get_loc("mfa_enabled")] = False
    _truth(world, "security.mfa_gaps", k / len(enabled), "FAIL")


def crm_duplicates(world: World, rng: np.random.Generator) -> None:
    """CRM copies of shop customers until duplicates are 12% of the customer records."""
    company.set_duplicates(world, RATES["sales.crm_duplicates"][1], rng)
    customers = world.tables["customers"]
    dup = (customers["system"] == "hubspot").sum()
    _truth(world, "sales.crm_duplicates", dup / len(customers), "FAIL")


def speed_to_lead(world: World, rng: np.random.Generator) -> None:
    """35% of the period's leads never answered (the answered ones within 40 minutes)."""
    company.set_never_answered(world, RATES["sales.speed_to_lead"][1], rng)
    leads = world.tables["leads"]
    inside = leads[in_period(leads["created_at"])]
    _truth(world, "sales.speed_to_lead", inside["first_response_at"].isna().mean(), "FAIL")


def orders_vs_invoices(world: World, rng: np.random.Generator) -> None:
    """10% of the period's invoiced live orders lose their invoice (never reached accounting)."""
    invoices = world.tables["invoices"]
    live = _live_in_period(world)
    rows = np.flatnonzero(invoices["_n"].isin(live["_n"]).to_numpy())
    k = round((1 - RATES["integration.orders_vs_invoices"][1]) * len(rows))
    drop = rng.choice(rows, k, replace=False)
    world.tables["invoices"] = invoices.drop(invoices.index[drop]).reset_index(drop=True)
    _truth(world, "integration.orders_vs_invoices", 1 - k / len(rows), "FAIL")


def _period_shipments(world: World) -> pd.DataFrame:
    ship = world.tables["shipments"]
    return ship[in_period(ship["shipped_at"])]


def address_exceptions(world: World, rng: np.random.Generator) -> None:
    """Exactly 5% of the period's shipments (all of live orders) had their address corrected."""
    ship = world.tables["shipments"]
    inside = in_period(ship["shipped_at"])
    live = ship["_n"].isin(world.tables["orders"].loc[
        world.tables["orders"]["_kind"] == LIVE, "_n"])
    ship["address_corrected"] = False
    k = round(RATES["fulfillment.address_exceptions"][1] * int(inside.sum()))
    chosen = rng.choice(np.flatnonzero((inside & live).to_numpy()), k, replace=False)
    ship.iloc[chosen, ship.columns.get_loc("address_corrected")] = True
    returns = world.tables["returns"]
    bounced = (returns["reason"] == "return_to_sender") & in_period(returns["returned_at"])
    _truth(world, "fulfillment.address_exceptions", (k + int(bounced.sum())) / int(inside.sum()),
           "FAIL")


def fulfillment_errors(world: World, rng: np.random.Generator) -> None:
    """Wrong-item returns, received in the period, for 2% of the period's shipped orders."""
    ship = _period_shipments(world)
    shipped = ship["_n"].unique()
    returns = world.tables["returns"]
    errors = returns[returns["reason"].isin(["wrong_item", "missing_item"])
                     & in_period(returns["returned_at"])]
    have = set(errors["_n"])
    need = round(RATES["fulfillment.fulfillment_errors"][1] * len(shipped)) - len(have)
    orders = world.tables["orders"].set_index("_n")
    early = ship[(ship["shipped_at"] < company.PERIOD_END - pd.Timedelta(days=14))
                 & ship["_n"].map(orders["_kind"]).eq(LIVE) & ~ship["_n"].isin(returns["_n"])]
    picked = early.iloc[rng.choice(len(early), need, replace=False)]
    lines = world.tables["order_lines"].drop_duplicates("_n").set_index("_n")["sku"]
    added = pd.DataFrame({
        "_n": picked["_n"].to_numpy(),
        "returned_at": (picked["shipped_at"] + pd.Timedelta(days=6, hours=3)).to_numpy(),
        "sku": picked["_n"].map(lines).to_numpy(),
        "reason": rng.choice(["wrong_item", "missing_item"], need),
        "refund_amount": 0.0})
    world.tables["returns"] = pd.concat([returns, added], ignore_index=True)
    _truth(world, "fulfillment.fulfillment_errors", (len(have) + need) / len(shipped), "FAIL")


def manual_journals(world: World, rng: np.random.Generator) -> None:
    """The wholesale desk keys its daily postings by hand: 45% of the period's ledger lines."""
    gl = world.tables["gl_entries"]
    inside = np.flatnonzero(in_period(gl["posted_at"]).to_numpy())
    manual = gl["source"].to_numpy()[inside] == "manual"
    need = round(RATES["cash.manual_journals"][1] * len(inside)) - int(manual.sum())
    chosen = rng.choice(inside[~manual], need, replace=False)
    gl.iloc[chosen, gl.columns.get_loc("source")] = "manual"
    _truth(world, "cash.manual_journals", (int(manual.sum()) + need) / len(inside), "FAIL")


def _open_at_end(invoices: pd.DataFrame) -> pd.Series:
    end = company.PERIOD_END + pd.Timedelta(days=1)
    return (invoices["issued_at"] < end) & (invoices["paid_at"].isna()
                                            | (invoices["paid_at"] >= end))


def ar_over_90(world: World, rng: np.random.Generator) -> None:
    """Winter invoices (due by 25 March) left unpaid until they are 15% of open receivables."""
    invoices = world.tables["invoices"]
    due_early = invoices["due_at"] <= pd.Timestamp("2026-03-25")
    candidates = rng.permutation(np.flatnonzero(
        (due_early & (invoices["amount"] > 0) & ~_open_at_end(invoices)).to_numpy()))
    open_now = float(invoices.loc[_open_at_end(invoices), "amount"].sum())
    target = RATES["cash.ar_over_90"][1] / (1 - RATES["cash.ar_over_90"][1]) * open_now
    bucket = 0.0
    for i in candidates:
        amount = float(invoices["amount"].iloc[i])
        if bucket + amount > target * 1.02:
            continue
        invoices.iloc[i, invoices.columns.get_loc("paid_at")] = pd.NaT
        invoices.iloc[i, invoices.columns.get_loc("amount_paid")] = 0.0
        bucket += amount
        if bucket >= target * 0.99:
            break
    _truth(world, "cash.ar_over_90", bucket / (open_now + bucket), "FAIL")


def duplicate_bills(world: World, rng: np.random.Generator) -> None:
    """Two of the period's bills keyed a second time five days later (same vendor, amount and
    reference): the later copies are the duplicates."""
    bills = world.tables["bills"]
    inside = bills[(bills["issued_at"] >= company.PERIOD_START)
                   & (bills["issued_at"] < company.PERIOD_END - pd.Timedelta(days=10))]
    copies = inside.iloc[rng.choice(len(inside), 2, replace=False)].copy()
    copies["bill_id"] = [f"B-{9000 + i}" for i in range(len(copies))]
    copies["issued_at"] = copies["issued_at"] + pd.Timedelta(days=5)
    copies["due_at"] = copies["due_at"] + pd.Timedelta(days=5)
    copies["paid_at"] = copies["paid_at"] + pd.Timedelta(days=5)
    bills = pd.concat([bills, copies], ignore_index=True)
    world.tables["bills"] = bills
    billed = bills.loc[(bills["issued_at"] >= company.PERIOD_START)
                       & (bills["issued_at"] <= company.PERIOD_END), "amount"].sum()
    _truth(world, "cash.duplicate_bills", copies["amount"].sum() / billed, "FAIL")


def attribution_coverage(world: World, rng: np.random.Generator) -> None:
    """Exactly 30% of the period's live orders carry no marketing source."""
    orders = world.tables["orders"]
    live = np.flatnonzero(((orders["_kind"] == LIVE) & in_period(orders["ordered_at"])
                           ).to_numpy())
    source = orders["source"].to_numpy(dtype=object)
    known = np.where(orders["_channel"] == "web", "direct", "sales_rep")
    source[live] = np.where(pd.isna(source[live]), known[live], source[live])
    blank = rng.choice(live, round(0.30 * len(live)), replace=False)
    source[blank] = None
    orders["source"] = source
    _truth(world, "marketing.attribution_coverage", 1 - len(blank) / len(live), "WARN")


def admin_sprawl(world: World, rng: np.random.Generator) -> None:
    """Six of Slack's enabled accounts are admins: the largest admin share is 6 of 17."""
    accounts = world.tables["accounts"]
    slack = (accounts["system"] == "Slack") & ~accounts["disabled"] & ~accounts["person"].isin(
        [p for p, _ in LEAVERS])
    users = np.flatnonzero(slack.to_numpy())
    accounts.iloc[users[:6], accounts.columns.get_loc("is_admin")] = True
    enabled = accounts[~accounts["disabled"]]
    per_system = enabled.groupby("system")["is_admin"].agg(["sum", "size"])
    judged = per_system[per_system["size"] >= 5]
    _truth(world, "security.admin_sprawl", float((judged["sum"] / judged["size"]).max()), "WARN")


def dormant_paid_seats(world: World, rng: np.random.Generator) -> None:
    """35% of the enabled accounts on paid systems last signed in 100-200 days ago."""
    accounts = world.tables["accounts"]
    paid_systems = [s for s, (_, cost) in company.SYSTEMS.items() if cost > 0]
    paid = (accounts["system"].isin(paid_systems) & ~accounts["disabled"]).to_numpy()
    stayers = paid & ~accounts["person"].isin([p for p, _ in LEAVERS]).to_numpy()
    k = round(RATES["security.dormant_paid_seats"][1] * int(paid.sum()))
    chosen = rng.choice(np.flatnonzero(stayers), k, replace=False)
    accounts.iloc[chosen, accounts.columns.get_loc("last_login_at")] = (
        company.PERIOD_END - pd.to_timedelta(rng.uniform(100, 200, k), unit="D")).round("s")
    _truth(world, "security.dormant_paid_seats", k / int(paid.sum()), "FAIL")
