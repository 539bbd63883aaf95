"""Exact-value tests of the fulfillment checks on small hand-built frames.

Every frame uses the dtypes the loader produces (str ids and text, datetime64[us] times,
float64 money and numbers, nullable "boolean" flags), built from the canonical table kinds.
The period is 2026-07-01 to 2026-09-30 (92 days) unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, impact_triple, make_data, table

from opskit.checks.fulfillment import (
    address_exceptions,
    data_defects_drive_delays,
    fulfillment_errors,
    late_shipments,
    order_to_ship_time,
    shipping_cost_recovery,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check

MONDAY = pd.Timestamp("2026-07-06 10:00")  # a Monday inside the period


def shipped_orders(late: list[bool], prefix: str = "o") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders placed on a Monday, promised for Wednesday, shipped Tuesday or (late) Friday."""
    ids = [f"{prefix}{i}" for i in range(len(late))]
    orders = table("orders", order_id=ids, ordered_at=[MONDAY] * len(ids),
                   promised_ship_by=[MONDAY + pd.Timedelta(days=2)] * len(ids))
    shipped_at = [MONDAY + pd.Timedelta(days=4 if is_late else 1) for is_late in late]
    shipments = table("shipments", order_id=ids, shipped_at=shipped_at)
    return orders, shipments


def defect_cohorts(defective: tuple[int, int], clean: tuple[int, int]) -> CheckData:
    """(orders, late orders) with a manual edit, and (orders, late orders) without one."""
    (n_def, late_def), (n_clean, late_clean) = defective, clean
    orders_d, ships_d = shipped_orders([i < late_def for i in range(n_def)], "d")
    orders_c, ships_c = shipped_orders([i < late_clean for i in range(n_clean)], "c")
    events = table("order_events", order_id=list(orders_d["order_id"]),
                   at=[MONDAY] * n_def, event=["edited"] * n_def, manual=[True] * n_def)
    return make_data(orders=pd.concat([orders_d, orders_c], ignore_index=True),
                     shipments=pd.concat([ships_d, ships_c], ignore_index=True),
                     order_events=events)


# -- late_shipments (reference check: its helpers are reused below) ------------------------

def test_late_shipments_counts_first_shipment_against_promise():
    """late_rate is late first shipments ÷ shipped orders; 10 orders are too few to judge."""
    orders, shipments = shipped_orders([True] + [False] * 9)
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    assert result.metrics["late_rate"].value == pytest.approx(0.10)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 shipped orders (at least 50 needed)"


def test_late_shipments_fail_on_the_wilson_bound():
    """45 late of 300 is 15%, lower bound 11.4% >= 8%: FAIL."""
    orders, shipments = shipped_orders([i < 45 for i in range(300)])
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    assert result.metrics["late_rate"].value == pytest.approx(0.15)
    assert result.status is Status.FAIL
    assert result.judgement == ""


def test_late_shipments_judged_on_the_bound_warns():
    """9 late of 100 is 9%, but the interval reaches 4.8%: WARN, said so."""
    orders, shipments = shipped_orders([i < 9 for i in range(100)])
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 9 of 100 shipped orders (9.0%)")


def test_late_shipments_leave_cancelled_orders_out_and_say_so():
    """A cancelled order that still has a late parcel is not in the population."""
    orders, shipments = shipped_orders([True] + [False] * 59)
    orders = orders.assign(status=pd.Series(["cancelled"] + ["fulfilled"] * 59, dtype="str"))
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    assert result.metrics["late_orders"].value == 0
    assert result.metrics["shipped_orders"].value == 59
    assert result.details["population"] == "1 cancelled order left out (not live)"


def test_late_shipments_date_only_promise_keeps_the_due_day():
    """A promise loaded as the end of its day: a parcel leaving that afternoon is on time;
    the SLA due time keeps the order's time of day (no midnight of its own)."""
    orders, shipments = shipped_orders([False] * 60)
    orders = orders.assign(promised_ship_by=pd.Series(
        [pd.Timestamp("2026-07-08 23:59:59.999999")] * 60, dtype="datetime64[us]"))
    shipments = shipments.assign(shipped_at=pd.Series(
        [pd.Timestamp("2026-07-08 16:00")] * 60, dtype="datetime64[us]"))
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    assert result.metrics["late_rate"].value == 0.0
    no_promise = orders.drop(columns="promised_ship_by")
    shipments = shipments.assign(shipped_at=pd.Series(
        [MONDAY + pd.Timedelta(days=2, minutes=1)] * 60, dtype="datetime64[us]"))
    result = late_shipments(make_data(orders=no_promise, shipments=shipments))
    assert result.metrics["late_rate"].value == 1.0  # due Wednesday 10:00, left 10:01


def test_late_flags_read_an_untyped_empty_promise_column_as_no_promise():
    """An all-empty promised_ship_by of object dtype falls back to the 2-business-day SLA."""
    orders, shipments = shipped_orders([True] + [False] * 9)
    orders = orders.assign(promised_ship_by=None)
    result = late_shipments(make_data(orders=orders, shipments=shipments))
    # due Wednesday 10:00 either way: the Friday shipment is still the only late one
    assert result.metrics["late_rate"].value == pytest.approx(0.10)
    assert result.evidence["days_late"].iloc[0] == pytest.approx(2.0)


# -- data_defects_drive_delays -------------------------------------------------------------

def test_defects_equal_late_rates_pass():
    """Defective and clean orders late equally often give a lift of 1 and PASS."""
    result = data_defects_drive_delays(defect_cohorts((10, 1), (10, 1)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(1.0)
    assert result.metrics["defect_share_of_late"].value == pytest.approx(0.5)
    assert result.status is Status.PASS


def test_defects_lift_of_two_warns():
    """Defective orders late twice as often: lift 2.0, lower bound 1.60 >= 1.5: WARN."""
    result = data_defects_drive_delays(defect_cohorts((1000, 200), (1000, 100)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(2.0)
    assert result.metrics["late_rate_defective"].value == pytest.approx(0.2)
    assert result.metrics["late_rate_clean"].value == pytest.approx(0.1)
    assert result.status is Status.WARN


def test_defects_lift_of_three_fails_with_late_defective_orders_as_evidence():
    """Lift 3.0 with a lower bound 2.59 FAILs; evidence lists the late defective orders."""
    result = data_defects_drive_delays(defect_cohorts((2000, 600), (2000, 200)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(3.0)
    assert result.metrics["defect_share_of_late"].value == pytest.approx(0.75)
    assert result.status is Status.FAIL
    assert result.evidence_id == "order_id"
    assert list(result.evidence.columns[:2]) == ["order_id", "defects"]
    assert sorted(result.evidence["order_id"]) == sorted(f"d{i}" for i in range(600))
    assert set(result.evidence["defects"]) == {"manual edit"}


def test_defects_lift_from_four_late_orders_is_too_few_to_judge():
    """4 late of 50 defective (8%) vs 20 of 1,000 clean (2%): lift 4.0 from 4 late orders
    while the company's late rate is 2.3%: PASS "too few to judge", never an alarm."""
    result = data_defects_drive_delays(defect_cohorts((50, 4), (1000, 20)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(4.0)
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge: 4 late orders with a defect (at least 10 "
                                "needed)")


def test_defects_lift_judged_on_its_lower_bound():
    """12 late of 100 defective vs 50 of 1,000 clean: lift 2.4 but the Katz lower bound is
    1.32: PASS, said so."""
    result = data_defects_drive_delays(defect_cohorts((100, 12), (1000, 50)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(2.4)
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge: lift 2.40x, 95% interval 1.32x to 4.35x, "
                                "which does not rule out 1.50x")


def test_defects_impact_is_not_added_to_the_total():
    """The defective late orders' dollars are inside late_shipments, so in_total is False."""
    result = data_defects_drive_delays(defect_cohorts((10, 3), (10, 1)))
    impact = result.impact
    assert impact.in_total is False
    assert 0 < impact.low <= impact.base <= impact.high
    assert "late_shipments" in impact.note


def test_defects_lift_is_a_lower_bound_when_no_clean_order_is_late():
    """No late clean order: the clean rate is one order in the clean ones (2/4 ÷ 1/10 = 5);
    two late orders are too few to judge."""
    result = data_defects_drive_delays(defect_cohorts((4, 2), (10, 0)))
    assert result.metrics["late_rate_lift"].value == pytest.approx(5.0)
    assert result.metrics["late_rate_clean"].value == 0.0
    assert "lower bound" in result.metrics["late_rate_lift"].label
    assert result.status is Status.PASS
    assert result.judgement.startswith("too few to judge: 2 late orders with a defect")


def test_defects_no_late_orders_give_zero_lift():
    """With no late order at all the lift is 0 and the check passes."""
    result = data_defects_drive_delays(defect_cohorts((5, 0), (5, 0)))
    assert result.metrics["late_rate_lift"].value == 0.0
    assert result.status is Status.PASS


def test_defects_read_unknown_skus_weights_and_corrected_addresses():
    """Unknown SKU, zero or missing weight, and a corrected address each mark an order."""
    orders, shipments = shipped_orders([True, True, True, True, False, False])
    shipments = shipments.assign(address_corrected=pd.array(
        [False, False, False, True, False, None], dtype="boolean"))
    lines = table("order_lines", order_id=["o0", "o1", "o2", "o3", "o4", "o5"],
                  sku=["GHOST", "LIGHT", "NOWT", "OK", "OK", "OK"],
                  quantity=[1.0] * 6, unit_price=[10.0] * 6)
    products = table("products", sku=["LIGHT", "NOWT", "OK"], weight=[0.0, None, 1.0])
    result = data_defects_drive_delays(make_data(orders=orders, shipments=shipments,
                                                 order_lines=lines, products=products))
    words = dict(zip(result.evidence["order_id"], result.evidence["defects"], strict=True))
    assert words == {"o0": "SKU not in products", "o1": "product without weight",
                     "o2": "product without weight", "o3": "address corrected"}
    # 4 of 4 defective orders late; 0 of 2 clean late -> 1.0 ÷ (1/2) = 2.0 (lower bound)
    assert result.metrics["late_rate_lift"].value == pytest.approx(2.0)
    assert result.status is Status.PASS  # 4 late orders with a defect: too few to judge


def test_defects_absent_weight_column_is_not_a_defect():
    """A products export without weights does not mark every order as weightless."""
    orders, shipments = shipped_orders([True, False])
    lines = table("order_lines", order_id=["o0", "o1"], sku=["A", "B"], quantity=[1.0, 1.0],
                  unit_price=[5.0, 5.0])
    products = table("products", sku=["A"])
    result = data_defects_drive_delays(make_data(orders=orders, shipments=shipments,
                                                 order_lines=lines, products=products))
    assert result.details["defects_assessed"] == ["SKU not in products"]
    assert list(result.evidence["order_id"]) == []
    assert result.metrics["defective_orders"].value == 1


def test_defects_without_any_defect_source_is_not_assessable():
    """Orders and shipments alone cannot show a data defect: NOT_ASSESSABLE, not PASS."""
    orders, shipments = shipped_orders([True, False])
    result = run_check(data_defects_drive_delays.spec,
                       make_data(orders=orders, shipments=shipments))
    assert result.status is Status.NOT_ASSESSABLE
    assert "order lines and products" in result.data_request


def test_defects_every_order_defective_is_not_assessable():
    """Without clean orders there is nothing to compare with: NOT_ASSESSABLE."""
    result = run_check(data_defects_drive_delays.spec, defect_cohorts((3, 1), (0, 0)))
    assert result.status is Status.NOT_ASSESSABLE


def test_defects_missing_shipments_is_not_assessable():
    """No shipments table: NOT_ASSESSABLE with a data request naming shipments."""
    orders, _ = shipped_orders([True])
    result = run_check(data_defects_drive_delays.spec, make_data(orders=orders))
    assert result.status is Status.NOT_ASSESSABLE
    assert "shipments" in result.data_request


# -- order_to_ship_time --------------------------------------------------------------------

def waits(ordered_at: list[str], shipped_at: list[str]) -> CheckData:
    ids = [f"o{i}" for i in range(len(ordered_at))]
    return make_data(orders=table("orders", order_id=ids, ordered_at=ordered_at),
                     shipments=table("shipments", order_id=ids, shipped_at=shipped_at))


def test_ship_time_one_business_day_passes():
    """Orders shipped 24 hours later on weekdays: p90 of 1.0 business day, PASS."""
    result = order_to_ship_time(waits(["2026-07-06 08:00"] * 3, ["2026-07-07 08:00"] * 3))
    assert result.metrics["p90_business_days"].value == pytest.approx(1.0)
    assert result.metrics["p50_business_days"].value == pytest.approx(1.0)
    assert result.status is Status.PASS
    assert len(result.evidence) == 0


def test_ship_time_two_and_a_half_days_warns():
    """Monday 08:00 to Wednesday 20:00 is 2.5 business days: WARN (>= 2)."""
    result = order_to_ship_time(waits(["2026-07-06 08:00"] * 2, ["2026-07-08 20:00"] * 2),
                                min_evidence=2)
    assert result.metrics["p90_business_days"].value == pytest.approx(2.5)
    assert result.status is Status.WARN


def test_ship_time_weekend_hours_do_not_count_and_four_days_fail():
    """Friday 08:00 to Thursday 08:00 is 6 calendar but 4 business days: FAIL (>= 3)."""
    result = order_to_ship_time(waits(["2026-07-10 08:00"], ["2026-07-16 08:00"]),
                                min_evidence=1)
    assert result.metrics["p90_business_days"].value == pytest.approx(4.0)
    assert result.status is Status.FAIL
    assert list(result.evidence["order_id"]) == ["o0"]


def test_ship_time_few_orders_are_too_few_to_judge():
    """A 4-day p90 from one order, below the minimum of 50 shipped orders: PASS, said so."""
    result = order_to_ship_time(waits(["2026-07-10 08:00"], ["2026-07-16 08:00"]))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 1 shipped orders (at least 50 needed)"


def test_ship_time_weekend_order_starts_counting_monday():
    """An order placed Saturday and shipped Monday 12:00 waited 0.5 business days."""
    result = order_to_ship_time(waits(["2026-07-11 09:00"], ["2026-07-13 12:00"]))
    assert result.metrics["p90_business_days"].value == pytest.approx(0.5)


def test_ship_time_p90_interpolates_and_evidence_is_the_slow_tail():
    """Nine 1-day orders and one 4-day order: p90 = 1 + 0.1 × 3 = 1.3; evidence the slow one."""
    ordered = ["2026-07-06 08:00"] * 9 + ["2026-07-10 08:00"]
    shipped = ["2026-07-07 08:00"] * 9 + ["2026-07-16 08:00"]
    result = order_to_ship_time(waits(ordered, shipped))
    assert result.metrics["p90_business_days"].value == pytest.approx(1.3)
    assert result.status is Status.PASS
    assert list(result.evidence["order_id"]) == ["o9"]
    assert result.evidence["business_days"].iloc[0] == pytest.approx(4.0)


def test_ship_time_uses_first_shipment_and_splits_by_channel():
    """A later reship does not lengthen the wait; the channel split is in details."""
    data = make_data(
        orders=table("orders", order_id=["a", "b"], ordered_at=["2026-07-06 08:00"] * 2,
                     channel=["web", "amazon"]),
        shipments=table("shipments", order_id=["a", "a", "b"],
                        shipped_at=["2026-07-07 08:00", "2026-07-20 08:00",
                                    "2026-07-09 08:00"]))
    result = order_to_ship_time(data)
    assert result.metrics["p90_business_days"].value == pytest.approx(1 + 0.9 * 2)
    by_channel = result.details["by_channel"]
    assert list(by_channel["channel"]) == ["amazon", "web"]
    assert list(by_channel["p90_business_days"]) == pytest.approx([3.0, 1.0])


def test_ship_time_has_no_impact_of_its_own():
    """The money of slow orders is counted by late_shipments."""
    result = order_to_ship_time(waits(["2026-07-10 08:00"], ["2026-07-16 08:00"]))
    assert result.impact.in_total is False
    assert result.impact.base == 0.0


def test_ship_time_without_shipments_is_not_assessable():
    """No shipments table: NOT_ASSESSABLE."""
    orders = table("orders", order_id=["a"], ordered_at=["2026-07-06 08:00"])
    result = run_check(order_to_ship_time.spec, make_data(orders=orders))
    assert result.status is Status.NOT_ASSESSABLE


def test_ship_time_no_shipped_order_in_period_is_not_assessable():
    """Shipments that belong to no order of the period cannot answer: NOT_ASSESSABLE."""
    data = waits(["2026-06-01 08:00"], ["2026-06-02 08:00"])
    result = run_check(order_to_ship_time.spec, data)
    assert result.status is Status.NOT_ASSESSABLE


# -- address_exceptions --------------------------------------------------------------------

def exception_data(n: int, corrected: int = 0, reships: int = 0,
                   returned: list[tuple[str, str]] = ()) -> CheckData:
    """``n`` shipments in the period, the first ones corrected or reshipped, plus returns."""
    ids = [f"o{i}" for i in range(n)]
    shipments = table("shipments", order_id=ids, shipped_at=[MONDAY] * n,
                      shipment_id=[f"s{i}" for i in range(n)],
                      address_corrected=[i < corrected for i in range(n)],
                      reship=[i < reships for i in range(n)])
    returns = table("returns", order_id=[r[0] for r in returned],
                    returned_at=[r[1] for r in returned],
                    reason=["Return to sender"] * len(returned))
    return make_data(shipments=shipments, returns=returns)


def test_address_exceptions_half_a_percent_passes():
    """1 correction in 200 shipments is 0.5%: PASS."""
    result = address_exceptions(exception_data(200, corrected=1))
    assert result.metrics["exception_rate"].value == pytest.approx(0.005)
    assert result.status is Status.PASS


def test_address_exceptions_one_percent_of_a_hundred_is_too_few_to_judge():
    """1 correction in 100 shipments is 1%, but the interval reaches 0.18%: PASS, said so."""
    result = address_exceptions(exception_data(100, corrected=1))
    assert result.metrics["exception_rate"].value == pytest.approx(0.01)
    assert result.status is Status.PASS
    assert result.judgement.startswith("too few to judge: 1 of 100 shipments (1.0%)")


def test_address_exceptions_two_percent_of_two_thousand_warns():
    """40 corrections in 2,000 shipments is 2% (lower bound 1.5%): WARN."""
    result = address_exceptions(exception_data(2000, corrected=40))
    assert result.metrics["exception_rate"].value == pytest.approx(0.02)
    assert result.status is Status.WARN


def test_address_exceptions_sum_corrections_reships_and_returns_to_sender():
    """A corrected-and-reshipped shipment counts twice, plus a return to sender: 3 in 100
    is 3%, judged on its lower bound 1.0%: WARN, said so."""
    result = address_exceptions(exception_data(
        100, corrected=1, reships=1,
        returned=[("o5", "2026-07-20"), ("o6", "2026-06-20")]))  # June is outside
    assert result.metrics["exception_rate"].value == pytest.approx(0.03)
    assert result.metrics["returns_to_sender"].value == 1
    assert result.status is Status.WARN
    assert result.judgement.startswith("judged on the bound: 3 of 100 shipments (3.0%)")
    assert list(result.evidence["order_id"]) == ["o0", "o0", "o5"]
    assert list(result.evidence["exception"]) == ["address_corrected", "reship",
                                                  "return_to_sender"]


def test_address_exceptions_impact_is_exceptions_a_year_times_cost():
    """3 exceptions in 92 days × 365/92 × $12 / $25 / $45."""
    result = address_exceptions(exception_data(100, corrected=1, reships=1,
                                               returned=[("o5", "2026-07-20")]))
    a_year = 3 * 365 / DAYS
    assert result.impact.low == pytest.approx(a_year * 12, abs=0.01)
    assert result.impact.base == pytest.approx(a_year * 25, abs=0.01)
    assert result.impact.high == pytest.approx(a_year * 45, abs=0.01)


def test_address_exceptions_shipments_outside_period_are_not_counted():
    """Only shipments of the period are in the denominator and the numerator."""
    data = exception_data(100, corrected=1)
    shipments = data["shipments"].assign(shipped_at=pd.Series(
        [pd.Timestamp("2026-06-15")] + [MONDAY] * 99, dtype="datetime64[us]"))
    result = address_exceptions(make_data(shipments=shipments))
    assert result.metrics["exception_rate"].value == 0.0
    assert result.metrics["shipments"].value == 99


def test_address_exceptions_without_any_signal_is_not_assessable():
    """Shipments without correction or reship columns and no returns: NOT_ASSESSABLE."""
    shipments = table("shipments", order_id=["a"], shipped_at=[MONDAY])
    result = run_check(address_exceptions.spec, make_data(shipments=shipments))
    assert result.status is Status.NOT_ASSESSABLE
    assert "address-corrected" in result.data_request


def test_address_exceptions_all_null_flags_are_not_assessable():
    """Flags exported but all empty carry no signal: NOT_ASSESSABLE."""
    shipments = table("shipments", order_id=["a"], shipped_at=[MONDAY],
                      address_corrected=[None], reship=[None])
    result = run_check(address_exceptions.spec, make_data(shipments=shipments))
    assert result.status is Status.NOT_ASSESSABLE


def test_address_exceptions_missing_shipments_is_not_assessable():
    """No shipments table: NOT_ASSESSABLE."""
    result = run_check(address_exceptions.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE


# -- shipping_cost_recovery ----------------------------------------------------------------

def shipping_data(label_cost: float, charged: float = 5.0, n: int = 50) -> CheckData:
    """``n`` orders of $100 paying ``charged`` shipping, each with one label of ``label_cost``.

    Revenue of an order is its total net of shipping charged: $100 − ``charged``.
    """
    ids = [f"o{i}" for i in range(n)]
    orders = table("orders", order_id=ids, ordered_at=[MONDAY] * n, total=[100.0] * n,
                   shipping_charged=[charged] * n)
    shipments = table("shipments", order_id=ids, shipped_at=[MONDAY] * n,
                      shipping_cost=[label_cost] * n)
    return make_data(orders=orders, shipments=shipments)


def test_shipping_subsidy_two_percent_passes():
    """Labels $7 vs $5 charged on $95 of revenue: subsidy 2.1%: PASS."""
    result = shipping_cost_recovery(shipping_data(7.0))
    assert result.metrics["subsidy_share"].value == pytest.approx(2 / 95)
    assert result.metrics["revenue"].value == pytest.approx(50 * 95.0)
    assert result.status is Status.PASS


def test_shipping_subsidy_four_percent_warns():
    """Labels $9 vs $5 charged: 4.2%: WARN."""
    result = shipping_cost_recovery(shipping_data(9.0))
    assert result.metrics["subsidy_share"].value == pytest.approx(4 / 95)
    assert result.status is Status.WARN


def test_shipping_subsidy_seven_percent_fails_with_impact():
    """Labels $12 vs $5: 7.4% FAIL; impact = $350 × 365/92 × 50% / 100% / 100%."""
    result = shipping_cost_recovery(shipping_data(12.0))
    assert result.metrics["subsidy_share"].value == pytest.approx(7 / 95)
    assert result.metrics["net_subsidy"].value == pytest.approx(350.0)
    assert result.status is Status.FAIL
    a_year = 350 * 365 / DAYS
    assert result.impact.low == pytest.approx(a_year / 2, abs=0.01)
    assert result.impact.base == pytest.approx(a_year, abs=0.01)
    assert result.impact.high == pytest.approx(a_year, abs=0.01)
    assert len(result.evidence) == 50
    assert result.evidence.columns[0] == "order_id"


def test_free_shipping_offer_is_planned_and_shown_apart():
    """Web ships free from $100 (30 orders, $12 labels) and charges $5 below it (30 orders,
    $7 labels): the $360 of the offer is planned, outside the base; the $60 undercharge is
    the unplanned subsidy the base prices."""
    ids = [f"o{i}" for i in range(60)]
    orders = table("orders", order_id=ids, ordered_at=[MONDAY] * 60, channel=["web"] * 60,
                   subtotal=[50.0] * 30 + [150.0] * 30, total=[55.0] * 30 + [150.0] * 30,
                   shipping_charged=[5.0] * 30 + [0.0] * 30)
    shipments = table("shipments", order_id=ids, shipped_at=[MONDAY] * 60,
                      shipping_cost=[7.0] * 30 + [12.0] * 30)
    result = shipping_cost_recovery(make_data(orders=orders, shipments=shipments))
    assert result.metrics["net_subsidy"].value == pytest.approx(60.0 + 360.0)
    assert result.metrics["planned_subsidy"].value == pytest.approx(360.0)
    a_year = 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(30 * a_year, 2), round(60 * a_year, 2), round(420 * a_year, 2)), abs=0.01)
    assert result.impact.assumptions["free-shipping offers (planned, shown apart)"] == (
        "web: free from $150.00")


def test_shipping_subsidy_few_orders_are_too_few_to_judge():
    """A 7.4% subsidy over 10 orders, below the minimum of 50: PASS, said so."""
    result = shipping_cost_recovery(shipping_data(12.0, n=10))
    assert result.metrics["subsidy_share"].value == pytest.approx(7 / 95)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 orders (at least 50 needed)"


def test_shipping_subsidy_counts_all_parcels_missing_values_and_unshipped_orders():
    """Split parcels add up, a null charge is 0, an unshipped order adds its charge only."""
    orders = table("orders", order_id=["a", "b", "c"], ordered_at=[MONDAY] * 3,
                   total=[100.0, 100.0, 100.0], shipping_charged=[None, 5.0, 5.0])
    shipments = table("shipments", order_id=["a", "a", "b"], shipped_at=[MONDAY] * 3,
                      shipping_cost=[6.0, 4.0, None])
    result = shipping_cost_recovery(make_data(orders=orders, shipments=shipments))
    # cost 10 − charged 10 = 0
    assert result.metrics["subsidy_share"].value == pytest.approx(0.0)
    assert list(result.evidence["order_id"]) == ["a"]
    assert result.impact.base == 0.0


def test_shipping_evidence_flags_orders_with_weightless_products():
    """Evidence marks orders whose products have no weight in the catalog."""
    data = shipping_data(12.0, n=2)
    lines = table("order_lines", order_id=["o0", "o1"], sku=["HEAVY", "OK"],
                  quantity=[1.0, 1.0], unit_price=[90.0, 90.0])
    products = table("products", sku=["HEAVY", "OK"], weight=[0.0, 2.0])
    result = shipping_cost_recovery(make_data(**data.tables, order_lines=lines,
                                              products=products))
    flags = dict(zip(result.evidence["order_id"], result.evidence["catalog_weight_missing"],
                     strict=True))
    assert flags == {"o0": True, "o1": False}


def test_shipping_without_label_costs_is_not_assessable():
    """Shipments without shipping_cost cannot show a subsidy: NOT_ASSESSABLE."""
    data = shipping_data(5.0)
    shipments = data["shipments"].drop(columns="shipping_cost")
    result = run_check(shipping_cost_recovery.spec,
                       make_data(orders=data["orders"], shipments=shipments))
    assert result.status is Status.NOT_ASSESSABLE
    assert "shipping_cost" in result.data_request


# -- fulfillment_errors --------------------------------------------------------------------

def error_data(n: int, returned: list[tuple[str, str, str]]) -> CheckData:
    """``n`` shipped orders of the period and returns (order_id, returned_at, reason)."""
    ids = [f"o{i}" for i in range(n)]
    shipments = table("shipments", order_id=ids, shipped_at=[MONDAY] * n)
    returns = table("returns", order_id=[r[0] for r in returned],
                    returned_at=[r[1] for r in returned], reason=[r[2] for r in returned],
                    sku=["A"] * len(returned), refund_amount=[10.0] * len(returned))
    return make_data(shipments=shipments, returns=returns)


def test_errors_other_reasons_do_not_count_and_pass():
    """Damaged and changed-mind returns are not picking errors: 0% PASS."""
    result = fulfillment_errors(error_data(200, [("o1", "2026-07-10", "damaged"),
                                                 ("o2", "2026-07-10", "changed_mind")]))
    assert result.metrics["error_rate"].value == 0.0
    assert result.status is Status.PASS


def test_errors_one_in_two_hundred_is_too_few_to_judge():
    """One wrong-item order in 200 shipped is 0.5%, its interval reaches 0.09%: PASS."""
    result = fulfillment_errors(error_data(200, [("o1", "2026-07-10", "wrong_item")]))
    assert result.metrics["error_rate"].value == pytest.approx(0.005)
    assert result.status is Status.PASS
    assert result.judgement.startswith("too few to judge: 1 of 200 shipped orders")


def test_errors_one_percent_of_two_thousand_warns():
    """20 wrong-item orders in 2,000 shipped is 1% (lower bound 0.65%): WARN."""
    returned = [(f"o{i}", "2026-07-10", "wrong_item") for i in range(20)]
    result = fulfillment_errors(error_data(2000, returned))
    assert result.metrics["error_rate"].value == pytest.approx(0.01)
    assert result.status is Status.WARN


def test_errors_count_distinct_orders_in_period_and_fail():
    """Two returns of one order count once; spelling variants match; June returns do not:
    40 orders in 2,000 is 2% (lower bound 1.5%): FAIL."""
    returned = [(f"o{i}", "2026-07-10", "wrong_item") for i in range(3, 41)] + [
        ("o1", "2026-07-10", "wrong_item"), ("o1", "2026-07-11", "Missing item"),
        ("o2", "2026-08-01", "missing-item"), ("o0", "2026-06-20", "wrong_item")]
    result = fulfillment_errors(error_data(2000, returned))
    assert result.metrics["error_orders"].value == 40
    assert result.metrics["error_rate"].value == pytest.approx(0.02)
    assert result.status is Status.FAIL
    assert "o0" not in set(result.evidence["order_id"])
    assert result.evidence.columns[0] == "order_id"


def test_errors_impact_is_error_orders_a_year_times_cost():
    """2 orders in 92 days × 365/92 × $20 / $40 / $80."""
    result = fulfillment_errors(error_data(200, [("o1", "2026-07-10", "wrong_item"),
                                                 ("o2", "2026-07-10", "missing_item")]))
    a_year = 2 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (a_year * 20, a_year * 40, a_year * 80), abs=0.01)


def test_errors_without_returns_is_not_assessable():
    """No returns table: NOT_ASSESSABLE naming the returns export."""
    data = error_data(10, [])
    result = run_check(fulfillment_errors.spec, make_data(shipments=data["shipments"]))
    assert result.status is Status.NOT_ASSESSABLE
    assert "returns" in result.data_request


def test_errors_without_shipments_in_period_is_not_assessable():
    """Shipments that all fall outside the period cannot be a denominator."""
    shipments = table("shipments", order_id=["a"], shipped_at=["2026-05-01"])
    returns = table("returns", order_id=["a"], returned_at=["2026-07-02"],
                    reason=["wrong_item"])
    result = run_check(fulfillment_errors.spec, make_data(shipments=shipments,
                                                          returns=returns))
    assert result.status is Status.NOT_ASSESSABLE


# -- robustness ----------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [
    data_defects_drive_delays.spec, order_to_ship_time.spec, address_exceptions.spec,
    shipping_cost_recovery.spec, fulfillment_errors.spec])
def test_single_row_with_optional_columns_null_never_errors(spec):
    """One order, one shipment, one return, all optional columns null: no ERROR."""
    data = make_data(
        orders=table("orders", order_id=["a"], ordered_at=[MONDAY], total=[50.0],
                     shipping_charged=[None], promised_ship_by=[None], channel=[None]),
        shipments=table("shipments", order_id=["a"], shipped_at=[MONDAY],
                        shipping_cost=[3.0], address_corrected=[None], reship=[None]),
        returns=table("returns", order_id=["a"], returned_at=[MONDAY], reason=["x"]),
        order_events=table("order_events", order_id=["a"], at=[MONDAY], event=["edited"],
                           manual=[False]))
    result = run_check(spec, data)
    assert result.status in (Status.PASS, Status.NOT_ASSESSABLE)


@pytest.mark.parametrize("spec", [
    data_defects_drive_delays.spec, order_to_ship_time.spec, address_exceptions.spec,
    shipping_cost_recovery.spec, fulfillment_errors.spec])
def test_empty_tables_are_not_assessable(spec):
    """Empty tables with their columns: NOT_ASSESSABLE, never ERROR."""
    data = make_data(**{name: table(name, **{c: [] for c in columns})
                        for name, columns in spec.needs.items()})
    assert run_check(spec, data).status is Status.NOT_ASSESSABLE


def test_late_order_cost_says_which_assumptions_it_used():
    """An average order value set in engagement.yaml wins and is named as the source; the
    gross margin without costs on file is the default assumption."""
    from dataclasses import replace

    from opskit.assumptions import resolve

    orders, shipments = shipped_orders([i < 45 for i in range(300)])
    orders = orders.assign(total=pd.Series([80.0] * 300, dtype="float64"))
    data = make_data(orders=orders, shipments=shipments)
    derived = late_shipments(data).impact.assumptions
    assert derived["average order value"] == "$80.00 (live orders of the period)"
    assert derived["gross margin"] == "40.0% (default assumption)"
    explicit = replace(data, assumptions=resolve({"average_order_value": 120}))
    words = late_shipments(explicit).impact.assumptions
    assert words["average order value"] == "$120.00 (engagement.yaml)"


# -- cause charts ----------------------------------------------------------------------------

def test_late_chart_is_the_weekly_late_rate_by_warehouse():
    """The late chart is the late rate per week ordered and warehouse, with warn and fail."""
    orders, shipments = shipped_orders([True, False, False, False, True, True])
    later = orders.index >= 4
    for frame, column in ((orders, "ordered_at"), (orders, "promised_ship_by"),
                          (shipments, "shipped_at")):
        frame.loc[later, column] += pd.Timedelta(days=7)
    shipments["warehouse"] = pd.Series(["Reno"] * 4 + ["Edison"] * 2, dtype="str")
    chart = late_shipments(make_data(orders=orders, shipments=shipments)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == (
        "lines", "period", "late_rate", "warehouse")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-07-06"), "Reno", 1, 4, 0.25],
        [pd.Timestamp("2026-07-13"), "Edison", 2, 2, 1.0]]
    assert chart.marks == ((0.04, "warn"), (0.08, "fail"))
    assert chart.note == ("50.0% of shipped orders left late; the worst week was the one "
                          "starting 13 Jul 2026 at Edison, at 100.0% (2 of 2).")


def test_defect_chart_compares_late_rates_with_intervals():
    """Orders with a manual edit are late 10 of 20 (95% interval 29.9%-70.1%), clean ones
    4 of 40: one bar per defect, any defect and clean orders."""
    chart = data_defects_drive_delays(defect_cohorts((20, 10), (40, 4))).chart
    assert (chart.kind, chart.low, chart.high) == ("bars", "low", "high")
    assert chart.data["orders"].tolist() == ["manual edit", "any data defect", "clean orders"]
    assert chart.data["late_rate"].tolist() == [0.5, 0.5, 0.1]
    assert chart.data[["late_orders", "shipped_orders"]].values.tolist() == [
        [10, 20], [10, 20], [4, 40]]
    assert chart.data["low"].round(4).tolist() == [0.2993, 0.2993, 0.0396]
    assert chart.data["high"].round(4).tolist() == [0.7007, 0.7007, 0.2305]
    assert chart.note == ("Orders with a data defect are late 50.0% of the time (95% interval "
                          "29.9%–70.1%), clean ones 10.0% (4.0%–23.1%).")


def test_wait_chart_bins_business_days_with_p90_mark():
    """Waits of 0.5, 1 and 3 business days fall in the half-day bins at 0.5, 1.0 and 3.0."""
    data = waits(["2026-07-06 10:00", "2026-07-06 10:00", "2026-07-06 10:00"],
                 ["2026-07-06 22:00", "2026-07-07 10:00", "2026-07-09 10:00"])
    result = order_to_ship_time(data)
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.x_unit) == ("histogram", "mid", "orders", "days")
    assert chart.data["bin"].tolist() == [i / 2 for i in range(12)]
    assert chart.data["orders"].tolist() == [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    p90 = result.metrics["p90_business_days"].value
    assert chart.marks == ((2.0, "warn"), (3.0, "fail"), (p90, "p90"))
    assert chart.note == ("Half the orders shipped within 1.0 business days and nine in ten "
                          "within 2.6.")


def test_exception_chart_stacks_kinds_per_week():
    """3 corrections, 1 reship and 1 return to sender in 200 shipments of one week."""
    chart = address_exceptions(exception_data(200, corrected=3, reships=1,
                                              returned=[("o5", "2026-07-07")])).chart
    assert (chart.kind, chart.series) == ("stacked", "exception")
    assert chart.data[["exception", "exceptions", "shipments"]].values.tolist() == [
        ["address corrected", 3, 200], ["reship", 1, 200], ["return to sender", 1, 200]]
    assert chart.data["exception_rate"].tolist() == [0.015, 0.005, 0.005]
    assert chart.note == ("2.5% of shipments had an address exception (3 address corrected, "
                          "1 reship, 1 return to sender).")


def test_shipping_chart_sets_label_cost_against_charged():
    """50 labels of $7 against $5 charged: $350 against $250 in the one week."""
    chart = shipping_cost_recovery(shipping_data(7.0)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("bars", "money", "$")
    assert chart.data[["money", "amount"]].values.tolist() == [
        ["label cost", 350.0], ["charged to customers", 250.0]]
    assert chart.note == ("Labels cost $350 and customers paid $250 for shipping: a net "
                          "subsidy of $100.")


def test_error_chart_counts_each_order_once_in_its_ship_week():
    """o1 returned twice (wrong, then missing) counts once as wrong; o2 missing: 1 each of
    200 orders shipped that week."""
    chart = fulfillment_errors(error_data(200, [("o1", "2026-07-10", "wrong_item"),
                                                ("o1", "2026-07-11", "missing_item"),
                                                ("o2", "2026-07-14", "Missing item")])).chart
    assert (chart.kind, chart.series) == ("stacked", "reason")
    assert chart.data[["reason", "orders", "shipped_orders", "error_rate"]].values.tolist() == [
        ["wrong item", 1, 200, 0.005], ["missing item", 1, 200, 0.005]]
    assert chart.note == ("2 of 200 shipped orders came back with a wrong or missing item "
                          "(1.00%); the most frequent SKU is A (2).")


def test_late_chart_is_absent_when_no_order_of_the_period_shipped():
    """Orders whose parcels are not in the export: nothing to draw, no crash."""
    orders, _ = shipped_orders([False, False])
    _, others = shipped_orders([False], prefix="x")
    result = late_shipments(make_data(orders=orders, shipments=others))
    assert result.status is Status.PASS and result.metrics["shipped_orders"].value == 0
    assert result.chart is None


def test_late_chart_keeps_the_six_busiest_warehouses_apart():
    """Eight warehouses: the six with most orders get a line each, the other two share one."""
    orders, shipments = shipped_orders([False] * 20)
    names = ["W1"] * 6 + ["W2", "W3", "W4", "W5", "W6"] * 2 + ["W7", "W8", "W7", "W8"]
    shipments["warehouse"] = pd.Series(names, dtype="str")
    chart = late_shipments(make_data(orders=orders, shipments=shipments)).chart
    assert chart.data[["warehouse", "shipped_orders"]].values.tolist() == [
        ["W1", 6], ["W2", 2], ["W3", 2], ["W4", 2], ["W5", 2], ["W6", 2],
        ["other warehouses", 4]]


def test_late_chart_splits_queue_and_carrier_days_when_deliveries_are_known():
    """Late orders wait 4 days in our queue and travel 3, on-time ones wait 1 and travel 2;
    an order without a delivery date is said to be left out of the picture."""
    orders, shipments = shipped_orders([True, False, False])
    transit = pd.Series([pd.Timedelta(days=3), pd.Timedelta(days=2), pd.NaT])
    shipments["delivered_at"] = shipments["shipped_at"] + transit
    chart = late_shipments(make_data(orders=orders, shipments=shipments)).chart
    assert (chart.kind, chart.x, chart.series, chart.y_unit) == (
        "stacked", "orders", "time", "days")
    assert chart.data.values.tolist() == [
        ["late orders", "in our queue", 4.0, 1], ["late orders", "with the carrier", 3.0, 1],
        ["on-time orders", "in our queue", 1.0, 1],
        ["on-time orders", "with the carrier", 2.0, 1]]
    assert chart.note == ("Late orders waited 4.0 days in our queue and 3.0 with the carrier; "
                          "on-time orders 1.0 and 2.0. 1 order without a delivery date is "
                          "not drawn.")
