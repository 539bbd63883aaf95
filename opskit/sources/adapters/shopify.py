"""Shopify: the orders export, the products export (three layouts) and the inventory export.

Orders: one line per line item; the order's own fields (totals, dates, statuses) are written
on the first line of each order only, the lines below carry the item. Exports built from the
Admin API (apps, scripts) write the same fields under the API's names, one row per line item
with the order repeated ('total_price', 'line_items.sku', 'line_items.name' ...): they read
the same way. Draft orders (their export, or the DraftOrder resource: one 'Status' of open,
invoice_sent or completed, no financial status) are not orders: they are set aside, and a
completed draft is in the orders export under its own order name. Times carry the store's
UTC offset, which changes at daylight saving. The export has no customer id: the order's
email identifies the customer. UTM source and campaign, and promised ship-by and delivery
dates, come from the order's note attributes (written there by attribution and delivery-date
apps), as ``key: value`` lines.

Products: one line per variant; product fields (title, vendor, type, status) only on the
first line of each handle; image-only lines carry neither SKU nor price. Three layouts are
read: before 2023 (Standard / Custom Product Type), 2023 on (Product Category, Type, market
price columns such as 'Price / United States', which are ignored: the data model keeps the
store's base price) and the 2025 layout (URL handle, SKU, Price, Weight value (grams)).

Stores without SKUs: many stores never set them, and the three exports then carry an empty
SKU. A variant is keyed by the name Shopify itself gives it, product title and option values
('Linen Napkins - Sage', the title alone for a product without options): the orders export
writes exactly that as 'Lineitem name', the products export has the title and options, the
inventory export too. It is the one identity all three exports share (the admin orders export
has neither the variant id nor the handle), so order lines, products and stock levels still
join, and the key is what the client recognises in evidence. ``variant_key`` is that rule.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    TableOut,
    amounts,
    clean,
    forward_fill,
    split_part,
    without_offset,
)
from opskit.sources.readers import normalize_name

SOURCE_CHANNELS = {"pos": "retail"}
NOTE_KEYS = {
    "source": ("utm_source", "source"),
    "campaign": ("utm_campaign", "campaign"),
    "promised_ship_by": ("ship_by", "ship by", "promised_ship_by"),
    "promised_delivery_by": ("delivery_by", "estimated_delivery", "delivery date",
                             "promised_delivery_by"),
}
GRAMS_PER_UNIT = {"lb": 453.59237, "oz": 28.349523125, "kg": 1000.0, "g": 1.0}
UNIT_DECIMALS = {"lb": 2, "oz": 2, "kg": 3, "g": 0}


def note_attribute(notes: pd.Series, keys: tuple[str, ...]) -> pd.Series:
    """The value of one of ``keys`` in Shopify's 'Note Attributes' ('key: value' lines)."""
    # No \s and no flags argument: pandas runs this in pyarrow instead of row by row.
    names = "|".join(re.escape(k).replace("\\ ", " ") for k in keys)
    found = notes.str.extract(r"(?i)(?:^|\n)[ \t]*(?:" + names + r")[ \t]*:[ \t]*([^\n]*)",
                              expand=False).str.strip()
    return found.where(found.notna() & (found != ""), None)


def variant_name(title: pd.Series, options: list[pd.Series]) -> pd.Series:
    """'Title - Opt1 / Opt2' as Shopify names a variant (the title alone for 'Default Title')."""
    parts = [o.where(o.str.lower().ne("default title").fillna(False), None) for o in options]
    variant = _joined(parts, title.index)
    return title.where(variant.isna(), title.fillna("") + " - " + variant.fillna(""))


def variant_key(sku: pd.Series, name: pd.Series) -> pd.Series:
    """The product key: the SKU when the store set one, else the variant's name.

    The name is compared with its spaces collapsed, as the three exports may pad it
    differently; a variant with neither stays missing (the loader names it).
    """
    spaced = name.str.replace(r" +", " ", regex=True).str.strip()
    spaced = spaced.where(spaced.notna() & spaced.ne("").fillna(False), None)
    return sku.fillna(spaced)


def order_status(cancelled: pd.Series, financial: pd.Series, fulfillment: pd.Series
                 ) -> pd.Series:
    """One order status from Shopify's separate cancellation, payment and fulfillment fields."""
    fin = financial.str.lower()
    ful = fulfillment.str.lower()
    status = pd.Series("open", index=fin.index, dtype="str")
    status[ful.eq("partial").fillna(False)] = "partially_fulfilled"
    status[ful.eq("fulfilled").fillna(False)] = "fulfilled"
    status[fin.eq("partially_refunded").fillna(False)] = "partially_refunded"
    status[fin.isin(["refunded", "voided"]).fillna(False)] = "refunded"
    status[cancelled.notna()] = "cancelled"
    return status


DRAFT_STATUSES = ("open", "invoice_sent", "completed")
DRAFT_REASON = ("draft order, never placed as such (a completed draft is in the orders export "
                "under its own order name)")


def is_draft(export: Export, name: pd.Series) -> pd.Series:
    """Rows of a draft orders export: one 'Status' (open, invoice_sent, completed) and no
    financial status, as Shopify's draft orders (and the DraftOrder API resource) have."""
    drafts = export.has("Status") and not export.has("Financial Status")
    return pd.Series(drafts, index=name.index, dtype=bool)


def convert_orders(export: Export) -> Converted:
    name_label, name = export.pick("Name")
    first = (name != name.shift()).fillna(True) & name.notna()
    # A first line missing its Name cannot be told from the order above; it stays a line.

    def order_field(entry: str) -> tuple[str | None, pd.Series]:
        label, values = export.pick(entry)
        return label, values

    created_label, created = order_field("Created at")
    paid_label, paid = order_field("Paid at")
    notes_label, notes = order_field("Note Attributes")
    source_label, source = order_field("Source|source_name")
    subtotal_label, subtotal = order_field("Subtotal|subtotal_price")
    discount_label, discount = order_field("Discount Amount|total_discounts")
    cancelled_label, cancelled = order_field("Cancelled at")
    _, financial = order_field("Financial Status")
    _, fulfillment = order_field("Fulfillment Status")

    # Shopify's Subtotal is after discounts; the data model's subtotal is before them.
    sub_values, sub_ok = amounts(subtotal)
    disc_values, disc_ok = amounts(discount)
    before = sub_values.copy()
    both_ok = sub_ok & (disc_ok | discount.isna().to_numpy())
    before[both_ok] = (pd.to_numeric(sub_values[both_ok]) + pd.to_numeric(
        disc_values[both_ok].where(discount[both_ok].notna(), 0.0))).round(2)
    channel = source.str.lower().replace(SOURCE_CHANNELS)

    on_orders = notes.where(first).dropna()  # note attributes are order fields

    def note(canonical: str) -> tuple[str | None, pd.Series]:
        found = note_attribute(on_orders, NOTE_KEYS[canonical])
        return notes_label, found.reindex(notes.index)

    bare = first & created.isna() & financial.isna() & export.get("Total|total_price").isna()
    aside = pd.Series(None, index=name.index, dtype="str")
    aside[bare] = "first line of the order carries no order fields (Created at, Total empty)"
    rule = pd.Series("no_order_fields", index=name.index, dtype="str")
    draft = is_draft(export, name)
    aside[draft] = DRAFT_REASON
    rule[draft] = "draft_order"
    promised_ship = note("promised_ship_by")
    promised_delivery = note("promised_delivery_by")
    orders = export.table({
        "order_id": (name_label, name),
        "ordered_at": (created_label, without_offset(created)),
        "total": export.pick("Total|total_price"),
        "customer_id": export.pick("Email"),
        "channel": (source_label, channel),
        "source": note("source"),
        "campaign": note("campaign"),
        "status": (f"{cancelled_label or 'Cancelled at'} + Financial Status + Fulfillment Status",
                   order_status(cancelled, financial, fulfillment)),
        "subtotal": (f"{subtotal_label} + {discount_label}" if discount_label else subtotal_label,
                     before),
        "discount_total": (discount_label, discount),
        "discount_code": export.pick("Discount Code|discount_codes"),
        "shipping_charged": export.pick("Shipping|total_shipping_price"),
        "tax": export.pick("Taxes|total_tax"),
        "paid_at": (paid_label, without_offset(paid)),
        "promised_ship_by": (promised_ship[0], without_offset(promised_ship[1])),
        "promised_delivery_by": (promised_delivery[0], without_offset(promised_delivery[1])),
        "currency": export.pick("Currency"),
    }, where=first.to_numpy(), aside=aside, rule=rule,
        aside_column=export.label("Status") if draft.any() else created_label)
    sku_label, sku = export.pick("Lineitem sku|line_items.sku|line_item_sku")
    _, item = export.pick("Lineitem name|line_items.name|line_item_name")
    lines = export.table({
        "order_id": (name_label, name),
        "sku": (sku_label, variant_key(sku, item)),
        "quantity": export.pick("Lineitem quantity|line_items.quantity|line_item_quantity"),
        "unit_price": export.pick("Lineitem price|line_items.price|line_item_price"),
        "line_discount": export.pick("Lineitem discount|line_items.total_discount|"
                                     "line_item_discount"),
    }, aside=pd.Series(DRAFT_REASON, index=name.index, dtype="str").where(draft, None),
        rule="draft_order", aside_column=export.label("Status") or name_label)
    return Converted({"orders": orders, "order_lines": lines})


def convert_products(export: Export) -> Converted:
    _, handle = export.pick("Handle", "URL handle")
    handle = handle.ffill()
    first = (handle != handle.shift()).fillna(True)
    _, title = export.pick("Title")
    title = forward_fill(title, first)
    sku_label, sku = export.pick("Variant SKU", "SKU")
    price_label, price = export.pick("Variant Price", "Price")
    option_labels, option_values = [], []
    for i in (1, 2, 3):
        label, value = export.pick(f"Option{i} Value")
        if label:
            option_labels.append(label)
            option_values.append(value)
    # An image-only line has no option values, no SKU and no price: it is no variant.
    has_options = pd.concat([v.notna() for v in option_values], axis=1).any(axis=1) if (
        option_values) else pd.Series(False, index=export.frame.index)
    image_only = sku.isna() & price.isna() & ~has_options
    name = variant_name(title, option_values)
    key = variant_key(sku, name)
    type_label, custom_type = export.pick("Type", "Custom Product Type")
    cat_label, standard = export.pick("Product Category", "Standard Product Type")
    category = forward_fill(custom_type, first).fillna(
        split_part(forward_fill(standard, first), ">", -1))
    _, vendor = export.pick("Vendor")
    status_label, status = export.pick("Status")
    published_label, published = export.pick("Published", "Published on online store")
    if status_label:
        active = forward_fill(status, first).str.lower().eq("active").map(
            {True: "true", False: "false"})
        active_label = status_label
    else:
        active = forward_fill(published, first)
        active_label = published_label
    weight_label, grams = export.pick("Variant Grams", "Weight value (grams)")
    _, unit = export.pick("Variant Weight Unit", "Weight unit for display")
    weight = _weight_in_unit(grams, unit)
    aside = _ambiguous_names(sku, key, ~image_only)
    products = export.table({
        "sku": (sku_label, key),
        "name": (" + ".join([export.label("Title") or "Title", *option_labels]), name),
        "category": (type_label or cat_label, category),
        "unit_cost": export.pick("Cost per item"),
        "price": (price_label, price),
        "weight": (weight_label, weight),
        "active": (active_label, active),
        "vendor": ("Vendor", forward_fill(vendor, first)),
        "system": (None, pd.Series(export.system, index=export.frame.index, dtype="str")),
    }, where=~image_only.to_numpy(), aside=aside, rule="no_product_key",
        aside_column=sku_label)
    for label in export.frame.columns:
        if re.match(r"(?i)^(price|compare at price|included) / ", str(label)):
            export.used_labels.add(str(label))  # market columns: read and deliberately unused
    return Converted({"products": products}, {"image rows (no variant)": int(image_only.sum())},
                     notes=_market_note(export))


def _ambiguous_names(sku: pd.Series, key: pd.Series, variant: pd.Series) -> pd.Series:
    """Why a variant without SKU cannot be keyed: no name, or a name another one has."""
    aside = pd.Series(None, index=sku.index, dtype="str")
    unnamed = variant & key.isna()
    aside[unnamed] = "no SKU and no title to key the variant by"
    by_name = variant & sku.isna() & key.notna()
    repeated = by_name & key.where(by_name).duplicated(keep=False) & key.notna()
    aside[repeated] = ("no SKU, and another variant without SKU has the same title and "
                       "options: set SKUs to tell them apart")
    return aside


def _joined(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    """Option values of a variant joined as Shopify shows them ('Queen / Sage')."""
    if not parts:
        return pd.Series(None, index=index, dtype="str")
    frame = pd.concat(parts, axis=1)
    text = frame.apply(lambda row: " / ".join(v for v in row if isinstance(v, str)), axis=1)
    return text.where(text != "", None).astype("str")


def _market_note(export: Export) -> list[str]:
    markets = [str(c) for c in export.frame.columns if str(c).lower().startswith("price / ")]
    if not markets:
        return []
    return [f"market price columns ({', '.join(markets)}) are not used: price is the "
            "store's base 'Variant Price'"]


def _weight_in_unit(grams: pd.Series, unit: pd.Series) -> pd.Series:
    """Shopify stores weight in grams; express it in the variant's weight unit."""
    values = pd.to_numeric(grams, errors="coerce")
    out = grams.astype(object).copy()
    units = unit.fillna("g").str.lower()
    for name, per in GRAMS_PER_UNIT.items():
        mask = values.notna() & units.eq(name)
        out[mask] = (values[mask] / per).round(UNIT_DECIMALS[name])
    other = values.notna() & ~units.isin(list(GRAMS_PER_UNIT))
    out[other] = values[other]
    return out


INVENTORY_KNOWN = {"handle", "title", "option1_name", "option1_value", "option2_name",
                   "option2_value", "option3_name", "option3_value", "sku", "hs_code", "coo",
                   "location", "incoming", "unavailable", "committed", "available", "on_hand"}


def snapshot_date(export: Export) -> str:
    """The day the inventory export shows: a date in the file name, else its modified date."""
    found = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})", export.path.name)
    if found:
        return "-".join(found.groups())
    stamp = export.path.stat().st_mtime
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d")


def convert_inventory(export: Export) -> Converted:
    sku_label, raw_sku = export.pick("SKU")
    title_label, title = export.pick("Title")
    options = [export.get(f"Option{i} Value") for i in (1, 2, 3)
               if export.has(f"Option{i} Value")]
    sku = variant_key(raw_sku, variant_name(title, options))
    sku_label = sku_label or "SKU"
    as_of = snapshot_date(export)
    if export.has("Location"):
        loc_label, location = export.pick("Location")
        qty_label, qty = export.pick("On hand", "Available")
        aside = pd.Series(None, index=export.frame.index, dtype="str")
        aside[qty.str.lower().eq("not stocked").fillna(False)] = "not stocked at this location"
        table = export.table({
            "sku": (sku_label, sku),
            "as_of": ("file name or date", pd.Series(as_of, index=sku.index, dtype="str")),
            "on_hand": (qty_label, qty),
            "location": (loc_label, location),
        }, aside=aside, rule="not_stocked", aside_column=qty_label)
        return Converted({"inventory_levels": table},
                         notes=[f"snapshot date {as_of} (from the file name or its date)"])
    # The older layout: one quantity column per location.
    locations = [str(c) for c in export.frame.columns
                 if normalize_name(c) not in INVENTORY_KNOWN and str(c).strip()]
    frames, rows, skipped = [], [], []
    for label in locations:
        qty = clean(export.frame[label])
        stocked = qty.notna() & ~qty.str.lower().eq("not stocked").fillna(False)
        frames.append(pd.DataFrame({"sku": sku[stocked], "as_of": as_of,
                                    "on_hand": qty[stocked], "location": label}))
        rows.append(export.rows[stocked.to_numpy()])
        export.used_labels.add(label)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["sku", "as_of", "on_hand", "location"])
    order = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    table = TableOut(export.path, frame, order,
                     {"sku": sku_label, "as_of": "file name or date",
                      "on_hand": "location columns", "location": "location columns"}, skipped)
    export.used_labels.update(x for x in (export.label("SKU"), title_label) if x)
    return Converted({"inventory_levels": table},
                     notes=[f"snapshot date {as_of}; one row per SKU and location column "
                            f"({', '.join(locations)})"])


ADAPTERS = (
    Adapter(
        id="shopify.orders", system="shopify", name="Shopify orders export",
        menu="Shopify admin: Orders > Export > All orders, CSV for Excel",
        feeds=("orders", "order_lines"),
        required=("Name", "Financial Status|Status", "Created at",
                  "Lineitem quantity|line_items.quantity|line_item_quantity",
                  "Lineitem price|line_items.price|line_item_price",
                  "Lineitem sku|line_items.sku|line_item_sku", "Total|total_price"),
        optional=("Fulfillment Status", "Email", "Paid at", "Currency",
                  "Subtotal|subtotal_price", "Shipping|total_shipping_price",
                  "Taxes|total_tax", "Discount Code|discount_codes",
                  "Discount Amount|total_discounts", "Cancelled at", "Refunded Amount",
                  "Note Attributes", "Source|source_name",
                  "Lineitem discount|line_items.total_discount|line_item_discount",
                  "Lineitem name|line_items.name|line_item_name", "Tags", "Id",
                  "Billing Name", "Shipping Method"),
        convert=convert_orders,
        quirks="order fields on the first line of each order only (or repeated, as API-shaped "
               "exports with line_items.* columns write them); times with the store's UTC "
               "offset; Subtotal is after discounts; customer = order email; UTM and promised "
               "dates from note attributes; cancelled and refunded orders kept with their "
               "status; a draft orders export (one Status, no Financial Status) set aside"),
    Adapter(
        id="shopify.products", system="shopify", name="Shopify products export",
        menu="Shopify admin: Products > Export > All products, CSV for Excel",
        feeds=("products",),
        required=("Handle|URL handle", "Title", "Vendor", "Option1 Name",
                  "Variant SKU|SKU", "Variant Price|Price"),
        optional=("Cost per item", "Variant Grams|Weight value (grams)",
                  "Variant Weight Unit|Weight unit for display", "Status",
                  "Type|Custom Product Type", "Product Category|Standard Product Type",
                  "Published|Published on online store", "Option1 Value", "Variant Barcode"),
        excludes=("Lineitem sku",),
        convert=convert_products,
        quirks="variants below their product; product fields on the first line of a handle; "
               "image-only lines; pre-2023, 2023+ and 2025 layouts; market price columns "
               "ignored; weight converted from grams to the variant's unit"),
    Adapter(
        id="shopify.inventory", system="shopify", name="Shopify inventory export",
        menu="Shopify admin: Products > Inventory > Export, CSV for Excel",
        feeds=("inventory_levels",),
        required=("Handle", "Title", "SKU", "Option1 Name"),
        optional=("Location", "On hand", "Available", "Committed", "Incoming", "HS Code"),
        excludes=("Variant Price", "Price", "Variant SKU", "Vendor"),
        convert=convert_inventory,
        quirks="no date in the export: the snapshot date comes from the file name or its "
               "date; the older layout has one column per location; 'not stocked' cells"),
)
