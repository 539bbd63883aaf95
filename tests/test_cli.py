"""The `opskit` command: exit codes, messages, and the commands that only print."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert re.search(re.escape(f"{HOSTILE_NAME}: 1 diagnostic") + r"(?!s)",
                     capsys.readouterr().out)
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


def at_80_columns(*args: str) -> subprocess.CompletedProcess:
    """`opskit ARGS` as a consultant's 80-column terminal runs it."""
    import os

    env = {**os.environ, "COLUMNS": "80", "LINES": "40"}
    env.pop("OPSKIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "opskit", *args], capture_output=True,
                          text=True, env=env)


def whole(word: str, text: str) -> bool:
    """``word`` appears in ``text`` with no word character or dot glued to either end (so a
    check id cut or folded across lines does not count)."""
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w.])", text) is not None


def test_checks_at_80_columns_show_every_id_whole():
    """`opskit checks` at 80 columns: each of the 42 check ids on a line of its own, whole,
    no line wider than 80 and no ellipsis."""
    from opskit.registry import all_checks

    done = at_80_columns("checks")
    assert done.returncode == 0
    ids = [spec.id for spec in all_checks()]
    assert len(ids) == 42
    lines = done.stdout.splitlines()
    assert [i for i in ids if not whole(i, done.stdout)] == []
    assert max(len(line) for line in lines) <= 80 and "…" not in done.stdout
    assert lines[-1] == "42 checks. `opskit playbook ID` prints the playbook of one."


def test_diagnose_at_80_columns_shows_every_id_whole():
    """`opskit diagnose data/samples/dtc` at 80 columns names all 42 checks whole, with their
    status on the same line, and cuts nothing."""
    from opskit.registry import all_checks

    done = at_80_columns("diagnose", str(SAMPLES / "dtc"))
    assert done.returncode == 0, done.stderr
    assert [s.id for s in all_checks() if not whole(s.id, done.stdout)] == []
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    assert "  FAIL     fulfillment.late_shipments" in done.stdout


def test_validate_at_80_columns_shows_every_table_and_file_whole():
    """`opskit validate data/samples/dtc` at 80 columns: every table name and data file
    whole, the set-aside reason wrapped between words, the folder path whole."""
    done = at_80_columns("validate", str(SAMPLES / "dtc"))
    assert done.returncode == 0, done.stderr
    quality = Engagement.load(SAMPLES / "dtc").quality
    assert len(quality) == 20
    for name, q in quality.items():
        assert whole(name, done.stdout), name
        assert [f for f in q.files if not whole(f, done.stdout)] == []
    assert whole(str(SAMPLES / "dtc"), done.stdout)
    assert "non_negative (3)" in done.stdout and "…" not in done.stdout


def test_help_shows_no_bool_on_flags():
    """Help at 80 columns shows no `<bool>` beside a flag, and names arguments in capitals."""
    for command in ("samples", "run", "portfolio"):
        done = at_80_columns(command, "--help")
        assert done.returncode == 0
        assert "<bool>" not in done.stdout and "Show this message and exit." in done.stdout
    usage = at_80_columns("samples", "--help").stdout.splitlines()
    assert usage[0].startswith("Usage: python -m opskit samples [OPTIONS]")
    assert "OUT" in usage[0]
    assert ("  --raw                 Write the dtc brand as the raw exports of its systems"
            in usage)


def test_inspect_of_a_missing_file_says_so_once(tmp_path, capsys):
    """`opskit inspect` on a file that is not there prints one error, naming it once."""
    missing = tmp_path / "orders.csv"
    assert main(["inspect", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("orders.csv:") == 1 and err.count("expected a file at this path") == 1
    assert err.startswith("error: orders.csv: expected a file at this path, got nothing. "
                          "Hint: check the path:")


TERMINAL_NAME = "Evil\x1b]0;title\x07\x1b[2J :x: Co"


def test_escape_sequences_and_emoji_codes_in_a_client_name_print_as_text(tmp_path, capsys):
    """A client name holding a window-title and a clear-screen sequence and an emoji code is
    printed as visible text by validate and diagnose: no escape byte reaches the terminal."""
    folder = tmp_path / "evil"
    shutil.copytree(SAMPLES / "control", folder, ignore=shutil.ignore_patterns("reports"))
    config = folder / "engagement.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    config.write_text("\n".join(['client: "Evil\\e]0;title\\a\\e[2J :x: Co"', *lines[1:]])
                      + "\n", encoding="utf-8")
    assert Engagement.load(folder).client == TERMINAL_NAME
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Evil\\x1b]0;title\\x07\\x1b[2J :x: Co  {folder}"
    assert "\x1b" not in out and "\x07" not in out and "❌" not in out
    assert main(["diagnose", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Evil\\x1b]0;title\\x07\\x1b[2J :x: Co  period ")
    assert "\x1b" not in out and "❌" not in out


def test_a_colour_terminal_gets_only_opskits_own_escapes():
    """On a colour terminal, client text inside markup keeps rich's styling but its own
    control characters are shown, and `:x:` stays text."""
    import io

    from opskit.terminal import make_console, shown

    buffer = io.StringIO()
    console = make_console(file=buffer, force_terminal=True, color_system="standard",
                           width=80)
    console.print(f"[bold]{shown(TERMINAL_NAME)}[/bold] [red]{shown('[red]x')}[/red]",
                  highlight=False)
    assert buffer.getvalue() == ("\x1b[1mEvil\\x1b]0;title\\x07\\x1b[2J :x: Co\x1b[0m "
                                 "\x1b[31m[red]x\x1b[0m\n")
    buffer.truncate(0)
    buffer.seek(0)
    # even text a caller forgot to pass through shown():
    console.print(TERMINAL_NAME, markup=False, highlight=False)
    assert buffer.getvalue() == "Evil\\x1b]0;title\\x07\\x1b[2J :x: Co\n"


def test_counts_are_pluralised():
    """One thing is singular, any other count plural."""
    from opskit.terminal import plural

    assert [plural(n, "finding") for n in (0, 1, 2, 1200)] == [
        "0 findings", "1 finding", "2 findings", "1,200 findings"]
    assert plural(1, "diagnostic") == "1 diagnostic" and plural(3, "analysis", "analyses") \
        == "3 analyses"


def test_a_folder_without_engagement_yaml_is_named_with_an_article(tmp_path, capsys):
    """The message for a folder with no engagement.yaml reads "an engagement.yaml"."""
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"error: {tmp_path}: expected an engagement.yaml in the folder, got none.")


def test_run_at_80_columns_prints_its_paths_whole(tmp_path):
    """`opskit run` at 80 columns prints the report, workbook and findings paths each whole
    on its line (a long path overflows; the terminal wraps it, rich never cuts it)."""
    out = tmp_path / "a-rather-long-folder-name-for-the-reports-of-this-client" / "reports"
    done = at_80_columns("run", str(SAMPLES / "control"), "--out", str(out), "--ledger",
                         str(tmp_path / "ledger.sqlite"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "Report", "Workbook", "Findings", "Executed notebook and kernel log"]
    for line, name in zip(lines, ("report.html", "findings.xlsx", "findings.json", "run"),
                          strict=True):
        path = Path(line.split(": ", 1)[1])
        assert path.name == name and path.exists() and str(out) in line
