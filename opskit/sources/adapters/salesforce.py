"""Salesforce: the data export's Opportunity, its two history objects, Lead and Contact files.

The data export writes one CSV per object with API field names as headers, ISO-8859-1
encoded (read through the Windows-1252 fallback, which covers it), datetimes in UTC
('2026-07-01T16:08:27.000Z') and dates as YYYY-MM-DD. Record ids are 18 characters (15
plus a 3-letter case checksum); reports and URLs show the 15-character form. Ids are kept in
the 15-character form so both spellings join; an 18-character id whose checksum does not
match is set aside. Owners are user ids (the export has no names). Deleted records
(IsDeleted true, in the recycle bin) are set aside.

Opportunity.csv feeds deals. Closed deals are those with IsClosed true (won when IsWon): a
deal closed lost keeps the expected CloseDate it had, which can lie in the future, so a
closed deal's ``closed_at`` is its LastStageChangeDate when the export has it, else the
earlier of its CloseDate and its LastModifiedDate (closing a deal modifies it). Deals carry
their CurrencyIsoCode (multi-currency orgs) in ``currency``; amounts are not converted here.

OpportunityHistory.csv holds one row per change of an opportunity's stage, amount,
probability or close date. It feeds ``deal_events`` (deal, when, stage and amount after the
change), never ``deals``: it adds to the deals of Opportunity.csv the dates they last moved,
which ``sales.stale_pipeline`` counts as activity. OpportunityFieldHistory.csv (field history
tracking: Field, OldValue, NewValue) feeds deal_events the same way, every tracked change
being activity. Set-aside rows name the column their value came from (OpportunityId,
IsDeleted).
"""

from __future__ import annotations

import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    TableOut,
    as_iso,
    utc_to_local,
)
from opskit.sources.parse import to_local

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


def _table(export: Export, columns: dict, bad_id: pd.Series, id_column: str) -> TableOut:
    """A table whose set-aside rows name their column: the id's, or IsDeleted."""
    reason, rule = _aside(export, bad_id)
    out = export.table(columns, aside=reason, rule=rule, aside_column=id_column)
    named = {"deleted": export.label("IsDeleted") or "IsDeleted"}
    out.skipped = [(row, why, kind, named.get(kind, column))
                   for row, why, kind, column in out.skipped]
    return out


def _notes(export: Export) -> list[str]:
    return [] if export.timezone else ["CreatedDate is UTC: set 'timezone' in "
                                       "engagement.yaml to read local times"]


def _closed_at(export: Export, closed: pd.Series) -> tuple[str, pd.Series]:
    """When each closed deal closed (missing while open), and the columns that say so."""
    close_label, close = export.pick("CloseDate")
    change_label, change = export.pick("LastStageChangeDate")
    modified_label, modified = export.pick("LastModifiedDate", "SystemModstamp")
    change = utc_to_local(change, export.timezone).where(change.notna(), None)
    modified = utc_to_local(modified, export.timezone).where(modified.notna(), None)
    # read as the loader reads times (offsets converted, unreadable text missing), so a
    # stray offset or an odd value compares as a time or not at all, never a crash
    when_close = to_local(close, export.timezone).values
    when_modified = to_local(modified, export.timezone).values
    earlier = when_modified.notna() & (when_close.isna() | (when_modified < when_close))
    at = close.copy()
    at[earlier] = when_modified[earlier].dt.strftime("%Y-%m-%d %H:%M:%S")
    at = change.where(change.notna(), at)
    label = " / ".join(x for x in (change_label, f"{close_label} (or {modified_label}, if "
                                   "earlier)" if modified_label else close_label) if x)
    return label, at.where(closed, None)


def convert_opportunity(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    closed = export.get("IsClosed").str.lower().isin(["true", "1"]).fillna(False)
    won = export.get("IsWon").str.lower().isin(["true", "1"]).fillna(False)
    close_label, close = export.pick("CloseDate")
    owner, _ = id15(export.get("OwnerId"))
    deals = _table(export, {
        "deal_id": ("Id", ids),
        "created_at": ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone)),
        "stage": export.pick("StageName"),
        "amount": export.pick("Amount"),
        "owner": ("OwnerId", owner),
        "closed_at": _closed_at(export, closed),
        "won": ("IsWon", won.map({True: "true", False: "false"}).where(closed, None)),
        "last_activity_at": export.pick("LastActivityDate"),
        "close_date": (close_label, close),
        "currency": export.pick("CurrencyIsoCode"),
    }, bad, "Id")
    export.used_labels.update({"IsClosed", "IsDeleted"})
    return Converted({"deals": deals}, notes=_notes(export))


def convert_history(export: Export) -> Converted:
    """Every usable history row is an event of its opportunity (OpportunityId)."""
    ids, bad = id15(export.get("OpportunityId"))
    events = _table(export, {
        "deal_id": ("OpportunityId", ids),
        "at": ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone)),
        "stage": export.pick("StageName"),
        "amount": export.pick("Amount"),
    }, bad, "OpportunityId")
    export.used_labels.add("IsDeleted")
    return Converted({"deal_events": events}, notes=_notes(export))


def convert_field_history(export: Export) -> Converted:
    """Every usable field-history row is an event of its opportunity: any tracked change
    (next step, owner, amount...) shows someone worked the deal; a StageName change gives
    the stage after it, an Amount change the amount."""
    ids, bad = id15(export.get("OpportunityId"))
    field_label, field = export.pick("Field")
    value_label, value = export.pick("NewValue")
    events = _table(export, {
        "deal_id": ("OpportunityId", ids),
        "at": ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone)),
        "stage": (f"{value_label} (Field = StageName)", value.where(field.eq("StageName"),
                                                                    None)),
        "amount": (f"{value_label} (Field = Amount)", value.where(field.eq("Amount"), None)),
    }, bad, "OpportunityId")
    export.used_labels.update(x for x in (field_label, export.label("IsDeleted")) if x)
    return Converted({"deal_events": events}, notes=_notes(export))


def _person_name(export: Export) -> pd.Series:
    name = export.get("Name")
    built = (export.get("FirstName").fillna("") + " " + export.get("LastName").fillna("")
             ).str.strip()
    return name.fillna(built.where(built != "", None))


def convert_lead(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    owner, _ = id15(export.get("OwnerId"))
    created = ("CreatedDate", utc_to_local(export.get("CreatedDate"), export.timezone))
    converted = export.get("ConvertedDate")
    leads = _table(export, {
        "lead_id": ("Id", ids),
        "created_at": created,
        "source": export.pick("LeadSource"),
        "owner": ("OwnerId", owner),
        "status": export.pick("Status"),
        "converted_at": ("ConvertedDate", as_iso(converted, ("%Y-%m-%d",))),
        "value": export.pick("AnnualRevenue"),
    }, bad, "Id")
    customers = _table(export, {
        "customer_id": ("Id", ids),
        "system": (None, pd.Series(export.system, index=ids.index, dtype="str")),
        "name": ("Name", _person_name(export)),
        "email": export.pick("Email"),
        "phone": export.pick("Phone", "MobilePhone"),
        "company": export.pick("Company"),
        "created_at": created,
    }, bad, "Id")
    export.used_labels.update({"IsDeleted", "FirstName", "LastName", "IsConverted"})
    return Converted({"leads": leads, "customers": customers}, notes=_notes(export))


def convert_contact(export: Export) -> Converted:
    ids, bad = id15(export.get("Id"))
    account, _ = id15(export.get("AccountId"))
    customers = _table(export, {
        "customer_id": ("Id", ids),
        "system": (None, pd.Series(export.system, index=ids.index, dtype="str")),
        "name": ("Name", _person_name(export)),
        "email": export.pick("Email"),
        "phone": export.pick("Phone", "MobilePhone"),
        "company": ("AccountId", account),
        "created_at": ("CreatedDate", utc_to_local(export.get("CreatedDate"),
                                                   export.timezone)),
    }, bad, "Id")
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
                  "Probability", "LeadSource", "CurrencyIsoCode", "LastModifiedDate",
                  "LastStageChangeDate", "SystemModstamp", "ForecastCategory"),
        excludes=("OpportunityId",), convert=convert_opportunity,
        quirks="ISO-8859-1; API names; UTC datetimes; 15/18-character ids; owner ids; closed "
               "from IsClosed / IsWon (a closed-lost deal's future CloseDate is not when it "
               "closed); CurrencyIsoCode kept as the deal's currency, not converted"),
    Adapter(
        id="salesforce.opportunity_history", system="salesforce",
        name="Salesforce data export: OpportunityHistory.csv",
        menu=MENU.format("OpportunityHistory.csv"), feeds=("deal_events",),
        required=("OpportunityId", "StageName", "CreatedDate"),
        optional=("Amount", "CloseDate", "Probability", "IsDeleted", "ExpectedRevenue",
                  "ForecastCategory", "PrevAmount", "PrevCloseDate", "CurrencyIsoCode",
                  "SystemModstamp", "CreatedById"),
        convert=convert_history,
        quirks="one row per change of stage, amount, probability or close date: each an "
               "event of its opportunity (deal_events), never a second deal; ISO-8859-1; "
               "UTC datetimes"),
    Adapter(
        id="salesforce.opportunity_field_history", system="salesforce",
        name="Salesforce data export: OpportunityFieldHistory.csv",
        menu=MENU.format("OpportunityFieldHistory.csv"), feeds=("deal_events",),
        required=("OpportunityId", "Field", "NewValue", "CreatedDate"),
        optional=("Id", "IsDeleted", "CreatedById", "DataType", "OldValue"),
        convert=convert_field_history,
        quirks="field history tracking: one row per tracked field change ('created' for the "
               "record's creation), each an event of its opportunity; stage and amount from "
               "NewValue when Field is StageName or Amount"),
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
