"""B2B distribution: sales orders, invoices in a separate accounting system, receivables.

The order system (the ERP) and the accounting system (QuickBooks) are not integrated: orders
shipped from the second warehouse are invoiced by hand in a weekly batch, a share is never
invoiced at all and some invoices carry a surcharge the order does not. Customers are on
net 30/45/60 terms; a revenue-weighted share pays late and a few dispute old invoices,
which is where DSO and the over-90 bucket come from. The ledger is posted from invoices,
bills and a large volume of hand-keyed journals closed three weeks after month end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from opskit.samples.common import (
    GL_START,
    PERIOD_END,
    PERIOD_START,
    Directory,
    add_busdays,
    at_seconds,
    days_between,
    exact_choice,
    exact_mask,
    fmt_dates,
    format_phones,
    money,
    month_end,
    month_index,
    month_starts,
    to_ts,
    uniform_seconds,
)
from opskit.samples.finance import (
    ADJUST,
    AP,
    AR,
    CASH,
    COGS,
    INVENTORY,
    MANUAL_MEMOS,
    PAYROLL,
    RENT,
    SHIPPING,
    Ledger,
    keyed,
)
from opskit.samples.inventory import Catalog, sampling_weights
from opskit.samples.truth import Collector
from opskit.samples.writer import EngagementWriter

ORDER_COLUMNS = ["order_id", "ordered_at", "total", "customer_id", "channel", "source",
                 "status", "subtotal", "discount_total", "shipping_charged", "tax",
                 "currency"]
LINE_COLUMNS = ["order_id", "sku", "quantity", "unit_price", "line_discount"]
INVOICE_COLUMNS = ["invoice_id", "issued_at", "amount", "customer_id", "due_at", "paid_at",
                   "amount_paid", "order_id"]
CUSTOMER_COLUMNS = ["customer_id", "system", "name", "email", "phone", "company",
                    "created_at"]
#: The day the client pulled its exports (invoices and payments run up to it).
EXPORT_DAY = np.datetime64("2026-10-20", "D")

COMPANY_A = ("Lakeside", "Summit", "Riverbend", "Northgate", "Harbor", "Pinecrest", "Oakwood",
             "Bayview", "Granite", "Maple Ridge", "Cedar Point", "Westfield", "Eastbrook",
             "Sterling", "Crescent", "Meadowlark", "Ironwood", "Bluewater", "Foxhollow",
             "Silver Lake", "Redstone", "Clearview", "Highland", "Brookside")
COMPANY_B = ("Property Management", "Facilities", "Hospitality Group", "Medical Center",
             "School District", "Foods", "Logistics", "Office Park", "Fitness Clubs",
             "Senior Living", "Restaurants", "Manufacturing", "Auto Group", "Apartments",
             "Cleaning Services", "Hotel", "Church", "Dental Partners", "Market")
COMPANY_C = ("LLC", "Inc.", "Co.", "Corp.", "", "Group")


@dataclass(frozen=True)
class DistributionSpec:
    """Volume and problem knobs of the distributor."""

    start: str
    orders_per_bday: float
    yoy_growth: float
    n_customers: int
    terms_shares: tuple[float, float, float]          # net 30 / 45 / 60
    class_shares: tuple[float, float, float, float]   # prompt / normal / slow / disputer
    dispute_before: str
    lines_mean: float
    never_invoiced: float
    surcharge_mismatch: float
    lag_groups: tuple[tuple[int, int, float], ...]    # (min, max business days, share)
    contract_share: float
    unattributed: float
    customer_duplicates: int
    manual_share: float
    close_days: tuple[int, int]


@dataclass
class DistributionResult:
    days: np.ndarray
    gl_revenue: np.ndarray      # invoice revenue (ex freight) by issue day
    cogs: np.ndarray            # quantity x unit cost on file by order day
    receipts: np.ndarray        # payments by day
    window_sales: np.ndarray
    expected_daily_units: np.ndarray
    orders_written: int = 0
    lines_written: int = 0


def _customers(rng: np.random.Generator, spec: DistributionSpec, directory: Directory,
               scale: int) -> pd.DataFrame:
    n = spec.n_customers * scale
    first, last = directory.names(n)
    company = [
        f"{COMPANY_A[rng.integers(len(COMPANY_A))]} {COMPANY_B[rng.integers(len(COMPANY_B))]}"
        + (f" {c}" if (c := COMPANY_C[rng.integers(len(COMPANY_C))]) else "")
        for _ in range(n)]
    email = directory.emails(first, last, directory.serials(n), mixed_case_share=0.15)
    phone = format_phones(rng, directory.phones(n))
    weight = rng.lognormal(0.0, 1.1, size=n)
    weight = weight / weight.sum()
    terms = np.asarray([30, 45, 60])[exact_choice(rng, n, spec.terms_shares)]
    # Payment classes by revenue weight: walk customers in random order.
    cls = np.zeros(n, dtype=int)
    order = rng.permutation(n)
    cum = np.cumsum(weight[order])
    bounds = np.cumsum(spec.class_shares)[:-1]
    cls[order] = np.searchsorted(bounds, cum - weight[order] / 2, side="right")
    created = np.datetime64("2018-03-01") + rng.integers(0, 2700, size=n).astype(
        "timedelta64[D]")
    df = pd.DataFrame({
        "customer_id": [f"C{10001 + i}" for i in range(n)],
        "system": "quickbooks",
        "name": [f"{f} {la}" for f, la in zip(first, last, strict=True)],
        "email": email,
        "phone": phone,
        "company": company,
        "created_at": to_ts(at_seconds(created, uniform_seconds(rng, n, 8, 18))),
        "_weight": weight,
        "_terms": terms,
        "_class": cls,
        "_contract": rng.random(n) < spec.contract_share,
    })
    return df


def generate_distribution(rng: np.random.Generator, spec: DistributionSpec, cat: Catalog,
                          out: EngagementWriter, truth: Collector, *, scale: int,
                          directory: Directory) -> DistributionResult:
    """Customers, sales orders and lines, invoices; returns daily aggregates for the ledger."""
    cust = _customers(rng, spec, directory, scale)
    # A few customers keyed twice in QuickBooks (same contact email).
    dup_src = cust.iloc[np.sort(rng.choice(len(cust), size=spec.customer_duplicates,
                                           replace=False))]
    dups = dup_src[["customer_id", "system", "name", "email", "phone", "company",
                    "created_at"]].copy()
    dups["customer_id"] = [f"C{20001 + i}" for i in range(len(dups))]
    dups["company"] = dups["company"].str.replace(" LLC", "", regex=False) + " (2)"
    out.write_table("customers", pd.concat(
        [cust[dups.columns], dups], ignore_index=True))

    w_orders = out.table("orders", ORDER_COLUMNS)
    w_lines = out.table("order_lines", LINE_COLUMNS)
    w_inv = out.table("invoices", INVOICE_COLUMNS)
    start = np.datetime64(spec.start, "D")
    all_days = days_between(start, PERIOD_END)
    window_days = days_between(PERIOD_START, PERIOD_END)
    gl_days = days_between(GL_START, EXPORT_DAY)
    res = DistributionResult(
        days=gl_days, gl_revenue=np.zeros(len(gl_days)), cogs=np.zeros(len(gl_days)),
        receipts=np.zeros(len(gl_days)),
        window_sales=np.zeros((len(cat), 2, len(window_days))),
        expected_daily_units=np.zeros(len(cat)))
    years = (all_days - np.datetime64("2026-01-01")).astype(int) / 365.0
    season = np.asarray([0.95, 0.9, 1.0, 1.05, 1.05, 1.0, 0.95, 1.0, 1.05, 1.05, 1.0,
                         0.85])[month_index(all_days) - 1]
    rate = spec.orders_per_bday * scale * (1 + spec.yoy_growth) ** years * season
    rate = np.where(np.is_busday(all_days), rate, 0.0)
    w_mid = sampling_weights(cat, np.datetime64("2026-08-15"), orphan_share=0,
                             nocost_share=0, noweight_share=0)
    res.expected_daily_units = w_mid * rate[np.is_busday(all_days)].mean() * \
        spec.lines_mean * 11.0 * 5 / 7

    c_weight = cust["_weight"].to_numpy()
    c_ids = cust["customer_id"].to_numpy()
    c_terms = cust["_terms"].to_numpy()
    c_class = cust["_class"].to_numpy()
    c_contract = cust["_contract"].to_numpy()
    order_no = 300_001
    inv_no = 60_001
    source_names = np.asarray(["sales_rep", "web_portal", "edi", "trade_show", "referral"],
                              dtype=object)
    channel_names = np.asarray(["phone", "email", "portal", "edi"], dtype=object)
    dispute_before = np.datetime64(spec.dispute_before, "D")
    lag_shares = [s for _, _, s in spec.lag_groups]

    for m in month_starts(start, PERIOD_END):
        sel = (all_days >= m) & (all_days <= month_end(m))
        counts = rng.poisson(rate[sel])
        n = int(counts.sum())
        if n == 0:
            continue
        day = np.repeat(all_days[sel], counts)
        ordered_at = at_seconds(day, uniform_seconds(rng, n, 7, 17.5))
        o = np.argsort(ordered_at, kind="stable")
        ordered_at, day = ordered_at[o], day[o]
        oid = np.asarray([f"SO-{k}" for k in range(order_no, order_no + n)], dtype=object)
        order_no += n
        ci = rng.choice(len(c_ids), size=n, p=c_weight)
        k_lines = 1 + np.minimum(rng.poisson(spec.lines_mean - 1, size=n), 17)
        n_lines = int(k_lines.sum())
        lo = np.repeat(np.arange(n), k_lines)
        w = sampling_weights(cat, m + 14, orphan_share=0, nocost_share=0, noweight_share=0)
        sku = rng.choice(len(cat), size=n_lines, p=w)
        qty = np.maximum(1, np.round(rng.lognormal(2.1, 0.8, size=n_lines))).astype(int)
        price = cat.price[sku]
        gross = qty * price
        ldisc = np.where(c_contract[ci[lo]], money(gross * 0.05), np.nan)
        line_rev = money(gross - np.nan_to_num(ldisc))
        subtotal = money(np.bincount(lo, weights=line_rev, minlength=n))
        freight = np.where(subtotal < 1500, 85.0, 0.0)
        total = money(subtotal + freight)
        src = source_names[exact_choice(rng, n, [0.55, 0.2, 0.15, 0.05, 0.05])]
        src[exact_mask(rng, n, spec.unattributed)] = None
        chan = channel_names[exact_choice(rng, n, [0.35, 0.25, 0.25, 0.15])]
        wh = (rng.random(n) < 0.35).astype(int)    # 1 = the second warehouse

        # Invoices: batch lag, never invoiced, surcharge mismatch.
        missing = exact_mask(rng, n, spec.never_invoiced)
        lag_group = exact_choice(rng, n, lag_shares)
        lag = np.zeros(n, dtype=int)
        for g, (a, b, _) in enumerate(spec.lag_groups):
            idx = np.flatnonzero(lag_group == g)
            lag[idx] = rng.integers(a, b + 1, size=len(idx))
        issued = add_busdays(day, lag)
        has_inv = ~missing & (issued <= EXPORT_DAY)
        inv_idx = np.flatnonzero(has_inv)
        mismatch = np.zeros(n, dtype=bool)
        mismatch[inv_idx[exact_mask(rng, len(inv_idx), spec.surcharge_mismatch)]] = True
        amount = money(total + np.where(mismatch, np.round(rng.uniform(25, 120, size=n), 2),
                                        0.0))
        due = issued + c_terms[ci]
        cls = c_class[ci]
        delay = np.select(
            [cls == 0, cls == 1, cls == 2],
            [rng.integers(-8, 4, size=n), rng.integers(5, 31, size=n),
             rng.integers(40, 111, size=n)], rng.integers(60, 121, size=n))
        paid_day = due + delay
        disputed = (cls == 3) & (issued < dispute_before)
        paid_ok = ~disputed & (paid_day <= EXPORT_DAY)
        partial = np.where(disputed, money(amount * rng.choice([0.0, 0.0, 0.25, 0.4],
                                                               size=n)), 0.0)
        amount_paid = np.where(paid_ok, amount, partial)
        paid_at = np.where(paid_ok, paid_day, np.datetime64("NaT"))

        status = np.where(has_inv, "invoiced", "shipped")
        w_orders.write(pd.DataFrame({
            "order_id": oid, "ordered_at": to_ts(ordered_at), "total": total,
            "customer_id": c_ids[ci], "channel": chan, "source": src, "status": status,
            "subtotal": subtotal, "discount_total": 0.0, "shipping_charged": freight,
            "tax": 0.0, "currency": "USD"}))
        w_lines.write(pd.DataFrame({
            "order_id": oid[lo], "sku": cat.sku[sku], "quantity": qty, "unit_price": price,
            "line_discount": ldisc}))
        w_inv.write(pd.DataFrame({
            "invoice_id": [f"INV-{k}" for k in range(inv_no, inv_no + len(inv_idx))],
            "issued_at": fmt_dates(issued[inv_idx]),
            "amount": amount[inv_idx],
            "customer_id": c_ids[ci[inv_idx]],
            "due_at": fmt_dates(due[inv_idx]),
            "paid_at": fmt_dates(paid_at[inv_idx]),
            "amount_paid": amount_paid[inv_idx],
            "order_id": oid[inv_idx],
        }))
        inv_no += len(inv_idx)

        gi = (issued[inv_idx] - GL_START).astype(int)
        ok = issued[inv_idx] <= PERIOD_END
        res.gl_revenue += np.bincount(gi[ok], weights=(amount - freight)[inv_idx][ok],
                                      minlength=len(gl_days))
        pi = np.flatnonzero(~np.isnat(paid_at) & (paid_at <= PERIOD_END))
        res.receipts += np.bincount((paid_at[pi] - GL_START).astype(int),
                                    weights=amount_paid[pi], minlength=len(gl_days))
        cost = np.bincount(lo, weights=qty * cat.unit_cost[sku], minlength=n)
        res.cogs += np.bincount((day - GL_START).astype(int), weights=cost,
                                minlength=len(gl_days))
        lw = (day >= PERIOD_START)[lo]
        if lw.any():
            t = (day[lo][lw] - PERIOD_START).astype(int)
            np.add.at(res.window_sales, (sku[lw], wh[lo][lw], t), qty[lw])
        res.orders_written += n
        res.lines_written += n_lines

        win = day >= PERIOD_START
        truth.first("never_invoiced", oid[win & missing])
        old_open = has_inv & (due < PERIOD_END - 90) & (amount_paid < amount) & ~paid_ok
        truth.first("over_90", np.asarray([f"INV-{inv_no - len(inv_idx) + j}" for j, i in
                                           enumerate(inv_idx) if old_open[i]], dtype=object))
        truth.first("slow_payers", c_ids[ci[(cls >= 2) & win]])

    for name in ("orders", "order_lines", "invoices"):
        out.close(name)
    return res


def distribution_ledger(rng: np.random.Generator, spec: DistributionSpec,
                        res: DistributionResult, bills: pd.DataFrame, *, scale: int,
                        truth: Collector) -> pd.DataFrame:
    """Ledger: invoice revenue, COGS, receipts, bills and a heavy load of manual journals.

    The months before invoices exist are posted from the first full months at the planted
    growth rate. Manual journal lines are generated per month so that they are the planted
    share of all lines; the month's closing entries are keyed ``close_days`` after month end.
    """
    days = res.days
    gl_end = int((PERIOD_END - GL_START).astype(int)) + 1
    first = int((np.datetime64(spec.start, "D") - GL_START).astype(int))
    calib = slice(first + 31, first + 123)
    busy = np.is_busday(days)
    per_bday = {k: float(v[calib].sum() / busy[calib].sum()) for k, v in (
        ("rev", res.gl_revenue), ("cogs", res.cogs), ("rec", res.receipts))}
    growth = 1 + spec.yoy_growth
    years_back = (np.datetime64(spec.start, "D") + 60 - days).astype(int) / 365.0
    hist_factor = np.where(busy, growth ** (-years_back), 0.0) * rng.normal(
        1.0, 0.07, size=len(days))
    rev = res.gl_revenue.copy()
    cogs = res.cogs.copy()
    rec = res.receipts.copy()
    rev[:first] = per_bday["rev"] * hist_factor[:first]
    cogs[:first] = per_bday["cogs"] * hist_factor[:first]
    rec[:first] = per_bday["rec"] * hist_factor[:first]
    # Receipts of the first months still collect the pre-history's invoices.
    ramp = np.clip((np.arange(len(days)) - first) / 60.0, 0, 1)
    rec[first:] = rec[first:] + (1 - ramp[first:]) * per_bday["rec"] * busy[first:]

    led = Ledger()
    bill_days = bills["issued_at"].to_numpy().astype("datetime64[D]")
    paid_days = bills["paid_at"].to_numpy().astype("datetime64[D]")
    amounts = bills["amount"].to_numpy()
    for m in month_starts(GL_START, PERIOD_END):
        me = month_end(m)
        start_rows = len(led.rows)
        for i in np.flatnonzero((days >= m) & (days <= me) & (np.arange(len(days)) < gl_end)):
            d = days[i]
            if rev[i] > 0:
                led.entry(d, keyed(rng, d, 17, 20), [(AR, rev[i]), ("4000 Sales", -rev[i])],
                          "Invoices (daily summary)", "system")
            if cogs[i] > 0:
                led.entry(d, keyed(rng, d, 18, 21), [(COGS, cogs[i]), (INVENTORY, -cogs[i])],
                          "Cost of goods shipped", "system", "Fishbowl")
            if rec[i] > 0:
                led.entry(d, keyed(rng, d, 10, 16), [(CASH, rec[i]), (AR, -rec[i])],
                          "Customer payments", "system")
            for j in np.flatnonzero(bill_days == d).tolist():
                led.entry(d, keyed(rng, d, 9, 17), [(INVENTORY, amounts[j]), (AP, -amounts[j])],
                          f"Bill {bills['bill_id'].iat[j]}", "system", bills["vendor"].iat[j])
            for j in np.flatnonzero(paid_days == d).tolist():
                led.entry(d, keyed(rng, d, 9, 17), [(AP, amounts[j]), (CASH, -amounts[j])],
                          f"Bill payment {bills['bill_id'].iat[j]}", "system",
                          bills["vendor"].iat[j])
            if m < np.datetime64(spec.start, "D") and busy[i]:
                buy = cogs[i] * rng.uniform(0.9, 1.1)
                led.entry(d, keyed(rng, d, 9, 17), [(INVENTORY, buy), (AP, -buy)],
                          "Vendor bills (summary)", "system")
        for pay_day in (m + 14, me):
            amt = 95_000 * np.sqrt(scale) * rng.uniform(0.97, 1.03)
            led.entry(pay_day, keyed(rng, pay_day, 8, 12), [(PAYROLL, amt), (CASH, -amt)],
                      "Payroll", "system", "ADP")
        led.entry(m, keyed(rng, m, 8, 12), [(RENT, 18_500.0), (CASH, -18_500.0)],
                  "Warehouse rent", "system")
        system_lines = len(led.rows) - start_rows
        n_manual = round(spec.manual_share / (1 - spec.manual_share) * system_lines)
        bdays = days_between(m, me)
        bdays = bdays[np.is_busday(bdays)]
        close = int(rng.integers(spec.close_days[0], spec.close_days[1] + 1))
        made = 0
        j = 0
        ids: list[str] = []
        while made < n_manual:
            memo, dr, cr = MANUAL_MEMOS[int(rng.integers(len(MANUAL_MEMOS)))]
            amt = money(rng.uniform(150, 9000) * np.sqrt(scale))
            closing = j % 6 == 0
            if closing:
                d = me
                entered = keyed(rng, me + int(rng.integers(max(1, close - 4), close)), 9, 17)
            else:
                d = bdays[int(rng.integers(len(bdays)))]
                entered = keyed(rng, d + int(rng.integers(0, 4)), 9, 18)
            lines = [(dr, amt), (cr, -amt)]
            if made + 3 <= n_manual and j % 3 == 2:
                half = money(amt / 2)
                lines = [(dr, half), (SHIPPING, amt - half), (cr, -amt)]
            if dr == cr:
                lines = [(dr, amt), (dr, -amt)]
            if made + len(lines) > n_manual:
                lines = lines[: max(n_manual - made, 0)] if n_manual - made >= 2 else []
                if not lines:
                    break
            ids.append(led.entry(d, entered, lines, memo, "manual"))
            made += len(lines)
            j += 1
        # The last closing entry of the month is keyed exactly ``close`` days after.
        last_amt = money(rng.uniform(2000, 12000) * np.sqrt(scale))
        led.entry(me, keyed(rng, me + close, 14, 17), [(ADJUST, last_amt),
                                                       (INVENTORY, -last_amt)],
                  "Month-end inventory true-up", "manual")
        if m >= PERIOD_START:
            truth.first("manual_entries", np.asarray(ids, dtype=object))
    return led.frame()
