"""The organisation: people, their system accounts, the systems map, processes, spreadsheets,
integrations and recurring work (tasks).

These tables are written from explicit, hand-readable rosters in ``clients.py`` (who has an
account where, who is admin, who left and still has access, which process lives in one head)
and do not grow with ``scale``: the knowledge, efficiency and security metrics are absolute
(hours a month, counts of accounts), so they must read the same at every scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from opskit.samples.common import PERIOD_END, days_between, fmt_dates, to_ts

END = PERIOD_END


@dataclass(frozen=True)
class Person:
    """One member of staff (current or former)."""

    name: str
    function: str
    started: str
    ended: str | None = None
    fte: float | None = 1.0
    hourly: float = 40.0


def email_of(name: str, domain: str) -> str:
    first, _, last = name.partition(" ")
    return f"{first.lower()}.{last.lower().replace(' ', '')}@{domain}"


def people_frame(people: Sequence[Person], domain: str) -> pd.DataFrame:
    """The HR roster."""
    return pd.DataFrame({
        "person": [p.name for p in people],
        "function": [p.function for p in people],
        "started_on": fmt_dates(np.asarray([p.started for p in people], dtype="datetime64[D]")),
        "ended_on": fmt_dates(np.asarray([p.ended or "NaT" for p in people],
                                         dtype="datetime64[D]")),
        "email": [email_of(p.name, domain) for p in people],
        "fte": [p.fte if p.fte is not None else np.nan for p in people],
        "hourly_cost": [p.hourly for p in people],
    })


@dataclass(frozen=True)
class SystemSpec:
    """A system, who has an account in it and the state of each account."""

    system: str
    category: str
    owner: str
    monthly_cost: float
    seat_cost: float
    members: tuple[str, ...]
    admins: tuple[str, ...] = ()
    no_mfa: tuple[str, ...] = ()
    dormant: tuple[str, ...] = ()
    left_enabled: tuple[str, ...] = ()
    login_after_leaving: tuple[str, ...] = ()
    generic: tuple[tuple[str, bool, bool, int], ...] = ()   # local part, admin, mfa, days ago
    adopted: str = "2021-02-01"


def accounts_frames(rng: np.random.Generator, systems: Sequence[SystemSpec],
                    people: Sequence[Person], domain: str, *,
                    bool_words: tuple[str, str] = ("true", "false")
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The access review (accounts) and the systems map, consistent with each other."""
    by_name = {p.name: p for p in people}
    yes, no = bool_words
    rows = []
    sys_rows = []
    end_s = np.datetime64(END, "s") + 17 * 3600
    for spec in systems:
        enabled = admins = 0
        for name in spec.members:
            p = by_name[name]
            adopted = np.datetime64(spec.adopted, "D")
            start = max(np.datetime64(p.started, "D"), adopted)
            created = np.datetime64(start, "s") + int(rng.integers(1, 4 * 86400))
            left = p.ended is not None and np.datetime64(p.ended, "D") < END
            disabled = left and name not in spec.left_enabled
            if name in spec.login_after_leaving:
                last = np.datetime64(p.ended, "s") + int(rng.integers(20, 60) * 86400)
            elif left:
                last = np.datetime64(p.ended, "s") - int(rng.integers(1, 6) * 86400) + 11 * 3600
            elif name in spec.dormant:
                last = end_s - int(rng.integers(100, 260) * 86400)
            else:
                last = end_s - int(rng.integers(0, 14 * 86400))
            last = max(last, created + 3600)
            is_admin = name in spec.admins
            rows.append((spec.system, email_of(name, domain), name, is_admin,
                         name not in spec.no_mfa, last, created, disabled))
            if not disabled:
                enabled += 1
                admins += int(is_admin)
        for local, is_admin, mfa, days_ago in spec.generic:
            created = np.datetime64(spec.adopted, "s") + 86400 * 30
            last = end_s - days_ago * 86400 - int(rng.integers(0, 8 * 3600))
            rows.append((spec.system, f"{local}@{domain}", None, is_admin, mfa, last, created,
                         False))
            enabled += 1
            admins += int(is_admin)
        sys_rows.append((spec.system, spec.category, spec.owner, admins, spec.monthly_cost,
                         enabled, spec.seat_cost))
    acc = pd.DataFrame(rows, columns=["system", "user", "person", "is_admin", "mfa_enabled",
                                      "last_login_at", "created_at", "disabled"])
    for col in ("is_admin", "mfa_enabled", "disabled"):
        acc[col] = np.where(acc[col].astype(bool), yes, no)
    acc["last_login_at"] = to_ts(acc["last_login_at"].to_numpy().astype("datetime64[s]"))
    acc["created_at"] = to_ts(acc["created_at"].to_numpy().astype("datetime64[s]"))
    systems_df = pd.DataFrame(sys_rows, columns=["system", "category", "owner", "admins",
                                                 "monthly_cost", "seats", "seat_cost"])
    systems_df["monthly_cost"] = np.where(
        systems_df["seat_cost"] > 0, systems_df["seats"] * systems_df["seat_cost"],
        systems_df["monthly_cost"])
    return acc, systems_df


@dataclass(frozen=True)
class TaskDef:
    """A piece of recurring work and who does it.

    ``every`` is 'daily' (business days), 'weekly:N' (weekday N, 0 = Monday) or 'monthly'
    (first business day). ``rotate`` 'week' hands the task to the next person each week;
    'all' means each person does it every time.
    """

    task: str
    people: tuple[str, ...]
    category: str
    minutes: int
    every: str = "daily"
    system: str | None = None
    target: str | None = None
    recurring: bool = True
    rotate: str = "week"


def tasks_frame(rng: np.random.Generator, defs: Sequence[TaskDef], start: str,
                end: np.datetime64 = END, skip_share: float = 0.04,
                bool_words: tuple[str, str] = ("true", "false")) -> pd.DataFrame:
    """Time entries: one row per person per occurrence, minutes varying around the norm."""
    days = days_between(np.datetime64(start, "D"), end)
    bdays = days[np.is_busday(days)]
    week = ((bdays - np.datetime64("2026-01-05")).astype(int) // 7)
    rows = []
    for k, td in enumerate(defs):
        if td.every == "daily":
            when = np.arange(len(bdays))
        elif td.every.startswith("weekly"):
            wd = int(td.every.split(":")[1])
            when = np.flatnonzero(((bdays.astype(int) - 4) % 7) == wd)
        else:
            month = bdays.astype("datetime64[M]")
            when = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
        for i in when.tolist():
            who = td.people if td.rotate == "all" else (
                td.people[int(week[i]) % len(td.people)],)
            for person in who:
                if rng.random() < skip_share:
                    continue
                minutes = int(round(td.minutes * rng.uniform(0.85, 1.15) / 5) * 5)
                rows.append((bdays[i], k, person, td.task, max(minutes, 5), td.system,
                             td.target, td.category, bool_words[0] if td.recurring
                             else bool_words[1]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    df = pd.DataFrame(rows, columns=["performed_on", "_k", "person", "task", "minutes",
                                     "system", "target_system", "category", "recurring"])
    df["performed_on"] = fmt_dates(df["performed_on"].to_numpy().astype("datetime64[D]"))
    return df.drop(columns="_k")[["person", "task", "performed_on", "minutes", "system",
                                  "target_system", "category", "recurring"]]
