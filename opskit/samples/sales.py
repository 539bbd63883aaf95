"""Phones, leads and the pipeline: calls, leads, deals, and the services firm's customers and
invoices.

A missed call is a lost sale with a price tag: inbound callers are generated as episodes
(a first call, then maybe a callback from the business or a redial by the caller) so that
"missed and not reached within 60 minutes" is a property of the episode, planted with exact
counts. Leads get a human answer after a lognormal delay or never; converted leads become
deals, some of which linger open long after anyone touched them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from opskit.samples.common import (
    CUTOFF,
    PERIOD_END,
    PERIOD_START,
    Directory,
    at_seconds,
    days_between,
    e164,
    exact_choice,
    exact_mask,
    fmt_dates,
    format_phones,
    money,
    month_end,
    month_starts,
    recase_emails,
    to_ts,
    uniform_seconds,
)
from opskit.samples.truth import Collector
from opskit.samples.writer import EngagementWriter, TableWriter

CALL_COLUMNS = ["call_id", "started_at", "direction", "outcome", "from_number", "to_number",
                "duration_s", "agent"]
LEAD_COLUMNS = ["lead_id", "created_at", "source", "owner", "first_response_at", "status",
                "converted_at", "value"]
DEAL_COLUMNS = ["deal_id", "created_at", "stage", "amount", "owner", "closed_at", "won",
                "last_activity_at", "close_date"]
CUSTOMER_COLUMNS = ["customer_id", "system", "name", "email", "phone", "company",
                    "created_at"]
INVOICE_COLUMNS = ["invoice_id", "issued_at", "amount", "customer_id", "due_at", "paid_at",
                   "amount_paid", "order_id"]
NAT = np.datetime64("NaT")


@dataclass(frozen=True)
class CallSpec:
    """The phone line: volume, answer rate, and how missed callers are (not) recovered."""

    start: str
    inbound_per_bday: float
    saturday: float
    sunday: float
    hours: tuple[float, float]
    not_answered: float
    outcome_split: tuple[float, float, float]    # missed, voicemail, abandoned
    recovered: float
    callback_share: float                        # of recovered: outbound callback
    late_callback: float                         # of unrecovered: callback after hours
    outbound_per_bday: float
    agents: tuple[str, ...]
    line: int


def generate_calls(rng: np.random.Generator, spec: CallSpec, out: EngagementWriter,
                   truth: Collector, *, scale: int, directory: Directory) -> None:
    """Write the call log month by month."""
    writer = out.table("calls", CALL_COLUMNS)
    next_id = 1_000_001
    line = e164(np.asarray([spec.line]))[0]
    agents = np.asarray(spec.agents, dtype=object)
    for m in month_starts(np.datetime64(spec.start, "D"), PERIOD_END):
        days = days_between(m, month_end(m))
        wd = ((days.astype(int) - 4) % 7)
        lam = np.where(wd < 5, 1.0, np.where(wd == 5, spec.saturday, spec.sunday))
        lam = lam * spec.inbound_per_bday * scale
        counts = rng.poisson(lam)
        n = int(counts.sum())
        day = np.repeat(days, counts)
        t0 = at_seconds(day, uniform_seconds(rng, n, *spec.hours))
        o = np.argsort(t0, kind="stable")
        t0, day = t0[o], day[o]
        caller = e164(directory.phones(n))
        missed = exact_mask(rng, n, spec.not_answered)
        outcome = np.full(n, "answered", dtype=object)
        mi = np.flatnonzero(missed)
        outcome[mi] = np.asarray(["missed", "voicemail", "abandoned"], dtype=object)[
            exact_choice(rng, len(mi), spec.outcome_split)]
        recovered = np.zeros(n, dtype=bool)
        recovered[mi[exact_mask(rng, len(mi), spec.recovered)]] = True
        ri = np.flatnonzero(recovered)
        by_callback = np.zeros(n, dtype=bool)
        by_callback[ri[exact_mask(rng, len(ri), spec.callback_share)]] = True
        ui = np.flatnonzero(missed & ~recovered)
        late_cb = np.zeros(n, dtype=bool)
        late_cb[ui[exact_mask(rng, len(ui), spec.late_callback)]] = True

        dur = np.where(outcome == "answered", np.round(rng.lognormal(5.4, 0.6, size=n)),
                       np.where(outcome == "voicemail", rng.integers(15, 75, size=n), 0))
        agent = np.where(outcome == "answered", agents[rng.integers(0, len(agents), size=n)],
                         None)
        parts = [pd.DataFrame({"t": t0, "direction": "inbound", "outcome": outcome,
                               "from_number": caller, "to_number": line, "duration_s": dur,
                               "agent": agent})]
        # Recovery within the hour: our callback, or the caller redials and gets through.
        cb = np.flatnonzero(by_callback)
        rd = np.flatnonzero(recovered & ~by_callback)
        parts.append(pd.DataFrame({
            "t": t0[cb] + rng.integers(180, 3300, size=len(cb)).astype("timedelta64[s]"),
            "direction": "outbound", "outcome": "answered", "from_number": line,
            "to_number": caller[cb], "duration_s": np.round(rng.lognormal(5.2, 0.5,
                                                                          size=len(cb))),
            "agent": agents[rng.integers(0, len(agents), size=len(cb))]}))
        parts.append(pd.DataFrame({
            "t": t0[rd] + rng.integers(120, 3000, size=len(rd)).astype("timedelta64[s]"),
            "direction": "inbound", "outcome": "answered", "from_number": caller[rd],
            "to_number": line, "duration_s": np.round(rng.lognormal(5.4, 0.6, size=len(rd))),
            "agent": agents[rng.integers(0, len(agents), size=len(rd))]}))
        lc = np.flatnonzero(late_cb)
        parts.append(pd.DataFrame({
            "t": t0[lc] + rng.integers(2 * 3600, 30 * 3600, size=len(lc)).astype(
                "timedelta64[s]"),
            "direction": "outbound",
            "outcome": np.where(rng.random(len(lc)) < 0.6, "answered", "voicemail"),
            "from_number": line, "to_number": caller[lc],
            "duration_s": rng.integers(20, 300, size=len(lc)),
            "agent": agents[rng.integers(0, len(agents), size=len(lc))]}))
        # Other outbound work: follow-ups, confirmations.
        n_out = int(rng.poisson(spec.outbound_per_bday * scale * np.is_busday(days).sum()))
        out_day = days[np.is_busday(days)][rng.integers(0, max(np.is_busday(days).sum(), 1),
                                                        size=n_out)]
        parts.append(pd.DataFrame({
            "t": at_seconds(out_day, uniform_seconds(rng, n_out, *spec.hours)),
            "direction": "outbound",
            "outcome": np.where(rng.random(n_out) < 0.7, "answered", "voicemail"),
            "from_number": line, "to_number": e164(directory.phones(n_out)),
            "duration_s": np.round(rng.lognormal(5.0, 0.6, size=n_out)),
            "agent": agents[rng.integers(0, len(agents), size=n_out)]}))
        calls = pd.concat(parts, ignore_index=True)
        calls = calls[calls["t"] < CUTOFF].sort_values("t", kind="stable")
        calls.insert(0, "call_id", [f"CA{k}" for k in range(next_id, next_id + len(calls))])
        next_id += len(calls)
        calls["started_at"] = to_ts(calls["t"].to_numpy())
        calls["duration_s"] = calls["duration_s"].astype("int64")
        writer.write(calls[CALL_COLUMNS])
        if m >= PERIOD_START:
            truth.first("unrecovered_callers", caller[missed & ~recovered])
    out.close("calls")


@dataclass(frozen=True)
class LeadSpec:
    """Inbound leads: volume, sources, how fast (and whether) someone answers."""

    start: str
    per_day: float
    weekend: float
    sources: tuple[tuple[str, float], ...]
    unattributed: float
    owners: tuple[str, ...]
    never: float
    median_minutes: float
    sigma: float
    convert: float
    value_median: float
    repeat_share: float = 0.05


@dataclass(frozen=True)
class DealSpec:
    """The pipeline: win rate, share of deals left to linger, time to close."""

    owners: tuple[str, ...]
    win: float
    linger: float
    close_days: tuple[int, int]
    extra_per_month: float         # deals without a lead (referrals, repeat customers)
    amount_factor: tuple[float, float] = (0.8, 1.3)


def generate_leads_deals(rng: np.random.Generator, lspec: LeadSpec, dspec: DealSpec,
                         out: EngagementWriter, truth: Collector, *, scale: int,
                         directory: Directory, crm: str,
                         w_contacts: TableWriter | None = None) -> pd.DataFrame:
    """Write leads and deals (and CRM contacts to ``w_contacts``); return won deals.

    The returned frame (deal amount, close time, contact) feeds invoicing.
    """
    w_leads = out.table("leads", LEAD_COLUMNS)
    w_deals = out.table("deals", DEAL_COLUMNS)
    w_events = out.table("deal_events", ["deal_id", "at", "stage", "amount"])
    lead_no, deal_no, contact_no = 50_001, 8_001, 1
    end_s = np.datetime64(PERIOD_END, "s") + 86399
    won_rows = []
    recent_email = np.zeros(0, dtype=object)
    for m in month_starts(np.datetime64(lspec.start, "D"), PERIOD_END):
        days = days_between(m, month_end(m))
        lam = np.where(np.is_busday(days), 1.0, lspec.weekend) * lspec.per_day * scale
        counts = rng.poisson(lam)
        n = int(counts.sum())
        day = np.repeat(days, counts)
        created = at_seconds(day, uniform_seconds(rng, n, 6.5, 22))
        created = np.sort(created, kind="stable")
        lid = np.asarray([f"L-{k}" for k in range(lead_no, lead_no + n)], dtype=object)
        lead_no += n
        src = np.asarray([s for s, _ in lspec.sources], dtype=object)[
            exact_choice(rng, n, [w for _, w in lspec.sources])]
        src[exact_mask(rng, n, lspec.unattributed)] = None
        owner = np.asarray(lspec.owners, dtype=object)[rng.integers(0, len(lspec.owners),
                                                                    size=n)]
        never = exact_mask(rng, n, lspec.never)
        minutes = np.minimum(rng.lognormal(np.log(lspec.median_minutes), lspec.sigma, size=n),
                             4 * 1440)
        first = created + (minutes * 60).astype("int64").astype("timedelta64[s]")
        first = np.where(never | (first >= CUTOFF), NAT, first)
        answered = ~np.isnat(first)
        conv = np.zeros(n, dtype=bool)
        ai = np.flatnonzero(answered)
        conv[ai[exact_mask(rng, len(ai), lspec.convert)]] = True
        converted = first + rng.integers(1 * 86400, 9 * 86400, size=n).astype("timedelta64[s]")
        conv &= converted < CUTOFF
        converted = np.where(conv, converted, NAT)
        status = np.where(conv, "converted", np.where(
            answered, np.where(rng.random(n) < 0.5, "contacted", "lost"), "new"))
        value = money(np.round(rng.lognormal(np.log(lspec.value_median), 0.7, size=n), -1))
        w_leads.write(pd.DataFrame({
            "lead_id": lid, "created_at": to_ts(created), "source": src, "owner": owner,
            "first_response_at": to_ts(first), "status": status,
            "converted_at": to_ts(converted), "value": value}))
        if m >= PERIOD_START:
            truth.first("never_answered_leads", lid[never])

        c_ids = np.asarray([f"HS-{k}" for k in range(contact_no, contact_no + n)],
                           dtype=object)
        contact_no += n
        first_n, last_n = directory.names(n)
        email = directory.emails(first_n, last_n, directory.serials(n))
        repeat = exact_mask(rng, n, lspec.repeat_share) & (len(recent_email) > 0)
        if repeat.any():
            email[repeat] = recase_emails(rng, recent_email[rng.integers(
                0, len(recent_email), size=int(repeat.sum()))], 0.5)
        phone_d = directory.phones(n)
        phone = np.where(rng.random(n) < 0.8, format_phones(rng, phone_d), None)
        no_email = rng.random(n) < 0.08
        email_out = np.where(no_email & ~repeat, None, email)
        names = np.asarray([f"{f} {la}" for f, la in zip(first_n, last_n, strict=True)],
                           dtype=object)
        recent_email = np.concatenate([recent_email, email[~repeat & ~no_email]])[-20_000:]
        if w_contacts is not None:
            w_contacts.write(pd.DataFrame({
                "customer_id": c_ids, "system": crm, "name": names, "email": email_out,
                "phone": phone, "company": None, "created_at": to_ts(created)}))

        # Deals from converted leads and from referrals without a lead.
        ci = np.flatnonzero(conv)
        n_extra = int(rng.poisson(dspec.extra_per_month * scale))
        extra_t = at_seconds(days[rng.integers(0, len(days), size=n_extra)],
                             uniform_seconds(rng, n_extra, 8, 18))
        d_created = np.concatenate([converted[ci], extra_t])
        d_value = np.concatenate([value[ci], money(np.round(rng.lognormal(
            np.log(lspec.value_median), 0.7, size=n_extra), -1))])
        d_contact = np.concatenate([ci, np.full(n_extra, -1)])
        keep = d_created < CUTOFF
        d_created, d_value, d_contact = d_created[keep], d_value[keep], d_contact[keep]
        o = np.argsort(d_created, kind="stable")
        d_created, d_value, d_contact = d_created[o], d_value[o], d_contact[o]
        k = len(d_created)
        did = np.asarray([f"D-{j}" for j in range(deal_no, deal_no + k)], dtype=object)
        deal_no += k
        amount = money(d_value * rng.uniform(*dspec.amount_factor, size=k))
        linger = exact_mask(rng, k, dspec.linger)
        close_after = rng.integers(dspec.close_days[0], dspec.close_days[1] + 1, size=k)
        planned = d_created + (close_after * 86400).astype("timedelta64[s]")
        closed = ~linger & (planned < CUTOFF)
        won = closed & exact_mask(rng, k, dspec.win)
        closed_at = np.where(closed, planned, NAT)
        age_days = (end_s - d_created).astype("int64") / 86400
        last_act = np.where(
            closed, closed_at,
            np.where(linger, d_created + (rng.uniform(0, 1, size=k) * np.minimum(
                20, np.maximum(age_days - 31, 0)) * 86400).astype("int64").astype(
                "timedelta64[s]"),
                     np.maximum(d_created, end_s - (rng.uniform(0, 1, size=k) * np.minimum(
                         age_days, 20) * 86400).astype("int64").astype("timedelta64[s]"))))
        close_date = np.where(linger, d_created + rng.integers(14, 46, size=k).astype(
            "timedelta64[D]").astype("timedelta64[s]"), planned)
        close_date = np.where(~closed & ~linger, np.maximum(planned, end_s + 5 * 86400),
                              close_date)
        stage = np.where(won, "closed_won", np.where(closed, "closed_lost", np.asarray(
            ["appointment_set", "estimate_sent", "negotiation"], dtype=object)[
            rng.integers(0, 3, size=k)]))
        owner_d = np.asarray(dspec.owners, dtype=object)[rng.integers(0, len(dspec.owners),
                                                                      size=k)]
        w_deals.write(pd.DataFrame({
            "deal_id": did, "created_at": to_ts(d_created), "stage": stage, "amount": amount,
            "owner": owner_d, "closed_at": to_ts(closed_at),
            "won": np.where(closed, np.where(won, "true", "false"), None),
            "last_activity_at": to_ts(last_act),
            "close_date": fmt_dates(close_date.astype("datetime64[D]"))}))
        # the CRM's stage history: the opening stage when created, the current one at the
        # last activity (never later than last_activity_at, so the pipeline reads the same)
        first_stage = np.where(stage == "appointment_set", "appointment_set", "qualified")
        w_events.write(pd.DataFrame({
            "deal_id": np.concatenate([did, did]),
            "at": to_ts(np.concatenate([d_created, last_act])),
            "stage": np.concatenate([first_stage, stage]),
            "amount": np.concatenate([amount, amount])}))
        stale = ~closed & (last_act < end_s - 30 * 86400)
        truth.top("stale_deals", did[stale], amount[stale])
        for j in np.flatnonzero(won).tolist():
            c = int(d_contact[j])
            won_rows.append((did[j], closed_at[j], amount[j],
                             c_ids[c] if c >= 0 else None,
                             names[c] if c >= 0 else None,
                             email[c] if c >= 0 and not no_email[c] else None,
                             int(phone_d[c]) if c >= 0 else -1))
    out.close("leads")
    out.close("deals")
    out.close("deal_events")
    return pd.DataFrame(won_rows, columns=["deal_id", "closed_at", "amount", "contact_id",
                                           "name", "email", "phone_digits"])


@dataclass(frozen=True)
class ServiceBillingSpec:
    """Invoices of a services firm: installs from won deals and repair visits."""

    start: str
    repairs_per_bday: float
    repair_value: float
    repair_in_crm: float         # repair customers also created as CRM contacts
    unpaid_old: float            # repair invoices before June never paid
    install_terms: int
    qb_email_missing: float


def services_billing(rng: np.random.Generator, spec: ServiceBillingSpec, won: pd.DataFrame,
                     out: EngagementWriter, truth: Collector, *, scale: int,
                     directory: Directory, crm: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accounting-side customers (QuickBooks) and invoices.

    Every won install becomes a QuickBooks customer: the same person as the CRM contact,
    email retyped (or left out). Repair-visit customers are created in QuickBooks and a
    share also in the CRM by the office. Returns (customers, invoices) frames.
    """
    n_w = len(won)
    qb_rows = []
    inv_rows = []
    qb_no, inv_no = 3001, 10_001
    end_d = PERIOD_END
    has_email = won["email"].notna().to_numpy() & (rng.random(n_w) >= spec.qb_email_missing)
    emails = recase_emails(rng, won["email"].fillna("").to_numpy().astype(object), 0.5)
    phones = format_phones(rng, np.maximum(won["phone_digits"].to_numpy(), 0))
    for j in range(n_w):
        qid = f"QB-{qb_no}"
        qb_no += 1
        name = won["name"].iat[j]
        if name is None:
            f, la = directory.names(1)
            name = f"{f[0]} {la[0]}"
        qb_rows.append((qid, "quickbooks", name, emails[j] if has_email[j] else None,
                        phones[j] if won["phone_digits"].iat[j] > 0 else None, None,
                        won["closed_at"].iat[j]))
        issued = np.datetime64(won["closed_at"].iat[j], "D") + int(rng.integers(2, 13))
        if issued > end_d:
            continue
        due = issued + spec.install_terms
        paid = due + int(rng.integers(-10, 6))
        inv_rows.append((issued, float(won["amount"].iat[j]), qid, due,
                         paid if paid <= end_d else NAT))
    crm_rows = []
    days = days_between(np.datetime64(spec.start, "D"), end_d)
    bdays = days[np.is_busday(days)]
    counts = rng.poisson(spec.repairs_per_bday * scale, size=len(bdays))
    r_day = np.repeat(bdays, counts)
    n_r = len(r_day)
    first, last = directory.names(n_r)
    email = directory.emails(first, last, directory.serials(n_r))
    phone_d = directory.phones(n_r)
    in_crm = rng.random(n_r) < spec.repair_in_crm
    unpaid = exact_mask(rng, n_r, spec.unpaid_old) & (r_day < np.datetime64("2026-06-01"))
    amounts = money(np.round(rng.lognormal(np.log(spec.repair_value), 0.5, size=n_r)))
    for j in range(n_r):
        qid = f"QB-{qb_no}"
        qb_no += 1
        t = np.datetime64(r_day[j], "s") + int(rng.integers(8 * 3600, 18 * 3600))
        qb_rows.append((qid, "quickbooks", f"{first[j]} {last[j]}", email[j],
                        format_phones(rng, phone_d[j:j + 1])[0], None, t))
        if in_crm[j]:
            crm_rows.append((f"HS-R{j + 1}", crm, f"{first[j]} {last[j]}",
                             recase_emails(rng, email[j:j + 1], 0.5)[0],
                             format_phones(rng, phone_d[j:j + 1])[0], None, t + 600))
        paid = r_day[j] + int(rng.integers(0, 7))
        inv_rows.append((r_day[j], float(amounts[j]), qid, r_day[j],
                         NAT if unpaid[j] or paid > end_d else paid))
    inv_rows.sort(key=lambda r: (r[0], r[2]))
    inv = pd.DataFrame(inv_rows, columns=["issued", "amount", "customer_id", "due", "paid"])
    paid_mask = ~pd.isna(inv["paid"]).to_numpy()
    invoices = pd.DataFrame({
        "invoice_id": [f"{inv_no + i}" for i in range(len(inv))],
        "issued_at": fmt_dates(inv["issued"].to_numpy().astype("datetime64[D]")),
        "amount": inv["amount"].to_numpy(),
        "customer_id": inv["customer_id"],
        "due_at": fmt_dates(inv["due"].to_numpy().astype("datetime64[D]")),
        "paid_at": fmt_dates(inv["paid"].to_numpy().astype("datetime64[D]")),
        "amount_paid": np.where(paid_mask, inv["amount"].to_numpy(), 0.0),
    })
    customers = pd.DataFrame(qb_rows + crm_rows, columns=CUSTOMER_COLUMNS)
    customers["created_at"] = to_ts(customers["created_at"].to_numpy().astype(
        "datetime64[s]"))
    return customers, invoices
