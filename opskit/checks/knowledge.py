"""Hat 5, knowledge: does the business depend on what one person knows?

"Our ops person is a hero" is the symptom; the cause is work that lives in one head: critical
processes with no backup, no written procedure or a stale one; recurring work only one person
ever does; critical spreadsheets that one person edits and nobody documented. These checks
read the process inventory, the time entries and the spreadsheet inventory the consultant
collects, and put a price on the delay when that person is away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from opskit.checks._charts_people import pct, plural, tally, top_labels
from opskit.checks._common import (
    hourly_cost,
    in_period,
    is_true,
    judge_census,
    judge_weighted_share,
    name_key,
    ratio,
    share,
    worst,
)
from opskit.findings import CauseChart, Impact, Metric, Result, Status, Story
from opskit.money import money
from opskit.registry import CheckData, NotAssessable, Param, check

SPOF_STORY = Story("Our ops person is a hero.",
                   "And a single point of failure: critical processes run with no backup, "
                   "no written procedure, or a procedure nobody has reviewed in a year.")
VACATION_STORY = Story("Operations can't survive a two-week vacation.",
                       "Recurring work is done by one person only: when they are away it "
                       "waits, because nobody else has ever done it.")
SPREADSHEET_STORY = Story("The dashboard works, as long as its author is here.",
                          "A dashboard only one person understands is not a system: critical "
                          "spreadsheets have a single editor and no documentation.")


# -- knowledge.single_points_of_failure ---------------------------------------------------

def _spof_reasons(processes: pd.DataFrame, reviewed_before: pd.Timestamp) -> pd.DataFrame:
    """One boolean column per reason a process lives in one head, for the columns present.

    A reason whose column the inventory lacks is not evaluated (an absent column says nothing
    about the process); a present column with an empty value counts (no backup named, not
    known to be documented).
    """
    reasons = {}
    if "backup_owner" in processes:
        reasons["no backup"] = processes["backup_owner"].isna()
    if "documented" in processes:
        reasons["undocumented"] = ~is_true(processes, "documented")
    if "last_reviewed_on" in processes:
        reasons["not reviewed in 12 months"] = (
            processes["last_reviewed_on"] < reviewed_before).fillna(False).astype(bool)
    if not reasons:
        raise NotAssessable(
            "Send the process inventory with, for each process, its backup owner "
            "(backup_owner), whether a current written procedure exists (documented) and "
            "when it was last reviewed (last_reviewed_on).")
    return pd.DataFrame(reasons, index=processes.index)


def _reason_words(reasons: pd.DataFrame) -> pd.Series:
    """'no backup; undocumented' for each row, from the boolean reason columns."""
    words = pd.Series("", index=reasons.index, dtype="str")
    for name in reasons.columns:
        words = words + reasons[name].map({True: name + "; ", False: ""}).astype("str")
    return words.str.rstrip("; ")


@check("knowledge.single_points_of_failure", area="knowledge",
       title="Critical processes live in one head",
       needs={"processes": ["process", "owner", "criticality"]},
       proof_metric="spof_share")
def single_points_of_failure(
    data: CheckData,
    *,
    warn: float = Param(0.20, 0.0, 1.0, 0.05, "Share of critical processes that are single "
                        "points of failure that warns."),
    fail: float = Param(0.40, 0.0, 1.0, 0.05, "Share that fails."),
    review_days: float = Param(365, 30, 1095, 30, "A procedure not reviewed for this many "
                               "days before the period end counts as stale.", unit="days"),
    days_delayed: float = Param(5, 0, 60, 1, "Days a process is delayed when its only owner "
                                "is away, once a year.", low=2, high=10, unit="days"),
    min_evidence: float = Param(5, 1, 10_000, 1, "Critical processes needed to judge.",
                                unit="processes"),
) -> Result:
    """Critical processes live in one head.

    Question: which critical processes live in one head?

    Metric: ``spof_share`` = processes of criticality high that have no ``backup_owner``, or
    are not ``documented`` (false or empty), or whose ``last_reviewed_on`` is more than
    ``review_days`` (365) days before the period end ÷ processes of criticality high. A
    reason whose column the inventory lacks is not evaluated. Per person, the details list
    the critical processes only they run.

    Threshold: warn 20%, fail 40% (default judgement thresholds).

    Impact: for each flagged process, ``daily_value`` × days delayed when the owner is away
    (2 / 5 / 10 days, low / base / high), counted once a year. Processes without a
    ``daily_value`` add nothing.

    Chart: critical processes by owner, stacked into those in one head and those covered.

    Population: processes of the inventory whose criticality is high.
    Time basis: the inventory as collected; last_reviewed_on against the period's last day.
    Minimum evidence: ``min_evidence`` (5) critical processes. The inventory lists every
    critical process (a census, not a sample: no sampling noise to allow for), so from the
    minimum on the share is judged as it is.
    Base: the flagged processes' daily value × days delayed, once a year.
    """
    processes = data["processes"]
    critical = processes[processes["criticality"].eq("high").fillna(False).astype(bool)]
    reviewed_before = data.period.end - pd.Timedelta(days=review_days)
    reasons = _spof_reasons(critical, reviewed_before)
    flagged_mask = reasons.any(axis=1)
    flagged = critical[flagged_mask].assign(reasons=_reason_words(reasons[flagged_mask]))
    spof_share = ratio(len(flagged), len(critical))

    daily_value = (flagged["daily_value"].fillna(0.0) if "daily_value" in flagged
                   else pd.Series(0.0, index=flagged.index))
    flagged = flagged.assign(daily_value=daily_value)
    days = single_points_of_failure.spec.params["days_delayed"].spread(days_delayed)
    at_stake = float(daily_value.sum())
    valued = int((daily_value > 0).sum())
    impact = Impact(*(at_stake * d for d in days),
                    formula=f"daily value of the {len(flagged)} flagged processes "
                            f"({money(at_stake)} a day) × days delayed when the owner is away, "
                            "once a year",
                    assumptions={"days delayed": " / ".join(f"{d:g}" for d in days),
                                 "processes with a daily value": f"{valued} of {len(flagged)}"})

    by_owner = (flagged.groupby("owner", as_index=False)
                .agg(processes=("process", "count"),
                     daily_value=("daily_value", "sum"),
                     names=("process", lambda names: "; ".join(sorted(names))))
                .sort_values(["processes", "daily_value"], ascending=False)
                .reset_index(drop=True))
    columns = [c for c in ("process", "owner", "backup_owner", "documented", "last_reviewed_on",
                           "reasons", "frequency", "daily_value") if c in flagged]
    evidence = flagged.assign(reason_count=reasons[flagged_mask].sum(axis=1)).sort_values(
        ["daily_value", "reason_count"], ascending=False)[columns]
    status, why = judge_census(len(flagged), len(critical), warn, fail,
                               min_evidence=int(min_evidence), noun="critical processes")
    return Result(
        status=status, judgement=why,
        metrics={"spof_share": share(spof_share, "critical processes in one head ÷ critical "
                                                 "processes"),
                 "spof_processes": Metric(len(flagged), "count",
                                          "critical processes in one head"),
                 "critical_processes": Metric(len(critical), "count",
                                              "processes of criticality high"),
                 "most_held_by_one_person": Metric(
                     int(by_owner["processes"].max()) if len(by_owner) else 0, "count",
                     "single-point processes held by the busiest owner")},
        evidence=evidence.reset_index(drop=True), evidence_id="process",
        impact=impact, story=SPOF_STORY, details={"by_owner": by_owner},
        chart=spof_chart(critical, flagged_mask, by_owner) if len(critical) else None)


def spof_chart(critical: pd.DataFrame, flagged: pd.Series, by_owner: pd.DataFrame
               ) -> CauseChart:
    """Critical processes per owner (the 12 largest), stacked into those that live in one
    head and those with a backup, a procedure and a recent review: whose head holds them."""
    alone, covered = "in one head", "backed up and documented"
    frame = pd.DataFrame({"owner": top_labels(critical["owner"]),
                          "cover": np.where(flagged.to_numpy(dtype=bool), alone, covered)})
    order = frame.groupby("owner")["cover"].agg(
        alone=lambda c: int((c == alone).sum()), total="size").reset_index().sort_values(
        ["alone", "total", "owner"], ascending=[False, False, True])["owner"].tolist()
    data = tally(frame, "owner", "cover", x_order=order, series_order=[alone, covered],
                 name="processes")
    count = int(flagged.sum())
    if count:
        top = by_owner.iloc[0]
        names = top["names"].split("; ")
        listed = "; ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                          else "")
        processes = plural(len(critical), "critical process", "critical processes")
        note = (f"{count:,} of {processes} {'lives' if count == 1 else 'live'} in one head "
                f"({pct(ratio(count, len(critical)))}); {top['owner']} alone holds "
                f"{int(top['processes']):,}: {listed}.")
    else:
        note = (f"Each of the {len(critical):,} critical processes has a backup, a procedure "
                "and a recent review.")
    return CauseChart(
        kind="stacked", data=data, x="owner", y="processes", series="cover",
        title="Critical processes by owner: in one head or covered", x_title="owner",
        y_title="critical processes", y_unit="count", note=note)


# -- knowledge.vacation_test --------------------------------------------------------------

def _recurring_tasks(data: CheckData) -> pd.DataFrame:
    """Recurring time entries of the period, with a case-insensitive task key."""
    tasks = data["tasks"]
    if "recurring" not in tasks or tasks["recurring"].isna().all():
        raise NotAssessable(
            "Send the time entries with a recurring column (true when the task repeats on a "
            f"schedule) covering {data.period.start.date()} to {data.period.end.date()}.")
    tasks = in_period(tasks, "performed_on", data)
    recurring = tasks[is_true(tasks, "recurring")]
    return recurring.assign(task_key=name_key(recurring["task"]))


def sole_performer_shares(recurring: pd.DataFrame) -> pd.DataFrame:
    """Per person: recurring minutes, minutes of tasks nobody else did, and their share."""
    performers = recurring.groupby("task_key")["person"].nunique()
    alone = recurring["task_key"].map(performers).eq(1)
    minutes = recurring.assign(sole_minutes=recurring["minutes"].where(alone, 0.0))
    people = minutes.groupby("person", as_index=False).agg(
        recurring_minutes=("minutes", "sum"), sole_minutes=("sole_minutes", "sum"))
    sole = minutes[alone]
    tasks = (sole.groupby(["person", "task_key"], as_index=False)
             .agg(task=("task", "first"), minutes=("minutes", "sum"))
             .sort_values("minutes", ascending=False)
             .groupby("person", as_index=False)
             .agg(sole_tasks=("task", "; ".join)))
    people = people.merge(tasks, on="person", how="left")
    return people.assign(
        sole_share=people["sole_minutes"] / people["recurring_minutes"],
        sole_tasks=people["sole_tasks"].fillna(""))


def _judge_people(recurring: pd.DataFrame, judged: pd.DataFrame, warn: float, fail: float,
                  min_evidence: int) -> tuple[Status, str]:
    """The vacation verdict and why: too few recurring entries is "too few to judge";
    otherwise each judged person's minutes-weighted sole share on its Wilson bound over
    their effective number of entries, the most severe person deciding (the larger share
    first among equals)."""
    if len(recurring) < min_evidence:
        worst_share = float(judged["sole_share"].max())
        flagged = worst_share >= min(warn, fail)
        return Status.PASS, (f"too few to judge: {len(recurring):,} recurring time entries "
                             f"(at least {min_evidence:,} needed)" if flagged else "")
    performers = recurring.groupby("task_key")["person"].nunique()
    alone = recurring["task_key"].map(performers).eq(1)
    verdicts = []
    for person in judged.sort_values("sole_share", ascending=False)["person"]:
        mine = recurring["person"].eq(person).fillna(False).astype(bool)
        status, why = judge_weighted_share(recurring.loc[mine, "minutes"], alone[mine], warn,
                                           fail, min_evidence=1,
                                           noun=f"recurring entries of {person}")
        verdicts.append((status, why))
    deciding = worst(Status.PASS, *(v for v, _ in verdicts))
    return deciding, next((w for v, w in verdicts if v is deciding and w), "")


@check("knowledge.vacation_test", area="knowledge",
       title="Operations cannot survive a two-week vacation",
       needs={"tasks": ["person", "task", "performed_on", "minutes"]},
       proof_metric="worst_person_share")
def vacation_test(
    data: CheckData,
    *,
    warn: float = Param(0.20, 0.0, 1.0, 0.05, "Share of a person's recurring work that "
                        "nobody else does that warns."),
    fail: float = Param(0.40, 0.0, 1.0, 0.05, "Share that fails."),
    min_hours: float = Param(8, 0, 500, 1, "Recurring hours in the period a person needs "
                             "to be judged (fewer is too little work to tell).", unit="hours"),
    vacation_weeks: float = Param(2, 0, 8, 1, "Weeks of absence the test simulates, once a "
                                  "year.", unit="weeks"),
    delay_cost_factor: float = Param(2.0, 0.0, 10.0, 0.25, "Cost of an hour of delayed "
                                     "work as a multiple of the hourly cost (catch-up, "
                                     "overtime, knock-on of work not done).", low=1.0,
                                     high=4.0, unit="ratio"),
    min_evidence: float = Param(20, 1, 100_000, 1, "Recurring time entries of the period "
                                "needed to judge.", unit="entries"),
) -> Result:
    """Operations cannot survive a two-week vacation.

    Question: can operations survive a two-week vacation?

    Metric: ``worst_person_share`` = over recurring tasks of the period, for each person,
    the minutes of tasks (by name, case-insensitive) that nobody else performed in the period
    ÷ that person's recurring minutes; the maximum over people with at least ``min_hours``
    (8) recurring hours in the period.

    Threshold: warn 20%, fail 40% for the worst person (default judgement thresholds).

    Impact: for each person at or above the warn share, hours a week of work only they do ×
    weeks of vacation (2) × hourly cost × delay cost factor (1 / 2 / 4, low / base / high),
    once a year.

    Chart: recurring hours per judged person, stacked into work only they do and work others
    share.

    Population: time entries of the period marked recurring; people with at least
    ``min_hours`` (8) recurring hours.
    Time basis: performed_on, local dates; hours a week over the period's weeks.
    Minimum evidence: ``min_evidence`` (20) recurring entries in the period. Each judged
    person's share is minutes-weighted, so it is judged on the 95% Wilson lower bound over
    the effective number of their entries (a share carried by two long entries is not a
    habit); the most severe person decides.
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default) ×
    delay cost factor.
    """
    recurring = _recurring_tasks(data)
    people = sole_performer_shares(recurring)
    judged = people[people["recurring_minutes"] >= min_hours * 60]
    if judged.empty:
        raise NotAssessable(
            f"Send time entries where each person's recurring work adds up to at least "
            f"{min_hours:g} hours, covering {data.period.start.date()} to "
            f"{data.period.end.date()} (the entries sent hold less).")
    worst_share = float(judged["sole_share"].max())
    status, why = _judge_people(recurring, judged, warn, fail, int(min_evidence))
    weeks = data.period.days / 7
    flagged = judged[judged["sole_share"] >= warn].assign(
        sole_hours_per_week=lambda f: f["sole_minutes"] / 60 / weeks,
        recurring_hours=lambda f: f["recurring_minutes"] / 60,
        sole_hours=lambda f: f["sole_minutes"] / 60)
    weekly_hours = float(flagged["sole_hours_per_week"].sum())
    hourly, hourly_words = hourly_cost(data)
    factors = vacation_test.spec.params["delay_cost_factor"].spread(delay_cost_factor)
    impact = Impact(*(weekly_hours * vacation_weeks * h * f
                      for h, f in zip(hourly, factors, strict=True)),
                    formula=f"{weekly_hours:,.1f} hours a week only one person does × "
                            f"{vacation_weeks:g} weeks of vacation × hourly cost × delay cost "
                            "factor, once a year",
                    assumptions={"hourly cost": hourly_words,
                                 "delay cost factor": " / ".join(f"{f:g}" for f in factors)})
    columns = ["person", "sole_share", "sole_hours", "recurring_hours", "sole_hours_per_week",
               "sole_tasks"]
    evidence = flagged.sort_values("sole_share", ascending=False)[columns].round(
        {"sole_share": 3, "sole_hours": 1, "recurring_hours": 1, "sole_hours_per_week": 1})
    worst_person = judged.sort_values("sole_share", ascending=False)["person"].iloc[0]
    return Result(
        status=status, judgement=why,
        metrics={"worst_person_share": share(worst_share, f"recurring work only {worst_person} "
                                                          "does ÷ their recurring work"),
                 "people_flagged": Metric(len(flagged), "count",
                                          "people at or above the warn share"),
                 "people_judged": Metric(len(judged), "count",
                                         f"people with {min_hours:g}+ recurring hours")},
        evidence=evidence.reset_index(drop=True), evidence_id="person",
        impact=impact, story=VACATION_STORY, chart=vacation_chart(judged))


def vacation_chart(judged: pd.DataFrame) -> CauseChart:
    """Each judged person's recurring hours (the 12 with the largest sole share), stacked
    into work nobody else did in the period and work others share: who cannot be away."""
    top = judged.sort_values(["sole_share", "recurring_minutes", "person"],
                             ascending=[False, False, True]).head(12)
    alone, shared = "only they do", "others do too"
    data = pd.DataFrame({
        "person": np.repeat(top["person"].to_numpy(), 2),
        "work": [alone, shared] * len(top),
        "hours": np.column_stack([top["sole_minutes"].to_numpy(dtype="float64"),
                                  (top["recurring_minutes"] - top["sole_minutes"])
                                  .to_numpy(dtype="float64")]).ravel() / 60})
    data["hours"] = data["hours"].round(1)
    first = top.iloc[0]
    tasks = first["sole_tasks"].split("; ") if first["sole_tasks"] else []
    example = f", e.g. {tasks[0]}" if tasks else ""
    note = (f"{pct(first['sole_share'])} of {first['person']}'s recurring work "
            f"({first['sole_minutes'] / 60:,.1f} of {first['recurring_minutes'] / 60:,.1f} "
            f"hours) is done by nobody else{example}." if first["sole_minutes"] > 0 else
            f"Every recurring task of the {plural(len(judged), 'person', 'people')} judged "
            "was also done by someone else.")
    return CauseChart(
        kind="stacked", data=data, x="person", y="hours", series="work",
        title="Recurring hours per person: work only they do", x_title="person",
        y_title="recurring hours in the period", y_unit="hours", note=note)


# -- knowledge.spreadsheet_dependency -----------------------------------------------------

@check("knowledge.spreadsheet_dependency", area="knowledge",
       title="Critical processes run from one person's spreadsheet",
       needs={"spreadsheets": ["file", "owner", "critical"]},
       proof_metric="fragile_share")
def spreadsheet_dependency(
    data: CheckData,
    *,
    warn: float = Param(0.25, 0.0, 1.0, 0.05, "Share of critical spreadsheets that are "
                        "fragile that warns."),
    fail: float = Param(0.50, 0.0, 1.0, 0.05, "Share that fails."),
    min_evidence: float = Param(5, 1, 10_000, 1, "Critical spreadsheets needed to judge.",
                                unit="spreadsheets"),
) -> Result:
    """Critical processes run from one person's spreadsheet.

    Question: are critical processes run from one person's spreadsheet?

    Metric: ``fragile_share`` = critical spreadsheets with at most one editor (an empty
    ``editors`` counts as one) and ``documented`` not true ÷ critical spreadsheets.

    Threshold: warn 25%, fail 50%. Source: errors occur in roughly 1% of formula cells in
    working spreadsheets (Powell, Baker and Lawson), so an unchecked, undocumented sheet
    carries errors nobody else can find.

    Impact: hours a week spent maintaining the fragile sheets × hourly cost × 52 (low / base
    / high from the hourly cost); the exposure to errors in them is listed, not priced.

    Chart: critical spreadsheets by owner, stacked into one editor and undocumented, and the
    rest.

    Population: spreadsheets of the inventory marked critical.
    Time basis: the inventory as collected (hours a week as stated).
    Minimum evidence: ``min_evidence`` (5) critical spreadsheets. The inventory lists every
    critical sheet (a census, not a sample), so from the minimum on the share is judged as
    it is.
    Base: staff time (hourly cost: engagement.yaml, else the roster, else the default).
    """
    sheets = data["spreadsheets"]
    critical = sheets[is_true(sheets, "critical")]
    editors = (critical["editors"].fillna(1.0) if "editors" in critical
               else pd.Series(1.0, index=critical.index))
    fragile_mask = (editors <= 1) & ~is_true(critical, "documented")
    fragile = critical[fragile_mask].assign(editors=editors[fragile_mask])
    fragile_share = ratio(len(fragile), len(critical))

    hours = (fragile["hours_per_week"].fillna(0.0) if "hours_per_week" in fragile
             else pd.Series(0.0, index=fragile.index))
    fragile = fragile.assign(hours_per_week=hours)
    weekly = float(hours.sum())
    hourly, hourly_words = hourly_cost(data)
    impact = Impact(*(weekly * h * 52 for h in hourly),
                    formula=f"{weekly:,.1f} hours a week maintaining fragile critical "
                            "spreadsheets × hourly cost × 52; error exposure not priced",
                    assumptions={"hourly cost": hourly_words})
    columns = [c for c in ("file", "owner", "process", "editors", "documented",
                           "hours_per_week", "last_modified_at") if c in fragile]
    evidence = fragile.sort_values("hours_per_week", ascending=False)[columns]
    status, why = judge_census(len(fragile), len(critical), warn, fail,
                               min_evidence=int(min_evidence), noun="critical spreadsheets")
    return Result(
        status=status, judgement=why,
        metrics={"fragile_share": share(fragile_share, "critical spreadsheets with one editor "
                                                       "and no documentation ÷ critical "
                                                       "spreadsheets"),
                 "fragile_spreadsheets": Metric(len(fragile), "count",
                                                "fragile critical spreadsheets"),
                 "critical_spreadsheets": Metric(len(critical), "count",
                                                 "critical spreadsheets"),
                 "fragile_hours_per_week": Metric(weekly, "hours",
                                                  "hours a week maintaining them")},
        evidence=evidence.reset_index(drop=True), evidence_id="file",
        impact=impact, story=SPREADSHEET_STORY,
        chart=spreadsheet_chart(critical, fragile_mask) if len(critical) else None)


def spreadsheet_chart(critical: pd.DataFrame, fragile: pd.Series) -> CauseChart:
    """Critical spreadsheets per owner (the 12 largest), stacked into those with one editor
    and no documentation and the rest: whose sheets nobody else can run."""
    alone, shared = "one editor, undocumented", "shared or documented"
    frame = pd.DataFrame({"owner": top_labels(critical["owner"]),
                          "sheet": np.where(fragile.to_numpy(dtype=bool), alone, shared)})
    data = tally(frame, "owner", "sheet", series_order=[alone, shared], name="spreadsheets")
    count = int(fragile.sum())
    if count:
        owners = critical.loc[fragile, "owner"].astype("str").value_counts().sort_index()
        owners = owners.sort_values(ascending=False, kind="stable")
        note = (f"{count:,} of {plural(len(critical), 'critical spreadsheet')} "
                f"{'has' if count == 1 else 'have'} one "
                f"editor and no documentation ({pct(ratio(count, len(critical)))}); "
                f"{owners.index[0]} owns {owners.iloc[0]:,} of them.")
    else:
        note = (f"Each of the {len(critical):,} critical spreadsheets has a second editor or "
                "documentation.")
    return CauseChart(
        kind="stacked", data=data, x="owner", y="spreadsheets", series="sheet",
        title="Critical spreadsheets by owner: one editor and undocumented, or not",
        x_title="owner", y_title="critical spreadsheets", y_unit="count", note=note)
