"""Load one canonical table from its files: read, map columns, parse, validate, account.

The accounting identity is the point of this module: for every table,
``rows_read == rows_used + rows_set_aside``. A row is set aside when a required value is
missing or unreadable, a rule on a required column fails (a negative quantity), its key
repeats an earlier row, or the line itself is malformed. An unreadable value in an optional
column does not cost the row: the value is cleared and counted in the failure frame instead.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from opskit.config import FileSpec
from opskit.errors import DataError, TableError, shorten
from opskit.sources.currency import convert_currencies
from opskit.sources.parse import parse, to_local
from opskit.sources.readers import RawFile, normalize_name, read_file
from opskit.tables import TABLES, Table, schema

if TYPE_CHECKING:
    from opskit.sources.adapters import Adapted

FAILURE_COLUMNS = ["table", "file", "column", "row", "value", "rule", "action", "message"]
MAX_RUNS = 16  # increasing runs of a key column checked without hashing (_unique_by_order)


@dataclass
class TableQuality:
    """Row accounting and column completeness of one loaded table."""

    table: str
    files: list[str]
    rows_read: int = 0
    rows_used: int = 0
    rows_set_aside: int = 0
    set_aside_by_reason: dict[str, int] = field(default_factory=dict)
    values_cleared: dict[str, int] = field(default_factory=dict)
    nulls: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)
    # Files read through an adapter: display -> adapter id, and their structure rows
    # (title blocks, headings, 'Total for' lines...) by kind: counted, never data.
    formats: dict[str, str] = field(default_factory=dict)
    structure_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    # Timestamps written in UTC and kept in UTC because engagement.yaml sets no timezone,
    # by column: the data-quality notes say so (see ``notes``).
    utc_kept: dict[str, int] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """Sentences for the data-quality appendix about how this table's values were read."""
        return [f"{column}: {n:,} timestamp{'s' if n > 1 else ''} in UTC; set timezone: in "
                "engagement.yaml to read them in local time"
                for column, n in self.utc_kept.items()]
    # Rows in another currency converted at the engagement's fx: rate: code -> {rate, rows}.
    converted: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class LoadedTable:
    name: str
    frame: pd.DataFrame
    quality: TableQuality
    failures: pd.DataFrame
    # orders: order_id -> currency where not the engagement's (their lines and returns follow)
    currencies: dict[str, str] = field(default_factory=dict)


def load_table(name: str, specs: list[FileSpec], *, currency: str | None = None,
               fx: Mapping[str, float] | None = None,
               linked: Mapping[str, str] | None = None,
               ahead: ReadAhead | None = None) -> LoadedTable:
    """Read every file of table ``name`` and return the usable rows with their accounting.

    With ``currency`` (the engagement's), rows in another currency are converted at their
    ``fx`` rate or set aside (``opskit.sources.currency``); without it (``opskit inspect``,
    which has no engagement) amounts stay as exported. ``linked`` (order_id -> currency)
    gives order lines and returns the currency of their order. ``ahead`` (an engagement's
    load) reads the next file while this table is parsed.
    """
    spec = TABLES[name]
    text_columns = _text_columns(spec)
    parts: list[pd.DataFrame] = []
    failures: list[pd.DataFrame] = []
    quality = TableQuality(name, [_describe(s) for s in specs])
    offset = 0
    headers: dict[str, str] = {}  # canonical name -> header as the client's file spells it
    origin_file: list[np.ndarray] = []
    origin_row: list[np.ndarray] = []
    unusable: list[np.ndarray] = []  # per file, rows with an unreadable required value
    for spec_file in specs:
        raw = _read(name, spec_file, text_columns, quality, ahead)
        typed, file_failures, bad = _map_and_parse(spec, raw, spec_file, quality)
        quality.rows_read += raw.rows_read
        for canonical, original in typed.attrs.get("headers", {}).items():
            headers.setdefault(canonical, original)
        quality.ignored_columns += [c for c in typed.attrs.get("ignored", [])
                                    if c not in quality.ignored_columns]
        # Read once, here: pandas deep-copies a frame's attrs into every frame derived
        # from it, a cost every check would pay on every operation.
        typed.attrs = {}
        rows = np.asarray(raw.row_numbers if raw.row_numbers is not None
                          else np.arange(2, len(typed) + 2))
        failures.append(file_failures)
        if raw.skipped:
            # (row, why) from the reader; (row, why, rule, column) from an adapter.
            failures.append(pd.DataFrame({
                "table": name, "file": spec_file.display,
                "column": [s[3] if len(s) > 3 else None for s in raw.skipped],
                "row": [s[0] for s in raw.skipped], "value": None,
                "rule": [s[2] if len(s) > 2 else "malformed_line" for s in raw.skipped],
                "action": "set aside",
                "message": [s[1] for s in raw.skipped]}))
        for col in (c.name for c in spec.columns):
            if col not in typed.columns and col not in quality.absent_columns:
                quality.absent_columns.append(col)
        typed.index = pd.RangeIndex(offset, offset + len(typed))
        parts.append(typed)
        unusable.append(bad)
        # The file of each row: one name repeated, stored once (a view, not a column).
        origin_file.append(np.broadcast_to(np.array(spec_file.display, dtype=object),
                                           (len(typed),)))
        origin_row.append(rows)
        offset += len(typed)

    frame = pd.concat(parts, ignore_index=False) if len(parts) > 1 else parts[0]
    quality.absent_columns = [c for c in quality.absent_columns if c not in frame.columns]
    files_arr = origin_file[0] if len(origin_file) == 1 else np.concatenate(origin_file)
    rows_arr = np.concatenate(origin_row)
    set_aside = np.concatenate(unusable).astype(bool)
    rule_failures = _validate(spec, frame, set_aside, files_arr, rows_arr, headers)
    failures.append(rule_failures)
    conversion = None
    if currency is not None:
        conversion = convert_currencies(spec, frame, set_aside, files_arr, rows_arr, headers,
                                        currency, fx or {}, linked)
        quality.converted = conversion.converted
        failures.append(conversion.failures)
    fail = pd.concat([f for f in failures if len(f)], ignore_index=True) if any(
        len(f) for f in failures) else pd.DataFrame(columns=FAILURE_COLUMNS)

    aside_rows = fail[fail["action"] == "set aside"]
    # Reason of a row = its first failure, so reasons add up to the rows set aside.
    if len(aside_rows):
        first = aside_rows.drop_duplicates(["file", "row"])
        reasons = (first["column"].fillna("line").astype(str) + ": "
                   + first["rule"].astype(str)).value_counts()
        quality.set_aside_by_reason = {k: int(v) for k, v in reasons.items()}
    cleared = fail[fail["action"] == "cleared"]
    quality.values_cleared = {k: int(v) for k, v in cleared["column"].value_counts().items()}

    if set_aside.any() or not frame.index.equals(pd.RangeIndex(len(frame))):
        used = frame.loc[~set_aside].reset_index(drop=True)
    else:
        used = frame  # every row kept, already numbered 0..n-1: no copy
    if len(used) == 0:
        reasons = "; ".join(f"{k} ({v})" for k, v in quality.set_aside_by_reason.items())
        raise TableError(", ".join(quality.files), table=name,
                         expected="at least one usable row",
                         got=f"{quality.rows_read:,} row{'' if quality.rows_read == 1 else 's'}, "
                             f"all set aside: {reasons}",
                         hint="check the first rows of the file against the data model in "
                              "README.md")
    quality.rows_used = len(used)
    quality.rows_set_aside = quality.rows_read - quality.rows_used
    quality.nulls = {c: int(n) for c, n in used.isna().sum().items() if n}
    return LoadedTable(name, used, quality, fail,
                       conversion.foreign if conversion is not None else {})


def _describe(spec_file: FileSpec) -> str:
    """A file as the row accounting lists it: its path, its format and system tag if any."""
    tags = [t for t in (spec_file.adapter, spec_file.system) if t]
    return f"{spec_file.display} ({', '.join(tags)})" if tags else spec_file.display


def _text_columns(spec: Table) -> set[str]:
    """The columns a reader keeps as text. Date-times are read as text too: a CSV reader that
    types them itself turns offsets into UTC and dates into midnights, and ``to_local`` needs
    what was written."""
    return {c.name for c in spec.columns if c.kind in ("id", "text", "enum", "datetime")}


class ReadAhead:
    """Reads the next file of an engagement in a second thread while this one is parsed.

    Reading a file is mostly Arrow's work (gunzip, CSV parsing) with the interpreter lock
    released, parsing the previous table's columns mostly Python and pandas: done side by
    side, a load takes about the reading time. One file is read ahead at most, so memory
    holds one raw file more than a load one file after the other; a file's problem is
    raised when its table asks for it, as without reading ahead. Use as a context manager:
    leaving it waits for a read still running.
    """

    def __init__(self, plan: list[tuple[str, list[FileSpec]]]) -> None:
        self._order = [(table, spec_file) for table, specs in plan for spec_file in specs]
        self._ahead: tuple[int, Future] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opskit-read-ahead")

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def read(self, table: str, spec_file: FileSpec, text_columns: set[str]) -> RawFile:
        """The file as ``read_file`` reads it: read ahead when it was next, else now."""
        index = next((i for i, (t, s) in enumerate(self._order)
                      if t == table and s is spec_file), None)
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == index:
            try:
                return ahead[1].result()
            finally:
                self._submit(index + 1)
        if ahead is not None:
            ahead[1].cancel()
        raw = _read_plain(spec_file, text_columns)
        if index is not None:
            self._submit(index + 1)
        return raw

    def _submit(self, index: int) -> None:
        if index >= len(self._order):
            return
        table, spec_file = self._order[index]
        if spec_file.adapter is not None:
            return  # an export read through its adapter is read when its table asks
        context = contextvars.copy_context()  # the engagement's limits apply in the thread
        self._ahead = (index, self._pool.submit(
            context.run, _read_plain, spec_file, _text_columns(TABLES[table])))


def _read_plain(spec_file: FileSpec, text_columns: set[str]) -> RawFile:
    return read_file(spec_file.path, text_columns=text_columns, sheet=spec_file.sheet,
                     display=spec_file.display)


def _read(table: str, spec_file: FileSpec, text_columns: set[str], quality: TableQuality,
          ahead: ReadAhead | None = None):
    """The file's rows for ``table``: read as a canonical table, or through its adapter."""
    if spec_file.adapter is None and ahead is not None:
        return ahead.read(table, spec_file, text_columns)
    if spec_file.adapter is None:
        return read_file(spec_file.path, text_columns=text_columns, sheet=spec_file.sheet,
                         display=spec_file.display)
    adapted = adapted_file(spec_file)
    quality.formats[spec_file.display] = adapted.adapter.id
    if adapted.structure:
        quality.structure_rows[spec_file.display] = dict(adapted.structure)
    out = adapted.tables.get(table)
    if out is None:
        raise TableError(spec_file.display, table=table,
                         expected=f"an export that feeds {table}",
                         got=f"a {adapted.adapter.name}, which feeds "
                             f"{', '.join(adapted.adapter.feeds)}",
                         hint="map the file under one of those tables in engagement.yaml")
    return out


def adapted_file(spec_file: FileSpec) -> Adapted:
    """The file read through its adapter (cached: one file often feeds several tables)."""
    path = Path(spec_file.path)
    if not path.is_file():
        read_file(path, display=spec_file.display)  # raises the reader's error for it
    stat = path.stat()
    return _adapted(str(path), stat.st_mtime_ns, stat.st_size, spec_file.adapter or "",
                    spec_file.display, spec_file.sheet, spec_file.system, spec_file.timezone)


@lru_cache(maxsize=4)  # a few files: the tables of one export load one after the other
def _adapted(path: str, _mtime: int, _size: int, adapter_id: str, display: str,
             sheet: str | int | None, system: str | None, timezone: str | None) -> Adapted:
    from opskit.sources.adapters import adapt, get

    return adapt(get(adapter_id), Path(path), display, sheet=sheet, system=system,
                 timezone=timezone)


def _map_and_parse(spec: Table, raw: RawFile, spec_file: FileSpec, quality: TableQuality
                   ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Match headers to canonical columns, parse each, and mark rows with unreadable values.

    Date-times are read in the engagement's local time (``spec_file.timezone``), deadline
    columns with a bare date as the end of that day (``opskit.sources.parse.to_local``).
    """
    frame = raw.frame
    mapping: dict[str, str] = {}
    for original in frame.columns:
        norm = normalize_name(original)
        if norm in spec.by_name and norm not in mapping:
            mapping[norm] = original
    missing = [c for c in spec.required if c not in mapping]
    if missing:
        found = [str(c) for c in frame.columns]
        close = get_close_matches(missing[0], [normalize_name(c) for c in found], n=1,
                                  cutoff=0.5)
        hint = (f"rename '{close[0]}' to '{missing[0]}' if it holds "
                f"{spec.by_name[missing[0]].doc.lower().rstrip('.')}" if close else
                f"the {spec.name} table needs {', '.join(spec.required)}; see the data model "
                "in README.md")
        raise TableError(
            spec_file.display, column=missing[0], table=spec.name,
            expected=f"required column{'s' if len(missing) > 1 else ''} "
                     + ", ".join(f"'{m}'" for m in missing),
            got="columns " + ", ".join(f"'{c}'" for c in found[:12])
                + (" ..." if len(found) > 12 else ""),
            hint=hint)
    if len(frame) == 0 and not raw.skipped:
        raise TableError(spec_file.display, table=spec.name,
                         expected="at least one data row", got="only the header row",
                         hint=f"export {spec.source_hint or 'the ' + spec.name + ' data'} "
                              "for a period that has data")
    ignored = [str(c) for c in frame.columns if c not in mapping.values()]
    ignored += [c for c in getattr(raw, "ignored", []) if c not in ignored]
    labels = {name: getattr(raw, "headers", {}).get(name, original)
              for name, original in mapping.items()}
    typed = {}
    bad = np.zeros(len(frame), dtype=bool)
    records = []
    rows = (np.asarray(raw.row_numbers) if raw.row_numbers is not None
            else np.arange(2, len(frame) + 2))
    for name, original in mapping.items():
        col = spec.by_name[name]
        if col.kind == "datetime":
            values, unreadable, utc_kept = to_local(frame[original], spec_file.timezone,
                                                    end_of_day=col.end_of_day)
            if utc_kept:
                quality.utc_kept[name] = quality.utc_kept.get(name, 0) + utc_kept
        else:
            values, unreadable = parse(frame[original], col)
        if unreadable.any():
            idx = np.flatnonzero(unreadable)
            action = "set aside" if col.required else "cleared"
            if col.required:
                bad |= unreadable
            got = frame[original].iloc[idx].astype(str).to_numpy()
            records.append(pd.DataFrame({
                "table": spec.name, "file": spec_file.display, "column": labels[name],
                "row": rows[idx], "value": got, "rule": "unreadable",
                "action": action,
                "message": [f"expected {col.expected()}, got {shorten(v)}" for v in got]}))
        typed[name] = values
    if spec_file.system is not None and "system" in spec.by_name and "system" not in typed:
        typed["system"] = pd.Series(spec_file.system, index=frame.index, dtype="str")
    # Copied into consolidated blocks (numbers side by side), the layout the checks are
    # measured on; a few milliseconds per million rows.
    out = pd.DataFrame(typed)
    out.attrs["ignored"] = ignored
    out.attrs["headers"] = labels
    fail = pd.concat(records, ignore_index=True) if records else pd.DataFrame(
        columns=FAILURE_COLUMNS)
    return out, fail, bad


def _validate(spec: Table, frame: pd.DataFrame, set_aside: np.ndarray,
              files: np.ndarray, rows: np.ndarray, headers: dict[str, str]) -> pd.DataFrame:
    """Run the table's pandera schema lazily; turn its failure cases into set-aside rows."""
    import pandera.pandas as pa

    key = tuple(c for c in spec.key if c in frame.columns)
    # A row already set aside must not make a later duplicate look like the original.
    candidates = frame.loc[~set_aside] if set_aside.any() else frame
    suspects = _suspects(spec, candidates, key)
    if not suspects.any():
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    try:
        # pandera words the failures; it reads only the rows a rule may fail on (each rule
        # is per row, and every row of a repeated key is among them, in order), so it finds
        # the same failures as over the whole table. They are numbered 0..n-1 for it: over
        # an index with gaps pandera 0.35 can report the rows of a text column after a
        # missing value as missing too.
        schema(spec.name, key).validate(candidates.loc[suspects].reset_index(drop=True),
                                        lazy=True)
        return pd.DataFrame(columns=FAILURE_COLUMNS)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    labels = candidates.index[suspects]  # pandera's row i is the table's row labels[i]
    records = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        idx = labels[group["index"].astype("int64").to_numpy()]
        pos = frame.index.get_indexer(idx)
        column = None if pd.isna(column) else str(column)
        rule = _rule_name(str(check))
        col = spec.by_name.get(column) if column else None
        if rule == "duplicate":
            action = "set aside"
            message = (f"expected a unique {' + '.join(key)}, got a repeat of an earlier row "
                       "(the first occurrence is kept)")
            column = column or ", ".join(key)
        else:
            action = "set aside" if (col is None or col.required) else "cleared"
            message = f"expected {col.expected() if col else rule}"
        if action == "set aside":
            set_aside[pos] = True
        elif column in frame.columns:
            frame.iloc[pos, frame.columns.get_loc(column)] = None
        values = group["failure_case"].astype(str).to_numpy()
        records.append(pd.DataFrame({
            "table": spec.name, "file": files[pos], "column": headers.get(column, column),
            "row": rows[pos],
            "value": values, "rule": rule, "action": action,
            "message": [message if rule == "duplicate" else
                        f"{message}, got an empty cell" if rule == "not_nullable" else
                        f"{message}, got {shorten(v)}" for v in values]}))
    return pd.concat(records, ignore_index=True) if records else pd.DataFrame(
        columns=FAILURE_COLUMNS)


def _suspects(spec: Table, frame: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    """Rows that may fail one of the schema's rules: every failing row, and maybe a few more.

    One vectorised pass per rule (a missing required value, a negative amount, a value
    outside its enumeration, a repeated key); a table that passes them all, as most do,
    needs no further validation.
    """
    suspects = np.zeros(len(frame), dtype=bool)
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        values = frame[col.name]
        if col.required:
            suspects |= values.isna().to_numpy()
        if col.non_negative:
            suspects |= (values.notna() & ~(values >= 0)).to_numpy(dtype=bool)
        if col.values:
            suspects |= (values.notna() & ~values.isin(col.values)).to_numpy(dtype=bool)
    if key and _may_repeat(frame, key):
        suspects |= frame.duplicated(list(key), keep=False).to_numpy()
    return suspects


def _may_repeat(frame: pd.DataFrame, key: tuple[str, ...]) -> bool:
    """False when no two rows share ``key`` (counted in Arrow: a hash, no Python per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(frame) < 2:
        return False
    try:
        columns = {c: pa.array(frame[c], from_pandas=True) for c in key}
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return True  # a column Arrow cannot hold: let pandas decide
    if any(pa.types.is_floating(c.type) for c in columns.values()):
        return True  # Arrow and pandas may not agree that -0.0 repeats 0.0: let pandas decide
    for column in columns.values():
        if _unique_by_order(column) or len(pc.unique(column)) == len(frame):
            return False  # one part of the key is already unique (a missing value counts
            # as one value)
    if len(columns) == 1:
        return True
    groups = pa.table(columns).group_by(list(key)).aggregate([])
    return groups.num_rows < len(frame)


def _unique_by_order(column) -> bool:
    """True when the texts are unique because of their order: ids numbered as they were
    issued (CF999999 then CF1000000: each after the one above, a longer one counting as
    after), maybe in a few runs (test orders appended at the end), with no value of the
    shorter runs in the longest. Compared in Arrow without hashing the long run; False
    means "not shown", and the caller then counts distinct values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count or not (pa.types.is_string(column.type)
                                 or pa.types.is_large_string(column.type)):
        return False
    n = len(column)
    before, after = column.slice(0, n - 1), column.slice(1)
    longer, shorter = pc.binary_length(after), pc.binary_length(before)
    later = pc.or_(pc.greater(longer, shorter),
                   pc.and_(pc.equal(longer, shorter), pc.greater(after, before)))
    breaks = np.flatnonzero(~np.asarray(later.to_numpy(zero_copy_only=False), dtype=bool)) + 1
    if len(breaks) > MAX_RUNS:
        return False
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [n]])
    longest = int(np.argmax(ends - starts))
    if n - (ends[longest] - starts[longest]) > n // 10:
        return False  # too much outside the longest run: hashing is as quick
    if len(breaks) == 0:
        return True
    main = column.slice(starts[longest], ends[longest] - starts[longest])
    rest = pa.chunked_array([column.slice(s, e - s) for i, (s, e) in enumerate(
        zip(starts, ends, strict=True)) if i != longest], type=column.type).combine_chunks()
    if len(pc.unique(rest)) < len(rest):
        return False
    return not pc.any(pc.is_in(main, value_set=rest)).as_py()


def _rule_name(check: str) -> str:
    """pandera's check label -> the rule name opskit reports."""
    if "uniqueness" in check or "unique" in check or "duplicate" in check:
        return "duplicate"
    if check.startswith("not_nullable"):
        return "not_nullable"
    if "greater_than_or_equal_to" in check or "non_negative" in check:
        return "non_negative"
    if "isin" in check or "allowed_values" in check:
        return "allowed_values"
    return check


def failure_errors(loaded: LoadedTable) -> list[DataError]:
    """Group a table's failure frame into one-line DataErrors (file, column, rule) for display."""
    fail = loaded.failures
    errors = []
    if not len(fail):
        return errors
    for (file, column, _rule), group in fail.groupby(["file", "column", "rule"], dropna=False,
                                                    sort=False):
        first = group.iloc[0]
        action = first["action"]
        message = str(first["message"])
        expected, _, got = message.partition(", got ")
        expected = expected.replace("expected ", "", 1)
        errors.append(DataError(
            str(file), column=None if pd.isna(column) else str(column),
            rows=sorted(int(r) for r in group["row"]), table=loaded.name,
            expected=expected if got else None, got=got or message,
            hint=f"{len(group)} row{'s' if len(group) > 1 else ''} "
                 f"{'set aside' if action == 'set aside' else 'kept with the value cleared'}"))
    return errors
