"""Hat 4, ERP and systems integration: do the systems the business runs on talk to each other?

"We need a better ERP" or "we need a better CRM" is often "we need the systems we have to
talk": orders that never reach accounting or reach it at another amount, SKUs created in the
shop that the product master does not know, people retyping data from one system into
another, and a shop and a ledger that disagree on revenue.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from opskit.checks._charts_people import (
    labelled,
    month_start,
    pct,
    plural,
    tally,
    threshold_marks,
    time_bins,
    top_labels,
    week_start,
)
from opskit.checks._common import (
    annual,
    average_order_value,
    average_order_value_words,
    has_values,
    hourly_cost,
    in_period,
    isin,
    judge_count,
    judge_rate,
    min_evidence_param,
    month_labels,
    months,
    period_lines,
    period_lines_dated,
    period_orders,
    population_words,
    ratio,
    share,
    status_class,
    with_population,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

INVOICE_STORY = Story(
    "We need a better ERP.",
    "The shop and accounting never reconcile: orders are missing from the invoices or "
    "invoiced at another amount.")
ORPHAN_STORY = Story(
    "The catalog is a mess.",
    "SKUs are created in the shop, not in the product master, so nobody knows their cost or "
    "weight.")
REKEYING_STORY = Story(
    "We need a better CRM.",
    "We need the systems we have to talk: people retype data from one system into another.")
RECONCILIATION_STORY = Story(
    "Finance and sales have different numbers.",
    "There is no single source of truth: the shop's revenue and the ledger's revenue differ "
    "month after month.")

AMOUNT_TOLERANCE = 0.01
REKEYING_CATEGORIES = ("rekeying", "data_entry")
CONNECTED_METHODS = ("api", "native")


#: A channel whose orders mostly carry an invoice is a channel the business invoices.
INVOICED_CHANNEL_SHARE = 0.5
NO_CHANNEL = "(no channel)"
#: Revenue accounts that book shipping charged to customers, not sales of goods.
SHIPPING_ACCOUNT = re.compile(r"ship|freight|deliver|postage|carriage", re.IGNORECASE)
#: Revenue accounts that book refunds back (contra revenue for returns).
RETURNS_ACCOUNT = re.compile(r"return|refund|allowance", re.IGNORECASE)


def period_words(data: CheckData) -> str:
    return f"{data.period.start.date()} to {data.period.end.date()}"


def population(data: CheckData) -> dict[str, str]:
    """The orders left out of a check's population, in words, for its details ({} if none)."""
    words = population_words(data)
    return {"population": words} if words else {}


# -- integration.orders_vs_invoices ----------------------------------------------------------
def invoice_status(orders: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    """Orders with their invoices summed, the earliest invoice date, and a match flag.

    An order matches when one of its invoices carries its order_id and an amount within a
    cent of the order total.
    """
    linked = invoices.dropna(subset=["order_id"])
    pairs = orders[["order_id", "total"]].merge(
        linked[["order_id", "invoice_id", "issued_at", "amount"]], on="order_id", how="inner")
    pairs = pairs.assign(
        amount_matches=(pairs["amount"] - pairs["total"]).abs() <= AMOUNT_TOLERANCE + 1e-9)
    per_order = pairs.groupby("order_id").agg(
        matched=("amount_matches", "any"), invoiced=("amount", "sum"),
        first_issued_at=("issued_at", "min"))
    merged = orders.merge(per_order, left_on="order_id", right_index=True, how="left")
    merged = merged.assign(matched=merged["matched"].fillna(False).astype(bool),
                           has_invoice=merged["first_issued_at"].notna())
    mismatched = pairs[pairs["order_id"].isin(
        merged.loc[merged["has_invoice"] & ~merged["matched"], "order_id"])]
    invoice_ids = mismatched.sort_values("invoice_id").groupby("order_id")["invoice_id"].agg(
        ", ".join)
    return merged.assign(invoice_ids=merged["order_id"].map(invoice_ids))


def invoice_gaps(status: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """Evidence rows: orders missing an invoice, invoiced at another amount, extra invoices."""
    unmatched = status[~status["matched"]]
    order_rows = pd.DataFrame({
        "order_id": unmatched["order_id"],
        "problem": unmatched["has_invoice"].map({True: "amount differs",
                                                 False: "no invoice"}),
        "ordered_at": unmatched["ordered_at"],
        "order_total": unmatched["total"],
        "invoice_id": unmatched["invoice_ids"],
        "issued_at": unmatched["first_issued_at"],
        "invoiced": unmatched["invoiced"].fillna(0.0),
    })
    extra_rows = pd.DataFrame({
        "order_id": extra["order_id"], "problem": "invoice for an unknown order",
        "ordered_at": pd.Series(pd.NaT, index=extra.index, dtype="datetime64[us]"),
        "order_total": 0.0, "invoice_id": extra["invoice_id"],
        "issued_at": extra["issued_at"], "invoiced": extra["amount"],
    })
    rows = pd.concat([frame for frame in (order_rows, extra_rows) if len(frame)],
                     ignore_index=True) if len(order_rows) or len(extra_rows) else order_rows
    rows = rows.assign(difference=(rows["invoiced"] - rows["order_total"]).round(2))
    return rows.assign(_gap=rows["difference"].abs()).sort_values(
        "_gap", ascending=False).drop(columns="_gap").reset_index(drop=True)


@check("integration.orders_vs_invoices", area="integration",
       title="Orders do not reach accounting at the right amount",
       needs={"orders": ["order_id", "ordered_at", "total"],
              "invoices": ["invoice_id", "issued_at", "amount", "order_id"]},
       proof_metric="match_rate")
def orders_vs_invoices(
    data: CheckData,
    *,
    warn: float = Param(0.995, 0.0, 1.0, 0.001, "Matched share of orders below which the "
                        "check warns."),
    fail: float = Param(0.98, 0.0, 1.0, 0.001, "Matched share of orders below which the check "
                        "fails."),
    never_billed: float = Param(0.03, 0.0, 1.0, 0.01, "Probability that an unmatched order is "
                                "never billed.", low=0.01, high=0.05, unit="share"),
    fix_minutes: float = Param(15, 0, 240, 1, "Minutes to investigate and fix one unmatched "
                               "order.", unit="minutes"),
    min_evidence: float = min_evidence_param(50, "orders"),
) -> Result:
    """Orders do not reach accounting at the right amount.

    Question: does every order reach accounting, at the right amount?

    Metric: ``match_rate`` = orders of the invoiced channels that have an invoice with their
    order_id and an amount within $0.01 of the order total ÷ orders of the invoiced channels.
    A channel is invoiced when most of its orders of the period (at least half) carry an
    invoice; a channel whose orders mostly have none is paid another way (a web shop paid by
    card at checkout) and is left out and named in the details. Without a channel column
    every order is judged. ``lag_p90_days`` is the 90th percentile of days from
    ``ordered_at`` to the order's first invoice (judged orders with an invoice). The evidence
    lists orders with no invoice, orders invoiced at another amount, and invoices of the
    period that name an order the shop does not have.

    Threshold: warn below 99.5%, fail below 98% (lower is worse; default judgement
    thresholds). The catalog's invoicing-lag guide (1 / 3 days) is reported, not judged.

    Impact: unmatched orders a year × (average order value × probability the order is never
    billed 1% / 3% / 5% + 15 minutes to fix × hourly cost).

    Chart: judged orders by week placed, stacked into invoiced at their amount, at another
    amount, and not invoiced.

    Population: live orders placed in the period in the invoiced channels (cancelled,
    refunded, test and draft orders are never invoiced: left out and counted in the details).

    Time basis: ordered_at in the period, local time; an invoice of any date matches.

    Minimum evidence: ``min_evidence`` judged orders (50); judged on the 95% Wilson bound of
    the match rate (its upper bound, since lower is worse).

    Base: unmatched judged orders of the period, annualized; the average live order value.
    """
    orders = period_orders(data)
    if orders.empty:
        raise NotAssessable("Send the order export of the shop (orders: order_id, ordered_at, "
                            f"total) covering {period_words(data)}.")
    invoices = data["invoices"]
    status = invoice_status(orders, invoices)
    if not status["has_invoice"].any():
        raise NotAssessable(
            "Send the invoices export with the order number of each invoice covering "
            f"{period_words(data)}: no invoice names an order of the period, so the orders "
            "that are invoiced cannot be told from those paid another way.")
    status, channels = invoiced_channels(status)
    match_rate = ratio(status["matched"].sum(), len(status))
    verdict, why = judge_rate(int(status["matched"].sum()), len(status), warn, fail,
                              min_evidence=int(min_evidence), noun="judged orders",
                              higher_is_worse=False)
    lag = (status["first_issued_at"] - status["ordered_at"]).dt.total_seconds() / 86400
    lag_p90 = float(lag.dropna().quantile(0.9)) if lag.notna().any() else None
    window_invoices = in_period(invoices, "issued_at", data).dropna(subset=["order_id"])
    extra = window_invoices[~window_invoices["order_id"].isin(data["orders"]["order_id"])]
    unmatched = int((~status["matched"]).sum())
    details: dict = {**population(data)}
    if channels is not None:
        details["channels"] = channels
        skipped = channels[~channels["judged"]]
        if len(skipped):
            details["channels_not_judged"] = ", ".join(
                f"{c} ({i:,} of {n:,} orders invoiced: paid another way)"
                for c, i, n in zip(skipped["channel"], skipped["invoiced"], skipped["orders"],
                                   strict=True))
        details["channels_judged"] = ", ".join(channels.loc[channels["judged"], "channel"])
    return Result(
        status=verdict, judgement=why, details=details,
        metrics={
            "match_rate": share(match_rate, "orders with an invoice at the same amount ÷ "
                                "orders"),
            "lag_p90_days": Metric(lag_p90, "days", "p90 days from order to first invoice"),
            "missing_invoices": Metric(int((~status["has_invoice"]).sum()), "count",
                                       "orders with no invoice"),
            "amount_mismatches": Metric(int((status["has_invoice"] & ~status["matched"]).sum()),
                                        "count", "orders invoiced at another amount"),
            "extra_invoices": Metric(len(extra), "count", "invoices naming an unknown order"),
            "orders": Metric(len(status), "count", "live orders of the invoiced channels in "
                             "the period"),
        },
        evidence=invoice_gaps(status, extra), evidence_id="order_id",
        impact=with_population(unmatched_impact(data, unmatched, never_billed, fix_minutes), data),
        story=INVOICE_STORY, chart=invoice_chart(status))


def invoice_chart(status: pd.DataFrame) -> CauseChart:
    """Judged orders by week (or month) placed, stacked into invoiced at the same amount,
    invoiced at another amount and not invoiced: whether the gap is steady or a break."""
    matched, differs, missing = ("invoiced at the same amount", "amount differs",
                                 "no invoice")
    is_matched = status["matched"].to_numpy(dtype=bool)
    has_invoice = status["has_invoice"].to_numpy(dtype=bool)
    outcome = np.where(is_matched, 2, np.where(has_invoice, 1, 0))
    x, when = time_bins(status["ordered_at"])
    frame = pd.DataFrame({x: when, "invoice": labelled(outcome, [missing, differs, matched],
                                                       status.index)})
    data = tally(frame, x, "invoice", x_order=sorted(pd.unique(when.dropna())),
                 series_order=[missing, differs, matched], name="orders")
    gaps = int((~is_matched).sum())
    note = (f"{gaps:,} of {plural(len(status), 'order')} did not reach accounting at their "
            f"amount ({pct(ratio(gaps, len(status)))}): {int((outcome == 0).sum()):,} "
            f"with no invoice, {int((outcome == 1).sum()):,} at another amount."
            if gaps else f"Every one of the {len(status):,} orders was invoiced at its amount.")
    return CauseChart(
        kind="stacked", data=data, x=x, y="orders", series="invoice",
        title=f"Orders by {x} placed: invoiced at their amount or not", x_title=f"{x} placed",
        y_title="orders", y_unit="count", note=note)


def invoiced_channels(status: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The orders of the channels the business invoices, and a table of every channel.

    A channel is invoiced when at least half of its orders carry an invoice
    (``INVOICED_CHANNEL_SHARE``); orders without a channel form one channel of their own.
    Without a channel column (or with none filled) every order is judged and the table is
    None. When no channel is invoiced by that rule every order is judged too: the data
    cannot tell a channel paid another way from invoicing that broke everywhere.
    """
    if not has_values(status, "channel"):
        return status, None
    channel = status["channel"].astype("str").fillna(NO_CHANNEL).where(
        status["channel"].notna(), NO_CHANNEL)
    table = pd.DataFrame({"channel": channel, "invoiced": status["has_invoice"]}).groupby(
        "channel", sort=True)["invoiced"].agg(orders="size", invoiced="sum").reset_index()
    table = table.assign(invoiced=table["invoiced"].astype(int),
                         invoiced_share=(table["invoiced"] / table["orders"]).round(4))
    table = table.assign(judged=table["invoiced_share"] >= INVOICED_CHANNEL_SHARE)
    if not table["judged"].any():
        table = table.assign(judged=True)
    judged = channel.isin(table.loc[table["judged"], "channel"]).to_numpy()
    return status[judged], table


def unmatched_impact(data: CheckData, unmatched: int, never_billed: float,
                     fix_minutes: float) -> Impact:
    """Revenue never billed plus the time to chase each unmatched order, a year."""
    aov = average_order_value(data)
    probabilities = orders_vs_invoices.spec.params["never_billed"].spread(never_billed)
    hourly, hourly_words = hourly_cost(data)
    a_year = annual(data, unmatched)
    values = (a_year * (aov * p + fix_minutes / 60 * h)
              for p, h in zip(probabilities, hourly, strict=True))
    return Impact(
        *values,
        formula=f"{a_year:,.0f} unmatched orders a year × (average order value × probability "
                f"never billed + {fix_minutes:g} minutes × hourly cost)",
        assumptions={"average order value": average_order_value_words(data),
                     "probability never billed": " / ".join(f"{p:.0%}" for p in probabilities),
                     "hourly cost": hourly_words})


# -- integration.orphan_skus -----------------------------------------------------------------
def orphan_lines(data: CheckData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines of the period with revenue, one row per orphan SKU with what it sold)."""
    lines = period_lines_dated(data)
    if lines is None:
        lines = period_lines(data).merge(
            period_orders(data)[["order_id", "ordered_at"]], on="order_id", how="left")
    orphan = lines[~lines["sku"].isin(data["products"]["sku"])]
    per_sku = orphan.groupby("sku", as_index=False).agg(
        revenue=("revenue", "sum"), units=("quantity", "sum"), orders=("order_id", "nunique"),
        first_sold_at=("ordered_at", "min"), last_sold_at=("ordered_at", "max"))
    return lines, per_sku.assign(problem="not in the product master")


def conflicting_skus(products: pd.DataFrame) -> pd.DataFrame:
    """SKUs recorded more than once whose price or unit cost differs by more than a cent."""
    fields = [c for c in ("price", "unit_cost") if c in products]
    if not fields:
        return pd.DataFrame(columns=["sku"])
    repeated = products[products["sku"].duplicated(keep=False)]
    spread = repeated.groupby("sku").agg(
        **{f"{f}_min": (f, "min") for f in fields}, **{f"{f}_max": (f, "max") for f in fields})
    differs = pd.Series(False, index=spread.index)
    for field in fields:
        differs |= (spread[f"{field}_max"] - spread[f"{field}_min"]).fillna(0) > AMOUNT_TOLERANCE
    conflicts = spread[differs].reset_index()
    if "system" in repeated:
        named = repeated[repeated["sku"].isin(conflicts["sku"])].dropna(subset=["system"])
        systems = named.drop_duplicates(["sku", "system"]).sort_values("system").groupby(
            "sku")["system"].agg(", ".join)
        conflicts = conflicts.assign(systems=conflicts["sku"].map(systems))
    return conflicts.assign(problem="price or cost differs across systems")


@check("integration.orphan_skus", area="integration",
       title="The shop sells SKUs the product master does not know",
       needs={"orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"],
              "products": ["sku"]},
       proof_metric="orphan_revenue_share")
def orphan_skus(
    data: CheckData,
    *,
    warn: float = Param(0.01, 0.0, 1.0, 0.005, "Orphan share of line revenue that warns."),
    fail: float = Param(0.03, 0.0, 1.0, 0.005, "Orphan share of line revenue that fails."),
    fix_minutes: float = Param(10, 0, 240, 1, "Minutes to create or reconcile one SKU in the "
                               "product master.", unit="minutes"),
    min_evidence: float = min_evidence_param(30, "order lines"),
) -> Result:
    """The shop sells SKUs the product master does not know.

    Question: are we selling SKUs the product master does not know?

    Metric: ``orphan_revenue_share`` = line revenue (quantity × unit_price − line_discount) of
    orders of the period on SKUs absent from ``products`` ÷ line revenue of the period.
    ``conflicting_skus`` counts SKUs recorded more than once in ``products`` (several systems)
    whose price or unit cost differs by more than a cent; they are listed after the orphans.

    Threshold: warn 1%, fail 3% (default judgement thresholds).

    Impact: direct cost only: (orphan SKUs + conflicting SKUs) found in the period, a year ×
    10 minutes × hourly cost. The money lost on those SKUs is counted by margin.missing_cogs
    and fulfillment.data_defects_drive_delays.

    Chart: weekly share of line revenue on SKUs the product master lacks, with the warn and
    fail marks.

    Population: lines of live orders placed in the period (cancelled, refunded, test and
    draft orders left out and counted in the details); every record of the product master.

    Time basis: ordered_at in the period, local time.

    Minimum evidence: ``min_evidence`` order lines (30); a revenue-weighted share has no
    Wilson interval, so fewer lines is "too few to judge".

    Base: SKUs to fix found in the period, annualized, at the staff hourly cost.
    """
    lines, orphans = orphan_lines(data)
    if lines.empty:
        raise NotAssessable("Send the order export with its line items (order_lines: order_id, "
                            f"sku, quantity, unit_price) covering {period_words(data)}.")
    total_revenue = float(lines["revenue"].sum())
    orphan_share = ratio(orphans["revenue"].sum(), total_revenue)
    conflicts = conflicting_skus(data["products"])
    sold = lines.groupby("sku")["revenue"].sum()
    conflicts = conflicts.assign(revenue=conflicts["sku"].map(sold).fillna(0.0))
    evidence = pd.concat(
        [frame for frame in (orphans.sort_values("revenue", ascending=False),
                             conflicts.sort_values("revenue", ascending=False)) if len(frame)],
        ignore_index=True) if len(orphans) or len(conflicts) else orphans
    columns = ["sku", "problem", "revenue", "units", "orders", "first_sold_at", "last_sold_at",
               "systems", "price_min", "price_max", "unit_cost_min", "unit_cost_max"]
    evidence = evidence[[c for c in columns if c in evidence]].round({"revenue": 2})
    fixes = len(orphans) + len(conflicts)
    hourly, hourly_words = hourly_cost(data)
    a_year = annual(data, fixes)
    status, why = judge_count(orphan_share, warn, fail, len(lines),
                              min_evidence=int(min_evidence), noun="order lines")
    return Result(
        status=status, judgement=why, details=population(data),
        metrics={
            "orphan_revenue_share": share(orphan_share, "revenue on SKUs not in products ÷ "
                                          "revenue"),
            "orphan_skus": Metric(len(orphans), "count", "SKUs sold that products lacks"),
            "orphan_revenue": Metric(float(orphans["revenue"].sum()), "$",
                                     "revenue on orphan SKUs"),
            "conflicting_skus": Metric(len(conflicts), "count",
                                       "SKUs whose price or cost differs across systems"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="sku",
        impact=with_population(Impact(
            *(a_year * fix_minutes / 60 * h for h in hourly),
            formula=f"{a_year:,.0f} SKUs to fix a year × {fix_minutes:g} minutes × hourly cost "
                    "(revenue effects are counted by margin.missing_cogs and "
                    "fulfillment.data_defects_drive_delays)",
            assumptions={"hourly cost": hourly_words}), data),
        story=ORPHAN_STORY, chart=orphan_chart(lines, orphans, warn, fail))


def orphan_chart(lines: pd.DataFrame, orphans: pd.DataFrame, warn: float, fail: float
                 ) -> CauseChart:
    """Share of each week's (or month's) line revenue on SKUs the product master lacks,
    against the warn and fail marks: a steady leak, or SKUs created in the shop lately."""
    x, when = time_bins(lines["ordered_at"])
    codes, bins = pd.factorize(when, sort=True)
    revenue = lines["revenue"].to_numpy(dtype="float64", na_value=0.0)
    orphan = np.where(isin(lines["sku"], orphans["sku"]).to_numpy(dtype=bool), revenue, 0.0)
    kept = codes >= 0
    total = np.bincount(codes[kept], weights=revenue[kept], minlength=len(bins))
    lost = np.bincount(codes[kept], weights=orphan[kept], minlength=len(bins))
    with np.errstate(divide="ignore", invalid="ignore"):
        orphan_share = np.where(total != 0, lost / total, np.nan)
    data = pd.DataFrame({x: np.asarray(bins), "orphan_revenue": lost.round(2),
                         "revenue": total.round(2), "orphan_share": orphan_share.round(4)})
    if len(orphans):
        largest = orphans.sort_values(["revenue", "sku"], ascending=[False, True]).iloc[0]
        total = float(orphans["revenue"].sum())
        note = (f"{plural(len(orphans), 'SKU')} sold in the period are not in the product "
                f"master: {money(total)} of revenue "
                f"({pct(ratio(total, float(lines['revenue'].sum())))}); the largest, "
                f"{largest['sku']}, sold {money(largest['revenue'])}.")
    else:
        note = "Every SKU sold in the period is in the product master."
    return CauseChart(
        kind="lines", data=data, x=x, y="orphan_share",
        title=f"Revenue on SKUs the product master lacks, by {x}", x_title=x,
        y_title="share of line revenue", y_unit="share",
        marks=threshold_marks(warn, fail, pct), note=note)


# -- integration.manual_rekeying -------------------------------------------------------------
def connected_pairs(data: CheckData) -> set[tuple[str, str]]:
    """(system, system) pairs joined by an api or native integration, in both directions."""
    if not data.has("integrations", "source_system", "target_system", "method"):
        return set()
    links = data["integrations"]
    links = links[links["method"].isin(CONNECTED_METHODS)]
    source = links["source_system"].astype("str").str.strip().str.lower()
    target = links["target_system"].astype("str").str.strip().str.lower()
    return set(zip(source, target, strict=True)) | set(zip(target, source, strict=True))


def rekeying_tasks(data: CheckData) -> pd.DataFrame:
    """Task entries of the period that retype data between two systems with no integration."""
    tasks = in_period(data["tasks"], "performed_on", data)
    for column in ("category", "system", "target_system"):
        if column not in tasks:
            return tasks.iloc[0:0].assign(pair=pd.Series(dtype="str"))
    source = tasks["system"].astype("str").str.strip().str.lower()
    target = tasks["target_system"].astype("str").str.strip().str.lower()
    pair = source + " → " + target
    connected = {f"{a} → {b}" for a, b in connected_pairs(data)}
    keyed = (tasks["category"].isin(REKEYING_CATEGORIES) & source.notna() & target.notna()
             & (source != target) & ~pair.isin(connected))
    return tasks.assign(pair=tasks["system"].astype("str").str.strip() + " → "
                        + tasks["target_system"].astype("str").str.strip())[keyed.fillna(False)]


@check("integration.manual_rekeying", area="integration",
       title="People retype data from one system into another",
       needs={"tasks": ["person", "task", "performed_on", "minutes", "category", "system",
                        "target_system"]},
       proof_metric="rekeying_hours_per_month")
def manual_rekeying(
    data: CheckData,
    *,
    warn: float = Param(10, 0, 1000, 1, "Hours a month of rekeying that warn.", unit="hours"),
    fail: float = Param(40, 0, 1000, 1, "Hours a month of rekeying that fail.", unit="hours"),
    capture: float = Param(0.70, 0.0, 1.0, 0.05, "Share of the hours an integration removes.",
                           low=0.50, high=0.90, unit="share"),
    min_evidence: float = min_evidence_param(5, "rekeying task entries"),
) -> Result:
    """People retype data from one system into another.

    Question: which data is typed from one system into another?

    Metric: ``rekeying_hours_per_month`` = minutes ÷ 60 of task entries of the period with
    category ``rekeying`` or ``data_entry`` whose ``system`` and ``target_system`` are both
    set and different, and whose pair of systems has no ``api`` or ``native`` integration in
    either direction, ÷ months in the period (days ÷ 30.4375). Without an integrations table
    no pair counts as connected.

    Threshold: warn 10, fail 40 hours a month (default judgement thresholds).

    Impact: hours a month × 12 × hourly cost × share an integration would remove 50% / 70% /
    90%.

    Chart: hours retyped each week of the period, stacked by pair of systems.

    Population: task entries of the period that retype between two unintegrated systems.

    Time basis: performed_on in the period; a month is 30.4375 days.

    Minimum evidence: ``min_evidence`` rekeying task entries (5); hours a month have no
    Wilson interval, so fewer entries is "too few to judge".

    Base: rekeying hours a month × 12 at the staff hourly cost.
    """
    tasks = rekeying_tasks(data)
    period_months = months(data)
    hours = float(tasks["minutes"].sum()) / 60
    per_month = ratio(hours, period_months)
    by_task = tasks.groupby(["task", "pair"], as_index=False).agg(
        minutes=("minutes", "sum"), entries=("task", "size"),
        people=("person", lambda p: ", ".join(sorted(p.astype("str").unique()))))
    evidence = by_task.assign(
        hours_per_month=(by_task["minutes"] / 60 / period_months).round(2)).sort_values(
        "hours_per_month", ascending=False)[["task", "pair", "hours_per_month", "entries",
                                             "people"]]
    captures = manual_rekeying.spec.params["capture"].spread(capture)
    hourly, hourly_words = hourly_cost(data)
    has_map = data.has("integrations", "source_system", "target_system", "method")
    status, why = judge_count(per_month, warn, fail, len(tasks),
                              min_evidence=int(min_evidence), noun="rekeying task entries")
    return Result(
        status=status, judgement=why,
        metrics={
            "rekeying_hours_per_month": Metric(per_month, "hours", "hours a month retyping "
                                               "between unintegrated systems"),
            "system_pairs": Metric(tasks["pair"].nunique(), "count",
                                   "pairs of systems bridged by hand"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="task",
        impact=Impact(*(per_month * 12 * h * c for h, c in zip(hourly, captures, strict=True)),
                      formula=f"{per_month:,.1f} hours a month × 12 × hourly cost × share an "
                              "integration removes",
                      assumptions={"hourly cost": hourly_words,
                                   "share removed": " / ".join(f"{c:.0%}" for c in captures),
                                   "integrations": "from the integrations table" if has_map
                                   else "no integrations table: no pair counted as connected"}),
        story=REKEYING_STORY,
        chart=rekeying_chart(tasks, data, per_month) if len(tasks) else None)


def rekeying_chart(tasks: pd.DataFrame, data: CheckData, per_month: float) -> CauseChart:
    """Hours retyped each week of the period (months beyond half a year), stacked by pair of
    systems (the 6 largest, the rest as "other pairs"): which bridge of hands costs the
    most, and whether it is steady work. Weeks without rekeying are drawn as zero."""
    hours = tasks["minutes"] / 60
    x, first = time_bins(pd.Series([data.period.start, data.period.end]))
    bins = pd.date_range(first.iloc[0], data.period.end, freq="W-MON" if x == "week" else "MS")
    at = week_start(tasks["performed_on"]) if x == "week" else month_start(
        tasks["performed_on"])
    frame = pd.DataFrame({x: at.to_numpy(),
                          "pair": top_labels(tasks["pair"], hours, keep=6,
                                             other="other pairs").to_numpy(),
                          "hours": hours.to_numpy()})
    pairs = frame.groupby("pair")["hours"].sum().sort_values(ascending=False, kind="stable")
    data_frame = tally(frame, x, "pair", value="hours", name="hours",
                       x_order=list(bins.astype("datetime64[us]")),
                       series_order=pairs.index.tolist())
    data_frame["hours"] = data_frame["hours"].round(2)
    note = (f"{per_month:,.1f} hours a month are retyped between systems with no "
            f"integration; {pairs.index[0]} alone takes "
            f"{pairs.iloc[0] / months(data):,.1f} of them.")
    return CauseChart(
        kind="stacked", data=data_frame, x=x, y="hours", series="pair",
        title=f"Hours retyped between unintegrated systems, by {x} and pair of systems",
        x_title=x, y_title=f"hours a {x}", y_unit="hours", note=note)


# -- integration.revenue_reconciliation ------------------------------------------------------
def order_revenue(orders: pd.DataFrame) -> pd.Series:
    """Per order, revenue of goods net of discounts: subtotal − discount_total, or, where the
    subtotal is missing, total − tax − shipping charged (missing parts count zero)."""
    def part(column: str) -> pd.Series | float:
        return orders[column].fillna(0.0) if column in orders else 0.0

    net_total = orders["total"] - part("tax") - part("shipping_charged")
    if "subtotal" not in orders:
        return net_total
    return (orders["subtotal"] - part("discount_total")).fillna(net_total)


def is_shipping_account(accounts: pd.Series) -> pd.Series:
    """True for ledger accounts that book shipping charged to customers ('Shipping Income',
    'Freight Revenue', 'Delivery charges'), by name."""
    return accounts.astype("str").str.contains(SHIPPING_ACCOUNT).fillna(False).astype(bool)


def is_returns_account(accounts: pd.Series) -> pd.Series:
    """True for ledger accounts that book refunds back ('Sales Returns', 'Returns and
    Allowances', 'Refunds'), by name."""
    return accounts.astype("str").str.contains(RETURNS_ACCOUNT).fillna(False).astype(bool)


def booked_orders(data: CheckData, gross: bool) -> pd.DataFrame:
    """The orders of the period the ledger booked as sales: the live ones, and, when the
    ledger books refunds back to a returns account (``gross``), the fully refunded ones too
    (their sale was booked in the month placed, their refund later)."""
    if not gross or "status" not in data["orders"]:
        return period_orders(data)
    orders = data["orders"]
    booked = status_class(orders["status"]).isin(["live", "refunded"]).to_numpy()
    return orders[data.period.contains(orders["ordered_at"]).to_numpy() & booked]


def monthly_revenue(data: CheckData) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Per calendar month of the period: the shop's revenue and the ledger's revenue, like
    with like (goods net of discounts on both sides, shipping and refunds apart); and the
    ledger's revenue accounts compared, and those left out with why, by name.

    Shop revenue = Σ ``order_revenue`` of the month's booked orders (``booked_orders``).
    Ledger revenue = −Σ amount of revenue-type entries posted in the month (credits are
    negative), so a contra-revenue account (sales discounts, a debit) nets the discounts as
    the shop side does. Revenue accounts that book shipping charged (``is_shipping_account``)
    are left out, as the shop side leaves shipping charged out, and compared with it apart
    (``shipping_income``, ``shipping_charged``). Revenue accounts that book refunds back
    (``is_returns_account``) are left out too, and the shop side then keeps the fully
    refunded orders in the month they were placed: both sides gross of refunds. Only months
    where the ledger has revenue entries are compared.
    """
    gl = in_period(data["gl_entries"], "posted_at", data)
    gl = gl[gl["account_type"] == "revenue"]
    shipping = is_shipping_account(gl["account"])
    returns = is_returns_account(gl["account"]) & ~shipping
    compared_rows = ~shipping & ~returns
    orders = booked_orders(data, gross=bool(returns.any()))
    labels = month_labels(orders["ordered_at"])
    shop = order_revenue(orders).groupby(labels).sum()
    gl_months = month_labels(gl["posted_at"])
    ledger = -gl.loc[compared_rows, "amount"].groupby(gl_months[compared_rows]).sum()
    frame = pd.DataFrame({"orders_revenue": shop, "gl_revenue": ledger,
                          "orders": orders.groupby(labels).size()})
    if shipping.any():
        frame = frame.assign(
            shipping_income=-gl.loc[shipping, "amount"].groupby(gl_months[shipping]).sum(),
            shipping_charged=(orders["shipping_charged"].fillna(0.0).groupby(labels).sum()
                              if "shipping_charged" in orders else np.nan))
    frame = frame[frame["gl_revenue"].notna()].fillna({"orders_revenue": 0.0, "orders": 0})
    frame.index.name = "month"
    compared = sorted(gl.loc[compared_rows, "account"].astype("str").unique())
    left_out = {**{a: "shipping charged to customers, compared with the orders' shipping "
                      "charged apart"
                   for a in sorted(gl.loc[shipping, "account"].astype("str").unique())},
                **{a: "refunds booked back; the shop side keeps fully refunded orders in the "
                      "month they were placed (both sides gross of refunds)"
                   for a in sorted(gl.loc[returns, "account"].astype("str").unique())}}
    return frame.reset_index(), compared, left_out


@check("integration.revenue_reconciliation", area="integration",
       title="The shop and the ledger disagree on revenue",
       needs={"orders": ["order_id", "ordered_at", "total"],
              "gl_entries": ["posted_at", "account", "amount", "account_type"]},
       proof_metric="max_monthly_gap")
def revenue_reconciliation(
    data: CheckData,
    *,
    warn: float = Param(0.02, 0.0, 1.0, 0.005, "Monthly gap as a share of ledger revenue that "
                        "warns."),
    fail: float = Param(0.05, 0.0, 1.0, 0.005, "Monthly gap as a share of ledger revenue that "
                        "fails."),
    min_evidence: float = min_evidence_param(30, "orders"),
) -> Result:
    """The shop and the ledger disagree on revenue.

    Question: do the shop and the ledger agree on revenue?

    Metric: per calendar month of the period, gap = |shop revenue − ledger revenue| ÷ ledger
    revenue, like with like: shop revenue = Σ (subtotal − discount_total) of the month's live
    orders (total − tax − shipping charged where the subtotal is missing); ledger revenue =
    −Σ amount of ``revenue`` entries posted in the month, contra-revenue accounts (sales
    discounts) included, revenue accounts that book shipping charged ("Shipping Income")
    left out, as the shop side leaves shipping out; those are listed apart next to the
    shipping charged. ``max_monthly_gap`` is the largest gap over the months the ledger has
    revenue for (a month not booked yet is cash.close_lag's concern).

    Threshold: warn 2%, fail 5% (default judgement thresholds).

    Impact: the unexplained gap a year, listed by month: a discrepancy to explain, not a loss,
    so it is not added to the total.

    Chart: shop against ledger revenue, by month.

    Population: live orders placed in the period (cancelled, refunded, test and draft orders
    were never booked as sales: left out and counted in the details); revenue-type ledger
    entries posted in the period.

    Time basis: ordered_at and posted_at by local calendar month.

    Minimum evidence: ``min_evidence`` orders in the compared months (30); a gap in dollars
    has no Wilson interval, so fewer orders is "too few to judge".

    Base: Σ |monthly gap|, annualized; not added to the total.
    """
    monthly, compared, left_out = monthly_revenue(data)
    if monthly.empty:
        raise NotAssessable("Send the General Ledger with revenue entries (gl_entries: "
                            "posted_at, account, amount, account_type) and the order export, "
                            f"covering {period_words(data)}.")
    difference = monthly["orders_revenue"] - monthly["gl_revenue"]
    gl_positive = monthly["gl_revenue"].where(monthly["gl_revenue"] > 0)
    gap = (difference.abs() / gl_positive).fillna(1.0)
    monthly = monthly.assign(difference=difference.round(2), gap=gap.round(4))
    max_gap = float(gap.max())
    unexplained = annual(data, float(difference.abs().sum()))
    evidence = monthly[gap >= warn].sort_values("gap", ascending=False)
    status, why = judge_count(max_gap, warn, fail, int(monthly["orders"].sum()),
                              min_evidence=int(min_evidence), noun="orders")
    details: dict = {**population(data),
                     "ledger_accounts_compared": ", ".join(compared)}
    if left_out:
        details["ledger_accounts_left_out"] = "; ".join(f"{a}: {why}"
                                                        for a, why in left_out.items())
    if "shipping_income" in monthly:
        details["shipping"] = monthly[["month", "shipping_income", "shipping_charged"]].round(2)
    columns = ["month", "orders_revenue", "gl_revenue", "difference", "gap"]
    return Result(
        status=status, judgement=why, details=details,
        metrics={
            "max_monthly_gap": share(max_gap, "largest monthly |shop − ledger| ÷ ledger revenue"),
            "orders_revenue": Metric(float(monthly["orders_revenue"].sum()), "$",
                                     "shop revenue of the compared months"),
            "gl_revenue": Metric(float(monthly["gl_revenue"].sum()), "$",
                                 "ledger revenue of the compared months"),
            "months_compared": Metric(len(monthly), "count", "months with ledger revenue"),
        },
        evidence=evidence[columns].reset_index(drop=True),
        evidence_id="month",
        impact=with_population(Impact(unexplained, unexplained, unexplained, in_total=False,
                      formula=f"{money(unexplained)} a year of unexplained difference "
                              "between shop and ledger revenue (Σ |monthly gap|, annualized)",
                      note="a discrepancy to explain, not a loss: not added to the total"),
            data),
        story=RECONCILIATION_STORY, chart=reconciliation_chart(monthly))


def reconciliation_chart(monthly: pd.DataFrame) -> CauseChart:
    """Shop and ledger revenue side by side per month, like with like: the month that does
    not agree stands out."""
    data = pd.DataFrame({
        "month": np.repeat(monthly["month"].to_numpy(), 2),
        "side": ["shop", "ledger"] * len(monthly),
        "revenue": np.column_stack([monthly["orders_revenue"].to_numpy(dtype="float64"),
                                    monthly["gl_revenue"].to_numpy(dtype="float64")])
        .ravel().round(2)})
    worst_month = monthly.sort_values(["gap", "month"], ascending=[False, True]).iloc[0]
    note = (f"The largest gap is {worst_month['month']}: the shop shows "
            f"{money(worst_month['orders_revenue'])}, the ledger "
            f"{money(worst_month['gl_revenue'])} ({pct(worst_month['gap'])} of the ledger).")
    return CauseChart(
        kind="bars", data=data, x="month", y="revenue", series="side",
        title="Revenue by month: the shop against the ledger", x_title="month",
        y_title="revenue (goods net of discounts)", y_unit="$", note=note)
