"""The explorer, driven programmatically on a copy of the dtc sample.

One app is built for the module (the data is loaded once, with a spy on ``Engagement.load``)
and every test puts it in the state it needs: check, inputs, period, segment. Thresholds come
from planted.json: the sample plants a late-shipment rate between 9.5% and 13.5%, so a fail
threshold at 13.5% turns the FAIL into a WARN, and a warn threshold there too into a PASS.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import ROOT, SAMPLES

import opskit
from opskit.config import load_config
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.errors import ConfigError, ParameterError
from opskit.explore import app as app_module
from opskit.explore.board import SEVERITY
from opskit.explore.inputs import ParamRow, param_input, readout, short_label
from opskit.explore.panel import evidence_html
from opskit.explore.pinning import pin_thresholds
from opskit.explore.slicing import Segment, slice_tables
from opskit.findings import Result, Status
from opskit.registry import all_checks


def planted(check_id: str, metric: str) -> tuple[float, float]:
    """The range planted.json gives for ``metric`` of ``check_id`` on the dtc sample."""
    entries = json.loads((SAMPLES / "dtc" / "planted.json").read_text())["planted"]
    low, high = next(e["metrics"][metric] for e in entries if e["check"] == check_id)
    return low, high


LATE = "fulfillment.late_shipments"
LATE_RATE = 0.1135306553911205  # measured on the dtc sample's live orders, whole period
PLANTED_LOW, PLANTED_HIGH = planted(LATE, "late_rate")  # 9.5% to 13.5%

COMMENTED_THRESHOLDS = """\
thresholds:
  # agreed with the client's CFO on 2026-10-02
  sales.missed_calls:
    warn: 0.12  # they staff two agents
"""


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory):
    """A copy of the dtc sample whose engagement.yaml carries comments and one pinned value."""
    folder = tmp_path_factory.mktemp("explore") / "dtc"
    shutil.copytree(SAMPLES / "dtc", folder)
    config = folder / "engagement.yaml"
    text = config.read_text(encoding="utf-8")
    assert "thresholds: {}\n" in text
    text = text.replace("thresholds: {}\n", COMMENTED_THRESHOLDS)
    text = text.replace('client: "Cedar & Finch Home"',
                        '# Cedar & Finch: DTC home goods, Q3 diagnostic\n'
                        'client: "Cedar & Finch Home"  # as on the engagement letter')
    config.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def explorer(client_dir):
    """(app, loads): the explorer built through ``opskit.explore`` and every load it made."""
    loads: list[str] = []
    original = Engagement.load

    def spy(cls, path, **options):
        loads.append(str(path))
        return original(path, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Engagement, "load", classmethod(spy))
        app = opskit.explore(client_dir, check=LATE)
        yield app, loads


def show(app, check_id: str = LATE):
    """Select ``check_id`` with its defaults, the engagement's period and no segment."""
    spec = app.specs[check_id]
    app.hat_picker.value = spec.hat
    app.check_picker.value = check_id
    app.segment_by.value = ""
    app.start_picker.value = app.engagement.period.start.date()
    app.end_picker.value = app.engagement.period.end.date()
    app.reset()
    return app


def test_slider_flips_status_and_metric(explorer):
    """Setting thresholds at planted.json's bounds turns FAIL into WARN then PASS, exactly."""
    app = show(explorer[0])
    assert app.result.status is Status.FAIL
    assert PLANTED_LOW <= LATE_RATE <= PLANTED_HIGH
    app.param_inputs["fail"].value = PLANTED_HIGH
    assert app.result.status is Status.WARN
    assert app.result.headline_metric.value == pytest.approx(LATE_RATE, abs=1e-12)
    assert ">WARN</span>" in app.panel.badge.value
    assert ("late_rate = <b>11.4%</b> against warn at 4.0%, fail at 13.5%"
            in app.panel.metric.value)
    app.param_inputs["warn"].value = PLANTED_HIGH
    assert app.result.status is Status.PASS
    assert ">PASS</span>" in app.panel.badge.value
    assert "against warn at 13.5%, fail at 13.5%" in app.panel.metric.value


def test_assumption_slider_changes_metric(explorer):
    """The SLA for orders without a promised date moves the late rate: 0 days -> 18.2%."""
    app = show(explorer[0])
    app.param_inputs["sla_business_days"].value = 0
    assert app.result.headline_metric.value == pytest.approx(0.18224101479915433, abs=1e-12)
    assert "late_rate = <b>18.2%</b>" in app.panel.metric.value
    assert app.result.thresholds["sla_business_days"] == 0.0


def test_bad_combination_is_shown_not_raised(explorer):
    """A warn past its fail is reported in the panel and leaves the last result standing."""
    app = show(explorer[0])
    before, runs = app.result, app.runs
    app.param_inputs["warn"].value = 0.1
    assert app.result is before and app.runs == runs
    assert ("Not updated: The &#x27;warn&#x27; parameter of fulfillment.late_shipments must "
            "be at most its &#x27;fail&#x27; parameter. Got warn=0.1, fail=0.08."
            in app.message.value)
    app.param_inputs["fail"].value = 0.12
    assert app.message.value == "" and app.result.status is Status.WARN


def test_period_narrows_the_measure(explorer):
    """August alone measures 12.5% late; an end before the start is an error, not a run."""
    app = show(explorer[0])
    app.start_picker.value = dt.date(2026, 8, 1)
    app.end_picker.value = dt.date(2026, 8, 31)
    assert app.result.headline_metric.value == pytest.approx(0.125, abs=1e-12)
    runs = app.runs
    app.end_picker.value = dt.date(2026, 7, 15)
    assert app.runs == runs
    assert ("Not updated: period: expected a start on or before the end, got 2026-08-01 to "
            "2026-07-15." in app.message.value)


def test_segment_choices_and_filter(explorer):
    """Late shipments offers channel, source, warehouse, carrier; Amazon alone is 10.9% late."""
    app = show(explorer[0])
    assert [label for label, _ in app.segment_by.options] == [
        "All data", "orders.channel", "orders.source", "shipments.warehouse",
        "shipments.carrier"]
    app.segment_by.value = "orders.channel"
    assert [label for label, _ in app.segment_value.options] == [
        "All data", "amazon", "retail", "web"]
    app.segment_value.value = "amazon"
    assert app.segment() == Segment("orders", "channel", "amazon")
    assert app.result.headline_metric.value == pytest.approx(0.10869565217391304, abs=1e-12)
    app.segment_by.value = "shipments.warehouse"
    app.segment_value.value = "Reno NV"
    assert app.result.headline_metric.value == pytest.approx(0.11236483309826047, abs=1e-12)
    show(app, "marketing.attribution_coverage")  # needs no table: nothing to slice by
    assert app.segment_by.options == (("All data", ""),) and app.segment_by.disabled


def test_channel_slice_restricts_dependent_tables(explorer):
    """orders.channel = amazon keeps only Amazon orders' lines, shipments, events, returns."""
    tables = explorer[0].engagement.tables
    sliced = slice_tables(tables, Segment("orders", "channel", "amazon"))
    counts = {name: len(sliced[name]) for name in
              ("orders", "order_lines", "order_events", "shipments", "returns", "products")}
    assert counts == {"orders": 7024, "order_lines": 11270, "order_events": 15148,
                      "shipments": 7052, "returns": 552, "products": len(tables["products"])}
    amazon = set(sliced["orders"]["order_id"])
    for name in ("order_lines", "order_events", "shipments", "returns"):
        assert set(sliced[name]["order_id"]) <= amazon, name


def test_change_reruns_only_the_selected_check_and_never_reloads(explorer, monkeypatch):
    """Each change runs the selected check once, nothing else; the engagement loaded once."""
    app, loads = explorer
    show(app)
    ran: list[str] = []
    original = app_module.run_check

    def counting(spec, data, overrides=None):
        ran.append(spec.id)
        return original(spec, data, overrides)

    monkeypatch.setattr(app_module, "run_check", counting)
    app.param_inputs["warn"].value = 0.05
    app.param_inputs["sla_business_days"].value = 3
    app.segment_by.value = "orders.channel"  # a dimension without a value: no new run
    app.segment_value.value = "web"
    app.segment_value.value = "retail"
    app.start_picker.value = dt.date(2026, 7, 15)
    app.param_inputs["ticket_cost"].value = 6.5
    app.param_inputs["fail"].value = 0.1
    assert ran == [LATE] * 7
    ran.clear()
    show(app, "fulfillment.address_exceptions")
    low, high = planted("fulfillment.address_exceptions", "exception_rate")  # 3.4% to 4.6%
    exceptions = app.result.headline_metric.value
    assert app.result.status is Status.FAIL
    assert exceptions == pytest.approx(0.03909128121162505, abs=1e-12) and low <= exceptions
    app.param_inputs["fail"].value = high
    assert app.result.status is Status.WARN
    assert set(ran) == {"fulfillment.address_exceptions"}
    assert loads == [str(explorer[0].engagement.path)]


def test_figure_widget_is_updated_in_place(explorer):
    """The chart is one FigureWidget: the cause chart's bars and the synced state follow
    each change; a result without a chart empties it."""
    app = show(explorer[0])
    figure = app.panel.figure
    app.param_inputs["fail"].value = PLANTED_HIGH
    assert app.panel.figure is figure
    assert [trace.name for trace in figure.data] == ["in our queue", "with the carrier"]
    assert figure.layout.title.text.replace("<br>", " ").startswith(
        "Days in our queue and with the carrier")  # wrapped for a phone
    before = list(figure.data[0].y)
    app.param_inputs["sla_business_days"].value = 5  # fewer late orders, other averages
    assert app.panel.figure is figure and list(figure.data[0].y) != before
    # a view opened later (Voila, a second display) starts from the synced state
    assert figure._widget_data[0]["y"] == pytest.approx(list(figure.data[0].y))
    show(app, "cash.dso_vs_terms")
    assert app.panel.figure is figure
    assert figure.data == () and figure.layout.title.text is None
    assert app.panel.metric.value == (
        "<p><b>Not assessable.</b> Send the Invoice List report (QuickBooks: Reports &gt; "
        "Invoice List) (invoices: invoice_id, issued_at, amount, due_at) covering 2026-07-01 "
        "to 2026-09-30.</p>")
    assert app.panel.impact.value == ""


def test_inputs_follow_declared_params():
    """Every parameter of every check gets an input with its range, step, default and help."""
    for spec in all_checks():
        for name, param in spec.params.items():
            box = param_input(name, param, param.default)
            assert (box.min, box.max, box.value) == (param.min, param.max, param.default)
            assert box.step == (param.step or 1)
            row = ParamRow(name, param, param.default)
            assert row.input.value == param.default and not getattr(row.input, "readout", False)
            assert html.escape(short_label(param.help)) in row.label.value
            assert "…" not in row.label.value  # wraps, never cut
            assert param.help in box.tooltip and name in box.tooltip
    many = all_checks()[[s.id for s in all_checks()].index("marketing.discount_leakage")]
    box = param_input("many_customers", many.params["many_customers"], 50)
    assert type(box).__name__ == "BoundedIntText"
    late = opskit.get(LATE).params
    assert type(param_input("warn", late["warn"], 0.04)).__name__ == "FloatSlider"
    assert type(param_input("sla_business_days", late["sla_business_days"], 2)
                ).__name__ == "IntSlider"
    assert short_label(late["warn"].help) == "Late share that warns"
    longest = opskit.get("fulfillment.data_defects_drive_delays").params["min_evidence"].help
    assert short_label(longest) == longest.split(" (")[0].rstrip(".")


def test_values_read_as_the_panel_writes_them(explorer):
    """Slider values are shown as the panel shows them: 4.0% and 8.0%, 2 days, never 0.040."""
    app = show(explorer[0])
    rows = app.param_rows
    assert {name: row.text() for name, row in rows.items()} == {
        "warn": "4.0%", "fail": "8.0%", "sla_business_days": "2 business days",
        "cancel_probability": "3.0%", "ticket_cost": "$5.00",
        "min_evidence": "50 shipped orders"}
    app.param_inputs["fail"].value = 0.135
    assert rows["fail"].text() == "13.5%" and "<b>13.5%</b>" in rows["fail"].value_label.value
    assert readout(1500, "$") == "$1,500" and readout(0.0125, "share") == "1.25%"
    assert readout(1.2, "ratio") == "1.2×" and readout(2080, "hours a year") == "2,080 hours a year"
    declared = {(s.id, n): p.unit for s in all_checks() for n, p in s.params.items()
                if n not in ("warn", "fail")}
    assert [k for k, unit in declared.items() if not unit] == []  # every input says its unit


def test_board_shows_every_check_worst_first(explorer):
    """The overview lists all 42 checks with the run's statuses, FAIL then WARN, biggest
    impact first within a status, and a click on a title opens that check."""
    app = show(explorer[0])
    board = app.board
    board.show(app._overview())  # as opened: earlier tests re-ran checks with tuned inputs
    expected = {r.check_id: r for r in diagnose(app.engagement).results}
    assert sorted(board.order()) == sorted(expected) and len(board.order()) == 42
    assert {k: r.status for k, r in board.results.items()} == {
        k: r.status for k, r in expected.items()}
    statuses = [expected[k].status for k in board.order()]
    rank = [SEVERITY[s] for s in statuses]
    assert rank == sorted(rank)
    fails = [expected[k].impact.base for k in board.order() if expected[k].status is Status.FAIL]
    assert fails == sorted(fails, reverse=True) and fails[0] > 0
    tally = {s: statuses.count(s) for s in set(statuses)}
    assert board.heading.value == "<b>All checks</b>: " + " · ".join(
        f"{tally[s]} {str(s).replace('_', ' ').lower()}" for s in SEVERITY if tally.get(s))
    top = board.order()[0]
    board.buttons[top].click()
    assert app.result.check_id == top and app.check_picker.value == top
    assert app.hat_picker.value == expected[top].hat
    show(app)


def test_board_row_follows_a_whole_period_rerun(explorer):
    """A re-run on the whole period moves the check's badge; a segment's run does not."""
    app = show(explorer[0])
    assert ">FAIL</span>" in app.board.badges[LATE].value
    app.param_inputs["fail"].value = PLANTED_HIGH
    assert ">WARN</span>" in app.board.badges[LATE].value
    assert app.board.results[LATE].status is Status.WARN
    app.segment_by.value = app.segment_by.options[1][1]
    app.segment_value.value = app.segment_value.options[1][1]
    app.param_inputs["warn"].value = PLANTED_HIGH
    assert app.result.status is not None and app.board.results[LATE].status is Status.WARN
    show(app)
    assert ">FAIL</span>" in app.board.badges[LATE].value


def test_board_in_background_shows_the_app_first_then_every_check(explorer, monkeypatch):
    """The explorer notebook's mode: the first check is on show while the board still says
    it is diagnosing; the board then holds the same 42 statuses as the synchronous one, and
    the row of a check tuned in the meantime shows the tuned result."""
    engagement = explorer[0].engagement
    release = app_module.threading.Event()
    original = app_module.Explorer._overview

    def held(self):
        release.wait(60)  # the board's diagnosis waits until the test has looked
        return original(self)

    monkeypatch.setattr(app_module.Explorer, "_overview", held)
    app = opskit.explore(engagement, check=LATE, board_in_background=True)
    assert app.result.check_id == LATE and app.board.order() == []
    assert app.board.heading.value == "<b>All checks</b>: diagnosing the 42 checks…"
    app.param_inputs["fail"].value = PLANTED_HIGH  # tuned before the board is filled
    release.set()
    assert app.wait_for_board(60)
    expected = {r.check_id: r.status for r in diagnose(engagement).results}
    assert len(app.board.order()) == 42
    assert {k: r.status for k, r in app.board.results.items() if k != LATE} == {
        k: s for k, s in expected.items() if k != LATE}
    assert expected[LATE] is Status.FAIL and app.board.results[LATE].status is Status.WARN
    assert ">WARN</span>" in app.board.badges[LATE].value


def test_a_board_that_cannot_be_built_says_why(explorer, monkeypatch):
    """A failure while filling the board in the background is shown, not a blank board."""
    def broken(self):
        raise RuntimeError("no board <today>")

    monkeypatch.setattr(app_module.Explorer, "_overview", broken)
    app = opskit.explore(explorer[0].engagement, check=LATE, board_in_background=True)
    assert app.wait_for_board(60)
    assert app.board.heading.value == ("<b>All checks</b>: the board could not be built "
                                       "(RuntimeError: no board &lt;today&gt;)")
    assert app.result.check_id == LATE


def test_evidence_sorts_by_any_column(explorer):
    """Sorting the evidence by days late puts the latest order first; back to as listed."""
    app = show(explorer[0])
    evidence = app.result.evidence

    def column(name: str) -> list[str]:
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", app.panel.evidence.value, flags=re.S)
        at = list(evidence.columns).index(name)
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
        return [re.sub(r"<wbr\s*/?>", "", row[at]) for row in cells if row]

    app.panel.sort("days_late", descending=True)
    days = [float(v) for v in column("days_late")]
    assert days[0] == evidence["days_late"].max() and days == sorted(days, reverse=True)
    assert len(days) == 50
    assert "sorted by days_late high to low" in app.panel.evidence.value
    app.panel.sort("days_late", descending=False)
    days = [float(v) for v in column("days_late")]
    assert days[0] == evidence["days_late"].min() and days == sorted(days)
    app.panel.sort(None)
    assert column("order_id") == evidence["order_id"].astype(str).head(50).tolist()


def test_pin_round_trips_and_keeps_comments(explorer, client_dir):
    """Pinning writes only the tuned values under thresholds:, comments and all else kept."""
    app = show(explorer[0])
    config = client_dir / "engagement.yaml"
    original = config.read_text(encoding="utf-8")
    app.param_inputs["fail"].value = PLANTED_HIGH
    app.param_inputs["warn"].value = PLANTED_HIGH
    app.pin_button.click()
    pinned_text = config.read_text(encoding="utf-8")
    assert pinned_text == original.replace(COMMENTED_THRESHOLDS, COMMENTED_THRESHOLDS + (
        "  fulfillment.late_shipments:\n    warn: 0.135\n    fail: 0.135\n"))
    assert "Pinned warn = 0.135, fail = 0.135 for fulfillment.late_shipments" in (
        app.message.value)
    on_disk = load_config(client_dir)
    assert on_disk.thresholds == {"sales.missed_calls": {"warn": 0.12},
                                  LATE: {"warn": 0.135, "fail": 0.135}}
    # the next run reads the file: same tables, the config as opskit loads it from disk
    rerun = Engagement(on_disk, app.engagement.loaded, [])
    assert diagnose(rerun, checks=[LATE])[LATE].status is Status.PASS
    assert yaml.safe_load(pinned_text)["period"] == {"start": dt.date(2026, 7, 1),
                                                      "end": dt.date(2026, 9, 30)}
    app.reset()
    app.pin_button.click()
    assert config.read_text(encoding="utf-8") == original
    assert load_config(client_dir).thresholds == {"sales.missed_calls": {"warn": 0.12}}


@pytest.mark.parametrize("thresholds", ["thresholds: {}\n", "thresholds:\n", ""])
def test_pin_into_empty_or_missing_thresholds(tmp_path, thresholds):
    """An empty, null or absent thresholds: becomes a block mapping; the rest is untouched."""
    head = ('# ACME engagement\nclient: "ACME"  # legal name\nfiles:\n  orders:\n'
            "    - data/orders-2025.csv\n    - data/orders-2026.csv\n")
    (tmp_path / "engagement.yaml").write_text(head + thresholds, encoding="utf-8")
    pinned = pin_thresholds(tmp_path, LATE, {"warn": 0.05, "fail": 0.08,
                                             "sla_business_days": 3})
    assert pinned == {"warn": 0.05, "sla_business_days": 3}
    assert (tmp_path / "engagement.yaml").read_text(encoding="utf-8") == head + (
        "thresholds:\n  fulfillment.late_shipments:\n    warn: 0.05\n"
        "    sla_business_days: 3\n")


def test_pin_refuses_invalid_values(explorer, client_dir):
    """An out-of-range or contradictory value is reported and nothing is written."""
    app = show(explorer[0])
    config = client_dir / "engagement.yaml"
    original = config.read_text(encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        pin_thresholds(client_dir, LATE, {"warn": 2.0})
    assert str(caught.value) == ("The 'warn' parameter of fulfillment.late_shipments must be "
                                 "a number in [0, 1]. Got 2.0.")
    app.param_inputs["warn"].value = 0.3
    app.pin_button.click()
    assert app.message.value.startswith('<p style="color:#c0392b">Not pinned: The &#x27;warn')
    assert config.read_text(encoding="utf-8") == original


def test_export_writes_chart_and_evidence(explorer, tmp_path):
    """Export writes a self-contained chart page and every evidence row of the view."""
    app = show(explorer[0])
    app.segment_by.value = "orders.channel"
    app.segment_value.value = "amazon"
    app.export_folder.value = str(tmp_path / "out")
    app.export_button.click()
    stem = "fulfillment.late_shipments_2026-07-01_2026-09-30_orders.channel-amazon"
    chart = tmp_path / "out" / f"{stem}.html"
    evidence = tmp_path / "out" / f"{stem}-evidence.csv"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [chart.name, evidence.name])
    page = chart.read_text(encoding="utf-8")
    assert "<script src" not in page and len(page) > 3_000_000  # plotly.js inline
    assert "Days in our queue and with the carrier" in re.sub(
        r"<br>|\\u003cbr\\u003e", " ", page)  # the cause chart (title wrapped for a phone)
    assert "Late orders waited" in page
    written = pd.read_csv(evidence)
    assert len(written) == len(app.result.evidence) == 155
    assert written["order_id"].tolist() == app.result.evidence["order_id"].tolist()


def test_evidence_shows_fifty_escaped_rows():
    """The panel shows the first 50 evidence rows, with client text escaped."""
    frame = pd.DataFrame({"order_id": [f"<b>{i}</b>" for i in range(60)]})
    fragment = evidence_html(Result(status=Status.FAIL, evidence=frame))
    assert "60 records, first 50 shown" in fragment
    assert fragment.count("<tr") == 51  # header + 50 rows
    assert "&lt;b&gt;49&lt;/b&gt;" in fragment and "&lt;b&gt;50&lt;/b&gt;" not in fragment
    assert "<b>0</b>" not in fragment


def test_explore_refuses_a_missing_folder(tmp_path):
    """A folder without engagement.yaml is the usual ConfigError, before any widget."""
    with pytest.raises(ConfigError) as caught:
        opskit.explore(tmp_path)
    assert str(caught.value) == (f"{tmp_path}: expected an engagement.yaml in the folder, got "
                                 "none. Hint: create one with at least 'client: <name>'")


def test_import_opskit_stays_light():
    """import opskit loads neither ipywidgets nor plotly; opskit.explore stays callable."""
    code = ("import sys, opskit\n"
            "print(sorted(m for m in ('ipywidgets', 'plotly') if m in sys.modules))\n"
            "import opskit.explore\n"
            "print(callable(opskit.explore), callable(opskit.explore.explore))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.splitlines() == ["[]", "True True"]


def test_opskit_skips_the_slow_iri_grammar_import():
    """After import opskit, nbformat (plotly widgets, papermill) loads jsonschema without
    compiling rfc3987_syntax's grammars; jsonschema still validates."""
    code = ("import sys, opskit, nbformat, jsonschema\n"
            "print(sys.modules['rfc3987_syntax'] is None)\n"
            "jsonschema.validate({'a': 1}, {'properties': {'a': {'type': 'integer'}}})\n"
            "print(nbformat.validate(nbformat.v4.new_notebook()) is None)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.splitlines() == ["True", "True"]
