"""Amazon Seller Central: the All Orders report and the transaction Date Range Report.

All Orders (a tab-separated flat file): one row per order item, the order repeated; prices are
per line (quantity included) and purchase dates are UTC with an offset. Pending orders show no
price until Amazon confirms them: they are set aside.

Date Range Report (CSV): a few lines of explanation before the header; one row per
transaction; 'type' says what it is (Order, Refund, Service Fee, Transfer, ...). Orders and
refunds feed orders, order_lines and returns; fees and transfers feed no table and are counted
by type. The currency is named once, in the explanation lines ('All amounts in USD'). Times
are written in the marketplace's zone with its abbreviation ('PDT'), amounts with thousands
separators.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    amounts,
    as_iso,
    utc_to_local,
)

DATE_RANGE_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%d %b %Y %H:%M:%S", "%Y-%m-%d %H:%M:%S",
                      "%m/%d/%Y %H:%M:%S")


def _number(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    values, ok = amounts(text)
    numeric = pd.to_numeric(values.where(ok, np.nan), errors="coerce")
    return numeric, ok | text.isna().to_numpy()


def convert_all_orders(export: Export) -> Converted:
    order_label, order = export.pick("amazon-order-id")
    status_label, status = export.pick("order-status")
    qty_label, qty = export.pick("quantity")
    price_label, price = export.pick("item-price")
    pending = status.str.lower().eq("pending").fillna(False) & price.isna()
    quantity = pd.to_numeric(qty, errors="coerce")
    cancelled = status.str.lower().eq("cancelled").fillna(False) & quantity.eq(0)
    aside = pd.Series(None, index=order.index, dtype="str")
    aside[pending] = "pending order: Amazon shows no price until it is confirmed"
    line_rule = pd.Series("pending_order", index=order.index, dtype="str")
    aside_lines = aside.copy()
    aside_lines[cancelled] = "cancelled order: no item was sold (quantity 0)"
    line_rule[cancelled] = "cancelled_order"
    parts = {name: _number(export.get(name)) for name in (
        "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
        "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount")}
    values = {name: v.fillna(0.0) for name, (v, _) in parts.items()}
    readable = np.logical_and.reduce([ok for _, ok in parts.values()])
    discounts = values["item-promotion-discount"].abs() + values["ship-promotion-discount"].abs()
    line_total = (values["item-price"] + values["item-tax"] + values["shipping-price"]
                  + values["shipping-tax"] + values["gift-wrap-price"] + values["gift-wrap-tax"]
                  - discounts)
    usable = ~pending.to_numpy()
    group = order.ffill()
    sums = pd.DataFrame({"order": group, "total": line_total, "shipping":
                         values["shipping-price"], "tax": values["item-tax"]
                         + values["shipping-tax"] + values["gift-wrap-tax"],
                         "discount": discounts, "subtotal": values["item-price"],
                         "bad": ~readable})[usable].groupby("order").sum()
    first = (group != group.shift()).fillna(True).to_numpy()
    per_order = lambda column: group.map(sums[column]).round(2)  # noqa: E731
    bad_order = group.map(sums["bad"]).fillna(0).astype(bool)
    order_aside = aside.copy()
    order_aside[bad_order & aside.isna()] = "an amount of the order cannot be read"
    order_rule = pd.Series("unreadable_amount", index=order.index, dtype="str")
    order_rule[pending] = "pending_order"
    date_label, purchased = export.pick("purchase-date")
    orders = export.table({
        "order_id": (order_label, group),
        "ordered_at": (date_label, utc_to_local(purchased, export.timezone)),
        "total": ("item-price + taxes + shipping - promotions", per_order("total")),
        "channel": (None, pd.Series("amazon", index=order.index, dtype="str")),
        "status": (status_label, status.str.lower()),
        "subtotal": (price_label, per_order("subtotal")),
        "discount_total": ("item-promotion-discount + ship-promotion-discount",
                           per_order("discount")),
        "discount_code": export.pick("promotion-ids"),
        "shipping_charged": ("shipping-price", per_order("shipping")),
        "tax": ("item-tax + shipping-tax + gift-wrap-tax", per_order("tax")),
        "promised_ship_by": export.pick("latest-ship-date"),
        "currency": export.pick("currency"),
    }, where=first, aside=order_aside, rule=order_rule, aside_column=price_label)
    unit = (values["item-price"] / quantity.where(quantity > 0)).round(2).astype(object)
    unit[~parts["item-price"][1]] = price[~parts["item-price"][1]]
    lines = export.table({
        "order_id": (order_label, group),
        "sku": export.pick("sku"),
        "quantity": (qty_label, qty),
        "unit_price": (f"{price_label} / {qty_label}", unit.where(price.notna(), None)),
        "line_discount": ("item-promotion-discount",
                          values["item-promotion-discount"].abs().round(2)),
    }, aside=aside_lines, rule=line_rule, aside_column=price_label)
    notes = [] if export.timezone else ["purchase dates are UTC: set 'timezone' in "
                                        "engagement.yaml to read them as local time"]
    return Converted({"orders": orders, "order_lines": lines}, notes=notes)


# Marketplaces in British English write 'postage' where amazon.com writes 'shipping'.
UK_SPELLINGS = {"shipping credits": "shipping credits|postage credits",
                "shipping credits tax": "shipping credits tax|postage credits tax"}


def convert_date_range(export: Export) -> Converted:
    kind = export.get("type")
    kind_low = kind.str.lower()
    is_order = kind_low.eq("order").fillna(False)
    is_refund = kind_low.eq("refund").fillna(False)
    date_label, when = export.pick("date/time")
    local = as_iso(when.str.replace(r"\s+[A-Z]{2,4}$", "", regex=True), DATE_RANGE_FORMATS)
    order_label, order = export.pick("order id")
    sku_label, sku = export.pick("sku")
    fields = {name: _number(export.get(UK_SPELLINGS.get(name, name))) for name in (
        "product sales", "product sales tax", "shipping credits", "shipping credits tax",
        "gift wrap credits", "giftwrap credits tax", "promotional rebates",
        "promotional rebates tax", "total")}
    val = {name: v.fillna(0.0) for name, (v, _) in fields.items()}
    readable = np.logical_and.reduce([ok for _, ok in fields.values()])
    tax = (val["product sales tax"] + val["shipping credits tax"] + val["giftwrap credits tax"]
           + val["promotional rebates tax"])
    paid = (val["product sales"] + val["shipping credits"] + val["gift wrap credits"]
            + val["promotional rebates"] + tax)
    frame = pd.DataFrame({"order": order, "paid": paid, "sales": val["product sales"],
                          "shipping": val["shipping credits"], "tax": tax,
                          "discount": 0.0 - val["promotional rebates"], "bad": ~readable})
    sums = frame[is_order.to_numpy()].groupby("order").sum()
    first_of_order = is_order & ~order.where(is_order).duplicated(keep="first")
    per = lambda column: order.map(sums[column]).round(2)  # noqa: E731
    bad = order.map(sums["bad"]).fillna(0).astype(bool)
    aside = pd.Series(None, index=order.index, dtype="str")
    aside[bad] = "an amount of the order cannot be read"
    found = re.search(r"(?i)all amounts in ([A-Z]{3})\b", " ".join(export.title))
    currency = pd.Series(found.group(1).upper() if found else None, index=order.index,
                         dtype="str")
    orders = export.table({
        "order_id": (order_label, order),
        "ordered_at": (date_label, local),
        "total": ("product sales + credits + rebates + taxes", per("paid")),
        "channel": (None, pd.Series("amazon", index=order.index, dtype="str")),
        "subtotal": ("product sales", per("sales")),
        "discount_total": ("promotional rebates", per("discount")),
        "shipping_charged": (export.label(UK_SPELLINGS["shipping credits"]) or "shipping credits",
                             per("shipping")),
        "tax": ("taxes", per("tax")),
        "currency": ("'All amounts in ...' above the header" if found else None, currency),
    }, where=first_of_order.to_numpy(), aside=aside, rule="unreadable_amount",
        aside_column="total")
    quantity = pd.to_numeric(export.get("quantity"), errors="coerce")
    unit = (val["product sales"] / quantity.where(quantity > 0)).round(2)
    lines = export.table({
        "order_id": (order_label, order),
        "sku": (sku_label, sku),
        "quantity": export.pick("quantity"),
        "unit_price": ("product sales / quantity", unit),
        "line_discount": ("promotional rebates", (0.0 - val["promotional rebates"]).round(2)),
    }, where=is_order.to_numpy())
    refund = (-val["total"]).round(2).astype(object)
    refund[~fields["total"][1]] = export.get("total")[~fields["total"][1]]
    returns = export.table({
        "order_id": (order_label, order),
        "returned_at": (date_label, local),
        "sku": (sku_label, sku),
        "refund_amount": ("total (refund, sign flipped)", refund),
    }, where=is_refund.to_numpy())
    other = kind[~(is_order | is_refund)].fillna("(no type)").value_counts()
    structure = {f"'{k}' rows (not orders or refunds)": int(v) for k, v in other.items()}
    return Converted({"orders": orders, "order_lines": lines, "returns": returns}, structure)


ADAPTERS = (
    Adapter(
        id="amazon.all_orders", system="amazon", name="Amazon All Orders report",
        menu="Seller Central: Reports > Fulfillment > All Orders (or Order Reports), "
             "request download, tab-delimited",
        feeds=("orders", "order_lines"),
        required=("amazon-order-id", "purchase-date", "order-status", "sku", "quantity",
                  "item-price"),
        optional=("merchant-order-id", "currency", "item-tax", "shipping-price", "shipping-tax",
                  "item-promotion-discount", "ship-promotion-discount", "promotion-ids",
                  "sales-channel", "fulfillment-channel", "asin", "latest-ship-date"),
        convert=convert_all_orders,
        quirks="tab-delimited flat file; one row per item; prices per line; UTC purchase "
               "dates; pending orders without prices set aside"),
    Adapter(
        id="amazon.date_range", system="amazon", name="Amazon Date Range Report (transactions)",
        menu="Seller Central: Payments > Reports Repository > Date Range Reports > "
             "Transaction, CSV",
        feeds=("orders", "order_lines", "returns"),
        required=("date/time", "settlement id", "type", "order id", "sku", "product sales",
                  "total"),
        optional=("quantity", "description", "marketplace", "fulfillment|fulfilment",
                  "shipping credits|postage credits", "promotional rebates", "selling fees",
                  "fba fees", "product sales tax"),
        layout="preamble",
        convert=convert_date_range,
        quirks="explanation lines before the header; one row per transaction with a type; "
               "fees and transfers feed no table; times with a zone abbreviation; thousands "
               "separators"),
)
