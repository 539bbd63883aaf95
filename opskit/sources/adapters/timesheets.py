"""Timesheets into tasks: Toggl Track, Clockify and Harvest detailed time exports.

The data model wants who did what, when, for how long, and, where the timesheet says so, which
system the work came from and was typed into, what kind of work it was and whether it recurs.
Timesheets carry the last three by convention: a project named 'Source → Target' (or
'Source > Target') is work moved from one system into another, a project named after one system
is work in that system; tags (Toggl, Clockify) or the task (Harvest) name the category
('data entry', 'rekeying', 'reporting', 'reconciliation', 'customer service') and 'recurring' or
'one-off'.

Toggl writes durations as h:mm:ss and separate start date and time columns; Clockify adds a
decimal duration and writes dates in the workspace's format; Harvest writes decimal hours, with
a decimal comma when the account uses one ('1,5'), and the person as first and last name.
"""

from __future__ import annotations

import re

import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    as_iso,
    duration_minutes,
    split_part,
)
from opskit.sources.readers import normalize_name
from opskit.tables import TASK_CATEGORIES

CATEGORY_WORDS = {normalize_name(c): c for c in TASK_CATEGORIES}
CATEGORY_WORDS.update({"re_keying": "rekeying", "rekey": "rekeying", "support":
                       "customer_service", "admin": "other", "reconcile": "reconciliation",
                       "report": "reporting"})
RECURRING_WORDS = {"recurring": "true", "repeat": "true", "routine": "true", "one_off": "false",
                   "oneoff": "false", "ad_hoc": "false", "adhoc": "false"}
ARROW = re.compile(r"\s*(?:→|->|>)\s*")


def systems(project: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'Square POS → Shopify' -> ('Square POS', 'Shopify'); 'Gorgias' -> ('Gorgias', None)."""
    return (split_part(project, ARROW, 0, n=1, regex=True),
            split_part(project, ARROW, 1, n=1, regex=True))


def words_in(text: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """The first word of ``vocabulary`` found among comma-separated tags or in a task name."""
    def lookup(cell: str) -> str | None:
        for token in re.split(r"[,;]", cell):
            found = vocabulary.get(normalize_name(token))
            if found:
                return found
        return vocabulary.get(normalize_name(cell))
    return text.map(lookup, na_action="ignore")


def _tasks(export: Export, *, person: tuple[str | None, pd.Series],
           task: tuple[str | None, pd.Series], day: tuple[str | None, pd.Series],
           minutes: tuple[str | None, pd.Series], labels: tuple[str | None, pd.Series]
           ) -> Converted:
    project_label, project = export.pick("Project")
    source, target = systems(project)
    category = words_in(labels[1], CATEGORY_WORDS)
    recurring = words_in(labels[1], RECURRING_WORDS)
    table = export.table({
        "person": person,
        "task": task,
        "performed_on": day,
        "minutes": minutes,
        "system": (project_label, source),
        "target_system": (project_label, target),
        "category": (labels[0], category),
        "recurring": (labels[0], recurring),
    })
    return Converted({"tasks": table})


def _task_text(export: Export) -> tuple[str | None, pd.Series]:
    label, description = export.pick("Description", "Notes")
    task_label, task = export.pick("Task")
    text = description.fillna(task)
    return (label if task_label is None else f"{label} (else {task_label})"), text


def convert_toggl(export: Export) -> Converted:
    date_label, date = export.pick("Start date")
    return _tasks(export, person=export.pick("User"), task=_task_text(export),
                  day=(date_label, as_iso(date, date_formats(date, export.get("Start time")))),
                  minutes=("Duration", duration_minutes(export.get("Duration"))),
                  labels=export.pick("Tags"))


def date_formats(date: pd.Series, time: pd.Series | None = None) -> tuple[str, ...]:
    """The date layouts of one export: a workspace writes one date format throughout.

    A first number above 12 means day first (13/07/2026); a second one above 12 means month
    first (07/13/2026). When every date is ambiguous, 12-hour times (09:00 AM), the US
    setting, mean month first; otherwise month first, as Toggl, Clockify and Harvest
    default to in US workspaces. Mixing the two orders in one file is never done.
    """
    parts = date.dropna().astype(str).str.extract(r"^(\d{1,2})/(\d{1,2})/")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    twelve_hour = time is not None and bool(
        time.dropna().astype(str).str.contains(r"[AaPp]\.?[Mm]\.?$").any())
    if bool(first.gt(12).any()) and not bool(second.gt(12).any()) and not twelve_hour:
        return ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
    return ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y")


def convert_clockify(export: Export) -> Converted:
    date_label, date = export.pick("Start Date")
    decimal_label, decimal = export.pick("Duration (decimal)")
    clock = export.get("Duration (h)")
    minutes = duration_minutes(clock.fillna(decimal))
    formats = date_formats(date, export.get("Start Time"))
    return _tasks(export, person=export.pick("User"), task=_task_text(export),
                  day=(date_label, as_iso(date, formats)),
                  minutes=(export.label("Duration (h)") or decimal_label, minutes),
                  labels=export.pick("Tags"))


def convert_harvest(export: Export) -> Converted:
    first, last = export.get("First Name"), export.get("Last Name")
    person = (first.fillna("") + " " + last.fillna("")).str.strip()
    hours_label, hours = export.pick("Hours")
    comma = hours.str.contains(",", regex=False).fillna(False).any() and not hours.str.contains(
        ".", regex=False).fillna(False).any()
    date_label, date = export.pick("Date")
    note_label, notes = export.pick("Notes")
    task_label, task = export.pick("Task")
    return _tasks(export, person=("First Name + Last Name", person.where(person != "", None)),
                  task=(note_label, notes.fillna(task)),
                  day=(date_label, as_iso(date, date_formats(date))),
                  minutes=(hours_label, duration_minutes(hours, decimal_comma=comma)),
                  labels=(task_label, task))


ADAPTERS = (
    Adapter(
        id="toggl.time_entries", system="toggl", name="Toggl Track detailed report",
        menu="Toggl Track: Reports > Detailed > Export > Download CSV",
        feeds=("tasks",),
        required=("User", "Email", "Project", "Description", "Start date", "Start time",
                  "Duration"),
        optional=("Client", "Task", "Billable", "End date", "End time", "Tags", "Amount*"),
        excludes=("Duration (h)",),
        convert=convert_toggl,
        quirks="h:mm:ss durations; tags carry category and recurring; 'Source → Target' "
               "projects"),
    Adapter(
        id="clockify.time_entries", system="clockify", name="Clockify detailed report",
        menu="Clockify: Reports > Detailed > Export > Save as CSV",
        feeds=("tasks",),
        required=("Project", "Description", "User", "Start Date", "Start Time",
                  "Duration (h)"),
        optional=("Client", "Task", "Group", "Email", "Tags", "Billable", "End Date",
                  "End Time", "Duration (decimal)", "Billable Rate*", "Billable Amount*"),
        convert=convert_clockify,
        quirks="decimal and clock durations; workspace date format (day first or month "
               "first)"),
    Adapter(
        id="harvest.time_entries", system="harvest", name="Harvest detailed time report",
        menu="Harvest: Reports > Time > Detailed time report > Export > CSV",
        feeds=("tasks",),
        required=("Date", "Client", "Project", "Task", "Hours", "First Name", "Last Name"),
        optional=("Notes", "Project Code", "Hours Rounded", "Billable?", "Invoiced?",
                  "Approved?", "Roles", "Employee?", "Billable Rate", "Cost Rate", "Currency"),
        convert=convert_harvest,
        quirks="decimal hours, with a decimal comma in some accounts; person as first and "
               "last name; category from the task"),
)
