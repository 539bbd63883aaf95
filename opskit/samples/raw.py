"""The dtc brand as its systems would export it: Shopify, QuickBooks, ShipStation, Aircall...

``generate_raw(out)`` builds the canonical dtc client (the same seed, so the same business as
``data/samples/dtc``) and writes each table its systems own as that system's export, with the
quirks real exports have: Shopify's order fields on the first line of an order only and times
with the store's UTC offset, QuickBooks' title block, account headings, 'Total for' lines,
natural-sign amounts with thousands separators and footer, ShipStation's voided labels,
Aircall's phone formatting, Google Workspace's bracketed headers and 'YYYY/MM/DD' sign-ins,
Toggl's h:mm:ss durations. The tables no raw export carries stay canonical files. The
engagement loads with detection by content (only the ledger is mapped, with its adapter), and
its diagnosis equals the canonical one: the tests compare every check's status and metrics.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from opskit.samples import DEFAULT_SEED
from opskit.samples.clients import CLIENT_SPECS

FOLDER = "dtc_raw"
STORE_ZONE = "America/Los_Angeles"
COMPANY = "Cedar & Finch Home"
DOMAIN = "cedarfinch.example.com"
FILES = {
    "shopify_orders": "orders_export_1.csv",
    "shopify_products": "products_export_1.csv",
    "general_ledger": "Cedar_Finch_Home_General_Ledger.csv",
    "shipstation": "ShipStation_Shipments_export.csv",
    "aircall": "aircall_calls_export.csv",
    "google": "User_Download_01102026_101500.csv",
    "toggl": "Toggl_Track_summary_report_2026-04-01_2026-09-30.csv",
}
CANONICAL = ("order_events", "returns", "inventory_counts", "inventory_levels",
             "purchase_orders", "customers", "processes", "spreadsheets", "systems",
             "integrations", "people", "marketing_spend")

SHOPIFY_ORDER_COLUMNS = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City",
    "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
    "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference",
    "Refunded Amount", "Vendor", "Outstanding Balance", "Employee", "Location", "Device ID",
    "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value",
    "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
    "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References")
SHOPIFY_PRODUCT_COLUMNS = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name",
    "Option3 Value", "Variant SKU", "Variant Grams", "Variant Inventory Tracker",
    "Variant Inventory Qty", "Variant Inventory Policy", "Variant Fulfillment Service",
    "Variant Price", "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable",
    "Variant Barcode", "Image Src", "Image Position", "Image Alt Text", "Gift Card",
    "SEO Title", "SEO Description", "Google Shopping / Google Product Category",
    "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item",
    "Included / United States", "Price / United States", "Compare At Price / United States",
    "Status")
CATEGORY_TAXONOMY = {
    "BED": "Home & Garden > Linens & Bedding > Bedding",
    "BTH": "Home & Garden > Linens & Bedding > Towels",
    "KIT": "Home & Garden > Kitchen & Dining > Kitchen Tools & Utensils",
    "DEC": "Home & Garden > Decor",
    "OUT": "Home & Garden > Lawn & Garden > Outdoor Living",
}
GOOGLE_COLUMNS = (
    "First Name [Required]", "Last Name [Required]", "Email Address [Required]",
    "Password [Required]", "Password Hash Function [UPLOAD ONLY]", "Org Unit Path [Required]",
    "New Primary Email [UPLOAD ONLY]", "Status [READ ONLY]", "Last Sign In [READ ONLY]",
    "Recovery Email", "Home Secondary Email", "Work Secondary Email",
    "Recovery Phone [MUST BE IN THE E.164 FORMAT]", "Work Phone", "Home Phone", "Mobile Phone",
    "Work Address", "Home Address", "Employee ID", "Employee Type", "Employee Title",
    "Manager Email", "Department", "Cost Center", "2sv Enrolled [READ ONLY]",
    "2sv Enforced [READ ONLY]", "Building ID", "Floor Name", "Floor Section",
    "Email Usage [READ ONLY]", "Drive Usage [READ ONLY]", "Total Storage [READ ONLY]",
    "Change Password at Next Sign-In", "New Status [UPLOAD ONLY]", "Admin Role [READ ONLY]")
QBO_TYPES = {"asset": "Other Current Assets", "liability": "Other Current Liabilities",
             "equity": "Equity", "revenue": "Income", "cogs": "Cost of Goods Sold",
             "expense": "Expenses"}
CREATED_BY = {"Daily sales summary": "A2X for Shopify & Amazon",
              "Processing and marketplace fees": "A2X for Shopify & Amazon",
              "Refunds": "A2X for Shopify & Amazon", "Shipping labels": "ShipStation",
              "Payroll": "Gusto", "Warehouse rent": "Recurring Transaction",
              "Software subscriptions": "Recurring Transaction",
              "Advertising (card feed)": "Bank Feed"}
BOOKKEEPER = "Susan Park"


def generate_raw(out: Path, *, scale: int = 1) -> Path:
    """Write the dtc brand's data as its systems' raw exports into ``out/dtc_raw``.

    Parameters
    ----------
    out : Path
        Parent folder; the engagement is written to ``out/dtc_raw`` (replaced if present).
    scale : int
        Volume multiplier, as for ``opskit samples --scale``.
    """
    if scale < 1 or int(scale) != scale:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    root = Path(out) / FOLDER
    if root.exists():
        shutil.rmtree(root)
    data = root / "data"
    data.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="opskit-dtc-") as tmp:
        canonical = Path(tmp) / "dtc"
        CLIENT_SPECS["dtc"].build(canonical, DEFAULT_SEED, int(scale))
        source = canonical / "data"
        tables = {name: _read(source, name) for name in (
            "orders", "order_lines", "products", "gl_entries", "shipments", "calls",
            "accounts", "tasks", "customers")}
        write_shopify_orders(data / FILES["shopify_orders"], tables["orders"],
                             tables["order_lines"], tables["products"], tables["customers"])
        write_shopify_products(data / FILES["shopify_products"], tables["products"])
        write_general_ledger(data / FILES["general_ledger"], tables["gl_entries"])
        write_shipstation(data / FILES["shipstation"], tables["shipments"], tables["orders"])
        write_aircall(data / FILES["aircall"], tables["calls"])
        google = tables["accounts"]["system"] == "Google Workspace"
        write_google_users(data / FILES["google"], tables["accounts"][google])
        write_toggl(data / FILES["toggl"], tables["tasks"])
        _write_csv(data / "accounts.csv", tables["accounts"][~google])
        for name in CANONICAL:
            for file in source.glob(f"{name}.csv*"):
                shutil.copyfile(file, data / file.name)
    (root / "engagement.yaml").write_text(ENGAGEMENT.format(ledger=FILES["general_ledger"]),
                                          encoding="utf-8")
    return root


ENGAGEMENT = """\
client: "Cedar & Finch Home"
industry: ecommerce
currency: USD
period:
  start: 2026-07-01
  end: 2026-09-30
assumptions: {{}}
notes: >-
  The dtc sample as raw exports (opskit samples --raw). Every file in data/ is detected by
  its content; the ledger is mapped explicitly with its adapter to show how.
files:
  gl_entries: {{path: data/{ledger}, adapter: quickbooks.general_ledger}}
thresholds: {{}}
"""


# -- helpers --------------------------------------------------------------------------------
def _read(folder: Path, name: str) -> pd.DataFrame:
    path = next(folder.glob(f"{name}.csv*"))
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _write_csv(path: Path, frame: pd.DataFrame, *, bom: bool = False) -> None:
    text = frame.to_csv(index=False, lineterminator="\n", na_rep="")
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")


def _money(values: pd.Series) -> pd.Series:
    return values.astype(float).map(lambda v: f"{v:.2f}")


def _thousands(value: float) -> str:
    return f"{value:,.2f}"


def _with_offset(local: pd.Series) -> pd.Series:
    """Local wall times as Shopify writes them: '2025-07-01 06:52:46 -0700'."""
    stamps = pd.to_datetime(local)
    zoned = stamps.dt.tz_localize(STORE_ZONE, ambiguous=False, nonexistent="shift_forward")
    minutes = (zoned.dt.tz_localize(None) - zoned.dt.tz_convert("UTC").dt.tz_localize(None)
               ).dt.total_seconds() // 60
    sign = np.where(minutes < 0, "-", "+")
    size = minutes.abs().fillna(0).astype(int)
    offsets = sign + (size // 60).map("{:02d}".format) + (size % 60).map("{:02d}".format)
    return (local + " " + offsets).where(local.notna(), None)


def _us(stamps: pd.Series, fmt: str = "%m/%d/%Y %I:%M:%S %p") -> pd.Series:
    parsed = pd.to_datetime(stamps)
    return parsed.dt.strftime(fmt).where(parsed.notna(), None)


# -- Shopify ----------------------------------------------------------------------------------
def write_shopify_orders(path: Path, orders: pd.DataFrame, lines: pd.DataFrame,
                         products: pd.DataFrame, customers: pd.DataFrame) -> None:
    """One row per line item; the order's fields on its first line only."""
    emails = customers[customers["system"] == "shopify"].set_index("customer_id")["email"]
    names = products.set_index("sku")["name"]
    status = orders["status"]
    financial = status.map({"partially_refunded": "partially_refunded",
                            "returned": "refunded", "cancelled": "voided"}).fillna("paid")
    fulfillment = status.map({"open": "unfulfilled", "cancelled": "unfulfilled"}).fillna(
        "fulfilled")
    notes = _note_attributes(orders)
    subtotal = (orders["subtotal"].astype(float) - orders["discount_total"].astype(float))
    head = pd.DataFrame({
        "Name": orders["order_id"],
        "Email": orders["customer_id"].map(emails),
        "Financial Status": financial,
        "Paid at": _with_offset(orders["paid_at"]),
        "Fulfillment Status": fulfillment,
        "Accepts Marketing": "no",
        "Currency": orders["currency"],
        "Subtotal": subtotal.map(lambda v: f"{v:.2f}"),
        "Shipping": orders["shipping_charged"],
        "Taxes": orders["tax"],
        "Total": orders["total"],
        "Discount Code": orders["discount_code"],
        "Discount Amount": orders["discount_total"],
        "Shipping Method": np.where(orders["channel"] == "retail", None, "Standard Shipping"),
        "Created at": _with_offset(orders["ordered_at"]),
        "Note Attributes": notes,
        "Cancelled at": _with_offset(orders["ordered_at"]).where(status == "cancelled", None),
        "Payment Method": np.where(orders["channel"] == "amazon", "Amazon", "Shopify Payments"),
        "Refunded Amount": np.where(status.isin(["partially_refunded", "returned"]), "0.00",
                                    None),
        "Id": (5_500_000_000_000 + np.arange(len(orders))).astype(str),
        "Source": orders["channel"].replace({"retail": "pos"}),
        "Risk Level": "Low",
    })
    position = pd.Series(np.arange(len(orders)), index=orders["order_id"].to_numpy())
    order_of_line = lines["order_id"].map(position)
    # Lines of orders the export does not have (test lines) go last, as their own groups.
    missing = order_of_line.isna()
    order_of_line[missing] = len(orders) + np.arange(int(missing.sum()))
    body = pd.DataFrame({
        "Name": lines["order_id"],
        "Lineitem quantity": lines["quantity"],
        "Lineitem name": lines["sku"].map(names).fillna(lines["sku"]),
        "Lineitem price": lines["unit_price"],
        "Lineitem sku": lines["sku"],
        "Lineitem requires shipping": "true",
        "Lineitem taxable": "true",
        "Lineitem fulfillment status": "fulfilled",
        "Lineitem discount": lines["line_discount"],
        "Vendor": "Cedar & Finch",
        "_order": order_of_line.to_numpy(),
    }).sort_values("_order", kind="stable")
    # The order's fields go on the first line of each order only.
    first = ~body["Name"].duplicated()
    fields = head.set_index("Name")
    for column in fields.columns:
        body[column] = body["Name"].map(fields[column]).where(first, None)
    lineless = head[~head["Name"].isin(body["Name"])].assign(
        _order=lambda f: f["Name"].map(position).to_numpy())
    rows = pd.concat([body, lineless], ignore_index=True).sort_values("_order", kind="stable")
    _write_csv(path, rows.reindex(columns=list(SHOPIFY_ORDER_COLUMNS)))


def _note_attributes(orders: pd.DataFrame) -> pd.Series:
    """UTM and promised dates as the attribution and delivery-date apps write them."""
    text = pd.Series("", index=orders.index, dtype="str")
    for key, column in (("utm_source", "source"), ("utm_campaign", "campaign"),
                        ("ship_by", "promised_ship_by"), ("delivery_by", "promised_delivery_by")):
        values = orders[column]
        text = text + (key + ": " + values + "\n").fillna("")
    text = text.str.rstrip("\n")
    return text.where(text != "", None)


def write_shopify_products(path: Path, products: pd.DataFrame) -> None:
    """The 2023+ layout: variants grouped under a handle, market price columns, images."""
    split = products["name"].str.rsplit(" - ", n=1)
    title = split.str[0]
    option = split.str[1]
    active = products["active"].str.lower() == "true"
    group_key = title + "|" + products["vendor"] + "|" + products["category"] + "|" + \
        active.astype(str)
    handles = {}
    for key, name in zip(group_key, title, strict=True):
        if key not in handles:
            base = name.lower().replace(" ", "-").replace("&", "and")
            handle = base
            n = 2
            while handle in handles.values():
                handle, n = f"{base}-{n}", n + 1
            handles[key] = handle
    handle = group_key.map(handles)
    first = ~handle.duplicated()
    weight = pd.to_numeric(products["weight"], errors="coerce").fillna(0.0)
    rows = pd.DataFrame({
        "Handle": handle,
        "Title": title.where(first, None),
        "Body (HTML)": ("<p>" + title + "</p>").where(first, None),
        "Vendor": products["vendor"].where(first, None),
        "Product Category": products["category"].map(CATEGORY_TAXONOMY).where(first, None),
        "Type": products["category"].where(first, None),
        "Published": active.map({True: "TRUE", False: "FALSE"}).where(first, None),
        "Option1 Name": np.where(option.isna(), "Title", "Style"),
        "Option1 Value": option.fillna("Default Title"),
        "Variant SKU": products["sku"],
        "Variant Grams": (weight * 453.59237).round(0).astype(int).astype(str),
        "Variant Inventory Tracker": "shopify",
        "Variant Inventory Policy": "deny",
        "Variant Fulfillment Service": "manual",
        "Variant Price": products["price"],
        "Variant Requires Shipping": "TRUE",
        "Variant Taxable": "TRUE",
        "Gift Card": "FALSE",
        "Variant Weight Unit": "lb",
        "Cost per item": products["unit_cost"],
        "Included / United States": "TRUE",
        "Price / United States": products["price"],
        "Status": active.map({True: "active", False: "archived"}).where(first, None),
    })
    images = rows[first].copy()
    images = pd.DataFrame({"Handle": images["Handle"],
                           "Image Src": "https://cdn.shopify.com/s/files/1/cf/" +
                           images["Handle"] + "-2.jpg",
                           "Image Position": "2"})
    rows["_k"] = np.arange(len(rows))
    images["_k"] = rows.loc[images.index, "_k"] + 0.5
    rows.loc[first, "Image Src"] = "https://cdn.shopify.com/s/files/1/cf/" + handle[first] + \
        ".jpg"
    rows.loc[first, "Image Position"] = "1"
    order = rows.groupby("Handle", sort=False)["_k"].transform("min")
    rows["_g"], images["_g"] = order, order.loc[images.index]
    images["_k"] = images["_k"] + 1_000_000  # after the handle's variants
    out = pd.concat([rows, images]).sort_values(["_g", "_k"], kind="stable")
    _write_csv(path, out.reindex(columns=list(SHOPIFY_PRODUCT_COLUMNS)))


# -- QuickBooks Online -------------------------------------------------------------------------
def write_general_ledger(path: Path, gl: pd.DataFrame) -> None:
    """The General Ledger report: title block, account headings, totals, footer."""
    amount = gl["amount"].astype(float)
    credit_normal = gl["account_type"].isin(["revenue", "liability", "equity"])
    natural = amount.where(~credit_normal, -amount)
    by_entry = gl.groupby("entry_id")["account"]
    first, last = by_entry.transform("first"), by_entry.transform("last")
    other = first.where(gl["account"] != first, last)  # the other line of a 2-line entry
    split = other.where(by_entry.transform("size") == 2, "-Split-")
    qbo_type = gl["account_type"].map(QBO_TYPES)
    qbo_type[gl["account"].str.contains("Cash")] = "Bank"
    qbo_type[gl["account"].str.contains("Equipment")] = "Fixed Assets"
    created_by = gl["memo"].map(CREATED_BY).fillna(BOOKKEEPER)
    created_by[gl["source"] == "manual"] = BOOKKEEPER
    kinds = {"Shipping labels": "Expense", "Advertising (card feed)": "Expense",
             "Software subscriptions": "Expense", "Warehouse rent": "Bill"}
    start = pd.to_datetime(gl["posted_at"]).min()
    end = pd.to_datetime(gl["posted_at"]).max()
    rows: list[list[str]] = [
        [COMPANY], ["General Ledger"],
        [f"{start:%B} {start.day}, {start.year} - {end:%B} {end.day}, {end.year}"], [],
        ["", "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Split", "Amount",
         "Balance", "Account Type", "Create Date", "Created By"]]
    frame = gl.assign(natural=natural, split_to=split, qbo_type=qbo_type, by=created_by,
                      date_us=_us(gl["posted_at"], "%m/%d/%Y"),
                      created_us=_us(gl["entered_at"]))
    frame = frame.sort_values(["account", "posted_at"], kind="stable")
    for account, part in frame.groupby("account", sort=True):
        rows.append([account])
        if part["account_type"].iloc[0] in ("asset", "liability", "equity"):
            rows.append(["", "Beginning Balance", "", "", "", "", "", "", "0.00"])
        balance = 0.0
        for r in part.itertuples(index=False):
            balance = round(balance + r.natural, 2)
            rows.append(["", r.date_us, kinds.get(r.memo, "Journal Entry"), r.entry_id,
                         r.counterparty if isinstance(r.counterparty, str) else "", r.memo,
                         r.split_to, _thousands(r.natural), _thousands(balance), r.qbo_type,
                         r.created_us, r.by])
        rows.append([f"Total for {account}", "", "", "", "", "", "",
                     _thousands(round(part["natural"].sum(), 2)), ""])
    rows += [["TOTAL", "", "", "", "", "", "", "", ""], [],
             ["Accrual Basis Thursday, October 1, 2026 10:15 AM GMT-07:00"]]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


# -- ShipStation ------------------------------------------------------------------------------
def write_shipstation(path: Path, shipments: pd.DataFrame, orders: pd.DataFrame) -> None:
    """One row per label; three voided labels that a warehouse reprinted stay in the export."""
    ordered = orders.set_index("order_id")["ordered_at"]
    tags = np.where(shipments["address_corrected"] == "true", "Address Corrected", "")
    tags = pd.Series(tags, index=shipments.index).str.cat(
        np.where(shipments["reship"] == "true", "Reship", ""), sep=", ").str.strip(", ")
    digits = shipments["shipment_id"].str.replace(r"\D", "", regex=True)
    prefix = shipments["carrier"].map({"USPS": "9400111", "UPS": "1Z999AA1", "FedEx": "7712"})
    out = pd.DataFrame({
        "Order #": shipments["order_id"],
        "Order Date": _us(shipments["order_id"].map(ordered), "%m/%d/%Y"),
        "Ship Date": _us(shipments["shipped_at"], "%m/%d/%Y"),
        "Create Date": _us(shipments["shipped_at"]),
        "Shipment ID": digits,
        "Tracking #": prefix + digits.str.zfill(12),
        "Recipient": None,
        "Carrier": shipments["carrier"],
        "Service": shipments["service"],
        "Package": "Package",
        "Shipping Paid": None,
        "Shipping Cost": shipments["shipping_cost"],
        "Ship From": shipments["warehouse"],
        "Delivery Date": _us(shipments["delivered_at"]),
        "Tags": tags.where(tags != "", None),
        "Voided": "False",
    })
    voided = out.iloc[[10, 200, 3000 % max(len(out), 1)]].copy()
    voided["Shipment ID"] = "9" + voided["Shipment ID"]
    voided["Tracking #"] = voided["Tracking #"].str[:-1] + "0"
    voided["Voided"] = "True"
    out = pd.concat([out, voided]).sort_index(kind="stable")
    _write_csv(path, out)


# -- Aircall ----------------------------------------------------------------------------------
def _pretty_phone(numbers: pd.Series) -> pd.Series:
    """'+15554182115' -> '+1 555-418-2115', as Aircall shows numbers."""
    digits = numbers.str.replace(r"\D", "", regex=True)
    us = digits.str.len() == 11
    pretty = "+" + digits.str[0] + " " + digits.str[1:4] + "-" + digits.str[4:7] + "-" + \
        digits.str[7:]
    return pretty.where(us, numbers)


def write_aircall(path: Path, calls: pd.DataFrame) -> None:
    inbound = calls["direction"] == "inbound"
    started = pd.to_datetime(calls["started_at"])
    duration = pd.to_numeric(calls["duration_s"]).fillna(0)
    answered = calls["outcome"] == "answered"
    ids = calls["call_id"].str.replace(r"\D", "", regex=True)
    reason = calls["outcome"].map({"abandoned": "short_abandoned",
                                   "missed": "agents_did_not_answer",
                                   "voicemail": "agents_did_not_answer"})
    external = np.where(inbound, calls["from_number"], calls["to_number"])
    line = np.where(inbound, calls["to_number"], calls["from_number"])
    out = pd.DataFrame({
        "id": ids,
        "direction": calls["direction"],
        "status": calls["outcome"],
        "missed_call_reason": reason.where(inbound, None),
        "started_at": calls["started_at"],
        "answered_at": (started + pd.Timedelta(seconds=9)).dt.strftime("%Y-%m-%d %H:%M:%S")
        .where(answered, None),
        "ended_at": (started + pd.to_timedelta(duration + 9, unit="s"))
        .dt.strftime("%Y-%m-%d %H:%M:%S"),
        "duration": calls["duration_s"],
        "raw_digits": _pretty_phone(pd.Series(external, index=calls.index)),
        "number_name": "Cedar & Finch Support",
        "number_digits": _pretty_phone(pd.Series(line, index=calls.index)),
        "user_name": calls["agent"],
        "tags": None,
        "voicemail": ("https://assets.aircall.io/calls/" + ids + "/voicemail.mp3")
        .where(calls["outcome"] == "voicemail", None),
    })
    _write_csv(path, out)


# -- Google Workspace -------------------------------------------------------------------------
def write_google_users(path: Path, accounts: pd.DataFrame) -> None:
    names = accounts["person"].str.split(" ", n=1)
    last = pd.to_datetime(accounts["last_login_at"])
    out = pd.DataFrame({
        "First Name [Required]": names.str[0],
        "Last Name [Required]": names.str[1],
        "Email Address [Required]": accounts["user"],
        "Password [Required]": "****",
        "Org Unit Path [Required]": "/",
        "Status [READ ONLY]": np.where(accounts["disabled"] == "true", "Suspended", "Active"),
        "Last Sign In [READ ONLY]": last.dt.strftime("%Y/%m/%d %H:%M:%S").where(
            last.notna(), "Never logged in"),
        "2sv Enrolled [READ ONLY]": accounts["mfa_enabled"].map({"true": "True",
                                                                  "false": "False"}),
        "2sv Enforced [READ ONLY]": "False",
        "Email Usage [READ ONLY]": "1.2GB",
        "Drive Usage [READ ONLY]": "0.8GB",
        "Total Storage [READ ONLY]": "2.0GB",
        "Change Password at Next Sign-In": "False",
        "Admin Role [READ ONLY]": np.where(accounts["is_admin"] == "true", "Super Admin", None),
    })
    _write_csv(path, out.reindex(columns=list(GOOGLE_COLUMNS)))


# -- Toggl ------------------------------------------------------------------------------------
def write_toggl(path: Path, tasks: pd.DataFrame) -> None:
    """Detailed time entries, back to back from 9:00 for each person's day."""
    minutes = pd.to_numeric(tasks["minutes"])
    day = pd.to_datetime(tasks["performed_on"])
    before = minutes.groupby([tasks["person"], tasks["performed_on"]]).cumsum() - minutes
    start = day + pd.Timedelta(hours=9) + pd.to_timedelta(before, unit="m")
    end = start + pd.to_timedelta(minutes, unit="m")
    seconds = (minutes * 60).round().astype(int)
    duration = (seconds // 3600).map("{:02d}".format) + ":" + \
        ((seconds % 3600) // 60).map("{:02d}".format) + ":" + (seconds % 60).map("{:02d}".format)
    project = tasks["system"].where(tasks["target_system"].isna(),
                                    tasks["system"] + " → " + tasks["target_system"])
    category = tasks["category"].str.replace("_", " ")
    recurring = tasks["recurring"].map({"true": "recurring", "false": "one-off"})
    tags = category.str.cat(recurring, sep=", ", na_rep="").str.strip(", ")
    email = tasks["person"].str.lower().str.replace(" ", ".") + "@" + DOMAIN
    out = pd.DataFrame({
        "User": tasks["person"], "Email": email, "Client": COMPANY, "Project": project,
        "Task": None, "Description": tasks["task"], "Billable": "No",
        "Start date": start.dt.strftime("%Y-%m-%d"), "Start time": start.dt.strftime("%H:%M:%S"),
        "End date": end.dt.strftime("%Y-%m-%d"), "End time": end.dt.strftime("%H:%M:%S"),
        "Duration": duration, "Tags": tags.where(tags != "", None), "Amount ()": None,
    })
    _write_csv(path, out, bom=True)
