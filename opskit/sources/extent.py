"""How big a workbook sheet or a Parquet file becomes in memory, measured before reading it.

A few kilobytes on disk can describe gigabytes in memory: a workbook with one cell at row
50,000 and one at column 2,000 is read as a 50,000 x 2,000 grid (every empty cell filled),
and a Parquet column of one long text repeated through dictionary encoding is stored once
and decoded once per row. The readers ask these functions first and refuse what is beyond
the limits (``opskit.sources.limits``), so nothing is materialised that would not fit.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

# What one cell of a padded sheet costs when pandas reads a workbook through openpyxl: a
# pointer in openpyxl's row tuple, one in pandas' row list and one in the object column,
# plus list overhead; measured at about 25 bytes a cell (100 million cells: 2.5 GB).
BYTES_PER_CELL = 32
SCAN_CHUNK = 1 << 20

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br=\"([0-9]+)\"")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_CELL_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br=\"([A-Za-z]{1,3})[0-9]+\"")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")


@dataclass(frozen=True)
class SheetExtent:
    """The grid a sheet is read as: its last row and last column (1-based)."""

    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def memory(self) -> int:
        """Bytes the padded grid takes once read into a frame (an estimate)."""
        return self.cells * BYTES_PER_CELL


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'BXX' -> 2000: a spreadsheet column's number."""
    number = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + (ord(ch.upper()) - 64)
    return number


def sheet_part(archive: zipfile.ZipFile, sheet: str | int | None) -> str | None:
    """The archive member holding ``sheet`` (the first with None); None when the workbook
    does not name it (the reader then reports the missing sheet in its own words)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheets = [el for el in book.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
    if isinstance(sheet, int):
        chosen = sheets[sheet] if -len(sheets) <= sheet < len(sheets) else None
    elif sheet is None:
        chosen = sheets[0] if sheets else None
    else:
        chosen = next((el for el in sheets if el.get("name") == sheet), None)
    if chosen is None:
        return None
    rel_id = chosen.get(f"{{{_REL_NS}}}id")
    target = next((el.get("Target") for el in rels.iter()
                   if el.tag.rsplit("}", 1)[-1] == "Relationship" and el.get("Id") == rel_id),
                  None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))


def sheet_extent(archive: zipfile.ZipFile, part: str) -> SheetExtent:
    """The last row and column a sheet's cells reach, and the column extent its
    ``<dimension>`` claims (openpyxl pads every row to it), whichever is larger.

    The sheet is streamed: cell references are found with a byte pattern, chunk by chunk,
    without building the cells. Rows or cells written without a reference (allowed: their
    place is then implied by their order) are counted exactly by ``_counted_extent``.
    """
    last_row = last_column = 0
    rows_seen = rows_with_ref = cells_seen = cells_with_ref = 0
    carry = b""
    exact = True
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK)
            data = carry + chunk
            cut = data.rfind(b">") + 1 if chunk else len(data)
            block, carry = data[:cut], data[cut:]
            if len(carry) > 4 * SCAN_CHUNK:  # a tag (or text) longer than the pattern can
                exact = False                 # follow: count with the XML parser instead
                break
            if not last_row and not last_column and (dim := _DIMENSION.search(block)):
                last_column = max(last_column, _dimension_columns(dim.group(1)))
            refs = _ROW_REF.findall(block)
            if refs:
                last_row = max(last_row, max(int(r) for r in refs))
            rows_seen += len(_ROW.findall(block))
            rows_with_ref += len(refs)
            cells = _CELL_REF.findall(block)
            if cells:
                last_column = max(last_column, *(column_number(c) for c in set(cells)))
            cells_seen += len(_CELL.findall(block))
            cells_with_ref += len(cells)
            if not chunk:
                break
    if not exact or rows_seen != rows_with_ref or cells_seen != cells_with_ref:
        counted = _counted_extent(archive, part)
        return SheetExtent(max(counted.rows, last_row), max(counted.columns, last_column))
    return SheetExtent(last_row, last_column)


def _dimension_columns(ref: bytes) -> int:
    """The last column of a dimension such as 'A1:BXX50000' (0 when unreadable)."""
    match = re.fullmatch(rb"\$?[A-Z]{1,3}\$?[0-9]+:\$?([A-Z]{1,3})\$?[0-9]+", ref.strip())
    return column_number(match.group(1)) if match else 0


def _counted_extent(archive: zipfile.ZipFile, part: str) -> SheetExtent:
    """The sheet's extent when some rows or cells carry no reference: each such row follows
    the previous one, each such cell the previous cell (as Excel and openpyxl place them)."""
    row = column = last_row = last_column = 0
    holder = None  # <sheetData>: emptied after each row, so the rows read are not kept
    with archive.open(part) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            name = element.tag.rsplit("}", 1)[-1]
            if event == "start" and name == "sheetData":
                holder = element
            elif event == "start" and name == "row":
                try:
                    row = int(element.get("r") or "")
                except ValueError:
                    row += 1
                column = 0
                last_row = max(last_row, row)
            elif event == "start" and name == "c":
                match = re.match(r"\s*\$?([A-Za-z]{1,3})", element.get("r") or "")
                column = column_number(match.group(1)) if match else column + 1
                last_column = max(last_column, column)
            elif event == "end" and name == "row":
                element.clear()
                if holder is not None:
                    holder.clear()
    return SheetExtent(last_row, last_column)


@dataclass(frozen=True)
class ParquetSize:
    """What a Parquet file holds once decoded, from its metadata and dictionaries."""

    rows: int
    decoded_bytes: int
    longest_text: int  # bytes of the longest text or binary value
    longest_column: str | None = None


def parquet_stored(path: Path) -> tuple[int, int]:
    """Rows and bytes of a Parquet file's pages once decompressed, from its footer alone
    (before decoding: a dictionary-encoded column is counted as stored)."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    stored = sum(meta.row_group(g).column(c).total_uncompressed_size
                 for g in range(meta.num_row_groups)
                 for c in range(meta.row_group(g).num_columns))
    return meta.num_rows, stored


def parquet_size(path: Path) -> ParquetSize:
    """Rows and decoded size of a Parquet file, without decoding its text columns.

    Fixed-width columns take their width per row. Text and binary columns are read one row
    group at a time as dictionaries (what dictionary encoding stores: each distinct value
    once, and an index per row), and their decoded size is the sum of the lengths the
    indices point at; a column stored plainly is measured the same way. The memory this
    takes is the indices and the distinct values, never the expanded column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    probe = pq.ParquetFile(path)
    schema = probe.schema_arrow
    rows = probe.metadata.num_rows
    texts = [f.name for f in schema if _is_text(f.type)]
    decoded = 0
    for f in schema:
        if f.name in texts:
            continue
        width = getattr(f.type, "bit_width", None) if pa.types.is_primitive(f.type) else None
        if width:
            decoded += rows * max(width // 8, 1)
        else:  # nested or other variable-width types: what they take on disk, uncompressed
            decoded += _uncompressed(probe, f.name)
    longest, longest_column = 0, None
    if texts:
        reader = pq.ParquetFile(path, read_dictionary=texts)
        for group in range(reader.num_row_groups):
            table = reader.read_row_group(group, columns=texts)
            for name, column in zip(table.column_names, table.columns, strict=True):
                for chunk in column.chunks:
                    if pa.types.is_dictionary(chunk.type):
                        lengths = pc.binary_length(chunk.dictionary)
                        if len(lengths) and len(chunk.indices):
                            used = pc.take(lengths, chunk.indices)
                        else:
                            used = lengths.slice(0, 0)
                    else:
                        used = pc.binary_length(chunk)
                    total = pc.sum(used).as_py() or 0
                    decoded += total + 8 * len(chunk)  # offsets and pointers per value
                    most = pc.max(used).as_py() or 0
                    if most > longest:
                        longest, longest_column = most, name
            del table
    return ParquetSize(rows, decoded, longest, longest_column)


def _is_text(kind) -> bool:  # kind: a pyarrow DataType
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return any(test(kind) for test in (pa.types.is_string, pa.types.is_large_string,
                                       pa.types.is_binary, pa.types.is_large_binary))


def _uncompressed(probe, name: str) -> int:  # probe: a pyarrow ParquetFile
    meta = probe.metadata
    total = 0
    for group in range(meta.num_row_groups):
        row_group = meta.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            if chunk.path_in_schema.split(".")[0] == name:
                total += chunk.total_uncompressed_size
    return total


__all__ = ["BYTES_PER_CELL", "ParquetSize", "SheetExtent", "column_number", "parquet_size",
           "parquet_stored", "sheet_extent", "sheet_part"]
