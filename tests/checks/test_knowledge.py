"""Exact-value tests of the knowledge checks on small hand-built tables."""

from __future__ import annotations

import pytest
from builders import DAYS, impact_triple, make_data, rows_table

from opskit.checks.knowledge import (
    single_points_of_failure,
    spreadsheet_dependency,
    vacation_test,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check

# -- knowledge.single_points_of_failure ---------------------------------------------------

def process(name: str, *, backup: str | None = "Bo", documented: bool | None = True,
            reviewed: str | None = "2026-03-01", criticality: str = "high",
            daily_value: float | None = None) -> dict:
    return {"process": name, "owner": "Ann", "backup_owner": backup, "documented": documented,
            "last_reviewed_on": reviewed, "criticality": criticality,
            "daily_value": daily_value}


def processes(flagged: list[dict], clean: int) -> CheckData:
    rows = flagged + [process(f"clean {i}") for i in range(clean)]
    return make_data(processes=rows)


def test_spof_pass_when_every_critical_process_has_backup_docs_and_review():
    """All critical processes covered: spof_share 0 and PASS; low-criticality ones ignored."""
    result = single_points_of_failure(
        processes([process("petty cash", backup=None, criticality="low")], clean=5))
    assert result.status is Status.PASS
    assert result.metrics["spof_share"].value == 0.0
    assert result.metrics["critical_processes"].value == 5
    assert result.evidence.empty


def test_spof_warn_at_exactly_the_warn_share():
    """One of five critical processes without a backup is 20%, which is WARN."""
    result = single_points_of_failure(processes([process("payroll", backup=None)], clean=4))
    assert result.status is Status.WARN
    assert result.metrics["spof_share"].value == pytest.approx(0.2, abs=1e-12)
    assert result.evidence["process"].tolist() == ["payroll"]
    assert result.evidence["reasons"].tolist() == ["no backup"]


def test_spof_fail_counts_undocumented_and_stale_reviews():
    """An empty 'documented' and a review older than 365 days both count: 2 of 5 is FAIL."""
    result = single_points_of_failure(processes([
        process("reorders", documented=None),
        process("month end", reviewed="2025-09-29"),
        process("returns", reviewed="2025-09-30"),  # exactly 365 days: still current
    ], clean=2))
    assert result.status is Status.FAIL
    assert result.metrics["spof_share"].value == pytest.approx(0.4, abs=1e-12)
    assert set(result.evidence["process"]) == {"reorders", "month end"}
    reasons = dict(zip(result.evidence["process"], result.evidence["reasons"], strict=True))
    assert reasons == {"reorders": "undocumented", "month end": "not reviewed in 12 months"}


def test_spof_impact_is_daily_value_times_days_delayed():
    """Impact = daily value of flagged processes × 2 / 5 / 10 days, worst value first."""
    result = single_points_of_failure(processes([
        process("payroll", backup=None, documented=False, daily_value=1000.0),
        process("reorders", backup=None, daily_value=None),
        process("ads", backup=None, daily_value=300.0, criticality="medium"),
    ], clean=2))
    assert impact_triple(result) == (2000, 5000, 10000)
    assert result.evidence["process"].tolist() == ["payroll", "reorders"]
    assert result.evidence["reasons"].iloc[0] == "no backup; undocumented"
    assert result.metrics["most_held_by_one_person"].value == 2
    assert result.details["by_owner"]["processes"].tolist() == [2]


def test_spof_not_assessable_without_any_column_that_shows_a_backup_or_procedure():
    """An inventory with neither backup, documentation nor review columns cannot answer."""
    rows = rows_table("processes", [{"process": "payroll", "owner": "Ann", "criticality": "high"}])
    result = run_check(single_points_of_failure.spec, make_data(processes=rows))
    assert result.status is Status.NOT_ASSESSABLE
    assert "backup_owner" in result.data_request


def test_spof_not_assessable_without_processes():
    """No process inventory: NOT_ASSESSABLE with a data request naming it."""
    result = run_check(single_points_of_failure.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "processes" in result.data_request


# -- knowledge.vacation_test --------------------------------------------------------------

def entry(person: str, task: str, minutes: float, *, on: str = "2026-08-03",
          recurring: bool | None = True) -> dict:
    return {"person": person, "task": task, "performed_on": on, "minutes": minutes,
            "recurring": recurring}


def shared_work(sole_minutes: float) -> list[dict]:
    """Ann does 'Reorder stock' alone (sole_minutes) plus 2400 shared minutes with Bo."""
    return [
        entry("Ann", "Reorder stock", sole_minutes),
        entry("Ann", "Pick orders", 2400.0),
        entry("Bo", "pick ORDERS", 2400.0),  # same task, other spelling: shared
        entry("Bo", "Pack", 100.0, recurring=False),  # not recurring: ignored
        entry("Bo", "Reorder stock", 100.0, on="2026-06-15"),  # before the period: ignored
    ]


def test_vacation_pass_below_the_warn_share():
    """Ann's sole work 300 of 2700 minutes (11.1%) is under 20%: PASS, nobody flagged."""
    result = vacation_test(make_data(tasks=shared_work(300.0)))
    assert result.status is Status.PASS
    assert result.metrics["worst_person_share"].value == pytest.approx(300 / 2700, abs=1e-12)
    assert result.evidence.empty
    assert result.impact.base == 0


def test_vacation_warn_at_exactly_the_warn_share():
    """Ann's sole work 600 of 3000 minutes is 20%: WARN, Ann in the evidence."""
    result = vacation_test(make_data(tasks=shared_work(600.0)))
    assert result.status is Status.WARN
    assert result.metrics["worst_person_share"].value == pytest.approx(0.2, abs=1e-12)
    assert result.evidence["person"].tolist() == ["Ann"]
    assert result.evidence["sole_tasks"].tolist() == ["Reorder stock"]


def test_vacation_fail_and_impact_from_weekly_sole_hours():
    """2400 sole of 4800 minutes is 50% (FAIL); impact = hours/week × 2 weeks × hourly × factor."""
    result = vacation_test(make_data(tasks=shared_work(2400.0)))
    assert result.status is Status.FAIL
    assert result.metrics["worst_person_share"].value == pytest.approx(0.5, abs=1e-12)
    weekly = 40 / (DAYS / 7)
    assert result.impact.low == pytest.approx(weekly * 2 * 45 * 1, abs=0.01)
    assert result.impact.base == pytest.approx(weekly * 2 * 60 * 2, abs=0.01)
    assert result.impact.high == pytest.approx(weekly * 2 * 85 * 4, abs=0.01)


def test_vacation_ignores_people_under_the_minimum_hours():
    """A person doing 7 hours alone (100%) is below 8 recurring hours and is not judged."""
    rows = [*shared_work(300.0), entry("Cy", "Bank feeds", 420.0)]
    result = vacation_test(make_data(tasks=rows))
    assert result.metrics["worst_person_share"].value == pytest.approx(300 / 2700, abs=1e-12)
    assert result.metrics["people_judged"].value == 2


def test_vacation_not_assessable_without_recurring_flag_or_enough_hours():
    """No recurring column, or nobody with 8 recurring hours: NOT_ASSESSABLE."""
    no_flag = rows_table("tasks", [{k: v for k, v in entry("Ann", "x", 600.0).items()
                                    if k != "recurring"}])
    assert run_check(vacation_test.spec, make_data(tasks=no_flag)).status is Status.NOT_ASSESSABLE
    too_little = rows_table("tasks", [entry("Ann", "x", 60.0)])
    result = run_check(vacation_test.spec, make_data(tasks=too_little))
    assert result.status is Status.NOT_ASSESSABLE
    assert "8 hours" in result.data_request


def test_vacation_not_assessable_without_tasks():
    """No time entries: NOT_ASSESSABLE."""
    assert run_check(vacation_test.spec, make_data()).status is Status.NOT_ASSESSABLE


# -- knowledge.spreadsheet_dependency -----------------------------------------------------

def sheet(name: str, *, editors: float | None = 3.0, documented: bool | None = True,
          critical: bool | None = True, hours: float | None = None) -> dict:
    return {"file": name, "owner": "Ann", "editors": editors, "documented": documented,
            "critical": critical, "hours_per_week": hours}


def sheets(rows: list[dict]) -> CheckData:
    return make_data(spreadsheets=rows)


def test_spreadsheets_pass_when_critical_sheets_are_shared_or_documented():
    """Two editors, or one documented editor, is not fragile: 0 and PASS."""
    result = spreadsheet_dependency(sheets([
        sheet("a.xlsx", editors=2.0, documented=False), sheet("b.xlsx", editors=1.0),
        sheet("c.xlsx", editors=1.0, documented=False, critical=False)]))
    assert result.status is Status.PASS
    assert result.metrics["fragile_share"].value == 0.0
    assert result.metrics["critical_spreadsheets"].value == 2


def test_spreadsheets_warn_at_exactly_the_warn_share():
    """One fragile critical sheet of four is 25%: WARN."""
    result = spreadsheet_dependency(sheets([
        sheet("pricing.xlsx", editors=1.0, documented=False),
        sheet("b.xlsx"), sheet("c.xlsx"), sheet("d.xlsx")]))
    assert result.status is Status.WARN
    assert result.metrics["fragile_share"].value == pytest.approx(0.25, abs=1e-12)
    assert result.evidence["file"].tolist() == ["pricing.xlsx"]


def test_spreadsheets_fail_counts_empty_editors_and_documentation_and_prices_hours():
    """Empty editors count as one, empty documented as not documented: 2 of 4 is FAIL."""
    result = spreadsheet_dependency(sheets([
        sheet("forecast.xlsx", editors=None, documented=None, hours=3.0),
        sheet("pricing.xlsx", editors=0.0, documented=False, hours=1.0),
        sheet("c.xlsx", editors=2.0, documented=None), sheet("d.xlsx")]))
    assert result.status is Status.FAIL
    assert result.metrics["fragile_share"].value == pytest.approx(0.5, abs=1e-12)
    assert result.evidence["file"].tolist() == ["forecast.xlsx", "pricing.xlsx"]
    assert result.evidence["editors"].tolist() == [1.0, 0.0]
    assert impact_triple(result) == (
        4 * 45 * 52, 4 * 60 * 52, 4 * 85 * 52)


def test_spreadsheets_not_assessable_without_inventory_or_critical_flag():
    """No spreadsheet inventory, or no 'critical' values: NOT_ASSESSABLE."""
    assert run_check(spreadsheet_dependency.spec, make_data()).status is Status.NOT_ASSESSABLE
    unflagged = sheets([sheet("a.xlsx", critical=None)])
    result = run_check(spreadsheet_dependency.spec, unflagged)
    assert result.status is Status.NOT_ASSESSABLE
    assert "critical" in result.data_request


# -- robustness ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [single_points_of_failure.spec, vacation_test.spec,
                                  spreadsheet_dependency.spec], ids=lambda s: s.id)
def test_single_rows_and_empty_optionals_never_raise(spec):
    """One row with every optional column empty gives a verdict or NOT_ASSESSABLE, never ERROR."""
    tables = make_data(
        processes=[{"process": "p", "owner": "Ann", "backup_owner": None, "documented": None,
                    "last_reviewed_on": None, "criticality": "high", "daily_value": None}],
        tasks=[entry("Ann", "t", 600.0, recurring=None)],
        spreadsheets=[sheet("a.xlsx", editors=None, documented=None)])
    result = run_check(spec, tables)
    assert result.status is not Status.ERROR, result.error
