"""What every adapter shares: its record, how its file is read, and the text helpers it uses.

An adapter turns one client export, as the source system writes it, into canonical tables.
It declares the export it reads (the system, the menu path that produces it, the columns that
identify it, its layout) and a ``convert`` function. ``convert`` reshapes and normalizes text
(forward-fills order fields, drops a UTC offset, turns '4:15:00' into minutes, flips the sign
of a credit) but leaves typed parsing to ``opskit.sources.parse``: an unreadable value stays as
the text the export holds, so the loader reports it with its file, column and row like any
other, and the accounting ``rows read = rows used + rows set aside`` holds per table.

Rows that are part of the report's structure (a title block, a heading, a 'Total for' line, a
footer) are not data: they are counted per kind in ``Adapted.structure``, so that for every file
``lines = structure rows + data rows``. Data rows an adapter cannot use (a failed payment, an
internal call) are set aside in the table they would have fed, with a reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from opskit.errors import UnreadableFileError
from opskit.sources.parse import parse_number
from opskit.sources.readers import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    XLSX_SUFFIXES,
    detect_encoding,
    normalize_name,
    read_file,
    read_head,
    suffix_of,
)

Layout = Literal["header", "report", "preamble", "headerless"]
ISO = "%Y-%m-%d %H:%M:%S"
SNIFF_ROWS = 60
_SAMPLE_BYTES = 128 * 1024  # what detection reads of a CSV export


# ---------------------------------------------------------------------------------------
# the adapter record
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Adapter:
    """One export format: what identifies it, where it comes from, what it feeds.

    ``required`` and ``optional`` are header names as the export spells them; ``'A|B'`` lists
    alternatives (layouts differ by version) and a trailing ``*`` matches any suffix
    (``'Debit*'`` matches 'Debit (USD)'). Names are compared normalized ('Start date' and
    'start_date' are the same). ``excludes`` are columns whose presence means another format.
    """

    id: str
    system: str
    name: str
    menu: str
    feeds: tuple[str, ...]
    required: tuple[str, ...]
    convert: Callable[[Export], Converted]
    optional: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    layout: Layout = "header"
    report_names: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # fixed column order of a headerless export
    probe: Callable[[list[list[str]]], float] | None = None  # headerless: share of rows that fit
    quirks: str = ""

    def known_columns(self) -> list[str]:
        """Every header this adapter reads (first spelling of each), for messages."""
        return [entry.split("|")[0] for entry in (*self.required, *self.optional)]


@dataclass
class TableOut:
    """One canonical table produced from a file, shaped like a ``RawFile`` for the loader.

    ``frame`` has canonical column names and text (or numeric) values; ``row_numbers`` is the
    spreadsheet row of each frame row; ``skipped`` lists rows set aside by the adapter as
    ``(row, message, rule, source column)``; ``headers`` maps canonical names to the source
    header they come from, so messages name the column as the client's file spells it.
    """

    path: Path
    frame: pd.DataFrame
    row_numbers: np.ndarray
    headers: dict[str, str]
    skipped: list[tuple[int, str, str, str | None]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.skipped)


@dataclass
class Converted:
    """What ``convert`` returns: the tables and the structure rows it recognised."""

    tables: dict[str, TableOut]
    structure: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Adapted:
    """A file read through its adapter: the tables, and the accounting of every line."""

    adapter: Adapter
    display: str
    tables: dict[str, TableOut]
    structure: dict[str, int]
    lines: int
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def data_rows(self) -> int:
        """Lines that are data: fed to a table or set aside in one (counted once)."""
        parts = [np.asarray(out.row_numbers, dtype=np.int64) for out in self.tables.values()]
        parts += [np.asarray([r for r, *_ in out.skipped], dtype=np.int64)
                  for out in self.tables.values()]
        return int(np.unique(np.concatenate(parts)).size) if parts else 0

    @property
    def structure_rows(self) -> int:
        return sum(self.structure.values())


# ---------------------------------------------------------------------------------------
# header matching
# ---------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _alternatives(entry: str) -> tuple[tuple[str, bool], ...]:
    """'A|B*' -> (('a', False), ('b', True)): normalized names, and whether a prefix."""
    return tuple((normalize_name(a[:-1] if a.endswith("*") else a), a.endswith("*"))
                 for a in entry.split("|"))


def matches(entry: str, key: str) -> bool:
    """Whether normalized header ``key`` is the column ``entry`` names (see Adapter)."""
    for stem, prefix in _alternatives(entry):
        if key == stem or (prefix and key.startswith(stem + "_")):
            return True
    return False


@lru_cache(maxsize=8192)
def _key(label: str) -> str:
    return normalize_name(label)


def find(entry: str, labels: Sequence[str]) -> str | None:
    """The first label of ``labels`` that is column ``entry``."""
    for label in labels:
        if matches(entry, _key(label)):
            return label
    return None


# ---------------------------------------------------------------------------------------
# the export as read
# ---------------------------------------------------------------------------------------
class _Everything:
    """A set that contains every name: read every CSV column as text."""

    def __contains__(self, item: object) -> bool:
        return True


@dataclass
class Export:
    """The file as read for its adapter: text cells under the header, with their row numbers."""

    adapter: Adapter
    path: Path
    display: str
    frame: pd.DataFrame
    rows: np.ndarray
    title: list[str]
    system: str
    timezone: str | None = None
    encoding: str | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)
    structure: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    used_labels: set[str] = field(default_factory=set)

    # -- columns --------------------------------------------------------------------------
    def label(self, entry: str) -> str | None:
        """The header, as the file spells it, of column ``entry``."""
        return find(entry, [str(c) for c in self.frame.columns])

    def has(self, entry: str) -> bool:
        return self.label(entry) is not None

    def get(self, entry: str) -> pd.Series:
        """Column ``entry`` as stripped text, blanks missing (all missing when absent)."""
        label = self.label(entry)
        if label is None:
            return pd.Series(None, index=self.frame.index, dtype="str")
        self.used_labels.add(label)
        return clean(self.frame[label])

    def pick(self, *entries: str) -> tuple[str | None, pd.Series]:
        """The first of ``entries`` the file has: (its header, its text)."""
        for entry in entries:
            label = self.label(entry)
            if label is not None:
                return label, self.get(entry)
        return None, pd.Series(None, index=self.frame.index, dtype="str")

    # -- output ---------------------------------------------------------------------------
    def table(self, columns: dict[str, tuple[str | None, pd.Series] | None], *,
              where: np.ndarray | pd.Series | None = None,
              aside: pd.Series | None = None, rule: str | pd.Series = "not_usable",
              aside_column: str | None = None) -> TableOut:
        """A canonical table from ``columns`` (canonical name -> (source header, values)).

        ``where`` selects the rows that belong to this table; ``aside`` (a reason per row,
        missing to keep it) sets rows aside with rule ``rule`` (one, or one per row). Missing
        columns (``None``, or no header and no values) are left out, so the loader reports
        them absent.
        """
        n = len(self.frame)
        keep = np.ones(n, dtype=bool) if where is None else np.asarray(where, dtype=bool)
        reasons = (pd.Series(None, index=self.frame.index, dtype="str") if aside is None
                   else aside.reindex(self.frame.index))
        aside_mask = keep & reasons.notna().to_numpy()
        used = keep & ~aside_mask
        data: dict[str, pd.Series] = {}
        headers: dict[str, str] = {}
        for name, source in columns.items():
            if source is None:
                continue
            label, values = source
            if label is None and values.isna().all():
                continue
            data[name] = values[used].reset_index(drop=True)
            headers[name] = label or name
        frame = pd.DataFrame(data, index=pd.RangeIndex(int(used.sum())))
        rules = (rule.reindex(self.frame.index)[aside_mask].fillna("not_usable").tolist()
                 if isinstance(rule, pd.Series) else [rule] * int(aside_mask.sum()))
        skipped = [(int(r), str(why), str(kind), aside_column) for r, why, kind in zip(
            self.rows[aside_mask], reasons[aside_mask], rules, strict=True)]
        return TableOut(self.path, frame, self.rows[used], headers, skipped)

    def ignored(self) -> list[str]:
        """Headers of the file no table used."""
        return [str(c) for c in self.frame.columns if str(c) not in self.used_labels
                and str(c).strip()]


def clean(series: pd.Series) -> pd.Series:
    """Text with surrounding whitespace removed; empty cells missing."""
    text = series.astype("str").str.strip()
    return text.where(text.notna() & (text != ""), None)


# ---------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------
def read_grid(path: Path, display: str, *, sheet: str | int | None = None,
              limit: int | None = None) -> tuple[list[list[str]], str | None]:
    """Every row of the file as text cells, no header assumed (title blocks, headerless).

    CSV is decoded with the same encoding detection as the canonical reader; XLSX cells are
    rendered as a spreadsheet shows them (dates as YYYY-MM-DD, numbers without exponent).
    """
    suffix = suffix_of(path)
    if suffix in XLSX_SUFFIXES:
        return _xlsx_grid(path, display, sheet, limit), None
    if suffix in PARQUET_SUFFIXES:
        frame = pd.read_parquet(path)
        rows = [[str(c) for c in frame.columns]]
        body = frame.head(limit) if limit else frame
        rows += [[_cell_text(v) for v in row] for row in body.itertuples(index=False)]
        return rows, None
    if suffix not in CSV_SUFFIXES:
        raise UnreadableFileError(display, expected="a .csv, .txt, .tsv or .xlsx export",
                                  got=f"a '{suffix or 'no'}' extension")
    raw = read_head(path, display, _SAMPLE_BYTES if limit is not None else -1,
                    expected="a readable export")
    truncated = limit is not None and len(raw) >= _SAMPLE_BYTES
    encoding = detect_encoding(raw[:256 * 1024])
    try:
        # A sample may end inside a character: an incremental decoder keeps the rest back.
        decoder = codecs.getincrementaldecoder(
            "utf-8-sig" if encoding == "utf-8" else encoding)()
        text = decoder.decode(raw, final=not truncated)
    except UnicodeDecodeError:
        encoding = "cp1252"
        text = raw.decode(encoding, errors="replace")
    if truncated and "\n" in text:
        text = text[:text.rfind("\n")]  # the last line of a sample may be cut
    delimiter = sniff_grid_delimiter(text.split("\n", 20)[:20])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(itertools.islice(reader, limit)) if limit is not None else list(reader)
    return [[cell.strip() for cell in row] for row in rows], encoding


def sniff_grid_delimiter(lines: Iterable[str]) -> str:
    """The delimiter that splits the widest of the first lines into the most fields."""
    best, best_count = ",", 0
    for line in lines:
        unquoted = re.sub(r'"[^"]*"', "", line)
        for delimiter in (",", "\t", ";", "|"):
            count = unquoted.count(delimiter)
            if count > best_count:
                best, best_count = delimiter, count
    return best


def _xlsx_grid(path: Path, display: str, sheet: str | int | None,
               limit: int | None) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt parts
        raise UnreadableFileError(display, expected="a readable Excel workbook",
                                  got=f"{type(exc).__name__}: {exc}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            ws = book.worksheets[sheet]
        else:
            ws = book[sheet]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if limit is not None and len(rows) >= limit:
                break
    except (KeyError, IndexError):
        raise UnreadableFileError(display, expected=f"a sheet named {sheet!r}",
                                  got="a workbook without it") from None
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp | np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if hasattr(value, "strftime"):
        text = value.strftime(ISO)
        return text[:10] if text.endswith("00:00:00") else text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def locate_header(adapter: Adapter, rows: list[list[str]]) -> int | None:
    """Index of the header row for ``adapter``'s layout, or None when it is not there."""
    if adapter.layout == "headerless":
        return -1
    if adapter.layout == "header":
        first = next((i for i, row in enumerate(rows) if any(row)), None)
        candidates: Iterable[int] = [] if first is None else [first]
    else:
        candidates = range(min(len(rows), 40))
    for i in candidates:
        keys = [normalize_name(c) for c in rows[i] if c]
        if keys and all(any(matches(e, k) for k in keys) for e in adapter.required):
            return i
    return None


def title_matches(adapter: Adapter, title_rows: list[list[str]]) -> bool:
    """Whether the title block above the header names one of the adapter's reports."""
    names = {normalize_name(n) for n in adapter.report_names}
    for row in title_rows:
        for cell in row:
            if normalize_name(cell) in names:
                return True
    return False


def read_export(adapter: Adapter, path: Path, display: str, *, sheet: str | int | None = None,
                system: str | None = None, timezone: str | None = None) -> Export:
    """Read ``path`` the way ``adapter``'s layout says: a header row, a report, or none."""
    suffix = suffix_of(path)
    system = system or adapter.system
    if adapter.layout == "header" and suffix in CSV_SUFFIXES:
        raw = read_file(path, text_columns=_Everything(), display=display)  # type: ignore[arg-type]
        frame = raw.frame
        frame.columns = [str(c) for c in frame.columns]
        _require_columns(adapter, list(frame.columns), display)
        rows = (np.asarray(raw.row_numbers, dtype=np.int64) if raw.row_numbers is not None
                else np.arange(2, len(frame) + 2, dtype=np.int64))
        return Export(adapter, path, display, frame, rows, [], system, timezone,
                      raw.encoding, list(raw.skipped), {"header row": 1},
                      lines=1 + raw.rows_read)
    grid, encoding = read_grid(path, display, sheet=sheet)
    header = locate_header(adapter, grid)
    if header is None:
        first = next((r for r in grid if any(r)), [])
        _require_columns(adapter, [c for c in first if c], display)
        raise UnreadableFileError(
            display, expected=f"the {adapter.name} header under its title block",
            got="no such header", hint="export the report again without editing it")
    structure: dict[str, int] = {}
    title = grid[:max(header, 0)]
    title_count = sum(1 for r in title if any(r))
    if title_count:
        structure["title block"] = title_count
    blank_title = len(title) - title_count
    if adapter.layout == "headerless":
        names = list(adapter.columns)
        body_start = 0
    else:
        names = _unique([c or "(blank)" for c in grid[header]])
        structure["header row"] = 1
        body_start = header + 1
    body = grid[body_start:]
    width = len(names)
    data, numbers, blank = [], [], blank_title
    for offset, row in enumerate(body):
        if not any(cell for cell in row):
            blank += 1
            continue
        cells = row[:width] + [""] * (width - len(row))
        data.append(cells)
        numbers.append(body_start + offset + 1)
    if blank:
        structure["blank rows"] = blank
    frame = pd.DataFrame(data, columns=names, dtype="str") if data else pd.DataFrame(
        columns=names, dtype="str")
    return Export(adapter, path, display, frame, np.asarray(numbers, dtype=np.int64),
                  [" ".join(c for c in r if c) for r in title if any(r)], system, timezone,
                  encoding, [], structure, lines=len(grid))


def _numbers_first(table: str, out: TableOut) -> None:
    """Money and number columns as floats when every value reads as one.

    Plain numbers convert at C speed; only the few values with separators, currency signs or
    parentheses go through the full money parser; a column with an unreadable value stays
    text there, so the loader reports it with its row.
    """
    from opskit.tables import TABLES

    for column in TABLES[table].columns:
        if column.kind not in ("money", "number") or column.name not in out.frame:
            continue
        text = out.frame[column.name]
        if pd.api.types.is_numeric_dtype(text.dtype):
            continue
        values = pd.to_numeric(text, errors="coerce").astype("float64")
        todo = text.notna().to_numpy() & values.isna().to_numpy()
        if todo.any():
            parsed, bad = parse_number(text[todo].astype("str"))
            if bad.any():
                continue  # leave the text: the loader names the unreadable values
            values[todo] = parsed.to_numpy()
        out.frame[column.name] = values


def _require_columns(adapter: Adapter, columns: list[str], display: str) -> None:
    """The export named must have the adapter's required columns; else say which are missing."""
    keys = [normalize_name(c) for c in columns]
    missing = [e.split("|")[0] for e in adapter.required
               if not any(matches(e, k) for k in keys)]
    if missing:
        shown = ", ".join(f"'{c}'" for c in columns[:8]) + (" ..." if len(columns) > 8 else "")
        raise UnreadableFileError(
            display, column=missing[0],
            expected=f"{adapter.name} columns " + ", ".join(f"'{m}'" for m in missing),
            got=f"columns {shown}" if columns else "no header",
            hint=f"check that the file is that export ({adapter.menu}), or leave 'adapter' "
                 "out of engagement.yaml to detect its format")


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name} ({seen[name]})")
        else:
            seen[name] = 1
            out.append(name)
    return out


def adapt(adapter: Adapter, path: Path, display: str, *, sheet: str | int | None = None,
          system: str | None = None, timezone: str | None = None) -> Adapted:
    """Read ``path`` and convert it: the canonical tables and the accounting of every line."""
    export = read_export(adapter, path, display, sheet=sheet, system=system, timezone=timezone)
    try:
        converted = adapter.convert(export)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        # A layout the adapter did not foresee: say so about this file, never a traceback.
        raise UnreadableFileError(display, expected=f"the {adapter.name} as the system writes it",
                                  got=f"content it cannot read ({type(exc).__name__}: {exc})",
                                  hint="export the file again without editing it, or check "
                                       "'opskit inspect' on it") from None
    primary = converted.tables.get(adapter.feeds[0])
    if export.skipped and primary is not None:
        primary.skipped += [(n, why, "malformed_line", None) for n, why in export.skipped]
    ignored = export.ignored()
    for table, out in converted.tables.items():
        out.ignored = ignored
        _numbers_first(table, out)
    structure = {**export.structure, **{k: v for k, v in converted.structure.items() if v}}
    adapted = Adapted(adapter, display, converted.tables, structure, export.lines,
                      export.encoding, converted.notes)
    unaccounted = adapted.lines - adapted.structure_rows - adapted.data_rows
    if unaccounted > 0:
        adapted.structure["rows that feed no table"] = unaccounted
    return adapted


# ---------------------------------------------------------------------------------------
# text helpers used by the adapters
# ---------------------------------------------------------------------------------------
# A string pattern (no \s, \d): pandas runs it in pyarrow, not row by row in Python.
OFFSET = r" *(?:[+-][0-9]{2}:?[0-9]{2}|Z|UTC|GMT|utc|gmt)$"


def without_offset(text: pd.Series) -> pd.Series:
    """'2025-07-01 06:52:46 -0400' -> '2025-07-01 06:52:46': the local wall-clock time.

    Exports that write local times with their UTC offset (Shopify) change offset at daylight
    saving; dropping it keeps the store's local time, which is what the data model wants.
    """
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
    digits = text.str.replace(r"[^\d+]", "", regex=True)
    return digits.where(digits.str.len() > 0, None)


def flag(text: pd.Series, true: Iterable[str], false: Iterable[str] = ()) -> pd.Series:
    """'true' / 'false' from words a system uses ('Suspended', 'Yes'...); others missing."""
    low = text.str.lower()
    true_words = {w.lower() for w in true}
    false_words = {w.lower() for w in false}
    out = pd.Series(None, index=text.index, dtype="str")
    out[low.isin(true_words).fillna(False)] = "true"
    if false_words:
        out[low.isin(false_words).fillna(False)] = "false"
    else:
        out[text.notna() & ~low.isin(true_words).fillna(False)] = "false"
    return out


def forward_fill(text: pd.Series, new_group: pd.Series) -> pd.Series:
    """Values carried down from the first row of each group to the rows below it."""
    return text.where(new_group).ffill()


def both(label_a: str | None, label_b: str | None) -> str | None:
    """A header label naming two source columns ('Start date + Start time')."""
    labels = [x for x in (label_a, label_b) if x]
    return " + ".join(labels) if labels else None
