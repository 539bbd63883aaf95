"""Detection by content: only the right detector claims a file; unknown files get the closest."""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.sources.adapters import ADAPTERS
from opskit.sources.detect import (
    UnknownFormatError,
    claim,
    claim_canonical,
    closest,
    detect,
    identify,
    sniff,
)
from opskit.tables import TABLES

ROOT = Path(__file__).resolve().parent.parent.parent
EXPORTS = ROOT / "tests" / "data" / "exports"
CANONICAL = ROOT / "data" / "samples" / "dtc" / "data"

EXPECTED = {
    "shopify_orders_export.csv": "shopify.orders",
    "shopify_products_2022.csv": "shopify.products",
    "shopify_products_2023.csv": "shopify.products",
    "shopify_products_2025.csv": "shopify.products",
    "shopify_inventory_export_2026-09-30.csv": "shopify.inventory",
    "shopify_inventory_wide_2026-06-30.csv": "shopify.inventory",
    "woocommerce_orders.csv": "woocommerce.orders",
    "amazon_all_orders.txt": "amazon.all_orders",
    "amazon_date_range.csv": "amazon.date_range",
    "stripe_payments.csv": "stripe.payments",
    "qbo_general_ledger.csv": "quickbooks.general_ledger",
    "qbo_transaction_detail.csv": "quickbooks.transaction_detail",
    "qbo_journal.csv": "quickbooks.journal",
    "qbo_profit_and_loss.csv": "quickbooks.profit_and_loss",
    "qbo_ar_aging_detail.csv": "quickbooks.ar_aging_detail",
    "qbo_unpaid_bills.csv": "quickbooks.unpaid_bills",
    "qbo_invoice_list.csv": "quickbooks.invoice_list",
    "xero_account_transactions.csv": "xero.account_transactions",
    "xero_invoices.csv": "xero.invoices",
    "hubspot_deals.csv": "hubspot.deals",
    "hubspot_contacts.csv": "hubspot.contacts",
    "salesforce_Opportunity.csv": "salesforce.opportunity",
    "salesforce_OpportunityHistory.csv": "salesforce.opportunity_history",
    "salesforce_Lead.csv": "salesforce.lead",
    "salesforce_Contact.csv": "salesforce.contact",
    "ringcentral_call_log.csv": "ringcentral.call_log",
    "aircall_calls.csv": "aircall.calls",
    "twilio_calls.csv": "twilio.calls",
    "dialpad_calls.csv": "dialpad.calls",
    "asterisk_Master.csv": "asterisk.cdr",
    "shipstation_shipments.csv": "shipstation.shipments",
    "shipbob_shipments.csv": "shipbob.shipments",
    "easypost_shipments.csv": "easypost.shipments",
    "toggl_detailed.csv": "toggl.time_entries",
    "clockify_detailed.csv": "clockify.time_entries",
    "harvest_detailed.csv": "harvest.time_entries",
    "google_workspace_users.csv": "google_workspace.users",
    "m365_active_users.csv": "microsoft365.users",
    "okta_users.csv": "okta.users",
    "hr_roster.csv": "hr.roster",
    "unknown_export.csv": None,
}
# The canonical sample files are fixtures too: each must be claimed by its own table only.
CANONICAL_FILES = {p.name: f"canonical.{p.name.split('.')[0]}"
                   for p in sorted(CANONICAL.iterdir())}


def every_fixture() -> list[tuple[Path, str | None]]:
    return ([(EXPORTS / n, e) for n, e in EXPECTED.items()]
            + [(CANONICAL / n, e) for n, e in CANONICAL_FILES.items()])


def test_fixture_list_is_complete():
    """Every file in tests/data/exports is in the misdetection matrix (the conformance corpus
    in its subfolder pins its own detection)."""
    assert {p.name for p in EXPORTS.iterdir() if p.is_file()} == set(EXPECTED)


@pytest.fixture(scope="module")
def claims_matrix():
    """fixture name -> the ids of every detector (adapters and tables) that claims it."""
    out = {}
    for path, _ in every_fixture():
        found = sniff(path)
        ids = {a.id for a in ADAPTERS.values() if claim(a, found) is not None}
        ids |= {f"canonical.{t}" for t in TABLES if claim_canonical(t, found) is not None}
        out[path.name] = ids
    return out


@pytest.mark.parametrize("path,expected", every_fixture(), ids=lambda v: getattr(v, "name", v))
def test_only_the_right_detector_claims_the_file(path, expected, claims_matrix):
    """Run every detector on every fixture: exactly the expected one claims it (or none)."""
    assert claims_matrix[path.name] == ({expected} if expected else set())


def test_header_layout_needs_its_header_on_top():
    """A header-layout export with a title line above its header is not claimed as such."""
    found = sniff(EXPORTS / "qbo_invoice_list.csv")
    assert claim(ADAPTERS["shopify.orders"], found) is None
    assert claim(ADAPTERS["quickbooks.invoice_list"], found).header_row == 4


def test_report_title_decides_between_similar_reports():
    """The General Ledger and Transaction Detail have the same header: the title decides."""
    found = sniff(EXPORTS / "qbo_transaction_detail.csv")
    assert claim(ADAPTERS["quickbooks.general_ledger"], found) is None
    assert claim(ADAPTERS["quickbooks.transaction_detail"], found) is not None


def test_confidence_ranks_fuller_exports_higher(tmp_path):
    """A trimmed export (required columns only) is still claimed, with lower confidence."""
    full = detect(EXPORTS / "toggl_detailed.csv")[0]
    trimmed = tmp_path / "toggl.csv"
    trimmed.write_text("User,Email,Project,Description,Start date,Start time,Duration\n"
                       "Ann,a@x.example,Ops,Triage,2026-07-01,09:00:00,01:00:00\n",
                       encoding="utf-8")
    partial = detect(trimmed)[0]
    assert (full.id, partial.id) == ("toggl.time_entries", "toggl.time_entries")
    assert full.confidence == 1.0
    assert partial.confidence == pytest.approx(0.7)


def test_unknown_file_names_closest_formats_and_differing_columns():
    """An unknown export raises UnknownFormatError naming the nearest formats and columns."""
    with pytest.raises(UnknownFormatError) as info:
        identify(EXPORTS / "unknown_export.csv")
    error = info.value
    assert error.file == "unknown_export.csv"
    assert len(error.closest) == 3
    message = error.message
    assert "columns 'Order Name', 'Customer Email', 'Order Date', 'Amount Paid', 'Items'" in \
        message
    assert "closest:" in message and "missing" in message


def test_closest_to_a_damaged_export_is_its_format(tmp_path):
    """A Shopify export missing two required columns is closest to Shopify, naming them."""
    header = (EXPORTS / "shopify_orders_export.csv").read_text(encoding="utf-8").splitlines()[0]
    damaged = tmp_path / "orders.csv"
    damaged.write_text(header.replace("Lineitem sku,", "").replace("Financial Status,", "")
                       + "\n", encoding="utf-8")
    near = closest(sniff(damaged))[0]
    assert near.id == "shopify.orders"
    assert near.missing == ("Financial Status", "Lineitem sku")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\xff" * 50, b"PK\x03\x04zip"])
def test_unreadable_files_are_claimed_by_nobody(content, tmp_path):
    """Empty, binary and broken files: detection claims nothing and does not raise."""
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    assert detect(path) == []


def test_report_without_its_title_block_says_so(tmp_path):
    """A QuickBooks report whose title block was deleted is unknown, and the hint says why."""
    lines = (EXPORTS / "qbo_unpaid_bills.csv").read_text(encoding="utf-8").splitlines()
    edited = tmp_path / "bills.csv"
    edited.write_text("\n".join(lines[4:]) + "\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError) as info:
        identify(edited)
    assert "no 'Unpaid Bills' title above the header" in info.value.message


def test_sniff_reports_an_unreadable_file_and_propagates_a_bug(tmp_path, monkeypatch):
    """A cell past the csv field limit is the file's problem (in ``error``); a crash in
    reading is ours and is not swallowed as 'format not recognised'."""
    huge = tmp_path / "huge.csv"
    huge.write_text("Title\n\nDate,Amount\n2026-07-01,\"" + "x" * 140_000 + "\"\n")
    found = sniff(huge)
    assert found.rows == []
    assert found.error is not None and "field larger than field limit" in found.error

    def broken(*args, **kwargs):
        raise KeyError("bug")

    monkeypatch.setattr("opskit.sources.detect.read_grid", broken)
    with pytest.raises(KeyError):
        sniff(EXPORTS / "toggl_detailed.csv")
