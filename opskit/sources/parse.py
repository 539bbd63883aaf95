"""Turn raw columns into typed canonical columns, vectorized, keeping what could not be read.

Each parser returns the typed column and a boolean mask of the values that were present but
could not be read ('yesterday' in a date column, 'n/a' in an amount). The loader sets those
rows aside with a reason instead of silently turning them into nulls.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import NamedTuple

import numpy as np
import pandas as pd

from opskit.tables import Column

NULL_TOKENS = ("", "nan", "null", "none", "n/a", "na", "-", "--")
DATE_FORMATS = (
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%m/%d/%y",
    "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d %b %Y", "%b %d, %Y",
    "%d-%b-%Y", "%d-%b-%y", "%B %d, %Y",
)
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31 23:59:59.999999")
END_OF_DAY = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
# A time of day followed by a UTC offset or Z: '2025-08-01T11:53:00-04:00', '... 06:52 PM
# -0400', '...Z', '... UTC'. Written without backslash classes: pyarrow runs it (RE2).
OFFSET_PATTERN = (r"^(?P<wall>.*[0-9]:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
                  r"(?: ?[AaPp]\.?[Mm]\.?)?)"
                  r" *(?P<zone>[Zz]|UTC|GMT|utc|gmt|[+-][0-9]{2}(?::?[0-9]{2})?)$")
TRUE_WORDS = ("true", "t", "yes", "y", "1", "1.0", "x")
FALSE_WORDS = ("false", "f", "no", "n", "0", "0.0")
THOUSANDS = r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$"
# The dtype the CSV reader gives text columns under pandas 3 (object under pandas 2).
STR_DTYPE = pd.Series([], dtype="str").dtype


def parse(raw: pd.Series, column: Column, timezone: str | None = None
          ) -> tuple[pd.Series, np.ndarray]:
    """Parse ``raw`` as ``column.kind``; returns (typed values, mask of unreadable values).

    Date-times are read in the engagement's local time ``timezone`` and a deadline column
    (``column.end_of_day``) reads a bare date as the end of that day: see ``to_local``.
    """
    if column.kind == "datetime":
        values, bad, _ = to_local(raw, timezone, end_of_day=column.end_of_day)
        return values, bad
    parser = PARSERS[column.kind]
    return parser(raw)


def _case_variants(word: str) -> list[str]:
    """Every upper/lower-case spelling of ``word``: 'na' -> na, nA, Na, NA."""
    return ["".join(chars) for chars in itertools.product(
        *[sorted({c.lower(), c.upper()}) for c in word])]


# The null tokens in every case, so that one hash lookup replaces lower-casing each value.
NULL_SPELLINGS = sorted({v for token in NULL_TOKENS for v in _case_variants(token)})
TOKEN_BYTES = max(len(token.encode()) for token in NULL_TOKENS)


def _text(raw: pd.Series) -> pd.Series:
    """Strings with whitespace trimmed; null tokens and blanks become missing."""
    strings = arrow_strings(raw)
    if strings is not None:
        return _arrow_text(raw, strings)
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


def arrow_strings(raw: pd.Series):  # -> pyarrow.ChunkedArray | None
    """The Arrow strings behind a pandas 'str' column (no copy), or None for any other column.

    What the CSV reader gives every text column: trimming and spotting null tokens on them
    directly in Arrow skips the copies and the lower-cased column that pandas' string
    methods make, with the same result.
    """
    if isinstance(raw.array, pd.arrays.ArrowStringArray) and raw.dtype == STR_DTYPE:
        import pyarrow as pa

        return pa.chunked_array(pa.array(raw.array))
    return None


def _arrow_text(raw: pd.Series, strings) -> pd.Series:
    """``_text`` of a pandas 'str' column, computed in Arrow: trim (as str.strip does), then
    null where the trimmed value is a null token in any case."""
    import pyarrow as pa
    import pyarrow.compute as pc

    trimmed = pc.utf8_trim_whitespace(strings)
    # A null token is at most TOKEN_BYTES long: a column of longer values (ids, names) needs
    # no lookup, and its lengths are read from the offsets without touching the text.
    if pc.any(pc.less_equal(pc.binary_length(trimmed), TOKEN_BYTES)).as_py():
        tokens = pc.is_in(trimmed, value_set=pa.array(NULL_SPELLINGS, type=trimmed.type))
        if pc.any(tokens).as_py():
            trimmed = pc.if_else(tokens, pa.scalar(None, type=trimmed.type), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(trimmed, dtype=raw.dtype), index=raw.index,
                     name=raw.name, copy=False)


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
    if raw.dtype == object and not raw.notna().any():
        # An empty column (Arrow reads it as nulls): nothing to read, nothing unreadable.
        return pd.Series(np.nan, index=raw.index, name=raw.name), np.zeros(len(raw), dtype=bool)
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
    """Dates and date-times as timezone-naive datetime64[us], with no zone given.

    The engagement's zone and the end-of-day rule of deadline columns are applied by
    ``parse`` through ``to_local``; this is ``to_local`` with neither.
    """
    values, bad, _ = to_local(raw)
    return values, bad


class LocalTimes(NamedTuple):
    """What ``to_local`` returns: the local times, the unreadable values, the UTC ones kept."""

    values: pd.Series  # datetime64[us], timezone-naive, in the engagement's local time
    bad: np.ndarray  # present but unreadable (or outside 1900-2199)
    utc_kept: int  # values written in UTC and left in UTC because no zone is set


def to_local(raw: pd.Series, timezone: str | None = None, *, end_of_day: bool = False,
             naive_utc: bool = False) -> LocalTimes:
    """Timestamps as the engagement's local wall-clock time, timezone-naive.

    The one conversion every table and every export adapter goes through, so that a
    timestamp means the same whatever the file wrote:

    - a value written without a zone (``2025-08-01 11:53``, an xlsx cell, a naive parquet
      column) is already local time and is kept as written; with ``naive_utc`` (exports
      documented to write UTC without saying so, e.g. Stripe) it is UTC instead;
    - a value with a UTC offset or ``Z`` (``2025-08-01T11:53:00-04:00``, a tz-aware parquet
      column) is an instant: with ``timezone`` (an IANA zone, ``timezone:`` in
      engagement.yaml) it is converted to that zone's local time, daylight saving included,
      each value with its own offset (a column may mix -04:00 and -05:00). Without a
      ``timezone`` it keeps the wall-clock time its writer's offset gives, i.e. the local
      time where it was recorded (11:53 above), because that is what a person reading the
      export sees; values written in UTC (``Z``, ``+00:00``, ``UTC``) then stay UTC and
      are counted in ``utc_kept`` so the data-quality notes can say "timestamps in UTC; set
      timezone: to read them in local time";
    - with ``end_of_day`` (deadlines and leaving dates, ``Column.end_of_day``) a value with
      no time of day means the end of that day: ``2025-04-02``, ``04/02/2025``, an xlsx
      date cell, a parquet date column, and a date written as midnight
      (``2025-04-02 00:00:00``, how ERPs, SQL exports and the adapters write a date) become
      2025-04-02 23:59:59.999999, local; an order shipped on its due day is not late. A
      value with another time of day keeps it.

    Dates before 1900 or after 2199 are unreadable (see ``_plausible``).
    """
    wall, offset, bad = _written(raw)
    present = wall.notna().to_numpy()
    aware = offset.notna().to_numpy(copy=True)
    if naive_utc:
        offset = offset.where(aware | ~present, pd.Timedelta(0))
        aware = present.copy()
    date_only = np.zeros(len(wall), dtype=bool)
    if end_of_day:
        # Midnight: a whole number of days in microseconds (NaT is not present).
        micros = wall.to_numpy(dtype="datetime64[us]").view("int64")
        date_only = present & (micros % 86_400_000_000 == 0)
        aware &= ~date_only
    values = wall.copy() if (aware.any() and timezone) or date_only.any() else wall
    utc_kept = 0
    if aware.any():
        if timezone:
            instants = (wall[aware] - offset[aware]).dt.tz_localize("UTC")
            values.loc[aware] = instants.dt.tz_convert(timezone).dt.tz_localize(
                None).astype("datetime64[us]")
        else:
            utc_kept = int((offset[aware] == pd.Timedelta(0)).sum())
    if date_only.any():
        values.loc[date_only] = wall[date_only] + END_OF_DAY
    values, bad = _plausible(values, bad)
    return LocalTimes(values, bad, utc_kept)


def deadline_day(values: pd.Series) -> pd.Series:
    """Deadlines read as the end of their day (``to_local(end_of_day=True)``) moved back to
    the start of that day; values with another time of day are returned unchanged.

    For counting whole days from a date-only deadline as a calendar does (payment terms, days
    past due, days since someone left): an invoice due 29 September is one day past due on
    30 September, not zero days and 23:59:59 hours.
    """
    start = values.dt.normalize()
    return values.where((values - start) != END_OF_DAY, start)


def _written(raw: pd.Series) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(wall-clock time as written, its UTC offset or NaT when none, unreadable mask).

    The offset is ``wall - UTC``: 2025-08-01T11:53:00-04:00 is 11:53 with offset -4 hours.
    """
    no_offset = pd.Series(pd.NaT, index=raw.index, dtype="timedelta64[us]")
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        if getattr(raw.dt, "tz", None) is None:
            return raw.astype("datetime64[us]"), no_offset, np.zeros(len(raw), dtype=bool)
        wall = raw.dt.tz_localize(None).astype("datetime64[us]")
        utc = raw.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
        return wall, (wall - utc).astype("timedelta64[us]"), np.zeros(len(raw), dtype=bool)
    strings = arrow_strings(raw)
    if strings is not None:
        # A column Arrow reads whole as it stands (ISO 8601, no zone, no blanks or null
        # tokens): trimming and null tokens would change nothing, so the text is cast as is.
        read = _cast_times(strings, raw.index)
        if read is not None:
            return read, no_offset, np.zeros(len(raw), dtype=bool)
    wall = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    offset = no_offset.copy()
    strings = raw
    typed_any = False
    if raw.dtype == object:
        # xlsx cells arrive as datetime objects next to text; parquet dates as date objects.
        typed = raw.map(lambda v: isinstance(v, dt.date | np.datetime64)).to_numpy(dtype=bool)
        typed_any = bool(typed.any())
        if typed_any:
            for pos in np.flatnonzero(typed):
                stamp = pd.Timestamp(raw.iloc[pos])
                if stamp.tzinfo is not None:
                    offset.iloc[pos] = pd.Timedelta(stamp.utcoffset())
                    stamp = stamp.tz_localize(None)
                wall.iloc[pos] = stamp
            strings = raw.where(~typed, None)
    s = _text(strings)
    present = s.notna().to_numpy()
    read = _iso_times(s) if present.any() else None
    # Arrow refuses an offset or Z in a timestamp without a zone: a column it reads whole has
    # none, and needs no search for them.
    zoned = _zoned(s) if read is None else np.zeros(len(s), dtype=bool)
    if zoned.any():
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = pc.extract_regex(pa.array(s[zoned], from_pandas=True), OFFSET_PATTERN)
        zones = pd.Series(parts.field("zone").to_pylist(), index=s.index[zoned])
        offset.loc[zoned] = zones.map(_zone_offsets(zones.unique())).astype("timedelta64[us]")
        s = s.copy()
        s.loc[zoned] = pd.Series(parts.field("wall").to_pylist(), index=s.index[zoned])
        s = s.where(~(zoned & offset.isna().to_numpy()), "unreadable zone")
    if present.any():
        read = _naive_times(s) if read is None else read
        wall = read if not typed_any else wall.where(read.isna(), read)
    bad = present & wall.isna().to_numpy()
    return wall, offset, bad


def _zoned(s: pd.Series) -> np.ndarray:
    """Which texts end in a UTC offset or Z after a time of day (a date alone never does)."""
    if not s.notna().any():
        return np.zeros(len(s), dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(pa.array(s, from_pandas=True), OFFSET_PATTERN)
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _zone_offsets(zones: np.ndarray) -> dict[str, pd.Timedelta]:
    """'Z' -> 0, '-04:00' / '-0400' / '-04' -> -4 hours; an offset beyond ±18 h is left out."""
    out = {}
    for zone in zones:
        if zone.upper() in ("Z", "UTC", "GMT"):
            out[zone] = pd.Timedelta(0)
            continue
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours <= 18 and minutes < 60:
            sign = -1 if zone[0] == "-" else 1
            out[zone] = sign * pd.Timedelta(hours=hours, minutes=minutes)
    return out


def _iso_times(s: pd.Series) -> pd.Series | None:
    """A column that is all ISO 8601 without a zone, cast by Arrow in one pass; else None.

    What most exports and every canonical file write: several times faster than pandas.
    """
    import pyarrow as pa

    return _cast_times(pa.array(s, from_pandas=True), s.index)


def _cast_times(strings, index: pd.Index) -> pd.Series | None:
    """Arrow strings cast to datetime64[us] in one pass; None when one of them is not ISO
    8601 without a zone."""
    import pyarrow as pa

    try:
        cast = strings.cast(pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=index,
                     dtype="datetime64[us]")


def _naive_times(s: pd.Series) -> pd.Series:
    """Texts without a zone as datetimes: ISO 8601 first, then the spreadsheet layouts."""
    read = _iso_times(s)
    if read is not None:
        return read
    values = _to_datetime(s, "ISO8601")
    missing = values.isna().to_numpy()
    for fmt in DATE_FORMATS:
        if not missing.any():
            break
        values.loc[missing] = _to_datetime(s[missing], fmt)
        missing = values.isna().to_numpy()
    return values


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
        # Offsets in a layout ``to_local`` does not split off: read as UTC instants.
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
