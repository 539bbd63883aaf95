"""One bad file never sinks the engagement: it is left out and named, the rest is diagnosed.

The engagement is the services sample copied to a temporary folder with one file broken: its
timesheet (tasks.csv) loses its required 'minutes' column, which only three checks need. A
forced crash of opskit while reading one file (a bug of ours) is isolated the same way but
exits 3. Two tests go end to end through `opskit run` (a notebook kernel each); the others
stay in this process.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES

from opskit.cli import main
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.errors import TableError
from opskit.findings import Status
from opskit.report import record as findings_record
from opskit.unusable import Unusable, exit_code, merge

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
TASK_CHECKS = ("integration.manual_rekeying", "efficiency.automation_candidates",
               "knowledge.vacation_test")
TASKS_REASON = (
    "data/tasks.csv, column 'minutes': expected required column 'minutes', got columns "
    "'person', 'task', 'performed_on', 'system', 'target_system', 'category', 'recurring'. "
    "Hint: the tasks table needs person, task, performed_on, minutes; see the data model in "
    "README.md")
TASKS_DETAIL = TASKS_REASON.removeprefix("data/tasks.csv, ")
TASKS_REQUEST = (f"data/tasks.csv could not be used: {TASKS_DETAIL}. Fix or re-export it and "
                 "run again.")
CRASH_REQUEST = (
    "data/toggl_detailed.csv could not be used: opskit crashed while reading it "
    "(ZeroDivisionError: planted crash). This is a bug in opskit, not a problem with the "
    "file: report it (see SECURITY.md) and run again once it is fixed.")
# Checks that do not read the timesheet, with their status on the services sample.
UNAFFECTED = {"sales.missed_calls": "FAIL", "sales.crm_duplicates": "FAIL",
              "knowledge.single_points_of_failure": "FAIL", "security.mfa_gaps": "FAIL",
              "security.departed_staff_access": "PASS", "security.admin_sprawl": "PASS"}


def drop_column(path: Path, column: str, rename: str | None = None) -> None:
    """Rewrite the CSV at ``path`` without ``column`` (or with it renamed to ``rename``)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    i = rows[0].index(column)
    if rename is None:
        rows = [r[:i] + r[i + 1:] for r in rows]
    else:
        rows[0][i] = rename
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture
def broken_tasks(tmp_path):
    """The services sample whose tasks.csv has no 'minutes' column."""
    folder = shutil.copytree(SAMPLES / "services", tmp_path / "services",
                             ignore=shutil.ignore_patterns("reports", ".opskit"))
    drop_column(folder / "data" / "tasks.csv", "minutes")
    return folder


@pytest.fixture
def crashing_toggl(tmp_path, monkeypatch):
    """The services sample with its timesheet as a Toggl export, whose reading crashes
    (ZeroDivisionError inside opskit: a bug of ours, not the file's)."""
    folder = shutil.copytree(SAMPLES / "services", tmp_path / "services",
                             ignore=shutil.ignore_patterns("reports", ".opskit"))
    shutil.copy(EXPORTS / "toggl_detailed.csv", folder / "data" / "toggl_detailed.csv")
    (folder / "data" / "tasks.csv").unlink()
    config = folder / "engagement.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "tasks: data/tasks.csv", "tasks: data/toggl_detailed.csv"), encoding="utf-8")
    import opskit.sources.load as load

    real = load.adapted_file

    def crashing(spec):
        if spec.display == "data/toggl_detailed.csv":
            raise ZeroDivisionError("planted crash")
        return real(spec)

    monkeypatch.setattr(load, "adapted_file", crashing)
    return folder


def statuses(diagnosis) -> dict[str, str]:
    return {r.check_id: str(r.status) for r in diagnosis.results}


def test_strict_load_raises_and_lenient_load_lists_the_file(broken_tasks):
    """Strict: the TableError. Not strict: every other table loads, tasks.csv is listed."""
    with pytest.raises(TableError):
        Engagement.load(broken_tasks)
    engagement = Engagement.load(broken_tasks, strict=False)
    assert engagement.unusable == [Unusable("data/tasks.csv", ("tasks",), TASKS_REASON)]
    assert [p.message for p in engagement.problems] == [TASKS_REASON]
    assert sorted(engagement.tables) == ["accounts", "calls", "customers", "deal_events",
                                         "deals", "integrations", "invoices", "leads",
                                         "people", "processes", "systems"]
    row = engagement.row_accounting().set_index("table").loc["tasks"]
    assert (row["files"], row["rows_used"], row["reasons"]) == (
        "data/tasks.csv", 0, f"not usable: {TASKS_REASON}")


def test_checks_that_need_the_file_say_why_and_the_others_run_as_before(broken_tasks):
    """The three timesheet checks are NOT_ASSESSABLE naming tasks.csv and its problem;
    every other check has the status and headline value it has on the intact sample."""
    broken = diagnose(Engagement.load(broken_tasks, strict=False))
    intact = diagnose(Engagement.load(SAMPLES / "services"))
    by_id = {r.check_id: r for r in broken.results}
    for check_id in TASK_CHECKS:
        assert (str(by_id[check_id].status), by_id[check_id].data_request) == (
            "NOT_ASSESSABLE", TASKS_REQUEST)
    assert {k: statuses(broken)[k] for k in UNAFFECTED} == UNAFFECTED
    before = {r.check_id: (str(r.status), r.headline_metric and r.headline_metric.value)
              for r in intact.results if r.check_id not in TASK_CHECKS}
    after = {r.check_id: (str(r.status), r.headline_metric and r.headline_metric.value)
             for r in broken.results if r.check_id not in TASK_CHECKS}
    assert after == before
    assert statuses(intact)["integration.manual_rekeying"] == "FAIL"


def test_diagnose_exits_4_and_names_the_file(broken_tasks, capsys):
    """`opskit diagnose` prints the findings, names tasks.csv and why on stderr, exits 4."""
    assert main(["diagnose", str(broken_tasks)]) == 4
    out, err = capsys.readouterr()
    assert "Total annual opportunity" in out
    assert " ".join(err.split()) == (
        f"not used: data/tasks.csv (tasks): {TASKS_DETAIL}. The findings above were made "
        "without data/tasks.csv: fix or re-export it and run again.")


def test_nothing_usable_is_bad_input_and_leaves_nothing(broken_tasks, tmp_path, capsys):
    """When no file at all can be used there is no rest to diagnose: diagnose and run exit 2
    with the problems, and no report folder is left (run loads while its kernel starts: the
    kernel is stopped and the folders made for the reports removed)."""
    config = broken_tasks / "engagement.yaml"
    config.write_text(config.read_text(encoding="utf-8").split("files:")[0]
                      + "files:\n  tasks: data/tasks.csv\n  people: data/missing.csv\n",
                      encoding="utf-8")
    for data in (broken_tasks / "data").iterdir():
        if data.name != "tasks.csv":
            data.unlink()
    assert main(["diagnose", str(broken_tasks)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("error: Brightline Home Services: no file can be used (2 problems):")
    assert f"- {TASKS_REASON}" in err and "data/missing.csv" in err
    assert main(["run", str(broken_tasks), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_validate_still_exits_1_for_a_broken_table(broken_tasks, capsys):
    """`opskit validate` keeps its codes: a required column missing is exit 1, named."""
    assert main(["validate", str(broken_tasks)]) == 1
    assert f"error: {TASKS_REASON}" in " ".join(capsys.readouterr().err.split())


def test_a_crash_reading_one_file_is_our_bug_and_the_rest_is_diagnosed(
        crashing_toggl, capsys, monkeypatch):
    """A ZeroDivisionError inside opskit while reading the Toggl export: that file is listed
    as unusable because of a bug in opskit, the other checks run, `opskit diagnose` exits 3
    with the internal-error paragraph; OPSKIT_DEBUG=1 adds the traceback."""
    engagement = Engagement.load(crashing_toggl, strict=False)
    [record] = engagement.unusable
    assert (record.file, record.tables, record.reason, record.bug) == (
        "data/toggl_detailed.csv", ("tasks",), "ZeroDivisionError: planted crash", True)
    assert engagement.problems == []
    result = {r.check_id: r for r in diagnose(engagement).results}
    assert result["knowledge.vacation_test"].data_request == CRASH_REQUEST
    assert str(result["security.mfa_gaps"].status) == "FAIL"
    monkeypatch.delenv("OPSKIT_DEBUG", raising=False)
    assert main(["diagnose", str(crashing_toggl)]) == 3
    out, err = capsys.readouterr()
    assert "Total annual opportunity" in out
    assert " ".join(err.split()) == (
        "internal error: opskit crashed while reading data/toggl_detailed.csv: "
        "ZeroDivisionError: planted crash The rest was diagnosed without that file. This is "
        "a bug in opskit, not a problem with your data. Run again with OPSKIT_DEBUG=1 to see "
        "where it happened, and report it (see SECURITY.md; leave client data out of the "
        "report).")
    monkeypatch.setenv("OPSKIT_DEBUG", "1")
    assert main(["diagnose", str(crashing_toggl)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert 'raise ZeroDivisionError("planted crash")' in err
    with pytest.raises(ZeroDivisionError):
        Engagement.load(crashing_toggl)  # strict: the crash propagates, as before


def test_validate_names_a_crash_reading_a_file_as_our_bug(crashing_toggl, capsys):
    """`opskit validate` on the crashing file: exit 3, the bug named, the file not blamed."""
    assert main(["validate", str(crashing_toggl)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("internal error: opskit crashed while reading "
                          "data/toggl_detailed.csv: ZeroDivisionError: planted crash")
    assert "error: data/toggl" not in err


def test_unknown_file_is_left_out_of_a_lenient_load(tmp_path):
    """An unmapped file no format claims is listed (no table) and the mapped ones load."""
    folder = shutil.copytree(SAMPLES / "control", tmp_path / "control",
                             ignore=shutil.ignore_patterns("reports", ".opskit"))
    shutil.copy(EXPORTS / "unknown_export.csv", folder / "data" / "mystery.csv")
    engagement = Engagement.load(folder, strict=False)
    [record] = engagement.unusable
    assert (record.file, record.tables, record.bug) == ("data/mystery.csv", (), False)
    assert record.reason.startswith("data/mystery.csv: expected an export opskit knows")
    assert len(engagement.tables) == len(Engagement.load(SAMPLES / "control").tables)
    row = engagement.row_accounting().iloc[-1]
    assert (row["table"], row["files"]) == ("?", "data/mystery.csv")


def test_client_copy_redacts_the_reason(tmp_path):
    """An email in the reason (here a header cell) is redacted in the client's copy: in the
    data section's table and in the checks' requests."""
    from opskit.report import prepare

    folder = shutil.copytree(SAMPLES / "services", tmp_path / "services",
                             ignore=shutil.ignore_patterns("reports", ".opskit"))
    drop_column(folder / "data" / "tasks.csv", "minutes", rename="dana@example.com")
    engagement = Engagement.load(folder, strict=False)
    ctx = prepare(engagement, audience="client", checks=list(TASK_CHECKS))
    assert "dana@example.com" in engagement.unusable[0].reason
    assert "[email redacted]" in ctx.unusable.loc[0, "why"]
    assert all("[email redacted]" in r.data_request and "example.com" not in r.data_request
               for r in ctx.results)


def test_records_merge_per_file_and_give_the_exit_code():
    """An export feeding two tables is one record; 0 without records, 4 with, 3 with a bug."""
    a = Unusable("data/orders_export.csv", ("orders",), "data/orders_export.csv: bad.")
    b = Unusable("data/orders_export.csv", ("order_lines",), "data/orders_export.csv: bad.")
    assert merge([a, b]) == [Unusable("data/orders_export.csv", ("orders", "order_lines"),
                                      "data/orders_export.csv: bad.")]
    crash = Unusable("data/x.csv", ("calls",), "KeyError: 'a'", bug=True)
    assert (exit_code([]), exit_code([a]), exit_code([a, crash])) == (0, 4, 3)
    assert a.detail == "bad."
    assert Unusable("f.csv", (), "f.csv.").detail == "f.csv."  # nothing left but a full stop
    assert Unusable("f.csv", (), "f.csv: expected x, got y.").sentence() == (
        "f.csv could not be used: expected x, got y. Fix or re-export it and run again.")


def report_text(folder: Path) -> str:
    """report.html as words: tags stripped, entities decoded, spaces collapsed."""
    page = (folder / "report.html").read_text(encoding="utf-8")
    page = re.sub(r"<wbr\s*/?>", "", page)  # where a long word may wrap: not a space
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_run_writes_the_report_without_the_unusable_file(broken_tasks, tmp_path, capsys):
    """`opskit run` end to end: exit 4, report.html and findings.json written; the data
    section names tasks.csv and why; the timesheet checks say it; others as before."""
    assert main(["run", str(broken_tasks), "--out", str(tmp_path / "out")]) == 4
    assert "not used: data/tasks.csv (tasks)" in capsys.readouterr().err
    [folder] = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and p.name[0] != "."]
    record = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    findings_record.validate(record)
    assert record["unusable_files"] == [{
        "file": "data/tasks.csv", "tables": "tasks", "why": TASKS_REASON,
        "to fix": "fix or re-export the file, then run again"}]
    by_id = {r["check_id"]: r for r in record["results"]}
    assert {c: (by_id[c]["status"], by_id[c]["data_request"]) for c in TASK_CHECKS} == {
        c: ("NOT_ASSESSABLE", TASKS_REQUEST) for c in TASK_CHECKS}
    assert {c: by_id[c]["status"] for c in UNAFFECTED} == UNAFFECTED
    text = report_text(folder)
    assert ("1 file was left out because it could not be used: data/tasks.csv (see the data "
            "quality appendix).") in text
    appendix = text[text.index("Appendix: data quality"):]
    assert ("Files that could not be used This diagnostic was run without these files."
            in appendix)
    assert (f"data/tasks.csv tasks {TASKS_REASON} fix or re-export the file, then run again"
            in appendix)


def test_run_with_a_crash_reading_one_file_writes_the_report_and_exits_3(
        crashing_toggl, tmp_path, capsys, monkeypatch):
    """`opskit run` end to end with opskit crashing on the Toggl export: the kernel gets the
    same engagement (the handoff), the report is written naming the file as unusable
    because of a bug in opskit, and the command exits 3 saying so."""
    monkeypatch.delenv("OPSKIT_DEBUG", raising=False)
    assert main(["run", str(crashing_toggl), "--out", str(tmp_path / "out")]) == 3
    out, err = capsys.readouterr()
    assert "Report: " in out
    assert "internal error: opskit crashed while reading data/toggl_detailed.csv" in err
    [folder] = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and p.name[0] != "."]
    record = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    findings_record.validate(record)
    assert record["unusable_files"] == [{
        "file": "data/toggl_detailed.csv", "tables": "tasks",
        "why": "opskit crashed while reading it: ZeroDivisionError: planted crash",
        "to fix": "a bug in opskit, not in the file: report it (see SECURITY.md)"}]
    by_id = {r["check_id"]: r for r in record["results"]}
    assert by_id["efficiency.automation_candidates"]["data_request"] == CRASH_REQUEST
    assert by_id["security.mfa_gaps"]["status"] == "FAIL"
    appendix = report_text(folder)
    assert ("data/toggl_detailed.csv tasks opskit crashed while reading it: "
            "ZeroDivisionError: planted crash a bug in opskit, not in the file") in appendix


def test_explorer_opens_without_the_unusable_file(broken_tasks):
    """The explorer loads as run does: the timesheet check says why it cannot be assessed,
    and a check on the other files measures as on the intact sample."""
    import opskit

    app = opskit.explore(broken_tasks, check="efficiency.automation_candidates")
    assert app.result.status is Status.NOT_ASSESSABLE
    assert app.result.data_request == TASKS_REQUEST
    app.hat_picker.value = "sales"
    app.check_picker.value = "sales.missed_calls"
    assert app.result.status is Status.FAIL


def test_stopped_while_loading_leaves_no_report_folder(tmp_path, monkeypatch):
    """The engagement loads while the kernel starts, after the reports' folder is made: a
    run stopped then (Ctrl-C) removes the folders it made, spelled with '..' or not, and
    the kernel with them."""
    from opskit.engagement import Engagement
    from opskit.run import run

    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(Engagement, "load_partial", classmethod(
        lambda cls, path: interrupted(path)))
    for out in (tmp_path / "new" / "reports", tmp_path / "other" / ".." / "third" / "x"):
        with pytest.raises(KeyboardInterrupt):
            run(SAMPLES / "control", out=out, progress=False, record=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
