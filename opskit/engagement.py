"""The engagement: a client folder plus engagement.yaml -> validated tables and row accounting.

``Engagement.load(path)`` is the one entry point every other part of opskit uses (checks,
reports, the explorer, batch runs). It reads each mapped file, sets aside the rows that cannot
be used (never dropping them silently), and keeps, per table, the accounting
``rows_read = rows_used + rows_set_aside`` that the report's data-quality appendix prints.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opskit.assumptions import Assumption, resolve
from opskit.config import EngagementConfig, FileSpec, load_config, safe_path
from opskit.errors import CombinedError, DataError, OpskitError, TableError
from opskit.sources import limits
from opskit.sources.currency import linked_codes, load_order
from opskit.sources.load import FAILURE_COLUMNS, LoadedTable, TableQuality, load_table
from opskit.sources.readers import SUPPORTED, suffix_of
from opskit.tables import TABLES

DEFAULT_PERIOD_DAYS = 90
DATA_DIR = "data"


@dataclass(frozen=True)
class Period:
    """The window the diagnostic judges: whole days from ``start`` to ``end`` inclusive."""

    start: pd.Timestamp
    end: pd.Timestamp
    derived: bool = False

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    @property
    def end_exclusive(self) -> pd.Timestamp:
        """Midnight after the last day: filter with ``ts < period.end_exclusive``."""
        return self.end + pd.Timedelta(days=1)

    def contains(self, ts: pd.Series) -> pd.Series:
        return (ts >= self.start) & (ts < self.end_exclusive)

    def annualize(self, value: float) -> float:
        return value * 365.0 / self.days

    def __str__(self) -> str:
        return f"{self.start.date()} to {self.end.date()} ({self.days} days)"


class Engagement:
    """A loaded client engagement: validated tables, their accounting, assumptions, period."""

    def __init__(self, config: EngagementConfig, loaded: dict[str, LoadedTable],
                 problems: list[OpskitError]) -> None:
        self.config = config
        self.path = config.root
        self.client = config.client
        self.tables: dict[str, pd.DataFrame] = {n: t.frame for n, t in loaded.items()}
        self.quality: dict[str, TableQuality] = {n: t.quality for n, t in loaded.items()}
        self.failures: dict[str, pd.DataFrame] = {n: t.failures for n, t in loaded.items()}
        self.loaded = loaded
        self.problems = problems
        self.assumptions: dict[str, Assumption] = resolve(config.assumptions)
        self.period = self._period()

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path, *, strict: bool = True) -> Engagement:
        """Load the engagement at ``path``.

        Every file is read and every problem collected before anything is raised, so a
        consultant sees all of them at once. With ``strict`` (the default) a table that
        cannot be used raises (a single ``DataError`` or a ``CombinedError``); with
        ``strict=False`` such tables are left out and listed in ``problems`` (``opskit
        validate`` reports them that way). Rows that cannot be used never raise: they are
        set aside and counted in ``quality``.
        """
        config = load_config(Path(path))
        loaded: dict[str, LoadedTable] = {}
        problems: list[OpskitError] = []
        with limits.using(limits.Limits.from_config(config.limits)):
            sources = sources_by_table(config)
            for table in load_order(sources):  # orders before the lines that follow them
                try:
                    loaded[table] = load_table(table, sources[table], currency=config.currency,
                                               fx=config.fx, linked=linked_codes(table, loaded))
                except DataError as exc:
                    problems.append(exc)
        loaded = {t: loaded[t] for t in sources if t in loaded}
        if problems and strict:
            if len(problems) == 1:
                raise problems[0]
            raise CombinedError(problems, f"{config.client}: tables that cannot be used")
        return cls(config, loaded, problems)

    # -- what the rest of opskit reads --------------------------------------------------
    def has(self, table: str, *columns: str) -> bool:
        """True when ``table`` is loaded, has rows, and has every one of ``columns``."""
        frame = self.tables.get(table)
        return frame is not None and len(frame) > 0 and all(c in frame.columns for c in columns)

    def row_accounting(self) -> pd.DataFrame:
        """One row per table: rows read, used, set aside, and the reasons."""
        rows = []
        for name, q in self.quality.items():
            rows.append({
                "table": name, "files": ", ".join(q.files), "rows_read": q.rows_read,
                "rows_used": q.rows_used, "rows_set_aside": q.rows_set_aside,
                "reasons": "; ".join(f"{k} ({v})" for k, v in q.set_aside_by_reason.items()),
                "values_cleared": sum(q.values_cleared.values()),
                "ignored_columns": ", ".join(q.ignored_columns),
            })
        for problem in self.problems:
            rows.append({"table": getattr(problem, "table", None) or "?",
                         "files": getattr(problem, "file", ""), "rows_read": None,
                         "rows_used": 0, "rows_set_aside": None,
                         "reasons": f"not usable: {problem.message}", "values_cleared": None,
                         "ignored_columns": ""})
        return pd.DataFrame(rows)

    def all_failures(self) -> pd.DataFrame:
        """Every unusable value and row, long format (table, file, column, row, value, rule)."""
        frames = [f for f in self.failures.values() if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=FAILURE_COLUMNS)

    def _period(self) -> Period:
        if self.config.period is not None:
            start, end = self.config.period
            return Period(pd.Timestamp(start), pd.Timestamp(end))
        latest = None
        preferred = ["orders"] + [t for t in TABLES if t != "orders"]
        for name in preferred:
            frame = self.tables.get(name)
            column = TABLES[name].time_column
            if frame is None or column is None or column not in frame or not len(frame):
                continue
            value = frame[column].max()
            if pd.notna(value):
                latest = value
                break
        end = (pd.Timestamp(latest).normalize() if latest is not None
               else pd.Timestamp(dt.date.today()))
        return Period(end - pd.Timedelta(days=DEFAULT_PERIOD_DAYS - 1), end, derived=True)

    def __repr__(self) -> str:
        tables = ", ".join(f"{n} ({len(f):,})" for n, f in self.tables.items())
        return f"Engagement({self.client!r}, period {self.period}, tables: {tables})"


def sources_by_table(config: EngagementConfig) -> dict[str, list[FileSpec]]:
    """The files feeding each table: those mapped in engagement.yaml, then those in data/.

    A mapped file is read through the adapter its entry names, or the one that recognises it
    when its header is not its table's; it also feeds the other tables its export feeds (a
    Shopify orders export mapped as orders gives order_lines too) unless those are mapped.
    An unmapped file named after a table with that table's header is picked up as before; any
    other unmapped file is detected by content and feeds every table its export feeds (tables
    mapped in engagement.yaml keep only their mapping). A file no adapter recognises is an
    error naming the closest formats.
    """
    from opskit.sources.detect import (
        UnknownFormatError,
        adapter_feeds,
        resolve_mapped,
        specs_for_unmapped,
    )

    by_table: dict[str, list[FileSpec]] = {}
    resolved = [resolve_mapped(spec, config.timezone) for spec in config.files]
    for spec in resolved:
        by_table.setdefault(spec.table, []).append(spec)
    mapped_tables = set(by_table)
    for spec in resolved:  # an export mapped under one table also feeds its other tables
        for table in adapter_feeds(spec.adapter):
            if table not in mapped_tables and not any(
                    s.path == spec.path for s in by_table.get(table, [])):
                by_table.setdefault(table, []).append(dataclasses.replace(spec, table=table))
    data_dir = config.root / DATA_DIR
    unknown: list[UnknownFormatError] = []
    if data_dir.is_dir():
        mapped = {s.path for s in config.files}
        for file in sorted(data_dir.iterdir()):
            suffix = suffix_of(file)
            if suffix not in SUPPORTED or file.resolve() in mapped or file.is_dir():
                continue
            stem = file.name[: -len(suffix)]
            if stem in TABLES and stem in mapped_tables:
                continue
            display = f"{DATA_DIR}/{file.name}"
            safe_path(config.root, display)  # refuses symlinks out
            try:
                specs = specs_for_unmapped(file.resolve(), display,
                                           stem if stem in TABLES else None, config.timezone)
            except UnknownFormatError as exc:
                unknown.append(exc)
                continue
            for spec in specs:
                if spec.table not in mapped_tables:
                    by_table.setdefault(spec.table, []).append(spec)
    if len(unknown) == 1:
        raise unknown[0]
    if unknown:
        raise CombinedError(unknown, f"{config.client}: files of a format opskit does not know")
    return by_table


__all__ = ["Engagement", "Period", "TableError", "sources_by_table"]
