"""The records an adapter is made of and produces: its declaration, its tables, its accounting.

An ``Adapter`` declares one export (the system, the menu path that produces it, the columns
that identify it, its layout) and a ``convert`` function from the ``Export`` read for it to a
``Converted`` (canonical ``TableOut`` tables and the structure rows it recognised). ``adapt``
wraps that in an ``Adapted``: every line of the file is either structure or data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from opskit.sources.adapters.export import Export

Layout = Literal["header", "report", "preamble", "headerless"]


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


__all__ = ["Adapted", "Adapter", "Converted", "Layout", "TableOut"]
