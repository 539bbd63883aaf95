"""The export as read for its adapter: text cells under the header, with their row numbers.

``read_export`` reads a file once, the way the adapter's layout says (a header on top, a
report under a title block, a preamble, or no header at all), and hands ``convert`` an
``Export``: every column is text, and every column an adapter asks for (present, entirely
empty, or absent from this layout generation) is a text Series on which ``.str`` works, so an
optional column never needs a guard in an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from opskit.errors import UnreadableFileError
from opskit.sources.adapters.headers import find, locate_header, require_columns, unique_names
from opskit.sources.adapters.records import Adapter, TableOut
from opskit.sources.grid import read_grid
from opskit.sources.readers import CSV_SUFFIXES, read_file, suffix_of

TEXT = "str"  # pandas' text dtype: `.str` works on it even when every value is missing


class _Everything:
    """A set that contains every name: read every CSV column as text."""

    def __contains__(self, item: object) -> bool:
        return True


def as_text(series: pd.Series) -> pd.Series:
    """``series`` as text dtype, missing values kept missing (an all-missing object column,
    which has no ``.str``, becomes an all-missing text column, which has)."""
    if isinstance(series.dtype, pd.StringDtype):
        return series
    return series.astype(TEXT)


def clean(series: pd.Series) -> pd.Series:
    """Text with surrounding whitespace removed; empty cells missing."""
    text = as_text(series).str.strip()
    return text.where(text.notna() & (text != ""), None)


def missing_text(index: pd.Index) -> pd.Series:
    """An all-missing text column: what an absent column reads as."""
    return pd.Series(None, index=index, dtype=TEXT)


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
        """Column ``entry`` as stripped text, blanks missing (all missing when absent).

        Always a text Series, so ``.str`` works whether the column is there, empty or absent.
        """
        label = self.label(entry)
        if label is None:
            return missing_text(self.frame.index)
        self.used_labels.add(label)
        return clean(self.frame[label])

    def pick(self, *entries: str) -> tuple[str | None, pd.Series]:
        """The first of ``entries`` the file has: (its header, its text); (None, all missing
        text) when it has none of them."""
        for entry in entries:
            label = self.label(entry)
            if label is not None:
                return label, self.get(entry)
        return None, missing_text(self.frame.index)

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
        reasons = (missing_text(self.frame.index) if aside is None
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


def read_export(adapter: Adapter, path: Path, display: str, *, sheet: str | int | None = None,
                system: str | None = None, timezone: str | None = None) -> Export:
    """Read ``path`` the way ``adapter``'s layout says: a header row, a report, or none."""
    suffix = suffix_of(path)
    system = system or adapter.system
    if adapter.layout == "header" and suffix in CSV_SUFFIXES:
        raw = read_file(path, text_columns=_Everything(), display=display)  # type: ignore[arg-type]
        frame = raw.frame
        frame.columns = [str(c) for c in frame.columns]
        require_columns(adapter, list(frame.columns), display)
        rows = (np.asarray(raw.row_numbers, dtype=np.int64) if raw.row_numbers is not None
                else np.arange(2, len(frame) + 2, dtype=np.int64))
        return Export(adapter, path, display, frame, rows, [], system, timezone,
                      raw.encoding, list(raw.skipped), {"header row": 1},
                      lines=1 + raw.rows_read)
    grid, encoding = read_grid(path, display, sheet=sheet)
    header = locate_header(adapter, grid)
    if header is None:
        first = next((r for r in grid if any(r)), [])
        require_columns(adapter, [c for c in first if c], display)
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
        names = unique_names([c or "(blank)" for c in grid[header]])
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
    frame = pd.DataFrame(data, columns=names, dtype=TEXT) if data else pd.DataFrame(
        columns=names, dtype=TEXT)
    return Export(adapter, path, display, frame, np.asarray(numbers, dtype=np.int64),
                  [" ".join(c for c in r if c) for r in title if any(r)], system, timezone,
                  encoding, [], structure, lines=len(grid))


__all__ = ["Export", "as_text", "clean", "missing_text", "read_export"]
