"""A run killed at any stage, or out of disk, leaves nothing half-written and no client data.

Each fault test runs the real command line in a child process (its own session, a temporary
folder of the test as TMPDIR) that kills itself at one stage through the test hook
``OPSKIT_FAULT_STAGE`` (``opskit.faults``). It then waits until no process of that run is
left (the guardian that cleans up, a kernel orphaned by the kill) and looks at the disk:
the output folder holds either one complete report folder or nothing client-derived, no
``.part`` file, no 0-byte or broken artifact, no hand-off, no kernel folder; the temporary
folder is empty; the ledger counts only completed runs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import openpyxl
import psutil
import pytest
from conftest import SAMPLES

from opskit import faults
from opskit.atomic import WriteFailed
from opskit.cli import main
from opskit.history import completed_runs, failed_runs, ledger_in
from opskit.workfolder import LOCK, WorkFolder, sweep

CLIENT = "Juniper Lane Goods"
DELIVERABLES = {"report.html", "findings.json", "findings.xlsx", "evidence", "run"}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """A copy of the control sample (without reports or ledger) and an empty tmp/."""
    root = tmp_path_factory.mktemp("faults")
    shutil.copytree(SAMPLES / "control", root / "control",
                    ignore=shutil.ignore_patterns("reports", ".opskit"))
    (root / "tmp").mkdir()
    return root


def run_cli(root: Path, out: Path, *args: str, stage: str | None = None,
            signal_name: str | None = None) -> subprocess.CompletedProcess:
    """`opskit run` on the copy in a child process, killed at ``stage`` when given; returns
    once no process of the run is left."""
    env = {k: v for k, v in os.environ.items() if k not in (faults.ENV, faults.SIGNAL_ENV)}
    env.update(TMPDIR=str(root / "tmp"), TMP=str(root / "tmp"), TEMP=str(root / "tmp"))
    if stage is not None:
        env[faults.ENV] = stage
    if signal_name is not None:
        env[faults.SIGNAL_ENV] = signal_name
    done = subprocess.run([sys.executable, "-m", "opskit", "run", str(root / "control"),
                           "--out", str(out), *args], env=env, capture_output=True,
                          text=True, timeout=900, start_new_session=True)
    wait_until_no_process_mentions(out)
    return done


def wait_until_no_process_mentions(folder: Path, limit: float = 180.0) -> None:
    """Wait (a condition, not a timing assertion) until no process has ``folder`` in its
    command line: the guardian has cleaned up and an orphaned kernel is gone."""
    deadline = time.monotonic() + limit
    while True:
        alive = []
        for proc in psutil.process_iter(["cmdline", "status"]):
            try:
                if proc.info["status"] != psutil.STATUS_ZOMBIE and str(folder) in " ".join(
                        proc.info["cmdline"] or ()):
                    alive.append(proc.pid)
            except psutil.Error:
                continue
        if not alive:
            return
        assert time.monotonic() < deadline, f"processes of the run still alive: {alive}"
        time.sleep(0.2)


def report_folders(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith(".")) if out.exists() \
        else []


def assert_complete(folder: Path) -> None:
    """Every deliverable present and whole: the page ends, the JSON parses, the workbook is
    a zip openpyxl opens, the executed notebook reads."""
    assert {p.name for p in folder.iterdir()} == DELIVERABLES
    assert folder.joinpath("report.html").read_text(encoding="utf-8").rstrip().endswith(
        "</html>")
    assert json.loads(folder.joinpath("findings.json").read_text())["client"] == CLIENT
    assert zipfile.is_zipfile(folder / "findings.xlsx")
    assert "Summary" in openpyxl.load_workbook(folder / "findings.xlsx").sheetnames
    assert any(folder.joinpath("evidence").iterdir())
    assert nbformat.read(folder / "run" / "diagnostic.ipynb", as_version=4).cells


def assert_nothing_half_written_or_left(root: Path, out: Path) -> None:
    """No temporary, hand-off or kernel file anywhere under ``out``, no 0-byte artifact,
    and nothing in the temporary folder."""
    for path in out.rglob("*"):
        name = path.name
        assert not name.endswith(".part"), path
        assert name != ".engagement.pickle" and not name.startswith(
            (".ipython", ".opskit-", ".opskit~", ".k")), path
        if path.is_file() and ".opskit" not in path.parts and name != "kernel.log":
            assert path.stat().st_size > 0, path
    assert list((root / "tmp").iterdir()) == []


def completed(out: Path) -> int:
    return len(completed_runs(ledger_in(out), CLIENT))


@pytest.mark.parametrize("stage", faults.STAGES)
def test_killed_at_any_stage_leaves_nothing_half_written(root, stage):
    """SIGKILL at each stage: no report folder, or (killed after publishing, before the
    ledger) one complete folder; never a partial artifact or client data outside it; the
    run is not counted as a diagnostic."""
    out = root / f"out-{stage}"
    done = run_cli(root, out, stage=stage)
    assert done.returncode == -signal.SIGKILL, done.stderr
    folders = report_folders(out)
    if stage == "ledger":
        assert len(folders) == 1
        assert_complete(folders[0])
    else:
        assert folders == []
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0 and failed_runs(ledger_in(out), CLIENT).empty


def test_a_client_copy_killed_with_the_kernel_running_leaves_nothing(root):
    """The same for `--audience client`: the hand-off and the kernel's folder are gone."""
    out = root / "out-client"
    done = run_cli(root, out, "--audience", "client", stage="kernel")
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert report_folders(out) == []
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0


def test_sigterm_ends_the_run_cleanly(root):
    """SIGTERM (a service manager, `kill`): exit 130 through the run's cleanup, nothing left."""
    out = root / "out-term"
    done = run_cli(root, out, stage="kernel", signal_name="TERM")
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr
    assert report_folders(out) == []
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0


def test_the_next_run_removes_what_killed_runs_left(root):
    """Leftovers of killed runs (a work folder nobody holds, a temporary file, a hand-off
    pickle and a kernel folder of older versions) are removed by the next run, which is
    then the one completed diagnostic; the kernel spoke over IPC, not TCP."""
    out = root / "out-rerun"
    stale = out / ".opskit-stale123"
    (stale / "run").mkdir(parents=True)
    (stale / LOCK).write_text("")
    (stale / "findings.json").write_text('{"client": "a killed run"}')
    old = out / "2026-01-01T000000"
    (old / ".ipython-abc").mkdir(parents=True)
    (old / ".ipython-abc" / "kernel-1.json").write_text("{}")
    (old / ".engagement.pickle").write_bytes(b"client data")
    (old / ".findings.xlsx.x1y2.part").write_bytes(b"PK")
    (old / "report.html").write_text("<html></html>")
    done = run_cli(root, out)
    assert done.returncode == 0, done.stderr
    assert not stale.exists()
    assert sorted(p.name for p in old.iterdir()) == ["report.html"]
    (new,) = [p for p in report_folders(out) if p != old]
    assert_complete(new)
    assert new.stat().st_mode & 0o777 == old.stat().st_mode & 0o777  # as mkdir makes it
    assert_nothing_half_written_or_left(root, out)
    assert f"Report: {new / 'report.html'}" in done.stdout
    assert completed(out) == 1
    log = (new / "run" / "kernel.log").read_text(encoding="utf-8")
    assert "without encryption" not in log and "TCP" not in log


def test_a_full_disk_names_the_file_and_records_no_diagnostic(root, monkeypatch, capsys):
    """Writing report.html fails with ENOSPC: exit 1, the message names the file, no
    report.html nor temporary file is left, and the run is recorded as failed, apart."""
    out = root / "out-full"

    def disk_full(stage: str) -> None:
        if stage == "html":
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(faults, "point", disk_full)
    assert main(["run", str(root / "control"), "--out", str(out)]) == 1
    (folder,) = report_folders(out)
    err = " ".join(capsys.readouterr().err.split())
    assert err == (f"error: Could not write {folder / 'report.html'}: got No space left on "
                   "device. Hint: free space or fix the permissions of that folder, then run "
                   "again; nothing half-written was left behind")
    assert sorted(p.name for p in folder.iterdir()) == ["run"]
    assert sorted(p.name for p in (folder / "run").iterdir()) == ["diagnostic.ipynb",
                                                                  "kernel.log"]
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0
    failed = failed_runs(ledger_in(out), CLIENT)
    assert failed["stage"].tolist() == ["html"]
    assert failed["error"].iloc[0].startswith(f"Could not write {folder / 'report.html'}")
    capsys.readouterr()
    assert main(["history", str(root / "control"), "--ledger", str(ledger_in(out))]) == 1
    said = capsys.readouterr().out
    assert said.startswith("No diagnostics recorded for")
    lines = said.split("\n1 run did not finish (not counted as diagnostics):\n")[1].splitlines()
    assert lines[0].endswith(f"stopped at html: Could not write {folder / 'report.html'}: "
                             "got No space left on device. Hint: free space or fix the "
                             "permissions of that folder, then run again; nothing "
                             "half-written was left behind")


def test_a_full_disk_while_the_workbook_is_written_apart_names_the_workbook(root, monkeypatch,
                                                                           capsys):
    """findings.xlsx is written by a forked process beside the kernel: its write error
    reaches the run as the same message, naming findings.xlsx, exit 1, stage workbook."""
    from opskit.report import workbook

    out = root / "out-xlsx-full"

    def no_space(ctx, out_dir):
        raise WriteFailed(Path(out_dir) / "findings.xlsx",
                          OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(workbook, "write_workbook", no_space)  # the fork inherits it
    assert main(["run", str(root / "control"), "--out", str(out)]) == 1
    (folder,) = report_folders(out)
    err = " ".join(capsys.readouterr().err.split())
    assert err == (f"error: Could not write {folder / 'findings.xlsx'}: got No space left "
                   "on device. Hint: free space or fix the permissions of that folder, then "
                   "run again; nothing half-written was left behind")
    assert sorted(p.name for p in folder.iterdir()) == ["run"]
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0
    assert failed_runs(ledger_in(out), CLIENT)["stage"].tolist() == ["workbook"]


def test_a_crash_of_the_workbook_writer_is_a_bug_of_ours(root, monkeypatch, capsys):
    """A bug in the forked workbook writer is exit 3, named as a bug in opskit with the
    writer's own error, never blamed on the client's data; nothing is left behind."""
    from opskit.report import workbook

    out = root / "out-xlsx-crash"

    def broken(ctx, out_dir):
        raise KeyError("sheet_of_a_bug")

    monkeypatch.setattr(workbook, "write_workbook", broken)
    monkeypatch.delenv("OPSKIT_DEBUG", raising=False)
    assert main(["run", str(root / "control"), "--out", str(out)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("internal error: WorkbookWriterCrashed: writing findings.xlsx "
                          "failed: Traceback")
    assert "KeyError: 'sheet_of_a_bug'" in err
    assert "This is a bug in opskit, not a problem with your data." in err
    assert_nothing_half_written_or_left(root, out)
    assert completed(out) == 0


def test_the_kernel_listens_on_unix_sockets_in_the_private_folder(tmp_path):
    """Jupyter's ipc transport: the connection info says ipc, its sockets are in the run's
    private folder, and kernel.log lacks 'Kernel is running over TCP without encryption'."""
    from opskit.run import execute

    probe = nbformat.v4.new_notebook()
    probe.cells = [nbformat.v4.new_code_cell(
        "from ipykernel.connect import get_connection_info\n"
        "info = get_connection_info(unpack=True)\nprint(info['transport'], info['ip'])")]
    probe.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                    "display_name": "Python 3"}
    nbformat.write(probe, tmp_path / "probe.ipynb")
    private = tmp_path / "p"
    private.mkdir(mode=0o700)
    execute({}, tmp_path / "out.ipynb", progress=False, notebook=tmp_path / "probe.ipynb",
            private=private)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    transport, ip = executed.cells[0].outputs[0]["text"].split()
    assert transport == "ipc"
    assert Path(ip).parent.parent == private and Path(ip).name == "k"
    assert list(private.iterdir()) == []  # sockets and connection file removed with it
    log = (tmp_path / "kernel.log").read_text(encoding="utf-8")
    assert "without encryption" not in log


def test_sweep_spares_a_live_work_folder_and_removes_a_stale_one(tmp_path):
    """A work folder whose lock is held (a run still going) is never swept; once its run is
    gone, it is."""
    with WorkFolder(tmp_path) as live:
        (live.path / "findings.json").write_text("{}")
        assert sweep(tmp_path) == [] and live.path.exists()
        stale = tmp_path / ".opskit-gone"
        stale.mkdir()
        (stale / LOCK).write_text("")
        assert sweep(tmp_path) == [stale] and live.path.exists()
        held = live.path
    assert not held.exists() and list(tmp_path.iterdir()) == []


def test_sweep_leaves_other_outputs_alone(tmp_path):
    """Only report folders are swept: a portfolio folder's kernel profile and a file being
    written there (another command, maybe running now) are left as they are."""
    portfolio = tmp_path / "portfolio"
    (portfolio / ".ipython-live").mkdir(parents=True)
    (portfolio / "portfolio.ipynb").write_text("{}")
    (portfolio / ".portfolio.xlsx.ab12.part").write_bytes(b"PK")
    other = tmp_path / "notes"
    other.mkdir()
    (other / ".draft.part").write_text("mine")
    assert sweep(tmp_path) == []
    assert sorted(p.name for p in portfolio.iterdir()) == [
        ".ipython-live", ".portfolio.xlsx.ab12.part", "portfolio.ipynb"]
    assert (other / ".draft.part").read_text() == "mine"


HOSTILE_PERSON = '=HYPERLINK("http://evil.example","click")\x00\x0bEvil'


def test_control_characters_and_formulas_in_client_text_finish_the_run(tmp_path, capsys):
    """A person named with a formula, a NUL and a vertical tab (in the accounts export of
    a copy of dtc): the run completes with every deliverable (no IllegalCharacterError in the
    workbook), the workbook opens and holds the name as text, the evidence CSV starts it
    with an apostrophe, and the ledger counts one completed run."""
    import pandas as pd

    client = tmp_path / "dtc"
    shutil.copytree(SAMPLES / "dtc", client)
    accounts = client / "data" / "accounts.csv"
    frame = pd.read_csv(accounts, dtype=str, keep_default_na=False)
    no_mfa = frame["mfa_enabled"] == "false"
    assert no_mfa.sum() > 0
    frame.loc[no_mfa, "person"] = HOSTILE_PERSON
    frame.to_csv(accounts, index=False)
    out = tmp_path / "out"
    assert main(["run", str(client), "--out", str(out)]) == 0, capsys.readouterr().err
    (folder,) = report_folders(out)
    assert {p.name for p in folder.iterdir()} == {"report.html", "findings.xlsx",
                                                   "findings.json", "evidence", "run"}
    assert (folder / "report.html").stat().st_size > 0
    name = "Cedar & Finch Home"
    assert len(completed_runs(ledger_in(out), name)) == 1
    assert failed_runs(ledger_in(out), name).empty
    book = openpyxl.load_workbook(folder / "findings.xlsx", read_only=True)
    cells = [str(c) for s in book.worksheets for row in s.iter_rows(values_only=True)
             for c in row if c is not None and "HYPERLINK" in str(c)]
    assert cells and all(c.startswith("'=HYPERLINK") and "\x00" not in c and "\x0b" not in c
                         for c in cells)
    evidence = (folder / "evidence" / "security.mfa_gaps.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in evidence and ',=HYPERLINK' not in evidence
