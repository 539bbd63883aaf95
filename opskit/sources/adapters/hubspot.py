"""HubSpot: the deals export and the contacts export (XLSX by default, or CSV).

Headers are property labels ('Record ID', 'Deal Stage', 'Create Date'). Times are the
portal's local time, 'YYYY-MM-DD HH:MM'. A deal is closed when its stage is 'Closed won' or
'Closed lost' (the default pipeline's labels); its 'Close Date' is then when it closed,
otherwise the expected close. A portal with several currencies adds the deal's 'Currency'
(the deal_currency_code property), carried into deals.currency. HubSpot documents no export of
a deal's stage history (only 'Date entered <stage>' properties per stage), so it feeds no
deal_events. Contacts feed customers and leads: every contact came in as a lead at its 'Create
Date'.
"""

from __future__ import annotations

import pandas as pd

from opskit.sources.adapters.base import Adapter, Converted, Export, as_iso

FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def _when(export: Export, *entries: str) -> tuple[str | None, pd.Series]:
    label, values = export.pick(*entries)
    return label, as_iso(values, FORMATS)


def convert_deals(export: Export) -> Converted:
    stage_label, stage = export.pick("Deal Stage")
    low = stage.str.lower()
    won = low.str.contains("closed won", na=False)
    lost = low.str.contains("closed lost", na=False)
    close_label, close = _when(export, "Close Date")
    deals = export.table({
        "deal_id": export.pick("Record ID", "Deal ID"),
        "created_at": _when(export, "Create Date"),
        "stage": (stage_label, stage),
        "amount": export.pick("Amount"),
        "owner": export.pick("Deal owner", "Deal Owner"),
        "closed_at": (close_label, close.where(won | lost, None)),
        "won": (stage_label, won.map({True: "true", False: "false"}).where(won | lost, None)),
        "last_activity_at": _when(export, "Last Activity Date"),
        "close_date": (close_label, close),
        "currency": export.pick("Currency", "Deal currency code"),
    })
    return Converted({"deals": deals})


def convert_contacts(export: Export) -> Converted:
    id_label, record = export.pick("Record ID", "Contact ID")
    first, last = export.get("First Name"), export.get("Last Name")
    name = (first.fillna("") + " " + last.fillna("")).str.strip()
    name = name.where(name != "", None)
    created = _when(export, "Create Date")
    customers = export.table({
        "customer_id": (id_label, record),
        "system": (None, pd.Series(export.system, index=record.index, dtype="str")),
        "name": ("First Name + Last Name", name),
        "email": export.pick("Email"),
        "phone": export.pick("Phone Number", "Mobile Phone Number"),
        "company": export.pick("Company Name", "Associated Company"),
        "created_at": created,
    })
    leads = export.table({
        "lead_id": (id_label, record),
        "created_at": created,
        "source": export.pick("Original Source", "Original Traffic Source"),
        "owner": export.pick("Contact owner", "Contact Owner", "HubSpot Owner"),
        "first_response_at": _when(export, "Date of first engagement",
                                   "First Engagement Date", "Last Contacted"),
        "status": export.pick("Lead Status"),
        "converted_at": _when(export, "Became a Customer Date",
                              "Became an Opportunity Date"),
    })
    return Converted({"customers": customers, "leads": leads})


ADAPTERS = (
    Adapter(
        id="hubspot.deals", system="hubspot", name="HubSpot deals export",
        menu="HubSpot: CRM > Deals > Export (all properties), CSV or XLSX",
        feeds=("deals",),
        required=("Record ID|Deal ID", "Deal Name", "Deal Stage", "Create Date"),
        optional=("Close Date", "Deal owner", "Amount", "Last Activity Date", "Pipeline",
                  "Associated Company", "Currency|Deal currency code"),
        convert=convert_deals,
        quirks="closed won / closed lost from the stage label; Close Date is the expected "
               "close while open; the deal's Currency (multi-currency portals) kept, not "
               "converted; HubSpot has no stage-history export, so no deal_events"),
    Adapter(
        id="hubspot.contacts", system="hubspot", name="HubSpot contacts export",
        menu="HubSpot: CRM > Contacts > Export (all properties), CSV or XLSX",
        feeds=("customers", "leads"),
        required=("Record ID|Contact ID", "First Name", "Last Name", "Email", "Create Date"),
        optional=("Phone Number", "Company Name", "Contact owner", "Lead Status",
                  "Lifecycle Stage", "Original Source", "Date of first engagement",
                  "Became a Customer Date"),
        excludes=("Deal Stage",),
        convert=convert_contacts,
        quirks="one file feeds customers and leads; first engagement as first response"),
)
