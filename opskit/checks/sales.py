"""Hat 3, sales: does every prospect who reaches out get an answer, and is the CRM kept?

"We need more leads" is often "we let the ones we have go cold": a phone that rings out
with nobody calling back, web leads answered the next day, a pipeline padded with deals
nobody has touched in a month, and the same customer recorded three times across systems.
A missed call or a cold lead is a lost sale with a price tag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opskit.assumptions import ASSUMPTIONS
from opskit.checks._charts_people import (
    WEEKDAYS,
    counted,
    distribution,
    labelled,
    pct,
    plural,
    tally,
    threshold_marks,
    top_labels,
)
from opskit.checks._common import (
    annual,
    average_order_value,
    explicit_assumption,
    factorize_together,
    gross_margin,
    hourly_cost,
    in_period,
    isin,
    judge,
    judge_rate,
    judge_weighted_share,
    period_orders,
    quantile_interval,
    ratio,
    share,
    worst,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

MISSED_CALLS_STORY = Story(
    "The phones are busy; callers who want something call back.",
    "Missed callers are not called back within the hour: each one is a lost sale with a "
    "price tag.")
SPEED_TO_LEAD_STORY = Story(
    "We need more leads.",
    "We let the leads we have go cold: they wait hours for a first answer, or never get one.")
STALE_PIPELINE_STORY = Story(
    "The forecast is always wrong.",
    "The CRM is not kept: open deals nobody has touched in a month, or past their close "
    "date, are still counted in the pipeline.")
CRM_DUPLICATES_STORY = Story(
    "We need a better CRM.",
    "Our customer records are split across systems: the same person exists several times.")

CALLBACK_MINUTES = 60
STALE_ACTIVITY_DAYS = 30
CLOSED_STAGE_PATTERN = r"closed|\bwon\b|\blost\b"


# -- shared money helpers --------------------------------------------------------------------
def assumed(data: CheckData, name: str) -> tuple[float, float, float]:
    """Low / base / high of an engagement assumption (the default when none is configured)."""
    assumption = data.assumptions.get(name) or ASSUMPTIONS[name]
    return assumption.triple()


def average_deal_value(data: CheckData) -> tuple[float, str]:
    """What one won sale is worth (its revenue), and where the figure came from.

    An ``average_deal_value`` set in engagement.yaml wins: the consultant's explicit figure
    is never replaced by a derived one. Otherwise the client's own figures: the average
    amount of won CRM deals, else the average order value of the period's live orders; the
    assumption's default only when the data has neither.
    """
    explicit = explicit_assumption(data, "average_deal_value")
    if explicit is not None:
        return float(explicit.base), (f"average deal value {money(explicit.base)} "
                                      "(engagement.yaml)")
    deals = data.get("deals")
    if deals is not None and {"won", "amount"} <= set(deals.columns):
        won = deals[deals["won"].fillna(False).astype(bool) & deals["amount"].notna()]
        if len(won):
            value = float(won["amount"].mean())
            return value, f"average won deal in the CRM {money(value)}"
    if data.has("orders", "ordered_at", "total") and len(period_orders(data)):
        value = average_order_value(data)
        return value, f"average order value of the period {money(value)}"
    value = assumed(data, "average_deal_value")[1]
    return value, f"average deal value assumption {money(value)} (default)"


def sale_contribution(data: CheckData) -> tuple[float, str]:
    """What one lost sale costs: average deal value × gross margin net of discounts.

    CATALOG.md, "Money": a lost sale is priced at its contribution, never at its revenue,
    so missed calls and cold leads are priced on the same base.
    """
    value, source = average_deal_value(data)
    margin = gross_margin(data)
    return value * margin, f"{source} × gross margin {margin:.1%} = {money(value * margin)}"


def phone_key(numbers: pd.Series) -> pd.Series:
    """The last 10 digits of a phone number, so '+1 (555) 010-2000' matches '5550102000'.

    A value without digits (an extension name, 'anonymous') is missing.
    """
    text = numbers.astype("str")
    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        return _phone_key_by_regex(text)
    chunks = [_last_digits(chunk, 10) for chunk in text.array.__arrow_array__().chunks]
    kept = pa.chunked_array([kept for kept, _ in chunks], type=pa.large_string())
    keys = pd.Series(pd.arrays.ArrowStringArray(kept, dtype=text.dtype), index=text.index,
                     name=text.name)
    other = np.concatenate([np.zeros(0, bool), *(unicode for _, unicode in chunks)])
    if other.any():  # a digit of another script ('٣') counts too: those few by regex
        keys[other] = _phone_key_by_regex(text[other]).array
    return keys


def _phone_key_by_regex(text: pd.Series) -> pd.Series:
    digits = text.str.replace(r"\D", "", regex=True).str[-10:]
    return digits.where(digits.str.len() > 0)


def _string_bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string chunk as numpy views: each string's start in the bytes (and the end of the
    last), from 0, and the bytes of its strings (a slice of the chunk's own buffer)."""
    size = len(chunk)
    _, offset_buffer, data_buffer = chunk.buffers()
    if not size or data_buffer is None:
        return np.zeros(size + 1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offset_buffer, dtype=width)[
        chunk.offset:chunk.offset + size + 1].astype(np.int64)
    body = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0]:offsets[-1]]
    return offsets - offsets[0], body


def _last_digits(chunk: pa.Array, count: int) -> tuple[pa.Array, np.ndarray]:
    """The last ``count`` ASCII digits of each string of ``chunk`` (null when it has none),
    and which strings hold a byte beyond ASCII (their answer is left to the caller).

    For an ASCII string this is ``replace(r"\\D", "")`` then ``[-count:]``, worked out on the
    bytes of the whole column at once instead of a regular expression per string: a
    customer list holds a million phones.
    """
    size = len(chunk)
    offsets, body = _string_bytes(chunk)
    valid = chunk.is_valid().to_numpy(zero_copy_only=False)
    # the string each byte belongs to: a count of the string starts up to it
    index = np.int32 if size < 2**31 else np.int64
    owners = np.cumsum(np.bincount(offsets[1:-1], minlength=len(body)), dtype=index)[
        :len(body)] if size > 1 else np.zeros(len(body), dtype=index)
    unicode = np.zeros(size, dtype=bool)
    unicode[owners[body >= 0x80]] = True
    unicode &= valid
    digits = np.flatnonzero(np.subtract(body, ord("0"), dtype=np.uint8) < 10)  # '0'..'9'
    owner = owners[digits]
    keep = valid[owner]
    digits, owner = digits[keep], owner[keep]
    per_string = np.bincount(owner, minlength=size)
    rank_from_end = (np.cumsum(per_string)[owner] - 1) - np.arange(len(owner))
    digits = digits[rank_from_end < count]
    lengths = np.minimum(per_string, count)
    kept_offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(lengths, out=kept_offsets[1:])
    present = lengths > 0
    kept = pa.LargeStringArray.from_buffers(
        size, pa.py_buffer(kept_offsets), pa.py_buffer(body[digits].tobytes()),
        pa.py_buffer(np.packbits(present, bitorder="little")),
        null_count=int(size - present.sum()))
    return kept, unicode


# -- sales.missed_calls ----------------------------------------------------------------------
def callback_contacts(calls: pd.DataFrame) -> pd.DataFrame:
    """Every moment we reached a number: an outbound call to it or an answered call from it."""
    outbound = calls[calls["direction"] == "outbound"]
    answered = calls[(calls["direction"] == "inbound") & (calls["outcome"] == "answered")]
    to_numbers = outbound["to_number"] if "to_number" in outbound else pd.Series(
        pd.NA, index=outbound.index, dtype="str")
    contacts = pd.concat([
        pd.DataFrame({"caller": phone_key(to_numbers), "contact_at": outbound["started_at"]}),
        pd.DataFrame({"caller": phone_key(answered["from_number"]),
                      "contact_at": answered["started_at"]}),
    ], ignore_index=True)
    return contacts.dropna(subset=["caller", "contact_at"])


def missed_callers(missed: pd.DataFrame, contacts: pd.DataFrame,
                   callback_minutes: float) -> pd.DataFrame:
    """One row per missed caller number: their missed calls, and whether we reached them.

    A caller counts as recovered when at least one of their missed calls was followed,
    within ``callback_minutes``, by an outbound call to the number or an answered call from it.
    """
    keyed = missed.assign(caller=phone_key(missed["from_number"])).dropna(subset=["caller"])
    callers = keyed.sort_values("started_at").groupby("caller", as_index=False).agg(
        from_number=("from_number", "first"), missed_calls=("call_id", "size"),
        first_missed_at=("started_at", "min"), last_missed_at=("started_at", "max"))
    pairs = keyed[["caller", "started_at"]].merge(contacts, on="caller", how="inner")
    after = pairs[pairs["contact_at"] > pairs["started_at"]]
    window = pd.Timedelta(minutes=callback_minutes)
    recovered = after.loc[after["contact_at"] <= after["started_at"] + window, "caller"]
    later = callers[["caller", "first_missed_at"]].merge(contacts, on="caller", how="inner")
    next_contact = later[later["contact_at"] > later["first_missed_at"]].groupby(
        "caller", as_index=False).agg(next_contact_at=("contact_at", "min"))
    callers = callers.merge(next_contact, on="caller", how="left")
    callers = callers.assign(recovered=callers["caller"].isin(recovered))
    hours = (callers["next_contact_at"] - callers["first_missed_at"]).dt.total_seconds() / 3600
    return callers.assign(hours_to_contact=hours.round(1))


def known_customer_phones(data: CheckData) -> pd.Series | None:
    """Phone keys of existing customers, or None when no customer list carries phones."""
    customers = data.get("customers")
    if customers is None or "phone" not in customers or customers["phone"].isna().all():
        return None
    return phone_key(customers["phone"].dropna()).dropna()


@check("sales.missed_calls", area="sales", title="Missed calls are not called back",
       needs={"calls": ["call_id", "started_at", "direction", "outcome"]},
       proof_metric="missed_rate")
def missed_calls(
    data: CheckData,
    *,
    warn: float = Param(0.10, 0.0, 1.0, 0.01, "Share of inbound calls missed that warns."),
    fail: float = Param(0.20, 0.0, 1.0, 0.01, "Share of inbound calls missed that fails."),
    unrecovered_warn: float = Param(0.25, 0.0, 1.0, 0.05, "Share of missed callers not "
                                    "reached within the hour that warns.", unit="share"),
    unrecovered_fail: float = Param(0.50, 0.0, 1.0, 0.05, "Share of missed callers not "
                                    "reached within the hour that fails.", unit="share"),
    callback_minutes: float = Param(60, 5, 1440, 5, "Minutes within which a missed caller "
                                    "must be reached to count as recovered.", unit="minutes"),
    min_evidence: float = Param(30, 1, 10_000, 1, "Inbound calls (and, for the callback "
                                "rate, a third as many missed callers) needed to judge.",
                                unit="calls"),
) -> Result:
    """Missed calls are not called back.

    Question: what do missed calls cost?

    Metric: ``missed_rate`` = inbound calls of the period whose outcome is not ``answered``
    (missed, voicemail, abandoned) ÷ inbound calls of the period. ``unrecovered_rate`` =
    distinct caller numbers with a missed call that were not reached within
    ``callback_minutes`` (60) of any of their missed calls, by an outbound call to the number
    or an answered inbound call from it ÷ distinct caller numbers with a missed call. Numbers
    match on their last 10 digits. The status is the worse of the two. The evidence lists the
    missed callers, those never reached in time first.

    Threshold: missed 10% / 20%, unrecovered 25% / 50% (default judgement thresholds).

    Impact: unrecovered new callers a year (numbers not on any customer record) × share of
    callers who are buyers (``sales_call_share``, 20% / 30% / 40%) × close rate
    (``close_rate``, 15% / 25% / 35%) × contribution of a sale (average deal value: the
    engagement.yaml figure, else won CRM deals, else the average order value; × gross
    margin net of discounts).

    Chart: missed share of inbound calls by hour of day × weekday (heatmap); the note names
    the cell with the most missed calls.

    Population: inbound calls started in the period; outbound calls and answered inbound
    calls only as callbacks. Internal calls are not in the call log's inbound direction.
    Time basis: local time of the engagement; the callback window is measured in minutes.
    Minimum evidence: ``min_evidence`` (30) inbound calls for the missed rate, a third as
    many missed callers for the callback rate; each judged on its 95% Wilson lower bound.
    Base: a lost sale at its contribution (deal value × gross margin net of discounts).
    """
    calls = data["calls"]
    inbound = in_period(calls[calls["direction"] == "inbound"], "started_at", data)
    if inbound.empty:
        raise NotAssessable("Send the call log of the phone system (calls: call_id, "
                            "started_at, direction, outcome, from_number, to_number) covering "
                            f"{data.period.start.date()} to {data.period.end.date()}.")
    missed = inbound[inbound["outcome"] != "answered"]
    missed_rate = ratio(len(missed), len(inbound))
    status, why = judge_rate(len(missed), len(inbound), warn, fail,
                             min_evidence=int(min_evidence), noun="inbound calls")
    metrics = {
        "missed_rate": share(missed_rate, "missed inbound calls ÷ inbound calls"),
        "unrecovered_rate": Metric(None, "share", "no caller numbers in the call log"),
        "inbound_calls": Metric(len(inbound), "count", "inbound calls"),
        "missed_calls": Metric(len(missed), "count", "inbound calls not answered"),
    }
    chart = missed_calls_chart(inbound, inbound["outcome"] != "answered")
    if "from_number" not in calls or calls["from_number"].isna().all():
        evidence = missed.sort_values("started_at")[
            [c for c in ("call_id", "started_at", "outcome", "agent") if c in missed]]
        return Result(status=status, metrics=metrics, evidence=evidence.reset_index(drop=True),
                      evidence_id="call_id", story=MISSED_CALLS_STORY, judgement=why,
                      chart=chart,
                      impact=Impact.none("not priced: the call log has no caller numbers, so "
                                         "callbacks cannot be traced"))

    callers = missed_callers(missed, callback_contacts(calls), callback_minutes)
    unrecovered = callers[~callers["recovered"]]
    unrecovered_rate = ratio(len(unrecovered), len(callers))
    callback_status, callback_why = judge_rate(
        len(unrecovered), len(callers), unrecovered_warn, unrecovered_fail,
        min_evidence=max(1, int(min_evidence) // 3), noun="missed callers")
    status = worst(status, callback_status)
    why = "; ".join(w for w in (why, callback_why) if w)
    customer_phones = known_customer_phones(data)
    new_callers = unrecovered if customer_phones is None else unrecovered[
        ~isin(unrecovered["caller"], customer_phones)]
    metrics |= {
        "unrecovered_rate": share(unrecovered_rate, "missed callers not reached within "
                                  f"{callback_minutes:g} minutes ÷ missed callers"),
        "missed_callers": Metric(len(callers), "count", "distinct numbers with a missed call"),
        "unrecovered_callers": Metric(len(unrecovered), "count", "missed callers never reached "
                                      f"within {callback_minutes:g} minutes"),
    }
    new_caller = (~isin(callers["caller"], customer_phones) if customer_phones is not None
                  else pd.Series(pd.NA, index=callers.index, dtype="boolean"))
    evidence = callers.assign(reached_in_time=callers["recovered"], new_caller=new_caller)
    evidence = evidence.sort_values(["reached_in_time", "missed_calls", "first_missed_at"],
                                    ascending=[True, False, True])[
        ["from_number", "reached_in_time", "missed_calls", "first_missed_at",
         "last_missed_at", "next_contact_at", "hours_to_contact", "new_caller"]]
    return Result(status=status, metrics=metrics, evidence=evidence.reset_index(drop=True),
                  evidence_id="from_number",
                  impact=missed_call_impact(data, len(new_callers), customer_phones is None),
                  story=MISSED_CALLS_STORY, judgement=why, chart=chart)


def missed_calls_chart(inbound: pd.DataFrame, missed: pd.Series) -> CauseChart:
    """Missed share of inbound calls by hour of day × weekday: when the phone rings out.

    Every weekday × hour from the earliest to the latest hour with a call is a cell (an
    empty cell has no share), so the grid reads as opening hours; at most 7 × 24 rows. The
    note names the cell with the most missed calls (the larger share among equals).
    """
    at = inbound["started_at"]
    frame = pd.DataFrame({"day": at.dt.day_of_week.to_numpy(), "hour": at.dt.hour.to_numpy(),
                          "missed": missed.fillna(True).to_numpy(dtype=bool)})
    cells = frame.groupby(["day", "hour"])["missed"].agg(["size", "sum"])
    hours = range(int(frame["hour"].min()), int(frame["hour"].max()) + 1)
    grid = pd.MultiIndex.from_product([range(7), hours], names=["day", "hour"])
    cells = cells.reindex(grid, fill_value=0).reset_index()
    inbound_calls = cells["size"].astype("int64")
    data = pd.DataFrame({
        "weekday": [WEEKDAYS[d] for d in cells["day"]], "hour": cells["hour"].astype("int64"),
        "inbound_calls": inbound_calls, "missed_calls": cells["sum"].astype("int64"),
        "missed_share": (cells["sum"] / inbound_calls.where(inbound_calls > 0)).round(4)})
    peak = data.sort_values(["missed_calls", "missed_share"], ascending=False).iloc[0]
    overall = ratio(int(frame["missed"].sum()), len(frame))
    note = (f"Most missed calls fall on {peak['weekday']} at {peak['hour']:02d}:00: "
            f"{peak['missed_calls']:,} of {plural(peak['inbound_calls'], 'inbound call')} "
            f"missed ({pct(peak['missed_share'])}), against {pct(overall)} over the period."
            if peak["missed_calls"] else "No inbound call of the period was missed.")
    return CauseChart(
        kind="heatmap", data=data, x="hour", y="weekday", z="missed_share",
        title="Missed share of inbound calls by hour and weekday",
        x_title="hour of day", y_title="weekday", note=note)


def missed_call_impact(data: CheckData, new_callers: int, all_counted_new: bool) -> Impact:
    """Contribution lost on unrecovered new callers, a year: callers × buyer share × close
    rate × contribution of a sale."""
    buyers = assumed(data, "sales_call_share")
    close = assumed(data, "close_rate")
    per_sale, sale_words = sale_contribution(data)
    callers_a_year = annual(data, new_callers)
    values = (callers_a_year * b * c * per_sale for b, c in zip(buyers, close, strict=True))
    new_words = ("every unrecovered caller (no customer phone list to tell new from known)"
                 if all_counted_new else "numbers not on any customer record")
    return Impact(
        *values,
        formula=f"{callers_a_year:,.0f} unrecovered new callers a year × share who are buyers "
                "× close rate × contribution of a sale",
        assumptions={
            "new callers": new_words,
            "share of callers who are buyers": " / ".join(f"{b:.0%}" for b in buyers),
            "close rate": " / ".join(f"{c:.0%}" for c in close),
            "contribution of a sale": sale_words,
        })


# -- sales.speed_to_lead ---------------------------------------------------------------------
def lead_conversion(data: CheckData) -> tuple[tuple[float, float, float], str]:
    """Share of leads that convert: the CRM's own converted_at when it has one, else close_rate."""
    leads = data["leads"]
    if "converted_at" in leads and leads["converted_at"].notna().any():
        rate = ratio(leads["converted_at"].notna().sum(), len(leads))
        return (rate, rate, rate), f"{rate:.1%} of the CRM's leads converted"
    low, base, high = assumed(data, "close_rate")
    return (low, base, high), f"close rate assumption {low:.0%} / {base:.0%} / {high:.0%}"


@check("sales.speed_to_lead", area="sales", title="Leads wait too long for a first answer",
       needs={"leads": ["lead_id", "created_at"]}, proof_metric="median_response_minutes")
def speed_to_lead(
    data: CheckData,
    *,
    warn: float = Param(60, 1, 10080, 5, "Median minutes to first response that warns "
                        "(answering within an hour made qualifying about 7× likelier, HBR "
                        "2011).", unit="minutes"),
    fail: float = Param(1440, 1, 10080, 60, "Median minutes to first response that fails.",
                        unit="minutes"),
    never_warn: float = Param(0.10, 0.0, 1.0, 0.01, "Share of leads never answered that "
                              "warns.", unit="share"),
    never_fail: float = Param(0.20, 0.0, 1.0, 0.01, "Share of leads never answered that "
                              "fails.", unit="share"),
    lift: float = Param(0.25, 0.0, 1.0, 0.05, "Relative conversion gained by answering late "
                        "and never-answered leads on time.", low=0.10, high=0.50, unit="share"),
    min_evidence: float = Param(20, 1, 10_000, 1, "Leads of the period needed to judge.",
                                unit="leads"),
) -> Result:
    """Leads wait too long for a first answer.

    Question: how fast does a lead get a human answer?

    Metric: over leads created in the period, ``median_response_minutes`` = median minutes
    from ``created_at`` to ``first_response_at`` of the answered leads (a response logged
    before the lead is counted as 0), and ``never_answered_share`` = leads with no
    ``first_response_at`` ÷ leads. The status is the worse of the two.

    Threshold: warn at a median of 60 minutes or 10% never answered, fail at 24 hours or 20%.
    Source: answering within an hour made qualifying a lead about 7× likelier (Harvard
    Business Review 2011, "The Short Life of Online Sales Leads").

    Impact: late (over ``warn`` minutes) and never-answered leads a year × conversion (the
    CRM's converted share, else ``close_rate``) × lift from answering in time (10% / 25% /
    50%) × contribution of a sale (average deal value × gross margin net of discounts).

    Chart: hours from a lead to its first answer (histogram of the answered leads) with the
    warn (one hour) and fail marks; the note counts the late and never-answered leads.

    Population: leads created in the period.
    Time basis: local time; minutes from created_at to first_response_at, around the clock.
    Minimum evidence: ``min_evidence`` (20) leads; the median is judged on the 95% interval
    of the median (binomial order statistics) and the never-answered share on its Wilson
    lower bound.
    Base: a lost sale at its contribution (deal value × gross margin net of discounts).
    """
    leads = in_period(data["leads"], "created_at", data)
    if leads.empty:
        raise NotAssessable("Send the leads export of the CRM (leads: lead_id, created_at, "
                            f"first_response_at) covering {data.period.start.date()} to "
                            f"{data.period.end.date()}.")
    if "first_response_at" not in leads or leads["first_response_at"].isna().all():
        raise NotAssessable("Send the leads export with the time of the first human response "
                            "(first_response_at, or first call/email activity) covering "
                            f"{data.period.start.date()} to {data.period.end.date()}.")
    minutes = ((leads["first_response_at"] - leads["created_at"]).dt.total_seconds() / 60
               ).clip(lower=0)
    answered = minutes.dropna()
    median = float(answered.median()) if len(answered) else None
    never = leads["first_response_at"].isna()
    never_share = ratio(never.sum(), len(leads))
    status, why = speed_verdict(answered, int(never.sum()), len(leads), warn, fail,
                                never_warn, never_fail, int(min_evidence))
    offending = never | (minutes > warn)
    evidence = leads.assign(response_minutes=minutes.round(1), never_answered=never)[offending]
    evidence = evidence.assign(_order=evidence["response_minutes"].fillna(float("inf")))
    evidence = evidence.sort_values("_order", ascending=False)[
        [c for c in ("lead_id", "created_at", "first_response_at", "response_minutes",
                     "never_answered", "source", "owner", "status") if c in evidence]]
    return Result(
        status=status,
        metrics={
            "median_response_minutes": Metric(median, "minutes",
                                              "median minutes to first response"),
            "never_answered_share": share(never_share, "leads never answered ÷ leads"),
            "leads": Metric(len(leads), "count", "leads created in the period"),
            "late_or_never": Metric(int(offending.sum()), "count",
                                    f"leads answered after {warn:g} minutes or never"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="lead_id", judgement=why,
        impact=lead_impact(data, int(offending.sum()), lift, warn), story=SPEED_TO_LEAD_STORY,
        chart=speed_to_lead_chart(answered, int(never.sum()), warn, fail))


def _minutes_words(minutes: float) -> str:
    """60 -> '1 hour', 1440 -> '24 hours', 45 -> '45 minutes'."""
    if minutes >= 60 and minutes % 60 == 0:
        return plural(minutes / 60, "hour")
    return plural(minutes, "minute")


def speed_to_lead_chart(answered: pd.Series, never: int, warn: float, fail: float
                        ) -> CauseChart | None:
    """Distribution of hours to the first answer of the answered leads, with the warn (one
    hour) and fail marks; never-answered leads cannot sit on the axis, the note counts them.

    Beyond 200 answered leads the chart holds 200 evenly spaced quantiles of the hours
    (``distribution``), the same shape in a bounded number of rows, and the count axis says
    how many leads a row stands for.
    """
    if answered.empty:
        return None
    hours = distribution(answered / 60)
    data = pd.DataFrame({"response_hours": hours.round(3)})
    late = int((answered > warn).sum())
    note = (f"{late:,} of {plural(len(answered), 'answered lead')} waited more than "
            f"{_minutes_words(warn)} for a first answer ({pct(ratio(late, len(answered)))})"
            + (f"; {plural(never, 'lead')} never answered." if never else "."))
    return CauseChart(
        kind="histogram", data=data, x="response_hours", y="response_hours",
        title="Hours from a new lead to its first answer",
        x_title="hours to first answer", y_title=counted("answered leads", len(answered)),
        x_unit="hours",
        y_unit="count",
        marks=tuple((value / 60, words) for value, words in
                    threshold_marks(warn, fail, _minutes_words)),
        note=note)


def speed_verdict(answered: pd.Series, never: int, leads: int, warn: float, fail: float,
                  never_warn: float, never_fail: float, min_evidence: int
                  ) -> tuple[Status, str]:
    """The worse of the median-response and never-answered verdicts, each with the noise
    in view: the median's lower 95% bound must pass a threshold for it to count."""
    never_status, never_why = judge_rate(never, leads, never_warn, never_fail,
                                         min_evidence=min_evidence, noun="leads")
    if len(answered) < min_evidence:
        point = judge(float(answered.median()) if len(answered) else None, warn, fail)
        why = (f"too few to judge the response time: {len(answered):,} answered leads (at "
               f"least {min_evidence:,} needed)") if point.flagged else ""
        return never_status, "; ".join(w for w in (why, never_why) if w)
    low, high = quantile_interval(answered, 0.5)
    median_status = judge(low, warn, fail)
    median_why = ""
    if median_status is not judge(float(answered.median()), warn, fail):
        median_why = (f"median response judged on its 95% interval {low:,.0f} to "
                      f"{high:,.0f} minutes")
    return worst(median_status, never_status), "; ".join(
        w for w in (median_why, never_why) if w)


def lead_impact(data: CheckData, late_leads: int, lift: float, warn: float) -> Impact:
    """Contribution lost on leads answered late or never, a year."""
    conversion, conversion_words = lead_conversion(data)
    lifts = speed_to_lead.spec.params["lift"].spread(lift)
    per_sale, sale_words = sale_contribution(data)
    leads_a_year = annual(data, late_leads)
    values = (leads_a_year * c * x * per_sale
              for c, x in zip(conversion, lifts, strict=True))
    return Impact(
        *values,
        formula=f"{leads_a_year:,.0f} leads a year answered after {warn:g} minutes or never × "
                "conversion × lift from answering in time × contribution of a sale",
        assumptions={
            "conversion": conversion_words,
            "lift from answering in time": " / ".join(f"{x:.0%}" for x in lifts),
            "contribution of a sale": sale_words,
        })


# -- sales.stale_pipeline --------------------------------------------------------------------
def open_deals_at_end(data: CheckData) -> pd.DataFrame:
    """Deals created by the end of the period and still open at its end.

    Open means no ``closed_at`` (and a stage that does not read closed, won or lost), or
    closed only after the period.
    """
    deals = data["deals"]
    deals = deals[deals["created_at"] < data.period.end_exclusive]
    if "closed_at" in deals:
        closed_at = deals["closed_at"]
    else:
        closed_at = pd.Series(pd.NaT, index=deals.index, dtype="datetime64[us]")
    closed_stage = deals["stage"].astype("str").str.lower().str.contains(
        CLOSED_STAGE_PATTERN, regex=True).fillna(False).astype(bool)
    still_open = (closed_at.isna() & ~closed_stage) | (closed_at >= data.period.end_exclusive)
    return deals[still_open]


def stale_reasons(deals: pd.DataFrame, data: CheckData, activity_days: float
                  ) -> tuple[pd.Series, pd.Series]:
    """(no recent activity, close date passed) flags for open deals at the period end.

    A deal's history (``deal_events``: Salesforce's OpportunityHistory) is activity too: the
    latest event of a deal up to the period end replaces ``last_activity_at`` when later (a
    stage change does not update Salesforce's LastActivityDate). ``deals`` then carries
    that date, so the evidence shows it.
    """
    end = data.period.end
    cutoff = end - pd.Timedelta(days=activity_days)
    crm = data["deals"]
    events = data.get("deal_events")
    has_events = events is not None and len(events) > 0
    if has_events:
        moved = events.loc[events["at"] < data.period.end_exclusive].groupby("deal_id")[
            "at"].max()
        # an all-empty column may arrive untyped (object): read both sides as times
        logged = deals.get("last_activity_at", pd.Series(pd.NaT, index=deals.index)
                           ).astype("datetime64[us]")
        latest = deals["deal_id"].map(moved).astype("datetime64[us]")
        deals["last_activity_at"] = latest.where(latest.notna() & ~(latest <= logged), logged)
    has_activity = has_events or (
        "last_activity_at" in crm and crm["last_activity_at"].notna().any())
    has_close_date = "close_date" in crm and crm["close_date"].notna().any()
    if not has_activity and not has_close_date:
        raise NotAssessable("Send the deals export of the CRM with the last activity date and "
                            "the expected close date of each deal (deals: last_activity_at, "
                            f"close_date) as of {end.date()}.")
    no_activity = (deals["last_activity_at"].isna() | (deals["last_activity_at"] < cutoff)
                   ) if has_activity else pd.Series(False, index=deals.index)
    overdue = (deals["close_date"] < end) if has_close_date else pd.Series(
        False, index=deals.index)
    return no_activity.fillna(False).astype(bool), overdue.fillna(False).astype(bool)


@check("sales.stale_pipeline", area="sales", title="Dead deals are still counted in the pipeline",
       needs={"deals": ["deal_id", "created_at", "stage"]}, proof_metric="stale_share")
def stale_pipeline(
    data: CheckData,
    *,
    warn: float = Param(0.20, 0.0, 1.0, 0.05, "Stale share of open pipeline value that warns."),
    fail: float = Param(0.40, 0.0, 1.0, 0.05, "Stale share of open pipeline value that fails."),
    activity_days: float = Param(30, 1, 365, 1, "Days without logged activity after which an "
                                 "open deal is stale.", unit="days"),
    min_evidence: float = Param(10, 1, 10_000, 1, "Open deals needed to judge.", unit="deals"),
) -> Result:
    """Dead deals are still counted in the pipeline.

    Question: how much pipeline is dead but still counted?

    Metric: ``stale_share`` = value (``amount``) of deals open at the period end (no
    ``closed_at``, or closed after the period) whose ``last_activity_at`` is older than
    ``activity_days`` (30) before the period end or missing, or whose ``close_date`` has
    passed ÷ value of all open deals. Without any deal amounts the shares are by deal count.

    Threshold: warn 20%, fail 40% (default judgement thresholds).

    Impact: not priced. Stale deals make the forecast wrong rather than lose money directly;
    the evidence lists the deals to chase or close.

    Chart: open pipeline by owner (else stage), stacked into active, idle and overdue.

    Population: deals open at the period end (created by then, not closed by then).
    Time basis: the period end, local time; a date-only close_date is the end of that day.
    Minimum evidence: ``min_evidence`` (10) open deals; the stale share is judged on its 95%
    Wilson lower bound over the effective number of deals (value-weighted).
    Base: none (forecast error, not priced).
    """
    deals = open_deals_at_end(data)
    no_activity, overdue = stale_reasons(deals, data, activity_days)
    stale = no_activity | overdue
    by_value = "amount" in deals and deals["amount"].fillna(0).sum() > 0
    weight = deals["amount"].fillna(0.0) if by_value else pd.Series(1.0, index=deals.index)
    stale_share = ratio(weight[stale].sum(), weight.sum())
    basis = "open pipeline value" if by_value else "open deals (no amounts on file)"
    reason = (no_activity.map({True: f"no activity in {activity_days:g} days", False: ""})
              .str.cat(overdue.map({True: "close date passed", False: ""}), sep="; ")
              .str.strip("; "))
    evidence = deals.assign(reason=reason)[stale]
    if "last_activity_at" in evidence:
        idle = (data.period.end - evidence["last_activity_at"]).dt.days
        evidence = evidence.assign(days_since_activity=idle)
    sort_by = "amount" if "amount" in evidence else "created_at"
    evidence = evidence.sort_values(sort_by, ascending=sort_by == "created_at")[
        [c for c in ("deal_id", "stage", "amount", "owner", "last_activity_at",
                     "days_since_activity", "close_date", "reason") if c in evidence]]
    status, why = judge_weighted_share(weight, stale, warn, fail,
                                       min_evidence=int(min_evidence), noun="open deals")
    return Result(
        status=status, judgement=why,
        metrics={
            "stale_share": share(stale_share, f"stale ÷ {basis}"),
            "stale_value": Metric(float(weight[stale].sum()) if by_value else None, "$",
                                  "value of stale open deals"),
            "open_value": Metric(float(weight.sum()) if by_value else None, "$",
                                 "value of open deals at the period end"),
            "stale_deals": Metric(int(stale.sum()), "count", "stale open deals"),
            "open_deals": Metric(len(deals), "count", "open deals at the period end"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="deal_id",
        impact=Impact.none("forecast error, not priced: the evidence lists the deals to chase"),
        story=STALE_PIPELINE_STORY,
        chart=stale_pipeline_chart(deals, weight, no_activity, overdue, by_value,
                                   activity_days))


def stale_pipeline_chart(deals: pd.DataFrame, weight: pd.Series, no_activity: pd.Series,
                         overdue: pd.Series, by_value: bool, activity_days: float
                         ) -> CauseChart | None:
    """Open pipeline by owner (else stage), stacked into active deals, deals with no recent
    activity and deals whose close date passed: whose part of the CRM is not kept.

    A deal both idle and overdue counts as idle. The 12 largest owners are shown, the rest
    as "other".
    """
    if deals.empty:
        return None
    who = "owner" if "owner" in deals and deals["owner"].notna().any() else "stage"
    idle = f"no activity in {activity_days:g} days"
    state = pd.Series("active", index=deals.index).mask(overdue, "close date passed").mask(
        no_activity, idle)
    frame = pd.DataFrame({who: top_labels(deals[who], weight), "state": state,
                          "value": weight})
    unit, name = ("$", "open_value") if by_value else ("count", "open_deals")
    data = tally(frame, who, "state", value="value", name=name,
                 series_order=["active", idle, "close date passed"])
    stale = data[data["state"] != "active"].groupby(who)[name].sum()
    total = float(weight.sum())
    def amount(value: float) -> str:
        return money(value) if by_value else plural(value, "deal")

    top = stale.sort_values(ascending=False, kind="stable")
    note = (f"{amount(stale.sum())} of {amount(total)} open pipeline is stale "
            f"({pct(ratio(stale.sum(), total))}); {top.index[0]} holds the most "
            f"({amount(top.iloc[0])})." if stale.sum() > 0 else
            f"All {amount(total)} of open pipeline had activity in the last "
            f"{activity_days:g} days and is within its close date.")
    return CauseChart(
        kind="stacked", data=data, x=who, y=name, series="state",
        title=f"Open pipeline by {who}: active or stale", x_title=who,
        y_title="open pipeline value" if by_value else "open deals", y_unit=unit, note=note)


# -- sales.crm_duplicates --------------------------------------------------------------------
def person_key(customers: pd.DataFrame) -> pd.Series:
    """Who a record is: email, else phone, else name and company, normalized.

    lower(trim(email)) when present; else the last 10 digits of the phone; else
    lower(name) + lower(company). A record with none of them is its own person.
    """
    key, missing, fallback = person_key_parts(customers)
    return _fill_missing(key, missing, fallback) if missing.any() else key


def person_key_parts(customers: pd.DataFrame) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """``person_key`` in two parts: the email keys (missing where a record has no email),
    which records have none, and the fallback key of each of those records, in order.

    The fallbacks are only worked out for the records that need them (most have an email).
    """
    def column(frame: pd.DataFrame, name: str) -> pd.Series:
        if name in frame:
            return frame[name].astype("str").str.strip()
        return pd.Series(pd.NA, index=frame.index, dtype="str")

    email = _email_key(customers["email"]) if "email" in customers else column(
        customers, "email")
    key = "email:" + email
    missing = key.isna().to_numpy()
    rest = customers[missing]
    phone = phone_key(column(rest, "phone"))
    name = column(rest, "name").str.lower().str.replace(r"\s+", " ", regex=True)
    company = column(rest, "company").str.lower().str.replace(r"\s+", " ", regex=True)
    name_company = ("name:" + name.fillna("") + "|" + company.fillna("")).where(
        name.notna() | company.notna())
    own = "record:" + rest["system"].astype("str") + "|" + rest["customer_id"]
    return key, missing, ("phone:" + phone).fillna(name_company).fillna(own)


def _email_key(emails: pd.Series) -> pd.Series:
    """lower(trim(email)), missing when empty: ``astype("str").str.strip().str.lower()``
    then ``where(len > 0)``, in two Arrow passes (a customer list holds a million emails).

    A column of ASCII text (emails nearly always are) takes Arrow's ASCII kernels: on ASCII
    they trim the same whitespace and lower the same letters as the UTF-8 ones, faster.
    """
    text = emails.astype("str")
    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        lowered = text.str.strip().str.lower()
        return lowered.where(lowered.str.len() > 0)
    chunks = text.array.__arrow_array__()
    ascii_only = all(_ascii_bytes(chunk) for chunk in chunks.chunks)
    trimmed = (pc.ascii_trim_whitespace if ascii_only else pc.utf8_trim_whitespace)(chunks)
    lowered = (pc.ascii_lower if ascii_only else pc.utf8_lower)(trimmed)
    kept = pc.if_else(pc.equal(pc.binary_length(lowered), 0),
                      pa.scalar(None, lowered.type), lowered)
    return pd.Series(pd.arrays.ArrowStringArray(kept, dtype=text.dtype), index=text.index,
                     name=text.name)


def _ascii_bytes(chunk: pa.Array) -> bool:
    """Whether every byte of a string chunk's text is ASCII (null slots included)."""
    body = _string_bytes(chunk)[1]
    return not len(body) or int(body.max()) < 0x80


def _person_codes(key: pd.Series, missing: np.ndarray, fallback: pd.Series
                  ) -> tuple[np.ndarray, pd.Index] | None:
    """One code per person for ``person_key_parts``, and each code's person key.

    Email keys and fallback keys start with different words, so they are numbered apart
    without building the full key column. None when a record has no key at all.
    """
    (emails,), email_keys = factorize_together([key])
    (others,), other_keys = factorize_together([fallback])
    if (others < 0).any():
        return None
    person = emails.copy()
    person[missing] = len(email_keys) + others

    def as_index(uniques: pa.Array | np.ndarray) -> pd.Index:
        if isinstance(uniques, pa.Array):
            return pd.Index(pd.arrays.ArrowStringArray(uniques, dtype=key.dtype))
        return pd.Index(uniques, dtype=key.dtype)

    return person, as_index(email_keys).append(as_index(other_keys))


def _fill_missing(key: pd.Series, missing: np.ndarray, values: pd.Series) -> pd.Series:
    """``key.fillna(values)`` where ``values`` holds, in order, one value per ``missing`` row.

    For arrow strings the values are put in place by pyarrow, without aligning two indexes.
    """
    if not (isinstance(key.array, pd.arrays.ArrowStringArray)
            and isinstance(values.array, pd.arrays.ArrowStringArray)):
        return key.fillna(values)

    def single(series: pd.Series) -> pa.Array:
        chunks = series.array.__arrow_array__()
        return chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()

    filled = pc.replace_with_mask(single(key), pa.array(missing), single(values))
    return pd.Series(pd.arrays.ArrowStringArray(filled, dtype=key.dtype), index=key.index,
                     name=key.name)


def _sorted_rank(keys: pd.Index) -> np.ndarray:
    """Each of the distinct ``keys``' place in sorted order: ``pd.factorize(keys,
    sort=True)[0]``, by Arrow's sort when the keys are Arrow strings (no string objects)."""
    if isinstance(keys.array, pd.arrays.ArrowStringArray) and not keys.hasnans:
        ranked = pc.rank(keys.array.__arrow_array__(), sort_keys="ascending",
                         tiebreaker="dense")
        return ranked.to_numpy().astype(np.int64) - 1
    return pd.factorize(keys, sort=True)[0]


def _duplicate_evidence_order(systems: pd.Series, key_rank: np.ndarray,
                              records: np.ndarray) -> np.ndarray:
    """Positions sorted by records per person (most first), person key, then system.

    The order of ``sort_values(["records_for_person", "person_key", "system"],
    ascending=[False, True, True])``, computed on integer ranks of the strings (the same
    stable sort, without ordering the strings row by row).
    """
    system_rank = pd.factorize(systems, sort=True)[0]
    most, keys, kinds = (int(records.max(initial=0)) + 1, int(key_rank.max(initial=0)) + 1,
                         int(system_rank.max(initial=0)) + 2)
    if most * keys * kinds < 2**62:  # one integer per row: most records first, then key,
        # then system (a missing one last), sorted stably as the three columns are
        system = np.where(system_rank < 0, kinds - 1, system_rank)
        combined = ((most - 1 - records.astype(np.int64)) * keys
                    + key_rank.astype(np.int64)) * kinds + system
        return np.argsort(combined, kind="stable")
    ranks = pd.DataFrame({"records": records, "key": key_rank,
                          "system": np.where(system_rank < 0, np.nan, system_rank)})
    return ranks.sort_values(["records", "key", "system"],
                             ascending=[False, True, True]).index.to_numpy()


@check("sales.crm_duplicates", area="sales", title="Customers exist more than once",
       needs={"customers": ["customer_id", "system"]}, proof_metric="duplicate_share")
def crm_duplicates(
    data: CheckData,
    *,
    warn: float = Param(0.05, 0.0, 1.0, 0.01, "Duplicate share of customer records that warns."),
    fail: float = Param(0.10, 0.0, 1.0, 0.01, "Duplicate share of customer records that fails."),
    minutes_per_duplicate: float = Param(5, 0, 120, 1, "Staff minutes a duplicate record costs "
                                         "a year (lookups, merges, mail sent twice).",
                                         unit="minutes"),
    min_evidence: float = Param(30, 1, 100_000, 1, "Customer records needed to judge.",
                                unit="records"),
) -> Result:
    """Customers exist more than once.

    Question: how many customers exist twice?

    Metric: ``duplicate_share`` = (customer records − distinct people) ÷ customer records,
    over all systems' records. A person is recognised by lower(trim(email)) when present,
    else the last 10 digits of the phone, else lower(name) + lower(company).

    Threshold: warn 5%, fail 10% (default judgement thresholds).

    Impact: duplicate records × 5 minutes of staff time a year each × hourly cost (the
    roster's median ``hourly_cost``, else 45 / 60 / 85).

    Chart: customer records by system, stacked into people recorded once, repeated in one
    system, and also in another system.

    Population: every customer record of every system (a snapshot, not the period).
    Time basis: none (the records as exported).
    Minimum evidence: ``min_evidence`` (30) records; judged on the 95% Wilson lower bound
    of the duplicate share.
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    customers = data["customers"]
    columns = [c for c in ("customer_id", "system", "name", "email", "phone", "company",
                           "person_key", "records_for_person")
               if c in customers or c in ("person_key", "records_for_person")]
    parts = person_key_parts(customers)
    coded = _person_codes(*parts) if "system" in customers else None
    if coded is None:
        keyed = customers.assign(person_key=person_key(customers))
        records_per_person = keyed.groupby("person_key")["customer_id"].transform("size")
        people = keyed["person_key"].nunique()
        person = pd.factorize(keyed["person_key"])[0]
        evidence = keyed.assign(records_for_person=records_per_person)[
            records_per_person > 1]
        evidence = evidence.sort_values(["records_for_person", "person_key", "system"],
                                        ascending=[False, True, True])[columns]
    else:
        person, people_keys = coded
        people = len(people_keys)
        records_per_person = np.bincount(person, minlength=people)[person]
        repeated = records_per_person > 1
        # rank only the repeated people's keys: the order sorting the key strings gives
        repeated_people, inverse = np.unique(person[repeated], return_inverse=True)
        rank = _sorted_rank(people_keys.take(repeated_people))[inverse]
        order = _duplicate_evidence_order(customers.loc[repeated, "system"], rank,
                                          records_per_person[repeated])
        rows = np.flatnonzero(repeated)[order]
        evidence = customers[[c for c in columns if c in customers]].take(rows).assign(
            person_key=people_keys.take(person[rows]).array,
            records_for_person=records_per_person[rows])[columns]
    records = len(customers)
    duplicates = records - people
    duplicate_share = ratio(duplicates, records)
    hourly, hourly_words = hourly_cost(data)
    hours = duplicates * minutes_per_duplicate / 60
    status, why = judge_rate(duplicates, records, warn, fail, min_evidence=int(min_evidence),
                             noun="customer records")
    return Result(
        status=status, judgement=why,
        metrics={
            "duplicate_share": share(duplicate_share, "(records − distinct people) ÷ records"),
            "duplicate_records": Metric(duplicates, "count", "records beyond one per person"),
            "records": Metric(records, "count", "customer records"),
            "people": Metric(people, "count", "distinct people"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="customer_id",
        chart=duplicates_chart(customers["system"], person, duplicates),
        impact=Impact(*(hours * h for h in hourly),
                      formula=f"{duplicates:,} duplicate records × {minutes_per_duplicate:g} "
                              "minutes of staff time a year each × hourly cost",
                      assumptions={"hourly cost": hourly_words,
                                   "minutes per duplicate a year": f"{minutes_per_duplicate:g}"}),
        story=CRM_DUPLICATES_STORY)


PAIR_GRID_LIMIT = 64_000_000
"""Largest people × systems grid counted with one flag per pair (64 MB); beyond it the
distinct pairs are sorted instead."""


def duplicates_chart(systems: pd.Series, person: np.ndarray, duplicates: int) -> CauseChart:
    """Customer records per system (the 12 largest), split into people recorded once, people
    recorded twice inside one system, and people who also exist in another system: whether
    the duplicates come from systems that do not share customers, or from one system.

    ``person`` is each record's person code (-1: none); counted with integer codes.
    """
    once, same, across = ("person recorded once", "person repeated in one system",
                          "person also in another system")
    system_codes = pd.factorize(systems)[0].astype("int64")
    person = np.asarray(person, dtype="int64")
    known = person >= 0
    records = np.bincount(person[known], minlength=person.max() + 1 if known.any() else 0)
    width = int(system_codes.max()) + 2 if len(system_codes) else 2
    pair_codes = person[known] * width + system_codes[known] + 1
    if len(records) * width <= PAIR_GRID_LIMIT:  # a flag per (person, system): no sort
        present = np.zeros(len(records) * width, dtype=bool)
        present[pair_codes] = True
        systems_per_person = present.reshape(len(records), width).sum(axis=1)
    else:
        systems_per_person = np.bincount(np.unique(pair_codes) // width,
                                         minlength=len(records))
    kind = np.zeros(len(person), dtype="int64")
    kind[known] = np.where(systems_per_person[person[known]] > 1, 2,
                           np.where(records[person[known]] > 1, 1, 0))
    frame = pd.DataFrame({"system": top_labels(systems),
                          "record": labelled(kind, [once, same, across], systems.index)})
    data = tally(frame, "system", "record", name="records", series_order=[across, same, once])
    total = len(systems)
    split, repeated = int((kind == 2).sum()), int((kind == 1).sum())
    if split or repeated:
        note = (f"{duplicates:,} of {total:,} records are extra copies of a person "
                f"({pct(ratio(duplicates, total))}); {plural(split, 'record')} belong to "
                f"people who also exist in another system, {repeated:,} to people repeated "
                "inside one system.")
    else:
        note = (f"Each of the {total:,} customer records is a different person." if total > 1
                else "The one customer record is one person.")
    return CauseChart(
        kind="stacked", data=data, x="system", y="records", series="record",
        title="Customer records by system: once, repeated, or also in another system",
        x_title="system", y_title="customer records", y_unit="count", note=note)
