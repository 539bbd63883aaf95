"""Small frame builders the checks share to fill a ``CauseChart`` (opskit/findings.py).

Each takes rows a check already has (flags, timestamps, amounts) and aggregates them into the
few dozen rows a chart draws: a rate per week, a share per kind and week, an aging bucket, a
histogram bin. Pure pandas and vectorised: a chart must not slow its check.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from opskit.checks._common import wilson_interval

#: Periods up to this many days are drawn by week; longer ones by month (keeps rows few).
WEEKLY_UP_TO_DAYS = 190


def time_bucket(stamps: pd.Series, period_days: float) -> tuple[pd.Series, str]:
    """The start of each timestamp's week (Monday) or month, and the word ('week', 'month').

    Weeks while the period is about half a year or shorter, months beyond, so a line over a
    year has 12 points, not 52 per series. Computed on the datetime64 values (a missing
    time stays missing).
    """
    values = pd.to_datetime(stamps).to_numpy(dtype="datetime64[us]")
    missing = np.isnat(values)
    if period_days <= WEEKLY_UP_TO_DAYS:
        days = values.astype("datetime64[D]")
        # 1970-01-01 was a Thursday: Monday-based weekday is (days since epoch + 3) mod 7
        weekday = (days.astype("int64") + 3) % 7
        start, word = days - weekday.astype("timedelta64[D]"), "week"
    else:
        start, word = values.astype("datetime64[M]").astype("datetime64[D]"), "month"
    start = start.astype("datetime64[us]")
    start[missing] = np.datetime64("NaT")
    return pd.Series(start, index=stamps.index), word


def count_table(rows: pd.Series, columns: pd.Series, values: pd.Series | None = None
                ) -> pd.DataFrame:
    """Counts (or sums of ``values``) per value of ``rows`` × value of ``columns``, zeros
    where a pair never occurs (a quicker ``pd.crosstab``)."""
    if values is None:
        table = rows.groupby([rows, columns], sort=True).size()
    else:
        table = values.groupby([rows, columns], sort=True).sum()
    return table.unstack(fill_value=0)


def marks(warn: float | None, fail: float | None) -> tuple[tuple[float, str], ...]:
    """The warn and fail thresholds as chart marks (the renderer adds the value)."""
    return tuple((float(v), name) for v, name in ((warn, "warn"), (fail, "fail"))
                 if v is not None and not np.isnan(v))


def rate_over_time(stamps: pd.Series, flags: pd.Series, period_days: float, *,
                   series: pd.Series | None = None, rate: str = "rate"
                   ) -> tuple[pd.DataFrame, str]:
    """Share of rows flagged per time bucket (and per ``series`` value when given).

    Columns: ``period`` (bucket start), [``series``], ``hits``, ``rows``, ``rate``. Returns
    the frame and the bucket word.
    """
    bucket, word = time_bucket(stamps, period_days)
    keys = [bucket.rename("period")]
    if series is not None:
        keys.append(series.astype("str").fillna("(none)").rename("series"))
    grouped = flags.astype(bool).groupby(keys, sort=True)
    frame = pd.DataFrame({"hits": grouped.sum().astype("int64"), "rows": grouped.size()})
    frame = frame.reset_index()
    return frame.assign(**{rate: frame["hits"] / frame["rows"]}), word


def share_by_kind_over_time(event_stamps: pd.Series, kinds: pd.Series, base_stamps: pd.Series,
                            period_days: float, kind_order: Sequence[str],
                            *, value: str = "share") -> tuple[pd.DataFrame, str]:
    """Events per kind and time bucket ÷ base rows of that bucket (e.g. exceptions by kind
    per week ÷ shipments that week), every kind in every bucket (zero-filled).

    Columns: ``period``, ``kind``, ``events``, ``base``, ``value``. Buckets are those of the
    base rows (a week with no shipment has no rate).
    """
    base_bucket, word = time_bucket(base_stamps, period_days)
    base = base_bucket.value_counts().sort_index()
    event_bucket, _ = time_bucket(event_stamps, period_days)
    counts = count_table(event_bucket, kinds.astype("str")) if len(kinds) else pd.DataFrame()
    counts = counts.reindex(index=base.index, columns=list(kind_order), fill_value=0)
    counts.index.name, counts.columns.name = "period", "kind"
    frame = counts.stack().rename("events").reset_index()
    frame = frame.assign(base=frame["period"].map(base).astype("int64"))
    frame = frame.assign(**{value: frame["events"] / frame["base"]})
    frame["events"] = frame["events"].astype("int64")
    return frame.sort_values(["period", "kind"], key=_kind_key(kind_order),
                             ignore_index=True), word


def _kind_key(order: Sequence[str]):
    """Sort key keeping ``kind`` in the given order (other columns sort as they are)."""
    rank = {k: i for i, k in enumerate(order)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(rank) if column.name == "kind" else column

    return key


def bucketed(values: pd.Series, weights: pd.Series | None, edges: Sequence[float],
             labels: Sequence[str], *, value: str = "value") -> pd.DataFrame:
    """Sum of ``weights`` (count of rows without) per bucket of ``values``, every bucket listed.

    ``edges`` are the inner boundaries: bucket i holds ``edges[i-1] < v <= edges[i]``, the
    first everything up to ``edges[0]``, the last everything above ``edges[-1]`` (so
    ``len(labels) == len(edges) + 1``). Columns: ``bucket``, ``value``, ``rows``.
    """
    if len(labels) != len(edges) + 1:
        raise ValueError("bucketed needs one label more than inner edges")
    at = np.searchsorted(np.asarray(edges, dtype=float), values.to_numpy(dtype=float),
                         side="left")
    weight = (np.ones(len(values)) if weights is None
              else weights.to_numpy(dtype=float))
    sums = np.bincount(at, weights=weight, minlength=len(labels))
    rows = np.bincount(at, minlength=len(labels))
    return pd.DataFrame({"bucket": list(labels), value: sums, "rows": rows.astype("int64")})


def binned(values: pd.Series, width: float, *, start: float = 0.0, cap: float | None = None
           ) -> pd.DataFrame:
    """A histogram, pre-binned: ``bin`` (left edge), ``mid`` (centre, where the bar is drawn)
    and ``count`` per bin of ``width``.

    Values below ``start`` fall in the first bin, values at or above ``cap`` in the last
    (so the tail does not stretch the chart); empty bins inside the range are kept.
    """
    numbers = values.dropna().to_numpy(dtype=float)
    high = cap if cap is not None else (numbers.max() if len(numbers) else start + width)
    bins = max(int(np.ceil((high - start) / width)), 1)
    at = np.clip(np.floor((numbers - start) / width), 0, bins - 1).astype("int64")
    if cap is not None:
        at = np.where(numbers >= cap, bins - 1, at)
    counts = np.bincount(at, minlength=bins)
    edges = start + width * np.arange(bins)
    return pd.DataFrame({"bin": edges, "mid": edges + width / 2, "count": counts})


def nice_width(low: float, high: float, bins: int = 30) -> float:
    """A round bin width (1, 2 or 5 times a power of ten) giving about ``bins`` bins."""
    span = max(float(high) - float(low), 1e-9)
    raw = span / bins
    power = 10 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def rate_with_interval(hits: float, trials: float) -> tuple[float, float, float]:
    """(rate, low, high): the share and its 95% Wilson interval (nan when nothing to share)."""
    if not trials:
        return (float("nan"),) * 3
    low, high = wilson_interval(hits, trials)
    return hits / trials, low, high


def top_with_rest(frame: pd.DataFrame, label: str, by: str, n: int, rest: str
                  ) -> pd.Series:
    """``frame[label]`` with every value outside the ``n`` largest by ``by`` renamed ``rest``."""
    top = frame.nlargest(n, by)[label]
    return frame[label].astype("str").where(frame[label].isin(top), rest)
