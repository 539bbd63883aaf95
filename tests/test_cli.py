"""The `opskit` command: exit codes, messages, and the commands that only print."""

from __future__ import annotations

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
