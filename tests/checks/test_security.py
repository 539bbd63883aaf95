"""Exact-value tests of the security checks on small hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import impact_triple, make_data, rows_table

from opskit.checks.security import (
    admin_sprawl,
    departed_staff_access,
    dormant_paid_seats,
    mfa_gaps,
    shared_logins,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check


def account(user: str, system: str = "google", *, person: str | None = None,
            admin: bool | None = False, mfa: bool | None = True,
            login: str | None = "2026-09-20", disabled: bool | None = False) -> dict:
    return {"system": system, "user": user, "person": person, "is_admin": admin,
            "mfa_enabled": mfa, "last_login_at": login, "disabled": disabled}


def accounts(*rows: dict) -> pd.DataFrame:
    return rows_table("accounts", list(rows))


def staff(count: int, system: str = "google", **kwargs) -> list[dict]:
    """``count`` ordinary accounts of current staff on ``system``."""
    return [account(f"user{i}@shop.com", system, **kwargs) for i in range(count)]


# -- security.departed_staff_access -------------------------------------------------------

PEOPLE = [
    {"person": "Ann Lee", "function": "operations", "started_on": "2020-01-01",
     "ended_on": "2026-06-01", "email": "ann@shop.com"},
    {"person": "Bo Kim", "function": "sales", "started_on": "2021-01-01", "ended_on": None,
     "email": "bo@shop.com"},
    {"person": "Cy Diaz", "function": "finance", "started_on": "2021-01-01",
     "ended_on": "2026-09-30", "email": "cy@shop.com"},
]


def departed(*rows: dict, systems: list[dict] | None = None) -> CheckData:
    tables = {"accounts": accounts(
        account("bo@shop.com", person="Bo Kim"),
        account("cy@shop.com", person="Cy Diaz"),  # leaves on the last day: not departed
        account("ann.old@shop.com", "slack", person="Ann Lee", disabled=True),
        *rows), "people": rows_table("people", PEOPLE)}
    if systems:
        tables["systems"] = rows_table("systems", systems)
    return make_data(**tables)


def test_departed_pass_when_leavers_accounts_are_disabled():
    """Only a disabled account of a leaver (and one leaving on the last day): PASS, 0."""
    result = departed_staff_access(departed())
    assert result.status is Status.PASS
    assert result.metrics["departed_enabled"].value == 0
    assert result.evidence.empty


def test_departed_warn_matches_by_person_or_by_email():
    """Ann's accounts found by name and by email (any case), unused since she left: WARN."""
    result = departed_staff_access(departed(
        account("ann@shop.com", "google", person="ann lee", login="2026-05-30"),
        account("ANN@shop.com", "shopify", login=None)))
    assert result.status is Status.WARN
    assert result.metrics["departed_enabled"].value == 2
    assert result.metrics["departed_share"].value == pytest.approx(2 / 4)
    assert set(result.evidence["system"]) == {"google", "shopify"}
    assert result.evidence["leaver"].tolist() == ["Ann Lee", "Ann Lee"]


@pytest.mark.parametrize("row", [
    account("ann@shop.com", person="Ann Lee", admin=True, login="2026-05-01"),
    account("ann@shop.com", person="Ann Lee", login="2026-07-15"),
], ids=["admin", "login after leaving"])
def test_departed_fail_on_admin_or_login_after_leaving(row):
    """A leaver's account that is admin, or was used after the leaving date, is FAIL."""
    result = departed_staff_access(departed(row, account("ann@shop.com", "slack",
                                                         login="2026-05-01")))
    assert result.status is Status.FAIL
    assert result.metrics["departed_enabled"].value == 2
    assert result.metrics["admin_or_used_after_leaving"].value == 1
    assert result.evidence["system"].iloc[0] == "google"


@pytest.mark.parametrize("ended", ["2026-06-01", "2026-06-01 23:59:59.999999"],
                         ids=["bare date", "end of day as loaded"])
def test_departed_login_on_the_last_working_day_is_not_after_leaving(ended):
    """Leaving on 1 June: a login at 17:10 that day is not after leaving (WARN), one the
    next morning is (FAIL); days since left count calendar days to 30 September."""
    people = rows_table("people", [{**PEOPLE[0], "ended_on": ended}])
    last_day = account("ann@shop.com", person="Ann Lee", login="2026-06-01 17:10")
    result = departed_staff_access(make_data(accounts=accounts(last_day), people=people))
    assert result.status is Status.WARN
    assert result.evidence["login_after_leaving"].tolist() == [False]
    assert result.evidence["days_since_left"].tolist() == [121]
    next_day = account("ann@shop.com", person="Ann Lee", login="2026-06-02 08:30")
    result = departed_staff_access(make_data(accounts=accounts(next_day), people=people))
    assert result.status is Status.FAIL
    assert result.evidence["login_after_leaving"].tolist() == [True]


def test_departed_prices_seats_not_counted_as_dormant():
    """Impact: active leaver seats × seat cost × 12; dormant paid seats are left out."""
    result = departed_staff_access(departed(
        account("ann@shop.com", "google", login="2026-07-15"),   # $10, active: counted
        account("ann@shop.com", "shopify", login="2026-07-15"),  # no seat cost: assumption
        account("ann@shop.com", "hubspot", login="2026-03-01"),  # paid and dormant: left out
        systems=[{"system": "Google", "seat_cost": 10.0}, {"system": "hubspot",
                                                           "seat_cost": 50.0}]))
    assert result.metrics["departed_enabled"].value == 3
    assert impact_triple(result) == (
        (10 + 10) * 12, (10 + 20) * 12, (10 + 40) * 12)


def test_departed_not_assessable_without_leaving_dates():
    """A roster with no leaving dates cannot show who left: NOT_ASSESSABLE naming ended_on."""
    people = rows_table("people", [{**p, "ended_on": None} for p in PEOPLE])
    result = run_check(departed_staff_access.spec,
                       make_data(accounts=accounts(account("a@shop.com")), people=people))
    assert result.status is Status.NOT_ASSESSABLE
    assert "ended_on" in result.data_request
    result = run_check(departed_staff_access.spec, make_data(accounts=accounts(account("a@x.com"))))
    assert result.status is Status.NOT_ASSESSABLE


# -- security.mfa_gaps --------------------------------------------------------------------

def test_mfa_pass_when_every_enabled_account_has_mfa():
    """Disabled accounts without MFA do not count: 0 and PASS."""
    result = mfa_gaps(make_data(accounts=accounts(*staff(9), account("old@shop.com", mfa=False,
                                                                     disabled=True))))
    assert result.status is Status.PASS
    assert result.metrics["no_mfa_share"].value == 0.0


def test_mfa_warn_at_the_share_or_on_any_admin():
    """30 of 200 without MFA is 15% (WARN); 1 admin of 20 (5%) also WARNs."""
    share_case = mfa_gaps(make_data(accounts=accounts(
        *staff(170), *(account(f"x{i}@shop.com", mfa=None) for i in range(30)))))
    assert share_case.status is Status.WARN
    assert share_case.judgement == ""
    assert share_case.metrics["no_mfa_share"].value == pytest.approx(0.15)
    admin_case = mfa_gaps(make_data(accounts=accounts(*staff(19), account("boss@shop.com",
                                                                          admin=True, mfa=False))))
    assert admin_case.status is Status.WARN
    assert admin_case.metrics["no_mfa_share"].value == pytest.approx(0.05)
    assert admin_case.metrics["admins_without_mfa"].value == 1
    assert admin_case.evidence["user"].tolist() == ["boss@shop.com"]


def test_mfa_fail_at_the_fail_share_admins_listed_first():
    """70 of 200 without MFA is 35%: FAIL, the admin first in the evidence."""
    result = mfa_gaps(make_data(accounts=accounts(
        *staff(130), *(account(f"a{i}@shop.com", mfa=False) for i in range(69)),
        account("boss@shop.com", mfa=False, admin=True, login="2026-01-01"))))
    assert result.status is Status.FAIL
    assert result.metrics["no_mfa_share"].value == pytest.approx(0.35)
    assert result.evidence["user"].iloc[0] == "boss@shop.com"


def test_mfa_too_few_accounts_is_a_pass_that_says_so():
    """2 of 8 without MFA (25%): too few accounts to judge the share, PASS; from ten
    accounts on, the share is judged as it is (the access review lists every account)."""
    result = mfa_gaps(make_data(accounts=accounts(*staff(6), account("x@shop.com", mfa=None),
                                                  account("y@shop.com", mfa=False))))
    assert result.status is Status.PASS
    assert result.metrics["no_mfa_share"].value == pytest.approx(0.25)
    assert result.judgement == "too few to judge: 8 enabled accounts (at least 10 needed)"
    result = mfa_gaps(make_data(accounts=accounts(*staff(9), account("x@shop.com", mfa=None))))
    assert result.status is Status.WARN
    assert result.judgement == ""


def test_mfa_an_admin_without_mfa_warns_however_few_the_accounts():
    """3 of 9 without MFA, one an admin: the admin is a fact and WARNs; the share (33%)
    rests on too few accounts to FAIL."""
    result = mfa_gaps(make_data(accounts=accounts(
        *staff(6), account("a@shop.com", mfa=False), account("b@shop.com", mfa=False),
        account("boss@shop.com", mfa=False, admin=True))))
    assert result.status is Status.WARN
    assert result.judgement == ("1 admin without MFA decides the verdict; for the share, too "
                                "few to judge: 9 enabled accounts (at least 10 needed)")


def test_mfa_not_assessable_without_mfa_column():
    """An access review without MFA status: NOT_ASSESSABLE naming mfa_enabled."""
    rows = rows_table("accounts", [{"system": "google", "user": "a@shop.com"}])
    result = run_check(mfa_gaps.spec, make_data(accounts=rows))
    assert result.status is Status.NOT_ASSESSABLE
    assert "mfa_enabled" in result.data_request


# -- security.admin_sprawl ----------------------------------------------------------------

def system_accounts(system: str, total: int, admins: int) -> list[dict]:
    return [account(f"u{i}@shop.com", system, admin=i < admins) for i in range(total)]


def test_admin_sprawl_pass_with_two_admins_and_small_systems_ignored():
    """2 admins of 11 (18%) PASSes; a 3-account system of admins is too small to judge."""
    result = admin_sprawl(make_data(accounts=accounts(*system_accounts("google", 11, 2),
                                                      *system_accounts("quickbooks", 3, 3))))
    assert result.status is Status.PASS
    assert result.metrics["max_admin_share"].value == pytest.approx(2 / 11)
    assert result.metrics["single_admin_systems"].value == 0
    assert result.metrics["systems_judged"].value == 1


def test_admin_sprawl_warn_at_the_share_or_on_a_single_admin():
    """35 admins of 100 (35%) WARNs; one admin of 10 (10%) also WARNs as a bus factor."""
    share_case = admin_sprawl(make_data(accounts=accounts(*system_accounts("google", 100, 35))))
    assert share_case.status is Status.WARN
    assert share_case.metrics["max_admin_share"].value == pytest.approx(0.35)
    single = admin_sprawl(make_data(accounts=accounts(*system_accounts("shopify", 10, 1))))
    assert single.status is Status.WARN
    assert single.judgement == ""
    assert single.metrics["single_admin_systems"].value == 1
    assert single.evidence["system"].tolist() == ["shopify"]
    assert single.evidence["finding"].tolist() == ["single admin"]
    assert single.evidence["admin_users"].tolist() == ["u0@shop.com"]


def test_admin_sprawl_fail_counts_enabled_accounts_only():
    """50 admins of 100 enabled accounts (50%): FAIL; disabled admins not counted."""
    rows = [*system_accounts("google", 100, 50),
            account("gone@shop.com", admin=True, disabled=True)]
    result = admin_sprawl(make_data(accounts=accounts(*rows)))
    assert result.status is Status.FAIL
    assert result.metrics["max_admin_share"].value == pytest.approx(0.5)


def test_admin_sprawl_small_system_is_too_few_to_judge_and_says_so():
    """Three admins of four QuickBooks accounts (75%): below five accounts the system is not
    judged, PASS saying so; at five accounts, two admins (40%) FAIL as counted."""
    result = admin_sprawl(make_data(accounts=accounts(*system_accounts("google", 10, 0),
                                                      *system_accounts("QuickBooks", 4, 3))))
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: QuickBooks (fewer than 5 enabled accounts each)"
    result = admin_sprawl(make_data(accounts=accounts(*system_accounts("QuickBooks", 5, 2))))
    assert result.status is Status.FAIL
    assert result.judgement == ""
    assert result.evidence["finding"].tolist() == ["too many admins"]


def test_admin_sprawl_not_assessable_without_admin_flags():
    """An access review without is_admin: NOT_ASSESSABLE."""
    rows = rows_table("accounts", [{"system": "google", "user": "a@shop.com"}])
    assert run_check(admin_sprawl.spec, make_data(accounts=rows)).status is Status.NOT_ASSESSABLE


# -- security.shared_logins ---------------------------------------------------------------

def quiet_generics() -> list[dict]:
    """Generic-looking logins that do not count: unused for 90+ days, disabled, or not generic."""
    return [account("info@shop.com", "shopify", login="2026-06-01"),
            account("sales@shop.com", disabled=True),
            account("information@shop.com"), account("ann@shop.com")]


def test_shared_logins_pass_without_generic_logins_in_use():
    """Old, disabled or merely similar logins are not shared logins: 0 and PASS."""
    result = shared_logins(make_data(accounts=accounts(*quiet_generics())))
    assert result.status is Status.PASS
    assert result.metrics["shared_logins"].value == 0


def test_shared_logins_warn_on_any_generic_login_in_use():
    """'Warehouse@' used within 90 days of the period end (any case) is WARN."""
    result = shared_logins(make_data(accounts=accounts(
        *quiet_generics(), account("Warehouse@Shop.com", "shipstation", login="2026-07-02"))))
    assert result.status is Status.WARN
    assert result.metrics["shared_logins"].value == 1
    assert result.evidence["user"].tolist() == ["Warehouse@Shop.com"]


def test_shared_logins_fail_on_a_generic_admin_login():
    """'admin@' with admin rights in use is FAIL; it leads the evidence."""
    result = shared_logins(make_data(accounts=accounts(
        *quiet_generics(), account("orders@shop.com"),
        account("admin@shop.com", "shopify", admin=True, login="2026-08-01"))))
    assert result.status is Status.FAIL
    assert result.metrics["shared_logins"].value == 2
    assert result.metrics["shared_admin_logins"].value == 1
    assert result.evidence["user"].tolist() == ["admin@shop.com", "orders@shop.com"]


def test_shared_logins_not_assessable_without_logins():
    """Without last_login_at nobody can tell which logins are used: NOT_ASSESSABLE."""
    rows = rows_table("accounts", [{"system": "google", "user": "info@shop.com"}])
    assert run_check(shared_logins.spec, make_data(accounts=rows)).status is Status.NOT_ASSESSABLE


# -- security.dormant_paid_seats ----------------------------------------------------------

SYSTEMS = [{"system": "Google", "seat_cost": 10.0}, {"system": "hubspot", "seat_cost": 50.0},
           {"system": "slack", "seat_cost": 0.0}, {"system": "zoom", "seat_cost": None}]


def seats(*dormant: dict) -> CheckData:
    rows = [*staff(8, "google"), *staff(5, "slack", login=None), *staff(3, "zoom", login=None),
            account("gone@shop.com", "google", login=None, disabled=True), *dormant]
    return make_data(accounts=accounts(*rows), systems=SYSTEMS)


def test_dormant_pass_counts_only_paid_systems():
    """Unused seats on free or unpriced systems do not count: 0 of 8 paid seats, PASS."""
    result = dormant_paid_seats(seats())
    assert result.status is Status.PASS
    assert result.metrics["dormant_share"].value == 0.0
    assert result.metrics["paid_seats"].value == 8


def test_dormant_boundary_is_ninety_days_before_the_period_end():
    """A login 91 days before the end is dormant, one exactly 90 days before is not."""
    result = dormant_paid_seats(seats(
        *staff(9, "hubspot"),
        account("a@shop.com", "hubspot", login="2026-07-01"),
        account("b@shop.com", "hubspot", login=None),
        account("c@shop.com", "google", login="2026-07-02")))
    assert result.metrics["paid_seats"].value == 20
    assert set(result.evidence["user"]) == {"a@shop.com", "b@shop.com"}
    assert result.metrics["dormant_share"].value == pytest.approx(0.1)
    assert result.status is Status.PASS


def test_dormant_warn_at_the_share_with_never_used_seats_first():
    """20 dormant of 100 paid seats is 20%: WARN; the never-used seat leads the evidence,
    then the oldest login."""
    result = dormant_paid_seats(seats(
        *staff(72, "hubspot"), account("b@shop.com", "hubspot", login=None),
        account("c@shop.com", login="2026-01-01"),
        *(account(f"a{i}@shop.com", "hubspot", login="2026-07-01") for i in range(18))))
    assert result.status is Status.WARN
    assert result.metrics["dormant_share"].value == pytest.approx(0.2)
    assert result.evidence["user"].tolist()[:2] == ["b@shop.com", "c@shop.com"]
    assert len(result.evidence) == 20


def test_dormant_fail_and_impact_of_reclaimed_seats():
    """50 dormant of 100: FAIL; impact = seat costs × 12 × 50% / 75% / 100%."""
    dormant = [account(f"d{i}@shop.com", "hubspot", login=None) for i in range(50)]
    result = dormant_paid_seats(seats(*staff(42, "hubspot"), *dormant))
    assert result.status is Status.FAIL
    assert result.metrics["dormant_share"].value == pytest.approx(0.5)
    yearly = 50 * 50 * 12
    assert impact_triple(result) == (
        yearly * 0.5, yearly * 0.75, yearly)


def test_dormant_too_few_paid_seats_is_a_pass_that_says_so():
    """3 dormant of 8 paid seats (37.5%): too few to judge, PASS, the seats still listed."""
    rows = [*staff(5, "google"),
            *(account(f"d{i}@shop.com", "hubspot", login=None) for i in range(3))]
    result = dormant_paid_seats(make_data(accounts=accounts(*rows), systems=SYSTEMS))
    assert result.status is Status.PASS
    assert result.metrics["dormant_share"].value == pytest.approx(0.375)
    assert result.judgement == "too few to judge: 8 paid seats (at least 10 needed)"
    assert len(result.evidence) == 3


def test_dormant_not_assessable_without_seat_costs():
    """No systems map with seat costs: NOT_ASSESSABLE naming seat_cost."""
    result = run_check(dormant_paid_seats.spec, make_data(accounts=accounts(*staff(3))))
    assert result.status is Status.NOT_ASSESSABLE
    assert "seat_cost" in result.data_request


# -- robustness ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [departed_staff_access.spec, mfa_gaps.spec, admin_sprawl.spec,
                                  shared_logins.spec, dormant_paid_seats.spec],
                         ids=lambda s: s.id)
def test_single_rows_and_empty_optionals_never_raise(spec):
    """One account with every optional column empty gives a verdict, never ERROR."""
    empty = account("info@shop.com", person=None, admin=None, mfa=None, login=None,
                    disabled=None)
    tables = make_data(accounts=accounts(empty),
                       people=[{**PEOPLE[0], "email": None}],
                       systems=[{"system": "google", "seat_cost": None}])
    result = run_check(spec, tables)
    assert result.status is not Status.ERROR, result.error


# -- cause charts -------------------------------------------------------------------------

BUCKETS = ["0-30 days", "31-90 days", "91-365 days", "over 365 days", "never"]


def cells(chart) -> dict[tuple[str, str], int]:
    """A stacked chart's non-zero cells as {(x, series): value}."""
    data = chart.data
    return {(x, s): v for x, s, v in zip(data[chart.x], data[chart.series], data[chart.y],
                                         strict=True) if v}


def test_departed_chart_is_accounts_by_last_login_and_leaver_status():
    """Ann's account used in July after leaving in June is 31-90 days, her Slack account
    untouched since May 91-365 days; the two current staff logged in this month."""
    result = departed_staff_access(departed(
        account("ann@shop.com", person="Ann Lee", login="2026-07-15"),
        account("ann@shop.com", "slack", login="2026-05-01")))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "last_login",
                                                            "accounts", "status")
    assert chart.data["last_login"].unique().tolist() == BUCKETS
    assert len(chart.data) == 15
    assert cells(chart) == {("0-30 days", "not a leaver"): 2,
                            ("31-90 days", "left: admin or used after leaving"): 1,
                            ("91-365 days", "left"): 1}
    assert chart.note == ("2 enabled accounts of 4 belong to people who left, 1 of them admin "
                          "or used after leaving; e.g. ann@shop.com on google (used after "
                          "leaving).")


def test_mfa_chart_stacks_accounts_by_system_and_second_factor():
    """An admin and a Shopify user without MFA beside 19 protected Google accounts."""
    result = mfa_gaps(make_data(accounts=accounts(
        *staff(19), account("boss@shop.com", admin=True, mfa=False),
        account("s@shop.com", "shopify", mfa=None))))
    chart = result.chart
    assert (chart.kind, chart.x, chart.series) == ("stacked", "system", "mfa")
    assert chart.data.values.tolist() == [
        ["google", "admin without MFA", 1], ["google", "without MFA", 0],
        ["google", "with MFA", 19], ["shopify", "admin without MFA", 0],
        ["shopify", "without MFA", 1], ["shopify", "with MFA", 0]]
    assert chart.note == ("2 of 21 enabled accounts have no second factor (9.5%), 1 admin "
                          "among them; the most on google (1 of 20).")


def test_admin_chart_shows_sprawl_and_the_single_key_holder():
    """Google 2 admins of 11, Shopify 1 of 10, QuickBooks 3 of 3 (too small to judge)."""
    result = admin_sprawl(make_data(accounts=accounts(
        *system_accounts("google", 11, 2), *system_accounts("shopify", 10, 1),
        *system_accounts("quickbooks", 3, 3))))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "system", "accounts",
                                                            "role")
    assert chart.data.values.tolist() == [
        ["google", "admin", 2], ["google", "other account", 9],
        ["shopify", "admin", 1], ["shopify", "other account", 9],
        ["quickbooks", "admin", 3], ["quickbooks", "other account", 0]]
    assert chart.note == ("google has the largest admin share: 2 of 11 accounts (18.2%); a "
                          "single admin holds the keys to shopify.")


def test_shared_logins_chart_draws_what_the_verdict_judges():
    """The generic logins by last login: admin@ (admin, 60 days) and orders@ (10 days) are in
    use; info@ (121 days) is not; no warn/fail marks to print over each other."""
    result = shared_logins(make_data(accounts=accounts(
        *quiet_generics(), account("orders@shop.com"),
        account("admin@shop.com", "shopify", admin=True, login="2026-08-01"))))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "last_login",
                                                            "generic logins", "role")
    assert chart.marks == ()
    assert len(chart.data) == 10
    assert cells(chart) == {("0-30 days", "not admin"): 1, ("31-90 days", "admin"): 1,
                            ("91-365 days", "not admin"): 1}
    in_use = chart.data[chart.data["last_login"].isin(BUCKETS[:2])]["generic logins"].sum()
    assert in_use == result.metrics["shared_logins"].value == 2
    assert chart.note == ("2 generic logins used in the last 90 days, 1 with admin rights, "
                          "e.g. admin@shop.com on shopify.")


def test_shared_logins_chart_on_a_clean_review_keeps_its_buckets():
    """Only an unused info@ login: the buckets are drawn, the note says none is in use."""
    chart = shared_logins(make_data(accounts=accounts(*quiet_generics()))).chart
    assert cells(chart) == {("91-365 days", "not admin"): 1}
    assert chart.note == "1 generic login enabled, none used in the last 90 days."


def test_dormant_chart_bucket_edge_agrees_with_the_verdict():
    """A login 91 days before the end sits past the 90-day edge with the never-used seat;
    one exactly 90 days before sits inside it, as the verdict counts them."""
    result = dormant_paid_seats(seats(
        *staff(9, "hubspot"),
        account("a@shop.com", "hubspot", login="2026-07-01"),
        account("b@shop.com", "hubspot", login=None),
        account("c@shop.com", "google", login="2026-07-02")))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "last_login", "seats",
                                                            "system")
    assert cells(chart) == {("0-30 days", "hubspot"): 9, ("0-30 days", "google"): 8,
                            ("31-90 days", "google"): 1, ("91-365 days", "hubspot"): 1,
                            ("never", "hubspot"): 1}
    assert chart.note == ("2 of 20 paid seats had no login in 90 days (10.0%), $100 a month; "
                          "the most on hubspot (2).")
