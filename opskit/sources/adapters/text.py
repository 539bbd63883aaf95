"""Text helpers the adapters share: dates, offsets, money, durations, phones, flags, parts.

Every helper takes and returns text Series and accepts any column an ``Export`` gives (present,
entirely empty, or absent): input is made text first, so ``.str`` never meets an all-missing
column of another dtype. Unreadable values are kept as the text the export holds, so the
loader reports them with file, column and row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from opskit.sources.adapters.export import TEXT, as_text, clean
from opskit.sources.grid import ISO
from opskit.sources.parse import parse_number

# A string pattern (no \s, \d): pandas runs it in pyarrow, not row by row in Python.
OFFSET = r" *(?:[+-][0-9]{2}:?[0-9]{2}|Z|UTC|GMT|utc|gmt)$"


def without_offset(text: pd.Series) -> pd.Series:
    """'2025-07-01 06:52:46 -0400' -> '2025-07-01 06:52:46': the local wall-clock time.

    Exports that write local times with their UTC offset (Shopify) change offset at daylight
    saving; dropping it keeps the store's local time, which is what the data model wants.
    """
    text = as_text(text)
    return text.str.replace(OFFSET, "", regex=True).str.replace("T", " ", regex=False)


def as_iso(text: pd.Series, formats: Sequence[str], *, dayfirst: bool = False) -> pd.Series:
    """Dates in the given layouts rewritten as ISO text; anything else kept as written.

    Keeping unreadable text lets the loader report it (file, column, row, value) instead of
    turning it silently into a missing date.
    """
    out = text.copy()
    todo = text.notna()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce", dayfirst=dayfirst)
        ok = parsed.notna()
        idx = parsed.index[ok]
        out.loc[idx] = parsed[ok].dt.strftime(ISO)
        todo.loc[idx] = False
    return out


def utc_to_local(text: pd.Series, timezone: str | None) -> pd.Series:
    """UTC timestamps as local wall time in ``timezone`` (kept as UTC when none is set)."""
    text = as_text(text)
    parsed = pd.to_datetime(text.str.replace(r"\s*UTC$", "", regex=True), utc=True,
                            errors="coerce", format="mixed")
    if timezone:
        parsed = parsed.dt.tz_convert(timezone)
    local = parsed.dt.tz_localize(None)
    return local.dt.strftime(ISO).where(local.notna(), text)


def amounts(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Money text as numbers (object series: floats where readable, the text where not)."""
    values, bad = parse_number(text)
    out = values.astype(object)
    out[bad] = text[bad]
    return out, ~bad & values.notna().to_numpy()


def signed(text: pd.Series, flip: pd.Series | np.ndarray) -> pd.Series:
    """Money text with the sign flipped where ``flip``; unreadable text kept as it is."""
    values, ok = amounts(text)
    flip = np.asarray(flip, dtype=bool) & ok
    out = values.copy()
    out[flip] = -values[flip].astype(float)
    return out


def debit_minus_credit(debit: pd.Series, credit: pd.Series) -> pd.Series:
    """Debit and credit columns as one signed amount (debit positive); text kept if bad."""
    d, d_ok = amounts(debit)
    c, c_ok = amounts(credit)
    dv = pd.to_numeric(d.where(d_ok, 0.0), errors="coerce").fillna(0.0)
    cv = pd.to_numeric(c.where(c_ok, 0.0), errors="coerce").fillna(0.0)
    out = (dv - cv).round(2).astype(object)
    both_empty = debit.isna() & credit.isna()
    out[both_empty.to_numpy()] = None
    bad_d = debit.notna().to_numpy() & ~d_ok
    bad_c = credit.notna().to_numpy() & ~c_ok
    out[bad_d] = debit[bad_d]
    out[bad_c & ~bad_d] = credit[bad_c & ~bad_d]
    return out


DURATION = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")


def duration_minutes(text: pd.Series, *, unit: Literal["hours", "seconds", "minutes"] = "hours",
                     decimal_comma: bool = False) -> pd.Series:
    """'4:15:00' or '4:15' -> 255; a plain number is read in ``unit``. Bad text is kept."""
    text = as_text(text)
    parts = text.str.extract(DURATION)
    clock = parts[0].notna()
    hours = pd.to_numeric(parts[0], errors="coerce")
    minutes = pd.to_numeric(parts[1], errors="coerce")
    seconds = pd.to_numeric(parts[2], errors="coerce").fillna(0)
    out = pd.Series(None, index=text.index, dtype=object)
    out[clock] = (hours * 60 + minutes + seconds / 60)[clock].round(4)
    plain = text.notna() & ~clock
    number = text[plain]
    if decimal_comma:
        number = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    value = pd.to_numeric(number, errors="coerce")
    factor = {"hours": 60.0, "seconds": 1 / 60, "minutes": 1.0}[unit]
    readable = value.notna()
    out[value.index[readable]] = (value[readable] * factor).round(4)
    out[value.index[~readable]] = text[plain][~readable]
    return out


def seconds(text: pd.Series) -> pd.Series:
    """'0:02:15' or '135' -> 135 seconds; bad text kept."""
    minutes = duration_minutes(text, unit="seconds")
    numeric = pd.to_numeric(minutes, errors="coerce")
    out = (numeric * 60).round(0).astype(object)
    bad = minutes.notna() & numeric.isna()
    out[bad] = minutes[bad]
    out[minutes.isna()] = None
    return out


def phone(text: pd.Series) -> pd.Series:
    """Phone numbers without formatting: '+1 (555) 418-2115' -> '+15554182115'."""
    digits = as_text(text).str.replace(r"[^\d+]", "", regex=True)
    return digits.where(digits.str.len() > 0, None)


def flag(text: pd.Series, true: Iterable[str], false: Iterable[str] = ()) -> pd.Series:
    """'true' / 'false' from words a system uses ('Suspended', 'Yes'...); others missing."""
    text = as_text(text)
    low = text.str.lower()
    true_words = {w.lower() for w in true}
    false_words = {w.lower() for w in false}
    out = pd.Series(None, index=text.index, dtype=TEXT)
    out[low.isin(true_words).fillna(False)] = "true"
    if false_words:
        out[low.isin(false_words).fillna(False)] = "false"
    else:
        out[text.notna() & ~low.isin(true_words).fillna(False)] = "false"
    return out


def forward_fill(text: pd.Series, new_group: pd.Series) -> pd.Series:
    """Values carried down from the first row of each group to the rows below it."""
    new_group = pd.Series(np.asarray(new_group, dtype=bool), index=text.index)
    # Within its group only: a group whose first row is empty stays empty rather than
    # inheriting the previous group's value (a product without a Type is not the last one's).
    return as_text(text).where(new_group).groupby(new_group.cumsum().to_numpy()).ffill()


def both(label_a: str | None, label_b: str | None) -> str | None:
    """A header label naming two source columns ('Start date + Start time')."""
    labels = [x for x in (label_a, label_b) if x]
    return " + ".join(labels) if labels else None


def split_part(text: pd.Series, separator: str, index: int, *, n: int = -1,
               regex: bool = False) -> pd.Series:
    """Part ``index`` (negative counts from the end) of each text split on ``separator``,
    stripped; missing where a value has no such part.

    'Square POS → Shopify' part 1 is 'Shopify'; 'Gorgias' has no part 1. Unlike
    ``.str.split().str[i]``, whose result has no ``.str`` when no value has that part (a
    file where no project names two systems), the result is always text.
    """
    text = as_text(text)
    if not len(text):
        return text.copy()
    parts = text.str.split(separator, n=n, expand=True, regex=regex)
    if index == -1:
        result = parts.ffill(axis=1).iloc[:, -1]  # parts fill from the left: the last one
    elif index < 0:
        filled = parts.notna().sum(axis=1).to_numpy()
        position = filled + index
        values = parts.to_numpy(dtype=object)
        picked = [row[p] if 0 <= p < len(row) else None for row, p in zip(values, position,
                                                                          strict=True)]
        result = pd.Series(picked, index=text.index, dtype=object)
    elif index < parts.shape[1]:
        result = parts.iloc[:, index]
    else:
        result = pd.Series(None, index=text.index, dtype=object)
    return clean(result)


__all__ = ["DURATION", "OFFSET", "amounts", "as_iso", "both", "debit_minus_credit",
           "duration_minutes", "flag", "forward_fill", "phone", "seconds", "signed",
           "split_part", "utc_to_local", "without_offset"]
