"""The `opskit` command: exit codes, messages, and the commands that only print."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import SAMPLE_CLIENTS, SAMPLES

from opskit.cli import main
from opskit.engagement import Engagement


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_validate_every_sample(slug, capsys):
    """`opskit validate` exits 0 on every sample, and every table's rows add up."""
    assert main(["validate", str(SAMPLES / slug)]) == 0
    assert "All mapped tables are usable." in capsys.readouterr().out
    for q in Engagement.load(SAMPLES / slug).quality.values():
        assert q.rows_read == q.rows_used + q.rows_set_aside


def test_dtc_sets_aside_its_test_orders():
    """The dtc sample's three negative-quantity test lines are set aside, with the reason."""
    quality = Engagement.load(SAMPLES / "dtc").quality["order_lines"]
    assert quality.rows_set_aside == 3
    assert quality.set_aside_by_reason == {"quantity: non_negative": 3}


def test_usage_errors_are_messages_not_tracebacks(capsys):
    """A missing argument or an option out of range is a usage message with exit code 2."""
    assert main(["validate"]) == 2
    assert main(["batch", str(SAMPLES), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "Missing argument" in err and "--workers" in err and "Traceback" not in err


def test_markup_in_messages_is_printed_verbatim(tmp_path, capsys):
    """Square brackets in a message (an install hint like opskit[dask]) are not eaten."""
    (tmp_path / "engagement.yaml").write_text("client: X\nfiles:\n  orders: data/[x].csv\n")
    assert main(["validate", str(tmp_path)]) == 2
    assert "data/[x].csv" in capsys.readouterr().err


HOSTILE_NAME = "[/x] Acme [bold]Co[/bold] [link=http://x]"


@pytest.fixture
def hostile_engagement(tmp_path):
    """The control sample under a client name and an extra column header full of console
    markup (a closing tag with no opening one used to crash rich's printer)."""
    folder = tmp_path / "client[red]"
    shutil.copytree(SAMPLES / "control", folder, ignore=shutil.ignore_patterns("reports"))
    config = folder / "engagement.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join([f"client: {HOSTILE_NAME!r}", *lines[1:]]) + "\n",
                      encoding="utf-8")
    people = folder / "data" / "people.csv"
    rows = people.read_text(encoding="utf-8").splitlines()
    people.write_text("\n".join([rows[0] + ",[/red]Notes", *(r + ",x" for r in rows[1:])])
                      + "\n", encoding="utf-8")
    return folder


def test_markup_in_client_data_is_printed_verbatim(hostile_engagement, tmp_path, capsys):
    """validate, diagnose, history and inspect print a client name, folder and column header
    holding console markup as plain text."""
    assert main(["validate", str(hostile_engagement)]) == 0
    out = capsys.readouterr().out
    assert HOSTILE_NAME in out and "client[red]" in out and "[/red]notes" in out.lower()
    assert main(["diagnose", str(hostile_engagement)]) == 0
    assert HOSTILE_NAME in capsys.readouterr().out
    assert main(["history", str(hostile_engagement), "--ledger",
                 str(tmp_path / "none.sqlite")]) == 1
    assert HOSTILE_NAME in capsys.readouterr().out.replace("\n", "")
    from opskit.diagnose import diagnose
    from opskit.history import record_and_summarize

    engagement = Engagement.load(hostile_engagement)
    record_and_summarize(engagement, diagnose(engagement), tmp_path / "ledger.sqlite")
    assert main(["history", str(hostile_engagement), "--ledger",
                 str(tmp_path / "ledger.sqlite")]) == 0
    assert f"{HOSTILE_NAME}: 1 diagnostics" in capsys.readouterr().out
    assert main(["inspect", str(hostile_engagement / "data" / "people.csv")]) == 0
    assert "Traceback" not in "".join(capsys.readouterr())


def test_a_bug_is_named_as_one_without_a_traceback(monkeypatch, capsys):
    """An unexpected exception (a bug, not bad data) is one paragraph and exit 3; with
    OPSKIT_DEBUG=1 it propagates with its traceback."""
    import importlib

    module = importlib.import_module("opskit.diagnose")

    def broken(*args, **kwargs):
        raise ZeroDivisionError("planted bug [/x]")

    monkeypatch.setattr(module, "diagnose", broken)
    monkeypatch.delenv("OPSKIT_DEBUG", raising=False)
    assert main(["diagnose", str(SAMPLES / "control")]) == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: planted bug [/x]" in err
    assert "bug in opskit, not a problem with your data" in err and "Traceback" not in err
    monkeypatch.setenv("OPSKIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["diagnose", str(SAMPLES / "control")])


def test_failures_of_the_machine_are_not_called_bugs(monkeypatch, tmp_path, capsys):
    """A dead kernel or a cell past its time limit is exit 1 with what happened; a file that
    cannot be written is exit 2 naming it. Neither is reported as a bug in opskit."""
    import importlib

    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run_module = importlib.import_module("opskit.run")
    for error, words in ((DeadKernelError("gone"), "the notebook kernel died"),
                         (CellTimeoutError("slow"), "a notebook cell ran past its time limit")):
        def raising(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(run_module, "run", raising)
        assert main(["run", str(SAMPLES / "control")]) == 1
        err = capsys.readouterr().err
        assert f"error: {words}" in err and "bug" not in err
    target = tmp_path / "missing" / "findings.json"
    assert main(["diagnose", str(SAMPLES / "control"), "--json", str(target)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {target}: No such file or directory. Hint: check the path, its permissions "
        "and the free disk space")


def test_checks_and_playbook_commands(capsys):
    """`opskit checks` lists 42 checks by hat; `opskit playbook` prints one playbook."""
    assert main(["checks"]) == 0
    assert "42 checks" in capsys.readouterr().out
    assert main(["playbook", "cash.duplicate_bills"]) == 0
    assert "## Verify it is permanently solved" in capsys.readouterr().out


def test_diagnose_command_prints_the_total(capsys):
    """`opskit diagnose` prints the opportunity and every hat's checks."""
    assert main(["diagnose", str(SAMPLES / "control")]) == 0
    out = capsys.readouterr().out
    assert "Total annual opportunity: $0" in out and "Security & access" in out


def test_python_dash_m_runs_the_same_command():
    """`python -m opskit` is the same command as `opskit`."""
    done = subprocess.run([sys.executable, "-m", "opskit", "checks"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "42 checks" in done.stdout
