"""Direct-to-consumer commerce: orders, lines, shipments, returns, order events, customers.

Orders are generated one calendar month at a time and appended to open table writers, so the
memory held is one month of orders whatever the scale. Volume follows a daily rate with
year-on-year growth, a seasonal curve (Q4 peak), a weekly cycle and sale-day spikes. The
planted problems are knobs of ``CommerceSpec`` and are drawn with exact counts per month
(see ``common.exact_mask``) so the measured rates land on the knobs at every scale.

The causal chain the planted data encodes (DESIGN.md: the symptom is rarely the cause):
orders with bad master data (SKU unknown to the product master, no weight on file), a
corrected address or a manual edit are late far more often than clean orders; late orders
break the delivery date shown at checkout; a leaked discount code drives orders below cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opskit.samples.common import (
    CUTOFF,
    PERIOD_END,
    PERIOD_START,
    Directory,
    add_busdays,
    at_seconds,
    day_of,
    days_between,
    exact_choice,
    exact_mask,
    format_phones,
    grouped_exact_mask,
    hour_profile_seconds,
    is_weekday,
    money,
    month_end,
    month_index,
    month_starts,
    recase_emails,
    to_ts,
    uniform_seconds,
    weekday_index,
)
from opskit.samples.inventory import Catalog, sampling_weights
from opskit.samples.truth import Collector
from opskit.samples.writer import EngagementWriter

ORDER_COLUMNS = ["order_id", "ordered_at", "total", "customer_id", "channel", "source",
                 "campaign", "status", "subtotal", "discount_total", "discount_code",
                 "shipping_charged", "tax", "paid_at", "promised_ship_by",
                 "promised_delivery_by", "currency"]
LINE_COLUMNS = ["order_id", "sku", "quantity", "unit_price", "line_discount"]
SHIPMENT_COLUMNS = ["shipment_id", "order_id", "shipped_at", "delivered_at", "carrier",
                    "service", "shipping_cost", "warehouse", "address_corrected", "reship"]
RETURN_COLUMNS = ["order_id", "returned_at", "sku", "reason", "refund_amount"]
EVENT_COLUMNS = ["order_id", "at", "event", "actor", "manual"]
CUSTOMER_COLUMNS = ["customer_id", "system", "name", "email", "phone", "company",
                    "created_at"]
INVOICE_COLUMNS = ["invoice_id", "issued_at", "amount", "customer_id", "due_at", "paid_at",
                   "amount_paid", "order_id"]

RETURN_REASONS = ("wrong_item", "missing_item", "return_to_sender", "damaged",
                  "changed_mind", "defective")
MANUAL_EVENTS = ("address_changed", "order_edited", "hold_released", "shipping_method_changed",
                 "note_added")


@dataclass(frozen=True)
class Channel:
    """A sales channel and how its orders are promised, attributed, charged and billed."""

    name: str
    share: float
    promise_ship: bool
    promise_delivery: bool
    has_customer: bool
    unattributed: float
    sources: tuple[tuple[str, float], ...]
    shipping_fee: float = 0.0
    free_over: float = float("inf")
    terms_days: int = 0
    uses_codes: bool = False
    promo_share: float = 0.0     # marketplace promotions without a code
    promo_pct: float = 0.0
    qty_mult: int = 1            # wholesale orders come in case packs


@dataclass(frozen=True)
class Code:
    """A discount code: its percentage, how many eligible orders use it, and when."""

    code: str
    pct: float
    share: float
    start: str = "2025-01-01"
    end: str = "2027-01-01"
    new_only: bool = False
    campaign: str | None = None


@dataclass(frozen=True)
class CustomerSystems:
    """The customer records: the shop and a second system (email platform or CRM)."""

    shop_system: str
    shop_id_base: int
    second_system: str
    second_prefix: str
    copy_share: float          # share of new shop customers also in the second system
    extra_share: float         # non-buyer profiles in the second system, per new customer
    phone_share: float = 0.55
    shop_duplicate_share: float = 0.0   # returning buyers re-created as a new shop record
    company_share: float = 0.0


@dataclass(frozen=True)
class CommerceSpec:
    """Every volume and problem knob of a DTC client's order flow."""

    prefix: str
    start: str
    base_per_day: float
    yoy_growth: float
    season: tuple[float, ...]
    weekday: tuple[float, ...]
    peaks: tuple[tuple[str, float], ...]
    hours: tuple[float, ...]
    channels: tuple[Channel, ...]
    codes: tuple[Code, ...]
    stack_share: float
    tax_rate: float
    returning_share: float
    lines_mean: float
    qty_probs: tuple[float, ...]
    orphan_share: float
    nocost_share: float
    noweight_share: float
    late_clean: float
    late_defect: float
    late_bdays: tuple[int, int]
    address_corrected: float
    manual_touch: float
    reship: float
    carrier_late: float
    transit: tuple[int, int]
    promise_transit: int
    ship_base: float
    ship_per_lb: float
    returns: tuple[float, ...]          # shares of shipped orders per RETURN_REASONS
    warehouses: tuple[tuple[str, float], ...]
    staff: tuple[str, ...]
    customers: CustomerSystems
    invoices: bool = False
    campaigns: tuple[tuple[str, str], ...] = ()   # source -> campaign name
    test_orders: int = 0


@dataclass
class CommerceResult:
    """What later tables (ledger, inventory, marketing) need from the order flow."""

    days: np.ndarray
    revenue: dict[str, np.ndarray]      # channel -> net revenue per day
    tax: np.ndarray
    shipping_charged: np.ndarray
    shipping_cost: np.ndarray
    refunds: np.ndarray
    cogs: np.ndarray                    # quantity x unit_cost on file, per order day
    window_sales: np.ndarray            # (SKUs, warehouses, period days) units
    expected_daily_units: np.ndarray    # per SKU, in the period
    expected_orders: np.ndarray         # model rate per day (scale 1 units x scale)
    orders_written: int = 0
    lines_written: int = 0
    new_customers_in_window: int = 0
    first_order_contribution: dict[str, float] = field(default_factory=dict)


def daily_rate(spec: CommerceSpec, days: np.ndarray, scale: int) -> np.ndarray:
    """Expected orders per day: base x growth x season x weekday x sale-day spikes."""
    years = (days - np.datetime64("2026-01-01")).astype(int) / 365.0
    growth = (1 + spec.yoy_growth) ** years
    season = np.asarray(spec.season)[month_index(days) - 1]
    week = np.asarray(spec.weekday)[weekday_index(days)]
    peak = np.ones(len(days))
    for day, mult in spec.peaks:
        peak[days == np.datetime64(day, "D")] = mult
    return spec.base_per_day * scale * growth * season * week * peak


class _Ids:
    def __init__(self, start: int) -> None:
        self.next = start

    def take(self, n: int) -> np.ndarray:
        out = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return out


def generate_commerce(rng: np.random.Generator, spec: CommerceSpec, cat: Catalog,
                      out: EngagementWriter, truth: Collector, *, scale: int,
                      directory: Directory) -> CommerceResult:
    """Generate and write the order flow month by month; return the aggregates."""
    w_orders = out.table("orders", ORDER_COLUMNS)
    w_lines = out.table("order_lines", LINE_COLUMNS)
    w_ship = out.table("shipments", SHIPMENT_COLUMNS)
    w_ret = out.table("returns", RETURN_COLUMNS)
    w_evt = out.table("order_events", EVENT_COLUMNS)
    w_cust = out.table("customers", CUSTOMER_COLUMNS)
    w_inv = out.table("invoices", INVOICE_COLUMNS) if spec.invoices else None

    start = np.datetime64(spec.start, "D")
    all_days = days_between(start, PERIOD_END)
    rate = daily_rate(spec, all_days, scale)
    window_days = days_between(PERIOD_START, PERIOD_END)
    n_wh = len(spec.warehouses)
    res = CommerceResult(
        days=all_days,
        revenue={c.name: np.zeros(len(all_days)) for c in spec.channels},
        tax=np.zeros(len(all_days)), shipping_charged=np.zeros(len(all_days)),
        shipping_cost=np.zeros(len(all_days)), refunds=np.zeros(len(all_days)),
        cogs=np.zeros(len(all_days)),
        window_sales=np.zeros((len(cat), n_wh, len(window_days))),
        expected_daily_units=np.zeros(len(cat)), expected_orders=rate)
    # Expected units per SKU and day in the period (drives stock levels and PO sizes).
    mid = np.datetime64("2026-08-15", "D")
    w_mid = sampling_weights(cat, mid, orphan_share=spec.orphan_share,
                             nocost_share=spec.nocost_share,
                             noweight_share=spec.noweight_share)
    qty_mean = float(np.dot(np.arange(1, len(spec.qty_probs) + 1), spec.qty_probs))
    in_window = (all_days >= PERIOD_START)
    res.expected_daily_units = w_mid * rate[in_window].mean() * spec.lines_mean * qty_mean

    order_ids = _Ids(100_001)
    ship_ids = _Ids(500_001)
    inv_ids = _Ids(20_001)
    people = _CustomerState(spec.customers)
    first_order_channel: dict[str, float] = {}
    chan_names = [c.name for c in spec.channels]

    for m_start in month_starts(start, PERIOD_END):
        m_end = month_end(m_start)
        sel = (all_days >= m_start) & (all_days <= m_end)
        days = all_days[sel]
        counts = rng.poisson(rate[sel])
        n = int(counts.sum())
        if n == 0:
            continue
        day = np.repeat(days, counts)
        secs = hour_profile_seconds(rng, n, spec.hours)
        ordered_at = at_seconds(day, secs)
        order = np.argsort(ordered_at, kind="stable")
        ordered_at = ordered_at[order]
        day = day_of(ordered_at)
        oid_num = order_ids.take(n)
        oid = np.asarray([f"{spec.prefix}{k}" for k in oid_num.tolist()], dtype=object)
        in_win = (day >= PERIOD_START) & (day <= PERIOD_END)

        # Channel, customer, attribution.
        chan = exact_choice(rng, n, [c.share for c in spec.channels])
        ch = list(spec.channels)
        has_cust = np.asarray([c.has_customer for c in ch])[chan]
        returning = has_cust & exact_mask(rng, n, spec.returning_share) & (
            len(people.pool) > 0)
        serial = np.zeros(n, dtype=np.int64)
        if len(people.pool):
            serial[returning] = people.pool[rng.integers(0, len(people.pool),
                                                         size=int(returning.sum()))]
        new_cust = has_cust & ~returning
        # Some returning buyers check out as guests and get a second shop record.
        redo = returning & (rng.random(n) < spec.customers.shop_duplicate_share)
        serial[new_cust | redo] = people.take(int((new_cust | redo).sum()))
        cust_id = np.where(has_cust, (spec.customers.shop_id_base + serial * 37).astype(str),
                           None).astype(object)

        source = np.empty(n, dtype=object)
        campaign = np.empty(n, dtype=object)
        for ci, c in enumerate(spec.channels):
            idx = np.flatnonzero(chan == ci)
            blank = exact_mask(rng, len(idx), c.unattributed)
            names = [s for s, _ in c.sources]
            picks = exact_choice(rng, len(idx), [w for _, w in c.sources])
            src = np.asarray(names, dtype=object)[picks]
            src[blank] = None
            source[idx] = src
        camp_map = dict(spec.campaigns)
        for i in range(n):
            campaign[i] = camp_map.get(source[i]) if source[i] is not None else None

        # Lines.
        k_lines = 1 + np.minimum(rng.poisson(spec.lines_mean - 1, size=n), 5)
        n_lines = int(k_lines.sum())
        line_order = np.repeat(np.arange(n), k_lines)
        line_sku = np.empty(n_lines, dtype=np.int64)
        line_day = day[line_order]
        for d in days:
            li = np.flatnonzero(line_day == d)
            if len(li):
                w = sampling_weights(cat, d, orphan_share=spec.orphan_share,
                                     nocost_share=spec.nocost_share,
                                     noweight_share=spec.noweight_share)
                line_sku[li] = rng.choice(len(cat), size=len(li), p=w)
        qty = rng.choice(np.arange(1, len(spec.qty_probs) + 1), size=n_lines,
                         p=np.asarray(spec.qty_probs))
        qty = qty * np.asarray([c.qty_mult for c in ch])[chan][line_order]
        price = cat.price[line_sku]
        line_rev = money(qty * price)
        subtotal = money(np.bincount(line_order, weights=line_rev, minlength=n))
        cost_on_file = np.nan_to_num(cat.unit_cost[line_sku]) * qty
        order_cogs = np.bincount(line_order, weights=cost_on_file, minlength=n)
        weight = np.bincount(line_order, weights=cat.true_weight[line_sku] * qty, minlength=n)
        has_orphan = np.bincount(line_order, weights=cat.orphan[line_sku], minlength=n) > 0
        has_noweight = np.bincount(line_order, weights=cat.noweight[line_sku], minlength=n) > 0

        # Discounts: codes on code-taking channels, promotions on marketplaces.
        pct = np.zeros(n)
        codes = np.empty(n, dtype=object)
        uses_codes = np.asarray([c.uses_codes for c in ch])[chan]
        free = uses_codes.copy()
        for code in spec.codes:
            valid = (m_start >= np.datetime64(code.start, "D")) & (
                m_start <= np.datetime64(code.end, "D"))
            elig_all = uses_codes & (new_cust if code.new_only else True)
            n_elig = int(elig_all.sum())
            if not valid or n_elig == 0:
                continue
            cand = np.flatnonzero(free & elig_all)
            k = min(round(code.share * n_elig), len(cand))
            chosen = cand[rng.permutation(len(cand))[:k]]
            pct[chosen] = code.pct
            codes[chosen] = code.code
            free[chosen] = False
        stacked = np.flatnonzero(~free & uses_codes)
        stacked = stacked[exact_mask(rng, len(stacked), spec.stack_share)]
        extra = spec.codes[0]
        for i in stacked.tolist():
            if codes[i] != extra.code:
                codes[i] = f"{codes[i]},{extra.code}"
                pct[i] = pct[i] + extra.pct
        for ci, c in enumerate(spec.channels):
            if c.promo_share:
                idx = np.flatnonzero(chan == ci)
                pct[idx[exact_mask(rng, len(idx), c.promo_share)]] = c.promo_pct
        discount = money(subtotal * pct)
        net = subtotal - discount
        fee = np.asarray([c.shipping_fee for c in ch])[chan]
        free_over = np.asarray([c.free_over for c in ch])[chan]
        ship_charged = np.where(net < free_over, fee, 0.0)
        tax = money(net * spec.tax_rate)
        total = money(net + ship_charged + tax)

        # Defects and the late shipments they cause.
        addr = exact_mask(rng, n, spec.address_corrected)
        manual = exact_mask(rng, n, spec.manual_touch)
        defect = has_orphan | has_noweight | addr | manual
        late = grouped_exact_mask(rng, defect.astype(int),
                                  np.asarray([spec.late_clean, spec.late_defect]))
        busy = is_weekday(day)
        hour = secs[order] / 3600.0
        same_day = busy & (hour < 12)
        ship_day = np.where(same_day, day, add_busdays(day, np.where(busy, 1, 0)))
        ship_secs = np.where(same_day, uniform_seconds(rng, n, 13, 17),
                             uniform_seconds(rng, n, 9, 17))
        late_k = rng.integers(spec.late_bdays[0], spec.late_bdays[1] + 1, size=n)
        ship_day = np.where(late, add_busdays(day, late_k), ship_day)
        shipped_at = at_seconds(ship_day, ship_secs)
        shipped = shipped_at < CUTOFF
        promise_ship = np.asarray([c.promise_ship for c in ch])[chan]
        promise_deliv = np.asarray([c.promise_delivery for c in ch])[chan]
        promised_ship = np.where(promise_ship, at_seconds(add_busdays(day, 2), np.full(
            n, 17 * 3600)), np.datetime64("NaT"))
        promised_deliv = np.where(promise_deliv, at_seconds(
            add_busdays(day, 2 + spec.promise_transit), np.full(n, 21 * 3600)),
            np.datetime64("NaT"))
        transit = rng.integers(spec.transit[0], spec.transit[1] + 1, size=n)
        on_time = shipped & ~late
        slow = np.zeros(n, dtype=bool)
        ot = np.flatnonzero(on_time)
        slow[ot[exact_mask(rng, len(ot), spec.carrier_late)]] = True
        transit = transit + np.where(slow, rng.integers(2, 4, size=n), 0)
        delivered_at = at_seconds(add_busdays(ship_day, transit),
                                  uniform_seconds(rng, n, 10, 20))
        delivered_at = np.where(shipped & (delivered_at < CUTOFF), delivered_at,
                                np.datetime64("NaT"))
        wh = exact_choice(rng, n, [s for _, s in spec.warehouses])
        ship_cost = money(spec.ship_base + spec.ship_per_lb * weight * rng.uniform(
            0.92, 1.08, size=n))
        heavy = weight > 20
        carrier = np.where(heavy, "FedEx", np.where(rng.random(n) < 0.6, "UPS", "USPS"))
        service = np.where(heavy, "Ground", np.where(carrier == "UPS", np.where(
            np.asarray([c.name == "amazon" for c in ch])[chan], "SurePost", "Ground"),
            "Priority Mail"))

        # Reships: a second parcel after a lost or incomplete first one.
        shipped_idx = np.flatnonzero(shipped)
        reship = np.zeros(n, dtype=bool)
        reship[shipped_idx[exact_mask(rng, len(shipped_idx), spec.reship)]] = True
        re_day = add_busdays(ship_day, rng.integers(4, 9, size=n))
        re_at = at_seconds(re_day, uniform_seconds(rng, n, 9, 17))
        reship &= re_at < CUTOFF
        re_cost = money(ship_cost * 0.85)
        re_deliv = at_seconds(add_busdays(re_day, transit), uniform_seconds(rng, n, 10, 20))
        re_deliv = np.where(re_deliv < CUTOFF, re_deliv, np.datetime64("NaT"))

        # Returns, by reason, on shipped orders.
        reason_idx = np.full(n, -1)
        shares = np.asarray(spec.returns)
        picks = exact_choice(rng, len(shipped_idx), np.concatenate([[1 - shares.sum()],
                                                                     shares]))
        reason_idx[shipped_idx] = picks - 1
        base_day = np.where(np.isnat(delivered_at), add_busdays(ship_day, 4),
                            day_of(delivered_at))
        ret_day = np.where(reason_idx == 2, ship_day + rng.integers(7, 15, size=n),
                           np.where(reason_idx <= 1, base_day + rng.integers(1, 7, size=n),
                                    base_day + rng.integers(5, 31, size=n)))
        returned_at = at_seconds(ret_day, uniform_seconds(rng, n, 9, 18))
        has_return = (reason_idx >= 0) & (returned_at < CUTOFF)
        first_line = np.concatenate([[0], np.cumsum(k_lines)[:-1]])
        ret_sku = cat.sku[line_sku[first_line]]
        ret_amount = money(np.where(reason_idx == 1, 0.0, line_rev[first_line] * (1 - pct)))
        ret_amount = np.where(reason_idx == 2, net, ret_amount)

        status = np.where(~shipped, "open", np.where(
            has_return & (reason_idx == 2), "returned",
            np.where(has_return, "partially_refunded", "fulfilled")))
        paid_at = ordered_at + rng.integers(3, 180, size=n).astype("timedelta64[s]")

        orders_df = pd.DataFrame({
            "order_id": oid,
            "ordered_at": to_ts(ordered_at),
            "total": total,
            "customer_id": cust_id,
            "channel": np.asarray(chan_names, dtype=object)[chan],
            "source": source,
            "campaign": campaign,
            "status": status,
            "subtotal": subtotal,
            "discount_total": discount,
            "discount_code": codes,
            "shipping_charged": ship_charged,
            "tax": tax,
            "paid_at": to_ts(paid_at),
            "promised_ship_by": to_ts(promised_ship),
            "promised_delivery_by": to_ts(promised_deliv),
            "currency": "USD",
        })
        lines_df = pd.DataFrame({
            "order_id": oid[line_order],
            "sku": cat.sku[line_sku],
            "quantity": qty,
            "unit_price": price,
            "line_discount": np.nan,
        })

        sh_idx = np.concatenate([shipped_idx, np.flatnonzero(reship)])
        is_re = np.concatenate([np.zeros(len(shipped_idx), bool), np.ones(reship.sum(), bool)])
        sh_order = np.argsort(sh_idx, kind="stable")
        sh_idx, is_re = sh_idx[sh_order], is_re[sh_order]
        wh_names = np.asarray([w for w, _ in spec.warehouses], dtype=object)
        ship_df = pd.DataFrame({
            "shipment_id": [f"SHP{k}" for k in ship_ids.take(len(sh_idx)).tolist()],
            "order_id": oid[sh_idx],
            "shipped_at": to_ts(np.where(is_re, re_at[sh_idx], shipped_at[sh_idx])),
            "delivered_at": to_ts(np.where(is_re, re_deliv[sh_idx], delivered_at[sh_idx])),
            "carrier": carrier[sh_idx],
            "service": service[sh_idx],
            "shipping_cost": np.where(is_re, re_cost[sh_idx], ship_cost[sh_idx]),
            "warehouse": wh_names[wh[sh_idx]],
            "address_corrected": np.where(~is_re & addr[sh_idx], "true", "false"),
            "reship": np.where(is_re, "true", "false"),
        })
        r_idx = np.flatnonzero(has_return)
        ret_df = pd.DataFrame({
            "order_id": oid[r_idx],
            "returned_at": to_ts(returned_at[r_idx]),
            "sku": ret_sku[r_idx],
            "reason": np.asarray(RETURN_REASONS, dtype=object)[reason_idx[r_idx]],
            "refund_amount": ret_amount[r_idx],
        })
        ret_df = ret_df.iloc[np.argsort(returned_at[r_idx], kind="stable")]

        # Order timeline: created, manual touches, fulfilled.
        m_idx = np.flatnonzero(manual)
        gap = np.where(shipped[m_idx], (shipped_at[m_idx] - ordered_at[m_idx]).astype(
            "int64"), 20 * 3600)
        m_at = ordered_at[m_idx] + (np.maximum(gap, 1200) * rng.uniform(
            0.05, 0.9, size=len(m_idx))).astype("int64").astype("timedelta64[s]")
        actors = np.asarray(spec.staff, dtype=object)[rng.integers(0, len(spec.staff),
                                                                   size=len(m_idx))]
        chan_actor = np.where(np.asarray(chan_names, dtype=object)[chan] == "amazon",
                              "amazon", "shopify")
        ev = pd.concat([
            pd.DataFrame({"order_id": oid, "at": to_ts(ordered_at), "event": "created",
                          "actor": chan_actor, "manual": "false", "_k": 0,
                          "_o": np.arange(n)}),
            pd.DataFrame({"order_id": oid[m_idx], "at": to_ts(m_at),
                          "event": np.asarray(MANUAL_EVENTS, dtype=object)[
                              rng.integers(0, len(MANUAL_EVENTS), size=len(m_idx))],
                          "actor": actors, "manual": "true", "_k": 1, "_o": m_idx}),
            pd.DataFrame({"order_id": oid[shipped_idx], "at": to_ts(shipped_at[shipped_idx]),
                          "event": "fulfilled", "actor": "shipstation", "manual": "false",
                          "_k": 2, "_o": shipped_idx}),
        ], ignore_index=True)
        ev = ev.sort_values(["_o", "_k"], kind="stable")[EVENT_COLUMNS]

        # Customer records for the shop's new customers and the second system.
        cust_df, copies = people.records(rng, directory, serial, new_cust | redo, redo,
                                         ordered_at)

        w_orders.write(orders_df)
        w_lines.write(lines_df)
        w_ship.write(ship_df)
        w_ret.write(ret_df)
        w_evt.write(ev)
        w_cust.write(cust_df)
        if w_inv is not None:
            terms = np.asarray([c.terms_days for c in ch])[chan]
            _write_invoices(rng, w_inv, inv_ids, oid, ordered_at, total, cust_id, terms)

        # Aggregates for the ledger and the stock simulation.
        d_i = (day - start).astype(int)
        for ci, c in enumerate(spec.channels):
            mask = chan == ci
            res.revenue[c.name] += np.bincount(d_i[mask], weights=net[mask],
                                               minlength=len(all_days))
        res.tax += np.bincount(d_i, weights=tax, minlength=len(all_days))
        res.shipping_charged += np.bincount(d_i, weights=ship_charged, minlength=len(all_days))
        total_ship_cost = np.where(shipped, ship_cost, 0) + np.where(reship, re_cost, 0)
        res.shipping_cost += np.bincount(d_i, weights=total_ship_cost, minlength=len(all_days))
        res.refunds += np.bincount(d_i, weights=np.where(has_return, ret_amount, 0),
                                   minlength=len(all_days))
        res.cogs += np.bincount(d_i, weights=order_cogs, minlength=len(all_days))
        lw = in_win[line_order]
        if lw.any():
            t = (line_day[lw] - PERIOD_START).astype(int)
            np.add.at(res.window_sales, (line_sku[lw], wh[line_order[lw]], t), qty[lw])
        res.orders_written += n
        res.lines_written += n_lines

        # Ground truth subjects and first-order economics, for the period only.
        contribution = net - order_cogs - total_ship_cost + ship_charged
        first = new_cust & in_win
        for ci in range(len(spec.channels)):
            for s in sorted({str(x) for x in source[first & (chan == ci)] if x is not None}):
                sel_s = first & (chan == ci) & (source == s)
                first_order_channel[s] = first_order_channel.get(s, 0.0) + float(
                    contribution[sel_s].sum())
        res.new_customers_in_window += int(first.sum())
        if in_win.any():
            _collect(truth, spec, cat, oid, in_win, late, defect, late_k, promise_ship, addr,
                     reship, shipped, reason_idx, has_return, returned_at, source, manual,
                     delivered_at, promised_deliv, ship_cost, ship_charged, contribution,
                     line_order, line_sku, line_rev, copies, total_ship_cost, codes)

    if spec.test_orders:
        _test_orders(spec, cat, w_orders, w_lines)
    for name in ("orders", "order_lines", "shipments", "returns", "order_events", "customers"):
        out.close(name)
    if w_inv is not None:
        out.close("invoices")
    res.first_order_contribution = first_order_channel
    return res


class _CustomerState:
    """Shop customers seen so far (serials only) and a bounded buffer of recent emails."""

    RECENT = 20_000

    def __init__(self, cs: CustomerSystems) -> None:
        self.cs = cs
        self.pool = np.zeros(0, dtype=np.int64)
        self.recent = np.zeros(0, dtype=object)
        self.next_serial = 1
        self.next_second = 1

    def take(self, n: int) -> np.ndarray:
        out = np.arange(self.next_serial, self.next_serial + n, dtype=np.int64)
        self.next_serial += n
        return out

    def _second_ids(self, n: int) -> list[str]:
        out = [f"{self.cs.second_prefix}{k:08d}" for k in
               range(self.next_second, self.next_second + n)]
        self.next_second += n
        return out

    def records(self, rng: np.random.Generator, directory: Directory, serial: np.ndarray,
                create: np.ndarray, redo: np.ndarray, ordered_at: np.ndarray
                ) -> tuple[pd.DataFrame, list[str]]:
        """Shop records for new buyers, their copies and other profiles in the second system.

        A guest re-checkout (``redo``) creates a second shop record for a recent buyer, with
        the same address typed with other capitals.
        """
        cs = self.cs
        idx = np.flatnonzero(create)
        n = len(idx)
        first, last = directory.names(n)
        email = directory.emails(first, last, directory.serials(n))
        redo_pos = np.flatnonzero(redo[idx])
        if len(redo_pos) and len(self.recent):
            original = self.recent[rng.integers(0, len(self.recent), size=len(redo_pos))]
            email[redo_pos] = recase_emails(rng, original, 1.0)
        phone_d = directory.phones(n)
        has_phone = rng.random(n) < cs.phone_share
        phone = np.where(has_phone, format_phones(rng, phone_d), None)
        company = np.where(rng.random(n) < cs.company_share,
                           np.asarray([f"{la} Home Studio" for la in last], dtype=object),
                           None)
        shop = pd.DataFrame({
            "customer_id": (cs.shop_id_base + serial[idx] * 37).astype(str),
            "system": cs.shop_system,
            "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
            "email": email,
            "phone": phone,
            "company": company,
            "created_at": to_ts(ordered_at[idx]),
            "_t": ordered_at[idx],
        })
        fresh = ~redo[idx]
        self.pool = np.concatenate([self.pool, serial[idx][fresh]])
        self.recent = np.concatenate([self.recent, email[fresh]])[-self.RECENT:]

        # Copies of shop buyers in the second system (same person, email typed differently).
        copy = exact_mask(rng, n, cs.copy_share) & fresh
        c_idx = np.flatnonzero(copy)
        c_ids = self._second_ids(len(c_idx))
        c_email = recase_emails(rng, email[c_idx], 0.5)
        c_phone = np.where(rng.random(len(c_idx)) < 0.3, format_phones(rng, phone_d[c_idx]),
                           None)
        c_t = ordered_at[idx][c_idx]
        copies_df = pd.DataFrame({
            "customer_id": c_ids, "system": cs.second_system,
            "name": np.where(rng.random(len(c_idx)) < 0.8, shop["name"].to_numpy()[c_idx],
                             None),
            "email": c_email, "phone": c_phone, "company": None,
            "created_at": to_ts(c_t + rng.integers(60, 7200, size=len(c_idx)).astype(
                "timedelta64[s]")),
            "_t": c_t,
        })
        # Subscribers who never bought: distinct people.
        k = round(cs.extra_share * n)
        e_first, e_last = directory.names(k)
        e_email = directory.emails(e_first, e_last, directory.serials(k)).astype(object)
        sms_only = rng.random(k) < 0.2
        e_email[sms_only] = None
        e_phone = np.where(sms_only | (rng.random(k) < 0.15),
                           format_phones(rng, directory.phones(k)), None)
        t0 = ordered_at.min()
        span = int((ordered_at.max() - t0).astype("int64")) + 1
        e_t = t0 + rng.integers(0, span, size=k).astype("timedelta64[s]")
        extra_df = pd.DataFrame({
            "customer_id": self._second_ids(k), "system": cs.second_system,
            "name": np.where(rng.random(k) < 0.6, np.asarray(
                [f"{f} {la}" for f, la in zip(e_first, e_last, strict=True)], dtype=object),
                None),
            "email": e_email, "phone": e_phone, "company": None,
            "created_at": to_ts(e_t), "_t": e_t,
        })
        both = pd.concat([shop, copies_df, extra_df], ignore_index=True)
        both = both.sort_values("_t", kind="stable").drop(columns="_t")
        return both[CUSTOMER_COLUMNS], c_ids


def _write_invoices(rng: np.random.Generator, writer, inv_ids: _Ids, oid: np.ndarray,
                    ordered_at: np.ndarray, total: np.ndarray, cust_id: np.ndarray,
                    terms: np.ndarray) -> None:
    """One invoice (sales receipt) per order, synced at order time; terms for wholesale."""
    n = len(oid)
    due = ordered_at + (terms * 86400).astype("timedelta64[s]")
    pay_days = np.where(terms > 0, terms + rng.integers(-12, 3, size=n), 0)
    paid = ordered_at + (pay_days * 86400 + rng.integers(0, 3600, size=n) * (terms == 0)
                         ).astype("timedelta64[s]")
    paid = np.where(paid < CUTOFF, paid, np.datetime64("NaT"))
    is_paid = ~np.isnat(paid)
    writer.write(pd.DataFrame({
        "invoice_id": [f"INV-{k}" for k in inv_ids.take(n).tolist()],
        "issued_at": to_ts(ordered_at),
        "amount": total,
        "customer_id": cust_id,
        "due_at": to_ts(due),
        "paid_at": to_ts(paid),
        "amount_paid": np.where(is_paid, total, 0.0),
        "order_id": oid,
    }))


def _test_orders(spec: CommerceSpec, cat: Catalog, w_orders, w_lines) -> None:
    """Shop test orders with a negative quantity: the loader must set these lines aside."""
    k = spec.test_orders
    oid = [f"{spec.prefix}TEST{i + 1}" for i in range(k)]
    at = np.datetime64("2026-06-12T10:15:00") + (np.arange(k) * 3600 * 26).astype(
        "timedelta64[s]")
    w_orders.write(pd.DataFrame({
        "order_id": oid, "ordered_at": to_ts(at), "total": 0.0, "customer_id": None,
        "channel": "web", "source": None, "campaign": None, "status": "cancelled",
        "subtotal": 0.0, "discount_total": 0.0, "discount_code": None,
        "shipping_charged": 0.0, "tax": 0.0, "paid_at": to_ts(np.full(k, np.datetime64(
            "NaT"))), "promised_ship_by": to_ts(np.full(k, np.datetime64("NaT"))),
        "promised_delivery_by": to_ts(np.full(k, np.datetime64("NaT"))), "currency": "USD"},
        columns=ORDER_COLUMNS))
    sku_i = np.flatnonzero(cat.in_master & ~cat.nocost & ~cat.dead)[:k]
    w_lines.write(pd.DataFrame({
        "order_id": oid, "sku": cat.sku[sku_i], "quantity": -1,
        "unit_price": cat.price[sku_i], "line_discount": np.nan}))


def _collect(truth: Collector, spec: CommerceSpec, cat: Catalog, oid, in_win, late, defect,
             late_k, promise_ship, addr, reship, shipped, reason_idx, has_return,
             returned_at, source, manual, delivered_at, promised_deliv, ship_cost,
             ship_charged, contribution, line_order, line_sku, line_rev, copies,
             total_ship_cost, codes) -> None:
    """Record offending ids of the period for planted.json (first ones, or worst ones)."""
    w = in_win
    truth.first("late", oid[w & shipped & late & promise_ship])
    truth.first("late_defect", oid[w & shipped & late & defect & promise_ship])
    truth.first("slow", oid[w & shipped & late & (late_k >= spec.late_bdays[1] - 1)])
    truth.first("address", oid[w & shipped & addr])
    r_win = has_return & (returned_at >= PERIOD_START.astype("datetime64[s]")) & (
        returned_at < CUTOFF)
    truth.first("errors", oid[w & r_win & (reason_idx <= 1)])
    truth.first("unattributed", oid[w & np.asarray([s is None for s in source])])
    truth.first("manual", oid[w & manual])
    broken = w & ~np.isnat(delivered_at) & ~np.isnat(promised_deliv) & (
        delivered_at > promised_deliv)
    truth.first("broken_promise", oid[broken])
    subsidy = total_ship_cost - ship_charged
    truth.top("subsidy", oid[w & shipped], subsidy[w & shipped])
    truth.top("negative_margin", oid[w & (contribution < 0)], -contribution[
        w & (contribution < 0)])
    lw = w[line_order]
    orphan_l = lw & cat.orphan[line_sku]
    truth.add_sum("orphan_rev", cat.sku[line_sku[orphan_l]], line_rev[orphan_l])
    nocost_l = lw & cat.nocost[line_sku]
    truth.add_sum("nocost_rev", cat.sku[line_sku[nocost_l]], line_rev[nocost_l])
    truth.first("second_system_copies", np.asarray(copies, dtype=object))
    truth.first("codes", np.asarray([c for c in codes[w] if c is not None], dtype=object))
