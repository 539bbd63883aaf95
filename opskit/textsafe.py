"""Text that came from client data, made safe for the place it is written to.

One layer for every writer, because each destination runs text in its own way:

- **Spreadsheets** (evidence CSVs, findings.xlsx, portfolio.xlsx) run a cell that starts with
  ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return before one of them) as a formula:
  ``=HYPERLINK(...)`` or ``=cmd|'/c calc'!A1`` in a customer name would act when the client
  opens the file. Such text gets a leading apostrophe (OWASP's CSV-injection advice), which
  Excel and LibreOffice show as plain text. Numbers are never touched: only strings are.
- **xlsx** cannot store most C0 control characters at all (openpyxl raises
  ``IllegalCharacterError`` on a NUL or ``\\x0b``), nor what XML 1.0 excludes beyond them (a
  lone surrogate, U+FFFE, U+FFFF): they are replaced by U+FFFD so the cell still says
  something was there.
- **Terminals** execute escape sequences (``\\e]0;title\\a`` retitles the window, ``\\e[2J``
  clears it): control characters are shown as visible escapes, never passed raw.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""What a spreadsheet reads as the start of a formula (the fullwidth forms too: some
spreadsheet apps fold them to ASCII)."""

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XLSX_ILLEGAL_IN_ARROW = r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{fffe}\x{ffff}]"
"""The same in RE2's syntax (Arrow text holds no lone surrogate: UTF-8 cannot)."""
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a spreadsheet shows it without running it: a string that would start a
    formula gets a leading apostrophe; anything that is not a string is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def xlsx_text(value: Any) -> Any:
    """``value`` as an xlsx cell can hold it: formula-safe, control characters replaced."""
    value = spreadsheet_text(value)
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("\ufffd", value)
    return value


def spreadsheet_frame(frame: pd.DataFrame, *, xlsx: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column headers are spreadsheet-safe
    (``xlsx=True`` also replaces the control characters an xlsx cannot store). Numeric,
    date and boolean columns are left as they are, so their cell formats still apply."""
    clean = xlsx_text if xlsx else spreadsheet_text
    out = frame.copy(deep=False)
    out.columns = [clean(c) if isinstance(c, str) else c for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        risky = _risky_in_arrow(column, xlsx)
        text = column.astype("object")
        if risky is None:
            strings = text.map(lambda v: isinstance(v, str))
            if not strings.any():
                continue
            risky = strings & text.map(
                lambda v: isinstance(v, str) and (v.startswith(FORMULA_TRIGGERS)
                                                  or (xlsx and bool(_XLSX_ILLEGAL.search(v)))))
        if risky.any():
            # by position: an evidence frame may repeat index labels, which aligning the
            # cleaned cells by label refuses
            values = text.to_numpy(dtype=object, copy=True)
            flagged = np.flatnonzero(risky.to_numpy(dtype=bool))
            values[flagged] = [clean(v) for v in values[flagged]]
            out.isetitem(position, values)
    return out


def _risky_in_arrow(column: pd.Series, xlsx: bool) -> pd.Series | None:
    """Which cells of an Arrow-backed text column ``spreadsheet_frame`` must clean, found in
    Arrow (a million-row evidence column costs milliseconds, not a Python call per cell);
    None for any other column."""
    if not isinstance(column.array, pd.arrays.ArrowStringArray):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    strings = pa.array(column.array)
    first = pc.utf8_slice_codeunits(strings, 0, 1)
    risky = pc.is_in(first, value_set=pa.array(FORMULA_TRIGGERS, type=strings.type))
    if xlsx:
        risky = pc.or_(risky, pc.match_substring_regex(strings, XLSX_ILLEGAL_IN_ARROW))
    return pd.Series(risky.fill_null(False).to_numpy(zero_copy_only=False),
                     index=column.index)


def terminal_text(text: str) -> str:
    """``text`` with every control character (escape sequences included) shown as a visible
    escape such as ``\\x1b``, so client data cannot drive the terminal. Newlines and tabs are
    kept; callers that need one line replace them."""
    return _TERMINAL_CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"),
                                 text.replace("\r\n", "\n"))
