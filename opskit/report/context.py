"""Everything a report renders, computed once: the engagement, its diagnosis, the audience.

``prepare`` is where the audience is applied: for a ``client`` report every evidence frame,
failure value and data-quality note is redacted here, once, so no writer can forget to.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from opskit import handoff
from opskit.diagnose import diagnose
from opskit.engagement import Engagement, Period
from opskit.errors import ConfigError
from opskit.findings import Diagnosis, Result
from opskit.money import using_currency
from opskit.report.redact import redact_frame, redact_value, region_for
from opskit.unusable import Unusable

AUDIENCES = ("consultant", "client")


@dataclass
class ReportContext:
    """The inputs of every section and artifact of one report."""

    engagement: Engagement
    diagnosis: Diagnosis
    audience: str
    generated_at: str
    row_accounting: pd.DataFrame
    failures: pd.DataFrame
    history: Any = None  # opskit.history.Since once the run is recorded
    history_error: str | None = None  # why the history section is missing
    unusable: pd.DataFrame = field(default_factory=lambda: unusable_frame([]))
    """The files left out of this run, one row each: file, tables, why, to fix."""
    workbook_apart: bool = False
    """True when `opskit run` writes findings.xlsx itself from this very context, beside
    the kernel (the workbook is the longest artifact to write): ``write_artifacts`` in the
    notebook then leaves it to the run."""

    @property
    def results(self) -> list[Result]:
        return self.diagnosis.results

    @property
    def currency(self) -> str:
        """The engagement's currency: every amount of the report is shown in it."""
        return self.diagnosis.currency


F = TypeVar("F", bound=Callable[..., Any])


def in_currency(render: F) -> F:
    """Run a renderer whose first argument is a ReportContext in the report's currency, so
    ``money``, ``symbol`` and ``Metric.display`` show euros for a euro client whoever calls
    it (the notebook, the workbook writer, a test)."""

    @functools.wraps(render)
    def wrapper(ctx: ReportContext, *args: Any, **kwargs: Any) -> Any:
        with using_currency(ctx.currency):
            return render(ctx, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def prepare(engagement: str | Path | Engagement, *, period_start: str | None = None,
            period_end: str | None = None, audience: str = "consultant",
            checks: list[str] | None = None,
            thresholds: Mapping[str, Mapping[str, Any]] | None = None,
            validated: Mapping[str, str] | None = None) -> ReportContext:
    """Load (if needed), diagnose, and apply the audience: the one step before rendering.

    ``validated`` is what `opskit run` hands over (see ``opskit.handoff``): the engagement it
    already loaded, used instead of reading the folder again when it checks out.
    """
    if audience not in AUDIENCES:
        raise ConfigError("audience", expected=" or ".join(AUDIENCES), got=repr(audience))
    if not isinstance(engagement, Engagement):
        handed = handoff.read(validated)
        same = handed is not None and handed.path.resolve() == Path(engagement).resolve()
        engagement = handed if same else Engagement.load_partial(engagement)
    if period_start or period_end:
        start = pd.Timestamp(period_start) if period_start else engagement.period.start
        end = pd.Timestamp(period_end) if period_end else engagement.period.end
        if end < start:
            raise ConfigError("period", expected="period_start on or before period_end",
                              got=f"{start.date()} to {end.date()}")
        engagement.period = Period(start, end)
    diagnosis = diagnose(engagement, checks=checks, params=thresholds or None)
    accounting = engagement.row_accounting()
    failures = engagement.all_failures()
    unusable = unusable_frame(engagement.unusable)
    if audience == "client":
        region = region_for(engagement.config.currency)  # whose national phone numbers
        diagnosis = replace(diagnosis, results=[_redact_result(r, region)
                                                for r in diagnosis.results])
        accounting = redact_frame(accounting, region)
        failures = redact_frame(failures, region)
        unusable = redact_frame(unusable, region)
    return ReportContext(engagement, diagnosis, audience,
                         dt.datetime.now().isoformat(timespec="seconds"), accounting, failures,
                         unusable=unusable)


UNUSABLE_COLUMNS = ["file", "tables", "why", "to fix"]


def unusable_frame(records: Sequence[Unusable]) -> pd.DataFrame:
    """The files a run left out, as the report's data section and findings.json list them."""
    return pd.DataFrame([{
        "file": r.file,
        "tables": ", ".join(r.tables) or "none (a format opskit does not know)",
        "why": (f"opskit crashed while reading it: {r.reason}" if r.bug else r.reason),
        "to fix": ("a bug in opskit, not in the file: report it (see SECURITY.md)"
                   if r.bug else "fix or re-export the file, then run again")}
        for r in records], columns=UNUSABLE_COLUMNS)


def _redact_result(result: Result, region: str) -> Result:
    evidence = redact_frame(result.evidence, region) if result.evidence is not None else None
    chart = result.chart
    if chart is not None:  # a cause chart's labels and note can name people (logins, owners)
        chart = replace(chart, data=redact_frame(chart.data, region),
                        title=redact_value(chart.title, region),
                        note=redact_value(chart.note, region))
    return replace(result, evidence=evidence, chart=chart,
                   details=redact_value(dict(result.details), region),
                   error=redact_value(result.error, region),
                   data_request=redact_value(result.data_request, region))
