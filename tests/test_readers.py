"""Reading raw files: encodings, delimiters, and value parsing."""

from __future__ import annotations

import gzip
import os
import socket
from pathlib import Path

import pandas as pd
import pytest

from opskit.errors import UnreadableFileError
from opskit.sources import limits
from opskit.sources.parse import parse_bool, parse_datetime, parse_number, parse_text
from opskit.sources.readers import (
    check_gunzipped,
    detect_encoding,
    normalize_name,
    read_head,
    require_regular,
    sniff_delimiter,
)


def test_normalize_name():
    """Headers match canonical names regardless of case, spaces and punctuation."""
    assert normalize_name(" Order ID ") == "order_id"
    assert normalize_name("Shipped-At (UTC)") == "shipped_at_utc"


def test_detect_encoding():
    """BOM, UTF-8 and Windows-1252 bytes are told apart."""
    assert detect_encoding(b"\xef\xbb\xbfa,b") == "utf-8"
    assert detect_encoding("Müller".encode()) == "utf-8"
    assert detect_encoding("Müller".encode("cp1252")) == "cp1252"
    assert detect_encoding("a".encode("utf-16")) == "utf-16"


def test_sniff_delimiter_ignores_quoted_text():
    """The delimiter is the one that splits the header most, outside quotes."""
    assert sniff_delimiter('a;b;"c,d,e"') == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("single") == ","


def test_parse_number_marks_unreadable_values():
    """Money strings read; text that is not a number is flagged, not turned into NaN."""
    values, bad = parse_number(pd.Series(["$1,234.56", "(2.50)", "1,5", "abc", None, "7"]))
    assert values.tolist()[:2] == [1234.56, -2.5]
    assert values.iloc[5] == 7.0
    assert bad.tolist() == [False, False, True, True, False, False]


def test_parse_datetime_and_bool_and_text():
    """Dates in several layouts, yes/no booleans, and ids read from floats."""
    dates, bad = parse_datetime(pd.Series(["2026-07-01", "07/02/2026", "nope"]))
    assert [str(d.date()) for d in dates[:2]] == ["2026-07-01", "2026-07-02"]
    assert bad.tolist() == [False, False, True]
    # pandas alone reads '/1' as the year 0: dates outside 1900-2199 are bad values.
    dates, bad = parse_datetime(pd.Series(["/1", "0001-01-01", "1899-12-31", "1900-01-01",
                                           "2199-12-31 23:00", "2200-01-01", None]))
    assert bad.tolist() == [True, True, True, False, False, True, False]
    assert dates.notna().tolist() == [False, False, False, True, True, False, False]
    # The same rule for dates that arrive typed (xlsx date cells, parquet): 9999-12-31 as
    # "never" is a bad value, not the end of the period.
    typed = pd.Series(pd.to_datetime(["2026-07-01", "9999-12-31", None]))
    dates, bad = parse_datetime(typed)
    assert bad.tolist() == [False, True, False] and dates.notna().tolist() == [True, False,
                                                                                False]
    flags, bad = parse_bool(pd.Series(["Yes", "n", "perhaps"]))
    assert flags.tolist()[:2] == [True, False] and bad.tolist() == [False, False, True]
    ids, _ = parse_text(pd.Series([1001.0, None]))
    assert ids.iloc[0] == "1001" and pd.isna(ids.iloc[1])
    # A float column with 'INF' or a huge value is text as read, not an integer overflow.
    ids, _ = parse_text(pd.Series([float("inf"), -float("inf"), 1e300, 2.0**53, 7.0]))
    assert ids.tolist() == ["inf", "-inf", "1e+300", "9007199254740992.0", "7"]


def test_only_regular_files_pass(tmp_path):
    """A regular file passes; a folder, a FIFO, a socket, a device and a missing path are
    each named for what they are, without being opened."""
    (tmp_path / "ok.csv").write_text("a\n1\n")
    assert require_regular(tmp_path / "ok.csv", "ok.csv").st_size == 4
    os.mkfifo(tmp_path / "pipe.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.csv"))
    try:
        cases = {tmp_path: "a folder",
                 tmp_path / "pipe.csv": "a named pipe (FIFO), which would wait for a writer "
                                        "forever",
                 tmp_path / "sock.csv": "a socket",
                 tmp_path / "nothere.csv": "nothing"}
        if os.path.exists("/dev/zero"):
            cases[Path("/dev/zero")] = "a character device"
        for path, kind in cases.items():
            with pytest.raises(UnreadableFileError) as info:
                require_regular(path, "data/x.csv")
            assert info.value.message.startswith("data/x.csv: expected ")
            assert f"got {kind}." in info.value.message
    finally:
        server.close()


def test_symlink_to_a_fifo_is_refused(tmp_path):
    """A symlink is judged by what it points at: a link to a FIFO is a FIFO."""
    os.mkfifo(tmp_path / "pipe")
    os.symlink(tmp_path / "pipe", tmp_path / "orders.csv")
    with pytest.raises(UnreadableFileError, match="named pipe"):
        read_head(tmp_path / "orders.csv", "orders.csv")


def test_gunzipped_bytes_are_counted_not_announced(tmp_path):
    """Two members, the second empty (trailer: 0 bytes): 2 MB of output is refused at a
    1 MB limit, both by the counting pass and by a whole-file read."""
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * (1 << 19)) + gzip.compress(b""))
    with limits.using(limits.Limits(max_file_mb=1)):
        for read in (lambda: check_gunzipped(path, "orders.csv.gz"),
                     lambda: read_head(path, "orders.csv.gz", -1)):
            with pytest.raises(UnreadableFileError) as info:
                read()
            assert info.value.message.startswith(
                "orders.csv.gz: expected an uncompressed size within the max_file_mb limit "
                "(1), got more than 1 MB once decompressed")
    with limits.using(limits.Limits(max_file_mb=3)):
        check_gunzipped(path, "orders.csv.gz")
        assert len(read_head(path, "orders.csv.gz", -1)) == 4 + 4 * (1 << 19)


def test_gunzipped_lines_estimate_rows(tmp_path):
    """The counting pass also counts line breaks: 1,000 rows at max_rows 100 are refused."""
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 1000))
    with limits.using(limits.Limits(max_rows=100)), pytest.raises(UnreadableFileError) as info:
        check_gunzipped(path, "orders.csv.gz")
    assert "max_rows limit (100), got about 1,000" in info.value.message


def test_gunzipped_bytes_are_kept_for_the_parser_up_to_a_bound(tmp_path, monkeypatch):
    """A .gz export bigger than the head sample is decompressed once: the counting pass hands
    the parser exactly the file's bytes (two members included). Above the keeping bound the
    pass keeps nothing and the parser decompresses the file itself; both read the same."""
    from opskit.sources import readers

    body = b"order_id,total\n" + b"".join(b"A%06d,%d.50\n" % (i, i) for i in range(30_000))
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(body[:200_000]) + gzip.compress(body[200_000:]))
    assert len(body) > readers.SAMPLE_BYTES
    assert check_gunzipped(path, "orders.csv.gz").to_pybytes() == body
    kept = readers.read_file(path, display="orders.csv.gz").frame
    monkeypatch.setattr(readers, "KEEP_GUNZIPPED_BYTES", 1 << 16)
    assert check_gunzipped(path, "orders.csv.gz") is None
    streamed = readers.read_file(path, display="orders.csv.gz").frame
    pd.testing.assert_frame_equal(kept, streamed)
    assert len(kept) == 30_000
    assert kept["order_id"].iloc[-1] == "A029999"
    assert kept["total"].sum() == sum(i + 0.5 for i in range(30_000))


def test_whole_file_read_is_within_max_file_mb(tmp_path):
    """Reading a whole plain file (report layouts read as a grid) checks max_file_mb first:
    2 MB at a 1 MB limit is refused."""
    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * (1 << 19))
    with limits.using(limits.Limits(max_file_mb=1)), pytest.raises(UnreadableFileError) as info:
        read_head(path, "report.csv", -1)
    assert info.value.message.startswith(
        "report.csv: expected a file size within the max_file_mb limit (1), got 2 MB.")
