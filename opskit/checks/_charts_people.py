"""Small tidy-data helpers for the cause charts of the people-side checks.

The sales, marketing, security, efficiency, integration and knowledge checks draw their
cause from data they already hold: counts per category and series, a distribution, hours
by week, accounts by how long ago they logged in. What several of them need is written once
here so every chart keeps the same rules: few rows (top categories, the rest folded into one
"other" row), every category × series cell present (a zero is drawn, not skipped), labels
from client data kept raw (report/figures.py escapes them), and vectorised pandas only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Categories a bar chart shows before the rest are folded into one "other" bar.
TOP = 12
#: Values a distribution keeps: beyond it, evenly spaced quantiles stand for the values.
DISTRIBUTION_POINTS = 200


def top_labels(labels: pd.Series, weights: pd.Series | None = None, keep: int = TOP,
               other: str = "other") -> pd.Series:
    """``labels`` with all but the ``keep`` largest (by summed ``weights``, else by count)
    replaced by ``other``, so a chart of many categories stays readable and small.

    A missing label reads "(none)"; ties keep the alphabetical first. The result is
    categorical: the labels are hashed once (``factorize``), never copied row by row.
    """
    codes, uniques = pd.factorize(labels)
    names = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names.append("(none)")
    weight = np.bincount(codes, weights=None if weights is None else
                         weights.to_numpy(dtype="float64", na_value=0.0),
                         minlength=len(names))
    if len(names) <= keep:
        return pd.Series(pd.Categorical.from_codes(codes, names), index=labels.index)
    ranked = sorted(range(len(names)), key=lambda i: (-weight[i], names[i]))
    kept = ranked[:keep - 1]
    while other in (names[i] for i in kept):
        other += " (rest)"
    recode = np.full(len(names), len(kept), dtype="int64")
    recode[kept] = np.arange(len(kept))
    return pd.Series(pd.Categorical.from_codes(recode[codes], [names[i] for i in kept]
                                               + [other]), index=labels.index)


def labelled(codes: np.ndarray | pd.Series, names: Sequence[str],
             index: pd.Index | None = None) -> pd.Series:
    """A categorical of ``names[code]`` per row (booleans count as 0 / 1): a label column
    for millions of rows without building millions of strings."""
    values = np.asarray(codes).astype("int64")
    return pd.Series(pd.Categorical.from_codes(values, list(names)), index=index)


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column's values and the value of each code (-1: missing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype="int64"), column.cat.categories
    codes, uniques = pd.factorize(column)
    return codes.astype("int64"), pd.Index(uniques)


def tally(frame: pd.DataFrame, x: str, series: str, *, value: str | None = None,
          x_order: Sequence | None = None, series_order: Sequence | None = None,
          name: str = "count") -> pd.DataFrame:
    """Counts (or sums of ``value``) per ``x`` × ``series``, every combination present.

    Rows follow ``x_order`` (else the largest total first, then by name) and
    ``series_order`` (else the categories, or first appearance), so the chart reads in the
    intended order. Summed with ``np.bincount`` over integer codes: a chart of a million
    rows costs milliseconds, not a grouped frame.
    """
    x_codes, x_values = _codes(frame[x])
    s_codes, s_values = _codes(frame[series])
    weights = (frame[value].to_numpy(dtype="float64", na_value=0.0) if value
               else np.ones(len(frame)))
    valid = (x_codes >= 0) & (s_codes >= 0)
    cells = np.bincount(x_codes[valid] * len(s_values) + s_codes[valid],
                        weights=weights[valid], minlength=len(x_values) * len(s_values))
    table = pd.DataFrame(cells.reshape(len(x_values), len(s_values)), index=x_values,
                         columns=s_values)
    if x_order is None:
        totals = table.sum(axis=1)
        x_order = sorted(totals.index, key=lambda k: (-totals[k], str(k)))
    if series_order is None:
        series_order = list(s_values)
    table = table.reindex(index=list(x_order), columns=list(series_order), fill_value=0)
    sums = table.to_numpy().ravel()
    return pd.DataFrame({
        x: np.repeat(np.asarray(table.index), len(table.columns)),
        series: np.tile(np.asarray(table.columns, dtype=object), len(table.index)),
        name: sums.round(0).astype("int64") if value is None else sums})


def distribution(values: pd.Series, points: int = DISTRIBUTION_POINTS) -> np.ndarray:
    """The values sorted, or, when there are more than ``points``, that many evenly spaced
    quantiles (the midpoints of equal-count slices): a histogram of them has the shape of the
    histogram of all values, in a bounded number of rows."""
    clean = np.sort(values.dropna().to_numpy(dtype="float64"))
    if len(clean) <= points:
        return clean
    return np.quantile(clean, (np.arange(points) + 0.5) / points)


def counted(noun: str, values: int, points: int = DISTRIBUTION_POINTS) -> str:
    """The count axis of a histogram drawn from ``distribution``: the noun while every value
    is a row; once quantiles stand in, how many values each row stands for, so the bar
    heights are never read as counts of records."""
    if values <= points:
        return noun
    return f"{noun} (each row of the chart stands for {values / points:,.1f})"


def week_start(times: pd.Series) -> pd.Series:
    """The Monday (00:00) of each timestamp's week: weeks, not days, on a time axis.

    In numpy day units (1970-01-01 was a Thursday, so a day's weekday is (days + 3) mod 7),
    so millions of order lines take milliseconds; a missing time stays missing."""
    days = times.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    weekday = (days.astype("int64") + 3) % 7
    monday = days - weekday.astype("timedelta64[D]")
    return pd.Series(monday.astype("datetime64[us]"), index=times.index, name=times.name)


def age_buckets(boundaries: Sequence[float]) -> list[str]:
    """Labels of the day ranges cut at ``boundaries`` (sorted, distinct), then "never":
    (30, 90, 365) gives '0-30 days', '31-90 days', '91-365 days', 'over 365 days', 'never'."""
    edges = sorted({float(b) for b in boundaries})
    labels, low = [], 0.0
    for edge in edges:
        labels.append(f"{low:g}-{edge:g} days")
        low = edge + 1
    return [*labels, f"over {edges[-1]:g} days", "never"]


def days_ago_bucket(times: pd.Series, end: pd.Timestamp,
                    boundaries: Sequence[float]) -> pd.Series:
    """Each timestamp's bucket of days before ``end`` (``age_buckets`` labels), as an
    ordered categorical; a missing time is "never", a time after ``end`` 0 days ago.

    Part days count as a day begun (90 days and 5 hours is in '91-...'), so a bucket edge
    agrees with a cut-off test ``time < end - edge days`` the checks judge with."""
    edges = sorted({float(b) for b in boundaries})
    labels = age_buckets(edges)
    days = np.ceil((end - times).dt.total_seconds() / 86400).clip(lower=0)
    position = np.searchsorted(np.asarray(edges), days.to_numpy(dtype="float64",
                                                                na_value=np.nan), side="left")
    names = np.asarray(labels, dtype=object)[np.minimum(position, len(labels) - 2)]
    names = np.where(days.isna().to_numpy(), "never", names)
    return pd.Series(pd.Categorical(names, categories=labels, ordered=True), index=times.index)


def pct(value: float) -> str:
    """A 0-1 share as the report writes it: 0.247 -> '24.7%'."""
    return f"{value:.1%}"


def plural(count: float, noun: str, many: str | None = None) -> str:
    """'1 account', '3 accounts' (``many`` for irregular plurals)."""
    word = noun if count == 1 else (many or noun + "s")
    return f"{count:,.0f} {word}"


def threshold_marks(warn: float, fail: float, words: str = "{:g}"
                    ) -> tuple[tuple[float, str], ...]:
    """The warn and fail marks of a chart, one mark when they are equal (two labels on one
    line print over each other). ``words`` formats a value ('{:.0%}', a function)."""
    say = words if callable(words) else words.format
    if warn == fail:
        return ((float(warn), f"warn and fail {say(warn)}"),)
    return ((float(warn), f"warn {say(warn)}"), (float(fail), f"fail {say(fail)}"))


def month_start(times: pd.Series) -> pd.Series:
    """The first day (00:00) of each timestamp's month; a missing time stays missing."""
    months = times.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")
    return pd.Series(months.astype("datetime64[us]"), index=times.index, name=times.name)


def time_bins(times: pd.Series) -> tuple[str, pd.Series]:
    """("week", Mondays) when the times span at most half a year, else ("month", first days
    of months): a time axis of at most about 27 points per year shown."""
    span = times.max() - times.min() if len(times) else pd.Timedelta(0)
    if span <= pd.Timedelta(weeks=27):
        return "week", week_start(times)
    return "month", month_start(times)
