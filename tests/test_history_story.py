"""History that tells the story: two recorded diagnostics of the dtc sample, the second with
planted fixes (opskit.samples.history run 2: pick errors stopped, hand edits of orders gone,
generic logins disabled), read back per finding in `opskit history` and in the report."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from conftest import SAMPLES

from opskit.cli import main
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.history import (
    Ledger,
    RunStamp,
    finding_stories,
    headline_of,
    run_record,
    since,
    story_lines,
)
from opskit.report.sections import since_last
from opskit.samples.history import simulate

FIRST, SECOND = "2026-12-01 09:00:00", "2026-12-02 10:30:00"


def stamp_runs(path, *times: str) -> None:
    """Give the recorded runs fixed recording times (the ledger stamps the wall clock)."""
    with Ledger(path) as ledger:
        ids = ledger.db.execute("SELECT id FROM runs ORDER BY id").fetchall()
        for (run_id,), when in zip(ids, times, strict=True):
            ledger.db.execute("UPDATE runs SET recorded_at = ? WHERE id = ?", (when, run_id))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The dtc client recorded at run 1 (as planted) and run 2 (three problems fixed)."""
    out = tmp_path_factory.mktemp("story")
    path = out / "ledger.sqlite"
    folders = simulate(out, source=SAMPLES / "dtc")[:2]
    diagnoses = []
    with Ledger(path) as ledger:
        for folder in folders:
            engagement = Engagement.load(folder)
            diagnosis = diagnose(engagement)
            diagnoses.append(diagnosis)
            ledger.record(run_record(engagement, diagnosis))
    stamp_runs(path, FIRST, SECOND)
    with Ledger(path) as ledger:
        summary = since(ledger, engagement.client)
    return summary, diagnoses, path, folders


def story(summary, check_id):
    return next(s for s in summary.stories if s.check_id == check_id)


def test_each_fixed_finding_tells_metric_and_dollars_then_and_now(two_runs):
    """Pick errors stopped: fixed, its error rate and dollars from run 1 to zero; the text
    carries the title and the headline metric in its unit."""
    summary, diagnoses, _, _ = two_runs
    errors = story(summary, "fulfillment.fulfillment_errors")
    before = diagnoses[0]["fulfillment.fulfillment_errors"]
    assert (errors.change_text, errors.title) == ("fixed", "Customers receive wrong or "
                                                           "missing items")
    assert errors.metric_text() == f"error_rate {before.headline_metric.display()} → 0.0%"
    assert errors.metric_text() == "error_rate 1.6% → 0.0%"
    assert errors.dollars_text() == "$12,220 → $0 a year"
    logins = story(summary, "security.shared_logins")
    assert (logins.change_text, logins.metric_text()) == ("fixed", "shared_logins 2 → 0")
    touches = story(summary, "efficiency.manual_touches")
    assert touches.line() == ("fixed: Orders need a human to move (efficiency.manual_touches);"
                              " touched_share 16.0% → 0.0%; $11,669 → $0 a year")


def test_persisting_findings_and_the_order_of_the_stories(two_runs):
    """Every other planted problem persists with its values then and now; persisting
    findings come before fixed ones, each group biggest dollars first."""
    summary, diagnoses, _, _ = two_runs
    late = story(summary, "fulfillment.late_shipments")
    assert (late.change_text, late.metric_text(), late.dollars_text()) == (
        "persisting", "late_rate 11.4% → 11.4%", "$23,045 → $23,045 a year")
    timing = story(summary, "fulfillment.order_to_ship_time")
    assert timing.metric_text() == "p90_business_days 4.4 days → 4.4 days"
    assert timing.dollars_text() == "$0 → $0 a year (not in the total)"
    changes = [s.change for s in summary.stories]
    flagged_first = {r.check_id for r in diagnoses[0].results if r.status.flagged}
    assert {s.check_id for s in summary.stories} == flagged_first
    assert changes == ["persisting"] * (len(flagged_first) - 3) + ["fixed"] * 3
    persisting = [max(s.now_base, 0) for s in summary.stories if s.change == "persisting"]
    assert persisting == sorted(persisting, reverse=True)


def test_runs_are_told_apart_by_their_recorded_time(two_runs):
    """The compared runs are named with their period end and the time they were recorded."""
    summary, _, _, _ = two_runs
    first = summary.stories[0]
    assert first.then == RunStamp(1, "2026-09-30", FIRST)
    assert first.then.text() == "run 1, as of 2026-09-30, recorded 2026-12-01 09:00 UTC"
    assert first.now.text() == "run 2, as of 2026-11-04, recorded 2026-12-02 10:30 UTC"


def test_two_runs_of_one_period_read_as_two_times(tmp_path, sample_engagements,
                                                  sample_diagnoses):
    """The same period diagnosed twice: both 'as of 2026-09-30', told apart by the recorded
    time, every finding persisting with equal values."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        for _ in range(2):
            ledger.record(run_record(sample_engagements["dtc"], sample_diagnoses["dtc"]))
    stamp_runs(path, FIRST, SECOND)
    with Ledger(path) as ledger:
        stories = finding_stories(ledger, sample_engagements["dtc"].client)
    assert story_lines(stories, "USD")[:3] == [
        "Findings since the last diagnostic:",
        "  then: run 1, as of 2026-09-30, recorded 2026-12-01 09:00 UTC",
        "  now:  run 2, as of 2026-09-30, recorded 2026-12-02 10:30 UTC"]
    assert {s.change for s in stories} == {"persisting"}
    assert all(s.then_value == s.now_value for s in stories)


def test_history_cli_prints_every_story_whole_at_80_columns(two_runs, capsys, monkeypatch):
    """`opskit history` at 80 columns: the runs with their recorded times, and per finding
    its change, title, whole check id, metric and dollars then -> now."""
    _, _, path, folders = two_runs
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["history", str(folders[1]), "--ledger", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2 diagnostics" in text and "2026-12-02 10:30" in text
    assert ("  fixed: Customers receive wrong or missing items "
            "(fulfillment.fulfillment_errors)\n"
            "      error_rate 1.6% → 0.0%; $12,220 → $0 a year; first seen 2026-09-30\n") in text
    assert "(efficiency.ops_headcount_vs_growth)" in text


def test_report_section_shows_the_stories(two_runs):
    """'Since the last diagnostic' names the compared runs and has a row per finding with
    its change, metric and dollars then -> now."""
    summary, diagnoses, _, _ = two_runs
    ctx = SimpleNamespace(history=summary, history_error=None, results=diagnoses[1].results,
                          currency="USD")
    html = since_last(ctx)
    assert ("<p>Compared: run 1, as of 2026-09-30, recorded 2026-12-01 09:00 UTC → run 2, as "
            "of 2026-11-04, recorded 2026-12-02 10:30 UTC.</p>") in html
    assert ("<tr><td>Customers receive wrong or missing items</td><td>fixed</td>"
            "<td>error_rate 1.6% → 0.0%</td><td>$12,220 → $0 a year</td></tr>") in html
    assert html.count("<tr><td>") == len(summary.stories)


def test_headline_of_reads_new_and_old_ledger_records():
    """Metrics recorded with units give the marked headline; records from before units were
    kept (bare values) give the first metric with no unit, shown as a plain number."""
    assert headline_of(json.dumps({"a": {"value": 2.0, "unit": "days", "headline": False},
                                   "b": {"value": 0.25, "unit": "share", "headline": True}})
                       ) == ("b", 0.25, "share")
    assert headline_of({"m": 3.5, "n": 1.0}) == ("m", 3.5, "")
    assert headline_of(None) == ("", None, "")


def test_the_first_run_tells_what_is_new(tmp_path, sample_engagements, sample_diagnoses):
    """With one recorded run every finding is new and shown with its value now only."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.record(run_record(sample_engagements["dtc"], sample_diagnoses["dtc"]))
    stamp_runs(path, FIRST)
    with Ledger(path) as ledger:
        stories = finding_stories(ledger, sample_engagements["dtc"].client)
    lines = story_lines(stories, "USD")
    assert lines[:2] == ["Findings of the first diagnostic:",
                         "  now:  run 1, as of 2026-09-30, recorded 2026-12-01 09:00 UTC"]
    late = next(s for s in stories if s.check_id == "fulfillment.late_shipments")
    assert (late.change_text, late.metric_text(), late.dollars_text()) == (
        "new", "late_rate 11.4%", "$23,045 a year")
    assert {s.change for s in stories} == {"new"}
    assert len(stories) == sum(r.status.flagged for r in sample_diagnoses["dtc"].results)
