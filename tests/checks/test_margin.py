"""Exact-value tests of the margin checks on small hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, impact_triple, make_data

from opskit.checks.margin import (
    books_vs_computed_cogs,
    missing_cogs,
    negative_margin_orders,
    stale_unit_cost,
)
from opskit.findings import Diagnosis, Impact, Result, Status
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
        orders=[order("1", total=1000 - uncosted_revenue),
                order("2", total=uncosted_revenue)],
        order_lines=[line("1", "A", 1, 1000 - uncosted_revenue), line("2", "B", 1,
                                                                       uncosted_revenue)],
        products=[product("A", 5.0), product("B", None)])


def test_missing_cogs_pass_below_warn():
    """1% of revenue on a SKU with an empty cost passes."""
    result = missing_cogs(uncosted_sales(10.0))
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.01, abs=1e-12)
    assert result.status is Status.PASS


def many_skus(skus: int, uncosted: int, revenue: float = 10.0) -> CheckData:
    """``skus`` SKUs selling ``revenue`` each on one line; the first ``uncosted`` have no
    cost on file."""
    names = [f"S{k:03d}" for k in range(skus)]
    return make_data(orders=[order("1")],
                     order_lines=[line("1", sku, 1, revenue) for sku in names],
                     products=[product(sku, None if k < uncosted else 4.0)
                               for k, sku in enumerate(names)])


def test_missing_cogs_warn_judged_over_the_skus():
    """5 of 100 equal SKUs without a cost: 5% of revenue, whose 95% bound over the SKUs
    (2.2%) passes warn (2%) but not fail (5%): WARN."""
    result = missing_cogs(many_skus(100, 5))
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.05, abs=1e-12)
    assert result.status is Status.WARN
    assert result.judgement.startswith(
        "judged on the bound: 5 of 100 SKUs sold (effective count) (5.0%)")


def test_missing_cogs_fail_judged_over_the_skus():
    """20 of 100 equal SKUs without a cost: 20%, bound 13.3%: FAIL."""
    result = missing_cogs(many_skus(100, 20))
    assert result.status is Status.FAIL


def test_missing_cogs_a_share_one_sku_carries_among_few_is_too_few_to_judge():
    """10% of revenue on one uncosted SKU among five sold, over 33 lines: the evidence is
    4.7 SKUs' worth (by revenue), whose 95% interval does not rule out 2%: no alarm."""
    others = [line("1", sku, 1, 225.0 / 8) for sku in "ABCD" for _ in range(8)]
    data = make_data(orders=[order("1")], order_lines=[line("1", "BIG", 1, 100.0), *others],
                     products=[product("BIG", None),
                               *(product(sku, 4.0) for sku in "ABCD")])
    result = missing_cogs(data)
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.10)
    assert result.status is Status.PASS
    assert result.judgement.startswith(
        "too few to judge: 0.5 of 4.7 SKUs sold (effective count) (10.0%)")


def test_missing_cogs_few_lines_are_too_few_to_judge():
    """2% of revenue without a cost over two lines, below the minimum of 30: PASS."""
    result = missing_cogs(uncosted_sales(20.0))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 2 order lines (at least 30 needed)"


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
    result = missing_cogs(data, min_evidence=1)
    # Uncosted: 40 + 30 + 20 + (15 - 5) = 100 of 900 + 100 = 1000; the June order is outside.
    # Five SKUs, one of them 90% of the revenue: the bound does not reach warn.
    assert result.metrics["missing_cost_share"].value == pytest.approx(0.10, abs=1e-12)
    assert result.metrics["uncosted_revenue"].value == pytest.approx(100.0)
    assert result.status is Status.PASS
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
    result = run_check(missing_cogs.spec, data, {"min_evidence": 1})
    assert result.status is Status.FAIL
    assert result.metrics["missing_cost_share"].value == 1.0


def test_missing_cogs_impact_prices_annual_revenue():
    """Impact = annual revenue (all of it, the one base of "of revenue") × 0.5% / 1% / 2%."""
    result = missing_cogs(uncosted_sales(50.0))
    yearly = 1000.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly * 0.005, 2), round(yearly * 0.01, 2), round(yearly * 0.02, 2)))
    assert result.impact.records.name == "decision_cost"
    assert result.impact.records.sum() == pytest.approx(yearly * 0.01)


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
    """A at 10 vs landed 11 (freight and duty) is fresh; B at 10 vs latest 12 is stale (two
    SKUs: too few for a verdict on the share, the evidence still says which)."""
    result = stale_unit_cost(stale_data(100.0), min_evidence=1)
    assert result.metrics["stale_share"].value == pytest.approx(0.10, abs=1e-12)
    assert result.status is Status.PASS
    evidence = result.evidence
    assert evidence["sku"].tolist() == ["B"] and result.evidence_id == "sku"
    assert evidence.loc[0, "landed_cost"] == pytest.approx(12.0)
    assert evidence.loc[0, "po_id"] == "P2"
    assert evidence.loc[0, "cost_gap"] == pytest.approx(20.0)


def test_stale_unit_cost_fail_judged_over_the_skus():
    """40 of 100 equal PO-backed SKUs cost 10 on file against 12 landed: 40%, bound 30.9%,
    fails (25%)."""
    names = [f"S{k:03d}" for k in range(100)]
    data = make_data(
        orders=[order("1")], order_lines=[line("1", sku, 1, 30.0) for sku in names],
        products=[product(sku, 10.0) for sku in names],
        purchase_orders=[receipt(f"P{k}", sku, "2026-06-01", 10, 12.0 if k < 40 else 10.0)
                         for k, sku in enumerate(names)])
    result = stale_unit_cost(data)
    assert result.metrics["stale_share"].value == pytest.approx(0.40, abs=1e-12)
    assert result.status is Status.FAIL


def test_stale_unit_cost_few_lines_are_too_few_to_judge():
    """30% on stale costs over two PO-backed lines, below the minimum of 30: PASS."""
    result = stale_unit_cost(stale_data(300.0))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 2 order lines (at least 30 needed)"


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


def test_negative_margin_orders_warn_at_ten_percent_of_a_thousand():
    """100 orders below cost in 1,000 (10%, lower bound 8.3%) warns."""
    result = negative_margin_orders(orders_with_losses(1000, 100))
    assert result.metrics["negative_share"].value == pytest.approx(0.10, abs=1e-12)
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 100 of 1,000 orders (10.0%)")
    assert result.evidence["order_id"].tolist()[:2] == ["0", "1"]
    assert result.evidence.loc[0, "contribution"] == pytest.approx(-10.0)


def test_negative_margin_orders_fail():
    """200 orders below cost in 1,000 (20%) fail; the loss is their negative contribution."""
    result = negative_margin_orders(orders_with_losses(1000, 200))
    assert result.metrics["negative_share"].value == pytest.approx(0.20, abs=1e-12)
    assert result.metrics["loss"].value == pytest.approx(2000.0)
    assert result.status is Status.FAIL


def test_negative_margin_orders_few_orders_are_too_few_to_judge():
    """2 of 10 orders below cost (20%), below the minimum of 50 orders: PASS, said so."""
    result = negative_margin_orders(orders_with_losses(10, 2))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 orders (at least 50 needed)"


def test_negative_margin_orders_leave_cancelled_orders_out():
    """A cancelled order below cost is not a live order: not counted, and said so."""
    data = orders_with_losses(60, 1)
    orders = data["orders"].assign(status=pd.Series(["cancelled"] + ["paid"] * 59,
                                                    dtype="str"))
    result = negative_margin_orders(make_data(**{**data.tables, "orders": orders}))
    assert result.metrics["negative_orders"].value == 0
    assert result.metrics["orders"].value == 59
    assert result.details["population"] == "1 cancelled order left out (not live)"


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
    """Impact = Σ negative contribution a year; low half, base and high full; the dollars
    are attached per order_id for the overlap accounting."""
    result = negative_margin_orders(orders_with_losses(10, 2))
    yearly = 20.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly / 2, 2), round(yearly, 2), round(yearly, 2)))
    records = result.impact.records
    assert records.name == "order_id"
    assert records.to_dict() == pytest.approx({"0": yearly / 2, "1": yearly / 2})


def test_negative_margin_orders_leave_the_shipping_subsidy_to_shipping_cost_recovery():
    """X loses 11 (discount 20, label 15 vs 4 charged): 11 of it is the shipping subsidy,
    counted in fulfillment.shipping_cost_recovery, so X prices 0; Y loses 30 with no
    subsidy (label 5 vs 5 charged) and prices 30."""
    data = make_data(
        orders=[order("X", discount_total=20.0, shipping_charged=4.0),
                order("Y", discount_total=75.0, shipping_charged=5.0)],
        order_lines=[line("X", "A", 1, 100.0), line("Y", "A", 1, 100.0)],
        products=[product("A", 80.0)],
        shipments=[{"order_id": "X", "shipped_at": "2026-08-02", "shipping_cost": 15.0},
                   {"order_id": "Y", "shipped_at": "2026-08-02", "shipping_cost": 5.0}])
    result = negative_margin_orders(data)
    assert result.metrics["loss"].value == pytest.approx(11.0 + 55.0)
    assert result.metrics["own_loss"].value == pytest.approx(55.0)
    assert result.impact.base == pytest.approx(round(55.0 * 365 / DAYS, 2))
    assert list(result.impact.records.index) == ["Y"]
    assert "fulfillment.shipping_cost_recovery" in result.impact.formula


def test_negative_margin_and_discount_leakage_count_an_order_once_in_the_total():
    """Orders below cost because of a leaked discount: both findings price them by order_id,
    and Diagnosis.total_impact counts each order once, at the larger claim."""
    margin = negative_margin_orders(orders_with_losses(1000, 200)).with_meta(
        check_id="margin.negative_margin_orders")
    per_order = 10.0 * 365 / DAYS  # each negative order loses 10 a period
    assert margin.impact.base == pytest.approx(round(200 * per_order, 2))
    # marketing.discount_leakage prices the leaked 70 discount of the same 200 orders (75%)
    leaked = pd.Series(70.0 * 365 / DAYS * 0.75, index=[str(i) for i in range(200)],
                       name="order_id")
    leakage = Result(status=Status.FAIL, check_id="marketing.discount_leakage",
                     impact=Impact(leaked.sum() * 2 / 3, leaked.sum(), leaked.sum() * 4 / 3,
                                   formula="leaked discounts", records=leaked))
    diagnosis = Diagnosis("acme", ("2026-07-01", "2026-09-30"), [margin, leakage])
    assert diagnosis.carried(margin) == (0.0, 0.0, 0.0)
    assert diagnosis.total_impact()["base"] == pytest.approx(round(leaked.sum(), 2))
    assert diagnosis.overlaps() == {"margin.negative_margin_orders": {
        "marketing.discount_leakage": pytest.approx(200 * per_order)}}


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
        orders=[order("1", total=1000.0)], order_lines=[line("1", "A", 10, 100.0)],
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
    result = books_vs_computed_cogs(books_data(430.0), min_evidence=1)
    assert result.metrics["gap_points"].value == pytest.approx(3.0)
    assert result.status is Status.WARN
    assert result.evidence["month"].tolist() == ["2026-08"] and result.evidence_id == "month"


def test_books_vs_computed_cogs_fail_either_direction():
    """Ledger COGS 7 points below what was sold fails: the gap is absolute."""
    result = books_vs_computed_cogs(books_data(330.0), min_evidence=1)
    assert result.metrics["gap_points"].value == pytest.approx(7.0)
    assert result.metrics["misstated_margin"].value == pytest.approx(70.0)
    assert result.status is Status.FAIL


def test_books_vs_computed_cogs_one_line_is_too_few_to_judge():
    """A 7-point gap from one order line, below the minimum of 30: PASS, said so."""
    result = books_vs_computed_cogs(books_data(330.0))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 1 order lines (at least 30 needed)"


def test_books_and_missing_cogs_price_one_decision_cost_once():
    """Both price decisions on a misstated margin at 1% of annual revenue: when both fire
    the total counts it once, carried by one of them."""
    data = make_data(
        orders=[order("1", total=1000.0), order("2", total=1000.0)],
        order_lines=[line("1", "A", 10, 100.0), line("2", "B", 10, 100.0)],
        products=[product("A", 40.0), product("B", None)],
        gl_entries=[{"posted_at": "2026-08-31", "account": "5000 COGS", "amount": 1200.0,
                     "account_type": "cogs"}])
    books = books_vs_computed_cogs(data, min_evidence=1).with_meta(
        check_id="margin.books_vs_computed_cogs")
    missing = missing_cogs(data, min_evidence=1).with_meta(check_id="margin.missing_cogs")
    assert books.status is Status.FAIL and missing.status is Status.FAIL
    yearly = 2000.0 * 365 / DAYS
    assert books.impact.base == missing.impact.base == pytest.approx(round(yearly * 0.01, 2))
    diagnosis = Diagnosis("acme", ("2026-07-01", "2026-09-30"), [missing, books])
    assert diagnosis.total_impact()["base"] == pytest.approx(round(yearly * 0.01, 2))


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


def test_books_vs_computed_cogs_does_not_repeat_missing_cogs():
    """The ledger books B's real cost (400) that the product master lacks: the raw gap is
    20 points, but priced at A's cost ratio (40%) the uncosted lines explain all of it:
    0 points unexplained, PASS, said so; margin.missing_cogs reports the missing cost."""
    data = make_data(
        orders=[order("1", total=1000.0), order("2", total=1000.0)],
        order_lines=[line("1", "A", 10, 100.0), line("2", "B", 10, 100.0)],
        products=[product("A", 40.0), product("B", None)],
        gl_entries=[{"posted_at": "2026-08-31", "account": "5000 COGS", "amount": 800.0,
                     "account_type": "cogs"}])
    result = books_vs_computed_cogs(data, min_evidence=1)
    assert result.metrics["gap_points"].value == pytest.approx(20.0)
    assert result.metrics["unexplained_points"].value == pytest.approx(0.0)
    assert result.status is Status.PASS
    assert result.judgement == ("judged on 0.0 points unexplained: the lines without a cost "
                                "on file ($1,000 of revenue, margin.missing_cogs) priced at "
                                "the costed lines' cost ratio 40.0%")
    assert impact_triple(result) == (0.0, 0.0, 0.0)


# -- cause charts ----------------------------------------------------------------------------

def test_missing_cost_chart_is_the_revenue_share_by_reason():
    """$100 of $1,000 sells on SKU B whose cost is empty: 10% under 'no unit cost'."""
    chart = missing_cogs(uncosted_sales(100.0)).chart
    assert (chart.kind, chart.x, chart.y, chart.y_unit) == (
        "bars", "reason", "revenue_share", "share")
    assert chart.data[["reason", "revenue", "skus", "revenue_share"]].values.tolist() == [
        ["SKU not in products", 0.0, 0, 0.0], ["no unit cost", 100.0, 1, 0.1],
        ["unit cost is zero", 0.0, 0, 0.0], ["placeholder unit cost", 0.0, 0, 0.0]]
    assert chart.marks == ((0.02, "warn"), (0.05, "fail"))
    assert chart.note == ("10.0% of revenue ($100) was sold with no cost on file; most of it "
                          "is no unit cost (1 SKU).")


def test_stale_cost_chart_plots_cost_on_file_against_landed_cost():
    """A: 10 on file, 11 landed (within 10%); B: 10 on file, 12 landed (stale); C has no
    purchase order and is not drawn."""
    chart = stale_unit_cost(stale_data(400.0)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == (
        "scatter", "landed_cost", "unit_cost", "cost")
    assert chart.data.values.tolist() == [
        ["A", 11.0, 10.0, 600.0, "within 10%"],
        ["B", 12.0, 10.0, 400.0, "more than 10% away (stale)"]]
    assert chart.note == ("1 SKU carries a cost more than 10% away from its latest landed "
                          "cost: 40.0% of the revenue of SKUs with a purchase order.")


def test_contribution_chart_bins_orders_with_a_break_even_mark():
    """5 orders at -$10 (a $70 discount) and 20 at +$60, in $5 bins from -$10 to $65."""
    chart = negative_margin_orders(orders_with_losses(25, 5)).chart
    assert (chart.kind, chart.x, chart.x_unit) == ("histogram", "mid", "$")
    assert chart.data["bin"].tolist() == [-10.0 + 5 * i for i in range(15)]
    assert chart.data["orders"].tolist() == [5] + [0] * 13 + [20]
    assert chart.marks == ((0.0, "break-even"),)
    assert chart.note == ("5 of 25 orders lose money, $50 in total; the worst lost $10. The "
                          "first and last bars also hold the orders beyond them.")


def test_cogs_chart_sets_the_ledger_against_computed_cogs_by_month():
    """August books $460 of COGS against $400 computed: 6 points of margin."""
    chart = books_vs_computed_cogs(books_data(460.0)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("bars", "cogs", "$")
    assert chart.data.values.tolist() == [["2026-08", "in the ledger", 460.0],
                                          ["2026-08", "computed from sales", 400.0]]
    assert chart.note == ("The ledger holds $460 of COGS against $400 computed from what was "
                          "sold, a gap of 6.0 points of margin; the widest month is 2026-08 "
                          "at 6.0 points.")
