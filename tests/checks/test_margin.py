"""Exact-value tests of the margin checks on small hand-built tables."""

from __future__ import annotations

import pytest
from builders import DAYS, impact_triple, make_data

from opskit.checks.margin import (
    books_vs_computed_cogs,
    missing_cogs,
    negative_margin_orders,
    stale_unit_cost,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check


def order(order_id: str, ordered_at: str = "2026-08-01 10:00", **extra) -> dict:
    return {"order_id": order_id, "ordered_at": ordered_at, "total": 0.0, **extra}


def line(order_id: str, sku: str, quantity: float, unit_price: float, **extra) -> dict:
    return {"order_id": order_id, "sku": sku, "quantity": quantity, "unit_price": unit_price,
            **extra}


def product(sku: str, unit_cost: float | None, **extra) -> dict:
    return {"sku": sku, "unit_cost": unit_cost, **extra}


def one_sale(**tables: list[dict]) -> CheckData:
    """One costed sale in the period (SKU A, 1 × 10.00, cost 1.00) plus ``tables``: the base
    of the not-assessable cases that differ only in the ledger or the purchase orders."""
    return make_data(orders=[order("1")], order_lines=[line("1", "A", 1, 10.0)],
                     products=[product("A", 1.0)], **tables)


# -- margin.missing_cogs ----------------------------------------------------------------

def uncosted_sales(uncosted_revenue: float) -> CheckData:
    """1000 of revenue, ``uncosted_revenue`` of it on SKU B whose cost is empty."""
    return make_data(
        orders=[order("1"), order("2")],
        order_lines=[line("1", "A", 1, 1000 - uncosted_revenue), line("2", "B", 1,
                                                                       uncosted_revenue)],
        products=[product("A", 5.0), product("B", None)])


def test_missing_cogs_pass_below_warn():
    """1% of revenue on a SKU with an empty cost passes."""
    result = missing_cogs(uncosted_sales(10.0))
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.01, abs=1e-12)
    assert result.status is Status.PASS


def test_missing_cogs_warn_at_two_percent():
    """Exactly 2% of revenue without a cost warns (>= warn is WARN)."""
    result = missing_cogs(uncosted_sales(20.0))
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.02, abs=1e-12)
    assert result.status is Status.WARN


def test_missing_cogs_fail_counts_every_kind_of_missing_cost():
    """Empty, zero, a one-cent placeholder and a SKU absent from products all count."""
    data = make_data(
        orders=[order("1"), order("2"), order("old", "2026-06-30 23:00")],
        order_lines=[line("1", "A", 9, 100.0), line("1", "NULL", 1, 40.0),
                     line("2", "ZERO", 2, 15.0), line("2", "CENT", 1, 20.0),
                     line("2", "GONE", 1, 15.0, line_discount=5.0),
                     line("old", "NULL", 100, 100.0)],
        products=[product("A", 50.0), product("NULL", None), product("ZERO", 0.0),
                  product("CENT", 0.01)])
    result = missing_cogs(data)
    # Uncosted: 40 + 30 + 20 + (15 - 5) = 100 of 900 + 100 = 1000; the June order is outside.
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.10, abs=1e-12)
    assert result.metrics["uncosted_revenue"].value == pytest.approx(100.0)
    assert result.status is Status.FAIL
    evidence = result.evidence
    assert list(evidence.columns[:2]) == ["sku", "reason"] and result.evidence_id == "sku"
    assert evidence["sku"].tolist() == ["NULL", "ZERO", "CENT", "GONE"]
    assert evidence["reason"].tolist() == ["no unit cost", "unit cost is zero",
                                           "placeholder unit cost", "SKU not in products"]


def test_missing_cogs_real_cost_in_any_system_counts_as_costed():
    """A SKU kept in two systems is costed when one record carries a real cost."""
    data = make_data(
        orders=[order("1")], order_lines=[line("1", "A", 1, 100.0)],
        products=[product("A", None, system="shopify"), product("A", 12.0, system="erp")])
    result = missing_cogs(data)
    assert result.metrics["missing_cost_share"].value == 0.0
    assert result.status is Status.PASS and len(result.evidence) == 0


def test_missing_cogs_empty_cost_column_is_the_finding():
    """A unit cost column that is present but empty means 100% of revenue has no cost."""
    data = make_data(orders=[order("1")], order_lines=[line("1", "A", 1, 100.0)],
                     products=[product("A", None)])
    result = run_check(missing_cogs.spec, data)
    assert result.status is Status.FAIL
    assert result.metrics["missing_cost_share"].value == 1.0


def test_missing_cogs_impact_prices_uncosted_revenue_a_year():
    """Impact = uncosted revenue × 365 / days × 0.5% / 1% / 2%."""
    result = missing_cogs(uncosted_sales(50.0))
    yearly = 50.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly * 0.005, 2), round(yearly * 0.01, 2), round(yearly * 0.02, 2)))


def test_missing_cogs_not_assessable_without_products():
    """No product master: the check asks for it instead of calling every SKU uncosted."""
    data = make_data(orders=[order("1")], order_lines=[line("1", "A", 1, 100.0)])
    result = run_check(missing_cogs.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "products" in result.data_request


def test_missing_cogs_not_assessable_without_cost_column():
    """A products export without a unit cost column cannot answer."""
    data = make_data(orders=[order("1")], order_lines=[line("1", "A", 1, 100.0)],
                     products=[{"sku": "A", "name": "Mug"}])
    result = run_check(missing_cogs.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "unit cost" in result.data_request


def test_missing_cogs_not_assessable_without_sales_in_period():
    """Orders only outside the period: nothing to measure, so not assessable."""
    data = make_data(orders=[order("1", "2026-05-01")], order_lines=[line("1", "A", 1, 10.0)],
                     products=[product("A", 1.0)])
    result = run_check(missing_cogs.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "2026-07-01 to 2026-09-30" in result.data_request


# -- margin.stale_unit_cost -------------------------------------------------------------

def receipt(po_id: str, sku: str, received_at: str, quantity: float, unit_cost: float,
            **extra) -> dict:
    return {"po_id": po_id, "sku": sku, "received_at": received_at, "quantity": quantity,
            "unit_cost": unit_cost, **extra}


def stale_data(stale_revenue: float, b_cost: float = 10.0) -> CheckData:
    """A (within 10% of landed) and B (cost b_cost vs landed 12) share 1000 of revenue.

    C sells 5000 but has no purchase order, so it stays out of the denominator.
    """
    return make_data(
        orders=[order("1"), order("2"), order("3")],
        order_lines=[line("1", "A", 10, (1000 - stale_revenue) / 10),
                     line("2", "B", 10, stale_revenue / 10), line("3", "C", 1, 5000.0)],
        products=[product("A", 10.0), product("B", b_cost), product("C", 1.0)],
        purchase_orders=[
            receipt("P1", "A", "2026-06-01", 100, 10.0, freight=50.0, duty=50.0),
            receipt("P0", "B", "2026-05-01", 10, 10.0),
            receipt("P2", "B", "2026-07-15", 10, 12.0),
            receipt("P9", "B", "2026-10-05", 10, 10.0)])


def test_stale_unit_cost_pass_below_warn():
    """5% of PO-backed revenue on a stale cost passes."""
    result = stale_unit_cost(stale_data(50.0))
    assert result.metrics["stale_share"].value == pytest.approx(0.05, abs=1e-12)
    assert result.status is Status.PASS


def test_stale_unit_cost_warn_uses_latest_receipt_with_freight_and_duty():
    """A at 10 vs landed 11 (freight and duty) is fresh; B at 10 vs latest 12 is stale."""
    result = stale_unit_cost(stale_data(100.0))
    assert result.metrics["stale_share"].value == pytest.approx(0.10, abs=1e-12)
    assert result.status is Status.WARN
    evidence = result.evidence
    assert evidence["sku"].tolist() == ["B"] and result.evidence_id == "sku"
    assert evidence.loc[0, "landed_cost"] == pytest.approx(12.0)
    assert evidence.loc[0, "po_id"] == "P2"
    assert evidence.loc[0, "cost_gap"] == pytest.approx(20.0)


def test_stale_unit_cost_fail():
    """30% of PO-backed revenue on a stale cost fails."""
    result = stale_unit_cost(stale_data(300.0))
    assert result.metrics["stale_share"].value == pytest.approx(0.30, abs=1e-12)
    assert result.status is Status.FAIL


def test_stale_unit_cost_tolerance_is_strict():
    """A cost exactly 10% away from landed is not stale (differs by more than 10% is)."""
    result = stale_unit_cost(stale_data(300.0, b_cost=10.8))
    assert result.metrics["stale_share"].value == 0.0
    assert result.status is Status.PASS


def test_stale_unit_cost_leaves_placeholder_costs_to_missing_cogs():
    """A one-cent cost is missing, not stale: margin.missing_cogs counts it."""
    result = stale_unit_cost(stale_data(300.0, b_cost=0.01))
    assert result.metrics["stale_share"].value == 0.0


def test_stale_unit_cost_impact_is_units_times_cost_gap():
    """Impact = units × |landed − cost| a year, ±30% for low / high."""
    result = stale_unit_cost(stale_data(100.0))
    yearly = 10 * 2.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly * 0.7, 2), round(yearly, 2), round(yearly * 1.3, 2)))


def test_stale_unit_cost_not_assessable_without_purchase_orders():
    """Without purchase orders there is no landed cost to compare with."""
    data = one_sale()
    result = run_check(stale_unit_cost.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "purchase_orders" in result.data_request


def test_stale_unit_cost_not_assessable_when_no_sold_sku_has_a_receipt():
    """Receipts only for SKUs not sold in the period: not assessable."""
    data = one_sale(purchase_orders=[receipt("P1", "Z", "2026-06-01", 1, 1.0)])
    assert run_check(stale_unit_cost.spec, data).status is Status.NOT_ASSESSABLE


# -- margin.negative_margin_orders ------------------------------------------------------

def orders_with_losses(n_orders: int, n_negative: int) -> CheckData:
    """Orders of one unit at 100 costing 40; the first ``n_negative`` carry a 70 discount."""
    orders = [order(f"{i}", discount_total=70.0 if i < n_negative else 0.0)
              for i in range(n_orders)]
    lines = [line(f"{i}", "A", 1, 100.0) for i in range(n_orders)]
    return make_data(orders=orders, order_lines=lines, products=[product("A", 40.0)])


def test_negative_margin_orders_pass_below_warn():
    """1 order below cost in 25 (4%) passes."""
    result = negative_margin_orders(orders_with_losses(25, 1))
    assert result.metrics["negative_share"].value == pytest.approx(0.04, abs=1e-12)
    assert result.status is Status.PASS


def test_negative_margin_orders_warn_at_five_percent():
    """1 order below cost in 20 (5%) warns."""
    result = negative_margin_orders(orders_with_losses(20, 1))
    assert result.metrics["negative_share"].value == pytest.approx(0.05, abs=1e-12)
    assert result.status is Status.WARN
    assert result.evidence["order_id"].tolist() == ["0"]
    assert result.evidence.loc[0, "contribution"] == pytest.approx(-10.0)


def test_negative_margin_orders_fail():
    """2 orders below cost in 10 (20%) fail; the loss is their negative contribution."""
    result = negative_margin_orders(orders_with_losses(10, 2))
    assert result.metrics["negative_share"].value == pytest.approx(0.20, abs=1e-12)
    assert result.metrics["loss"].value == pytest.approx(20.0)
    assert result.status is Status.FAIL


def test_negative_margin_orders_contribution_formula():
    """Revenue − discount − COGS − all parcels' shipping cost + shipping charged."""
    data = make_data(
        orders=[order("X", discount_total=20.0, shipping_charged=4.0), order("Y")],
        order_lines=[line("X", "A", 2, 50.0, line_discount=10.0), line("Y", "A", 1, 100.0)],
        products=[product("A", 25.0)],
        shipments=[{"order_id": "X", "shipped_at": "2026-08-02", "shipping_cost": 15.0},
                   {"order_id": "X", "shipped_at": "2026-08-09", "shipping_cost": 10.0}])
    result = negative_margin_orders(data)
    # X: 90 − 20 − 50 − 25 + 4 = −1; Y: 100 − 25 = 75.
    assert result.evidence["order_id"].tolist() == ["X"]
    assert result.evidence.loc[0, "contribution"] == pytest.approx(-1.0)
    assert result.metrics["negative_share"].value == pytest.approx(0.5)


def test_negative_margin_orders_zero_contribution_is_not_negative():
    """An order that breaks even exactly is not counted."""
    data = make_data(orders=[order("X", discount_total=60.0)],
                     order_lines=[line("X", "A", 1, 100.0)], products=[product("A", 40.0)])
    assert negative_margin_orders(data).metrics["negative_share"].value == 0.0


def test_negative_margin_orders_lines_without_cost_count_zero():
    """A SKU with no cost on file counts zero cost (the order looks profitable)."""
    data = make_data(orders=[order("X", discount_total=50.0)],
                     order_lines=[line("X", "NOCOST", 1, 100.0)],
                     products=[product("A", 40.0)])
    assert negative_margin_orders(data).metrics["negative_share"].value == 0.0


def test_negative_margin_orders_impact_half_to_full_loss():
    """Impact = Σ negative contribution a year; low half, base and high full."""
    result = negative_margin_orders(orders_with_losses(10, 2))
    yearly = 20.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly / 2, 2), round(yearly, 2), round(yearly, 2)))


def test_negative_margin_orders_not_assessable_without_order_lines():
    """Without order lines there is no revenue or COGS per order."""
    data = make_data(orders=[order("1")], products=[product("A", 1.0)])
    result = run_check(negative_margin_orders.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "order_lines" in result.data_request


# -- margin.books_vs_computed_cogs ------------------------------------------------------

def books_data(books_cogs: float) -> CheckData:
    """Revenue 1000 and computed COGS 400 in August; the ledger books ``books_cogs``."""
    return make_data(
        orders=[order("1")], order_lines=[line("1", "A", 10, 100.0)],
        products=[product("A", 40.0)],
        gl_entries=[
            {"posted_at": "2026-08-31", "account": "5000 COGS", "amount": books_cogs,
             "account_type": "cogs"},
            {"posted_at": "2026-06-30", "account": "5000 COGS", "amount": 999.0,
             "account_type": "cogs"},
            {"posted_at": "2026-08-31", "account": "4000 Sales", "amount": -1000.0,
             "account_type": "revenue"}])


def test_books_vs_computed_cogs_pass_below_warn():
    """A 2-point gap passes; June's ledger COGS is outside the period."""
    result = books_vs_computed_cogs(books_data(420.0))
    assert result.metrics["gap_points"].value == pytest.approx(2.0)
    assert result.status is Status.PASS
    assert len(result.evidence) == 0


def test_books_vs_computed_cogs_warn_at_three_points():
    """A 3-point gap warns and lists its month."""
    result = books_vs_computed_cogs(books_data(430.0))
    assert result.metrics["gap_points"].value == pytest.approx(3.0)
    assert result.status is Status.WARN
    assert result.evidence["month"].tolist() == ["2026-08"] and result.evidence_id == "month"


def test_books_vs_computed_cogs_fail_either_direction():
    """Ledger COGS 7 points below what was sold fails: the gap is absolute."""
    result = books_vs_computed_cogs(books_data(330.0))
    assert result.metrics["gap_points"].value == pytest.approx(7.0)
    assert result.metrics["misstated_margin"].value == pytest.approx(70.0)
    assert result.status is Status.FAIL


def test_books_vs_computed_cogs_lumpy_months_offset_in_total():
    """Per-month gaps are evidence; the headline is the gap over the whole period."""
    data = make_data(
        orders=[order("J", "2026-07-10"), order("A", "2026-08-10")],
        order_lines=[line("J", "A", 10, 100.0), line("A", "A", 10, 100.0)],
        products=[product("A", 40.0)],
        gl_entries=[{"posted_at": "2026-07-31", "account": "COGS", "amount": 500.0,
                     "account_type": "cogs"},
                    {"posted_at": "2026-08-31", "account": "COGS", "amount": 340.0,
                     "account_type": "cogs"}])
    result = books_vs_computed_cogs(data)
    # Books 840 vs computed 800 on revenue 2000: 2 points; July alone is 10, August 6.
    assert result.metrics["gap_points"].value == pytest.approx(2.0)
    assert result.status is Status.PASS
    assert result.evidence["month"].tolist() == ["2026-07", "2026-08"]
    assert result.evidence["gap_points"].tolist() == pytest.approx([10.0, 6.0])


def test_books_vs_computed_cogs_impact_is_decision_cost_of_revenue():
    """Impact = revenue a year × 0.5% / 1% / 2%."""
    result = books_vs_computed_cogs(books_data(430.0))
    yearly = 1000.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly * 0.005, 2), round(yearly * 0.01, 2), round(yearly * 0.02, 2)))


def test_books_vs_computed_cogs_immaterial_gap_has_no_impact():
    """Below the warn threshold the P&L is not materially misstated: no money."""
    result = books_vs_computed_cogs(books_data(420.0))
    assert impact_triple(result) == (0.0, 0.0, 0.0)


def test_books_vs_computed_cogs_not_assessable_without_ledger():
    """Without the general ledger there is no booked COGS to compare."""
    data = one_sale()
    result = run_check(books_vs_computed_cogs.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "gl_entries" in result.data_request


def test_books_vs_computed_cogs_not_assessable_without_cogs_accounts():
    """A ledger with no account typed cogs cannot say what COGS was booked."""
    data = one_sale(gl_entries=[{"posted_at": "2026-08-31", "account": "Sales",
                                 "amount": -10.0, "account_type": "revenue"}])
    result = run_check(books_vs_computed_cogs.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "cogs" in result.data_request
