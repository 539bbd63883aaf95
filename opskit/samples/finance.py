"""The general ledger and vendor bills.

The ledger covers 24 months (2024-10 .. 2026-09) so revenue growth can be read from the books
year on year. Months before the order history starts are posted from the same demand model
(a synthetic but consistent pre-history). Daily system postings come from the shop or the
invoicing system; manual journals are keyed by hand after month end, which is where close lag
and the share of manual work show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from opskit.samples.common import (
    GL_START,
    PERIOD_END,
    days_between,
    fmt_dates,
    money,
    month_end,
    month_starts,
    to_ts,
)

GL_COLUMNS = ["posted_at", "account", "amount", "account_type", "entry_id", "memo",
              "counterparty", "source", "entered_at"]
BILL_COLUMNS = ["bill_id", "vendor", "issued_at", "amount", "reference", "due_at", "paid_at"]

CLEARING = "1200 Payments Clearing"
CASH = "1000 Operating Cash"
AR = "1100 Accounts Receivable"
INVENTORY = "1300 Inventory"
AP = "2000 Accounts Payable"
TAX = "2100 Sales Tax Payable"
ACCRUED = "2200 Accrued Expenses"
COGS = "5000 Cost of Goods Sold"
SHIPPING = "5100 Shipping & Freight"
REFUNDS = "5050 Returns & Refunds"
FEES = "6400 Merchant & Marketplace Fees"
ADS = "6000 Advertising"
PAYROLL = "6100 Payroll"
RENT = "6200 Rent"
SOFTWARE = "6300 Software"
INSURANCE = "6500 Insurance"
DEPRECIATION = "6600 Depreciation"
ADJUST = "5900 Inventory Adjustments"
PREPAID = "1400 Prepaid Expenses"
FIXED = "1500 Equipment"

ACCOUNT_TYPES = {
    CLEARING: "asset", CASH: "asset", AR: "asset", INVENTORY: "asset", PREPAID: "asset",
    FIXED: "asset", AP: "liability", TAX: "liability", ACCRUED: "liability", COGS: "cogs",
    SHIPPING: "expense", REFUNDS: "expense", FEES: "expense", ADS: "expense",
    PAYROLL: "expense", RENT: "expense", SOFTWARE: "expense", INSURANCE: "expense",
    DEPRECIATION: "expense", ADJUST: "expense",
}



def account_type(account: str) -> str:
    """The class of a ledger account: 4xxx accounts are revenue, the rest are listed."""
    if account.startswith("4"):
        return "revenue"
    return ACCOUNT_TYPES[account]


MANUAL_MEMOS = (
    ("Accrue freight not yet billed", SHIPPING, ACCRUED),
    ("Prepaid insurance amortization", INSURANCE, PREPAID),
    ("Depreciation", DEPRECIATION, FIXED),
    ("Inventory adjustment - cycle counts", ADJUST, INVENTORY),
    ("Payroll accrual", PAYROLL, ACCRUED),
    ("Reclass card charges", SOFTWARE, ACCRUED),
    ("Correct customer payment application", AR, AR),
    ("Accrue vendor rebate", INVENTORY, ACCRUED),
)


@dataclass
class Ledger:
    """Ledger lines collected in posting order; entry ids are sequential."""

    rows: list[tuple] = field(default_factory=list)
    next_entry: int = 1

    def entry(self, posted: np.datetime64, entered: np.datetime64, lines: Sequence[tuple],
              memo: str, source: str, counterparty: str | None = None) -> str:
        """Add one journal entry: ``lines`` are (account, amount) pairs summing to zero."""
        entry_id = f"JE{self.next_entry:06d}"
        self.next_entry += 1
        for account, amount in lines:
            amount = round(float(amount), 2)
            if amount == 0:
                continue
            self.rows.append((posted, account, amount, account_type(account), entry_id,
                              memo, counterparty, source, entered))
        return entry_id

    def frame(self, *, paren_credits: bool = False) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=GL_COLUMNS)
        df["posted_at"] = fmt_dates(df["posted_at"].to_numpy().astype("datetime64[D]"))
        df["entered_at"] = to_ts(df["entered_at"].to_numpy().astype("datetime64[s]"))
        if paren_credits:
            df["amount"] = [f"({-a:,.2f})" if a < 0 else f"{a:,.2f}" for a in df["amount"]]
        return df


def keyed(rng: np.random.Generator, day: np.datetime64, lo_h: float, hi_h: float
          ) -> np.datetime64:
    """When a posting dated ``day`` was keyed: ``lo_h`` to ``hi_h`` hours after midnight."""
    return np.datetime64(day, "s") + np.timedelta64(int(rng.uniform(lo_h, hi_h) * 3600), "s")


@dataclass(frozen=True)
class CommerceLedgerSpec:
    """How a DTC client's books are kept: the knobs of the margin and cash checks."""

    revenue_accounts: tuple[tuple[str, str], ...]   # channel -> revenue account
    fee_rates: tuple[tuple[str, float], ...]         # channel -> merchant/marketplace fee
    cogs_manual_pct: float | None                    # None: COGS posted daily from sales
    close_days: tuple[int, int]
    manual_per_month: int
    unposted_days: tuple[tuple[str, str], ...] = ()  # revenue sync gaps never re-run
    payroll_month: float = 100_000.0
    rent_month: float = 12_000.0
    software_month: float = 6_000.0


def commerce_ledger(rng: np.random.Generator, spec: CommerceLedgerSpec, *,
                    days: np.ndarray, revenue: dict[str, np.ndarray], tax: np.ndarray,
                    shipping_charged: np.ndarray, shipping_cost: np.ndarray,
                    refunds: np.ndarray, cogs: np.ndarray, expected_orders: np.ndarray,
                    ad_spend: dict[str, float], scale: int, yoy_growth: float
                    ) -> pd.DataFrame:
    """Daily system postings from the shop, monthly manual journals, 24 months of history.

    Days before the order history are posted from the demand model at the revenue per
    expected order observed in the first year of orders, so growth reads true.
    """
    gl_days = days_between(GL_START, PERIOD_END)
    n_hist = int((days[0] - GL_START).astype(int))
    first6 = slice(0, min(365, len(days)))
    per_order = {c: float(v[first6].sum() / expected_orders[first6].sum())
                 for c, v in revenue.items()}
    total_rev = sum(v[first6].sum() for v in revenue.values())
    ratios = {
        "tax": float(tax[first6].sum() / total_rev),
        "ship_charged": float(shipping_charged[first6].sum() / total_rev),
        "ship_cost": float(shipping_cost[first6].sum() / total_rev),
        "refunds": float(refunds[first6].sum() / total_rev),
        "cogs": float(cogs[first6].sum() / total_rev),
    }
    # Demand model extended back in time (same growth and seasonality).
    hist_days = gl_days[:n_hist]
    hist_rate = _extend_rate(days, expected_orders, hist_days, (1 + yoy_growth) ** (364 / 365))
    noise = rng.normal(1.0, 0.08, size=(len(revenue), n_hist))
    full_rev = {}
    for k, (c, v) in enumerate(revenue.items()):
        hist = np.maximum(hist_rate * per_order[c] * noise[k], 0)
        full_rev[c] = np.concatenate([hist, v])
    hist_total = sum(full_rev[c][:n_hist] for c in revenue)
    full = {key: np.concatenate([hist_total * r, arr]) for key, r, arr in (
        ("tax", ratios["tax"], tax), ("ship_charged", ratios["ship_charged"], shipping_charged),
        ("ship_cost", ratios["ship_cost"], shipping_cost),
        ("refunds", ratios["refunds"], refunds), ("cogs", ratios["cogs"], cogs))}
    accounts = dict(spec.revenue_accounts)
    fees = dict(spec.fee_rates)
    unposted = np.zeros(len(gl_days), dtype=bool)
    for a, b in spec.unposted_days:
        unposted |= (gl_days >= np.datetime64(a, "D")) & (gl_days <= np.datetime64(b, "D"))

    led = Ledger()
    for m in month_starts(GL_START, PERIOD_END):
        me = month_end(m)
        sel = np.flatnonzero((gl_days >= m) & (gl_days <= me))
        month_rev = 0.0
        for i in sel.tolist():
            d = gl_days[i]
            posted_rev = {c: full_rev[c][i] for c in revenue}
            month_rev += sum(posted_rev.values())
            if not unposted[i]:
                lines = [(accounts[c], -v) for c, v in posted_rev.items()]
                lines += [(TAX, -full["tax"][i]), (SHIPPING, -full["ship_charged"][i])]
                lines.append((CLEARING, -sum(a for _, a in lines)))
                led.entry(d, keyed(rng, d + 1, 2, 6), lines, "Daily sales summary", "system")
            led.entry(d, keyed(rng, d + 1, 2, 6), [(SHIPPING, full["ship_cost"][i]),
                                                     (CLEARING, -full["ship_cost"][i])],
                      "Shipping labels", "system", "ShipStation")
            fee = sum(full_rev[c][i] * fees.get(c, 0.0) for c in revenue)
            led.entry(d, keyed(rng, d + 1, 2, 6), [(FEES, fee), (CLEARING, -fee)],
                      "Processing and marketplace fees", "system")
            if full["refunds"][i] > 0:
                led.entry(d, keyed(rng, d + 1, 2, 6), [(REFUNDS, full["refunds"][i]),
                                                         (CLEARING, -full["refunds"][i])],
                          "Refunds", "system")
            if spec.cogs_manual_pct is None:
                led.entry(d, keyed(rng, d + 1, 2, 6), [(COGS, full["cogs"][i]),
                                                         (INVENTORY, -full["cogs"][i])],
                          "Cost of goods shipped", "system")
        # Monthly postings.
        for pay_day in (m + 14, me):
            amt = spec.payroll_month / 2 * np.sqrt(scale) * rng.uniform(0.97, 1.03)
            led.entry(pay_day, keyed(rng, pay_day, 8, 12), [(PAYROLL, amt), (CASH, -amt)],
                      "Payroll", "system", "Gusto")
        led.entry(m, keyed(rng, m, 8, 12), [(RENT, spec.rent_month), (CASH, -spec.rent_month)],
                  "Warehouse rent", "system", "Harborview Logistics Park LLC")
        soft = spec.software_month * rng.uniform(0.95, 1.05)
        led.entry(m + 2, keyed(rng, m + 2, 8, 12), [(SOFTWARE, soft), (CASH, -soft)],
                  "Software subscriptions", "system")
        ads = ad_spend.get(str(np.datetime64(m, "M")), 0.0)
        if ads:
            led.entry(me, keyed(rng, me + 1, 8, 12), [(ADS, ads), (CLEARING, -ads)],
                      "Advertising (card feed)", "system")
        # Month-end manual journals, keyed after the month closes.
        close = int(rng.integers(spec.close_days[0], spec.close_days[1] + 1))
        if spec.cogs_manual_pct is not None:
            c_amt = month_rev * spec.cogs_manual_pct
            led.entry(me, keyed(rng, me + close, 9, 17), [(COGS, c_amt), (INVENTORY, -c_amt)],
                      f"COGS estimate {spec.cogs_manual_pct:.0%} of sales", "manual")
        for j in range(spec.manual_per_month):
            memo, dr, cr = MANUAL_MEMOS[j % len(MANUAL_MEMOS)]
            amt = money(rng.uniform(800, 6000) * np.sqrt(scale))
            led.entry(me, keyed(rng, me + int(rng.integers(1, close + 1)), 9, 17),
                      [(dr, amt), (cr, -amt)], memo, "manual")
    return led.frame()


def _extend_rate(days: np.ndarray, rate: np.ndarray, hist_days: np.ndarray,
                 growth: float) -> np.ndarray:
    """The daily order rate for days before the order history, 52 weeks back in the model.

    The rate 364 days later divided by a year's growth keeps seasonality and the weekly
    cycle; days still before the history after one step go back another year.
    """
    if not len(hist_days):
        return np.zeros(0)
    later = hist_days + 364
    idx = np.clip((later - days[0]).astype(int), 0, len(days) - 1)
    out = rate[idx] / growth
    far = later < days[0]
    if far.any():
        out[far] = _extend_rate(days, rate, later[far], growth) / growth
    return out


# -- bills ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OverheadVendor:
    """A recurring vendor bill (rent, utilities, carriers...)."""

    vendor: str
    monthly: float
    per_month: int = 1
    ref_prefix: str = "INV-"
    fixed: bool = False       # same amount every month (rent): distinct references


def bills_from(rng: np.random.Generator, *, po: pd.DataFrame, overhead: Sequence[
        OverheadVendor], start: str, scale: int, terms_days: int = 30,
        export_day: np.datetime64 = PERIOD_END, duplicates: int = 0,
        ref_styles: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Vendor bills: one per purchase order plus recurring overhead; planted duplicates.

    A duplicate is the same vendor invoice keyed a second time 5-40 days later: same vendor
    and amount, the reference retyped (other case, spaces) or left empty.
    """
    rows = []
    po = po.copy()
    po["value"] = po["quantity"] * po["unit_cost"] + po["freight"].fillna(0) + po[
        "duty"].fillna(0)
    grouped = po.groupby("po_id", sort=False).agg(
        vendor=("vendor", "first"), received_at=("received_at", "first"),
        amount=("value", "sum"))
    ref_no = 20_400
    for po_id, row in grouped.iterrows():
        day = np.datetime64(row["received_at"], "D") + int(rng.integers(0, 6))
        ref_no += int(rng.integers(3, 40))
        style = (ref_styles or {}).get(row["vendor"], "INV-{n}")
        rows.append((row["vendor"], day, money(row["amount"]), style.format(n=ref_no),
                     str(po_id)))
    s = np.datetime64(start, "D")
    for ov in overhead:
        for m in month_starts(s, export_day):
            for k in range(ov.per_month):
                day = m + int(rng.integers(0, 27)) if ov.per_month > 1 else m + 1 + k
                if day > export_day:
                    continue
                amt = ov.monthly / ov.per_month * (1 if ov.fixed else rng.uniform(0.8, 1.2))
                amt = money(amt * scale) if not ov.fixed else money(amt * np.sqrt(scale))
                ref_no += int(rng.integers(1, 9))
                ref = f"{ov.ref_prefix}{str(np.datetime64(m, 'M')).replace('-', '')}" \
                    if ov.fixed else f"{ov.ref_prefix}{ref_no}"
                rows.append((ov.vendor, day, amt, ref, None))
    df = pd.DataFrame(rows, columns=["vendor", "issued", "amount", "reference", "po"])
    df = df.sort_values(["issued", "vendor", "reference"], kind="stable").reset_index(
        drop=True)
    subjects: list[str] = []
    if duplicates:
        # Small overhead bills (utilities, freight, supplies) are the ones keyed twice.
        fixed = {ov.vendor for ov in overhead if ov.fixed}
        window = df[(df["issued"] >= np.datetime64("2026-06-20")) & (
            df["issued"] <= np.datetime64("2026-09-01")) & df["po"].isna()
            & ~df["vendor"].isin(sorted(fixed))]
        pick = window.iloc[np.sort(rng.choice(len(window), size=duplicates, replace=False))]
        extra = []
        for j, (_, r) in enumerate(pick.iterrows()):
            ref = str(r["reference"])
            variant = (ref.lower().replace("-", "") if j % 3 == 0 else
                       ref.replace("-", " ") if j % 3 == 1 else None)
            later = np.datetime64(r["issued"], "D") + int(rng.integers(5, 29))
            extra.append((r["vendor"], later, r["amount"], variant, r["po"]))
        dup = pd.DataFrame(extra, columns=df.columns)
        dup["_dup"] = True
        df["_dup"] = False
        df = pd.concat([df, dup], ignore_index=True).sort_values(
            ["issued", "vendor"], kind="stable").reset_index(drop=True)
    else:
        df["_dup"] = False
    df["bill_id"] = [f"BILL-{7001 + i}" for i in range(len(df))]
    due = df["issued"].to_numpy().astype("datetime64[D]") + terms_days
    paid = due + rng.integers(-6, 4, size=len(df))
    paid = np.where(paid <= export_day, paid, np.datetime64("NaT"))
    out = pd.DataFrame({
        "bill_id": df["bill_id"],
        "vendor": df["vendor"],
        "issued_at": df["issued"].to_numpy().astype("datetime64[D]"),
        "amount": df["amount"].to_numpy(),
        "reference": df["reference"],
        "due_at": due,
        "paid_at": paid,
    })
    if duplicates:
        subjects = df.loc[df["_dup"], "bill_id"].tolist()
    return out, subjects
