"""Exact-value tests of the sales checks on small hand-built frames."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from builders import DAYS, impact_triple, make_data, table
from hypothesis import given
from hypothesis import strategies as st

from opskit.assumptions import resolve
from opskit.checks.sales import (
    _duplicate_evidence_order,
    _email_key,
    _phone_key_by_regex,
    _sorted_rank,
    crm_duplicates,
    missed_calls,
    phone_key,
    speed_to_lead,
    stale_pipeline,
)
from opskit.findings import Status
from opskit.registry import CheckData, NotAssessable, run_check


# -- sales.missed_calls ----------------------------------------------------------------------
def calls(rows: list[tuple[str, str, str, str | None, str | None]]) -> pd.DataFrame:
    """Calls from (started_at, direction, outcome, from_number, to_number) rows."""
    return table("calls", call_id=[f"C{i}" for i in range(len(rows))],
                 started_at=[r[0] for r in rows], direction=[r[1] for r in rows],
                 outcome=[r[2] for r in rows], from_number=[r[3] for r in rows],
                 to_number=[r[4] for r in rows])


def answered_calls(n: int) -> list[tuple]:
    start = pd.Timestamp("2026-07-01 09:00")
    return [(str(start + pd.Timedelta(minutes=30 * i)), "inbound", "answered",
             f"+1555020{i:04d}", None) for i in range(n)]


def test_missed_calls_pass_when_every_call_answered():
    """All inbound calls answered: missed and unrecovered rates are 0 and the check passes."""
    result = missed_calls(make_data(calls=calls(answered_calls(10))))
    assert result.status is Status.PASS
    assert result.metrics["missed_rate"].value == 0.0
    assert result.metrics["unrecovered_rate"].value == 0.0


def missed_with_callbacks(n: int, minutes: float | None, outcome: str = "missed",
                          day: int = 3) -> list[tuple]:
    """``n`` missed calls from distinct numbers, each called back after ``minutes`` (None:
    never), one every 20 minutes from 08:00 on 2026-08-``day``."""
    rows: list[tuple] = []
    start = pd.Timestamp(f"2026-08-{day:02d} 08:00")
    for k in range(n):
        number = f"+1555{day:02d}1{k:04d}"
        at = start + pd.Timedelta(minutes=20 * k)
        rows.append((str(at), "inbound", outcome, number, None))
        if minutes is not None:
            rows.append((str(at + pd.Timedelta(minutes=minutes)), "outbound", "answered", None,
                         number))
    return rows


def test_missed_calls_warn_on_missed_rate_with_callback_in_time():
    """150 of 1000 missed (15%, 95% bound 12.9% past 10%), all called back in 30 minutes:
    WARN, nobody unrecovered."""
    rows = [*answered_calls(850), *missed_with_callbacks(150, 30)]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(0.15)
    assert result.metrics["unrecovered_rate"].value == 0.0
    assert result.status is Status.WARN
    assert len(result.evidence) == 150
    assert result.evidence["reached_in_time"].all()


def test_missed_calls_too_few_calls_is_a_pass_that_says_so():
    """1 of 10 missed and never called back: too few calls to judge, PASS with the reason."""
    rows = [*answered_calls(9), *missed_with_callbacks(1, None)]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["unrecovered_rate"].value == 1.0
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge: 10 inbound calls (at least 30 needed); "
                                "too few to judge: 1 missed callers (at least 10 needed)")


def test_missed_calls_fail_when_missed_caller_never_reached():
    """100 missed callers called back after 90 minutes (too late): unrecovered 100% fails,
    though the missed rate (10%, bound 8.3%) alone would pass."""
    rows = [*answered_calls(900), *missed_with_callbacks(100, 90, outcome="voicemail")]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(0.1)
    assert result.metrics["unrecovered_rate"].value == 1.0
    assert result.status is Status.FAIL
    assert result.evidence["hours_to_contact"].unique().tolist() == [1.5]
    assert result.judgement.startswith("too few to judge: 100 of 1,000 inbound calls (10.0%)")


def test_missed_calls_answered_callback_from_caller_recovers():
    """An answered inbound call from the same number within the hour counts as reached."""
    rows = [*answered_calls(18),
        ("2026-08-03 10:00", "inbound", "abandoned", "+15550100001", None),
        ("2026-08-03 10:45", "inbound", "answered", "+1 555 010 0001", None),
    ]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(1 / 20)
    assert result.metrics["unrecovered_rate"].value == 0.0
    assert result.status is Status.PASS


def test_missed_calls_fail_on_missed_rate_alone():
    """400 of 1000 inbound missed (40%) fails even when every caller was called back."""
    rows = [*answered_calls(600), *missed_with_callbacks(400, 5)]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(0.4)
    assert result.metrics["unrecovered_rate"].value == 0.0
    assert result.status is Status.FAIL
    assert result.judgement == ""


def test_missed_calls_warn_on_unrecovered_share():
    """140 of 400 missed callers unrecovered (35%, bound 30.5% past 25%) warns while the
    missed rate (10%) passes on its bound."""
    rows = [*answered_calls(3600), *missed_with_callbacks(140, None, day=3),
            *missed_with_callbacks(260, 20, day=4)]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(0.1)
    assert result.metrics["unrecovered_rate"].value == pytest.approx(0.35)
    assert result.status is Status.WARN
    assert result.evidence["reached_in_time"].value_counts().to_dict() == {True: 260,
                                                                          False: 140}
    assert not result.evidence["reached_in_time"].iloc[0]


def test_missed_calls_impact_prices_new_unrecovered_callers():
    """Impact = unrecovered new callers a year × buyer share × close rate × contribution of
    a sale (deal value 5000 × default gross margin 40%)."""
    rows = [*answered_calls(9),
        ("2026-08-03 10:00", "inbound", "missed", "+15550100001", None)]
    result = missed_calls(make_data(calls=calls(rows)))
    a_year = 365 / DAYS
    assert result.impact.base == pytest.approx(round(a_year * 0.30 * 0.25 * 5000 * 0.4, 2))
    assert result.impact.low == pytest.approx(round(a_year * 0.20 * 0.15 * 5000 * 0.4, 2))
    assert result.impact.high == pytest.approx(round(a_year * 0.40 * 0.35 * 5000 * 0.4, 2))


def test_missed_calls_explicit_deal_value_wins_over_the_crm():
    """average_deal_value in engagement.yaml (4200) replaces the CRM's won deals (9000)."""
    rows = [*answered_calls(9),
        ("2026-08-03 10:00", "inbound", "missed", "+15550100001", None)]
    won = table("deals", deal_id=["W1"], created_at=["2026-07-02"], stage=["closed won"],
                amount=[9000.0], won=[True])
    data = make_data(calls=calls(rows), deals=won)
    data = CheckData(data.tables, data.period, resolve({"average_deal_value": 4200}))
    result = missed_calls(data)
    assert result.impact.base == pytest.approx(round(365 / DAYS * 0.30 * 0.25 * 4200 * 0.4, 2))
    assert result.impact.assumptions["contribution of a sale"] == (
        "average deal value $4,200 (engagement.yaml) × gross margin 40.0% = $1,680")


def test_missed_calls_known_customers_are_not_priced():
    """A missed caller whose number is on a customer record costs no new sale."""
    rows = [*answered_calls(9),
        ("2026-08-03 10:00", "inbound", "missed", "+15550100001", None)]
    customers = table("customers", customer_id=["K1"], system=["crm"],
                      phone=["(555) 010-0001"])
    result = missed_calls(make_data(calls=calls(rows), customers=customers))
    assert result.impact.base == 0.0
    assert result.evidence["new_caller"].tolist() == [False]


def test_missed_calls_without_numbers_judges_missed_rate_only():
    """With no caller numbers, unrecovered is not measured and the missed rate decides:
    30 of 100 missed (bound 21.9%) fails."""
    start = pd.Timestamp("2026-07-01 09:00")
    rows = [(str(start + pd.Timedelta(hours=i)), "inbound", "missed" if i < 30 else "answered",
             None, None) for i in range(100)]
    result = missed_calls(make_data(calls=calls(rows)))
    assert result.metrics["missed_rate"].value == pytest.approx(0.3)
    assert result.metrics["unrecovered_rate"].value is None
    assert result.status is Status.FAIL
    assert result.evidence_id == "call_id"


def test_missed_calls_not_assessable_without_call_log():
    """No calls table: NOT_ASSESSABLE with a request for the call log."""
    result = run_check(missed_calls.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "calls" in result.data_request


def test_missed_calls_not_assessable_without_inbound_calls_in_period():
    """Calls only outside the period: the check asks for a call log covering it."""
    rows = [("2026-06-01 09:00", "inbound", "missed", "+15550100001", None)]
    result = run_check(missed_calls.spec, make_data(calls=calls(rows)))
    assert result.status is Status.NOT_ASSESSABLE
    assert "2026-07-01" in result.data_request


def test_phone_key_keeps_last_ten_digits():
    """Phone numbers in any layout reduce to their last 10 digits; no digits is missing."""
    keys = phone_key(pd.Series(["+1 (555) 201-3344", "555.201.3344", "anonymous", None],
                               dtype="str"))
    assert keys.tolist()[:2] == ["5552013344", "5552013344"]
    assert keys.isna().tolist()[2:] == [True, True]


PHONE_TEXT = st.one_of(st.none(), st.text(
    alphabet=st.sampled_from("0123456789 +-().x#ext\u00a0\u0663\uff15\u202aé😀"), max_size=24))


@given(st.lists(PHONE_TEXT, max_size=40), st.integers(0, 3), st.integers(1, 4))
def test_phone_key_on_bytes_is_the_regular_expression(values, skip, chunks):
    """The byte-level key equals the regex's on any text, in any Arrow layout: several
    chunks, a sliced chunk (an offset), nulls, digits of other scripts, wide characters."""
    array = pa.array(values, type=pa.large_string()).slice(min(skip, len(values)))
    size = len(array)
    cuts = sorted({0, size, *(size * i // chunks for i in range(1, chunks))})
    layout = pa.chunked_array([array.slice(a, b - a) for a, b in itertools.pairwise(cuts)]
                              or [array], type=pa.large_string())
    text = pd.Series(pd.arrays.ArrowStringArray(layout, dtype=pd.Series(dtype="str").dtype))
    expected = _phone_key_by_regex(pd.Series(array.to_pylist(), dtype="str"))
    pd.testing.assert_series_equal(phone_key(text), expected)


# -- sales.speed_to_lead ---------------------------------------------------------------------
def leads(response_minutes: list[float | None]) -> pd.DataFrame:
    """Leads created an hour apart from 2026-07-01 09:00, answered after the given minutes."""
    created = pd.Series(pd.date_range("2026-07-01 09:00", periods=len(response_minutes),
                                      freq="h")).astype("datetime64[us]")
    minutes = pd.to_timedelta(pd.Series(response_minutes, dtype="float64"), unit="min")
    return table("leads", lead_id=[f"L{i}" for i in range(len(response_minutes))],
                 created_at=created.tolist(), first_response_at=(created + minutes).tolist())


def test_speed_to_lead_pass_when_answered_fast():
    """Every lead answered in 30 minutes: median 30, none unanswered, PASS, no evidence."""
    result = speed_to_lead(make_data(leads=leads([30.0] * 10)))
    assert result.metrics["median_response_minutes"].value == pytest.approx(30.0)
    assert result.metrics["never_answered_share"].value == 0.0
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_speed_to_lead_warn_on_median_over_an_hour():
    """A median of 90 minutes over 60 leads (the median's 95% bound is 90 too) warns; the
    late leads are the evidence."""
    result = speed_to_lead(make_data(leads=leads([90.0] * 45 + [30.0] * 15)))
    assert result.metrics["median_response_minutes"].value == pytest.approx(90.0)
    assert result.status is Status.WARN
    assert sorted(result.evidence["lead_id"]) == sorted(f"L{i}" for i in range(45))


def test_speed_to_lead_too_few_leads_is_a_pass_that_says_so():
    """Three leads answered after 90 minutes: too few to judge, PASS with the reason."""
    result = speed_to_lead(make_data(leads=leads([90.0, 90.0, 30.0])))
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge the response time: 3 answered leads (at "
                                "least 20 needed)")


def test_speed_to_lead_median_judged_on_its_interval():
    """20 at 90 and 10 at 30 minutes: median 90, but its 95% bound (30) does not pass 60."""
    result = speed_to_lead(make_data(leads=leads([90.0] * 20 + [30.0] * 10)))
    assert result.metrics["median_response_minutes"].value == pytest.approx(90.0)
    assert result.status is Status.PASS
    assert result.judgement == "median response judged on its 95% interval 30 to 90 minutes"


def test_speed_to_lead_warn_on_never_answered_share():
    """30 of 200 leads never answered (15%, bound 10.7%) warns even with fast answers."""
    result = speed_to_lead(make_data(leads=leads([10.0] * 170 + [None] * 30)))
    assert result.metrics["never_answered_share"].value == pytest.approx(0.15)
    assert result.metrics["median_response_minutes"].value == pytest.approx(10.0)
    assert result.status is Status.WARN
    assert sorted(result.evidence["lead_id"]) == sorted(f"L{i}" for i in range(170, 200))


def test_speed_to_lead_fail_on_median_over_a_day():
    """A median of 1500 minutes (over 24 hours) over 40 leads fails."""
    result = speed_to_lead(make_data(leads=leads([1500.0] * 30 + [10.0] * 10)))
    assert result.metrics["median_response_minutes"].value == pytest.approx(1500.0)
    assert result.status is Status.FAIL


def test_speed_to_lead_median_over_answered_leads_only():
    """Median ignores never-answered leads; 60 of 150 never answered (40%) fails."""
    result = speed_to_lead(make_data(leads=leads([10.0, 20.0, 30.0] * 30 + [None] * 60)))
    assert result.metrics["median_response_minutes"].value == pytest.approx(20.0)
    assert result.metrics["never_answered_share"].value == pytest.approx(0.4)
    assert result.status is Status.FAIL
    assert sorted(result.evidence["lead_id"]) == sorted(f"L{i}" for i in range(90, 150))


def test_speed_to_lead_impact_uses_conversion_lift_deal_value_and_margin():
    """Impact = late leads a year × close rate × lift × deal value × margin (defaults)."""
    result = speed_to_lead(make_data(leads=leads([90.0, 30.0])))
    a_year = 365 / DAYS
    assert result.impact.base == pytest.approx(round(a_year * 0.25 * 0.25 * 5000 * 0.40, 2))
    assert result.impact.low == pytest.approx(round(a_year * 0.15 * 0.10 * 5000 * 0.40, 2))


def test_speed_to_lead_not_assessable_without_response_times():
    """Leads with no first_response_at column: NOT_ASSESSABLE asking for it."""
    frame = table("leads", lead_id=["L1"], created_at=["2026-07-02 10:00"])
    result = run_check(speed_to_lead.spec, make_data(leads=frame))
    assert result.status is Status.NOT_ASSESSABLE
    assert "first_response_at" in result.data_request


def test_speed_to_lead_not_assessable_without_leads():
    """No leads table: NOT_ASSESSABLE naming the leads export."""
    result = run_check(speed_to_lead.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "leads" in result.data_request


# -- sales.stale_pipeline --------------------------------------------------------------------
def deals(copies: int = 1, **overrides: list) -> pd.DataFrame:
    """Four open deals worth 100/200/300/400, active on 2026-09-25, closing in October;
    ``copies`` > 1 repeats the four (ids D1-0, D2-0, ..., D4-<copies−1>)."""
    columns = dict(deal_id=["D1", "D2", "D3", "D4"], created_at=["2026-05-01"] * 4,
                   stage=["proposal"] * 4, amount=[100.0, 200.0, 300.0, 400.0],
                   last_activity_at=["2026-09-25"] * 4, close_date=["2026-10-15"] * 4,
                   closed_at=[None] * 4)
    columns.update(overrides)
    if copies > 1:
        ids = columns.pop("deal_id")
        columns = {k: v * copies for k, v in columns.items()}
        columns["deal_id"] = [f"{d}-{c}" for c in range(copies) for d in ids]
    return table("deals", **columns)


def test_stale_pipeline_pass_when_all_deals_active():
    """Every open deal touched in the last 30 days and not overdue: 0% stale, PASS."""
    result = stale_pipeline(make_data(deals=deals()))
    assert result.metrics["stale_share"].value == 0.0
    assert result.metrics["open_value"].value == 1000.0
    assert result.status is Status.PASS


def test_stale_pipeline_warn_on_inactive_deal():
    """The 300 deals idle since August are 30% of the pipeline (100 copies of 100/200/300/
    400; bound 25.3% over 333 effective deals): WARN, listed as evidence."""
    activity = ["2026-09-25", "2026-09-25", "2026-08-01", "2026-09-25"]
    result = stale_pipeline(make_data(deals=deals(100, last_activity_at=activity)))
    assert result.metrics["stale_share"].value == pytest.approx(0.3)
    assert result.status is Status.WARN
    assert set(result.evidence["deal_id"].str[:2]) == {"D3"}
    assert len(result.evidence) == 100


def test_stale_pipeline_too_few_deals_is_a_pass_that_says_so():
    """One idle deal of four (30% of the value): too few open deals to judge."""
    activity = ["2026-09-25", "2026-09-25", "2026-08-01", "2026-09-25"]
    result = stale_pipeline(make_data(deals=deals(last_activity_at=activity)))
    assert result.metrics["stale_share"].value == pytest.approx(0.3)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 4 open deals (at least 10 needed)"


def test_stale_pipeline_fail_with_overdue_and_missing_activity():
    """Overdue close date (400) plus no activity at all (300), ten times over: 70% stale,
    FAIL, biggest first."""
    result = stale_pipeline(make_data(deals=deals(
        10, last_activity_at=["2026-09-25", "2026-09-25", None, "2026-09-25"],
        close_date=["2026-10-15", "2026-10-15", "2026-10-15", "2026-09-01"])))
    assert result.metrics["stale_share"].value == pytest.approx(0.7)
    assert result.status is Status.FAIL
    assert result.evidence["deal_id"].str[:2].tolist() == ["D4"] * 10 + ["D3"] * 10


def test_stale_pipeline_excludes_deals_closed_by_period_end():
    """A deal closed in the period is not pipeline; one closed after the period still is."""
    result = stale_pipeline(make_data(deals=deals(
        last_activity_at=["2026-01-01", "2026-01-01", "2026-09-25", "2026-09-25"],
        closed_at=["2026-09-15", "2026-10-05", None, None])))
    assert result.metrics["open_value"].value == 900.0
    assert result.metrics["stale_share"].value == pytest.approx(200 / 900)
    assert result.evidence["deal_id"].tolist() == ["D2"]


def test_stale_pipeline_activity_exactly_thirty_days_before_end_is_not_stale():
    """last_activity_at == end − 30 days is not older than the cutoff."""
    result = stale_pipeline(make_data(deals=deals(
        last_activity_at=["2026-08-31", "2026-08-30", "2026-09-25", "2026-09-25"])))
    assert result.metrics["stale_share"].value == pytest.approx(0.2)
    assert result.evidence["deal_id"].tolist() == ["D2"]


def test_stale_pipeline_counts_deals_without_amounts():
    """No deal amounts: the share is by deal count (100 of 400 stale = 25%, bound 21%)."""
    result = stale_pipeline(make_data(deals=deals(
        100, amount=[None] * 4,
        last_activity_at=["2026-01-01", "2026-09-25", "2026-09-25", "2026-09-25"])))
    assert result.metrics["stale_share"].value == pytest.approx(0.25)
    assert result.status is Status.WARN


def test_stale_pipeline_pass_when_every_deal_is_closed():
    """No open deal at the period end: nothing is stale, 0% and PASS."""
    result = stale_pipeline(make_data(deals=deals(closed_at=["2026-08-01"] * 4)))
    assert result.metrics["stale_share"].value == 0.0
    assert result.metrics["open_deals"].value == 0
    assert result.status is Status.PASS


def deal_events(rows: list[tuple[str, str]]) -> pd.DataFrame:
    """A deal history (deal_events) from (deal_id, at) pairs."""
    return table("deal_events", deal_id=[d for d, _ in rows], at=[a for _, a in rows],
                 stage=["proposal"] * len(rows))


def test_stale_pipeline_counts_a_later_stage_change_as_activity():
    """D3's last logged activity is August, but its stage moved on 2026-09-20: not stale."""
    activity = ["2026-09-25", "2026-09-25", "2026-08-01", "2026-09-25"]
    result = stale_pipeline(make_data(
        deals=deals(last_activity_at=activity),
        deal_events=deal_events([("D3", "2026-06-01"), ("D3", "2026-09-20")])))
    assert result.metrics["stale_share"].value == 0.0
    assert result.status is Status.PASS


def test_stale_pipeline_ignores_events_after_the_period_and_older_ones():
    """An event after the period end, or older than the logged activity, changes nothing."""
    activity = ["2026-09-25", "2026-08-01", "2026-09-25", "2026-09-25"]
    result = stale_pipeline(make_data(
        deals=deals(last_activity_at=activity),
        deal_events=deal_events([("D2", "2026-10-05"), ("D1", "2026-07-01")])))
    assert result.metrics["stale_share"].value == pytest.approx(0.2)
    assert result.evidence["deal_id"].tolist() == ["D2"]
    assert result.evidence["last_activity_at"].tolist() == [pd.Timestamp("2026-08-01")]


def test_stale_pipeline_reads_activity_from_events_alone():
    """Deals without last_activity_at: the latest event is the activity, shown in evidence
    (the minimum evidence lowered to these four deals: 90% stale, whose 95% bound over 3.3
    effective deals, 37.9%, warns)."""
    frame = deals().drop(columns=["last_activity_at"])
    result = stale_pipeline(make_data(
        deals=frame, deal_events=deal_events([("D1", "2026-09-20"), ("D2", "2026-06-01"),
                                              ("D2", "2026-05-02")])), min_evidence=1)
    assert result.metrics["stale_share"].value == pytest.approx(0.9)
    assert result.status is Status.WARN
    assert result.evidence["deal_id"].tolist() == ["D4", "D3", "D2"]
    assert result.evidence["days_since_activity"].tolist()[2] == 121
    assert result.evidence["reason"].tolist() == ["no activity in 30 days"] * 3


def test_stale_pipeline_not_assessable_without_activity_or_close_dates():
    """Deals with neither last_activity_at nor close_date cannot be judged stale."""
    frame = table("deals", deal_id=["D1"], created_at=["2026-05-01"], stage=["proposal"])
    with pytest.raises(NotAssessable):
        stale_pipeline(make_data(deals=frame))
    assert run_check(stale_pipeline.spec, make_data(deals=frame)).status is Status.NOT_ASSESSABLE


def test_stale_pipeline_not_assessable_without_deals():
    """No deals table: NOT_ASSESSABLE naming the deals export."""
    result = run_check(stale_pipeline.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "deals" in result.data_request


# -- sales.crm_duplicates --------------------------------------------------------------------
def customers(n: int, **extra: list) -> pd.DataFrame:
    """``n`` distinct customers in shopify, then ``extra`` rows appended (same columns)."""
    base = dict(customer_id=[f"S{i}" for i in range(n)], system=["shopify"] * n,
                name=[f"Person {i}" for i in range(n)],
                email=[f"person{i}@example.com" for i in range(n)],
                phone=[f"555-020-{i:04d}" for i in range(n)], company=[None] * n)
    for column, values in extra.items():
        base[column] = base[column] + values
    return table("customers", **base)


def test_crm_duplicates_pass_when_all_distinct():
    """Ten distinct people: 0% duplicates, PASS, no evidence."""
    result = crm_duplicates(make_data(customers=customers(10)))
    assert result.metrics["duplicate_share"].value == 0.0
    assert result.status is Status.PASS
    assert result.evidence.empty


def test_crm_duplicates_warn_on_email_match_ignoring_case_and_spaces():
    """HubSpot records with the same emails typed differently: 80 of 1000 = 8% (bound 6.5%),
    WARN."""
    n = 80
    frame = customers(920, customer_id=[f"H{i}" for i in range(n)], system=["hubspot"] * n,
                      name=[f"P. {i}" for i in range(n)],
                      email=[f" Person{i}@Example.com " for i in range(n)], phone=[None] * n,
                      company=[None] * n)
    result = crm_duplicates(make_data(customers=frame))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.08)
    assert result.status is Status.WARN
    assert sorted(result.evidence["customer_id"])[:2] == ["H0", "H1"]
    assert len(result.evidence) == 160


def test_crm_duplicates_too_few_records_is_a_pass_that_says_so():
    """1 duplicate in 20 records: too few records to judge."""
    frame = customers(19, customer_id=["H1"], system=["hubspot"], name=["P. Zero"],
                      email=[" Person0@Example.com "], phone=[None], company=[None])
    result = crm_duplicates(make_data(customers=frame))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.05)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 20 customer records (at least 30 needed)"


def test_crm_duplicates_fail_on_phone_match_without_email():
    """No email: the last 10 phone digits identify the person; 150 of 1000 = 15% (bound
    12.9%), FAIL."""
    n = 150
    frame = customers(850, customer_id=[f"Q{i}" for i in range(n)], system=["quickbooks"] * n,
                      name=[f"Someone {i}" for i in range(n)], email=[None] * n,
                      phone=[f"+1 (555) 020-{i:04d}" for i in range(n)], company=[None] * n)
    frame.loc[:n - 1, "email"] = None
    result = crm_duplicates(make_data(customers=frame))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.15)
    assert result.status is Status.FAIL


def test_crm_duplicates_name_and_company_when_no_email_or_phone():
    """Without email or phone, lower(name)+lower(company) is the key; blanks stay distinct."""
    frame = table("customers", customer_id=["A", "B", "C", "D"], system=["x"] * 4,
                  name=["Ann Lee", "ann lee", "Ann Lee", None],
                  company=["Acme", "ACME", "Other", None])
    frame2 = pd.concat([frame, table("customers", customer_id=["E"], system=["x"])],
                       ignore_index=True)
    result = crm_duplicates(make_data(customers=frame2))
    assert result.metrics["duplicate_share"].value == pytest.approx(1 / 5)
    assert sorted(result.evidence["customer_id"]) == ["A", "B"]


def test_crm_duplicates_impact_is_five_minutes_per_duplicate():
    """Impact = duplicates × 5 minutes × hourly cost (45 / 60 / 85)."""
    frame = customers(9, customer_id=["Q1"], system=["quickbooks"], name=["X"],
                      email=["person1@example.com"], phone=[None], company=[None])
    result = crm_duplicates(make_data(customers=frame))
    assert impact_triple(result) == (3.75, 5.0, 7.08)


def test_crm_duplicates_not_assessable_without_customers():
    """No customers table: NOT_ASSESSABLE naming the customer export."""
    result = run_check(crm_duplicates.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "customers" in result.data_request


# -- cause charts ----------------------------------------------------------------------------
def test_missed_calls_chart_is_missed_share_by_hour_and_weekday():
    """Ten calls answered on Wednesday 09:00-13:30 and three missed on Monday 08:00-08:40:
    a 7 x 6 hour grid whose Monday 08:00 cell is the peak, 3 of 3 missed."""
    result = missed_calls(make_data(calls=calls(answered_calls(10)
                                                + missed_with_callbacks(3, None))))
    chart = result.chart
    assert (chart.kind, chart.x, chart.y, chart.z) == ("heatmap", "hour", "weekday",
                                                       "missed_share")
    assert len(chart.data) == 7 * 6
    cells = chart.data.set_index(["weekday", "hour"])
    assert cells.loc[("Mon", 8)].tolist() == [3, 3, 1.0]
    assert cells.loc[("Wed", 9)].tolist() == [2, 0, 0.0]
    assert cells.loc[("Tue", 9), "inbound_calls"] == 0
    assert pd.isna(cells.loc[("Tue", 9), "missed_share"])
    assert chart.note == ("Most missed calls fall on Mon at 08:00: 3 of 3 inbound calls "
                          "missed (100.0%), against 23.1% over the period.")


def test_missed_calls_chart_without_caller_numbers_still_drawn():
    """The call log without numbers keeps the hour x weekday chart (no callbacks needed)."""
    frame = calls(answered_calls(4) + missed_with_callbacks(2, None)).drop(
        columns=["from_number", "to_number"])
    chart = missed_calls(make_data(calls=frame)).chart
    assert chart.kind == "heatmap"
    assert chart.data["missed_calls"].sum() == 2
    assert chart.data["inbound_calls"].sum() == 6


def test_speed_to_lead_chart_is_the_hours_distribution_with_the_hour_mark():
    """45 leads answered after 90 minutes and 15 after 30: 60 values of 1.5 and 0.5 hours,
    marks at 1 and 24 hours, and a note counting the late ones."""
    result = speed_to_lead(make_data(leads=leads([90.0] * 45 + [30.0] * 15 + [None] * 2)))
    chart = result.chart
    assert (chart.kind, chart.x, chart.x_unit) == ("histogram", "response_hours", "hours")
    assert chart.data["response_hours"].value_counts().to_dict() == {1.5: 45, 0.5: 15}
    assert chart.marks == ((1.0, "warn 1 hour"), (24.0, "fail 24 hours"))
    assert chart.y_title == "answered leads"
    assert chart.note == ("45 of 60 answered leads waited more than 1 hour for a first "
                          "answer (75.0%); 2 leads never answered.")


def test_speed_to_lead_chart_keeps_two_hundred_quantiles_of_many_leads():
    """2,000 leads answered after 1..2,000 minutes: 200 quantile rows spread like the data
    (3% within the hour), and the count axis says each row stands for 10 leads."""
    chart = speed_to_lead(make_data(leads=leads([float(m) for m in range(1, 2001)]))).chart
    hours = chart.data["response_hours"]
    assert len(hours) == 200
    assert hours.iloc[0] == pytest.approx(0.1)
    assert hours.iloc[-1] == pytest.approx(33.25)
    assert (hours <= 1.0).sum() == 6
    assert chart.y_title == "answered leads (each row of the chart stands for 10.0)"


def test_speed_to_lead_chart_equal_thresholds_make_one_mark():
    """Warn and fail at the same 120 minutes draw one mark, not two labels on one line."""
    result = speed_to_lead(make_data(leads=leads([30.0] * 5)), warn=120, fail=120)
    assert result.chart.marks == ((2.0, "warn and fail 2 hours"),)


def test_stale_pipeline_chart_stacks_open_value_by_owner_and_state():
    """Ann holds D1 (active, 100) and D3 (idle, 300), Bob D2 (overdue, 200) and D4 (active,
    400): stacked value per owner and state, every cell present."""
    frame = deals(owner=["Ann", "Bob", "Ann", "Bob"],
                  last_activity_at=["2026-09-25", "2026-09-25", "2026-08-01", "2026-09-25"],
                  close_date=["2026-10-15", "2026-09-01", "2026-10-15", "2026-10-15"])
    chart = stale_pipeline(make_data(deals=frame)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "owner", "open_value",
                                                            "state")
    assert chart.y_unit == "$"
    assert chart.data.values.tolist() == [
        ["Bob", "active", 400.0], ["Bob", "no activity in 30 days", 0.0],
        ["Bob", "close date passed", 200.0],
        ["Ann", "active", 100.0], ["Ann", "no activity in 30 days", 300.0],
        ["Ann", "close date passed", 0.0]]
    assert chart.note == ("$500 of $1,000 open pipeline is stale (50.0%); Ann holds the most "
                          "($300).")


def test_crm_duplicates_chart_splits_records_by_system():
    """Person 0 twice in Shopify, person 1 in Shopify and HubSpot, eight people once: per
    system, records of people also elsewhere, repeated in one system, and recorded once."""
    frame = customers(10, customer_id=["S0b", "H1"], system=["shopify", "hubspot"],
                      name=["Person 0", "P. 1"],
                      email=["person0@example.com", " PERSON1@example.com"],
                      phone=[None, None], company=[None, None])
    chart = crm_duplicates(make_data(customers=frame)).chart
    assert (chart.kind, chart.x, chart.y, chart.series) == ("stacked", "system", "records",
                                                            "record")
    assert chart.data.values.tolist() == [
        ["shopify", "person also in another system", 1],
        ["shopify", "person repeated in one system", 2],
        ["shopify", "person recorded once", 8],
        ["hubspot", "person also in another system", 1],
        ["hubspot", "person repeated in one system", 0],
        ["hubspot", "person recorded once", 0]]
    assert chart.note == ("2 of 12 records are extra copies of a person (16.7%); 2 records "
                          "belong to people who also exist in another system, 2 to people "
                          "repeated inside one system.")


def test_crm_duplicates_chart_of_one_record():
    """A single customer record: one person, recorded once, and the note says so."""
    chart = crm_duplicates(make_data(customers=customers(1))).chart
    assert chart.data.values.tolist() == [
        ["shopify", "person also in another system", 0],
        ["shopify", "person repeated in one system", 0],
        ["shopify", "person recorded once", 1]]
    assert chart.note == "The one customer record is one person."


@given(st.lists(st.tuples(st.integers(2, 4), st.integers(0, 5),
                          st.sampled_from(["crm", "shop", "erp", None])), max_size=30))
def test_duplicate_evidence_order_is_the_three_column_sort(rows):
    """One stable sort of a combined integer orders the rows as the stable sort of
    (records descending, person key, system with a missing one last) does."""
    records = np.array([r for r, _, _ in rows], dtype=np.int64)
    keys = np.array([k for _, k, _ in rows], dtype=np.int64)
    systems = pd.Series([s for _, _, s in rows], dtype="str")
    expected = pd.DataFrame({"records": records, "key": keys, "system": systems}).sort_values(
        ["records", "key", "system"], ascending=[False, True, True]).index.to_numpy()
    assert _duplicate_evidence_order(systems, keys, records).tolist() == expected.tolist()


@given(st.lists(st.text(max_size=6), unique=True, max_size=30))
def test_sorted_rank_is_factorize_sorted(keys):
    """Arrow's rank of distinct strings is pandas' sorted factorization."""
    index = pd.Index(pd.Series(keys, dtype="str"))
    assert _sorted_rank(index).tolist() == pd.factorize(index, sort=True)[0].tolist()


EMAIL_TEXT = st.one_of(st.none(), st.text(
    alphabet=st.sampled_from("aZ@.-_ \t\n\u00a0\u2003ÉéẞßİK"), max_size=12))


@given(st.lists(EMAIL_TEXT, max_size=30), st.booleans())
def test_email_key_is_strip_lower_and_empty_as_missing(values, ascii_only):
    """The Arrow email key equals pandas' strip, lower and empty-as-missing, on ASCII text
    (the ASCII kernels) and on any text (the UTF-8 ones)."""
    if ascii_only:
        values = [v if v is None else v.encode("ascii", "ignore").decode() for v in values]
    emails = pd.Series(values, dtype="str")
    lowered = emails.str.strip().str.lower()
    pd.testing.assert_series_equal(_email_key(emails), lowered.where(lowered.str.len() > 0))
