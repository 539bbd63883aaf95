"""Turn raw columns into typed canonical columns, vectorized, keeping what could not be read.

Each parser returns the typed column and a boolean mask of the values that were present but
could not be read ('yesterday' in a date column, 'n/a' in an amount). The loader sets those
rows aside with a reason instead of silently turning them into nulls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.tables import Column

NULL_TOKENS = ("", "nan", "null", "none", "n/a", "na", "-", "--")
DATE_FORMATS = (
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%m/%d/%y",
    "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d %b %Y", "%b %d, %Y",
    "%d-%b-%Y", "%d-%b-%y", "%B %d, %Y",
)
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31 23:59:59")
TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0", "x")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0")
THOUSANDS = r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$"


def parse(raw: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray]:
    """Parse ``raw`` as ``column.kind``; returns (typed values, mask of unreadable values)."""
    parser = PARSERS[column.kind]
    return parser(raw)


def _text(raw: pd.Series) -> pd.Series:
    """Strings with whitespace trimmed; null tokens and blanks become missing."""
    if pd.api.types.is_float_dtype(raw.dtype):
        # Integer ids read as floats because of blanks: 1001.0 -> '1001'.
        # Only finite values within float's exact integer range; 'INF' or 1e300 stay as read.
        exact = raw.notna() & (raw.abs() < 2.0**53)
        whole = (exact & (raw == np.floor(raw.where(exact, 0)))).fillna(False).to_numpy()
        as_int = raw.where(whole, 0).astype("int64").astype("str")
        out = raw.astype("str").where(~whole, as_int)
        return out.where(raw.notna(), None).astype("str")
    if not (pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object):
        return raw.astype("str").where(raw.notna(), None).astype("str")
    s = raw.astype("str").str.strip()
    return s.where(~s.str.lower().isin(NULL_TOKENS), None)


def parse_text(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    return _text(raw), np.zeros(len(raw), dtype=bool)


def parse_enum(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = _text(raw)
    return s.str.lower().str.replace(" ", "_", regex=False), np.zeros(len(raw), dtype=bool)


def parse_number(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers and money: '$1,234.56', '(1,234.56)', '1,234.56-', '-$5' all read."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64"), np.zeros(len(raw), dtype=bool)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64"), np.zeros(len(raw), dtype=bool)
    s = _text(raw)
    present = s.notna().to_numpy()
    clean = s.str.replace(r"[\s$€£¥]|USD|EUR|GBP|CAD|AUD", "", regex=True)
    paren = clean.str.startswith("(") & clean.str.endswith(")")
    clean = clean.str.strip("()")
    trailing = clean.str.endswith("-") & ~clean.str.startswith("-")
    clean = clean.where(~trailing, "-" + clean.str.rstrip("-"))
    clean = clean.str.replace(r"^-+-", "-", regex=True)
    has_comma = clean.str.contains(",", regex=False).fillna(False)
    thousands_ok = clean.str.match(THOUSANDS).fillna(False)
    clean = clean.where(~has_comma | ~thousands_ok, clean.str.replace(",", "", regex=False))
    clean = clean.where(~has_comma | thousands_ok, None)
    values = pd.to_numeric(clean, errors="coerce").astype("float64")
    values = values.where(~paren.fillna(False), -values.abs())
    bad = present & values.isna().to_numpy()
    return values, bad


def parse_bool(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), np.zeros(len(raw), dtype=bool)
    s = _text(raw)
    low = s.str.lower()
    present = s.notna().to_numpy()
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    values[low.isin(TRUE_WORDS).fillna(False).to_numpy()] = True
    values[low.isin(FALSE_WORDS).fillna(False).to_numpy()] = False
    bad = present & values.isna().to_numpy()
    return values, bad


def parse_datetime(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Dates and date-times as timezone-naive local time, in nanoseconds-free datetime64."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return _plausible(values.astype("datetime64[us]"), np.zeros(len(raw), dtype=bool))
    s = _text(raw)
    present = s.notna().to_numpy()
    values = _to_datetime(s, "ISO8601")
    missing = present & values.isna().to_numpy()
    for fmt in DATE_FORMATS:
        if not missing.any():
            break
        attempt = _to_datetime(s[missing], fmt)
        values.loc[missing] = attempt
        missing = present & values.isna().to_numpy()
    return _plausible(values.astype("datetime64[us]"), missing)


def _plausible(values: pd.Series, bad: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Dates before 1900 or after 2199 become bad values.

    pandas reads oddities such as '/1' as the year 0, and a spreadsheet or parquet file can
    carry 9999-12-31 as "never"; no business record is that old or that far ahead, and such
    dates would stretch every period computed from the data.
    """
    implausible = ((values < EARLIEST) | (values > LATEST)).fillna(False).to_numpy()
    if implausible.any():
        values = values.mask(implausible)
        bad = bad | implausible
    return values, bad


def _to_datetime(s: pd.Series, fmt: str) -> pd.Series:
    try:
        values = pd.to_datetime(s, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        # Mixed UTC offsets: read as UTC and keep the wall-clock time of UTC.
        values = pd.to_datetime(s, format=fmt, errors="coerce", utc=True)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.astype("datetime64[us]")


PARSERS = {
    "id": parse_text,
    "text": parse_text,
    "enum": parse_enum,
    "money": parse_number,
    "number": parse_number,
    "bool": parse_bool,
    "datetime": parse_datetime,
}
