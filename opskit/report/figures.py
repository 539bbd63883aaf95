"""Plotly figures built from results, on demand: the report never recomputes a metric.

Every figure is drawn from a ``Result`` or a ``Diagnosis``; text that could come from client
data is escaped before it reaches a title, a label or a hover template (plotly renders a
subset of HTML in those).
"""

from __future__ import annotations

import html
import math

from opskit.findings import HATS, Diagnosis, Result, Status, format_value
from opskit.money import current, symbol, using_currency


def money_hover(field: str) -> str:
    """A plotly hover template piece for an amount in the current currency: '€%{x:,.0f}'."""
    mark = symbol()
    spacer = " " if mark.isalpha() else ""
    return f"{html.escape(mark)}{spacer}%{{{field}:,.0f}}"


def money_prefix() -> str:
    """Axis tick prefix for amounts in the current currency ('€', 'CHF ')."""
    mark = symbol()
    return mark + (" " if mark.isalpha() else "")


COLOURS = {"FAIL": "#c0392b", "WARN": "#e67e22", "PASS": "#27ae60",
           "NOT_ASSESSABLE": "#95a5a6", "ERROR": "#8e44ad"}


def _go():
    import plotly.graph_objects as go  # lazy: importing opskit must not import plotly

    return go


def scorecard(diagnosis: Diagnosis):
    """The six-hat scorecard: status counts per hat, with the opportunity in the hover."""
    with using_currency(diagnosis.currency):
        return _scorecard(diagnosis)


def _scorecard(diagnosis: Diagnosis):
    go = _go()
    card = diagnosis.by_hat()
    names = [HATS[h] for h in card["hat"]]
    fig = go.Figure()
    for status in ("FAIL", "WARN", "PASS", "NOT_ASSESSABLE", "ERROR"):
        counts = card[status].tolist()
        if not any(counts):
            continue
        fig.add_bar(y=names, x=counts, orientation="h", name=status.replace("_", " ").title(),
                    marker_color=COLOURS[status],
                    customdata=card["impact_base"].tolist(),
                    hovertemplate="%{y}: %{x} " + status.replace("_", " ").lower()
                    + "<br>opportunity " + money_hover("customdata")
                    + " a year<extra></extra>")
    fig.update_layout(barmode="stack", title="Six-hat scorecard", height=360,
                      margin=dict(l=10, r=10, t=50, b=30), legend_orientation="h",
                      xaxis_title="checks", yaxis=dict(autorange="reversed"))
    return fig


def opportunity(diagnosis: Diagnosis, top: int = 10):
    """Annual opportunity (base, with low-high range) of the biggest findings."""
    with using_currency(diagnosis.currency):
        return _opportunity(diagnosis, top)


def _opportunity(diagnosis: Diagnosis, top: int):
    go = _go()
    # what each finding carries into the total (a record two findings price counts once)
    carried = sorted(((r, diagnosis.carried(r)) for r in diagnosis.flagged()
                      if r.impact.in_total), key=lambda pair: -pair[1][1])[:top]
    flagged = [r for r, _ in carried]
    labels = [html.escape(r.title) for r in flagged]
    fig = go.Figure(go.Bar(
        y=labels, x=[base for _, (_, base, _) in carried], orientation="h",
        marker_color=[COLOURS[str(r.status)] for r in flagged],
        error_x=dict(type="data", symmetric=False,
                     array=[high - base for _, (_, base, high) in carried],
                     arrayminus=[base - low for _, (low, base, _) in carried]),
        hovertemplate="%{y}<br>" + money_hover("x") + " a year (base)<extra></extra>"))
    fig.update_layout(title="Annual opportunity by finding (base, with low–high range)",
                      height=120 + 34 * max(len(flagged), 1),
                      margin=dict(l=10, r=10, t=50, b=30), xaxis_tickprefix=money_prefix(),
                      xaxis_title=f"{current()} a year", yaxis=dict(autorange="reversed"))
    return fig


def finding(result: Result):
    """The headline metric against its warn and fail thresholds (a bullet chart)."""
    go = _go()
    metric = result.headline_metric
    value = metric.value if metric and metric.value is not None else 0.0
    unit = metric.unit if metric else ""
    warn = result.thresholds.get("warn")
    fail = result.thresholds.get("fail")
    scale = 100.0 if unit == "share" else 1.0
    values = [v for v in (value, warn, fail) if v is not None and not math.isnan(v)]
    top = max(values) * 1.25 * scale if values else 1.0
    shapes, notes = [], []
    for name, threshold, colour in (("warn", warn, COLOURS["WARN"]),
                                    ("fail", fail, COLOURS["FAIL"])):
        if threshold is None:
            continue
        # Threshold lines as plain layout shapes (add_vline costs ~40 ms a call).
        shapes.append(dict(type="line", x0=threshold * scale, x1=threshold * scale, y0=0,
                           y1=1, yref="paper", line=dict(color=colour, dash="dash")))
        notes.append(dict(x=threshold * scale, y=1, yref="paper", yanchor="bottom",
                          showarrow=False, text=f"{name} {format_value(threshold, unit)}"))
    bar = go.Bar(x=[value * scale], y=[html.escape(result.headline or "")], orientation="h",
                 marker_color=COLOURS.get(str(result.status), "#555"), width=0.5,
                 hovertemplate=f"measured {format_value(value, unit)}<extra></extra>")
    layout = dict(
        title=f"{html.escape(result.title)}: {format_value(value, unit)}",
        height=200, margin=dict(l=10, r=10, t=60, b=30), showlegend=False,
        shapes=shapes, annotations=notes,
        xaxis=dict(range=[0, top or 1.0], ticksuffix="%" if unit == "share" else "",
                   tickprefix=money_prefix() if unit == "$" else "",
                   title=current() if unit == "$" else unit if unit != "share" else ""))
    return go.Figure(data=[bar], layout=layout)


def history(runs):
    """Total opportunity (base) and manual hours a month at each diagnostic of the client."""
    from plotly.subplots import make_subplots

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    labels = [f"{a} (run {i})" for i, a in zip(runs["id"], runs["as_of"], strict=True)]
    fig.add_bar(x=labels, y=runs["total_base"].tolist(),
                name=f"opportunity (base, {current()}/year)", marker_color="#c0392b",
                hovertemplate=money_hover("y") + " a year<extra></extra>")
    fig.add_scatter(x=labels, y=runs["manual_hours"].tolist(), name="manual hours a month",
                    mode="lines+markers", marker_color="#2c3e50", secondary_y=True,
                    hovertemplate="%{y:,.1f} hours a month<extra></extra>")
    fig.update_layout(title="Opportunity and manual work at each diagnostic", height=320,
                      margin=dict(l=10, r=10, t=50, b=30), legend_orientation="h",
                      yaxis_tickprefix=money_prefix())
    fig.update_yaxes(title_text="hours a month", secondary_y=True)
    return fig


def to_div(fig) -> str:
    """A figure as an HTML div that relies on plotly.js being embedded once in the page.

    The figure was validated when it was built; serializing skips a second validation.
    """
    import plotly.io as pio

    return pio.to_html(fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig,
                       full_html=False, include_plotlyjs=False, validate=False,
                       config={"displaylogo": False, "displayModeBar": False,
                               "responsive": True})


def plotly_js() -> str:
    """plotly.js inline, once per report: no CDN, the report opens offline."""
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def report_figure_count(diagnosis: Diagnosis, history_runs: int = 0) -> int:
    """How many figures the report draws: one per WARN or FAIL finding, the scorecard, the
    opportunity chart when there is a finding, and the history chart from the second run on
    (the browser test counts them)."""
    flagged = sum(1 for r in diagnosis.results if r.status in (Status.WARN, Status.FAIL))
    return flagged + 1 + (1 if flagged else 0) + (1 if history_runs > 1 else 0)
