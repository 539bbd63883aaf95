"""Input limits: oversized files, too many rows, huge cells and zip bombs are refused early."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from opskit.cli import main
from opskit.engagement import Engagement
from opskit.errors import ConfigError, UnreadableFileError


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
    import json

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "max_rows limit" in result["outcome"]
    assert result["grew_mb"] < 50
