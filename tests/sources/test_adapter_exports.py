"""Every adapter on its fixture: detection, row counts, column mapping, money, dates, encodings.

Each fixture under tests/data/exports is written from the export's documented layout with its
quirks (title blocks, first-line-only order fields, thousands separators, UTC times, ...).
For each one the table below pins what opskit must make of it: the adapter that claims it,
rows read / used / set aside per canonical table, the source column behind some canonical
columns, and exact parsed values (money and dates included).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

from opskit.config import FileSpec
from opskit.sources.adapters import ADAPTERS, adapt
from opskit.sources.detect import detect
from opskit.sources.load import adapted_file, load_table

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"

# fixture -> (adapter, {table: (read, used, set aside)}, {table: {canonical: source header}})
CASES: dict[str, tuple[str, dict[str, tuple[int, int, int]], dict[str, dict[str, str]]]] = {
    "shopify_orders_export.csv": ("shopify.orders", {"orders": (5, 4, 1),
                                                     "order_lines": (7, 6, 1)},
                                  {"orders": {"ordered_at": "Created at", "total": "Total",
                                              "customer_id": "Email",
                                              "source": "Note Attributes"},
                                   "order_lines": {"sku": "Lineitem sku",
                                                   "unit_price": "Lineitem price"}}),
    "shopify_products_2022.csv": ("shopify.products", {"products": (3, 3, 0)},
                                  {"products": {"sku": "Variant SKU",
                                                "category": "Custom Product Type",
                                                "unit_cost": "Cost per item"}}),
    "shopify_products_2023.csv": ("shopify.products", {"products": (3, 3, 0)},
                                  {"products": {"category": "Type", "price": "Variant Price"}}),
    "shopify_products_2025.csv": ("shopify.products", {"products": (3, 3, 0)},
                                  {"products": {"sku": "SKU", "price": "Price",
                                                "weight": "Weight value (grams)"}}),
    "shopify_inventory_export_2026-09-30.csv": ("shopify.inventory",
                                                {"inventory_levels": (4, 3, 1)},
                                                {"inventory_levels": {"on_hand": "On hand",
                                                                      "location": "Location"}}),
    "shopify_inventory_wide_2026-06-30.csv": ("shopify.inventory",
                                              {"inventory_levels": (5, 5, 0)},
                                              {"inventory_levels": {"sku": "SKU"}}),
    "woocommerce_orders.csv": ("woocommerce.orders", {"orders": (4, 3, 1),
                                                      "order_lines": (5, 4, 1)},
                               {"orders": {"order_id": "order_number", "total": "order_total",
                                           "discount_code": "coupon_items"}}),
    "amazon_all_orders.txt": ("amazon.all_orders", {"orders": (3, 2, 1),
                                                    "order_lines": (4, 2, 2)},
                              {"orders": {"order_id": "amazon-order-id",
                                          "ordered_at": "purchase-date"},
                               "order_lines": {"quantity": "quantity"}}),
    "amazon_date_range.csv": ("amazon.date_range", {"orders": (2, 2, 0), "order_lines": (3, 3, 0),
                                                    "returns": (1, 1, 0)},
                              {"returns": {"returned_at": "date/time", "sku": "sku"}}),
    "stripe_payments.csv": ("stripe.payments", {"orders": (4, 3, 1), "customers": (2, 2, 0)},
                            {"orders": {"order_id": "order_id (metadata) else id",
                                        "total": "Amount",
                                        "ordered_at": "Created date (UTC)"}}),
    "qbo_general_ledger.csv": ("quickbooks.general_ledger", {"gl_entries": (8, 7, 1)},
                               {"gl_entries": {"posted_at": "Date", "amount": "Amount",
                                               "account": "account heading",
                                               "entry_id": "Num", "counterparty": "Name"}}),
    "qbo_transaction_detail.csv": ("quickbooks.transaction_detail", {"gl_entries": (4, 4, 0)},
                                   {"gl_entries": {"account_type": "Account Type",
                                                   "source": "Created By",
                                                   "entered_at": "Create Date"}}),
    "qbo_journal.csv": ("quickbooks.journal", {"gl_entries": (6, 6, 0)},
                        {"gl_entries": {"account": "Account", "amount": "Debit - Credit"}}),
    "qbo_profit_and_loss.csv": ("quickbooks.profit_and_loss", {"gl_entries": (15, 15, 0)},
                                {"gl_entries": {"account_type": "section heading"}}),
    "qbo_ar_aging_detail.csv": ("quickbooks.ar_aging_detail", {"invoices": (5, 3, 2)},
                                {"invoices": {"invoice_id": "Num", "customer_id": "Customer",
                                              "due_at": "Due Date"}}),
    "qbo_unpaid_bills.csv": ("quickbooks.unpaid_bills", {"bills": (4, 3, 1)},
                             {"bills": {"vendor": "vendor heading", "reference": "Num"}}),
    "qbo_invoice_list.csv": ("quickbooks.invoice_list", {"invoices": (3, 3, 0)},
                             {"invoices": {"amount_paid": "Amount - Open Balance"}}),
    "xero_account_transactions.csv": ("xero.account_transactions", {"gl_entries": (5, 5, 0)},
                                      {"gl_entries": {"amount": "Debit (NZD) - Credit (NZD)",
                                                      "source": "Source"}}),
    "xero_invoices.csv": ("xero.invoices", {"invoices": (3, 2, 1), "bills": (1, 1, 0)},
                          {"invoices": {"invoice_id": "InvoiceNumber",
                                        "amount_paid": "InvoiceAmountPaid"},
                           "bills": {"vendor": "ContactName"}}),
    "hubspot_deals.csv": ("hubspot.deals", {"deals": (4, 4, 0)},
                          {"deals": {"deal_id": "Record ID", "stage": "Deal Stage",
                                     "owner": "Deal owner"}}),
    "hubspot_contacts.csv": ("hubspot.contacts", {"customers": (3, 3, 0), "leads": (3, 3, 0)},
                             {"leads": {"first_response_at": "Date of first engagement",
                                        "source": "Original Source"}}),
    "salesforce_Opportunity.csv": ("salesforce.opportunity", {"deals": (4, 2, 2)},
                                   {"deals": {"stage": "StageName", "close_date": "CloseDate",
                                              "owner": "OwnerId"}}),
    "salesforce_OpportunityHistory.csv": ("salesforce.opportunity_history",
                                          {"deal_events": (5, 5, 0)},
                                          {"deal_events": {"deal_id": "OpportunityId",
                                                           "at": "CreatedDate"}}),
    "conformance/salesforce/OpportunityFieldHistory.csv": (
        "salesforce.opportunity_field_history", {"deal_events": (5, 4, 1)},
        {"deal_events": {"deal_id": "OpportunityId", "stage": "NewValue (Field = StageName)"}}),
    "salesforce_Lead.csv": ("salesforce.lead", {"leads": (3, 2, 1), "customers": (3, 2, 1)},
                            {"leads": {"source": "LeadSource", "converted_at": "ConvertedDate"}}),
    "salesforce_Contact.csv": ("salesforce.contact", {"customers": (2, 2, 0)},
                               {"customers": {"company": "AccountId"}}),
    "ringcentral_call_log.csv": ("ringcentral.call_log", {"calls": (6, 5, 1)},
                                 {"calls": {"started_at": "Date + Time",
                                            "outcome": "Action Result"}}),
    "aircall_calls.csv": ("aircall.calls", {"calls": (5, 5, 0)},
                          {"calls": {"call_id": "id", "duration_s": "duration",
                                     "agent": "user_name"}}),
    "twilio_calls.csv": ("twilio.calls", {"calls": (4, 3, 1)},
                         {"calls": {"call_id": "Call Sid", "started_at": "Start Time"}}),
    "dialpad_calls.csv": ("dialpad.calls", {"calls": (5, 5, 0)},
                          {"calls": {"started_at": "date_started"}}),
    "asterisk_Master.csv": ("asterisk.cdr", {"calls": (6, 5, 1)},
                            {"calls": {"started_at": "start", "duration_s": "billsec",
                                       "outcome": "disposition + lastapp"}}),
    "conformance/asterisk/cdr_custom.csv": ("asterisk.cdr_custom", {"calls": (5, 4, 1)},
                                            {"calls": {"started_at": "start",
                                                       "duration_s": "billsec"}}),
    "conformance/asterisk/cdr_table.csv": ("asterisk.cdr_table", {"calls": (5, 3, 2)},
                                           {"calls": {"started_at": "calldate",
                                                      "direction": "dcontext + did + src + dst"}}),
    "conformance/freepbx/cdr_report.csv": ("freepbx.cdr_report", {"calls": (4, 3, 1)},
                                           {"calls": {"started_at": "calldate",
                                                      "outcome": "disposition + lastapp"}}),
    "shipstation_shipments.csv": ("shipstation.shipments", {"shipments": (4, 3, 1)},
                                  {"shipments": {"order_id": "Order #",
                                                 "shipped_at": "Create Date",
                                                 "shipping_cost": "Shipping Cost",
                                                 "address_corrected": "Tags"}}),
    "shipbob_shipments.csv": ("shipbob.shipments", {"shipments": (2, 2, 0)},
                              {"shipments": {"order_id": "Store Order ID",
                                             "warehouse": "Fulfillment Center"}}),
    "easypost_shipments.csv": ("easypost.shipments", {"shipments": (3, 1, 2)},
                               {"shipments": {"order_id": "reference",
                                              "shipping_cost": "rate"}}),
    "toggl_detailed.csv": ("toggl.time_entries", {"tasks": (4, 4, 0)},
                           {"tasks": {"person": "User", "minutes": "Duration",
                                      "category": "Tags", "system": "Project"}}),
    "clockify_detailed.csv": ("clockify.time_entries", {"tasks": (2, 2, 0)},
                              {"tasks": {"minutes": "Duration (h)",
                                         "performed_on": "Start Date"}}),
    "harvest_detailed.csv": ("harvest.time_entries", {"tasks": (3, 2, 1)},
                             {"tasks": {"minutes": "Hours", "category": "Task"}}),
    "google_workspace_users.csv": ("google_workspace.users", {"accounts": (3, 3, 0)},
                                   {"accounts": {"user": "Email Address [Required]",
                                                 "mfa_enabled": "2sv Enrolled [READ ONLY]",
                                                 "disabled": "Status [READ ONLY]"}}),
    "m365_active_users.csv": ("microsoft365.users", {"accounts": (3, 3, 0)},
                              {"accounts": {"user": "User principal name",
                                            "disabled": "Block credential"}}),
    "okta_users.csv": ("okta.users", {"accounts": (3, 3, 0)},
                       {"accounts": {"user": "Username", "last_login_at": "Last Login"}}),
    "hr_roster.csv": ("hr.roster", {"people": (4, 3, 1)},
                      {"people": {"function": "Department", "started_on": "Hire Date",
                                  "hourly_cost": "Pay Rate (Pay Type)"}}),
}


def load(path: Path, adapter: str, table: str, **spec) -> pd.DataFrame:
    return load_table(table, [FileSpec(table, path.resolve(), path.name, adapter=adapter,
                                       **spec)])


@pytest.fixture(scope="module")
def results():
    """Every fixture read through its adapter once, and each of its tables loaded from that."""
    adapted, loaded = {}, {}
    for name, (adapter, counts, _) in CASES.items():
        spec = FileSpec(next(iter(counts)), (EXPORTS / name).resolve(), name, adapter=adapter)
        adapted[name] = adapted_file(spec)  # cached: the loads below reuse it
        for table in counts:
            loaded[name, table] = load(EXPORTS / name, adapter, table)
    return adapted, loaded


@pytest.fixture(scope="module")
def loaded(results):
    """{(fixture, table): LoadedTable} for every fixture."""
    return results[1]


@pytest.fixture(scope="module")
def adapted(results):
    """{fixture: Adapted} for every fixture."""
    return results[0]


def test_every_adapter_has_a_fixture():
    """Each registered adapter is exercised by at least one fixture of this table."""
    assert {adapter for adapter, _, _ in CASES.values()} == set(ADAPTERS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_detected_as_its_export(name):
    """The most confident claim on the fixture is its adapter, feeding the expected tables."""
    claims = detect(EXPORTS / name)
    assert claims[0].id == CASES[name][0]
    assert set(claims[0].tables) == set(CASES[name][1])
    assert 0.6 <= claims[0].confidence <= 1.0


@pytest.mark.parametrize("name", sorted(CASES))
def test_row_counts(name, loaded):
    """Rows read / used / set aside per table are the pinned ones, and read = used + aside."""
    for table, (read, used, aside) in CASES[name][1].items():
        q = loaded[name, table].quality
        assert (q.rows_read, q.rows_used, q.rows_set_aside) == (read, used, aside), table
        assert len(loaded[name, table].frame) == used


@pytest.mark.parametrize("name", sorted(CASES))
def test_column_mapping(name, adapted):
    """Canonical columns are read from the source headers the export spells them with."""
    for table, expected in CASES[name][2].items():
        headers = adapted[name].tables[table].headers
        assert {c: headers[c] for c in expected} == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_line_is_accounted_for(name, adapted):
    """Lines of the file = structure rows (title, headings, totals...) + data rows."""
    item = adapted[name]
    assert item.lines == item.structure_rows + item.data_rows
    assert "rows that feed no table" not in item.structure


def values(loaded, name: str, table: str, column: str) -> list:
    series = loaded[name, table].frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return [None if pd.isna(v) else str(v) for v in series]
    return [None if pd.isna(v) else v for v in series]


# -- money and dates, per family -----------------------------------------------------------
def test_shopify_orders_first_line_fields_offsets_and_discounts(loaded):
    """Order fields come from each order's first line; offsets dropped; subtotal pre-discount."""
    name = "shopify_orders_export.csv"
    assert values(loaded, name, "orders", "order_id") == ["#1001", "#1002", "#1003", "#1004"]
    assert values(loaded, name, "orders", "ordered_at") == [
        "2026-07-03 10:14:55", "2026-01-12 18:02:40", "2026-07-04 08:01:10",
        "2026-07-05 12:00:00"]
    assert values(loaded, name, "orders", "total") == [103.38, 1240.0, 38.13, 58.99]
    assert values(loaded, name, "orders", "subtotal") == [105.0, 1240.0, 30.0, 55.0]
    assert values(loaded, name, "orders", "status") == [
        "fulfilled", "partially_refunded", "cancelled", "fulfilled"]
    assert values(loaded, name, "orders", "channel") == ["web", "web", "web", "retail"]
    assert values(loaded, name, "orders", "discount_code") == ["SUMMER10, WELCOME5", None,
                                                               None, None]
    assert values(loaded, name, "orders", "source") == ["google", None, None, None]
    assert values(loaded, name, "orders", "promised_ship_by")[0] == "2026-07-06 17:00:00"
    assert values(loaded, name, "order_lines", "unit_price") == [40.0, 25.0, 1240.0, 30.0,
                                                                 45.0, 4.0]
    failures = loaded[name, "order_lines"].failures
    assert failures[["column", "row", "value"]].values.tolist() == [["Lineitem price", 7,
                                                                      "ten"]]


def test_shopify_products_variants_units_and_layouts(loaded):
    """Variants inherit product fields; grams convert to the variant's unit; names join options."""
    assert values(loaded, "shopify_products_2022.csv", "products", "name") == [
        "Linen Napkins - Sage", "Linen Napkins - Rust", "Stoneware Mug"]
    assert values(loaded, "shopify_products_2022.csv", "products", "weight") == [1.0, 1.0,
                                                                                11.99]
    assert values(loaded, "shopify_products_2022.csv", "products", "unit_cost") == [
        14.5, None, 9.8]
    assert values(loaded, "shopify_products_2022.csv", "products", "active") == [
        True, True, False]
    assert values(loaded, "shopify_products_2023.csv", "products", "name") == [
        "Wool Throw - Queen / Oat", "Wool Throw - King / Oat", "Tea Towel"]
    assert values(loaded, "shopify_products_2023.csv", "products", "sku") == [
        "THR-Q-OAT", "THR-K-OAT", "Tea Towel"]  # no SKU set: keyed by its name
    assert values(loaded, "shopify_products_2023.csv", "products", "price") == [180.0, 220.0,
                                                                                12.0]
    assert values(loaded, "shopify_products_2025.csv", "products", "price") == [
        18.0, 1150.0, 1890.0]
    assert values(loaded, "shopify_products_2025.csv", "products", "weight") == [3.99, 20.0,
                                                                                0.0]


def test_shopify_inventory_snapshot_date_and_not_stocked(loaded):
    """The snapshot date comes from the file name; 'not stocked' is no stock level."""
    name = "shopify_inventory_export_2026-09-30.csv"
    assert values(loaded, name, "inventory_levels", "as_of") == ["2026-09-30 00:00:00"] * 3
    assert values(loaded, name, "inventory_levels", "on_hand") == [12.0, -3.0, 41.0]
    wide = "shopify_inventory_wide_2026-06-30.csv"
    assert values(loaded, wide, "inventory_levels", "location") == [
        "Reno NV", "Reno NV", "Edison NJ", "Edison NJ", "Edison NJ"]


def test_inventory_date_falls_back_to_file_date(tmp_path):
    """Without a date in its name, the inventory export's snapshot is its modified day."""
    import os

    copy = tmp_path / "inventory_export_1.csv"
    copy.write_bytes((EXPORTS / "shopify_inventory_export_2026-09-30.csv").read_bytes())
    stamp = pd.Timestamp("2026-08-15 12:00").timestamp()
    os.utime(copy, (stamp, stamp))
    frame = load(copy, "shopify.inventory", "inventory_levels").frame
    assert frame["as_of"].astype(str).unique().tolist() == ["2026-08-15"]


def test_woocommerce_packed_items_and_guest(loaded):
    """Packed line items unfold into lines; unit price = subtotal / quantity; guest id 0 empty."""
    name = "woocommerce_orders.csv"
    assert values(loaded, name, "orders", "customer_id") == ["17", None, "17"]
    assert values(loaded, name, "orders", "total") == [62.4, 1200.0, 18.8]
    assert values(loaded, name, "order_lines", "unit_price") == [10.0, 25.0, 1200.0, 10.0]
    assert values(loaded, name, "order_lines", "line_discount") == [3.0, 2.0, 0.0, 0.0]


def test_amazon_reports(loaded):
    """Line prices sum into orders; UTC purchase dates; Date Range rows by type; refunds."""
    assert values(loaded, "amazon_all_orders.txt", "orders", "total") == [104.61, 0.0]
    assert values(loaded, "amazon_all_orders.txt", "orders", "ordered_at") == [
        "2026-07-01 16:05:09", "2026-07-03 20:45:00"]
    assert values(loaded, "amazon_all_orders.txt", "order_lines", "unit_price") == [40.0,
                                                                                   25.0]
    assert values(loaded, "amazon_date_range.csv", "orders", "total") == [104.61, 1329.9]
    assert values(loaded, "amazon_date_range.csv", "orders", "ordered_at") == [
        "2026-07-01 09:05:09", "2026-07-16 10:30:00"]
    assert values(loaded, "amazon_date_range.csv", "returns", "refund_amount") == [22.0]
    adapted = adapt(ADAPTERS["amazon.date_range"], EXPORTS / "amazon_date_range.csv", "x")
    assert adapted.structure == {"title block": 5, "header row": 1,
                                 "'Service Fee' rows (not orders or refunds)": 1,
                                 "'Transfer' rows (not orders or refunds)": 1}


def test_utc_exports_convert_to_the_engagement_timezone():
    """With a timezone, UTC times (Amazon, Stripe, Twilio) become local wall-clock times."""
    zone = {"timezone": "America/Los_Angeles"}
    amazon = load(EXPORTS / "amazon_all_orders.txt", "amazon.all_orders", "orders", **zone)
    assert str(amazon.frame["ordered_at"].iloc[0]) == "2026-07-01 09:05:09"
    stripe = load(EXPORTS / "stripe_payments.csv", "stripe.payments", "orders", **zone)
    assert str(stripe.frame["ordered_at"].iloc[1]) == "2026-07-01 18:30:00"
    twilio = load(EXPORTS / "twilio_calls.csv", "twilio.calls", "calls", **zone)
    assert str(twilio.frame["started_at"].iloc[0]) == "2026-06-01 09:08:27"


def test_stripe_payments(loaded):
    """Metadata order ids, thousands separators, failed payments aside, refunds in status."""
    name = "stripe_payments.csv"
    assert values(loaded, name, "orders", "order_id") == ["2001", "2002", "ch_3PaB1cKZ4"]
    assert values(loaded, name, "orders", "total") == [54.1, 1299.0, 450.0]
    assert values(loaded, name, "orders", "status") == ["paid", "partially_refunded", "paid"]
    assert values(loaded, name, "orders", "currency") == ["USD"] * 3


def test_quickbooks_general_ledger_signs_and_structure(loaded):
    """Natural-sign amounts become debit-positive; sub-accounts; structure rows counted."""
    name = "qbo_general_ledger.csv"
    assert values(loaded, name, "gl_entries", "account") == [
        "1010 Checking", "1010 Checking", "4000 Sales", "4000 Sales", "5010 Freight In",
        "5000 Cost of Goods Sold", "6200 Rent"]
    assert values(loaded, name, "gl_entries", "amount") == [
        8120.5, -4000.0, -8120.5, 120.0, 640.0, 3210.75, 4000.0]
    assert values(loaded, name, "gl_entries", "account_type") == [
        "asset", "asset", "revenue", "revenue", "cogs", "cogs", "expense"]
    assert values(loaded, name, "gl_entries", "posted_at")[:2] == ["2026-07-01 00:00:00",
                                                                   "2026-07-02 00:00:00"]
    failures = loaded[name, "gl_entries"].failures
    assert failures[["column", "row", "value"]].values.tolist() == [["Amount", 23,
                                                                      "4,0OO.00"]]
    adapted = adapt(ADAPTERS["quickbooks.general_ledger"], EXPORTS / name, name)
    assert adapted.structure == {"title block": 3, "header row": 1, "blank rows": 2,
                                 "headings": 5, "'Total' rows": 6, "beginning balances": 1,
                                 "footer": 1}
    assert adapted.lines == 27


def test_quickbooks_general_ledger_xlsx(tmp_path):
    """The same report exported to Excel (numbers and dates as cells) reads the same."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    with open(EXPORTS / "qbo_general_ledger.csv", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            cells = []
            for cell in row:
                number = cell.replace(",", "").replace("$", "")
                if cell[:2].isdigit() and cell.count("/") == 2:
                    cells.append(pd.Timestamp(cell).to_pydatetime())
                elif number.lstrip("-").replace(".", "", 1).isdigit():
                    cells.append(float(number))
                elif number.startswith("(") and number.endswith(")"):
                    cells.append(-float(number.strip("()")))
                else:
                    cells.append(cell or None)
            sheet.append(cells)
    path = tmp_path / "General_Ledger.xlsx"
    book.save(path)
    assert detect(path)[0].id == "quickbooks.general_ledger"
    table = load(path, "quickbooks.general_ledger", "gl_entries")
    assert (table.quality.rows_read, table.quality.rows_used) == (8, 7)
    assert table.frame["amount"].tolist() == [8120.5, -4000.0, -8120.5, 120.0, 640.0,
                                              3210.75, 4000.0]
    assert str(table.frame["posted_at"].iloc[-1]) == "2026-07-02 00:00:00"


def test_quickbooks_other_reports(loaded):
    """Journal debits/credits, P&L months, open balances, vendor headings, typed entries."""
    assert values(loaded, "qbo_journal.csv", "gl_entries", "amount") == [
        3210.75, -3210.75, 640.0, -640.0, 4000.0, -4000.0]
    assert values(loaded, "qbo_journal.csv", "gl_entries", "entry_id") == [
        "JE-8", "JE-8", "INV-889", "INV-889", "1042", "1042"]
    pnl = loaded["qbo_profit_and_loss.csv", "gl_entries"].frame
    assert pnl["amount"].sum() == pytest.approx(-73520.5)
    assert values(loaded, "qbo_profit_and_loss.csv", "gl_entries", "posted_at")[:3] == [
        "2026-07-31 00:00:00", "2026-08-31 00:00:00", "2026-09-30 00:00:00"]
    assert values(loaded, "qbo_transaction_detail.csv", "gl_entries", "source") == [
        "system", "manual", "system", "system"]
    assert values(loaded, "qbo_transaction_detail.csv", "gl_entries", "entered_at")[1] == \
        "2026-08-06 16:31:02"
    assert values(loaded, "qbo_transaction_detail.csv", "gl_entries", "amount") == [
        -2450.1, 300.0, 18200.0, -171.51]
    assert values(loaded, "qbo_ar_aging_detail.csv", "invoices", "amount_paid") == [
        0.0, 400.0, 0.0]
    assert values(loaded, "qbo_unpaid_bills.csv", "bills", "vendor") == [
        "Coastal Freight", "Coastal Freight", "Harbor Rent LLC"]
    assert values(loaded, "qbo_invoice_list.csv", "invoices", "amount_paid") == [
        2400.0, 800.0, 0.0]


def test_xero_reports(loaded):
    """Day-first dates, currency in headers, code-based account types, manual journals."""
    name = "xero_account_transactions.csv"
    assert values(loaded, name, "gl_entries", "posted_at")[1] == "2026-07-18 00:00:00"
    assert values(loaded, name, "gl_entries", "amount") == [1150.0, -230.0, -1000.0, 200.0,
                                                            75.5]
    assert values(loaded, name, "gl_entries", "account_type") == [
        "asset", "asset", "revenue", "expense", "expense"]
    assert values(loaded, name, "gl_entries", "source")[-1] == "manual"
    assert values(loaded, "xero_invoices.csv", "invoices", "issued_at") == [
        "2026-07-14 00:00:00", "2026-07-02 00:00:00"]
    assert values(loaded, "xero_invoices.csv", "bills", "amount") == [2300.0]


def test_crm_exports(loaded):
    """HubSpot closed stages; Salesforce 15-character ids, UTC dates, latin-1 names."""
    assert values(loaded, "hubspot_deals.csv", "deals", "won") == [True, False, None, None]
    assert values(loaded, "hubspot_deals.csv", "deals", "closed_at")[:2] == [
        "2026-07-20 17:00:00", "2026-07-28 12:00:00"]
    assert values(loaded, "salesforce_Opportunity.csv", "deals", "deal_id") == [
        "0065g00000AbCdE", "0065g00000AbCdF"]
    assert values(loaded, "salesforce_Opportunity.csv", "deals", "amount") == [48000.0,
                                                                               12500.5]
    assert values(loaded, "salesforce_OpportunityHistory.csv", "deal_events", "stage") == [
        "Prospecting", "Proposal/Price Quote", "Closed Won", "Qualification",
        "Negotiation/Review"]
    assert values(loaded, "salesforce_OpportunityHistory.csv", "deal_events", "at")[2] == \
        "2026-07-21 18:00:00"
    assert values(loaded, "salesforce_Lead.csv", "customers", "name") == [
        "Jürgen Müller", "Renée Olé"]
    assert values(loaded, "salesforce_Contact.csv", "customers", "customer_id") == [
        "0035g00000Cc001", "0035g00000Cc002"]


def test_salesforce_history_feeds_stale_pipeline_not_deals():
    """Opportunity + OpportunityHistory: stage changes are activity, closed-lost stays closed.

    Without the history both open deals look idle (one has no LastActivityDate, the other
    July's): 100% stale (two deals: too few for a verdict). With it they moved in
    September: 0%. The deal closed lost with a CloseDate in December is closed, not counted
    open.
    """
    from opskit.assumptions import resolve
    from opskit.checks.sales import stale_pipeline
    from opskit.engagement import Period
    from opskit.registry import CheckData

    folder = EXPORTS / "conformance" / "salesforce"
    tz = {"timezone": "America/Bogota"}
    deals = load(folder / "Opportunity.csv", "salesforce.opportunity", "deals", **tz).frame
    events = load(folder / "OpportunityHistory.csv", "salesforce.opportunity_history",
                  "deal_events", **tz).frame
    period = Period(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-30"))
    alone = stale_pipeline(CheckData({"deals": deals}, period, resolve(None)))
    both = stale_pipeline(CheckData({"deals": deals, "deal_events": events}, period,
                                    resolve(None)))
    assert (alone.metrics["open_deals"].value, alone.metrics["stale_share"].value) == (2, 1.0)
    assert (both.metrics["open_deals"].value, both.metrics["stale_share"].value) == (2, 0.0)
    assert both.status.name == "PASS" and both.judgement == ""
    assert alone.judgement == "too few to judge: 2 open deals (at least 10 needed)"


def test_salesforce_id_checksum():
    """The 18-character suffix is Salesforce's documented case checksum (001A0000006Vm9rIAC)."""
    from opskit.sources.adapters.salesforce import checksum, id15

    assert checksum("001A0000006Vm9r") == "IAC"
    ids, bad = id15(pd.Series(["001A0000006Vm9rIAC", "001A0000006Vm9rIAD", "001A0000006Vm9r",
                               "12345"], dtype="str"))
    assert ids.tolist()[:3] == ["001A0000006Vm9r"] * 3
    assert bad.isna().tolist() == [True, False, True, False]


def test_phone_outcomes(loaded):
    """Each system's words become answered / missed / voicemail / abandoned."""
    assert values(loaded, "aircall_calls.csv", "calls", "outcome") == [
        "answered", "abandoned", "voicemail", "missed", "answered"]
    assert values(loaded, "aircall_calls.csv", "calls", "from_number")[0] == "+15554182115"
    assert values(loaded, "ringcentral_call_log.csv", "calls", "outcome") == [
        "answered", "missed", "voicemail", "abandoned", "answered"]
    assert values(loaded, "ringcentral_call_log.csv", "calls", "duration_s") == [
        366.0, 24.0, 41.0, 7.0, 190.0]
    assert values(loaded, "twilio_calls.csv", "calls", "direction") == [
        "inbound", "inbound", "outbound"]
    assert values(loaded, "dialpad_calls.csv", "calls", "outcome") == [
        "answered", "missed", "voicemail", "abandoned", "answered"]
    assert values(loaded, "asterisk_Master.csv", "calls", "outcome") == [
        "answered", "missed", "voicemail", "missed", "missed"]
    assert values(loaded, "asterisk_Master.csv", "calls", "direction") == [
        "inbound", "inbound", "inbound", "outbound", "inbound"]
    assert values(loaded, "asterisk_Master.csv", "calls", "agent") == [
        "101", None, None, "101", None]


@pytest.mark.parametrize(("fixture", "wrong", "right", "misfit"), [
    ("cdr_custom.csv", "asterisk.cdr", "asterisk.cdr_custom",
     "5 of 5 lines that do not fit, e.g. row 1: field 12 (end) is '306', expected a time"),
    ("cdr_csv.csv", "asterisk.cdr_custom", "asterisk.cdr",
     "9 of 9 lines that do not fit, e.g. row 1: field 9 (start) is 'PJSIP/101,30', expected a "
     "time"),
])
def test_asterisk_file_mapped_to_the_wrong_layout_is_refused(fixture, wrong, right, misfit):
    """A headerless CDR file mapped to the other layout fails loudly, naming the right one."""
    from opskit.errors import UnreadableFileError

    path = EXPORTS / "conformance" / "asterisk" / fixture
    with pytest.raises(UnreadableFileError) as caught:
        load(path, wrong, "calls")
    message = caught.value.message
    assert f"map the file with adapter '{right}'" in message
    assert misfit in message


def test_cdr_table_export_mapped_as_headerless_names_the_header_adapters():
    """The CDR Reports download mapped to cdr_csv is refused, pointing at its header layout."""
    from opskit.errors import UnreadableFileError

    with pytest.raises(UnreadableFileError) as caught:
        load(EXPORTS / "conformance" / "freepbx" / "cdr_report.csv", "asterisk.cdr", "calls")
    assert "field 10 (start) is 'duration'" in caught.value.message
    assert "adapter 'freepbx.cdr_report'" in caught.value.message


def test_asterisk_line_of_another_shape_is_set_aside_with_its_field():
    """One cut-short line among good ones is set aside naming the field that does not fit."""
    loaded = load(EXPORTS / "conformance" / "asterisk" / "cdr_csv.csv", "asterisk.cdr", "calls")
    fail = loaded.failures[loaded.failures["rule"] == "wrong_layout"]
    assert fail["row"].tolist() == [9]
    assert fail["message"].tolist() == [
        "line does not have this layout: field 10 (start) is '', expected a time "
        "YYYY-MM-DD HH:MM:SS"]


def test_shipping_exports(loaded):
    """Label time as ship time, voided and refunded labels aside, tags as flags, $1,024.50."""
    assert values(loaded, "shipstation_shipments.csv", "shipments", "shipped_at") == [
        "2026-07-06 16:30:22", "2026-01-13 09:02:10", "2026-07-20 11:11:11"]
    assert values(loaded, "shipstation_shipments.csv", "shipments", "shipping_cost") == [
        10.68, 48.2, 1024.5]
    assert values(loaded, "shipstation_shipments.csv", "shipments", "reship") == [
        False, False, True]
    assert values(loaded, "easypost_shipments.csv", "shipments", "shipped_at") == [
        "2026-07-06 23:30:22"]
    assert values(loaded, "shipbob_shipments.csv", "shipments", "delivered_at") == [
        "2026-07-08 12:30:00", None]


def test_timesheets(loaded):
    """h:mm:ss, clock and decimal-comma hours become minutes; projects become systems."""
    assert values(loaded, "toggl_detailed.csv", "tasks", "minutes") == [255.0, 45.5, 20.0,
                                                                       90.0]
    assert values(loaded, "toggl_detailed.csv", "tasks", "target_system") == [
        None, "Shopify", None, None]
    assert values(loaded, "toggl_detailed.csv", "tasks", "recurring") == [True, True, None,
                                                                         False]
    assert values(loaded, "clockify_detailed.csv", "tasks", "performed_on") == [
        "2026-07-13 00:00:00", "2026-07-01 00:00:00"]
    assert values(loaded, "clockify_detailed.csv", "tasks", "minutes") == [255.0, 40.0]
    assert values(loaded, "harvest_detailed.csv", "tasks", "minutes") == [90.0, 15.0]
    assert values(loaded, "harvest_detailed.csv", "tasks", "category") == [
        "rekeying", "reconciliation"]


def test_timesheet_projects_without_arrow_or_empty():
    """Projects with no arrow, or no project at all, give missing systems, never a crash."""
    from opskit.sources.adapters.timesheets import systems

    def cells(values: pd.Series) -> list[str | None]:
        return [None if pd.isna(v) else v for v in values]

    source, target = systems(pd.Series(["Gorgias", None, "Square POS → Shopify"], dtype="str"))
    assert cells(source) == ["Gorgias", None, "Square POS"]
    assert cells(target) == [None, None, "Shopify"]
    source, target = systems(pd.Series([None, None], dtype="str"))
    assert cells(source) == [None, None] and cells(target) == [None, None]


@pytest.mark.parametrize(("dates", "times", "expected"), [
    (["07/01/2026", "07/13/2026"], None, "%m/%d/%Y"),
    (["13/07/2026", "01/07/2026"], None, "%d/%m/%Y"),
    (["07/01/2026", "07/06/2026"], ["09:00 AM", "02:30 PM"], "%m/%d/%Y"),
    (["13/07/2026"], ["09:00 AM"], "%m/%d/%Y"),
    (["2026-07-01"], ["09:00:00"], "%m/%d/%Y"),
])
def test_timesheet_date_order_is_one_per_file(dates, times, expected):
    """One date order per file: day first only when a day is above 12 and no 12-hour clock."""
    from opskit.sources.adapters.timesheets import date_formats

    formats = date_formats(pd.Series(dates, dtype="str"),
                           None if times is None else pd.Series(times, dtype="str"))
    assert expected in formats
    other = "%d/%m/%Y" if expected == "%m/%d/%Y" else "%m/%d/%Y"
    assert other not in formats


def test_access_and_people(loaded):
    """Suspended / blocked accounts, 'Never logged in', salaries over 2,080 hours."""
    assert values(loaded, "google_workspace_users.csv", "accounts", "disabled") == [
        False, True, False]
    assert values(loaded, "google_workspace_users.csv", "accounts", "last_login_at") == [
        "2026-09-28 00:36:50", "2026-02-12 11:00:00", None]
    assert values(loaded, "m365_active_users.csv", "accounts", "created_at")[0] == \
        "2021-03-02 16:12:55"
    assert values(loaded, "okta_users.csv", "accounts", "disabled") == [False, True, False]
    assert values(loaded, "hr_roster.csv", "people", "hourly_cost") == [110.0, 38.5, 21.0]
    # A leaving date is the end of that day (tables.py: end_of_day).
    assert values(loaded, "hr_roster.csv", "people", "ended_on") == [
        None, "2026-02-13 23:59:59.999999", None]


def _source_encoding(path: Path) -> str:
    salesforce = path.name.startswith("salesforce_") or path.parent.name == "salesforce"
    return "latin-1" if salesforce else "utf-8-sig"


def _cp1252_able(name: str) -> bool:
    path = EXPORTS / name
    try:
        path.read_text(encoding=_source_encoding(path)).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# One other encoding per fixture, alternating so both are used across every family: the
# export saved as UTF-16 with a byte-order mark, or as Windows-1252 (where its text fits).
ENCODINGS = {name: "cp1252" if i % 2 and _cp1252_able(name) else "utf-16"
             for i, name in enumerate(sorted(CASES))}


@pytest.mark.parametrize("name", sorted(CASES))
def test_encodings(name, tmp_path, adapted):
    """Saved as UTF-16 (with BOM) or Windows-1252, each export reads to the same tables."""
    source = EXPORTS / name
    text = source.read_text(encoding=_source_encoding(source))
    encoding = ENCODINGS[name]
    copy = tmp_path / Path(name).name
    copy.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le") if encoding == "utf-16"
                     else text.encode(encoding))
    adapter = CASES[name][0]
    assert detect(copy)[0].id == adapter
    again = adapt(ADAPTERS[adapter], copy, name)
    assert again.lines == adapted[name].lines
    for table, out in adapted[name].tables.items():
        pd.testing.assert_frame_equal(again.tables[table].frame, out.frame)
        assert again.tables[table].row_numbers.tolist() == out.row_numbers.tolist()


def test_both_encodings_are_exercised():
    """The alternation above covers UTF-16 and Windows-1252, Salesforce's latin-1 included."""
    assert set(ENCODINGS.values()) == {"utf-16", "cp1252"}
    assert sum(1 for e in ENCODINGS.values() if e == "cp1252") >= 15


def test_hubspot_xlsx_export(tmp_path, loaded):
    """HubSpot's default XLSX export (dates and numbers as cells) reads like its CSV."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    with open(EXPORTS / "hubspot_deals.csv", encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            cells = row if i == 0 else [
                pd.Timestamp(c).to_pydatetime() if c[:4] == "2026" else
                float(c) if c.replace(".", "", 1).isdigit() else c or None for c in row]
            book.active.append(cells)
    path = tmp_path / "hubspot-crm-exports-all-deals-2026-09-30.xlsx"
    book.save(path)
    assert detect(path)[0].id == "hubspot.deals"
    again = load(path, "hubspot.deals", "deals").frame
    pd.testing.assert_frame_equal(again, loaded["hubspot_deals.csv", "deals"].frame)


def test_shopify_without_skus_joins_orders_products_and_stock():
    """A store without SKUs: order lines, products and stock levels share one variant key."""
    corpus = EXPORTS / "conformance" / "shopify"
    lines = load(corpus / "orders_admin_no_sku.csv", "shopify.orders", "order_lines").frame
    products = load(corpus / "products_category_empty_no_sku.csv", "shopify.products",
                    "products").frame
    stock = load(corpus / "inventory_no_sku_2026-10-31.csv", "shopify.inventory",
                 "inventory_levels").frame
    catalog = set(products["sku"])
    assert sorted(set(lines["sku"]) - catalog) == ["Gift wrap"]  # a custom line item
    assert set(stock["sku"]) <= catalog
    assert lines.loc[lines["sku"].isin(catalog), "quantity"].sum() == 5


def test_shopify_rows_without_any_key_are_not_duplicates(tmp_path):
    """A variant with neither SKU nor title is set aside for that, never as a duplicate."""
    path = tmp_path / "products_export.csv"
    path.write_text("Handle,Title,Vendor,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"
                    "a,,V,Title,Default Title,,5.00\n"
                    "b,,V,Title,Default Title,,6.00\n"
                    "c,Cup,V,Title,Default Title,,7.00\n", encoding="utf-8")
    quality = load(path, "shopify.products", "products").quality
    assert (quality.rows_read, quality.rows_used) == (3, 1)
    assert quality.set_aside_by_reason == {"Variant SKU: no_product_key": 2}


COMMERCE = ("shopify", "stripe", "woocommerce", "amazon", "quickbooks", "xero", "shipstation",
            "shipbob", "easypost")
CONFORMANCE = sorted(p for system in COMMERCE
                     for p in (EXPORTS / "conformance" / system).glob("*")
                     if p.is_file() and not p.name.endswith(".json"))


def _without_optional(path: Path, out: Path, mode: str) -> tuple[object, int]:
    """``path`` rewritten with every optional column of its adapter absent or emptied."""
    import csv

    from opskit.sources.adapters.base import locate_header, matches, read_grid
    from opskit.sources.readers import normalize_name

    adapter = detect(path)[0].adapter
    grid, _ = read_grid(path, path.name)
    header = locate_header(adapter, grid)
    optional = [j for j, c in enumerate(grid[header]) if c and any(
        matches(e, normalize_name(c)) for e in adapter.optional)]
    rows = []
    for i, row in enumerate(grid):
        if i < header:
            rows.append(row)
        elif mode == "absent":
            rows.append([c for j, c in enumerate(row) if j not in optional])
        else:
            rows.append([("" if j in optional and i > header else c) for j, c in enumerate(row)])
    with open(out, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter="\t" if path.suffix == ".txt" else ",").writerows(rows)
    return adapter, len(optional)


@pytest.mark.parametrize("mode", ["absent", "empty"])
@pytest.mark.parametrize("path", CONFORMANCE, ids=[p.name for p in CONFORMANCE])
def test_optional_columns_absent_or_empty_are_harmless(path, mode, tmp_path):
    """Every optional column absent (or present and empty): the file still reads, same rows."""
    out = tmp_path / path.name
    adapter, _ = _without_optional(path, out, mode)
    before = adapt(adapter, path, path.name)
    after = adapt(adapter, out, out.name)
    if adapter.id == "shopify.inventory" and mode == "absent":
        # Without 'Location' the file is the older layout: one column per location.
        assert "one row per SKU and location column" in after.notes[0]
        return
    # Xero's 'Type' tells invoices from bills: without it every row is a sales invoice.
    tables = ("invoices", "bills") if adapter.id == "xero.invoices" else adapter.feeds[:1]
    rows = [sum(adapted.tables[t].rows_read for t in tables if t in adapted.tables)
            for adapted in (before, after)]
    assert rows[0] == rows[1]


DRAFT_ORDERS = (  # the DraftOrder resource's fields, one row per line item
    "id,name,status,order_id,email,currency,created_at,completed_at,total_price,"
    "line_items.sku,line_items.name,line_items.quantity,line_items.price\n"
    "990031,#D31,completed,5550109,b@example.com,USD,2026-10-01T10:00:00-04:00,"
    "2026-10-02T11:00:00-04:00,144.00,,Linen Apron - S/M / Sand,4,36.00\n"
    "990032,#D32,open,,o@example.com,USD,2026-10-05T15:30:00-04:00,,50.00,,Gift Card,2,25.00\n"
    "990033,#D33,invoice_sent,,a@example.com,USD,2026-10-06T09:10:00-04:00,,76.00,,"
    "Waxed Candle - Cedar,2,24.00\n"
    "990033,#D33,invoice_sent,,a@example.com,USD,2026-10-06T09:10:00-04:00,,76.00,TOTE-NAT,"
    "Canvas Tote - Natural,1,28.00\n")


def test_shopify_draft_orders_are_set_aside_as_drafts(tmp_path):
    """A draft orders export is recognised and its drafts set aside as drafts, not sales."""
    from opskit.errors import TableError

    path = tmp_path / "draft_orders_export.csv"
    path.write_text(DRAFT_ORDERS, encoding="utf-8")
    assert detect(path)[0].id == "shopify.orders"
    adapted = adapt(ADAPTERS["shopify.orders"], path, path.name)
    orders, lines = adapted.tables["orders"], adapted.tables["order_lines"]
    assert (len(orders.frame), len(lines.frame)) == (0, 0)
    assert [rule for _, _, rule, _ in orders.skipped] == ["draft_order"] * 3
    assert [row for row, *_ in lines.skipped] == [2, 3, 4, 5]
    with pytest.raises(TableError, match=r"status: draft_order \(3\)"):
        load(path, "shopify.orders", "orders")


@pytest.mark.parametrize(("line", "end"), [
    ("January 1-December 31, 2026", "2026-12-31"),
    ("July 1 - September 30, 2026", "2026-09-30"),
    ("As of Jan 31, 2026", "2026-01-31"),
    ("January - December 2026", "2026-12-31"),
    ("February 2026", "2026-02-28"),
    ("Harbor Goods - Main St 12, 2026", None),
])
def test_quickbooks_period_end_from_title(line, end):
    """The P&L's period end is read from each title style; a line with no date gives None."""
    from opskit.sources.adapters.quickbooks import period_end

    assert period_end(["Harbor Goods LLC", "Profit and Loss", line]) == end


def test_stripe_order_metadata_joins_the_shop_orders():
    """Payments carrying the shop's order number in metadata join the shop's orders."""
    corpus = EXPORTS / "conformance"
    payments = load(corpus / "stripe" / "payments_order_metadata.csv", "stripe.payments",
                    "orders").frame
    shop = load(corpus / "shopify" / "orders_admin_no_sku.csv", "shopify.orders",
                "orders").frame
    joined = payments.merge(shop, on="order_id", suffixes=("_paid", "_shop"))
    assert joined["order_id"].tolist() == ["#1101", "#1102", "#1103"]
    assert joined["total_paid"].tolist() == joined["total_shop"].tolist()
