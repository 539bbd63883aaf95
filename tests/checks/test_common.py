"""The semantics every check shares: population, judging with the noise in view, money, overlap."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import make_data

from opskit.assumptions import resolve
from opskit.checks._common import (
    annual_revenue,
    average_order_value,
    excluded_orders,
    gross_margin,
    judge_lift,
    judge_rate,
    lift_interval,
    period_lines,
    period_orders,
    population_words,
    status_class,
    wilson_interval,
)
from opskit.findings import Diagnosis, Impact, Result, Status
from opskit.money import money, using_currency
from opskit.registry import CheckData


def orders_and_lines() -> CheckData:
    """Four orders in the period: two live, one cancelled, one test; one line each."""
    orders = [
        {"order_id": "A", "ordered_at": "2026-07-02 10:00", "total": 110.0, "status": "paid",
         "discount_total": 20.0, "tax": 0.0, "shipping_charged": 10.0},
        {"order_id": "B", "ordered_at": "2026-07-03 10:00", "total": 100.0,
         "status": "Partially refunded", "discount_total": 0.0, "tax": 0.0,
         "shipping_charged": 0.0},
        {"order_id": "C", "ordered_at": "2026-07-04 10:00", "total": 500.0,
         "status": "wc-cancelled", "discount_total": 0.0, "tax": 0.0, "shipping_charged": 0.0},
        {"order_id": "D", "ordered_at": "2026-07-05 10:00", "total": 50.0, "status": "Test order",
         "discount_total": 0.0, "tax": 0.0, "shipping_charged": 0.0},
    ]
    lines = [{"order_id": o, "sku": s, "quantity": 1.0, "unit_price": p}
             for o, s, p in (("A", "S1", 120.0), ("B", "S2", 100.0), ("C", "S1", 500.0),
                             ("D", "S2", 50.0))]
    products = [{"sku": "S1", "unit_cost": 60.0}, {"sku": "S2", "unit_cost": 50.0}]
    return make_data(orders=orders, order_lines=lines, products=products)


def test_status_classes_read_vendor_spellings():
    """Cancelled, voided, refunded, test and draft in vendor spellings are not live."""
    statuses = pd.Series(["Cancelled", "canceled", "wc-cancelled", "voided", "refunded",
                          "Partially refunded", "Test order", "draft", "paid", None, "on-hold"])
    assert status_class(statuses).tolist() == [
        "cancelled", "cancelled", "cancelled", "cancelled", "refunded", "live", "test",
        "draft", "live", "live", "live"]


def test_period_orders_are_the_live_ones():
    """Only live orders of the period are counted; the others are counted apart, in words."""
    data = orders_and_lines()
    assert period_orders(data)["order_id"].tolist() == ["A", "B"]
    assert period_lines(data)["order_id"].tolist() == ["A", "B"]
    assert excluded_orders(data) == {"cancelled": 1, "test": 1}
    assert population_words(data) == "1 cancelled and 1 test orders left out (not live)"
    assert average_order_value(data) == 105.0


def test_gross_margin_is_net_of_order_discounts():
    """The order-level discount reduces revenue: (220 − 20 − 110) ÷ (220 − 20) = 45%."""
    assert gross_margin(orders_and_lines()) == pytest.approx(0.45)


def test_explicit_assumptions_win_over_the_data():
    """gross_margin and average_order_value set in engagement.yaml replace the data's."""
    data = orders_and_lines()
    explicit = CheckData(data.tables, data.period,
                         resolve({"gross_margin": 0.3, "average_order_value": 80}))
    assert (gross_margin(explicit), average_order_value(explicit)) == (0.3, 80.0)


def test_annual_revenue_is_live_totals_net_of_tax_and_shipping():
    """(110 − 10) + 100 over 92 days, a year: 200 × 365 / 92."""
    assert annual_revenue(orders_and_lines()) == pytest.approx(200 * 365 / 92)


def test_wilson_interval_matches_the_textbook():
    """Wilson 95% for 0 of 10 is [0, 27.8%] and for 5 of 10 [23.7%, 76.3%]."""
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson_interval(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)


def test_judge_rate_needs_the_bound_to_cross():
    """10 of 100 (10%) against 4% / 8%: the lower bound 5.5% warns, it does not fail."""
    status, why = judge_rate(10, 100, 0.04, 0.08, min_evidence=30, noun="orders")
    assert status is Status.WARN
    assert why == ("judged on the bound: 10 of 100 orders (10.0%); the 95% interval 5.5% to "
                   "17.4% does not rule out 8.0%")
    assert judge_rate(300, 1000, 0.04, 0.08, min_evidence=30) == (Status.FAIL, "")


def test_judge_rate_too_few_is_a_pass_that_says_so():
    """Below the minimum evidence, or a point past warn whose bound is not, is PASS + why."""
    assert judge_rate(3, 10, 0.04, 0.08, min_evidence=30, noun="orders") == (
        Status.PASS, "too few to judge: 10 orders (at least 30 needed)")
    status, why = judge_rate(3, 50, 0.04, 0.08, min_evidence=30, noun="orders")
    assert status is Status.PASS and why.startswith("too few to judge: 3 of 50 orders (6.0%)")
    assert judge_rate(1, 100, 0.04, 0.08, min_evidence=30) == (Status.PASS, "")


def test_judge_rate_lower_is_worse_uses_the_upper_bound():
    """A coverage of 50 of 100 against 80% / 60%: the upper bound 59.7% fails."""
    assert judge_rate(50, 100, 0.8, 0.6, min_evidence=30, higher_is_worse=False)[0] is (
        Status.FAIL)


def test_lift_from_four_late_orders_is_noise():
    """4 of 20 defective orders late against 10 of 1000 clean: lift 20x, but 4 < 10 needed."""
    lift, low, _high = lift_interval(4, 20, 10, 1000)
    assert lift == pytest.approx(20.0)
    assert low == pytest.approx(6.848, abs=0.001)  # exp(ln 20 − 1.96 × √0.299)
    assert judge_lift(4, 20, 10, 1000, 1.5, 2.5, min_evidence=10, noun="late defective orders"
                      ) == (Status.PASS, "too few to judge: 4 late defective orders (at least "
                                         "10 needed)")
    assert judge_lift(40, 200, 100, 10000, 1.5, 2.5, min_evidence=10)[0] is Status.FAIL


def finding(check_id: str, base: float, records: dict[str, float] | None) -> Result:
    series = None if records is None else pd.Series(records, name="order_id")
    return Result(status=Status.FAIL, impact=Impact(base / 2, base, base * 2, records=series),
                  check_id=check_id)


def test_overlapping_findings_count_each_order_once():
    """Shared orders enter the total once, at the larger claim; the smaller finding gives
    up the overlap to the one that carries it."""
    leakage = finding("marketing.discount_leakage", 100.0, {"A": 30.0, "B": 50.0, "C": 20.0})
    negative = finding("margin.negative_margin_orders", 40.0, {"A": 20.0, "D": 20.0})
    subsidy = finding("fulfillment.shipping_cost_recovery", 10.0, None)
    diagnosis = Diagnosis("Co", ("2026-07-01", "2026-09-30"), [negative, leakage, subsidy],
                          annual_revenue=1000.0)
    assert diagnosis.overlaps() == {"margin.negative_margin_orders":
                                    {"marketing.discount_leakage": 20.0}}
    assert diagnosis.carried(negative) == (10.0, 20.0, 40.0)
    assert diagnosis.total_impact() == {"low": 65.0, "base": 130.0, "high": 260.0}
    assert diagnosis.total_share_of_revenue() == pytest.approx(0.13)
    assert diagnosis.to_dict()["overlaps"] == diagnosis.overlaps()


def test_money_prints_the_engagement_currency():
    """Amounts print with the engagement's symbol and minor unit; unknown codes as the code."""
    assert money(1234.5) == "$1,234"
    with using_currency("EUR"):
        assert money(-12.5, 2) == "-€12.50"
    with using_currency("JPY"):
        assert money(1234.56, 2) == "¥1,235"
    assert money(99, code="XYZ") == "XYZ 99"
