"""A grid's rows as the sheet XML openpyxl writes for them, without a cell object per value.

openpyxl spends about 5 µs on every cell it streams (a cell object, type inference, a style
lookup, an lxml element): a finding whose evidence fills a sheet (a million rows) took
close to a minute of the workbook. The rows of a grid are all alike (a value per column,
one number format per column), so they are serialized here a column at a time (text in
Arrow, numbers by string formatting), to the very bytes openpyxl's lxml writer produces
(tests compare the two, on any text): inline
strings escaped as lxml escapes them (``&amp; &lt; &gt;``, a carriage return and every
non-ASCII character as a character reference), numbers as ``%.16g``, dates as Excel
serial numbers, a column's format as its style id.

A value this module does not serialize exactly as openpyxl would (a formula-like or
error-code string, an illegal control character, a date in a column without a date
format, any other type) makes ``rows_xml`` return None: the caller streams the grid
through openpyxl as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import SECS_PER_DAY, WINDOWS_EPOCH, to_excel

from opskit.textsafe import XLSX_ILLEGAL_IN_ARROW

_DATES = (dt.datetime, dt.date, dt.time)
_INFINITE = (float("inf"), float("-inf"))
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 has no reference for, beyond openpyxl's illegal ones: lxml refuses
them, and so does openpyxl's path (``Grid.of`` replaces them before they get here)."""
_ILLEGAL_OR_NOT_XML = XLSX_ILLEGAL_IN_ARROW
"""openpyxl's ``ILLEGAL_CHARACTERS_RE`` and ``_NOT_XML`` in RE2's syntax: the text xlsx cells
cannot hold, as ``opskit.textsafe`` finds it (a test checks it against openpyxl's)."""
_CONTROL_OR_ESCAPED = "[\\x{0}-\\x{1f}&<>\\x{fffe}\\x{ffff}]"
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))


def rows_xml(columns: Sequence[Sequence[Any]], styles: Sequence[int | None],
             dated: Sequence[bool], first_row: int,
             epoch: dt.datetime = WINDOWS_EPOCH) -> bytes | None:
    """``<row>`` elements for the values of ``columns`` (one list per column, all of one
    length), numbered from ``first_row``; ``styles`` is each column's style id (None for a
    column written without a style), ``dated`` whether its number format shows a date
    (openpyxl gives a date in any other column a format of its own). None when a value
    needs openpyxl itself."""
    import pyarrow as pa

    if not columns:
        return None
    count = len(columns[0])
    numbers = pa.array(range(first_row, first_row + count), pa.int64()).cast(pa.string())
    cells = []
    for position, (values, style, dates) in enumerate(zip(columns, styles, dated,
                                                          strict=True), start=1):
        column = _column_cells(values, get_column_letter(position), style, dates, first_row,
                               epoch, numbers)
        if column is None:
            return None
        cells.append(column)
    return _joined_rows(cells, numbers)


def _joined_rows(cells: list[Any], numbers: Any) -> bytes:
    """Each row's cells between ``<row r="n">`` and ``</row>`` (``numbers``: the rows'
    numbers as Arrow text), all rows in one piece, joined in Arrow; non-ASCII characters
    as references, as lxml writes them."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    count = len(numbers)
    columns = [c if isinstance(c, pa.Array) else pa.array(c, pa.string()) for c in cells]
    rows = pc.binary_join_element_wise('<row r="', numbers, '">', *columns, "</row>", "")
    rows = rows.cast(pa.large_string())
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
    start, end = int(offsets[rows.offset]), int(offsets[rows.offset + count])
    data = rows.buffers()[2].to_pybytes()[start:end]
    if pc.all(pc.string_is_ascii(rows)).as_py() is not False:
        return data
    return data.decode("utf-8").encode("ascii", "xmlcharrefreplace")


def _column_cells(values: Sequence[Any], letter: str, style: int | None, dates: bool,
                  first_row: int, epoch: dt.datetime, numbers: Any) -> Any:
    """Each value's ``<c>`` element ('' for an empty cell), or None (see ``rows_xml``).

    A column of text only (the usual evidence column) is built in Arrow, a column of
    numbers only by one comprehension, a column of mixed values value by value."""
    styled = f' s="{style}"' if style is not None else ""
    kinds = set(map(type, values)) - {type(None)}
    if kinds == {str}:
        return _text_cells(values, letter, styled, numbers)
    text = [v for v in values if type(v) is str] if str in kinds else []
    joined = "\n".join(text)
    if text and (ILLEGAL_CHARACTERS_RE.search(joined) or _NOT_XML.search(joined)
                 or any((len(v) > 1 and v[0] == "=") or v in ERROR_CODES for v in text)):
        return None  # openpyxl raises for these: let it
    rows = range(first_row, first_row + len(values))
    if kinds <= {int, float} and not any(v != v or v in _INFINITE for v in values
                                         if type(v) is float):
        return _number_cells(values, letter, styled, rows)
    if dates and kinds <= {dt.datetime, dt.date} and (
            serials := _date_serials(values, epoch)) is not None:
        return _number_cells(serials, letter, styled, rows)
    out = []
    for number, value in zip(rows, values, strict=True):
        kind = type(value)
        if value is None:
            out.append("")
        elif kind is str:
            out.append(f'<c r="{letter}{number}"{styled} t="inlineStr"><is>'
                       f"<t{_space(value)}>{_escaped(value)}</t></is></c>" if value else
                       f'<c r="{letter}{number}"{styled} t="inlineStr"></c>')
        elif kind is bool:
            out.append(f'<c r="{letter}{number}"{styled} t="b"><v>{value:d}</v></c>')
        elif kind is int or kind is float:
            out.append(f'<c r="{letter}{number}"{styled} t="n"><v>{_number(value)}</v></c>')
        elif dates and isinstance(value, _DATES) and kind is not dt.timedelta:
            if getattr(value, "tzinfo", None) is not None:
                return None  # openpyxl refuses it: let it say so
            out.append(f'<c r="{letter}{number}"{styled} t="n">'
                       f"<v>{_number(to_excel(value, epoch))}</v></c>")
        else:
            return None
    return out


def _number_cells(values: Sequence[float | None], letter: str, styled: str,
                  rows: range) -> list[str]:
    """A column of finite numbers (None: an empty cell) as ``<c>`` elements."""
    before, after = f'<c r="{letter}', f'"{styled} t="n"><v>'
    return [f"{before}{row}{after}{v:.16g}</v></c>" if v is not None else ""
            for row, v in zip(rows, values, strict=True)]


def _text_cells(values: Sequence[str | None], letter: str, styled: str, numbers: Any) -> Any:
    """A text column's ``<c>`` elements built in Arrow (a pyarrow array), as the loop in
    ``_column_cells`` builds a text cell, or None when a value needs openpyxl (the same
    rules, checked in Arrow; text Arrow cannot hold, a lone surrogate, is no XML either)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, pa.string())
    except (pa.ArrowException, UnicodeError):
        return None
    formula = pc.and_(pc.starts_with(text, "="), pc.greater(pc.utf8_length(text), 1))
    if pc.any(formula).as_py() or pc.any(pc.is_in(text, pa.array(ERROR_CODES))).as_py():
        return None
    escaped = text
    # One pass finds the rare column holding a control character or something to escape.
    if pc.any(pc.match_substring_regex(text, _CONTROL_OR_ESCAPED)).as_py():
        if pc.any(pc.match_substring_regex(text, _ILLEGAL_OR_NOT_XML)).as_py():
            return None
        for character, reference in _ESCAPES:
            escaped = pc.replace_substring(escaped, character, reference)
    # Arrow's whitespace is str.isspace's, character for character (a test checks every
    # code point): text that trimming shortens has whitespace at an end.
    edged = pc.not_equal(pc.binary_length(pc.utf8_trim_whitespace(text)),
                         pc.binary_length(text))
    space = pc.if_else(edged, ' xml:space="preserve"', "")
    before, after = f'<c r="{letter}', f'"{styled} t="inlineStr">'
    full = pc.binary_join_element_wise(before, numbers, after, "<is><t", space, ">", escaped,
                                       "</t></is></c>", "")
    blank = pc.equal(text, "")
    if pc.any(blank).as_py():
        empty = pc.binary_join_element_wise(before, numbers, after, "</c>", "")
        full = pc.if_else(blank, empty, full)
    return full.fill_null("")


def _date_serials(values: Sequence[Any], epoch: dt.datetime) -> list[float | None] | None:
    """openpyxl's ``to_excel(value, epoch)`` of each value (a datetime or a date; None stays
    None), the same floats worked out in numpy a column at a time: days since the epoch
    (floored, one less from 1900-01-01 to 02-28 on the Windows epoch) plus the time of day
    as (whole seconds + microseconds / 10**6) / 86,400, in the same operations and order.
    None when a datetime carries a time zone (openpyxl refuses it: let it say so)."""
    import numpy as np

    if any(getattr(v, "tzinfo", None) is not None for v in values):
        return None
    stamps = np.array(values, dtype="datetime64[us]")
    day = 86_400_000_000
    since = stamps.view(np.int64) - np.datetime64(epoch, "us").view(np.int64)
    days = since // day
    seconds = (since - days * day) // 1_000_000
    fraction = (seconds + (since - days * day - seconds * 1_000_000) / 10**6) / SECS_PER_DAY
    if epoch == WINDOWS_EPOCH:
        days = np.where((days > 0) & (days <= 60), days - 1, days)
    serials = (days + fraction).tolist()
    for i in np.flatnonzero(np.isnat(stamps)).tolist():
        serials[i] = None
    return serials


def _space(text: str) -> str:
    """lxml's ``xml:space`` for text with whitespace at either end (as ``text.strip()``)."""
    return ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""


def _number(value: float) -> str:
    """As openpyxl's ``safe_string``: 16 significant digits, NaN and infinity empty."""
    if value != value or value in _INFINITE:
        return ""
    return f"{value:.16g}"


def _escaped(text: str) -> str:
    """Text content as lxml writes it (non-ASCII is turned into references on encoding)."""
    for character, reference in _ESCAPES:
        if character in text:
            text = text.replace(character, reference)
    return text
