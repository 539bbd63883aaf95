"""Run the checks on an engagement: the one orchestrator between data and report.

``diagnose`` reads like the recipe it is: resolve which checks run, validate every parameter
override before anything runs (all problems reported at once), run each check (a crash is an
ERROR result, never an exception), and return the Diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opskit.check_lanes import run_checks
from opskit.checks._common import annual_revenue
from opskit.engagement import Engagement
from opskit.errors import CombinedError, ConfigError
from opskit.findings import Diagnosis
from opskit.money import using_currency
from opskit.registry import CheckData, CheckSpec, all_checks, get
from opskit.unusable import by_table


def diagnose(engagement: Engagement, checks: Iterable[str] | None = None,
             params: Mapping[str, Mapping[str, Any]] | None = None,
             processes: int | None = None) -> Diagnosis:
    """Run ``checks`` (default: all) on ``engagement`` with threshold overrides ``params``.

    Overrides come from engagement.yaml (``thresholds:``) and then ``params`` (which wins).
    An invalid override raises before any check runs; data problems never raise.
    ``processes``: 1 runs every check in this process, 2 forks a helper for the checks
    that do not read orders; by default a large engagement on a multi-core machine forks
    (``opskit.check_lanes``). The results are the same either way.
    """
    specs = select_checks(checks)
    overrides = resolve_overrides(engagement, params)
    data = check_data(engagement)
    with using_currency(engagement.config.currency):
        results = run_checks(specs, data, overrides, processes)
    return Diagnosis(
        client=engagement.client,
        period=(str(engagement.period.start.date()), str(engagement.period.end.date())),
        results=results,
        params={r.check_id: dict(r.thresholds) for r in results},
        assumptions={name: {"low": a.low, "base": a.base, "high": a.high, "unit": a.unit,
                            "doc": a.doc,
                            "source": "engagement.yaml" if a.explicit else "default"}
                     for name, a in engagement.assumptions.items()},
        annual_revenue=annual_revenue(data) or None,
        currency=engagement.config.currency,
    )


def select_checks(checks: Iterable[str] | None) -> list[CheckSpec]:
    """The specs to run, in catalog order; unknown ids raise with the closest matches."""
    if checks is None:
        return all_checks()
    wanted = {spec.id: spec for spec in (get(c) for c in checks)}
    order = {s.id: i for i, s in enumerate(all_checks())}
    return sorted(wanted.values(), key=lambda s: order[s.id])


def resolve_overrides(engagement: Engagement, params: Mapping[str, Mapping[str, Any]] | None
                      ) -> dict[str, dict[str, Any]]:
    """Merge yaml thresholds and ``params``, validating every value against its Param."""
    merged: dict[str, dict[str, Any]] = {}
    for source in (engagement.config.thresholds, params or {}):
        for check_id, values in source.items():
            merged.setdefault(check_id, {}).update(values or {})
    problems: list[ConfigError] = []
    for check_id, values in merged.items():
        try:
            get(check_id).resolve(values)
        except ConfigError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise CombinedError(problems, "Invalid check parameters")
    return merged


def check_data(engagement: Engagement) -> CheckData:
    """The read-only view of an engagement that checks receive."""
    return CheckData(tables=engagement.tables, period=engagement.period,
                     assumptions=engagement.assumptions, client=engagement.client,
                     unusable=by_table(engagement.unusable))
