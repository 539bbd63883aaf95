"""A sample client over four diagnostics: problems fixed, one coming back, one new.

The history's ground truth. Each snapshot is the dtc sample moved forward in time by whole
weeks (every timestamp of every table, so weekdays and business-day metrics stay the same)
with some planted problems fixed in its data, the way a client's next export would show them:

====  =====  ===============================================================================
run   shift  what changed in the data
====  =====  ===============================================================================
1     0 d    the dtc sample as planted
2     35 d   generic logins disabled (security.shared_logins), no more hand edits of orders
             (efficiency.manual_touches), pick errors stopped (fulfillment.fulfillment_errors),
             showroom re-keying and the weekly KPI report automated (tasks removed)
3     70 d   as run 2
4     105 d  as run 2, but hand edits of orders are back (manual_touches regresses) and an
             admin lost their second factor (security.mfa_gaps is new)
====  =====  ===============================================================================

With the default lifecycle (3 clean runs spanning 60 days), after run 4 shared_logins and
fulfillment_errors are permanently solved (clean at runs 2, 3, 4: 70 days), manual_touches has
regressed, mfa_gaps is new, and every other planted problem persists.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from opskit.config import load_config
from opskit.samples import generate
from opskit.tables import TABLES

SHIFTS_DAYS = (0, 35, 70, 105)
GENERIC_USERS = ("info", "admin", "sales", "support", "warehouse", "office", "orders",
                 "accounts", "billing", "shipping", "team", "hello", "contact", "ops")
AUTOMATED_TASKS = ("Re-key showroom orders into Shopify", "Weekly ops KPI report")
FIXED = ("security.shared_logins", "efficiency.manual_touches",
         "fulfillment.fulfillment_errors")
EXPECTED_STATES = {"security.shared_logins": "permanently_solved",
                   "fulfillment.fulfillment_errors": "permanently_solved",
                   "efficiency.manual_touches": "regressed",
                   "security.mfa_gaps": "new"}


def simulate(out: Path, source: Path | None = None) -> list[Path]:
    """Write the four snapshots ``out/run1`` ... ``out/run4`` of the dtc client.

    ``source`` is an existing dtc sample folder (the committed one, say); without it the dtc
    sample is generated first.
    """
    base = out / "_base"
    if source is None:
        generate(base, clients=["dtc"])
    else:
        shutil.copytree(source, base / "dtc")
    folders = []
    for number, shift in enumerate(SHIFTS_DAYS, start=1):
        folder = out / f"run{number}"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(base / "dtc", folder)
        _shift(folder, shift)
        if number >= 2:
            _edit(folder, "accounts", _disable_generic_logins)
            _edit(folder, "returns", _stop_pick_errors)
            _edit(folder, "tasks", _automate_tasks)
            if number < 4:
                _edit(folder, "order_events", _no_hand_edits)
        if number == 4:
            _edit(folder, "accounts", _admin_without_mfa)
        folders.append(folder)
    shutil.rmtree(base)
    return folders


def _files(folder: Path) -> dict[str, Path]:
    config = load_config(folder)
    return {spec.table: spec.path for spec in config.files}


def _shift(folder: Path, days: int) -> None:
    """Move every timestamp of every table, and the period, ``days`` days later."""
    if not days:
        return
    for table, path in _files(folder).items():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in TABLES[table].columns:
            if column.kind == "datetime" and column.name in frame:
                text = frame[column.name]
                times = pd.to_datetime(text.where(text != ""), format="ISO8601")
                moved = times + pd.Timedelta(days=days)
                has_time = text.str.len() > 10
                out = moved.dt.strftime("%Y-%m-%d %H:%M:%S").where(has_time,
                                                                   moved.dt.strftime("%Y-%m-%d"))
                frame[column.name] = out.where(text != "", "")
        _write(frame, path)
    yaml_path = folder / "engagement.yaml"
    text = yaml_path.read_text()
    config = load_config(folder)
    start, end = (pd.Timestamp(d) + pd.Timedelta(days=days) for d in config.period)
    text = text.replace(f"start: {config.period[0]}", f"start: {start.date()}")
    text = text.replace(f"end: {config.period[1]}", f"end: {end.date()}")
    yaml_path.write_text(text)


def _write(frame: pd.DataFrame, path: Path) -> None:
    compression = {"method": "gzip", "compresslevel": 1} if path.name.endswith(".gz") else None
    frame.to_csv(path, index=False, compression=compression)


def _edit(folder: Path, table: str, change) -> None:
    path = _files(folder)[table]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _write(change(frame), path)


def _disable_generic_logins(accounts: pd.DataFrame) -> pd.DataFrame:
    local = accounts["user"].str.split("@").str[0].str.lower()
    return accounts.assign(disabled=accounts["disabled"].where(~local.isin(GENERIC_USERS),
                                                               "true"))


def _stop_pick_errors(returns: pd.DataFrame) -> pd.DataFrame:
    wrong = returns["reason"].isin(("wrong_item", "missing_item"))
    return returns.assign(reason=returns["reason"].where(~wrong, "changed_mind"))


def _automate_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks[~tasks["task"].isin(AUTOMATED_TASKS)]


def _no_hand_edits(events: pd.DataFrame) -> pd.DataFrame:
    return events.assign(manual="false")


def _admin_without_mfa(accounts: pd.DataFrame) -> pd.DataFrame:
    admins = accounts.index[(accounts["is_admin"] == "true") & (accounts["disabled"] != "true")]
    accounts = accounts.copy()
    accounts.loc[admins[0], "mfa_enabled"] = "false"
    return accounts
