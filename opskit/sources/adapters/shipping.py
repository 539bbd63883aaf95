"""Shipping tools: the ShipStation shipments export, ShipBob's shipments and EasyPost's report.

ShipStation writes one row per label: the order number the store sent, the ship date (a date)
and the label's creation time (when it was printed), carrier, service, the label cost
('Shipping Cost', as opposed to 'Shipping Paid' by the customer) and the warehouse it shipped
from. Voided labels stay in the export and are set aside. Address corrections and reships
are marked by the warehouse with order tags ('Address Corrected', 'Reship').

ShipBob's shipment export carries the store's order number next to ShipBob's own ids, the
fulfillment center and the fulfillment cost; cancelled shipments are set aside. EasyPost's
shipment report has UTC times, the order number in 'reference' (when the integration sets it)
and the label 'rate'; refunded labels and labels bought in test mode are set aside.
"""

from __future__ import annotations

import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    as_iso,
    utc_to_local,
)

US_STAMPS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
             "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _tagged(tags: pd.Series, words: tuple[str, ...]) -> pd.Series:
    """'true' when the tags mention all of ``words``, 'false' otherwise (missing w/o tags)."""
    low = tags.str.lower()
    hit = pd.Series(True, index=tags.index)
    for word in words:
        hit &= low.str.contains(word, regex=False).fillna(False)
    return hit.map({True: "true", False: "false"})


def convert_shipstation(export: Export) -> Converted:
    created_label, created = export.pick("Create Date", "Label Create Date", "Created Date")
    date_label, ship_date = export.pick("Ship Date", "Shipped Date")
    shipped = as_iso(created.fillna(ship_date), US_STAMPS)
    voided_label, voided = export.pick("Voided", "Void Date")
    aside = pd.Series(None, index=created.index, dtype="str")
    if voided_label:
        is_void = voided.notna() & ~voided.str.lower().isin(["false", "no", "0"]).fillna(False)
        aside[is_void] = "label voided"
    tags_label, tags = export.pick("Tags", "Order Tags")
    id_label, shipment_id = export.pick("Shipment ID", "Tracking #", "Tracking Number")
    shipments = export.table({
        "order_id": export.pick("Order #", "Order Number"),
        "shipped_at": (created_label or date_label, shipped),
        "shipment_id": (id_label, shipment_id),
        "delivered_at": _stamp(export, "Delivery Date", "Delivered Date"),
        "carrier": export.pick("Carrier", "Provider"),
        "service": export.pick("Service", "Requested Service"),
        "shipping_cost": export.pick("Shipping Cost", "Label Cost"),
        "warehouse": export.pick("Ship From", "Warehouse"),
        "address_corrected": (tags_label, _tagged(tags, ("address", "correct"))
                              if tags_label else tags),
        "reship": (tags_label, _tagged(tags, ("reship",)) if tags_label else tags),
    }, aside=aside, rule="voided_label", aside_column=voided_label)
    export.used_labels.update(x for x in (date_label,) if x)
    return Converted({"shipments": shipments})


def _stamp(export: Export, *entries: str) -> tuple[str | None, pd.Series]:
    label, values = export.pick(*entries)
    return label, as_iso(values, US_STAMPS)


def convert_shipbob(export: Export) -> Converted:
    status_label, status = export.pick("Status")
    aside = status.str.lower().map({"cancelled": "shipment cancelled",
                                    "canceled": "shipment cancelled"})
    shipments = export.table({
        "order_id": export.pick("Store Order ID", "Order Number"),
        "shipped_at": _stamp(export, "Shipped Date", "Ship Date", "Fulfilled Date"),
        "shipment_id": export.pick("Shipment ID"),
        "delivered_at": _stamp(export, "Delivered Date", "Delivery Date"),
        "carrier": export.pick("Carrier"),
        "service": export.pick("Ship Option", "Carrier Service"),
        "shipping_cost": export.pick("Fulfillment Cost", "Shipping Cost", "Total Cost"),
        "warehouse": export.pick("Fulfillment Center"),
    }, aside=aside, rule="not_shipped", aside_column=status_label)
    return Converted({"shipments": shipments})


def convert_easypost(export: Export) -> Converted:
    status_label, status = export.pick("refund_status", "status")
    aside = status.str.lower().map({"refunded": "label refunded", "voided": "label voided",
                                    "cancelled": "label cancelled"})
    reference_label, reference = export.pick("reference")
    _, mode = export.pick("mode")
    aside = aside.fillna(mode.str.lower().map({"test": "test-mode label: nothing shipped"}))
    aside = aside.fillna(reference.isna().map(
        {True: "no order reference (set the shipment reference to the order number)",
         False: None}))
    created_label, created = export.pick("created_at")
    shipments = export.table({
        "order_id": (reference_label, reference),
        "shipped_at": (created_label, utc_to_local(created, export.timezone)),
        "shipment_id": export.pick("id"),
        "delivered_at": ("delivered_at", utc_to_local(export.get("delivered_at"),
                                                      export.timezone)),
        "carrier": export.pick("carrier"),
        "service": export.pick("service"),
        "shipping_cost": export.pick("rate"),
    }, aside=aside, rule="not_shipped", aside_column=status_label or reference_label)
    notes = [] if export.timezone else ["times are UTC: set 'timezone' in engagement.yaml"]
    return Converted({"shipments": shipments}, notes=notes)


ADAPTERS = (
    Adapter(
        id="shipstation.shipments", system="shipstation", name="ShipStation shipments export",
        menu="ShipStation: Shipments > Export > Shipments (CSV)",
        feeds=("shipments",),
        required=("Order #|Order Number", "Ship Date", "Carrier", "Service",
                  "Tracking #|Tracking Number"),
        optional=("Shipment ID", "Create Date", "Order Date", "Shipping Cost", "Shipping Paid",
                  "Ship From", "Warehouse", "Delivery Date", "Tags", "Voided", "Package",
                  "Recipient"),
        convert=convert_shipstation,
        quirks="label creation time as the ship time (Ship Date is a date); voided labels "
               "set aside; address corrections and reships from order tags"),
    Adapter(
        id="shipbob.shipments", system="shipbob", name="ShipBob shipments export",
        menu="ShipBob dashboard: Orders > Shipments > Export (CSV)",
        feeds=("shipments",),
        required=("Store Order ID", "Shipment ID", "Fulfillment Center", "Tracking Number"),
        optional=("Shipped Date", "Delivered Date", "Carrier", "Ship Option",
                  "Fulfillment Cost", "Order ID", "Status"),
        convert=convert_shipbob,
        quirks="the store's order number in 'Store Order ID'; ShipBob's ids beside it"),
    Adapter(
        id="easypost.shipments", system="easypost", name="EasyPost shipment report",
        menu="EasyPost dashboard: Reports > Shipments > New report (CSV)",
        feeds=("shipments",),
        required=("id", "created_at", "tracking_code", "carrier", "service", "rate"),
        optional=("reference", "status", "refund_status", "delivered_at", "to_name",
                  "from_name", "mode"),
        convert=convert_easypost,
        quirks="UTC times; order number in 'reference'; refunded labels set aside"),
)
