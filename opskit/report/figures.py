"""Plotly figures built from results, on demand: the report never recomputes a metric.

Every figure is drawn from a ``Result`` or a ``Diagnosis``; text that could come from client
data is escaped before it reaches a title, a label or a hover template (plotly renders a
subset of HTML in those).
"""

from __future__ import annotations

import functools
import html
import math
import re
import textwrap

from opskit.findings import HATS, CauseChart, Diagnosis, Result, Status, format_value
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


CAUSE_COLOURS = ("#2c3e50", "#e67e22", "#2980b9", "#c0392b", "#27ae60", "#8e44ad",
                 "#16a085", "#7f8c8d", "#d35400", "#34495e")
TITLE_WIDTH = 34  # characters per title line (15 px): a 390 px phone gives a chart ~300 px
NOTE_WIDTH = 44   # characters per subtitle line (12 px): fits the same 300 px
MARK_WIDTH = 24   # characters per mark label line (11 px): half a 390 px phone's plot
TICK_STANDOFF = 6  # px between an axis and its tick labels: the x axis's first label and
#                    the y axis's lowest one never meet in the plot's corner


def text_safe(text: str) -> str:
    """``text`` as plotly shows it literally: HTML escaped, and '$' as an entity, since
    plotly reads any text holding two '$' ('$128 of $424') as LaTeX and drops it."""
    return html.escape(text).replace("$", "&#36;")


def wrap(text: str, width: int) -> str:
    """``text`` escaped and wrapped with <br> at about ``width`` characters (plotly does not
    wrap titles: a long one is cut at the edge of a phone screen). Lines break between
    words, not at hyphens: an id such as 'CF-OUT-1029' stays whole (the report's page
    script re-wraps on spaces for wider screens)."""
    return "<br>".join(text_safe(line) for line in textwrap.wrap(
        text, width, break_on_hyphens=False)) or ""


def _unit_axis(unit: str, top: float = 1.0) -> dict:
    """Axis formatting for a ``Metric`` unit: share as % (with a decimal when the axis ends
    below 5%, so ticks do not repeat '1%, 1%, 2%'), money with the currency mark."""
    if unit == "share":
        return dict(tickformat=".0%" if top >= 0.05 else ".1%" if top >= 0.005 else ".2%")
    if unit == "$":
        return dict(tickprefix=money_prefix(), tickformat=",.0f")
    if unit in ("count", "records"):
        # below 6 plotly ticks at halves, which ',d' prints as '0, 1, 1, 2, 2': whole steps
        return dict(tickformat=",d", **({"dtick": 1} if top < 6 else {}))
    return {}


def _top(frame, columns, marks=(), *, stacked: bool = False, x: str | None = None) -> float:
    """The largest absolute value an axis shows: of ``columns`` (stacked: summed per ``x``)
    and of the marks; 1 when there is none."""
    import pandas as pd

    values = []
    for column in (c for c in columns if c and c in frame):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if stacked and x:
            numbers = numbers.clip(lower=0).groupby(frame[x].astype("str")).sum()
        values.append(float(numbers.abs().max()) if len(numbers) else 0.0)
    values += [abs(float(v)) for v, _ in marks]
    top = max((v for v in values if v == v), default=0.0)
    return top or 1.0


def _hover(field: str, unit: str) -> str:
    """A hover template piece for ``field`` in ``unit``."""
    if unit == "share":
        return f"%{{{field}:.1%}}"
    if unit == "$":
        return money_hover(field)
    if unit in ("count", "records"):
        return f"%{{{field}:,.0f}}"
    suffix = f" {html.escape(unit)}" if unit else ""
    return f"%{{{field}:,.1f}}{suffix}"


def _axis_title(title: str, unit: str) -> str:
    """An axis title naming its unit when the ticks do not ($ and % show on the ticks)."""
    words = title
    if unit == "$":
        words = f"{title} ({current()})" if title else current()
    elif unit and unit not in ("share", "count", "records") and unit not in title:
        words = f"{title} ({unit})" if title else unit
    return wrap(words, TITLE_WIDTH)


def _is_text(column) -> bool:
    """True for a column of text (labels), not numbers or dates."""
    import pandas as pd

    return bool(pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column))


def _labels(values) -> list:
    """Values as plotly shows them: text from client data escaped, numbers and dates as is."""
    return [text_safe(v) if isinstance(v, str) else v for v in values]


NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w.])")


def shows_value(name: str, value: float) -> bool:
    """True when a mark's name already states its value ('warn 5.0%' at 0.05, '50 customers'
    at 50): the label then does not repeat it."""
    for token in NUMBER.findall(name):
        number = float(token.replace(",", ""))
        if any(math.isclose(n, value, rel_tol=0.01, abs_tol=1e-9)
               for n in (number, number / 100)):
            return True
    return False


def merged_marks(marks, unit: str) -> list[tuple[float, str]]:
    """Marks sorted by value, those at the same value as one label ('warn and fail 1.0%');
    the value is added unless the names already state it."""
    by_value: dict[float, list[str]] = {}
    for value, name in marks:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        by_value.setdefault(float(value), []).append(name)
    return [(value, " and ".join(names) if any(shows_value(n, value) for n in names)
             else f"{' and '.join(names)} {format_value(value, unit)}")
            for value, names in sorted(by_value.items())]


def _mark_shapes(marks: list[tuple[float, str]], vertical: bool) -> tuple[list, list]:
    """Dashed reference lines and their labels. Labels of marks in value order take four
    places in turn, so that two marks sharing a place are three marks apart: on a horizontal
    line right-above, left-above, right-below, left-below; on a vertical one above the plot
    to the right, inside its top to the right, above to the left, inside to the left."""
    shapes, notes = [], []
    colours = {"warn": COLOURS["WARN"], "fail": COLOURS["FAIL"]}
    for i, (value, label) in enumerate(marks):
        colour = next((c for name, c in reversed(colours.items()) if label.startswith(name)),
                      "#555")
        first_pair = i % 4 < 2
        style = dict(showarrow=False, text=wrap(label, MARK_WIDTH),
                     font=dict(size=11, color=colour), bgcolor="rgba(255,255,255,0.8)")
        if vertical:
            shapes.append(dict(type="line", x0=value, x1=value, y0=0, y1=1, yref="paper",
                               line=dict(color=colour, dash="dash")))
            notes.append(dict(x=value, y=1, yref="paper",
                              yanchor="bottom" if i % 2 == 0 else "top",
                              xanchor="left" if first_pair else "right", **style))
        else:
            shapes.append(dict(type="line", y0=value, y1=value, x0=0, x1=1, xref="paper",
                               line=dict(color=colour, dash="dash")))
            notes.append(dict(y=value, x=1 if i % 2 == 0 else 0, xref="paper",
                              yanchor="bottom" if first_pair else "top",
                              xanchor="right" if i % 2 == 0 else "left", **style))
    return shapes, notes


def _groups(chart: CauseChart) -> list[tuple[str | None, object]]:
    """(name, rows) per series; a facet folds into the series name (a colour split)."""
    frame = chart.data
    keys = [c for c in (chart.facet, chart.series) if c]
    if not keys:
        return [(None, frame)]
    named = frame.assign(_group=frame[keys].astype("str").agg(": ".join, axis=1))
    return [(str(name), rows) for name, rows in named.groupby("_group", sort=False)]


def cause(result: Result):
    """The picture of a finding's cause from ``result.chart`` (None when there is none).

    One function draws every ``CHART_KINDS`` kind, the same in the report, the explorer and
    the portfolio: labels from client data escaped, units on the axes and in the hover,
    marks as labelled dashed lines, the chart's ``note`` as its subtitle, and a layout that
    holds at 390 px (wrapped titles, legend in its own band above the plot, automargins).

    Reading conventions: a ``histogram`` whose ``y`` differs from ``x`` is pre-binned (``x``
    the bin centre, ``y`` how many fall in it; keeps the rows few), with ``y == x`` the raw
    values; a ``heatmap``'s cells (``z``) are in ``y_unit``; a ``facet`` folds into the
    series name (a colour split).
    """
    chart = result.chart
    if chart is None:
        return None
    go = _go()
    vertical = chart.kind == "histogram"
    value_unit = chart.x_unit if vertical else chart.y_unit
    traces = []
    groups = _groups(chart)
    for i, (name, rows) in enumerate(groups):
        colour = CAUSE_COLOURS[i % len(CAUSE_COLOURS)]
        label = text_safe(name) if name is not None else None
        x = _labels(rows[chart.x].tolist())
        hover = (f"{'%{fullData.name}<br>' if label else ''}%{{x}}: "
                 f"{_hover('y', chart.y_unit)}<extra></extra>")
        if chart.kind in ("bars", "stacked"):
            error = None
            if chart.low and chart.high:
                y = rows[chart.y].to_numpy(dtype=float)
                error = dict(type="data", symmetric=False,
                             array=(rows[chart.high].to_numpy(dtype=float) - y).tolist(),
                             arrayminus=(y - rows[chart.low].to_numpy(dtype=float)).tolist())
            traces.append(go.Bar(x=x, y=rows[chart.y].tolist(), name=label,
                                 marker_color=colour, error_y=error, hovertemplate=hover))
        elif chart.kind in ("lines", "scatter"):
            traces.append(go.Scatter(
                x=x, y=rows[chart.y].tolist(), name=label,
                mode="lines+markers" if chart.kind == "lines" else "markers",
                marker_color=colour, line_color=colour,
                hovertemplate=(f"{'%{fullData.name}<br>' if label else ''}"
                               f"{_hover('x', chart.x_unit) if chart.kind == 'scatter' else '%{x}'}"
                               f": {_hover('y', chart.y_unit)}<extra></extra>")))
        elif chart.kind == "histogram":
            if chart.y == chart.x:
                traces.append(go.Histogram(x=rows[chart.x].tolist(), name=label,
                                           marker_color=colour))
            else:  # pre-binned: x is the bin, y how many fall in it
                traces.append(go.Bar(x=x, y=rows[chart.y].tolist(), name=label,
                                     marker_color=colour, hovertemplate=hover))
        elif chart.kind == "heatmap":
            table = rows.pivot_table(index=chart.y, columns=chart.x, values=chart.z,
                                     aggfunc="first", sort=False)
            traces.append(go.Heatmap(
                x=_labels(table.columns.tolist()), y=_labels(table.index.tolist()),
                z=table.to_numpy(dtype=float).tolist(), colorscale="Reds",
                colorbar=dict(**_unit_axis(chart.y_unit, _top(chart.data, [chart.z])),
                              thickness=12),
                hovertemplate=f"%{{x}}, %{{y}}: {_hover('z', chart.y_unit)}<extra></extra>"))
    shapes, notes = _mark_shapes(merged_marks(chart.marks, value_unit), vertical)
    title = wrap(chart.title, TITLE_WIDTH)
    note = wrap(chart.note, NOTE_WIDTH)
    show_legend = len(groups) > 1 and chart.kind != "heatmap"
    # Top to bottom: the toolbar's band, title and note, the legend, the vertical marks'
    # labels, the plot. Each band is sized for a 390 px phone, so nothing in it overlaps what
    # follows; the x axis below the plot rotates its labels freely (no legend under it).
    # a title line (15 px) takes 20 px as drawn, a note line (12 px) about 19.5 px
    title_px = 8 + 20 * (title.count("<br>") + 1) + (20 * (note.count("<br>") + 1)
                                                      if note else 0)
    legend_px = 24 * legend_rows([name for name, _ in groups]) if show_legend else 0
    marks_px = (6 + 14 * max(n["text"].count("<br>") + 1 for n in notes)
                if vertical and shapes else 0)
    plot_px = 260
    top = MODEBAR_PX + title_px + legend_px + marks_px + 12
    height = top + plot_px + 70
    x_axis = dict(automargin=True, ticklabelstandoff=TICK_STANDOFF,
                  title=_axis_title(chart.x_title, chart.x_unit),
                  **(_unit_axis(chart.x_unit, _top(chart.data, [chart.x], chart.marks))
                     if chart.kind in ("scatter", "histogram") else {}))
    y_axis = dict(automargin=True, ticklabelstandoff=TICK_STANDOFF,
                  title=_axis_title(chart.y_title, chart.y_unit),
                  **(_unit_axis(chart.y_unit, _top(chart.data, [chart.y, chart.high],
                                                   chart.marks, stacked=chart.kind ==
                                                   "stacked", x=chart.x))
                     if chart.kind != "heatmap" else {}))
    # ids that look like numbers ('6802000509786', '2026-08') stay categories, in data order
    for axis, column in ((x_axis, chart.x), (y_axis, chart.y if chart.kind == "heatmap"
                                             else None)):
        if column and _is_text(chart.data[column]):
            axis["type"] = "category"
    if chart.kind in ("bars", "stacked", "histogram") and not vertical:
        y_axis["rangemode"] = "tozero"
    layout = dict(
        title=dict(text=title + (f"<br><span style='font-size:12px;color:#555'>{note}</span>"
                                 if note else ""),
                   x=0, xanchor="left", xref="container", yref="container",
                   y=1 - (MODEBAR_PX + (MULTILINE_SHIFT if note or "<br>" in title else 0))
                   / height, yanchor="top", font=dict(size=15)),
        height=height, autosize=True,
        margin=dict(l=10, r=10, t=top, b=30, autoexpand=True), showlegend=show_legend,
        legend=dict(orientation="h", x=0, xanchor="left", xref="container", yref="container",
                    traceorder="normal",
                    y=1 - (MODEBAR_PX + title_px) / height, yanchor="top",
                    font=dict(size=11)),
        # a histogram's series stack: each bin's bar is the whole bin
        barmode="stack" if chart.kind in ("stacked", "histogram") else "group",
        bargap=0.02 if vertical else None,
        shapes=shapes, annotations=notes, xaxis=x_axis, yaxis=y_axis,
        # the legend's band, sized for a phone: the report's page script gives back what a
        # wider screen does not need (the legend then takes fewer rows)
        meta=dict(opskit_legend_px=legend_px))
    return go.Figure(data=traces, layout=layout)


MODEBAR_PX = 28  # the band at the top left to plotly's toolbar, so it never covers the title
MULTILINE_SHIFT = 12  # plotly draws a title of several lines about 12 px above its anchor
LEGEND_WIDTH = 200  # px a legend row gets on a 390 px phone: plotly wraps a horizontal
#                    legend at the plot's width (about 309 px less the axis margins)


def legend_rows(names: list[str | None]) -> int:
    """Rows a horizontal legend of ``names`` takes on a phone. An entry is its swatch and
    gaps (45 px) and its name (about 5.8 px a character at 11 px); once plotly wraps a
    legend it lines the entries up in columns as wide as the widest, so a row holds as many
    of those as fit. (The report's page script measures the legend drawn and corrects the
    band either way.)"""
    if not names:
        return 1
    widths = [45 + 5.8 * len(name or "") for name in names]
    if sum(widths) <= LEGEND_WIDTH:
        return 1
    per_row = max(1, int(LEGEND_WIDTH // max(widths)))
    return -(-len(names) // per_row)


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
    # both axes from zero: a flat 36 hours reads as flat, not as ticks 34.96 ... 36.48
    fig.update_yaxes(rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="hours a month", rangemode="tozero", tickformat=",.0f",
                     secondary_y=True)
    return fig


def warm_up() -> None:
    """Build and serialize a figure with every trace kind, property group and layout feature
    the report's charts use, so that plotly's validators and the classes of their nested
    properties (imported on first use) exist before the first chart of a report."""
    go = _go()
    figure = go.Figure([
        go.Bar(x=["a"], y=[1], marker_color="red", error_y=dict(type="data", array=[0]),
               error_x=dict(type="data", array=[0])),
        go.Scatter(x=["a"], y=[1], mode="lines+markers", marker_color="red",
                   line=dict(color="red", dash="dash")),
        go.Histogram(x=[1], marker_color="red"), go.Heatmap(z=[[1]], x=["a"], y=["b"])])
    figure.update_layout(title=dict(text="a", subtitle=dict(text="b"), font=dict(size=15)),
                         legend=dict(orientation="h", font=dict(size=11)), margin=dict(t=10),
                         xaxis=dict(title=dict(text="x")), yaxis=dict(title=dict(text="y")),
                         shapes=[dict(type="line", x0=0, x1=1, y0=0, y1=1,
                                      line=dict(color="red", dash="dash"))],
                         annotations=[dict(text="a", x=0, y=0, font=dict(size=11))])
    to_div(figure)


def to_div(fig) -> str:
    """A figure as an HTML div that relies on plotly.js being embedded once in the page.

    The figure was validated when it was built; serializing skips a second validation.
    """
    import plotly.io as pio

    return pio.to_html(fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig,
                       full_html=False, include_plotlyjs=False, validate=False,
                       config={"displaylogo": False, "displayModeBar": False,
                               "responsive": True})


@functools.cache
def plotly_js() -> str:
    """plotly.js inline, once per report: no CDN, the report opens offline (read from
    plotly's package once per process)."""
    from plotly.offline import get_plotlyjs

    return f'<script type="text/javascript">{get_plotlyjs()}</script>'


def report_figure_count(diagnosis: Diagnosis, history_runs: int = 0) -> int:
    """How many figures the report draws: one cause chart per WARN or FAIL finding that has
    one, the scorecard, the opportunity chart when there is a finding, and the history chart
    from the second run on (the browser test counts them)."""
    flagged = [r for r in diagnosis.results if r.status in (Status.WARN, Status.FAIL)]
    charts = sum(1 for r in flagged if r.chart is not None)
    return charts + 1 + (1 if flagged else 0) + (1 if history_runs > 1 else 0)
