"""Hat 5, efficiency: is operations work done by hand that rules or software should do?

The first question is "how do we automate this?", not "who do we hire?". These checks find
the rule-based recurring work that eats the most hours, the orders that need a human to move,
and whether the operations team grows faster than the business it serves (a growing ops team
is a warning sign, not sophistication).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts_people import (
    labelled,
    pct,
    plural,
    tally,
    threshold_marks,
    time_bins,
)
from opskit.checks._common import (
    annual,
    distinct_joined,
    hourly_cost,
    in_period,
    is_true,
    isin,
    join_orders,
    judge,
    judge_rate,
    key_codes,
    live_order_rows,
    manual_event_rows,
    months,
    name_key,
    period_orders,
    population_words,
    ratio,
    share,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.registry import CheckData, NotAssessable, Param, check

AUTOMATION_STORY = Story("We need to hire another ops person.",
                         "The first question is how to automate this: rule-based recurring "
                         "work (data entry, rekeying, reports, reconciliations) eats the "
                         "hours.")
HEADCOUNT_STORY = Story("The ops team is getting more sophisticated.",
                        "A growing ops team is a warning sign, not sophistication: operations "
                        "headcount grows faster than revenue.")
TOUCHES_STORY = Story("We need more ops staff.",
                      "The flow needs hands because rules are missing: orders are edited, "
                      "held or released by a person after they come in.")

RULE_BASED_CATEGORIES = ("data_entry", "rekeying", "reporting", "reconciliation")
REKEYING_CATEGORIES = ("rekeying", "data_entry")
INTEGRATED_METHODS = ("api", "native")
HOURS_PER_FTE_YEAR = 2080.0


def _period_request(what: str, data: CheckData) -> str:
    """The data request when a table has rows, but none inside the period."""
    return (f"Send {what} covering {data.period.start.date()} to {data.period.end.date()}: "
            "the data sent holds no rows in that period.")


# -- efficiency.automation_candidates -----------------------------------------------------

def counted_by_manual_rekeying(tasks: pd.DataFrame, data: CheckData) -> pd.Series:
    """True for the entries integration.manual_rekeying prices (so they are priced once).

    Those are rekeying or data entry between two different named systems that have no api or
    native integration in either direction.
    """
    if "system" not in tasks or "target_system" not in tasks:
        return pd.Series(False, index=tasks.index)
    source, target = name_key(tasks["system"]), name_key(tasks["target_system"])
    between = (tasks["category"].isin(REKEYING_CATEGORIES) & tasks["system"].notna()
               & tasks["target_system"].notna() & (source != target))
    integrated: set[str] = set()
    links = data.get("integrations")
    if links is not None and len(links):
        live = links[links["method"].isin(INTEGRATED_METHODS)]
        a, b = name_key(live["source_system"]), name_key(live["target_system"])
        integrated = set(a + "|" + b) | set(b + "|" + a)
    return (between & ~(source + "|" + target).isin(integrated)).fillna(False).astype(bool)


@check("efficiency.automation_candidates", area="efficiency",
       title="Manual work that should be automated first",
       needs={"tasks": ["person", "task", "performed_on", "minutes", "category",
                        "recurring"]},
       proof_metric="top_task_hours_per_month")
def automation_candidates(
    data: CheckData,
    *,
    warn: float = Param(10, 0, 500, 1, "Hours a month of one rule-based recurring task that "
                        "warn."),
    fail: float = Param(40, 0, 500, 1, "Hours a month that fail."),
    capture: float = Param(0.70, 0.0, 1.0, 0.05, "Share of the hours automation removes.",
                           low=0.50, high=0.90, unit="share"),
    min_evidence: float = Param(3, 1, 10_000, 1, "Time entries a task needs in the period "
                                "before its hours a month are judged (one or two entries "
                                "are an event, not recurring work).", unit="entries"),
) -> Result:
    """Manual work that should be automated first.

    Question: which manual work should be automated first?

    Metric: ``top_task_hours_per_month`` = recurring tasks of the period in the rule-based
    categories (data_entry, rekeying, reporting, reconciliation), grouped by task name
    (case-insensitive): hours in the period ÷ months in the period; the largest task.

    Threshold: warn when a task takes 10 hours a month, fail at 40 (default judgement
    thresholds).

    Impact: hours a month of the tasks at or above the warn level × 12 × hourly cost ×
    capture (50% / 70% / 90%, low / base / high). Rekeying and data entry between two
    systems with no api or native integration are left out: integration.manual_rekeying
    prices those hours.

    Chart: hours a month of the largest rule-based recurring tasks, coloured by category,
    with the warn and fail marks.

    Population: time entries of the period marked recurring, in the rule-based categories.
    Time basis: performed_on, local dates; hours a month over the period's average months.
    Minimum evidence: a task is judged when it has ``min_evidence`` (3) entries in the
    period; hours are logged facts, so above the minimum the hours a month are judged as
    they are. A task over the threshold with fewer entries is "too few to judge".
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    tasks = in_period(data["tasks"], "performed_on", data)
    if tasks.empty:
        raise NotAssessable(_period_request("the detailed time entries export (tasks)", data))
    rule_based = tasks[is_true(tasks, "recurring")
                       & tasks["category"].isin(RULE_BASED_CATEGORIES).fillna(False)]
    period_months = months(data)
    rule_based = rule_based.assign(
        task_key=name_key(rule_based["task"]),
        hours=rule_based["minutes"] / 60,
        priced_hours=(rule_based["minutes"] / 60).where(
            ~counted_by_manual_rekeying(rule_based, data), 0.0))
    by_task = rule_based.groupby("task_key", as_index=False).agg(
        task=("task", "first"), category=("category", "first"),
        hours=("hours", "sum"), priced_hours=("priced_hours", "sum"),
        entries=("task", "count"),
        people=("person", lambda names: "; ".join(sorted(names.unique()))))
    by_task = by_task.assign(hours_per_month=by_task["hours"] / period_months,
                             priced_hours_per_month=by_task["priced_hours"] / period_months)
    top = float(by_task["hours_per_month"].max()) if len(by_task) else 0.0
    enough = by_task["entries"] >= min_evidence
    candidates = by_task[enough & (by_task["hours_per_month"] >= warn)].sort_values(
        "hours_per_month", ascending=False)
    judged_top = float(by_task.loc[enough, "hours_per_month"].max()) if enough.any() else 0.0
    status, why = judge(judged_top, warn, fail), ""
    thin = by_task[~enough & (by_task["hours_per_month"] >= warn)]
    if judge(top, warn, fail) is not status and len(thin):
        largest = thin.sort_values("hours_per_month", ascending=False).iloc[0]
        why = (f"too few to judge: {largest['task']} ({largest['hours_per_month']:,.1f} hours "
               f"a month) rests on {int(largest['entries'])} time entr"
               f"{'y' if largest['entries'] == 1 else 'ies'} (at least {int(min_evidence)} "
               "needed)")

    monthly = float(candidates["priced_hours_per_month"].sum())
    hourly, hourly_words = hourly_cost(data)
    captured = automation_candidates.spec.params["capture"].spread(capture)
    impact = Impact(*(monthly * 12 * h * c for h, c in zip(hourly, captured, strict=True)),
                    formula=f"{monthly:,.1f} hours a month of rule-based tasks over "
                            f"{warn:g} h/month × 12 × hourly cost × capture",
                    assumptions={"hourly cost": hourly_words,
                                 "capture": " / ".join(f"{c:.0%}" for c in captured),
                                 "left out": "rekeying between non-integrated systems "
                                             "(counted by integration.manual_rekeying)"})
    evidence = candidates[["task", "category", "hours_per_month", "hours", "entries",
                           "people"]].round({"hours_per_month": 1, "hours": 1})
    return Result(
        status=status, judgement=why,
        metrics={"top_task_hours_per_month": Metric(top, "hours", "hours a month of the "
                                                                  "largest rule-based task"),
                 "candidate_tasks": Metric(len(candidates), "count",
                                           f"rule-based tasks over {warn:g} hours a month"),
                 "rule_based_hours_per_month": Metric(
                     float(by_task["hours_per_month"].sum()), "hours",
                     "hours a month of all rule-based recurring tasks")},
        evidence=evidence.reset_index(drop=True), evidence_id="task",
        impact=impact, story=AUTOMATION_STORY,
        chart=automation_chart(by_task, warn, fail) if len(by_task) else None)


def automation_chart(by_task: pd.DataFrame, warn: float, fail: float) -> CauseChart:
    """Hours a month of the 12 largest rule-based recurring tasks, coloured by category,
    against the warn and fail marks: which manual work to automate first."""
    top = by_task.sort_values(["hours_per_month", "task"], ascending=[False, True]).head(12)
    data = pd.DataFrame({"task": top["task"].to_numpy(),
                         "category": top["category"].astype("str").to_numpy(),
                         "hours_per_month": top["hours_per_month"].round(1).to_numpy(),
                         "people": top["people"].to_numpy()})
    first = top.iloc[0]
    over = int((by_task["hours_per_month"] >= warn).sum())
    reach = ("no rule-based task reaches" if not over else
             f"{plural(over, 'rule-based task')} reach{'es' if over == 1 else ''}")
    note = (f"{first['task']} takes {first['hours_per_month']:,.1f} hours a month "
            f"({first['people']}); {reach} {warn:g} hours a month.")
    return CauseChart(
        kind="stacked", data=data, x="task", y="hours_per_month", series="category",
        title="Hours a month of rule-based recurring tasks", x_title="task",
        y_title="hours a month", y_unit="hours",
        marks=threshold_marks(warn, fail, lambda v: f"{v:g} hours a month"), note=note)


# -- efficiency.ops_headcount_vs_growth ---------------------------------------------------

def ops_fte_at(people: pd.DataFrame, day: pd.Timestamp) -> float:
    """FTE of operations staff employed on ``day`` (an empty fte counts as one)."""
    employed = people["started_on"] <= day
    if "ended_on" in people:
        employed = employed & (people["ended_on"].isna() | (people["ended_on"] >= day))
    fte = people["fte"].fillna(1.0) if "fte" in people else pd.Series(1.0, index=people.index)
    return float(fte[employed].sum())


def _covers(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """True when ``times`` reach back to the first month of ``start`` and up to ``end``."""
    times = times.dropna()
    margin = pd.Timedelta(days=31)
    return bool(len(times)) and times.min() < start + margin and times.max() >= end - margin


def yearly_revenue(data: CheckData) -> tuple[float, float, str]:
    """Revenue of the 365 days to the period end and of the 365 days before, and its source.

    The ledger wins (revenue accounts, credit as positive) when it covers both years; the
    live orders' totals otherwise (cancelled, refunded, test and draft orders left out).
    """
    end = data.period.end_exclusive
    year_start, prior_start = end - pd.Timedelta(days=365), end - pd.Timedelta(days=730)
    gl = data.get("gl_entries")
    if gl is not None and "account_type" in gl:
        revenue = gl[gl["account_type"].eq("revenue").fillna(False).astype(bool)]
        if _covers(revenue["posted_at"], prior_start, end):
            amount = -revenue["amount"]
            current = amount[(revenue["posted_at"] >= year_start) & (revenue["posted_at"] < end)]
            prior = amount[(revenue["posted_at"] >= prior_start)
                           & (revenue["posted_at"] < year_start)]
            return float(current.sum()), float(prior.sum()), "general ledger revenue accounts"
    orders = data.get("orders")
    if orders is not None and "total" in orders:
        orders = orders[live_order_rows(data)]
    if orders is not None and "total" in orders and _covers(orders["ordered_at"], prior_start,
                                                            end):
        at = orders["ordered_at"]
        current = orders["total"][(at >= year_start) & (at < end)]
        prior = orders["total"][(at >= prior_start) & (at < year_start)]
        return float(current.sum()), float(prior.sum()), "live order totals"
    raise NotAssessable(
        f"Send the general ledger (with account types) or the orders covering "
        f"{prior_start.date()} to {data.period.end.date()}: revenue growth needs two full "
        "years.")


@check("efficiency.ops_headcount_vs_growth", area="efficiency",
       title="Operations headcount grows faster than the business",
       needs={"people": ["person", "function", "started_on"]},
       proof_metric="excess_growth_points")
def ops_headcount_vs_growth(
    data: CheckData,
    *,
    warn: float = Param(0, -100, 100, 1, "Points by which ops FTE growth exceeds revenue "
                        "growth that warn."),
    fail: float = Param(10, -100, 100, 1, "Points that fail."),
    hours_per_fte: float = Param(HOURS_PER_FTE_YEAR, 1000, 3000, 40, "Paid hours a year of "
                                 "one full-time employee.", unit="hours a year"),
    min_evidence: float = Param(3, 1, 1000, 0.5, "Operations FTE a year before the period "
                                "end needed to judge growth (below it one hire is tens of "
                                "points).", unit="FTE"),
) -> Result:
    """Operations headcount grows faster than the business.

    Question: is the operations team growing faster than the business?

    Metric: ``excess_growth_points`` = (operations FTE growth − revenue growth) × 100, year on
    year. Operations FTE on a day = sum of ``fte`` (empty counts as 1) of people whose
    ``function`` is operations and who are employed that day; FTE growth = FTE at the period
    end ÷ FTE 365 days earlier − 1. Revenue growth = revenue of the 365 days to the period
    end ÷ the 365 days before − 1, from the ledger's revenue accounts when it covers both
    years, else from order totals.

    Threshold: warn at 0 points (headcount growing as fast as revenue), fail at 10 points
    (default judgement thresholds).

    Impact: excess FTE (FTE now − FTE a year ago × (1 + revenue growth)) × hours a year of
    one FTE × hourly cost (low / base / high).

    Chart: operations FTE and revenue a year earlier and at the period end, each indexed to
    100 a year earlier.

    Population: people whose function is operations (FTE); revenue of the ledger's revenue
    accounts, else live orders' totals (cancelled, refunded, test and draft left out).
    Time basis: the 365 days to the period's last day against the 365 days before, local
    time; a leaving date is the end of that day (employed on it).
    Minimum evidence: two full years of revenue (else not assessable) and ``min_evidence``
    (3) operations FTE a year before the period end; with fewer, one hire moves growth by
    tens of points and the verdict is "too few to judge".
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    people = data["people"]
    ops = people[name_key(people["function"]).eq("operations").fillna(False).astype(bool)]
    end = data.period.end
    year_ago = end - pd.Timedelta(days=365)
    fte_now, fte_then = ops_fte_at(ops, end), ops_fte_at(ops, year_ago)
    if fte_then <= 0:
        raise NotAssessable(
            "Send the staff roster with the operations staff (function 'operations'), their "
            f"start and leaving dates, covering {year_ago.date()} to {end.date()}: nobody in "
            "operations was employed a year before the period end.")
    revenue_now, revenue_then, source = yearly_revenue(data)
    if revenue_then <= 0:
        raise NotAssessable(
            f"Send revenue (general ledger or orders) for the year before {year_ago.date()}: "
            "the data holds none.")
    fte_growth = fte_now / fte_then - 1
    revenue_growth = revenue_now / revenue_then - 1
    excess_points = (fte_growth - revenue_growth) * 100

    excess_fte = max(fte_now - fte_then * (1 + revenue_growth), 0.0)
    hourly, hourly_words = hourly_cost(data)
    impact = Impact(*(excess_fte * hours_per_fte * h for h in hourly),
                    formula=f"{excess_fte:,.2f} FTE beyond revenue growth × {hours_per_fte:g} "
                            "hours a year × hourly cost",
                    assumptions={"hourly cost": hourly_words,
                                 "revenue source": source})
    joined = ops[(ops["started_on"] > year_ago) & (ops["started_on"] <= end)]
    columns = [c for c in ("person", "function", "started_on", "ended_on", "fte") if c in joined]
    evidence = joined.sort_values("started_on")[columns]
    status, why = judge(excess_points, warn, fail), ""
    if fte_then < min_evidence and status.flagged:
        status, why = Status.PASS, (f"too few to judge: {fte_then:g} operations FTE a year "
                                    f"earlier (at least {min_evidence:g} needed)")
    return Result(
        status=status, judgement=why,
        metrics={"excess_growth_points": Metric(excess_points, "points",
                                                "ops FTE growth − revenue growth"),
                 "ops_fte_growth": share(fte_growth, "operations FTE growth, year on year"),
                 "revenue_growth": share(revenue_growth, f"revenue growth ({source})"),
                 "ops_fte_now": Metric(fte_now, "FTE", "operations FTE at the period end"),
                 "ops_fte_year_ago": Metric(fte_then, "FTE", "operations FTE a year earlier"),
                 "revenue_per_ops_fte": Metric(ratio(revenue_now, fte_now), "$",
                                               "revenue of the last 365 days per ops FTE")},
        evidence=evidence.reset_index(drop=True), evidence_id="person",
        impact=impact, story=HEADCOUNT_STORY,
        chart=headcount_chart(fte_then, fte_now, fte_growth, revenue_growth, source))


def headcount_chart(fte_then: float, fte_now: float, fte_growth: float,
                    revenue_growth: float, source: str) -> CauseChart:
    """Operations FTE and revenue a year before the period end and at it, each indexed to
    100 a year earlier: which grew faster, on one scale."""
    data = pd.DataFrame({
        "measure": ["operations FTE", "operations FTE", "revenue", "revenue"],
        "when": ["a year earlier", "at the period end"] * 2,
        "index": [100.0, round(100 * (1 + fte_growth), 1), 100.0,
                  round(100 * (1 + revenue_growth), 1)]})
    note = (f"Operations FTE grew {fte_growth:+.1%} ({fte_then:g} to {fte_now:g} FTE) while "
            f"revenue grew {revenue_growth:+.1%} ({source}).")
    return CauseChart(
        kind="bars", data=data, x="measure", y="index", series="when",
        title="Operations headcount and revenue, a year earlier = 100", x_title="",
        y_title="index (a year earlier = 100)", note=note)


# -- efficiency.manual_touches ------------------------------------------------------------

@check("efficiency.manual_touches", area="efficiency",
       title="Orders need a human to move",
       needs={"orders": ["order_id", "ordered_at"],
              "order_events": ["order_id", "at", "manual"]},
       proof_metric="touched_share")
def manual_touches(
    data: CheckData,
    *,
    warn: float = Param(0.10, 0.0, 1.0, 0.01, "Share of orders touched by hand that warns."),
    fail: float = Param(0.25, 0.0, 1.0, 0.01, "Share that fails."),
    minutes_per_touch: float = Param(6, 0, 120, 1, "Minutes of staff time a touched order "
                                     "costs.", unit="minutes"),
    min_evidence: float = Param(100, 1, 1_000_000, 1, "Live orders of the period needed to "
                                "judge.", unit="orders"),
) -> Result:
    """Orders need a human to move.

    Question: how many orders need a human to move?

    Metric: ``touched_share`` = orders of the period with at least one order event marked
    ``manual`` true that happened after ``ordered_at`` ÷ orders of the period.

    Threshold: warn 10%, fail 25% (default judgement thresholds).

    Impact: touched orders a year × 6 minutes × hourly cost (low / base / high from the
    hourly cost).

    Chart: orders by week placed, stacked into touched by hand and not; the note names the
    most common manual step.

    Population: live orders placed in the period (cancelled, refunded, test and draft
    orders left out, and said so); manual events on them after they were placed.
    Time basis: ordered_at and the events' at, local time.
    Minimum evidence: ``min_evidence`` (100) live orders; the touched share is judged on its
    95% Wilson lower bound.
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    orders = period_orders(data)[["order_id", "ordered_at"]]
    if orders.empty:
        raise NotAssessable(_period_request("the order export of the shop (orders) and the "
                                            "order timeline (order_events)", data))
    events = data["order_events"]
    is_manual = is_true(events, "manual")
    manual, rows = None, manual_event_rows(data)
    if rows is not None and np.array_equal(np.flatnonzero(is_manual.to_numpy()), rows):
        manual = join_orders(data, events[is_manual], key_codes(data).get("manual_events"),
                             ["ordered_at"])
    if manual is None:
        manual = events[is_manual].merge(orders, on="order_id", how="inner")
    manual = manual[manual["at"] > manual["ordered_at"]]
    touched = manual.groupby("order_id", as_index=False).agg(
        ordered_at=("ordered_at", "first"), manual_events=("at", "count"),
        first_touch_at=("at", "min"))
    touched = touched.assign(
        events=distinct_joined(manual["order_id"], manual["event"]).to_numpy())
    if "actor" in manual:
        touched = touched.assign(
            actors=distinct_joined(manual["order_id"], manual["actor"]).to_numpy())
    touched_share = ratio(len(touched), len(orders))

    touched_a_year = annual(data, len(touched))
    hourly, hourly_words = hourly_cost(data)
    population = population_words(data)
    impact = Impact(*(touched_a_year * minutes_per_touch / 60 * h for h in hourly),
                    formula=f"{touched_a_year:,.0f} touched orders a year × "
                            f"{minutes_per_touch:g} minutes × hourly cost",
                    assumptions={"hourly cost": hourly_words})
    evidence = touched.assign(
        hours_to_first_touch=(touched["first_touch_at"] - touched["ordered_at"])
        .dt.total_seconds() / 3600).round({"hours_to_first_touch": 1})
    evidence = evidence.sort_values(["manual_events", "first_touch_at"],
                                    ascending=[False, True])
    status, why = judge_rate(len(touched), len(orders), warn, fail,
                             min_evidence=int(min_evidence), noun="live orders")
    return Result(
        status=status, judgement=why,
        metrics={"touched_share": share(touched_share, "orders touched by hand ÷ live orders"),
                 "touched_orders": Metric(len(touched), "count", "orders touched by hand"),
                 "orders": Metric(len(orders), "count", "live orders of the period" + (
                     f" ({population})" if population else "")),
                 "manual_events": Metric(len(manual), "count",
                                         "manual events after order creation")},
        evidence=evidence.reset_index(drop=True), evidence_id="order_id",
        impact=impact, story=TOUCHES_STORY,
        details={"population": population} if population else {},
        chart=touches_chart(orders, touched["order_id"], manual))


def touches_chart(orders: pd.DataFrame, touched_ids: pd.Series, manual: pd.DataFrame
                  ) -> CauseChart:
    """Orders by week placed (months beyond half a year), stacked into those touched by hand
    and those that flowed through; the note names the most common manual step."""
    x, when = time_bins(orders["ordered_at"])
    flow = labelled(isin(orders["order_id"], touched_ids).to_numpy(dtype=bool),
                    ["no manual touch", "touched by hand"], orders.index)
    frame = pd.DataFrame({x: when, "flow": flow})
    data = tally(frame, x, "flow", x_order=sorted(pd.unique(when.dropna())),
                 series_order=["touched by hand", "no manual touch"], name="orders")
    count = len(touched_ids)
    note = (f"{count:,} of {plural(len(orders), 'order')} were touched by hand "
            f"({pct(ratio(count, len(orders)))})")
    if count and "event" in manual and manual["event"].notna().any():
        steps = manual["event"].astype("str").value_counts().sort_index().sort_values(
            ascending=False, kind="stable")
        note += f"; the most common manual step is {steps.index[0]} ({steps.iloc[0]:,} times)"
    return CauseChart(
        kind="stacked", data=data, x=x, y="orders", series="flow",
        title=f"Orders by {x} placed: touched by hand or not", x_title=f"{x} placed",
        y_title="orders", y_unit="count", note=note + ".")
