"""Exact-value tests of the integration checks on small hand-built frames."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, MONTHS, make_data, table

from opskit.checks.integration import (
    manual_rekeying,
    orders_vs_invoices,
    orphan_skus,
    revenue_reconciliation,
)
from opskit.findings import Status
from opskit.registry import CheckData, NotAssessable, run_check


# -- integration.orders_vs_invoices ----------------------------------------------------------
def invoiced(n: int, missing: int = 0, off_by: dict[int, float] | None = None) -> CheckData:
    """``n`` orders of 100.00 placed on 2026-07-10, invoiced a day later.

    The last ``missing`` orders have no invoice; ``off_by`` shifts given invoices' amounts.
    """
    off_by = off_by or {}
    orders = table("orders", order_id=[f"O{i}" for i in range(n)],
                   ordered_at=["2026-07-10 10:00"] * n, total=[100.0] * n)
    billed = n - missing
    invoices = table("invoices", invoice_id=[f"I{i}" for i in range(billed)],
                     issued_at=["2026-07-11 10:00"] * billed,
                     amount=[100.0 + off_by.get(i, 0.0) for i in range(billed)],
                     order_id=[f"O{i}" for i in range(billed)])
    return make_data(orders=orders, invoices=invoices)


def test_orders_vs_invoices_pass_when_all_matched():
    """Every order invoiced at its amount: 100% matched, lag 1 day, PASS, no evidence."""
    result = orders_vs_invoices(invoiced(10))
    assert result.metrics["match_rate"].value == 1.0
    assert result.metrics["lag_p90_days"].value == pytest.approx(1.0)
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_orders_vs_invoices_exactly_at_warn_passes():
    """199 of 200 matched is exactly 99.5%: not below warn, so PASS."""
    result = orders_vs_invoices(invoiced(200, missing=1))
    assert result.metrics["match_rate"].value == pytest.approx(0.995)
    assert result.status is Status.PASS


def test_orders_vs_invoices_warn_on_one_percent_missing():
    """20 of 2,000 orders without an invoice: 99%, upper bound 99.35% < 99.5%: WARN; the
    orders are listed as 'no invoice'."""
    result = orders_vs_invoices(invoiced(2000, missing=20))
    assert result.metrics["match_rate"].value == pytest.approx(0.99)
    assert result.status is Status.WARN
    assert result.evidence["order_id"].tolist() == [f"O{i}" for i in range(1980, 2000)]
    assert set(result.evidence["problem"]) == {"no invoice"}


def test_orders_vs_invoices_one_missing_of_a_hundred_is_too_few_to_judge():
    """1 of 100 without an invoice is 99%, but its interval reaches 99.8%: PASS, said so."""
    result = orders_vs_invoices(invoiced(100, missing=1))
    assert result.metrics["match_rate"].value == pytest.approx(0.99)
    assert result.status is Status.PASS
    assert result.judgement.startswith("too few to judge: 99 of 100 judged orders (99.0%)")


def test_orders_vs_invoices_amount_mismatches_judged_on_the_bound():
    """A cent off still matches; 2.00 and 0.02 off do not: 3 unmatched of 100 is 97%, whose
    interval reaches 99.0%: WARN, not FAIL, said so."""
    result = orders_vs_invoices(invoiced(100, missing=1,
                                         off_by={0: 0.01, 1: -2.0, 2: 0.02}))
    assert result.metrics["match_rate"].value == pytest.approx(0.97)
    assert result.metrics["amount_mismatches"].value == 2
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 97 of 100 judged orders")
    assert result.evidence["order_id"].tolist() == ["O99", "O1", "O2"]
    assert result.evidence["difference"].tolist() == [-100.0, -2.0, 0.02]


def test_orders_vs_invoices_fail_on_five_percent_missing():
    """50 of 1,000 orders without an invoice: 95%, upper bound 96.2% < 98%: FAIL."""
    result = orders_vs_invoices(invoiced(1000, missing=50))
    assert result.metrics["match_rate"].value == pytest.approx(0.95)
    assert result.status is Status.FAIL


def test_orders_vs_invoices_cancelled_orders_are_not_missing_invoices():
    """100 live orders invoiced and 14 cancelled ones never invoiced: 100% matched, PASS;
    the 14 are left out and said so."""
    checkdata = invoiced(100)
    cancelled = table("orders", order_id=[f"C{i}" for i in range(14)],
                      ordered_at=["2026-07-12 10:00"] * 14, total=[80.0] * 14,
                      status=["cancelled"] * 14)
    orders = pd.concat([checkdata["orders"].assign(status=pd.Series(["paid"] * 100,
                                                                    dtype="str")),
                        cancelled], ignore_index=True)
    result = orders_vs_invoices(make_data(orders=orders, invoices=checkdata["invoices"]))
    assert result.metrics["match_rate"].value == 1.0
    assert result.metrics["missing_invoices"].value == 0
    assert result.metrics["orders"].value == 100
    assert result.status is Status.PASS
    assert result.details["population"] == "14 cancelled orders left out (not live)"
    assert result.impact.assumptions["population"] == "14 cancelled orders left out (not live)"


def test_orders_vs_invoices_judges_only_the_channels_that_are_invoiced():
    """Wholesale orders are invoiced (200 of 200), web orders are paid by card (0 of 1,000):
    only wholesale is judged, 100%, PASS; the details say which channels were judged."""
    checkdata = invoiced(200)
    wholesale = checkdata["orders"].assign(channel=pd.Series(["wholesale"] * 200,
                                                             dtype="str"))
    web = table("orders", order_id=[f"W{i}" for i in range(1000)],
                ordered_at=["2026-07-10 12:00"] * 1000, total=[40.0] * 1000,
                channel=["web"] * 1000)
    result = orders_vs_invoices(make_data(orders=pd.concat([wholesale, web],
                                                           ignore_index=True),
                                          invoices=checkdata["invoices"]))
    assert result.metrics["match_rate"].value == 1.0
    assert result.metrics["orders"].value == 200
    assert result.status is Status.PASS
    assert result.details["channels_judged"] == "wholesale"
    assert result.details["channels_not_judged"] == ("web (0 of 1,000 orders invoiced: paid "
                                                     "another way)")
    assert result.impact.base == 0.0


def test_orders_vs_invoices_a_channel_mostly_invoiced_is_judged_with_its_gaps():
    """Wholesale with 150 of 1,000 orders uninvoiced (85%) is still an invoiced channel:
    judged, FAIL; the card-paid web channel stays out."""
    checkdata = invoiced(1000, missing=150)
    wholesale = checkdata["orders"].assign(channel=pd.Series(["wholesale"] * 1000,
                                                             dtype="str"))
    web = table("orders", order_id=["W1"], ordered_at=["2026-07-10 12:00"], total=[40.0],
                channel=["web"])
    result = orders_vs_invoices(make_data(orders=pd.concat([wholesale, web],
                                                           ignore_index=True),
                                          invoices=checkdata["invoices"]))
    assert result.metrics["match_rate"].value == pytest.approx(0.85)
    assert result.status is Status.FAIL
    assert "W1" not in set(result.evidence["order_id"])


def test_orders_vs_invoices_without_any_order_invoiced_is_not_assessable():
    """Invoices that name no order of the period cannot tell invoiced orders apart."""
    checkdata = invoiced(3)
    invoices = checkdata["invoices"].assign(order_id=pd.Series(["X1", "X2", "X3"],
                                                               dtype="str"))
    result = run_check(orders_vs_invoices.spec,
                       make_data(orders=checkdata["orders"], invoices=invoices))
    assert result.status is Status.NOT_ASSESSABLE
    assert result.data_request.startswith("Send the invoices export")


def test_orders_vs_invoices_lists_invoices_for_unknown_orders():
    """An invoice of the period naming an order the shop lacks is listed, not counted."""
    checkdata = invoiced(3)
    extra = table("invoices", invoice_id=["IX"], issued_at=["2026-07-12"], amount=[50.0],
                  order_id=["GHOST"])
    invoices = pd.concat([checkdata["invoices"], extra], ignore_index=True)
    result = orders_vs_invoices(make_data(orders=checkdata["orders"], invoices=invoices))
    assert result.metrics["match_rate"].value == 1.0
    assert result.metrics["extra_invoices"].value == 1
    assert result.evidence["order_id"].tolist() == ["GHOST"]


def test_orders_vs_invoices_lag_is_the_ninetieth_percentile():
    """Lags of 0..9 days give a p90 of 8.1 days (linear interpolation)."""
    orders = table("orders", order_id=[f"O{i}" for i in range(10)],
                   ordered_at=["2026-07-01"] * 10, total=[1.0] * 10)
    invoices = table("invoices", invoice_id=[f"I{i}" for i in range(10)],
                     issued_at=[f"2026-07-{i + 1:02d}" for i in range(10)], amount=[1.0] * 10,
                     order_id=[f"O{i}" for i in range(10)])
    result = orders_vs_invoices(make_data(orders=orders, invoices=invoices))
    assert result.metrics["lag_p90_days"].value == pytest.approx(8.1)


def test_orders_vs_invoices_impact_prices_unmatched_orders():
    """Impact = unmatched a year × (AOV × never-billed probability + 15 min × hourly)."""
    result = orders_vs_invoices(invoiced(100, missing=1))
    a_year = 365 / DAYS
    assert result.impact.base == pytest.approx(round(a_year * (100 * 0.03 + 0.25 * 60), 2))
    assert result.impact.low == pytest.approx(round(a_year * (100 * 0.01 + 0.25 * 45), 2))
    assert result.impact.high == pytest.approx(round(a_year * (100 * 0.05 + 0.25 * 85), 2))


def test_orders_vs_invoices_not_assessable_without_invoice_order_ids():
    """Invoices without an order_id column: NOT_ASSESSABLE asking for that column."""
    checkdata = invoiced(3)
    invoices = checkdata["invoices"].drop(columns="order_id")
    result = run_check(orders_vs_invoices.spec,
                       make_data(orders=checkdata["orders"], invoices=invoices))
    assert result.status is Status.NOT_ASSESSABLE
    assert "order_id" in result.data_request


# -- integration.orphan_skus -----------------------------------------------------------------
def sold(revenue_by_sku: dict[str, float], known: list[str], **products: list) -> CheckData:
    """One order of the period with one line per SKU; ``known`` SKUs are in products."""
    skus = list(revenue_by_sku)
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-02"], total=[1.0])
    lines = table("order_lines", order_id=["O1"] * len(skus), sku=skus,
                  quantity=[1.0] * len(skus), unit_price=list(revenue_by_sku.values()))
    master = table("products", sku=known, **products)
    return make_data(orders=orders, order_lines=lines, products=master)


def test_orphan_skus_pass_when_every_sku_known():
    """All SKUs in the product master: 0%, PASS, no evidence."""
    result = orphan_skus(sold({"A": 100.0, "B": 100.0}, ["A", "B"]))
    assert result.metrics["orphan_revenue_share"].value == 0.0
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_orphan_skus_warn_at_one_percent():
    """An unknown SKU with 10 of 1000 revenue (1%) warns and is listed."""
    result = orphan_skus(sold({"A": 990.0, "NEW-1": 10.0}, ["A"]), min_evidence=2)
    assert result.metrics["orphan_revenue_share"].value == pytest.approx(0.01)
    assert result.status is Status.WARN
    assert result.evidence["sku"].tolist() == ["NEW-1"]


def test_orphan_skus_fail_at_three_percent_worst_first():
    """Two unknown SKUs with 50 of 1000 (5%) fail; the bigger one comes first."""
    result = orphan_skus(sold({"A": 950.0, "X": 20.0, "Y": 30.0}, ["A"]), min_evidence=3)
    assert result.metrics["orphan_revenue_share"].value == pytest.approx(0.05)
    assert result.status is Status.FAIL
    assert result.evidence["sku"].tolist() == ["Y", "X"]


def test_orphan_skus_few_lines_are_too_few_to_judge():
    """5% orphan revenue over three lines, below the minimum of 30: PASS, said so."""
    result = orphan_skus(sold({"A": 950.0, "X": 20.0, "Y": 30.0}, ["A"]))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 3 order lines (at least 30 needed)"


def test_orphan_skus_sku_match_is_exact():
    """A SKU differing only by case is not the same SKU in the product master."""
    result = orphan_skus(sold({"abc": 100.0}, ["ABC"]))
    assert result.metrics["orphan_revenue_share"].value == 1.0


def test_orphan_skus_lists_price_conflicts_across_systems():
    """A SKU priced differently in two systems is listed after the orphans and counted."""
    result = orphan_skus(sold({"A": 100.0}, ["A", "A", "B", "B"],
                              system=["shopify", "erp", "shopify", "erp"],
                              price=[10.0, 12.0, 5.0, 5.0], unit_cost=[4.0, 4.0, 2.0, 2.0]))
    assert result.metrics["conflicting_skus"].value == 1
    assert result.evidence["sku"].tolist() == ["A"]
    assert result.evidence["systems"].tolist() == ["erp, shopify"]
    assert result.status is Status.PASS


def test_orphan_skus_impact_is_ten_minutes_per_sku():
    """Impact = SKUs to fix a year × 10 minutes × hourly cost."""
    result = orphan_skus(sold({"A": 950.0, "X": 20.0, "Y": 30.0}, ["A"]))
    assert result.impact.base == pytest.approx(round(2 * 365 / DAYS * 10 / 60 * 60, 2))


def test_orphan_skus_not_assessable_without_products():
    """No product master: NOT_ASSESSABLE naming the products export."""
    checkdata = sold({"A": 1.0}, ["A"])
    result = run_check(orphan_skus.spec, make_data(orders=checkdata["orders"],
                                                   order_lines=checkdata["order_lines"]))
    assert result.status is Status.NOT_ASSESSABLE
    assert "products" in result.data_request


# -- integration.manual_rekeying -------------------------------------------------------------
def tasks(rows: list[tuple[str, float, str | None, str | None, str | None]]) -> pd.DataFrame:
    """Tasks from (task, minutes, category, system, target_system) rows, in July."""
    return table("tasks", person=["Dana"] * len(rows), task=[r[0] for r in rows],
                 performed_on=["2026-07-15"] * len(rows), minutes=[r[1] for r in rows],
                 category=[r[2] for r in rows], system=[r[3] for r in rows],
                 target_system=[r[4] for r in rows])


def test_manual_rekeying_pass_below_ten_hours_a_month():
    """600 minutes over the period is 10 h ÷ 3.02 months = 3.3 h a month: PASS."""
    result = manual_rekeying(make_data(tasks=tasks([("key orders", 600.0, "rekeying", "Shopify",
                                                     "QuickBooks")])))
    assert result.metrics["rekeying_hours_per_month"].value == pytest.approx(10 / MONTHS)
    assert result.status is Status.PASS


def test_manual_rekeying_warn_over_ten_hours_a_month():
    """2400 minutes (40 h) over 3.02 months is 13.2 h a month: WARN, task listed."""
    result = manual_rekeying(make_data(tasks=tasks([("key orders", 2400.0, "data_entry", "Shopify",
                                                     "QuickBooks")])), min_evidence=1)
    assert result.metrics["rekeying_hours_per_month"].value == pytest.approx(40 / MONTHS)
    assert result.status is Status.WARN
    assert result.evidence["task"].tolist() == ["key orders"]
    assert result.evidence["pair"].tolist() == ["Shopify → QuickBooks"]


def test_manual_rekeying_fail_over_forty_hours_a_month():
    """9000 minutes (150 h) over 3.02 months is 49.6 h a month: FAIL."""
    result = manual_rekeying(make_data(tasks=tasks([("key orders", 9000.0, "rekeying", "Shopify",
                                                     "QuickBooks")])), min_evidence=1)
    assert result.metrics["rekeying_hours_per_month"].value == pytest.approx(150 / MONTHS)
    assert result.status is Status.FAIL


def test_manual_rekeying_one_entry_is_too_few_to_judge():
    """50 hours a month from a single task entry, below the minimum of 5: PASS, said so."""
    result = manual_rekeying(make_data(tasks=tasks([("key orders", 9000.0, "rekeying",
                                                     "Shopify", "QuickBooks")])))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 1 rekeying task entries (at least 5 needed)"


def test_manual_rekeying_skips_integrated_same_and_unset_systems():
    """API links (either direction), same-system, other categories and blanks do not count;
    a file-based link still counts as retyping."""
    rows = [("sync crm", 6000.0, "rekeying", "hubspot", "Shopify"),
            ("same", 6000.0, "rekeying", "shopify", "Shopify"),
            ("report", 6000.0, "reporting", "shopify", "excel"),
            ("blank", 6000.0, "data_entry", "shopify", None),
            ("csv import", 600.0, "data_entry", "shopify", "erp")]
    links = table("integrations", source_system=["Shopify", "shopify"],
                  target_system=["HubSpot", "erp"], method=["api", "file"])
    result = manual_rekeying(make_data(tasks=tasks(rows), integrations=links))
    assert result.metrics["rekeying_hours_per_month"].value == pytest.approx(10 / MONTHS)
    assert result.evidence["task"].tolist() == ["csv import"]


def test_manual_rekeying_impact_is_hours_times_twelve_times_hourly_times_capture():
    """Impact = hours a month × 12 × hourly (45/60/85) × capture (50/70/90%)."""
    result = manual_rekeying(make_data(tasks=tasks([("key", 2400.0, "rekeying", "a", "b")])))
    per_month = 40 / MONTHS
    assert result.impact.base == pytest.approx(round(per_month * 12 * 60 * 0.7, 2))
    assert result.impact.low == pytest.approx(round(per_month * 12 * 45 * 0.5, 2))
    assert result.impact.high == pytest.approx(round(per_month * 12 * 85 * 0.9, 2))


def test_manual_rekeying_not_assessable_without_target_system():
    """Tasks without target_system: NOT_ASSESSABLE asking for that column."""
    frame = tasks([("key", 60.0, "rekeying", "a", "b")]).drop(columns="target_system")
    result = run_check(manual_rekeying.spec, make_data(tasks=frame))
    assert result.status is Status.NOT_ASSESSABLE
    assert "target_system" in result.data_request


# -- integration.revenue_reconciliation ------------------------------------------------------
def books(shop: dict[str, float], ledger: dict[str, float]) -> CheckData:
    """One order per month with the shop revenue; one revenue credit per month in the GL."""
    orders = table("orders", order_id=[f"O{m}" for m in shop],
                   ordered_at=[f"{m}-15" for m in shop], total=[v + 10 for v in shop.values()],
                   subtotal=[v + 5 for v in shop.values()], discount_total=[5.0] * len(shop))
    gl = table("gl_entries", posted_at=[f"{m}-28" for m in ledger] + ["2026-07-28"],
               account=["4000 Sales"] * len(ledger) + ["1200 AR"],
               amount=[-v for v in ledger.values()] + [999.0],
               account_type=["revenue"] * len(ledger) + ["asset"])
    return make_data(orders=orders, gl_entries=gl)


def test_revenue_reconciliation_pass_when_books_agree():
    """Shop subtotal − discount equals ledger revenue every month: gap 0, PASS."""
    months = {"2026-07": 1000.0, "2026-08": 2000.0, "2026-09": 1500.0}
    result = revenue_reconciliation(books(months, months))
    assert result.metrics["max_monthly_gap"].value == 0.0
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_revenue_reconciliation_warn_on_three_percent_month():
    """August 2060 vs 2000 in the ledger is a 3% gap: WARN, August listed."""
    result = revenue_reconciliation(books({"2026-07": 1000.0, "2026-08": 2060.0},
                                          {"2026-07": 1000.0, "2026-08": 2000.0}),
                                    min_evidence=1)
    assert result.metrics["max_monthly_gap"].value == pytest.approx(0.03)
    assert result.status is Status.WARN
    assert result.evidence["month"].tolist() == ["2026-08"]


def test_revenue_reconciliation_fail_on_ten_percent_month():
    """July 900 vs 1000 (10%) fails; months are listed worst first."""
    result = revenue_reconciliation(books({"2026-07": 900.0, "2026-08": 2060.0},
                                          {"2026-07": 1000.0, "2026-08": 2000.0}),
                                    min_evidence=1)
    assert result.metrics["max_monthly_gap"].value == pytest.approx(0.10)
    assert result.status is Status.FAIL
    assert result.evidence["month"].tolist() == ["2026-07", "2026-08"]
    assert result.impact.in_total is False
    assert result.impact.base == pytest.approx(round(160 * 365 / DAYS, 2))


def test_revenue_reconciliation_two_orders_are_too_few_to_judge():
    """A 10% gap built from two orders, below the minimum of 30: PASS, said so."""
    result = revenue_reconciliation(books({"2026-07": 900.0, "2026-08": 2060.0},
                                          {"2026-07": 1000.0, "2026-08": 2000.0}))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 2 orders (at least 30 needed)"


def shop_month(n: int = 40, **columns: list) -> pd.DataFrame:
    """``n`` July orders of subtotal 100, discount 10, shipping 8, tax 5 (total 103)."""
    return table("orders", order_id=[f"O{i}" for i in range(n)],
                 ordered_at=["2026-07-15 10:00"] * n, total=[103.0] * n,
                 subtotal=[100.0] * n, discount_total=[10.0] * n,
                 shipping_charged=[8.0] * n, tax=[5.0] * n, **columns)


def ledger(*entries: tuple[str, float]) -> pd.DataFrame:
    """Revenue-type entries (account, amount) posted on 2026-07-31."""
    return table("gl_entries", posted_at=["2026-07-31"] * len(entries),
                 account=[e[0] for e in entries], amount=[e[1] for e in entries],
                 account_type=["revenue"] * len(entries))


def test_revenue_reconciliation_shipping_income_is_compared_apart():
    """Shipping charged booked to 'Shipping Income' (revenue) is left out of the ledger side
    as the shop side leaves it out: 40 × 90 = 3,600 on both, gap 0, PASS."""
    gl = ledger(("4000 Sales", -3600.0), ("4100 Shipping Income", -320.0))
    result = revenue_reconciliation(make_data(orders=shop_month(), gl_entries=gl))
    assert result.metrics["max_monthly_gap"].value == 0.0
    assert result.metrics["gl_revenue"].value == pytest.approx(3600.0)
    assert result.status is Status.PASS
    assert result.details["ledger_accounts_left_out"].startswith("4100 Shipping Income")
    shipping = result.details["shipping"]
    assert shipping["shipping_income"].tolist() == [320.0]
    assert shipping["shipping_charged"].tolist() == [320.0]


def test_revenue_reconciliation_nets_contra_revenue_discounts():
    """Gross sales 4,000 with 400 of discounts booked to a contra-revenue account reconcile
    with the shop's subtotal − discount: gap 0."""
    gl = ledger(("Gross Sales", -4000.0), ("Sales Discounts", 400.0),
                ("Shipping Income", -320.0))
    result = revenue_reconciliation(make_data(orders=shop_month(), gl_entries=gl))
    assert result.metrics["max_monthly_gap"].value == 0.0
    assert result.details["ledger_accounts_compared"] == "Gross Sales, Sales Discounts"


def test_revenue_reconciliation_leaves_cancelled_orders_out():
    """14 cancelled orders were never booked: the shop side leaves them out, gap 0."""
    orders = pd.concat([shop_month(status=["paid"] * 40),
                        shop_month(14, status=["cancelled"] * 14).assign(
                            order_id=lambda f: "C" + f["order_id"])], ignore_index=True)
    result = revenue_reconciliation(make_data(orders=orders,
                                              gl_entries=ledger(("Sales", -3600.0))))
    assert result.metrics["max_monthly_gap"].value == 0.0
    assert result.details["population"] == "14 cancelled orders left out (not live)"


def test_revenue_reconciliation_without_subtotal_nets_tax_and_shipping():
    """Orders without a subtotal count their total less tax and shipping charged."""
    orders = shop_month().drop(columns=["subtotal", "discount_total"])
    result = revenue_reconciliation(make_data(orders=orders,
                                              gl_entries=ledger(("Sales", -3600.0))))
    assert result.metrics["max_monthly_gap"].value == 0.0


def test_revenue_reconciliation_uses_total_without_subtotal():
    """Orders without a subtotal are counted at their total."""
    orders = table("orders", order_id=["O1"], ordered_at=["2026-07-15"], total=[1000.0])
    gl = table("gl_entries", posted_at=["2026-07-31"], account=["Sales"], amount=[-1000.0],
               account_type=["revenue"])
    result = revenue_reconciliation(make_data(orders=orders, gl_entries=gl))
    assert result.metrics["max_monthly_gap"].value == 0.0


def test_revenue_reconciliation_skips_months_without_ledger_revenue():
    """September has orders but no revenue booked yet: it is not compared."""
    result = revenue_reconciliation(books({"2026-07": 1000.0, "2026-09": 500.0},
                                          {"2026-07": 1000.0}))
    assert result.metrics["months_compared"].value == 1
    assert result.metrics["max_monthly_gap"].value == 0.0


def test_revenue_reconciliation_not_assessable_without_ledger_revenue():
    """A ledger with no revenue entries in the period cannot be reconciled."""
    result = books({"2026-07": 1000.0}, {})
    with pytest.raises(NotAssessable):
        revenue_reconciliation(result)


def test_revenue_reconciliation_not_assessable_without_account_types():
    """A GL without account_type: NOT_ASSESSABLE asking for it."""
    checkdata = books({"2026-07": 1.0}, {"2026-07": 1.0})
    gl = checkdata["gl_entries"].drop(columns="account_type")
    result = run_check(revenue_reconciliation.spec,
                       make_data(orders=checkdata["orders"], gl_entries=gl))
    assert result.status is Status.NOT_ASSESSABLE
    assert "account_type" in result.data_request


# -- cause charts ----------------------------------------------------------------------------
def test_orders_vs_invoices_chart_stacks_the_week_by_invoice_outcome():
    """200 orders of the week of 6 July: 2 not invoiced, 1 at another amount, 197 matched."""
    chart = orders_vs_invoices(invoiced(200, missing=2, off_by={0: 5.0})).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "week", "orders",
                                                            "invoice")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-07-06"), "no invoice", 2],
        [pd.Timestamp("2026-07-06"), "amount differs", 1],
        [pd.Timestamp("2026-07-06"), "invoiced at the same amount", 197]]
    assert chart.note == ("3 of 200 orders did not reach accounting at their amount (1.5%): "
                          "2 with no invoice, 1 at another amount.")


def test_orders_vs_invoices_chart_note_when_every_order_matches():
    """Ten orders invoiced at their amount: the note says so instead of counting zeros."""
    chart = orders_vs_invoices(invoiced(10)).chart
    assert chart.note == "Every one of the 10 orders was invoiced at its amount."


def test_orphan_skus_chart_is_the_weekly_orphan_share_against_the_marks():
    """Week of 29 June: 20 of 970 on SKU X; week of 6 July: 30 of 1000 on SKU Y."""
    orders = table("orders", order_id=["O1", "O2"], ordered_at=["2026-07-02", "2026-07-09"],
                   total=[1.0, 1.0])
    lines = table("order_lines", order_id=["O1", "O1", "O2", "O2"], sku=["A", "X", "A", "Y"],
                  quantity=[1.0] * 4, unit_price=[950.0, 20.0, 970.0, 30.0])
    data = make_data(orders=orders, order_lines=lines, products=table("products", sku=["A"]))
    chart = orphan_skus(data, min_evidence=1).chart
    assert (chart.kind, chart.x, chart.y, chart.y_unit) == ("lines", "week", "orphan_share",
                                                            "share")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-06-29"), 20.0, 970.0, 0.0206],
        [pd.Timestamp("2026-07-06"), 30.0, 1000.0, 0.03]]
    assert chart.marks == ((0.01, "warn 1.0%"), (0.03, "fail 3.0%"))
    assert chart.note == ("2 SKUs sold in the period are not in the product master: $50 of "
                          "revenue (2.5%); the largest, Y, sold $30.")


def test_manual_rekeying_chart_is_hours_by_week_and_pair():
    """10 hours Shopify → QuickBooks and 5 hours Sheets → Gusto in the week of 13 July, the
    other 13 weeks of the period drawn as zero."""
    frame = tasks([("key orders", 600.0, "rekeying", "Shopify", "QuickBooks"),
                   ("payroll", 300.0, "data_entry", "Sheets", "Gusto")])
    chart = manual_rekeying(make_data(tasks=frame)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "week", "hours", "pair")
    assert len(chart.data) == 14 * 2
    assert chart.data["week"].iloc[0] == pd.Timestamp("2026-06-29")
    busy = chart.data[chart.data["hours"] > 0]
    assert busy.values.tolist() == [
        [pd.Timestamp("2026-07-13"), "Shopify → QuickBooks", 10.0],
        [pd.Timestamp("2026-07-13"), "Sheets → Gusto", 5.0]]
    assert chart.note == ("5.0 hours a month are retyped between systems with no "
                          "integration; Shopify → QuickBooks alone takes 3.3 of them.")


def test_revenue_reconciliation_chart_sets_shop_against_ledger_by_month():
    """July 900 against 1000 and August 2060 against 2000: July is the largest gap."""
    result = revenue_reconciliation(books({"2026-07": 900.0, "2026-08": 2060.0},
                                          {"2026-07": 1000.0, "2026-08": 2000.0}),
                                    min_evidence=1)
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series, chart.y_unit) == (
        "bars", "month", "revenue", "side", "$")
    assert chart.data.values.tolist() == [["2026-07", "shop", 900.0],
                                          ["2026-07", "ledger", 1000.0],
                                          ["2026-08", "shop", 2060.0],
                                          ["2026-08", "ledger", 2000.0]]
    assert chart.note == ("The largest gap is 2026-07: the shop shows $900, the ledger "
                          "$1,000 (10.0% of the ledger).")
