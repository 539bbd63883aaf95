"""A file as rows of text cells, no header assumed: what detection and report layouts read.

Title blocks, report footers and headerless exports do not fit a header-on-top reader, so
these layouts are read as a grid of text cells. A CSV's encoding and delimiter come from its
``Head`` (decided once per file, the same for every reader); a file that fits in its head is
never opened a second time. XLSX cells are rendered as a spreadsheet shows them (dates as
YYYY-MM-DD, numbers without exponent), so an adapter sees the same text from either format.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from opskit.errors import UnreadableFileError
from opskit.sources.readers import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    XLSX_SUFFIXES,
    check_xlsx,
    head_of,
    read_head,
    read_parquet,
    suffix_of,
)

ISO = "%Y-%m-%d %H:%M:%S"

Grid = list[list[str]]


def read_grid(path: Path, display: str, *, sheet: str | int | None = None,
              limit: int | None = None) -> tuple[Grid, str | None]:
    """The first ``limit`` rows (every row with None) as text cells, and the CSV encoding."""
    suffix = suffix_of(path)
    if suffix in XLSX_SUFFIXES:
        return _xlsx_grid(path, display, sheet, limit), None
    if suffix in PARQUET_SUFFIXES:
        return _parquet_grid(path, display, limit), None
    if suffix not in CSV_SUFFIXES:
        raise UnreadableFileError(display, expected="a .csv, .txt, .tsv or .xlsx export",
                                  got=f"a '{suffix or 'no'}' extension")
    head = head_of(path, display)
    encoding = head.encoding
    if limit is not None or head.complete:
        text = head.text
    else:
        raw = read_head(path, display, -1, expected="a readable export")
        try:
            text = codecs.decode(raw, "utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            encoding = "cp1252"
            text = raw.decode(encoding, errors="replace")
        text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=head.delimiter)
    try:
        rows = list(itertools.islice(reader, limit)) if limit is not None else list(reader)
    except csv.Error as exc:  # a cell longer than the csv module's field limit, say
        raise UnreadableFileError(display, expected="a well-formed CSV file",
                                  got=f"a parse error: {exc}",
                                  hint="open it in a spreadsheet and save it again as CSV "
                                       "(UTF-8)") from None
    return [[cell.strip() for cell in row] for row in rows], encoding


def _parquet_grid(path: Path, display: str, limit: int | None) -> Grid:
    frame = read_parquet(path, display).frame
    rows = [[str(c) for c in frame.columns]]
    body = frame.head(limit) if limit else frame
    rows += [[cell_text(v) for v in row] for row in body.itertuples(index=False)]
    return rows


def _xlsx_grid(path: Path, display: str, sheet: str | int | None,
               limit: int | None) -> Grid:
    import openpyxl

    check_xlsx(path, display, sheet)  # a FIFO, a zip bomb, a sheet padded beyond the limits
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
            rows.append([cell_text(v) for v in row])
            if limit is not None and len(rows) >= limit:
                break
    except (KeyError, IndexError):
        raise UnreadableFileError(display, expected=f"a sheet named {sheet!r}",
                                  got="a workbook without it") from None
    except Exception as exc:  # a damaged part met while iterating: openpyxl raises many types
        raise UnreadableFileError(display, expected="a readable Excel workbook",
                                  got=f"{type(exc).__name__}: {exc}",
                                  hint="open it in Excel and save it again") from None
    finally:
        book.close()
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def cell_text(value: object) -> str:
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


__all__ = ["ISO", "Grid", "cell_text", "read_grid"]
