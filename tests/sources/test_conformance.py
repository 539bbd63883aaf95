"""The conformance corpus: one fixture per layout generation a vendor documents or the field shows.

Each fixture under tests/data/exports/conformance/<system>/ is written from the vendor's
documented column layout (never copied from a third-party file) and sits beside
``<fixture name>.expected.json``, its expected reading computed independently of opskit::

    {"adapter": "shopify.products",            # the adapter detection must pick
     "layout": "products CSV before Product Category (pre-2023)",
     "source": "where the layout was read (vendor help page, documented schema)",
     "options": {"timezone": "America/Chicago"},  # optional: FileSpec settings of the engagement
     "tables": {"products": {"read": 3, "used": 3, "set_aside": 0,
                             "reasons": {"sku: not_nullable": 0},      # optional, exact
                             "sums": {"price": 123.45},                 # optional, to the cent
                             "values": [{"row": 0, "column": "sku", "value": "TEE-S"}]}}}

``values`` pins cells of the used frame (row = position in the loaded table); a date is written
as ISO text, a missing value as null. The test below is the whole contract: detection, rows
read = used + set aside with the pinned counts, key sums and a few exact values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from opskit.config import FileSpec
from opskit.sources.detect import detect
from opskit.sources.load import load_table

CORPUS = Path(__file__).resolve().parent.parent / "data" / "exports" / "conformance"
CASES = sorted(p for p in CORPUS.rglob("*.expected.json"))


def fixture_of(expected_path: Path) -> Path:
    """The export file an ``.expected.json`` describes (same name without the suffix)."""
    return expected_path.with_name(expected_path.name[: -len(".expected.json")])


def case_id(expected_path: Path) -> str:
    return str(fixture_of(expected_path).relative_to(CORPUS))


def load_case(expected_path: Path) -> tuple[dict, dict]:
    """The expected reading and {table: LoadedTable} of the fixture read through its adapter."""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    path = fixture_of(expected_path)
    options = expected.get("options", {})
    loaded = {table: load_table(table, [FileSpec(table, path.resolve(), path.name,
                                                 adapter=expected["adapter"], **options)])
              for table in expected["tables"]}
    return expected, loaded


def as_expected(value: object) -> object:
    """A loaded cell in the form an .expected.json writes it (ISO text for dates)."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def test_corpus_is_not_empty():
    """The corpus holds fixtures, each beside its expected reading."""
    assert CASES
    for expected_path in CASES:
        assert fixture_of(expected_path).is_file(), expected_path


@pytest.mark.parametrize("expected_path", CASES, ids=[case_id(p) for p in CASES])
def test_detected_as_its_adapter(expected_path):
    """Detection by content picks the fixture's adapter, feeding the expected tables."""
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    claims = detect(fixture_of(expected_path))
    assert claims, "no adapter claims the file"
    assert claims[0].id == expected["adapter"]
    assert set(expected["tables"]) <= set(claims[0].tables)


@pytest.mark.parametrize("expected_path", CASES, ids=[case_id(p) for p in CASES])
def test_expected_reading(expected_path):
    """Rows read / used / set aside, reasons, sums and pinned values are the expected ones."""
    expected, loaded = load_case(expected_path)
    for table, want in expected["tables"].items():
        quality, frame = loaded[table].quality, loaded[table].frame
        got = (quality.rows_read, quality.rows_used, quality.rows_set_aside)
        assert got == (want["read"], want["used"], want["set_aside"]), (table, got)
        assert quality.rows_read == quality.rows_used + quality.rows_set_aside
        for reason, count in want.get("reasons", {}).items():
            assert quality.set_aside_by_reason.get(reason, 0) == count, (
                table, quality.set_aside_by_reason)
        for column, total in want.get("sums", {}).items():
            assert round(float(frame[column].sum()), 2) == pytest.approx(total, abs=0.005), (
                table, column)
        for cell in want.get("values", []):
            value = as_expected(frame[cell["column"]].iloc[cell["row"]])
            assert value == cell["value"], (table, cell)
