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


def test_spof_warn_when_the_bound_passes_the_warn_share():
    """30 of 100 critical processes without a backup (30%) is WARN."""
    flagged = [process(f"payroll {i}", backup=None) for i in range(30)]
    result = single_points_of_failure(processes(flagged, clean=70))
    assert result.status is Status.WARN
    assert result.judgement == ""
    assert result.metrics["spof_share"].value == pytest.approx(0.3, abs=1e-12)
    assert sorted(result.evidence["process"]) == sorted(f"payroll {i}" for i in range(30))
    assert set(result.evidence["reasons"]) == {"no backup"}


def test_spof_fail_counts_undocumented_and_stale_reviews():
    """An empty 'documented' and a review older than 365 days both count: 60 of 100 is
    FAIL; a review exactly 365 days before the period end is still current."""
    result = single_points_of_failure(processes([
        *(process(f"reorders {i}", documented=None) for i in range(30)),
        *(process(f"month end {i}", reviewed="2025-09-29") for i in range(30)),
        process("returns", reviewed="2025-09-30"),
    ], clean=39))
    assert result.status is Status.FAIL
    assert result.metrics["spof_share"].value == pytest.approx(0.6, abs=1e-12)
    reasons = dict(zip(result.evidence["process"], result.evidence["reasons"], strict=True))
    assert len(reasons) == 60 and "returns" not in reasons
    assert reasons["reorders 0"] == "undocumented"
    assert reasons["month end 0"] == "not reviewed in 12 months"


def test_spof_too_few_processes_is_a_pass_that_says_so():
    """One of four critical processes without a backup (25%): too few to judge, PASS."""
    result = single_points_of_failure(processes([process("payroll", backup=None)], clean=3))
    assert result.status is Status.PASS
    assert result.metrics["spof_share"].value == pytest.approx(0.25, abs=1e-12)
    assert result.judgement == "too few to judge: 4 critical processes (at least 5 needed)"
    assert result.evidence["process"].tolist() == ["payroll"]


def test_spof_share_from_the_minimum_on_is_judged_as_it_is():
    """Two of five critical processes (40%): the inventory lists every process (a census),
    so at the minimum evidence the share decides: FAIL, nothing to explain."""
    result = single_points_of_failure(processes(
        [process("payroll", backup=None), process("reorders", backup=None)], clean=3))
    assert result.status is Status.FAIL
    assert result.judgement == ""


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
    """Ann does 'Reorder stock' alone (sole_minutes) plus 2400 shared minutes with Bo: three
    recurring entries in the period, too few to judge."""
    return [
        entry("Ann", "Reorder stock", sole_minutes),
        entry("Ann", "Pick orders", 2400.0),
        entry("Bo", "pick ORDERS", 2400.0),  # same task, other spelling: shared
        entry("Bo", "Pack", 100.0, recurring=False),  # not recurring: ignored
        entry("Bo", "Reorder stock", 100.0, on="2026-06-15"),  # before the period: ignored
    ]


def hourly_work(sole: int, shared: int) -> list[dict]:
    """Ann logs ``sole`` hour-long entries of 'Reorder stock' that only she does and
    ``shared`` hour-long entries of 'Pick orders' that Bo also does (ten hours of it, spelt
    otherwise); entries not recurring or before the period are ignored."""
    return [*(entry("Ann", "Reorder stock", 60.0) for _ in range(sole)),
            *(entry("Ann", "Pick orders", 60.0) for _ in range(shared)),
            *(entry("Bo", "pick ORDERS", 60.0) for _ in range(10)),
            entry("Bo", "Pack", 100.0, recurring=False),
            entry("Bo", "Reorder stock", 100.0, on="2026-06-15")]


def test_vacation_pass_below_the_warn_share():
    """Ann's sole work 11 of 100 hours (11%) is under 20%: PASS, nobody flagged."""
    result = vacation_test(make_data(tasks=hourly_work(11, 89)))
    assert result.status is Status.PASS
    assert result.judgement == ""
    assert result.metrics["worst_person_share"].value == pytest.approx(0.11, abs=1e-12)
    assert result.evidence.empty
    assert result.impact.base == 0


def test_vacation_warn_when_the_bound_passes_the_warn_share():
    """Ann's sole work 30 of 100 hour-long entries (30%, bound 21.9%): WARN, Ann listed."""
    result = vacation_test(make_data(tasks=hourly_work(30, 70)))
    assert result.status is Status.WARN
    assert result.metrics["worst_person_share"].value == pytest.approx(0.3, abs=1e-12)
    assert result.evidence["person"].tolist() == ["Ann"]
    assert result.evidence["sole_tasks"].tolist() == ["Reorder stock"]


def test_vacation_fail_and_impact_from_weekly_sole_hours():
    """60 sole of 100 hours is 60% (bound 50.2%, FAIL); impact = hours/week × 2 weeks ×
    hourly × factor."""
    result = vacation_test(make_data(tasks=hourly_work(60, 40)))
    assert result.status is Status.FAIL
    assert result.metrics["worst_person_share"].value == pytest.approx(0.6, abs=1e-12)
    weekly = 60 / (DAYS / 7)
    assert result.impact.low == pytest.approx(weekly * 2 * 45 * 1, abs=0.01)
    assert result.impact.base == pytest.approx(weekly * 2 * 60 * 2, abs=0.01)
    assert result.impact.high == pytest.approx(weekly * 2 * 85 * 4, abs=0.01)


def test_vacation_too_few_entries_is_a_pass_that_says_so():
    """2400 sole of 4800 minutes (50%) from three recurring entries: too few to judge."""
    result = vacation_test(make_data(tasks=shared_work(2400.0)))
    assert result.status is Status.PASS
    assert result.metrics["worst_person_share"].value == pytest.approx(0.5, abs=1e-12)
    assert result.judgement == ("too few to judge: 3 recurring time entries (at least 20 "
                                "needed)")


def test_vacation_share_carried_by_one_long_entry_is_judged_on_its_bound():
    """Half of Ann's minutes are one 40-hour entry: about 3.6 effective entries, so the 50%
    share does not rule out 20% and the verdict is PASS, saying why."""
    rows = [entry("Ann", "Reorder stock", 2400.0),
            *(entry("Ann", "Pick orders", 240.0) for _ in range(10)),
            *(entry("Bo", "pick ORDERS", 60.0) for _ in range(10))]
    result = vacation_test(make_data(tasks=rows))
    assert result.status is Status.PASS
    assert result.metrics["worst_person_share"].value == pytest.approx(0.5, abs=1e-12)
    assert result.judgement == ("too few to judge: 1.8 of 3.6 recurring entries of Ann "
                                "(effective count) (50.0%); the 95% interval 14.2% to 85.8% "
                                "does not rule out 20.0%")


def test_vacation_ignores_people_under_the_minimum_hours():
    """A person doing 7 hours alone (100%) is below 8 recurring hours and is not judged."""
    rows = [*hourly_work(11, 89), entry("Cy", "Bank feeds", 420.0)]
    result = vacation_test(make_data(tasks=rows))
    assert result.metrics["worst_person_share"].value == pytest.approx(0.11, abs=1e-12)
    assert result.metrics["people_judged"].value == 2
    assert result.status is Status.PASS


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


def test_spreadsheets_warn_when_the_bound_passes_the_warn_share():
    """16 fragile critical sheets of 40 (40%): WARN."""
    result = spreadsheet_dependency(sheets([
        *(sheet(f"pricing {i}.xlsx", editors=1.0, documented=False) for i in range(16)),
        *(sheet(f"shared {i}.xlsx") for i in range(24))]))
    assert result.status is Status.WARN
    assert result.metrics["fragile_share"].value == pytest.approx(0.4, abs=1e-12)
    assert sorted(result.evidence["file"]) == sorted(f"pricing {i}.xlsx" for i in range(16))


def test_spreadsheets_fail_counts_empty_editors_and_documentation_and_prices_hours():
    """Empty editors count as one, empty documented as not documented: 30 of 40 is FAIL;
    impact = 60 hours a week × hourly cost × 52."""
    result = spreadsheet_dependency(sheets([
        *(sheet(f"forecast {i}.xlsx", editors=None, documented=None, hours=3.0)
          for i in range(15)),
        *(sheet(f"pricing {i}.xlsx", editors=0.0, documented=False, hours=1.0)
          for i in range(15)),
        *(sheet(f"c {i}.xlsx", editors=2.0, documented=None) for i in range(5)),
        *(sheet(f"d {i}.xlsx") for i in range(5))]))
    assert result.status is Status.FAIL
    assert result.metrics["fragile_share"].value == pytest.approx(0.75, abs=1e-12)
    assert result.evidence["file"].str[:8].tolist() == ["forecast"] * 15 + ["pricing "] * 15
    assert result.evidence["editors"].tolist() == [1.0] * 15 + [0.0] * 15
    assert impact_triple(result) == (
        60 * 45 * 52, 60 * 60 * 52, 60 * 85 * 52)


def test_spreadsheets_too_few_critical_sheets_is_a_pass_that_says_so():
    """One fragile critical sheet of four (25%): too few to judge, PASS, still listed."""
    result = spreadsheet_dependency(sheets([
        sheet("pricing.xlsx", editors=1.0, documented=False),
        sheet("b.xlsx"), sheet("c.xlsx"), sheet("d.xlsx")]))
    assert result.status is Status.PASS
    assert result.metrics["fragile_share"].value == pytest.approx(0.25, abs=1e-12)
    assert result.judgement == "too few to judge: 4 critical spreadsheets (at least 5 needed)"
    assert result.evidence["file"].tolist() == ["pricing.xlsx"]


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


# -- cause charts -------------------------------------------------------------------------
def test_spof_chart_stacks_critical_processes_by_owner():
    """Ann holds payroll and invoicing without a backup and three covered processes; Cy an
    undocumented reorder process: Ann first, with the most in one head."""
    flagged = [process("payroll", backup=None), process("invoicing", backup=None),
               {**process("reorders", documented=None), "owner": "Cy"}]
    chart = single_points_of_failure(processes(flagged, clean=3)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "owner", "processes",
                                                            "cover")
    assert chart.data.values.tolist() == [
        ["Ann", "in one head", 2], ["Ann", "backed up and documented", 3],
        ["Cy", "in one head", 1], ["Cy", "backed up and documented", 0]]
    assert chart.note == ("3 of 6 critical processes live in one head (50.0%); Ann alone "
                          "holds 2: invoicing; payroll.")


def test_vacation_chart_splits_recurring_hours_into_sole_and_shared():
    """Ann: 30 hours only she does, 70 shared with Bo; Bo: 10 shared hours."""
    chart = vacation_test(make_data(tasks=hourly_work(30, 70))).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "person", "hours",
                                                            "work")
    assert chart.data.values.tolist() == [
        ["Ann", "only they do", 30.0], ["Ann", "others do too", 70.0],
        ["Bo", "only they do", 0.0], ["Bo", "others do too", 10.0]]
    assert chart.note == ("30.0% of Ann's recurring work (30.0 of 100.0 hours) is done by "
                          "nobody else, e.g. Reorder stock.")


def test_vacation_chart_note_when_all_work_is_shared():
    """Ann and Bo both pick orders and nothing else: no sole work, and the note says so."""
    chart = vacation_test(make_data(tasks=hourly_work(0, 20))).chart
    assert chart.data["hours"].tolist() == [0.0, 20.0, 0.0, 10.0]
    assert chart.note == ("Every recurring task of the 2 people judged was also done by "
                          "someone else.")


def test_spreadsheet_chart_stacks_critical_sheets_by_owner():
    """Ann owns two fragile and two shared critical sheets, Cy one fragile sheet."""
    rows = [sheet("a.xlsx", editors=1.0, documented=False),
            sheet("b.xlsx", editors=None, documented=None),
            {**sheet("c.xlsx", editors=1.0, documented=False), "owner": "Cy"},
            sheet("d.xlsx"), sheet("e.xlsx", editors=1.0)]
    chart = spreadsheet_dependency(sheets(rows)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "owner",
                                                            "spreadsheets", "sheet")
    assert chart.data.values.tolist() == [
        ["Ann", "one editor, undocumented", 2], ["Ann", "shared or documented", 2],
        ["Cy", "one editor, undocumented", 1], ["Cy", "shared or documented", 0]]
    assert chart.note == ("3 of 5 critical spreadsheets have one editor and no documentation "
                          "(60.0%); Ann owns 2 of them.")
