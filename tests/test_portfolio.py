"""The portfolio: roll-up arithmetic on hand-made records, then `opskit portfolio` on the
sample clients' findings, anonymous, checked artifact by artifact and in headless Chromium."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import ROOT
from report_helpers import LIBRARY, artifact_texts, render, require_chromium

from opskit.cli import main
from opskit.errors import ConfigError, DataError
from opskit.portfolio import anonymous_label, build, figure_count, find_findings, sample_findings

ARTIFACTS = ROOT / "artifacts"
SAMPLE_NAMES = ("Juniper Lane Goods", "Ridgeline Supply Co.", "Cedar & Finch Home",
                "Brightline Home Services")


def result(check_id, status, value, *, base=0.0, in_total=True, warn=0.1, fail=0.2,
           cause="", symptom=""):
    """One findings.json result, as opskit writes it."""
    return {"check_id": check_id, "title": check_id.split(".")[1].title(), "area": "x",
            "hat": "fulfillment", "status": status, "headline": "rate",
            "metrics": {"rate": {"value": value, "unit": "share", "label": ""}},
            "thresholds": {"warn": warn, "fail": fail},
            "impact": {"low": base / 2, "base": base, "high": base * 2, "formula": "",
                       "assumptions": {}, "in_total": in_total, "note": ""},
            "story": {"symptom": symptom, "cause": cause} if cause else None,
            "playbook": {"id": check_id, "path": "", "summary": ""}}


def record(client, results, base, generated="2026-10-01T09:00:00"):
    """One findings.json record."""
    return {"schema_version": 1, "client": client, "generated_at": generated,
            "industry": "ecommerce", "currency": "USD",
            "period": {"start": "2026-07-01", "end": "2026-09-30", "days": 92},
            "total_impact": {"low": base / 2, "base": base, "high": base * 2},
            "counts": {}, "results": results}


LATE = "fulfillment.late"
COUNT = "inventory.count"  # lower is worse: warn 0.95, fail 0.9


@pytest.fixture
def records(tmp_path):
    return [
        (tmp_path / "a.json", record("Acme", [
            result(LATE, "FAIL", 0.30, base=1000, cause="Orders wait in our queue.",
                   symptom="The carrier is slow."),
            result(COUNT, "PASS", 0.97, warn=0.95, fail=0.9),
            result("cash.dup", "FAIL", 0.5, base=500, in_total=False,
                   cause="Acme keys every bill twice.", symptom="Cash is tight.")], 1000)),
        (tmp_path / "b.json", record("Beta", [
            result(LATE, "WARN", 0.15, base=400, cause="Orders wait in our queue.",
                   symptom="The carrier is slow."),
            result(COUNT, "FAIL", 0.85, base=2000, warn=0.95, fail=0.9,
                   cause="Nobody counts.", symptom="Stock is wrong.")], 2400)),
        (tmp_path / "c.json", record("Gamma", [
            result(LATE, "PASS", 0.02),
            result(COUNT, "NOT_ASSESSABLE", None, warn=0.95, fail=0.9)], 0)),
    ]


def test_labels_run_past_z():
    """Anonymous labels: Client A ... Client Z, then Client AA, AB."""
    assert [anonymous_label(n) for n in (0, 1, 25, 26, 27)] == [
        "Client A", "Client B", "Client Z", "Client AA", "Client AB"]


def test_patterns_totals_and_heat(records):
    """Clients ordered by opportunity; patterns count flagged clients and add only the
    dollars that count toward a total; the heat map is check by client."""
    book = build(records)
    assert book.labels == ["Beta", "Acme", "Gamma"]
    assert book.totals() == {"USD": {"low": 1700.0, "base": 3400.0, "high": 6800.0}}
    patterns = book.patterns()
    assert patterns[["check_id", "clients_flagged", "clients_failed", "clients_assessed",
                     "opportunity_base"]].values.tolist() == [
        [LATE, 2, 1, 3, 1400.0], [COUNT, 1, 1, 2, 2000.0], ["cash.dup", 1, 1, 1, 0.0]]
    assert book.heat().values.tolist() == [
        ["WARN", "FAIL", "PASS"], ["FAIL", "PASS", "NOT_ASSESSABLE"],
        ["NOT_ASSESSABLE", "FAIL", "NOT_ASSESSABLE"]]


def test_impact_recovered_per_client(records):
    """A record with a history shows the impact recovered since the client's first run."""
    from opskit.portfolio import summary_section

    records[0][1]["history"] = {"runs": 3, "impact_recovered": 250.0, "hours_eliminated": 4.0}
    book = build(records)
    assert book.clients.set_index("client")["impact_recovered"].to_dict() == pytest.approx(
        {"Beta": float("nan"), "Acme": 250.0, "Gamma": float("nan")}, nan_ok=True)
    html = summary_section(book)
    assert "recovered since first run" in html and "<td class=\"num\">$250</td>" in html


def test_metric_percentiles_point_at_the_worst(records):
    """Percentile rank in the worse direction (100 = worst, ties share the midpoint), and
    the portfolio's quartiles of the values."""
    metrics = build(records).metrics().set_index(["check_id", "client"])
    assert metrics.loc[LATE, "percentile"].to_dict() == {
        "Beta": 50.0, "Acme": 83.3, "Gamma": 16.7}
    assert metrics.loc[COUNT, "percentile"].to_dict() == {"Beta": 75.0, "Acme": 25.0}
    assert metrics.loc[(LATE, "Beta"), ["p25", "median", "p75"]].tolist() == pytest.approx(
        [0.085, 0.15, 0.225])
    assert metrics.loc[(COUNT, "Acme"), "worse_when"] == "lower"
    assert build(records).key_metrics() == [LATE, COUNT]


def test_common_causes_rank_by_clients_then_money(records):
    """A cause behind two clients comes before a costlier one behind a single client."""
    causes = build(records).causes()
    assert causes[["cause", "clients", "which", "opportunity_base"]].values.tolist() == [
        ["Orders wait in our queue.", 2, "Beta, Acme", 1400.0],
        ["Nobody counts.", 1, "Beta", 2000.0],
        ["Acme keys every bill twice.", 1, "Acme", 0.0]]


def test_anonymous_portfolio_keeps_no_name(records):
    """Anonymous: Client A has the largest opportunity, and a story quoting a client's name
    quotes its label instead."""
    book = build(records, anonymous=True)
    assert book.labels == ["Client A", "Client B", "Client C"]
    assert "Client B keys every bill twice." in book.causes()["cause"].tolist()
    text = " ".join(frame.to_csv() for frame in (
        book.clients, book.results, book.patterns(), book.metrics(), book.causes(),
        book.heat()))
    assert not re.search(r"Acme|Beta|Gamma", text)


def test_latest_record_per_client_and_bad_records(tmp_path, capsys):
    """The newest findings.json of a client wins; a broken record is a DataError naming
    the file; a folder without records exits 2 with a hint."""
    for folder, generated, base in (("old", "2026-09-01T09:00:00", 5.0),
                                    ("new", "2026-10-01T09:00:00", 7.0)):
        (tmp_path / "acme" / folder).mkdir(parents=True)
        (tmp_path / "acme" / folder / "findings.json").write_text(
            json.dumps(record("Acme", [], base, generated)))
    [(path, found)] = find_findings(tmp_path)
    assert (path.parent.name, found["total_impact"]["base"]) == ("new", 7.0)
    (tmp_path / "acme" / "new" / "findings.json").write_text('{"schema_version": 9}')
    with pytest.raises(DataError, match="expected an opskit findings record"):
        find_findings(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="run `opskit batch`"):
        find_findings(tmp_path / "empty")
    assert main(["portfolio", str(tmp_path / "empty")]) == 2
    assert "findings.json files in its subfolders" in capsys.readouterr().err


# -- the real thing: the samples' findings through notebooks/portfolio.ipynb -------------
@pytest.fixture(scope="module")
def samples_portfolio(tmp_path_factory):
    """`opskit portfolio --anonymous` over the four sample clients' findings, run once."""
    root = tmp_path_factory.mktemp("portfolio")
    findings = sample_findings(root / "findings")
    code = main(["portfolio", str(findings), "--anonymous", "--out", str(root / "out")])
    return code, findings, root / "out"


def test_portfolio_command_writes_html_and_workbook(samples_portfolio):
    """Exit 0; portfolio.xlsx holds one row per client, Client A the largest opportunity,
    and the overall total is the sum of the clients' totals."""
    code, findings, out = samples_portfolio
    assert code == 0
    totals = sorted((json.loads(p.read_text())["total_impact"]["base"]
                     for p in findings.rglob("findings.json")), reverse=True)
    sheets = pd.read_excel(out / "portfolio.xlsx", sheet_name=None)
    assert list(sheets) == ["Clients", "Heat map", "Patterns", "Metrics", "Causes",
                            "Findings"]
    clients = sheets["Clients"]
    assert clients["client"].tolist() == ["Client A", "Client B", "Client C", "Client D"]
    assert clients["opportunity_base"].tolist() == pytest.approx(totals)
    assert sheets["Heat map"].shape == (42, 6)  # check, title, 4 clients
    html = (out / "portfolio.html").read_text()
    assert f"${sum(totals):,.0f}" in html
    assert len(LIBRARY.findall(html)) == 1  # plotly.js embedded once
    assert "Content-Security-Policy" in html
    # causes name their playbook as a client reads it, never as a repository path
    assert "playbooks/" not in html
    assert "Orders ship later than promised" in html


def test_anonymous_portfolio_names_no_client_anywhere(samples_portfolio):
    """No sample client's name, raw or HTML-escaped, in any file the portfolio wrote."""
    _, _, out = samples_portfolio
    texts = artifact_texts(out)
    assert {p.rsplit("/", 1)[1] for p in texts} == {"portfolio.html", "portfolio.ipynb",
                                                    "portfolio.xlsx", "kernel.log"}
    for text in texts.values():
        for name in SAMPLE_NAMES:
            assert name not in text and name.replace("&", "&amp;") not in text
    assert "Client D" in texts[str(out / "portfolio.html")]


def test_portfolio_renders_offline_in_chromium(samples_portfolio, tmp_path):
    """portfolio.html from file:// with no network: no console error, every figure drawn."""
    require_chromium()
    _, findings, out = samples_portfolio
    expected = figure_count(build(find_findings(findings), anonymous=True))
    dom, console, requests = render(out / "portfolio.html", tmp_path,
                                    screenshot=ARTIFACTS / "portfolio.png")
    assert console == [] and requests == []
    assert expected == 3
    assert len(re.findall(r'<div[^>]+class="[^"]*\bjs-plotly-plot\b', dom)) == expected
    assert (ARTIFACTS / "portfolio.png").stat().st_size > 10_000
