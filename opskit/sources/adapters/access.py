"""Access and people: Google Workspace, Microsoft 365 and Okta users into accounts; an HR roster.

Google Workspace's 'Download users' writes bulk-upload headers with bracketed notes ('Email
Address [Required]', 'Last Sign In [READ ONLY]'); a user who never signed in reads 'Never
logged in'; sign-in times are 'YYYY/MM/DD HH:MM:SS'. It has no admin column unless the admin
role column was shown in the user list and 'Currently selected columns' downloaded.

Microsoft 365's active users export lists columns alphabetically; 'Block credential' True is a
blocked sign-in; it has no sign-in or MFA columns (those live in Entra reports). Okta's users
export and its Password Health report (Login, display name, status, last login) have
statuses (ACTIVE, SUSPENDED, DEPROVISIONED ...) and UTC times.

The HR roster is a generic employee export (BambooHR, Gusto, Rippling all write these
columns): name, department, hire and termination dates, work email, employment status and
pay; salaried pay is turned into an hourly rate over 2,080 hours a year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    amounts,
    as_iso,
    flag,
    utc_to_local,
)

HOURS_PER_YEAR = 2080.0


def _full_name(export: Export, first: str = "First Name", last: str = "Last Name") -> pd.Series:
    name = (export.get(first).fillna("") + " " + export.get(last).fillna("")).str.strip()
    return name.where(name != "", None)


def convert_google(export: Export) -> Converted:
    email_label, email = export.pick("Email Address [Required]", "Email Address")
    status_label, status = export.pick("Status [READ ONLY]", "Status")
    last_label, last = export.pick("Last Sign In [READ ONLY]", "Last Sign In")
    last = last.where(~last.str.lower().str.startswith("never").fillna(False), None)
    admin_label, admin = export.pick("Admin Role [READ ONLY]", "Admin role", "Admin status")
    # vectorised on text, so an Admin Role column that is present but empty stays text
    no_role = admin.str.strip().str.lower().isin(("none", "no", "false"))
    is_admin = pd.Series(np.where(no_role, "false", "true"), index=admin.index,
                         dtype="str").where(admin.notna(), "false" if admin_label else None)
    accounts = export.table({
        "system": (None, pd.Series(_label(export, "Google Workspace"), index=email.index,
                                   dtype="str")),
        "user": (email_label, email),
        "person": ("First Name [Required] + Last Name [Required]",
                   _full_name(export, "First Name [Required]|First Name",
                              "Last Name [Required]|Last Name")),
        "is_admin": (admin_label, is_admin),
        "mfa_enabled": export.pick("2sv Enrolled [READ ONLY]", "2sv Enrolled"),
        "last_login_at": (last_label, as_iso(last, ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S",
                                                     "%Y/%m/%d %H:%M"))),
        "disabled": (status_label, flag(status, ("Suspended", "Archived"), ("Active",))),
    })
    return Converted({"accounts": accounts})


def convert_m365(export: Export) -> Converted:
    upn_label, upn = export.pick("User principal name")
    accounts = export.table({
        "system": (None, pd.Series(_label(export, "Microsoft 365"), index=upn.index,
                                   dtype="str")),
        "user": (upn_label, upn),
        "person": export.pick("Display name"),
        "created_at": ("When created", as_iso(export.get("When created"), (
            "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S"
        ))),
        "disabled": export.pick("Block credential"),
    })
    return Converted({"accounts": accounts})


OKTA_DISABLED = ("SUSPENDED", "DEPROVISIONED", "DEACTIVATED")
OKTA_ENABLED = ("ACTIVE", "PROVISIONED", "STAGED", "RECOVERY", "PASSWORD_EXPIRED",
                "LOCKED_OUT")


def convert_okta(export: Export) -> Converted:
    """Okta users: the People export (Username, First/Last Name, Created) or the Okta
    Password Health report (Login, User as display name, Activation date), both UTC."""
    user_label, user = export.pick("Username", "Login")
    status_label, status = export.pick("Status")
    last_label, last = export.pick("Last Login", "Last login")
    created_label, created = export.pick("Created", "Created Date")
    name_label, person = "First Name + Last Name", _full_name(export)
    if export.label("First Name") is None and export.label("Last Name") is None:
        name_label, person = export.pick("User", "Display Name")
    accounts = export.table({
        "system": (None, pd.Series(_label(export, "Okta"), index=user.index, dtype="str")),
        "user": (user_label, user),
        "person": (name_label, person),
        "last_login_at": (last_label, utc_to_local(last, export.timezone)),
        "created_at": (created_label, utc_to_local(created, export.timezone)),
        "disabled": (status_label, flag(status.str.upper(), OKTA_DISABLED, OKTA_ENABLED)),
    })
    notes = [] if export.timezone else ["Okta times are UTC: set 'timezone' in "
                                        "engagement.yaml to read local times"]
    return Converted({"accounts": accounts}, notes=notes)


def convert_roster(export: Export) -> Converted:
    person = _full_name(export)
    name_label, display = export.pick("Preferred Name", "Employee Name", "Name")
    person = display.fillna(person) if name_label else person
    status_label, status = export.pick("Employment Status", "Employment Type")
    fte_label, fte = export.pick("FTE")
    if fte_label is None:
        fte = status.str.lower().str.replace("-", " ").map(
            {"full time": "1.0"}, na_action="ignore")
        fte_label = status_label
    rate_label, rate = export.pick("Pay Rate", "Hourly Rate", "Compensation")
    per_label, per = export.pick("Pay Type", "Pay Per", "Pay Period")
    values, ok = amounts(rate.str.replace(r"\s*(USD|/\s*\w+)$", "", regex=True))
    yearly = per.str.lower().str.contains("salary|year|annual", regex=True).fillna(False)
    hourly = values.copy()
    numeric = pd.to_numeric(values.where(ok, None), errors="coerce")
    hourly[ok & yearly.to_numpy()] = (numeric[ok & yearly.to_numpy()] / HOURS_PER_YEAR).round(2)
    dates = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y")
    people = export.table({
        "person": ("First Name + Last Name" if name_label is None else name_label, person),
        "function": export.pick("Department", "Division", "Team"),
        "started_on": ("Hire Date", as_iso(export.get("Hire Date|Start Date"), dates)),
        "ended_on": ("Termination Date", as_iso(
            export.get("Termination Date|End Date|Last Day"), dates)),
        "email": export.pick("Work Email", "Email"),
        "fte": (fte_label, fte),
        "hourly_cost": (f"{rate_label} ({per_label})" if per_label else rate_label, hourly),
    })
    notes = ["hourly cost is the pay rate (salaries over 2,080 hours), not loaded with "
             "taxes and benefits"] if rate_label else []
    return Converted({"people": people}, notes=notes)


def _label(export: Export, default: str) -> str:
    """The system name for accounts: the file's system tag, else the product's name."""
    return default if export.system == export.adapter.system else export.system


ADAPTERS = (
    Adapter(
        id="google_workspace.users", system="google_workspace",
        name="Google Workspace users download",
        menu="Google Admin console: Directory > Users > Download users, CSV (add the Admin "
             "role column and download the selected columns to get admins)",
        feeds=("accounts",),
        required=("First Name [Required]", "Last Name [Required]", "Email Address [Required]",
                  "Status [READ ONLY]", "Last Sign In [READ ONLY]"),
        optional=("2sv Enrolled [READ ONLY]", "2sv Enforced [READ ONLY]",
                  "Org Unit Path [Required]", "Admin Role [READ ONLY]",
                  "Email Usage [READ ONLY]"),
        convert=convert_google,
        quirks="bracketed header notes; 'Never logged in'; YYYY/MM/DD times; admin role only "
               "when its column was shown"),
    Adapter(
        id="microsoft365.users", system="microsoft365", name="Microsoft 365 active users export",
        menu="Microsoft 365 admin center: Users > Active users > Export users",
        feeds=("accounts",),
        required=("User principal name", "Display name", "Block credential", "Licenses"),
        optional=("When created", "Department", "Title", "First name", "Last name"),
        convert=convert_m365,
        quirks="alphabetical columns; Block credential = disabled; no sign-in or MFA data"),
    Adapter(
        id="okta.users", system="okta", name="Okta users report",
        menu="Okta Admin Console: Directory > People > More actions > Export users (CSV), "
             "or Reports > Reports > Okta Password Health (CSV by email)",
        feeds=("accounts",),
        required=("Username|Login", "Status", "Last Login"),
        optional=("User Id", "First Name", "Last Name", "Primary Email", "Created",
                  "Activated", "Password Changed", "Last Updated", "User",
                  "Activation date", "Authentication Source", "Last Password Change"),
        convert=convert_okta,
        quirks="the People export (Username, Created) or the Okta Password Health report "
               "(Login, User, Activation date); statuses ACTIVE / SUSPENDED / "
               "DEPROVISIONED; UTC times"),
    Adapter(
        id="hr.roster", system="hr", name="HR roster (employee export)",
        menu="BambooHR: Reports > Employee report (or Gusto: People > Export), CSV",
        feeds=("people",),
        required=("First Name", "Last Name", "Department", "Hire Date"),
        optional=("Termination Date", "Work Email", "Employment Status", "FTE", "Pay Rate",
                  "Pay Type", "Job Title", "Employee ID"),
        excludes=("Email Address [Required]",),
        convert=convert_roster,
        quirks="salaried pay over 2,080 hours; full-time as 1.0 FTE when no FTE column"),
)
