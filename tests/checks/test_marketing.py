"""Exact-value tests of the marketing checks on small hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import DAYS, impact_triple, make_data, table
from hypothesis import given
from hypothesis import strategies as st

from opskit.checks.marketing import (
    attribution_coverage,
    cac_payback,
    code_usage,
    delivery_promise_gap,
    discount_leakage,
    spend_in_period,
)
from opskit.findings import Status
from opskit.registry import CheckData, NotAssessable, run_check


def days(n: int, start: str = "2026-07-01 12:00") -> list[str]:
    """``n`` timestamps on successive days (wrapping inside the period)."""
    first = pd.Timestamp(start)
    return [str(first + pd.Timedelta(days=i % 90)) for i in range(n)]


# -- marketing.discount_leakage --------------------------------------------------------------
def discounted_orders(discounts: list[float], codes: list[str | None] | None = None,
                      customers: list[str] | None = None) -> pd.DataFrame:
    """Orders with a 100.00 subtotal each and the given discounts, codes and customers."""
    n = len(discounts)
    return table("orders", order_id=[f"O{i}" for i in range(n)], ordered_at=days(n),
                 total=[100.0 - d for d in discounts], subtotal=[100.0] * n,
                 discount_total=discounts, discount_code=codes or [None] * n,
                 customer_id=customers or [f"K{i}" for i in range(n)])


def test_discount_leakage_pass_below_eight_percent():
    """Discounts of 50 on 1000 gross (5%) pass; no order is discounted 8%+, no evidence."""
    result = discount_leakage(make_data(orders=discounted_orders([5.0] * 10)))
    assert result.metrics["discount_share"].value == pytest.approx(0.05)
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_discount_leakage_warn_at_eight_percent():
    """Discounts of 11% over 1000 orders (95% bound 9.2%) warn."""
    result = discount_leakage(make_data(orders=discounted_orders([11.0] * 1000)))
    assert result.metrics["discount_share"].value == pytest.approx(0.11)
    assert result.status is Status.WARN


def test_discount_leakage_too_few_orders_is_a_pass_that_says_so():
    """Discounts of 11% on 10 orders: too few orders to judge."""
    result = discount_leakage(make_data(orders=discounted_orders([11.0] * 10)))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 orders (at least 30 needed)"


def test_discount_leakage_fail_at_fifteen_percent():
    """Discounts of 22% over 1000 orders (bound 19.5%) fail; without codes the orders
    discounted 8%+ are listed, deepest first."""
    discounts = ([40.0, 5.0, 35.0] + [20.0] * 7) * 100
    result = discount_leakage(make_data(orders=discounted_orders(discounts)))
    assert result.metrics["discount_share"].value == pytest.approx(0.22)
    assert result.status is Status.FAIL
    assert result.evidence_id == "order_id"
    assert result.evidence["discount"].head(100).eq(40.0).all()
    assert len(result.evidence) == 900


def test_discount_leakage_rebuilds_missing_subtotal():
    """Without a subtotal, gross = total − shipping − tax + discount (10 ÷ 90)."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-02"], total=[90.0],
                   shipping_charged=[5.0], tax=[5.0], discount_total=[10.0])
    result = discount_leakage(make_data(orders=orders))
    assert result.metrics["gross_revenue"].value == pytest.approx(90.0)
    assert result.metrics["discount_share"].value == pytest.approx(10 / 90)


def test_discount_leakage_lists_leaked_and_stacked_codes():
    """Widely shared codes leak when deep (50% off) or closed-audience (VIP); stacked orders
    leak; a shallow public code used as widely does not."""
    codes = ["VIP20", "vip20", "VIP20", "DEEP50", "DEEP50", "DEEP50",
             "WELCOME10", "WELCOME10", "WELCOME10", "A, B", None]
    discounts = [20.0] * 3 + [50.0] * 3 + [10.0] * 3 + [30.0, 0.0]
    customers = [f"K{i}" for i in range(11)]
    orders = discounted_orders(discounts, codes, customers)
    result = discount_leakage(make_data(orders=orders), many_customers=3)
    assert result.metrics["discount_share"].value == pytest.approx(270 / 1100)
    assert result.metrics["leaked_discount"].value == pytest.approx(60 + 150 + 30)
    assert result.evidence["discount_code"].tolist() == ["DEEP50", "VIP20", "A", "B"]
    assert result.evidence["leaked_discount"].tolist() == [150.0, 60.0, 15.0, 15.0]
    assert result.evidence["depth"].tolist() == [0.5, 0.2, 0.3, 0.3]
    assert result.evidence_id == "discount_code"
    assert result.impact.base == pytest.approx(round(240.0 * 365 / DAYS * 0.75, 2))
    assert result.impact.low == pytest.approx(round(240.0 * 365 / DAYS * 0.50, 2))


def test_discount_leakage_few_customers_do_not_make_a_leak():
    """A deep VIP code used by 40 customers (fewer than 50) is no leak; as the share still
    fails, the codes that make it up are listed, marked as no leak found."""
    orders = discounted_orders([60.0] * 40, ["VIP60"] * 40, [f"K{i}" for i in range(40)])
    result = discount_leakage(make_data(orders=orders))
    assert result.metrics["leaked_discount"].value == 0.0
    assert result.status is Status.FAIL
    assert result.evidence["discount_code"].tolist() == ["VIP60"]
    assert result.evidence["leaked_discount"].tolist() == [0.0]


def test_discount_leakage_pass_lists_only_leaked_codes():
    """On PASS a code that leaked nothing is not evidence."""
    orders = discounted_orders([5.0] * 10, ["WELCOME5"] * 10)
    result = discount_leakage(make_data(orders=orders))
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_discount_leakage_without_codes_prices_the_excess():
    """With no codes the leaked amount is the discount above warn × gross (150 − 80)."""
    result = discount_leakage(make_data(orders=discounted_orders([15.0] * 10)))
    assert result.metrics["leaked_discount"].value == pytest.approx(70.0)


def test_discount_leakage_not_assessable_without_orders():
    """No orders table: NOT_ASSESSABLE naming the order export."""
    result = run_check(discount_leakage.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "orders" in result.data_request


# -- marketing.attribution_coverage ----------------------------------------------------------
def sourced_orders(sources: list[str | None]) -> pd.DataFrame:
    n = len(sources)
    return table("orders", order_id=[f"O{i}" for i in range(n)], ordered_at=days(n),
                 total=[float(10 * (i + 1)) for i in range(n)], source=sources)


def test_attribution_pass_at_ninety_percent():
    """9 of 10 orders with a source (90%) pass; the unattributed order is evidence."""
    result = attribution_coverage(make_data(orders=sourced_orders(["google"] * 9 + [None])))
    assert result.metrics["attributed_share"].value == pytest.approx(0.9)
    assert result.status is Status.PASS
    assert result.evidence["order_id"].tolist() == ["O9"]


def test_attribution_warn_below_eighty_percent():
    """350 of 500 (70%, upper bound 73.9%) warns; 'unknown' and '(not set)' count as no
    source; the biggest unattributed orders come first."""
    sources = (["google"] * 7 + ["unknown", "(not set)", None]) * 50
    result = attribution_coverage(make_data(orders=sourced_orders(sources)))
    assert result.metrics["attributed_share"].value == pytest.approx(0.7)
    assert result.status is Status.WARN
    assert result.evidence["order_id"].tolist()[:3] == ["O499", "O498", "O497"]
    assert len(result.evidence) == 150


def test_attribution_fail_below_sixty_percent():
    """50 of 100 (50%, upper bound 59.7%) fails."""
    result = attribution_coverage(make_data(orders=sourced_orders(["meta"] * 50 + [None] * 50)))
    assert result.metrics["attributed_share"].value == pytest.approx(0.5)
    assert result.status is Status.FAIL


def test_attribution_exactly_eighty_percent_passes():
    """The down direction warns only strictly below warn: 80% passes."""
    result = attribution_coverage(make_data(orders=sourced_orders(["google"] * 8 + [None] * 2)))
    assert result.status is Status.PASS


def test_attribution_falls_back_to_leads_without_orders():
    """No orders: the period's leads are judged (1 of 2 with a source = 50%)."""
    leads = table("leads", lead_id=["L1", "L2", "L3"],
                  created_at=["2026-07-02", "2026-07-03", "2026-06-01"],
                  source=["webinar", None, None])
    result = attribution_coverage(make_data(leads=leads))
    assert result.metrics["attributed_share"].value == pytest.approx(0.5)
    assert result.evidence_id == "lead_id"
    assert result.evidence["lead_id"].tolist() == ["L2"]


def test_attribution_impact_prices_blind_spend():
    """Blind spend = unnamed channel spend + named channel spend × unattributed share."""
    orders = sourced_orders(["Google"] * 7 + [None] * 3)
    spend = table("marketing_spend", month=["2026-07-01", "2026-08-01"],
                  channel=["google", "meta"], spend=[1000.0, 500.0])
    result = attribution_coverage(make_data(orders=orders, marketing_spend=spend))
    blind = 500.0 + 1000.0 * 0.3
    assert result.metrics["blind_spend"].value == pytest.approx(blind)
    assert result.impact.base == pytest.approx(round(blind * 365 / DAYS * 0.10, 2))
    assert result.impact.high == pytest.approx(round(blind * 365 / DAYS * 0.20, 2))


def test_attribution_not_assessable_without_orders_or_leads():
    """Neither orders nor leads: NOT_ASSESSABLE asking for either."""
    with pytest.raises(NotAssessable, match="orders"):
        attribution_coverage(make_data())


def test_attribution_not_assessable_when_orders_have_no_source_column():
    """Orders exported without a source column cannot show attribution."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-02"], total=[10.0])
    result = run_check(attribution_coverage.spec, make_data(orders=orders))
    assert result.status is Status.NOT_ASSESSABLE
    assert "source" in result.data_request


# -- marketing.cac_payback -------------------------------------------------------------------
def payback_data(contributions: dict[str, float], spend: dict[str, float],
                 start: str = "2026-07-01", end: str = "2026-09-30", copies: int = 1
                 ) -> CheckData:
    """New customers, one first order each, whose contribution is price − cost of one unit;
    ``copies`` customers per source share its contribution.

    Customer K0 is a returning customer (first order in June) and must be ignored.
    """
    sources = [source for source in contributions for _ in range(copies)]
    contributions = {s: c / copies for s, c in contributions.items()}
    n = len(sources)
    order_ids = [*(f"O{i}" for i in range(n)), "OLD", "REPEAT"]
    orders = table("orders", order_id=order_ids,
                   ordered_at=[*days(n, "2026-07-20 10:00"), "2026-06-01", "2026-07-20"],
                   total=[0.0] * (n + 2),
                   customer_id=[*(f"K{i + 1}" for i in range(n)), "K0", "K0"],
                   source=[*sources, "google", "google"])
    lines = table("order_lines", order_id=order_ids,
                  sku=["SKU"] * (n + 2),
                  quantity=[1.0] * (n + 2),
                  unit_price=[100.0 + contributions[s] for s in sources] + [999.0, 999.0])
    products = table("products", sku=["SKU"], unit_cost=[100.0])
    marketing = table("marketing_spend", month=["2026-07-01"] * len(spend),
                      channel=list(spend), spend=list(spend.values()))
    return make_data(start, end, orders=orders, order_lines=lines, products=products,
                     marketing_spend=marketing)


def test_cac_payback_pass_above_one_and_a_half():
    """Contribution 2000 on spend 1000: ratio 2.0, PASS, no channel in evidence."""
    result = cac_payback(payback_data({"google": 2000.0}, {"google": 1000.0}))
    assert result.metrics["payback_ratio"].value == pytest.approx(2.0)
    assert result.metrics["new_customers"].value == 1
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_cac_payback_warn_between_one_and_one_and_a_half():
    """Contribution 1200 of 20 new customers on spend 1000: ratio 1.2 warns; google is
    listed."""
    result = cac_payback(payback_data({"google": 1200.0}, {"google": 1000.0}, copies=20))
    assert result.metrics["payback_ratio"].value == pytest.approx(1.2)
    assert result.status is Status.WARN
    assert result.evidence["channel"].tolist() == ["google"]
    assert result.impact.base == 0.0


def test_cac_payback_fail_below_one_with_channel_at_risk():
    """Google pays 1.5×, meta 0.25×: (1500 + 250) ÷ 2000 = 0.875 fails; meta is at risk."""
    result = cac_payback(payback_data({"google": 1500.0, "Meta": 250.0},
                                      {"google": 1000.0, "meta": 1000.0}, copies=10))
    assert result.metrics["payback_ratio"].value == pytest.approx(0.875)
    assert result.status is Status.FAIL
    assert result.evidence["channel"].tolist() == ["meta"]
    at_risk = round(1000.0 * (1 - 0.25) * 365 / DAYS, 2)
    assert impact_triple(result) == (at_risk,) * 3
    assert result.impact.in_total is False


def test_cac_payback_too_few_new_customers_is_a_pass_that_says_so():
    """One new customer paying back 1.2×: too few new customers to judge."""
    result = cac_payback(payback_data({"google": 1200.0}, {"google": 1000.0}))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 1 new customers (at least 20 needed)"


def test_cac_payback_contribution_counts_discount_and_shipping():
    """Contribution = lines − discount − COGS − shipping cost + shipping charged."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-05"], total=[0.0],
                   customer_id=["K1"], source=["google"], discount_total=[10.0],
                   shipping_charged=[5.0])
    lines = table("order_lines", order_id=["O1"], sku=["A"], quantity=[2.0],
                  unit_price=[100.0], line_discount=[20.0])
    products = table("products", sku=["A"], unit_cost=[40.0])
    shipments = table("shipments", order_id=["O1"], shipped_at=["2026-07-06"],
                      shipping_cost=[15.0])
    spend = table("marketing_spend", month=["2026-07-01"], channel=["google"], spend=[100.0])
    result = cac_payback(make_data(orders=orders, order_lines=lines, products=products,
                                   shipments=shipments, marketing_spend=spend))
    assert result.metrics["first_order_contribution"].value == pytest.approx(
        200 - 20 - 10 - 80 - 15 + 5)
    assert result.metrics["payback_ratio"].value == pytest.approx(0.8)


def test_spend_in_period_prorates_partial_months():
    """A month only half inside the period counts half its spend."""
    spend = table("marketing_spend", month=["2026-07-01", "2026-08-01", "2026-09-01"],
                  channel=["google"] * 3, spend=[3100.0, 3100.0, 3000.0])
    frame = spend_in_period(make_data("2026-07-17", "2026-08-31", marketing_spend=spend))
    assert frame["spend"].tolist() == [pytest.approx(1500.0 + 3100.0)]


def test_cac_payback_not_assessable_without_spend_in_period():
    """Spend only outside the period: NOT_ASSESSABLE asking for spend covering it."""
    checkdata = payback_data({"google": 100.0}, {"google": 1000.0}, "2026-08-01",
                             "2026-08-31")
    result = run_check(cac_payback.spec, checkdata)
    assert result.status is Status.NOT_ASSESSABLE
    assert "marketing_spend" in result.data_request


def test_cac_payback_not_assessable_without_marketing_spend():
    """No marketing spend table: NOT_ASSESSABLE naming it."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-05"], total=[1.0],
                   customer_id=["K1"])
    result = run_check(cac_payback.spec, make_data(orders=orders))
    assert result.status is Status.NOT_ASSESSABLE
    assert "marketing_spend" in result.data_request


# -- marketing.delivery_promise_gap ----------------------------------------------------------
def promised(late: int, on_time: int, **extra: list) -> CheckData:
    """Orders promised for the 10th of July; ``late`` are delivered on the 11th."""
    n = late + on_time
    orders = table("orders", order_id=[f"O{i}" for i in range(n)],
                   ordered_at=["2026-07-05 10:00"] * n, total=[1.0] * n,
                   promised_delivery_by=["2026-07-10 18:00"] * n,
                   channel=["web"] * n)
    delivered = ["2026-07-11 12:00"] * late + ["2026-07-09 12:00"] * on_time
    shipments = table("shipments", order_id=[f"O{i}" for i in range(n)],
                      shipped_at=["2026-07-06 10:00"] * n, delivered_at=delivered)
    return make_data(orders=orders, shipments=shipments)


def test_delivery_promise_gap_pass_when_promises_kept():
    """Every order delivered before its promise: 0%, PASS."""
    result = delivery_promise_gap(promised(0, 20))
    assert result.metrics["broken_promise_rate"].value == 0.0
    assert result.status is Status.PASS
    assert result.impact.in_total is False


def test_delivery_promise_gap_warn_at_five_percent():
    """100 of 1000 delivered late (10%, bound 8.3%) warns; the late orders are the evidence."""
    result = delivery_promise_gap(promised(100, 900))
    assert result.metrics["broken_promise_rate"].value == pytest.approx(0.1)
    assert result.status is Status.WARN
    assert sorted(result.evidence["order_id"]) == sorted(f"O{i}" for i in range(100))
    assert result.evidence["days_late"].unique().tolist() == [0.8]


def test_delivery_promise_gap_too_few_is_a_pass_that_says_so():
    """2 of 10 delivered late: too few delivered promises to judge."""
    result = delivery_promise_gap(promised(2, 8))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 delivered promises (at least 30 needed)"


def test_delivery_promise_gap_fail_at_ten_percent():
    """300 of 1000 delivered late (30%, bound 27.2%) fails."""
    result = delivery_promise_gap(promised(300, 700))
    assert result.metrics["broken_promise_rate"].value == pytest.approx(0.3)
    assert result.status is Status.FAIL
    assert result.details["by_segment"]["broken"].tolist() == [300]


def test_delivery_promise_gap_uses_first_shipment_and_skips_undelivered():
    """The first parcel decides; orders without a promise or a delivery are left out."""
    orders = table("orders", order_id=["O1", "O2", "O3"], ordered_at=["2026-07-05"] * 3,
                   total=[1.0] * 3,
                   promised_delivery_by=["2026-07-10", "2026-07-10", None])
    shipments = table("shipments", order_id=["O1", "O1", "O2", "O3"],
                      shipped_at=["2026-07-06", "2026-07-12", "2026-07-06", "2026-07-06"],
                      delivered_at=["2026-07-09", "2026-07-14", None, "2026-07-20"])
    result = delivery_promise_gap(make_data(orders=orders, shipments=shipments))
    assert result.metrics["promised_orders"].value == 1
    assert result.metrics["broken_promise_rate"].value == 0.0


def test_delivery_promise_gap_not_assessable_without_promise_column():
    """Orders without promised_delivery_by: NOT_ASSESSABLE asking for it."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-05"], total=[1.0])
    shipments = table("shipments", order_id=["O1"], shipped_at=["2026-07-06"],
                      delivered_at=["2026-07-08"])
    result = run_check(delivery_promise_gap.spec, make_data(orders=orders, shipments=shipments))
    assert result.status is Status.NOT_ASSESSABLE
    assert "promised_delivery_by" in result.data_request


def test_delivery_promise_gap_not_assessable_when_nothing_delivered():
    """Promises but no delivered first shipment in the period: NOT_ASSESSABLE."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-05"], total=[1.0],
                   promised_delivery_by=["2026-07-10"])
    shipments = table("shipments", order_id=["O1"], shipped_at=["2026-07-06"],
                      delivered_at=[None])
    with pytest.raises(NotAssessable):
        delivery_promise_gap(make_data(orders=orders, shipments=shipments))


# -- cause charts ----------------------------------------------------------------------------
def test_discount_leakage_chart_is_customers_per_code_against_the_mark():
    """Five codes by discount $: DEEP50 and VIP20 shared beyond their audience, A and B
    leaked by stacking, WELCOME10 within its purpose; each bar is the code's distinct
    customers against the 3-customer mark."""
    codes = ["VIP20", "vip20", "VIP20", "DEEP50", "DEEP50", "DEEP50",
             "WELCOME10", "WELCOME10", "WELCOME10", "A, B", None]
    discounts = [20.0] * 3 + [50.0] * 3 + [10.0] * 3 + [30.0, 0.0]
    orders = discounted_orders(discounts, codes, [f"K{i}" for i in range(11)])
    chart = discount_leakage(make_data(orders=orders), many_customers=3).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("bars", "discount_code",
                                                            "customers", "verdict")
    assert chart.data.values.tolist() == [
        ["DEEP50", 3, 150.0, "shared beyond its audience"],
        ["VIP20", 3, 60.0, "shared beyond its audience"],
        ["WELCOME10", 3, 30.0, "within its purpose"],
        ["A", 1, 15.0, "stacked with other codes"], ["B", 1, 15.0, "stacked with other codes"]]
    assert chart.marks == ((3.0, "3 customers: too many for a deep or closed-audience code"),)
    assert chart.note == "DEEP50 gave $150 away: used by 3 customers, 40%+ off."


def test_discount_leakage_chart_with_one_code_is_orders_by_depth_band():
    """One code (VIP60 on 40 orders) is not drawn as one bar: orders by discount band (all
    40 at 60%, in "15.0% or more"), the bands the 8% and 15% thresholds draw."""
    orders = discounted_orders([60.0] * 40, ["VIP60"] * 40, [f"K{i}" for i in range(40)])
    chart = discount_leakage(make_data(orders=orders)).chart
    assert (chart.kind, chart.x, chart.y) == ("bars", "discount_band", "orders")
    assert chart.data.values.tolist() == [["no discount", 0], ["under 8.0%", 0],
                                          ["8.0% to 15.0%", 0], ["15.0% or more", 40]]
    assert chart.note == "40 of 40 orders were discounted by 8.0% or more of their gross (100.0%)."


def test_attribution_chart_stacks_orders_by_month_without_channels():
    """50 sourced and 50 unsourced orders over the period's days: per month, known and no
    source; September's 28 orders all lack one."""
    result = attribution_coverage(make_data(orders=sourced_orders(["meta"] * 50 + [None] * 50)))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "month", "orders",
                                                            "source")
    assert [(m.strftime("%Y-%m"), s, n) for m, s, n in chart.data.values.tolist()] == [
        ("2026-07", "known source", 31), ("2026-07", "no source", 10),
        ("2026-08", "known source", 19), ("2026-08", "no source", 12),
        ("2026-09", "known source", 0), ("2026-09", "no source", 28)]
    assert chart.note == ("50 of 100 orders have no source (50.0%); the most in 2026-09 "
                          "(28 of 28).")


def test_attribution_chart_stacks_orders_by_channel():
    """Six web orders with a source, four phone orders without: the blind spot is phone."""
    orders = sourced_orders(["google"] * 6 + [None] * 4).assign(
        channel=pd.Series(["web"] * 6 + ["phone"] * 4, dtype="str"))
    chart = attribution_coverage(make_data(orders=orders)).chart
    assert chart.x == "channel"
    assert chart.data.values.tolist() == [
        ["web", "known source", 6], ["web", "no source", 0],
        ["phone", "known source", 0], ["phone", "no source", 4]]
    assert chart.note == "4 of 10 orders have no source (40.0%); the most in phone (4 of 4)."


def test_cac_payback_chart_sets_spend_against_first_order_contribution():
    """Google spent 1000 for 1500 of contribution, meta 1000 for 250: grouped bars per
    channel, and meta named as the channel that pays back least."""
    result = cac_payback(payback_data({"google": 1500.0, "Meta": 250.0},
                                      {"google": 1000.0, "meta": 1000.0}, copies=10))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series, chart.y_unit) == (
        "bars", "channel", "amount", "measure", "$")
    assert chart.data.values.tolist() == [
        ["google", "spend", 1000.0], ["google", "first-order contribution", 1500.0],
        ["meta", "spend", 1000.0], ["meta", "first-order contribution", 250.0]]
    assert chart.note == ("meta bought $250 of first-order contribution with $1,000 of spend "
                          "(payback 0.25x); all channels 0.88x.")


def test_delivery_promise_gap_chart_one_channel_is_days_after_the_promise():
    """One channel: the distribution of days after the promise, 2 orders 0.8 days late and
    8 delivered 1.2 days early, with the promised date at 0."""
    chart = delivery_promise_gap(promised(2, 8)).chart
    assert (chart.kind, chart.x, chart.x_unit) == ("histogram", "days_after_promise", "days")
    assert chart.data["days_after_promise"].tolist() == [-1.2] * 8 + [0.8] * 2
    assert chart.marks == ((0.0, "promised date"),)
    assert chart.note == "2 of 10 delivered orders arrived after the promised date (20.0%)."


def test_delivery_promise_gap_chart_by_channel_with_intervals():
    """Web breaks 10 of 50 promises, phone 30 of 50: rates per channel with Wilson bounds."""
    n = 100
    orders = table("orders", order_id=[f"O{i}" for i in range(n)],
                   ordered_at=["2026-07-05 10:00"] * n, total=[1.0] * n,
                   promised_delivery_by=["2026-07-10 18:00"] * n,
                   channel=["web"] * 50 + ["phone"] * 50)
    late = set(range(10)) | set(range(50, 80))
    shipments = table("shipments", order_id=[f"O{i}" for i in range(n)],
                      shipped_at=["2026-07-06 10:00"] * n,
                      delivered_at=["2026-07-11 12:00" if i in late else "2026-07-09 12:00"
                                    for i in range(n)])
    chart = delivery_promise_gap(make_data(orders=orders, shipments=shipments)).chart
    assert (chart.kind, chart.x, chart.y, chart.low, chart.high) == (
        "bars", "channel", "broken_promise_rate", "low", "high")
    assert chart.data.values.tolist() == [["phone", 50, 30, 0.6, 0.4618, 0.7239],
                                          ["web", 50, 10, 0.2, 0.1124, 0.3304]]
    assert chart.marks == ((0.05, "warn 5.0%"), (0.1, "fail 10.0%"))
    assert chart.note == ("phone breaks its promise most: 30 of 50 orders delivered late "
                          "(60.0%, 95% interval 46.2% to 72.4%).")


def code_usage_row_by_row(orders: pd.DataFrame, discount: pd.Series, gross: pd.Series
                          ) -> pd.DataFrame:
    """code_usage as it was first written: every order's code string split and exploded."""
    used = orders[orders["discount_code"].notna()]
    rows = pd.DataFrame({
        "order_id": used["order_id"], "ordered_at": used["ordered_at"],
        "customer": used["customer_id"].fillna("order " + used["order_id"]),
        "order_discount": discount[used.index], "order_gross": gross[used.index],
        "discount_code": used["discount_code"].str.split(","),
    }).explode("discount_code")
    rows["discount_code"] = rows["discount_code"].str.strip().str.upper()
    rows = rows[rows["discount_code"].fillna("").str.len() > 0]
    codes_on_order = rows.groupby("order_id")["discount_code"].transform("nunique")
    return rows.assign(stacked=codes_on_order > 1,
                       code_discount=rows["order_discount"] / codes_on_order,
                       code_gross=rows["order_gross"] / codes_on_order)


CODE_TEXT = st.one_of(st.none(), st.sampled_from(
    ["VIP25", " vip25", "a, b", "", ",", "x,,ß ", "WELCOME15", "Friends60 ,welcome15", " "]))


@given(st.lists(st.tuples(CODE_TEXT, st.integers(0, 5), st.sampled_from(["C1", "C2", None])),
                max_size=14), st.randoms())
def test_codes_split_once_per_distinct_string_as_row_by_row(orders, random):
    """Splitting each distinct code string once gives the rows, order, index, values and
    dtypes of splitting every order's string: stacked, spaced, empty, lower-case codes."""
    size = len(orders)
    frame = pd.DataFrame({
        "order_id": pd.Series([f"O{o}" for _, o, _ in orders], dtype="str"),
        "ordered_at": pd.date_range("2026-07-01", periods=size, freq="h"),
        "customer_id": pd.Series([c for _, _, c in orders], dtype="str"),
        "discount_code": pd.Series([code for code, _, _ in orders], dtype="str"),
    }, index=random.sample(range(100), size))
    discount = pd.Series(np.arange(size, dtype=float), index=frame.index)
    gross = discount * 3 + 1
    pd.testing.assert_frame_equal(code_usage(frame, discount, gross),
                                  code_usage_row_by_row(frame, discount, gross))
