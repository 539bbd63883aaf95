"""opskit batch: planning, failure isolation with real kernels, retries, executors, display.

One batch (module fixture) runs the four samples and four broken clients on two workers; the
Dask test runs two of the samples again on a LocalCluster and compares the findings. Broken
clients: one bad file (a required column missing: a partial report without it), and, through
the private ``_notebooks``
keyword, a notebook that raises and one whose kernel kills itself mid-run; a fourth blocks in
a cell (it waits for an event nothing sets) under a manifest time limit of 3 seconds, so the
limit fires however fast or busy the machine is.
"""

from __future__ import annotations

import concurrent.futures as cf
import gzip
import json
import shutil
import sys
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import SAMPLES
from rich.console import Console

from opskit.batch import run_batch, worker
from opskit.batch.display import clock, eta_seconds, summary_table
from opskit.batch.plan import ClientJob, default_out, discover, plan, slugify
from opskit.batch.supervise import supervise
from opskit.cli import main
from opskit.errors import CombinedError, ConfigError, MissingExtraError

SAMPLE_SLUGS = {"control": "juniper-lane-goods", "distributor": "ridgeline-supply-co",
                "dtc": "cedar-finch-home", "services": "brightline-home-services"}
GOOD_SLUGS = (*SAMPLE_SLUGS.values(), "blank-slate-co")
PARAMETERS = ("engagement", "period_start", "period_end", "audience", "checks", "thresholds",
              "output_dir", "history", "ledger")


def write_notebook(path: Path, *cells: str) -> Path:
    """A papermill notebook taking the diagnostic's parameters, then ``cells``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("\n".join(f"{p} = None" for p in PARAMETERS))
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def engagement(folder: Path, client: str) -> Path:
    """An engagement with no data files: it loads in milliseconds."""
    folder.mkdir(parents=True)
    (folder / "engagement.yaml").write_text(f'client: "{client}"\n', encoding="utf-8")
    return folder


def copy_sample(sample: str, folder: Path, client: str | None = None) -> Path:
    shutil.copytree(SAMPLES / sample, folder)
    if client is not None:
        config = folder / "engagement.yaml"
        text = config.read_text(encoding="utf-8").splitlines()
        text[0] = f'client: "{client}"'
        config.write_text("\n".join(text) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The four samples, an engagement without data, and four broken clients, on two
    workers, run once."""
    root = tmp_path_factory.mktemp("batch")
    clients = root / "clients"
    for sample in SAMPLE_SLUGS:
        copy_sample(sample, clients / sample)
    broken = copy_sample("services", clients / "broken-data", "Broken Data Co")
    with gzip.open(broken / "data" / "calls.csv.gz", "wt") as handle:
        handle.write("call_id,direction,outcome\nc1,inbound,answered\n")
    engagement(clients / "blank", "Blank Slate Co")
    raises = engagement(clients / "raises", "Raising Notebook Co")
    killed = engagement(clients / "killed", "Killed Kernel Co")
    slow = engagement(clients / "slow", "Slow Services Co")
    manifest = clients / "batch.yaml"
    manifest.write_text("clients:\n" + "".join(
        f"  - {name}\n" for name in (*SAMPLE_SLUGS, "blank", "broken-data", "raises", "killed"))
        + "  - path: slow\n    timeout: 3\n", encoding="utf-8")
    notebooks = {
        raises: write_notebook(root / "raises.ipynb", "x = 1",
                               "raise ValueError('planted failure')"),
        killed: write_notebook(root / "killed.ipynb", "x = 1",
                               "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        # blocks on purpose: the time limit must stop it however fast the machine is
        slow: write_notebook(root / "slow.ipynb", "x = 1",
                             "import threading\nthreading.Event().wait()")}
    console = Console(record=True, width=160)
    before = kernels_and_workers()
    result = run_batch(manifest, workers=2, timeout=600, out=root / "out", console=console,
                       _notebooks=notebooks)
    leftovers = kernels_and_workers() - before
    return result, console.export_text(), leftovers, root / "out"


def kernels_and_workers() -> set[tuple[int, str]]:
    """(pid, command line) of this process's children, but multiprocessing's resource
    tracker (one per interpreter, shared by every pool)."""
    children = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            line = " ".join(proc.cmdline())
        except psutil.NoSuchProcess:
            continue
        if "resource_tracker" not in line:
            children.add((proc.pid, line))
    return children


def outcome(result, slug):
    return next(o for o in result.outcomes if o.slug == slug)


def test_good_clients_complete_with_their_own_reports(batch):
    """Each good client ends ok with report.html, findings.json and .xlsx in
    <out>/<slug>/<timestamp>/, one folder per client."""
    result, _, _, out = batch
    folders = set()
    for slug in GOOD_SLUGS:
        o = outcome(result, slug)
        assert (o.status, o.reason, o.attempts) == ("ok", "ok", 1)
        folder = Path(o.folder)
        assert folder.parent == out / slug
        for name in ("report.html", "findings.json", "findings.xlsx", "run/diagnostic.ipynb",
                     "run/kernel.log"):
            assert (folder / name).is_file()
        record = json.loads((folder / "findings.json").read_text())
        assert o.total_impact == record["total_impact"]
        folders.add(folder)
    assert len(folders) == 5


def test_one_bad_file_gives_a_partial_report(batch):
    """A required column missing in one file: the client's report is written without it,
    'partial', the file and column named."""
    o = outcome(batch[0], "broken-data-co")
    assert (o.status, o.reason, o.attempts) == ("ok", "partial", 1)
    assert o.message.startswith("without data/calls.csv.gz: column 'started_at': expected "
                                "required column 'started_at', got columns 'call_id', "
                                "'direction', 'outcome'.")
    record = json.loads(Path(o.findings).read_text())
    assert [f["file"] for f in record["unusable_files"]] == ["data/calls.csv.gz"]
    assert Path(o.report).is_file()


def test_notebook_that_raises_keeps_its_marked_notebook(batch):
    """A raising cell: 'notebook raised' with the cell and error; the notebook is kept."""
    o = outcome(batch[0], "raising-notebook-co")
    assert (o.status, o.reason) == ("failed", "notebook raised")
    assert o.message == "cell 3 raised ValueError: planted failure"
    kept = nbformat.read(o.notebook, as_version=4)
    assert any("planted failure" in str(cell.get("outputs")) for cell in kept.cells)


def test_kernel_killed_mid_run_is_reported_as_died(batch):
    """SIGKILL in a cell: 'kernel died' naming the cell, no retry, a marker in the notebook."""
    o = outcome(batch[0], "killed-kernel-co")
    assert (o.status, o.reason, o.attempts) == ("failed", "kernel died", 1)
    assert o.message.startswith("the kernel process died")
    assert o.message.endswith("(killed from outside, or out of memory)")
    kept = nbformat.read(o.notebook, as_version=4)
    assert kept.cells[0].metadata["tags"] == ["opskit-batch-failure"]
    assert kept.cells[0].source.startswith("**opskit batch: this run did not finish (kernel "
                                           "died).** The kernel process died")
    injected = next(c for c in kept.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"engagement = \"{o.engagement}\"" in injected.source


def test_client_over_its_time_limit_times_out(batch):
    """The manifest's 3 s limit on a notebook that blocks: 'timeout', and its kernel is gone."""
    result, _, leftovers, _ = batch
    o = outcome(result, "slow-services-co")
    assert (o.status, o.reason, o.attempts) == ("failed", "timeout", 1)
    assert o.message.startswith("stopped at the time limit of 3 s")
    assert Path(o.notebook).is_file() and Path(o.notebook).parent.name == "run"
    assert leftovers == set()  # no kernel or worker outlives the batch


def test_batch_record_and_exit_code(batch):
    """batch.json lists all nine clients in manifest order; any failure makes exit code 1."""
    result, _, _, out = batch
    assert result.exit_code == 1
    record = json.loads((out / "batch.json").read_text())
    assert (record["succeeded"], record["failed"]) == (6, 3)
    assert [c["slug"] for c in record["clients"]] == [
        *GOOD_SLUGS, "broken-data-co", "raising-notebook-co", "killed-kernel-co",
        "slow-services-co"]
    assert [c["reason"] for c in record["clients"]] == ["ok"] * 5 + [
        "partial", "notebook raised", "kernel died", "timeout"]
    assert [c["timeout"] for c in record["clients"]] == [600] * 8 + [3]
    assert record["executor"] == "local process pool (2 workers)"


def test_progress_lines_and_summary_say_why(batch):
    """The display logs each client and ends at 6 done, 3 failed, 0 running; the summary
    table gives every failure's reason, and the file a partial report was written without."""
    result, text, _, out = batch
    assert "9/9 6 done · 3 failed · 0 running" in text and "ETA 0:00" in text
    assert "✓ cedar-finch-home" in text
    assert "partial: without data/calls.csv.gz: column 'started_at'" in text
    console = Console(record=True, width=240)
    console.print(summary_table(result.outcomes, out))
    table = console.export_text()
    for reason in ("partial: without data/calls.csv.gz", "notebook raised", "kernel died",
                   "timeout"):
        assert reason in table
    assert "cedar-finch-home/" in table and "$1,874,586" in table


def test_dask_local_cluster_gives_the_same_findings(batch, tmp_path):
    """Two small clients on a LocalCluster bound to 127.0.0.1: findings.json equal to the
    local pool's, apart from the run's timestamp."""
    clients = tmp_path / "clients"
    copy_sample("services", clients / "services")
    engagement(clients / "blank", "Blank Slate Co")
    before = kernels_and_workers()
    result = run_batch(clients, workers=2, timeout=600, scheduler="local",
                       out=tmp_path / "out", console=Console(record=True))
    assert result.exit_code == 0
    assert result.executor == "Dask LocalCluster on 127.0.0.1 (2 workers)"
    for slug in ("brightline-home-services", "blank-slate-co"):
        dask = json.loads(Path(outcome(result, slug).findings).read_text())
        local = json.loads(Path(outcome(batch[0], slug).findings).read_text())
        dask.pop("generated_at")
        local.pop("generated_at")
        assert dask == local
    assert kernels_and_workers() - before == set()


# -- retries, with a kernel that really fails to start ------------------------------------
SHIM = '''"""Test shim: a kernel that exits before replying to kernel_info, N times."""
import os, runpy, sys
from pathlib import Path

counter = Path(os.environ["OPSKIT_TEST_KERNEL_FAILURES"])
left = int(counter.read_text())
if left > 0:
    counter.write_text(str(left - 1))
    sys.exit(1)
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
'''


@pytest.fixture
def failing_kernels(tmp_path, monkeypatch):
    """Kernels started from now on die at start-up as often as the returned file says."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "ipykernel_launcher.py").write_text(SHIM, encoding="utf-8")
    counter = tmp_path / "failures"
    monkeypatch.setenv("PYTHONPATH", str(shim))
    monkeypatch.setenv("OPSKIT_TEST_KERNEL_FAILURES", str(counter))
    monkeypatch.setattr(worker, "RETRY_PAUSE", 0.1)
    return counter


def tiny_job(tmp_path: Path) -> ClientJob:
    folder = engagement(tmp_path / "tiny", "Tiny Co")
    return ClientJob(slug="tiny-co", client="Tiny Co", path=str(folder),
                     out=str(tmp_path / "out" / "tiny-co"), audience="consultant", timeout=120,
                     notebook=str(write_notebook(tmp_path / "tiny.ipynb", "x = 1")))


def test_kernel_start_failures_are_retried_twice(failing_kernels, tmp_path):
    """Two kernels that die before kernel_info, then one that starts: ok on attempt 3."""
    failing_kernels.write_text("2")
    o = worker.run_client(tiny_job(tmp_path))
    assert (o.status, o.attempts) == ("ok", 3)
    assert [h["reason"] for h in o.failed_attempts] == ["kernel did not start"] * 2
    assert "Kernel died before replying to kernel_info" in o.failed_attempts[0]["message"]
    assert Path(o.report).is_file()


def test_kernel_start_failure_gives_up_after_three_attempts(failing_kernels, tmp_path):
    """Five planned start failures: the client fails after exactly three attempts."""
    failing_kernels.write_text("5")
    o = worker.run_client(tiny_job(tmp_path))
    assert (o.status, o.reason, o.attempts) == ("failed", "kernel did not start", 3)
    assert o.message.endswith("(after 3 attempts)")
    assert failing_kernels.read_text() == "2"  # no fourth kernel was started


def attempt_folder(folder: Path, started_cells: int, log: str = "") -> Path:
    """A failed attempt's report folder: run/kernel.log, and run/diagnostic.ipynb in which
    papermill stamped ``started_cells`` cells as started (none: no notebook at all)."""
    (folder / "run").mkdir(parents=True)
    (folder / "run" / "kernel.log").write_text(log, encoding="utf-8")
    if started_cells:
        path = write_notebook(folder / "run" / "diagnostic.ipynb", "x = 1", "y = 2")
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells[:started_cells]:
            cell.metadata["papermill"] = {"start_time": "2026-11-21T10:00:00"}
        nbformat.write(nb, path)
    return folder


def test_kernel_start_failure_is_identified_precisely(tmp_path):
    """jupyter_client's start-up errors count; a dead kernel counts only when its log shows
    a taken port or its notebook shows no finished cell."""
    from nbclient.exceptions import DeadKernelError

    check = worker.is_kernel_start_failure
    died = DeadKernelError("Kernel died")
    assert check(RuntimeError("Kernel died before replying to kernel_info"), None)
    assert check(RuntimeError("Kernel didn't respond in 60 seconds"), None)
    assert check(died, attempt_folder(tmp_path / "port", 0,
                                      "zmq.error.ZMQError: Address already in use"))
    assert check(died, attempt_folder(tmp_path / "first-cell", 1))
    assert not check(died, attempt_folder(tmp_path / "mid-run", 3))
    assert not check(died, attempt_folder(tmp_path / "unsaved", 0))
    assert not check(died, None)
    assert not check(RuntimeError("Kernel died"), None)
    assert not check(ValueError("Kernel died before replying to kernel_info"), None)


def test_classify_names_every_other_reason():
    """Data errors (alone or combined) are bad data, a config error is configuration, a
    cell timeout is a timeout, anything else an error with its traceback kept."""
    from nbclient.exceptions import CellTimeoutError

    from opskit.errors import DataError

    def reason(exc, timed_out=False):
        failure = worker.classify(exc, None, timed_out=timed_out, timeout=9)
        return failure.reason, failure.message

    data = DataError("orders.csv", expected="a date", got="'x'")
    assert reason(data) == ("bad data", "orders.csv: expected a date, got 'x'.")
    assert reason(CombinedError([data, data], "Acme"))[0] == "bad data"
    assert reason(ConfigError("engagement.yaml", expected="a mapping"))[0] == "configuration"
    assert reason(CellTimeoutError("cell timed out")) == ("timeout",
                                                          "stopped at the time limit of 9 s")
    assert reason(OSError("disk full"), timed_out=True)[0] == "timeout"
    failure = worker.classify(OSError("disk full"), None, timed_out=False, timeout=9)
    assert (failure.reason, failure.message) == ("error", "OSError: disk full")
    assert "OSError: disk full" in failure.detail


# -- the supervisor's backstop ------------------------------------------------------------
class StuckExecutor:
    """A worker that started its client and never answers again."""

    description = "stuck"

    def __init__(self):
        self.abandoned = []
        self.sent = False

    def submit(self, job):
        return cf.Future()

    def events(self):
        if self.sent:
            return []
        self.sent = True
        return [{"event": "started", "slug": "stuck-co", "pid": 4242, "attempt": 1}]

    def abandon(self, future, pid):
        self.abandoned.append(pid)

    def close(self, *, kill=False):
        pass


def test_supervisor_gives_up_on_a_worker_that_never_answers():
    """Past limit + grace the client is a timeout and its worker is abandoned."""
    job = ClientJob(slug="stuck-co", client="Stuck Co", path="/nowhere", out="/nowhere",
                    audience="consultant", timeout=1)
    executor = StuckExecutor()
    [o] = supervise([job], executor, grace=0.5, poll=0.05)
    assert (o.status, o.reason) == ("failed", "timeout")
    assert o.message == ("stopped at the time limit of 1 s: the worker did not report back "
                         "within 0.5 s after it and was stopped")
    assert executor.abandoned == [4242]


# -- planning: everything checked before any kernel ---------------------------------------
def test_discover_finds_engagements_and_skips_outputs(tmp_path):
    """Engagement folders at any depth; not inside an engagement, hidden or output folders."""
    a = engagement(tmp_path / "a", "A")
    b = engagement(tmp_path / "group" / "b", "B")
    engagement(tmp_path / "a" / "reports" / "nested", "Nested")
    engagement(tmp_path / ".trash" / "c", "C")
    engagement(tmp_path / "batch-reports" / "d", "D")
    assert discover(tmp_path, skip=tmp_path / "batch-reports") == [a, b]
    assert default_out(tmp_path) == tmp_path / "reports"


def test_every_configuration_problem_is_reported_at_once(tmp_path):
    """Eight mistakes in one manifest: one CombinedError naming each, and nothing runs."""
    engagement(tmp_path / "a", "Acme")
    engagement(tmp_path / "b", "Beta")
    (tmp_path / "c").mkdir()
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(
        "defaults:\n  audiense: client\n"
        "clients:\n"
        "  - path: a\n    slug: same\n"
        "    thresholds: {fulfillment.late_shipments: {warn: 7}}\n"
        "    checks: [fulfillment.late_shipment]\n"
        "  - path: b\n    slug: same\n    period: {start: 2026-09-01, end: 2026-08-01}\n"
        "    timeout: 0\n"
        "  - c\n  - missing\n", encoding="utf-8")
    with pytest.raises(CombinedError) as caught:
        run_batch(manifest, workers=0, out=tmp_path / "out")
    messages = [e.message for e in caught.value.errors]
    assert len(messages) == 9
    assert messages[0] == "--workers: expected a whole number >= 1, got 0."
    assert messages[1].startswith("batch.yaml, defaults: unknown key 'audiense'")
    assert "did you mean 'audience'?" in messages[1]
    assert messages[2].startswith("batch.yaml, client 1 (a): Unknown check "
                                  "'fulfillment.late_shipment'")
    assert messages[3] == ("batch.yaml, client 1 (a): The 'warn' parameter of "
                           "fulfillment.late_shipments must be a number in [0, 1]. Got 7.")
    assert messages[4] == ("batch.yaml, client 2 (b), timeout: expected a whole number of "
                           "seconds >= 1, got 0.")
    assert messages[5] == ("batch.yaml, client 2 (b), period: expected start on or before "
                           "end, got start 2026-09-01, end 2026-08-01.")
    assert messages[6].startswith("batch.yaml, client 3 (c): ")
    assert "engagement.yaml" in messages[6]
    assert messages[7].startswith("batch.yaml, client 4 (missing): ")
    assert "nothing at that path" in messages[7]
    assert messages[8].startswith("batch.yaml, client 2 (b), slug 'same'")
    assert not (tmp_path / "out").exists()


def test_plan_over_the_bad_input_corpus(tmp_path):
    """Over tests/data/bad, one error names exactly the engagements whose engagement.yaml
    is wrong; the broken data files are left to each client's own run."""
    from test_bad_inputs import BAD, CASES

    config_cases = {case for case, (_, expect) in CASES.items()
                    if "rows" not in expect and expect["error"] in (ConfigError, None)}
    with pytest.raises(CombinedError) as caught:
        plan(BAD, out=tmp_path / "out", workers=2, timeout=60, audience="consultant",
             scheduler=None)
    named = [e.message.split(":")[0] for e in caught.value.errors]
    assert named == sorted(config_cases)
    assert len(named) >= 12


def test_manifest_settings_and_slugs(tmp_path):
    """Client settings beat the manifest's defaults, which beat the command line; two
    clients whose names make the same slug get distinct report folders."""
    engagement(tmp_path / "a", "Cedar & Finch Home")
    engagement(tmp_path / "b", "Cedar Finch Home")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        "defaults:\n  audience: client\n  thresholds: {sales.missed_calls: {warn: 0.1}}\n"
        "clients:\n  - a\n  - path: b\n    audience: consultant\n    timeout: 60\n"
        "    thresholds: {sales.missed_calls: {fail: 0.3}}\n    period: {start: 2026-07-01}\n",
        encoding="utf-8")
    a, b = plan(manifest, out=tmp_path / "out", workers=2, timeout=900,
                audience="consultant", scheduler=None)
    assert (a.slug, a.audience, a.timeout, dict(a.thresholds)) == (
        "cedar-finch-home", "client", 900, {"sales.missed_calls": {"warn": 0.1}})
    assert (b.slug, b.audience, b.timeout, dict(b.thresholds)) == (
        "cedar-finch-home-2", "consultant", 60,
        {"sales.missed_calls": {"warn": 0.1, "fail": 0.3}})
    assert (b.period_start, b.period_end) == ("2026-07-01", None)
    assert Path(b.out) == (tmp_path / "out" / "cedar-finch-home-2").resolve()
    assert slugify("Ünïcode & Co.") == "unicode-co"


def test_one_client_name_twice_in_a_batch_is_refused(tmp_path):
    """Two engagements with the same client name would mix their histories in the batch's
    ledger: the plan refuses the second, naming both."""
    engagement(tmp_path / "a", "Cedar & Finch Home")
    engagement(tmp_path / "b", "Cedar & Finch Home")
    with pytest.raises(ConfigError) as caught:
        plan(tmp_path, out=tmp_path / "out", workers=1, timeout=60, audience="consultant",
             scheduler=None)
    assert caught.value.message == (
        "b: expected each client name once in a batch, got the name 'Cedar & Finch Home' of "
        "a too. Hint: the history ledger follows a client by its name: give the engagements "
        "distinct `client:` names, or run them in separate batches")


def test_dask_missing_gives_the_install_hint(tmp_path, monkeypatch, capsys):
    """--scheduler without Dask installed: exit 2 and `pip install 'opskit[dask]'`."""
    engagement(tmp_path / "a", "Acme")
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError) as caught:
        plan(tmp_path, out=tmp_path / "out", workers=1, timeout=5, audience="consultant",
             scheduler="local")
    assert caught.value.hint == "pip install 'opskit[dask]'"
    assert main(["batch", str(tmp_path), "--scheduler", "local"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: --scheduler runs the batch on Dask: expected dask and distributed installed")


def test_bad_scheduler_address_is_a_config_error(tmp_path):
    """A scheduler that is neither 'local' nor host:port is refused before anything runs."""
    engagement(tmp_path / "a", "Acme")
    with pytest.raises(ConfigError, match="--scheduler: expected 'local' or a Dask"):
        plan(tmp_path, out=tmp_path / "out", workers=1, timeout=5, audience="consultant",
             scheduler="not an address")


def test_cli_exit_code_1_when_a_client_fails(tmp_path, capsys):
    """`opskit batch` on a folder whose only client has no usable file: exit 1, bad data."""
    broken = engagement(tmp_path / "clients" / "broken", "Broken Co")
    (broken / "data").mkdir()
    (broken / "data" / "calls.csv.gz").write_bytes(b"\x00\x01 not gzip")
    assert main(["batch", str(tmp_path / "clients"), "--workers", "1",
                 "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "0 of 1 clients succeeded" in out and "bad data" in out
    assert json.loads((tmp_path / "out" / "batch.json").read_text())["failed"] == 1


def test_exit_code_says_a_batch_was_partial():
    """No failure: 0 when every report used all its files, 4 when one was written without
    some, 3 when opskit crashed reading a client's file; a failure is 1 whatever else."""
    from opskit.batch import BatchResult

    def result(*reasons):
        return BatchResult([worker.ClientOutcome(
            slug=f"c{i}", client=f"C{i}", engagement="e",
            status="failed" if r == "timeout" else "ok", reason=r)
            for i, r in enumerate(reasons)], Path("out"), Path("out/batch.json"), "local")

    assert result("ok", "ok").exit_code == 0
    assert result("ok", "partial").exit_code == 4
    assert result("partial", "opskit bug").exit_code == 3
    assert result("opskit bug", "timeout").exit_code == 1
    assert [o.slug for o in result("ok", "partial", "opskit bug").partial] == ["c1", "c2"]


def test_eta_and_clock():
    """ETA is the pace so far times the clients left; unknown before the first finishes."""
    assert eta_seconds(30.0, 0, 8) is None
    assert eta_seconds(30.0, 2, 8) == 90.0
    assert (clock(None), clock(65), clock(3725)) == ("-", "1:05", "1:02:05")
