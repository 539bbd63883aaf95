"""The engagement ledger: lifecycle of findings, reliability, the history CLI and report."""

from __future__ import annotations

import json
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES

from opskit.cli import main
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.history import (
    Ledger,
    LedgerError,
    Lifecycle,
    Observation,
    RunRecord,
    lifecycle_state,
    run_record,
    since,
)
from opskit.samples.history import EXPECTED_STATES, simulate


def obs(*statuses: str, step_days: int = 35) -> list[Observation]:
    day = pd.Timestamp("2026-01-01")
    return [Observation(i, day + pd.Timedelta(days=i * step_days), s, 100.0)
            for i, s in enumerate(statuses)]


@pytest.mark.parametrize("statuses,state", [
    (("PASS", "PASS"), None),
    (("FAIL",), "new"),
    (("PASS", "WARN"), "new"),
    (("FAIL", "WARN"), "persisting"),
    (("FAIL", "NOT_ASSESSABLE", "FAIL"), "persisting"),
    (("FAIL", "PASS"), "resolved"),
    (("FAIL", "PASS", "PASS"), "resolved"),
    (("FAIL", "PASS", "PASS", "PASS"), "permanently_solved"),
    (("FAIL", "PASS", "ERROR", "PASS", "PASS"), "permanently_solved"),
    (("FAIL", "PASS", "FAIL"), "regressed"),
    (("FAIL", "PASS", "PASS", "PASS", "WARN"), "regressed"),
])
def test_lifecycle_states(statuses, state):
    """Each sequence of statuses ends in the documented lifecycle state."""
    assert lifecycle_state(obs(*statuses), Lifecycle()) == state


def test_permanence_needs_enough_days():
    """Three clean runs within fewer than 60 days are resolved, not permanently solved."""
    assert lifecycle_state(obs("FAIL", "PASS", "PASS", "PASS", step_days=20),
                           Lifecycle()) == "resolved"
    assert lifecycle_state(obs("FAIL", "PASS", "PASS", "PASS", step_days=20),
                           Lifecycle(runs=3, days=40)) == "permanently_solved"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """The dtc client over four diagnostics, recorded in one ledger."""
    out = tmp_path_factory.mktemp("history")
    ledger_path = out / "ledger.sqlite"
    diagnoses = []
    with Ledger(ledger_path) as ledger:
        for folder in simulate(out, source=SAMPLES / "dtc"):
            engagement = Engagement.load(folder)
            diagnosis = diagnose(engagement)
            ledger.record(run_record(engagement, diagnosis))
            diagnoses.append(diagnosis)
        summary = since(ledger, engagement.client)
    return summary, diagnoses, ledger_path, out


def test_four_runs_end_in_the_expected_states(simulated):
    """Fixed problems are permanently solved, the one that came back regressed, the new one
    is new, and every other planted problem persists."""
    summary, diagnoses, _, _ = simulated
    first = {r.check_id for r in diagnoses[0].results if r.status.flagged}
    expected = {check: "persisting" for check in first} | EXPECTED_STATES
    assert summary.states() == expected
    assert summary.new == ["security.mfa_gaps"]
    assert summary.regressed == ["efficiency.manual_touches"]


def test_impact_recovered_and_hours_eliminated(simulated):
    """Impact recovered is the base impact of the solved findings counted in the total; the
    hours eliminated are the automated tasks' hours."""
    summary, diagnoses, _, _ = simulated
    errors = diagnoses[0]["fulfillment.fulfillment_errors"].impact.base
    assert diagnoses[0]["security.shared_logins"].impact.in_total is False
    assert summary.impact_recovered == pytest.approx(errors, abs=0.01)
    assert (summary.hours_first, summary.hours_now) == (35.96, 24.57)
    assert summary.hours_eliminated == 11.39
    assert summary.automations_removed == ["Re-key showroom orders into Shopify",
                                           "Weekly ops KPI report"]


def test_history_cli_prints_the_timeline(simulated, capsys):
    """`opskit history` prints the runs, the states and the recovered impact."""
    _, _, ledger_path, out = simulated
    assert main(["history", str(out / "run4"), "--ledger", str(ledger_path)]) == 0
    text = capsys.readouterr().out
    assert "4 diagnostics" in text and "permanently solved" in text
    assert "11.4 hours a month" in text


def test_history_cli_without_runs(tmp_path, capsys):
    """A client with no recorded run gets one clear line and exit 1."""
    assert main(["history", str(SAMPLES / "control"), "--ledger",
                 str(tmp_path / "none.sqlite")]) == 1
    out = capsys.readouterr().out.strip()
    assert out.startswith("No diagnostics recorded for") and "\n" not in out.replace(
        "\n", " ", out.count("\n"))


def test_history_cli_on_a_corrupted_ledger(tmp_path, capsys):
    """A ledger file that is not a database gives a one-paragraph error and exit 2."""
    bad = tmp_path / "ledger.sqlite"
    bad.write_bytes(b"this is not a sqlite database" * 100)
    assert main(["history", str(SAMPLES / "control"), "--ledger", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "expected an opskit ledger (SQLite)" in " ".join(err.split())
    assert "Traceback" not in err


def small_record(client: str, n: int) -> RunRecord:
    return RunRecord(client=client, engagement="/x", as_of=f"2026-{1 + n % 12:02d}-01",
                     period_start="2026-01-01", opskit_version="t", param_hash="p",
                     input_hashes={}, total={"low": 1.0, "base": 2.0, "high": 3.0},
                     manual_hours=1.0, manual_tasks={},
                     results=[{"check_id": f"c.{k}", "status": "FAIL" if (n + k) % 2 else "PASS",
                               "metrics": {"m": n}, "impact_low": 1.0, "impact_base": 2.0,
                               "impact_high": 3.0, "in_total": True} for k in range(5)])


def write_runs(path: str, writer: int) -> None:
    with Ledger(path) as ledger:
        for n in range(50):
            ledger.record(small_record(f"client-{writer}", n))


def test_parallel_writers_lose_nothing(tmp_path):
    """Four processes writing 50 runs each into one ledger: all 200 runs and results are there."""
    path = str(tmp_path / "ledger.sqlite")
    Ledger(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=write_runs, args=(path, w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=240)
        assert worker.exitcode == 0
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 200
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1000
    assert db.execute("SELECT COUNT(DISTINCT client) FROM runs").fetchone()[0] == 4


def test_killed_writer_leaves_no_partial_run(tmp_path):
    """A process killed with SIGKILL while recording leaves a valid ledger without its run."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.record(small_record("kept", 1))
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from test_history import small_record
        from opskit.history import Ledger
        ledger = Ledger({str(path)!r})
        with ledger.transaction() as tx:
            run_id = tx.insert_run(small_record("killed", 2))
            tx.insert_results(run_id, small_record("killed", 2).results)
            print("inside", flush=True)
            time.sleep(120)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "inside"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with Ledger(path) as ledger:
        assert ledger.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ledger.runs("killed").empty
        assert len(ledger.runs("kept")) == 1
        assert ledger.db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 5


def test_locked_ledger_is_a_clear_error(tmp_path):
    """A ledger held by another writer past the timeout raises LedgerError naming the lock."""
    path = tmp_path / "ledger.sqlite"
    holder = Ledger(path)
    with holder.transaction(), pytest.raises(LedgerError, match="locked"):
        Ledger(path, timeout=0.2).record(small_record("x", 1))
    holder.close()


def test_report_shows_history_and_states(tmp_path, sample_engagements, sample_diagnoses):
    """The second recorded run's report has 'Since the last diagnostic' and finding states."""
    from opskit.run import run

    ledger_path = tmp_path / "ledger.sqlite"
    with Ledger(ledger_path) as ledger:
        ledger.record(run_record(sample_engagements["dtc"], sample_diagnoses["dtc"]))
    outcome = run(SAMPLES / "dtc", out=tmp_path / "reports", progress=False,
                  ledger=ledger_path)
    data = json.loads(outcome.json.read_text())
    assert data["history"]["runs"] == 2
    states = {r["check_id"]: r["state"] for r in data["results"]}
    assert states["fulfillment.late_shipments"] == "persisting"
    assert states["security.mfa_gaps"] is None
    html = outcome.html.read_text()
    assert "Since the last diagnostic" in html and "2 diagnostics recorded" in html


def test_report_renders_when_the_ledger_is_corrupted(tmp_path):
    """A corrupted ledger does not stop the report: the history section says why."""
    from opskit.run import run

    bad = tmp_path / "ledger.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    outcome = run(SAMPLES / "control", out=tmp_path / "reports", progress=False, ledger=bad)
    data = json.loads(outcome.json.read_text())
    assert "opskit ledger" in data["history"]["error"]
    assert "history of this client is not available" in outcome.html.read_text()


# -- only completed runs are diagnostics ---------------------------------------------------
def test_preview_shows_the_run_and_leaves_the_ledger_as_it_was(tmp_path):
    """The report of a run not yet complete sees itself in the history; the ledger does not."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.record(small_record("c", 1))
        summary = ledger.preview(small_record("c", 2))
        assert len(summary.runs) == 2
        assert summary.states() == {"c.0": "resolved", "c.1": "new", "c.2": "resolved",
                                    "c.3": "new", "c.4": "resolved"}
        assert len(ledger.runs("c")) == 1
        assert dict(zip(*ledger.findings("c")[["check_id", "state"]].values.T, strict=True)
                    ) == {"c.0": "new", "c.2": "new", "c.4": "new"}
        assert ledger.db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 5


def test_a_pending_run_counts_only_once_committed(tmp_path, sample_engagements,
                                                  sample_diagnoses):
    """With ``pending`` the notebook records nothing: it leaves the record, which
    ``commit_pending`` then writes, giving the very states the report showed."""
    from opskit.history import (
        commit_pending,
        completed_runs,
        read_pending,
        record_and_summarize,
    )

    path, pending = tmp_path / "ledger.sqlite", tmp_path / "pending.json"
    engagement, diagnosis = sample_engagements["control"], sample_diagnoses["control"]
    shown = record_and_summarize(engagement, diagnosis, path, pending)
    assert len(shown.runs) == 1
    assert completed_runs(path, engagement.client).empty
    record = read_pending(pending)
    assert record["ledger"] == str(path.resolve())
    assert record["lifecycle"] == {"runs": 3, "days": 60}
    run_id = commit_pending(record)
    runs = completed_runs(path, engagement.client)
    assert runs["id"].tolist() == [run_id] and runs["as_of"].tolist() == ["2026-09-30"]
    with Ledger(path) as ledger:
        assert since(ledger, engagement.client).states() == shown.states()
    assert read_pending(tmp_path / "none.json") is None


def test_failed_runs_are_kept_apart_and_never_counted(tmp_path, sample_engagements, capsys):
    """A failed run is listed by ``failed_runs`` with its stage and error, and `opskit
    history` counts only the completed ones."""
    from opskit.history import completed_runs, failed_runs, record_failure
    from opskit.run import NotebookFailed

    path = tmp_path / "ledger.sqlite"
    engagement = sample_engagements["control"]
    for n in (1, 2):
        with Ledger(path) as ledger:
            ledger.record(small_record(engagement.client, n))
    error = NotebookFailed(13, "artifacts = report.write_artifacts(ctx, output_dir)",
                           "ValueError: planted", tmp_path / "run" / "diagnostic.ipynb")
    record_failure(path, engagement, "notebook", error)
    failed = failed_runs(path, engagement.client)
    assert failed[["stage", "as_of", "period_start"]].values.tolist() == [
        ["notebook", "2026-09-30", "2026-07-01"]]
    assert failed["error"].iloc[0].startswith(
        "The diagnostic notebook failed in cell 13 ('artifacts = report.write_artifacts(ctx, "
        "output_dir)'): got ValueError: planted.")
    assert len(completed_runs(path, engagement.client)) == 2
    assert main(["history", str(SAMPLES / "control"), "--ledger", str(path)]) == 0
    text = capsys.readouterr().out
    assert "2 diagnostic" in text and "3 diagnostic" not in text
    assert completed_runs(tmp_path / "none.sqlite", "x").empty
    assert failed_runs(tmp_path / "none.sqlite", "x").empty


def test_a_version_1_ledger_is_migrated_keeping_its_runs(tmp_path):
    """A ledger from before failed runs were kept apart gains the table; its runs stay."""
    from opskit.history import MIGRATIONS, SCHEMA_VERSION, failed_runs

    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[1] + "; PRAGMA user_version = 1;")
    db.close()
    with Ledger(path) as ledger:
        ledger.record(small_record("old", 1))
    with Ledger(path) as ledger:
        assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert len(ledger.runs("old")) == 1
    assert failed_runs(path, "old").empty
