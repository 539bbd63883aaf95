"""A file through its adapter: read once, convert, then account for every line.

``adapt`` is the one way a file goes through an adapter: ``read_export`` reads it (bytes to
text cells under the header), ``convert`` reshapes it into canonical tables, and the result
says which lines were structure and which were data. A refusal the adapter or the reader
raises (an ``OpskitError``: a missing required header, a wrong layout, unreadable bytes) is
the client's file; anything else raised by ``convert`` is a bug in opskit and propagates as
it is, for the CLI to name as one (exit 3) rather than blaming the export.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opskit.sources.adapters.export import read_export
from opskit.sources.adapters.records import Adapted, Adapter, TableOut
from opskit.sources.parse import parse_number


def adapt(adapter: Adapter, path: Path, display: str, *, sheet: str | int | None = None,
          system: str | None = None, timezone: str | None = None) -> Adapted:
    """Read ``path`` and convert it: the canonical tables and the accounting of every line."""
    export = read_export(adapter, path, display, sheet=sheet, system=system, timezone=timezone)
    converted = adapter.convert(export)
    primary = converted.tables.get(adapter.feeds[0])
    if export.skipped and primary is not None:
        primary.skipped += [(n, why, "malformed_line", None) for n, why in export.skipped]
    ignored = export.ignored()
    for table, out in converted.tables.items():
        out.ignored = ignored
        numbers_first(table, out)
    structure = {**export.structure, **{k: v for k, v in converted.structure.items() if v}}
    adapted = Adapted(adapter, display, converted.tables, structure, export.lines,
                      export.encoding, converted.notes)
    unaccounted = adapted.lines - adapted.structure_rows - adapted.data_rows
    if unaccounted > 0:
        adapted.structure["rows that feed no table"] = unaccounted
    return adapted


def numbers_first(table: str, out: TableOut) -> None:
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


__all__ = ["adapt", "numbers_first"]
