"""Hat 1, eCommerce and fulfillment: do orders leave on time, complete and at a profit?

"Shipping is slow" is often a data problem: orders that wait in our own queue, bad master
data that stalls picking, addresses retyped by hand.
"""

from __future__ import annotations

from opskit.checks._common import (
    add_business_days,
    annual,
    average_order_value,
    first_shipments,
    gross_margin,
    judge,
    period_orders,
    ratio,
    share,
)
from opskit.findings import Impact, Metric, Result, Story
from opskit.registry import CheckData, Param, check

LATE_STORY = Story("The carrier is slow.",
                   "The orders waited in our own queue: they left after the promised date.")


def late_flags(data: CheckData, sla_business_days: float):
    """Orders of the period with their first shipment, due date and a late flag."""
    orders = period_orders(data)
    shipped = orders.merge(first_shipments(data), on="order_id", how="inner",
                           suffixes=("", "_shipment"))
    default_due = add_business_days(shipped["ordered_at"], int(sla_business_days))
    if "promised_ship_by" in shipped:
        due = shipped["promised_ship_by"].fillna(default_due)
    else:
        due = default_due
    return shipped.assign(due_at=due, late=shipped["shipped_at"] > due)


def late_order_cost(data: CheckData, cancel_probability: float, ticket_cost: float,
                    params: dict) -> tuple[tuple[float, float, float], dict[str, str]]:
    """Cost of one late order (low, base, high): lost margin on cancels plus a ticket."""
    aov, margin = average_order_value(data), gross_margin(data)
    cancel = params["cancel_probability"].spread(cancel_probability)
    ticket = params["ticket_cost"].spread(ticket_cost)
    costs = tuple(c * aov * margin + t for c, t in zip(cancel, ticket, strict=True))
    words = {
        "average order value": f"${aov:,.2f} (orders of the period)",
        "gross margin": f"{margin:.1%}",
        "cancel probability of a late order": " / ".join(f"{c:.1%}" for c in cancel),
        "support ticket cost": " / ".join(f"${t:,.2f}" for t in ticket),
    }
    return costs, words  # type: ignore[return-value]


@check("fulfillment.late_shipments", area="fulfillment",
       title="Orders ship later than promised",
       needs={"orders": ["order_id", "ordered_at"], "shipments": ["order_id", "shipped_at"]},
       proof_metric="late_rate")
def late_shipments(
    data: CheckData,
    *,
    warn: float = Param(0.04, 0.0, 1.0, 0.005, "Late share that warns (Amazon's seller "
                        "target for late shipment rate is under 4%)."),
    fail: float = Param(0.08, 0.0, 1.0, 0.005, "Late share that fails."),
    sla_business_days: float = Param(2, 0, 30, 1, "Business days to ship when the order "
                                     "carries no promised ship-by date."),
    cancel_probability: float = Param(0.03, 0.0, 1.0, 0.005, "Share of late orders that are "
                                      "cancelled or not reordered.", low=0.01, high=0.06),
    ticket_cost: float = Param(5.0, 0.0, 100.0, 0.5, "Cost of the support contact a late "
                               "order causes ($).", low=3.0, high=8.0),
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
    """
    shipped = late_flags(data, sla_business_days)
    late = shipped[shipped["late"]]
    rate = ratio(len(late), len(shipped))
    spec_params = late_shipments.spec.params
    per_order, words = late_order_cost(data, cancel_probability, ticket_cost, spec_params)
    late_a_year = annual(data, len(late))
    impact = Impact(*(late_a_year * c for c in per_order),
                    formula=f"{late_a_year:,.0f} late orders a year × (cancel probability × "
                            "average order value × gross margin + ticket cost)",
                    assumptions=words)
    evidence = late.assign(
        days_late=(late["shipped_at"] - late["due_at"]).dt.total_seconds() / 86400)
    columns = [c for c in ("order_id", "ordered_at", "due_at", "shipped_at", "days_late",
                           "channel", "warehouse", "carrier") if c in evidence]
    evidence = evidence.sort_values("days_late", ascending=False)[columns].round(
        {"days_late": 1})
    return Result(
        status=judge(rate, warn, fail),
        metrics={"late_rate": share(rate, "late shipments ÷ shipped orders"),
                 "late_orders": Metric(len(late), "count", "orders shipped late"),
                 "shipped_orders": Metric(len(shipped), "count", "orders shipped")},
        evidence=evidence.reset_index(drop=True), evidence_id="order_id",
        impact=impact, story=LATE_STORY)
