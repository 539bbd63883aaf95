"""Hat 2, accounting and cash: is cash collected, paid and booked on time, once, by systems?

"Cash is tight" and "accounting needs another person" are usually routines, not people:
invoices nobody chases, the same bill keyed twice, a close that waits for hand-typed
journals. Receivable checks share one reading of the invoice list (``open_invoices``) so
that DSO and the 90-day bucket always describe the same open balance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts import count_table, marks, time_bucket
from opskit.checks._common import (
    annual,
    hourly_cost,
    judge,
    judge_count,
    judge_rate,
    ratio,
    share,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check
from opskit.sources.parse import deadline_day
from opskit.tables import TABLES

DSO_STORY = Story("Cash is tight.",
                  "Customers pay later than their terms: invoices go out late and nobody "
                  "chases them.")
AR_90_STORY = Story("Customers are slow.",
                    "There is no collection routine: balances sit more than 90 days past due.")
DUPLICATE_BILLS_STORY = Story("AP is busy.",
                              "The same bill arrives by email and by post and is keyed twice.")
CLOSE_LAG_STORY = Story("Reports are always late.",
                        "Reconciliation is manual: entries for a month are still keyed weeks "
                        "after it ends.")
MANUAL_JOURNALS_STORY = Story("Accounting needs another person.",
                              "Systems do not post to the ledger: people type the entries by "
                              "hand.")


def window_words(data: CheckData) -> str:
    """The period in the words of a data request: '2026-07-01 to 2026-09-30'."""
    return f"{data.period.start.date()} to {data.period.end.date()}"


def request(data: CheckData, table: str, what: str) -> str:
    """A data request in the client's words: which export, which columns, which period."""
    return f"Send {TABLES[table].source_hint} ({what}) covering {window_words(data)}."


# -- receivables ------------------------------------------------------------------------

def open_invoices(data: CheckData) -> pd.DataFrame:
    """Invoices open at the period end, with their ``open_balance`` (> 0 only) and
    ``days_past_due``: whole days from the due date to the period's last day.

    Issued on or before the last day and not paid by then (paid_at empty or after the last
    day). Open balance = amount − amount_paid while unpaid (a missing amount_paid counts
    zero); an invoice paid after the period end was wholly open at the end, so it counts its
    full amount. Overpayments do not make a balance negative.
    """
    end = data.period.end_exclusive
    invoices = data["invoices"]
    issued = invoices[invoices["issued_at"] < end]
    paid_at = issued["paid_at"] if "paid_at" in issued else pd.Series(
        pd.NaT, index=issued.index, dtype="datetime64[us]")
    paid = issued["amount_paid"].fillna(0.0) if "amount_paid" in issued else 0.0
    paid_after_end = paid_at.notna() & (paid_at >= end)
    balance = (issued["amount"] - paid).where(~paid_after_end, issued["amount"]).clip(lower=0)
    still_open = paid_at.isna() | paid_after_end
    open_ = issued.assign(open_balance=balance)[still_open & (balance > 0)]
    return open_.assign(days_past_due=(data.period.end - deadline_day(open_["due_at"])).dt.days
                        if "due_at" in open_ else np.nan)


def invoice_evidence(invoices: pd.DataFrame, worst_first: list[str]) -> pd.DataFrame:
    """Open invoices as evidence: invoice id first, sorted descending by ``worst_first``."""
    columns = [c for c in ("invoice_id", "customer_id", "issued_at", "due_at",
                           "days_past_due", "amount", "open_balance", "order_id")
               if c in invoices]
    ordered = invoices.sort_values([*worst_first, "invoice_id"],
                                   ascending=[False] * len(worst_first) + [True])
    return ordered[columns].round({"open_balance": 2}).reset_index(drop=True)


AGING = ("not yet due", "1–30 days past due", "31–60 days past due", "61–90 days past due",
         "over 90 days past due", "no due date")


def over_90_mask(data: CheckData, open_: pd.DataFrame) -> pd.Series:
    """Open invoices more than 90 days past due at the period end (as cash.ar_over_90)."""
    return open_["due_at"] < data.period.end - pd.Timedelta(days=90)


def aging(data: CheckData, open_: pd.DataFrame) -> pd.Series:
    """The aging bucket (``AGING``) of each open invoice at the period end."""
    days = open_["days_past_due"].to_numpy(dtype=float)
    bucket = np.select([over_90_mask(data, open_).to_numpy(dtype=bool), np.isnan(days),
                        days > 60, days > 30, days > 0], list(AGING[4:]) + list(AGING[1:4][::-1]),
                       default=AGING[0])
    return pd.Series(bucket, index=open_.index)


def aging_frame(data: CheckData, open_: pd.DataFrame) -> pd.DataFrame:
    """Open balance and invoices per aging bucket, every bucket listed ('no due date' only
    when some invoice has none)."""
    grouped = open_["open_balance"].groupby(aging(data, open_))
    frame = pd.DataFrame({"open_balance": grouped.sum(), "invoices": grouped.size()})
    buckets = [b for b in AGING if b != "no due date" or b in frame.index]
    frame = frame.reindex(buckets, fill_value=0).rename_axis("aging").reset_index()
    return frame.assign(invoices=frame["invoices"].astype("int64"))


@check("cash.dso_vs_terms", area="cash",
       title="Customers pay later than their terms",
       needs={"invoices": ["invoice_id", "issued_at", "amount", "due_at"]},
       proof_metric="excess_days")
def dso_vs_terms(
    data: CheckData,
    *,
    warn: float = Param(10.0, -365.0, 365.0, 1.0, "Days of DSO beyond the terms that warn."),
    fail: float = Param(20.0, -365.0, 365.0, 1.0, "Days of DSO beyond the terms that fail."),
    min_evidence: float = Param(30, 1, 100_000, 1, "Invoices issued in the period needed to "
                                "judge.", unit="invoices"),
) -> Result:
    """Customers pay later than their terms.

    Question: do customers pay later than the terms?

    Metric: ``excess_days`` = DSO − weighted terms. DSO = receivables open at the period end
    ÷ amount invoiced in the period × days in the period; weighted terms = the
    amount-weighted mean of (due_at − issued_at) in days over invoices issued in the period.
    Open receivables are read as ``open_invoices`` describes.

    Threshold: warn 10, fail 20 excess days (judgement thresholds). For reference the median
    DSO of US B2B firms under $200M revenue is about 39 days (Growfin 2025), but the
    client's own terms are the yardstick here.

    Impact: excess days × daily invoiced amount is cash lent to customers; its yearly cost
    is that balance × the cost of capital (engagement assumption, 6% / 10% / 15%).

    Population: invoices issued in the period (terms, amount invoiced) and invoices open at
    its end (receivables).
    Time basis: local dates; a date-only due date is the end of that day.
    Minimum evidence: ``min_evidence`` (30) invoices issued in the period; DSO is a ratio of
    balances with no binomial interval, so below the minimum it is "too few to judge".
    Base: cash lent to customers × cost of capital.
    """
    invoices = data["invoices"]
    issued = invoices[data.period.contains(invoices["issued_at"])]
    invoiced = float(issued["amount"].sum())
    with_terms = issued[issued["due_at"].notna()]
    terms_weight = float(with_terms["amount"].sum())
    if invoiced <= 0 or terms_weight <= 0:
        raise NotAssessable(request(data, "invoices", "invoice_id, issued_at, amount, due_at, "
                                    "paid_at, amount_paid"))
    terms = (deadline_day(with_terms["due_at"]) - with_terms["issued_at"]
             ).dt.total_seconds() / 86400
    weighted_terms = float((terms * with_terms["amount"]).sum()) / terms_weight
    open_ = open_invoices(data)
    open_ar = float(open_["open_balance"].sum())
    dso = open_ar / invoiced * data.period.days
    excess_days = dso - weighted_terms

    daily_invoiced = invoiced / data.period.days
    excess_cash = max(excess_days, 0.0) * daily_invoiced
    assumption = data.assumptions.get("cost_of_capital")
    rates = assumption.triple() if assumption else (0.06, 0.10, 0.15)
    impact = Impact(*(excess_cash * r for r in rates),
                    formula=f"{max(excess_days, 0.0):,.1f} excess days × "
                            f"{money(daily_invoiced)} invoiced a day = {money(excess_cash)} "
                            "lent to customers, × cost of capital a year",
                    assumptions={"cost of capital": " / ".join(f"{r:.0%}" for r in rates)})
    past_due = open_[open_["days_past_due"] > 0]
    status, why = judge(excess_days, warn, fail), ""
    if len(issued) < min_evidence and status.flagged:
        status, why = Status.PASS, (f"too few to judge: {len(issued):,} invoices issued in "
                                    f"the period (at least {int(min_evidence):,} needed)")
    return Result(
        status=status, judgement=why,
        metrics={"excess_days": Metric(excess_days, "days", "DSO − weighted terms"),
                 "dso_days": Metric(dso, "days", "open receivables ÷ invoiced × days"),
                 "terms_days": Metric(weighted_terms, "days", "amount-weighted terms"),
                 "open_ar": Metric(open_ar, "$", "receivables open at the period end"),
                 "invoiced": Metric(invoiced, "$", "invoiced in the period")},
        evidence=invoice_evidence(past_due, ["days_past_due", "open_balance"]),
        evidence_id="invoice_id",
        impact=impact, story=DSO_STORY,
        chart=dso_chart(data, open_, dso, weighted_terms))


def dso_chart(data: CheckData, open_: pd.DataFrame, dso: float, terms: float) -> CauseChart:
    """Receivables open at the period end by how late they are: the cash lent to customers
    beyond their terms is the past-due part."""
    frame = aging_frame(data, open_)
    past_due = float(frame.loc[~frame["aging"].isin(["not yet due", "no due date"]),
                               "open_balance"].sum())
    note = (f"DSO is {dso:.0f} days against terms of {terms:.0f}: {money(past_due)} of the "
            f"{money(float(frame['open_balance'].sum()))} open at the period end is past due.")
    return CauseChart("bars", frame, x="aging", y="open_balance",
                      title="Open receivables by days past due",
                      x_title="days past due at the period end", y_title="open balance",
                      y_unit="$", note=note)


@check("cash.ar_over_90", area="cash",
       title="Receivables are more than 90 days overdue",
       needs={"invoices": ["invoice_id", "issued_at", "amount", "due_at"]},
       proof_metric="over_90_share")
def ar_over_90(
    data: CheckData,
    *,
    warn: float = Param(0.05, 0.0, 1.0, 0.01, "Share of open receivables over 90 days past "
                        "due that warns."),
    fail: float = Param(0.10, 0.0, 1.0, 0.01, "Share of open receivables over 90 days past "
                        "due that fails."),
    expected_loss: float = Param(0.40, 0.0, 1.0, 0.05, "Share of the over-90 bucket that "
                                 "will never be collected.", low=0.20, high=0.60, unit="share"),
    min_evidence: float = Param(10, 1, 100_000, 1, "Open invoices at the period end needed "
                                "to judge.", unit="invoices"),
) -> Result:
    """Receivables are more than 90 days overdue.

    Question: how much receivable is over 90 days late?

    Metric: ``over_90_share`` = open balance at the period end of invoices due before the
    period end minus 90 days ÷ open receivables at the period end (see ``open_invoices``).
    No open receivables measures 0.

    Threshold: warn 5%, fail 10% (judgement thresholds; no public benchmark).

    Impact: the over-90 bucket × expected loss 20% / 40% / 60% (low / base / high). The
    bucket is a balance, not a flow, so it is not scaled to a year.

    Population: invoices open at the period end.
    Time basis: days past due at the end of the period's last day; a date-only due date is
    the end of that day.
    Minimum evidence: ``min_evidence`` (10) open invoices. The open invoices at the period
    end are a complete list (a census of a stock, not a sample of a flow), so from the
    minimum on the share is judged as counted (``judge_count``).
    Base: the over-90 balance itself (a stock, not annualized).
    """
    open_ = open_invoices(data)
    open_ar = float(open_["open_balance"].sum())
    cutoff = data.period.end - pd.Timedelta(days=90)
    over_90 = open_[open_["due_at"] < cutoff]
    bucket = float(over_90["open_balance"].sum())
    over_90_share = ratio(bucket, open_ar)

    losses = ar_over_90.spec.params["expected_loss"].spread(expected_loss)
    impact = Impact(*(bucket * loss for loss in losses),
                    formula=f"{money(bucket)} more than 90 days past due × expected loss",
                    assumptions={"expected loss": " / ".join(f"{x:.0%}" for x in losses)})
    evidence = invoice_evidence(over_90, ["open_balance", "days_past_due"])
    status, why = judge_count(over_90_share, warn, fail, len(open_),
                              min_evidence=int(min_evidence), noun="open invoices")
    records = pd.Series(over_90["open_balance"].to_numpy() * losses[1],
                        index=over_90["invoice_id"].to_numpy(), name="invoice_id")
    impact = Impact(impact.low, impact.base, impact.high, formula=impact.formula,
                    assumptions=impact.assumptions, records=records)
    return Result(
        status=status, judgement=why,
        metrics={"over_90_share": share(over_90_share, "open balance over 90 days past due ÷ "
                                                       "open receivables"),
                 "over_90_balance": Metric(bucket, "$", "open balance over 90 days past due"),
                 "open_ar": Metric(open_ar, "$", "receivables open at the period end"),
                 "over_90_invoices": Metric(len(over_90), "count", "invoices over 90 days "
                                                                   "past due")},
        evidence=evidence, evidence_id="invoice_id", impact=impact, story=AR_90_STORY,
        chart=ar_chart(data, open_, over_90_share, warn, fail))


TOP_CUSTOMERS = 10


def ar_chart(data: CheckData, open_: pd.DataFrame, over_90_share: float, warn: float,
             fail: float) -> CauseChart:
    """Open receivables of the ten customers with most over 90 days past due, by aging
    bucket: a few customers nobody chases, or a collection routine missing for all. Without
    customer ids, all receivables as one bar by bucket."""
    open_ = open_.assign(aging=aging(data, open_))
    over = open_["open_balance"].where(open_["aging"] == AGING[4], 0.0)
    by_customer = "customer_id" in open_ and open_["customer_id"].notna().any()
    if by_customer:
        customer = open_["customer_id"].astype("str").fillna("(no customer)")
        per = pd.DataFrame({"over": over, "open": open_["open_balance"]}).groupby(
            customer).sum().sort_values(["over", "open"], ascending=False, kind="stable")
        top = per.head(TOP_CUSTOMERS).index
        open_ = open_.assign(customer=customer)[customer.isin(top)]
    else:
        top = pd.Index(["all customers"])
        open_ = open_.assign(customer="all customers")
    table = open_.pivot_table(index="customer", columns="aging", values="open_balance",
                              aggfunc="sum", fill_value=0.0, observed=True)
    buckets = [b for b in AGING if b != "no due date" or b in table.columns]
    table = table.reindex(index=top, columns=buckets, fill_value=0.0)
    table.index.name, table.columns.name = "customer", "aging"
    frame = table.stack().rename("open_balance").reset_index()
    total_over = float(over.sum())
    shown = float(table[AGING[4]].sum())
    lead = (f"; the {len(top)} customers drawn owe {money(shown)} of it, "
            f"{table.index[0]} the most ({money(float(table[AGING[4]].iloc[0]))})"
            if by_customer and total_over > 0 else "")
    note = (f"{money(total_over)} is more than 90 days past due, {over_90_share:.1%} of open "
            f"receivables{lead}.")
    return CauseChart("stacked", frame, x="customer", y="open_balance", series="aging",
                      title="Open receivables of the customers most overdue, by days past due",
                      x_title="customer", y_title="open balance", y_unit="$", note=note)


# -- payables ---------------------------------------------------------------------------

def bill_keys(bills: pd.DataFrame) -> pd.DataFrame:
    """Bills in date order with the keys duplicates are matched on.

    vendor_key: vendor trimmed and case-folded; cents: amount in whole cents; ref_key: the
    reference with everything but letters and digits removed, lower case, empty as missing;
    order: position by issued_at, file order breaking ties (the first keyed is the original).
    """
    ordered = bills.sort_values("issued_at", kind="stable")
    reference = ordered["reference"] if "reference" in ordered else pd.Series(
        None, index=ordered.index, dtype="str")
    ref_key = reference.str.replace(r"[^0-9A-Za-z]", "", regex=True).str.lower()
    return ordered.assign(
        vendor_key=ordered["vendor"].str.strip().str.casefold(),
        cents=(ordered["amount"] * 100).round().astype("int64"),
        ref_key=ref_key.where(ref_key != ""),
        order=np.arange(len(ordered)))


def suspected_duplicates(data: CheckData, window_days: float) -> pd.DataFrame:
    """Bills of the period that repeat an earlier bill: one row per later bill.

    Same vendor and amount, issued at most ``window_days`` after the earlier bill, and the
    same normalized reference or one of the two references missing. Each later bill is
    paired with its closest earlier match.
    """
    bills = data["bills"]
    lookback = data.period.start - pd.Timedelta(days=window_days)
    recent = bills[(bills["issued_at"] >= lookback)
                   & (bills["issued_at"] < data.period.end_exclusive)
                   & bills["amount"].notna()]
    keyed = bill_keys(recent)
    pairs = keyed.merge(keyed, on=["vendor_key", "cents"], suffixes=("_original", ""))
    days_apart = (pairs["issued_at"] - pairs["issued_at_original"]).dt.total_seconds() / 86400
    same_reference = (pairs["ref_key"].isna() | pairs["ref_key_original"].isna()
                      | (pairs["ref_key"] == pairs["ref_key_original"]))
    duplicate = ((pairs["order_original"] < pairs["order"]) & (days_apart <= window_days)
                 & same_reference.fillna(False) & data.period.contains(pairs["issued_at"]))
    found = pairs[duplicate].assign(days_apart=days_apart[duplicate])
    found = found.sort_values(["order", "days_apart"]).drop_duplicates("order")
    return found.rename(columns={"bill_id_original": "duplicate_of",
                                 "issued_at_original": "duplicate_of_issued_at",
                                 "reference_original": "duplicate_of_reference"})


@check("cash.duplicate_bills", area="cash",
       title="The same bill gets paid twice",
       needs={"bills": ["bill_id", "vendor", "issued_at", "amount"]},
       proof_metric="duplicate_share")
def duplicate_bills(
    data: CheckData,
    *,
    warn: float = Param(0.0005, 0.0, 1.0, 0.0001, "Share of bill value that is a suspected "
                        "duplicate and warns."),
    fail: float = Param(0.001, 0.0, 1.0, 0.0001, "Share of bill value that is a suspected "
                        "duplicate and fails."),
    window_days: float = Param(60, 1, 365, 1, "Days within which the same vendor and amount "
                               "is a suspected duplicate.", unit="days"),
    recovery_multiplier: float = Param(1.2, 1.0, 5.0, 0.1, "Duplicates recoverable per dollar "
                                       "found (more exist than a ledger scan finds).",
                                       low=1.0, high=1.5, unit="ratio"),
    min_evidence: float = Param(5, 1, 100_000, 1, "Bills issued in the period needed to "
                                "judge.", unit="bills"),
) -> Result:
    """The same bill gets paid twice.

    Question: did we pay the same bill twice?

    Metric: ``duplicate_share`` = value of suspected duplicate bills issued in the period ÷
    value of all bills issued in the period. A bill is a suspected duplicate when an earlier
    bill (it may predate the period) has the same vendor and the same amount, was issued at
    most 60 days before, and has the same reference once spaces, punctuation and case are
    removed, or one of the two references is missing. Same-day pairs count; the first in
    the file is taken as the original.

    Threshold: warn 0.05%, fail 0.1% (judgement thresholds, set low because every duplicate
    is a direct loss).

    Impact: suspected duplicates a year × 1 / 1.2 / 1.5 (low / base / high): what was found
    is recoverable from the vendors, and more exist than a scan of the ledger finds.

    Population: bills issued in the period (an earlier bill up to ``window_days`` before
    may be the original).
    Time basis: issue dates, local.
    Minimum evidence: ``min_evidence`` (5) bills. A suspected duplicate is a record found,
    not an estimate from a sample, so above the minimum the share found is judged as is.
    Base: the duplicated dollars themselves (recoverable), a year.
    """
    bills = data["bills"]
    in_window = bills[data.period.contains(bills["issued_at"])]
    billed = float(in_window["amount"].sum())
    if billed <= 0:
        raise NotAssessable(request(data, "bills", "bill_id, vendor, issued_at, amount, "
                                    "reference"))
    duplicates = suspected_duplicates(data, window_days)
    duplicated = float(duplicates["amount"].sum())
    duplicate_share = ratio(duplicated, billed)

    multipliers = duplicate_bills.spec.params["recovery_multiplier"].spread(
        recovery_multiplier)
    duplicated_a_year = annual(data, duplicated)
    impact = Impact(*(duplicated_a_year * m for m in multipliers),
                    formula=f"{money(duplicated_a_year)} of suspected duplicates a year × "
                            "recovery multiplier",
                    assumptions={"recovery multiplier": " / ".join(
                        f"{m:g}" for m in multipliers)})
    columns = [c for c in ("bill_id", "vendor", "issued_at", "amount", "reference",
                           "duplicate_of", "duplicate_of_issued_at", "duplicate_of_reference",
                           "days_apart", "paid_at") if c in duplicates]
    evidence = duplicates.sort_values(["amount", "bill_id"], ascending=[False, True])[columns]
    status, why = judge(duplicate_share, warn, fail), ""
    if len(in_window) < min_evidence and status.flagged:
        status, why = Status.PASS, (f"too few to judge: {len(in_window):,} bills issued in the "
                                    f"period (at least {int(min_evidence):,} needed)")
    return Result(
        status=status, judgement=why,
        metrics={"duplicate_share": share(duplicate_share, "suspected duplicate $ ÷ billed $"),
                 "duplicate_amount": Metric(duplicated, "$", "suspected duplicate bills"),
                 "duplicate_bills": Metric(len(duplicates), "count", "suspected duplicates"),
                 "billed": Metric(billed, "$", "bills issued in the period")},
        evidence=evidence.round({"days_apart": 1}).reset_index(drop=True),
        evidence_id="bill_id", impact=impact, story=DUPLICATE_BILLS_STORY,
        chart=duplicate_chart(data, in_window, duplicates, duplicate_share))


def duplicate_chart(data: CheckData, bills: pd.DataFrame, duplicates: pd.DataFrame,
                    duplicate_share: float) -> CauseChart:
    """Bills issued by week (month on long periods), the suspected duplicates apart: when
    they come is when the same bill arrived twice."""
    bucket, word = time_bucket(bills["issued_at"], data.period.days)
    duplicate = bills["bill_id"].isin(duplicates["bill_id"]) if len(duplicates) else (
        pd.Series(False, index=bills.index))
    kind = np.where(duplicate, "suspected duplicates", "other bills")
    table = bills["amount"].groupby([bucket.rename("period"), pd.Series(
        kind, index=bills.index, name="bills")]).sum().unstack(fill_value=0.0)
    table = table.reindex(columns=["suspected duplicates", "other bills"], fill_value=0.0)
    frame = table.stack().rename("amount").reset_index()
    vendors = duplicates.groupby(duplicates["vendor"].str.strip())["amount"].sum().sort_values(
        ascending=False) if len(duplicates) else pd.Series(dtype=float)
    lead = (f"; most with {vendors.index[0]} ({money(float(vendors.iloc[0]))})"
            if len(vendors) else "")
    note = (f"{len(duplicates):,} suspected duplicate bill{'' if len(duplicates) == 1 else 's'} "
            "worth "
            f"{money(float(duplicates['amount'].sum()))}, {duplicate_share:.2%} of the "
            f"{money(float(bills['amount'].sum()))} billed{lead}.")
    return CauseChart("stacked", frame, x="period", y="amount", series="bills",
                      title=f"Bills by {word} issued, suspected duplicates apart",
                      x_title=f"{word} issued", y_title="billed", y_unit="$", note=note)


# -- the ledger -------------------------------------------------------------------------

def monthly_close(data: CheckData) -> pd.DataFrame:
    """Per month ending inside the period: its last entry keyed and the close lag in days.

    A month's entries are those posted in it; its close lag is the latest entered_at among
    them minus the month's last day (midnight), in days. Months with no entry are skipped.
    """
    gl = data["gl_entries"]
    gl = gl[gl["posted_at"].notna() & gl["entered_at"].notna()]
    month_end = gl["posted_at"].dt.normalize() + pd.offsets.MonthEnd(0)
    inside = (month_end >= data.period.start) & (month_end <= data.period.end)
    gl, month_end = gl[inside], month_end[inside]
    months = gl.groupby(month_end.rename("month_end")).agg(
        last_entered_at=("entered_at", "max"), entries=("entered_at", "size")).reset_index()
    lag = (months["last_entered_at"] - months["month_end"]).dt.total_seconds() / 86400
    return months.assign(month=months["month_end"].dt.strftime("%Y-%m"),
                         close_lag_days=lag)


@check("cash.close_lag", area="cash",
       title="The books close too long after month end",
       needs={"gl_entries": ["posted_at", "entered_at"]},
       proof_metric="close_lag_days")
def close_lag(
    data: CheckData,
    *,
    warn: float = Param(10.0, 0.0, 90.0, 1.0, "Median days from month end to the last entry "
                        "that warn (APQC median close is about 6 days)."),
    fail: float = Param(15.0, 0.0, 90.0, 1.0, "Median days from month end to the last entry "
                        "that fail."),
    target_days: float = Param(6.0, 0.0, 30.0, 1.0, "A good close in days (APQC median); "
                               "days beyond it are priced.", unit="days"),
    hours_per_late_day: float = Param(4.0, 0.0, 24.0, 0.5, "Finance staff hours spent per "
                                      "day the close runs beyond the target.", unit="hours"),
    min_evidence: float = Param(2, 1, 36, 1, "Closed months in the period needed to judge.",
                                unit="months"),
) -> Result:
    """The books close too long after month end.

    Question: how long after month end are the books done?

    Metric: ``close_lag_days`` = the median, over the months ending inside the period, of
    (latest entered_at of ledger entries posted in that month − the month's last day), in
    days. The evidence lists the months whose own lag reaches the warn threshold.

    Threshold: warn 10, fail 15 days. Source: APQC's Open Standards Benchmarking puts the
    median monthly close at about 6 days.

    Impact: for each month, days beyond ``target_days`` (6) × finance hours per late day (4)
    × hourly cost (the roster's median, or the hourly_cost assumption 45 / 60 / 85), summed
    over the period's months and scaled to a year.

    Population: ledger entries posted in months that end inside the period.
    Time basis: local time; a month ends at the end of its last day.
    Minimum evidence: ``min_evidence`` (2) months; the median of one month is one close.
    Base: finance staff time (hourly cost: engagement.yaml, else the roster, else default).
    """
    months = monthly_close(data)
    if len(months) == 0:
        raise NotAssessable(
            f"Send {TABLES['gl_entries'].source_hint} with the date each entry was keyed "
            f"(entered_at, from the audit log) for entries posted in months ending between "
            f"{window_words(data)}.")
    lag_days = float(months["close_lag_days"].median())

    hourly, hourly_words = hourly_cost(data)
    excess_days = float((months["close_lag_days"] - target_days).clip(lower=0).sum())
    hours_a_year = annual(data, excess_days * hours_per_late_day)
    impact = Impact(*(hours_a_year * h for h in hourly),
                    formula=f"{hours_a_year:,.0f} finance hours a year: days beyond a "
                            f"{target_days:g}-day close × {hours_per_late_day:g} hours a day "
                            "× hourly cost",
                    assumptions={"hourly cost": hourly_words,
                                 "hours per late day": f"{hours_per_late_day:g}"})
    evidence = (months[months["close_lag_days"] >= warn]
                .sort_values(["close_lag_days", "month"], ascending=[False, True])
                [["month", "close_lag_days", "month_end", "last_entered_at", "entries"]]
                .round({"close_lag_days": 1}))
    status, why = judge(lag_days, warn, fail), ""
    if len(months) < min_evidence and status.flagged:
        status, why = Status.PASS, (f"too few to judge: {len(months)} month(s) closed in the "
                                    f"period (at least {int(min_evidence)} needed)")
    return Result(
        status=status, judgement=why,
        metrics={"close_lag_days": Metric(lag_days, "days", "median days from month end to "
                                                            "the last entry keyed"),
                 "worst_close_lag_days": Metric(float(months["close_lag_days"].max()), "days",
                                                "slowest month"),
                 "months": Metric(len(months), "count", "months ending in the period")},
        evidence=evidence.reset_index(drop=True), evidence_id="month",
        impact=impact, story=CLOSE_LAG_STORY,
        chart=close_chart(months, lag_days, target_days, warn, fail))


def close_chart(months: pd.DataFrame, lag_days: float, target_days: float, warn: float,
                fail: float) -> CauseChart:
    """Days from each month end to its last entry, the part beyond a good close apart: a
    close that slips every month is manual reconciliation, one bad month is an event."""
    lag = months["close_lag_days"].clip(lower=0.0)
    within = lag.clip(upper=target_days)
    parts = pd.DataFrame({"month": months["month"], f"within {target_days:g} days": within,
                          f"beyond {target_days:g} days": lag - within})
    frame = parts.melt(id_vars="month", var_name="close", value_name="days")
    worst = months.sort_values(["close_lag_days", "month"], ascending=[False, True]).iloc[0]
    note = (f"The books close a median {lag_days:.1f} days after month end (a good close "
            f"takes {target_days:g}); the slowest month is {worst['month']} at "
            f"{worst['close_lag_days']:.1f} days.")
    return CauseChart("stacked", frame, x="month", y="days", series="close",
                      title="Days from month end to the last entry keyed",
                      x_title="month", y_title="days after month end", y_unit="days",
                      marks=marks(warn, fail), note=note)


def manual_line_evidence(manual: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Manual ledger lines, the most recurring kind first, and the id column to cite.

    ``recurring_lines`` counts the period's manual lines with the same account and memo: a
    high count is a posting some system should make. The journal entry id leads when the
    ledger has one, otherwise the account.
    """
    memo = manual["memo"] if "memo" in manual else pd.Series(
        None, index=manual.index, dtype="str")
    keyed = manual.assign(memo=memo, abs_amount=manual["amount"].abs())
    keyed = keyed.assign(recurring_lines=keyed.groupby(
        ["account", "memo"], dropna=False)["amount"].transform("size"))
    evidence_id = "entry_id" if "entry_id" in keyed and keyed["entry_id"].notna().any() else (
        "account")
    columns = [evidence_id] + [c for c in ("posted_at", "entered_at", "account", "memo",
                                           "amount", "counterparty", "recurring_lines")
                               if c in keyed and c != evidence_id]
    ordered = keyed.sort_values(["recurring_lines", "abs_amount", evidence_id, "posted_at"],
                                ascending=[False, False, True, True])
    return ordered[columns].reset_index(drop=True), evidence_id


@check("cash.manual_journals", area="cash",
       title="Too much of the ledger is typed by hand",
       needs={"gl_entries": ["posted_at", "account", "amount", "source"]},
       proof_metric="manual_share")
def manual_journals(
    data: CheckData,
    *,
    warn: float = Param(0.20, 0.0, 1.0, 0.01, "Share of ledger lines keyed by hand that "
                        "warns."),
    fail: float = Param(0.40, 0.0, 1.0, 0.01, "Share of ledger lines keyed by hand that "
                        "fails."),
    minutes_per_line: float = Param(3.0, 0.0, 60.0, 0.5, "Minutes to key and check one manual "
                                    "ledger line.", unit="minutes"),
    min_evidence: float = Param(50, 1, 1_000_000, 1, "Ledger lines of the period needed to "
                                "judge.", unit="lines"),
) -> Result:
    """Too much of the ledger is typed by hand.

    Question: how much of the ledger is typed by hand?

    Metric: ``manual_share`` = ledger lines posted in the period with source manual ÷ all
    ledger lines posted in the period (a count; lines with no source count in the
    denominator only). ``manual_amount_share`` gives the same by absolute amount. The
    evidence lists the manual lines, those whose account and memo recur most first: a memo
    that recurs every month is an integration that does not exist.

    Threshold: warn 20%, fail 40% (judgement thresholds; no public benchmark).

    Impact: manual lines a year × 3 minutes × hourly cost (the roster's median, or the
    hourly_cost assumption 45 / 60 / 85).

    Population: ledger lines posted in the period.
    Time basis: posted_at, local time.
    Minimum evidence: ``min_evidence`` (50) lines; judged on the 95% Wilson lower bound of
    the manual share.
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    gl = data["gl_entries"]
    lines = gl[data.period.contains(gl["posted_at"])]
    if len(lines) == 0:
        raise NotAssessable(request(data, "gl_entries", "posted_at, account, amount, source"))
    manual = lines[lines["source"] == "manual"]
    manual_share = ratio(len(manual), len(lines))
    amount_share = ratio(float(manual["amount"].abs().sum()), float(lines["amount"].abs().sum()))

    hourly, hourly_words = hourly_cost(data)
    hours_a_year = annual(data, len(manual) * minutes_per_line / 60)
    impact = Impact(*(hours_a_year * h for h in hourly),
                    formula=f"{annual(data, len(manual)):,.0f} manual lines a year × "
                            f"{minutes_per_line:g} minutes × hourly cost",
                    assumptions={"hourly cost": hourly_words,
                                 "minutes per manual line": f"{minutes_per_line:g}"})
    evidence, evidence_id = manual_line_evidence(manual)
    status, why = judge_rate(len(manual), len(lines), warn, fail,
                             min_evidence=int(min_evidence), noun="ledger lines")
    return Result(
        status=status, judgement=why,
        metrics={"manual_share": share(manual_share, "manual ledger lines ÷ ledger lines"),
                 "manual_amount_share": share(amount_share, "manual |amount| ÷ ledger "
                                                            "|amount|"),
                 "manual_lines": Metric(len(manual), "count", "manual ledger lines"),
                 "lines": Metric(len(lines), "count", "ledger lines of the period")},
        evidence=evidence, evidence_id=evidence_id, impact=impact,
        story=MANUAL_JOURNALS_STORY,
        chart=manual_chart(data, lines, manual_share, amount_share, warn, fail))


def manual_chart(data: CheckData, lines: pd.DataFrame, manual_share: float,
                 amount_share: float, warn: float, fail: float) -> CauseChart:
    """Ledger lines by week (month on long periods) and source, manual at the bottom: which
    systems post by themselves and how much is left to hands."""
    source = lines["source"].astype("str").fillna("(no source)")
    counts = source.value_counts()
    others = [s for s in counts.index if s != "manual"][:4]
    named = source.where(source.isin(["manual", *others]), "other sources")
    bucket, word = time_bucket(lines["posted_at"], data.period.days)
    table = count_table(bucket.rename("period"), named.rename("source"))
    order = ["manual", *others, "other sources"]
    table = table.reindex(columns=[c for c in order if c in table.columns or c == "manual"],
                          fill_value=0)
    shares = table.div(table.sum(axis=1), axis=0)
    frame = shares.stack().rename("line_share").reset_index()
    frame = frame.assign(lines=table.stack().to_numpy())
    note = (f"{manual_share:.1%} of ledger lines are keyed by hand ({amount_share:.1%} of the "
            f"amount)" + (f"; the biggest other source is {others[0]}." if others else "."))
    return CauseChart("stacked", frame, x="period", y="line_share", series="source",
                      title=f"Ledger lines by {word} and source",
                      x_title=f"{word} posted", y_title="share of ledger lines",
                      y_unit="share", marks=marks(warn, fail), note=note)
