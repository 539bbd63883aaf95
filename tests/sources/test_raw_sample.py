"""`opskit samples --raw`: the dtc brand as raw exports, diagnosed exactly like the canonical one.

The raw engagement is written at scale 1 (the seed of data/samples/dtc) by the CLI, loaded with
detection by content, and diagnosed; every check's status and metrics must equal those of
data/samples/dtc. Metrics are compared exactly, except that floats may differ in the last
bits from summing the ledger in another row order (the General Ledger report groups lines by
account): within a relative 1e-9.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from opskit.cli import main
from opskit.diagnose import diagnose
from opskit.engagement import Engagement
from opskit.samples.raw import FILES, generate_raw

DTC = Path(__file__).resolve().parent.parent.parent / "data" / "samples" / "dtc"
RAW_FORMATS = {
    "orders": "shopify.orders", "order_lines": "shopify.orders",
    "products": "shopify.products", "gl_entries": "quickbooks.general_ledger",
    "shipments": "shipstation.shipments", "calls": "aircall.calls",
    "accounts": "google_workspace.users", "tasks": "toggl.time_entries"}


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory):
    """The raw dtc engagement written by `opskit samples OUT --raw`."""
    out = tmp_path_factory.mktemp("raw")
    assert main(["samples", str(out), "--raw"]) == 0
    return out / "dtc_raw"


@pytest.fixture(scope="module")
def raw_engagement(raw_root):
    return Engagement.load(raw_root)


@pytest.fixture(scope="module")
def canonical():
    """data/samples/dtc, the same business as canonical tables."""
    return Engagement.load(DTC)


def test_cli_writes_the_raw_exports(raw_root):
    """The folder holds each system's export, canonical files for the rest, engagement.yaml."""
    names = {p.name for p in (raw_root / "data").iterdir()}
    assert set(FILES.values()) <= names
    assert "orders.csv.gz" not in names and "gl_entries.csv.gz" not in names
    assert {"people.csv", "returns.csv", "accounts.csv"} <= names
    assert "adapter: quickbooks.general_ledger" in (raw_root / "engagement.yaml").read_text(
        encoding="utf-8")


def test_each_table_comes_from_its_raw_export(raw_engagement):
    """Orders from Shopify, ledger from QuickBooks, calls from Aircall...; accounting holds."""
    for table, adapter in RAW_FORMATS.items():
        assert adapter in raw_engagement.quality[table].formats.values(), table
    for q in raw_engagement.quality.values():
        assert q.rows_read == q.rows_used + q.rows_set_aside
    assert raw_engagement.quality["shipments"].set_aside_by_reason == {
        "Voided: voided_label": 3}
    assert raw_engagement.quality["order_lines"].set_aside_by_reason == {
        "Lineitem quantity: non_negative": 3}
    ledger = raw_engagement.quality["gl_entries"].structure_rows[
        f"data/{FILES['general_ledger']}"]
    assert ledger == {"title block": 3, "header row": 1, "blank rows": 2, "headings": 21,
                      "'Total' rows": 22, "beginning balances": 7, "footer": 1}


def test_rows_used_equal_the_canonical_sample(raw_engagement, canonical):
    """Every table has as many usable rows as in data/samples/dtc."""
    assert {t: q.rows_used for t, q in raw_engagement.quality.items()} == {
        t: q.rows_used for t, q in canonical.quality.items()}


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_findings_equal_the_canonical_diagnosis(raw_engagement, canonical):
    """Status and every metric of all checks equal those of diagnosing data/samples/dtc."""
    raw = diagnose(raw_engagement)
    reference = diagnose(canonical)
    differences = {}
    for expected in reference.results:
        got = raw[expected.check_id]
        want = {k: m.value for k, m in expected.metrics.items()}
        have = {k: m.value for k, m in got.metrics.items()}
        if got.status != expected.status or want.keys() != have.keys() or not all(
                _same(want[k], have[k]) for k in want):
            differences[expected.check_id] = (str(expected.status), str(got.status), want, have)
    assert len(reference.results) == 42
    assert differences == {}


def test_scale_must_be_a_positive_integer(tmp_path):
    """generate_raw refuses a scale below 1 before writing anything."""
    with pytest.raises(ValueError, match="positive integer"):
        generate_raw(tmp_path, scale=0)
    assert list(tmp_path.iterdir()) == []
