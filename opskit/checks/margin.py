"""Hat 2, accounting and margin: do we know what each sale costs, and does it make money?

"Our margin is thin" is often a COGS-tracking problem, not a pricing one: products sold with
no cost on file, costs that stopped following what purchases now cost, promotions that push
orders below cost, and a ledger whose COGS is typed by hand instead of posted from sales.
Every check here starts from the same two numbers, line revenue and quantity × unit cost,
computed the same way (see ``sku_costs``), so their findings add up instead of contradicting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts import binned, marks, nice_width
from opskit.checks._common import (
    annual,
    annual_revenue,
    judge_by_subject,
    judge_count,
    judge_rate,
    key_codes,
    memoized,
    min_evidence_param,
    month_labels,
    order_tables,
    period_line_codes,
    period_lines,
    period_lines_dated,
    period_order_codes,
    period_orders,
    population_words,
    ratio,
    share,
    sortable_codes,
    with_population,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check
from opskit.tables import TABLES

PLACEHOLDER_COST = 0.01

MISSING_COGS_STORY = Story(
    "Our margin is thin.",
    "The margin is unknown: part of revenue sells on SKUs with no cost on file, so COGS is "
    "not tracked.")
STALE_COST_STORY = Story(
    "Margin fell and nobody knows why.",
    "The costs on file were never updated: they no longer match what the latest purchases "
    "cost landed.")
NEGATIVE_MARGIN_STORY = Story(
    "Promotions drive growth.",
    "They drive orders below cost: discounts, product cost and unrecovered shipping exceed "
    "what the customer paid.")
BOOKS_COGS_STORY = Story(
    "The P&L surprises us.",
    "COGS is booked by hand, not posted from sales: the ledger's COGS does not match what "
    "was sold.")


# -- shared measuring -------------------------------------------------------------------

def window_words(data: CheckData) -> str:
    """The period in the words of a data request: '2026-07-01 to 2026-09-30'."""
    return f"{data.period.start.date()} to {data.period.end.date()}"


def sku_costs(products: pd.DataFrame, placeholder: float = PLACEHOLDER_COST) -> pd.Series:
    """The unit cost on file per SKU (index sku), NaN where no record carries one.

    The product master may hold a SKU once per system. A real cost (above the placeholder)
    on any record wins, first record first, so one system's empty field does not hide the
    cost another system keeps; otherwise the SKU keeps what it has (0, a cent, or nothing).
    """
    if "unit_cost" not in products:
        return pd.Series(np.nan, index=pd.Index(products["sku"].unique(), name="sku"),
                         name="unit_cost", dtype="float64")
    cost = products["unit_cost"]
    real = cost.where(cost > placeholder)
    first_real = real.groupby(products["sku"]).first()
    fallback = cost.groupby(products["sku"]).max()
    return first_real.fillna(fallback).rename("unit_cost")


def window_lines(data: CheckData) -> pd.DataFrame:
    """Lines of the period's orders with revenue and ordered_at; NotAssessable without sales."""
    lines = period_lines(data)
    if len(lines) == 0 or float(lines["revenue"].sum()) <= 0:
        raise NotAssessable(f"Send {TABLES['order_lines'].source_hint} (order_lines with "
                            f"order_id, sku, quantity, unit_price) covering "
                            f"{window_words(data)}.")
    dated = period_lines_dated(data)
    if dated is not None:
        return dated
    ordered_at = period_orders(data)[["order_id", "ordered_at"]].drop_duplicates("order_id")
    return lines.merge(ordered_at, on="order_id", how="left")


def costed_lines(data: CheckData, placeholder: float = PLACEHOLDER_COST) -> pd.DataFrame:
    """Window lines with the SKU's unit cost (NaN when absent) and line cogs (NaN cost = 0).

    Computed once per data and placeholder: every margin check starts from these lines.
    """
    return memoized(data, f"costed_lines:{placeholder!r}",
                    [*order_tables(data), data.get("products")],
                    lambda: _costed_lines(data, placeholder))


def _costed_lines(data: CheckData, placeholder: float) -> pd.DataFrame:
    lines = window_lines(data)
    costs = sku_costs(data["products"], placeholder) if data.has("products", "sku") else (
        pd.Series(dtype="float64", name="unit_cost", index=pd.Index([], name="sku")))
    lines = lines.merge(costs, left_on="sku", right_index=True, how="left")
    return lines.assign(
        known_sku=lines["sku"].isin(costs.index),
        cogs=lines["quantity"] * lines["unit_cost"].fillna(0.0))


def optional_money(frame: pd.DataFrame, column: str) -> pd.Series:
    """An optional money column with missing values (or a missing column) as zero."""
    if column in frame:
        return frame[column].fillna(0.0)
    return pd.Series(0.0, index=frame.index, dtype="float64")


def decision_words(rates: tuple[float, float, float]) -> str:
    return " / ".join(f"{r:.1%}" for r in rates)


#: Least number of order lines a revenue-weighted margin share may rest on.
MIN_LINES = min_evidence_param(30, "order lines")

#: The one record both decision-cost checks price: decisions taken on a misstated margin,
#: at a share of the year's revenue. margin.missing_cogs and margin.books_vs_computed_cogs
#: use the same wording and the same base (annual revenue), so when both fire the total
#: counts those dollars once (``Diagnosis.overlaps``), carried by the larger claim.
DECISION_RECORD = ("decision_cost", "decisions on a misstated margin")


def decision_impact(data: CheckData, rates: tuple[float, float, float], *, other: str,
                    material: bool = True, why_not: str = "") -> Impact:
    """A decision cost: annual revenue × share lost to decisions made on a wrong margin.

    One base for the wording "x% of revenue" (``annual_revenue``); the impact carries the
    shared decision record so two checks pricing it count it once in the total.
    """
    revenue = annual_revenue(data) if material else 0.0
    name, record = DECISION_RECORD
    return Impact(
        *(revenue * r for r in rates),
        formula=(f"{money(revenue)} of revenue a year × share lost to decisions made on a "
                 f"misstated margin (the same dollars as {other}: counted once in the total)")
        if material else why_not,
        assumptions={"decision cost": decision_words(rates) + " of revenue",
                     "revenue a year": f"{money(revenue)} (live orders net of tax and "
                                       "shipping, annualized)"},
        records=pd.Series([revenue * rates[1]], index=[record], name=name) if material
        else None)


def population(data: CheckData) -> dict[str, str]:
    """The orders left out of a check's population, in words, for its details ({} if none)."""
    words = population_words(data)
    return {"population": words} if words else {}


# -- checks -----------------------------------------------------------------------------

@check("margin.missing_cogs", area="margin",
       title="Products are sold with no cost on file",
       needs={"orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"],
              "products": ["sku"]},
       proof_metric="missing_cost_share")
def missing_cogs(
    data: CheckData,
    *,
    warn: float = Param(0.02, 0.0, 1.0, 0.005, "Share of revenue without a cost that warns."),
    fail: float = Param(0.05, 0.0, 1.0, 0.005, "Share of revenue without a cost that fails."),
    placeholder_cost: float = Param(PLACEHOLDER_COST, 0.0, 10.0, 0.01, "A unit cost at or "
                                    "below this is a placeholder, not a cost ($).", unit="$"),
    decision_cost: float = Param(0.01, 0.0, 0.2, 0.005, "Share of uncosted revenue lost to "
                                 "decisions made without a cost (pricing, promotions, "
                                 "reorders).", low=0.005, high=0.02, unit="share"),
    min_evidence: float = MIN_LINES,
) -> Result:
    """Products are sold with no cost on file.

    Question: how much revenue is sold with no cost on file?

    Metric: ``missing_cost_share`` = line revenue of the period on SKUs whose unit cost is
    empty, zero or a placeholder (at most ``placeholder_cost``), or whose SKU is absent from
    the product master ÷ line revenue of the period. Line revenue is quantity × unit price −
    line discount. A products export without a unit cost column cannot answer and is
    reported as not assessable; a column that is present but empty is the finding itself.

    Threshold: warn 2%, fail 5% (judgement thresholds; no public benchmark).

    Impact: revenue a year × the share lost to decisions made on a margin nobody knows
    (prices, promotions and reorders set blind): 0.5% / 1% / 2% (low / base / high), the
    catalog's "of revenue". margin.books_vs_computed_cogs prices the same decisions on the
    same base: when both fire the total counts them once.

    Population: lines of live orders placed in the period (cancelled, refunded, test and
    draft orders left out and counted in the details).

    Time basis: ordered_at in the period, local time.

    Minimum evidence: ``min_evidence`` order lines (30). A cost belongs to a SKU, so the
    share is judged on the 95% Wilson bound over the SKUs sold, weighted by their revenue
    (``judge_by_subject``): a share one big-ticket SKU carries is "too few to judge".

    Base: annual revenue (live orders of the period net of tax and shipping, annualized),
    the one base of every "share of revenue" wording.
    """
    if "unit_cost" not in data["products"]:
        raise NotAssessable(f"Send {TABLES['products'].source_hint} with the unit cost "
                            f"(cost per item) column, as it stood on {data.period.end.date()}.")
    lines = costed_lines(data, placeholder_cost)
    cost = lines["unit_cost"]
    reason = np.select(
        [~lines["known_sku"], cost.isna(), cost <= 0, cost <= placeholder_cost],
        ["SKU not in products", "no unit cost", "unit cost is zero", "placeholder unit cost"],
        default="")
    lines = lines.assign(reason=reason)
    uncosted = lines[lines["reason"] != ""]
    revenue = float(lines["revenue"].sum())
    uncosted_revenue = float(uncosted["revenue"].sum())
    missing_share = ratio(uncosted_revenue, revenue)

    rates = missing_cogs.spec.params["decision_cost"].spread(decision_cost)
    impact = decision_impact(data, rates, other="margin.books_vs_computed_cogs")
    evidence = (uncosted.groupby("sku", as_index=False, sort=False)
                .agg(reason=("reason", "first"), unit_cost=("unit_cost", "first"),
                     units=("quantity", "sum"), revenue=("revenue", "sum"))
                .sort_values(["revenue", "sku"], ascending=[False, True])
                .assign(revenue_share=lambda f: f["revenue"] / revenue)
                .round({"revenue": 2, "revenue_share": 4}))
    status, why = judge_by_subject(lines, lines["reason"] != "", "sku", warn, fail,
                                   min_evidence=int(min_evidence))
    return Result(
        status=status, judgement=why, details=population(data),
        metrics={"missing_cost_share": share(missing_share, "revenue without a cost ÷ revenue"),
                 "uncosted_revenue": Metric(uncosted_revenue, "$", "revenue without a cost"),
                 "uncosted_skus": Metric(len(evidence), "count", "SKUs sold without a cost"),
                 "revenue": Metric(revenue, "$", "line revenue of the period")},
        evidence=evidence.reset_index(drop=True), evidence_id="sku",
        impact=with_population(impact, data), story=MISSING_COGS_STORY,
        chart=missing_cost_chart(evidence, revenue, uncosted_revenue, warn, fail))


MISSING_REASONS = ("SKU not in products", "no unit cost", "unit cost is zero",
                   "placeholder unit cost")


def missing_cost_chart(per_sku: pd.DataFrame, revenue: float, uncosted_revenue: float,
                       warn: float, fail: float) -> CauseChart:
    """Share of revenue without a cost, by why the cost is missing: SKUs unknown to the
    master point at the shop creating SKUs; empty or placeholder costs at nobody keying them.
    ``per_sku`` is the check's evidence (one row per uncosted SKU, its reason and revenue)."""
    uncosted = per_sku
    by_reason = uncosted.groupby("reason").agg(revenue=("revenue", "sum"),
                                               skus=("sku", "size"))
    by_reason = by_reason.reindex(list(MISSING_REASONS), fill_value=0)
    frame = by_reason.rename_axis("reason").reset_index()
    frame = frame.assign(revenue_share=frame["revenue"] / revenue if revenue else 0.0)
    top = frame.sort_values("revenue", ascending=False).iloc[0]
    skus = int(top["skus"])
    lead = (f"; most of it is {top['reason']} ({skus:,} SKU{'' if skus == 1 else 's'})"
            if top["revenue"] > 0 else "")
    note = (f"{ratio(uncosted_revenue, revenue):.1%} of revenue ({money(uncosted_revenue)}) was "
            f"sold with no cost on file{lead}.")
    return CauseChart("bars", frame, x="reason", y="revenue_share",
                      title="Revenue sold without a cost, by why the cost is missing",
                      x_title="why there is no cost", y_title="share of revenue",
                      y_unit="share", marks=marks(warn, fail), note=note)


def landed_costs(data: CheckData) -> pd.DataFrame:
    """Per SKU, the landed unit cost of its latest receipt on or before the period end.

    Landed cost = (quantity × unit cost + freight + duty) ÷ quantity. Receipt lines of one SKU
    received at the same latest time are pooled, weighted by quantity.
    """
    receipts = data["purchase_orders"]
    receipts = receipts[(receipts["received_at"] < data.period.end_exclusive)
                        & (receipts["quantity"] > 0)]
    receipts = receipts.assign(
        landed_total=receipts["quantity"] * receipts["unit_cost"]
        + optional_money(receipts, "freight") + optional_money(receipts, "duty"))
    latest = receipts["received_at"].eq(receipts.groupby("sku")["received_at"].transform("max"))
    latest_receipts = receipts[latest]
    pooled = latest_receipts.groupby("sku").agg(
        landed_total=("landed_total", "sum"), received_qty=("quantity", "sum"),
        latest_receipt=("received_at", "max"), po_id=("po_id", "first"))
    return pooled.assign(
        landed_cost=pooled["landed_total"] / pooled["received_qty"])[
        ["landed_cost", "latest_receipt", "po_id"]]


@check("margin.stale_unit_cost", area="margin",
       title="The cost on file is not what we pay",
       needs={"orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"],
              "products": ["sku", "unit_cost"],
              "purchase_orders": ["po_id", "sku", "received_at", "quantity", "unit_cost"]},
       proof_metric="stale_share")
def stale_unit_cost(
    data: CheckData,
    *,
    warn: float = Param(0.10, 0.0, 1.0, 0.01, "Share of revenue on stale costs that warns."),
    fail: float = Param(0.25, 0.0, 1.0, 0.01, "Share of revenue on stale costs that fails."),
    tolerance: float = Param(0.10, 0.0, 1.0, 0.01, "Relative difference between the cost on "
                             "file and the latest landed cost beyond which a cost is stale.",
                             unit="share"),
    realized_share: float = Param(1.0, 0.0, 2.0, 0.05, "Share of the cost gap that reaches "
                                  "the P&L unseen (±30% for low / high).", low=0.7, high=1.3,
                                  unit="share"),
    min_evidence: float = MIN_LINES,
) -> Result:
    """The cost on file is not what we pay.

    Question: is the cost on file the cost we pay?

    Metric: ``stale_share`` = line revenue of the period on SKUs whose unit cost on file
    differs by more than ``tolerance`` (10%) from the latest landed cost ÷ line revenue of
    the period on SKUs that have a purchase order received by the period end. The landed
    cost is the purchase price plus freight and duty per unit of the latest receipt on or
    before the period end. SKUs with no real cost on file (empty, zero or a placeholder) are
    left to margin.missing_cogs and are never counted stale here.

    Threshold: warn 10%, fail 25% (judgement thresholds; no public benchmark).

    Impact: units sold a year on stale SKUs × |landed cost − cost on file|, the margin that
    reports misstate; ±30% for low / high.

    Population: lines of live orders placed in the period on SKUs with a purchase order
    received by the period end (cancelled, refunded, test and draft orders left out).

    Time basis: ordered_at in the period; the latest receipt on or before the period end.

    Minimum evidence: ``min_evidence`` order lines (30). A cost belongs to a SKU, so the
    share is judged on the 95% Wilson bound over the SKUs sold, weighted by their revenue
    (``judge_by_subject``): a share one big-ticket SKU carries is "too few to judge".

    Base: units sold in the period on stale SKUs × the cost gap, annualized.
    """
    lines = costed_lines(data)
    landed = landed_costs(data)
    lines = lines.merge(landed, left_on="sku", right_index=True, how="inner")
    revenue = float(lines["revenue"].sum())
    if len(lines) == 0 or revenue <= 0:
        raise NotAssessable(
            f"Send {TABLES['purchase_orders'].source_hint} (purchase_orders with po_id, sku, "
            f"received_at, quantity, unit_cost, freight, duty) for the SKUs sold between "
            f"{window_words(data)}, including the latest receipt of each.")
    cost, landed_cost = lines["unit_cost"], lines["landed_cost"]
    stale = (cost > PLACEHOLDER_COST) & ((cost - landed_cost).abs() > tolerance * landed_cost)
    stale_lines = lines[stale].assign(
        cost_gap=lambda f: f["quantity"] * (f["landed_cost"] - f["unit_cost"]))
    stale_revenue = float(stale_lines["revenue"].sum())
    stale_share = ratio(stale_revenue, revenue)

    weights = stale_unit_cost.spec.params["realized_share"].spread(realized_share)
    gap_a_year = annual(data, float(stale_lines["cost_gap"].abs().sum()))
    impact = Impact(*(gap_a_year * w for w in weights),
                    formula=f"{money(gap_a_year)} a year: units sold on stale SKUs × "
                            "|landed cost − cost on file| × share that reaches the P&L unseen",
                    assumptions={"share of the gap realized": " / ".join(
                        f"{w:.0%}" for w in weights)})
    evidence = (stale_lines.groupby("sku", as_index=False, sort=False)
                .agg(unit_cost=("unit_cost", "first"), landed_cost=("landed_cost", "first"),
                     latest_receipt=("latest_receipt", "first"), po_id=("po_id", "first"),
                     units=("quantity", "sum"), revenue=("revenue", "sum"),
                     cost_gap=("cost_gap", "sum")))
    evidence = (evidence.assign(
        cost_difference=(evidence["unit_cost"] - evidence["landed_cost"])
        / evidence["landed_cost"].where(evidence["landed_cost"] > 0))
        .sort_values("cost_gap", key=lambda s: s.abs(), ascending=False)
        .round({"landed_cost": 4, "cost_difference": 4, "revenue": 2, "cost_gap": 2}))
    columns = ["sku", "unit_cost", "landed_cost", "cost_difference", "latest_receipt", "po_id",
               "units", "revenue", "cost_gap"]
    status, why = judge_by_subject(lines, stale, "sku", warn, fail,
                                   min_evidence=int(min_evidence))
    return Result(
        status=status, judgement=why, details=population(data),
        metrics={"stale_share": share(stale_share, "revenue on stale costs ÷ revenue of SKUs "
                                                   "with a purchase order"),
                 "stale_skus": Metric(len(evidence), "count", "SKUs with a stale cost"),
                 "stale_revenue": Metric(stale_revenue, "$", "revenue on stale costs"),
                 "cost_gap": Metric(float(stale_lines["cost_gap"].sum()), "$",
                                    "landed − recorded cost on units sold (positive: "
                                    "margin overstated)")},
        evidence=evidence[columns].reset_index(drop=True), evidence_id="sku",
        impact=with_population(impact, data), story=STALE_COST_STORY,
        chart=stale_cost_chart(lines, stale, stale_share, tolerance, len(evidence)))


#: SKUs drawn in the cost scatter (the biggest by revenue)
SCATTER_SKUS = 200


def stale_cost_chart(lines: pd.DataFrame, stale: pd.Series, stale_share: float,
                     tolerance: float, stale_skus: int) -> CauseChart:
    """Cost on file against the latest landed cost per SKU: on the diagonal the cost is
    kept; above or below it was never updated."""
    per_sku = lines.assign(stale=stale).groupby("sku", as_index=False, sort=False).agg(
        landed_cost=("landed_cost", "first"), unit_cost=("unit_cost", "first"),
        revenue=("revenue", "sum"), stale=("stale", "any"))
    per_sku = per_sku.nlargest(SCATTER_SKUS, "revenue").sort_values(["stale", "sku"])
    frame = per_sku.assign(cost=np.where(per_sku["stale"],
                                         f"more than {tolerance:.0%} away (stale)",
                                         f"within {tolerance:.0%}")).drop(columns="stale")
    one = stale_skus == 1
    drawn = (f" (the {SCATTER_SKUS} biggest SKUs drawn)." if len(per_sku) == SCATTER_SKUS
             else ".")
    note = (f"{stale_skus:,} SKU{' carries' if one else 's carry'} a cost more than "
            f"{tolerance:.0%} away from {'its' if one else 'their'} latest landed cost: "
            f"{stale_share:.1%} of the revenue of SKUs with a purchase order{drawn}")
    return CauseChart("scatter", frame.reset_index(drop=True), x="landed_cost", y="unit_cost",
                      series="cost", title="Cost on file against the latest landed cost",
                      x_title="latest landed cost per unit", x_unit="$",
                      y_title="unit cost on file", y_unit="$", note=note)


def order_contributions(data: CheckData) -> pd.DataFrame:
    """Orders of the period with revenue, discounts, COGS, shipping and contribution.

    contribution = line revenue − discount_total − quantity × unit cost − shipping cost (all
    parcels of the order) + shipping charged; missing values and lines without a cost count
    zero, exactly as margin.negative_margin_orders defines it.
    """
    orders = period_orders(data).drop_duplicates("order_id")
    if len(orders) == 0:
        raise NotAssessable(f"Send {TABLES['orders'].source_hint} covering "
                            f"{window_words(data)}.")
    lines = period_lines(data)
    costs = sku_costs(data["products"])
    lines = lines.merge(costs, left_on="sku", right_index=True, how="left")
    lines = lines.assign(cogs=lines["quantity"] * lines["unit_cost"].fillna(0.0))
    line_codes = period_line_codes(data)
    codes = key_codes(data)
    if line_codes is None or "shipments" not in codes or {
            "revenue", "cogs", "shipping_cost"} & set(orders.columns):
        orders = _with_order_money(data, orders, lines)
    else:
        # the same rows grouped by labels that sort as the ids: the very same sums
        order_labels = sortable_codes(data, period_order_codes(data))
        per_order = lines.groupby(sortable_codes(data, line_codes)).agg(
            revenue=("revenue", "sum"), cogs=("cogs", "sum")).reindex(order_labels)
        orders = orders.assign(revenue=per_order["revenue"].to_numpy(),
                               cogs=per_order["cogs"].to_numpy())
        if data.has("shipments", "shipping_cost"):
            shipments = data["shipments"]
            shipping = shipments["shipping_cost"].fillna(0.0).groupby(
                sortable_codes(data, codes["shipments"])).sum()
            orders = orders.assign(shipping_cost=shipping.reindex(order_labels).to_numpy())
    orders = orders.assign(
        revenue=orders["revenue"].fillna(0.0), cogs=orders["cogs"].fillna(0.0),
        discount_total=optional_money(orders, "discount_total"),
        shipping_cost=optional_money(orders, "shipping_cost"),
        shipping_charged=optional_money(orders, "shipping_charged"))
    return orders.assign(contribution=orders["revenue"] - orders["discount_total"]
                         - orders["cogs"] - orders["shipping_cost"]
                         + orders["shipping_charged"])


def _with_order_money(data: CheckData, orders: pd.DataFrame, lines: pd.DataFrame
                      ) -> pd.DataFrame:
    """``orders`` with the revenue and cogs of their lines and their parcels' shipping cost,
    merged on the order ids (data whose ids the codes cannot stand for)."""
    per_order = lines.groupby("order_id").agg(revenue=("revenue", "sum"), cogs=("cogs", "sum"))
    orders = orders.merge(per_order, left_on="order_id", right_index=True, how="left")
    if data.has("shipments", "shipping_cost"):
        shipments = data["shipments"]
        shipping = shipments["shipping_cost"].fillna(0.0).groupby(shipments["order_id"]).sum()
        orders = orders.merge(shipping.rename("shipping_cost"), left_on="order_id",
                              right_index=True, how="left")
    return orders


@check("margin.negative_margin_orders", area="margin",
       title="Some orders lose money",
       needs={"orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"],
              "products": ["sku", "unit_cost"]},
       proof_metric="negative_share")
def negative_margin_orders(
    data: CheckData,
    *,
    warn: float = Param(0.05, 0.0, 1.0, 0.01, "Share of orders below cost that warns."),
    fail: float = Param(0.10, 0.0, 1.0, 0.01, "Share of orders below cost that fails."),
    recoverable_share: float = Param(1.0, 0.0, 1.0, 0.05, "Share of the loss on negative "
                                     "orders that floors on discounts and shipping would "
                                     "recover.", low=0.5, high=1.0, unit="share"),
    min_evidence: float = min_evidence_param(50, "orders"),
) -> Result:
    """Some orders lose money.

    Question: which orders lose money?

    Metric: ``negative_share`` = orders of the period with contribution < 0 ÷ orders of the
    period, where contribution = line revenue − order discount_total − Σ quantity × unit
    cost − shipping cost of all its parcels + shipping charged. Missing values count zero,
    and so do lines without a cost: when margin.missing_cogs fires, the true share is
    higher than shown.

    Threshold: warn 5%, fail 10% (judgement thresholds; no public benchmark).

    Impact: the loss on negative orders a year, of which half (low) or all (base, high) is
    recoverable; only the part that is this check's own. The shipping subsidy on an order
    (shipping cost − shipping charged, when positive) is counted in
    fulfillment.shipping_cost_recovery and left out here. The discounts on these orders are
    what marketing.discount_leakage counts: the impact carries its dollars per order_id, so
    the total counts an order claimed by both once, at the larger claim.

    Population: live orders placed in the period (cancelled, refunded, test and draft orders
    left out and counted in the details).

    Time basis: ordered_at in the period, local time.

    Minimum evidence: ``min_evidence`` orders (50); judged on the 95% Wilson bound of the
    negative share.

    Base: Σ per negative order of max(0, −contribution − shipping subsidy), annualized.
    """
    orders = order_contributions(data)
    negative = orders[orders["contribution"] < 0]
    negative_share = ratio(len(negative), len(orders))
    loss = abs(float(negative["contribution"].sum()))
    subsidy = (negative["shipping_cost"] - negative["shipping_charged"]).clip(lower=0.0)
    own = (-negative["contribution"] - subsidy).clip(lower=0.0)
    own_loss = float(own.sum())
    status, why = judge_rate(len(negative), len(orders), warn, fail,
                             min_evidence=int(min_evidence), noun="orders")

    shares = negative_margin_orders.spec.params["recoverable_share"].spread(recoverable_share)
    loss_a_year = annual(data, own_loss)
    records = pd.Series((own * annual(data, 1.0) * shares[1]).to_numpy(),
                        index=negative["order_id"].to_numpy(), name="order_id")
    impact = Impact(
        *(loss_a_year * s for s in shares),
        formula=f"{money(loss_a_year)} lost a year on orders below cost, beyond the shipping "
                "subsidy counted in fulfillment.shipping_cost_recovery, × share recoverable; "
                "an order's discount that marketing.discount_leakage counts enters the total "
                "once (by order_id)",
        assumptions={"recoverable share": " / ".join(f"{s:.0%}" for s in shares),
                     "shipping subsidy on these orders": (
                         f"{money(annual(data, float(subsidy.sum())))} a year, counted in "
                         "fulfillment.shipping_cost_recovery")},
        records=records[records > 0])
    columns = [c for c in ("order_id", "ordered_at", "contribution", "revenue",
                           "discount_total", "cogs", "shipping_cost", "shipping_charged",
                           "discount_code", "channel", "source") if c in negative]
    evidence = (negative.sort_values(["contribution", "order_id"])[columns]
                .round({"contribution": 2, "revenue": 2, "cogs": 2}))
    return Result(
        status=status, judgement=why, details=population(data),
        metrics={"negative_share": share(negative_share, "orders below cost ÷ orders"),
                 "negative_orders": Metric(len(negative), "count", "orders below cost"),
                 "orders": Metric(len(orders), "count", "live orders of the period"),
                 "loss": Metric(loss, "$", "Σ negative contribution of the period"),
                 "own_loss": Metric(own_loss, "$", "loss beyond the shipping subsidy "
                                    "(priced here)")},
        evidence=evidence.reset_index(drop=True), evidence_id="order_id",
        impact=with_population(impact, data), story=NEGATIVE_MARGIN_STORY,
        chart=contribution_chart(orders["contribution"], len(negative), loss))


def contribution_chart(contribution: pd.Series, negative: int, loss: float) -> CauseChart:
    """Orders by their contribution (revenue − discounts − COGS − shipping + shipping
    charged): the bars left of break-even are the orders that lose money."""
    low, high = contribution.quantile([0.01, 0.99]).fillna(0.0)
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    width = nice_width(low, high)
    start = np.floor(low / width) * width
    frame = binned(contribution, width, start=start, cap=high + width).rename(
        columns={"count": "orders"})
    worst = float(contribution.min()) if len(contribution) else 0.0
    note = (f"{negative:,} of {len(contribution):,} orders lose money, {money(loss)} in "
            f"total" + (f"; the worst lost {money(-worst)}." if worst < 0 else ".")
            + " The first and last bars also hold the orders beyond them.")
    return CauseChart("histogram", frame, x="mid", y="orders",
                      title="Orders by contribution after COGS, discounts and shipping",
                      x_title="contribution per order", x_unit="$",
                      y_title="orders", y_unit="count", marks=((0.0, "break-even"),),
                      note=note)


def uncosted_cost_ratio(lines: pd.DataFrame) -> float:
    """COGS ÷ line revenue of the lines that have a real cost on file (0 without any): the
    cost the lines without one most likely carried, per unit of revenue."""
    costed = lines["unit_cost"] > PLACEHOLDER_COST
    return ratio(float(lines.loc[costed, "cogs"].sum()),
                 float(lines.loc[costed, "revenue"].sum()))


def monthly_cogs(lines: pd.DataFrame, gl_cogs: pd.DataFrame,
                 cost_ratio: float = 0.0) -> pd.DataFrame:
    """Per calendar month: ledger COGS, computed COGS, revenue and the gap in points; and
    the gap left unexplained once the lines without a cost are priced at ``cost_ratio``."""
    uncosted = ~(lines["unit_cost"] > PLACEHOLDER_COST)
    computed = lines.assign(uncosted_revenue=lines["revenue"].where(uncosted, 0.0)).groupby(
        month_labels(lines["ordered_at"])).agg(
        computed_cogs=("cogs", "sum"), revenue=("revenue", "sum"),
        uncosted_revenue=("uncosted_revenue", "sum"))
    books = gl_cogs["amount"].groupby(month_labels(gl_cogs["posted_at"])).sum()
    months = computed.join(books.rename("books_cogs"), how="outer").fillna(0.0)
    months.index.name = "month"
    difference = months["books_cogs"] - months["computed_cogs"]
    unexplained = difference - months["uncosted_revenue"] * cost_ratio
    revenue = months["revenue"].where(months["revenue"] > 0)
    return months.assign(difference=difference,
                         gap_points=difference.abs() / revenue * 100,
                         unexplained_points=unexplained.abs() / revenue * 100).reset_index()


@check("margin.books_vs_computed_cogs", area="margin",
       title="The ledger's cost of goods does not match what was sold",
       needs={"orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"],
              "products": ["sku", "unit_cost"],
              "gl_entries": ["posted_at", "account", "amount", "account_type"]},
       proof_metric="gap_points")
def books_vs_computed_cogs(
    data: CheckData,
    *,
    warn: float = Param(3.0, 0.0, 100.0, 0.5, "Gap in points of margin that warns."),
    fail: float = Param(6.0, 0.0, 100.0, 0.5, "Gap in points of margin that fails."),
    decision_cost: float = Param(0.01, 0.0, 0.2, 0.005, "Share of revenue lost to decisions "
                                 "made on a misstated P&L.", low=0.005, high=0.02, unit="share"),
    min_evidence: float = MIN_LINES,
) -> Result:
    """The ledger's cost of goods does not match what was sold.

    Question: does the ledger's COGS match what was sold?

    Metric: ``gap_points`` = |Σ ledger amounts on cogs accounts posted in the period − Σ
    quantity × unit cost of the lines of the period's orders| ÷ line revenue of the period
    × 100: the points of gross margin by which the P&L and the sales disagree. Lines without
    a cost count zero in it. The verdict is on ``unexplained_points``: the same gap once the
    lines without a cost on file are priced at the cost ratio of the costed lines, so a gap
    that only repeats margin.missing_cogs (the ledger booked the cost the product master
    lacks) does not fire here as well. The evidence lists the calendar months whose own
    unexplained gap reaches the warn threshold. A ledger with no account typed cogs at all
    cannot answer (not assessable).

    Threshold: warn 3, fail 6 points (judgement thresholds; no public benchmark).

    Impact: the gap × revenue is misstated margin (reported as a metric); the money is the
    cost of deciding on a wrong P&L: 0.5% / 1% / 2% of revenue a year (low / base / high),
    counted once the gap is material (at or above the warn threshold). margin.missing_cogs
    prices the same decisions on the same base: when both fire the total counts them once.

    Population: ledger entries on cogs accounts posted in the period; lines of live orders
    placed in the period (cancelled, refunded, test and draft orders left out).

    Time basis: posted_at and ordered_at in the period, by local calendar month.

    Minimum evidence: ``min_evidence`` order lines (30); a gap in points has no Wilson
    interval, so fewer lines is "too few to judge".

    Base: annual revenue (live orders of the period net of tax and shipping, annualized),
    the one base of every "share of revenue" wording.
    """
    gl = data["gl_entries"]
    gl_cogs = gl[gl["account_type"] == "cogs"]
    if len(gl_cogs) == 0:
        raise NotAssessable(f"Send {TABLES['gl_entries'].source_hint} with the account type "
                            f"of each line (cost of goods sold accounts marked cogs) covering "
                            f"{window_words(data)}.")
    if not data.period.contains(gl["posted_at"]).any():
        raise NotAssessable(f"Send {TABLES['gl_entries'].source_hint} covering "
                            f"{window_words(data)}.")
    lines = costed_lines(data)
    gl_cogs = gl_cogs[data.period.contains(gl_cogs["posted_at"])]
    books, computed = float(gl_cogs["amount"].sum()), float(lines["cogs"].sum())
    revenue = float(lines["revenue"].sum())
    misstated = abs(books - computed)
    gap_points = ratio(misstated, revenue) * 100
    cost_ratio = uncosted_cost_ratio(lines)
    uncosted_revenue = float(lines.loc[~(lines["unit_cost"] > PLACEHOLDER_COST),
                                       "revenue"].sum())
    imputed = uncosted_revenue * cost_ratio
    unexplained_points = ratio(abs(books - computed - imputed), revenue) * 100

    rates = books_vs_computed_cogs.spec.params["decision_cost"].spread(decision_cost)
    material = unexplained_points >= warn
    impact = decision_impact(data, rates, other="margin.missing_cogs", material=material,
                             why_not=f"none: a gap below {warn:g} points does not misstate "
                                     "the P&L materially")
    impact = Impact(impact.low, impact.base, impact.high, formula=impact.formula,
                    assumptions={**impact.assumptions,
                                 "misstated margin in the period": money(misstated)},
                    records=impact.records)
    months = monthly_cogs(lines, gl_cogs, cost_ratio)
    evidence = (months[months["unexplained_points"] >= warn]
                .sort_values(["unexplained_points", "month"], ascending=[False, True])
                .round({"books_cogs": 2, "computed_cogs": 2, "revenue": 2, "difference": 2,
                        "gap_points": 2, "unexplained_points": 2}))
    columns = ["month", "gap_points", "unexplained_points", "books_cogs", "computed_cogs",
               "difference", "revenue"]
    status, why = judge_count(unexplained_points, warn, fail, len(lines),
                              min_evidence=int(min_evidence), noun="order lines")
    if imputed and not why:
        why = (f"judged on {unexplained_points:.1f} points unexplained: the lines without a "
               f"cost on file ({money(uncosted_revenue)} of revenue, margin.missing_cogs) "
               f"priced at the costed lines' cost ratio {cost_ratio:.1%}")
    return Result(
        status=status, judgement=why, details=population(data),
        metrics={"gap_points": Metric(gap_points, "points", "|ledger COGS − computed COGS| "
                                                            "÷ revenue × 100"),
                 "books_cogs": Metric(books, "$", "COGS in the ledger"),
                 "computed_cogs": Metric(computed, "$", "quantity × unit cost of lines sold"),
                 "unexplained_points": Metric(unexplained_points, "points", "the gap with "
                                              "lines without a cost priced at the costed "
                                              "lines' cost ratio"),
                 "misstated_margin": Metric(misstated, "$", "|ledger − computed COGS|"),
                 "revenue": Metric(revenue, "$", "line revenue of the period")},
        evidence=evidence[columns].reset_index(drop=True), evidence_id="month",
        impact=with_population(impact, data), story=BOOKS_COGS_STORY,
        chart=cogs_chart(months, books, computed, gap_points))


def cogs_chart(months: pd.DataFrame, books: float, computed: float,
               gap_points: float) -> CauseChart:
    """COGS in the ledger against COGS computed from what was sold, by month: a month far
    off is one booked by hand."""
    frame = months[["month", "books_cogs", "computed_cogs"]].rename(
        columns={"books_cogs": "in the ledger", "computed_cogs": "computed from sales"})
    frame = frame.melt(id_vars="month", var_name="cogs", value_name="amount")
    gaps = months.dropna(subset=["gap_points"]).sort_values("gap_points", ascending=False)
    widest = (f"; the widest month is {gaps['month'].iloc[0]} at "
              f"{gaps['gap_points'].iloc[0]:.1f} points" if len(gaps) else "")
    note = (f"The ledger holds {money(books)} of COGS against {money(computed)} computed from "
            f"what was sold, a gap of {gap_points:.1f} points of margin{widest}.")
    return CauseChart("bars", frame, x="month", y="amount", series="cogs",
                      title="Cost of goods sold: the ledger against what was sold, by month",
                      x_title="month", y_title="cost of goods sold", y_unit="$", note=note)
