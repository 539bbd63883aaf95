"""Hat 1, inventory: can the business trust its stock records, and is the stock the right stock?

"We keep overselling", "demand is unpredictable" and "we need more warehouse space" usually
trace back to the records, not to the shelves: counts that disagree with the system, stock
below zero because a receipt was never posted, selling SKUs left at zero because reorder
points are stale, and cash sitting in SKUs that have not sold in six months.

The snapshot checks read ``inventory_levels`` (one row per SKU, location and date); the
accuracy check reads ``inventory_counts``; demand comes from ``order_lines`` of ``orders``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from opskit.checks._charts import bucketed, count_table, marks, rate_over_time, top_with_rest
from opskit.checks._common import (
    annual,
    gross_margin,
    gross_margin_words,
    has_values,
    in_period,
    isin,
    join_orders,
    judge_count,
    judge_rate,
    key_codes,
    line_revenue,
    live_order_rows,
    memoized,
    min_evidence_param,
    period_lines,
    period_words,
    population_words,
    present_columns,
    ratio,
    share,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

QUANTITY_TOLERANCE = 1e-9  # counted and system quantities equal up to float noise


def _unit_costs(data: CheckData) -> pd.Series:
    """Unit cost per SKU from the product master (first cost on file across systems)."""
    if not has_values(data.get("products"), "unit_cost"):
        return pd.Series(dtype="float64")
    return data["products"].groupby("sku")["unit_cost"].first()


def _orders_between(data: CheckData, start: pd.Timestamp, end: pd.Timestamp,
                    columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Order lines with a positive quantity of live orders placed in [start, end), with
    their ``ordered_at`` and revenue (a cancelled, refunded, test or draft order is not a
    sale). With ``columns``, only those of the lines (and quantity) are carried: a
    caller counting SKUs over every order ever need not copy a million order ids."""
    orders = data["orders"]
    between = (orders["ordered_at"] >= start) & (orders["ordered_at"] < end) & live_order_rows(
        data)
    frame = data["order_lines"]
    if columns is not None:
        frame = frame[list(dict.fromkeys([*columns, "quantity"]))]
    lines = join_orders(data, frame, key_codes(data).get("order_lines"), ["ordered_at"],
                        placed=between.to_numpy())
    if lines is None:
        placed = orders.loc[between, ["order_id", "ordered_at"]]
        lines = data["order_lines"].merge(placed, on="order_id", how="inner")
        if columns is not None:
            lines = lines[[c for c in lines.columns if c in frame or c == "ordered_at"]]
    lines = lines[lines["quantity"] > 0]
    return lines.assign(revenue=line_revenue(lines)) if "unit_price" in lines else lines


def _window_revenue_of(data: CheckData, skus: pd.Series) -> float:
    """Line revenue of the period on ``skus`` (0 when the data has no orders or lines)."""
    if not (data.has("orders") and data.has("order_lines")):
        return 0.0
    lines = period_lines(data)
    return float(lines.loc[lines["sku"].isin(skus), "revenue"].sum())


def latest_snapshot(data: CheckData) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The latest inventory_levels snapshot on or before the period end, and its date.

    A snapshot is one calendar day; a SKU-location listed twice that day keeps its last row.
    """
    levels = data["inventory_levels"]
    levels = levels[levels["as_of"] < data.period.end_exclusive]
    if not len(levels):
        raise NotAssessable(f"Send inventory snapshots (on hand per SKU and location) taken "
                            f"on or before {data.period.end.date()}.")
    day = levels["as_of"].dt.normalize()
    as_of = day.max()
    snapshot = levels[day == as_of].sort_values("as_of")
    keys = ["sku", *present_columns(snapshot, ("location",))]
    return snapshot.drop_duplicates(keys, keep="last").reset_index(drop=True), as_of


def _sales_lift_impact(data: CheckData, skus: pd.Series, lift: float, spec_param: Param,
                       extra: float = 0.0, extra_words: str = "") -> Impact:
    """Revenue of ``skus`` a year × sales lift from correct records × margin (+ ``extra``)."""
    revenue = annual(data, _window_revenue_of(data, skus))
    margin = gross_margin(data)
    lifts = spec_param.spread(lift)
    extra_a_year = annual(data, extra)
    words = {"revenue of the SKUs a year": money(revenue),
             "gross margin": gross_margin_words(data),
             "sales lift from correct records": " / ".join(f"{v:.1%}" for v in lifts)}
    formula = f"{money(revenue)} revenue a year of the SKUs × sales lift × gross margin"
    if extra_words:
        words[extra_words] = f"{money(extra_a_year)} a year"
        formula += f" + {extra_words}"
    return Impact(*(revenue * v * margin + extra_a_year for v in lifts), formula=formula,
                  assumptions=words)


# -- inventory.record_accuracy -------------------------------------------------------------

def _count_costs(data: CheckData, counts: pd.DataFrame) -> pd.Series:
    """Unit cost of each count record: its own, else the product master's (may be missing)."""
    master = counts["sku"].map(_unit_costs(data)).astype("float64")
    if "unit_cost" in counts:
        return counts["unit_cost"].astype("float64").fillna(master)
    return master


@check("inventory.record_accuracy", area="inventory",
       title="System stock does not match the shelf",
       needs={"inventory_counts": ["sku", "counted_at", "counted_qty", "system_qty"]},
       proof_metric="accuracy")
def record_accuracy(
    data: CheckData,
    *,
    warn: float = Param(0.95, 0.0, 1.0, 0.01, "Share of accurate count records below which "
                        "the check warns."),
    fail: float = Param(0.90, 0.0, 1.0, 0.01, "Share of accurate count records below which "
                        "it fails."),
    sales_lift: float = Param(0.03, 0.0, 0.5, 0.005, "Sales gained on a SKU once its "
                              "record is right.", low=0.01, high=0.06, unit="share"),
    min_evidence: float = min_evidence_param(50, "count records"),
) -> Result:
    """System stock does not match the shelf.

    Question: does the system quantity match the shelf?

    Metric: ``accuracy`` = count records of the period whose ``counted_qty`` equals
    ``system_qty`` ÷ count records of the period (lower is worse). ``value_accuracy``
    weights each record by its unit cost × the larger of the two quantities (the count's
    unit cost, else the product master's).

    Threshold: warn below 95%, fail below 90%. Source: DeHoratius and Raman found 65% of
    370,000 retail inventory records inaccurate.

    Impact: a year of revenue of the SKUs with an inaccurate record × sales lift from
    correct records (1% / 3% / 6%) × gross margin, plus the negative variance (system above
    shelf) at unit cost a year, which has to be written off.

    Population: every count record of the period (each SKU-location count).

    Time basis: counted_at in the period, local time.

    Minimum evidence: ``min_evidence`` count records (50); judged on the 95% Wilson bound of
    the accuracy (its upper bound, since lower is worse).

    Base: line revenue of live orders of the period on the inaccurate SKUs, annualized, ×
    gross margin net of discounts; the write-off at unit cost, annualized.
    """
    counts = in_period(data["inventory_counts"], "counted_at", data)
    if not len(counts):
        raise NotAssessable(f"Send the cycle counts covering {period_words(data)}: none of the "
                            "counts falls inside the period.")
    variance = counts["counted_qty"] - counts["system_qty"]
    accurate = variance.abs() <= QUANTITY_TOLERANCE
    accuracy = float(accurate.mean())
    unit_cost = _count_costs(data, counts)
    weight = unit_cost * np.maximum(counts["counted_qty"], counts["system_qty"])
    valued = float(weight.sum())
    value_accuracy = float(weight[accurate].sum()) / valued if valued > 0 else None
    write_off = float(((-variance).clip(lower=0) * unit_cost).sum())

    inaccurate = counts[~accurate].assign(variance_units=variance[~accurate],
                                          unit_cost=unit_cost[~accurate])
    inaccurate = inaccurate.assign(
        variance_value=inaccurate["variance_units"] * inaccurate["unit_cost"],
        _units=inaccurate["variance_units"].abs(),
        _value=(inaccurate["variance_units"] * inaccurate["unit_cost"]).abs())
    impact = _sales_lift_impact(data, inaccurate["sku"], sales_lift,
                                record_accuracy.spec.params["sales_lift"], extra=write_off,
                                extra_words="negative variance written off")
    columns = ["sku", "counted_at", *present_columns(inaccurate, ("location",)), "system_qty",
               "counted_qty", "variance_units", "variance_value"]
    evidence = inaccurate.sort_values(["_value", "_units"], ascending=False)[columns]
    status, why = judge_rate(int(accurate.sum()), len(counts), warn, fail,
                             min_evidence=int(min_evidence), noun="count records",
                             higher_is_worse=False)
    return Result(
        status=status, judgement=why, chart=variance_chart(variance, accuracy),
        metrics={
            "accuracy": share(accuracy, "count records with counted = system ÷ count records"),
            "value_accuracy": Metric(value_accuracy, "share", "accurate records weighted by "
                                     "value"),
            "inaccurate_records": Metric(int((~accurate).sum()), "count",
                                         "count records that disagree with the system"),
            "count_records": Metric(len(counts), "count", "count records of the period"),
            "negative_variance_value": Metric(write_off, "$", "system above shelf, at cost"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="sku", impact=impact,
        story=Story("We keep overselling.", "Replenishment runs on wrong stock records."))


VARIANCE_BUCKETS = ("shelf short by more than 10", "shelf short by 10 or less",
                    "shelf matches the system", "shelf over by 10 or less",
                    "shelf over by more than 10")


def variance_chart(variance: pd.Series, accuracy: float) -> CauseChart:
    """Count records by how far the shelf is from the system: a wide spread on both sides is
    unposted movements; a one-sided one is shrink or unrecorded receipts."""
    tol = QUANTITY_TOLERANCE
    kind = np.select([variance < -10, variance < -tol, variance <= tol, variance <= 10],
                     [0, 1, 2, 3], default=4)
    counts = np.bincount(kind, minlength=len(VARIANCE_BUCKETS))
    frame = pd.DataFrame({"variance": list(VARIANCE_BUCKETS), "records": counts})
    short, over = int(counts[:2].sum()), int(counts[3:].sum())
    note = (f"{int(counts[2]):,} of {len(variance):,} count records match the shelf "
            f"({accuracy:.1%}); the system shows more than the shelf on {short:,} and less "
            f"on {over:,}.")
    return CauseChart("bars", frame, x="variance", y="records",
                      title="Count records by shelf − system quantity",
                      x_title="counted − system units", y_title="count records",
                      y_unit="count", note=note)


# -- which locations stock which SKUs -------------------------------------------------------

def _pair_keys(levels: pd.DataFrame) -> pd.Series:
    """One key per SKU-location of ``levels`` (the SKU alone when there is no location)."""
    if "location" not in levels:
        return levels["sku"].astype("str")
    return levels["sku"].astype("str") + "\x1f" + levels["location"].astype("str").fillna("")


def stocking_keys(data: CheckData) -> pd.Series:
    """Keys (``_pair_keys``) of the SKU-locations that stock their SKU: on hand above zero
    on at least one snapshot on or before the period end.

    CATALOG.md, "Stock": a location that never holds a SKU (a showroom listing the whole
    catalog at zero, a second warehouse with a short range) is not "out" of it.
    """
    levels = data["inventory_levels"]

    def compute() -> pd.Series:
        held = levels[(levels["as_of"] < data.period.end_exclusive) & (levels["on_hand"] > 0)]
        return _pair_keys(held).drop_duplicates()

    return memoized(data, "stocking_keys", [levels], compute)


def _stocked_rows(data: CheckData, levels: pd.DataFrame) -> pd.Series:
    """Per row of ``levels``: True when its location stocks its SKU, or when no location
    ever held the SKU (then every location that lists it counts: a selling SKU never in
    stock anywhere is out everywhere)."""
    stocking = stocking_keys(data)
    if "location" not in levels:
        return pd.Series(True, index=levels.index)
    pair = _pair_keys(levels).isin(stocking)
    held_skus = stocking.str.split("\x1f", n=1).str[0]
    return pair | ~levels["sku"].astype("str").isin(held_skus)


# -- inventory.negative_on_hand ------------------------------------------------------------

@check("inventory.negative_on_hand", area="inventory",
       title="The system shows stock below zero",
       needs={"inventory_levels": ["sku", "as_of", "on_hand"]},
       proof_metric="negative_share")
def negative_on_hand(
    data: CheckData,
    *,
    warn: float = Param(0.005, 0.0, 1.0, 0.001, "Share of SKU-locations below zero that "
                        "warns."),
    fail: float = Param(0.02, 0.0, 1.0, 0.001, "Share of SKU-locations below zero that "
                        "fails."),
    sales_lift: float = Param(0.03, 0.0, 0.5, 0.005, "Sales gained on a SKU once its "
                              "record is right (used when there are no counts).",
                              low=0.01, high=0.06, unit="share"),
    min_evidence: float = min_evidence_param(50, "active SKU-locations"),
) -> Result:
    """The system shows stock below zero.

    Question: does the system show stock below zero?

    Metric: ``negative_share`` = SKU-locations with ``on_hand`` < 0 ÷ active SKU-locations,
    in the latest inventory snapshot on or before the period end. A SKU-location is active
    when it is below zero or its location held the SKU (on hand above zero) on some snapshot
    up to the period end; a location that lists a SKU it never stocks is left out.

    Threshold: warn 0.5%, fail 2% (default: judgement thresholds).

    Impact: a proxy of inventory.record_accuracy. When the data has cycle counts the money
    is counted there and not added here; without counts, a year of revenue of the SKUs
    below zero × sales lift from correct records (1% / 3% / 6%) × gross margin.

    Population: active SKU-locations of the latest snapshot (see Metric).

    Time basis: the latest snapshot day on or before the period end.

    Minimum evidence: ``min_evidence`` active SKU-locations (50); judged on the 95% Wilson
    bound of the negative share.

    Base: counted by inventory.record_accuracy when counts exist; else line revenue of live
    orders of the period on the negative SKUs, annualized, × gross margin net of discounts.
    """
    snapshot, as_of = latest_snapshot(data)
    stocked = _pair_keys(snapshot).isin(stocking_keys(data))
    active = snapshot[stocked | (snapshot["on_hand"] < 0)]
    negative = active[active["on_hand"] < 0]
    rate = ratio(len(negative), len(active))
    status, why = judge_rate(len(negative), len(active), warn, fail,
                             min_evidence=int(min_evidence), noun="active SKU-locations")
    if data.has("inventory_counts"):
        impact = Impact.none("counted by inventory.record_accuracy")
    else:
        impact = _sales_lift_impact(data, negative["sku"], sales_lift,
                                    negative_on_hand.spec.params["sales_lift"])
    columns = ["sku", *present_columns(negative, ("location",)), "on_hand", "as_of"]
    evidence = negative.sort_values("on_hand")[columns].reset_index(drop=True)
    return Result(
        status=status, judgement=why, chart=on_hand_chart(active, as_of),
        metrics={
            "negative_share": share(rate, f"SKU-locations below zero ÷ active SKU-locations "
                                    f"on {as_of.date()}"),
            "negative_sku_locations": Metric(len(negative), "count", "SKU-locations below "
                                             "zero"),
            "sku_locations": Metric(len(active), "count", "active SKU-locations in the "
                                    "snapshot"),
        },
        evidence=evidence, evidence_id="sku", impact=impact,
        story=Story("The numbers are off.",
                    "Receipts, transfers and adjustments are not posted when goods move."),
        details={"snapshot": str(as_of.date()),
                 # the population note, not a measure of the finding: listed, never stocked
                 "never_stocked_sku_locations": len(snapshot) - len(active)})


ON_HAND_BUCKETS = ("below −10", "−10 to below 0", "0", "above 0 to 10", "above 10")


def on_hand_chart(active: pd.DataFrame, as_of: pd.Timestamp) -> CauseChart:
    """Active SKU-locations by units on hand in the snapshot, by location (the 6 with most
    SKU-locations below zero, the rest together): where postings are missed."""
    on_hand = active["on_hand"].to_numpy(dtype=float)
    kind = np.select([on_hand < -10, on_hand < 0, on_hand == 0, on_hand <= 10],
                     [0, 1, 2, 3], default=4)
    frame = active.assign(on_hand_units=np.asarray(ON_HAND_BUCKETS)[kind],
                          below=on_hand < 0)
    if has_values(frame, "location"):
        per_location = frame.groupby("location", as_index=False)["below"].sum()
        named = top_with_rest(per_location, "location", "below", 6, "other locations")
        frame = frame.assign(location=frame["location"].map(
            dict(zip(per_location["location"], named, strict=True))).fillna("other locations"))
    else:
        frame = frame.assign(location="all locations")
    counts = count_table(frame["on_hand_units"], frame["location"]).reindex(
        ON_HAND_BUCKETS, fill_value=0)
    counts.index.name, counts.columns.name = "on_hand_units", "location"
    table = counts.stack().rename("sku_locations").reset_index()
    negative = int(frame["below"].sum())
    worst = ""
    if negative and frame["location"].nunique() > 1:
        top = frame.loc[frame["below"], "location"].value_counts()
        worst = f"; most at {top.index[0]} ({int(top.iloc[0]):,})"
    note = (f"{negative:,} of {len(frame):,} active SKU-locations show stock below zero on "
            f"{as_of.date()}{worst}.")
    return CauseChart("bars", table, x="on_hand_units", y="sku_locations", series="location",
                      title=f"Active SKU-locations by units on hand, {as_of.date()}",
                      x_title="units on hand in the system", y_title="SKU-locations",
                      y_unit="count", note=note)


# -- inventory.stockouts -------------------------------------------------------------------

DEMAND_DAYS = 90


def _stockout_days(data: CheckData, skus: pd.Series) -> tuple[pd.DataFrame, int]:
    """SKU-days of the period for ``skus``: one row per SKU and day, out when no location
    that stocks the SKU has it on hand; and how many SKU-location rows were left out because
    their location never stocks the SKU.

    The last snapshot of a SKU-location in a day stands for that day; a SKU-day is observed
    when a stocking location has a snapshot that day.
    """
    levels = in_period(data["inventory_levels"], "as_of", data)
    levels = levels[isin(levels["sku"], skus)]
    stocked = _stocked_rows(data, levels)
    ignored = int((~stocked).sum())
    levels = levels[stocked.to_numpy()]
    levels = levels.assign(day=levels["as_of"].dt.normalize()).sort_values("as_of")
    keys = ["sku", *present_columns(levels, ("location",)), "day"]
    days = levels.drop_duplicates(keys, keep="last")
    held = days.assign(held=days["on_hand"] > 0).groupby(["sku", "day"], sort=True)["held"]
    per_day = held.any().reset_index()
    return per_day.assign(out=~per_day["held"]).drop(columns="held"), ignored


@check("inventory.stockouts", area="inventory",
       title="Selling products are often out of stock",
       needs={"inventory_levels": ["sku", "as_of", "on_hand"],
              "orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity", "unit_price"]},
       proof_metric="stockout_rate")
def stockouts(
    data: CheckData,
    *,
    warn: float = Param(0.05, 0.0, 1.0, 0.005, "Share of selling SKU-days at zero that "
                        "warns."),
    fail: float = Param(0.10, 0.0, 1.0, 0.005, "Share of selling SKU-days at zero that "
                        "fails."),
    substitution: float = Param(0.30, 0.0, 1.0, 0.05, "Share of the demand lost to a "
                                "stockout that buys another product instead.",
                                low=0.50, high=0.10, unit="share"),
    min_evidence: float = min_evidence_param(100, "SKU-days"),
) -> Result:
    """Selling products are often out of stock.

    Question: how often are sellable SKUs at zero?

    Metric: ``stockout_rate`` = SKU-days out ÷ SKU-days, over the inventory snapshots of the
    period, for the SKUs sold in the 90 days before the period starts. A SKU is out on a day
    when no location that stocks it has it on hand (on hand <= 0 at every one); a location
    that never held the SKU (on hand above zero on no snapshot up to the period end) is not
    out of it and is left out. A SKU no location ever held is out wherever it is listed.

    Threshold: warn 5%, fail 10%. Source: Gruen, Corsten and Bharadwaj put the average
    retail out-of-stock rate at about 8%.

    Impact: lost units a year × average price × gross margin × (1 − substitution). Lost
    units of a SKU = its daily units in the 90 days before the period × days of the period
    × its share of SKU-days out; substitution 50% / 30% / 10% (low / base / high).

    Population: SKUs sold on live orders in the 90 days before the period (cancelled,
    refunded, test and draft orders are not sales), at the locations that stock them.

    Time basis: one SKU-day per local calendar day with a snapshot in the period.

    Minimum evidence: ``min_evidence`` SKU-days (100); judged on the 95% Wilson bound of the
    stockout rate.

    Base: lost units at the SKU's average price of the 90 days before the period, annualized,
    × gross margin net of discounts: a lost sale is priced at its contribution.
    """
    start = data.period.start
    sold = _orders_between(data, start - pd.Timedelta(days=DEMAND_DAYS), start)
    if not len(sold):
        raise NotAssessable(
            f"Send the orders with their lines covering the {DEMAND_DAYS} days before "
            f"{start.date()}: stockouts are measured on the SKUs that were selling then.")
    days, ignored = _stockout_days(data, sold["sku"])
    if not len(days):
        raise NotAssessable(f"Send daily inventory snapshots covering {period_words(data)} for the "
                            "SKUs that sell: none of them has a snapshot in the period.")
    rate = float(days["out"].mean())
    status, why = judge_rate(int(days["out"].sum()), len(days), warn, fail,
                             min_evidence=int(min_evidence), noun="SKU-days")

    per_sku = days.groupby("sku").agg(days_out=("out", "sum"), days_observed=("out", "size"))
    demand = sold.groupby("sku").agg(units=("quantity", "sum"), revenue=("revenue", "sum"))
    per_sku = per_sku.join(demand, how="left")
    per_sku = per_sku.assign(
        daily_units=per_sku["units"] / DEMAND_DAYS,
        average_price=per_sku["revenue"] / per_sku["units"])
    per_sku = per_sku.assign(lost_units=per_sku["daily_units"] * data.period.days
                             * per_sku["days_out"] / per_sku["days_observed"])
    per_sku = per_sku.assign(lost_revenue=per_sku["lost_units"] * per_sku["average_price"])
    lost_revenue = annual(data, float(per_sku["lost_revenue"].sum()))
    margin = gross_margin(data)
    subs = stockouts.spec.params["substitution"].spread(substitution)
    impact = Impact(*(lost_revenue * margin * (1 - s) for s in subs),
                    formula=f"{money(lost_revenue)} revenue a year lost at zero stock × "
                            "gross margin × (1 − substitution)",
                    assumptions={"gross margin": gross_margin_words(data),
                                 "substitution": " / ".join(f"{s:.0%}" for s in subs),
                                 "demand": f"daily units of the {DEMAND_DAYS} days before "
                                           "the period"})
    offending = per_sku[per_sku["days_out"] > 0].reset_index()
    offending = offending.assign(stockout_share=offending["days_out"]
                                 / offending["days_observed"])
    evidence = offending.sort_values(["lost_revenue", "days_out"], ascending=False)[
        ["sku", "days_out", "days_observed", "stockout_share", "daily_units", "lost_units",
         "lost_revenue"]].round({"stockout_share": 3, "daily_units": 2, "lost_units": 1,
                                 "lost_revenue": 2})
    details = {"population": "SKU-level: a SKU is out when every location that stocks it "
                             "is at zero"}
    if ignored:
        details["never_stocked"] = (f"{ignored:,} snapshot rows of locations that never "
                                    "stock the SKU left out (not out of stock)")
    if population_words(data):
        details["orders"] = population_words(data)
    return Result(
        status=status, judgement=why, details=details,
        chart=stockout_chart(data, days, per_sku, rate, warn, fail),
        metrics={
            "stockout_rate": share(rate, "SKU-days out at every stocking location ÷ SKU-days "
                                   "of selling SKUs"),
            "stockout_days": Metric(int(days["out"].sum()), "count", "SKU-days out"),
            "sku_days": Metric(len(days), "count", "SKU-days of selling SKUs"),
            "skus_out": Metric(len(offending), "count", "selling SKUs that ran out"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="sku", impact=impact,
        story=Story("Demand is unpredictable.",
                    "Reorder points are not maintained, so selling SKUs run out."))


TOP_SKUS = 5


def stockout_chart(data: CheckData, days: pd.DataFrame, per_sku: pd.DataFrame, rate: float,
                   warn: float, fail: float) -> CauseChart:
    """Share of days out by week (month on long periods) for every selling SKU and for the
    five that lost the most: a SKU out week after week has no working reorder point."""
    ranked = per_sku.assign(lost=per_sku["lost_revenue"].fillna(0.0)).sort_values(
        ["lost", "days_out"], ascending=False)
    top = ranked[ranked["days_out"] > 0].head(TOP_SKUS).index
    overall, word = rate_over_time(days["day"], days["out"], data.period.days, rate="out_share")
    parts = [overall.assign(series="all selling SKUs")]
    mine = days[isin(days["sku"], pd.Series(top))]
    if len(mine):
        by_sku, _ = rate_over_time(mine["day"], mine["out"], data.period.days,
                                   series=mine["sku"], rate="out_share")
        parts.append(by_sku)
    frame = pd.concat(parts, ignore_index=True).rename(
        columns={"series": "sku", "hits": "days_out", "rows": "sku_days"})
    frame = frame[["period", "sku", "days_out", "sku_days", "out_share"]]
    if len(top):
        first = per_sku.loc[top[0]]
        lead = (f"; {top[0]} was out {int(first['days_out'])} of "
                f"{int(first['days_observed'])} days (lost {money(first['lost_revenue'])})")
    else:
        lead = "; no selling SKU ran out"
    note = f"{rate:.1%} of selling SKU-days were at zero{lead}."
    return CauseChart("lines", frame, x="period", y="out_share", series="sku",
                      title=f"Share of days out of stock by {word}, top SKUs",
                      x_title=word, y_title="days out ÷ days observed", y_unit="share",
                      marks=marks(warn, fail), note=note)


# -- inventory.dead_stock ------------------------------------------------------------------

HISTORY_GRACE = pd.Timedelta(days=7)  # order history may start a week into the lookback


@check("inventory.dead_stock", area="inventory",
       title="Cash is tied up in stock that does not sell",
       needs={"inventory_levels": ["sku", "as_of", "on_hand"],
              "products": ["sku", "unit_cost"],
              "orders": ["order_id", "ordered_at"],
              "order_lines": ["order_id", "sku", "quantity"]},
       proof_metric="dead_share")
def dead_stock(
    data: CheckData,
    *,
    warn: float = Param(0.10, 0.0, 1.0, 0.01, "Share of inventory value without a sale that "
                        "warns."),
    fail: float = Param(0.20, 0.0, 1.0, 0.01, "Share of inventory value without a sale that "
                        "fails."),
    no_sale_days: float = Param(180, 30, 730, 30, "Days without a sale after which stock "
                                "counts as dead.", unit="days"),
    min_evidence: float = min_evidence_param(20, "SKUs in stock"),
) -> Result:
    """Cash is tied up in stock that does not sell.

    Question: how much cash sits in stock that does not sell?

    Metric: ``dead_share`` = value of the SKUs with no order line sold in the 180 days up to
    the period end ÷ total inventory value, in the latest inventory snapshot on or before the
    period end. Value = positive ``on_hand`` × ``products.unit_cost``, summed over locations;
    stock without a unit cost is left out of both.

    Threshold: warn 10%, fail 20% (default: judgement thresholds).

    Impact: dead stock value × annual carrying cost (storage, capital, damage,
    obsolescence), 15% / 20% / 30% by default (the engagement's carrying_cost assumption).

    Population: SKUs in stock (valued) in the latest snapshot; a sale is a line of a live
    order (cancelled, refunded, test and draft orders are not sales).

    Time basis: the 180 days up to the period end, local calendar days.

    Minimum evidence: ``min_evidence`` SKUs in stock (20); a value-weighted share has no
    Wilson interval, so fewer SKUs is "too few to judge".

    Base: the dead stock value on the snapshot day (a stock, not a flow: not annualized).
    """
    lookback_start = data.period.end_exclusive - pd.Timedelta(days=int(no_sale_days))
    first_order = data["orders"]["ordered_at"].min()
    if pd.isna(first_order) or first_order > lookback_start + HISTORY_GRACE:
        raise NotAssessable(
            f"Send the orders with their lines covering {lookback_start.date()} to "
            f"{data.period.end.date()}: dead stock is stock with no sale in "
            f"{no_sale_days:g} days.")
    snapshot, as_of = latest_snapshot(data)
    stock = snapshot.assign(unit_cost=snapshot["sku"].map(_unit_costs(data)).astype(
        "float64"), units=snapshot["on_hand"].clip(lower=0))
    stock = stock.assign(value=(stock["units"] * stock["unit_cost"]).fillna(0.0))
    per_sku = stock.groupby("sku").agg(on_hand=("units", "sum"), unit_cost=("unit_cost",
                                       "first"), value=("value", "sum")).reset_index()
    total = float(per_sku["value"].sum())
    if total <= 0:
        raise NotAssessable(f"Send the products export with unit costs for the SKUs in stock "
                            f"on {as_of.date()}: none of the stock can be valued.")
    recent = _orders_between(data, lookback_start, data.period.end_exclusive, ["sku"])
    dead = per_sku[~isin(per_sku["sku"], recent["sku"]) & (per_sku["value"] > 0)]
    dead_value = float(dead["value"].sum())
    dead_share = ratio(dead_value, total)

    carrying = data.assumptions.get("carrying_cost")
    rates = carrying.triple() if carrying else (0.15, 0.20, 0.30)
    impact = Impact(*(dead_value * r for r in rates),
                    formula=f"{money(dead_value)} dead stock × annual carrying cost",
                    assumptions={"carrying cost a year": " / ".join(f"{r:.0%}"
                                                                    for r in rates)})
    history = _orders_between(data, first_order, data.period.end_exclusive, ["sku"])
    last_sale = history.groupby("sku")["ordered_at"].max()
    chart = aging_chart(data, per_sku, last_sale, no_sale_days, dead_value, total)
    evidence = dead.assign(last_sale_at=dead["sku"].map(last_sale).astype("datetime64[us]"))
    evidence = evidence.assign(
        days_since_sale=(data.period.end_exclusive - evidence["last_sale_at"]).dt.days)
    evidence = evidence.sort_values("value", ascending=False)[
        ["sku", "on_hand", "unit_cost", "value", "last_sale_at", "days_since_sale"]]
    status, why = judge_count(dead_share, warn, fail, int((per_sku["value"] > 0).sum()),
                              min_evidence=int(min_evidence), noun="SKUs in stock")
    return Result(
        status=status, judgement=why,
        metrics={
            "dead_share": share(dead_share, f"value without a sale in {no_sale_days:g} days "
                                "÷ inventory value"),
            "dead_value": Metric(dead_value, "$", "value of stock without a sale"),
            "inventory_value": Metric(total, "$", f"inventory value on {as_of.date()}"),
            "dead_skus": Metric(len(dead), "count", "SKUs in stock without a sale"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="sku", impact=impact,
        story=Story("We need more warehouse space.", "We store what does not sell."),
        chart=chart,
        details={"snapshot": str(as_of.date())})


def aging_chart(data: CheckData, per_sku: pd.DataFrame, last_sale: pd.Series,
                no_sale_days: float, dead_value: float, total: float) -> CauseChart:
    """Inventory value by days since the SKU last sold: the bars past the no-sale line are
    the cash that sits still."""
    valued = per_sku[per_sku["value"] > 0]
    since = (data.period.end_exclusive - valued["sku"].map(last_sale).astype("datetime64[us]")
             ).dt.total_seconds() / 86400
    half, limit = no_sale_days / 2, no_sale_days
    labels = [f"sold in the last {half:g} days", f"{half:g}–{limit:g} days",
              f"{limit:g}–{2 * limit:g} days", f"over {2 * limit:g} days", "never sold"]
    days = since.fillna(np.inf)
    frame = bucketed(days, valued["value"], [half, limit, 2 * limit, np.finfo(float).max],
                     labels, value="value").rename(columns={"bucket": "since_last_sale",
                                                            "rows": "skus"})
    frame = frame.assign(stock=np.where(np.arange(len(frame)) < 2, "selling",
                                        f"no sale in {limit:g} days"))
    note = (f"{money(dead_value)} of {money(total)} in stock ({ratio(dead_value, total):.1%}) "
            f"has not sold in {limit:g} days.")
    return CauseChart("stacked", frame, x="since_last_sale", y="value", series="stock",
                      title="Inventory value by time since the SKU last sold",
                      x_title="since the last sale", y_title="inventory value at cost",
                      y_unit="$", note=note)
