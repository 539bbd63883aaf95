"""Spreadsheet grids a consultant can forward: safe sheet names, number formats, widths,
bold frozen filtered headers, links.

One writer for findings.xlsx and portfolio.xlsx, so both read the same in Excel: money in the
engagement currency, shares as percents, dates as dates, whole numbers with thousands
separators, columns as wide as their content (capped), every grid an Excel table. Workbooks are
written with openpyxl's write-only mode, which streams rows to disk: a finding with a million
evidence rows does not hold a million cell objects in memory.

Every text cell and header passes through ``opskit.textsafe.spreadsheet_frame(xlsx=True)``:
a customer named ``=HYPERLINK(...)`` stays text, a NUL in a name cannot break the file.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from opskit.atomic import PART_SUFFIX
from opskit.money import decimals, excel_format
from opskit.textsafe import spreadsheet_frame, xlsx_text

SHEET_ROWS = 1_048_576
"""Rows an xlsx sheet can hold (Excel's limit); a grid longer than that is cut, and says so."""
CELL_CHARS = 32_767
"""Characters an Excel cell can hold; longer text is cut (the evidence CSV keeps it whole)."""
SHEET_NAME_CHARS = 31
HEADER_CHARS = 255
"""Characters an Excel table's column name can hold."""
WIDTH_MIN, WIDTH_MAX = 8, 60
WIDTH_SAMPLE = 2_000
"""Rows looked at to fit a column's width (a million-row column is not measured cell by cell)."""

FORMAT_DATE = "yyyy-mm-dd"
FORMAT_DATETIME = "yyyy-mm-dd hh:mm"
FORMAT_PERCENT = "0.0%"
FORMAT_INTEGER = "#,##0"
FORMAT_NUMBER = "#,##0.00"
FORMAT_RATIO = '0.00"x"'

BOLD = Font(bold=True)
LINK = Font(color="0563C1", underline="single")
TITLE = Font(bold=True, size=13)
TABLE_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
STATUS_FILLS = {"FAIL": "c0392b", "WARN": "e67e22", "PASS": "27ae60", "NOT_ASSESSABLE": "95a5a6",
                "ERROR": "8e44ad"}
"""Status cell colours, the report's (``report.figures.COLOURS``)."""
STATUS_WHITE_TEXT = ("FAIL", "PASS", "ERROR")

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_PERCENT_WORDS = ("share", "rate", "pct", "percent")
_MONEY_WORDS = ("total", "subtotal", "amount", "cost", "costs", "price", "revenue", "value",
                "charged", "subsidy", "contribution", "cogs", "discount", "spend", "cac",
                "refund", "balance", "fee", "fees", "freight", "duty", "tax", "impact", "paid",
                "difference", "loss", "opportunity")


def sheet_name(text: str, taken: Iterable[str]) -> str:
    """A sheet name Excel accepts for ``text``: none of ``[]:*?/\\`` or control characters, no
    apostrophe at either end, at most 31 characters, and unlike every name in ``taken`` (Excel
    compares names ignoring case): a clash gets ' (2)', ' (3)'..."""
    name = _SHEET_FORBIDDEN.sub("_", str(text)).strip().strip("'").strip() or "Sheet"
    name = name[:SHEET_NAME_CHARS].rstrip("'")
    used = {t.casefold() for t in taken}
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = name[:SHEET_NAME_CHARS - len(suffix)].rstrip("'") + suffix
    return candidate


def sheet_link(sheet: str, cell: str = "A1") -> Hyperlink:
    """A link to ``cell`` of the sheet named ``sheet`` in the same workbook."""
    quoted = sheet.replace("'", "''")
    return Hyperlink(ref="", location=f"'{quoted}'!{cell}", display=sheet)


def colour_statuses(sheet: Any, cells: str) -> None:
    """Colour the status words in ``cells`` (e.g. 'C2:F43') as the report does: a conditional
    format per status, so a re-sorted or filtered sheet keeps its colours."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    for status, colour in STATUS_FILLS.items():
        white = Font(color="FFFFFF", bold=True) if status in STATUS_WHITE_TEXT else None
        sheet.conditional_formatting.add(cells, CellIsRule(
            operator="equal", formula=[f'"{status}"'], font=white,
            fill=PatternFill(start_color=colour, end_color=colour, fill_type="solid")))


def unit_format(unit: str | None, currency: str | None = None) -> str | None:
    """The number format of a ``Metric`` unit: share -> percent, $ -> money in ``currency``
    (default: the current one), count -> thousands, ratio -> '2.50x', days/hours/... -> one
    decimal and the unit."""
    if not unit:
        return None
    if unit == "share":
        return FORMAT_PERCENT
    if unit == "$":
        return excel_format(currency)
    if unit in ("count", "records"):
        return FORMAT_INTEGER
    if unit == "ratio":
        return FORMAT_RATIO
    label = unit.replace('"', "")
    return f'#,##0.0" {label}"'


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", str(name).lower()) if w]


def column_format(name: Any, column: pd.Series, unit: str | None = None,
                  currency: str | None = None) -> str | None:
    """The number format of a column from its dtype, its declared ``unit`` (see
    ``unit_format``) or, failing that, its name: dates as dates; shares, rates and percents as
    percents; amounts, costs, revenue... as money (cents when the amounts have them); whole
    numbers with thousands separators. Text and booleans: None (General)."""
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = column.dropna()
        if hasattr(values.dt, "tz") and values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        timed = bool(len(values)) and bool((values != values.dt.normalize()).any())
        return FORMAT_DATETIME if timed else FORMAT_DATE
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        values = column.dropna()
        if not pd.api.types.is_object_dtype(dtype) or not len(values):
            return None
        if values.map(lambda v: isinstance(v, dt.datetime)).all():
            return FORMAT_DATETIME
        if values.map(lambda v: isinstance(v, dt.date)).all():
            return FORMAT_DATE
        return None
    if unit:
        return unit_format(unit, currency)
    words = _words(name)
    values = pd.to_numeric(column, errors="coerce").dropna()
    whole = bool((values == values.round()).all()) if len(values) else True
    if any(w in _PERCENT_WORDS for w in words):
        return FORMAT_PERCENT
    if any(w in _MONEY_WORDS for w in words):
        money = excel_format(currency)
        if not whole and decimals(currency) > 0:
            places = "0" * decimals(currency)
            money = money.replace("#,##0", f"#,##0.{places}")
        return money
    if pd.api.types.is_integer_dtype(dtype) or whole:
        return FORMAT_INTEGER
    return FORMAT_NUMBER


def cell_value(value: Any) -> Any:
    """``value`` as openpyxl can store it: missing values empty, timezone dropped (local time
    is kept, as the tables hold it), numpy scalars as Python numbers, containers as text, text
    cut to what a cell holds."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.tz_localize(None) if value.tzinfo is not None else value
        return value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return value if len(value) <= CELL_CHARS else value[:CELL_CHARS - 1] + "…"
    if hasattr(value, "item") and not isinstance(value, bool | int | float):
        item = value.item()
        if type(item) is type(value):  # no Python equivalent (a float128): the nearest one
            item = float(value) if isinstance(value, numbers.Real) else str(value)
        return cell_value(item)
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return value
    return cell_value(xlsx_text(str(value)))


def _shown_length(value: Any, fmt: str | None) -> int:
    """About how many characters a cell shows (to fit the column)."""
    if value is None:
        return 0
    if fmt in (FORMAT_DATE,):
        return 10
    if fmt in (FORMAT_DATETIME,):
        return 16
    if isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        if fmt == FORMAT_PERCENT:
            return len(f"{value * 100:,.1f}%")
        extra = 4 if fmt and '"' in fmt else 0
        return len(f"{value:,.2f}") + extra
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def fit_widths(header: Sequence[Any], columns: Sequence[Sequence[Any]],
               formats: Sequence[str | None]) -> list[float]:
    """Column widths from the header and the first ``WIDTH_SAMPLE`` values, between
    ``WIDTH_MIN`` and ``WIDTH_MAX`` characters (long text wraps in Excel, not the sheet)."""
    widths = []
    for name, values, fmt in zip(header, columns, formats, strict=True):
        longest = max(len(str(name)) + 3, _longest_shown(values[:WIDTH_SAMPLE], fmt))
        widths.append(float(min(max(longest + 2, WIDTH_MIN), WIDTH_MAX)))
    return widths


def _longest_shown(values: Sequence[Any], fmt: str | None) -> int:
    """``max(_shown_length(v, fmt) for v in values)`` (0 for none), with text on a single
    line measured by ``len`` directly: a printable string has no line break of any kind
    ``str.splitlines`` knows, so its one line is the whole string."""
    if fmt in (FORMAT_DATE, FORMAT_DATETIME):
        return max((_shown_length(v, fmt) for v in values), default=0)
    return max((len(v) if type(v) is str and v.isprintable() else _shown_length(v, fmt)
                for v in values), default=0)


@dataclass
class Grid:
    """A frame made ready for a sheet: safe headers, cell values by column, formats."""

    header: list[str]
    columns: list[list[Any]]
    formats: list[str | None]
    rows: int

    @classmethod
    def of(cls, frame: pd.DataFrame, *, units: Mapping[str, str] | None = None,
           formats: Mapping[str, str | None] | None = None, currency: str | None = None,
           max_rows: int | None = None) -> Grid:
        """``frame`` made spreadsheet-safe (``spreadsheet_frame(xlsx=True)``), its first
        ``max_rows`` rows, each column's format: ``formats`` by column name first, then the
        declared ``units`` (``frame.attrs['units']`` too), then dtype and name."""
        declared = {**dict(frame.attrs.get("units") or {}), **dict(units or {})}
        shown = frame if max_rows is None else frame.head(max_rows)
        safe = spreadsheet_frame(shown, xlsx=True)
        header = _unique_header(safe.columns)
        chosen = []
        for position, name in enumerate(frame.columns):
            if formats and name in formats:
                chosen.append(formats[name])
            else:
                chosen.append(column_format(name, shown.iloc[:, position],
                                            declared.get(name), currency))
        columns = [cell_values(safe.iloc[:, i]) for i in range(safe.shape[1])]
        return cls(header, columns, chosen, len(safe))


def cell_values(column: pd.Series) -> list[Any]:
    """``cell_value`` of every value of ``column``, converted a column at a time where the
    dtype says what every value is (floats, integers, booleans, datetimes, Arrow text): a
    million-row evidence column costs a list, not a Python call per cell."""
    import numpy as np

    dtype = column.dtype
    if dtype.kind == "f" and isinstance(dtype, np.dtype):
        numbers = column.to_numpy()
        values = numbers.tolist()
        for i in np.flatnonzero(~np.isfinite(numbers)).tolist():
            values[i] = None
        return values
    if dtype.kind in "iub" and isinstance(dtype, np.dtype):
        return column.tolist()
    if isinstance(dtype, pd.DatetimeTZDtype) or (dtype.kind == "M"
                                                   and isinstance(dtype, np.dtype)):
        stamps = column.dt.tz_localize(None) if isinstance(dtype, pd.DatetimeTZDtype) \
            else column
        values = list(stamps.array.to_pydatetime())
        for i in np.flatnonzero(stamps.isna().to_numpy()).tolist():
            values[i] = None
        return values
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        values = column.tolist()
        missing = column.isna().to_numpy()
        long = column.str.len().gt(CELL_CHARS).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(missing | long).tolist():
            values[i] = cell_value(values[i])
        return values
    return [cell_value(v) for v in column.tolist()]


def _unique_header(columns: Iterable[Any]) -> list[str]:
    """Header cells as an Excel table needs them: text, non-empty, unique (ignoring case)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(columns, start=1):
        # Whitespace folded before the formula check, so '  =x' cannot become '=x'.
        text = str(xlsx_text(" ".join(str(name).split())[:HEADER_CHARS])) or f"column {i}"
        candidate, n = text, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{text} ({n})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _spooled_writer_class() -> type:
    """openpyxl's sheet writer, streaming into a file it holds open itself, so that rows
    serialized by ``sheet_rows`` can go between the rows openpyxl writes (``write_raw``).
    The stream is openpyxl's own ``get_stream``, the file handle aside."""
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import xmlfile

    class SpooledWorksheetWriter(WorksheetWriter):
        def get_stream(self):
            with open(self.out, "wb") as handle, xmlfile(handle) as xf:
                self._handle, self._xf = handle, xf
                with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                    try:
                        while True:
                            element = yield
                            if element is True:
                                yield xf
                            elif element is not None:
                                xf.write(element)
                    except GeneratorExit:
                        pass

        def write_raw(self, data: bytes) -> None:
            """``data`` written as it is, after everything lxml has written so far."""
            self._xf.flush()
            self._handle.write(data)

    return SpooledWorksheetWriter


class Spool:
    """Where a write-only workbook's sheets stream before it is saved: hidden ``.part`` files
    beside the workbook, not the system's temporary folder, so client data never leaves the
    output folder, and what a killed run leaves is found by ``opskit.atomic.leftovers``.
    ``clear`` removes what a failed write left."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.paths: list[str] = []
        self.sheets: list[Any] = []

    def attach(self, sheet: Any) -> None:
        """Stream ``sheet`` into a spool file (its layout must be set: it is written first)."""
        from openpyxl.worksheet import _writer

        self.target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=PART_SUFFIX,
                                        dir=self.target.parent)
        os.close(handle)
        self.paths.append(name)
        self.sheets.append(sheet)
        _writer.ALL_TEMP_FILES.append(name)  # openpyxl removes it once the sheet is saved
        sheet._writer = _spooled_writer_class()(sheet, out=name)
        sheet._writer.write_top()

    def clear(self) -> None:
        from openpyxl.worksheet import _writer

        for sheet in self.sheets:  # a write that failed: close each stream in order
            if getattr(sheet, "closed", True):
                continue
            for stream in (sheet._rows, sheet._writer):
                try:
                    if stream is not None:
                        stream.close()
                except (OSError, ValueError):  # the disk that failed the write
                    pass
        self.sheets.clear()
        for name in self.paths:
            Path(name).unlink(missing_ok=True)
            if name in _writer.ALL_TEMP_FILES:
                _writer.ALL_TEMP_FILES.remove(name)
        self.paths.clear()


class SheetWriter:
    """Rows appended to one write-only sheet: lines of text above, then grids.

    Column widths and the frozen pane are sheet properties written before the rows, so they
    are set with ``layout`` before the first row is appended.
    """

    def __init__(self, book: Workbook, name: str, spool: Spool | None = None) -> None:
        self.sheet = book.create_sheet(name)
        self.name = name
        self.row = 0
        self.spool = spool
        self._begun = False
        self._sealed = False  # a last grid's rows were written apart: no row may follow

    def layout(self, widths: Sequence[float], freeze_below: int | None) -> None:
        """Column widths (characters) and the rows kept in view (frozen above row
        ``freeze_below`` + 1)."""
        if self._begun:
            raise RuntimeError(f"sheet {self.name!r}: layout comes before the first row")
        for i, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = width
        if freeze_below:
            self.sheet.freeze_panes = f"A{freeze_below + 1}"
        self._begin()

    def _begin(self) -> None:
        """Start streaming the sheet (into the spool when there is one)."""
        if self._sealed:
            raise RuntimeError(f"sheet {self.name!r}: a row after the grid marked last")
        if not self._begun:
            self._begun = True
            if self.spool is not None:
                self.spool.attach(self.sheet)

    def cell(self, value: Any, *, font: Font | None = None, link: Hyperlink | None = None,
             number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=cell_value(xlsx_text(value)))
        if font is not None:
            cell.font = font
        if link is not None:
            cell.hyperlink = link
            cell.font = LINK
        if number_format:
            cell.number_format = number_format
        return cell

    def line(self, *values: Any, font: Font | None = None) -> None:
        """One row of text or cells (a title, a note, a link)."""
        self._begin()
        self.row += 1
        self.sheet.append([v if isinstance(v, Cell) else self.cell(v, font=font)
                           for v in values])

    def blank(self) -> None:
        self._begin()
        self.row += 1
        self.sheet.append([])

    def grid(self, grid: Grid, table: str | None,
             decorate: Mapping[int, Mapping[int, dict[str, Any]]] | None = None, *,
             last: bool = False) -> tuple[int, int]:
        """Append ``grid`` with a bold header; an Excel table named ``table`` over it (header
        and rows; a grid with no rows gets an auto filter instead, Excel wants a table to
        have a row). ``decorate`` maps a row index to {column index: ``cell`` keywords} (links,
        fonts). Returns the sheet rows of the header and of the last row.

        With ``last`` nothing follows the grid on the sheet: its rows may then be written as
        ``sheet_rows`` serializes them (the same bytes, an order of magnitude faster; a
        finding's evidence can fill a sheet), after which openpyxl's row count is behind and
        no row may be appended."""
        self._begin()
        self.row += 1
        top = self.row
        self.sheet.append([self.cell(h, font=BOLD) for h in grid.header])
        decorate = decorate or {}
        if last and not decorate and self._rows_written_apart(grid, top + 1):
            self._sealed = True
            self.row += grid.rows
            self._table(grid, table, top)
            return top, self.row
        plain = [i for i, f in enumerate(grid.formats) if f is None]
        # One formatted cell per column, its value replaced row by row: a write-only sheet
        # writes a row out when it is appended, and a new styled cell per value is slow.
        templates = []
        for i, fmt in enumerate(grid.formats):
            if fmt is not None:
                template = WriteOnlyCell(self.sheet)
                template.number_format = fmt
                templates.append((i, template))
        for r in range(grid.rows):
            values: list[Any] = [None] * len(grid.header)
            for i in plain:
                values[i] = grid.columns[i][r]
            for i, template in templates:
                value = grid.columns[i][r]
                if value is None:
                    continue
                template.value = value
                values[i] = template
            for col, extra in decorate.get(r, {}).items():
                if grid.columns[col][r] is not None:
                    values[col] = self.cell(grid.columns[col][r],
                                            **{"number_format": grid.formats[col], **extra})
            self.sheet.append(values)
        self.row += grid.rows
        self._table(grid, table, top)
        return top, self.row

    def _rows_written_apart(self, grid: Grid, first_row: int) -> bool:
        """Write ``grid``'s rows through ``sheet_rows`` when every value allows it.

        A column's number format becomes a workbook style when openpyxl writes the
        column's first value, row by row: the styles are numbered in that order here too,
        and registered only once the rows are written, so that styles.xml is the same."""
        from openpyxl.styles.numbers import is_date_format

        from opskit.report.sheet_rows import rows_xml

        writer = self.sheet._writer
        if not grid.rows or not hasattr(writer, "write_raw"):
            return False
        arrays: dict[int, Any] = {}
        for i, fmt in enumerate(grid.formats):
            template = WriteOnlyCell(self.sheet)
            if fmt is not None:
                template.number_format = fmt
            if template.has_style:  # 'General' is no style: openpyxl writes no s=""
                arrays[i] = template._style
        first_values = {i: next((r for r, v in enumerate(grid.columns[i]) if v is not None),
                                None) for i in arrays}
        order = sorted((r, i) for i, r in first_values.items() if r is not None)
        known = self.sheet.parent._cell_styles
        new: list[Any] = []
        styles: list[int | None] = [None] * len(grid.formats)
        for _, i in order:
            array = arrays[i]
            if array in known:
                styles[i] = known.index(array)
            else:
                if array not in new:
                    new.append(array)
                styles[i] = len(known) + new.index(array)
        dated = [fmt is not None and is_date_format(fmt) for fmt in grid.formats]
        data = rows_xml(grid.columns, styles, dated, first_row,
                        epoch=self.sheet.parent.epoch)
        if data is None:
            return False
        for array in new:
            known.add(array)
        writer.write_raw(data)
        return True

    def _table(self, grid: Grid, table: str | None, top: int) -> None:
        """The Excel table (or auto filter) over a grid whose header is on row ``top``."""
        if grid.header:
            ref = f"A{top}:{get_column_letter(len(grid.header))}{max(self.row, top)}"
            if table and grid.rows:
                columns = [TableColumn(id=i, name=h) for i, h in enumerate(grid.header, 1)]
                with warnings.catch_warnings():  # "add table columns manually": done above
                    warnings.simplefilter("ignore", UserWarning)
                    self.sheet.add_table(Table(displayName=table, ref=ref,
                                               tableStyleInfo=TABLE_STYLE,
                                               autoFilter=AutoFilter(ref=ref),
                                               tableColumns=columns))
            elif not self.sheet.auto_filter.ref:
                self.sheet.auto_filter.ref = ref
