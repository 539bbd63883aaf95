"""Hat 1, eCommerce and fulfillment: do orders leave on time, complete and at a profit?

"Shipping is slow" is often a data problem: orders that wait in our own queue, bad master
data that stalls picking, addresses retyped by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts import (
    binned,
    marks,
    rate_over_time,
    rate_with_interval,
    share_by_kind_over_time,
    time_bucket,
)
from opskit.checks._common import (
    add_business_days,
    annual,
    average_order_value,
    average_order_value_words,
    business_hours,
    code_table,
    gross_margin,
    gross_margin_words,
    has_values,
    in_period,
    isin,
    judge_count,
    judge_lift,
    judge_rate,
    key_codes,
    manual_event_rows,
    memoized,
    min_evidence_param,
    order_positions,
    order_tables,
    period_order_codes,
    period_orders,
    period_revenue,
    period_shipped,
    period_words,
    population_words,
    present_columns,
    ratio,
    share,
    sortable_codes,
    with_population,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

LATE_STORY = Story("The carrier is slow.",
                   "The orders waited in our own queue: they left after the promised date.")

#: What ``period_shipped`` reads: the tables of every check over the period's shipped orders.
SHIPPED_ORDERS = {"orders": ["order_id", "ordered_at"], "shipments": ["order_id", "shipped_at"]}

# Parameters of every check that judges late orders, declared once so the checks cannot drift
# apart. A Param is frozen and the registry only reads it, so the checks can share one.
SLA_BUSINESS_DAYS = Param(2, 0, 30, 1, "Business days to ship when the order carries no "
                          "promised ship-by date.", unit="business days")
CANCEL_PROBABILITY = Param(0.03, 0.0, 1.0, 0.005, "Share of late orders that are cancelled "
                           "or not reordered.", low=0.01, high=0.06, unit="share")
TICKET_COST = Param(5.0, 0.0, 100.0, 0.5, "Cost of the support contact a late order causes "
                    "($).", low=3.0, high=8.0, unit="$")
#: Least number of shipped orders a late rate or a wait percentile may rest on.
MIN_SHIPPED = min_evidence_param(50, "shipped orders")


def population(data: CheckData) -> dict[str, str]:
    """The orders left out of a check's population, in words, for its details ({} if none)."""
    words = population_words(data)
    return {"population": words} if words else {}


def late_flags(data: CheckData, sla_business_days: float) -> pd.DataFrame:
    """Orders of the period with their first shipment, due date and a late flag.

    Rows as ``period_shipped``; computed once per data and SLA (several checks judge it).
    """
    return memoized(data, f"late_flags:{int(sla_business_days)}",
                    order_tables(data),
                    lambda: _late_flags(data, sla_business_days))


def _late_flags(data: CheckData, sla_business_days: float) -> pd.DataFrame:
    shipped, _ = period_shipped(data)
    default_due = add_business_days(shipped["ordered_at"], int(sla_business_days))
    if "promised_ship_by" in shipped:
        # an all-empty column may arrive untyped (object): read it as dates first
        due = shipped["promised_ship_by"].astype("datetime64[us]").fillna(default_due)
    else:
        due = default_due
    return shipped.assign(due_at=due, late=shipped["shipped_at"] > due)


def late_order_cost(data: CheckData, cancel_probability: float, ticket_cost: float
                    ) -> tuple[tuple[float, float, float], dict[str, str]]:
    """Cost of one late order (low, base, high): lost margin on cancels plus a ticket."""
    aov, margin = average_order_value(data), gross_margin(data)
    cancel = CANCEL_PROBABILITY.spread(cancel_probability)
    ticket = TICKET_COST.spread(ticket_cost)
    costs = tuple(c * aov * margin + t for c, t in zip(cancel, ticket, strict=True))
    words = {
        "average order value": average_order_value_words(data),
        "gross margin": gross_margin_words(data),
        "cancel probability of a late order": " / ".join(f"{c:.1%}" for c in cancel),
        "support ticket cost": " / ".join(money(t, 2) for t in ticket),
    }
    return costs, words  # type: ignore[return-value]


def late_order_impact(data: CheckData, late_orders: int, cancel_probability: float,
                      ticket_cost: float, *, noun: str = "late orders", in_total: bool = True,
                      note: str = "") -> Impact:
    """Late orders of the period, a year, × the cost of one late order.

    One formula for every check that prices late orders, so their dollars stay comparable;
    ``in_total`` and ``note`` are for a check whose orders another check already counts.
    """
    per_order, words = late_order_cost(data, cancel_probability, ticket_cost)
    a_year = annual(data, late_orders)
    return Impact(*(a_year * c for c in per_order),
                  formula=f"{a_year:,.0f} {noun} a year × (cancel probability × average order "
                          "value × gross margin + ticket cost)",
                  assumptions=words, in_total=in_total, note=note)


def late_evidence(late: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Late orders with their days late (to a tenth), latest first, in the ``columns`` present.

    ``late`` carries ``shipped_at`` and ``due_at`` (``late_flags``); every check that lists
    late orders shows them the same way.
    """
    late = late.assign(
        days_late=(late["shipped_at"] - late["due_at"]).dt.total_seconds() / 86400)
    return late.sort_values("days_late", ascending=False)[present_columns(late, columns)].round(
        {"days_late": 1}).reset_index(drop=True)


@check("fulfillment.late_shipments", area="fulfillment",
       title="Orders ship later than promised",
       needs=SHIPPED_ORDERS,
       proof_metric="late_rate")
def late_shipments(
    data: CheckData,
    *,
    warn: float = Param(0.04, 0.0, 1.0, 0.005, "Late share that warns (Amazon's seller "
                        "target for late shipment rate is under 4%)."),
    fail: float = Param(0.08, 0.0, 1.0, 0.005, "Late share that fails."),
    sla_business_days: float = SLA_BUSINESS_DAYS,
    cancel_probability: float = CANCEL_PROBABILITY,
    ticket_cost: float = TICKET_COST,
    min_evidence: float = MIN_SHIPPED,
) -> Result:
    """Orders ship later than promised.

    Question: do orders ship after the promised date?

    Metric: ``late_rate`` = orders of the period whose first shipment left after
    ``promised_ship_by`` (or, without a promise, after ``ordered_at`` plus
    ``sla_business_days`` business days) ÷ orders of the period that shipped.

    Threshold: warn 4%, fail 8%. Source: Amazon's seller performance target keeps the late
    shipment rate under 4%.

    Impact: late orders a year × (cancel probability × average order value × gross margin +
    support ticket cost); cancel probability 1% / 3% / 6%, ticket $3 / $5 / $8 (low / base /
    high).

    Population: live orders placed in the period that shipped (cancelled, refunded, test and
    draft orders left out and counted in the details); the first parcel of each order.

    Time basis: ordered_at in the period; promised_ship_by as loaded (a date-only promise is
    the end of that local day); the SLA due time keeps the order's time of day.

    Minimum evidence: ``min_evidence`` shipped orders (50); judged on the 95% Wilson bound of
    the late rate, so a rate built from a handful of orders is "too few to judge".

    Base: late orders of the period, annualized; the average order value and the gross margin
    net of discounts of the live orders (or engagement.yaml's when set there).
    """
    shipped = late_flags(data, sla_business_days)
    late = shipped[shipped["late"]]
    rate = ratio(len(late), len(shipped))
    status, why = judge_rate(len(late), len(shipped), warn, fail,
                             min_evidence=int(min_evidence), noun="shipped orders")
    impact = late_order_impact(data, len(late), cancel_probability, ticket_cost)
    evidence = late_evidence(late, ("order_id", "ordered_at", "due_at", "shipped_at",
                                    "days_late", "channel", "warehouse", "carrier"))
    return Result(
        status=status, judgement=why, details=population(data),
        chart=late_chart(data, shipped, rate, warn, fail),
        metrics={"late_rate": share(rate, "late shipments ÷ shipped orders"),
                 "late_orders": Metric(len(late), "count", "orders shipped late"),
                 "shipped_orders": Metric(len(shipped), "count", "orders shipped")},
        evidence=evidence, evidence_id="order_id", impact=with_population(impact, data),
        story=LATE_STORY)


TOP_WAREHOUSES = 6


def late_chart(data: CheckData, shipped: pd.DataFrame, rate: float, warn: float,
               fail: float) -> CauseChart | None:
    """Where late orders lost their time (``queue_chart``) when the shipments say when they
    were delivered; else the late rate by week (month on long periods) and warehouse, where a
    queue building up in one warehouse shows as its line rising. None when no order of the
    period shipped (nothing to draw)."""
    if not len(shipped):
        return None
    if has_values(shipped, "delivered_at"):
        return queue_chart(shipped)
    by_warehouse = has_values(shipped, "warehouse")
    # the busiest warehouses apart, the rest together (few lines)
    warehouse = _busiest(shipped["warehouse"]) if by_warehouse else None
    frame, word = rate_over_time(shipped["ordered_at"], shipped["late"], data.period.days,
                                 series=warehouse, rate="late_rate")
    if not by_warehouse:
        frame = frame.assign(series="all orders")
    worst = frame.sort_values(["late_rate", "hits"], ascending=False).iloc[0]
    where = f" at {worst['series']}" if by_warehouse else ""
    note = (f"{rate:.1%} of shipped orders left late; the worst {word} was the one starting "
            f"{worst['period']:%d %b %Y}{where}, at {worst['late_rate']:.1%} "
            f"({worst['hits']:,} of {worst['rows']:,}).")
    return CauseChart(
        "lines", frame.rename(columns={"series": "warehouse", "hits": "late_orders",
                                       "rows": "shipped_orders"}),
        x="period", y="late_rate", series="warehouse",
        title=f"Late rate by {word} ordered" + (" and warehouse" if by_warehouse else ""),
        x_title=f"{word} ordered", y_title="shipped late", y_unit="share",
        marks=marks(warn, fail), note=note)


def _busiest(warehouse: pd.Series) -> pd.Series:
    """Warehouse names with all but the ``TOP_WAREHOUSES`` busiest as 'other warehouses'."""
    names = warehouse.astype("str").fillna("(no warehouse)")
    busiest = names.value_counts().index[:TOP_WAREHOUSES]
    return names.where(names.isin(busiest), "other warehouses")


def queue_chart(shipped: pd.DataFrame) -> CauseChart:
    """Average days in our queue (ordered to shipped) and with the carrier (shipped to
    delivered) of late and on-time orders, by warehouse: when late orders travel as fast as
    the others, the extra days were spent in our building (the playbook's test)."""
    used = [c for c in ("ordered_at", "shipped_at", "delivered_at", "late", "warehouse")
            if c in shipped]
    delivered = shipped[used][shipped["delivered_at"].notna()]  # only these rows are taken
    queue = (delivered["shipped_at"] - delivered["ordered_at"]).dt.total_seconds() / 86400
    transit = (delivered["delivered_at"] - delivered["shipped_at"]).dt.total_seconds() / 86400
    cohort = np.where(delivered["late"].to_numpy(dtype=bool), "late", "on-time")
    keys = [pd.Series(cohort, index=delivered.index, name="cohort")]
    if has_values(delivered, "warehouse"):
        keys.insert(0, _busiest(delivered["warehouse"]).rename("warehouse"))
    parts = pd.DataFrame({"in our queue": queue, "with the carrier": transit})
    grouped = parts.groupby(keys, sort=True)
    means, orders = grouped.mean(), grouped.size()
    labels = [", ".join(k) if isinstance(k, tuple) else f"{k} orders" for k in means.index]
    means.index = pd.Index(labels, name="orders")
    frame = means.stack().rename("days").reset_index().rename(columns={"level_1": "time"})
    frame = frame.assign(shipped_orders=frame["orders"].map(
        dict(zip(labels, orders.to_numpy(), strict=True))).astype("int64"))
    overall = parts.groupby(cohort).mean()
    on_time = overall.loc["on-time"] if "on-time" in overall.index else None
    late = overall.loc["late"] if "late" in overall.index else None
    if late is not None and on_time is not None:
        note = (f"Late orders waited {late['in our queue']:.1f} days in our queue and "
                f"{late['with the carrier']:.1f} with the carrier; on-time orders "
                f"{on_time['in our queue']:.1f} and {on_time['with the carrier']:.1f}.")
    else:
        only = late if late is not None else on_time
        which = "Every order shipped late" if late is not None else "No order shipped late"
        note = (f"{which}: orders waited {only['in our queue']:.1f} days in our queue and "
                f"{only['with the carrier']:.1f} with the carrier.")
    missing = len(shipped) - len(delivered)
    if missing:
        verb = "order without a delivery date is" if missing == 1 else (
            "orders without a delivery date are")
        note += f" {missing:,} {verb} not drawn."
    return CauseChart("stacked", frame, x="orders", y="days", series="time",
                      title="Days in our queue and with the carrier, late and on-time orders",
                      x_title="orders", y_title="average days", y_unit="days", note=note)


# -- shared by the checks below ------------------------------------------------------------

def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """True where a yes/no column is true; false where it is false, missing or absent."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def _reason(reasons: pd.Series) -> pd.Series:
    """Return reasons in one spelling: 'Wrong item' and 'wrong-item' read as 'wrong_item'."""
    return reasons.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _weightless_skus(data: CheckData) -> pd.Series | None:
    """SKUs of the product master with no positive weight on any record (None: no weights).

    A weights column that is absent or empty means the export left it out, not that every
    product lacks a weight, so it is not read as a defect.
    """
    products = data.get("products")
    if products is None or not has_values(products, "weight"):
        return None
    weighed = products.loc[products["weight"] > 0, "sku"]
    return products.loc[~products["sku"].isin(weighed), "sku"].drop_duplicates()


# -- fulfillment.data_defects_drive_delays -------------------------------------------------

DEFECT_WORDS = {
    "unknown_sku": "SKU not in products",
    "no_weight": "product without weight",
    "address_corrected": "address corrected",
    "manual_edit": "manual edit",
}


def defect_flags(data: CheckData, order_ids: pd.Series,
                 codes: np.ndarray | None = None) -> pd.DataFrame:
    """One boolean column per data defect the data can show, aligned with ``order_ids``.

    A defect kind is only assessed when its source is in the data: SKUs and weights need
    order lines and products, corrections need the shipments' address_corrected column,
    manual edits need order events with their manual column. With the order-id ``codes``
    of ``order_ids`` (``key_codes``) the membership tests run on the codes.
    """
    all_codes = key_codes(data)
    events = data.get("order_events")
    consulted = {"shipments"}
    if data.has("order_lines") and data.has("products"):
        consulted.add("order_lines")
    if data.has("order_events") and has_values(events, "manual"):
        consulted.add("manual_events")
    # the shared codes cover the events marked manual as _flag reads the mark
    same_marks = "manual_events" not in consulted or np.array_equal(
        np.flatnonzero(_flag(events, "manual").to_numpy()), manual_event_rows(data))
    if (codes is None or not same_marks or order_positions(data) is None
            or not consulted <= set(all_codes)):
        return _defect_flags_by_id(data, order_ids)
    flags = pd.DataFrame(index=order_ids.index)
    lines, products = data.get("order_lines"), data.get("products")
    if data.has("order_lines") and data.has("products"):
        line_codes = all_codes["order_lines"]
        ours = code_table(all_codes, codes)[line_codes]
        line_codes, skus = line_codes[ours], lines.loc[ours, "sku"]
        known = isin(skus, products["sku"]).to_numpy()
        flags["unknown_sku"] = code_table(all_codes, line_codes[~known])[codes]
        weightless = _weightless_skus(data)
        if weightless is not None:
            no_weight = known & isin(skus, weightless).to_numpy()
            flags["no_weight"] = code_table(all_codes, line_codes[no_weight])[codes]
    shipments = data["shipments"]
    if has_values(shipments, "address_corrected"):
        corrected = all_codes["shipments"][_flag(shipments, "address_corrected").to_numpy()]
        flags["address_corrected"] = code_table(all_codes, corrected)[codes]
    if "manual_events" in consulted:
        flags["manual_edit"] = code_table(all_codes, all_codes["manual_events"])[codes]
    return flags


def _defect_flags_by_id(data: CheckData, order_ids: pd.Series) -> pd.DataFrame:
    """``defect_flags`` on the ids themselves (data the codes cannot stand for)."""
    flags = pd.DataFrame(index=order_ids.index)
    lines, products = data.get("order_lines"), data.get("products")
    if data.has("order_lines") and data.has("products"):
        lines = lines[lines["order_id"].isin(order_ids)]
        known = lines["sku"].isin(products["sku"])
        flags["unknown_sku"] = order_ids.isin(lines.loc[~known, "order_id"])
        weightless = _weightless_skus(data)
        if weightless is not None:
            no_weight = known & lines["sku"].isin(weightless)
            flags["no_weight"] = order_ids.isin(lines.loc[no_weight, "order_id"])
    shipments = data["shipments"]
    if has_values(shipments, "address_corrected"):
        corrected = shipments.loc[_flag(shipments, "address_corrected"), "order_id"]
        flags["address_corrected"] = order_ids.isin(corrected)
    events = data.get("order_events")
    if data.has("order_events") and has_values(events, "manual"):
        flags["manual_edit"] = order_ids.isin(events.loc[_flag(events, "manual"), "order_id"])
    return flags


def _defect_names(flags: pd.DataFrame) -> pd.Series:
    """'SKU not in products, manual edit' per order: the defects in words."""
    names = pd.Series("", index=flags.index, dtype="str")
    for kind in flags.columns:
        names = names + flags[kind].map({True: DEFECT_WORDS[kind] + ", ", False: ""})
    return names.str.removesuffix(", ")


@check("fulfillment.data_defects_drive_delays", area="fulfillment",
       title="Bad product and order data make orders late",
       needs=SHIPPED_ORDERS,
       proof_metric="late_rate_lift")
def data_defects_drive_delays(
    data: CheckData,
    *,
    warn: float = Param(1.5, 1.0, 20.0, 0.1, "Lift of the late rate of defective orders "
                        "over clean orders that warns."),
    fail: float = Param(2.5, 1.0, 20.0, 0.1, "Lift that fails."),
    sla_business_days: float = SLA_BUSINESS_DAYS,
    cancel_probability: float = CANCEL_PROBABILITY,
    ticket_cost: float = TICKET_COST,
    min_evidence: float = min_evidence_param(10, "late orders with a defect"),
) -> Result:
    """Bad product and order data make orders late.

    Question: is the shipping problem a data problem?

    Metric: ``late_rate_lift`` = late rate of shipped orders of the period that carry a data
    defect ÷ late rate of clean orders, late as in fulfillment.late_shipments. A defect is a
    line whose SKU is not in products, a product without a positive weight, a shipment whose
    address was corrected, or a manual order event. Only the defects the data can show are
    assessed. ``defect_share_of_late`` = late orders with a defect ÷ late orders. When no
    clean order was late, the clean late rate is taken as one order in the clean ones, so
    the lift is a lower bound rather than infinite.

    Threshold: warn at a lift of 1.5, fail at 2.5 (default: judgement thresholds, there is
    no public benchmark).

    Impact: late orders with a defect a year × (cancel probability × average order value ×
    gross margin + support ticket cost); cancel probability 1% / 3% / 6%, ticket $3 / $5 /
    $8. These orders are already inside fulfillment.late_shipments' dollars, so the amount
    sizes the data share of that impact and is not added to the total.

    Population: live orders placed in the period that shipped (cancelled, refunded, test and
    draft orders left out and counted in the details), split by whether they carry a defect.

    Time basis: as fulfillment.late_shipments (promises as loaded, a date-only promise is the
    end of that local day).

    Minimum evidence: ``min_evidence`` late orders with a defect (10); the lift is judged on
    the lower bound of its 95% interval (Katz), so a lift built from a few late orders is
    "too few to judge".

    Base: late orders with a defect, annualized, at fulfillment.late_shipments' cost of one
    late order (counted there, not added again).
    """
    shipped = late_flags(data, sla_business_days)
    if not len(shipped):
        raise NotAssessable(f"Send the shipments export covering {period_words(data)}: none of "
                            "the period's orders has a shipment.")
    flags = defect_flags(data, shipped["order_id"], period_shipped(data)[1])
    if flags.empty:
        raise NotAssessable(
            "Send the order lines and products exports, the order timeline (order events "
            "with the manual column), or the shipments export with its address-corrected "
            f"column, covering {period_words(data)}.")
    defective, late = flags.any(axis=1), shipped["late"]
    clean_orders = int((~defective).sum())
    if clean_orders == 0:
        raise NotAssessable(
            "Every shipped order of the period carries a data defect, so there are no clean "
            f"orders to compare with. Check the product export covering {period_words(data)}: "
            "it may lack the SKUs or weights the orders use.")
    defective_orders = int(defective.sum())
    late_defective, late_clean = int((late & defective).sum()), int((late & ~defective).sum())
    rate_defective = ratio(late_defective, defective_orders)
    rate_clean = ratio(max(late_clean, 1), clean_orders)
    lift = ratio(rate_defective, rate_clean)

    impact = late_order_impact(
        data, late_defective, cancel_probability, ticket_cost,
        noun="late orders with a data defect", in_total=False,
        note="part of fulfillment.late_shipments' impact, not added again")

    offending = shipped[late & defective].assign(
        defects=_defect_names(flags[late & defective]))
    evidence = late_evidence(offending, ("order_id", "defects", "ordered_at", "due_at",
                                         "shipped_at", "days_late", "channel", "warehouse"))
    lift_label = "late rate with a defect ÷ late rate of clean orders" + (
        " (lower bound: no clean order was late)" if late_clean == 0 else "")
    status, why = judge_lift(late_defective, defective_orders, late_clean, clean_orders, warn,
                             fail, min_evidence=int(min_evidence),
                             noun="late orders with a defect")
    return Result(
        status=status, judgement=why, chart=defect_chart(flags, defective, late),
        metrics={
            "late_rate_lift": Metric(lift, "ratio", lift_label),
            "defect_share_of_late": share(ratio(late_defective, int(late.sum())),
                                          "late orders with a defect ÷ late orders"),
            "late_rate_defective": share(rate_defective, "late rate of orders with a defect"),
            "late_rate_clean": share(ratio(late_clean, clean_orders),
                                     "late rate of clean orders"),
            "defective_orders": Metric(defective_orders, "count", "shipped orders with a "
                                       "data defect"),
            "clean_orders": Metric(clean_orders, "count", "shipped orders without a defect"),
        },
        evidence=evidence, evidence_id="order_id", impact=with_population(impact, data),
        story=Story("Shipping is slow.",
                    "Orders with bad master data stall: an unknown SKU, a product without "
                    "weight, a corrected address or a manual edit."),
        details={"defects_assessed": [DEFECT_WORDS[k] for k in flags.columns],
                 "orders_by_defect": {DEFECT_WORDS[k]: int(flags[k].sum())
                                      for k in flags.columns}, **population(data)})


def defect_chart(flags: pd.DataFrame, defective: pd.Series, late: pd.Series) -> CauseChart:
    """Late rate (95% Wilson interval) of orders with each defect, with any, and of clean
    orders: the gap between the bars is the data problem."""
    groups = [(DEFECT_WORDS[k], flags[k].to_numpy(dtype=bool)) for k in flags.columns]
    groups = [(name, mask) for name, mask in groups if mask.any()]
    groups += [("any data defect", defective.to_numpy(dtype=bool)),
               ("clean orders", ~defective.to_numpy(dtype=bool))]
    is_late = late.to_numpy(dtype=bool)
    rows = []
    for name, mask in groups:
        hits, orders = int((is_late & mask).sum()), int(mask.sum())
        rate, low, high = rate_with_interval(hits, orders)
        rows.append({"orders": name, "late_rate": rate, "low": low, "high": high,
                     "late_orders": hits, "shipped_orders": orders})
    frame = pd.DataFrame(rows)
    bad, clean = frame.iloc[-2], frame.iloc[-1]
    if bad["shipped_orders"]:
        note = (f"Orders with a data defect are late {bad['late_rate']:.1%} of the time "
                f"(95% interval {bad['low']:.1%}–{bad['high']:.1%}), clean ones "
                f"{clean['late_rate']:.1%} ({clean['low']:.1%}–{clean['high']:.1%}).")
    else:
        note = (f"No shipped order carries a data defect; clean orders are late "
                f"{clean['late_rate']:.1%} of the time.")
    return CauseChart("bars", frame, x="orders", y="late_rate", low="low", high="high",
                      title="Late rate of orders with and without bad data",
                      x_title="orders", y_title="shipped late (95% interval)",
                      y_unit="share", note=note)


# -- fulfillment.order_to_ship_time --------------------------------------------------------

def _wait_by(shipped: pd.DataFrame, column: str) -> pd.DataFrame:
    """p50 and p90 business days per value of ``column`` (channel, warehouse), worst first."""
    grouped = shipped.groupby(column)["business_days"]
    table = pd.DataFrame({"orders": grouped.size(), "p50_business_days": grouped.median(),
                          "p90_business_days": grouped.quantile(0.9)})
    return table.sort_values("p90_business_days", ascending=False).reset_index()


@check("fulfillment.order_to_ship_time", area="fulfillment",
       title="Orders wait too long before they ship",
       needs=SHIPPED_ORDERS,
       proof_metric="p90_business_days")
def order_to_ship_time(
    data: CheckData,
    *,
    warn: float = Param(2.0, 0.0, 30.0, 0.25, "p90 business days from order to shipment "
                        "that warns."),
    fail: float = Param(3.0, 0.0, 30.0, 0.25, "p90 business days that fails."),
    min_evidence: float = MIN_SHIPPED,
) -> Result:
    """Orders wait too long before they ship.

    Question: how long do orders wait before shipping, and where is the tail?

    Metric: ``p90_business_days`` = 90th percentile, over orders of the period that shipped,
    of the business hours from ``ordered_at`` to the first ``shipped_at`` divided by 24
    (Saturday and Sunday hours are not counted). The median and the split by channel and
    warehouse are reported next to it.

    Threshold: warn at 2, fail at 3 business days (default: judgement thresholds matching a
    2-day shipping promise; there is no public benchmark).

    Impact: counted by fulfillment.late_shipments (the orders that wait too long are the
    late ones), so this check adds no dollars of its own.

    Population: live orders placed in the period that shipped (cancelled, refunded, test and
    draft orders left out and counted in the details); the first parcel of each order.

    Time basis: local time; Saturday and Sunday hours are not counted.

    Minimum evidence: ``min_evidence`` shipped orders (50) for the percentile (no Wilson
    interval applies to a p90); fewer is "too few to judge".

    Base: none of its own (counted by fulfillment.late_shipments).
    """
    shipped, _ = period_shipped(data)
    if not len(shipped):
        raise NotAssessable(f"Send the shipments export covering {period_words(data)}: none of "
                            "the period's orders has a shipment.")
    shipped = shipped.assign(
        business_days=business_hours(shipped["ordered_at"], shipped["shipped_at"]) / 24)
    p90 = float(shipped["business_days"].quantile(0.9))
    p50 = float(shipped["business_days"].median())
    slow = shipped[shipped["business_days"] >= warn]
    columns = ["order_id", "ordered_at", "shipped_at", "business_days",
               *present_columns(slow, ("channel", "warehouse", "carrier"))]
    evidence = slow.sort_values("business_days", ascending=False)[columns].round(
        {"business_days": 2}).reset_index(drop=True)
    segments = {f"by_{c}": _wait_by(shipped, c) for c in ("channel", "warehouse")
                if has_values(shipped, c)}
    status, why = judge_count(p90, warn, fail, len(shipped), min_evidence=int(min_evidence),
                              noun="shipped orders")
    return Result(
        status=status, judgement=why,
        chart=wait_chart(shipped["business_days"], p50, p90, warn, fail),
        metrics={
            "p90_business_days": Metric(p90, "days", "90th percentile business days from "
                                        "order to first shipment"),
            "p50_business_days": Metric(p50, "days", "median business days from order to "
                                        "first shipment"),
            "slow_orders": Metric(len(slow), "count", f"orders that waited {warn:g} "
                                  "business days or more"),
            "shipped_orders": Metric(len(shipped), "count", "orders shipped"),
        },
        evidence=evidence, evidence_id="order_id",
        impact=Impact.none("counted by fulfillment.late_shipments"),
        story=Story("We need a faster warehouse.",
                    "The wait is before picking: the slowest orders sit in our own queue."),
        details={**segments, **population(data)})


def wait_chart(business_days: pd.Series, p50: float, p90: float, warn: float,
               fail: float) -> CauseChart:
    """How many orders waited how long (business days, half-day bins): the tail past the
    promise is the queue, not the carrier."""
    cap = min(max(2 * fail, float(np.ceil(business_days.quantile(0.99))), 1.0), 30.0)
    width = 0.5 if cap <= 10 else 1.0
    frame = binned(business_days, width, cap=cap).rename(columns={"count": "orders"})
    tail = int((business_days >= cap).sum())
    note = (f"Half the orders shipped within {p50:.1f} business days and nine in ten within "
            f"{p90:.1f}" + (f"; {tail:,} waited {cap:g} or more (the last bar)." if tail
                            else "."))
    return CauseChart("histogram", frame, x="mid", y="orders",
                      title="Business days from order to shipment",
                      x_title="business days from order to first shipment", x_unit="days",
                      y_title="orders", y_unit="count",
                      marks=(*marks(warn, fail), (p90, "p90")), note=note)


# -- fulfillment.address_exceptions --------------------------------------------------------

def address_exception_rows(data: CheckData, shipments: pd.DataFrame) -> pd.DataFrame:
    """One row per exception of the period: corrected address, reship, return to sender.

    Raises NotAssessable when the data carries none of the three signals.
    """
    parts = []
    details = present_columns(shipments, ("shipment_id", "carrier", "warehouse"))
    for column in ("address_corrected", "reship"):
        if has_values(data["shipments"], column):
            rows = shipments[_flag(shipments, column)]
            parts.append(rows[["order_id", *details]].assign(
                exception=column, at=rows["shipped_at"]))
    returns = data.get("returns")
    if data.has("returns") and has_values(returns, "reason"):
        returns = in_period(returns, "returned_at", data)
        rows = returns[_reason(returns["reason"]) == "return_to_sender"]
        parts.append(rows[["order_id"]].assign(exception="return_to_sender",
                                               at=rows["returned_at"]))
    if not parts:
        raise NotAssessable(
            "Send the shipments export with its address-corrected and reship columns, or the "
            f"returns export with its reason column, covering {period_words(data)}.")
    return pd.concat(parts, ignore_index=True)


@check("fulfillment.address_exceptions", area="fulfillment",
       title="Bad addresses cause failed and repeat shipments",
       needs={"shipments": ["order_id", "shipped_at"]},
       proof_metric="exception_rate")
def address_exceptions(
    data: CheckData,
    *,
    warn: float = Param(0.01, 0.0, 1.0, 0.005, "Exception share of shipments that warns."),
    fail: float = Param(0.03, 0.0, 1.0, 0.005, "Exception share that fails."),
    cost_per_exception: float = Param(25.0, 0.0, 500.0, 1.0, "Cost of one address exception "
                                      "(carrier fee, reship, staff time, $).",
                                      low=12.0, high=45.0, unit="$"),
    min_evidence: float = min_evidence_param(100, "shipments"),
) -> Result:
    """Bad addresses cause failed and repeat shipments.

    Question: how many shipments fail or cost extra because of bad addresses?

    Metric: ``exception_rate`` = (shipments of the period with a corrected address +
    shipments of the period that are reships + returns of the period with reason
    return_to_sender) ÷ shipments of the period. A shipment both corrected and reshipped
    counts twice: each is a separate cost.

    Threshold: warn 1%, fail 3% (default: judgement thresholds).

    Impact: exceptions a year × cost per exception; $12 / $25 / $45 (low / base / high).

    Population: every shipment of the period (a parcel that left is an exception whatever
    became of its order) and the returns of the period.

    Time basis: shipped_at and returned_at in the period, local time.

    Minimum evidence: ``min_evidence`` shipments (100); judged on the 95% Wilson bound of the
    exception rate.

    Base: exceptions of the period, annualized, at the cost per exception.
    """
    shipments = in_period(data["shipments"], "shipped_at", data)
    if not len(shipments):
        raise NotAssessable(f"Send the shipments export covering {period_words(data)}: it has "
                            "no shipment in the period.")
    exceptions = address_exception_rows(data, shipments)
    rate = ratio(len(exceptions), len(shipments))
    a_year = annual(data, len(exceptions))
    costs = address_exceptions.spec.params["cost_per_exception"].spread(cost_per_exception)
    impact = Impact(*(a_year * c for c in costs),
                    formula=f"{a_year:,.0f} address exceptions a year × cost per exception",
                    assumptions={"cost per exception": " / ".join(money(c, 2)
                                                                  for c in costs)})
    per_order = exceptions.groupby("order_id")["exception"].transform("size")
    evidence = exceptions.assign(exceptions_on_order=per_order).sort_values(
        ["exceptions_on_order", "order_id", "at"], ascending=[False, True, True])
    columns = ["order_id", "exception", "at", "exceptions_on_order",
               *present_columns(evidence, ("shipment_id", "carrier", "warehouse"))]
    kinds = exceptions["exception"].value_counts()
    status, why = judge_rate(len(exceptions), len(shipments), warn, fail,
                             min_evidence=int(min_evidence), noun="shipments")
    return Result(
        status=status, judgement=why,
        chart=exception_chart(data, exceptions, shipments, rate, warn, fail),
        metrics={
            "exception_rate": share(rate, "address exceptions ÷ shipments"),
            "address_corrections": Metric(int(kinds.get("address_corrected", 0)), "count",
                                          "shipments with a corrected address"),
            "reships": Metric(int(kinds.get("reship", 0)), "count", "reshipped parcels"),
            "returns_to_sender": Metric(int(kinds.get("return_to_sender", 0)), "count",
                                        "returns to sender"),
            "shipments": Metric(len(shipments), "count", "shipments of the period"),
        },
        evidence=evidence[columns].reset_index(drop=True), evidence_id="order_id",
        impact=impact,
        story=Story("The carrier lost it.",
                    "The address was never validated at checkout, or was retyped by hand."))


EXCEPTION_WORDS = {"address_corrected": "address corrected", "reship": "reship",
                   "return_to_sender": "return to sender"}


def exception_chart(data: CheckData, exceptions: pd.DataFrame, shipments: pd.DataFrame,
                    rate: float, warn: float, fail: float) -> CauseChart:
    """Exceptions per shipment by week (month on long periods), stacked by kind: which
    failure the address causes, and whether it is steady or a burst."""
    kinds = [k for k in EXCEPTION_WORDS if k in set(exceptions["exception"])] or list(
        dict.fromkeys(exceptions["exception"])) or ["address_corrected"]
    frame, word = share_by_kind_over_time(
        exceptions["at"], exceptions["exception"], shipments["shipped_at"], data.period.days,
        kinds, value="exception_rate")
    frame = frame.assign(kind=frame["kind"].map(EXCEPTION_WORDS).fillna(frame["kind"]))
    counts = exceptions["exception"].value_counts()
    parts = ", ".join(f"{int(counts.get(k, 0)):,} {EXCEPTION_WORDS.get(k, k)}" for k in kinds)
    note = f"{rate:.1%} of shipments had an address exception ({parts})."
    return CauseChart("stacked", frame.rename(columns={"kind": "exception",
                                                       "events": "exceptions",
                                                       "base": "shipments"}),
                      x="period", y="exception_rate", series="exception",
                      title=f"Address exceptions per shipment, by {word} and kind",
                      x_title=word, y_title="exceptions ÷ shipments", y_unit="share",
                      marks=marks(warn, fail), note=note)


# -- fulfillment.shipping_cost_recovery ----------------------------------------------------

@check("fulfillment.shipping_cost_recovery", area="fulfillment",
       title="Shipping costs more than customers pay for it",
       needs={"orders": ["order_id", "ordered_at", "total", "shipping_charged"],
              "shipments": ["order_id", "shipping_cost"]},
       proof_metric="subsidy_share")
def shipping_cost_recovery(
    data: CheckData,
    *,
    warn: float = Param(0.03, 0.0, 1.0, 0.005, "Net shipping subsidy as a share of revenue "
                        "that warns."),
    fail: float = Param(0.06, 0.0, 1.0, 0.005, "Net shipping subsidy share that fails."),
    recoverable_share: float = Param(1.0, 0.0, 1.0, 0.05, "Share of the net subsidy that is "
                                     "unplanned and can be recovered.", low=0.5, high=1.0,
                                     unit="share"),
    min_evidence: float = min_evidence_param(50, "orders"),
) -> Result:
    """Shipping costs more than customers pay for it.

    Question: do we lose money on shipping?

    Metric: ``subsidy_share`` = (Σ shipping_cost of the shipments of the period's orders −
    Σ shipping_charged of those orders) ÷ revenue of the period (live order totals net of
    tax and shipping charged, the base of every share of revenue). Missing costs and charges
    count as zero; an order that has not shipped adds its charge and no cost.

    Threshold: warn 3%, fail 6% (default: judgement thresholds).

    Impact: the unplanned subsidy a year: half of it (low), all of it (base); the high case
    adds the planned one. Planned is a free-shipping offer the client chose: when a channel
    ships free from an order value up and charges below it (``free_shipping_threshold``),
    the subsidy of its free orders from that value up is shown apart, not in the base.
    margin.negative_margin_orders leaves the subsidy on its orders to this check.

    Population: live orders placed in the period (cancelled, refunded, test and draft orders
    left out and counted in the details), with every parcel shipped for them.

    Time basis: ordered_at in the period, local time.

    Minimum evidence: ``min_evidence`` orders (50); a dollar-weighted share has no Wilson
    interval, so fewer orders is "too few to judge".

    Base: the net subsidy of the period, annualized.
    """
    orders = period_orders(data)
    if not len(orders):
        raise NotAssessable(f"Send the order export covering {period_words(data)}: it has no "
                            "order in the period.")
    shipments = data["shipments"]
    codes = key_codes(data)
    coded = order_positions(data) is not None and "shipments" in codes
    if coded:
        # the same rows grouped by labels that sort as the ids: the very same sums
        order_codes, shipment_codes = period_order_codes(data), codes["shipments"]
        ours = code_table(codes, order_codes)[shipment_codes]
        cost = shipments.loc[ours, "shipping_cost"].groupby(
            sortable_codes(data, shipment_codes[ours])).sum()
        order_cost = pd.Series(cost.reindex(sortable_codes(data, order_codes)).to_numpy(),
                               index=orders.index)
    else:
        cost = shipments[shipments["order_id"].isin(orders["order_id"])].groupby(
            "order_id")["shipping_cost"].sum()
        order_cost = orders["order_id"].map(cost)
    per_order = orders.assign(shipping_cost=order_cost.fillna(0.0),
                              shipping_charged=orders["shipping_charged"].fillna(0.0))
    per_order = per_order.assign(
        subsidy=per_order["shipping_cost"] - per_order["shipping_charged"])
    revenue = period_revenue(data)
    subsidy = float(per_order["subsidy"].sum())
    subsidy_share = ratio(subsidy, revenue)

    shares = shipping_cost_recovery.spec.params["recoverable_share"].spread(recoverable_share)
    planned_mask, offers = planned_free_shipping(per_order)
    planned = float(per_order.loc[planned_mask, "subsidy"].clip(lower=0.0).sum())
    unplanned_a_year = annual(data, max(subsidy - planned, 0.0))
    full_a_year = annual(data, max(subsidy, 0.0))
    offer_words = "; ".join(f"{channel}: free from {money(t, 2)}" for channel, t in
                            offers.items()) or "none found (every order is judged unplanned)"
    impact = Impact(unplanned_a_year * shares[0], unplanned_a_year * shares[1],
                    max(unplanned_a_year * shares[2], full_a_year),
                    formula=f"{money(unplanned_a_year)} unplanned shipping subsidy a year × "
                            "recoverable share (the high case adds the planned "
                            f"{money(annual(data, planned))} of free-shipping offers)",
                    assumptions={"recoverable share of the subsidy": " / ".join(
                        f"{s:.0%}" for s in shares),
                        "free-shipping offers (planned, shown apart)": offer_words})

    weightless = _weightless_skus(data)
    if weightless is not None and data.has("order_lines"):
        lines = data["order_lines"]
        if coded and "order_lines" in codes:
            no_weight = codes["order_lines"][isin(lines["sku"], weightless).to_numpy()]
            missing = code_table(codes, no_weight)[period_order_codes(data)]
        else:
            missing = per_order["order_id"].isin(
                lines.loc[lines["sku"].isin(weightless), "order_id"]).to_numpy()
        per_order = per_order.assign(catalog_weight_missing=missing)
    columns = ["order_id", "ordered_at", "total", "shipping_charged", "shipping_cost",
               "subsidy", *present_columns(per_order, ("catalog_weight_missing", "channel"))]
    offending = per_order[columns][per_order["subsidy"] > 0]  # only these columns taken
    evidence = offending.sort_values("subsidy", ascending=False)
    status, why = judge_count(subsidy_share, warn, fail, len(orders),
                              min_evidence=int(min_evidence), noun="orders")
    return Result(
        status=status, judgement=why, details=population(data),
        chart=shipping_chart(data, per_order, subsidy, planned),
        metrics={
            "subsidy_share": share(subsidy_share, "(shipping cost − shipping charged) ÷ "
                                   "revenue"),
            "net_subsidy": Metric(subsidy, "$", "shipping cost − shipping charged"),
            "shipping_cost": Metric(float(per_order["shipping_cost"].sum()), "$",
                                    "label cost of the period's orders"),
            "shipping_charged": Metric(float(per_order["shipping_charged"].sum()), "$",
                                       "shipping paid by customers"),
            "revenue": Metric(revenue, "$", "revenue of the period (live order totals net "
                              "of tax and shipping)"),
            "planned_subsidy": Metric(planned, "$", "subsidy of free-shipping offers the "
                                      "client chose (orders from the offer's threshold up)"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="order_id",
        impact=with_population(impact, data),
        story=Story("Carrier rates went up.",
                    "Weights and dimensions in the catalog are wrong, so customers are "
                    "charged less than the label costs."))


def shipping_chart(data: CheckData, per_order: pd.DataFrame, subsidy: float,
                   planned: float) -> CauseChart:
    """What labels cost against what customers paid for shipping, by week (month on long
    periods): the gap between the bars is the subsidy."""
    bucket, word = time_bucket(per_order["ordered_at"], data.period.days)
    sums = per_order[["shipping_cost", "shipping_charged"]].groupby(
        bucket.rename("period"), sort=True).sum()
    sums.columns = ["label cost", "charged to customers"]
    frame = sums.stack().rename("amount").reset_index().rename(columns={"level_1": "money"})
    cost, charged = (float(per_order[c].sum()) for c in ("shipping_cost", "shipping_charged"))
    note = (f"Labels cost {money(cost)} and customers paid {money(charged)} for shipping: a "
            f"net subsidy of {money(subsidy)}"
            + (f", of which {money(planned)} on free-shipping offers the client chose."
               if planned else "."))
    return CauseChart("bars", frame, x="period", y="amount", series="money",
                      title=f"Shipping cost against shipping charged, by {word}",
                      x_title=f"{word} ordered", y_title="shipping", y_unit="$", note=note)


FREE_ABOVE = 0.95  # share of a channel's orders from the threshold up that ship free
CHARGED_BELOW = 0.80  # share of its orders below the threshold that pay for shipping
MIN_OFFER_ORDERS = 20  # orders on each side before a threshold is believed


def planned_free_shipping(per_order: pd.DataFrame) -> tuple[np.ndarray, dict[str, float]]:
    """Orders whose free shipping is an offer the client chose, and each channel's threshold.

    Per channel (the whole shop without one), orders are sorted by value (subtotal less
    discounts, else total less shipping charged and tax); a threshold is the lowest value
    from which at least 95% of orders ship free while at least 80% of the orders below it
    pay for shipping, with 20 orders or more on each side. A free order from its channel's
    threshold up is planned.
    """
    def column(name: str) -> pd.Series:
        return (per_order[name].fillna(0.0) if name in per_order
                else pd.Series(0.0, index=per_order.index))

    # what the offer is judged on: the merchandise after discounts, as shops set it
    if "subtotal" in per_order and per_order["subtotal"].notna().any():
        value = column("subtotal") - column("discount_total")
    else:
        value = column("total") - per_order["shipping_charged"] - column("tax")
    value = value.to_numpy(dtype=float)
    free = (per_order["shipping_charged"].to_numpy(dtype=float) <= 0.0)
    channels = (per_order["channel"].fillna("(no channel)").astype("str").to_numpy()
                if "channel" in per_order else np.full(len(per_order), "all orders"))
    planned = np.zeros(len(per_order), dtype=bool)
    offers: dict[str, float] = {}
    for channel in pd.unique(channels):
        rows = np.flatnonzero(channels == channel)
        order = rows[np.argsort(value[rows], kind="stable")]
        free_sorted = free[order].astype(float)
        n = len(order)
        above_free = np.cumsum(free_sorted[::-1])[::-1] / np.arange(n, 0, -1)
        below_paid = np.concatenate([[1.0], np.cumsum(1 - free_sorted)[:-1] / np.arange(1, n)])
        at = np.arange(n)
        fits = ((above_free >= FREE_ABOVE) & (below_paid >= CHARGED_BELOW)
                & (at >= MIN_OFFER_ORDERS) & (n - at >= MIN_OFFER_ORDERS))
        # a threshold is a value: take the first order that starts its value
        fits &= np.concatenate([[True], value[order][1:] > value[order][:-1]])
        if fits.any():
            threshold = float(value[order][np.flatnonzero(fits)[0]])
            offers[str(channel)] = threshold
            planned[rows] = free[rows] & (value[rows] >= threshold)
    return planned, offers


# -- fulfillment.fulfillment_errors --------------------------------------------------------

ERROR_REASONS = ("wrong_item", "missing_item")


@check("fulfillment.fulfillment_errors", area="fulfillment",
       title="Customers receive wrong or missing items",
       needs={"returns": ["order_id", "returned_at", "reason"],
              "shipments": ["order_id", "shipped_at"]},
       proof_metric="error_rate")
def fulfillment_errors(
    data: CheckData,
    *,
    warn: float = Param(0.005, 0.0, 1.0, 0.001, "Share of shipped orders with a wrong or "
                        "missing item that warns."),
    fail: float = Param(0.010, 0.0, 1.0, 0.001, "Error share that fails."),
    cost_per_error: float = Param(40.0, 0.0, 1000.0, 5.0, "Cost of one wrong or missing item "
                                  "(reship, product, handling, churn, $).",
                                  low=20.0, high=80.0, unit="$"),
    min_evidence: float = MIN_SHIPPED,
) -> Result:
    """Customers receive wrong or missing items.

    Question: how often do we ship the wrong thing?

    Metric: ``error_rate`` = distinct orders with a return of the period whose reason is
    wrong_item or missing_item ÷ distinct orders with a shipment of the period.

    Threshold: warn 0.5%, fail 1.0%. Source: WERC DC Measures puts best-in-class pick
    accuracy above 99.9%.

    Impact: orders with an error a year × (reship + product + handling + churn cost);
    $20 / $40 / $80 per error (low / base / high).

    Population: orders with a shipment of the period (a parcel that left can carry a wrong
    item whatever became of its order) and the returns of the period.

    Time basis: shipped_at and returned_at in the period, local time.

    Minimum evidence: ``min_evidence`` shipped orders (50); judged on the 95% Wilson bound of
    the error rate.

    Base: orders with an error of the period, annualized, at the cost per error.
    """
    shipments = in_period(data["shipments"], "shipped_at", data)
    shipped_orders = shipments["order_id"].nunique()
    if not shipped_orders:
        raise NotAssessable(f"Send the shipments export covering {period_words(data)}: it has "
                            "no shipment in the period.")
    returns = in_period(data["returns"], "returned_at", data)
    errors = returns[_reason(returns["reason"]).isin(ERROR_REASONS)]
    error_orders = errors["order_id"].nunique()
    rate = ratio(error_orders, shipped_orders)
    a_year = annual(data, error_orders)
    costs = fulfillment_errors.spec.params["cost_per_error"].spread(cost_per_error)
    impact = Impact(*(a_year * c for c in costs),
                    formula=f"{a_year:,.0f} orders with a wrong or missing item a year × "
                            "(reship + product + handling + churn)",
                    assumptions={"cost per error": " / ".join(money(c, 2) for c in costs)})
    order_by = [c for c in ("refund_amount", "returned_at") if c in errors]
    columns = ["order_id", "returned_at", "reason", *present_columns(errors, ("sku",
                                                                       "refund_amount"))]
    evidence = errors.sort_values(order_by, ascending=False)[columns]
    by_sku = (errors.groupby("sku")["order_id"].nunique().sort_values(ascending=False)
              .rename("orders").reset_index()) if has_values(errors, "sku") else None
    status, why = judge_rate(error_orders, shipped_orders, warn, fail,
                             min_evidence=int(min_evidence), noun="shipped orders")
    return Result(
        status=status, judgement=why,
        chart=error_chart(data, errors, shipments, rate, by_sku, warn, fail),
        metrics={
            "error_rate": share(rate, "orders with a wrong or missing item ÷ shipped orders"),
            "error_orders": Metric(error_orders, "count", "orders with a wrong or missing "
                                   "item returned"),
            "shipped_orders": Metric(shipped_orders, "count", "orders shipped in the period"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="order_id", impact=impact,
        story=Story("Careless staff.",
                    "Look-alike SKUs, kits the system does not define and a stale bin map "
                    "invite the mistake."),
        details={"errors_by_sku": by_sku} if by_sku is not None else {})


def error_chart(data: CheckData, errors: pd.DataFrame, shipments: pd.DataFrame, rate: float,
                by_sku: pd.DataFrame | None, warn: float, fail: float) -> CauseChart:
    """Orders with a wrong or missing item per shipped order, by the week (month on long
    periods) the order shipped, and reason: each order counted once (its first return, its
    first parcel), as the error rate counts them. A return whose order did not ship in the
    period has no week to fall in and is left out of the picture (not of the rate)."""
    first_errors = errors.sort_values("returned_at").drop_duplicates("order_id")
    first_parcels = shipments.groupby("order_id")["shipped_at"].min()
    shipped_at = first_errors["order_id"].map(first_parcels)
    dated = shipped_at.notna()
    reasons = _reason(first_errors.loc[dated, "reason"]).str.replace("_", " ")
    frame, word = share_by_kind_over_time(
        shipped_at[dated], reasons, first_parcels, data.period.days,
        [r.replace("_", " ") for r in ERROR_REASONS], value="error_rate")
    top = ""
    if by_sku is not None and len(by_sku):
        top = f"; the most frequent SKU is {by_sku['sku'].iloc[0]} ({by_sku['orders'].iloc[0]:,})"
    note = (f"{len(first_errors):,} of {len(first_parcels):,} shipped orders came back with a "
            f"wrong or missing item ({rate:.2%}){top}.")
    return CauseChart("stacked", frame.rename(columns={"kind": "reason", "events": "orders",
                                                       "base": "shipped_orders"}),
                      x="period", y="error_rate", series="reason",
                      title=f"Wrong and missing items per shipped order, by {word}",
                      x_title=f"{word} shipped", y_title="orders with an error ÷ shipped orders",
                      y_unit="share", marks=marks(warn, fail), note=note)
