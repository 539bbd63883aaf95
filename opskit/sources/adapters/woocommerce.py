"""WooCommerce: the orders CSV of the Customer / Order / Coupon Export extension.

Two formats. Default: one row per order, line items packed into one cell, items separated by
';' and fields by '|' as ``name:value`` pairs (``sku:CF-1|quantity:2|subtotal:40.00|
total:36.00``). Default - One Row per Item: the order's fields repeated on a row per item,
the item in ``item_name``, ``item_sku``, ``item_quantity``, ``item_subtotal``, ``item_total``.
Coupons are packed in ``coupon_items`` in both. An item without SKU is keyed by its name.
Times are the store's local time. Guest orders have customer id 0. Failed and draft checkouts
are orders in WooCommerce's table but not sales: they are set aside.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import Adapter, Converted, Export, TableOut, amounts

NOT_SALES = {"failed": "payment failed", "checkout-draft": "checkout never completed",
             "trash": "order deleted"}


def packed_items(cell: str | None) -> list[dict[str, str]]:
    """'name:A|sku:X|quantity:2;name:B|...' -> one dict per item."""
    items = []
    for chunk in (cell if isinstance(cell, str) else "").split(";"):
        if not chunk.strip():
            continue
        fields = {}
        for pair in chunk.split("|"):
            key, _, value = pair.partition(":")
            fields[key.strip().lower()] = value.strip()
        items.append(fields)
    return items


def filled(export: Export, *entries: str) -> tuple[str | None, pd.Series]:
    """The first of ``entries`` that holds a value, row by row (a column may be left empty).

    Versions of the extension write a field under an old and a new name (``order_number``
    and ``order_id``, ``shipping_total`` and ``order_shipping``); a file may carry both with
    one left empty, so each row takes the first name that has its value. The header named is
    the first that holds values.
    """
    labels = [label for entry in entries if (label := export.label(entry)) is not None]
    values = pd.Series(None, index=export.frame.index, dtype="str")
    used = []
    for entry in entries:
        if export.label(entry) is None:
            continue
        column = export.get(entry)
        if column.notna().any():
            used.append(export.label(entry))
            values = values.fillna(column)
    return (used[0] if used else labels[0] if labels else None), values


def convert_orders(export: Export) -> Converted:
    number_label, number = filled(export, "order_number", "order_id")
    status_label, status = export.pick("status")
    aside = status.str.lower().map(NOT_SALES)
    customer_label, customer = export.pick("customer_id")
    customer = customer.where(customer != "0", None)
    coupons_label, coupons = export.pick("coupon_items")
    codes = coupons.map(lambda c: ",".join(i.get("code", "") for i in packed_items(c)
                                           if i.get("code")) or None, na_action="ignore")
    total_label, total = export.pick("order_total")
    shipping_label, shipping = filled(export, "shipping_total", "order_shipping")
    tax_label, tax = filled(export, "tax_total", "order_tax")
    discount_label, discount = export.pick("discount_total", "cart_discount")
    items_label, items = export.pick("line_items")
    one_row_per_item = items_label is None
    first = (~number.duplicated(keep="first") | number.isna()).to_numpy() if (
        one_row_per_item) else None
    orders = export.table({
        "order_id": (number_label, number),
        "ordered_at": filled(export, "order_date", "date"),
        "total": (total_label, total),
        "customer_id": (customer_label, customer),
        "status": (status_label, status.str.lower()),
        "discount_total": (discount_label, discount),
        "discount_code": (coupons_label, codes),
        "shipping_charged": (shipping_label, shipping),
        "tax": (tax_label, tax),
        "paid_at": filled(export, "paid_date", "date_paid"),
        "currency": filled(export, "order_currency", "currency"),
    }, where=first, aside=aside, rule="not_a_sale", aside_column=status_label)
    if one_row_per_item:
        return Converted({"orders": orders, "order_lines": _item_rows(export, number, aside,
                                                                      status_label)},
                         {"further item rows of an order": int((~first).sum())})
    lines = _lines(export, number, items, aside, items_label)
    return Converted({"orders": orders, "order_lines": lines})


def _item_rows(export: Export, number: pd.Series, aside: pd.Series,
               status_label: str | None) -> TableOut:
    """Order lines of the one-row-per-item format: unit price = item subtotal / quantity."""
    sku_label, sku = export.pick("item_sku")
    _, name = export.pick("item_name")
    qty_label, quantity = export.pick("item_quantity")
    sub_label, subtotal = export.pick("item_subtotal")
    total_label, total = export.pick("item_total")
    sub, sub_ok = amounts(subtotal)
    tot, tot_ok = amounts(total)
    qty = pd.to_numeric(quantity, errors="coerce")
    divisible = sub_ok & (qty > 0).fillna(False).to_numpy()
    unit = subtotal.astype(object).copy()
    unit[divisible] = (pd.to_numeric(sub[divisible]) / qty[divisible]).round(2)
    discount = pd.Series(None, index=subtotal.index, dtype=object)
    both = sub_ok & tot_ok
    discount[both] = (pd.to_numeric(sub[both]) - pd.to_numeric(tot[both])).round(2)
    return export.table({
        "order_id": (export.label("order_number") or export.label("order_id"), number),
        "sku": (sku_label, sku.fillna(name)),
        "quantity": (qty_label, quantity),
        "unit_price": (f"{sub_label} / {qty_label}", unit),
        "line_discount": (f"{sub_label} - {total_label}", discount),
    }, aside=aside, rule="not_a_sale", aside_column=status_label)


def _lines(export: Export, number: pd.Series, items: pd.Series, aside: pd.Series,
           label: str | None) -> TableOut:
    """One order line per packed item, unit price = item subtotal / quantity."""
    records, rows, skipped = [], [], []
    for i, (order, cell, why) in enumerate(zip(number, items, aside, strict=True)):
        row = int(export.rows[i])
        if isinstance(why, str):
            skipped.append((row, why, "not_a_sale", label))
            continue
        for item in packed_items(cell):
            quantity = item.get("quantity")
            subtotal, ok = amounts(pd.Series([item.get("subtotal")], dtype="str"))
            total, ok_total = amounts(pd.Series([item.get("total")], dtype="str"))
            qty = pd.to_numeric(pd.Series([quantity]), errors="coerce").iloc[0]
            unit = (round(float(subtotal.iloc[0]) / qty, 2) if ok[0] and qty and qty > 0
                    else item.get("subtotal"))
            discount = (round(float(subtotal.iloc[0]) - float(total.iloc[0]), 2)
                        if ok[0] and ok_total[0] else None)
            records.append({"order_id": order,
                            "sku": item.get("sku") or item.get("name") or None,
                            "quantity": quantity, "unit_price": unit,
                            "line_discount": discount})
            rows.append(row)
    frame = pd.DataFrame(records, columns=["order_id", "sku", "quantity", "unit_price",
                                           "line_discount"])
    headers = {c: f"{label or 'line_items'} ({c.replace('unit_price', 'subtotal / quantity')})"
               for c in frame.columns}
    headers["order_id"] = export.label("order_number") or "order_id"
    return TableOut(export.path, frame, np.asarray(rows, dtype=np.int64), headers, skipped)


ADAPTERS = (
    Adapter(
        id="woocommerce.orders", system="woocommerce", name="WooCommerce orders export",
        menu="WordPress admin: WooCommerce > Export (Customer / Order / Coupon Export), "
             "Orders, CSV default format",
        feeds=("orders", "order_lines"),
        required=("order_id", "order_date", "status", "order_total", "line_items|item_quantity"),
        optional=("order_number", "shipping_total", "tax_total", "discount_total",
                  "coupon_items", "customer_id", "order_currency", "billing_email",
                  "payment_method", "paid_date", "item_sku", "item_name", "item_subtotal",
                  "item_total"),
        convert=convert_orders,
        quirks="line items packed in one cell (';' between items, 'key:value|...'), or one "
               "row per item with the order repeated; guest customer id 0; failed and draft "
               "checkouts set aside; an item without SKU keyed by its name"),
)
