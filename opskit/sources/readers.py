"""Read one client file (CSV, XLSX, Parquet) into a raw DataFrame, or say clearly why not.

The reader knows nothing about canonical tables beyond which columns should stay text; it
deals with what real exports throw at a consultant: byte-order marks, Windows encodings,
semicolon or tab delimiters, compressed CSV, ragged rows, binary files with a .csv name.
Ragged rows are not fatal: they are skipped by pyarrow and returned as set-aside rows, so the
row accounting (read = used + set aside) still holds.
"""

from __future__ import annotations

import codecs
import gzip
import os
import stat as stat_module
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pandas as pd

from opskit.errors import UnreadableFileError
from opskit.sources import limits

if TYPE_CHECKING:
    import pyarrow as pa

SAMPLE_BYTES = 256 * 1024
CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED = CSV_SUFFIXES + XLSX_SUFFIXES + PARQUET_SUFFIXES
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class RawFile:
    """A file read as it is: its frame, where each row came from, and the rows it skipped."""

    path: Path
    frame: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    # Line number in the file (header = 1) of each frame row, and of each skipped row.
    row_numbers: list[int] | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.skipped)


def suffix_of(path: Path) -> str:
    """The format suffix, counting '.csv.gz' as one suffix."""
    name = path.name.lower()
    for suffix in SUPPORTED:
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def read_file(path: Path, *, text_columns: set[str] = frozenset(), sheet: str | int | None = None,
              display: str | None = None) -> RawFile:
    """Read ``path`` by its format; ``text_columns`` (normalized names) are kept as strings."""
    display = display or path.name
    require_regular(path, display)
    limits.active().check_size(path, display)
    suffix = suffix_of(path)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet, display)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path, display)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, text_columns, display)
    raise UnreadableFileError(
        display, expected="a .csv, .csv.gz, .tsv, .txt, .xlsx or .parquet file",
        got=f"a '{suffix or 'no'}' extension",
        hint="export the report as CSV or Excel from the source system",
    )


FILE_KINDS = (
    (stat_module.S_ISDIR, "a folder"),
    (stat_module.S_ISFIFO, "a named pipe (FIFO), which would wait for a writer forever"),
    (stat_module.S_ISSOCK, "a socket"),
    (stat_module.S_ISCHR, "a character device"),
    (stat_module.S_ISBLK, "a block device"),
)


def require_regular(path: Path, display: str,
                    missing_hint: str = "check the path under 'files:' in engagement.yaml"
                    ) -> os.stat_result:
    """The file's status, when it is a regular file; anything else is an UnreadableFileError.

    Opening a FIFO named data/orders.csv blocks until something writes to it (forever), and
    a device can be read without end: only regular files are opened, checked with ``os.stat``
    (which follows a symlink to what it points at) before any ``open``.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFileError(display, expected="a file at this path", got="nothing",
                                  hint=missing_hint) from None
    except OSError as exc:
        raise UnreadableFileError(display, expected="a readable file",
                                  got=f"an error: {exc.strerror or exc}") from None
    if not stat_module.S_ISREG(status.st_mode):
        kind = next((name for test, name in FILE_KINDS if test(status.st_mode)),
                    "not a regular file")
        raise UnreadableFileError(display, expected="a regular file", got=kind,
                                  hint="copy the export into the engagement's data/ folder "
                                       "as an ordinary file")
    return status


def normalize_name(name: object) -> str:
    """'Order ID ' -> 'order_id': how a header is matched to a canonical column."""
    text = str(name).strip().lower()
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part)


def read_head(path: Path, display: str, size: int = SAMPLE_BYTES, *,
              expected: str = "a readable (gzip-compressed) CSV file") -> bytes:
    """The first ``size`` bytes of a file (all of it with -1), gunzipped for ``.gz``; an
    unreadable or damaged file is an UnreadableFileError naming it, and a whole ``.gz`` file
    that inflates beyond ``max_file_mb`` is refused once that many bytes came out."""
    require_regular(path, display)
    try:
        if path.name.lower().endswith(".gz"):
            if size < 0:
                whole, _ = _inflated(path, display, keep=limits.active().max_file_mb * limits.MB)
                return bytes(whole)
            with gzip.open(path, "rb") as fh:
                return fh.read(size)
        if size < 0:
            limits.active().check_size(path, display)  # a whole file: within max_file_mb
        with open(path, "rb") as fh:
            return fh.read(size)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(display, expected=expected, got=f"an error: {exc}") from None


GUNZIP_CHUNK = 1 << 20


def _refuse_gunzipped(display: str) -> None:
    """Decompression stopped as soon as the output passed the limit: say so."""
    limit = limits.active()
    limit.refuse(display, "an uncompressed size",
                 f"more than {limit.max_file_mb:,g} MB once decompressed (counted while "
                 "decompressing, whatever the gzip trailer says)", "max_file_mb",
                 limit.max_file_mb)


# A ``.gz`` export up to this size once decompressed is kept in memory by the counting pass
# and parsed from there, so it is decompressed once; a bigger one (or a bomb, which is
# refused as it passes max_file_mb) is counted without being kept and decompressed again by
# the parser. The bound keeps a bomb's memory small: the 2 GB address-space test holds.
KEEP_GUNZIPPED_BYTES = 384 * limits.MB


def check_gunzipped(path: Path, display: str) -> pa.Buffer | None:
    """Decompress a ``.gz`` file once, counting the bytes it actually produces: more than
    ``max_file_mb`` is refused before a parser sees it. Returns what came out (a pyarrow
    buffer) when it is at most KEEP_GUNZIPPED_BYTES, so the parser need not decompress the
    file again, else None.

    The size in a gzip trailer is only the last member's, modulo 4 GB: a file of two members
    whose second is empty announces 0. Only counting the output is a bound. The rows are
    estimated from the line breaks on the way (quoted line breaks count too, hence the
    same 1.5 margin as for plain files).
    """
    import pyarrow as pa

    limit = limits.active()
    try:
        kept, lines = _inflated(path, display, keep=KEEP_GUNZIPPED_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(display, expected="a readable gzip-compressed CSV file",
                                  got=f"an error: {exc}") from None
    if lines - 1 > limit.max_rows * 1.5:
        limit.refuse(display, "a number of rows", f"about {lines - 1:,}", "max_rows",
                     limit.max_rows)
    return None if kept is None else pa.py_buffer(kept)


def _inflated(path: Path, display: str, keep: int) -> tuple[memoryview | None, int]:
    """The whole decompressed ``.gz`` file when it is at most ``keep`` bytes (else None, and
    nothing is held), and the line breaks in it; refused as soon as the output passes
    ``max_file_mb``. ISA-L's inflate is about three times zlib's. Its damaged-file error is
    raised as a ``zlib.error``, as the standard library's would be."""
    import io

    from isal import igzip, isal_zlib

    cap = limits.active().max_file_mb * limits.MB
    produced = lines = 0
    kept: io.BytesIO | None = io.BytesIO()
    try:
        with igzip.open(path, "rb") as fh:
            while chunk := fh.read(GUNZIP_CHUNK):
                produced += len(chunk)
                lines += chunk.count(b"\n")
                if produced > cap:
                    kept = None
                    _refuse_gunzipped(display)
                if kept is not None:
                    if produced > keep:
                        kept = None  # too big to hold: whoever needs it decompresses again
                    else:
                        kept.write(chunk)
    except isal_zlib.error as exc:
        raise zlib.error(str(exc)) from None
    return (None if kept is None else kept.getbuffer()), lines


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (which covers latin-1)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"  # pyarrow skips the UTF-8 byte-order mark itself
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A sample may end inside a multi-byte character: an incremental decoder tolerates that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _looks_binary(sample: bytes, encoding: str) -> str | None:
    if sample.startswith(b"PK\x03\x04"):
        return "a zip archive (an Excel .xlsx file renamed to .csv?)"
    if sample.startswith(b"PAR1"):
        return "a Parquet file"
    if sample.startswith(b"%PDF"):
        return "a PDF document"
    if encoding != "utf-16" and b"\x00" in sample[:4096]:
        return "binary data"
    head = sample[:4096]
    if head and encoding != "utf-16":
        control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
        if control / len(head) > 0.05:
            return "binary data"
    return None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most fields, ignoring quoted text."""
    counts = _delimiter_counts(header_line)
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def choose_delimiter(lines: list[str]) -> str:
    """The file's delimiter, decided once for every reader of the file.

    The real delimiter splits line after line into the same number of fields; a comma in a
    decimal ('1,5' in a semicolon file) or in a title ('Cedar & Finch, Inc.' above a tab
    separated report) does not. So: the delimiter whose most common count is shared by the
    most of the first lines, then the one splitting into more fields, then the first line's.
    """
    lines = [line for line in lines[:20] if line.strip()]
    best, best_key = ",", (0, 0, 0)
    for delimiter in DELIMITERS:
        counts = [_delimiter_counts(line)[delimiter] for line in lines]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode, agreeing = Counter(nonzero).most_common(1)[0]
        key = (agreeing, mode, counts[0])
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _delimiter_counts(line: str) -> dict[str, int]:
    unquoted, inside = [], False
    for ch in line:
        if ch == '"':
            inside = not inside
        elif not inside:
            unquoted.append(ch)
    text = "".join(unquoted)
    return {d: text.count(d) for d in DELIMITERS}


@dataclass(frozen=True)
class Head:
    """The start of a text file, read and decoded once: what detection, the grid reader and
    the CSV reader all need to know before parsing (encoding, delimiter, first lines).

    ``raw`` is up to ``SAMPLE_BYTES`` (gunzipped); ``complete`` says it is the whole file, so
    a reader of a small file never opens it twice. ``text`` is ``raw`` decoded, without a
    last line a sample may have cut.
    """

    raw: bytes
    complete: bool
    encoding: str
    text: str
    delimiter: str

    @property
    def first_line(self) -> str:
        """The first non-empty line: the header of a file that has one on top."""
        return next((line for line in self.text.splitlines() if line.strip()), "")


def head_of(path: Path, display: str) -> Head:
    """The decoded head of ``path``; read once per version of the file (size, mtime)."""
    status = require_regular(path, display)
    return _head(str(path), status.st_mtime_ns, status.st_size, display)


@lru_cache(maxsize=64)  # an engagement's files (20 in the samples), detected then read
def _head(path: str, _mtime: int, _size: int, display: str) -> Head:
    raw = read_head(Path(path), display, SAMPLE_BYTES + 1)
    complete = len(raw) <= SAMPLE_BYTES
    raw = raw[:SAMPLE_BYTES]
    encoding = detect_encoding(raw)
    try:
        # A sample may end inside a character: an incremental decoder keeps the rest back.
        decoder = codecs.getincrementaldecoder(
            "utf-8-sig" if encoding == "utf-8" else encoding)()
        text = decoder.decode(raw, final=complete)
    except UnicodeDecodeError:
        encoding = "cp1252"
        text = raw.decode(encoding, errors="replace")
    if not complete and "\n" in text:
        text = text[:text.rfind("\n")]  # the last line of a sample may be cut
    text = text.lstrip("\ufeff")
    return Head(raw, complete, encoding, text, choose_delimiter(text.split("\n", 21)[:20]))


def _read_csv(path: Path, text_columns: set[str], display: str) -> RawFile:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    head = head_of(path, display)
    sample = head.raw
    if not sample.strip():
        raise UnreadableFileError(display, expected="a CSV file with a header row",
                                  got="an empty file",
                                  hint="re-export the report; the file has no content")
    limit = limits.active()
    limit.check_rows_estimate(path, sample, display)
    encoding = head.encoding
    binary = _looks_binary(sample, encoding)
    if binary:
        raise UnreadableFileError(display, expected="a text CSV file", got=binary,
                                  hint="export the report as CSV, or give the file its real "
                                       "extension")
    gunzipped = None
    if path.name.lower().endswith(".gz"):
        # A whole small file is its head already; else the counting pass may hand back
        # the decompressed bytes, so that the parser does not decompress them again.
        gunzipped = pa.py_buffer(sample) if head.complete else check_gunzipped(path, display)
    delimiter = head.delimiter
    names = _split_header(head.first_line, delimiter)
    column_types = {raw: pa.string() for raw in names if normalize_name(raw) in text_columns}

    skipped: list[tuple[int, str]] = []

    def on_invalid(row) -> str:  # pyarrow.csv.InvalidRow
        number = row.number if row.number is not None and row.number >= 0 else -1
        skipped.append((number, f"expected {row.expected_columns} fields on the line, got "
                                f"{row.actual_columns}"))
        return "skip"

    # A block must hold the longest cell; one bigger than the limit fails the read and is
    # reported as such below.
    block_size = int(max(1 << 20, limit.max_field_kb * 1024 * 2))

    def attempt(enc: str, newlines: bool, threads: bool = True):
        skipped.clear()
        return pacsv.read_csv(
            path if gunzipped is None else pa.BufferReader(gunzipped),
            read_options=pacsv.ReadOptions(encoding=enc, use_threads=threads,
                                           block_size=block_size),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines,
                                              invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True,
                                                 column_types=column_types),
        )

    table = None
    errors = []
    newlines = False
    for enc, newlines in ((encoding, False), (encoding, True), ("cp1252", True)):
        try:
            table = attempt(enc, newlines)
            encoding = enc
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as exc:
            errors.append(str(exc).splitlines()[0])
    if table is not None and any(n < 0 for n, _ in skipped):
        # Line numbers of malformed rows are only known to a single-threaded read.
        table = attempt(encoding, newlines, threads=False)
    if table is None and any("straddling" in e or "block size" in e for e in errors):
        limit.refuse(display, "every cell", "a cell longer than a read block", "max_field_kb",
                     limit.max_field_kb)
    if table is None:
        raise UnreadableFileError(display, expected="a well-formed CSV file",
                                  got=f"a parse error: {errors[-1]}",
                                  hint="open it in a spreadsheet and save it again as CSV "
                                       "(UTF-8)")
    limit.check_rows(table.num_rows, display)
    _check_cells(table, limit, display)
    frame = _to_pandas(table)
    if len(frame.columns) != len(set(frame.columns)):
        dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        raise UnreadableFileError(display, expected="unique column names",
                                  got="repeated " + ", ".join(f"'{c}'" for c in dupes))
    row_numbers = None
    if skipped:
        bad = sorted(n for n, _ in skipped)
        row_numbers, good, i = [], 2, 0
        # Line numbers of kept rows: all data lines except the skipped ones (no quoted
        # newlines assumed when rows are ragged; the numbers are a best effort then).
        while len(row_numbers) < len(frame):
            if i < len(bad) and bad[i] == good:
                i += 1
            else:
                row_numbers.append(good)
            good += 1
    return RawFile(path, frame, encoding=encoding, delimiter=delimiter,
                   row_numbers=row_numbers, skipped=list(skipped))


def _check_cells(table, limit: limits.Limits, display: str) -> None:
    """Refuse a table holding a cell longer than the field limit (measured in Arrow)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            longest = pc.max(pc.binary_length(column)).as_py()
            if longest:
                limit.check_field(longest, display, name)


def _split_header(line: str, delimiter: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=delimiter)) if line else []


def _to_pandas(table) -> pd.DataFrame:
    """Arrow table -> pandas, dates as datetime64 (not Python date objects)."""
    return table.to_pandas(date_as_object=False)


def _read_xlsx(path: Path, sheet: str | int | None, display: str) -> RawFile:
    require_regular(path, display)
    check_xlsx(path, display, sheet)
    try:
        frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0,
                              engine="openpyxl")
    except ValueError as exc:
        raise UnreadableFileError(display, expected=f"a sheet named {sheet!r}",
                                  got=str(exc)) from None
    except Exception as exc:  # openpyxl raises many types for corrupt parts
        raise UnreadableFileError(display, expected="a readable Excel workbook",
                                  got=f"{type(exc).__name__}: {exc}",
                                  hint="open it in Excel and save it again") from None
    frame.columns = [str(c) for c in frame.columns]
    limit = limits.active()
    limit.check_rows(len(frame), display)
    check_frame_cells(frame, limit, display)
    return RawFile(path, frame)


def check_xlsx(path: Path, display: str, sheet: str | int | None = None) -> None:
    """Refuse a workbook before openpyxl reads it: a zip bomb (``check_workbook``), and a
    sheet whose grid (last row x last column, every empty cell filled in) has more rows than
    ``max_rows`` or would take more memory than ``max_file_mb`` once read.

    Detection and the reader both ask; the answer is kept per version of the file (size,
    mtime), sheet and limits, so a large sheet is scanned once."""
    status = require_regular(path, display)
    _check_xlsx(str(path), status.st_mtime_ns, status.st_size, display, sheet,
                limits.active())


@lru_cache(maxsize=16)
def _check_xlsx(name: str, _mtime: int, _size: int, display: str, sheet: str | int | None,
                limit: limits.Limits) -> None:
    from opskit.sources.extent import sheet_extent, sheet_part

    path = Path(name)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableFileError(display, expected="an Excel .xlsx workbook",
                                          got="a zip archive without a workbook")
            limit.check_workbook(path, archive, display)
            part = sheet_part(archive, sheet)
            if part is None or part not in names:
                return  # the reader names the missing sheet in its own words
            extent = sheet_extent(archive, part)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError,
            NotImplementedError, ElementTree.ParseError) as exc:
        raise UnreadableFileError(display, expected="an Excel .xlsx workbook",
                                  got=f"a file that is not a valid workbook ({exc})",
                                  hint="open it in Excel and save it again as .xlsx, or "
                                       "export CSV") from None
    limit.check_rows(max(extent.rows - 1, 0), display)
    if extent.memory > limit.max_file_mb * limits.MB:
        limit.refuse(display, "a sheet that fits in memory",
                     f"a grid of {extent.rows:,} rows x {extent.columns:,} columns (about "
                     f"{extent.memory / limits.MB:,.0f} MB once read, empty cells included)",
                     "max_file_mb", limit.max_file_mb)


def check_frame_cells(frame: pd.DataFrame, limit: limits.Limits, display: str) -> None:
    """Refuse a frame holding a text cell longer than ``max_field_kb`` (xlsx and Parquet;
    CSV cells are measured in Arrow, ``_check_cells``)."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue
        lengths = column.map(lambda v: len(v.encode("utf-8", "surrogatepass"))
                             if isinstance(v, str) else len(v) if isinstance(v, bytes) else 0)
        longest = int(lengths.max()) if len(lengths) else 0
        if longest:
            limit.check_field(longest, display, str(name))


def read_parquet(path: Path, display: str) -> RawFile:
    """A Parquet file as a frame, once its footer and dictionaries say it fits the limits; a
    damaged one is the client's file's problem (exit 2)."""
    from opskit.sources.extent import parquet_size, parquet_stored

    require_regular(path, display)
    limit = limits.active()
    cap = limit.max_file_mb * limits.MB
    try:
        rows, stored = parquet_stored(path)
        limit.check_rows(rows, display)
        if stored > cap:
            limit.refuse(display, "a decompressed size", f"{stored / limits.MB:,.0f} MB",
                         "max_file_mb", limit.max_file_mb)
        size = parquet_size(path)
        if size.decoded_bytes > cap:
            limit.refuse(display, "a decoded size",
                         f"{size.decoded_bytes / limits.MB:,.0f} MB once its {rows:,} rows "
                         "are decoded (dictionary-encoded values expanded)", "max_file_mb",
                         limit.max_file_mb)
        limit.check_field(size.longest_text, display, size.longest_column)
        frame = pd.read_parquet(path)
    except UnreadableFileError:
        raise
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError on corrupt files
        raise UnreadableFileError(display, expected="a Parquet file",
                                  got=f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                                  hint="write the file again, or export CSV") from None
    return RawFile(path, frame)
