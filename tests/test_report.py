"""End to end: `opskit run` turns every sample into report.html, findings.xlsx/json, evidence.

Runs each sample once for the client audience (the redaction scan needs it) and the dtc
sample once for the consultant, two at a time, and checks the artifacts.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE_CLIENTS, SAMPLES
from report_helpers import artifact_texts, contact_leaks, contact_values

from opskit.cli import main
from opskit.report import record
from opskit.run import NotebookFailed, execute, run

MAX_DTC_HTML = 6 * 2**20


@pytest.fixture(scope="session")
def reports(tmp_path_factory):
    """(slug, audience) -> RunOutcome for every sample as client, and dtc as consultant."""
    out = tmp_path_factory.mktemp("reports")
    jobs = [(slug, "client") for slug in SAMPLE_CLIENTS] + [("dtc", "consultant")]

    def one(job):
        slug, audience = job
        return job, run(SAMPLES / slug, audience=audience, out=out / f"{slug}-{audience}",
                        progress=False, ledger=out / "ledger.sqlite")

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, jobs))


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_run_writes_all_artifacts(slug, reports):
    """Each run writes report.html, findings.xlsx and findings.json, and nothing else but
    evidence/ and run/ (the executed notebook and kernel.log; the kernel's scratch folder and
    the engagement handed to it are gone)."""
    outcome = reports[(slug, "client")]
    for path in (outcome.notebook, outcome.html, outcome.json, outcome.xlsx):
        assert path.is_file() and path.stat().st_size > 0, path
    assert {p.name for p in outcome.folder.iterdir()} <= {
        "report.html", "findings.json", "findings.xlsx", "evidence", "run"}
    assert {p.name for p in (outcome.folder / "run").iterdir()} == {"diagnostic.ipynb",
                                                                    "kernel.log"}
    assert outcome.folder.parent.name == f"{slug}-client"


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_findings_json_follows_schema(slug, reports):
    """findings.json validates against the versioned schema and lists all 42 checks."""
    data = json.loads(reports[(slug, "client")].json.read_text())
    record.validate(data)
    assert data["schema_version"] == record.SCHEMA_VERSION
    assert len(data["results"]) == 42
    for item in data["results"]:
        if item["evidence_file"]:
            assert (reports[(slug, "client")].folder / item["evidence_file"]).is_file()


def test_total_counts_each_order_once_and_is_a_share_of_revenue(reports):
    """dtc: negative-margin orders are the discounts discount_leakage prices, so that finding
    gives its overlap up (named in the html and findings.json); the total is the sum of what
    each finding carries, shown as a share of annual revenue."""
    outcome = reports[("dtc", "consultant")]
    data = json.loads(outcome.json.read_text())
    items = {r["check_id"]: r for r in data["results"]}
    negative = items["margin.negative_margin_orders"]["impact"]
    assert set(negative["counted_in"]) == {"marketing.discount_leakage"}
    given = negative["counted_in"]["marketing.discount_leakage"]
    assert negative["carried"]["base"] == pytest.approx(max(negative["base"] - given, 0),
                                                        abs=0.01)
    carried = sum(r["impact"]["carried"]["base"] for r in data["results"])
    assert data["total_impact"]["base"] == pytest.approx(carried, abs=0.05)
    assert data["total_share_of_revenue"] == pytest.approx(
        data["total_impact"]["base"] / data["annual_revenue"])
    html = outcome.html.read_text()
    assert f"{data['total_share_of_revenue']:.1%} of annual revenue" in html
    assert "counted in marketing.discount_leakage (the same records)" in html


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_workbook_has_expected_sheets(slug, reports):
    """findings.xlsx opens with openpyxl and has Summary, one sheet per hat, and appendices."""
    book = openpyxl.load_workbook(reports[(slug, "client")].xlsx, read_only=True)
    assert book.sheetnames == ["Summary", "Fulfillment", "Finance", "Sales", "Systems",
                               "Knowledge", "Security", "Data quality", "Assumptions"]
    summary = book["Summary"]
    assert summary.max_row == 43  # header + 42 checks


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_html_names_every_finding(slug, reports):
    """report.html contains the id of every WARN and FAIL check of findings.json."""
    outcome = reports[(slug, "client")]
    data = json.loads(outcome.json.read_text())
    html = outcome.html.read_text()
    flagged = [r["check_id"] for r in data["results"] if r["status"] in ("WARN", "FAIL")]
    for check_id in flagged:
        assert f'id="{check_id}"' in html
    assert html.count('class="opskit-finding') == len(flagged)


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_client_audience_redacts_every_email_and_phone(slug, reports, sample_engagements):
    """No email or phone number of the input appears in any artifact of a client report."""
    emails, phones = contact_values(sample_engagements[slug])
    assert emails or phones or slug == "distributor"
    texts = artifact_texts(reports[(slug, "client")].folder)
    assert contact_leaks(texts, emails, phones) == []


def test_consultant_audience_keeps_contact_details(reports, sample_engagements):
    """The consultant's copy does show contact details (redaction is the client's option)."""
    emails, phones = contact_values(sample_engagements["dtc"])
    texts = artifact_texts(reports[("dtc", "consultant")].folder)
    assert contact_leaks(texts, emails, phones) != []


def test_report_is_self_contained_and_small(reports):
    """dtc's report.html embeds plotly.js once, loads nothing remote, and stays under 6 MB."""
    html = reports[("dtc", "consultant")].html.read_text()
    assert len(html.encode()) <= MAX_DTC_HTML
    assert html.count("plotly.js v") <= 2  # the banner of the one embedded copy
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "Content-Security-Policy" in html
    assert "<pre" not in html or "def " not in html  # no code cells


def test_failing_notebook_is_kept_with_the_failing_cell_marked(tmp_path):
    """A cell that raises leaves the executed notebook, and NotebookFailed names cell and error."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    notebook.cells = [params, nbformat.v4.new_code_cell("raise ValueError('planted failure')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    source = tmp_path / "broken.ipynb"
    nbformat.write(notebook, source)
    output = tmp_path / "out.ipynb"
    with pytest.raises(NotebookFailed) as info:
        execute({"x": 2}, output, progress=False, notebook=source)
    assert "ValueError: planted failure" in info.value.message
    assert info.value.notebook == output
    executed = nbformat.read(output, as_version=4)
    assert any("An Exception was encountered" in "".join(c.source) for c in executed.cells)
    assert executed.cells[-1].outputs[0]["ename"] == "ValueError"


def test_cli_reports_notebook_failure(monkeypatch, capsys, tmp_path):
    """`opskit run` prints the failing cell, the error and the path, and exits 1."""
    import opskit.run as run_module

    def failing(*args, **kwargs):
        raise NotebookFailed(5, "report.show_title(ctx)", "KeyError: 'x'", tmp_path / "n.ipynb")

    monkeypatch.setattr(run_module, "run", failing)
    assert main(["run", str(SAMPLES / "dtc")]) == 1
    err = capsys.readouterr().err
    assert "cell 5" in err and "KeyError: 'x'" in err and "n.ipynb" in err


def test_bad_engagement_fails_before_any_kernel(tmp_path, capsys):
    """A broken engagement gives its DataError and exit 2, and no report folder is made."""
    bad = Path(__file__).parent / "data" / "bad" / "missing_required_column"
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "column 'ordered_at'" in " ".join(err.split())
    assert not (tmp_path / "out").exists()


def test_kernel_is_this_interpreter_despite_another_python3_kernelspec(tmp_path, monkeypatch):
    """A user's own 'python3' kernelspec pointing elsewhere does not hijack the run."""
    import nbformat

    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/false", "{connection_file}"], "display_name": "broken python3",
        "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("marker = None")
    params.metadata["tags"] = ["parameters"]
    notebook.cells = [params, nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    source = tmp_path / "which.ipynb"
    nbformat.write(notebook, source)
    execute({"marker": 1}, tmp_path / "out.ipynb", progress=False, notebook=source)
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    import sys

    assert executed.cells[-1].outputs[0]["text"].strip() == sys.executable
