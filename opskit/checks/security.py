"""Hat 6, security and access: who can get into the business's systems, and should they?

Small businesses are targets because they are easy: logins of people who left that still
work, accounts without a second factor, everyone an administrator (or only one person holding
the keys), shared mailboxes used as logins, and paid seats nobody uses. These checks read the
access review (the user list of each system), the staff roster and the systems map. Risk is
listed, not priced; only the seats the business pays for and does not need carry dollars.
"""

from __future__ import annotations

import pandas as pd

from opskit.checks._charts_people import (
    age_buckets,
    days_ago_bucket,
    pct,
    plural,
    tally,
    top_labels,
)
from opskit.checks._common import (
    is_true,
    judge,
    judge_census,
    name_key,
    ratio,
    share,
    worst,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.money import money
from opskit.registry import CheckData, Param, check
from opskit.sources.parse import deadline_day

DEPARTED_STORY = Story("We trust our people.",
                       "And forgot the ones who left: their accounts still work.")
MFA_STORY = Story("We're too small to be a target.",
                  "Small businesses are targeted because they are easy: accounts are "
                  "protected by a password alone.")
ADMIN_STORY = Story("Everyone needs admin to get their work done.",
                    "Everyone is admin, or one person holds the keys: admin rights were never "
                    "reviewed.")
SHARED_STORY = Story("Everyone knows the password.",
                     "Generic mailboxes such as info@ or warehouse@ are used as personal "
                     "logins: nobody can tell who did what, and a leaver keeps the password.")
DORMANT_STORY = Story("Software is expensive.",
                      "We pay for people who never log in: seats are bought and never "
                      "reclaimed.")

GENERIC_MAILBOXES = ("info", "admin", "sales", "support", "warehouse", "office", "orders",
                     "accounts", "billing", "shipping", "team", "hello", "contact", "ops")
RISK_NOT_PRICED = "risk, not priced"


def enabled_accounts(data: CheckData) -> pd.DataFrame:
    """Accounts not disabled (an empty ``disabled`` counts as enabled), with a system key."""
    accounts = data["accounts"]
    enabled = accounts[~is_true(accounts, "disabled")]
    return enabled.assign(system_key=name_key(enabled["system"]),
                          is_admin=is_true(enabled, "is_admin"))


def seat_costs(data: CheckData, accounts: pd.DataFrame) -> pd.Series:
    """Monthly seat cost of each account's system from the systems map (empty when unknown)."""
    systems = data.get("systems")
    if systems is None or "seat_cost" not in systems or not len(systems):
        return pd.Series(float("nan"), index=accounts.index)
    costs = (systems.assign(system_key=name_key(systems["system"]))
             .dropna(subset=["seat_cost"]).drop_duplicates("system_key")
             .set_index("system_key")["seat_cost"])
    return accounts["system_key"].map(costs).astype("float64")


def is_dormant(accounts: pd.DataFrame, since: pd.Timestamp) -> pd.Series:
    """True for accounts with no login since ``since`` (never logged in included)."""
    if "last_login_at" not in accounts:
        return pd.Series(True, index=accounts.index)
    login = accounts["last_login_at"]
    return (login.isna() | (login < since)).astype(bool)


def _amount(value: float) -> str:
    """A seat cost in the engagement currency: whole amounts without cents ('$20')."""
    return money(value, 0 if float(value).is_integer() else 2)


def _account_columns(frame: pd.DataFrame, *extra: str) -> list[str]:
    """The evidence columns of an account list that the frame has, login first."""
    wanted = ("user", "system", "person", "is_admin", "mfa_enabled", "last_login_at", *extra)
    return [c for c in dict.fromkeys(wanted) if c in frame]


def last_login_bucket(accounts: pd.DataFrame, end: pd.Timestamp, days: float) -> pd.Series:
    """Each account's days since its last login, in buckets cut at 30, ``days`` (the check's
    own cut-off) and 365 days; no login on file is "never"."""
    login = accounts["last_login_at"] if "last_login_at" in accounts else pd.Series(
        pd.NaT, index=accounts.index, dtype="datetime64[us]")
    return days_ago_bucket(login, end, (30, days, 365))


def login_chart(frame: pd.DataFrame, series: str, order: list[str], *, title: str,
                days: float, note: str, y: str = "accounts") -> CauseChart:
    """Accounts by days since their last login, stacked by ``series``: every bucket and
    series present (a zero is drawn), in the bucket order."""
    data = tally(frame, "last_login", series, x_order=age_buckets((30, days, 365)),
                 series_order=order, name=y)
    data["last_login"] = data["last_login"].astype("str")
    return CauseChart(kind="stacked", data=data, x="last_login", y=y, series=series,
                      title=title, x_title="last login", y_title=f"enabled {y}",
                      y_unit="count", note=note)


# -- security.departed_staff_access -------------------------------------------------------

def leaving_moment(ended_on: pd.Series) -> pd.Series:
    """The moment a person left: a leaving date is the end of that local day.

    The loader reads a bare date in ``people.ended_on`` as 23:59:59.999999 of that day
    (its ``end_of_day`` column flag); a leaving date that still arrives at midnight (a
    spreadsheet date typed as a date-time) is read the same way, so a login on the last
    working day is never "after leaving". A leaving time of day other than midnight is kept.
    """
    midnight = ended_on.notna() & ended_on.eq(ended_on.dt.normalize())
    return ended_on.where(~midnight, ended_on + pd.Timedelta(days=1)
                          - pd.Timedelta(microseconds=1))


def departed_matches(accounts: pd.DataFrame, people: pd.DataFrame,
                     before: pd.Timestamp) -> pd.DataFrame:
    """Accounts of people who left before ``before``, with the leaver and the leaving date.

    An account belongs to a person when its ``person`` matches the roster's name or its login
    matches the roster's email (both case-insensitive); an account matching several leavers
    keeps the earliest leaving date. ``ended_on`` is the leaving moment (``leaving_moment``):
    someone whose last day is the last day of the period has not left before it ends.
    """
    ended = leaving_moment(people["ended_on"])
    left = people[ended < before]
    leavers = pd.DataFrame({"person_key": name_key(left["person"]), "leaver": left["person"],
                            "ended_on": ended[left.index]})
    account = accounts.reset_index(names="account_row")
    matches = []
    if "person" in account:
        named = account.assign(person_key=name_key(account["person"]))
        matches.append(named[account["person"].notna()].merge(leavers, on="person_key"))
    if "email" in left:
        emails = leavers.assign(user_key=name_key(left["email"]))[left["email"].notna()]
        matches.append(account.assign(user_key=name_key(account["user"])).merge(
            emails.drop(columns="person_key"), on="user_key"))
    if not matches:
        return account.iloc[0:0].assign(leaver=pd.Series(dtype="str"),
                                         ended_on=pd.Series(dtype="datetime64[us]"))
    found = pd.concat(matches, ignore_index=True).sort_values("ended_on")
    found = found.drop_duplicates("account_row", keep="first")
    return found.drop(columns=["person_key", "user_key"], errors="ignore")


@check("security.departed_staff_access", area="security",
       title="People who left still have access",
       needs={"accounts": ["system", "user"], "people": ["person", "ended_on"]},
       proof_metric="departed_enabled")
def departed_staff_access(
    data: CheckData,
    *,
    warn: float = Param(1, 1, 1000, 1, "Enabled accounts of people who left that warn."),
    fail: float = Param(1, 1, 1000, 1, "Of those, accounts with admin rights or used after "
                        "the person left that fail."),
    dormant_days: float = Param(90, 1, 730, 1, "Days without login after which a paid seat "
                                "is counted by security.dormant_paid_seats instead.", unit="days"),
) -> Result:
    """People who left still have access.

    Question: do people who left still have access?

    Metric: ``departed_enabled`` = accounts not disabled whose person (``accounts.person`` is
    the roster's ``person``, or the login is the roster's ``email``, case-insensitive) has an
    ``ended_on`` before the period end.

    Threshold: warn on any such account; fail when any of them is an admin or was used after
    the person left (``last_login_at`` > ``ended_on``). Source: a 2014 survey of 379 people who
    had left a job found 89% could still log in to a former employer's systems.

    Impact: the seats a year they occupy (seat cost × 12, from the systems map or the
    seat_cost assumption 10 / 20 / 40 a month). Seats without a login in 90 days on a paid
    system are left out: security.dormant_paid_seats prices them. The access risk itself is
    listed, not priced.

    Chart: enabled accounts by days since their last login, stacked into leavers' accounts
    that are admin or used after leaving, other leavers' accounts, and everyone else's.

    Population: accounts not disabled in the access review, matched to the roster's people
    whose leaving moment is before the period's last day.
    Time basis: local time; a leaving date (``ended_on``) is the end of that local day, so a
    login on the last working day is not a login after leaving; days since left are
    calendar days to the period's last day.
    Minimum evidence: one account found. The thresholds are "any": an enabled account of
    someone who left is a fact read from the access review, not an estimate from a sample,
    so there is no sample size to wait for.
    Base: seat cost × 12 of the seats not counted by security.dormant_paid_seats.
    """
    accounts = enabled_accounts(data)
    end = data.period.end
    departed = departed_matches(accounts, data["people"], end)
    after_leaving = (departed["last_login_at"] > departed["ended_on"]).fillna(False).astype(
        bool) if "last_login_at" in departed else pd.Series(False, index=departed.index)
    departed = departed.assign(
        login_after_leaving=after_leaving,
        days_since_left=(end - deadline_day(departed["ended_on"])).dt.days,
        severe=departed["is_admin"] | after_leaving)
    count, severe = len(departed), int(departed["severe"].sum())
    status = worst(Status.WARN if count >= warn else Status.PASS,
                   Status.FAIL if severe >= fail else Status.PASS)

    cost = seat_costs(data, departed)
    dormant = is_dormant(departed, end - pd.Timedelta(days=dormant_days))
    priced = departed[~((cost > 0) & dormant)]
    assumption = data.assumptions.get("seat_cost")
    default = assumption.triple() if assumption else (10.0, 20.0, 40.0)
    known = cost[priced.index]
    triple = tuple(float(known.fillna(d).sum()) * 12 for d in default)
    unknown = int(known.isna().sum())
    impact = Impact(*triple,
                    formula=f"{len(priced)} seats of people who left × monthly seat cost × 12 "
                            "(dormant paid seats are counted by security.dormant_paid_seats); "
                            "the access risk is listed, not priced",
                    assumptions={"seat cost": "systems map" + (
                        f"; seat_cost assumption {_amount(default[0])} / "
                        f"{_amount(default[1])} / {_amount(default[2])} for {unknown} seats "
                        "of systems without one"
                        if unknown else "")})
    chart = departed_chart(accounts, departed, end, dormant_days)
    columns = _account_columns(departed, "leaver", "ended_on", "days_since_left",
                               "login_after_leaving")
    evidence = departed.sort_values(["severe", "ended_on"], ascending=[False, True])[columns]
    return Result(
        status=status,
        metrics={"departed_enabled": Metric(count, "count",
                                            "enabled accounts of people who left"),
                 "departed_share": share(ratio(count, len(accounts)),
                                         "of enabled accounts"),
                 "admin_or_used_after_leaving": Metric(severe, "count",
                                                       "admins or used after leaving")},
        evidence=evidence.reset_index(drop=True), evidence_id="user",
        impact=impact, story=DEPARTED_STORY, chart=chart)


def departed_chart(accounts: pd.DataFrame, departed: pd.DataFrame, end: pd.Timestamp,
                   days: float) -> CauseChart:
    """Enabled accounts by last login, split into leavers' accounts that are admin or used
    after leaving, other leavers' accounts, and everyone else's: the accounts of people
    who left next to the ones in use."""
    severe, left = "left: admin or used after leaving", "left"
    status = pd.Series("not a leaver", index=accounts.index)
    rows = departed["account_row"]
    status[rows[~departed["severe"]].to_numpy()] = left
    status[rows[departed["severe"]].to_numpy()] = severe
    frame = pd.DataFrame({"last_login": last_login_bucket(accounts, end, days),
                          "status": status})
    if len(departed):
        first = departed.sort_values(["severe", "ended_on"], ascending=[False, True]).iloc[0]
        used = ("used after leaving" if first["login_after_leaving"] else
                "admin" if first["is_admin"] else "still enabled")
        note = (f"{plural(len(departed), 'enabled account')} of {len(accounts):,} belong to "
                f"people who left, {int(departed['severe'].sum()):,} of them admin or used "
                f"after leaving; e.g. {first['user']} on {first['system']} ({used}).")
    else:
        note = (f"None of the {len(accounts):,} enabled accounts belongs to someone who "
                "left.")
    return login_chart(frame, "status", [severe, left, "not a leaver"], days=days,
                       title="Enabled accounts by last login: people who left and the rest",
                       note=note)


# -- security.mfa_gaps --------------------------------------------------------------------

@check("security.mfa_gaps", area="security",
       title="Accounts without a second factor",
       needs={"accounts": ["system", "user", "mfa_enabled"]},
       proof_metric="no_mfa_share")
def mfa_gaps(
    data: CheckData,
    *,
    warn: float = Param(0.10, 0.0, 1.0, 0.05, "Share of enabled accounts without MFA that "
                        "warns."),
    fail: float = Param(0.25, 0.0, 1.0, 0.05, "Share that fails."),
    admin_warn: float = Param(1, 1, 1000, 1, "Admins without MFA that warn.", unit="admins"),
    min_evidence: float = Param(10, 1, 100_000, 1, "Enabled accounts needed to judge the "
                                "share without MFA.", unit="accounts"),
) -> Result:
    """Accounts without a second factor.

    Question: are accounts protected by a second factor?

    Metric: ``no_mfa_share`` = enabled accounts whose ``mfa_enabled`` is not true (false or
    empty) ÷ enabled accounts; also ``admins_without_mfa``.

    Threshold: warn at 10% or any admin without MFA, fail at 25% (default judgement
    thresholds).

    Impact: risk, not priced.

    Chart: enabled accounts by system, stacked into admins without MFA, others without MFA,
    and accounts with MFA.

    Population: enabled accounts of the access review (an empty ``disabled`` is enabled).
    Time basis: the access review as exported (a state, not a period).
    Minimum evidence: the share needs ``min_evidence`` (10) enabled accounts. The access
    review lists every account (a census, not a sample: no sampling noise to allow for), so
    from the minimum on the share is judged as it is. An admin without MFA is a fact: one
    account found warns.
    Base: none (risk, not priced).
    """
    accounts = enabled_accounts(data)
    exposed = accounts[~is_true(accounts, "mfa_enabled")]
    no_mfa_share = ratio(len(exposed), len(accounts))
    admins = int(exposed["is_admin"].sum())
    share_status, why = judge_census(len(exposed), len(accounts), warn, fail,
                                     min_evidence=int(min_evidence), noun="enabled accounts")
    status = worst(share_status, Status.WARN if admins >= admin_warn else Status.PASS)
    if status is not share_status and why:
        why = (f"{admins} admin{'s' if admins != 1 else ''} without MFA decide"
               f"{'s' if admins == 1 else ''} the verdict; for the share, {why}")
    sort = ["is_admin", "last_login_at"] if "last_login_at" in exposed else ["is_admin"]
    evidence = exposed.sort_values(sort, ascending=False)[_account_columns(exposed)]
    return Result(
        status=status, judgement=why,
        metrics={"no_mfa_share": share(no_mfa_share, "enabled accounts without MFA ÷ "
                                                     "enabled accounts"),
                 "admins_without_mfa": Metric(admins, "count", "admins without MFA"),
                 "accounts_without_mfa": Metric(len(exposed), "count",
                                                "enabled accounts without MFA")},
        evidence=evidence.reset_index(drop=True), evidence_id="user",
        impact=Impact.none(RISK_NOT_PRICED), story=MFA_STORY,
        chart=mfa_chart(accounts, ~is_true(accounts, "mfa_enabled")))


def mfa_chart(accounts: pd.DataFrame, exposed: pd.Series) -> CauseChart:
    """Enabled accounts per system (the 12 largest), stacked into admins without MFA, other
    accounts without MFA and accounts with MFA: where the single passwords are."""
    admin_open, plain_open = "admin without MFA", "without MFA"
    state = pd.Series("with MFA", index=accounts.index).mask(exposed, plain_open).mask(
        exposed & accounts["is_admin"], admin_open)
    frame = pd.DataFrame({"system": top_labels(accounts["system"]), "mfa": state})
    data = tally(frame, "system", "mfa", series_order=[admin_open, plain_open, "with MFA"],
                 name="accounts")
    open_by_system = data[data["mfa"] != "with MFA"].groupby("system", sort=False)[
        "accounts"].sum()
    total = data.groupby("system", sort=False)["accounts"].sum()
    count, admins = int(exposed.sum()), int((exposed & accounts["is_admin"]).sum())
    if count:
        top = open_by_system.sort_values(ascending=False, kind="stable").index[0]
        note = (f"{count:,} of {plural(len(accounts), 'enabled account')} have no second "
                f"factor ({pct(ratio(count, len(accounts)))}), "
                f"{plural(admins, 'admin') if admins else 'no admin'} among them; the most "
                f"on {top} ({open_by_system[top]:,} of {total[top]:,}).")
    else:
        note = f"All {len(accounts):,} enabled accounts have a second factor."
    return CauseChart(kind="stacked", data=data, x="system", y="accounts", series="mfa",
                      title="Enabled accounts by system, with and without MFA",
                      x_title="system", y_title="enabled accounts", y_unit="count",
                      note=note)


# -- security.admin_sprawl ----------------------------------------------------------------

@check("security.admin_sprawl", area="security",
       title="Too many admins, or only one",
       needs={"accounts": ["system", "user", "is_admin"]},
       proof_metric="max_admin_share")
def admin_sprawl(
    data: CheckData,
    *,
    warn: float = Param(0.20, 0.0, 1.0, 0.05, "Admin share of a system's accounts that "
                        "warns."),
    fail: float = Param(0.40, 0.0, 1.0, 0.05, "Admin share that fails."),
    min_evidence: float = Param(5, 1, 1000, 1, "Enabled accounts a system needs to be "
                                "judged.", unit="accounts"),
) -> Result:
    """Too many admins, or only one.

    Question: do too many people hold admin rights, or does only one?

    Metric: ``max_admin_share`` = per system with at least ``min_evidence`` (5) enabled
    accounts, admins ÷ enabled accounts; the largest. Also ``single_admin_systems``: such
    systems with exactly one admin (a bus factor for access).

    Threshold: warn at 20% or any single-admin system, fail at 40% (default judgement
    thresholds).

    Impact: risk, not priced.

    Chart: enabled accounts by system, stacked into admins and other accounts.

    Population: enabled accounts of the access review, per system.
    Time basis: the access review as exported (a state, not a period).
    Minimum evidence: a system is judged from ``min_evidence`` (5) enabled accounts. The
    access review lists every account (a census, not a sample), so from the minimum on a
    system's admin share is judged as it is. A single admin is a fact: one such system
    found warns.
    Base: none (risk, not priced).
    """
    accounts = enabled_accounts(data)
    per_system = accounts.groupby("system_key", as_index=False).agg(
        system=("system", "first"), accounts=("user", "count"), admins=("is_admin", "sum"))
    judged = per_system[per_system["accounts"] >= min_evidence]
    judged = judged.assign(admin_share=judged["admins"] / judged["accounts"])
    max_share = float(judged["admin_share"].max()) if len(judged) else 0.0
    single = judged["admins"].eq(1)
    status = worst(judge(max_share, warn, fail),
                   Status.WARN if single.any() else Status.PASS)
    small = per_system[per_system["accounts"] < min_evidence]
    small_flagged = small[(small["admins"] / small["accounts"]) >= warn]
    why = ""
    if status is Status.PASS and len(small_flagged):
        names = ", ".join(sorted(small_flagged["system"].astype("str")))
        why = (f"too few to judge: {names} (fewer than {min_evidence:g} enabled accounts "
               "each)")

    admin_names = (accounts[accounts["is_admin"]].groupby("system_key", as_index=False)
                   .agg(admin_users=("user", lambda users: "; ".join(sorted(users)))))
    flagged = judged[(judged["admin_share"] >= warn) | single].merge(
        admin_names, on="system_key", how="left")
    flagged = flagged.assign(finding=flagged["admins"].eq(1).map(
        {True: "single admin", False: "too many admins"}))
    evidence = flagged.sort_values("admin_share", ascending=False)[
        ["system", "accounts", "admins", "admin_share", "finding", "admin_users"]].round(
        {"admin_share": 3})
    return Result(
        status=status, judgement=why,
        metrics={"max_admin_share": share(max_share, "largest admins ÷ enabled accounts of a "
                                                     "system"),
                 "single_admin_systems": Metric(int(single.sum()), "count",
                                                "systems with exactly one admin"),
                 "systems_judged": Metric(len(judged), "count",
                                          f"systems with {min_evidence:g}+ enabled accounts")},
        evidence=evidence.reset_index(drop=True), evidence_id="system",
        impact=Impact.none(RISK_NOT_PRICED), story=ADMIN_STORY,
        chart=admin_chart(accounts, judged, min_evidence))


def admin_chart(accounts: pd.DataFrame, judged: pd.DataFrame, min_evidence: float
                ) -> CauseChart:
    """Enabled accounts per system (the 12 largest), stacked into admins and other
    accounts: too many admins and a single key-holder both show."""
    frame = pd.DataFrame({"system": top_labels(accounts["system"]),
                          "role": accounts["is_admin"].map({True: "admin",
                                                            False: "other account"})})
    data = tally(frame, "system", "role", series_order=["admin", "other account"],
                 name="accounts")
    if len(judged):
        widest = judged.sort_values(["admin_share", "accounts"], ascending=False).iloc[0]
        single = judged.loc[judged["admins"].eq(1), "system"].astype("str").tolist()
        note = (f"{widest['system']} has the largest admin share: "
                f"{int(widest['admins']):,} of {plural(widest['accounts'], 'account')} "
                f"({pct(widest['admin_share'])})"
                + (f"; a single admin holds the keys to {', '.join(sorted(single))}."
                   if single else "."))
    else:
        note = f"No system has {min_evidence:g} or more enabled accounts to judge."
    return CauseChart(kind="stacked", data=data, x="system", y="accounts", series="role",
                      title="Enabled accounts by system: admins and the rest",
                      x_title="system", y_title="enabled accounts", y_unit="count",
                      note=note)


# -- security.shared_logins ---------------------------------------------------------------

@check("security.shared_logins", area="security",
       title="Generic mailboxes used as personal logins",
       needs={"accounts": ["system", "user", "last_login_at"]},
       proof_metric="shared_logins")
def shared_logins(
    data: CheckData,
    *,
    warn: float = Param(1, 1, 1000, 1, "Generic logins in use that warn."),
    fail: float = Param(1, 1, 1000, 1, "Generic logins in use with admin rights that fail."),
    active_days: float = Param(90, 1, 730, 1, "A login used within this many days of the "
                               "period end is in use.", unit="days"),
) -> Result:
    """Generic mailboxes used as personal logins.

    Question: are generic mailboxes used as personal logins?

    Metric: ``shared_logins`` = enabled accounts whose login's local part (before the @) is a
    generic mailbox (info, admin, sales, support, warehouse, office, orders, accounts,
    billing, shipping, team, hello, contact, ops) and that logged in within 90 days of the
    period end.

    Threshold: warn on any, fail on any with admin rights (default judgement thresholds).

    Impact: risk, not priced.

    Chart: the generic-mailbox logins by days since their last login (the buckets within
    ``active_days`` are those in use, as judged), admins apart; no threshold lines.

    Population: enabled accounts of the access review used within ``active_days`` (90) of
    the period's last day.
    Time basis: last_login_at, local time.
    Minimum evidence: one login found. The thresholds are "any": a generic mailbox used as
    a login is a fact read from the access review, not an estimate from a sample.
    Base: none (risk, not priced).
    """
    accounts = enabled_accounts(data)
    local_part = name_key(accounts["user"]).str.split("@").str[0]
    active = ~is_dormant(accounts, data.period.end - pd.Timedelta(days=active_days))
    generic = local_part.isin(GENERIC_MAILBOXES).fillna(False).astype(bool)
    shared = accounts[generic & active]
    admins = int(shared["is_admin"].sum())
    status = worst(Status.WARN if len(shared) >= warn else Status.PASS,
                   Status.FAIL if admins >= fail else Status.PASS)
    evidence = shared.sort_values(["is_admin", "last_login_at"], ascending=False)[
        _account_columns(shared)]
    return Result(
        status=status,
        metrics={"shared_logins": Metric(len(shared), "count", "generic logins in use"),
                 "shared_admin_logins": Metric(admins, "count",
                                               "generic logins with admin rights")},
        evidence=evidence.reset_index(drop=True), evidence_id="user",
        impact=Impact.none(RISK_NOT_PRICED), story=SHARED_STORY,
        chart=shared_chart(accounts[generic], shared, data.period.end, active_days))


def shared_chart(generic: pd.DataFrame, shared: pd.DataFrame, end: pd.Timestamp,
                 active_days: float) -> CauseChart:
    """What the verdict judges: the generic-mailbox logins by days since their last login
    (those within ``active_days`` are in use), admins apart. Every bucket is drawn, zeros
    too, so a clean access review shows empty buckets rather than no chart."""
    frame = pd.DataFrame({"last_login": last_login_bucket(generic, end, active_days),
                          "role": generic["is_admin"].map({True: "admin",
                                                           False: "not admin"})})
    admins = shared[shared["is_admin"]]
    if len(shared):
        named = admins if len(admins) else shared
        note = (f"{plural(len(shared), 'generic login')} used in the last {active_days:g} "
                f"days, {len(admins):,} with admin rights, e.g. {named['user'].iloc[0]} on "
                f"{named['system'].iloc[0]}.")
    elif len(generic):
        note = (f"{plural(len(generic), 'generic login')} enabled, none used in the last "
                f"{active_days:g} days.")
    else:
        note = "No enabled account is a generic mailbox."
    return login_chart(frame, "role", ["admin", "not admin"], days=active_days,
                       title=f"Generic-mailbox logins by last login (in use: within "
                             f"{active_days:g} days)", note=note, y="generic logins")


# -- security.dormant_paid_seats ----------------------------------------------------------

@check("security.dormant_paid_seats", area="security",
       title="Paid seats nobody uses",
       needs={"accounts": ["system", "user", "last_login_at"],
              "systems": ["system", "seat_cost"]},
       proof_metric="dormant_share")
def dormant_paid_seats(
    data: CheckData,
    *,
    warn: float = Param(0.15, 0.0, 1.0, 0.05, "Share of paid seats unused that warns (a SaaS "
                        "management index reports 53% of licenses unused in 30 days)."),
    fail: float = Param(0.30, 0.0, 1.0, 0.05, "Share that fails."),
    dormant_days: float = Param(90, 1, 730, 1, "Days without login that make a seat "
                                "dormant.", unit="days"),
    reclaim: float = Param(0.75, 0.0, 1.0, 0.05, "Share of dormant seats that can be "
                           "cancelled.", low=0.50, high=1.0, unit="share"),
    min_evidence: float = Param(10, 1, 100_000, 1, "Paid seats needed to judge.",
                                unit="seats"),
) -> Result:
    """Paid seats nobody uses.

    Question: do we pay for seats nobody uses?

    Metric: ``dormant_share`` = enabled accounts of systems whose ``seat_cost`` is above zero,
    with no ``last_login_at`` or one more than 90 days before the period end ÷ enabled
    accounts of those systems.

    Threshold: warn 15%, fail 30%. Source: a SaaS management index reports 53% of licenses
    unused in a 30-day window.

    Impact: dormant seats × monthly seat cost × 12 × share reclaimed (50% / 75% / 100%, low /
    base / high).

    Chart: paid seats by days since their last login (cut at ``dormant_days``), stacked by
    system.

    Population: enabled accounts of systems whose seat cost (systems map) is above zero.
    Time basis: last_login_at, local time, against the period's last day.
    Minimum evidence: ``min_evidence`` (10) paid seats. The access review lists every seat
    (a census, not a sample), so from the minimum on the dormant share is judged as it is.
    Base: the dormant seats' monthly cost × 12 (systems map), × share reclaimed.
    """
    accounts = enabled_accounts(data)
    cost = seat_costs(data, accounts)
    paid = accounts.assign(seat_cost=cost)[(cost > 0).fillna(False).astype(bool)]
    end = data.period.end
    dormant = paid[is_dormant(paid, end - pd.Timedelta(days=dormant_days))]
    dormant_share = ratio(len(dormant), len(paid))

    yearly = float(dormant["seat_cost"].sum()) * 12
    reclaimed = dormant_paid_seats.spec.params["reclaim"].spread(reclaim)
    impact = Impact(*(yearly * r for r in reclaimed),
                    formula=f"{len(dormant)} dormant seats × monthly seat cost × 12 "
                            f"({money(yearly)} a year) × share reclaimed",
                    assumptions={"share reclaimed": " / ".join(f"{r:.0%}" for r in reclaimed),
                                 "seat cost": "systems map (systems.seat_cost)"})
    evidence = dormant.assign(days_since_login=(end - dormant["last_login_at"]).dt.days)
    evidence = evidence.sort_values("days_since_login", ascending=False, na_position="first")
    evidence = evidence[_account_columns(evidence, "days_since_login", "seat_cost")]
    status, why = judge_census(len(dormant), len(paid), warn, fail,
                               min_evidence=int(min_evidence), noun="paid seats")
    return Result(
        status=status, judgement=why,
        metrics={"dormant_share": share(dormant_share, "dormant paid seats ÷ paid seats"),
                 "dormant_seats": Metric(len(dormant), "count", "dormant paid seats"),
                 "paid_seats": Metric(len(paid), "count", "enabled accounts on paid systems"),
                 "dormant_monthly_cost": Metric(yearly / 12, "$",
                                                "monthly cost of dormant seats")},
        evidence=evidence.reset_index(drop=True), evidence_id="user",
        impact=impact, story=DORMANT_STORY,
        chart=dormant_chart(paid, dormant, end, dormant_days) if len(paid) else None)


def dormant_chart(paid: pd.DataFrame, dormant: pd.DataFrame, end: pd.Timestamp,
                  dormant_days: float) -> CauseChart:
    """Paid seats by days since their last login, stacked by system (the 8 largest): the
    seats past ``dormant_days`` are the ones paid for and unused."""
    frame = pd.DataFrame({"last_login": last_login_bucket(paid, end, dormant_days),
                          "system": top_labels(paid["system"], keep=8)})
    order = frame["system"].value_counts().sort_index().sort_values(
        ascending=False, kind="stable").index.tolist()
    if len(dormant):
        by_system = dormant["system"].value_counts().sort_index().sort_values(
            ascending=False, kind="stable")
        note = (f"{len(dormant):,} of {plural(len(paid), 'paid seat')} had no login in "
                f"{dormant_days:g} days ({pct(ratio(len(dormant), len(paid)))}), "
                f"{money(float(dormant['seat_cost'].sum()))} a month; the most on "
                f"{by_system.index[0]} ({by_system.iloc[0]:,}).")
    else:
        note = (f"Every one of the {len(paid):,} paid seats was used in the last "
                f"{dormant_days:g} days.")
    return login_chart(frame, "system", order, days=dormant_days,
                       title="Paid seats by last login, by system", note=note, y="seats")
