"""The canonical tables: the one data model every check reads.

Every client export is mapped to these tables. Each column is declared once, here, with its
kind, whether it is required, its value rules and a sentence of documentation; the README's
data-model section, the pandera schemas that validate loaded data, and the error messages that
name a missing column are all generated from these declarations.

Kinds and how raw values are read (see ``opskit.sources.parse``):

- ``id`` / ``text``: strings, surrounding whitespace removed.
- ``datetime``: timezone-naive time in the engagement's local zone (``timezone:``; values
  with a UTC offset or ``Z`` are converted, see ``opskit.sources.parse.to_local``); ISO 8601
  plus common US/EU spreadsheet layouts. A column declared ``end_of_day`` (a deadline or a
  leaving date) reads a date alone as the end of that day, 23:59:59.999999.
- ``money`` / ``number``: floats; '$1,234.56', '(1,234.56)' and '1,234.56-' are accepted.
- ``bool``: true/false, yes/no, y/n, 1/0.
- ``enum``: lower-cased text from a fixed set of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

Kind = Literal["id", "text", "datetime", "money", "number", "bool", "enum"]

KIND_WORDS: dict[str, str] = {
    "id": "an identifier",
    "text": "text",
    "datetime": "a date or date-time (YYYY-MM-DD or YYYY-MM-DD HH:MM) from 1900 to 2199",
    "money": "an amount of money such as 1234.56, $1,234.56 or (1,234.56)",
    "number": "a number",
    "bool": "true/false, yes/no or 1/0",
    "enum": "one of a fixed set of values",
}


@dataclass(frozen=True)
class Column:
    """One canonical column: its kind, rules and the sentence that documents it."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    non_negative: bool = False
    values: tuple[str, ...] = ()
    # A deadline or leaving date: a date with no time of day means the end of that local day
    # (an order shipped on its ship-by date is on time; a login on the last day is not late).
    end_of_day: bool = False

    def expected(self) -> str:
        """Words for what a valid value looks like, used in every error message."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.values)
        words = KIND_WORDS[self.kind]
        return f"{words} >= 0" if self.non_negative else words


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its unique key and what it is for."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    time_column: str | None = None
    source_hint: str = ""
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def optional(self) -> list[str]:
        return [c.name for c in self.columns if not c.required]


def _c(name: str, kind: Kind, doc: str, *, req: bool = False, nn: bool = False,
       values: tuple[str, ...] = (), eod: bool = False) -> Column:
    return Column(name, kind, doc, required=req, non_negative=nn, values=values,
                  end_of_day=eod)


OUTCOMES = ("answered", "missed", "voicemail", "abandoned")
ACCOUNT_TYPES = ("revenue", "cogs", "expense", "asset", "liability", "equity")
TASK_CATEGORIES = (
    "data_entry", "rekeying", "reporting", "reconciliation", "customer_service", "other",
)
INTEGRATION_METHODS = ("api", "native", "file", "manual")

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("orders", "One row per customer order, from the shop or order system.", (
        _c("order_id", "id", "The order's unique id (e.g. Shopify order name #1001).", req=True),
        _c("ordered_at", "datetime", "When the customer placed the order.", req=True),
        _c("total", "money", "Amount charged for the order, after discounts, with shipping "
           "and tax.", req=True, nn=True),
        _c("customer_id", "id", "The customer's id in the system that took the order."),
        _c("channel", "text", "Sales channel: web, amazon, wholesale, pos..."),
        _c("source", "text", "Marketing source the order is attributed to (utm source, "
           "referrer); empty when unknown."),
        _c("campaign", "text", "Marketing campaign of the order, when known."),
        _c("status", "text", "Order status: open, fulfilled, cancelled, refunded..."),
        _c("subtotal", "money", "Sum of line amounts before order discounts.", nn=True),
        _c("discount_total", "money", "Discount given on the order.", nn=True),
        _c("discount_code", "text", "Discount code(s) used; several separated by commas."),
        _c("shipping_charged", "money", "Shipping the customer paid.", nn=True),
        _c("tax", "money", "Tax charged.", nn=True),
        _c("paid_at", "datetime", "When payment was captured."),
        _c("promised_ship_by", "datetime", "Ship-by date promised to the customer or "
           "marketplace.", eod=True),
        _c("promised_delivery_by", "datetime", "Delivery date shown to the customer at "
           "checkout.", eod=True),
        _c("currency", "text", "ISO currency code of the amounts."),
    ), key=("order_id",), time_column="ordered_at",
        source_hint="the order export of the shop (Shopify: Orders > Export)"),
    Table("order_events", "The order's history: edits, holds, status changes.", (
        _c("order_id", "id", "The order the event belongs to.", req=True),
        _c("at", "datetime", "When the event happened.", req=True),
        _c("event", "text", "What happened: created, edited, address_changed, hold...",
           req=True),
        _c("actor", "text", "Who or what did it: a person, an app, 'system'."),
        _c("manual", "bool", "True when a person did it by hand."),
    ), time_column="at", source_hint="the order timeline or audit log export"),
    Table("order_lines", "One row per product line of an order.", (
        _c("order_id", "id", "The order the line belongs to.", req=True),
        _c("sku", "id", "The product's SKU as sold.", req=True),
        _c("quantity", "number", "Units sold.", req=True, nn=True),
        _c("unit_price", "money", "Price per unit before line discounts.", req=True, nn=True),
        _c("line_discount", "money", "Discount on this line.", nn=True),
    ), source_hint="the order export with line items"),
    Table("shipments", "One row per parcel shipped.", (
        _c("order_id", "id", "The order shipped.", req=True),
        _c("shipped_at", "datetime", "When the label was printed or the parcel left.",
           req=True),
        _c("shipment_id", "id", "The shipment's unique id."),
        _c("delivered_at", "datetime", "When the carrier delivered it."),
        _c("carrier", "text", "Carrier: UPS, USPS, FedEx..."),
        _c("service", "text", "Carrier service level."),
        _c("shipping_cost", "money", "What the label cost us.", nn=True),
        _c("warehouse", "text", "Warehouse or location it shipped from."),
        _c("address_corrected", "bool", "True when the address had to be corrected."),
        _c("reship", "bool", "True when this parcel replaces one that failed."),
    ), key=("shipment_id",), time_column="shipped_at",
        source_hint="the shipments export of the shipping tool (ShipStation: Shipments > "
                    "Export)"),
    Table("products", "The product master: one row per SKU (per system).", (
        _c("sku", "id", "The SKU.", req=True),
        _c("name", "text", "Product name."),
        _c("category", "text", "Product category."),
        _c("unit_cost", "money", "Cost per unit on file (COGS).", nn=True),
        _c("price", "money", "List price.", nn=True),
        _c("weight", "number", "Shipping weight; empty or 0 when not on file.", nn=True),
        _c("active", "bool", "False when the product is archived."),
        _c("vendor", "text", "Supplier."),
        _c("system", "text", "System the record comes from when products come from several."),
    ), key=("sku", "system"), source_hint="the products export (Shopify: Products > Export)"),
    Table("returns", "One row per returned item or refund.", (
        _c("order_id", "id", "The order returned.", req=True),
        _c("returned_at", "datetime", "When the return was received or refunded.", req=True),
        _c("sku", "id", "SKU returned."),
        _c("reason", "text", "Return reason: wrong_item, missing_item, damaged, "
           "return_to_sender, changed_mind..."),
        _c("refund_amount", "money", "Amount refunded.", nn=True),
    ), time_column="returned_at", source_hint="the returns or refunds export"),
    Table("inventory_counts", "Cycle or stock counts: what was on the shelf vs the system.", (
        _c("sku", "id", "SKU counted.", req=True),
        _c("counted_at", "datetime", "When it was counted.", req=True),
        _c("counted_qty", "number", "Units found on the shelf.", req=True, nn=True),
        _c("system_qty", "number", "Units the system showed at the time.", req=True),
        _c("location", "text", "Location or bin."),
        _c("unit_cost", "money", "Unit cost used to value the variance.", nn=True),
    ), time_column="counted_at", source_hint="the cycle count export of the inventory system"),
    Table("inventory_levels", "Stock on hand per SKU and location, snapshot by date.", (
        _c("sku", "id", "SKU.", req=True),
        _c("as_of", "datetime", "Date of the snapshot.", req=True),
        _c("on_hand", "number", "Units on hand in the system (may be negative).", req=True),
        _c("location", "text", "Warehouse or location."),
    ), time_column="as_of", source_hint="daily inventory snapshots (inventory export)"),
    Table("purchase_orders", "Received purchase order lines with landed cost.", (
        _c("po_id", "id", "Purchase order number.", req=True),
        _c("sku", "id", "SKU received.", req=True),
        _c("received_at", "datetime", "When the goods were received.", req=True),
        _c("quantity", "number", "Units received.", req=True, nn=True),
        _c("unit_cost", "money", "Price per unit paid to the vendor.", req=True, nn=True),
        _c("freight", "money", "Freight allocated to this line.", nn=True),
        _c("duty", "money", "Duty allocated to this line.", nn=True),
        _c("vendor", "text", "Supplier."),
    ), key=("po_id", "sku"), time_column="received_at",
        source_hint="the purchase order receipts export of the ERP"),
    Table("gl_entries", "General ledger lines (debit positive, credit negative).", (
        _c("posted_at", "datetime", "Accounting date of the entry.", req=True),
        _c("account", "text", "Account name or number.", req=True),
        _c("amount", "money", "Amount: debit positive, credit negative.", req=True),
        _c("account_type", "enum", "Account class.", values=ACCOUNT_TYPES),
        _c("entry_id", "id", "Journal entry id."),
        _c("memo", "text", "Memo or description."),
        _c("counterparty", "text", "Customer or vendor on the line."),
        _c("source", "enum", "manual for hand-keyed journals, system for postings from "
           "other systems.", values=("manual", "system")),
        _c("entered_at", "datetime", "When the entry was keyed (audit log)."),
    ), time_column="posted_at",
        source_hint="the General Ledger report (QuickBooks: Reports > General Ledger, export "
                    "to CSV)"),
    Table("invoices", "Customer invoices (accounts receivable).", (
        _c("invoice_id", "id", "Invoice number.", req=True),
        _c("issued_at", "datetime", "Invoice date.", req=True),
        _c("amount", "money", "Invoice total.", req=True, nn=True),
        _c("customer_id", "id", "Customer billed."),
        _c("due_at", "datetime", "Due date (terms).", eod=True),
        _c("paid_at", "datetime", "When it was paid in full; empty while open."),
        _c("amount_paid", "money", "Amount received so far.", nn=True),
        _c("order_id", "id", "The shop order the invoice bills, when there is one."),
        _c("currency", "text", "ISO currency code of the amounts."),
    ), key=("invoice_id",), time_column="issued_at",
        source_hint="the Invoice List report (QuickBooks: Reports > Invoice List)"),
    Table("bills", "Vendor bills (accounts payable).", (
        _c("bill_id", "id", "Bill id in the accounting system.", req=True),
        _c("vendor", "text", "Vendor.", req=True),
        _c("issued_at", "datetime", "Bill date.", req=True),
        _c("amount", "money", "Bill total.", req=True, nn=True),
        _c("reference", "text", "Vendor's invoice number."),
        _c("due_at", "datetime", "Due date.", eod=True),
        _c("paid_at", "datetime", "When it was paid."),
        _c("currency", "text", "ISO currency code of the amounts."),
    ), key=("bill_id",), time_column="issued_at",
        source_hint="the bills export (QuickBooks: Expenses > Bills, or Unpaid Bills report)"),
    Table("customers", "Customer or contact records, per system.", (
        _c("customer_id", "id", "The record's id in its system.", req=True),
        _c("system", "text", "System the record lives in (shopify, hubspot, quickbooks...).",
           req=True),
        _c("name", "text", "Full name."),
        _c("email", "text", "Email address."),
        _c("phone", "text", "Phone number."),
        _c("company", "text", "Company."),
        _c("created_at", "datetime", "When the record was created."),
    ), key=("customer_id", "system"), time_column="created_at",
        source_hint="the customer or contact export of each system"),
    Table("leads", "Inbound leads: form fills, chats, inquiries.", (
        _c("lead_id", "id", "Lead id.", req=True),
        _c("created_at", "datetime", "When the lead came in.", req=True),
        _c("source", "text", "Where it came from; empty when unknown."),
        _c("owner", "text", "Sales rep assigned."),
        _c("first_response_at", "datetime", "First human response; empty when never."),
        _c("status", "text", "Lead status."),
        _c("converted_at", "datetime", "When it became a deal or customer."),
        _c("value", "money", "Estimated value.", nn=True),
    ), key=("lead_id",), time_column="created_at",
        source_hint="the leads or contacts export of the CRM"),
    Table("deals", "CRM deals / opportunities.", (
        _c("deal_id", "id", "Deal id.", req=True),
        _c("created_at", "datetime", "When the deal was created.", req=True),
        _c("stage", "text", "Current pipeline stage.", req=True),
        _c("amount", "money", "Deal amount.", nn=True),
        _c("owner", "text", "Deal owner."),
        _c("closed_at", "datetime", "When it was closed; empty while open."),
        _c("won", "bool", "True when closed won."),
        _c("last_activity_at", "datetime", "Last logged activity."),
        _c("close_date", "datetime", "Expected close date.", eod=True),
        _c("currency", "text", "ISO currency code of the amount, as the CRM records it."),
    ), key=("deal_id",), time_column="created_at",
        source_hint="the deals export of the CRM (HubSpot: Deals > Export)"),
    Table("deal_events", "What happened to a deal and when: its stage changes (a deal's "
          "history, one row per change).", (
        _c("deal_id", "id", "The deal the event belongs to.", req=True),
        _c("at", "datetime", "When it happened.", req=True),
        _c("stage", "text", "The deal's stage after the change."),
        _c("amount", "money", "The deal's amount after the change.", nn=True),
    ), time_column="at",
        source_hint="the deal stage history of the CRM (Salesforce: OpportunityHistory.csv "
                    "of the Data Export)"),
    Table("calls", "Phone calls from the phone system's call log.", (
        _c("call_id", "id", "Call id.", req=True),
        _c("started_at", "datetime", "When the call started.", req=True),
        _c("direction", "enum", "inbound or outbound.", req=True,
           values=("inbound", "outbound")),
        _c("outcome", "enum", "What happened to the call.", req=True, values=OUTCOMES),
        _c("from_number", "text", "Caller's number."),
        _c("to_number", "text", "Number called."),
        _c("duration_s", "number", "Talk time in seconds.", nn=True),
        _c("agent", "text", "Who answered or placed the call."),
    ), key=("call_id",), time_column="started_at",
        source_hint="the call log export of the phone system (Aircall: Calls > Export)"),
    Table("tasks", "Time entries of recurring work from timesheets or a task log.", (
        _c("person", "text", "Who did the work.", req=True),
        _c("task", "text", "What the work was.", req=True),
        _c("performed_on", "datetime", "When it was done.", req=True),
        _c("minutes", "number", "Time spent in minutes.", req=True, nn=True),
        _c("system", "text", "System the data came from."),
        _c("target_system", "text", "System the data was typed into."),
        _c("category", "enum", "Kind of work.", values=TASK_CATEGORIES),
        _c("recurring", "bool", "True when the task repeats on a schedule."),
    ), time_column="performed_on", source_hint="the detailed time entries export (Toggl, "
                                                 "Clockify, Harvest)"),
    Table("processes", "The operations processes and who runs them.", (
        _c("process", "text", "Process name.", req=True),
        _c("owner", "text", "Person who runs it.", req=True),
        _c("backup_owner", "text", "Person who can run it when the owner is away."),
        _c("documented", "bool", "True when a current written procedure exists."),
        _c("last_reviewed_on", "datetime", "When the procedure was last reviewed."),
        _c("criticality", "enum", "How much the business depends on it.",
           values=("high", "medium", "low")),
        _c("frequency", "enum", "How often it runs.",
           values=("daily", "weekly", "monthly", "quarterly", "yearly", "ad_hoc")),
        _c("daily_value", "money", "Value at stake per day the process is delayed.", nn=True),
    ), key=("process",), source_hint="a process inventory (the consultant's interview sheet)"),
    Table("spreadsheets", "Spreadsheets the business runs on.", (
        _c("file", "text", "Spreadsheet name or path.", req=True),
        _c("owner", "text", "Person who maintains it.", req=True),
        _c("editors", "number", "Number of people who edit it.", nn=True),
        _c("last_modified_at", "datetime", "Last modification."),
        _c("critical", "bool", "True when a critical process depends on it."),
        _c("process", "text", "Process it supports."),
        _c("documented", "bool", "True when its logic is documented."),
        _c("hours_per_week", "number", "Hours a week spent maintaining it.", nn=True),
    ), key=("file",), source_hint="a spreadsheet inventory (Google Drive or SharePoint "
                                  "listing)"),
    Table("systems", "The software the business runs: the systems map.", (
        _c("system", "text", "System name.", req=True),
        _c("category", "text", "What it does: ecommerce, erp, crm, accounting, phone..."),
        _c("owner", "text", "Person responsible."),
        _c("admins", "number", "Number of administrators.", nn=True),
        _c("monthly_cost", "money", "Monthly subscription cost.", nn=True),
        _c("seats", "number", "Paid seats.", nn=True),
        _c("seat_cost", "money", "Monthly cost per seat.", nn=True),
    ), key=("system",), source_hint="a systems inventory (SaaS management tool or billing)"),
    Table("integrations", "How data moves between systems.", (
        _c("source_system", "text", "System the data comes from.", req=True),
        _c("target_system", "text", "System the data goes to.", req=True),
        _c("method", "enum", "How it moves.", req=True, values=INTEGRATION_METHODS),
        _c("frequency", "text", "How often: realtime, daily, weekly..."),
        _c("owner", "text", "Person responsible."),
    ), source_hint="an integration inventory (the consultant's systems map)"),
    Table("accounts", "User accounts per system (access review).", (
        _c("system", "text", "System.", req=True),
        _c("user", "text", "Login (usually an email).", req=True),
        _c("person", "text", "Person the account belongs to, when known."),
        _c("is_admin", "bool", "True for administrators."),
        _c("mfa_enabled", "bool", "True when a second factor is enrolled."),
        _c("last_login_at", "datetime", "Last sign-in."),
        _c("created_at", "datetime", "When the account was created."),
        _c("disabled", "bool", "True when the account is suspended or deleted."),
    ), key=("system", "user"), source_hint="the user list of each system (Google Workspace: "
                                            "Admin > Users > Download users)"),
    Table("people", "Staff roster.", (
        _c("person", "text", "Full name.", req=True),
        _c("function", "text", "Function: operations, finance, sales, marketing...", req=True),
        _c("started_on", "datetime", "Start date.", req=True),
        _c("ended_on", "datetime", "Leaving date; empty while employed.", eod=True),
        _c("email", "text", "Work email."),
        _c("fte", "number", "Full-time equivalent (1.0 = full time).", nn=True),
        _c("hourly_cost", "money", "Loaded cost per hour.", nn=True),
    ), key=("person",), source_hint="an HR roster export"),
    Table("marketing_spend", "Marketing spend per month and channel.", (
        _c("month", "datetime", "First day of the month.", req=True),
        _c("channel", "text", "Channel: google, meta, email, affiliates...", req=True),
        _c("spend", "money", "Amount spent.", req=True, nn=True),
    ), key=("month", "channel"), time_column="month",
        source_hint="ad platform spend by month, or the marketing budget sheet"),
)}


def table(name: str) -> Table:
    """The canonical table called ``name``; an unknown name is a ConfigError naming the known."""
    try:
        return TABLES[name]
    except KeyError:
        from difflib import get_close_matches

        from opskit.errors import ConfigError

        close = get_close_matches(name, TABLES, n=3)
        raise ConfigError(
            f"Unknown table '{name}'",
            expected="one of " + ", ".join(TABLES),
            got=f"'{name}'",
            hint=f"did you mean {', '.join(close)}?" if close else None,
        ) from None


@cache
def schema(name: str, key: tuple[str, ...] = ()):  # -> pandera.pandas.DataFrameSchema
    """The pandera schema for the value rules of a canonical table.

    Parsing raw text into typed columns happens before (``opskit.sources.parse``); the schema
    then checks what a typed value can still get wrong: a required value missing, a negative
    amount, a value outside its enumeration, a duplicated id. It is built lazily so that
    importing opskit does not import pandera. ``key`` is the part of the table's unique key
    that the loaded data has (an optional key column such as ``system`` may be absent).
    """
    import pandera.pandas as pa

    spec = TABLES[name]
    columns = {}
    for col in spec.columns:
        checks = []
        if col.non_negative:
            checks.append(pa.Check.ge(0, name="non_negative"))
        if col.values:
            checks.append(pa.Check.isin(list(col.values), name="allowed_values"))
        columns[col.name] = pa.Column(
            checks=checks, nullable=not col.required, required=col.required, coerce=False,
        )
    return pa.DataFrameSchema(
        columns,
        unique=list(key) or None,
        report_duplicates="exclude_first",
        strict=False,
        name=name,
    )


def markdown_reference() -> str:
    """The data model as markdown, for the README (a test keeps the README in sync)."""
    lines = []
    for spec in TABLES.values():
        lines.append(f"### {spec.name}\n\n{spec.doc}\n")
        lines.append("| column | required | kind | meaning |\n|---|---|---|---|")
        for c in spec.columns:
            doc = c.doc + (" A date alone means the end of that day." if c.end_of_day else "")
            lines.append(
                f"| {c.name} | {'yes' if c.required else ''} | {c.expected()} | {doc} |"
            )
        lines.append("")
    return "\n".join(lines)
