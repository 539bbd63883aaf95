"""Raw exports in an engagement: detected by content, mapped explicitly, tagged by system."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from opskit.cli import main
from opskit.config import load_config
from opskit.engagement import Engagement, sources_by_table
from opskit.errors import ConfigError, UnreadableFileError
from opskit.sources.detect import UnknownFormatError

ROOT = Path(__file__).resolve().parent.parent.parent
EXPORTS = ROOT / "tests" / "data" / "exports"
DTC = ROOT / "data" / "samples" / "dtc" / "data"


def engagement(tmp_path: Path, files: dict[str, Path | bytes], yaml: str = "") -> Path:
    """An engagement folder whose data/ holds ``files`` (name -> fixture path or bytes)."""
    root = tmp_path / "client"
    (root / "data").mkdir(parents=True)
    for name, source in files.items():
        target = root / "data" / name
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(source, target)
    (root / "engagement.yaml").write_text("client: Test Co\n" + yaml, encoding="utf-8")
    return root


def test_unmapped_exports_are_detected_by_content(tmp_path):
    """Files with any name feed the tables of the export they are; canonical names still work."""
    root = engagement(tmp_path, {
        "orders_export_1.csv": EXPORTS / "shopify_orders_export.csv",
        "GL 2026.csv": EXPORTS / "qbo_general_ledger.csv",
        "people.csv": DTC / "people.csv",
    })
    loaded = Engagement.load(root)
    assert sorted(loaded.tables) == ["gl_entries", "order_lines", "orders", "people"]
    assert loaded.quality["orders"].formats == {"data/orders_export_1.csv": "shopify.orders"}
    assert loaded.quality["people"].formats == {}
    assert loaded.quality["people"].rows_used == 23
    assert loaded.quality["gl_entries"].structure_rows["data/GL 2026.csv"]["headings"] == 5
    assert loaded.quality["orders"].files == ["data/orders_export_1.csv (shopify.orders)"]


def test_a_table_named_file_holding_an_export_goes_through_its_adapter(tmp_path):
    """data/calls.csv that is really an Aircall export is read as one, not as canonical."""
    root = engagement(tmp_path, {"calls.csv": EXPORTS / "aircall_calls.csv"})
    loaded = Engagement.load(root)
    assert loaded.quality["calls"].formats == {"data/calls.csv": "aircall.calls"}
    assert loaded.tables["calls"]["outcome"].tolist() == [
        "answered", "abandoned", "voicemail", "missed", "answered"]


def test_explicit_mapping_with_an_adapter_feeds_its_other_tables(tmp_path):
    """'adapter:' in engagement.yaml is used; the export also feeds its unmapped tables."""
    root = engagement(tmp_path, {"shop.csv": EXPORTS / "shopify_orders_export.csv"},
                      "files:\n  orders: {path: data/shop.csv, adapter: shopify.orders}\n")
    specs = sources_by_table(load_config(root))
    assert [(s.table, s.adapter) for t in ("orders", "order_lines") for s in specs[t]] == [
        ("orders", "shopify.orders"), ("order_lines", "shopify.orders")]
    loaded = Engagement.load(root)
    assert (loaded.quality["order_lines"].rows_read, loaded.quality["order_lines"].rows_used) \
        == (7, 6)


def test_two_stores_feed_one_table_tagged_by_system(tmp_path):
    """Two Shopify stores: both feed orders and products, each row tagged with its store."""
    us = (EXPORTS / "shopify_orders_export.csv").read_text(encoding="utf-8")
    products = (EXPORTS / "shopify_products_2022.csv").read_bytes()
    root = engagement(tmp_path, {
        "us.csv": us.encode(), "ca.csv": us.replace("#10", "CA10").encode(),
        "us_products.csv": products, "ca_products.csv": products}, """files:
  orders:
    - {path: data/us.csv, system: shopify_us}
    - {path: data/ca.csv, system: shopify_ca}
  products:
    - {path: data/us_products.csv, system: shopify_us}
    - {path: data/ca_products.csv, system: shopify_ca}
""")
    loaded = Engagement.load(root)
    assert loaded.quality["orders"].rows_used == 8
    assert loaded.quality["order_lines"].rows_used == 12
    assert loaded.quality["orders"].files == ["data/us.csv (shopify.orders, shopify_us)",
                                              "data/ca.csv (shopify.orders, shopify_ca)"]
    products = loaded.tables["products"]
    assert products.groupby("system")["sku"].apply(list).to_dict() == {
        "shopify_ca": ["NAP-SAGE", "NAP-RUST", "MUG-01"],
        "shopify_us": ["NAP-SAGE", "NAP-RUST", "MUG-01"]}


def test_two_phone_systems_and_two_identity_providers(tmp_path):
    """Calls from Aircall and RingCentral, accounts from Google and Okta, in one table each."""
    root = engagement(tmp_path, {
        "aircall.csv": EXPORTS / "aircall_calls.csv",
        "ringcentral.csv": EXPORTS / "ringcentral_call_log.csv",
        "google.csv": EXPORTS / "google_workspace_users.csv",
        "okta.csv": EXPORTS / "okta_users.csv"})
    loaded = Engagement.load(root)
    calls = loaded.quality["calls"]
    assert (calls.rows_read, calls.rows_used, calls.rows_set_aside) == (11, 10, 1)
    assert calls.set_aside_by_reason == {"Direction: not_a_customer_call": 1}
    assert loaded.tables["accounts"]["system"].value_counts().to_dict() == {
        "Google Workspace": 3, "Okta": 3}


def test_timezone_applies_to_utc_exports_only(tmp_path):
    """engagement.yaml's timezone turns Stripe's UTC times local; Shopify keeps its own."""
    root = engagement(tmp_path, {"stripe.csv": EXPORTS / "stripe_payments.csv"},
                      "timezone: America/New_York\n")
    orders = Engagement.load(root).tables["orders"]
    assert str(orders["ordered_at"].iloc[0]) == "2026-07-01 12:05:09"


def test_unknown_file_in_data_is_an_error_with_the_closest_formats(tmp_path, capsys):
    """A file no format matches stops the load with the closest adapters; validate exits 2."""
    root = engagement(tmp_path, {"mystery.csv": EXPORTS / "unknown_export.csv",
                                 "people.csv": DTC / "people.csv"})
    with pytest.raises(UnknownFormatError) as info:
        Engagement.load(root)
    assert info.value.file == "data/mystery.csv"
    assert "closest:" in info.value.message
    assert main(["validate", str(root)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "data/mystery.csv" in " ".join((out.out + out.err).split())


def test_unknown_or_mismatched_adapter_in_yaml_is_a_config_error(tmp_path):
    """A typo in 'adapter:' names the closest ids; an adapter not feeding the table is refused."""
    root = engagement(tmp_path, {"x.csv": EXPORTS / "aircall_calls.csv"},
                      "files:\n  calls: {path: data/x.csv, adapter: aircal.calls}\n")
    with pytest.raises(ConfigError) as info:
        Engagement.load(root)
    assert "did you mean aircall.calls" in info.value.message
    (root / "engagement.yaml").write_text(
        "client: Test Co\nfiles:\n  orders: {path: data/x.csv, adapter: aircall.calls}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Engagement.load(root)
    assert "an adapter that feeds orders" in info.value.message


def test_validate_prints_formats_and_accounting(tmp_path, capsys):
    """`opskit validate` on raw exports exits 0 and lists each file with its format."""
    root = engagement(tmp_path, {"gl.csv": EXPORTS / "qbo_transaction_detail.csv"})
    assert main(["validate", str(root)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "gl_entries" in text and "quickbooks.transaction" in text
    assert "(blank)" not in text  # the report's heading column is structure, not ignored
    assert "All mapped tables are usable." in text


def test_wrong_adapter_in_yaml_names_the_missing_columns(tmp_path):
    """Mapping a Toggl file with the Aircall adapter fails naming Aircall's missing columns."""
    root = engagement(tmp_path, {"x.csv": EXPORTS / "toggl_detailed.csv"},
                      "files:\n  calls: {path: data/x.csv, adapter: aircall.calls}\n")
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(root)
    message = info.value.message
    assert ("data/x.csv, column 'id': expected Aircall calls export columns 'id', 'direction'"
            in message)
    assert "got columns 'User', 'Email'" in message
