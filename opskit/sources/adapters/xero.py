"""Xero: the Account Transactions report and the invoices (and bills) export.

Account Transactions: a title block (report name, organisation, 'For the period ...'), then
per account a heading ('Sales (200)' or '200 - Sales'), an 'Opening Balance' line, the
transactions, a 'Total ...' line and a 'Closing Balance' line. Debit and credit columns may
carry the currency ('Debit (USD)'). Account types come from an 'Account Type' column when the
report has one, else from Xero's default chart codes (2xx revenue, 3xx direct costs, 4xx-5xx
expenses, 6xx-7xx assets, 8xx-9xx liabilities, 95x+ equity, below 200 bank). 'Manual Journal'
lines are keyed by hand; other sources are postings of the system.

Invoices export: one row per invoice line, invoice fields repeated; 'Type' ACCREC is a sales
invoice, ACCPAY a bill. Dates follow the organisation's region: day first (31/07/2026) in
most countries, month first in the US; the order is read from the file itself.
"""

from __future__ import annotations

import re

import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    as_iso,
    clean,
    debit_minus_credit,
)
from opskit.sources.adapters.quickbooks import QBO_TYPES
from opskit.sources.readers import normalize_name

HEADING_CODE = re.compile(r"\((\w+)\)\s*$|^(\w+)\s+-\s+")
XERO_TYPES = {**QBO_TYPES, "current_asset": "asset", "fixed_asset": "asset",
              "non_current_asset": "asset", "inventory": "asset", "prepayment": "asset",
              "current_liability": "liability", "non_current_liability": "liability",
              "direct_costs": "cogs", "overhead": "expense", "depreciation": "expense",
              "sales": "revenue", "other_income": "revenue"}


def xero_code_type(account: str | None) -> str | None:
    """Account class from Xero's default chart code in the heading."""
    if not isinstance(account, str):
        return None
    found = HEADING_CODE.search(account)
    code = next((g for g in found.groups() if g), None) if found else None
    if code is None or not code.isdigit():
        return None
    n = int(code)
    if n < 200:
        return "asset"
    if n < 300:
        return "revenue"
    if n < 400:
        return "cogs"
    if n < 600:
        return "expense"
    if n < 800:
        return "asset"
    if n < 950:
        return "liability"
    return "equity"


def day_first(text: pd.Series) -> bool:
    """Whether slash dates in the column put the day first (any first part above 12)."""
    parts = text.dropna().str.extract(r"^(\d{1,2})/(\d{1,2})/")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    if (first > 12).any():
        return True
    # Day first is Xero's default outside the US; month first shows by a second part > 12.
    return not (second > 12).any()


def xero_dates(text: pd.Series, dayfirst: bool) -> pd.Series:
    formats = (("%d/%m/%Y", "%d %b %Y", "%Y-%m-%d") if dayfirst
               else ("%m/%d/%Y", "%d %b %Y", "%Y-%m-%d"))
    return as_iso(text, formats)


def convert_account_transactions(export: Export) -> Converted:
    frame = export.frame
    export.used_labels.add(str(frame.columns[0]))
    lead = clean(frame[frame.columns[0]])
    filled = frame.apply(lambda c: clean(c).notna()).sum(axis=1)
    description = export.get("Description")
    date = export.get("Date")
    is_opening = description.str.lower().isin(["opening balance", "closing balance"]) | \
        lead.str.lower().isin(["opening balance", "closing balance"])
    is_total = lead.str.match(r"(?i)^total\b", na=False)
    is_heading = (filled == 1) & lead.notna() & ~is_total & ~is_opening
    heading = lead.where(is_heading).ffill()
    data = (date.notna() & ~is_opening & ~is_total & ~is_heading).to_numpy()
    type_label, types = export.pick("Account Type")
    if type_label:
        kinds = types.map(lambda t: XERO_TYPES.get(normalize_name(t)) if isinstance(t, str)
                          else None)
    else:
        kinds = heading.map(xero_code_type, na_action="ignore")
    source_label, source = export.pick("Source")
    manual = source.str.lower().eq("manual journal")
    debit_label, credit_label = export.label("Debit*"), export.label("Credit*")
    dayfirst = day_first(date[data])
    table = export.table({
        "posted_at": (export.label("Date"), xero_dates(date, dayfirst)),
        "account": ("account heading", heading),
        "amount": (f"{debit_label} - {credit_label}",
                   debit_minus_credit(export.get("Debit*"), export.get("Credit*"))),
        "account_type": (type_label or "account code (inferred)", kinds),
        "entry_id": export.pick("Reference"),
        "memo": (export.label("Description"), description),
        "source": (source_label, manual.map({True: "manual", False: "system"})
                   .where(source.notna(), None)),
    }, where=data)
    export.used_labels.update(x for x in (export.label("Running Balance*"),
                                           export.label("Gross*")) if x)
    other = ~data & ~is_opening.to_numpy() & ~is_total.to_numpy() & ~is_heading.to_numpy()
    structure = {"account headings": int(is_heading.sum()),
                 "opening and closing balances": int(is_opening.sum()),
                 "'Total' rows": int(is_total.sum()), "other rows without a date":
                 int(other.sum())}
    notes = [] if type_label else ["account types from Xero's default chart codes"]
    return Converted({"gl_entries": table}, structure, notes)


def convert_invoices(export: Export) -> Converted:
    number_label, number = export.pick("InvoiceNumber")
    first = ~number.duplicated(keep="first").to_numpy() | number.isna().to_numpy()
    kind = export.get("Type").str.upper()
    sales = (kind.isna() | kind.eq("ACCREC")).to_numpy()
    bill = kind.eq("ACCPAY").fillna(False).to_numpy()
    status_label, status = export.pick("Status")
    aside = status.str.upper().map({"DRAFT": "draft: not issued", "DELETED": "deleted",
                                    "VOIDED": "voided"})
    date_label, issued = export.pick("InvoiceDate")
    due_label, due = export.pick("DueDate")
    dayfirst = day_first(pd.concat([issued, due]))
    contact = export.pick("ContactName")
    total = export.pick("Total")
    invoices = export.table({
        "invoice_id": (number_label, number),
        "issued_at": (date_label, xero_dates(issued, dayfirst)),
        "amount": total,
        "customer_id": contact,
        "due_at": (due_label, xero_dates(due, dayfirst)),
        "amount_paid": export.pick("InvoiceAmountPaid"),
    }, where=first & sales, aside=aside, rule="not_issued", aside_column=status_label)
    bills = export.table({
        "bill_id": (number_label, number),
        "vendor": contact,
        "issued_at": (date_label, xero_dates(issued, dayfirst)),
        "amount": total,
        "reference": export.pick("Reference"),
        "due_at": (due_label, xero_dates(due, dayfirst)),
    }, where=first & bill, aside=aside, rule="not_issued", aside_column=status_label)
    tables = {"invoices": invoices}
    if bill.any():
        tables["bills"] = bills
    further = int((~first).sum())
    return Converted(tables, {"further lines of an invoice": further},
                     [f"dates read {'day' if dayfirst else 'month'} first"])


ADAPTERS = (
    Adapter(
        id="xero.account_transactions", system="xero", name="Xero Account Transactions report",
        menu="Xero: Accounting > Reports > Account Transactions > Export > CSV (or Excel)",
        feeds=("gl_entries",),
        required=("Date", "Source", "Description", "Reference", "Debit*", "Credit*"),
        optional=("Running Balance*", "Gross*", "Account Type", "GST*", "Sales Tax*"),
        layout="report", report_names=("Account Transactions", "General Ledger Detail"),
        convert=convert_account_transactions,
        quirks="account headings with codes; opening and closing balance lines; 'Total' "
               "lines; currency in the debit/credit headers; day-first dates outside the US"),
    Adapter(
        id="xero.invoices", system="xero", name="Xero invoices export",
        menu="Xero: Business > Invoices (or Bills to pay) > Export > CSV",
        feeds=("invoices", "bills"),
        required=("ContactName", "InvoiceNumber", "InvoiceDate", "DueDate", "Total"),
        optional=("EmailAddress", "Reference", "InvoiceAmountPaid", "InvoiceAmountDue",
                  "Type", "Status", "Currency", "Description", "Quantity", "UnitAmount",
                  "LineAmount", "AccountCode", "TaxType", "TaxTotal"),
        convert=convert_invoices,
        quirks="one row per line, invoice fields repeated; ACCREC invoices and ACCPAY bills; "
               "day-first or month-first dates; drafts, deleted and voided set aside"),
)

__all__ = ["ADAPTERS", "day_first", "xero_code_type"]
