"""Stripe: the unified payments export.

One row per payment. Times are UTC ('Created date (UTC)'); amounts are decimals in the
payment's currency, lower-case ISO codes. Metadata keys set by the shop become columns named
'<key> (metadata)', spelled as the shop's integration chose: ``order_id``, ``orderId``,
``orderNumber``, ``order_number``... Any such key that names the shop's order number or id
links the payment to its order (the number first: it is what the shop's own export calls
the order); a payment without one keeps its charge id. Failed payments are in the export but
are not sales: they are set aside.
"""

from __future__ import annotations

import pandas as pd

from opskit.sources.adapters.base import Adapter, Converted, Export, clean, utc_to_local
from opskit.sources.readers import normalize_name

# Metadata keys (compared without case, spaces or underscores) that hold the shop's order.
ORDER_NUMBER_KEYS = ("ordernumber", "orderno", "ordernum", "ordername")
ORDER_ID_KEYS = ("orderid", "order", "orderreference", "orderref")


def order_metadata(export: Export) -> tuple[str | None, pd.Series]:
    """The shop's order per payment from its '<key> (metadata)' columns, number first."""
    ranked: list[tuple[int, str]] = []
    for label in (str(c) for c in export.frame.columns):
        key = normalize_name(label)
        if not key.endswith("_metadata"):
            continue
        compact = key[: -len("_metadata")].replace("_", "")
        for rank, names in enumerate((ORDER_NUMBER_KEYS, ORDER_ID_KEYS)):
            if compact in names:
                ranked.append((rank, label))
    found = pd.Series(None, index=export.frame.index, dtype="str")
    labels = []
    for _, label in sorted(ranked):
        export.used_labels.add(label)
        values = clean(export.frame[label])
        if values.notna().any():
            labels.append(label)
            found = found.fillna(values)
    return (" else ".join(labels) if labels else None), found


def convert_payments(export: Export) -> Converted:
    id_label, payment_id = export.pick("id")
    meta_label, meta_order = order_metadata(export)
    order_id = meta_order.fillna(payment_id)
    status_label, status = export.pick("Status")
    low = status.str.lower()
    aside = pd.Series(None, index=payment_id.index, dtype="str")
    failed = low.isin(["failed", "canceled", "cancelled"]).fillna(False)
    aside[failed] = "payment did not go through"
    created_label, created = export.pick("Created date (UTC)", "Created (UTC)", "Created")
    created_local = utc_to_local(created, export.timezone)
    captured = export.get("Captured").str.lower().isin(["true", "yes"]).fillna(False)
    paid_at = created_local.where(captured & low.isin(["paid", "succeeded", "refunded"])
                                  .fillna(False), None)
    customer_label, customer = export.pick("Customer ID")
    refunded = export.get("Amount Refunded")
    status_text = low.where(~(refunded.notna() & (refunded != "0") & (refunded != "0.00")
                              & low.eq("paid").fillna(False)), "partially_refunded")
    orders = export.table({
        "order_id": (f"{meta_label} else {id_label}" if meta_label else id_label, order_id),
        "ordered_at": (created_label, created_local),
        "total": export.pick("Amount"),
        "customer_id": (customer_label, customer),
        "channel": (None, pd.Series("stripe", index=order_id.index, dtype="str")),
        "status": (status_label, status_text),
        "paid_at": ("Captured + " + (created_label or "Created"), paid_at),
        "currency": ("Currency", export.get("Currency").str.upper()),
    }, aside=aside, rule="payment_failed", aside_column=status_label)
    has_customer = customer.notna().to_numpy()
    first_time = ~customer.duplicated(keep="first").to_numpy()
    customers = export.table({
        "customer_id": (customer_label, customer),
        "system": (None, pd.Series(export.system, index=order_id.index, dtype="str")),
        "name": export.pick("Customer Description", "Card Name"),
        "email": export.pick("Customer Email"),
    }, where=has_customer & first_time)
    notes = [] if export.timezone else ["times are UTC: set 'timezone' in engagement.yaml to "
                                        "read them as local time"]
    return Converted({"orders": orders, "customers": customers}, notes=notes)


ADAPTERS = (
    Adapter(
        id="stripe.payments", system="stripe", name="Stripe payments export",
        menu="Stripe Dashboard: Payments > Export (unified payments, all columns)",
        feeds=("orders", "customers"),
        required=("id", "Created date (UTC)|Created (UTC)", "Amount", "Currency", "Status",
                  "Captured"),
        optional=("Amount Refunded", "Customer ID", "Customer Email", "Customer Description",
                  "Fee", "Description", "order_id (metadata)|orderId (metadata)|"
                  "orderNumber (metadata)|order_number (metadata)", "Converted Amount",
                  "PaymentIntent ID", "Invoice ID"),
        convert=convert_payments,
        quirks="UTC times; metadata columns '<key> (metadata)'; failed payments set aside; "
               "a payment's order from the metadata key naming the order number or id "
               "(orderNumber, orderId, order_id...), else the payment id"),
)
