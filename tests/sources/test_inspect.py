"""`opskit inspect FILE`: format, confidence, mapping, rows, checks; unknown formats exit 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rich.console import Console
from test_detect import EXPECTED

from opskit.cli import main
from opskit.sources.adapters import ADAPTERS
from opskit.sources.inspect import inspect_command

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"


def run(path: Path) -> tuple[int, str]:
    buffer = io.StringIO()
    code = inspect_command(path, Console(file=buffer, width=240, color_system=None))
    return code, buffer.getvalue()


def test_inspect_known_export_prints_everything():
    """Format and confidence, menu path, line accounting, mapping, rows and checks."""
    code, text = run(EXPORTS / "qbo_general_ledger.csv")
    assert code == 0
    assert ("qbo_general_ledger.csv: QuickBooks Online General Ledger report "
            "(quickbooks.general_ledger), confidence 80%") in text
    assert "Reports > General Ledger > Customize (add Account Type" in text
    assert ("lines: 27 = 8 data rows + 19 structure rows (title block 3, header row 1, blank "
            "rows 2, headings 5, 'Total' rows 6, beginning balances 1, footer 1)") in text
    assert "│ amount           │ yes      │ Amount" in text
    assert "│ gl_entries │    8 │    7 │         1 │ Amount: unreadable (1)" in text
    assert "Checks assessable with this file: none alone" in text
    assert "integration.revenue_reconciliation (also needs orders)" in text
    assert "account types inferred" in text


def test_inspect_multi_table_export():
    """A Shopify orders export shows both tables it feeds and the checks it opens."""
    code, text = run(EXPORTS / "shopify_orders_export.csv")
    assert code == 0
    assert "Column mapping: orders" in text and "Column mapping: order_lines" in text
    assert "│ orders      │    5 │    4 │         1 │ Created at: no_order_fields (1)" in text
    assert "marketing.discount_leakage" in text.split("Checks assessable with this file:")[1]


def test_inspect_canonical_file():
    """A canonical table file is recognised as such, mapped column to column."""
    sample = EXPORTS.parent.parent.parent / "data" / "samples" / "dtc" / "data" / "people.csv"
    code, text = run(sample)
    assert code == 0
    assert "canonical people table (canonical.people), confidence 100%" in text
    assert "│ people │   23 │   23 │         0 │ -" in text
    assert "efficiency.ops_headcount_vs_growth" in text


def test_inspect_unknown_format_exits_2_with_closest_matches(capsys):
    """An unknown format: exit code 2, the closest formats and their missing columns."""
    code, text = run(EXPORTS / "unknown_export.csv")
    assert code == 2
    assert "unknown format: unknown_export.csv: columns 'Order Name'" in text
    assert "Closest formats" in text and "missing columns" in text
    assert main(["inspect", str(EXPORTS / "unknown_export.csv")]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "Closest formats" in out.out


def test_inspect_missing_file_is_an_error_not_a_traceback(capsys, tmp_path):
    """A path with no file exits 2 with the reader's message."""
    assert main(["inspect", str(tmp_path / "nothere.csv")]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "nothere.csv" in out.err


@pytest.mark.parametrize("name", sorted(n for n, a in EXPECTED.items() if a))
def test_inspect_names_system_layout_and_mapping(name):
    """Every export fixture: its format and system, where its header is, each table's mapping."""
    adapter = ADAPTERS[EXPECTED[name]]
    code, text = run(EXPORTS / name)
    assert code == 0
    assert f"{name}: {adapter.name} ({adapter.id}), confidence" in text
    assert f"  system: {adapter.system}\n" in text
    assert "  layout: " in text
    for table in adapter.feeds:
        assert f"Column mapping: {table}" in text


@pytest.mark.parametrize("name,layout", [
    ("qbo_general_ledger.csv", "report 'General Ledger': header on line 5, under a title block"),
    ("amazon_date_range.csv", "header on line 6, after 5 preamble lines"),
    ("asterisk_Master.csv", "no header row: 21 fixed columns, accountcode, src, dst, dcontext, "
                            "clid, ..."),
    ("shopify_products_2023.csv", "header row on line 1"),
])
def test_inspect_layout_lines(name, layout):
    """The layout line says where the data sits: title block, preamble, no header, header."""
    code, text = run(EXPORTS / name)
    assert code == 0
    assert f"  layout: {layout}\n" in text


@pytest.mark.parametrize("name,read_as", [
    ("shopify_orders_export.csv", "UTF-8 text, comma-separated"),
    ("amazon_all_orders.txt", "UTF-8 text, tab-separated"),
])
def test_inspect_says_how_the_bytes_were_read(name, read_as):
    """The encoding and delimiter every reader of the file used."""
    code, text = run(EXPORTS / name)
    assert code == 0
    assert f"  read as: {read_as}\n" in text


def test_inspect_names_the_optional_columns_a_layout_generation_lacks(tmp_path):
    """A pre-2023 products export without Product Category: read, and the absence named."""
    rows = list(csv.reader((EXPORTS / "shopify_products_2023.csv").open(encoding="utf-8-sig")))
    at = rows[0].index("Product Category")
    path = tmp_path / "products_export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(row[:at] + row[at + 1:] for row in rows)
    code, text = run(path)
    assert code == 0
    assert "  optional columns not in this file: Product Category\n" in text
    assert "│ category         │          │ Type" in text


def test_inspect_unknown_layout_names_the_closest_and_what_differs(tmp_path):
    """A products export whose SKU column was renamed: closest is the Shopify products export,
    with the missing required column and the columns it does not know (0.7 x 5/6 required
    + 0.3 x 9/9 optional = 88%)."""
    rows = list(csv.reader((EXPORTS / "shopify_products_2023.csv").open(encoding="utf-8-sig")))
    rows[0] = ["Item code" if c == "Variant SKU" else c for c in rows[0]]
    path = tmp_path / "products_export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    code, text = run(path)
    assert code == 2
    closest_line = " ".join(text.split("Closest known layout: ")[1].split())
    assert closest_line.startswith(
        "Shopify products export (shopify.products), 88% of its columns; missing required "
        "column 'Variant SKU'; columns that export does not have: 'Body (HTML)', 'Tags', "
        "'Option2 Name', 'Option2 Value', 'Option3 Name', 'Option3 Value', 'Item code', "
        "'Variant Inventory Tracker'")
