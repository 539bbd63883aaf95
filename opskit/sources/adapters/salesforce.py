"""Salesforce: the weekly data export's Opportunity, OpportunityHistory, Lead and Contact files.

The data export writes one CSV per object with API field names as headers, ISO-8859-1
encoded (read through the Windows-1252 fallback, which covers it), datetimes in UTC
('2026-07-01T16:08:27.000Z') and dates as YYYY-MM-DD. Record ids are 18 characters (15
plus a 3-letter case checksum); reports and URLs show the 15-character form. Ids are kept in
the 15-character form so both spellings join; an 18-character id whose checksum does not
match is set aside. Owners are user ids (the export has no names). Deleted records
(IsDeleted true, in the recycle bin) are set aside.

OpportunityHistory has one row per stage change: it becomes one deal per opportunity (first
change = created, last change = current stage and last activity). When Opportunity.csv is
in the same folder its deals load first and the history's copies are set aside as repeats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import Adapter, Converted, Export, as_iso, utc_to_local

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum(id15: str) -> str:
    """The 3-character suffix Salesforce adds to a 15-character id."""
    out = ""
    for block in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(block) if "A" <= ch <= "Z")
        out += ALPHABET[bits]
    return out


def id15(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids in 15-character form, and the reason an id cannot be one (else missing)."""
    text = values.str.strip()
    length = text.str.len()
    ok18 = text[length == 18].map(lambda s: s[15:] == checksum(s[:15]))
    bad = pd.Series(None, index=values.index, dtype="str")
    bad[(text.notna() & ~length.isin([15, 18])).to_numpy()] = "not a 15- or 18-character id"
    bad[ok18.index[~ok18]] = "18-character id whose checksum does not match"
    return text.str[:15], bad


def _deleted(export: Export) -> pd.Series:
    return export.get("IsDeleted").str.lower().isin(["true", "1"]).fillna(False)


def _aside(export: Export, bad_id: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Why rows are set aside (a bad id, or deleted), and the rule of each."""
    reason = bad_id.copy()
    rule = pd.Series("bad_id", index=bad_id.index, dtype="str")
    deleted = _deleted(export) & reason.isna()
    reason[deleted] = "deleted in Salesforce (recycle bin)"
    rule[deleted] = "deleted"
    return reason, rule


def _aside_args(export: Export, bad_id: pd.Series, column: str) -> dict:
    reason, rule = _aside(export, bad_id)
    return {"aside": reason, "rule": rule, "aside_column": column}


def _notes(export: Export) -> list[str]:
    return [] if export.timezone else ["CreatedDate is UTC: set 'timezone' in "
                                       "engagement.yaml to read local times"]


def convert_opportunity(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    closed = export.get("IsClosed").str.lower().isin(["true", "1"]).fillna(False)
    won = export.get("IsWon").str.lower().isin(["true", "1"]).fillna(False)
    close_label, close = export.pick("CloseDate")
    owner, _ = id15(export.get("OwnerId"))
    deals = export.table({
        "deal_id": ("Id", ids),
        "created_at": ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone)),
        "stage": export.pick("StageName"),
        "amount": export.pick("Amount"),
        "owner": ("OwnerId", owner),
        "closed_at": (close_label, close.where(closed, None)),
        "won": ("IsWon", won.map({True: "true", False: "false"}).where(closed, None)),
        "last_activity_at": export.pick("LastActivityDate"),
        "close_date": (close_label, close),
    }, **_aside_args(export, bad, "Id"))
    export.used_labels.update({"IsClosed", "IsDeleted"})
    return Converted({"deals": deals}, notes=_notes(export))


def convert_history(export: Export) -> Converted:
    ids, bad = id15(export.get("OpportunityId"))
    created = utc_to_local(export.get("CreatedDate"), export.timezone)
    stage = export.get("StageName")
    deleted = _deleted(export)
    usable = (bad.isna() & ~deleted).to_numpy()
    order = pd.DataFrame({"id": ids, "at": created, "i": np.arange(len(ids))})[usable]
    order = order.sort_values(["id", "at", "i"])
    last_i = order.groupby("id")["i"].last()
    first_at = order.groupby("id")["at"].first()
    last_at = order.groupby("id")["at"].last()
    is_last = np.zeros(len(ids), dtype=bool)
    is_last[last_i.to_numpy()] = True
    low = stage.str.lower()
    won = low.str.contains("closed won", na=False)
    closed = won | low.str.contains("closed lost", na=False)
    deals = export.table({
        "deal_id": ("OpportunityId", ids),
        "created_at": ("CreatedDate (first change)", ids.map(first_at)),
        "stage": ("StageName (last change)", stage),
        "amount": export.pick("Amount"),
        "closed_at": ("CreatedDate (change to closed)", created.where(closed, None)),
        "won": ("StageName", won.map({True: "true", False: "false"}).where(closed, None)),
        "last_activity_at": ("CreatedDate (last change)", ids.map(last_at)),
        "close_date": export.pick("CloseDate"),
    }, where=is_last | ~usable, **_aside_args(export, bad, "OpportunityId"))
    earlier = int(usable.sum() - is_last.sum())
    return Converted({"deals": deals}, {"earlier stage changes (history)": earlier},
                     notes=_notes(export))


def _person_name(export: Export) -> pd.Series:
    name = export.get("Name")
    built = (export.get("FirstName").fillna("") + " " + export.get("LastName").fillna("")
             ).str.strip()
    return name.fillna(built.where(built != "", None))


def convert_lead(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    aside = _aside_args(export, bad, "Id")
    owner, _ = id15(export.get("OwnerId"))
    created = ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone))
    converted = export.get("ConvertedDate")
    leads = export.table({
        "lead_id": ("Id", ids),
        "created_at": created,
        "source": export.pick("LeadSource"),
        "owner": ("OwnerId", owner),
        "status": export.pick("Status"),
        "converted_at": ("ConvertedDate", as_iso(converted, ("%Y-%m-%d",))),
        "value": export.pick("AnnualRevenue"),
    }, **aside)
    customers = export.table({
        "customer_id": ("Id", ids),
        "system": (None, pd.Series(export.system, index=ids.index, dtype="str")),
        "name": ("Name", _person_name(export)),
        "email": export.pick("Email"),
        "phone": export.pick("Phone", "MobilePhone"),
        "company": export.pick("Company"),
        "created_at": created,
    }, **aside)
    export.used_labels.update({"IsDeleted", "FirstName", "LastName", "IsConverted"})
    return Converted({"leads": leads, "customers": customers}, notes=_notes(export))


def convert_contact(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    account, _ = id15(export.get("AccountId"))
    customers = export.table({
        "customer_id": ("Id", ids),
        "system": (None, pd.Series(export.system, index=ids.index, dtype="str")),
        "name": ("Name", _person_name(export)),
        "email": export.pick("Email"),
        "phone": export.pick("Phone", "MobilePhone"),
        "company": ("AccountId", account),
        "created_at": ("CreatedDate", utc_to_local(export.get("CreatedDate"),
                                                   export.timezone)),
    }, **_aside_args(export, bad, "Id"))
    export.used_labels.update({"IsDeleted", "FirstName", "LastName"})
    return Converted({"customers": customers}, notes=_notes(export))


MENU = "Salesforce: Setup > Data Export > Export Now (or Schedule), {} from the zip, CSV"
ADAPTERS = (
    Adapter(
        id="salesforce.opportunity", system="salesforce",
        name="Salesforce data export: Opportunity.csv", menu=MENU.format("Opportunity.csv"),
        feeds=("deals",),
        required=("Id", "StageName", "CloseDate", "IsClosed", "IsWon", "CreatedDate"),
        optional=("Amount", "OwnerId", "AccountId", "Name", "LastActivityDate", "IsDeleted",
                  "Probability", "LeadSource"),
        excludes=("OpportunityId",), convert=convert_opportunity,
        quirks="ISO-8859-1; API names; UTC datetimes; 15/18-character ids; owner ids"),
    Adapter(
        id="salesforce.opportunity_history", system="salesforce",
        name="Salesforce data export: OpportunityHistory.csv",
        menu=MENU.format("OpportunityHistory.csv"), feeds=("deals",),
        required=("OpportunityId", "StageName", "CreatedDate"),
        optional=("Amount", "CloseDate", "Probability", "IsDeleted", "ExpectedRevenue"),
        convert=convert_history,
        quirks="one row per stage change, folded into one deal per opportunity"),
    Adapter(
        id="salesforce.lead", system="salesforce", name="Salesforce data export: Lead.csv",
        menu=MENU.format("Lead.csv"), feeds=("leads", "customers"),
        required=("Id", "LastName", "Company", "Status", "IsConverted", "CreatedDate"),
        optional=("FirstName", "Email", "Phone", "LeadSource", "OwnerId", "ConvertedDate",
                  "IsDeleted", "AnnualRevenue"),
        convert=convert_lead,
        quirks="ISO-8859-1 names; UTC datetimes; converted leads keep their conversion date"),
    Adapter(
        id="salesforce.contact", system="salesforce", name="Salesforce data export: Contact.csv",
        menu=MENU.format("Contact.csv"), feeds=("customers",),
        required=("Id", "AccountId", "LastName", "Email", "CreatedDate"),
        optional=("FirstName", "Phone", "MobilePhone", "IsDeleted", "OwnerId"),
        excludes=("IsConverted", "StageName", "OpportunityId"),
        convert=convert_contact,
        quirks="company as the account id (the export has no account names)"),
)
