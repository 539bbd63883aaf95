"""End to end: `opskit run` turns every sample into report.html, findings.xlsx/json, evidence.

Runs each sample once for the client audience (the redaction scan needs it) and the dtc
sample once for the consultant, two at a time, and checks the artifacts.
"""

from __future__ import annotations

import dataclasses
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from conftest import SAMPLE_CLIENTS, SAMPLES
from report_helpers import artifact_texts, contact_leaks, contact_values

from opskit.cli import main
from opskit.findings import Diagnosis, Impact, Metric, Result, Status, Story
from opskit.report import markdown, page, record, sections
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
    assert ('counted in <a href="#marketing.discount_leakage">Discounts go beyond their '
            "purpose</a> (the same records)") in html


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_workbook_has_expected_sheets(slug, reports):
    """findings.xlsx opens with openpyxl and has Summary, one sheet per finding, and
    appendices (tests/test_workbook.py reads it in detail)."""
    outcome = reports[(slug, "client")]
    book = openpyxl.load_workbook(outcome.xlsx, read_only=True)
    flagged = [r for r in json.loads(outcome.json.read_text())["results"]
               if r["status"] in ("WARN", "FAIL")]
    assert book.sheetnames[0] == "Summary"
    assert book.sheetnames[-2:] == ["Data quality", "Assumptions"]
    assert len(book.sheetnames) == len(flagged) + 3
    titles = [row[1] for row in book["Summary"].iter_rows(values_only=True)]
    assert titles.index("Total annual opportunity (the report's headline)") == 43  # 42 checks


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



# -- a navigable report: the sections' HTML, without a kernel ----------------------------
def flagged(check_id: str, title: str, impact: Impact, records=None) -> Result:
    """A FAIL finding of the fulfillment hat with a known impact (and priced records)."""
    if records is not None:
        impact = dataclasses.replace(impact, records=records)
    return Result(Status.FAIL, metrics={"rate": Metric(0.114, "share")}, impact=impact,
                  story=Story("The carrier is slow.", "Orders wait in our queue."),
                  headline="rate", check_id=check_id, title=title, area="fulfillment",
                  hat="fulfillment", thresholds={"warn": 0.04, "fail": 0.08},
                  playbook="fulfillment.late_shipments")


@pytest.fixture
def overlapping():
    """Three findings: 'late' carries orders A and B ($60 each), 'defects' prices the same
    two orders at $10 each (all of it counted in 'late'), 'waiting' is counted by 'late'."""
    orders = pd.Series([60.0, 60.0], index=["A", "B"], name="order_id")
    late = flagged("fulfillment.late_shipments", "Orders ship later than promised",
                   Impact(60.0, 120.0, 180.0, formula="late orders × cost"), orders)
    defects = flagged("fulfillment.data_defects_drive_delays", "Bad data makes orders late",
                      Impact(10.0, 20.0, 30.0, formula="defective orders × cost"),
                      pd.Series([10.0, 10.0], index=["A", "B"], name="order_id"))
    waiting = flagged("fulfillment.order_to_ship_time", "Orders wait too long",
                      Impact.none("counted by fulfillment.late_shipments"))
    return Diagnosis("Shop", ("2026-07-01", "2026-09-30"), [late, defects, waiting],
                     annual_revenue=1200.0)


def test_counted_by_finding_says_counted_in_its_carrier_once(overlapping):
    """A finding another carries reads 'counted in <title>' once, linked, with no '$0 a
    year' and no second 'not added' sentence."""
    waiting = overlapping["fulfillment.order_to_ship_time"]
    assert sections.impact_html(waiting, overlapping) == (
        '<p><b>Impact:</b> counted in <a href="#fulfillment.late_shipments">Orders ship later '
        "than promised</a>.</p>")


def test_overlap_given_up_entirely_names_the_carrier(overlapping):
    """A finding whose records another carries in full says so, linked, and that nothing
    more enters the total; the total counts each order once ($120 of $1,200: 10%)."""
    defects = overlapping["fulfillment.data_defects_drive_delays"]
    assert sections.impact_html(defects, overlapping) == (
        "<p><b>Impact:</b> $20 a year (low $10, high $30). defective orders × cost. All of "
        'it is counted in <a href="#fulfillment.late_shipments">Orders ship later than '
        "promised</a> (the same records): nothing more enters the total.</p>")
    assert overlapping.total_impact()["base"] == 120.0
    assert overlapping.total_share_of_revenue() == pytest.approx(0.10)


def test_at_risk_amount_says_not_added_once():
    """An amount only at risk shows its dollars and the reason once."""
    risk = flagged("marketing.cac_payback", "Channels do not pay back",
                   Impact(5.0, 5.0, 5.0, formula="spend × gap", in_total=False,
                          note="at risk, not added to the total"))
    assert sections.impact_html(risk, None) == (
        "<p><b>Impact:</b> $5 a year (low $5, high $5): at risk, not added to the total. "
        "spend × gap.</p>")


def test_table_aligns_text_left_numbers_right_and_breaks_long_words():
    """Text cells are plain (left-aligned by the stylesheet), numbers carry class num,
    whole-number floats show no decimals, dates show no midnight, long words may break
    after @ . , _ and client text is escaped."""
    frame = pd.DataFrame({"customer_email": ["ann.lee@example.com", "<b>x</b>"],
                          "orders": [3.0, None], "total": [1234.5, 2.0],
                          "day": pd.to_datetime(["2026-07-01", "2026-07-02"])})
    assert sections.table_html(frame) == (
        '<table class="opskit-table"><thead><tr><th>customer_<wbr>email</th>'
        '<th class="num">orders</th><th class="num">total</th><th>day</th></tr></thead>\n'
        "<tbody>\n"
        '<tr><td>ann.<wbr>lee@<wbr>example.<wbr>com</td><td class="num">3</td>'
        '<td class="num">1,234.50</td><td>2026-07-01</td></tr>\n'
        '<tr><td>&lt;b&gt;x&lt;/b&gt;</td><td class="num"></td><td class="num">2.00</td>'
        "<td>2026-07-02</td></tr>\n</tbody></table>")


def test_playbook_markdown_headings_sit_under_the_finding_and_html_is_text():
    """The playbook's '## Automate' becomes an <h4> (a finding is an <h3>), '###' an <h5>,
    and raw HTML in the markdown is shown as text."""
    assert markdown.to_html("## Automate\n\nRun <script>x</script> **daily**.\n\n### Then\n"
                            ) == ("<h4>Automate</h4>\n<p>Run &lt;script&gt;x&lt;/script&gt; "
                                  "<strong>daily</strong>.</p>\n<h5>Then</h5>\n")


def test_finding_folds_its_playbook_under_it(overlapping):
    """A finding shows its playbook by title, owner, effort and proof target, with the
    whole playbook folded in <details>, not a repository path."""
    text = sections.finding(overlapping["fulfillment.late_shipments"], overlapping)
    assert ("<b>Playbook: Orders ship later than promised</b> (owner Operations manager, "
            "effort days).") in text
    assert "<i>Solved for good when:</i> late_rate below 0.04 for three consecutive " \
           "monthly diagnostics." in text
    assert text.count("<details><summary>The playbook, step by step</summary>") == 1
    assert "<h4>Symptom vs cause</h4>" in text and "playbooks/" not in text


def test_page_title_comes_from_the_title_cell_output():
    """The export names the page after the first output that carries a page title; a
    notebook without one gets a plain default, never 'Notebook'."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.show_title(ctx)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", {"text/html": "<h1>x</h1>"},
        metadata={"opskit": {"page_title": "Operations diagnostic: Shop, 2026-07-01 to "
                                           "2026-09-30"}})]
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    assert page.title_of(notebook) == "Operations diagnostic: Shop, 2026-07-01 to 2026-09-30"
    assert page.title_of(nbformat.v4.new_notebook()) == "opskit report"


def test_amounts_already_formatted_are_right_aligned():
    """A column of formatted amounts ('$1,200', '€1,200 + $400', '4.0%') is a number
    column; ids, dates and words next to numbers stay text."""
    frame = pd.DataFrame({"opportunity": ["$1,200", "€1,200 + $400", "4.0%"],
                          "order": ["CF1001", "CF1002", "CF1003"],
                          "flagged": ["1 of 4", "2 of 4", "3 of 4"],
                          "day": ["2026-07-01", "2026-07-02", ""]})
    head = sections.table_html(frame).split("</thead>")[0]
    assert head == ('<table class="opskit-table"><thead><tr><th class="num">opportunity</th>'
                    "<th>order</th><th>flagged</th><th>day</th></tr>")
    # Every value counts: amounts up to a last word are text, empty strings are skipped,
    # a column of nothing but empty strings is text.
    ragged = pd.DataFrame({"late_word": ["$1", "", "$2", "n/a"], "gaps": ["", "$1", "", "$2"],
                           "blank": ["", "", "", ""]})
    head = sections.table_html(ragged).split("</thead>")[0]
    assert head.endswith('<th>late_<wbr>word</th><th class="num">gaps</th><th>blank</th></tr>')


def test_a_kept_exporter_writes_the_page_a_new_one_writes(reports, tmp_path):
    """The exporter (its templates compiled once) is kept for every export of the process:
    the page it writes is byte for byte the page of an exporter made for that export."""
    from opskit.report import export

    notebook = reports[("dtc", "consultant")].notebook
    export._exporter.cache_clear()
    fresh = export.to_html(notebook, tmp_path / "fresh.html").read_bytes()
    kept = export.to_html(notebook, tmp_path / "kept.html").read_bytes()
    assert export._exporter.cache_info().hits >= 1
    assert kept == fresh and len(kept) > 2**20
    assert fresh == reports[("dtc", "consultant")].html.read_bytes()
