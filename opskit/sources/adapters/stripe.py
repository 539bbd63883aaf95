"""Stripe: the unified payments export.

One row per payment. Times are UTC ('Created date (UTC)'); amounts are decimals in the
payment's currency, lower-case ISO codes. Metadata keys set by the shop become columns named
'<key> (metadata)': ``order_id (metadata)`` links a payment to its order. Failed payments
are in the export but are not sales: they are set aside.
"""

from __future__ import annotations

import pandas as pd

from opskit.sources.adapters.base import Adapter, Converted, Export, utc_to_local


def convert_payments(export: Export) -> Converted:
    id_label, payment_id = export.pick("id")
    meta_label, meta_order = export.pick("order_id (metadata)", "order_number (metadata)")
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
        "order_id": (meta_label or id_label, order_id),
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
                  "Fee", "Description", "order_id (metadata)", "Converted Amount",
                  "PaymentIntent ID", "Invoice ID"),
        convert=convert_payments,
        quirks="UTC times; metadata columns '<key> (metadata)'; failed payments set aside; "
               "a payment's order from order_id (metadata), else the payment id"),
)
