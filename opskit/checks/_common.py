"""Small measuring helpers shared by the checks: windows, revenue, money, business time.

Checks are pure pandas over validated tables; what more than one check computes (line
revenue, the hourly cost of staff, business hours between two timestamps, a verdict from a
value and two thresholds) is written once here so every check computes it the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.findings import Metric, Status
from opskit.registry import CheckData

DAYS_PER_MONTH = 365.25 / 12


def judge(value: float | None, warn: float, fail: float, *,
          higher_is_worse: bool = True) -> Status:
    """PASS / WARN / FAIL from a value: WARN at or past ``warn``, FAIL at or past ``fail``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return Status.PASS
    if higher_is_worse:
        return Status.FAIL if value >= fail else Status.WARN if value >= warn else Status.PASS
    return Status.FAIL if value < fail else Status.WARN if value < warn else Status.PASS


def worst(*statuses: Status) -> Status:
    """The more severe of several verdicts."""
    order = [Status.FAIL, Status.WARN, Status.PASS]
    return min(statuses, key=order.index)


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 when there is nothing to divide by."""
    return float(numerator) / float(denominator) if denominator else 0.0


def share(value: float, label: str = "") -> Metric:
    return Metric(float(value), "share", label)


def in_period(frame: pd.DataFrame, column: str, data: CheckData) -> pd.DataFrame:
    """Rows whose ``column`` falls inside the engagement period."""
    return frame[data.period.contains(frame[column])]


def months(data: CheckData) -> float:
    """Length of the period in months (for 'per month' metrics)."""
    return data.period.days / DAYS_PER_MONTH


def annual(data: CheckData, value: float) -> float:
    """A value measured over the period, scaled to a year (value × 365 / days)."""
    return data.period.annualize(value)


def line_revenue(lines: pd.DataFrame) -> pd.Series:
    """quantity × unit_price − line_discount (a missing discount counts as zero)."""
    revenue = lines["quantity"] * lines["unit_price"]
    if "line_discount" in lines:
        revenue = revenue - lines["line_discount"].fillna(0.0)
    return revenue


def period_orders(data: CheckData) -> pd.DataFrame:
    """Orders placed inside the period."""
    return in_period(data["orders"], "ordered_at", data)


def period_lines(data: CheckData) -> pd.DataFrame:
    """Order lines of orders placed inside the period, with their line revenue."""
    orders = period_orders(data)[["order_id"]]
    lines = data["order_lines"].merge(orders, on="order_id", how="inner")
    return lines.assign(revenue=line_revenue(lines))


def first_shipments(data: CheckData) -> pd.DataFrame:
    """One row per shipped order: its first shipment (later parcels are splits or reships)."""
    shipments = data["shipments"]
    first = shipments.sort_values("shipped_at").drop_duplicates("order_id", keep="first")
    return first


def spread(base: float, low_ratio: float, high_ratio: float) -> tuple[float, float, float]:
    """(low, base, high) as ratios of a base value."""
    return (base * low_ratio, base, base * high_ratio)


def hourly_cost(data: CheckData) -> tuple[tuple[float, float, float], str]:
    """Hourly cost of staff (low, base, high) and where it came from.

    The client's own roster wins (median people.hourly_cost, low/high at the default ratios);
    otherwise the engagement's hourly_cost assumption (defaults 45 / 60 / 85).
    """
    assumption = data.assumptions.get("hourly_cost")
    low, base, high = assumption.triple() if assumption else (45.0, 60.0, 85.0)
    people = data.get("people")
    if people is not None and "hourly_cost" in people and people["hourly_cost"].notna().any():
        median = float(people["hourly_cost"].median())
        return (median * low / base, median, median * high / base), (
            f"median hourly cost of the roster ${median:,.0f}")
    return (low, base, high), f"hourly cost ${low:,.0f} / ${base:,.0f} / ${high:,.0f}"


def average_order_value(data: CheckData) -> float:
    """Average order total in the period, or the assumption when there are no orders."""
    if data.has("orders", "total"):
        orders = period_orders(data)
        if len(orders):
            return float(orders["total"].mean())
    assumption = data.assumptions.get("average_order_value")
    return float(assumption.base) if assumption else 100.0


def gross_margin(data: CheckData) -> float:
    """Gross margin of costed lines in the period, or the gross_margin assumption.

    Lines whose product has no cost are left out (counting them at zero cost would inflate
    the margin, which is the very problem margin.missing_cogs reports).
    """
    if data.has("orders") and data.has("order_lines") and data.has("products", "unit_cost"):
        lines = period_lines(data)
        costs = data["products"].drop_duplicates("sku")[["sku", "unit_cost"]]
        lines = lines.merge(costs, on="sku", how="inner")
        lines = lines[lines["unit_cost"] > 0.01]
        revenue = float(lines["revenue"].sum())
        if revenue > 0:
            cogs = float((lines["quantity"] * lines["unit_cost"]).sum())
            return min(max(1 - cogs / revenue, 0.0), 1.0)
    assumption = data.assumptions.get("gross_margin")
    return float(assumption.base) if assumption else 0.40


def business_hours(start: pd.Series, end: pd.Series) -> pd.Series:
    """Hours from ``start`` to ``end`` not counting Saturdays and Sundays (vectorized)."""
    start_day = start.dt.normalize()
    end_day = end.dt.normalize()
    valid = start.notna() & end.notna()
    d0 = start_day[valid].to_numpy().astype("datetime64[D]")
    d1 = end_day[valid].to_numpy().astype("datetime64[D]")
    whole_days = np.busday_count(d0, d1)
    start_is_busday = np.is_busday(d0)
    end_is_busday = np.is_busday(d1)
    start_hours = ((start[valid] - start_day[valid]).dt.total_seconds() / 3600).to_numpy()
    end_hours = ((end[valid] - end_day[valid]).dt.total_seconds() / 3600).to_numpy()
    hours = whole_days * 24.0 - np.where(start_is_busday, start_hours, 0.0) + np.where(
        end_is_busday, end_hours, 0.0)
    out = pd.Series(np.nan, index=start.index)
    out[valid] = hours
    return out


def add_business_days(ts: pd.Series, days: int) -> pd.Series:
    """``ts`` moved forward by whole business days, keeping the time of day."""
    day = ts.dt.normalize()
    valid = ts.notna()
    moved = np.busday_offset(day[valid].to_numpy().astype("datetime64[D]"), days, roll="forward")
    out = pd.Series(pd.NaT, index=ts.index, dtype="datetime64[us]")
    out[valid] = pd.to_datetime(moved) + (ts[valid] - day[valid]).to_numpy()
    return out
