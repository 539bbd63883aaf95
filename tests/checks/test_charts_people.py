"""Exact-value tests of the tidy-data helpers behind the people-side cause charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opskit.checks._charts_people import (
    age_buckets,
    counted,
    days_ago_bucket,
    distribution,
    labelled,
    month_start,
    tally,
    threshold_marks,
    time_bins,
    top_labels,
    week_start,
)


def test_top_labels_folds_the_rest_into_other_and_names_missing():
    """Keep 3: the two largest labels stay, the rest (ties alphabetical) become 'other'."""
    labels = pd.Series(["b", "a", "a", "c", "c", "c", None, "d"], dtype="str")
    folded = top_labels(labels, keep=3)
    assert folded.astype("str").tolist() == ["other", "a", "a", "c", "c", "c", "other",
                                             "other"]
    assert top_labels(labels).astype("str").tolist()[6] == "(none)"


def test_top_labels_by_weight_and_a_clashing_other_name():
    """Weights decide the top; a real label called 'other' is not merged with the rest."""
    labels = pd.Series(["other", "x", "y", "z"], dtype="str")
    weights = pd.Series([5.0, 1.0, 9.0, 2.0])
    assert top_labels(labels, weights, keep=3).astype("str").tolist() == [
        "other", "other (rest)", "y", "other (rest)"]


def test_tally_fills_every_cell_in_the_given_order():
    """Counts per x and series with zeros kept, largest x first when no order is given."""
    frame = pd.DataFrame({"x": ["p", "q", "q", "q"], "s": ["on", "on", "off", "on"]})
    data = tally(frame, "x", "s", series_order=["on", "off"])
    assert data.values.tolist() == [["q", "on", 2], ["q", "off", 1], ["p", "on", 1],
                                    ["p", "off", 0]]


def test_tally_sums_a_value_over_categoricals():
    """Sums of a value column, categorical labels given as codes."""
    frame = pd.DataFrame({"x": labelled([0, 1, 1], ["A", "B"]),
                          "s": labelled(np.array([True, False, True]), ["no", "yes"]),
                          "v": [1.5, 2.0, 4.0]})
    data = tally(frame, "x", "s", value="v", x_order=["A", "B"], name="hours")
    assert data.values.tolist() == [["A", "no", 0.0], ["A", "yes", 1.5], ["B", "no", 2.0],
                                    ["B", "yes", 4.0]]


def test_distribution_keeps_few_values_and_quantiles_of_many():
    """Three values come back sorted; 0..999 kept to 200 points become the quantiles at
    0.25%, 0.75%, ..., 99.75% (linear between values: 0.0025 × 999 = 2.4975)."""
    assert distribution(pd.Series([3.0, None, 1.0, 2.0])).tolist() == [1.0, 2.0, 3.0]
    many = distribution(pd.Series(np.arange(1000, dtype="float64")), points=200)
    assert len(many) == 200
    assert many[0] == pytest.approx(2.4975) and many[-1] == pytest.approx(996.5025)


def test_counted_says_what_a_quantile_row_stands_for():
    """Up to the points a row is a record; beyond, the axis says how many it stands for."""
    assert counted("orders", 200) == "orders"
    assert counted("orders", 500) == "orders (each row of the chart stands for 2.5)"


def test_weeks_and_months_start_on_monday_and_the_first():
    """Wednesday 1 July 2026 is in the week of Monday 29 June; a missing time stays missing."""
    times = pd.Series(pd.to_datetime(["2026-07-01 10:00", "2026-07-06 00:00", None]))
    assert week_start(times).tolist()[:2] == [pd.Timestamp("2026-06-29"),
                                              pd.Timestamp("2026-07-06")]
    assert pd.isna(week_start(times).iloc[2])
    assert month_start(times).tolist()[:2] == [pd.Timestamp("2026-07-01")] * 2


def test_time_bins_are_weeks_up_to_half_a_year_then_months():
    """A quarter is shown by week, a year by month."""
    quarter = pd.Series(pd.to_datetime(["2026-07-01", "2026-09-30"]))
    year = pd.Series(pd.to_datetime(["2025-10-01", "2026-09-30"]))
    assert time_bins(quarter)[0] == "week"
    assert time_bins(year)[0] == "month"


def test_days_ago_buckets_agree_with_a_strict_cut_off():
    """Exactly 90 days ago is inside 31-90 (not dormant), 90 days and an hour is past it."""
    end = pd.Timestamp("2026-09-30")
    times = pd.Series(pd.to_datetime(["2026-09-30 08:00", "2026-07-02", "2026-07-01 23:00",
                                      "2025-01-01", None], format="ISO8601"))
    assert age_buckets((30, 90, 365)) == ["0-30 days", "31-90 days", "91-365 days",
                                          "over 365 days", "never"]
    assert days_ago_bucket(times, end, (30, 90, 365)).astype("str").tolist() == [
        "0-30 days", "31-90 days", "91-365 days", "over 365 days", "never"]


def test_threshold_marks_merge_equal_thresholds():
    """Warn and fail at one value make one mark, so their labels never overlap."""
    assert threshold_marks(1, 1) == ((1.0, "warn and fail 1"),)
    assert threshold_marks(0.1, 0.2, "{:.0%}") == ((0.1, "warn 10%"), (0.2, "fail 20%"))
