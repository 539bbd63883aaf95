"""Hat 3, marketing: does the money spent to win customers come back, and is the promise kept?

"Promotions work" and "marketing does not work" are both often unmeasured: a code that
leaked to coupon sites discounts orders that would have come anyway, orders carry no source
so nobody can tell which channel works, some channels never pay back what a customer costs,
and checkout promises a delivery speed operations cannot see.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts_people import (
    counted,
    distribution,
    labelled,
    month_start,
    pct,
    plural,
    tally,
    threshold_marks,
    top_labels,
)
from opskit.checks._common import (
    annual,
    code_table,
    first_shipments,
    gross_margin,
    in_period,
    join_first_shipments,
    judge,
    judge_rate,
    judge_weighted_share,
    key_codes,
    line_revenue,
    live_order_rows,
    order_positions,
    period_order_codes,
    period_orders,
    population_words,
    ratio,
    share,
    sortable_codes,
    wilson_interval,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

DISCOUNT_STORY = Story(
    "Promotions work.",
    "Discounts go beyond their purpose: a code used by far more customers than it was meant "
    "for (leaked to coupon sites), or several codes stacked on one order.")
ATTRIBUTION_STORY = Story(
    "Marketing does not work.",
    "Nobody can tell which part works: orders carry no marketing source.")
CAC_STORY = Story(
    "Growth is expensive.",
    "Some channels never pay back: a new customer's first order earns less than it cost to "
    "win them.")
PROMISE_STORY = Story(
    "Customers complain that deliveries are late.",
    "Marketing promises a delivery speed at checkout that operations cannot see or keep.")

UNKNOWN_SOURCES = ("unknown", "(not set)", "(none)", "not set", "none", "null")
#: Code names meant for a closed group of people: many customers using one is a leak.
CLOSED_AUDIENCE_CODES = (r"VIP|FRIEND|FAMILY|STAFF|EMPLOYEE|TEAM|PARTNER|INFLUENC|AMBASSADOR|"
                         r"CREATOR|INSIDER|PRESS|AFFILIATE|LOYAL|VENDOR")


def period_words(data: CheckData) -> str:
    return f"{data.period.start.date()} to {data.period.end.date()}"


def normalized(values: pd.Series) -> pd.Series:
    """Lower-case trimmed text, so 'Google ' and 'google' name the same channel."""
    return values.astype("str").str.strip().str.lower()


def spend_in_period(data: CheckData) -> pd.DataFrame:
    """Marketing spend by channel inside the period, a month's spend pro-rated by overlap days.

    ``marketing_spend.month`` is the month's first day; a month only partly inside the period
    counts for the share of its days that are inside.
    """
    spend = data["marketing_spend"]
    month = spend["month"].dt.to_period("M")
    month_start = month.dt.to_timestamp().astype("datetime64[us]")
    month_end = (month + 1).dt.to_timestamp().astype("datetime64[us]")
    start = month_start.clip(lower=data.period.start)
    end = month_end.clip(upper=data.period.end_exclusive)
    inside = ((end - start).dt.days.clip(lower=0) / (month_end - month_start).dt.days)
    frame = pd.DataFrame({"channel": normalized(spend["channel"]),
                          "spend": spend["spend"].fillna(0.0) * inside})
    return frame.groupby("channel", as_index=False)["spend"].sum()


# -- marketing.discount_leakage --------------------------------------------------------------
def gross_revenue(orders: pd.DataFrame) -> pd.Series:
    """Gross revenue of each order: its subtotal, rebuilt from the total where it is missing.

    Rebuilt subtotal = total − shipping charged − tax + discount (the total is after discounts
    with shipping and tax).
    """
    def column(name: str) -> pd.Series:
        return orders[name].fillna(0.0) if name in orders else pd.Series(0.0, index=orders.index)

    rebuilt = (orders["total"] - column("shipping_charged") - column("tax")
               + column("discount_total"))
    if "subtotal" not in orders:
        return rebuilt
    return orders["subtotal"].fillna(rebuilt)


def code_usage(orders: pd.DataFrame, discount: pd.Series, gross: pd.Series) -> pd.DataFrame:
    """One row per (order, code) for orders with a discount code; stacked codes split evenly.

    Codes are compared upper-cased; several codes on one order are comma separated. Each
    row carries its share of the order's discount and of its gross revenue.
    """
    used = orders[orders["discount_code"].notna()]
    customer = used["customer_id"] if "customer_id" in used else pd.Series(
        pd.NA, index=used.index, dtype="str")
    rows = pd.DataFrame({
        "order_id": used["order_id"], "ordered_at": used["ordered_at"],
        "customer": customer.fillna("order " + used["order_id"]),
        "order_discount": discount[used.index], "order_gross": gross[used.index],
    })
    rows = _one_row_per_code(rows, used["discount_code"])
    rows = rows[rows["discount_code"].fillna("").str.len() > 0]
    codes_on_order = rows.groupby("order_id")["discount_code"].transform("nunique")
    return rows.assign(stacked=codes_on_order > 1,
                       code_discount=rows["order_discount"] / codes_on_order,
                       code_gross=rows["order_gross"] / codes_on_order)


def _one_row_per_code(rows: pd.DataFrame, codes: pd.Series) -> pd.DataFrame:
    """``rows.assign(discount_code=codes.str.split(",")).explode("discount_code")`` with each
    code stripped and upper-cased: a row per code of each order, in order.

    An export repeats a handful of code strings over many orders, so each distinct string
    is split and cleaned once (by the very same string methods) and the rows repeat by
    position; splitting every order's string cost 0.1 s at 320k discounted orders.
    """
    which, distinct = pd.factorize(codes)
    parts = pd.DataFrame({"code": np.arange(len(distinct)),
                          "discount_code": pd.Series(distinct, dtype=codes.dtype).str.split(",")}
                         ).explode("discount_code", ignore_index=True)
    cleaned = parts["discount_code"].str.strip().str.upper()
    per_code = np.bincount(parts["code"].to_numpy(dtype=np.int64), minlength=len(distinct))
    first_part = np.cumsum(per_code) - per_code
    repeat = per_code[which]
    row = np.repeat(np.arange(len(rows)), repeat)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    exploded = rows.iloc[row]
    taken = cleaned.array.take(first_part[which][row] + nth)
    return exploded.assign(discount_code=pd.Series(taken, index=exploded.index))


def leaked_codes(usage: pd.DataFrame, many_customers: float, deep_discount: float
                 ) -> tuple[pd.DataFrame, float, pd.Series]:
    """Every code with the discount $ it leaked (leaked first), the total leaked, and the
    leaked discount of each order (indexed by order_id).

    A code leaked when ``many_customers`` or more distinct customers used it and it is either
    deep (average discount at or above ``deep_discount`` of gross) or named for a closed
    audience (VIP, friends, staff, partner, influencer...): such codes were never meant for
    that many people. A stacked order (several codes) leaked its whole discount.
    """
    per_code = usage.groupby("discount_code", as_index=False).agg(
        orders=("order_id", "nunique"), customers=("customer", "nunique"),
        discount=("code_discount", "sum"), gross=("code_gross", "sum"),
        stacked_orders=("stacked", "sum"),
        first_used_at=("ordered_at", "min"), last_used_at=("ordered_at", "max"))
    depth = (per_code["discount"] / per_code["gross"].where(per_code["gross"] > 0)).fillna(0)
    closed = per_code["discount_code"].str.contains(CLOSED_AUDIENCE_CODES, regex=True)
    widely = per_code["customers"] >= many_customers
    leaked_code = widely & ((depth >= deep_discount) | closed)
    usage = usage.assign(leaked=usage["stacked"] | usage["discount_code"].isin(
        per_code.loc[leaked_code, "discount_code"]))
    leaked_by_code = usage[usage["leaked"]].groupby("discount_code")["code_discount"].sum()
    why_code = closed.map({True: "closed-audience code", False: f"{deep_discount:.0%}+ off"})
    code_reason = ("used by " + per_code["customers"].astype("str") + " customers, "
                   + why_code).where(leaked_code, "")
    stack_reason = pd.Series("stacked with other codes", index=per_code.index).where(
        per_code["stacked_orders"] > 0, "")
    reason = code_reason.str.cat(stack_reason, sep="; ").str.strip("; ")
    per_code = per_code.assign(
        depth=depth.round(4), reason=reason, shared_beyond=leaked_code,
        leaked_discount=per_code["discount_code"].map(leaked_by_code).fillna(0.0).round(2))
    per_code = per_code.sort_values(["leaked_discount", "discount", "discount_code"],
                                    ascending=[False, False, True])
    per_order = usage[usage["leaked"]].groupby("order_id")["code_discount"].sum()
    return per_code.reset_index(drop=True), float(leaked_by_code.sum()), per_order


def discount_code_evidence(codes: pd.DataFrame, status: Status) -> pd.DataFrame:
    """The codes that leaked; when none did but discounts are too high, every code by $."""
    offending = codes[codes["leaked_discount"] > 0]
    if offending.empty and status.flagged:
        offending = codes.assign(reason="no leak found: part of the period's discounts")
    return offending[["discount_code", "leaked_discount", "discount", "depth", "orders",
                      "customers", "stacked_orders", "first_used_at", "last_used_at",
                      "reason"]].round({"discount": 2}).reset_index(drop=True)


def deep_order_evidence(orders: pd.DataFrame, discount: pd.Series, gross: pd.Series,
                        warn: float) -> pd.DataFrame:
    """Without codes: the orders discounted by ``warn`` or more of their gross, deepest $ first."""
    depth = (discount / gross.where(gross > 0)).fillna(0.0)
    deep = orders.assign(discount=discount, gross=gross, depth=depth.round(4))[depth >= warn]
    return deep.sort_values("discount", ascending=False)[
        [c for c in ("order_id", "ordered_at", "discount", "gross", "depth", "channel",
                     "customer_id") if c in deep]].reset_index(drop=True)


@check("marketing.discount_leakage", area="marketing",
       title="Discounts go beyond their purpose",
       needs={"orders": ["order_id", "ordered_at", "total", "discount_total"]},
       proof_metric="discount_share")
def discount_leakage(
    data: CheckData,
    *,
    warn: float = Param(0.08, 0.0, 1.0, 0.01, "Discounts as a share of gross revenue that "
                        "warns."),
    fail: float = Param(0.15, 0.0, 1.0, 0.01, "Discounts as a share of gross revenue that "
                        "fails."),
    many_customers: float = Param(50, 2, 100_000, 5, "Distinct customers of one code in the "
                                  "period from which a deep or closed-audience code counts "
                                  "as leaked.", unit="customers"),
    deep_discount: float = Param(0.40, 0.0, 1.0, 0.05, "Average discount of a code (share of "
                                 "gross) from which a widely used code counts as leaked.",
                                 unit="share"),
    recoverable: float = Param(0.75, 0.0, 1.0, 0.05, "Share of the leaked discount the client "
                               "can stop giving.", low=0.50, high=1.0, unit="share"),
    min_evidence: float = Param(30, 1, 100_000, 1, "Live orders of the period needed to "
                                "judge.", unit="orders"),
) -> Result:
    """Discounts go beyond their purpose.

    Question: are discounts given beyond their purpose?

    Metric: ``discount_share`` = Σ ``discount_total`` ÷ Σ ``subtotal`` (gross revenue) over
    orders of the period; a missing subtotal is rebuilt as total − shipping − tax + discount.
    The evidence lists the codes that leaked: codes used by ``many_customers`` (50) or more
    distinct customers in the period that are deep (``deep_discount``, 40%+ of gross on
    average) or named for a closed audience (VIP, friends, staff, partner, influencer...),
    and codes stacked with another code on one order. When no code leaked but the share is
    flagged, every code is listed; without codes, the orders discounted by ``warn`` or more.
    The data has no campaign calendar, so codes used past their campaign are not detected
    separately.

    Threshold: warn 8%, fail 15% of gross revenue (default judgement thresholds).

    Impact: leaked discount $ a year (the whole discount of orders that stacked codes or used a
    leaked code; without codes, the discount above ``warn`` × gross revenue) × recoverable
    share 50% / 75% / 100%. The leaked dollars are attached per order, so an order whose
    loss margin.negative_margin_orders also prices enters the total once.

    Chart: distinct customers per discount code against the ``many_customers`` mark, each
    code shared beyond its audience, leaked by stacking or within its purpose; without codes
    (or with one), the distribution of order discount depth with the warn and fail marks.

    Population: live orders of the period (cancelled, refunded, test and draft left out).
    Time basis: ordered_at, local time.
    Minimum evidence: ``min_evidence`` (30) orders; the discount share is judged on its 95%
    Wilson lower bound over the effective number of orders (weighted by gross revenue).
    Base: the leaked discount itself (money given away), not a share of revenue.
    """
    orders = period_orders(data)
    if orders.empty:
        raise NotAssessable("Send the order export of the shop with discount amounts and codes "
                            f"(orders: discount_total, discount_code) covering "
                            f"{period_words(data)}.")
    discount = orders["discount_total"].fillna(0.0)
    gross = gross_revenue(orders)
    discount_share = ratio(discount.sum(), gross.sum())
    has_codes = "discount_code" in orders and orders["discount_code"].notna().any()
    depth = (discount / gross.where(gross > 0)).fillna(0.0)
    status, why = judge_weighted_share(gross, depth, warn, fail,
                                       min_evidence=int(min_evidence), noun="orders")
    if has_codes:
        usage = code_usage(orders, discount, gross)
        codes, leaked, per_order = leaked_codes(usage, many_customers, deep_discount)
        chart = (discount_code_chart(codes, many_customers) if len(codes) >= 2
                 else discount_depth_chart(depth, warn, fail))
        evidence = discount_code_evidence(codes, status)
        evidence_id = "discount_code"
        leak_words = ("discount of stacked orders and of deep or closed-audience codes used by "
                      f"{many_customers:g}+ customers")
    else:
        leaked = max(0.0, float(discount.sum() - warn * gross.sum()))
        total = float(discount.sum())
        per_order = pd.Series((discount * (leaked / total if total else 0.0)).to_numpy(),
                              index=orders["order_id"].to_numpy())
        evidence = deep_order_evidence(orders, discount, gross, warn)
        chart = discount_depth_chart(depth, warn, fail)
        evidence_id = "order_id"
        leak_words = f"discount above {warn:.0%} of gross revenue (no discount codes on file)"
    shares = discount_leakage.spec.params["recoverable"].spread(recoverable)
    leaked_a_year = annual(data, leaked)
    records = pd.Series(annual(data, 1.0) * shares[1] * per_order[per_order > 0],
                        name="order_id")
    return Result(
        status=status, judgement=why,
        metrics={
            "discount_share": share(discount_share, "discounts ÷ gross revenue"),
            "discounts": Metric(float(discount.sum()), "$", "discounts given in the period"),
            "gross_revenue": Metric(float(gross.sum()), "$", "gross revenue (subtotals)"),
            "leaked_discount": Metric(leaked, "$", leak_words),
        },
        evidence=evidence, evidence_id=evidence_id,
        impact=Impact(*(leaked_a_year * s for s in shares), records=records,
                      formula=f"{money(leaked_a_year)} leaked discount a year × recoverable "
                              "share",
                      assumptions={"leaked discount": leak_words,
                                   "recoverable share": " / ".join(f"{s:.0%}" for s in shares),
                                   "population": population_words(data) or "every order of "
                                   "the period is live"}),
        story=DISCOUNT_STORY, chart=chart)


def discount_code_chart(codes: pd.DataFrame, many_customers: float) -> CauseChart:
    """Customers per discount code (the 12 largest codes by discount $), against the
    ``many_customers`` mark: who a code was meant for and who used it. Each code is shared
    beyond its audience (deep or closed-audience and widely used), leaked only through
    orders that stacked it with another code, or within its purpose.
    With a single code the order discount distribution is drawn instead (one bar says
    nothing a number does not)."""
    top = codes.sort_values(["discount", "discount_code"], ascending=[False, True]).head(12)
    verdict = np.where(top["shared_beyond"], "shared beyond its audience",
                       np.where(top["leaked_discount"] > 0, "stacked with other codes",
                                "within its purpose"))
    data = pd.DataFrame({"discount_code": top["discount_code"].to_numpy(),
                         "customers": top["customers"].to_numpy(dtype="int64"),
                         "discount": top["discount"].round(2).to_numpy(),
                         "verdict": verdict})
    leaked = top[top["leaked_discount"] > 0]
    if len(leaked):
        worst_code = leaked.sort_values("leaked_discount", ascending=False).iloc[0]
        note = (f"{worst_code['discount_code']} gave {money(worst_code['leaked_discount'])} "
                f"away: {worst_code['reason']}.")
    else:
        widest = top.sort_values("customers", ascending=False).iloc[0]
        note = (f"No code leaked; the most used, {widest['discount_code']}, reached "
                f"{plural(widest['customers'], 'customer')}.")
    return CauseChart(
        kind="bars", data=data, x="discount_code", y="customers", series="verdict",
        title="Customers per discount code, against who a closed code is meant for",
        x_title="discount code", y_title="distinct customers", y_unit="count",
        marks=((float(many_customers), f"{many_customers:g} customers: too many for a deep "
                                       "or closed-audience code"),),
        note=note)


def discount_depth_chart(depth: pd.Series, warn: float, fail: float) -> CauseChart:
    """Without codes (or with one): orders by how deep their discount went, in the bands the
    verdict reads (none, under warn, warn to fail, fail and over). Four bars always, so a
    client with no discount at all sees every order in "no discount", not a single bar."""
    bands = ["no discount", f"under {pct(warn)}", f"{pct(warn)} to {pct(fail)}",
             f"{pct(fail)} or more"]
    which = np.select([depth <= 0, depth < warn, depth < fail], [0, 1, 2], default=3)
    counts = np.bincount(which, minlength=4)
    data = pd.DataFrame({"discount_band": bands, "orders": counts.astype(int)})
    deep = int((depth >= warn).sum())
    return CauseChart(
        kind="bars", data=data, x="discount_band", y="orders",
        title="Orders by how deep their discount went", x_title="discount ÷ gross",
        y_title="orders", y_unit="count",
        note=(f"{deep:,} of {plural(len(depth), 'order')} were discounted by {pct(warn)} or "
              f"more of their gross ({pct(ratio(deep, len(depth)))})."))


# -- marketing.attribution_coverage ----------------------------------------------------------
def attributed(sources: pd.Series) -> pd.Series:
    """True where a source is known: not empty and not a placeholder like 'unknown'."""
    clean = normalized(sources)
    return (clean.fillna("").str.len() > 0) & ~clean.isin(UNKNOWN_SOURCES)


def attribution_records(data: CheckData) -> tuple[pd.DataFrame, str, str]:
    """The records to judge (orders of the period, else leads), their id and their name.

    Orders come first; leads stand in when the period has no orders or the orders carry no
    source column at all.
    """
    orders = period_orders(data) if data.has("orders", "order_id", "ordered_at") else None
    leads = in_period(data["leads"], "created_at", data) if data.has(
        "leads", "lead_id", "created_at") else None
    if orders is not None and len(orders) and "source" in orders:
        return orders, "order_id", "orders"
    if leads is not None and len(leads) and "source" in leads:
        return leads, "lead_id", "leads"
    if orders is not None and len(orders):
        raise NotAssessable("Send the order export with the marketing source of each order "
                            "(orders: source, e.g. UTM source or referrer) covering "
                            f"{period_words(data)}.")
    raise NotAssessable("Send the order export of the shop (orders: order_id, ordered_at, "
                        "source), or the CRM's leads with their source (leads: lead_id, "
                        f"created_at, source), covering {period_words(data)}.")


def blind_spend(data: CheckData, records: pd.DataFrame, known: pd.Series,
                attributed_share: float) -> tuple[float, str]:
    """Spend in the period whose results cannot be traced, and how it was counted.

    A channel that no record names as its source is wholly blind; the spend of a named
    channel is blind for the unattributed share of records.
    """
    if not data.has("marketing_spend", "month", "channel", "spend"):
        return 0.0, "no marketing spend on file"
    spend = spend_in_period(data)
    named = normalized(records.loc[known, "source"]).unique()
    blind = spend["spend"].where(~spend["channel"].isin(named),
                                 spend["spend"] * (1 - attributed_share))
    return float(blind.sum()), ("spend of channels no record names, plus the unattributed "
                                "share of the other channels' spend")


@check("marketing.attribution_coverage", area="marketing",
       title="Orders do not say where customers came from", needs={},
       proof_metric="attributed_share")
def attribution_coverage(
    data: CheckData,
    *,
    warn: float = Param(0.80, 0.0, 1.0, 0.05, "Attributed share below which the check warns."),
    fail: float = Param(0.60, 0.0, 1.0, 0.05, "Attributed share below which the check fails."),
    waste: float = Param(0.10, 0.0, 1.0, 0.01, "Share of blind spend that better attribution "
                         "would redirect.", low=0.05, high=0.20, unit="share"),
    min_evidence: float = Param(30, 1, 100_000, 1, "Orders (or leads) of the period needed "
                                "to judge.", unit="records"),
) -> Result:
    """Orders do not say where customers came from.

    Question: do we know where customers come from?

    Metric: ``attributed_share`` = orders of the period with a known ``source`` (not empty,
    not a placeholder such as 'unknown' or '(not set)') ÷ orders of the period. Without
    orders, or without a source column on them, the CRM's leads of the period stand in.

    Threshold: warn below 80%, fail below 60% (lower is worse; default judgement thresholds).

    Impact: blind marketing spend a year (spend on channels no order names as source, plus
    the unattributed share of the other channels' spend) × share that better attribution
    would redirect 5% / 10% / 20%.

    Chart: records with and without a known source, stacked by channel (else by month).

    Population: live orders of the period (else leads created in the period).
    Time basis: ordered_at (created_at for leads), local time; spend pro-rated by days.
    Minimum evidence: ``min_evidence`` (30) records; judged on the 95% Wilson upper bound
    of the attributed share (lower is worse).
    Base: marketing spend of the period, annualized.
    """
    records, record_id, noun = attribution_records(data)
    known = attributed(records["source"])
    attributed_share = ratio(known.sum(), len(records))
    blind, blind_words = blind_spend(data, records, known, attributed_share)
    wastes = attribution_coverage.spec.params["waste"].spread(waste)
    blind_a_year = annual(data, blind)
    value = "total" if noun == "orders" else "value"
    time = "ordered_at" if noun == "orders" else "created_at"
    evidence = records[~known]
    columns = [c for c in (record_id, time, value, "channel", "customer_id", "owner",
                           "source") if c in evidence]
    evidence = evidence.sort_values(value if value in evidence else time,
                                    ascending=value not in evidence)[columns]
    status, why = judge_rate(int(known.sum()), len(records), warn, fail,
                             min_evidence=int(min_evidence), noun=noun, higher_is_worse=False)
    return Result(
        status=status, judgement=why,
        metrics={
            "attributed_share": share(attributed_share, f"{noun} with a known source ÷ {noun}"),
            "unattributed": Metric(int((~known).sum()), "count", f"{noun} with no source"),
            noun: Metric(len(records), "count", f"{noun} in the period"),
            "blind_spend": Metric(blind, "$", blind_words),
        },
        evidence=evidence.reset_index(drop=True), evidence_id=record_id,
        impact=Impact(*(blind_a_year * w for w in wastes),
                      formula=f"{money(blind_a_year)} blind marketing spend a year × share "
                              "better attribution would redirect",
                      assumptions={"blind spend": blind_words,
                                   "share redirected": " / ".join(f"{w:.0%}" for w in wastes)}),
        story=ATTRIBUTION_STORY, chart=attribution_chart(records, known, noun, time))


def attribution_chart(records: pd.DataFrame, known: pd.Series, noun: str, time: str
                      ) -> CauseChart:
    """Records with and without a known source, stacked by channel (the 12 largest), else
    by month: where the blind spot is."""
    by_channel = "channel" in records and records["channel"].notna().any()
    x = "channel" if by_channel else "month"
    label = (top_labels(records["channel"]) if by_channel
             else month_start(records[time]))
    frame = pd.DataFrame({x: label, "source": labelled(known.to_numpy(dtype=bool),
                                                        ["no source", "known source"],
                                                        records.index)})
    order = sorted(pd.unique(label.dropna())) if not by_channel else None
    data = tally(frame, x, "source", x_order=order, name=noun,
                 series_order=["known source", "no source"])
    blind = data[data["source"] == "no source"].set_index(x)[noun]
    total = data.groupby(x)[noun].sum()
    unknown = int((~known).sum())
    if unknown:
        top = blind.sort_values(ascending=False, kind="stable").index[0]
        where = top.strftime("%Y-%m") if isinstance(top, pd.Timestamp) else top
        note = (f"{unknown:,} of {plural(len(records), noun[:-1])} have no source "
                f"({pct(ratio(unknown, len(records)))}); the most in {where} "
                f"({blind[top]:,} of {total[top]:,}).")
    else:
        note = f"Every one of the {len(records):,} {noun} names its source."
    return CauseChart(
        kind="stacked", data=data, x=x, y=noun, series="source",
        title=f"{noun.capitalize()} with and without a known source, by {x}", x_title=x,
        y_title=noun, y_unit="count", note=note)


# -- marketing.cac_payback -------------------------------------------------------------------
def order_contribution(data: CheckData, orders: pd.DataFrame,
                       codes: np.ndarray | None = None) -> pd.Series:
    """Contribution of each order, indexed by order_id.

    Σ line revenue − discount_total − Σ quantity × unit_cost − shipping cost + shipping
    charged (missing values count 0; a line whose SKU has no cost counts cost 0). Without
    order lines, revenue is the order's gross revenue and cost is revenue × (1 − gross
    margin); without products, cost is line revenue × (1 − gross margin). With the order-id
    ``codes`` of ``orders`` (``key_codes``), lines and parcels are found by code.
    """
    all_codes = key_codes(data)
    if codes is None or order_positions(data) is None or not {
            "order_lines", "shipments"} <= set(all_codes):
        return _order_contribution_by_id(data, orders)
    first = ~pd.Series(codes).duplicated().to_numpy()  # drop_duplicates, by code
    ids, id_codes = orders[["order_id"]][first], codes[first]
    ours = code_table(all_codes, id_codes)
    margin = gross_margin(data)
    if data.has("order_lines", "order_id", "sku", "quantity", "unit_price"):
        line_codes = all_codes["order_lines"]
        lines = data["order_lines"][ours[line_codes]].reset_index(drop=True)
        line_codes = line_codes[ours[line_codes]]
        lines = _lines_with_cogs(data, lines, margin)
        # the same rows grouped by labels that sort as the ids: the very same sums
        per_order = lines.groupby(sortable_codes(data, line_codes))[["revenue", "cogs"]].sum(
            ).reindex(sortable_codes(data, id_codes))
        revenue = pd.Series(per_order["revenue"].to_numpy(), index=ids.index).fillna(0.0)
        cogs = pd.Series(per_order["cogs"].to_numpy(), index=ids.index).fillna(0.0)
    else:
        revenue = gross_revenue(orders.drop_duplicates("order_id")).set_axis(ids.index)
        cogs = revenue * (1 - margin)
    shipping_cost = pd.Series(0.0, index=ids.index)
    if data.has("shipments", "order_id", "shipping_cost"):
        per_order_cost = data["shipments"]["shipping_cost"].groupby(
            sortable_codes(data, all_codes["shipments"])).sum()
        shipping_cost = pd.Series(
            per_order_cost.reindex(sortable_codes(data, id_codes)).to_numpy(),
            index=ids.index).fillna(0.0)
    return _contribution(orders, ids, revenue, cogs, shipping_cost,
                         same_rows=bool(first.all() and (codes >= 0).all()))


def _order_contribution_by_id(data: CheckData, orders: pd.DataFrame) -> pd.Series:
    """``order_contribution`` joined on the order ids (data the codes cannot stand for)."""
    ids = orders[["order_id"]].drop_duplicates()
    margin = gross_margin(data)
    if data.has("order_lines", "order_id", "sku", "quantity", "unit_price"):
        lines = data["order_lines"].merge(ids, on="order_id", how="inner")
        lines = _lines_with_cogs(data, lines, margin)
        per_order = lines.groupby("order_id")[["revenue", "cogs"]].sum()
        revenue = ids["order_id"].map(per_order["revenue"]).fillna(0.0)
        cogs = ids["order_id"].map(per_order["cogs"]).fillna(0.0)
    else:
        revenue = gross_revenue(orders.drop_duplicates("order_id")).set_axis(ids.index)
        cogs = revenue * (1 - margin)
    shipping_cost = pd.Series(0.0, index=ids.index)
    if data.has("shipments", "order_id", "shipping_cost"):
        per_order_cost = data["shipments"].groupby("order_id")["shipping_cost"].sum()
        shipping_cost = ids["order_id"].map(per_order_cost).fillna(0.0)
    return _contribution(orders, ids, revenue, cogs, shipping_cost)


def _lines_with_cogs(data: CheckData, lines: pd.DataFrame, margin: float) -> pd.DataFrame:
    """``lines`` with their ``revenue`` and ``cogs``, the same by code or by id.

    Cost is quantity × the product's unit_cost (a SKU with no cost counts 0); without the
    products' unit_cost, it is revenue × (1 − gross ``margin``).
    """
    lines = lines.assign(revenue=line_revenue(lines))
    if data.has("products", "sku", "unit_cost"):
        costs = data["products"].drop_duplicates("sku")[["sku", "unit_cost"]]
        lines = lines.merge(costs, on="sku", how="left")
        return lines.assign(cogs=lines["quantity"] * lines["unit_cost"].fillna(0.0))
    return lines.assign(cogs=lines["revenue"] * (1 - margin))


def _contribution(orders: pd.DataFrame, ids: pd.DataFrame, revenue: pd.Series,
                  cogs: pd.Series, shipping_cost: pd.Series, *, same_rows: bool = False
                  ) -> pd.Series:
    """revenue − discount − cogs − shipping cost + shipping charged, indexed by order_id.

    ``same_rows``: ``ids`` are ``orders``' own rows, each order once, none without an id;
    each order's amounts are then its row's, without looking the ids up.
    """
    by_id = orders if same_rows else orders.drop_duplicates("order_id").set_index("order_id")

    def order_column(name: str) -> pd.Series:
        if name not in by_id:
            return pd.Series(0.0, index=ids.index)
        if same_rows:
            return orders[name].fillna(0.0)
        return ids["order_id"].map(by_id[name]).fillna(0.0)

    contribution = (revenue - order_column("discount_total") - cogs - shipping_cost
                    + order_column("shipping_charged"))
    return pd.Series(contribution.to_numpy(), index=ids["order_id"].to_numpy(), dtype="float64")


def new_customer_first_orders(data: CheckData) -> pd.DataFrame:
    """First live orders ever of customers whose first live order falls inside the period
    (a cancelled or test order acquired nobody)."""
    rows = new_customer_first_order_rows(data)
    if rows is not None:
        return data["orders"].take(rows)
    orders = data["orders"][live_order_rows(data)].dropna(subset=["customer_id"])
    first = orders.sort_values("ordered_at").drop_duplicates("customer_id", keep="first")
    return first[data.period.contains(first["ordered_at"])]


def new_customer_first_order_rows(data: CheckData) -> np.ndarray | None:
    """Positions in ``orders`` of ``new_customer_first_orders``, or None for string-free data.

    The same rows in the same order as dropping orders without a customer, sorting by
    ``ordered_at`` (the very same sort call) and keeping each customer's first: only the
    customer ids are encoded, and only the rows kept are taken.
    """
    orders = data["orders"]
    if not isinstance(orders["customer_id"].array, pd.arrays.ArrowStringArray):
        return None
    customers = pd.factorize(orders["customer_id"])[0]
    known = np.flatnonzero((customers >= 0) & live_order_rows(data))
    order = orders["ordered_at"].iloc[known].reset_index(drop=True).sort_values().index
    order = order.to_numpy()
    first = known[order[~pd.Series(customers[known][order]).duplicated().to_numpy()]]
    inside = data.period.contains(orders["ordered_at"].iloc[first]).to_numpy(dtype=bool)
    return first[inside]


#: What cac_payback reads of a first order: the contribution's money, the channel source.
FIRST_ORDER_COLUMNS = ("order_id", "ordered_at", "customer_id", "source", "total", "subtotal",
                       "tax", "discount_total", "shipping_charged")


def payback_by_channel(first_orders: pd.DataFrame, spend: pd.DataFrame) -> pd.DataFrame:
    """Per spend channel: spend, new customers, first-order contribution, payback ratio."""
    source = normalized(first_orders["source"]) if "source" in first_orders else pd.Series(
        pd.NA, index=first_orders.index, dtype="str")
    won = first_orders.assign(channel=source).groupby("channel").agg(
        new_customers=("customer_id", "size"), first_order_contribution=("contribution", "sum"))
    channels = spend.set_index("channel").join(won, how="left").fillna(
        {"new_customers": 0, "first_order_contribution": 0.0})
    channels = channels[channels["spend"] > 0]
    channels = channels.assign(
        payback_ratio=channels["first_order_contribution"] / channels["spend"],
        cac=channels["spend"] / channels["new_customers"].where(channels["new_customers"] > 0))
    return channels.reset_index()


@check("marketing.cac_payback", area="marketing",
       title="New customers do not pay back what they cost",
       needs={"orders": ["order_id", "ordered_at", "customer_id"],
              "marketing_spend": ["month", "channel", "spend"]},
       proof_metric="payback_ratio")
def cac_payback(
    data: CheckData,
    *,
    warn: float = Param(1.5, 0.0, 10.0, 0.1, "Payback ratio below which the check warns."),
    fail: float = Param(1.0, 0.0, 10.0, 0.1, "Payback ratio below which the check fails."),
    min_evidence: float = Param(20, 1, 100_000, 1, "New customers of the period needed to "
                                "judge.", unit="customers"),
) -> Result:
    """New customers do not pay back what they cost.

    Question: do new customers pay back their acquisition cost?

    Metric: ``payback_ratio`` = first-order contribution of the period's new customers
    (customers whose first order ever falls in the period) ÷ marketing spend in the period.
    Contribution = Σ line revenue − discount − Σ quantity × unit_cost − shipping cost +
    shipping charged. Spend of a month only partly in the period is pro-rated by days. The
    evidence splits it by channel (``orders.source`` of the first order matched to
    ``marketing_spend.channel``, case-insensitive) and lists channels below ``warn``.

    Threshold: warn below 1.5, fail below 1.0 (lower is worse; default judgement thresholds).

    Impact: at risk, not added to the total: spend a year on channels below 1.0 × (1 − their
    ratio), the part of their spend the first order does not pay back.

    Chart: spend against the first-order contribution it bought, by channel.

    Population: customers whose first live order ever is in the period (cancelled,
    refunded, test and draft orders acquire nobody); spend of the period.
    Time basis: ordered_at, local time; spend pro-rated by the days of each month inside.
    Minimum evidence: ``min_evidence`` (20) new customers; fewer is "too few to judge".
    Base: marketing spend (at risk, outside the total).
    """
    spend = spend_in_period(data)
    total_spend = float(spend["spend"].sum())
    if total_spend <= 0:
        raise NotAssessable("Send marketing spend by month and channel (marketing_spend: month, "
                            f"channel, spend) covering {period_words(data)}.")
    rows = new_customer_first_order_rows(data)
    if rows is None:
        first_orders, codes = new_customer_first_orders(data), None
    else:
        orders = data["orders"]
        first_orders = orders[[c for c in FIRST_ORDER_COLUMNS if c in orders]].take(rows)
        codes = key_codes(data)["orders"][rows] if "orders" in key_codes(data) else None
    contribution = order_contribution(data, first_orders, codes)
    if contribution.index.equals(pd.Index(first_orders["order_id"])):  # one row per order
        by_row = contribution.to_numpy()
    else:
        by_row = first_orders["order_id"].map(contribution).to_numpy()
    first_orders = first_orders.assign(
        contribution=pd.Series(by_row, index=first_orders.index).fillna(0.0))
    total_contribution = float(first_orders["contribution"].sum())
    payback_ratio = ratio(total_contribution, total_spend)
    channels = payback_by_channel(first_orders, spend)
    losing = channels[channels["payback_ratio"] < 1.0]
    at_risk = annual(data, float(
        (losing["spend"] * (1 - losing["payback_ratio"].clip(lower=0.0))).sum()))
    evidence = channels[channels["payback_ratio"] < warn].sort_values(
        ["payback_ratio", "spend"], ascending=[True, False])
    evidence = evidence[["channel", "payback_ratio", "spend", "new_customers", "cac",
                         "first_order_contribution"]].round(
        {"payback_ratio": 3, "spend": 2, "cac": 2, "first_order_contribution": 2})
    new_customers = len(first_orders)
    status = judge(payback_ratio, warn, fail, higher_is_worse=False)
    why = ""
    if new_customers < min_evidence:
        why = (f"too few to judge: {new_customers:,} new customers (at least "
               f"{int(min_evidence):,} needed)") if status.flagged else ""
        status = Status.PASS
    return Result(
        status=status, judgement=why,
        metrics={
            "payback_ratio": Metric(payback_ratio, "ratio",
                                    "first-order contribution of new customers ÷ spend"),
            "marketing_spend": Metric(total_spend, "$", "marketing spend in the period"),
            "first_order_contribution": Metric(total_contribution, "$",
                                               "first-order contribution of new customers"),
            "new_customers": Metric(new_customers, "count", "customers whose first order is "
                                    "in the period"),
            "cac": Metric(total_spend / new_customers if new_customers else None, "$",
                          "spend ÷ new customers"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="channel",
        impact=Impact(at_risk, at_risk, at_risk, in_total=False,
                      formula=f"{money(at_risk)} a year: spend on channels below 1.0 × (1 − "
                              "their payback ratio)",
                      assumptions={"channels below 1.0": ", ".join(losing["channel"]) or "none"},
                      note="at risk, not added to the total"),
        story=CAC_STORY, chart=payback_chart(channels, payback_ratio))


def payback_chart(channels: pd.DataFrame, payback_ratio: float) -> CauseChart | None:
    """Spend against the first-order contribution it bought, per channel (the 12 largest by
    spend): the channels whose first orders do not pay back their spend."""
    if channels.empty:
        return None
    top = channels.sort_values(["spend", "channel"], ascending=[False, True]).head(12)
    data = pd.concat([
        pd.DataFrame({"channel": top["channel"], "measure": "spend",
                      "amount": top["spend"].round(2)}),
        pd.DataFrame({"channel": top["channel"], "measure": "first-order contribution",
                      "amount": top["first_order_contribution"].round(2)}),
    ]).sort_index(kind="stable").reset_index(drop=True)
    worst_channel = top.sort_values(["payback_ratio", "spend"], ascending=[True, False]).iloc[0]
    note = (f"{worst_channel['channel']} bought {money(worst_channel['first_order_contribution'])} "
            f"of first-order contribution with {money(worst_channel['spend'])} of spend "
            f"(payback {worst_channel['payback_ratio']:.2f}x); all channels "
            f"{payback_ratio:.2f}x.")
    return CauseChart(
        kind="bars", data=data, x="channel", y="amount", series="measure",
        title="Marketing spend and the first-order contribution it bought, by channel",
        x_title="channel", y_title="amount in the period", y_unit="$", note=note)


# -- marketing.delivery_promise_gap ----------------------------------------------------------
@check("marketing.delivery_promise_gap", area="marketing",
       title="Checkout promises deliveries that arrive late",
       needs={"orders": ["order_id", "ordered_at", "promised_delivery_by"],
              "shipments": ["order_id", "shipped_at", "delivered_at"]},
       proof_metric="broken_promise_rate")
def delivery_promise_gap(
    data: CheckData,
    *,
    warn: float = Param(0.05, 0.0, 1.0, 0.01, "Share of delivered promises broken that warns."),
    fail: float = Param(0.10, 0.0, 1.0, 0.01, "Share of delivered promises broken that fails."),
    min_evidence: float = Param(30, 1, 100_000, 1, "Delivered orders with a promise needed "
                                "to judge.", unit="orders"),
) -> Result:
    """Checkout promises deliveries that arrive late.

    Question: does the business keep what marketing promises?

    Metric: ``broken_promise_rate`` = orders of the period with a ``promised_delivery_by``
    whose first shipment was delivered after it ÷ orders of the period with a promise whose
    first shipment was delivered. The evidence lists the broken promises with their channel
    and campaign; ``details['by_segment']`` has the rate by campaign (else channel).

    Threshold: warn 5%, fail 10% (default judgement thresholds).

    Impact: counted by fulfillment.late_shipments (a late delivery is mostly a late shipment).

    Chart: broken-promise rate by campaign (else channel) with 95% intervals and the warn
    and fail marks; with one segment, the distribution of days delivered after the promise.

    Population: live orders of the period with a promised delivery date whose first
    shipment was delivered.
    Time basis: local time; a date-only promised_delivery_by is the end of that day.
    Minimum evidence: ``min_evidence`` (30) delivered promises; judged on the 95% Wilson
    lower bound.
    Base: none of its own (counted in fulfillment.late_shipments).
    """
    orders = period_orders(data)
    has_promise = orders["promised_delivery_by"].notna().to_numpy()
    promised = orders[[c for c in ("order_id", "ordered_at", "promised_delivery_by",
                                   "campaign", "channel", "source") if c in orders]][has_promise]
    if {"orders", "shipments"} <= set(key_codes(data)):
        delivered, _ = join_first_shipments(data, promised,
                                            period_order_codes(data)[has_promise],
                                            ["shipped_at", "delivered_at"])
    else:
        first = first_shipments(data)[["order_id", "shipped_at", "delivered_at"]]
        delivered = promised.merge(first, on="order_id", how="inner")
    delivered = delivered[delivered["delivered_at"].notna()]
    if delivered.empty:
        raise NotAssessable("Send orders with the delivery date promised at checkout "
                            "(orders: promised_delivery_by) and shipments with their delivery "
                            f"date (shipments: delivered_at) covering {period_words(data)}.")
    days_late = (delivered["delivered_at"] - delivered["promised_delivery_by"]
                 ).dt.total_seconds() / 86400
    delivered = delivered.assign(broken=days_late > 0, days_late=days_late.round(1))
    rate = ratio(delivered["broken"].sum(), len(delivered))
    segment = next((c for c in ("campaign", "channel") if c in delivered
                    and delivered[c].notna().any()), None)
    by_segment = None
    if segment:
        by_segment = delivered.assign(**{segment: delivered[segment].fillna("(none)")}).groupby(
            segment).agg(orders=("order_id", "size"), broken=("broken", "sum"))
        by_segment = by_segment.assign(broken_promise_rate=(
            by_segment["broken"] / by_segment["orders"]).round(4)).sort_values(
            "broken_promise_rate", ascending=False).reset_index()
    evidence = delivered[delivered["broken"]].sort_values("days_late", ascending=False)
    evidence = evidence[[c for c in ("order_id", "ordered_at", "promised_delivery_by",
                                     "shipped_at", "delivered_at", "days_late", "campaign",
                                     "channel", "source") if c in evidence]]
    status, why = judge_rate(int(delivered["broken"].sum()), len(delivered), warn, fail,
                             min_evidence=int(min_evidence), noun="delivered promises")
    return Result(
        status=status, judgement=why,
        metrics={
            "broken_promise_rate": share(rate, "delivered after the promise ÷ delivered "
                                         "orders with a promise"),
            "broken_promises": Metric(int(delivered["broken"].sum()), "count",
                                      "orders delivered after the promised date"),
            "promised_orders": Metric(len(delivered), "count",
                                      "delivered orders with a promised date"),
        },
        evidence=evidence.reset_index(drop=True), evidence_id="order_id",
        impact=Impact.none("counted by fulfillment.late_shipments"),
        details={"by_segment": by_segment} if by_segment is not None else {},
        story=PROMISE_STORY, chart=promise_chart(delivered, by_segment, segment, warn, fail))


def promise_chart(delivered: pd.DataFrame, by_segment: pd.DataFrame | None,
                  segment: str | None, warn: float, fail: float) -> CauseChart:
    """Broken-promise rate per campaign (else channel) with 95% intervals and the warn and
    fail marks, the 12 segments with the most orders; with fewer than two segments, the
    distribution of days delivered after the promise (0 is the promised date)."""
    if by_segment is not None and len(by_segment) >= 2:
        top = by_segment.sort_values(["orders", segment], ascending=[False, True]).head(12)
        bounds = [wilson_interval(b, n) for b, n in zip(top["broken"], top["orders"],
                                                         strict=True)]
        data = pd.DataFrame({
            segment: top[segment].astype("str").to_numpy(),
            "orders": top["orders"].to_numpy(dtype="int64"),
            "broken": top["broken"].to_numpy(dtype="int64"),
            "broken_promise_rate": top["broken_promise_rate"].to_numpy(),
            "low": [round(lo, 4) for lo, _ in bounds],
            "high": [round(hi, 4) for _, hi in bounds]})
        worst_segment = data.sort_values(["broken_promise_rate", "orders"],
                                         ascending=False).iloc[0]
        return CauseChart(
            kind="bars", data=data, x=segment, y="broken_promise_rate", low="low",
            high="high", title=f"Deliveries later than promised, by {segment}",
            x_title=segment, y_title="delivered after the promise", y_unit="share",
            marks=threshold_marks(warn, fail, pct),
            note=(f"{worst_segment[segment]} breaks its promise most: "
                  f"{worst_segment['broken']:,} of {plural(worst_segment['orders'], 'order')} "
                  f"delivered late ({pct(worst_segment['broken_promise_rate'])}, 95% interval "
                  f"{pct(worst_segment['low'])} to {pct(worst_segment['high'])})."))
    days = delivered["days_late"]
    data = pd.DataFrame({"days_after_promise": distribution(days).round(2)})
    late = int((days > 0).sum())
    return CauseChart(
        kind="histogram", data=data, x="days_after_promise", y="days_after_promise",
        title="Days from the promised date to delivery", x_title="days after the promise",
        y_title=counted("delivered orders", len(days)), x_unit="days", y_unit="count",
        marks=((0.0, "promised date"),),
        note=(f"{late:,} of {plural(len(days), 'delivered order')} arrived after the promised "
              f"date ({pct(ratio(late, len(days)))})."))
