"""Exact-value tests of the inventory checks on small hand-built frames.

Every frame uses the dtypes the loader produces (str ids and text, datetime64[us] times,
float64 quantities and money, nullable "boolean" flags), built from the canonical table
kinds. The period is 2026-07-01 to 2026-09-30 (92 days) unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, impact_triple, make_data, table

from opskit.checks.inventory import dead_stock, negative_on_hand, record_accuracy, stockouts
from opskit.findings import Status
from opskit.registry import CheckData, run_check


def sales(rows: list[tuple[str, str, float, float]]) -> dict[str, pd.DataFrame]:
    """Orders and order lines from (sku, ordered_at, quantity, unit_price), one order each."""
    ids = [f"o{i}" for i in range(len(rows))]
    return {
        "orders": table("orders", order_id=ids, ordered_at=[r[1] for r in rows],
                        total=[r[2] * r[3] for r in rows]),
        "order_lines": table("order_lines", order_id=ids, sku=[r[0] for r in rows],
                             quantity=[r[2] for r in rows], unit_price=[r[3] for r in rows]),
    }


# -- record_accuracy -----------------------------------------------------------------------

def counts(matches: int, total: int, at: str = "2026-08-03") -> pd.DataFrame:
    """``total`` count records of SKUs S0.. on ``at``; the first ``matches`` agree.

    A disagreeing record shows 10 in the system and 8 on the shelf.
    """
    return table("inventory_counts", sku=[f"S{i}" for i in range(total)],
                 counted_at=[at] * total,
                 counted_qty=[10.0 if i < matches else 8.0 for i in range(total)],
                 system_qty=[10.0] * total, unit_cost=[2.0] * total)


def test_accuracy_at_ninety_five_percent_passes():
    """19 of 20 records agree: accuracy 0.95 is not below warn: PASS."""
    result = record_accuracy(make_data(inventory_counts=counts(19, 20)))
    assert result.metrics["accuracy"].value == pytest.approx(0.95)
    assert result.status is Status.PASS


def test_accuracy_at_ninety_percent_warns():
    """1,800 of 2,000 agree: 0.90, whose 95% upper bound 0.912 is below 0.95 only: WARN."""
    result = record_accuracy(make_data(inventory_counts=counts(1800, 2000)))
    assert result.metrics["accuracy"].value == pytest.approx(0.90)
    assert result.status is Status.WARN
    assert result.judgement == ""


def test_accuracy_below_ninety_percent_fails_with_variances_as_evidence():
    """1,700 of 2,000 agree: 0.85 FAIL; evidence is the 300 variances, SKU first."""
    result = record_accuracy(make_data(inventory_counts=counts(1700, 2000)))
    assert result.metrics["accuracy"].value == pytest.approx(0.85)
    assert result.status is Status.FAIL
    assert result.evidence_id == "sku"
    assert result.evidence.columns[0] == "sku"
    assert set(result.evidence["sku"]) == {f"S{i}" for i in range(1700, 2000)}
    assert set(result.evidence["variance_units"]) == {-2.0}
    assert set(result.evidence["variance_value"]) == {-4.0}


def test_accuracy_few_records_are_too_few_to_judge():
    """17 of 20 agree (85%) but 20 records are below the minimum of 50: PASS, said so."""
    result = record_accuracy(make_data(inventory_counts=counts(17, 20)))
    assert result.metrics["accuracy"].value == pytest.approx(0.85)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 20 count records (at least 50 needed)"


def test_accuracy_judged_on_the_wilson_bound():
    """85 of 100 agree: 85% but the 95% interval reaches 91.1%: WARN, not FAIL, said so."""
    result = record_accuracy(make_data(inventory_counts=counts(85, 100)))
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 85 of 100 count records (85.0%)")


def test_accuracy_value_weighted_and_write_off():
    """Value weights use max(counted, system) × cost; shrink is the negative variance."""
    data = make_data(inventory_counts=table(
        "inventory_counts", sku=["A", "B"], counted_at=["2026-07-02"] * 2,
        counted_qty=[10.0, 5.0], system_qty=[10.0, 8.0], unit_cost=[1.0, 10.0]))
    result = record_accuracy(data)
    assert result.metrics["accuracy"].value == pytest.approx(0.5)
    assert result.metrics["value_accuracy"].value == pytest.approx(10 / (10 + 80))
    assert result.metrics["negative_variance_value"].value == pytest.approx(30.0)


def test_accuracy_falls_back_to_product_costs_and_sorts_by_value():
    """A count without its own cost uses products.unit_cost; the costlier variance is first."""
    data = make_data(
        inventory_counts=table("inventory_counts", sku=["CHEAP", "DEAR"],
                               counted_at=["2026-07-02"] * 2, counted_qty=[0.0, 9.0],
                               system_qty=[5.0, 10.0], unit_cost=[1.0, None]),
        products=table("products", sku=["DEAR"], unit_cost=[100.0]))
    result = record_accuracy(data)
    assert list(result.evidence["sku"]) == ["DEAR", "CHEAP"]
    assert result.metrics["negative_variance_value"].value == pytest.approx(105.0)


def test_accuracy_impact_is_revenue_lift_margin_plus_write_off():
    """Impact = (revenue of inaccurate SKUs × lift × margin + write-off) × 365/92."""
    rows = [("S0", "2026-07-05", 10.0, 10.0), ("S19", "2026-07-05", 20.0, 10.0)]
    data = make_data(inventory_counts=counts(19, 20), **sales(rows))
    result = record_accuracy(data)
    write_off = 2 * 2.0  # S19: system 10, shelf 8, cost 2
    scale = 365 / DAYS
    # margin falls back to the 40% assumption (no products table); only S19 is inaccurate
    expected = [(200 * lift * 0.40 + write_off) * scale for lift in (0.01, 0.03, 0.06)]
    assert impact_triple(result) == pytest.approx(
        expected, abs=0.01)


def test_accuracy_ignores_counts_outside_the_period():
    """Counts of June do not enter the accuracy of the July–September period."""
    frame = pd.concat([counts(20, 20), counts(0, 5, at="2026-06-15")], ignore_index=True)
    result = record_accuracy(make_data(inventory_counts=frame))
    assert result.metrics["accuracy"].value == 1.0
    assert result.metrics["count_records"].value == 20


def test_accuracy_without_counts_in_period_is_not_assessable():
    """Counts only before the period: NOT_ASSESSABLE, never a FAIL at 0%."""
    result = run_check(record_accuracy.spec,
                       make_data(inventory_counts=counts(5, 5, at="2026-01-10")))
    assert result.status is Status.NOT_ASSESSABLE
    assert "cycle counts" in result.data_request


def test_accuracy_missing_counts_table_is_not_assessable():
    """No inventory_counts table: NOT_ASSESSABLE naming the cycle count export."""
    result = run_check(record_accuracy.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "inventory_counts" in result.data_request


# -- negative_on_hand ----------------------------------------------------------------------

def levels(on_hand: list[float], as_of: str = "2026-09-30", prefix: str = "S",
           location: str | None = "main") -> pd.DataFrame:
    """One snapshot of SKUs S0.. at one location."""
    n = len(on_hand)
    columns = {"sku": [f"{prefix}{i}" for i in range(n)], "as_of": [as_of] * n,
               "on_hand": on_hand}
    if location is not None:
        columns["location"] = [location] * n
    return table("inventory_levels", **columns)


def test_negative_none_below_zero_passes():
    """No SKU-location below zero: 0% PASS."""
    result = negative_on_hand(make_data(inventory_levels=levels([5.0] * 200)))
    assert result.metrics["negative_share"].value == 0.0
    assert result.status is Status.PASS


def test_negative_one_in_two_hundred_is_too_few_to_judge():
    """One of 200 below zero is 0.5%, but its 95% interval reaches 0.09%: PASS, said so."""
    result = negative_on_hand(make_data(inventory_levels=levels([-1.0] + [5.0] * 199)))
    assert result.metrics["negative_share"].value == pytest.approx(0.005)
    assert result.status is Status.PASS
    assert result.judgement.startswith("too few to judge: 1 of 200 active SKU-locations")


def test_negative_one_percent_of_a_thousand_warns():
    """10 of 1,000 below zero is 1%, lower bound 0.54% >= 0.5%: WARN."""
    result = negative_on_hand(make_data(inventory_levels=levels([-1.0] * 10 + [5.0] * 990)))
    assert result.metrics["negative_share"].value == pytest.approx(0.01)
    assert result.status is Status.WARN


def test_negative_four_percent_fails_most_negative_first():
    """40 of 1,000 below zero is 4% (lower bound 2.9%): FAIL; the most negative first."""
    frame = levels([-1.0, -7.0, -3.0, -2.0] + [-1.0] * 36 + [5.0] * 960)
    result = negative_on_hand(make_data(inventory_levels=frame))
    assert result.metrics["negative_share"].value == pytest.approx(0.04)
    assert result.status is Status.FAIL
    assert list(result.evidence["sku"][:3]) == ["S1", "S2", "S3"]
    assert list(result.evidence.columns[:3]) == ["sku", "location", "on_hand"]


def test_negative_denominator_is_active_sku_locations():
    """A showroom listing 100 SKUs it never stocked is not in the denominator: 1 of 100."""
    main = levels([-1.0] + [5.0] * 99, location="main")
    showroom = pd.concat([levels([0.0] * 100, as_of="2026-08-01", location="showroom"),
                          levels([0.0] * 100, location="showroom")], ignore_index=True)
    result = negative_on_hand(make_data(inventory_levels=pd.concat([main, showroom],
                                                                   ignore_index=True)))
    assert result.metrics["sku_locations"].value == 100
    assert result.details["never_stocked_sku_locations"] == 100
    assert result.metrics["negative_share"].value == pytest.approx(0.01)


def test_negative_reads_only_the_latest_snapshot_up_to_period_end():
    """Older snapshots and snapshots after the period end are ignored; zero is not negative."""
    frame = pd.concat([levels([-5.0, -5.0], as_of="2026-09-01"),
                       levels([0.0, 3.0], as_of="2026-09-29 18:00"),
                       levels([-5.0, -5.0], as_of="2026-10-05")], ignore_index=True)
    result = negative_on_hand(make_data(inventory_levels=frame))
    assert result.metrics["negative_share"].value == 0.0
    assert result.details["snapshot"] == "2026-09-29"


def test_negative_counts_sku_locations_and_keeps_the_last_row_of_the_day():
    """The same SKU at two locations counts twice; a same-day repeat keeps its last row."""
    frame = pd.concat([levels([-1.0], location="east", as_of="2026-09-30 08:00"),
                       levels([-1.0], location="west", as_of="2026-09-30 08:00"),
                       levels([4.0], location="west", as_of="2026-09-30 17:00")],
                      ignore_index=True)
    result = negative_on_hand(make_data(inventory_levels=frame))
    assert result.metrics["sku_locations"].value == 2
    assert result.metrics["negative_share"].value == pytest.approx(0.5)
    assert list(result.evidence["location"]) == ["east"]


def test_negative_without_location_column_uses_skus():
    """A snapshot without locations is judged per SKU."""
    frame = levels([-1.0, 2.0, 2.0, 2.0], location=None)
    result = negative_on_hand(make_data(inventory_levels=frame))
    assert result.metrics["negative_share"].value == pytest.approx(0.25)
    assert list(result.evidence.columns) == ["sku", "on_hand", "as_of"]


def test_negative_impact_is_counted_by_record_accuracy_when_counts_exist():
    """With cycle counts the money is record_accuracy's; without, a sales-lift proxy."""
    rows = [("S0", "2026-07-05", 10.0, 10.0)]
    frame = levels([-1.0] + [5.0] * 9)
    with_counts = negative_on_hand(make_data(inventory_levels=frame,
                                             inventory_counts=counts(1, 1), **sales(rows)))
    assert with_counts.impact.in_total is False
    assert "record_accuracy" in with_counts.impact.note
    alone = negative_on_hand(make_data(inventory_levels=frame, **sales(rows)))
    assert alone.impact.in_total is True
    assert alone.impact.base == pytest.approx(100 * 0.03 * 0.40 * 365 / DAYS, abs=0.01)


def test_negative_without_snapshot_up_to_period_end_is_not_assessable():
    """Only snapshots after the period: NOT_ASSESSABLE."""
    result = run_check(negative_on_hand.spec,
                       make_data(inventory_levels=levels([1.0], as_of="2026-12-01")))
    assert result.status is Status.NOT_ASSESSABLE


def test_negative_missing_levels_table_is_not_assessable():
    """No inventory_levels table: NOT_ASSESSABLE naming the inventory snapshots."""
    result = run_check(negative_on_hand.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "inventory_levels" in result.data_request


# -- stockouts -----------------------------------------------------------------------------

TEN_DAYS = {"start": "2026-07-01", "end": "2026-07-10"}


def daily_levels(sku: str, zero_days: int, location: str = "main",
                 days: int = 10) -> pd.DataFrame:
    """Daily snapshots of ``sku`` over the ten-day period, the first ``zero_days`` at zero."""
    dates = pd.date_range("2026-07-01 23:00", periods=days, freq="D")
    return table("inventory_levels", sku=[sku] * days, as_of=list(dates),
                 on_hand=[0.0 if i < zero_days else 4.0 for i in range(days)],
                 location=[location] * days)


def stockout_data(zero_a: int, zero_b: int, **extra: pd.DataFrame) -> CheckData:
    """SKUs A and B sold before the period (90 and 45 units at $10); C never sold."""
    frame = pd.concat([daily_levels("A", zero_a), daily_levels("B", zero_b),
                       daily_levels("C", 10)], ignore_index=True)
    rows = [("A", "2026-05-01", 90.0, 10.0), ("B", "2026-06-30 12:00", 45.0, 10.0),
            ("C", "2026-03-01", 5.0, 10.0)]  # C's sale is more than 90 days before
    return make_data(**TEN_DAYS, inventory_levels=frame, **sales(rows), **extra)


def test_stockouts_none_at_zero_passes_and_skips_unsold_skus():
    """A and B never at zero: 0% PASS; C, not sold in the 90 days before, is left out."""
    result = stockouts(stockout_data(0, 0))
    assert result.metrics["stockout_rate"].value == 0.0
    assert result.metrics["sku_days"].value == 20
    assert result.status is Status.PASS


def test_stockouts_few_sku_days_are_too_few_to_judge():
    """2 of 20 SKU-days out is 10%, but 20 SKU-days are below the minimum of 100: PASS."""
    result = stockouts(stockout_data(1, 1))
    assert result.metrics["stockout_rate"].value == pytest.approx(0.10)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 20 SKU-days (at least 100 needed)"
    evidence = result.evidence
    assert list(evidence["sku"]) == ["A", "B"]
    # A sells 1 a day, B 0.5 a day; each out 1 of 10 days over a 10-day period
    assert list(evidence["lost_units"]) == pytest.approx([1.0, 0.5])
    assert list(evidence["lost_revenue"]) == pytest.approx([10.0, 5.0])


def many_skus(zero_days: int, n: int = 100) -> CheckData:
    """``n`` selling SKUs over the ten-day period, each out its first ``zero_days`` days."""
    frame = pd.concat([daily_levels(f"K{i}", zero_days) for i in range(n)],
                      ignore_index=True)
    rows = [(f"K{i}", "2026-05-01", 9.0, 10.0) for i in range(n)]
    return make_data(**TEN_DAYS, inventory_levels=frame, **sales(rows))


def test_stockouts_ten_percent_of_a_thousand_sku_days_warns():
    """100 of 1,000 SKU-days out is 10%; the lower bound 8.3% warns, not fails."""
    result = stockouts(many_skus(1))
    assert result.metrics["stockout_rate"].value == pytest.approx(0.10)
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 100 of 1,000 SKU-days")


def test_stockouts_twenty_percent_fail():
    """200 of 1,000 SKU-days out is 20% (lower bound 17.6%): FAIL."""
    result = stockouts(many_skus(2))
    assert result.metrics["stockout_rate"].value == pytest.approx(0.20)
    assert result.status is Status.FAIL


def test_stockouts_are_sku_level_with_a_partial_range_warehouse():
    """A second warehouse with only the 15 fastest SKUs, listing the others at zero, is not
    a stockout: 100 SKUs × 10 days, out only when main is empty and east never had the SKU
    (2 SKUs × 3 days): 6 of 1,000 SKU-days, PASS at exactly 0.6% (per location: 47.3%)."""
    frames, rows = [], []
    for i in range(100):
        sku = f"K{i}"
        fast = i < 15
        # main holds a fast SKU only 4 days in 10; two slow SKUs are out 3 days
        frames.append(daily_levels(sku, 6 if fast else 3 if i in (50, 51) else 0, "main"))
        frames.append(daily_levels(sku, 0 if fast else 10, "east"))
        rows.append((sku, "2026-05-01", 90.0 if fast else 9.0, 10.0))
    data = make_data(**TEN_DAYS, inventory_levels=pd.concat(frames, ignore_index=True),
                     **sales(rows))
    result = stockouts(data)
    assert result.metrics["sku_days"].value == 1000
    assert result.metrics["stockout_days"].value == 6
    assert result.metrics["stockout_rate"].value == pytest.approx(0.006)
    assert result.status is Status.PASS
    assert list(result.evidence["sku"]) == ["K50", "K51"]
    assert result.details["never_stocked"].startswith("850 snapshot rows")


def test_stockouts_a_sku_no_location_ever_held_is_out():
    """A selling SKU at zero everywhere every day is out all 10 days."""
    frame = pd.concat([daily_levels("A", 10, "east"), daily_levels("A", 10, "west")],
                      ignore_index=True)
    data = make_data(**TEN_DAYS, inventory_levels=frame,
                     **sales([("A", "2026-05-01", 90.0, 10.0)]))
    result = stockouts(data)
    assert result.metrics["sku_days"].value == 10
    assert result.metrics["stockout_rate"].value == 1.0


def test_stockouts_impact_is_lost_revenue_margin_and_substitution():
    """$15 lost in 10 days × 365/10 × 40% margin × (1 − 50% / 30% / 10%)."""
    result = stockouts(stockout_data(1, 1))
    lost = 15.0 * 365 / 10 * 0.40
    assert impact_triple(result) == pytest.approx(
        (lost * 0.5, lost * 0.7, lost * 0.9), abs=0.01)


def test_stockouts_count_sku_days_and_negative_stock_is_out():
    """Two stocking locations give one SKU-day a day; out only when both are empty, and a
    negative on-hand is empty."""
    frame = pd.concat([daily_levels("A", 2, "east"), daily_levels("A", 1, "west")],
                      ignore_index=True)
    frame.loc[0, "on_hand"] = -2.0
    data = make_data(**TEN_DAYS, inventory_levels=frame,
                     **sales([("A", "2026-05-01", 90.0, 10.0)]))
    result = stockouts(data)
    assert result.metrics["sku_days"].value == 10
    assert result.metrics["stockout_rate"].value == pytest.approx(0.1)


def test_stockouts_demand_counts_live_orders_only():
    """A cancelled order before the period is not a sale: its SKU is not a selling SKU."""
    frame = pd.concat([daily_levels("A", 1), daily_levels("B", 5)], ignore_index=True)
    sold = sales([("A", "2026-05-01", 90.0, 10.0), ("B", "2026-05-01", 90.0, 10.0)])
    sold["orders"] = sold["orders"].assign(status=pd.Series(["fulfilled", "cancelled"],
                                                            dtype="str"))
    result = stockouts(make_data(**TEN_DAYS, inventory_levels=frame, **sold))
    assert result.metrics["sku_days"].value == 10
    assert result.metrics["stockout_rate"].value == pytest.approx(0.1)


def test_stockouts_without_sales_before_the_period_is_not_assessable():
    """No sale in the 90 days before the period: no selling SKU to judge, NOT_ASSESSABLE."""
    frame = daily_levels("A", 3)
    data = make_data(**TEN_DAYS, inventory_levels=frame,
                     **sales([("A", "2026-07-02", 1.0, 10.0)]))
    result = run_check(stockouts.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "90 days before 2026-07-01" in result.data_request


def test_stockouts_missing_levels_is_not_assessable():
    """No inventory_levels table: NOT_ASSESSABLE."""
    data = make_data(**TEN_DAYS, **sales([("A", "2026-05-01", 90.0, 10.0)]))
    assert run_check(stockouts.spec, data).status is Status.NOT_ASSESSABLE


# -- dead_stock ----------------------------------------------------------------------------

def dead_data(dead_units: float, **extra: pd.DataFrame) -> CheckData:
    """LIVE (90 units at $1, sold in August) and DEAD (``dead_units`` at $1, sold in 2025).

    An order on 2025-12-01 makes the order history reach back past the 180-day lookback.
    """
    snapshot = table("inventory_levels", sku=["LIVE", "DEAD"], as_of=["2026-09-30"] * 2,
                     on_hand=[90.0, dead_units], location=["main"] * 2)
    products = table("products", sku=["LIVE", "DEAD"], unit_cost=[1.0, 1.0])
    rows = [("LIVE", "2026-08-10", 1.0, 3.0), ("DEAD", "2025-12-01", 1.0, 3.0)]
    return make_data(inventory_levels=snapshot, products=products, **sales(rows), **extra)


def test_dead_stock_under_ten_percent_passes():
    """$5 dead in $95 of stock is 5.3%: PASS."""
    result = dead_stock(dead_data(5.0))
    assert result.metrics["dead_share"].value == pytest.approx(5 / 95)
    assert result.status is Status.PASS


def test_dead_stock_ten_percent_warns():
    """$10 dead in $100 is exactly 10%: WARN (>= 10%) once two SKUs are enough evidence."""
    result = dead_stock(dead_data(10.0), min_evidence=2)
    assert result.metrics["dead_share"].value == pytest.approx(0.10)
    assert result.status is Status.WARN


def test_dead_stock_twenty_five_percent_fails_with_impact_and_evidence():
    """$30 dead in $120 is 25%: FAIL; impact = $30 × 15% / 20% / 30%; evidence DEAD."""
    result = dead_stock(dead_data(30.0), min_evidence=2)
    assert result.metrics["dead_share"].value == pytest.approx(0.25)
    assert result.status is Status.FAIL
    assert impact_triple(result) == pytest.approx(
        (4.5, 6.0, 9.0))
    assert list(result.evidence["sku"]) == ["DEAD"]
    assert result.evidence["last_sale_at"].iloc[0] == pd.Timestamp("2025-12-01")
    assert result.evidence["days_since_sale"].iloc[0] == 304


def test_dead_stock_two_skus_are_too_few_to_judge():
    """25% dead over two SKUs in stock, below the minimum of 20: PASS, said so."""
    result = dead_stock(dead_data(30.0))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 2 SKUs in stock (at least 20 needed)"


def test_dead_stock_a_cancelled_order_is_not_a_sale():
    """DEAD's only recent order was cancelled: it stays dead."""
    data = dead_data(30.0)
    orders = data["orders"].assign(ordered_at=pd.Series(
        ["2026-08-10", "2026-08-20"], dtype="datetime64[us]"),
        status=pd.Series(["fulfilled", "cancelled"], dtype="str"))
    history = table("orders", order_id=["old"], ordered_at=["2025-01-01"])
    tables = {**data.tables, "orders": pd.concat([orders, history], ignore_index=True)}
    result = dead_stock(make_data(**tables), min_evidence=2)
    assert result.metrics["dead_share"].value == pytest.approx(0.25)


def test_dead_stock_values_positive_stock_with_a_cost_summed_over_locations():
    """Negative on-hand counts as zero, SKUs without cost are left out, locations add up."""
    snapshot = table("inventory_levels", sku=["LIVE", "DEAD", "DEAD", "NOCOST"],
                     as_of=["2026-09-30"] * 4, on_hand=[80.0, 20.0, -5.0, 50.0],
                     location=["a", "a", "b", "a"])
    data = dead_data(0.0)
    products = table("products", sku=["LIVE", "DEAD", "NOCOST"], unit_cost=[1.0, 1.0, None])
    result = dead_stock(make_data(**{**data.tables, "inventory_levels": snapshot,
                                     "products": products}))
    assert result.metrics["inventory_value"].value == pytest.approx(100.0)
    assert result.metrics["dead_share"].value == pytest.approx(0.20)
    assert result.evidence["on_hand"].iloc[0] == pytest.approx(20.0)


def test_dead_stock_sale_within_180_days_keeps_a_sku_alive():
    """A sale 170 days before the end keeps DEAD alive; the lookback is a parameter."""
    data = dead_data(30.0)
    orders = data["orders"].assign(ordered_at=pd.Series(
        ["2026-08-10", "2026-04-14"], dtype="datetime64[us]"))
    history = table("orders", order_id=["old"], ordered_at=["2025-01-01"])
    tables = {**data.tables, "orders": pd.concat([orders, history], ignore_index=True)}
    result = dead_stock(make_data(**tables))
    assert result.metrics["dead_share"].value == 0.0
    assert dead_stock(make_data(**tables), no_sale_days=150).metrics[
        "dead_share"].value == pytest.approx(0.25)


def test_dead_stock_short_order_history_is_not_assessable():
    """Orders that start inside the 180-day lookback cannot prove a SKU unsold."""
    data = dead_data(30.0)
    orders = data["orders"].assign(ordered_at=pd.Series(
        ["2026-08-10", "2026-08-01"], dtype="datetime64[us]"))
    result = run_check(dead_stock.spec, make_data(**{**data.tables, "orders": orders}))
    assert result.status is Status.NOT_ASSESSABLE
    assert "2026-04-04" in result.data_request


def test_dead_stock_missing_products_is_not_assessable():
    """No products table: no unit cost to value stock, NOT_ASSESSABLE."""
    data = dead_data(30.0)
    tables = {k: v for k, v in data.tables.items() if k != "products"}
    result = run_check(dead_stock.spec, make_data(**tables))
    assert result.status is Status.NOT_ASSESSABLE
    assert "products" in result.data_request


# -- robustness ----------------------------------------------------------------------------

SPECS = [record_accuracy.spec, negative_on_hand.spec, stockouts.spec, dead_stock.spec]


@pytest.mark.parametrize("spec", SPECS)
def test_single_row_with_optional_columns_null_never_errors(spec):
    """One row per table, optional columns null: a verdict or NOT_ASSESSABLE, never ERROR."""
    data = make_data(
        inventory_counts=table("inventory_counts", sku=["A"], counted_at=["2026-08-01"],
                               counted_qty=[3.0], system_qty=[3.0], unit_cost=[None],
                               location=[None]),
        inventory_levels=table("inventory_levels", sku=["A"], as_of=["2026-09-30"],
                               on_hand=[3.0], location=[None]),
        products=table("products", sku=["A"], unit_cost=[2.0], weight=[None]),
        orders=table("orders", order_id=["o"], ordered_at=["2026-01-02"], total=[1.0]),
        order_lines=table("order_lines", order_id=["o"], sku=["A"], quantity=[1.0],
                          unit_price=[1.0], line_discount=[None]))
    result = run_check(spec, data)
    assert result.status in (Status.PASS, Status.WARN, Status.FAIL, Status.NOT_ASSESSABLE)
    assert result.error is None


@pytest.mark.parametrize("spec", SPECS)
def test_empty_tables_are_not_assessable(spec):
    """Empty tables with their columns: NOT_ASSESSABLE, never ERROR."""
    data = make_data(**{name: table(name, **{c: [] for c in columns})
                        for name, columns in spec.needs.items()})
    assert run_check(spec, data).status is Status.NOT_ASSESSABLE


# -- cause charts ----------------------------------------------------------------------------

def test_variance_chart_buckets_count_records():
    """19 of 20 records match; the 20th has 8 on the shelf against 10 in the system."""
    chart = record_accuracy(make_data(inventory_counts=counts(19, 20))).chart
    assert (chart.kind, chart.x, chart.y) == ("bars", "variance", "records")
    assert chart.data["records"].tolist() == [0, 1, 19, 0, 0]
    assert chart.data["variance"].tolist()[2] == "shelf matches the system"
    assert chart.note == ("19 of 20 count records match the shelf (95.0%); the system shows "
                          "more than the shelf on 1 and less on 0.")


def test_on_hand_chart_buckets_active_sku_locations_by_location():
    """main holds -12, -3 and 5 units; annex -1 and 7: 3 of 5 below zero, most at main."""
    snapshot = pd.concat([levels([-12.0, -3.0, 5.0]),
                          levels([-1.0, 7.0], prefix="T", location="annex")],
                         ignore_index=True)
    chart = negative_on_hand(make_data(inventory_levels=snapshot)).chart
    assert (chart.kind, chart.series, len(chart.data)) == ("bars", "location", 10)
    cells = chart.data[chart.data["sku_locations"] > 0]
    assert cells.values.tolist() == [["below −10", "main", 1], ["−10 to below 0", "annex", 1],
                                     ["−10 to below 0", "main", 1],
                                     ["above 0 to 10", "annex", 1], ["above 0 to 10", "main", 1]]
    assert chart.note == ("3 of 5 active SKU-locations show stock below zero on 2026-09-30; "
                          "most at main (2).")


def test_stockout_chart_is_the_weekly_out_share_overall_and_of_the_top_skus():
    """A is out the first 3 of 10 days (all in the week of 29 June), B never."""
    chart = stockouts(stockout_data(3, 0)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("lines", "sku", "share")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-06-29"), "all selling SKUs", 3, 10, 0.3],
        [pd.Timestamp("2026-07-06"), "all selling SKUs", 0, 10, 0.0],
        [pd.Timestamp("2026-06-29"), "A", 3, 5, 0.6],
        [pd.Timestamp("2026-07-06"), "A", 0, 5, 0.0]]
    assert chart.marks == ((0.05, "warn"), (0.10, "fail"))
    assert chart.note == ("15.0% of selling SKU-days were at zero; A was out 3 of 10 days "
                          "(lost $30).")


def test_dead_stock_chart_is_stock_value_by_time_since_last_sale():
    """LIVE ($90) last sold 52 days before the end, DEAD ($5) 304 days before."""
    chart = dead_stock(dead_data(5.0)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("stacked", "stock", "$")
    assert chart.data.values.tolist() == [
        ["sold in the last 90 days", 90.0, 1, "selling"], ["90–180 days", 0.0, 0, "selling"],
        ["180–360 days", 5.0, 1, "no sale in 180 days"],
        ["over 360 days", 0.0, 0, "no sale in 180 days"],
        ["never sold", 0.0, 0, "no sale in 180 days"]]
    assert chart.note == "$5 of $95 in stock (5.3%) has not sold in 180 days."
