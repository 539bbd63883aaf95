"""Every string that could come from client data is escaped in the report's HTML and charts.

A real finding from the dtc sample is given hostile text in every field a client's data could
reach (title, story, the headline metric's name, an evidence cell and an evidence column);
its HTML section and its chart must carry the text escaped and never raw. The browser test
(test_browser.py) then shows the same payloads staying inert in a whole rendered report.
"""

from __future__ import annotations

import dataclasses
import html
import json

import pandas as pd
import pytest

from opskit.findings import CauseChart, Metric, Story
from opskit.report import figures, sections

PAYLOAD = "<img src=x onerror=alert(1)>&\"'"


@pytest.fixture(scope="module")
def hostile(sample_diagnoses):
    """The first flagged dtc finding counted in the total (so it is in the opportunity
    chart), with the payload in every client-reachable field."""
    result = next(r for r in sample_diagnoses["dtc"].flagged() if r.impact.in_total)
    metric = result.headline_metric
    evidence = result.evidence.head(3).copy()
    evidence[evidence.columns[0]] = PAYLOAD
    evidence.insert(0, PAYLOAD, PAYLOAD)  # first: the report shows the first columns
    chart = CauseChart("bars", pd.DataFrame({"x": [PAYLOAD, "clean"], "y": [0.2, 0.1],
                                             "series": [PAYLOAD, PAYLOAD]}),
                       x="x", y="y", series="series", title=PAYLOAD, note=PAYLOAD,
                       x_title=PAYLOAD, y_unit="share", marks=((0.1, PAYLOAD),))
    return dataclasses.replace(
        result, title=PAYLOAD, story=Story(PAYLOAD, PAYLOAD), headline=PAYLOAD,
        metrics={PAYLOAD: Metric(metric.value, metric.unit, PAYLOAD)}, evidence=evidence,
        chart=chart)


def test_finding_section_escapes_every_field(hostile):
    """The HTML of the finding holds the payload only escaped: title, story, metric name,
    evidence cells and evidence column names."""
    text = sections.finding(hostile)
    assert PAYLOAD not in text and "<img" not in text
    escaped = html.escape(PAYLOAD)
    in_cells = html.escape(PAYLOAD, quote=False)  # pandas leaves quotes alone in text nodes
    assert text.count(f"<th>{in_cells}</th>") == 1  # the column header
    assert text.count(f"<td>{in_cells}</td>") == 6  # two columns, three rows
    assert f"{escaped} <small>" in text  # the title
    assert f"<b>Symptom:</b> {escaped}" in text and f"<b>Cause:</b> {escaped}" in text


def test_chart_title_axis_labels_and_hover_are_escaped(hostile, sample_diagnoses):
    """Chart text (title, note, category labels, series, marks, hover text) holds the
    payload escaped."""
    drawn = figures.cause(hostile).to_plotly_json()
    assert drawn["layout"]["title"]["text"].startswith(html.escape(PAYLOAD))
    assert list(drawn["data"][0]["x"]) == [html.escape(PAYLOAD), "clean"]
    assert drawn["data"][0]["name"] == html.escape(PAYLOAD)
    # a mark label wraps between words for a phone: only plotly's own <br> is markup
    mark_label = drawn["layout"]["annotations"][0]["text"]
    assert mark_label.replace("<br>", " ") == html.escape(PAYLOAD) + " 10.0%"
    diagnosis = sample_diagnoses["dtc"]
    swapped = [hostile if r.check_id == hostile.check_id else r for r in diagnosis.results]
    ranking = figures.opportunity(dataclasses.replace(diagnosis, results=swapped), top=100)
    labels = list(ranking.to_plotly_json()["data"][0]["y"])
    assert html.escape(PAYLOAD) in labels
    for fig in (drawn, ranking.to_plotly_json()):
        serialized = json.dumps(fig, default=str)
        assert "<img" not in serialized
        for trace in fig["data"]:
            assert "<img" not in trace.get("hovertemplate", "")
