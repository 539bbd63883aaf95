"""QuickBooks Online report exports (CSV or XLSX): ledgers, P&L, receivables, payables.

Every report starts with a title block (company, report name, period), may leave the first
header cell blank (that column holds headings and totals), groups rows under headings
(accounts, aging buckets, vendors) closed by 'Total for ...' rows, ends with a 'TOTAL' line and
a footer such as 'Accrual Basis Monday, October 5, 2026 10:15 AM GMT-04:00', and writes
amounts with thousands separators and a minus sign or parentheses for negatives.

Headings, totals, beginning balances, calculated lines and the footer are structure, not data:
they are counted by kind (``Adapted.structure``) and feed no table, so every line of the file is
accounted for. The General Ledger's 'Amount' has the account's natural sign (income and
liabilities positive when credited); it becomes debit-positive with the account type, read
from an 'Account Type' column when the report has one (Customize > Rows/Columns) and otherwise
inferred from the account number and name (said in the notes). 'Created By' tells postings of
apps and bank feeds (system) from entries keyed by a person (manual); 'Create Date' is when
the entry was keyed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    TableOut,
    amounts,
    as_iso,
    clean,
    debit_minus_credit,
    signed,
)
from opskit.sources.readers import normalize_name

DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y-%m-%d %H:%M:%S")
STAMP_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p",
                 "%Y-%m-%d %H:%M:%S", "%m/%d/%Y")
QBO_TYPES = {
    "income": "revenue", "other_income": "revenue", "revenue": "revenue",
    "cost_of_goods_sold": "cogs", "cogs": "cogs",
    "expenses": "expense", "expense": "expense", "other_expense": "expense",
    "other_expenses": "expense",
    "bank": "asset", "accounts_receivable_a_r": "asset", "accounts_receivable": "asset",
    "other_current_assets": "asset", "other_current_asset": "asset", "fixed_assets": "asset",
    "fixed_asset": "asset", "other_assets": "asset", "other_asset": "asset", "asset": "asset",
    "accounts_payable_a_p": "liability", "accounts_payable": "liability",
    "credit_card": "liability", "other_current_liabilities": "liability",
    "other_current_liability": "liability", "long_term_liabilities": "liability",
    "long_term_liability": "liability", "liability": "liability", "equity": "equity",
}
CREDIT_NORMAL = {"revenue", "liability", "equity"}
FOOTER = re.compile(r"^(accrual|cash) basis", re.IGNORECASE)
TOTAL = re.compile(r"^total\b", re.IGNORECASE)
APP_CREATOR = re.compile(
    r"(?i)\b(?:app|apps|sync|connector|integration|feed|api|a2x|gusto|shopify|shipstation|"
    r"stripe|quickbooks|intuit|amazon|square|paypal|bill\.com|expensify|recurring|import|"
    r"bank|rule|automat\w*|system)\b")
PL_SECTIONS = {"income": "revenue", "other_income": "revenue", "cost_of_goods_sold": "cogs",
               "cost_of_sales": "cogs", "expenses": "expense", "expense": "expense",
               "other_expenses": "expense", "other_expense": "expense"}
PL_CALCULATED = re.compile(r"(?i)^(gross profit|net (operating |other )?income|net earnings)")
MONTH_FORMATS = ("%b %Y", "%B %Y")


def account_type(label: str | None, types: pd.Series, accounts: pd.Series
                 ) -> tuple[pd.Series, bool]:
    """Canonical account types: from the report's column, else inferred (and say so)."""
    if label is not None:
        return types.map(lambda t: QBO_TYPES.get(normalize_name(t)) if isinstance(t, str)
                         else None), False
    return accounts.map(infer_account_type, na_action="ignore"), True


OTHER_INCOME = re.compile(r"(?i)\b(?:other income|interest (?:income|earned)|dividend income|"
                          r"gain on|gains? from|miscellaneous income|rental income)\b")


def infer_account_type(account: str) -> str:
    """Account class from the usual numbering (1 assets ... 5 COGS, 6+ expenses) or name.

    Charts number 'Other Income' in the 7000-9000 range together with other expenses; there
    the name tells income ('7000 Interest Earned') from expense ('8000 Penalties').
    """
    number = re.match(r"^\s*(\d)\d*", account)
    if number:
        kind = {"1": "asset", "2": "liability", "3": "equity", "4": "revenue",
                "5": "cogs"}.get(number.group(1), "expense")
        if kind == "expense" and OTHER_INCOME.search(account) and "tax" not in account.lower():
            return "revenue"
        return kind
    name = account.lower()
    rules = (("cogs", ("cost of goods", "cogs", "cost of sales")),
             ("revenue", ("sales", "revenue", "income")),
             ("liability", ("payable", "accrued", "loan", "credit card")),
             ("equity", ("equity", "retained", "capital", "owner")),
             ("asset", ("cash", "bank", "checking", "savings", "receivable", "inventory",
                        "prepaid", "equipment", "undeposited")))
    for kind, words in rules:
        if any(w in name for w in words):
            return kind
    return "expense"


def source_of(created_by: pd.Series) -> pd.Series:
    """'system' for entries created by an app, feed or rule; 'manual' for a person."""
    app = created_by.str.contains(APP_CREATOR, na=False)
    out = pd.Series(None, index=created_by.index, dtype="str")
    out[created_by.notna() & app] = "system"
    out[created_by.notna() & ~app] = "manual"
    return out


def classify(export: Export, date_entry: str = "Date") -> tuple[np.ndarray, pd.Series,
                                                                  dict[str, int]]:
    """Each row's kind (data / structure) and the heading it sits under.

    Returns the data mask, the innermost open heading per row, and structure counts by kind.
    """
    frame = export.frame
    export.used_labels.add(str(frame.columns[0]))  # headings, totals and footers live there
    lead = clean(frame[frame.columns[0]])
    rest = frame.iloc[:, 1:].apply(lambda c: clean(c).notna()).any(axis=1) if frame.shape[
        1] > 1 else pd.Series(False, index=frame.index)
    date_label = export.label(date_entry)
    date = export.get(date_entry) if date_label else lead
    beginning = frame.iloc[:, :4].apply(
        lambda c: c.str.contains("beginning balance", case=False, na=False, regex=False)
    ).any(axis=1).tolist()
    kinds = np.empty(len(frame), dtype=object)
    sections: list[str | None] = []
    stack: list[str] = []
    counts = {"headings": 0, "'Total' rows": 0, "beginning balances": 0, "footer": 0,
              "other rows without a date": 0}
    for i, (first, more, day) in enumerate(zip(lead.tolist(), rest.tolist(), date.tolist(),
                                               strict=True)):
        text = first if isinstance(first, str) else ""
        if text and not more and not TOTAL.match(text) and not FOOTER.match(text):
            kinds[i] = "heading"
            counts["headings"] += 1
            stack.append(text)
        elif TOTAL.match(text):
            kinds[i] = "total"
            counts["'Total' rows"] += 1
            closed = re.sub(r"(?i)^total( for)?\s*", "", text)
            closed = re.sub(r"(?i)\s+with sub-accounts$", "", closed)
            while stack:
                if stack.pop() == closed:
                    break
        elif FOOTER.match(text) and not more:
            kinds[i] = "footer"
            counts["footer"] += 1
        elif beginning[i]:
            kinds[i] = "beginning"
            counts["beginning balances"] += 1
        elif isinstance(day, str):
            kinds[i] = "data"
        else:
            kinds[i] = "other"
            counts["other rows without a date"] += 1
        sections.append(stack[-1] if stack else None)
    return kinds == "data", pd.Series(sections, index=frame.index, dtype="str"), counts


def convert_ledger(export: Export) -> Converted:
    """General Ledger and Transaction Detail by Account: one ledger line per data row."""
    data, section, structure = classify(export)
    account_label, account_column = export.pick("Account", "Distribution account")
    account = account_column.fillna(section) if account_label else section
    type_label, types = export.pick("Account Type", "Account type", "Distribution account type")
    kinds, inferred = account_type(type_label, types, account)
    if export.has("Debit") and export.has("Credit"):
        amount = debit_minus_credit(export.get("Debit"), export.get("Credit"))
        amount_label = f"{export.label('Debit')} - {export.label('Credit')}"
    else:
        amount_label, raw = export.pick("Amount")
        amount = signed(raw, kinds.isin(CREDIT_NORMAL).fillna(False))
    table = export.table({
        "posted_at": _date(export, "Date"),
        "account": (account_label or "account heading", account),
        "amount": (amount_label, amount),
        "account_type": (type_label or "account number (inferred)", kinds),
        "entry_id": export.pick("Num"),
        "memo": export.pick("Memo/Description", "Memo"),
        "counterparty": export.pick("Name"),
        **_keyed(export),
    }, where=data)
    export.used_labels.update(x for x in (export.label("Split"), export.label("Balance"),
                                           export.label("Transaction Type")) if x)
    notes = ["account types inferred from account numbers and names: add the Account Type "
             "column to the report to read them"] if inferred else []
    return Converted({"gl_entries": table}, structure, notes)


def convert_journal(export: Export) -> Converted:
    """Journal: date, type and number on the first line of each transaction only."""
    frame = export.frame
    account_label, account = export.pick("Account")
    date_label, date = export.pick("Date")
    export.used_labels.add(str(frame.columns[0]))
    lead = clean(frame[frame.columns[0]])
    footer = lead.str.match(FOOTER, na=False) & account.isna()
    grand = lead.str.match(TOTAL, na=False)
    new_entry = date.notna() & account.notna()
    entry = new_entry.cumsum()
    data = (account.notna() & ~grand).to_numpy()
    debit, credit = export.get("Debit"), export.get("Credit")
    subtotal = account.isna() & (debit.notna() | credit.notna()) & ~grand
    carried = {name: export.get(name).where(new_entry).groupby(entry).transform("first")
               for name in ("Date", "Num", "Name", "Transaction Type")}
    type_label, types = export.pick("Account Type")
    kinds, inferred = account_type(type_label, types, account)
    posted = as_iso(carried["Date"], DATE_FORMATS)
    table = export.table({
        "posted_at": (date_label, posted),
        "account": (account_label, account),
        "amount": ("Debit - Credit", debit_minus_credit(debit, credit)),
        "account_type": (type_label or "account number (inferred)", kinds),
        "entry_id": (export.label("Num"), carried["Num"]),
        "memo": export.pick("Memo/Description", "Memo"),
        "counterparty": (export.label("Name"), export.get("Name").fillna(carried["Name"])),
        **_keyed(export),
    }, where=data)
    export.used_labels.update(x for x in (export.label("Transaction Type"),) if x)
    structure = {"transaction totals": int(subtotal.sum()), "'Total' rows": int(grand.sum()),
                 "footer": int(footer.sum())}
    notes = ["account types inferred from account numbers and names"] if inferred else []
    return Converted({"gl_entries": table}, structure, notes)


def convert_profit_and_loss(export: Export) -> Converted:
    """Profit and Loss: one ledger line per account and period column (months or total)."""
    frame = export.frame
    columns = [str(c) for c in frame.columns[1:]]
    months = {c: _month_end(c) for c in columns}
    value_columns = [c for c, end in months.items() if end is not None]
    if not value_columns:
        end = period_end(export.title)
        value_columns = [c for c in columns if normalize_name(c) == "total"][:1]
        months = {c: end for c in value_columns}
    export.used_labels.add(str(frame.columns[0]))
    lead = clean(frame[frame.columns[0]])
    section: str | None = None
    records, rows = [], []
    structure = {"headings": 0, "'Total' rows": 0, "calculated rows": 0, "footer": 0}
    cleaned = {c: clean(frame[c]) for c in columns}
    filled_any = pd.concat([v.notna() for v in cleaned.values()], axis=1).any(axis=1) if (
        cleaned) else pd.Series(False, index=frame.index)
    for i, text in enumerate(lead):
        text = text if isinstance(text, str) else ""
        filled = [c for c in value_columns if isinstance(cleaned[c].iloc[i], str)]
        any_value = bool(filled_any.iloc[i])
        if FOOTER.match(text):
            structure["footer"] += 1
        elif TOTAL.match(text):
            structure["'Total' rows"] += 1
        elif PL_CALCULATED.match(text):
            structure["calculated rows"] += 1
        elif not any_value:
            structure["headings"] += 1
            section = PL_SECTIONS.get(normalize_name(text), section)
        else:
            for column in filled:
                raw = cleaned[column].iloc[i]
                records.append({"posted_at": months[column], "account": text, "raw": raw,
                                "account_type": section})
                rows.append(int(export.rows[i]))
    frame_out = pd.DataFrame(records, columns=["posted_at", "account", "raw", "account_type"],
                             dtype="str")
    flip = frame_out["account_type"].isin(["revenue"]).to_numpy()
    frame_out["amount"] = signed(frame_out["raw"], flip)
    frame_out = frame_out.drop(columns="raw")
    table = TableOut(export.path, frame_out[["posted_at", "account", "amount", "account_type"]],
                     np.asarray(rows, dtype=np.int64),
                     {"posted_at": "period column", "account": "account row",
                      "amount": "period column", "account_type": "section heading"})
    export.used_labels.update(columns)
    return Converted({"gl_entries": table}, structure,
                     [f"one ledger line per account and period ({', '.join(value_columns)}); "
                      "income shown as credits"])


def convert_ar_aging(export: Export) -> Converted:
    """A/R Aging Detail: open invoices grouped by aging bucket."""
    data, _section, structure = classify(export)
    table = _invoices(export, data)
    export.used_labels.update(x for x in (export.label("Past Due"),) if x)
    return Converted({"invoices": table}, structure)


def convert_unpaid_bills(export: Export) -> Converted:
    data, vendor, structure = classify(export)
    type_label, aside = _other_types(export, "bill")
    num_label, num = export.pick("Num")
    row_id = pd.Series([f"row {r}" for r in export.rows], index=export.frame.index, dtype="str")
    table = export.table({
        "bill_id": ("row number (QuickBooks exports no bill id)", row_id),
        "vendor": ("vendor heading", vendor),
        "issued_at": _date(export, "Date"),
        "amount": export.pick("Amount"),
        "reference": (num_label, num),
        "due_at": _date(export, "Due Date"),
    }, where=data, aside=aside, rule="not_a_bill", aside_column=type_label)
    export.used_labels.update(x for x in (export.label("Past Due"),
                                           export.label("Open Balance")) if x)
    return Converted({"bills": table}, structure,
                     ["bills are identified by their row: the export has no bill id; the "
                      "vendor's invoice number is the reference"])


def convert_invoice_list(export: Export) -> Converted:
    """Invoice List: one invoice per data row, paid or open."""
    data, _section, structure = classify(export)
    return Converted({"invoices": _invoices(export, data)}, structure)


# -- small pieces ------------------------------------------------------------------------
def _invoices(export: Export, data: np.ndarray) -> TableOut:
    """The invoices of a report that lists them with their open balance (A/R aging, list).

    The paid amount is Amount - Open Balance; rows of another transaction type (payments,
    credit memos) are set aside.
    """
    type_label, aside = _other_types(export, "invoice")
    amount_label, amount = export.pick("Amount")
    open_label, open_balance = export.pick("Open Balance")
    return export.table({
        "invoice_id": export.pick("Num"),
        "issued_at": _date(export, "Date"),
        "amount": (amount_label, amount),
        "customer_id": export.pick("Customer", "Name"),
        "due_at": _date(export, "Due Date"),
        "amount_paid": (f"{amount_label} - {open_label}", _paid(amount, open_balance)),
    }, where=data, aside=aside, rule="not_an_invoice", aside_column=type_label)


def _other_types(export: Export, wanted: str) -> tuple[str | None, pd.Series | None]:
    """Why each row of a transaction type other than ``wanted`` is set aside, and the header.

    These reports list payments and credits next to the invoices or bills they settle. The
    reason is missing for a row to keep; without a 'Transaction Type' column, None.
    """
    type_label, kind = export.pick("Transaction Type")
    return type_label, (_not_type(kind, wanted) if type_label else None)


def _keyed(export: Export) -> dict[str, tuple[str | None, pd.Series]]:
    """Who keyed each ledger entry (system or manual, from 'Created By'), and when."""
    created_label, created = export.pick("Created By")
    return {"source": (created_label, source_of(created) if created_label else created),
            "entered_at": _stamp(export, "Create Date")}


def _date(export: Export, entry: str) -> tuple[str | None, pd.Series]:
    label, values = export.pick(entry)
    return label, as_iso(values, DATE_FORMATS)


def _stamp(export: Export, entry: str) -> tuple[str | None, pd.Series]:
    label, values = export.pick(entry)
    return label, as_iso(values, STAMP_FORMATS)


def _not_type(kind: pd.Series, wanted: str) -> pd.Series:
    other = kind.notna() & ~kind.str.lower().eq(wanted).fillna(False)
    return ("not a" + ("n " if wanted[0] in "aeiou" else " ") + wanted + ": " + kind).where(
        other, None)


def _paid(amount: pd.Series, open_balance: pd.Series) -> pd.Series:
    a, a_ok = amounts(amount)
    o, o_ok = amounts(open_balance)
    ok = a_ok & (o_ok | open_balance.isna().to_numpy())
    paid = pd.Series(None, index=amount.index, dtype=object)
    paid[ok] = (pd.to_numeric(a[ok]) - pd.to_numeric(o[ok].where(open_balance[ok].notna(),
                                                                   0.0))).round(2)
    return paid


def _month_end(label: str) -> str | None:
    for fmt in MONTH_FORMATS:
        try:
            start = pd.to_datetime(label.strip(), format=fmt)
        except ValueError:
            continue
        return (start + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    return None


def period_end(title: list[str]) -> str | None:
    """The last day of the report's period from its title block.

    QuickBooks writes 'January 1-December 31, 2026', 'As of January 31, 2026', 'January 2026'
    or a span of whole months 'January - December 2026'; months may be abbreviated ('Jan 31,
    2026'). A line that names no readable date is skipped.
    """
    for line in title:
        text = line.replace("–", "-")
        found = re.search(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\s*$", text)
        if found and re.search(r"-|as of|through", text, re.IGNORECASE):
            day = _day(*found.groups())
            if day:
                return day
        found = re.search(r"-\s*([A-Za-z]+)\.?\s+(\d{1,2})\s*,\s*(\d{4})", text)
        if found and (day := _day(*found.groups())):
            return day
        # 'January 2026', and a span of whole months: 'January - December 2026'.
        found = re.search(r"^(?:[A-Za-z]+\s*-\s*)?([A-Za-z]+),?\s+(\d{4})$", text.strip())
        if found and (day := _month_end(" ".join(found.groups()))):
            return day
    return None


def _day(month: str, day: str, year: str) -> str | None:
    """'January' or 'Jan', '31', '2026' -> '2026-01-31'; None when it is no date."""
    for fmt in ("%B %d %Y", "%b %d %Y"):
        try:
            return pd.to_datetime(f"{month} {day} {year}", format=fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


LEDGER_COLUMNS = ("Date", "Transaction Type", "Num", "Name", "Memo/Description")
ADAPTERS = (
    Adapter(
        id="quickbooks.general_ledger", system="quickbooks",
        name="QuickBooks Online General Ledger report",
        menu="QuickBooks Online: Reports > General Ledger > Customize (add Account Type, "
             "Create Date, Created By) > Export to CSV (or Excel)",
        feeds=("gl_entries",), required=LEDGER_COLUMNS,
        optional=("Split", "Amount", "Balance", "Debit", "Credit", "Account Type",
                  "Create Date", "Created By", "Account"),
        layout="report", report_names=("General Ledger",), convert=convert_ledger,
        quirks="title block; blank first header cell; account headings and 'Total for' "
               "rows; footer; natural-sign amounts with thousands separators and (negatives)"),
    Adapter(
        id="quickbooks.transaction_detail", system="quickbooks",
        name="QuickBooks Online Transaction Detail by Account report",
        menu="QuickBooks Online: Reports > Transaction Detail by Account > Customize (add "
             "Account Type, Create Date, Created By) > Export to CSV",
        feeds=("gl_entries",), required=LEDGER_COLUMNS,
        optional=("Split", "Amount", "Balance", "Account", "Account Type", "Create Date",
                  "Created By"),
        layout="report", report_names=("Transaction Detail by Account",),
        convert=convert_ledger,
        quirks="as the General Ledger, without beginning balances"),
    Adapter(
        id="quickbooks.journal", system="quickbooks", name="QuickBooks Online Journal report",
        menu="QuickBooks Online: Reports > Journal > Export to CSV (or Excel)",
        feeds=("gl_entries",),
        required=("Date", "Transaction Type", "Num", "Account", "Debit", "Credit"),
        optional=("Name", "Memo/Description", "Account Type", "Created By", "Create Date"),
        layout="report", report_names=("Journal",), convert=convert_journal,
        quirks="date, type and number on the first line of each transaction; a subtotal line "
               "after each; debit and credit columns"),
    Adapter(
        id="quickbooks.profit_and_loss", system="quickbooks",
        name="QuickBooks Online Profit and Loss report",
        menu="QuickBooks Online: Reports > Profit and Loss (display columns by Months) > "
             "Export to CSV",
        feeds=("gl_entries",), required=("Total",),
        layout="report", report_names=("Profit and Loss", "Profit & Loss"),
        convert=convert_profit_and_loss,
        quirks="sections Income / Cost of Goods Sold / Expenses; calculated lines (Gross "
               "Profit, Net Income); one column per month or a Total column"),
    Adapter(
        id="quickbooks.ar_aging_detail", system="quickbooks",
        name="QuickBooks Online A/R Aging Detail report",
        menu="QuickBooks Online: Reports > A/R Aging Detail > Export to CSV",
        feeds=("invoices",),
        required=("Date", "Transaction Type", "Num", "Due Date", "Amount", "Open Balance"),
        optional=("Customer", "Name", "Past Due"),
        layout="report", report_names=("A/R Aging Detail", "Accounts Receivable Aging Detail",
                                       "A/R Aging Detail Report"),
        convert=convert_ar_aging,
        quirks="grouped by aging bucket with 'Total for' rows; open invoices only; payments "
               "and credit memos set aside"),
    Adapter(
        id="quickbooks.unpaid_bills", system="quickbooks",
        name="QuickBooks Online Unpaid Bills report",
        menu="QuickBooks Online: Reports > Unpaid Bills > Export to CSV",
        feeds=("bills",),
        required=("Date", "Transaction Type", "Num", "Due Date", "Amount", "Open Balance"),
        optional=("Past Due",),
        layout="report", report_names=("Unpaid Bills",), convert=convert_unpaid_bills,
        quirks="grouped by vendor with 'Total for' rows; no bill id (the row identifies the "
               "bill); vendor credits set aside"),
    Adapter(
        id="quickbooks.invoice_list", system="quickbooks",
        name="QuickBooks Online Invoice List report",
        menu="QuickBooks Online: Reports > Invoice List > Export to CSV",
        feeds=("invoices",),
        required=("Date", "Num", "Due Date", "Amount", "Open Balance"),
        optional=("Customer", "Name", "Memo/Description", "Transaction Type", "Terms"),
        layout="report", report_names=("Invoice List",), convert=convert_invoice_list,
        quirks="title block and footer; paid share from Amount - Open Balance"),
)
