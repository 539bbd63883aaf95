"""What a check produces: a frozen ``Result``, and ``Diagnosis``, the results of one run.

Values are kept apart from their display: a Result holds numbers, evidence rows and words;
``opskit.report`` draws figures from it on demand. ``to_dict()`` is the stable record that
findings.json, the history ledger and the portfolio read.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import pandas as pd

from opskit.money import money, using_currency

HATS: dict[str, str] = {
    "fulfillment": "eCommerce & fulfillment",
    "finance": "Accounting, margin & cash",
    "sales": "Sales & marketing",
    "systems": "ERP & systems integration",
    "knowledge": "Knowledge & automation",
    "security": "Security & access",
}
AREA_HAT: dict[str, str] = {
    "fulfillment": "fulfillment", "inventory": "fulfillment",
    "margin": "finance", "cash": "finance",
    "sales": "sales", "marketing": "sales",
    "integration": "systems",
    "knowledge": "knowledge", "efficiency": "knowledge",
    "security": "security",
}


class Status(StrEnum):
    """A check's verdict. Order matters for sorting: worst first."""

    FAIL = "FAIL"
    WARN = "WARN"
    PASS = "PASS"
    NOT_ASSESSABLE = "NOT_ASSESSABLE"
    ERROR = "ERROR"

    @property
    def flagged(self) -> bool:
        return self in (Status.WARN, Status.FAIL)


STATUS_ORDER = {s: i for i, s in enumerate(Status)}


@dataclass(frozen=True)
class Metric:
    """A measured value with its unit ('share', 'days', '$', 'count', ...) and a label."""

    value: float | None
    unit: str
    label: str = ""

    def display(self) -> str:
        return format_value(self.value, self.unit)


def format_value(value: float | None, unit: str) -> str:
    """Human form of a metric: 0.0812 share -> '8.1%', 1234.5 $ -> '$1,234'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "$":
        return money(value)
    if unit in ("count", "records"):
        return f"{value:,.0f}"
    if unit in ("ratio",):
        return f"{value:.2f}x"
    return f"{value:,.1f} {unit}"


@dataclass(frozen=True)
class Impact:
    """Annual money at stake: low <= base <= high, the formula and assumptions in words.

    ``in_total`` is False when the dollars are counted by another check or are only at
    risk, so the report's total opportunity never counts the same dollars twice.

    ``records`` (optional) is the annual base dollars per record the impact prices, indexed
    by the record's id and named after the id column (``order_id``, ``invoice_id``...). Two
    findings that price the same records overlap; ``Diagnosis`` counts each shared record
    once, at the larger of the claims (see ``Diagnosis.overlaps``).
    """

    low: float = 0.0
    base: float = 0.0
    high: float = 0.0
    formula: str = ""
    assumptions: Mapping[str, str] = field(default_factory=dict)
    in_total: bool = True
    note: str = ""
    records: pd.Series | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Rounded to cents; an undefined amount (nothing to price) is zero, never NaN.
        for name in ("low", "base", "high"):
            value = getattr(self, name)
            value = 0.0 if value is None or math.isnan(value) else round(float(value), 2)
            object.__setattr__(self, name, value)

    @property
    def ordered(self) -> bool:
        """low <= base <= high, the contract every check's impact keeps."""
        return self.low <= self.base <= self.high

    @classmethod
    def none(cls, why: str) -> Impact:
        """A finding with no direct money consequence, and why (risk, counted elsewhere)."""
        return cls(0.0, 0.0, 0.0, formula=why, in_total=False, note=why)

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "base": self.base, "high": self.high,
                "formula": self.formula, "assumptions": dict(self.assumptions),
                "in_total": self.in_total, "note": self.note}

    def scaled(self, base: float) -> tuple[float, float, float]:
        """(low, base, high) with the base replaced by ``base`` and low/high scaled alike."""
        if not self.base:
            return (0.0, 0.0, 0.0)
        factor = base / self.base
        return (self.low * factor, base, self.high * factor)


@dataclass(frozen=True)
class Story:
    """The symptom a client reports, and the cause the data shows."""

    symptom: str
    cause: str

    def one_line(self) -> str:
        return f"{self.symptom} → {self.cause}"


CHART_KINDS = ("bars", "lines", "stacked", "heatmap", "histogram", "scatter")
"""How a cause chart can be drawn (report/figures.py draws each, the same everywhere):

- ``bars``: one bar per ``x`` category with height ``y``; grouped by ``series`` when given;
  error bars from ``low``/``high`` (e.g. late rate of defective vs clean orders, 95% intervals);
- ``lines``: ``y`` over ``x`` (a date or week), one line per ``series`` (e.g. weekly late rate
  by warehouse, SKU-days out for the top SKUs);
- ``stacked``: bars of ``x`` whose ``series`` parts stack to the whole (e.g. time in our queue
  plus carrier transit by week; AR or stock by aging bucket);
- ``heatmap``: ``x`` by ``y`` cells coloured by ``z`` (e.g. missed share by hour and weekday);
- ``histogram``: the distribution of ``x`` (``y`` unused, may equal ``x``), with ``marks``
  (e.g. lead response hours with the one-hour mark);
- ``scatter``: ``y`` against ``x`` per row, coloured by ``series``.
"""


@dataclass(frozen=True)
class CauseChart:
    """The picture that shows a finding's cause, not just its size: tidy data the check already
    computed, and how to draw it. Checks stay pure pandas and return this; report/figures.py
    (``cause``) turns it into a plotly figure for the report, the explorer and the portfolio.

    Units use the ``Metric`` vocabulary (``share`` is a 0-1 fraction shown as a percent, ``$``
    money in the engagement currency, ``days``, ``hours``, ``count``, ...).
    """

    kind: str
    data: pd.DataFrame
    x: str
    y: str
    title: str
    series: str | None = None
    z: str | None = None
    low: str | None = None
    high: str | None = None
    facet: str | None = None
    x_title: str = ""
    y_title: str = ""
    x_unit: str = ""
    y_unit: str = ""
    marks: tuple[tuple[float, str], ...] = ()
    """Labelled reference values on the value axis (the ``y`` axis; ``x`` for histograms)."""
    note: str = ""
    """One sentence under the chart saying what the picture shows, e.g. 'Defective orders are
    late 24.7% of the time, clean ones 4.6%.'"""

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"cause chart kind {self.kind!r} is not one of {CHART_KINDS}")
        needed = [c for c in (self.x, self.y, self.series, self.z, self.low, self.high,
                              self.facet) if c]
        missing = [c for c in needed if c not in self.data.columns]
        if missing:
            raise ValueError(f"cause chart {self.title!r} lacks columns {missing}")


@dataclass(frozen=True)
class Result:
    """The outcome of one check on one engagement. Checks fill the measured fields; the
    registry fills the metadata (id, title, area, hat, playbook, proof metric, thresholds)."""

    status: Status
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    evidence: pd.DataFrame | None = None
    evidence_id: str | None = None
    impact: Impact = field(default_factory=Impact)
    story: Story | None = None
    headline: str | None = None
    data_request: str | None = None
    error: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    chart: CauseChart | None = None
    """The picture of the cause (see ``CauseChart``); None only when there is nothing to
    draw (NOT_ASSESSABLE, ERROR, or no rows in the population)."""
    judgement: str = ""
    """How the evidence decided the verdict, e.g. 'too few to judge: 4 late orders of 312
    (95% interval 0.3%-3.3% does not reach 4%)'; empty when the point value decided."""
    check_id: str = ""
    title: str = ""
    area: str = ""
    hat: str = ""
    thresholds: Mapping[str, float] = field(default_factory=dict)
    playbook: str = ""
    proof_metric: str = ""

    def with_meta(self, **meta: Any) -> Result:
        return replace(self, **meta)

    @property
    def headline_metric(self) -> Metric | None:
        name = self.headline or next(iter(self.metrics), None)
        return self.metrics.get(name) if name else None

    def evidence_ids(self) -> list[str]:
        if self.evidence is None or self.evidence_id not in getattr(self.evidence, "columns", []):
            return []
        return [str(v) for v in self.evidence[self.evidence_id].tolist()]

    def one_line(self) -> str:
        if self.status is Status.NOT_ASSESSABLE:
            return f"Not assessable: {self.data_request}"
        if self.status is Status.ERROR:
            return "The check failed to run: " + (self.error or "").strip().splitlines()[-1]
        metric = self.headline_metric
        value = f" ({self.headline}: {metric.display()})" if metric else ""
        story = self.story.one_line() if self.story else ""
        return f"{story}{value}"

    def to_dict(self, evidence_rows: int | None = 20) -> dict[str, Any]:
        """JSON-ready record; evidence capped at ``evidence_rows`` rows (None: all)."""
        evidence = None
        if self.evidence is not None:
            frame = self.evidence if evidence_rows is None else self.evidence.head(evidence_rows)
            evidence = json.loads(frame.to_json(orient="records", date_format="iso"))
        return {
            "check_id": self.check_id, "title": self.title, "area": self.area, "hat": self.hat,
            "status": str(self.status),
            "headline": self.headline,
            "metrics": {k: {"value": _clean(m.value), "unit": m.unit, "label": m.label}
                        for k, m in self.metrics.items()},
            "thresholds": {k: _clean(v) for k, v in self.thresholds.items()},
            "impact": self.impact.to_dict(),
            "story": {"symptom": self.story.symptom, "cause": self.story.cause}
            if self.story else None,
            "playbook": self.playbook, "proof_metric": self.proof_metric,
            "data_request": self.data_request, "error": self.error,
            "judgement": self.judgement,
            "evidence_id": self.evidence_id,
            "evidence_count": 0 if self.evidence is None else len(self.evidence),
            "evidence": evidence,
        }

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(k)}</td><td>{esc(m.display())}</td></tr>"
            for k, m in self.metrics.items())
        story = (f"<p><b>Symptom:</b> {esc(self.story.symptom)}<br><b>Cause:</b> "
                 f"{esc(self.story.cause)}</p>") if self.story else ""
        impact = (f"<p><b>Impact:</b> {money(self.impact.low)} / {money(self.impact.base)} / "
                  f"{money(self.impact.high)} a year (low / base / high). "
                  f"{esc(self.impact.formula)}</p>")
        request = f"<p><b>Data request:</b> {esc(self.data_request)}</p>" if (
            self.data_request) else ""
        evidence = ""
        if self.evidence is not None and len(self.evidence):
            evidence = self.evidence.head(10).to_html(index=False, escape=True)
        return (f"<div><h4>[{esc(str(self.status))}] {esc(self.check_id)}: {esc(self.title)}"
                f"</h4><table>{rows}</table>{story}{impact}{request}{evidence}</div>")


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass
class Diagnosis:
    """All results of one diagnostic run on one engagement."""

    client: str
    period: tuple[str, str]
    results: list[Result]
    params: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    assumptions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    annual_revenue: float | None = None
    """Revenue of the period, annualized: what the total opportunity is a share of."""
    currency: str = "USD"
    _overlap_cache: Any = field(default=None, init=False, repr=False, compare=False)

    def __getitem__(self, check_id: str) -> Result:
        for result in self.results:
            if result.check_id == check_id:
                return result
        raise KeyError(check_id)

    def summary(self) -> pd.DataFrame:
        """One row per check: hat, status, headline metric, impact."""
        rows = []
        for r in self.results:
            metric = r.headline_metric
            rows.append({
                "check_id": r.check_id, "hat": r.hat, "area": r.area, "title": r.title,
                "status": str(r.status), "metric": r.headline,
                "value": metric.value if metric else None,
                "display": metric.display() if metric else "",
                "impact_low": r.impact.low, "impact_base": r.impact.base,
                "impact_high": r.impact.high, "in_total": r.impact.in_total,
            })
        frame = pd.DataFrame(rows)
        if len(frame):
            frame["_order"] = frame["status"].map({str(s): i for s, i in STATUS_ORDER.items()})
            frame = frame.sort_values(["_order", "impact_base"], ascending=[True, False])
            frame = frame.drop(columns="_order").reset_index(drop=True)
        return frame

    def by_hat(self) -> pd.DataFrame:
        """Scorecard: per hat, counts of each status and the opportunity in the total."""
        rows = []
        for hat, name in HATS.items():
            results = [r for r in self.results if r.hat == hat]
            counted = [r for r in results if r.status.flagged and r.impact.in_total]
            row = {"hat": hat, "name": name}
            for status in Status:
                row[str(status)] = sum(r.status is status for r in results)
            row["impact_base"] = sum(self.carried(r)[1] for r in counted)
            rows.append(row)
        return pd.DataFrame(rows)

    def overlaps(self) -> dict[str, dict[str, float]]:
        """Per finding in the total, the base dollars another finding already carries.

        Findings whose impact prices records (``Impact.records``) overlap when they price
        the same ids (the same orders, the same invoices). Each shared record enters the
        total once, at the larger claim: findings are taken biggest first, and a later one
        gives up, per shared record, the part already claimed. Returns ``{check_id:
        {carrying check_id: dollars given up}}`` for the findings that gave up anything.
        """
        claimed: dict[str, pd.Series] = {}  # id column -> claimed dollars per id
        owner: dict[str, pd.Series] = {}  # id column -> the check that claimed each id
        given_up: dict[str, dict[str, float]] = {}
        for result in sorted(self._in_total(), key=lambda r: -r.impact.base):
            records = result.impact.records
            if records is None or not len(records):
                continue
            kind = str(records.name or "id")
            own = records.groupby(level=0).sum()
            before = claimed.get(kind)
            if before is None:
                claimed[kind] = own
                owner[kind] = pd.Series(result.check_id, index=own.index)
                continue
            shared = own.index.intersection(before.index)
            if len(shared):
                overlap = pd.concat([own[shared], before[shared]], axis=1).min(axis=1)
                by_owner = overlap.groupby(owner[kind][shared]).sum()
                given = {str(k): float(v) for k, v in by_owner.items() if v > 0}
                if given:
                    given_up[result.check_id] = given
            fresh = own.index.difference(before.index)
            claimed[kind] = pd.concat([before.combine(own.reindex(before.index).fillna(0.0),
                                                      max), own[fresh]])
            owner[kind] = pd.concat([owner[kind], pd.Series(result.check_id, index=fresh)])
        return given_up

    def carried(self, result: Result) -> tuple[float, float, float]:
        """(low, base, high) of ``result`` that enters the total (zeros when none does)."""
        if not (result.status.flagged and result.impact.in_total):
            return (0.0, 0.0, 0.0)
        given = sum(self._overlaps().get(result.check_id, {}).values())
        return result.impact.scaled(max(result.impact.base - given, 0.0))

    def total_impact(self) -> dict[str, float]:
        """Total annual opportunity: flagged findings in the total, each record once."""
        parts = [self.carried(r) for r in self._in_total()]
        return {k: round(sum(p[i] for p in parts), 2)
                for i, k in enumerate(("low", "base", "high"))}

    def total_share_of_revenue(self) -> float | None:
        """The base total as a share of annual revenue (None when revenue is unknown)."""
        if not self.annual_revenue:
            return None
        return self.total_impact()["base"] / self.annual_revenue

    def _in_total(self) -> list[Result]:
        return [r for r in self.results if r.status.flagged and r.impact.in_total]

    def _overlaps(self) -> dict[str, dict[str, float]]:
        """``overlaps()``, computed once per set of results."""
        key = tuple(id(r) for r in self.results)
        if self._overlap_cache is None or self._overlap_cache[0] != key:
            self._overlap_cache = (key, self.overlaps())
        return self._overlap_cache[1]

    def flagged(self) -> list[Result]:
        """WARN and FAIL results, biggest base impact first."""
        return sorted((r for r in self.results if r.status.flagged),
                      key=lambda r: (-r.impact.base, STATUS_ORDER[r.status]))

    def to_dict(self, evidence_rows: int | None = 20) -> dict[str, Any]:
        return {
            "client": self.client,
            "period": {"start": self.period[0], "end": self.period[1]},
            "total_impact": self.total_impact(),
            "currency": self.currency,
            "annual_revenue": _clean(self.annual_revenue),
            "total_share_of_revenue": _clean(self.total_share_of_revenue()),
            "overlaps": self._overlaps(),
            "params": {k: dict(v) for k, v in self.params.items()},
            "assumptions": {k: dict(v) for k, v in self.assumptions.items()},
            "results": [r.to_dict(evidence_rows) for r in self.results],
        }

    def to_json(self, evidence_rows: int | None = 20, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(evidence_rows), indent=indent, default=str)

    def _repr_html_(self) -> str:
        with using_currency(self.currency):
            return self._html()

    def _html(self) -> str:
        total = self.total_impact()
        head = (f"<h3>{html.escape(self.client)}: {len(self.flagged())} findings, "
                f"{money(total['base'])} a year (low {money(total['low'])}, high "
                f"{money(total['high'])})</h3>")
        return head + self.summary().to_html(index=False, escape=True)
