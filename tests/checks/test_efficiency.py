"""Exact-value tests of the efficiency checks on small hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, MONTHS, make_data, rows_table

from opskit.assumptions import resolve
from opskit.checks.efficiency import (
    automation_candidates,
    manual_touches,
    ops_headcount_vs_growth,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check

# -- efficiency.automation_candidates -----------------------------------------------------

def task(name: str, hours: float, *, category: str = "data_entry", person: str = "Ann",
         recurring: bool | None = True, on: str = "2026-08-03", system: str | None = None,
         target: str | None = None) -> dict:
    return {"person": person, "task": name, "performed_on": on, "minutes": hours * 60,
            "category": category, "recurring": recurring, "system": system,
            "target_system": target}


def spread(name: str, hours: float, entries: int = 4, **kwargs) -> list[dict]:
    """``hours`` of one task logged as ``entries`` equal time entries on successive days."""
    return [task(name, hours / entries, on=f"2026-08-{i + 3:02d}", **kwargs)
            for i in range(entries)]


def background() -> list[dict]:
    """Work that never counts: not rule-based, not recurring, or outside the period."""
    return [task("Answer emails", 500, category="customer_service"),
            task("Order entry", 500, recurring=False),
            task("Order entry", 500, on="2026-06-30")]


def test_automation_pass_under_ten_hours_a_month():
    """The largest rule-based task at 20 h over 92 days (6.6 h/month) is PASS."""
    tasks = rows_table("tasks", [*background(), task("Order entry", 20),
                                 task("Recon", 5, category="reconciliation")])
    result = automation_candidates(make_data(tasks=tasks))
    assert result.status is Status.PASS
    assert result.metrics["top_task_hours_per_month"].value == pytest.approx(20 / MONTHS)
    assert result.evidence.empty
    assert result.impact.base == 0


def test_automation_warn_groups_task_names_case_insensitively():
    """'Weekly report' 20 h + 'weekly REPORT' 15 h by two people = 11.6 h/month: WARN."""
    tasks = rows_table("tasks", [*background(),
                                 *spread("Weekly report", 20, category="reporting"),
                                 *spread("weekly REPORT", 15, category="reporting",
                                         person="Bo")])
    result = automation_candidates(make_data(tasks=tasks))
    assert result.status is Status.WARN
    assert result.metrics["top_task_hours_per_month"].value == pytest.approx(35 / MONTHS)
    assert result.evidence["task"].tolist() == ["Weekly report"]
    assert result.evidence["people"].tolist() == ["Ann; Bo"]


def test_automation_fail_and_impact_of_the_candidates():
    """130 h (43 h/month) FAILs; impact = candidate hours/month × 12 × hourly × capture."""
    tasks = rows_table("tasks", [*background(), *spread("Order entry", 130),
                                 *spread("Recon", 40, category="reconciliation"),
                                 *spread("Tiny", 3)])
    result = automation_candidates(make_data(tasks=tasks))
    assert result.status is Status.FAIL
    assert result.metrics["top_task_hours_per_month"].value == pytest.approx(130 / MONTHS)
    assert result.evidence["task"].tolist() == ["Order entry", "Recon"]
    monthly = 170 / MONTHS
    assert result.impact.low == pytest.approx(monthly * 12 * 45 * 0.5, abs=0.01)
    assert result.impact.base == pytest.approx(monthly * 12 * 60 * 0.7, abs=0.01)
    assert result.impact.high == pytest.approx(monthly * 12 * 85 * 0.9, abs=0.01)


def test_automation_leaves_rekeying_between_unintegrated_systems_to_manual_rekeying():
    """Rekeying shopify→quickbooks (no integration) is measured but priced by the other check."""
    rekeying = [*spread("Key orders", 130, category="rekeying", system="Shopify",
                        target="QuickBooks"),
                *spread("Key bills", 130, category="rekeying", system="bill.com",
                        target="quickbooks")]
    integrations = rows_table("integrations", [
        {"source_system": "QuickBooks", "target_system": "Bill.com", "method": "api"}])
    result = automation_candidates(make_data(tasks=rekeying, integrations=integrations))
    assert result.status is Status.FAIL
    assert result.metrics["top_task_hours_per_month"].value == pytest.approx(130 / MONTHS)
    assert result.impact.base == pytest.approx(130 / MONTHS * 12 * 60 * 0.7, abs=0.01)


def test_automation_task_with_too_few_entries_is_a_pass_that_says_so():
    """130 hours (43.0 h/month) logged in two entries: too few to judge; a task with enough
    entries (Recon, 4 × 5 h) is judged as usual."""
    tasks = rows_table("tasks", [*background(), *spread("Order entry", 130, entries=2),
                                 *spread("Recon", 20, category="reconciliation")])
    result = automation_candidates(make_data(tasks=tasks))
    assert result.status is Status.PASS
    assert result.metrics["top_task_hours_per_month"].value == pytest.approx(130 / MONTHS)
    assert result.judgement == ("too few to judge: Order entry (43.0 hours a month) rests on "
                                "2 time entries (at least 3 needed)")
    assert result.evidence.empty


def test_automation_not_assessable_without_recurring_flag_or_tasks():
    """No time entries, or no recurring values: NOT_ASSESSABLE naming what to send."""
    assert run_check(automation_candidates.spec, make_data()).status is Status.NOT_ASSESSABLE
    unflagged = rows_table("tasks", [task("Order entry", 130, recurring=None)])
    result = run_check(automation_candidates.spec, make_data(tasks=unflagged))
    assert result.status is Status.NOT_ASSESSABLE
    assert "recurring" in result.data_request


# -- efficiency.ops_headcount_vs_growth ---------------------------------------------------

def person(name: str, started: str, *, ended: str | None = None, fte: float | None = 1.0,
           function: str = "operations") -> dict:
    return {"person": name, "function": function, "started_on": started, "ended_on": ended,
            "fte": fte}


def roster(*extra_ops: dict, veterans: int = 2) -> pd.DataFrame:
    """2 + ``veterans`` ops FTE a year before the period end (Ann; Cy who left; Gil, Hal,
    ... who stay), plus ``extra_ops``."""
    return rows_table("people", [
        person("Ann", "2020-01-06"),
        person("Cy", "2019-03-01", ended="2026-03-01"),
        person("Dee", "2018-01-01", function="Finance"),
        *(person(f"Veteran {i}", "2017-05-01") for i in range(veterans)),
        *extra_ops])


def orders(prior: float, current: float) -> pd.DataFrame:
    """Orders covering two years: ``prior`` in the earlier year, ``current`` in the later."""
    return rows_table("orders", [
        {"order_id": "1", "ordered_at": "2024-10-05", "total": prior},
        {"order_id": "2", "ordered_at": "2024-09-30", "total": 999.0},  # before both years
        {"order_id": "3", "ordered_at": "2025-10-01", "total": current / 2},
        {"order_id": "4", "ordered_at": "2026-09-30 18:00", "total": current / 2}])


def test_headcount_pass_when_revenue_outgrows_ops_fte():
    """Ops FTE flat (Bo replaces Cy, empty fte = 1) and revenue +10%: −10 points, PASS."""
    people = roster(person("Bo", "2026-01-05", fte=None))
    result = ops_headcount_vs_growth(make_data(people=people, orders=orders(1000.0, 1100.0)))
    assert result.status is Status.PASS
    assert result.metrics["excess_growth_points"].value == pytest.approx(-10.0)
    assert result.metrics["ops_fte_now"].value == 4.0
    assert result.metrics["ops_fte_year_ago"].value == 4.0
    assert result.impact.base == 0
    assert result.evidence["person"].tolist() == ["Bo"]


def test_headcount_warn_at_exactly_equal_growth():
    """Ops FTE 4 -> 6 (+50%) and revenue +50%: 0 points is WARN (at the warn threshold)."""
    people = roster(person("Bo", "2026-01-05"), person("Eve", "2026-02-02"),
                    person("Fay", "2026-03-02"))
    result = ops_headcount_vs_growth(make_data(people=people, orders=orders(1000.0, 1500.0)))
    assert result.status is Status.WARN
    assert result.metrics["excess_growth_points"].value == pytest.approx(0.0, abs=1e-9)


def test_headcount_fail_and_impact_of_excess_fte():
    """Ops FTE 4 -> 6 (+50%), revenue +10%: 40 points FAIL; 1.6 excess FTE × 2080 h ×
    hourly."""
    people = roster(person("Bo", "2026-01-05"), person("Eve", "2026-02-02"),
                    person("Fay", "2026-03-02"))
    result = ops_headcount_vs_growth(make_data(people=people, orders=orders(1000.0, 1100.0)))
    assert result.status is Status.FAIL
    assert result.judgement == ""
    assert result.metrics["excess_growth_points"].value == pytest.approx(40.0)
    assert result.impact.base == pytest.approx(1.6 * 2080 * 60, abs=0.01)
    assert result.impact.low == pytest.approx(1.6 * 2080 * 45, abs=0.01)


def test_headcount_too_few_ops_staff_is_a_pass_that_says_so():
    """Two ops FTE a year ago growing to three (+50%) against revenue +10%: 40 points, but
    one hire is 50 points of growth: too few to judge."""
    people = roster(person("Bo", "2026-01-05"), person("Eve", "2026-02-02"), veterans=0)
    result = ops_headcount_vs_growth(make_data(people=people, orders=orders(1000.0, 1100.0)))
    assert result.metrics["excess_growth_points"].value == pytest.approx(40.0)
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge: 2 operations FTE a year earlier (at least "
                                "3 needed)")


def test_headcount_order_revenue_counts_live_orders_only():
    """A cancelled order of the last year is not revenue: growth stays +10%."""
    cancelled = rows_table("orders", [{"order_id": "9", "ordered_at": "2026-05-05",
                                       "total": 400.0, "status": "cancelled"}])
    both = pd.concat([orders(1000.0, 1100.0), cancelled], ignore_index=True)
    result = ops_headcount_vs_growth(make_data(people=roster(), orders=both))
    assert result.metrics["revenue_growth"].value == pytest.approx(0.1)
    assert result.metrics["revenue_growth"].label == "revenue growth (live order totals)"


def test_headcount_prefers_the_ledger_when_it_covers_both_years():
    """GL revenue (credits, −amount) covering two years wins over order totals."""
    gl = rows_table("gl_entries", [
        {"posted_at": "2024-10-31", "account": "4000", "amount": -2000.0,
         "account_type": "revenue"},
        {"posted_at": "2026-09-30", "account": "4000", "amount": -3000.0,
         "account_type": "revenue"},
        {"posted_at": "2026-09-30", "account": "5000", "amount": 900.0,
         "account_type": "cogs"}])
    people = roster(person("Bo", "2026-01-05"), person("Eve", "2026-02-02"),
                    person("Fay", "2026-03-02"))
    result = ops_headcount_vs_growth(make_data(people=people, orders=orders(1000.0, 1100.0),
                                               gl_entries=gl))
    assert result.metrics["revenue_growth"].value == pytest.approx(0.5)
    assert result.metrics["excess_growth_points"].value == pytest.approx(0.0, abs=1e-9)
    assert result.status is Status.WARN


def test_headcount_not_assessable_without_two_years_of_revenue_or_a_roster():
    """Orders of one year only, or no roster: NOT_ASSESSABLE."""
    one_year = rows_table("orders", [{"order_id": "1", "ordered_at": "2026-01-05", "total": 10.0},
                                     {"order_id": "2", "ordered_at": "2026-09-05", "total": 10.0}])
    result = run_check(ops_headcount_vs_growth.spec, make_data(people=roster(), orders=one_year))
    assert result.status is Status.NOT_ASSESSABLE
    assert "2024-10-01" in result.data_request
    assert run_check(ops_headcount_vs_growth.spec, make_data()).status is Status.NOT_ASSESSABLE


def test_headcount_not_assessable_without_ops_staff_a_year_ago():
    """Nobody in operations a year before the end: growth has no base, NOT_ASSESSABLE."""
    people = rows_table("people", [person("Bo", "2026-01-05")])
    result = run_check(ops_headcount_vs_growth.spec,
                       make_data(people=people, orders=orders(1000.0, 1100.0)))
    assert result.status is Status.NOT_ASSESSABLE


# -- efficiency.manual_touches ------------------------------------------------------------

def order_table(count: int = 200, cancelled: int = 0) -> pd.DataFrame:
    """``count`` live orders #0.. of 2026-08-03, ``cancelled`` cancelled ones #c0.., and
    one order before the period."""
    rows = [{"order_id": f"#{i}", "ordered_at": "2026-08-03 09:00", "total": 50.0}
            for i in range(count)]
    rows += [{"order_id": f"#c{i}", "ordered_at": "2026-08-03 09:00", "total": 50.0,
              "status": "cancelled"} for i in range(cancelled)]
    rows.append({"order_id": "#old", "ordered_at": "2026-06-20 09:00", "total": 50.0})
    return rows_table("orders", rows)


def event(order_id: str, at: str = "2026-08-03 11:00", *, manual: bool | None = True,
          name: str = "edited") -> dict:
    return {"order_id": order_id, "at": at, "event": name, "actor": "Ann", "manual": manual}


def noise() -> list[dict]:
    """Events that never count: automatic, at creation, or on an order of another period."""
    return [event("#5", manual=False), event("#6", "2026-08-03 09:00", name="created"),
            event("#7", manual=None), event("#old")]


def touches(*touched: dict, count: int = 200, cancelled: int = 0) -> CheckData:
    return make_data(orders=order_table(count, cancelled), order_events=[*noise(), *touched])


def test_manual_touches_pass_when_no_order_is_touched_after_creation():
    """Only automatic, creation-time or out-of-period events: 0 touched, PASS."""
    result = manual_touches(touches())
    assert result.status is Status.PASS
    assert result.metrics["touched_share"].value == 0.0
    assert result.metrics["orders"].value == 200


def test_manual_touches_warn_counts_orders_not_events():
    """40 orders touched (one twice) of 200 is 20% (bound 15.0%): WARN, the twice-touched
    first; impact = touched orders a year × 6 minutes × hourly cost."""
    result = manual_touches(touches(*(event(f"#{i}") for i in range(1, 41)),
                                    event("#2", "2026-08-04 10:00", name="hold")))
    assert result.status is Status.WARN
    assert result.metrics["touched_share"].value == pytest.approx(0.2)
    assert result.evidence["order_id"].iloc[0] == "#2"
    assert len(result.evidence) == 40
    assert result.evidence["events"].iloc[0] == "edited; hold"
    touched_a_year = 40 * 365 / DAYS
    assert result.impact.base == pytest.approx(touched_a_year * 6 / 60 * 60, abs=0.01)


def test_manual_touches_fail_at_the_fail_share():
    """70 touched orders of 200 is 35% (bound 28.7%): FAIL."""
    result = manual_touches(touches(*(event(f"#{i}") for i in range(70))))
    assert result.status is Status.FAIL
    assert result.metrics["touched_share"].value == pytest.approx(0.35)


def test_manual_touches_counts_live_orders_only_and_says_so():
    """30 cancelled orders, each edited by hand, are neither orders nor touched: 70 of the
    200 live orders, and the finding says what was left out."""
    result = manual_touches(touches(*(event(f"#{i}") for i in range(70)),
                                    *(event(f"#c{i}") for i in range(30)), cancelled=30))
    assert result.metrics["orders"].value == 200
    assert result.metrics["touched_orders"].value == 70
    assert result.details["population"] == "30 cancelled orders left out (not live)"
    assert not result.evidence["order_id"].str.startswith("#c").any()


def test_manual_touches_too_few_orders_is_a_pass_that_says_so():
    """Three touched orders of ten (30%): too few to judge, PASS with the reason."""
    result = manual_touches(touches(event("#1"), event("#2"), event("#3"), count=10))
    assert result.status is Status.PASS
    assert result.metrics["touched_share"].value == pytest.approx(0.3)
    assert result.judgement == "too few to judge: 10 live orders (at least 100 needed)"


def test_manual_touches_not_assessable_without_events_or_manual_flag():
    """No order history, or no 'manual' values: NOT_ASSESSABLE."""
    result = run_check(manual_touches.spec, make_data(orders=order_table()))
    assert result.status is Status.NOT_ASSESSABLE
    assert "order_events" in result.data_request
    unflagged = rows_table("order_events", [event("#1", manual=None)])
    result = run_check(manual_touches.spec, make_data(orders=order_table(), order_events=unflagged))
    assert result.status is Status.NOT_ASSESSABLE
    assert "manual" in result.data_request


# -- robustness ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [automation_candidates.spec, ops_headcount_vs_growth.spec,
                                  manual_touches.spec], ids=lambda s: s.id)
def test_single_rows_and_empty_optionals_never_raise(spec):
    """One row per table with optional columns empty gives a verdict, never ERROR."""
    tables = make_data(
        tasks=[task("x", 1)],
        people=[{"person": "Ann", "function": "operations", "started_on": "2020-01-01"}],
        orders=[{"order_id": "1", "ordered_at": "2026-08-03", "total": 1.0}],
        order_events=[event("1")])
    result = run_check(spec, tables)
    assert result.status is not Status.ERROR, result.error


@pytest.mark.parametrize("spec", [automation_candidates.spec, manual_touches.spec],
                         ids=lambda s: s.id)
def test_data_outside_the_period_is_not_assessable(spec):
    """Tasks and orders that all fall before the period: NOT_ASSESSABLE naming the period."""
    tables = make_data(tasks=[task("x", 1, on="2026-01-05")],
                       orders=[{"order_id": "1", "ordered_at": "2026-01-05", "total": 1.0}],
                       order_events=[event("1")])
    result = run_check(spec, tables)
    assert result.status is Status.NOT_ASSESSABLE
    assert "2026-07-01 to 2026-09-30" in result.data_request


def test_manual_touches_hourly_cost_of_engagement_yaml_wins_over_the_roster():
    """hourly_cost 80 in engagement.yaml prices the touches, not the roster's median 30."""
    data = touches(*(event(f"#{i}") for i in range(1, 41)))
    roster_costs = rows_table("people", [
        {"person": "Ann", "function": "operations", "started_on": "2020-01-06",
         "hourly_cost": 30.0}])
    data = CheckData({**data.tables, "people": roster_costs}, data.period,
                     resolve({"hourly_cost": 80}))
    result = manual_touches(data)
    assert result.impact.base == pytest.approx(40 * 365 / DAYS * 6 / 60 * 80, abs=0.01)
    assert result.impact.assumptions["hourly cost"].endswith("(engagement.yaml)")


# -- cause charts -------------------------------------------------------------------------
def test_automation_chart_ranks_task_hours_against_the_marks():
    """Order entry 43.0, Recon 13.2 and Tiny 1.0 hours a month, with the 10 and 40 marks."""
    tasks = rows_table("tasks", [*background(), *spread("Order entry", 130),
                                 *spread("Recon", 40, category="reconciliation"),
                                 *spread("Tiny", 3)])
    chart = automation_candidates(make_data(tasks=tasks)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "task",
                                                            "hours_per_month", "category")
    assert chart.data.values.tolist() == [["Order entry", "data_entry", 43.0, "Ann"],
                                          ["Recon", "reconciliation", 13.2, "Ann"],
                                          ["Tiny", "data_entry", 1.0, "Ann"]]
    assert chart.marks == ((10.0, "warn 10 hours a month"), (40.0, "fail 40 hours a month"))
    assert chart.note == ("Order entry takes 43.0 hours a month (Ann); 2 rule-based tasks "
                          "reach 10 hours a month.")


def test_headcount_chart_indexes_fte_and_revenue_to_a_year_earlier():
    """Ops FTE 4 -> 6 and revenue 1000 -> 1100: 100 -> 150 against 100 -> 110."""
    people = roster(person("Bo", "2026-01-05"), person("Eve", "2026-02-02"),
                    person("Fay", "2026-03-02"))
    chart = ops_headcount_vs_growth(make_data(people=people,
                                              orders=orders(1000.0, 1100.0))).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("bars", "measure", "index", "when")
    assert chart.data.values.tolist() == [
        ["operations FTE", "a year earlier", 100.0],
        ["operations FTE", "at the period end", 150.0],
        ["revenue", "a year earlier", 100.0], ["revenue", "at the period end", 110.0]]
    assert chart.note == ("Operations FTE grew +50.0% (4 to 6 FTE) while revenue grew "
                          "+10.0% (live order totals).")


def test_manual_touches_chart_stacks_orders_by_week_and_names_the_step():
    """40 of 200 orders of the week of 3 August touched by hand; 'edited' is the usual step."""
    result = manual_touches(touches(*(event(f"#{i}") for i in range(1, 41)),
                                    event("#2", "2026-08-04 10:00", name="hold")))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "week", "orders",
                                                            "flow")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-08-03"), "touched by hand", 40],
        [pd.Timestamp("2026-08-03"), "no manual touch", 160]]
    assert chart.note == ("40 of 200 orders were touched by hand (20.0%); the most common "
                          "manual step is edited (40 times).")
