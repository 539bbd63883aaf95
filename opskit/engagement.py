"""The engagement: a client folder plus engagement.yaml -> validated tables and row accounting.

``Engagement.load(path)`` is the one entry point every other part of opskit uses (checks,
reports, the explorer, batch runs). It reads each mapped file, sets aside the rows that cannot
be used (never dropping them silently), and keeps, per table, the accounting
``rows_read = rows_used + rows_set_aside`` that the report's data-quality appendix prints.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opskit.assumptions import Assumption, resolve
from opskit.config import EngagementConfig, FileSpec, load_config, safe_path
from opskit.errors import CombinedError, DataError, OpskitError, TableError, UnreadableFileError
from opskit.sources import limits
from opskit.sources.currency import linked_codes, load_order
from opskit.sources.load import (
    FAILURE_COLUMNS,
    LoadedTable,
    ReadAhead,
    TableQuality,
    load_table,
)
from opskit.sources.readers import SUPPORTED, suffix_of
from opskit.tables import TABLES
from opskit.unusable import Unusable, from_crash, from_error, merge

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
                 problems: list[OpskitError], unusable: list[Unusable] | None = None) -> None:
        self.config = config
        self.path = config.root
        self.client = config.client
        self.tables: dict[str, pd.DataFrame] = {n: t.frame for n, t in loaded.items()}
        self.quality: dict[str, TableQuality] = {n: t.quality for n, t in loaded.items()}
        self.failures: dict[str, pd.DataFrame] = {n: t.failures for n, t in loaded.items()}
        self.loaded = loaded
        self.problems = problems
        if unusable is None:
            unusable = [from_error(p, getattr(p, "table", None), [getattr(p, "file", "")])
                        for p in problems]
        self.unusable: list[Unusable] = merge(unusable)
        """The files a non-strict load left out, one record per file and reason: the file's
        own problems (the OpskitErrors in ``problems``) and opskit's crashes while reading."""
        self.assumptions: dict[str, Assumption] = resolve(config.assumptions)
        self.period = self._period()

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path, *, strict: bool = True) -> Engagement:
        """Load the engagement at ``path``.

        Every file is read and every problem collected before anything is raised, so a
        consultant sees all of them at once. With ``strict`` (the default) a table that
        cannot be used raises (a single ``DataError`` or a ``CombinedError``), and a crash
        while reading a file propagates. With ``strict=False`` (``opskit validate``,
        ``diagnose``, ``run``) one bad file never sinks the engagement: the tables it feeds
        are left out, its problem is listed in ``problems``, and every file left out, with
        why, in ``unusable``; a crash of opskit while reading one file (a bug of ours) is
        listed there too, as a bug, and the other files load. Rows that cannot be used never
        raise: they are set aside and counted in ``quality``.
        """
        config = load_config(Path(path))
        loaded: dict[str, LoadedTable] = {}
        left_out: list[LeftOut] = []
        with limits.using(limits.Limits.from_config(config.limits)):
            sources = sources_by_table(config, left_out=None if strict else left_out)
            order = load_order(sources)  # orders before the lines that follow them
            # The next file is read while this table is parsed (see ReadAhead).
            with ReadAhead([(table, sources[table]) for table in order]) as ahead:
                for table in order:
                    specs = sources[table]
                    try:
                        loaded[table] = load_table(table, sources[table], currency=config.currency,
                                                   fx=config.fx, linked=linked_codes(table, loaded),
                                                   ahead=ahead)
                    except DataError as exc:
                        left_out.append((table, [s.display for s in specs], exc))
                    except (OpskitError, MemoryError):
                        raise  # engagement.yaml's problem, or the machine's: not one file's
                    except Exception as exc:
                        if strict:
                            raise
                        left_out.append((table, [s.display for s in specs], exc))
        left_out = [(t, f, _unreadable(f, exc) if isinstance(exc, OSError) else exc)
                    for t, f, exc in left_out]
        loaded = {t: loaded[t] for t in sources if t in loaded}
        problems = [exc for _, _, exc in left_out if isinstance(exc, DataError)]
        unusable = [from_error(exc, table, files) if isinstance(exc, OpskitError)
                    else from_crash(exc, table, files) for table, files, exc in left_out]
        if problems and strict:
            if len(problems) == 1:
                raise problems[0]
            raise CombinedError(problems, f"{config.client}: tables that cannot be used")
        return cls(config, loaded, problems, unusable)

    @classmethod
    def load_partial(cls, path: str | Path) -> Engagement:
        """Load as ``diagnose``, ``run`` and ``batch`` do: not strict, but not empty-handed.

        A file that cannot be used is left out and listed in ``unusable``; the rest is
        diagnosed. When no file at all could be used for the file's own reasons there is
        nothing to diagnose: the problems are raised as a strict load raises them (bad input,
        exit 2, no report written). A crash of opskit is never raised here: the run goes on,
        names it, and exits 3.
        """
        engagement = cls.load(path, strict=False)
        if engagement.problems and not engagement.tables and not any(
                u.bug for u in engagement.unusable):
            if len(engagement.problems) == 1:
                raise engagement.problems[0]
            raise CombinedError(engagement.problems,
                                f"{engagement.client}: no file can be used")
        return engagement

    # -- what the rest of opskit reads --------------------------------------------------
    def without_rows(self) -> Engagement:
        """This engagement with every table and its set-aside rows emptied (columns and
        dtypes kept) and all else as it is: what a report reads once the diagnosis is done
        (the period, the configuration, each table's quality and accounting; the report
        context keeps its own copy of the set-aside rows), a small fraction of the size.
        `opskit run` hands its kernel the prepared report with it (``opskit.handoff``)."""
        slim = copy.copy(self)
        slim.tables = {name: frame.iloc[:0] for name, frame in self.tables.items()}
        slim.failures = {name: frame.iloc[:0] for name, frame in self.failures.items()}
        slim.loaded = {name: dataclasses.replace(table, frame=slim.tables[name],
                                                 failures=slim.failures[name])
                       for name, table in self.loaded.items()}
        return slim

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
                "notes": "; ".join(q.notes),  # e.g. timestamps kept in UTC (no timezone:)
            })
        for record in self.unusable:
            reason = (f"not usable, opskit crashed reading it (a bug in opskit): {record.reason}"
                      if record.bug else f"not usable: {record.reason}")
            for table in record.tables or ("?",):
                rows.append({"table": table, "files": record.file, "rows_read": None,
                             "rows_used": 0, "rows_set_aside": None, "reasons": reason,
                             "values_cleared": None, "ignored_columns": "",
                             "notes": ""})
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


LeftOut = tuple[str | None, list[str], Exception]
"""A table (None: an unmapped file no format claims) left out of a non-strict load: its files
and the exception that kept it out."""


def _unreadable(files: list[str], exc: OSError) -> UnreadableFileError:
    """A file the machine would not let opskit read (permissions, a file that vanished): the
    file's problem, not a bug of ours, worded as the CLI words any such failure."""
    return UnreadableFileError(", ".join(files), expected="a file opskit can read",
                               got=exc.strerror or type(exc).__name__,
                               hint="check the path, its permissions and the free disk space")


def _keep_going(exc: Exception, left_out: list[LeftOut] | None) -> bool:
    """True when a non-strict load lists ``exc`` and carries on (a file's problem or a
    crash reading it); engagement.yaml's problems and the machine's limits always stop it."""
    if left_out is None or isinstance(exc, MemoryError):
        return False
    return isinstance(exc, DataError) or not isinstance(exc, OpskitError)


def sources_by_table(config: EngagementConfig, *, left_out: list[LeftOut] | None = None
                     ) -> dict[str, list[FileSpec]]:
    """The files feeding each table: those mapped in engagement.yaml, then those in data/.

    A mapped file is read through the adapter its entry names, or the one that recognises it
    when its header is not its table's; it also feeds the other tables its export feeds (a
    Shopify orders export mapped as orders gives order_lines too) unless those are mapped.
    An unmapped file named after a table with that table's header is picked up as before; any
    other unmapped file is detected by content and feeds every table its export feeds (tables
    mapped in engagement.yaml keep only their mapping). A file no adapter recognises is an
    error naming the closest formats.

    With ``left_out`` (a non-strict load) a file that cannot be read or detected, or whose
    detection crashes, is appended there instead of stopping the load.
    """
    from opskit.sources.detect import (
        UnknownFormatError,
        adapter_feeds,
        resolve_mapped,
        specs_for_unmapped,
    )

    by_table: dict[str, list[FileSpec]] = {}
    resolved = []
    for spec in config.files:
        try:
            resolved.append(resolve_mapped(spec, config.timezone))
        except Exception as exc:
            # An OpskitError here is engagement.yaml's (a mapped file's own problems are
            # named by its loader); a crash detecting the file is a bug, left out like one.
            if left_out is None or isinstance(exc, OpskitError | MemoryError):
                raise
            left_out.append((spec.table, [spec.display], exc))
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
                if left_out is not None:
                    left_out.append((None, [display], exc))
                else:
                    unknown.append(exc)
                continue
            except Exception as exc:
                if not _keep_going(exc, left_out):
                    raise
                assert left_out is not None
                left_out.append((stem if stem in TABLES else None, [display], exc))
                continue
            for spec in specs:
                if spec.table not in mapped_tables:  # canonical files too read in local time
                    by_table.setdefault(spec.table, []).append(
                        dataclasses.replace(spec, timezone=config.timezone))
    if len(unknown) == 1:
        raise unknown[0]
    if unknown:
        raise CombinedError(unknown, f"{config.client}: files of a format opskit does not know")
    return by_table


__all__ = ["Engagement", "Period", "TableError", "sources_by_table"]
