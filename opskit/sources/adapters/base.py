"""What every adapter shares, gathered in one import for the adapter modules.

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

A file's way is one-way, one module per step:
``opskit.sources.readers`` (the head: bytes, encoding, delimiter, decided once per file) ->
``opskit.sources.grid`` (rows of text cells, for title blocks and headerless files) ->
``headers`` (where the adapter's header is) -> ``export`` (the ``Export`` view ``convert``
reads) -> ``adapting`` (``adapt``: convert and account) -> the loader (parse and validate).
``records`` holds the records; ``text`` the helpers adapters use on text columns.
"""

from __future__ import annotations

from opskit.sources.adapters.adapting import adapt, numbers_first
from opskit.sources.adapters.export import TEXT, Export, as_text, clean, missing_text, read_export
from opskit.sources.adapters.headers import (
    find,
    locate_header,
    matches,
    missing_required,
    require_columns,
    title_matches,
    unique_names,
    unknown_columns,
)
from opskit.sources.adapters.records import Adapted, Adapter, Converted, Layout, TableOut
from opskit.sources.adapters.text import (
    DURATION,
    OFFSET,
    amounts,
    as_iso,
    both,
    debit_minus_credit,
    duration_minutes,
    flag,
    forward_fill,
    phone,
    seconds,
    signed,
    split_part,
    utc_to_local,
    without_offset,
)
from opskit.sources.grid import ISO, cell_text, read_grid
from opskit.sources.readers import choose_delimiter

SNIFF_ROWS = 60  # rows detection reads of a file
sniff_grid_delimiter = choose_delimiter  # the one delimiter rule, under its former name

__all__ = ["DURATION", "ISO", "OFFSET", "SNIFF_ROWS", "TEXT", "Adapted", "Adapter", "Converted",
           "Export", "Layout", "TableOut", "adapt", "amounts", "as_iso", "as_text", "both",
           "cell_text", "clean", "debit_minus_credit", "duration_minutes", "find", "flag",
           "forward_fill", "locate_header", "matches", "missing_required", "missing_text",
           "numbers_first", "phone", "read_export", "read_grid", "require_columns", "seconds",
           "signed", "sniff_grid_delimiter", "split_part", "title_matches", "unique_names",
           "unknown_columns", "utc_to_local", "without_offset"]
