"""Currencies: engagement.yaml's currency and fx: rates, conversion at load, and money shown in
the engagement currency in the report, workbook, findings.json, CLI, explorer and portfolio."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from opskit.cli import main
from opskit.config import FileSpec, load_config
from opskit.engagement import Engagement
from opskit.errors import ConfigError, DataError
from opskit.findings import CauseChart, Diagnosis, Impact, Metric, Result, Status, Story
from opskit.money import decimals, excel_format, money, suggest, using_currency
from opskit.portfolio import build, summary_section
from opskit.report import figures, sections, write_artifacts
from opskit.report import record as findings_record
from opskit.report.context import ReportContext
from opskit.sources.load import load_table


def engagement(folder: Path, yaml: str, **files: str) -> Path:
    """An engagement folder with ``yaml`` and canonical CSVs ``files`` (table -> text)."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text(yaml, encoding="utf-8")
    for table, text in files.items():
        (folder / "data" / f"{table}.csv").write_text(text, encoding="utf-8")
    return folder


ORDERS = """order_id,ordered_at,total,subtotal,shipping_charged,currency
1,2026-07-01,100.00,90.00,10.00,USD
2,2026-07-02,1000.00,900.00,100.00,MXN
3,2026-07-03,50000.00,50000.00,0,COP
4,2026-07-04,40.00,40.00,0,
5,2026-07-05,80.00,70.00,10.00,eur
6,2026-07-06,10.00,10.00,0,Pesos
7,2026-07-07,3000.00,,,mxn
"""
MULTI = "client: Multi\ncurrency: USD\nfx: {MXN: 0.05, EUR: 1.25}\n"


# -- engagement.yaml ----------------------------------------------------------------------
def test_currency_must_be_an_iso_code_with_the_closest_named(tmp_path):
    """currency: EUROS is refused naming the key, what is expected, what was found and EUR."""
    folder = engagement(tmp_path / "c", "client: A\ncurrency: EUROS\n")
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert info.value.message == (
        "engagement.yaml, key 'currency': expected an ISO 4217 currency code such as USD, EUR "
        "or INR, got 'EUROS'. Hint: did you mean 'EUR'?")
    engagement(folder, "client: A\ncurrency: '$'\n")
    with pytest.raises(ConfigError, match=r"got '\$'. Hint: did you mean 'USD'\?"):
        load_config(folder)


def test_currency_and_fx_codes_are_read_in_any_case(tmp_path):
    """'eur' is EUR, fx keys are upper-cased and rates become floats; no fx: means none."""
    config = load_config(engagement(tmp_path / "c", "client: A\ncurrency: eur\n"
                                    "fx: {usd: 0.9, GBP: 1}\n"))
    assert (config.currency, dict(config.fx)) == ("EUR", {"USD": 0.9, "GBP": 1.0})
    assert load_config(engagement(tmp_path / "d", "client: A\n")).fx == {}
    assert load_config(engagement(tmp_path / "d", "client: A\n")).currency == "USD"


def test_every_fx_problem_is_named_at_once(tmp_path):
    """Unknown code (with the closest), the engagement's own code, and non-positive, non-number
    and infinite rates are all listed in one error."""
    folder = engagement(tmp_path / "c", "client: A\ncurrency: USD\nfx: {MXN: 0.055, USD: 1, "
                        "EURO: 1.1, COP: -1, PEN: abc, JPY: .inf, INR: 0}\n")
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert info.value.message == (
        "engagement.yaml, key 'fx': USD is the engagement currency (its rate is 1 by "
        "definition); 'EURO' is not an ISO 4217 code (did you mean 'EUR'?); COP: the rate "
        "must be a positive number, got -1; PEN: the rate must be a positive number, got "
        "'abc'; JPY: the rate must be a positive number, got inf; INR: the rate must be a "
        "positive number, got 0: expected ISO 4217 codes other than USD, each with a positive "
        "number: what one unit is worth in USD. Hint: e.g. 'fx: {MXN: 0.055, EUR: 1.08}' when "
        "currency is USD")
    engagement(folder, "client: A\nfx: [0.055]\n")
    with pytest.raises(ConfigError, match=r"key 'fx': expected a mapping of currency code: "
                                          r"rate in USD.*got a list"):
        load_config(folder)


def test_money_formats_follow_the_currency():
    """Symbol, minor unit and Excel format come from the code; an unknown code prints itself."""
    assert [money(1234.4, code=c) for c in ("EUR", "INR", "CHF", "JPY")] == [
        "€1,234", "₹1,234", "CHF 1,234", "¥1,234"]
    assert money(-12.5, 2, code="EUR") == "-€12.50"
    assert money(12.5, 2, code="JPY") == "¥12"  # 0 decimals: never yen cents
    assert (decimals("KWD"), decimals("ISK"), decimals("EUR")) == (3, 0, 2)
    assert excel_format("EUR") == '"€"#,##0;-"€"#,##0'
    assert (suggest("euros"), suggest("₹"), suggest("zzzzz")) == ("EUR", "INR", None)


# -- conversion at load --------------------------------------------------------------------
def test_orders_converted_with_rates_or_set_aside_with_the_reason(tmp_path):
    """MXN and EUR rows are converted (every money column), an empty cell is the engagement
    currency, COP (no rate) and 'Pesos' (no code) are set aside: 7 read = 5 used + 2 aside."""
    e = Engagement.load(engagement(tmp_path / "m", MULTI, orders=ORDERS))
    orders = e.tables["orders"]
    assert orders["order_id"].tolist() == ["1", "2", "4", "5", "7"]
    assert orders["total"].tolist() == [100.0, 50.0, 40.0, 100.0, 150.0]
    assert orders["subtotal"].fillna(-1).tolist() == [90.0, 45.0, 40.0, 87.5, -1]
    assert orders["shipping_charged"].fillna(-1).tolist() == [10.0, 5.0, 0.0, 12.5, -1]
    assert orders["currency"].tolist() == ["USD"] * 5
    q = e.quality["orders"]
    assert (q.rows_read, q.rows_used, q.rows_set_aside) == (7, 5, 2)
    assert q.rows_read == q.rows_used + q.rows_set_aside
    assert q.set_aside_by_reason == {"currency: no_fx_rate": 1,
                                     "currency: unknown_currency": 1}
    assert q.converted == {"EUR": {"rate": 1.25, "rows": 1}, "MXN": {"rate": 0.05, "rows": 2}}
    aside = e.failures["orders"]
    assert aside[["row", "value", "rule", "action"]].values.tolist() == [
        [4, "COP", "no_fx_rate", "set aside"], [7, "Pesos", "unknown_currency", "set aside"]]
    assert aside["message"].tolist() == [
        "expected an amount in USD or a rate for COP under fx: in engagement.yaml, got COP",
        "expected an ISO 4217 currency code (USD, or a code with a rate under fx: in "
        "engagement.yaml), got 'Pesos'"]


def test_order_lines_and_returns_follow_their_order_currency(tmp_path):
    """Lines and returns (no currency column) take their order's currency: converted at its
    rate, or set aside with the order's reason; rows read = used + set aside per table."""
    lines = ("order_id,sku,quantity,unit_price,line_discount\n1,A,1,90,0\n2,A,2,450,20\n"
             "3,B,1,50000,0\n5,C,1,70,4\n6,C,1,10,0\n")
    returns = "order_id,returned_at,refund_amount\n2,2026-07-09,200\n3,2026-07-09,1000\n"
    e = Engagement.load(engagement(tmp_path / "m", MULTI, orders=ORDERS,
                                   order_lines=lines, returns=returns))
    assert list(e.quality) == ["order_lines", "orders", "returns"]  # order kept
    got = e.tables["order_lines"][["order_id", "unit_price", "line_discount"]]
    assert got.values.tolist() == [["1", 90.0, 0.0], ["2", 22.5, 1.0], ["5", 87.5, 5.0]]
    q = e.quality["order_lines"]
    assert (q.rows_read, q.rows_used, q.rows_set_aside) == (5, 3, 2)
    assert q.set_aside_by_reason == {"order_id: no_fx_rate": 1,
                                     "order_id: unknown_currency": 1}
    assert q.converted == {"EUR": {"rate": 1.25, "rows": 1}, "MXN": {"rate": 0.05, "rows": 1}}
    assert e.failures["order_lines"]["message"].tolist() == [
        "expected an amount in USD or a rate for COP under fx: in engagement.yaml, got COP "
        "(the currency of its order)",
        "expected an ISO 4217 currency code (USD, or a code with a rate under fx: in "
        "engagement.yaml), got 'PESOS' (the currency of its order)"]
    assert e.tables["returns"]["refund_amount"].tolist() == [10.0]
    assert (e.quality["returns"].rows_read, e.quality["returns"].rows_set_aside) == (2, 1)


def test_validate_prints_the_conversions_and_the_rows_set_aside(tmp_path, capsys):
    """`opskit validate` names the rows converted per currency and the rows without a rate."""
    assert main(["validate", str(engagement(tmp_path / "m", MULTI, orders=ORDERS))]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "orders: converted to USD: 1 row EUR at 1.25 USD each; 2 rows MXN at 0.05 USD " \
           "each" in out
    assert "expected an amount in USD or a rate for COP under fx: in engagement.yaml, got " \
           "COP. Hint: 1 row set aside" in out


def test_deals_invoices_and_bills_are_converted_too(tmp_path):
    """The currency column of deals, invoices and bills converts their amounts alike."""
    folder = engagement(
        tmp_path / "d", "client: D\ncurrency: EUR\nfx: {USD: 0.5}\n",
        deals="deal_id,created_at,stage,amount,currency\nD1,2026-07-01,open,1000,USD\n"
              "D2,2026-07-02,open,300,EUR\nD3,2026-07-03,open,900,MXN\n",
        invoices="invoice_id,issued_at,amount,amount_paid,currency\n"
                 "I1,2026-07-01,200,50,USD\nI2,2026-07-02,80,80,\n",
        bills="bill_id,vendor,issued_at,amount,currency\nB1,Acme,2026-07-01,64,usd\n")
    e = Engagement.load(folder)
    assert e.tables["deals"][["deal_id", "amount"]].values.tolist() == [
        ["D1", 500.0], ["D2", 300.0]]
    assert e.quality["deals"].set_aside_by_reason == {"currency: no_fx_rate": 1}
    assert e.tables["invoices"][["amount", "amount_paid"]].values.tolist() == [
        [100.0, 25.0], [80.0, 80.0]]
    assert e.tables["bills"]["amount"].tolist() == [32.0]
    assert {t: q.converted for t, q in e.quality.items()} == {
        "bills": {"USD": {"rate": 0.5, "rows": 1}},
        "deals": {"USD": {"rate": 0.5, "rows": 1}},
        "invoices": {"USD": {"rate": 0.5, "rows": 1}}}


def test_a_table_only_in_other_currencies_without_rates_is_unusable(tmp_path):
    """Every row in a currency without a rate: the table is named, with the reason."""
    folder = engagement(tmp_path / "x", "client: X\n",
                        orders="order_id,ordered_at,total,currency\n1,2026-07-01,5,GBP\n")
    with pytest.raises(Exception, match=r"all set aside: currency: no_fx_rate \(1\)"):
        Engagement.load(folder)


def test_without_an_engagement_currency_amounts_stay_as_exported(tmp_path):
    """load_table with no currency (opskit inspect: no engagement) converts nothing."""
    folder = engagement(tmp_path / "i", MULTI, orders=ORDERS)
    path = folder / "data" / "orders.csv"
    loaded = load_table("orders", [FileSpec("orders", path, "data/orders.csv")])
    assert loaded.frame["total"].tolist() == [100.0, 1000.0, 50000.0, 40.0, 80.0, 10.0,
                                              3000.0]
    assert (loaded.quality.rows_used, loaded.quality.converted) == (7, {})


# -- money shown in the engagement currency ------------------------------------------------
EURO_YAML = ("client: Euro Shop\ncurrency: EUR\nfx: {USD: 0.9}\n"
             "period: {start: 2026-07-01, end: 2026-07-31}\n")
EURO_ORDERS = ("order_id,ordered_at,total,currency\nA1,2026-07-01,100.00,EUR\n"
               "A2,2026-07-02,200.00,USD\nA3,2026-07-03,300.00,GBP\n")


@pytest.fixture
def euro_context(tmp_path):
    """A EUR engagement (one USD row converted, one GBP row set aside) and a diagnosis with a
    money finding: the report's inputs, with no check text involved."""
    e = Engagement.load(engagement(tmp_path / "eur", EURO_YAML, orders=EURO_ORDERS))
    late = Result(Status.FAIL, metrics={"lost": Metric(2500.0, "$", "lost a year")},
                  headline="lost", impact=Impact(1000.0, 1500.0, 2000.0,
                                                 formula="late orders times margin"),
                  story=Story("slow carrier", "our queue"), check_id="fulfillment.late",
                  title="Orders ship late", area="fulfillment", hat="fulfillment",
                  thresholds={"warn": 100.0, "fail": 1000.0}, playbook="fulfillment.late",
                  chart=CauseChart("bars", pd.DataFrame({"week": ["w1", "w2"],
                                                         "lost": [1000.0, 1500.0]}),
                                   x="week", y="lost", title="Lost by week", y_unit="$"))
    diagnosis = Diagnosis("Euro Shop", ("2026-07-01", "2026-07-31"), [late],
                          assumptions={"hourly_cost": {"low": 45, "base": 60, "high": 85,
                                                       "unit": "$/hour", "doc": "Staff cost"}},
                          currency="EUR")
    return ReportContext(e, diagnosis, "consultant", "2026-12-07T00:00:00",
                         e.row_accounting(), e.all_failures())


def test_euro_report_html_shows_euros_and_never_a_dollar(euro_context):
    """Headline, finding, figures (axes, hovers), data quality and assumptions are in EUR."""
    ctx = euro_context
    parts = [sections.title_block(ctx), sections.executive_summary(ctx),
             *(h for _, h in sections.hat_sections(ctx)), sections.passes(ctx),
             sections.data_quality(ctx), sections.assumptions(ctx),
             figures.to_div(figures.scorecard(ctx.diagnosis)),
             figures.to_div(figures.opportunity(ctx.diagnosis))]
    page = "".join(parts)
    assert "$" not in page
    assert "Total annual opportunity: <b>€1,500</b> (low €1,000, high €2,000)" in page
    assert "<b>Impact:</b> €1,500 a year (low €1,000, high €2,000)" in page
    assert "lost = €2,500 against warn €100 / fail €1,000" in page
    assert "Money is in EUR (€), the engagement currency. Converted at the rates under fx: " \
           "in engagement.yaml: orders: 1 row USD at 0.9 EUR each." in page
    assert "<td>USD</td>\n      <td>0.9</td>\n      <td>1</td>" in page  # conversions table
    assert "expected an amount in EUR or a rate for GBP under fx: in engagement.yaml" in page
    assert "<td>€/hour</td>" in page
    ranking = figures.opportunity(ctx.diagnosis).to_plotly_json()
    assert ranking["layout"]["xaxis"]["tickprefix"] == "€"
    assert ranking["data"][0]["hovertemplate"] == "%{y}<br>€%{x:,.0f} a year (base)<extra>" \
                                                 "</extra>"
    with using_currency("EUR"):
        drawn = figures.cause(ctx.results[0]).to_plotly_json()
    assert (drawn["layout"]["yaxis"]["tickprefix"], drawn["layout"]["yaxis"]["title"]["text"]
            ) == ("€", "EUR")
    assert drawn["data"][0]["hovertemplate"] == "%{x}: €%{y:,.0f}<extra></extra>"


def test_euro_workbook_and_json_show_euros_and_never_a_dollar(euro_context, tmp_path):
    """findings.xlsx formats amounts as euros with EUR headers; findings.json says EUR, the
    conversions, and writes amounts' unit as EUR."""
    written = write_artifacts(euro_context, tmp_path / "out")
    record = json.loads(written["json"].read_text(encoding="utf-8"))
    findings_record.validate(record)
    assert "$" not in written["json"].read_text(encoding="utf-8")
    assert (record["currency"], record["converted"]) == (
        "EUR", {"orders": {"USD": {"rate": 0.9, "rows": 1}}})
    assert record["results"][0]["metrics"]["lost"]["unit"] == "EUR"
    assert record["assumptions"]["hourly_cost"]["unit"] == "EUR/hour"
    book = openpyxl.load_workbook(written["xlsx"])
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if "$" in str(c.value or "")
                or "$" in c.number_format]
    summary = book["Summary"]
    header = [c.value for c in summary[1]]
    base = summary.cell(row=2, column=header.index("impact_base (EUR)") + 1)
    value = summary.cell(row=2, column=header.index("value") + 1)
    measured = summary.cell(row=2, column=header.index("measured") + 1)
    assert (base.value, base.number_format) == (1500, '"€"#,##0;-"€"#,##0')
    assert (value.value, value.number_format, measured.value) == (
        2500, '"€"#,##0;-"€"#,##0', "€2,500")
    lines = [c.value for c in book["fulfillment.late"]["A"] if c.value]
    assert lines[1:] == ["[FAIL] Orders ship late (fulfillment.late)",
                         "lost: €2,500. €1,500 a year in the total. No record-level evidence "
                         "for this finding. Playbook: fulfillment.late."]
    quality = [c.value for c in book["Data quality"]["A"] if c.value]
    assert "Money is in EUR (€), the engagement currency. Converted at the rates under fx: in " \
           "engagement.yaml: orders: 1 row USD at 0.9 EUR each." in quality


def test_cli_diagnose_prints_the_total_in_the_engagement_currency(tmp_path, capsys):
    """`opskit diagnose` on a EUR engagement prints its total with €, not $."""
    folder = engagement(tmp_path / "eur", EURO_YAML, orders=EURO_ORDERS)
    assert main(["diagnose", str(folder), "--check", "fulfillment.late_shipments"]) == 0
    out = capsys.readouterr().out
    assert "Total annual opportunity: €0 (low €0, high €0) in EUR" in out


def test_explorer_panel_shows_the_engagement_currency(euro_context, monkeypatch):
    """The explorer runs a check and shows its impact in the engagement's euros."""
    from opskit.explore import app as app_module

    shown = dataclasses.replace(euro_context.results[0], check_id="fulfillment.late_shipments")
    monkeypatch.setattr(app_module, "run_check", lambda spec, data, values: shown)
    app = app_module.Explorer(euro_context.engagement, check="fulfillment.late_shipments")
    assert "low €1,000 · base €1,500 · high €2,000 a year" in app.panel.impact.value
    assert "€2,500" in app.panel.metric.value and "$" not in app.panel.impact.value


# -- portfolio -------------------------------------------------------------------------------
def _record(client: str, currency: str, base: float, value: float) -> dict:
    """A findings.json record with one flagged money finding."""
    return {"schema_version": 1, "client": client, "generated_at": "2026-10-01T09:00:00",
            "industry": "ecommerce", "currency": currency,
            "period": {"start": "2026-07-01", "end": "2026-09-30", "days": 92},
            "total_impact": {"low": base / 2, "base": base, "high": base * 2},
            "counts": {}, "results": [{
                "check_id": "cash.ar", "title": "Ar", "hat": "finance", "status": "FAIL",
                "headline": "open", "metrics": {"open": {"value": value, "unit": currency}},
                "thresholds": {"warn": 10.0, "fail": 20.0},
                "impact": {"low": base / 2, "base": base, "high": base * 2, "in_total": True},
                "story": {"symptom": "Cash is tight.", "cause": "Nobody chases."},
                "playbook": {"id": "cash.ar"}}]}


def test_portfolio_never_adds_different_currencies(tmp_path):
    """Totals, patterns and causes per currency; money metrics are not ranked across
    currencies; the summary says the totals are not added together."""
    book = build([(tmp_path / "a.json", _record("Acme", "USD", 1000.0, 50.0)),
                  (tmp_path / "b.json", _record("Bravo", "EUR", 400.0, 60.0)),
                  (tmp_path / "c.json", _record("Cora", "USD", 200.0, 70.0))])
    assert book.totals() == {"EUR": {"low": 200.0, "base": 400.0, "high": 800.0},
                             "USD": {"low": 600.0, "base": 1200.0, "high": 2400.0}}
    patterns = book.patterns()
    assert patterns["opportunity_by_currency"].tolist() == [{"USD": 1200.0, "EUR": 400.0}]
    assert patterns["opportunity_base"].isna().tolist() == [True]
    assert book.causes()["opportunity_by_currency"].tolist() == [{"USD": 1200.0,
                                                                  "EUR": 400.0}]
    assert book.metrics().empty
    html = summary_section(book)
    assert "Total annual opportunity: <b>€400</b> (low €200, high €800)" in html
    assert "Total annual opportunity: <b>$1,200</b> (low $600, high $2,400)" in html
    assert "The clients book in 2 currencies (EUR, USD)" in html
    assert re.search(r"<td>Bravo</td>.*?<td class=\"num\">€400</td>", html, re.S)
    one = build([(tmp_path / "a.json", _record("Acme", "EUR", 1000.0, 50.0)),
                 (tmp_path / "c.json", _record("Cora", "EUR", 200.0, 70.0))])
    assert one.patterns()["opportunity_base"].tolist() == [1200.0]
    assert one.metrics()["value"].tolist() == [50.0, 70.0]
    assert one.metrics()["unit"].tolist() == ["$", "$"]  # the EUR unit read back as money


def test_opskit_run_of_a_euro_engagement_writes_euros(tmp_path, capsys):
    """End to end (the one run test): report.html's text and findings.json are in EUR, with
    the conversion named, and no "$" outside plotly.js; `opskit history` prints euros."""
    from opskit.run import run

    folder = engagement(tmp_path / "eur", EURO_YAML, orders=EURO_ORDERS)
    outcome = run(folder, out=tmp_path / "out", progress=False, ledger=tmp_path / "l.sqlite")
    page = outcome.html.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    assert "$" not in text
    assert "Total annual opportunity: <b>€0</b> (low €0, high €0)" in text
    assert "orders: 1 row USD at 0.9 EUR each." in text
    record = json.loads(outcome.json.read_text(encoding="utf-8"))
    assert (record["currency"], record["converted"]) == (
        "EUR", {"orders": {"USD": {"rate": 0.9, "rows": 1}}})
    assert main(["history", str(folder), "--ledger", str(tmp_path / "l.sqlite")]) == 0
    printed = capsys.readouterr().out
    assert "Impact recovered: €0 a year (EUR)." in printed and "$" not in printed


def test_batch_summary_shows_each_client_in_its_currency(tmp_path):
    """The batch summary table prints each client's opportunity in its own currency."""
    from rich.console import Console

    from opskit.batch.display import summary_table
    from opskit.batch.worker import ClientOutcome

    outcomes = [ClientOutcome("eu-co", "EU Co", "eu", "ok", "ok", total_impact={"base": 1500.0},
                              currency="EUR", report=str(tmp_path / "eu" / "report.html")),
                ClientOutcome("us-co", "US Co", "us", "ok", "ok", total_impact={"base": 90.0},
                              report=str(tmp_path / "us" / "report.html"))]
    console = Console(record=True, width=200)
    console.print(summary_table(outcomes, tmp_path))
    rows = [line for line in console.export_text().splitlines() if "-co" in line]
    assert ["€1,500" in rows[0], "$90" in rows[1], "$" in rows[0]] == [True, True, False]


@given(st.lists(st.tuples(
    st.one_of(st.sampled_from(["", "USD", "usd", " MXN ", "EUR", "COP", "US$", "€", "xx"]),
              st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6)),
    st.integers(min_value=0, max_value=10_000)), min_size=1, max_size=12))
def test_any_currency_cell_keeps_the_accounting(tmp_path_factory, cells):
    """Whatever the currency cells say, rows read = used + set aside, every used row is in
    USD, and each used row is either kept as it was or converted at its rate."""
    folder = tmp_path_factory.mktemp("fuzz")
    frame = pd.DataFrame({"order_id": [f"o{i}" for i in range(len(cells))],
                          "ordered_at": "2026-07-01", "total": [v for _, v in cells],
                          "currency": [c for c, _ in cells]})
    path = folder / "orders.csv"
    frame.to_csv(path, index=False)
    try:
        loaded = load_table("orders", [FileSpec("orders", path, "orders.csv")],
                            currency="USD", fx={"MXN": 0.05, "EUR": 1.25})
    except DataError as exc:  # every row set aside: named, with the reasons
        assert "all set aside" in exc.message
        return
    q = loaded.quality
    assert q.rows_read == q.rows_used + q.rows_set_aside == len(cells)
    assert set(loaded.frame["currency"]) == {"USD"}
    assert sum(c["rows"] for c in q.converted.values()) <= q.rows_used
