"""The explorer's result panel: status badge, metric against threshold, impact, story,
chart and evidence, updated in place from a ``Result``.

The HTML fragments are plain functions of the result (the tests read them); the chart is one
plotly ``FigureWidget`` whose traces and layout are replaced from ``report.figures.cause``
inside ``batch_update``, so the browser redraws one figure instead of mounting a new one.
Every string that can come from client data is escaped.
"""

from __future__ import annotations

import html
from copy import deepcopy

import ipywidgets as widgets

from opskit.findings import Result, Status, format_value
from opskit.money import money
from opskit.playbooks import all_playbooks
from opskit.registry import get
from opskit.report import figures
from opskit.report.sections import table_html

EVIDENCE_ROWS = 50
UNSORTED = ("as listed", "")
esc = html.escape


def badge_html(result: Result) -> str:
    """The status as a coloured badge, with the check's title and id."""
    colour = figures.COLOURS.get(str(result.status), "#555")
    label = str(result.status).replace("_", " ")
    return (f'<div class="opskit-badge"><span style="background:{colour};color:#fff;'
            f'padding:2px 10px;border-radius:10px;font-weight:600">{esc(label)}</span> '
            f"<b>{esc(result.title)}</b> <small>{esc(result.check_id)}</small></div>")


def metric_html(result: Result) -> str:
    """The headline metric against the warn and fail thresholds, then the other metrics.

    A check that could not run says why instead: the data request or the error's last line.
    """
    if result.status is Status.NOT_ASSESSABLE:
        return f"<p><b>Not assessable.</b> {esc(result.data_request or '')}</p>"
    if result.status is Status.ERROR:
        last = (result.error or "").strip().splitlines()[-1:] or [""]
        return f"<p><b>The check failed to run:</b> <code>{esc(last[0])}</code></p>"
    metric = result.headline_metric
    unit = metric.unit if metric else ""
    warn, fail = result.thresholds.get("warn"), result.thresholds.get("fail")
    against = ""
    if warn is not None and fail is not None:
        params = get(result.check_id).params if result.check_id else {}
        lower_is_worse = ("warn" in params and "fail" in params
                          and params["warn"].default > params["fail"].default)
        word = "below" if lower_is_worse else "at"
        against = (f" against warn {word} {esc(format_value(warn, unit))}, fail {word} "
                   f"{esc(format_value(fail, unit))}")
    others = "".join(f"<li>{esc(name)}: {esc(m.display())} <small>{esc(m.label)}</small></li>"
                     for name, m in result.metrics.items() if name != result.headline)
    label = f" <small>({esc(metric.label)})</small>" if metric and metric.label else ""
    return (f"<p><b>Measured:</b> {esc(result.headline or '')} = "
            f"<b>{esc(metric.display() if metric else 'n/a')}</b>{against}{label}</p>"
            + (f"<ul>{others}</ul>" if others else ""))


def impact_html(result: Result) -> str:
    """Annual money at stake, low / base / high, with the formula and the assumptions."""
    if result.status in (Status.NOT_ASSESSABLE, Status.ERROR):
        return ""
    impact = result.impact
    note = "" if impact.in_total else (
        f" <i>Not added to the total: {esc(impact.note or 'counted elsewhere')}.</i>")
    assumptions = "".join(f"<li>{esc(k)}: {esc(str(v))}</li>"
                          for k, v in impact.assumptions.items())
    return (f"<p><b>Impact:</b> low {esc(money(impact.low))} · base {esc(money(impact.base))}"
            f" · high {esc(money(impact.high))} a year. {esc(impact.formula)}{note}</p>"
            + (f"<ul>{assumptions}</ul>" if assumptions else ""))


def story_html(result: Result) -> str:
    """The symptom the client reports, the cause the data shows, and the playbook."""
    if result.story is None:
        return ""
    book = all_playbooks().get(result.playbook)
    playbook = (f"<br><b>Playbook:</b> {esc(book.summary)} "
                f"<code>playbooks/{esc(result.playbook)}.md</code>") if book else ""
    return (f"<p><b>Symptom:</b> {esc(result.story.symptom)}<br>"
            f"<b>Cause:</b> {esc(result.story.cause)}{playbook}</p>")


def sorted_evidence(frame, column: str | None, descending: bool = False):
    """``frame`` sorted by ``column`` (blanks last; a stable sort keeps ties in the check's
    order); as found when ``column`` is None or not one of its columns."""
    if not column or column not in frame.columns:
        return frame
    return frame.sort_values(column, ascending=not descending, na_position="last",
                             kind="stable")


def evidence_html(result: Result, rows: int = EVIDENCE_ROWS, sort: str | None = None,
                  descending: bool = False) -> str:
    """The first ``rows`` evidence records (sorted by ``sort`` when given) as an escaped HTML
    table, with the total count."""
    frame = result.evidence
    if frame is None or not len(frame):
        return "<p><i>No evidence records.</i></p>"
    shown = min(rows, len(frame))
    order = (f", sorted by {esc(sort)} {'high to low' if descending else 'low to high'}"
             if sort and sort in frame.columns else "")
    return (f"<p><b>Evidence:</b> {len(frame):,} records"
            f"{f', first {shown} shown' if shown < len(frame) else ''}{order}.</p>"
            + table_html(sorted_evidence(frame, sort, descending), rows))


def update_figure(figure, result: Result) -> None:
    """Redraw ``figure`` (a FigureWidget) as ``report.figures.cause(result)``, in place
    (emptied when the result has no cause chart: not assessable, error).

    Traces of the same type are updated (the bar keeps its identity); otherwise the traces
    are swapped. Every layout property is replaced wholesale and the ones the new chart does
    not set are cleared, so thresholds that no longer apply vanish. The template is the same
    for every chart and is left alone: re-validating and re-sending it would triple the cost
    of an update.
    """
    drawn = figures.cause(result) or figures._go().Figure()
    # the layout's own properties, read without to_plotly_json(), which deep-copies the
    # template too (most of an update's time)
    layout = {k: v for k, v in drawn.layout._props.items() if k != "template"}
    stale = [k for k in figure.layout._props if k != "template" and k not in layout]
    with figure.batch_update():
        same = (len(figure.data) == len(drawn.data)
                and all(a.type == b.type for a, b in zip(figure.data, drawn.data, strict=True)))
        if same:
            for mine, theirs in zip(figure.data, drawn.data, strict=True):
                mine.update(theirs.to_plotly_json(), overwrite=True)
        else:
            figure.data = ()
            figure.add_traces(list(drawn.data))
        for key in stale:
            figure.layout[key] = None
        figure.layout.update(layout, overwrite=True)
    _sync_for_new_views(figure)


def _sync_for_new_views(figure) -> None:
    """Keep the state a view created later starts from equal to the figure.

    plotly sends the edits above to the views that exist, but a view created later (Voila
    renders after the notebook ran; a page reload; a second display of the app) starts from
    two synced traits that plotly refreshes only when the figure is displayed on its own, not
    inside a box. The unchanging template is shared, not copied.
    """
    props = figure._layout_obj._props
    layout = {key: deepcopy(value) for key, value in props.items() if key != "template"}
    if "template" in props:
        layout["template"] = props["template"]
    figure._widget_layout = layout
    figure._widget_data = deepcopy(figure._data)


class ResultPanel:
    """The widgets that show one result; ``show`` updates them all in place."""

    def __init__(self) -> None:
        import plotly.graph_objects as go

        self.badge = widgets.HTML()
        self.metric = widgets.HTML()
        self.impact = widgets.HTML()
        self.story = widgets.HTML()
        self.figure = go.FigureWidget()
        self.evidence = widgets.HTML(layout=widgets.Layout(max_height="420px",
                                                           overflow="auto"))
        self.sort_by = widgets.Dropdown(description="Sort by", options=[UNSORTED])
        self.descending = widgets.ToggleButton(value=True, description="High to low",
                                               icon="sort-amount-desc",
                                               tooltip="Sort high to low (off: low to high)")
        self.result: Result | None = None
        for control in (self.sort_by, self.descending):
            control.observe(lambda _: self._show_evidence(), names="value")
        self.box = widgets.VBox([self.badge, self.metric, self.impact, self.story,
                                 self.figure, widgets.HBox([self.sort_by, self.descending]),
                                 self.evidence])

    def show(self, result: Result) -> None:
        self.result = result
        self.badge.value = badge_html(result)
        self.metric.value = metric_html(result)
        self.impact.value = impact_html(result)
        self.story.value = story_html(result)
        update_figure(self.figure, result)
        columns = [] if result.evidence is None else [str(c) for c in result.evidence.columns]
        kept = self.sort_by.value if self.sort_by.value in columns else UNSORTED[1]
        with self.sort_by.hold_trait_notifications():
            self.sort_by.options = [UNSORTED] + [(c, c) for c in columns]
            self.sort_by.value = kept
        self._show_evidence()

    def sort(self, column: str | None, descending: bool = True) -> None:
        """Sort the evidence on show by ``column`` (None: as the check listed it)."""
        self.descending.value = descending
        self.sort_by.value = column or UNSORTED[1]
        self._show_evidence()

    def _show_evidence(self) -> None:
        if self.result is None:
            return
        self.descending.description = "High to low" if self.descending.value else "Low to high"
        self.evidence.value = evidence_html(self.result, sort=self.sort_by.value or None,
                                            descending=self.descending.value)
