"""Exact-value tests of the cash checks on small hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import DAYS, impact_triple, make_data

from opskit.checks.cash import (
    ar_over_90,
    close_lag,
    dso_vs_terms,
    duplicate_bills,
    manual_journals,
)
from opskit.findings import Status
from opskit.registry import CheckData, run_check


def invoice(invoice_id: str, issued_at: str, amount: float, due_at: str | None,
            paid_at: str | None = None, **extra) -> dict:
    return {"invoice_id": invoice_id, "issued_at": issued_at, "amount": amount,
            "due_at": due_at, "paid_at": paid_at, **extra}


# -- cash.dso_vs_terms ------------------------------------------------------------------

def dso_data(open_before_period: float, issued: int = 40) -> CheckData:
    """9200 invoiced in the period on net 30 (paid) over ``issued`` invoices, plus an older
    open invoice.

    DSO = open AR / 9200 × 92 days = open AR / 100, so excess days = open AR / 100 − 30.
    """
    return make_data(invoices=[
        *(invoice(f"I1-{k:02d}", "2026-07-01", 9200.0 / issued, "2026-07-31", "2026-08-15",
                  customer_id="C1") for k in range(issued)),
        invoice("I0", "2026-06-01", open_before_period, "2026-07-01", customer_id="C2")])


def test_dso_vs_terms_pass_below_warn():
    """DSO 35 on net 30 terms: 5 excess days pass."""
    result = dso_vs_terms(dso_data(3500.0))
    assert result.metrics["excess_days"].value == pytest.approx(5.0)
    assert result.metrics["dso_days"].value == pytest.approx(35.0)
    assert result.metrics["terms_days"].value == pytest.approx(30.0)
    assert result.status is Status.PASS


def test_dso_vs_terms_warn():
    """DSO 45 on net 30: 15 excess days warn; the past-due invoice is the evidence."""
    result = dso_vs_terms(dso_data(4500.0))
    assert result.metrics["excess_days"].value == pytest.approx(15.0)
    assert result.status is Status.WARN
    assert result.evidence["invoice_id"].tolist() == ["I0"]
    assert result.evidence_id == "invoice_id"
    assert result.evidence.loc[0, "days_past_due"] == 91


def test_dso_vs_terms_fail():
    """DSO 55 on net 30: 25 excess days fail."""
    result = dso_vs_terms(dso_data(5500.0))
    assert result.metrics["excess_days"].value == pytest.approx(25.0)
    assert result.status is Status.FAIL


def test_dso_vs_terms_too_few_invoices_is_a_pass_that_says_so():
    """The same 25 excess days on one invoice issued in the period: too few to judge."""
    result = dso_vs_terms(dso_data(5500.0, issued=1))
    assert result.metrics["excess_days"].value == pytest.approx(25.0)
    assert result.status is Status.PASS
    assert result.judgement == ("too few to judge: 1 invoices issued in the period (at least "
                                "30 needed)")


def test_dso_vs_terms_open_balance_rules():
    """Partly paid counts its remainder; paid after the end counts in full; paid is closed."""
    data = make_data(invoices=[
        invoice("I1", "2026-07-01", 9200.0, "2026-07-31", "2026-08-15"),
        invoice("PART", "2026-09-01", 1000.0, "2026-10-01", amount_paid=400.0),
        invoice("LATE", "2026-09-10", 500.0, "2026-10-10", "2026-10-05", amount_paid=500.0),
        invoice("FUTURE", "2026-10-02", 700.0, "2026-11-01")])
    result = dso_vs_terms(data)
    assert result.metrics["open_ar"].value == pytest.approx(600.0 + 500.0)
    assert result.metrics["invoiced"].value == pytest.approx(9200.0 + 1000.0 + 500.0)


def test_dso_vs_terms_weighted_terms():
    """Terms are weighted by amount: 1000 on net 30 and 3000 on net 60 give 52.5 days."""
    data = make_data(invoices=[
        invoice("A", "2026-07-01", 1000.0, "2026-07-31", "2026-07-20"),
        invoice("B", "2026-07-01", 3000.0, "2026-08-30", "2026-07-20")])
    result = dso_vs_terms(data)
    assert result.metrics["terms_days"].value == pytest.approx(52.5)
    assert result.metrics["excess_days"].value == pytest.approx(-52.5)
    assert result.status is Status.PASS


def test_dso_vs_terms_impact_is_cost_of_capital_on_excess_cash():
    """Impact = excess days × invoiced a day × cost of capital 6% / 10% / 15%."""
    result = dso_vs_terms(dso_data(4500.0))
    excess_cash = 15.0 * 9200.0 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(excess_cash * 0.06, 2), round(excess_cash * 0.10, 2),
         round(excess_cash * 0.15, 2)))


def test_dso_vs_terms_not_assessable_without_invoices():
    """Without the invoice list there is no DSO."""
    result = run_check(dso_vs_terms.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "invoices" in result.data_request


def test_dso_vs_terms_not_assessable_without_due_dates():
    """Invoices without due dates carry no terms to compare with."""
    data = make_data(invoices=[invoice("A", "2026-07-01", 100.0, None)])
    result = run_check(dso_vs_terms.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "due_at" in result.data_request


def test_dso_vs_terms_not_assessable_without_invoices_in_period():
    """Invoices only before the period: no invoiced amount to divide by."""
    data = make_data(invoices=[invoice("A", "2026-01-01", 100.0, "2026-01-31")])
    assert run_check(dso_vs_terms.spec, data).status is Status.NOT_ASSESSABLE


# -- cash.ar_over_90 --------------------------------------------------------------------

def aged_data(over_90: float, invoices: int = 1000) -> CheckData:
    """1000 open at the end in ``invoices`` equal invoices: ``over_90`` of it due on
    2026-07-01 (91 days; ids OLD-*), the rest due 09-01 (NEW-*); one invoice paid."""
    unit = 1000.0 / invoices
    old = round(over_90 / unit)
    return make_data(invoices=[
        *(invoice(f"OLD-{k:04d}", "2026-06-01", unit, "2026-07-01", customer_id="C1")
          for k in range(old)),
        *(invoice(f"NEW-{k:04d}", "2026-08-01", unit, "2026-09-01", customer_id="C2")
          for k in range(invoices - old)),
        invoice("PAID", "2026-03-01", 5000.0, "2026-04-01", "2026-05-01")])


def test_ar_over_90_pass_below_warn():
    """4% of open receivables over 90 days past due passes."""
    result = ar_over_90(aged_data(40.0))
    assert result.metrics["over_90_share"].value == pytest.approx(0.04, abs=1e-12)
    assert result.status is Status.PASS


def test_ar_over_90_warn():
    """8% over 90 days past due (a complete list of 1000 open invoices) warns; the old
    invoices are the evidence."""
    result = ar_over_90(aged_data(80.0))
    assert result.metrics["over_90_share"].value == pytest.approx(0.08, abs=1e-12)
    assert result.status is Status.WARN
    assert sorted(result.evidence["invoice_id"]) == [f"OLD-{k:04d}" for k in range(80)]
    assert result.evidence_id == "invoice_id"


def test_ar_over_90_too_few_open_invoices_is_a_pass_that_says_so():
    """25% over 90 days held by 2 of 8 open invoices: too few invoices for a verdict."""
    result = ar_over_90(aged_data(250.0, invoices=8))
    assert result.metrics["over_90_share"].value == pytest.approx(0.25, abs=1e-12)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 8 open invoices (at least 10 needed)"


def test_ar_over_90_fail():
    """25% over 90 days past due, over 100 open invoices, fails."""
    result = ar_over_90(aged_data(250.0, invoices=100))
    assert result.metrics["over_90_share"].value == pytest.approx(0.25, abs=1e-12)
    assert result.status is Status.FAIL


def test_ar_over_90_boundary_is_more_than_90_days():
    """Due exactly 90 days before the last day is not over 90; 91 days is."""
    data = make_data(invoices=[
        invoice("D90", "2026-06-01", 100.0, "2026-07-02"),
        invoice("D91", "2026-06-01", 300.0, "2026-07-01")])
    result = ar_over_90(data)
    assert result.metrics["over_90_share"].value == pytest.approx(0.75)
    assert result.evidence["invoice_id"].tolist() == ["D91"]


def test_ar_over_90_impact_is_expected_loss_on_the_bucket():
    """Impact = the bucket × 20% / 40% / 60%, not scaled to a year (it is a balance)."""
    result = ar_over_90(aged_data(250.0))
    assert impact_triple(result) == pytest.approx((50.0, 100.0, 150.0))


def test_ar_over_90_nothing_open_passes_at_zero():
    """No open receivables: the over-90 share is 0 and the check passes."""
    data = make_data(invoices=[invoice("PAID", "2026-03-01", 10.0, "2026-04-01",
                                       "2026-05-01")])
    result = ar_over_90(data)
    assert result.metrics["over_90_share"].value == 0.0 and result.status is Status.PASS


def test_ar_over_90_not_assessable_without_invoices():
    """Without the invoice list there is no ageing."""
    result = run_check(ar_over_90.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE


# -- cash.duplicate_bills ---------------------------------------------------------------

def bill(bill_id: str, vendor: str, issued_at: str, amount: float,
         reference: str | None = None) -> dict:
    return {"bill_id": bill_id, "vendor": vendor, "issued_at": issued_at, "amount": amount,
            "reference": reference}


def duplicated_data(duplicate: float, fillers: int = 20) -> CheckData:
    """100,000 of bills in the period; one bill of ``duplicate`` is keyed twice; the rest
    is ``fillers`` bills of distinct vendors."""
    rest = (100_000.0 - 2 * duplicate) / fillers
    return make_data(bills=[
        *(bill(f"B1-{k:02d}", f"Supplier {k}", "2026-07-05", rest, f"PO-{k}")
          for k in range(fillers)),
        bill("B2", "Acme Corp", "2026-08-01", duplicate, "INV-001"),
        bill("B3", " acme corp", "2026-08-20", duplicate, "inv 001")])


def test_duplicate_bills_pass_below_warn():
    """A 40 duplicate in 100,000 of bills (0.04%) passes."""
    result = duplicate_bills(duplicated_data(40.0))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.0004, abs=1e-15)
    assert result.status is Status.PASS


def test_duplicate_bills_warn_matches_normalized_vendor_and_reference():
    """'INV-001' and 'inv 001' from 'Acme Corp' and ' acme corp' are one bill keyed twice."""
    result = duplicate_bills(duplicated_data(50.0))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.0005, abs=1e-15)
    assert result.status is Status.WARN
    evidence = result.evidence
    assert evidence["bill_id"].tolist() == ["B3"] and result.evidence_id == "bill_id"
    assert evidence.loc[0, "duplicate_of"] == "B2"
    assert evidence.loc[0, "days_apart"] == pytest.approx(19.0)


def test_duplicate_bills_fail():
    """A 100 duplicate in 100,000 of bills (0.1%) fails."""
    result = duplicate_bills(duplicated_data(100.0))
    assert result.metrics["duplicate_share"].value == pytest.approx(0.001, abs=1e-15)
    assert result.status is Status.FAIL


def test_duplicate_bills_matching_rules():
    """Different references, other amounts and gaps over 60 days are not duplicates."""
    data = make_data(bills=[
        bill("ORIG", "V", "2026-05-20", 10.0, "R1"),        # before the period, original
        bill("DUP60", "V", "2026-07-19", 10.0, None),       # 60 days later, no reference
        bill("OTHERREF", "V", "2026-07-20", 10.0, "R2"),     # matches DUP60 (its ref empty)
        bill("FAR", "W", "2026-07-01", 20.0, "X"),
        bill("FAR2", "W", "2026-08-31", 20.0, "X"),         # 61 days later: not suspected
        bill("RENT7", "Landlord", "2026-07-01", 30.0, "JUL"),
        bill("RENT8", "Landlord", "2026-08-01", 30.0, "AUG"),  # different references
        bill("CENTS", "V", "2026-07-25", 10.01, None)])      # a different amount
    result = duplicate_bills(data)
    assert sorted(result.evidence["bill_id"].tolist()) == ["DUP60", "OTHERREF"]
    pairs = dict(zip(result.evidence["bill_id"], result.evidence["duplicate_of"], strict=True))
    assert pairs == {"DUP60": "ORIG", "OTHERREF": "DUP60"}
    billed = 10 + 10 + 20 + 20 + 30 + 30 + 10.01
    assert result.metrics["duplicate_share"].value == pytest.approx(20.0 / billed)


def test_duplicate_bills_same_day_pair_counts_once_and_triples_count_twice():
    """Same-day copies count, the first in the file is the original; 3 copies are 2 extra."""
    data = make_data(bills=[
        bill("A", "V", "2026-08-01", 100.0, "R"), bill("B", "V", "2026-08-01", 100.0, "R"),
        bill("C", "V", "2026-08-03", 100.0, "R"), bill("BIG", "Z", "2026-08-01", 700.0)])
    result = duplicate_bills(data)
    assert result.evidence["bill_id"].tolist() == ["B", "C"]
    assert result.metrics["duplicate_share"].value == pytest.approx(0.2)


def test_duplicate_bills_impact_scales_found_duplicates():
    """Impact = duplicates a year × 1 / 1.2 / 1.5."""
    result = duplicate_bills(duplicated_data(100.0))
    yearly = 100.0 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(yearly, 2), round(yearly * 1.2, 2), round(yearly * 1.5, 2)))


def test_duplicate_bills_not_assessable_without_bills():
    """Without the bills export there is nothing to scan."""
    result = run_check(duplicate_bills.spec, make_data())
    assert result.status is Status.NOT_ASSESSABLE
    assert "bills" in result.data_request


def test_duplicate_bills_not_assessable_without_bills_in_period():
    """Bills only outside the period: not assessable."""
    data = make_data(bills=[bill("A", "V", "2026-01-01", 10.0)])
    assert run_check(duplicate_bills.spec, data).status is Status.NOT_ASSESSABLE


# -- cash.close_lag ---------------------------------------------------------------------

def closing_data(jul: str, aug: str, sep: str) -> CheckData:
    """Entries posted in Jul, Aug and Sep, the last of each keyed on the given date."""
    rows = []
    for posted, last in (("2026-07-15", jul), ("2026-08-15", aug), ("2026-09-15", sep)):
        rows.append({"posted_at": posted, "account": "Cash", "amount": 1.0,
                     "entered_at": posted})
        rows.append({"posted_at": posted, "account": "Cash", "amount": 1.0,
                     "entered_at": last})
    rows.append({"posted_at": "2026-06-30", "account": "Cash", "amount": 1.0,
                 "entered_at": "2026-12-31"})
    return make_data(gl_entries=rows)


def test_close_lag_pass_below_warn():
    """Lags of 5, 6 and 9 days: the median 6 passes; June is outside the period."""
    result = close_lag(closing_data("2026-08-05", "2026-09-06", "2026-10-09"))
    assert result.metrics["close_lag_days"].value == pytest.approx(6.0)
    assert result.metrics["months"].value == 3
    assert result.status is Status.PASS


def test_close_lag_warn_lists_slow_months():
    """Lags of 8, 12 and 20.5 days: the median 12 warns; Aug and Sep are the evidence."""
    result = close_lag(closing_data("2026-08-08", "2026-09-12", "2026-10-20 12:00"))
    assert result.metrics["close_lag_days"].value == pytest.approx(12.0)
    assert result.metrics["worst_close_lag_days"].value == pytest.approx(20.5)
    assert result.status is Status.WARN
    assert result.evidence["month"].tolist() == ["2026-09", "2026-08"]
    assert result.evidence_id == "month"


def test_close_lag_fail():
    """Lags of 16, 15 and 30 days: the median 16 fails."""
    result = close_lag(closing_data("2026-08-16", "2026-09-15", "2026-10-30"))
    assert result.metrics["close_lag_days"].value == pytest.approx(16.0)
    assert result.status is Status.FAIL


def test_close_lag_impact_prices_days_beyond_six():
    """Impact = Σ days beyond 6 × 4 hours × hourly 45 / 60 / 85, scaled to a year."""
    result = close_lag(closing_data("2026-08-08", "2026-09-12", "2026-10-20"))
    hours = (2 + 6 + 14) * 4 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(hours * 45, 2), round(hours * 60, 2), round(hours * 85, 2)))


def test_close_lag_not_assessable_without_entry_dates():
    """Without entered_at the ledger cannot say when a month was closed."""
    data = make_data(gl_entries=[{"posted_at": "2026-07-15", "account": "Cash",
                                  "amount": 1.0, "entered_at": None}])
    result = run_check(close_lag.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "entered_at" in result.data_request


def test_close_lag_not_assessable_without_a_month_end_in_period():
    """A period inside one month has no close to measure."""
    data = make_data("2026-07-05", "2026-07-20", gl_entries=[
        {"posted_at": "2026-07-15", "account": "Cash", "amount": 1.0,
         "entered_at": "2026-08-20"}])
    assert run_check(close_lag.spec, data).status is Status.NOT_ASSESSABLE


# -- cash.manual_journals ---------------------------------------------------------------

def ledger(n_manual: int, n_lines: int = 10) -> CheckData:
    """``n_lines`` ledger lines in August, the first ``n_manual`` of them manual, plus one in
    June; odd lines are Shopify sales, even lines the COGS journal."""
    rows = [{"posted_at": "2026-08-31", "account": "Sales" if i % 2 else "COGS",
             "amount": 100.0 + i, "source": "manual" if i < n_manual else "system",
             "memo": "Shopify sales" if i % 2 else "COGS journal", "entry_id": f"JE{i}"}
            for i in range(n_lines)]
    rows.append({"posted_at": "2026-06-30", "account": "Sales", "amount": 1.0,
                 "source": "manual", "memo": "old", "entry_id": "JE-OLD"})
    return make_data(gl_entries=rows)


def test_manual_journals_pass_below_warn():
    """1 manual line in 10 passes; June's manual line is outside the period."""
    result = manual_journals(ledger(1))
    assert result.metrics["manual_share"].value == pytest.approx(0.1)
    assert result.status is Status.PASS


def test_manual_journals_warn_lists_manual_lines_by_entry_id():
    """300 manual lines in 1000 (30%, bound 27.2%) warn; the evidence lists them by journal
    entry id, the biggest amounts of the equally recurring memos first."""
    result = manual_journals(ledger(300, 1000))
    assert result.metrics["manual_share"].value == pytest.approx(0.3)
    assert result.status is Status.WARN
    assert result.evidence_id == "entry_id" and result.evidence.columns[0] == "entry_id"
    assert result.evidence["entry_id"].tolist()[:2] == ["JE299", "JE298"]
    assert len(result.evidence) == 300


def test_manual_journals_too_few_lines_is_a_pass_that_says_so():
    """2 manual lines in 10: too few ledger lines to judge."""
    result = manual_journals(ledger(2))
    assert result.metrics["manual_share"].value == pytest.approx(0.2)
    assert result.status is Status.PASS
    assert result.judgement == "too few to judge: 10 ledger lines (at least 50 needed)"


def test_manual_journals_fail_recurring_memos_first():
    """5 manual lines in 10 fail (minimum evidence 10 here); the account and memo that
    recur most lead the evidence."""
    result = manual_journals(ledger(5), min_evidence=10, warn=0.05, fail=0.1)
    assert result.metrics["manual_share"].value == pytest.approx(0.5)
    assert result.status is Status.FAIL
    assert result.evidence["entry_id"].tolist() == ["JE4", "JE2", "JE0", "JE3", "JE1"]
    assert result.evidence["recurring_lines"].tolist() == [3, 3, 3, 2, 2]


def test_manual_journals_without_entry_ids_cites_accounts():
    """A ledger without journal entry ids is evidenced by account."""
    data = make_data(gl_entries=[
        {"posted_at": "2026-08-01", "account": "A", "amount": 5.0, "source": "manual"},
        {"posted_at": "2026-08-01", "account": "B", "amount": 5.0, "source": "system"}])
    result = manual_journals(data)
    assert result.evidence_id == "account"
    assert result.evidence["account"].tolist() == ["A"]
    assert list(result.evidence.columns).count("account") == 1


def test_manual_journals_unknown_source_counts_in_denominator_and_amount_share():
    """Lines with no source count as lines; the amount share weighs by |amount|."""
    data = make_data(gl_entries=[
        {"posted_at": "2026-08-01", "account": "A", "amount": -300.0, "source": "manual"},
        {"posted_at": "2026-08-01", "account": "B", "amount": 100.0, "source": None},
        {"posted_at": "2026-08-01", "account": "C", "amount": 600.0, "source": "system"}])
    result = manual_journals(data)
    assert result.metrics["manual_share"].value == pytest.approx(1 / 3)
    assert result.metrics["manual_amount_share"].value == pytest.approx(0.3)


def test_manual_journals_impact_is_minutes_times_hourly():
    """Impact = manual lines a year × 3 minutes × hourly 45 / 60 / 85."""
    result = manual_journals(ledger(5))
    hours = 5 * 3 / 60 * 365 / DAYS
    assert impact_triple(result) == pytest.approx(
        (round(hours * 45, 2), round(hours * 60, 2), round(hours * 85, 2)))


def test_manual_journals_not_assessable_without_source():
    """A ledger export without the source column cannot tell manual from system."""
    data = make_data(gl_entries=[{"posted_at": "2026-08-01", "account": "A",
                                  "amount": 1.0}])
    result = run_check(manual_journals.spec, data)
    assert result.status is Status.NOT_ASSESSABLE
    assert "source" in result.data_request


def test_manual_journals_not_assessable_without_entries_in_period():
    """A ledger that does not cover the period is not assessable."""
    data = make_data(gl_entries=[{"posted_at": "2026-01-01", "account": "A", "amount": 1.0,
                                  "source": "manual"}])
    assert run_check(manual_journals.spec, data).status is Status.NOT_ASSESSABLE


# -- cause charts ----------------------------------------------------------------------------

def test_dso_chart_is_open_receivables_by_days_past_due():
    """The only open invoice, $4,000 due 1 July, is more than 90 days past due."""
    chart = dso_vs_terms(dso_data(4000.0)).chart
    assert (chart.kind, chart.x, chart.y, chart.y_unit) == ("bars", "aging", "open_balance", "$")
    assert chart.data.values.tolist() == [
        ["not yet due", 0.0, 0], ["1–30 days past due", 0.0, 0],
        ["31–60 days past due", 0.0, 0], ["61–90 days past due", 0.0, 0],
        ["over 90 days past due", 4000.0, 1]]
    assert chart.note == ("DSO is 40 days against terms of 30: $4,000 of the $4,000 open at "
                          "the period end is past due.")


def test_ar_chart_stacks_each_customer_by_aging_bucket():
    """C1 owes $60 due 1 July (over 90 days), C2 $940 due 1 September (29 days)."""
    chart = ar_over_90(aged_data(60.0, invoices=100)).chart
    assert (chart.kind, chart.x, chart.series, len(chart.data)) == (
        "stacked", "customer", "aging", 10)
    owed = chart.data[chart.data["open_balance"] > 0]
    assert [[c, a, round(v, 2)] for c, a, v in owed.values.tolist()] == [
        ["C1", "over 90 days past due", 60.0], ["C2", "1–30 days past due", 940.0]]
    assert chart.note == ("$60 is more than 90 days past due, 6.0% of open receivables; the 2 "
                          "customers drawn owe $60 of it, C1 the most ($60).")


def test_duplicate_chart_sets_suspected_duplicates_apart_by_week():
    """The second Acme bill (20 August) is the duplicate; the first (1 August) is not."""
    chart = duplicate_bills(duplicated_data(40.0)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("stacked", "bills", "$")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-06-29"), "suspected duplicates", 0.0],
        [pd.Timestamp("2026-06-29"), "other bills", 99920.0],
        [pd.Timestamp("2026-07-27"), "suspected duplicates", 0.0],
        [pd.Timestamp("2026-07-27"), "other bills", 40.0],
        [pd.Timestamp("2026-08-17"), "suspected duplicates", 40.0],
        [pd.Timestamp("2026-08-17"), "other bills", 0.0]]
    assert chart.note == ("1 suspected duplicate bill worth $40, 0.04% of the $100,000 billed; "
                          "most with acme corp ($40).")


def test_close_chart_splits_each_month_at_the_target():
    """Closes of 5, 6 and 9 days: September runs 3 days beyond the 6-day target."""
    chart = close_lag(closing_data("2026-08-05", "2026-09-06", "2026-10-09")).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("stacked", "close", "days")
    assert chart.data.values.tolist() == [
        ["2026-07", "within 6 days", 5.0], ["2026-08", "within 6 days", 6.0],
        ["2026-09", "within 6 days", 6.0], ["2026-07", "beyond 6 days", 0.0],
        ["2026-08", "beyond 6 days", 0.0], ["2026-09", "beyond 6 days", 3.0]]
    assert chart.marks == ((10.0, "warn"), (15.0, "fail"))
    assert chart.note == ("The books close a median 6.0 days after month end (a good close "
                          "takes 6); the slowest month is 2026-09 at 9.0 days.")


def test_manual_chart_is_the_share_of_lines_by_source_and_week():
    """3 of 10 August lines are manual, 7 from the system; June's line is outside."""
    chart = manual_journals(ledger(3)).chart
    assert (chart.kind, chart.series, chart.y_unit) == ("stacked", "source", "share")
    assert chart.data.values.tolist() == [
        [pd.Timestamp("2026-08-31"), "manual", 0.3, 3],
        [pd.Timestamp("2026-08-31"), "system", 0.7, 7]]
    assert chart.marks == ((0.2, "warn"), (0.4, "fail"))
    assert chart.note == ("30.0% of ledger lines are keyed by hand (29.0% of the amount); the "
                          "biggest other source is system.")
