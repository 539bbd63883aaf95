"""Input limits: oversized files, too many rows, huge cells and zip bombs are refused early."""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

from opskit.cli import main
from opskit.engagement import Engagement
from opskit.errors import ConfigError, UnreadableFileError
from opskit.sources import limits as limits_module


def engagement(folder: Path, limits: str = "", table: str = "orders",
               name: str = "orders.csv") -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    text = f"client: Limits Co\nfiles:\n  {table}: data/{name}\n"
    if limits:
        text += f"limits: {limits}\n"
    (folder / "engagement.yaml").write_text(text)
    return folder / "data" / name


def orders_csv(path: Path, rows: int, memo: str = "") -> None:
    with path.open("w") as fh:
        fh.write("order_id,ordered_at,total,channel\n")
        for i in range(rows):
            fh.write(f"{i},2026-07-01,10.5,{memo or 'web'}\n")


def test_file_over_the_size_limit_names_the_limit(tmp_path):
    """A file bigger than max_file_mb is refused with the limit and how to raise it."""
    orders_csv(engagement(tmp_path, "{max_file_mb: 0.01}"), 2000)
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    message = info.value.message
    assert "max_file_mb limit (0.01)" in message and "limits: {max_file_mb:" in message


def test_the_hint_is_yaml_that_raises_the_limit(tmp_path):
    """The hint's setting can be pasted into engagement.yaml as written: 80000000, not
    '8e+07' (text to YAML) nor '80,000,000' (two keys in a flow mapping)."""
    from opskit.config import read_yaml

    limit = limits_module.Limits(max_rows=20_000_000)
    with pytest.raises(UnreadableFileError) as info:
        limit.check_rows(20_000_001, "orders.csv")
    hint = info.value.hint.split("engagement.yaml: ")[1]
    assert hint == "limits: {max_rows: 80000000}"
    (tmp_path / "hint.yaml").write_text(hint + "\n")
    assert read_yaml(tmp_path / "hint.yaml") == {"limits": {"max_rows": 80_000_000}}


def test_too_many_rows(tmp_path):
    """A file with more rows than max_rows is refused."""
    orders_csv(engagement(tmp_path, "{max_rows: 100}"), 150)
    with pytest.raises(UnreadableFileError, match="max_rows limit"):
        Engagement.load(tmp_path)


def test_ten_megabyte_cell_is_refused(tmp_path):
    """A CSV with a 10 MB field is refused, naming the field limit."""
    path = engagement(tmp_path)
    path.write_text("order_id,ordered_at,total,channel\n1,2026-07-01,1,web\n"
                    f"2,2026-07-01,1,{'x' * 10 * 2**20}\n")
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert "max_field_kb limit (1,024)" in info.value.message


def test_cell_over_a_lowered_field_limit_names_the_column(tmp_path):
    """A cell longer than a lowered max_field_kb is refused with its column."""
    orders_csv(engagement(tmp_path, "{max_field_kb: 1}"), 3, memo="y" * 5000)
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert "column 'channel'" in info.value.message and "5 KB" in info.value.message


def test_xlsx_zip_bomb_is_refused(tmp_path):
    """A workbook whose parts inflate 1000-fold is refused before openpyxl opens it."""
    path = engagement(tmp_path, name="orders.xlsx")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (40 * 2**20))
    assert path.stat().st_size < 200_000
    with pytest.raises(UnreadableFileError, match="max_xlsx_ratio"):
        Engagement.load(tmp_path)


def test_bad_limits_are_config_errors(tmp_path, capsys):
    """Unknown or non-positive limits are configuration errors (exit 2)."""
    engagement(tmp_path, "{max_rowz: 5}")
    with pytest.raises(ConfigError, match="max_rowz"):
        Engagement.load(tmp_path)
    engagement(tmp_path, "{max_rows: -1}")
    assert main(["validate", str(tmp_path)]) == 2
    assert "positive number" in capsys.readouterr().err


def test_large_file_is_refused_with_bounded_memory(tmp_path):
    """A 200 MB file over the row limit is refused from its first block: peak memory stays
    far below the file's size (measured with resource in a fresh process)."""
    path = engagement(tmp_path, "{max_rows: 100000}")
    line = "1234567,2026-07-01 10:00:00,1234.56," + "w" * 40 + "\n"
    with path.open("w") as fh:
        fh.write("order_id,ordered_at,total,channel\n")
        block = line * 10_000
        for _ in range(200 * 2**20 // len(block)):
            fh.write(block)
    script = textwrap.dedent(f"""
        import resource, json
        from opskit.engagement import Engagement
        from opskit.errors import UnreadableFileError
        import pandera.pandas, pyarrow.csv
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            Engagement.load({str(tmp_path)!r})
            outcome = "loaded"
        except UnreadableFileError as exc:
            outcome = exc.message
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({{"outcome": outcome, "grew_mb": (after - before) / 1024}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "max_rows limit" in result["outcome"]
    assert result["grew_mb"] < 50


# ---------------------------------------------------------------------------------------
# Small files that eat the machine: each bomb is made here, at test time (none is committed)
# ---------------------------------------------------------------------------------------
HEADER = b"order_id,ordered_at,total,channel\n"
ROW = b"1,2026-07-01,10.5,web\n"
SHEET_HEADER = [("A1", "order_id"), ("B1", "ordered_at"), ("C1", "total"), ("D1", "channel")]


def gzip_bomb(path: Path, megabytes: int) -> None:
    """A CSV of ``megabytes`` MB of rows in a gzip member, then an empty member: the trailer
    of the file (the last member's) says 0 bytes. The compressed rows are one deflate block
    repeated (each ends with a full flush, so it stands alone), so a 2 GB bomb is made in a
    second without 2 GB of memory."""
    chunk = ROW * ((1 << 20) // len(ROW))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(HEADER) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    assert block == packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(HEADER)
    for _ in range(megabytes + 1):
        crc = zlib.crc32(chunk, crc)
    size = len(HEADER) + len(chunk) * (megabytes + 1)
    member = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first + block * (megabytes + 1)
              + packer.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF))
    path.write_bytes(member + gzip.compress(b""))


def xlsx_workbook(path: Path, cells: list[tuple[str, object]],
                  dimension: str | None = None, refs: bool = True, raw: str = "") -> None:
    """A minimal valid workbook (the parts ECMA-376 requires) with one sheet 'Orders' holding
    ``cells`` as (reference, value); ``refs=False`` writes rows and cells without their
    ``r`` reference, placed by their order as the format allows; ``raw`` is sheet XML
    appended after the rows."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        number = int("".join(ch for ch in ref if ch.isdigit()))
        at = f' r="{ref}"' if refs else ""
        if isinstance(value, str):
            rows.setdefault(number, []).append(
                f'<c{at} t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            rows.setdefault(number, []).append(f"<c{at}><v>{value}</v></c>")
    body = "".join("<row" + (f' r="{n}"' if refs else "") + ">" + "".join(c) + "</row>"
                   for n, c in sorted(rows.items()))
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{kind}.worksheet+xml"/></Types>',
        "_rels/.rels":
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<workbook xmlns="{main_ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet xmlns="{main_ns}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "")
            + f"<sheetData>{body}{raw}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def sheet_rows(count: int, channel: str = "web") -> list[tuple[str, object]]:
    """The header and ``count`` order rows as workbook cells."""
    cells = list(SHEET_HEADER)
    for row in range(2, count + 2):
        cells += [(f"A{row}", row), (f"B{row}", "2026-07-01"), (f"C{row}", 10.5),
                  (f"D{row}", channel)]
    return cells


def parquet_orders(path: Path, rows: int, channel: str = "web") -> None:
    """An orders Parquet file whose text columns are dictionary-encoded: one distinct value
    each, stored once however many rows repeat it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    zeros = pa.array(np.zeros(rows, dtype=np.int32))

    def repeated(text: str) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(zeros, pa.array([text]))

    table = pa.table({"order_id": repeated("1"), "ordered_at": repeated("2026-07-01"),
                      "total": pa.array(np.full(rows, 10.5)), "channel": repeated(channel)})
    pq.write_table(table, path, compression="zstd")


def validate(folder: Path, *command: str) -> subprocess.CompletedProcess:
    """``opskit <command> folder`` in a fresh process, with a time-out so that a file that
    blocks (a FIFO) fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-m", "opskit", *(command or ("validate",)),
                           str(folder)], capture_output=True, text=True, timeout=300)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_two_member_gzip_is_counted_by_bytes_produced(tmp_path):
    """A gzip whose trailer says 0 but which inflates to 5 MB is refused at max_file_mb 1,
    counted while decompressing."""
    path = engagement(tmp_path, "{max_file_mb: 1}", name="orders.csv.gz")
    gzip_bomb(path, 4)
    assert struct.unpack("<I", path.read_bytes()[-4:]) == (0,)
    assert path.stat().st_size < 60_000
    done = validate(tmp_path)
    assert done.returncode == 2, done.stderr
    assert ("data/orders.csv.gz: expected an uncompressed size within the max_file_mb limit "
            "(1), got more than 1 MB once decompressed (counted while decompressing, "
            "whatever the gzip trailer says)") in flat(done.stderr)


def test_gzip_within_the_limit_still_loads(tmp_path):
    """A two-member gzip that stays under max_file_mb is read whole: 1 MB of rows, counted."""
    path = engagement(tmp_path, "{max_file_mb: 4}", name="orders.csv.gz")
    gzip_bomb(path, 0)
    rows = (1 << 20) // len(ROW)
    loaded = Engagement.load(tmp_path)
    assert loaded.quality["orders"].rows_read == rows


@pytest.mark.parametrize("command", ["validate", "run", "inspect"])
def test_fifo_is_named_and_never_opened(tmp_path, command):
    """A FIFO named data/orders.csv is refused by validate, run and inspect (exit 2, the
    file named) instead of blocking on open forever."""
    path = engagement(tmp_path)
    os.mkfifo(path)
    target = path if command == "inspect" else tmp_path
    args = ("run", "--out", str(tmp_path / "out")) if command == "run" else (command,)
    done = validate(target, *args)
    assert done.returncode == 2, done.stderr
    name = "orders.csv" if command == "inspect" else "data/orders.csv"
    assert (f"{name}: expected a regular file, got a named pipe (FIFO), which would wait "
            "for a writer forever") in flat(done.stderr)
    assert "Traceback" not in done.stderr


def test_unmapped_fifo_in_data_is_named(tmp_path):
    """A FIFO in data/ that engagement.yaml does not map is named too, not opened."""
    (tmp_path / "data").mkdir()
    (tmp_path / "engagement.yaml").write_text("client: Limits Co\n")
    os.mkfifo(tmp_path / "data" / "orders.csv")
    done = validate(tmp_path)
    assert done.returncode == 2
    assert "data/orders.csv: expected a regular file, got a named pipe (FIFO)" in flat(
        done.stderr)


def test_sparse_workbook_is_refused_by_its_extent(tmp_path):
    """A 2 KB workbook with one cell at row 50,000 and one at column 2,000 (BXX) is refused
    from its sheet's extent, before openpyxl pads it into a 100-million-cell grid."""
    path = engagement(tmp_path, name="orders.xlsx")
    xlsx_workbook(path, [*sheet_rows(1), ("A50000", 2), ("BXX3", 1)])
    assert path.stat().st_size < 3_000
    done = validate(tmp_path)
    assert done.returncode == 2, done.stderr
    assert ("data/orders.xlsx: expected a sheet that fits in memory within the max_file_mb "
            "limit (2,048), got a grid of 50,000 rows x 2,000 columns (about 3,052 MB once "
            "read, empty cells included)") in flat(done.stderr)


def test_workbook_rows_over_max_rows(tmp_path):
    """max_rows holds for a workbook: 5 data rows at max_rows 3 are refused."""
    xlsx_workbook(engagement(tmp_path, "{max_rows: 3}", name="orders.xlsx"), sheet_rows(5))
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert info.value.message.startswith(
        "data/orders.xlsx: expected a number of rows within the max_rows limit (3), got 5.")


def test_workbook_cell_over_max_field_kb(tmp_path):
    """max_field_kb holds for a workbook: a 3,000-byte cell at max_field_kb 1 is refused,
    naming its column."""
    path = engagement(tmp_path, "{max_field_kb: 1}", name="orders.xlsx")
    xlsx_workbook(path, sheet_rows(2, channel="y" * 3000))
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert info.value.message.startswith(
        "data/orders.xlsx, column 'channel': expected every cell within the max_field_kb "
        "limit (1), got a cell of 3 KB.")


def test_workbook_within_limits_loads(tmp_path):
    """A workbook inside every limit loads with its rows counted (3 read, 3 used)."""
    xlsx_workbook(engagement(tmp_path, "{max_rows: 3}", name="orders.xlsx"), sheet_rows(3))
    quality = Engagement.load(tmp_path).quality["orders"]
    assert (quality.rows_read, quality.rows_used, quality.rows_set_aside) == (3, 3, 0)


def test_sheet_extent_counts_rows_and_cells_without_references(tmp_path):
    """Rows and cells written without 'r' are placed by their order: 3 rows, 4 columns; a
    dimension wider than the cells widens the grid (openpyxl pads rows to it)."""
    from opskit.sources.extent import column_number, sheet_extent

    path = tmp_path / "plain.xlsx"
    xlsx_workbook(path, sheet_rows(2), refs=False)
    with zipfile.ZipFile(path) as archive:
        extent = sheet_extent(archive, "xl/worksheets/sheet1.xml")
    assert (extent.rows, extent.columns) == (3, 4)
    xlsx_workbook(path, sheet_rows(2), dimension="A1:XFD3")
    with zipfile.ZipFile(path) as archive:
        extent = sheet_extent(archive, "xl/worksheets/sheet1.xml")
    assert (extent.rows, extent.columns) == (3, column_number("XFD")) == (3, 16384)


def test_sheet_extent_sees_references_the_pattern_cannot(tmp_path):
    """A lower-case reference, a row number with a space, and a reference behind a 5 MB
    attribute are all found (the last by the XML parser): the grid reaches row 50,000 and
    column BXX (2,000)."""
    from opskit.sources.extent import sheet_extent

    path = tmp_path / "odd.xlsx"
    hidden = '<row r="4"><c x="' + "a" * (5 << 20) + '" r="BXX4"><v>1</v></c></row>'
    xlsx_workbook(path, sheet_rows(1), raw='<row r="3"><c r="bw3"><v>1</v></c></row>'
                  + hidden + '<row r=" 50000"><c r="A50000"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as archive:
        extent = sheet_extent(archive, "xl/worksheets/sheet1.xml")
    assert (extent.rows, extent.columns) == (50_000, 2_000)
    xlsx_workbook(path, sheet_rows(1), raw='<row r="3"><c r="bxx3"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as archive:
        extent = sheet_extent(archive, "xl/worksheets/sheet1.xml")
    assert (extent.rows, extent.columns) == (3, 2_000)


def test_damaged_sheet_met_while_measuring_is_a_file_error(tmp_path):
    """A sheet whose XML breaks off (met by the exact count) is the file's problem, exit 2."""
    path = engagement(tmp_path, name="orders.xlsx")
    xlsx_workbook(path, sheet_rows(1), raw='<row><c><v>1</v></c></row><row r="3"><c r="A3">')
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert info.value.message.startswith(
        "data/orders.xlsx: expected an Excel .xlsx workbook, got a file that is not a valid "
        "workbook (mismatched tag")


def test_dictionary_encoded_parquet_is_refused_by_decoded_size(tmp_path):
    """A ~300 KB Parquet file whose one 1,000-character text repeats over 2.6 million rows
    (2.6 GB decoded) is refused from its dictionaries, before it is decoded."""
    path = engagement(tmp_path, name="orders.parquet")
    parquet_orders(path, 2_600_000, channel="w" * 1000)
    assert path.stat().st_size < 400_000
    done = validate(tmp_path)
    assert done.returncode == 2, done.stderr
    assert ("data/orders.parquet: expected a decoded size within the max_file_mb limit "
            "(2,048), got 2,586 MB once its 2,600,000 rows are decoded (dictionary-encoded "
            "values expanded)") in flat(done.stderr)


def test_parquet_rows_over_max_rows(tmp_path):
    """max_rows holds for Parquet, from the file's footer: 5 rows at max_rows 3."""
    parquet_orders(engagement(tmp_path, "{max_rows: 3}", name="orders.parquet"), 5)
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert info.value.message.startswith(
        "data/orders.parquet: expected a number of rows within the max_rows limit (3), "
        "got 5.")


def test_parquet_cell_over_max_field_kb(tmp_path):
    """max_field_kb holds for Parquet: a 3,000-byte text at max_field_kb 1, column named."""
    path = engagement(tmp_path, "{max_field_kb: 1}", name="orders.parquet")
    parquet_orders(path, 2, channel="y" * 3000)
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(tmp_path)
    assert info.value.message.startswith(
        "data/orders.parquet, column 'channel': expected every cell within the max_field_kb "
        "limit (1), got a cell of 3 KB.")


def test_inspect_names_the_limit_a_bomb_breaks(tmp_path):
    """`opskit inspect` on the sparse workbook exits 2 with the reader's own message."""
    path = tmp_path / "orders.xlsx"
    xlsx_workbook(path, [*sheet_rows(1), ("A50000", 2), ("BXX3", 1)])
    done = validate(path, "inspect")
    assert done.returncode == 2
    assert flat(done.stderr).startswith(
        "error: orders.xlsx: expected a sheet that fits in memory within the max_file_mb "
        "limit (2,048), got a grid of 50,000 rows x 2,000 columns")


CAP = 2 << 30  # 2 GB: the promise is that loading any bomb stays under it
CAPPED = textwrap.dedent("""
    import json, resource, subprocess, sys
    cap = int(sys.argv[1])

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    done = subprocess.run(sys.argv[2:], preexec_fn=limit, capture_output=True, text=True,
                          timeout=600)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"code": done.returncode, "peak": peak, "err": done.stderr}))
""")


def bomb_folders(root: Path) -> dict[str, tuple[Path, str]]:
    """Each bomb in an engagement of its own under the default limits, with the words its
    refusal must contain."""
    cases: dict[str, tuple[Path, str]] = {}

    def folder(name: str, file: str | None) -> Path:
        base = root / name
        if file is None:
            base.mkdir(parents=True)
            return base
        return engagement(base, name=file)

    gzip_bomb(folder("gzip", "orders.csv.gz"), 2100)
    cases["gzip"] = (root / "gzip", "got more than 2,048 MB once decompressed")
    xlsx_workbook(folder("xlsx", "orders.xlsx"),
                  [*sheet_rows(1), ("A50000", 2), ("BXX3", 1)])
    cases["xlsx"] = (root / "xlsx", "got a grid of 50,000 rows x 2,000 columns")
    parquet_orders(folder("parquet", "orders.parquet"), 2_600_000, channel="w" * 1000)
    cases["parquet"] = (root / "parquet", "got 2,586 MB once its 2,600,000 rows are decoded")
    bad = Path(__file__).parent / "data" / "bad"
    for case, words in (("yaml_billion_laughs", "at most 100,000 values once aliases"),
                        ("yaml_deep_nesting", "nested at most 64 levels deep")):
        target = folder(case, None)
        (target / "engagement.yaml").write_bytes((bad / case / "engagement.yaml").read_bytes())
        cases[case] = (target, words)
    return cases


def test_bombs_stay_under_two_gigabytes(tmp_path):
    """Every bomb, loaded by `opskit validate` under the default limits in a process capped
    at 2 GB of address space, exits 2 with its message; its peak resident memory (the
    child's ru_maxrss) stays under 2 GB."""
    for name, (folder, words) in bomb_folders(tmp_path).items():
        done = subprocess.run(
            [sys.executable, "-c", CAPPED, str(CAP), sys.executable, "-m", "opskit",
             "validate", str(folder)], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["code"] == 2, (name, result["err"][-2000:])
        assert words in flat(result["err"]), (name, result["err"][-2000:])
        assert "Traceback" not in result["err"]
        assert result["peak"] < CAP, name
