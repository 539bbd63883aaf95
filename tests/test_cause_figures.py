"""figures.cause draws every CauseChart kind the same way in report, explorer and portfolio:
one trace per series, units on axes and hovers, marks as labelled dashed lines whose labels
never sit on each other, the note under a wrapped title."""

from __future__ import annotations

import pandas as pd
import pytest

from opskit.findings import CauseChart, Diagnosis, Result, Status
from opskit.report import figures


def drawn(chart: CauseChart, status: Status = Status.FAIL) -> dict:
    """The plotly JSON of ``chart`` drawn from a result that carries it."""
    return figures.cause(Result(status, chart=chart)).to_plotly_json()


def rates() -> pd.DataFrame:
    """Late rate of two cohorts with 95% intervals."""
    return pd.DataFrame({"orders": ["with a defect", "clean"], "late_rate": [0.247, 0.046],
                         "low": [0.227, 0.040], "high": [0.270, 0.054]})


def test_no_chart_draws_nothing():
    """A result without a chart (not assessable, error) has no figure."""
    assert figures.cause(Result(Status.NOT_ASSESSABLE)) is None


def test_bars_with_intervals_and_percent_axis():
    """Bars carry their 95% interval as asymmetric error bars; a share axis shows percent."""
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", low="low", high="high",
                           title="Late rate", y_unit="share"))
    bar = fig["data"][0]
    assert (bar["type"], list(bar["x"]), list(bar["y"])) == (
        "bar", ["with a defect", "clean"], [0.247, 0.046])
    assert [round(v, 3) for v in bar["error_y"]["array"]] == [0.023, 0.008]
    assert [round(v, 3) for v in bar["error_y"]["arrayminus"]] == [0.020, 0.006]
    assert fig["layout"]["yaxis"]["tickformat"] == ".0%"
    assert bar["hovertemplate"] == "%{x}: %{y:.1%}<extra></extra>"
    assert fig["layout"]["showlegend"] is False


def test_lines_one_trace_per_series_with_legend_under_the_title():
    """Lines draw one trace per series, named after it; the legend sits in its own band
    between the title and the plot, clear of the rotated x labels."""
    data = pd.DataFrame({"week": ["w1", "w2", "w1", "w2"], "rate": [0.1, 0.2, 0.3, 0.4],
                         "warehouse": ["Reno", "Reno", "Edison", "Edison"]})
    fig = drawn(CauseChart("lines", data, x="week", y="rate", series="warehouse",
                           title="Late rate by week", y_unit="share"))
    assert [(t["name"], list(t["y"]), t["mode"]) for t in fig["data"]] == [
        ("Reno", [0.1, 0.2], "lines+markers"), ("Edison", [0.3, 0.4], "lines+markers")]
    legend, title = fig["layout"]["legend"], fig["layout"]["title"]
    assert (legend["orientation"], legend["yref"], legend["yanchor"]) == ("h", "container", "top")
    height = fig["layout"]["height"]
    assert (1 - title["y"]) * height == pytest.approx(28)  # under the toolbar's band
    assert (1 - legend["y"]) * height == pytest.approx(28 + 8 + 20)  # under a one-line title
    assert fig["layout"]["margin"]["t"] == 28 + 8 + 20 + 24 + 12  # + one legend row, a gap


def test_legend_rows_wrap_at_phone_width():
    """On a 390 px phone six SKU names take a row each (plotly lines wrapped entries up in
    columns as wide as 'all selling SKUs', one fits); two short names share one row; seven
    of six characters take two columns, so four rows."""
    assert figures.legend_rows(["all selling SKUs", "CF-OUT-1029", "CF-OUT-1030",
                                "CF-OUT-1031", "CF-OUT-1032", "CF-OUT-1033"]) == 6
    assert figures.legend_rows(["Reno", "Edison"]) == 1
    assert figures.legend_rows(["Reno-1"] * 7) == 4


def test_stacked_bars_in_money():
    """Stacked bars stack; money axes carry the currency mark and money hovers."""
    data = pd.DataFrame({"bucket": ["0-30", "0-30", "31-60", "31-60"],
                         "part": ["a", "b", "a", "b"], "amount": [100.0, 50.0, 20.0, 5.0]})
    fig = drawn(CauseChart("stacked", data, x="bucket", y="amount", series="part",
                           title="Aging", y_unit="$"))
    assert fig["layout"]["barmode"] == "stack"
    assert fig["layout"]["yaxis"]["tickprefix"] == "$"
    assert fig["layout"]["yaxis"]["title"]["text"] == "USD"
    assert "$%{y:,.0f}" in fig["data"][0]["hovertemplate"]


def test_heatmap_cells_placed_by_x_and_y():
    """A heatmap's z matrix has one row per y value and one column per x value."""
    data = pd.DataFrame({"hour": [9, 10, 9, 10], "day": ["Mon", "Mon", "Tue", "Tue"],
                         "missed": [0.1, 0.5, 0.2, 0.05]})
    fig = drawn(CauseChart("heatmap", data, x="hour", y="day", z="missed",
                           title="Missed share", y_unit="share"))
    cells = fig["data"][0]
    assert (list(cells["x"]), list(cells["y"])) == ([9, 10], ["Mon", "Tue"])
    assert [list(row) for row in cells["z"]] == [[0.1, 0.5], [0.2, 0.05]]


def test_histogram_prebinned_and_raw_with_vertical_marks():
    """Pre-binned (y is a count) draws bars without gaps; raw (y == x) a plotly histogram;
    marks stand on the value (x) axis."""
    binned = pd.DataFrame({"mid": [0.25, 0.75, 1.25], "orders": [10, 4, 1]})
    fig = drawn(CauseChart("histogram", binned, x="mid", y="orders", title="Wait",
                           x_unit="days", marks=((1.0, "p90"),)))
    assert fig["data"][0]["type"] == "bar" and fig["layout"]["bargap"] == 0.02
    assert fig["layout"]["barmode"] == "stack"  # series of a histogram stack per bin
    assert (fig["layout"]["shapes"][0]["x0"], fig["layout"]["shapes"][0]["yref"]) == (
        1.0, "paper")
    assert fig["layout"]["annotations"][0]["text"] == "p90 1.0 days"
    raw = pd.DataFrame({"hours": [0.5, 1.5, 30.0]})
    fig = drawn(CauseChart("histogram", raw, x="hours", y="hours", title="Response"))
    assert fig["data"][0]["type"] == "histogram"


def test_scatter_is_markers_per_series():
    """A scatter draws markers, one trace per series, both axes in their units."""
    data = pd.DataFrame({"landed": [10.0, 12.0], "on_file": [10.0, 8.0],
                         "cost": ["current", "stale"]})
    fig = drawn(CauseChart("scatter", data, x="landed", y="on_file", series="cost",
                           title="Costs", x_unit="$", y_unit="$"))
    assert [t["mode"] for t in fig["data"]] == ["markers", "markers"]
    assert fig["layout"]["xaxis"]["tickprefix"] == "$"


def test_warn_and_fail_at_one_value_make_one_label():
    """Marks at the same value print one label ('warn and fail 1'), one line."""
    data = pd.DataFrame({"login": ["a", "b"], "people": [1, 3]})
    fig = drawn(CauseChart("bars", data, x="login", y="people", title="Shared",
                           y_unit="count", marks=((1.0, "warn"), (1.0, "fail"))))
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["warn and fail 1"]
    assert len(fig["layout"]["shapes"]) == 1


def test_neighbouring_mark_labels_alternate_sides():
    """Labels of marks next to each other sit at opposite ends of their lines."""
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title="Late",
                           y_unit="share", marks=((0.08, "fail"), (0.04, "warn"))))
    notes = fig["layout"]["annotations"]
    assert [(n["text"], n["x"], n["xanchor"]) for n in notes] == [
        ("warn 4.0%", 1, "right"), ("fail 8.0%", 0, "left")]


def test_long_title_wraps_and_note_is_the_subtitle():
    """A long title is wrapped at 34 characters with <br> (a 300 px chart on a phone);
    the note follows it."""
    title = "Shipping cost against shipping charged to customers, by week ordered"
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title=title,
                           note="Labels cost more than customers paid."))
    text = fig["layout"]["title"]["text"]
    heading, rest = text.split("<br><span", 1)
    assert heading == "Shipping cost against shipping<br>charged to customers, by week<br>ordered"
    assert "Labels cost more than customers paid." in rest
    assert all(len(line) <= 34 for line in heading.split("<br>"))


def test_figure_count_counts_cause_charts():
    """The report draws one figure per flagged finding that has a chart, plus scorecard and
    opportunity chart."""
    chart = CauseChart("bars", rates(), x="orders", y="late_rate", title="Late")
    results = [Result(Status.FAIL, chart=chart, check_id="a"), Result(Status.WARN,
                                                                      check_id="b"),
               Result(Status.PASS, chart=chart, check_id="c")]
    diagnosis = Diagnosis("Shop", ("2026-07-01", "2026-09-30"), results)
    assert figures.report_figure_count(diagnosis) == 3


@pytest.mark.parametrize("kind", ["bars", "lines", "stacked", "scatter"])
def test_every_kind_keeps_dates_as_dates(kind):
    """Week starts stay dates on the axis (plotly draws a date axis), not text."""
    data = pd.DataFrame({"week": pd.to_datetime(["2026-07-06", "2026-07-13"]),
                         "rate": [0.1, 0.2]})
    fig = figures.cause(Result(Status.PASS, chart=CauseChart(kind, data, x="week", y="rate",
                                                             title="Rate")))
    assert list(fig.data[0].x) == list(data["week"])


def test_numeric_looking_ids_stay_categories():
    """Customer ids made of digits and month labels are categories, not a number axis."""
    data = pd.DataFrame({"customer": ["6802000509786", "6802000493358"], "owed": [5.0, 2.0]})
    fig = drawn(CauseChart("bars", data, x="customer", y="owed", title="Owed", y_unit="$"))
    assert fig["layout"]["xaxis"]["type"] == "category"
    dates = pd.DataFrame({"week": pd.to_datetime(["2026-07-06", "2026-07-13"]),
                          "owed": [5.0, 2.0]})
    fig = drawn(CauseChart("bars", dates, x="week", y="owed", title="Owed"))
    assert "type" not in fig["layout"]["xaxis"]


def test_two_amounts_in_a_note_are_not_read_as_latex():
    """Plotly reads text between two '$' as LaTeX: every '$' in chart text is an entity."""
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title="Stock",
                           note="$128,840 of $424,283 in stock has not sold."))
    assert "$" not in fig["layout"]["title"]["text"]
    assert "&#36;128,840 of &#36;424,283" in fig["layout"]["title"]["text"]


def test_small_shares_get_a_decimal_on_the_axis():
    """An axis ending near 3% shows one decimal (no '1%, 1%, 2%'); one past 5% none."""
    small = rates().assign(late_rate=[0.01, 0.02])
    fig = drawn(CauseChart("bars", small, x="orders", y="late_rate", title="Late",
                           y_unit="share", marks=((0.03, "fail"),)))
    assert fig["layout"]["yaxis"]["tickformat"] == ".1%"
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title="Late",
                           y_unit="share"))
    assert fig["layout"]["yaxis"]["tickformat"] == ".0%"


def test_four_close_marks_take_four_places():
    """Four marks close together: right-above, left-above, right-below, left-below."""
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title="Late",
                           y_unit="share", marks=((0.05, "c"), (0.04, "warn"), (0.045, "b"),
                                                  (0.055, "fail"))))
    places = [(n["text"], n["xanchor"], n["yanchor"]) for n in fig["layout"]["annotations"]]
    assert places == [("warn 4.0%", "right", "bottom"), ("b 4.5%", "left", "bottom"),
                      ("c 5.0%", "right", "top"), ("fail 5.5%", "left", "top")]


def test_mark_named_with_its_value_is_not_repeated():
    """A mark whose name states its value ('warn 5.0%', '50 customers: ...') is labelled as
    named; one without ('p90') gets the value added; 'p90' is not read as the value 90."""
    assert figures.merged_marks(((0.05, "warn 5.0%"), (0.1, "fail 10.0%")), "share") == [
        (0.05, "warn 5.0%"), (0.1, "fail 10.0%")]
    assert figures.merged_marks(((50.0, "50 customers: too many"),), "count") == [
        (50.0, "50 customers: too many")]
    assert figures.merged_marks(((90.0, "p90"),), "days") == [(90.0, "p90 90.0 days")]
    assert figures.merged_marks(((1.0, "warn"), (1.0, "fail")), "count") == [
        (1.0, "warn and fail 1")]


def test_long_mark_label_wraps():
    """A mark label longer than 24 characters wraps with <br> (half a phone's plot)."""
    fig = drawn(CauseChart("bars", rates(), x="orders", y="late_rate", title="Codes",
                           y_unit="count",
                           marks=((50.0, "50 customers: too many for a deep code"),)))
    assert [a["text"] for a in fig["layout"]["annotations"]] == [
        "50 customers: too many<br>for a deep code"]


def test_small_counts_tick_in_whole_steps():
    """A count axis ending below 6 ticks every 1 (plotly's halves would print '1, 1, 2, 2');
    a larger one keeps plotly's own steps."""
    small = pd.DataFrame({"login": ["0-30 days", "never"], "people": [2, 0]})
    fig = drawn(CauseChart("bars", small, x="login", y="people", title="Logins",
                           y_unit="count"))
    assert (fig["layout"]["yaxis"]["tickformat"], fig["layout"]["yaxis"]["dtick"]) == (",d", 1)
    large = small.assign(people=[800, 40])
    fig = drawn(CauseChart("bars", large, x="login", y="people", title="Logins",
                           y_unit="count"))
    assert "dtick" not in fig["layout"]["yaxis"]


def test_legend_band_sits_under_title_and_note():
    """The legend starts under the toolbar's band (28 px), a gap (8), one title line (20)
    and two note lines (20 each), as drawn; the plot under one legend row (24) and a gap."""
    data = pd.DataFrame({"week": ["w1", "w1"], "rate": [0.1, 0.3],
                         "warehouse": ["Reno", "Edison"]})
    fig = drawn(CauseChart("lines", data, x="week", y="rate", series="warehouse",
                           title="Late rate", y_unit="share",
                           note="Reno ships late more often than Edison does, every week "
                                "of the quarter."))
    assert fig["layout"]["title"]["text"].count("<br>") == 2  # heading, then 2 note lines
    height = fig["layout"]["height"]
    assert (1 - fig["layout"]["legend"]["y"]) * height == pytest.approx(28 + 8 + 20 + 40)
    assert fig["layout"]["margin"]["t"] == 28 + 8 + 20 + 40 + 24 + 12
