"""Frame builders shared by the check tests.

A check reads canonical tables whose columns carry the dtypes the loader produces (str ids and
text, datetime64[us] times, float64 money and numbers, nullable "boolean" flags), inside a
CheckData over a period with the default assumptions. Every test module builds its small
hand-made tables here, so they cannot drift from the loader's dtypes one module at a time.
The period is 2026-07-01 to 2026-09-30 (92 days) unless a test passes its own.
"""

from __future__ import annotations

import pandas as pd

from opskit.assumptions import resolve
from opskit.engagement import Period
from opskit.findings import Result
from opskit.registry import CheckData
from opskit.tables import TABLES

START, END = "2026-07-01", "2026-09-30"
DAYS = 92
MONTHS = DAYS / (365.25 / 12)  # the period in average months, as per-month metrics count it
DTYPES = {"id": "str", "text": "str", "enum": "str", "datetime": "datetime64[us]",
          "money": "float64", "number": "float64", "bool": "boolean"}


def table(name: str, /, **columns: list) -> pd.DataFrame:
    """A canonical table from its columns, each with the loader's dtype for its kind.

    Column-wise, so a test can build many rows from ranges, or an empty table that still has
    its typed columns.
    """
    kinds = TABLES[name].by_name
    return pd.DataFrame({c: as_loaded(pd.Series(v), kinds[c]) for c, v in columns.items()})


def as_loaded(values: pd.Series, column) -> pd.Series:
    """``values`` with the dtype the loader gives ``column``; a bare date in a deadline or
    leaving-date column (``end_of_day``) is the end of that day, as the loader reads it."""
    if column.kind != "datetime":
        return values.astype(DTYPES[column.kind])
    text = values.astype("str")
    bare = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    times = pd.to_datetime(values, format="ISO8601").astype(DTYPES["datetime"])
    if getattr(column, "end_of_day", False) and bare.any():
        times = times.where(~bare, times + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1))
    return times


def rows_table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical table from row dicts, each column cast to the loader's dtype for its kind.

    Row-wise, so a test reads as the records it describes. Times are parsed as ISO 8601, so
    one column may mix dates and date-times.
    """
    kinds = TABLES[name].by_name
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        frame[column] = as_loaded(frame[column], kinds[column])
    return frame


def make_data(start: str = START, end: str = END,
              **tables: pd.DataFrame | list[dict]) -> CheckData:
    """What a check reads: the given tables over the period, with the default assumptions.

    A table given as row dicts is built with `rows_table` first, so row-wise tests need not
    wrap every table themselves.
    """
    frames = {name: rows_table(name, given) if isinstance(given, list) else given
              for name, given in tables.items()}
    return CheckData(frames, Period(pd.Timestamp(start), pd.Timestamp(end)), resolve(None))


def impact_triple(result: Result) -> tuple[float, float, float]:
    """A result's impact as (low, base, high), so one assertion pins all three."""
    return (result.impact.low, result.impact.base, result.impact.high)
